"""CEPII BACI bulk files: locate a release, read its dictionaries, stream its trade files.

A BACI release (``BACI_HS22_V202501.zip``) holds one CSV per year,
``BACI_HS22_Y2022_V202501.csv`` with header ``t,i,j,k,v,q``, a country dictionary
``country_codes_V202501.csv`` and a product dictionary ``product_codes_HS22_V202501.csv``
(see ``reference/data-formats.md``, section (a)). This module accepts the zip itself, an
extracted release folder, or one yearly CSV with the two dictionaries beside it.

Trade columns and their canonical counterparts:

======  ======================================  =============================================
``t``   year                                    ``year`` (must equal the year in the name)
``i``   exporter, BACI numeric country code     ``exporter`` (ISO3, from the dictionary)
``j``   importer, BACI numeric country code     ``importer`` (ISO3, from the dictionary)
``k``   HS 6-digit product of the file's HS     ``product`` (6 characters; ``10121`` is
        revision                                ``010121``)
``v``   value, thousands of current US dollars  ``value_usd`` = 1000 * v (US dollars, FOB)
``q``   quantity, metric tons (empty or ``NA``  ``quantity`` (tonnes, null when missing)
        when missing)
======  ======================================  =============================================

Country codes are mapped with the dictionary of the same release (numeric codes change
between releases: Italy is 381 in V202201 and 380 in V202501). Code 490, "Other Asia, nes"
(ISO3 ``S19`` or ``N/A``), is Taiwan and becomes ``TWN``. Other pseudo-codes (``R20``
Europe EFTA nes, ``ZA1`` SACU until 1999, ...) are kept as their own codes and labelled in
the ``countries`` table; a pseudo-code with no ISO3 in the dictionary becomes ``X`` plus
the numeric code (``X697``). Codes that share an ISO3 code (historical entities such as
``58 Belgium-Luxembourg (...1998)`` and their successors) are summed under that code.

Reading streams the CSV in blocks with ``pyarrow.csv.open_csv``: memory is bounded by the
block size whatever the file size. Each block is validated with vectorised checks; a row
that pyarrow cannot parse (wrong number of columns, a non-numeric value) is located by
re-reading the file from the start of the failing block line by line, so every error
names the file, the 1-based line number, the field and the value.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.errors import DataFileError

__all__ = [
    "ASSUMPTIONS",
    "CITATION",
    "LICENCE",
    "SOURCE",
    "TRADE_COLUMNS",
    "BaciMember",
    "BaciRelease",
    "CountryDictionary",
    "TradeFileReader",
    "file_sha256",
    "locate_release",
    "read_country_codes",
    "read_product_codes",
    "repair_mojibake",
]

SOURCE: Final = "CEPII BACI"
LICENCE: Final = "Etalab Open Licence 2.0"
CITATION: Final = (
    "Gaulier, G. and Zignago, S. (2010), BACI: International Trade Database at the "
    "Product-Level. The 1994-2007 Version, CEPII Working Paper No. 2010-23"
)
ASSUMPTIONS: Final = (
    "values FOB in current US dollars, reconciled mirror flows (CEPII BACI); stored as "
    "1000 * v, BACI's thousands of US dollars, rounded to 0.001 dollar",
    "quantities in metric tons as published by BACI; missing where BACI has none",
    "country codes mapped with the release's own dictionary; BACI 490 'Other Asia, nes' "
    "is Taiwan (TWN); BACI pseudo-codes (e.g. R20 Europe EFTA nes) kept as their own "
    "codes; codes sharing an ISO3 code (historical entities) are summed",
    "the last year of a BACI release is provisional and revised in the next release",
)
TRADE_COLUMNS: Final = ("t", "i", "j", "k", "v", "q")
TAIWAN_CODE: Final = 490
TAIWAN_ISO3: Final = "TWN"
BLOCK_SIZE: Final = 16 << 20  # bytes of CSV per pyarrow block (~500,000 BACI rows)

_VERSION = r"V\d{6}[a-z]?"
_TRADE_RE: Final = re.compile(rf"^BACI_(HS\d{{2}})_Y(\d{{4}})_({_VERSION})\.csv$")
_COUNTRY_RE: Final = re.compile(rf"^country_codes_({_VERSION})\.csv$")
_PRODUCT_RE: Final = re.compile(rf"^product_codes_(HS\d{{2}})_({_VERSION})(?:_\w+)?\.csv$")
_PRODUCT_CODE_RE: Final = re.compile(r"^(?:\d{5,6}|9999AA)$")  # 9999AA: HS92 files
_ISO3_RE: Final = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_HISTORICAL_RE: Final = re.compile(r"\(\.\.\.(\d{4})\)")
_MISSING_Q: Final = ("", "NA")
_EMPTY_LINE: Final = "expected 6 columns, found 0 (empty line)"
# Latin-1 text shown through Mac Roman (V202201: "CÙte d'Ivoire", "CuraÁao"): an upper-case
# accented letter between letters, where the original had a lower-case one.
_MAC_ROMAN_RE: Final = re.compile(r"[A-Za-z][\u00c0-\u00de][a-z]")


# --------------------------------------------------------------------------------------
# Text repair


def repair_mojibake(text: str) -> str:
    """Undo the mis-decoded accents found in real BACI dictionaries.

    Two cases are repaired, each only when the round trip succeeds:

    * UTF-8 bytes shown as Latin-1/Windows-1252 (V202501: ``CÃ´te d'Ivoire``):
      ``text.encode("latin-1").decode("utf-8")``;
    * Latin-1 bytes shown as Mac Roman (V202201: ``CÙte d'Ivoire``): an upper-case
      accented letter inside a lower-case word; ``text.encode("mac_roman")
      .decode("latin-1")``, kept only if every repaired letter is lower case.

    Parameters
    ----------
    text
        A name or description.

    Returns
    -------
    str
        The repaired text, or ``text`` unchanged.
    """
    if text.isascii():
        return text
    for encoding in ("latin-1", "cp1252"):
        try:
            fixed = text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
        if fixed != text:
            return fixed
    if _MAC_ROMAN_RE.search(text):
        try:
            fixed = text.encode("mac_roman").decode("latin-1")
        except UnicodeError:
            return text
        changed = [b for a, b in zip(text, fixed, strict=True) if a != b]
        if changed and all(c.islower() for c in changed) and not _MAC_ROMAN_RE.search(fixed):
            return fixed
    return text


# --------------------------------------------------------------------------------------
# Locating the files of a release


@dataclass(frozen=True)
class BaciMember:
    """One file of a release, on disk or inside a zip.

    Attributes
    ----------
    name
        Base name, e.g. ``BACI_HS22_Y2022_V202501.csv``.
    display
        Path used in messages (``release.zip/member.csv`` for zip members).
    size
        Size in bytes (uncompressed for zip members).
    path
        The file on disk, or the zip file.
    inner
        Member name inside the zip (None for files on disk).
    """

    name: str
    display: str
    size: int
    path: Path
    inner: str | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open the file for binary reading (decompressing a zip member as it is read)."""
        try:
            if self.inner is None:
                with self.path.open("rb") as handle:
                    yield handle
            else:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.inner) as handle:
                    yield handle
        except (OSError, zipfile.BadZipFile) as exc:
            raise DataFileError(f"cannot read: {exc}", path=self.display) from exc


@dataclass(frozen=True)
class BaciRelease:
    """The files of one BACI release (one HS revision, one version).

    Attributes
    ----------
    hs
        HS revision as written in the file names, e.g. ``HS22``.
    version
        Release, e.g. ``V202501``.
    trade
        Yearly trade files, by year.
    countries, products
        The release's dictionaries.
    sources
        Files on disk that make up the input (the zip, or the CSV files), for checksums.
    """

    hs: str
    version: str
    trade: dict[int, BaciMember]
    countries: BaciMember
    products: BaciMember
    sources: tuple[Path, ...]
    members: tuple[BaciMember, ...] = field(default=())

    @property
    def classification(self) -> str:
        """The classification of the product codes, e.g. ``HS22``."""
        return self.hs

    @property
    def years(self) -> list[int]:
        """Years with a trade file, ascending."""
        return sorted(self.trade)

    def default_name(self) -> str:
        """Data set name, e.g. ``baci-hs22-v202501`` (``-y2022`` added for one file)."""
        return f"baci-{self.hs.lower()}-{self.version.lower()}"


def _members_of_zip(path: Path) -> list[BaciMember]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"not a readable zip file: {exc}", path=str(path)) from exc
    out = []
    for info in infos:
        if info.filename.startswith("__MACOSX/"):
            continue
        base = info.filename.rsplit("/", 1)[-1]
        out.append(BaciMember(base, f"{path}/{info.filename}", info.file_size, path, info.filename))
    return out


def _members_of_folder(path: Path) -> list[BaciMember]:
    return [
        BaciMember(p.name, str(p), p.stat().st_size, p)
        for p in sorted(path.iterdir())
        if p.is_file()
    ]


def locate_release(path: str | Path) -> tuple[BaciRelease, str]:
    """Find the trade files and dictionaries of a BACI release.

    Parameters
    ----------
    path
        A release zip (``BACI_HS22_V202501.zip``), an extracted release folder, or one
        yearly CSV (``BACI_HS22_Y2022_V202501.csv``) with ``country_codes_V202501.csv``
        and ``product_codes_HS22_V202501.csv`` in the same folder.

    Returns
    -------
    tuple
        The release and its default data set name (``baci-hs22-v202501``; for one yearly
        CSV ``baci-hs22-v202501-y2022``, so that one year never replaces a whole release).

    Raises
    ------
    DataFileError
        If the path does not exist, holds no BACI trade file, mixes releases or HS
        revisions, or lacks the dictionaries of its release.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataFileError("no such file or folder", path=str(path))
    single: str | None = None
    if path.is_dir():
        members = _members_of_folder(path)
    elif zipfile.is_zipfile(path):
        members = _members_of_zip(path)
    elif _TRADE_RE.match(path.name):
        single = path.name
        members = _members_of_folder(path.parent)
    else:
        raise DataFileError(
            "expected a BACI release zip (BACI_HS22_V202501.zip), its extracted folder, or a "
            "yearly file named like BACI_HS22_Y2022_V202501.csv",
            path=str(path),
        )
    trade: dict[int, BaciMember] = {}
    revisions: set[tuple[str, str]] = set()
    for member in members:
        match = _TRADE_RE.match(member.name)
        if not match or (single is not None and member.name != single):
            continue
        hs, year, version = match.group(1), int(match.group(2)), match.group(3)
        revisions.add((hs, version))
        if year in trade:
            raise DataFileError(
                f"two trade files for year {year}: {trade[year].display} and {member.display}",
                path=str(path),
            )
        trade[year] = member
    if not trade:
        raise DataFileError(
            "no BACI trade file (BACI_HS??_Y????_V??????.csv) found", path=str(path)
        )
    if len(revisions) > 1:
        listed = ", ".join(f"{h} {v}" for h, v in sorted(revisions))
        raise DataFileError(
            f"files of several releases or HS revisions ({listed}); do not mix BACI versions: "
            "ingest each release separately",
            path=str(path),
        )
    hs, version = revisions.pop()
    countries = [m for m in members if (mt := _COUNTRY_RE.match(m.name)) and mt[1] == version]
    products = [
        m for m in members if (mt := _PRODUCT_RE.match(m.name)) and mt[1] == hs and mt[2] == version
    ]
    where = path if path.is_dir() or single is None else path.parent
    if not countries:
        raise DataFileError(
            f"country dictionary country_codes_{version}.csv of the same release not found "
            "(numeric country codes change between releases)",
            path=str(where),
        )
    if not products:
        raise DataFileError(
            f"product dictionary product_codes_{hs}_{version}.csv not found", path=str(where)
        )
    products.sort(key=lambda m: (len(m.name), m.name))  # the plain name before variants
    if path.is_file() and single is None:
        sources: tuple[Path, ...] = (path,)
    else:
        sources = tuple(m.path for m in (*trade.values(), countries[0], products[0]))
    release = BaciRelease(
        hs=hs,
        version=version,
        trade=dict(sorted(trade.items())),
        countries=countries[0],
        products=products[0],
        sources=sources,
        members=(*trade.values(), countries[0], products[0]),
    )
    name = release.default_name()
    if single is not None:
        name += f"-y{next(iter(trade))}"
    return release, name


def file_sha256(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, read in 4 MiB chunks (``progress`` gets the bytes of each chunk)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(4 << 20):
                digest.update(chunk)
                if progress is not None:
                    progress(len(chunk))
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc}", path=str(path)) from exc
    return digest.hexdigest()


# --------------------------------------------------------------------------------------
# Dictionaries


def _read_text(member: BaciMember) -> str:
    with member.open() as handle:
        raw = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _rows(member: BaciMember) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _read_text(member)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise DataFileError("empty file", path=member.display, line=1)
    rows = []
    for row in reader:
        if row:
            rows.append((reader.line_num, row))
    return [h.strip() for h in header], rows


@dataclass(frozen=True)
class CountryDictionary:
    """A release's country dictionary, resolved to canonical codes.

    Attributes
    ----------
    table
        The ``countries`` table: ``baci_code`` (int), ``iso3`` (the canonical code used in
        flows), ``name`` (repaired), ``note`` (Taiwan, pseudo-code, historical entity,
        shared code...).
    lookup
        ``lookup[baci_code]`` is the index of the code's canonical ISO3 in ``codes``, or -1
        when the numeric code is not in the dictionary.
    codes
        The distinct canonical codes, in sorted order.
    source
        The dictionary's file name, for messages.
    """

    table: pd.DataFrame
    lookup: np.ndarray
    codes: tuple[str, ...]
    source: str = "country_codes"

    def shared(self) -> dict[str, list[int]]:
        """Canonical codes that several BACI codes map to (their flows are summed)."""
        groups = self.table.groupby("iso3")["baci_code"].apply(list)
        return {k: sorted(v) for k, v in groups.items() if len(v) > 1}


_COUNTRY_HEADERS: Final = {
    # V202301 onwards
    ("country_code", "country_name", "country_iso2", "country_iso3"): ("country_name", None),
    # V202201 and earlier
    (
        "country_code",
        "country_name_abbreviation",
        "country_name_full",
        "iso_2digit_alpha",
        "iso_3digit_alpha",
    ): ("country_name_abbreviation", "country_name_full"),
}


def read_country_codes(member: BaciMember) -> CountryDictionary:
    """Read and resolve a BACI country dictionary (either header version).

    Raises
    ------
    DataFileError
        On an unknown header, a missing or non-numeric code, or a duplicated code; the
        message names the file, line and field.
    """
    from tradelever.reference.countries import country_table

    header, rows = _rows(member)
    spec = _COUNTRY_HEADERS.get(tuple(header))
    if spec is None:
        known = " or ".join(",".join(h) for h in _COUNTRY_HEADERS)
        raise DataFileError(
            f"unexpected header {','.join(header)!r}; expected {known}",
            path=member.display,
            line=1,
        )
    name_col, full_col = spec
    pos = {h: n for n, h in enumerate(header)}
    iso3_col = header[-1]
    iso_known = set(country_table()["iso3"])
    records = []
    seen: dict[int, int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise DataFileError(
                f"expected {len(header)} columns, found {len(row)}", path=member.display, line=line
            )
        raw_code = row[0].strip()
        if not raw_code.isdigit():
            raise DataFileError(
                f"country code {raw_code!r} is not a number",
                path=member.display,
                line=line,
                field="country_code",
            )
        code = int(raw_code)
        if code in seen:
            raise DataFileError(
                f"country code {code} already defined on line {seen[code]}",
                path=member.display,
                line=line,
                field="country_code",
            )
        seen[code] = line
        name = repair_mojibake(row[pos[name_col]].strip())
        full = repair_mojibake(row[pos[full_col]].strip()) if full_col else ""
        given = row[pos[iso3_col]].strip()
        notes = []
        if full and full != name:
            notes.append(f"full name: {full}")
        if code == TAIWAN_CODE and name.lower().startswith("other asia"):
            iso3 = TAIWAN_ISO3
            notes.insert(
                0, f"Taiwan: BACI {code} {name!r} (ISO3 in the dictionary: {given or 'empty'})"
            )
        elif _ISO3_RE.match(given):
            iso3 = given
            if iso3 not in iso_known:
                notes.append(f"BACI pseudo-code {iso3}, not an ISO 3166 country")
        else:
            iso3 = f"X{code}"
            notes.append(
                f"BACI pseudo-code: no ISO3 in the dictionary ({given or 'empty'}); "
                f"coded {iso3} by tradelever"
            )
        hist = _HISTORICAL_RE.search(name)
        if hist:
            notes.append(f"historical entity (until {hist.group(1)})")
        records.append({"baci_code": code, "iso3": iso3, "name": name, "notes": notes})
    if not records:
        raise DataFileError("no country rows", path=member.display)
    table = pd.DataFrame(records)
    for iso3, part in table.groupby("iso3"):
        if len(part) > 1:
            codes = ", ".join(str(c) for c in part["baci_code"])
            for idx in part.index:
                table.at[idx, "notes"] = [
                    *table.at[idx, "notes"],
                    f"BACI codes {codes} share {iso3}: their flows are summed",
                ]
    table["note"] = table["notes"].map("; ".join)
    table = table.drop(columns="notes").sort_values("baci_code").reset_index(drop=True)
    codes = tuple(sorted(table["iso3"].unique()))
    index = {c: n for n, c in enumerate(codes)}
    lookup = np.full(int(table["baci_code"].max()) + 1, -1, dtype=np.int32)
    lookup[table["baci_code"].to_numpy()] = table["iso3"].map(index).to_numpy()
    return CountryDictionary(table=table, lookup=lookup, codes=codes, source=member.name)


def read_product_codes(member: BaciMember, classification: str) -> pd.DataFrame:
    """Read a BACI product dictionary into the canonical ``products`` table.

    Codes written without their leading zero (``10121``) are padded to six characters.
    Extra columns (some copies carry a ``bec`` column) are ignored.

    Returns
    -------
    pandas.DataFrame
        ``classification``, ``code`` (6 characters), ``description``, ``parent`` (the
        HS 4-digit heading) and ``level`` (``hs6``).

    Raises
    ------
    DataFileError
        On a header without ``code`` and ``description``, a malformed code or a duplicate.
    """
    header, rows = _rows(member)
    if header[:2] != ["code", "description"]:
        raise DataFileError(
            f"unexpected header {','.join(header)!r}; expected code,description",
            path=member.display,
            line=1,
        )
    codes, descriptions = [], []
    seen: dict[str, int] = {}
    for line, row in rows:
        if len(row) < 2:
            raise DataFileError(
                f"expected at least 2 columns, found {len(row)}", path=member.display, line=line
            )
        raw = row[0].strip()
        if not _PRODUCT_CODE_RE.match(raw):
            raise DataFileError(
                f"product code {raw!r} is not an HS 6-digit code",
                path=member.display,
                line=line,
                field="code",
            )
        code = raw.zfill(6)
        if code in seen:
            raise DataFileError(
                f"product code {code} already defined on line {seen[code]}",
                path=member.display,
                line=line,
                field="code",
            )
        seen[code] = line
        codes.append(code)
        descriptions.append(repair_mojibake(row[1].strip()))
    return pd.DataFrame(
        {
            f.CLASSIFICATION: classification,
            f.CODE: codes,
            f.DESCRIPTION: descriptions,
            f.PARENT: [c[:4] for c in codes],
            f.LEVEL: "hs6",
        }
    )


# --------------------------------------------------------------------------------------
# Trade files


class _CountingReader(io.RawIOBase):
    """A read-only stream that counts the bytes read through it (for progress)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.bytes_read += len(data)
        return data


def flow_schema() -> Any:
    """Arrow schema of the canonical ``flows`` batches produced here.

    Low-cardinality text columns are dictionary-encoded in memory (the Parquet files are
    written without the Arrow schema, so readers see plain strings).
    """
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    return pa.schema(
        [
            (f.DATASET, text),
            (f.YEAR, pa.int16()),
            (f.EXPORTER, text),
            (f.IMPORTER, text),
            (f.PRODUCT, text),
            (f.CLASSIFICATION, text),
            (f.VALUE_USD, pa.float64()),
            (f.QUANTITY, pa.float64()),
        ]
    )


@dataclass
class _Fault:
    row: int  # 0-based row within the batch
    order: int  # column position, to break ties
    field: str
    message: str


class TradeFileReader:
    """Stream one yearly BACI trade file as validated canonical Arrow batches.

    Parameters
    ----------
    member
        The trade file.
    year
        The year in its name; every ``t`` must equal it.
    countries
        The release's country dictionary.
    dataset, classification
        Values of the constant ``dataset`` and ``classification`` columns.
    block_size
        Bytes of CSV parsed per block; memory use is a small multiple of it.

    Attributes
    ----------
    rows
        Rows read so far.
    bytes_read
        Bytes of CSV read so far (uncompressed).
    seen_codes
        ``seen_codes[c]`` is True when BACI country code c occurred as exporter or importer.
    unknown_products
        Product codes (6 characters) of well-formed rows absent from ``products``, with
        their count, when a product set is given.
    """

    def __init__(
        self,
        member: BaciMember,
        year: int,
        countries: CountryDictionary,
        *,
        dataset: str,
        classification: str,
        products: set[str] | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.member = member
        self.year = year
        self.countries = countries
        self.dataset = dataset
        self.classification = classification
        self.products = products
        self.block_size = block_size
        self.rows = 0
        self.bytes_read = 0
        self.seen_codes = np.zeros(len(countries.lookup), dtype=bool)
        self.unknown_products: dict[str, int] = {}
        self._pad: dict[str, str | None] = {}

    # -- header -----------------------------------------------------------------------
    def _check_header(self) -> None:
        with self.member.open() as handle:
            first = handle.readline(4096)
        text = first.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
        names = [c.strip().strip('"') for c in text.split(",")]
        if tuple(names) != TRADE_COLUMNS:
            raise DataFileError(
                f"unexpected header {text!r}; expected {','.join(TRADE_COLUMNS)}",
                path=self.member.display,
                line=1,
            )

    # -- streaming --------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        """Yield canonical ``pyarrow.RecordBatch`` objects (schema :func:`flow_schema`)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        self._check_header()
        read_options = pacsv.ReadOptions(
            column_names=list(TRADE_COLUMNS), skip_rows=1, block_size=self.block_size
        )
        parse_options = pacsv.ParseOptions(ignore_empty_lines=False)
        convert_options = pacsv.ConvertOptions(
            column_types={
                "t": pa.int16(),
                "i": pa.int32(),
                "j": pa.int32(),
                "k": pa.dictionary(pa.int32(), pa.string()),
                "v": pa.float64(),
                "q": pa.float64(),
            },
            null_values=list(_MISSING_Q),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        with self.member.open() as raw:
            counting = _CountingReader(raw)
            try:
                reader = pacsv.open_csv(
                    counting,
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
            except pa.ArrowInvalid as exc:
                self._diagnose(exc)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    self._diagnose(exc)
                self.bytes_read = counting.bytes_read
                out = self._convert(batch)
                self.rows += batch.num_rows
                yield out
            self.bytes_read = counting.bytes_read

    # -- validation and conversion ----------------------------------------------------
    def _fail(self, fault: _Fault) -> DataFileError:
        line = self.rows + fault.row + 2
        value: str | None = None
        raw = self._raw_line(line)
        if raw is not None:  # show the value exactly as written in the file
            fields = next(csv.reader([raw]), [])
            if fault.field in TRADE_COLUMNS and len(fields) == len(TRADE_COLUMNS):
                value = fields[TRADE_COLUMNS.index(fault.field)]
            elif fault.field not in TRADE_COLUMNS:
                value = raw
        return DataFileError(
            f"{fault.message} (value {value!r})",
            path=self.member.display,
            line=line,
            field=fault.field,
        )

    def _raw_line(self, line: int) -> str | None:
        """Text of one line of the file (error path only: reads up to that line)."""
        with self.member.open() as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    return raw.decode("utf-8", errors="replace").rstrip("\r\n")
        return None

    def _padded(self, raw: str) -> str | None:
        hit = self._pad.get(raw, "")
        if hit == "":
            hit = raw.zfill(6) if _PRODUCT_CODE_RE.match(raw) else None
            self._pad[raw] = hit
        return hit

    def _convert(self, batch: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        n = batch.num_rows
        faults: list[_Fault] = []

        def first(mask: np.ndarray, order: int, name: str, message: str) -> None:
            """Record the first row flagged by ``mask`` (the value is read back at failure)."""
            if mask.any():
                faults.append(_Fault(int(np.argmax(mask)), order, name, message))

        cols = {name: batch.column(name) for name in TRADE_COLUMNS}
        if cols["t"].null_count:
            empty = np.ones(n, dtype=bool)
            for name in ("t", "i", "j", "v", "q"):
                empty &= pc.is_null(cols[name]).to_numpy(zero_copy_only=False)
            empty &= pc.equal(pc.cast(cols["k"], pa.string()), "").to_numpy(zero_copy_only=False)
            first(empty, -1, "t,i,j,k,v,q", _EMPTY_LINE)
        for order, name in enumerate(("t", "i", "j", "k", "v")):
            if cols[name].null_count:
                mask = pc.is_null(cols[name]).to_numpy(zero_copy_only=False)
                first(mask, order, name, "missing value")
        if not faults:
            t = cols["t"].to_numpy()
            first(t != self.year, 0, "t", f"year does not match the file name ({self.year})")
            lookup = self.countries.lookup
            indices = {}
            for order, name, role in ((1, "i", "exporter"), (2, "j", "importer")):
                codes = cols[name].to_numpy()
                inside = (codes >= 0) & (codes < len(lookup))
                mapped = np.where(inside, lookup[np.clip(codes, 0, len(lookup) - 1)], -1)
                first(
                    mapped < 0,
                    order,
                    name,
                    f"{role} code is not in the release's country dictionary "
                    f"{self.countries.source}",
                )
                indices[name] = mapped
                if inside.all():
                    self.seen_codes[np.unique(codes)] = True
            k = cols["k"]
            if isinstance(k, pa.ChunkedArray):
                k = k.combine_chunks()
            values = k.dictionary.to_pylist()
            padded = [self._padded(v) for v in values]
            bad = np.array([p is None for p in padded], dtype=bool)
            k_idx = k.indices.to_numpy()
            if bad.any():
                first(bad[k_idx], 3, "k", "product code is not an HS 6-digit code")
            v = cols["v"].to_numpy()
            first(~np.isfinite(v), 4, "v", "value is not a finite number")
            first(v < 0, 4, "v", "value is negative")
            q = cols["q"]
            if q.null_count < n:
                qv = q.to_numpy(zero_copy_only=False)
                with np.errstate(invalid="ignore"):
                    first(np.isinf(qv), 5, "q", "quantity is not a finite number")
                    first(qv < 0, 5, "q", "quantity is negative")
        if faults:
            raise self._fail(min(faults, key=lambda x: (x.row, x.order)))
        if self.products is not None:
            counts = np.bincount(k_idx, minlength=len(padded))
            for p, count in zip(padded, counts, strict=True):
                if count and p not in self.products:
                    self.unknown_products[p] = self.unknown_products.get(p, 0) + int(count)
        text_codes = pa.array(self.countries.codes, pa.string())
        product = pa.DictionaryArray.from_arrays(k.indices, pa.array(padded, pa.string()))
        zeros = pa.array(np.zeros(n, dtype=np.int32))
        return pa.RecordBatch.from_arrays(
            [
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.dataset])),
                cols["t"],
                pa.DictionaryArray.from_arrays(pa.array(indices["i"]), text_codes),
                pa.DictionaryArray.from_arrays(pa.array(indices["j"]), text_codes),
                product,
                pa.DictionaryArray.from_arrays(zeros, pa.array([self.classification])),
                pa.array(np.round(v * 1000.0, 3)),
                cols["q"],
            ],
            schema=flow_schema(),
        )

    # -- locating rows pyarrow could not parse ----------------------------------------
    def _diagnose(self, exc: Exception) -> None:
        """Find the first bad line from the start of the failing block; always raises."""
        start = self.rows + 2
        lookup = self.countries.lookup
        with self.member.open() as handle:
            for line_no, raw in enumerate(handle, start=1):
                if line_no < start:
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise DataFileError(
                        f"not UTF-8 text ({err.reason} at byte {err.start})",
                        path=self.member.display,
                        line=line_no,
                    ) from None
                fault = _check_line(text.rstrip("\r\n"), self.year, lookup, self.countries.source)
                if fault is not None:
                    name, value, message = fault
                    raise DataFileError(
                        f"{message} (value {value!r})",
                        path=self.member.display,
                        line=line_no,
                        field=name,
                    ) from None
        raise DataFileError(
            f"cannot parse the file after line {start - 1}: {exc}", path=self.member.display
        ) from exc


_INT_RE: Final = re.compile(r"^[+-]?\d+$")
_FLOAT_RE: Final = re.compile(
    r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|nan)$", re.I
)


def _number(text: str, kind: type) -> Any:
    """Parse like pyarrow's CSV reader does (no ``_`` separators, no inner spaces)."""
    pattern = _INT_RE if kind is int else _FLOAT_RE
    return kind(text) if pattern.match(text) else None


def _check_line(
    text: str, year: int, lookup: np.ndarray, countries_name: str
) -> tuple[str, str, str] | None:
    """Validate one data line of a trade file; return (field, value, message) or None."""
    fields = next(csv.reader([text]), [])
    if not fields:
        return ("t,i,j,k,v,q", text, _EMPTY_LINE)
    if len(fields) != len(TRADE_COLUMNS):
        return ("t,i,j,k,v,q", text, f"expected 6 columns, found {len(fields)}")
    t, i, j, _, v, q = (x.strip() for x in fields)  # numbers may be padded, as for pyarrow
    k = fields[3]
    for name, value in (("t", t), ("i", i), ("j", j), ("k", k), ("v", v)):
        if value in _MISSING_Q:
            return (name, value, "missing value")
    ty = _number(t, int)
    if ty is None:
        return ("t", t, "year is not an integer")
    if ty != year:
        return ("t", t, f"year does not match the file name ({year})")
    for name, value, role in (("i", i, "exporter"), ("j", j, "importer")):
        code = _number(value, int)
        if code is None:
            return (name, value, f"{role} code is not an integer")
        if not 0 <= code < len(lookup) or lookup[code] < 0:
            return (
                name,
                value,
                f"{role} code is not in the release's country dictionary {countries_name}",
            )
    if not _PRODUCT_CODE_RE.match(k):
        return ("k", k, "product code is not an HS 6-digit code")
    number = _number(v, float)
    if number is None:
        return ("v", v, "value is not a number")
    if not np.isfinite(number):
        return ("v", v, "value is not a finite number")
    if number < 0:
        return ("v", v, "value is negative")
    if q not in _MISSING_Q:
        qn = _number(q, float)
        if qn is None:
            return ("q", q, "quantity is not a number")
        if np.isinf(qn):
            return ("q", q, "quantity is not a finite number")
        if qn < 0:
            return ("q", q, "quantity is negative")
    return None
