"""Build the product and country lists of the US tariff schedule 2025-26 into the package.

Usage::

    python tools/build_us_tariffs.py SAMPLES_DIR [--out src/tradelever/data/us_tariffs]

``SAMPLES_DIR`` holds three folders copied from public sources:

``us-tariff-lists/``
    Lists transcribed from the official annexes by the open-source tracker
    ``tradewartracker/trade-war-redux-2025`` (GitHub, MIT; snapshot ``726c5958``, folder
    ``tariff-lists/``), with the annex PDFs the snapshot had.
``us-tariff-documents/``, ``us-deals/``
    whitehouse.gov pages (orders, proclamations, memoranda) as archived in
    ``brian14708/wh-briefings``; each file keeps its ``source_url``.

For every list it writes ``lists/<id>.csv`` (HTS prefixes as digit strings, one code per
row, with the list's instrument) and records in ``SOURCES.json`` the upstream repository and
path, the instrument and its public URL, the sha256 of each input and of the output, and
notes wherever a list and its instrument disagree (the instrument wins). Running it twice
gives byte-identical output.

Cross-checks against the instruments (the annex PDFs need ``pypdf``, a test dependency):

* EO 14257 Annex II: the PDF lists 1,039 8-digit subheadings, the tracker's CSV 720
  10-digit lines (all inside those subheadings). The PDF is used.
* The April 11, 2025 memorandum names 20 headings/subheadings; they are used as prefixes,
  and the tracker's 10-digit expansion is checked to fall inside them.
* Every code of the Section 122 and metals (2 Apr 2026) lists is checked to appear in the
  instrument's annex PDFs.
* EO 14326 Annex I is checked row by row against the order's text on whitehouse.gov.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tradelever.checksums import file_sha256

UPSTREAM_REPO = "tradewartracker/trade-war-redux-2025"
UPSTREAM_SNAPSHOT = "726c5958e1e43eb08ac076a1e602ae3149164b03"
UPSTREAM_FOLDER = "tariff-lists"
WH_ARCHIVE_REPO = "brian14708/wh-briefings"

LISTS = "us-tariff-lists"
DOCS = "us-tariff-documents"
DEALS = "us-deals"
CENSUS = "census-us-imports-2024"

URL_ANNEX_I = "https://www.whitehouse.gov/wp-content/uploads/2025/04/Annex-I.pdf"
URL_ANNEX_II = "https://www.whitehouse.gov/wp-content/uploads/2025/04/Annex-II.pdf"
URL_EO14257 = (
    "https://www.whitehouse.gov/presidential-actions/2025/04/regulating-imports-with-a-"
    "reciprocal-tariff-to-rectify-trade-practices-that-contribute-to-large-and-persistent-"
    "annual-united-states-goods-trade-deficits/"
)
URL_APR11 = (
    "https://www.whitehouse.gov/presidential-actions/2025/04/clarification-of-exceptions-"
    "under-executive-order-14257-of-april-2-2025-as-amended/"
)
URL_EO14326 = (
    "https://www.whitehouse.gov/presidential-actions/2025/07/further-modifying-the-"
    "reciprocal-tariff-rates/"
)
URL_EO14346 = (
    "https://www.whitehouse.gov/presidential-actions/2025/09/modifying-the-scope-of-"
    "reciprocal-tariffs-and-establishing-procedures-for-implementing-trade-and-security-"
    "agreements/"
)
URL_EO14360 = (
    "https://www.whitehouse.gov/presidential-actions/2025/11/modifying-the-scope-of-the-"
    "reciprocal-tariff-with-respect-to-certain-agricultural-products/"
)
URL_STEEL = (
    "https://www.whitehouse.gov/presidential-actions/2025/02/adjusting-imports-of-steel-into-"
    "the-united-states/"
)
URL_ALUMINUM = (
    "https://www.whitehouse.gov/presidential-actions/2025/02/adjusting-imports-of-aluminum-"
    "into-the-united-states/"
)
URL_AUTOS = (
    "https://www.whitehouse.gov/presidential-actions/2025/03/adjusting-imports-of-"
    "automobiles-and-autombile-parts-into-the-united-states/"
)
URL_COPPER = (
    "https://www.whitehouse.gov/presidential-actions/2025/07/adjusting-imports-of-copper-"
    "into-the-united-states/"
)
URL_METALS_2026 = "https://www.whitehouse.gov/presidential-actions/2026/04/"
URL_S122 = (
    "https://www.whitehouse.gov/presidential-actions/2026/02/imposing-a-temporary-import-"
    "surcharge-to-address-fundamental-international-payments-problems/"
)
URL_S122_ANNEX1 = (
    "https://www.whitehouse.gov/wp-content/uploads/2026/02/2026Section122.prc_.ANNEX1_.FINAL_.pdf"
)
URL_S122_ANNEX2 = (
    "https://www.whitehouse.gov/wp-content/uploads/2026/02/2026Section122.prc_.ANNEX2_.Final_.pdf"
)
URL_EO14323 = (
    "https://www.whitehouse.gov/presidential-actions/2025/07/addressing-threats-to-the-us/"
)
URL_BRAZIL_301 = (
    "https://ustr.gov/about/policy-offices/press-office/press-releases/2026/june/"
    "ustr-section-301-determination-brazils-unreasonable-acts-policies-and-practices"
)
URL_S338 = "https://www.whitehouse.gov/presidential-actions/2026/07/"

# Chapters whose additions to Annex II came with EO 14360 (effective 13 Nov 2025): the
# agricultural products of its Annex (chapters 02, 07-12, 15-16, 18-22, 31) and the partial
# exemptions of new heading 9903.02.78 (chapters 08, 14, 19-21, 33).
EO14360_CHAPTERS = frozenset(
    "02 07 08 09 10 11 12 14 15 16 18 19 20 21 22 31 33".split()  # noqa: SIM905
)

# The 20 headings and subheadings of the April 11, 2025 memorandum, in its order.
APR11_HEADINGS = (  # noqa: SIM905
    "8471 847330 8486 85171300 85176200 85235100 8524 85285200 85411000 85412100 85412900 "
    "85413000 85414910 85414970 85414980 85414995 85415100 85415900 85419000 8542"
).split()

# Revisions of 3 April 2025 to the first posting of EO 14257 Annex I (tariffs in force on
# 9 April 2025 used the revised annex; the PDF and CSV of the snapshot are the first posting).
ANNEX_I_REVISED = {
    "BIH": 35,
    "BWA": 37,
    "CMR": 11,
    "FLK": 41,
    "IND": 26,
    "MWI": 17,
    "MMR": 44,
    "NIC": 18,
    "NOR": 15,
    "PAK": 29,
    "PHL": 17,
    "SRB": 37,
    "ZAF": 30,
    "KOR": 25,
    "CHE": 31,
    "THA": 36,
    "VUT": 22,
}

# Names of EO 14326 Annex I (31 July 2025) -> ISO3, written out so the mapping is reviewable.
EO14326_NAMES = {
    "Afghanistan": "AFG",
    "Algeria": "DZA",
    "Angola": "AGO",
    "Bangladesh": "BGD",
    "Bolivia": "BOL",
    "Bosnia and Herzegovina": "BIH",
    "Botswana": "BWA",
    "Brazil": "BRA",
    "Brunei": "BRN",
    "Cambodia": "KHM",
    "Cameroon": "CMR",
    "Chad": "TCD",
    "Costa Rica": "CRI",
    "Côte d`Ivoire": "CIV",
    "Democratic Republic of the Congo": "COD",
    "Ecuador": "ECU",
    "Equatorial Guinea": "GNQ",
    "Falkland Islands": "FLK",
    "Fiji": "FJI",
    "Ghana": "GHA",
    "Guyana": "GUY",
    "Iceland": "ISL",
    "India": "IND",
    "Indonesia": "IDN",
    "Iraq": "IRQ",
    "Israel": "ISR",
    "Japan": "JPN",
    "Jordan": "JOR",
    "Kazakhstan": "KAZ",
    "Laos": "LAO",
    "Lesotho": "LSO",
    "Libya": "LBY",
    "Liechtenstein": "LIE",
    "Madagascar": "MDG",
    "Malawi": "MWI",
    "Malaysia": "MYS",
    "Mauritius": "MUS",
    "Moldova": "MDA",
    "Mozambique": "MOZ",
    "Myanmar (Burma)": "MMR",
    "Namibia": "NAM",
    "Nauru": "NRU",
    "New Zealand": "NZL",
    "Nicaragua": "NIC",
    "Nigeria": "NGA",
    "North Macedonia": "MKD",
    "Norway": "NOR",
    "Pakistan": "PAK",
    "Papua New Guinea": "PNG",
    "Philippines": "PHL",
    "Serbia": "SRB",
    "South Africa": "ZAF",
    "South Korea": "KOR",
    "Sri Lanka": "LKA",
    "Switzerland": "CHE",
    "Syria": "SYR",
    "Taiwan": "TWN",
    "Thailand": "THA",
    "Trinidad and Tobago": "TTO",
    "Tunisia": "TUN",
    "Turkey": "TUR",
    "Uganda": "UGA",
    "United Kingdom": "GBR",
    "Vanuatu": "VUT",
    "Venezuela": "VEN",
    "Vietnam": "VNM",
    "Zambia": "ZMB",
    "Zimbabwe": "ZWE",
}

# Short citation written on every row of a list (the full title is in its header and
# SOURCES.json).
CITES = {
    "eo14257-annex-ii": "EO 14257 Annex II",
    "eo14346-annex-ii": "EO 14346 Annex II",
    "eo14360-annex-ii": "EO 14360 Annex II",
    "apr11-semiconductors": "Memorandum of 11 Apr 2025",
    "s232-steel-derivatives": "Proclamation 10896",
    "s232-aluminum-derivatives": "Proclamation 10895",
    "s232-autos-vehicles": "Proclamation 10908",
    "s232-auto-parts": "Proclamation 10908",
    "s232-copper": "Proclamation 10962",
    "metals-2026-annex-i-a": "Proclamation of 2 Apr 2026 Annex I-A",
    "metals-2026-annex-i-b": "Proclamation of 2 Apr 2026 Annex I-B",
    "metals-2026-annex-ii": "Proclamation of 2 Apr 2026 Annex II",
    "metals-2026-annex-iii": "Proclamation of 2 Apr 2026 Annex III",
    "s122-exemptions": "Section 122 Proclamation Annexes I-II",
    "eo14323-brazil-exemptions": "EO 14323 Annex I",
    "s301-brazil-exemptions": "USTR Section 301 Brazil notice",
    "s338-canada-alcohol": "Section 338 Proclamation (alcohol)",
    "s338-canada-dairy": "Section 338 Proclamation (dairy)",
    "s338-canada-autos": "Section 338 Proclamation (motor vehicles)",
    "s338-canada-aircraft-carve-out": "Section 338 Proclamations (aircraft)",
}

_CODE = re.compile(r"^\d+$")
_PDF_CODE = re.compile(r"(?<![\d.])(\d{4}(?:\.\d{2}(?:\.\d{2}(?:\.?\d{2})?)?)?)(?![\d.])")


class BuildError(Exception):
    """An input file does not look as this script expects."""


@dataclass
class Output:
    """One written file and everything SOURCES.json records about it."""

    path: str
    list_id: str
    kind: str
    instrument: str
    url: str
    inputs: list[dict[str, str]]
    rows: int
    sha256: str
    notes: list[str] = field(default_factory=list)


def normalise_code(raw: str, where: str) -> str:
    """An HTS code as a digit string (dots and spaces removed; 2-10 digits, even length)."""
    code = raw.strip().replace(".", "").replace(" ", "")
    if not _CODE.match(code) or len(code) not in (2, 4, 6, 8, 10):
        raise BuildError(f"{where}: {raw!r} is not an HTS code of 2-10 digits")
    return code


def read_codes(
    path: Path, column: str = "HTSUS", extra: str | None = None
) -> list[tuple[str, str]]:
    """Codes (and one extra column) of a tracker CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise BuildError(f"{path.name}: no column {column!r} (has {reader.fieldnames})")
        rows = []
        for i, row in enumerate(reader, start=2):
            code = normalise_code(row[column], f"{path.name} line {i}")
            rows.append((code, (row.get(extra) or "").strip() if extra else ""))
    return rows


def pdf_text(path: Path) -> list[str]:
    """Text of each page of an annex PDF."""
    try:
        import pypdf
    except ImportError as exc:  # a maintainer tool: say what to install
        raise BuildError("pypdf is needed to read the annex PDFs: pip install pypdf") from exc
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def pdf_code_tokens(pages: Iterable[str]) -> set[str]:
    """Every dotted HTS code printed in the PDF, as digits (descriptions' references too)."""
    out: set[str] = set()
    for text in pages:
        for match in _PDF_CODE.finditer(text):
            out.add(match.group(1).replace(".", ""))
        out.update(re.findall(r"(?m)^\s*“?(\d{8}|\d{10}|\d{4})(?=\s|$)", text))
    return out


def front_matter_url(path: Path) -> str:
    """The ``source_url`` recorded at the top of an archived whitehouse.gov page."""
    match = re.search(r"^source_url:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
    if not match:
        raise BuildError(f"{path.name}: no source_url in its front matter")
    return match.group(1)


def dedupe(rows: list[tuple[str, str]], notes: list[str], name: str) -> list[tuple[str, str]]:
    """Unique codes, sorted; duplicates noted."""
    seen: dict[str, str] = {}
    dups: list[str] = []
    for code, extra in rows:
        if code in seen:
            dups.append(code)
            continue
        seen[code] = extra
    if dups:
        notes.append(f"{name}: duplicate rows dropped: {', '.join(sorted(set(dups)))}")
    return sorted(seen.items())


class Builder:
    """Writes the lists and collects their provenance."""

    def __init__(self, samples: Path, out: Path) -> None:
        self.samples = samples
        self.out = out
        self.outputs: list[Output] = []
        for folder in (LISTS, DOCS, DEALS, CENSUS):
            if not (samples / folder).is_dir():
                raise BuildError(f"{samples}: no folder {folder}/ (give the samples directory)")

    def src(self, folder: str, name: str) -> Path:
        path = self.samples / folder / name
        if not path.is_file():
            raise BuildError(f"missing input {folder}/{name}")
        return path

    def input_record(self, folder: str, name: str, upstream: str | None = None) -> dict[str, str]:
        path = self.src(folder, name)
        if folder == CENSUS:
            origin = {
                "repository": UPSTREAM_REPO,
                "snapshot": UPSTREAM_SNAPSHOT,
                "path": "data/CensusCountryMapping_FRBAtl_short.csv",
            }
        elif folder == LISTS:
            origin = {
                "repository": UPSTREAM_REPO,
                "snapshot": UPSTREAM_SNAPSHOT,
                # upstream paths with a folder are from the repository root
                "path": upstream
                if upstream and "/" in upstream
                else f"{UPSTREAM_FOLDER}/{upstream or name}",
            }
        else:
            origin = {"repository": WH_ARCHIVE_REPO, "url": front_matter_url(path)}
        return {"file": name, **origin, "sha256": file_sha256(path)}

    def write(
        self,
        list_id: str,
        kind: str,
        header: list[str],
        rows: list[list[str]],
        instrument: str,
        url: str,
        inputs: list[dict[str, str]],
        notes: list[str],
    ) -> None:
        path = self.out / "lists" / f"{list_id}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        buf.write(f"# {list_id}: {instrument}\n# {url}\n")
        buf.write("# Built by tools/build_us_tariffs.py; provenance in ../SOURCES.json\n")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
        self.outputs.append(
            Output(
                path=f"lists/{list_id}.csv",
                list_id=list_id,
                kind=kind,
                instrument=instrument,
                url=url,
                inputs=inputs,
                rows=len(rows),
                sha256=file_sha256(path),
                notes=notes,
            )
        )

    def products(
        self,
        list_id: str,
        instrument: str,
        url: str,
        codes: list[tuple[str, str]],
        inputs: list[dict[str, str]],
        notes: list[str],
        category: bool = False,
    ) -> None:
        cite = CITES[list_id]
        rows = [[c, cite, cat] if category else [c, cite] for c, cat in codes]
        header = ["code", "instrument", "category"] if category else ["code", "instrument"]
        self.write(list_id, "products", header, rows, instrument, url, inputs, notes)

    # ---- the lists -------------------------------------------------------------------

    def annex_ii(self) -> tuple[set[str], set[str]]:
        """EO 14257 Annex II from its PDF; then the revisions of 8 Sep and 13 Nov 2025."""
        notes: list[str] = []
        pdf = self.src(LISTS, "EO14257-Annex-II.pdf")
        pdf_codes: set[str] = set()
        for text in pdf_text(pdf):
            pdf_codes.update(re.findall(r"(?m)^\s*(\d{8})(?=\s|$)", text))
        csv_rows = read_codes(self.src(LISTS, "annex-II-exemptions.csv"))
        csv8 = {c[:8] for c, _ in csv_rows}
        outside = sorted(csv8 - pdf_codes)
        if outside:
            raise BuildError(f"Annex II CSV codes outside the PDF's subheadings: {outside[:10]}")
        notes.append(
            f"The instrument (Annex II PDF, {len(pdf_codes)} 8-digit subheadings) wins over the "
            f"tracker's CSV ({len(csv_rows)} 10-digit lines, all inside {len(csv8)} of those "
            f"subheadings): {len(pdf_codes - csv8)} subheadings the CSV lacks are included, "
            "e.g. rare-earth metals 2805.30.00 and energy 2715/2716."
        )
        original = sorted(pdf_codes)
        self.products(
            "eo14257-annex-ii",
            "EO 14257 Annex II (2 Apr 2025)",
            URL_ANNEX_II,
            [(c, "") for c in original],
            [
                self.input_record(LISTS, "EO14257-Annex-II.pdf", "data/Annex-II.pdf"),
                self.input_record(LISTS, "annex-II-exemptions.csv"),
            ],
            notes,
        )

        nov_rows = read_codes(self.src(LISTS, "annex-II-exemptions-nov14.csv"))
        nov = {c for c, _ in nov_rows}
        removed = set(original) - nov
        added = nov - set(original)
        nov13_added = {c for c in added if c[:2] in EO14360_CHAPTERS}
        sep8 = sorted(nov - nov13_added)
        sep_notes = [
            "Derived: Annex II as revised by EO 14346 (in force 8 Sep 2025) is not in the "
            "snapshot as a list. It is taken as the EO 14360 list (13 Nov 2025) minus the "
            f"{len(nov13_added)} subheadings EO 14360 added (those of chapters "
            f"{', '.join(sorted(EO14360_CHAPTERS))}, the chapters of that order's agricultural "
            f"annex and partial exemptions). Against the original Annex II it removes "
            f"{len(removed)} subheadings ({', '.join(_chapter_counts(removed))}: lumber and "
            "copper, now under Section 232, and the aluminium hydroxide, resin and silicone "
            f"products the EO 14346 fact sheet names) and adds {len(added) - len(nov13_added)} "
            "(bullion, critical minerals, pharmaceutical inputs, electronics of the April 11 "
            "memorandum)."
        ]
        self.products(
            "eo14346-annex-ii",
            "EO 14346 revised Annex II to EO 14257 (5 Sep 2025, in force 8 Sep 2025)",
            URL_EO14346,
            [(c, "") for c in sep8],
            [self.input_record(LISTS, "annex-II-exemptions-nov14.csv")],
            sep_notes,
        )
        self.products(
            "eo14360-annex-ii",
            "EO 14360 revised Annex II to EO 14257 (14 Nov 2025, in force 13 Nov 2025)",
            URL_EO14360,
            [(c, "") for c in sorted(nov)],
            [self.input_record(LISTS, "annex-II-exemptions-nov14.csv")],
            [
                "The 11 subheadings of the partial exemptions (heading 9903.02.78) are "
                "included whole; the order exempts only the products it describes in them."
            ],
        )
        return set(original), nov

    def apr11(self) -> None:
        memo = self.src(DOCS, next(p.name for p in (self.samples / DOCS).glob("2025-04-11-*.md")))
        bullets = re.findall(r"(?m)^·\s+(\d+)\s*$", memo.read_text(encoding="utf-8"))
        if bullets != list(APR11_HEADINGS):
            raise BuildError(f"{memo.name}: the memorandum lists {bullets}, expected ours")
        missing = [h for h in APR11_HEADINGS if h not in bullets]
        if missing:
            raise BuildError(f"{memo.name}: headings not found in the memorandum: {missing}")
        csv_rows = read_codes(self.src(LISTS, "consumer_electronics_EO14257_apr11.csv"))
        outside = [c for c, _ in csv_rows if not any(c.startswith(h) for h in APR11_HEADINGS)]
        if outside:
            raise BuildError(f"April 11 CSV codes outside the memorandum's headings: {outside}")
        empty = [h for h in APR11_HEADINGS if not any(c.startswith(h) for c, _ in csv_rows)]
        notes = [
            "The memorandum's 20 headings and subheadings are used as prefixes (the instrument); "
            f"the tracker's {len(csv_rows)} 10-digit lines all fall inside them"
            + (f"; it has none under {', '.join(empty)}" if empty else "")
            + ".",
            "The sample copy is named consumer_electronics_EO14257_apr11.csv; upstream it is "
            "tariff-lists/41225_exemptions.csv (same content).",
        ]
        self.products(
            "apr11-semiconductors",
            "Memorandum 'Clarification of Exceptions Under EO 14257' (11 Apr 2025)",
            URL_APR11,
            [(h, "") for h in sorted(APR11_HEADINGS)],
            [
                self.input_record(DOCS, memo.name),
                self.input_record(
                    LISTS, "consumer_electronics_EO14257_apr11.csv", "41225_exemptions.csv"
                ),
            ],
            notes,
        )

    def simple(
        self,
        list_id: str,
        instrument: str,
        url: str,
        files: list[str],
        pick: Callable[[str], bool] | None = None,
        category_from: str | None = None,
        categories: dict[str, str] | None = None,
        check_pdf: str | None = None,
        notes: list[str] | None = None,
        column: str = "HTSUS",
    ) -> None:
        """A list copied from one or more tracker CSVs (optionally filtered)."""
        notes = list(notes or [])
        rows: list[tuple[str, str]] = []
        for name in files:
            got = read_codes(self.src(LISTS, name), column=column, extra=category_from)
            if categories is not None:
                got = [(c, categories[name]) for c, _ in got]
            rows.extend(got)
        if pick is not None:
            rows = [r for r in rows if pick(r[0])]
        rows = dedupe(rows, notes, ", ".join(files))
        inputs = [self.input_record(LISTS, n) for n in files]
        if check_pdf:
            tokens = pdf_code_tokens(pdf_text(self.src(LISTS, check_pdf)))
            absent = [c for c, _ in rows if c not in tokens]
            if absent:
                raise BuildError(f"{list_id}: codes not printed in {check_pdf}: {absent[:10]}")
            notes.append(f"Every code checked to appear in the instrument's annexes ({check_pdf}).")
            inputs.append(self.input_record(LISTS, check_pdf))
        self.products(
            list_id,
            instrument,
            url,
            rows,
            inputs,
            notes,
            category=category_from is not None or categories is not None,
        )

    def countries_annex_i(self) -> None:
        mapping = self.src(CENSUS, "census-country-codes.csv")
        codes = {
            r["CTY_CODE"]: r["ISO3"]
            for r in csv.DictReader(mapping.read_text(encoding="utf-8").splitlines())
        }
        pdf_rates: dict[str, int] = {}
        for text in pdf_text(self.src(LISTS, "EO14257-Annex-I.pdf")):
            for name, rate in re.findall(r"(?m)^(.+?) (\d+)% ?$", text):
                pdf_rates[name.strip()] = int(rate)
        notes = [
            "Rates are those of the Annex I in force on 9 April 2025: the annex as revised on "
            f"3 April 2025 ({len(ANNEX_I_REVISED)} economies one point lower than first "
            "posted, as reported by the press at the time). The snapshot's PDF and CSV are "
            "the first posting; rate_first_posting keeps it.",
        ]
        rows: list[list[str]] = []
        with self.src(LISTS, "reciprocal-tariffs-annex-I.csv").open(encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                name, code = row["CTY_NAME"].strip(), row["CTY_CODE"].strip()
                rate = float(row["tariff_rate"])
                if name in ("China", "Canada", "Mexico"):
                    notes.append(
                        f"{name}: CSV rate {row['tariff_rate']} is the tracker's working value, "
                        "not an Annex I rate; "
                        + (
                            "China's 34% is modelled by its own measures (84% from 9 Apr by EO "
                            "14259)."
                            if name == "China"
                            else "not in Annex I (separate IEEPA border orders)."
                        )
                    )
                    continue
                if code == "79f":
                    notes.append("South Africa: CSV country code '79f' read as 7910.")
                    code = "7910"
                iso3 = "EU" if code == "0003" else codes.get(code)
                if iso3 is None:
                    raise BuildError(f"reciprocal-tariffs-annex-I.csv line {i}: code {code}?")
                if pdf_rates.get(name) != int(rate):
                    raise BuildError(f"Annex I: {name} CSV {rate} vs PDF {pdf_rates.get(name)}")
                revised = ANNEX_I_REVISED.get(iso3, int(rate))
                rows.append([name, iso3, str(revised), str(int(rate))])
        self.write(
            "eo14257-annex-i",
            "countries",
            ["partner", "iso3", "rate_percent", "rate_first_posting"],
            sorted(rows, key=lambda r: r[1]),
            "EO 14257 Annex I (2 Apr 2025; revised 3 Apr 2025)",
            URL_ANNEX_I,
            [
                self.input_record(LISTS, "reciprocal-tariffs-annex-I.csv"),
                self.input_record(LISTS, "EO14257-Annex-I.pdf", "data/Annex-I.pdf"),
                self.input_record(CENSUS, "census-country-codes.csv"),
            ],
            notes,
        )

    def countries_eo14326(self) -> None:
        eo = self.src(DEALS, "2025-07-31-further-modifying-the-reciprocal-tariff-rates.md")
        cells = re.findall(r"<td>(.*?)</td>", eo.read_text(encoding="utf-8"), flags=re.S)
        text_rates = {
            re.sub(r"<.*?>", "", n).strip(): r.strip()
            for n, r in zip(cells[0::2], cells[1::2], strict=True)
        }
        rows = []
        with self.src(LISTS, "agust-7-tariffs.csv").open(encoding="utf-8") as fh:
            reader = csv.reader(fh)
            next(reader)
            for name, rate in reader:
                if text_rates.get(name) != rate:
                    raise BuildError(f"EO 14326: {name} CSV {rate} vs order {text_rates.get(name)}")
                if name not in EO14326_NAMES:
                    raise BuildError(f"EO 14326: no ISO3 for {name!r}")
                rows.append([name, EO14326_NAMES[name], rate.rstrip("%")])
        listed = {n for n in text_rates if not n.startswith("European Union")}
        if listed != {r[0] for r in rows}:
            raise BuildError("EO 14326: the CSV and the order list different partners")
        self.write(
            "eo14326-annex-i",
            "countries",
            ["partner", "iso3", "rate_percent"],
            sorted(rows, key=lambda r: r[1]),
            "EO 14326 'Further Modifying the Reciprocal Tariff Rates' Annex I (31 Jul 2025)",
            URL_EO14326,
            [
                self.input_record(LISTS, "agust-7-tariffs.csv"),
                self.input_record(DEALS, eo.name),
            ],
            [
                "Checked row by row against the order's text: identical. The European Union's "
                "two rows (15% minus the Column 1 rate) are a measure of their own, not a row "
                "here."
            ],
        )

    def run(self) -> None:
        self.annex_ii()
        self.apr11()
        self.simple(
            "s232-steel-derivatives",
            "Proclamation 10896 'Adjusting Imports of Steel into the United States' (10 Feb "
            "2025), derivative steel articles",
            URL_STEEL,
            ["steel-tariffs.csv"],
        )
        self.simple(
            "s232-aluminum-derivatives",
            "Proclamation 10895 'Adjusting Imports of Aluminum into the United States' (10 Feb "
            "2025), derivative aluminum articles",
            URL_ALUMINUM,
            ["alu-tariffs.csv"],
        )
        self.simple(
            "s232-autos-vehicles",
            "Proclamation 10908 'Adjusting Imports of Automobiles and Automobile Parts' (26 Mar "
            "2025), passenger vehicles and light trucks",
            URL_AUTOS,
            ["auto-tariffs.csv"],
            pick=lambda c: c[:4] in ("8703", "8704"),
            notes=["Vehicles are the codes of headings 8703 and 8704 in the tracker's list."],
        )
        self.simple(
            "s232-auto-parts",
            "Proclamation 10908 (26 Mar 2025), automobile parts",
            URL_AUTOS,
            ["auto-tariffs.csv"],
            pick=lambda c: c[:4] not in ("8703", "8704"),
            notes=["Parts are the codes outside headings 8703 and 8704 in the tracker's list."],
        )
        self.simple(
            "s232-copper",
            "Proclamation 10962 'Adjusting Imports of Copper into the United States' (30 Jul 2025)",
            URL_COPPER,
            ["copper-list.csv"],
        )
        metals = "Proclamation of 2 Apr 2026 on aluminum, steel and copper (Section 232)"
        for list_id, name, what in (
            ("metals-2026-annex-i-a", "metals-annex-IA.csv", "Annex I-A (50%; UK 25%)"),
            ("metals-2026-annex-i-b", "metals-annex-IB.csv", "Annex I-B (25%; UK 15%)"),
            ("metals-2026-annex-ii", "metals-annex-II-removed.csv", "Annex II (out of scope)"),
            ("metals-2026-annex-iii", "metals-annex-III-temporary.csv", "Annex III (15% all-in)"),
        ):
            self.simple(
                list_id,
                f"{metals}, {what}",
                URL_METALS_2026,
                [name],
                check_pdf="Metals-ANNEXES-I-A-I-B-II-III-IV.pdf",
                notes=[
                    "The proclamation's own page was not in the reference set; the URL is the "
                    "White House archive of presidential actions of April 2026. The annex PDF "
                    "and the proclamation's text are in the snapshot."
                ],
            )
        self.simple(
            "s122-exemptions",
            "Proclamation 'Imposing a Temporary Import Surcharge' (Section 122, 20 Feb 2026), "
            "Annex I paragraph 2 and Annex II",
            URL_S122,
            [
                "section122-product-exemptions.csv",
                "section122-aircraft-exemptions.csv",
                "section122-specific-exemptions.csv",
            ],
            categories={
                "section122-product-exemptions.csv": "product",
                "section122-aircraft-exemptions.csv": "civil-aircraft",
                "section122-specific-exemptions.csv": "partial",
            },
            check_pdf="2026Section122.prc_.ANNEX2_.Final_.pdf",
            column="hts_code",
            notes=[
                "Categories: product (exempt), civil-aircraft (exempt only for civil aircraft "
                "use), partial (exempt only for the products described): all applied as full "
                f"exemptions of the code. Annexes: {URL_S122_ANNEX1} ; {URL_S122_ANNEX2}",
                "Annex I also names chapter 98 provisions (9802.00.40-.80); chapter 98 is not a "
                "product and is not listed here.",
            ],
        )
        self.simple(
            "eo14323-brazil-exemptions",
            "EO 14323 'Addressing Threats to the United States by the Government of Brazil' (30 "
            "Jul 2025), Annex I exceptions",
            URL_EO14323,
            ["brazil-non-airplane-exemptions.csv", "brazil-airplane-exemptions.csv"],
            categories={
                "brazil-non-airplane-exemptions.csv": "product",
                "brazil-airplane-exemptions.csv": "civil-aircraft",
            },
            notes=[
                "Civil-aircraft codes are exempt only for civil aircraft use; applied as full "
                "exemptions. The agricultural exemptions of the order of 20 Nov 2025 "
                "('Modifying the Scope of Tariffs on the Government of Brazil') are not in the "
                "snapshot and not included."
            ],
        )
        self.simple(
            "s301-brazil-exemptions",
            "USTR Notice of Action, Section 301 investigation of Brazil (15 Jul 2026), "
            "exempted products",
            URL_BRAZIL_301,
            ["brazil-301-exemptions.csv"],
            category_from="category",
            notes=[
                "The notice of action itself (Federal Register, July 2026) was not in the "
                "reference set; the URL is USTR's release of the determination and proposed "
                "action. Categories flat/named/aircraft/pharma are all applied as full "
                "exemptions of the code."
            ],
        )
        s338 = "Proclamation of 20 Jul 2026 under Section 338 of the Tariff Act of 1930 on Canada"
        s338_note = (
            "The proclamations' own pages were not in the reference set; the URL is the White "
            "House archive of presidential actions of July 2026."
        )
        for list_id, name, what in (
            ("s338-canada-alcohol", "canada-338-alcohol.csv", "alcoholic beverages basket"),
            ("s338-canada-dairy", "canada-338-dairy.csv", "dairy basket"),
            ("s338-canada-autos", "canada-338-autos.csv", "motor vehicles basket"),
            (
                "s338-canada-aircraft-carve-out",
                "canada-338-aircraft-exempt.csv",
                "civil aircraft carve-out (all three)",
            ),
        ):
            self.simple(list_id, f"{s338}, {what}", URL_S338, [name], notes=[s338_note])
        self.countries_annex_i()
        self.countries_eo14326()
        self.write_sources()

    def write_sources(self) -> None:
        doc = {
            "description": (
                "Product and country lists of the US tariff measures of Feb 2025 - Aug 2026, "
                "as used by measures.yaml. Built by tools/build_us_tariffs.py."
            ),
            "upstream": {
                "repository": UPSTREAM_REPO,
                "snapshot": UPSTREAM_SNAPSHOT,
                "licence": "MIT (lists of US government annexes, public domain)",
                "note": "Only the lists were taken, none of that project's code or text.",
            },
            "instrument_pages": {
                "repository": WH_ARCHIVE_REPO,
                "note": "whitehouse.gov pages as archived; each input names its source_url.",
            },
            "files": [
                {
                    "output": o.path,
                    "list": o.list_id,
                    "kind": o.kind,
                    "instrument": o.instrument,
                    "url": o.url,
                    "rows": o.rows,
                    "sha256": o.sha256,
                    "inputs": o.inputs,
                    "notes": o.notes,
                }
                for o in sorted(self.outputs, key=lambda o: o.path)
            ],
        }
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        (self.out / "SOURCES.json").write_text(text, encoding="utf-8")


def _chapter_counts(codes: Iterable[str]) -> list[str]:
    counts: dict[str, int] = {}
    for c in codes:
        counts[c[:2]] = counts.get(c[:2], 0) + 1
    return [f"ch. {ch}: {n}" for ch, n in sorted(counts.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", type=Path, help="folder with us-tariff-lists/ and friends")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src/tradelever/data/us_tariffs",
    )
    args = parser.parse_args(argv)
    try:
        builder = Builder(args.samples, args.out)
        builder.run()
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for o in builder.outputs:
        print(f"{o.path}: {o.rows} rows")
    print(f"{args.out / 'SOURCES.json'}: {len(builder.outputs)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
