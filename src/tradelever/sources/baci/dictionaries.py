"""BACI country and product dictionaries of one release.

Both are read with the standard library (and numpy for the code lookup): an ingest needs
neither pandas nor the reference tables' DataFrames, which cost more to import than the
dictionaries take to read. The pandas ``table`` of a :class:`CountryDictionary` and the
DataFrame of :func:`read_product_codes` are built when asked for.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from tradelever import schema as f
from tradelever.errors import DataFileError
from tradelever.reference.coco_data import iso_numeric
from tradelever.sources.baci.release import (
    _HISTORICAL_RE,
    _ISO3_RE,
    _PRODUCT_CODE_RE,
    COUNTRY_CODE_DIGITS,
    MAX_DICTIONARY_BYTES,
    TAIWAN_CODE,
    TAIWAN_ISO3,
    BaciMember,
    repair_mojibake,
)

if TYPE_CHECKING:  # imported where used, so that an ingest starts hashing without it
    import pandas as pd

_COUNTRY_CODE_RE: Final = re.compile(r"^[0-9]+$")

# --------------------------------------------------------------------------------------
# Dictionaries


def _read_text(member: BaciMember) -> str:
    if member.size > MAX_DICTIONARY_BYTES:
        raise DataFileError(
            f"{member.size:,} bytes; a BACI dictionary is at most a few MB (limit "
            f"{MAX_DICTIONARY_BYTES >> 20} MiB): this is not the release's dictionary",
            path=member.display,
        )
    chunks, size = [], 0
    with member.open() as handle:
        while size <= MAX_DICTIONARY_BYTES and (chunk := handle.read(1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
    raw = b"".join(chunks)
    if size > MAX_DICTIONARY_BYTES:
        raise DataFileError(
            f"more than {MAX_DICTIONARY_BYTES >> 20} MiB; a BACI dictionary is at most a few MB",
            path=member.display,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _rows(member: BaciMember) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _read_text(member)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = next(reader, None)
        if not header:
            raise DataFileError("empty file", path=member.display, line=1)
        for row in reader:
            if row:
                rows.append((reader.line_num, row))
    except csv.Error as exc:  # e.g. a field of several MB ("field larger than field limit")
        raise DataFileError(
            f"malformed CSV ({exc})", path=member.display, line=reader.line_num
        ) from None
    return [h.strip() for h in header], rows


@dataclass(frozen=True)
class CountryDictionary:
    """A release's country dictionary, resolved to canonical codes.

    Attributes
    ----------
    columns
        The ``countries`` table as columns, rows ordered by ``baci_code``: ``baci_code``
        (int), ``iso3`` (the canonical code used in flows), ``name`` (repaired), ``note``
        (Taiwan, pseudo-code, historical entity, shared code...).
    lookup
        ``lookup[baci_code]`` is the index of the code's canonical ISO3 in ``codes``, or -1
        when the numeric code is not in the dictionary.
    codes
        The distinct canonical codes, in sorted order.
    source
        The dictionary's file name, for messages.
    """

    columns: dict[str, list[Any]]
    lookup: np.ndarray
    codes: tuple[str, ...]
    source: str = "country_codes"

    @cached_property
    def table(self) -> pd.DataFrame:
        """The ``countries`` table (columns ``baci_code``, ``iso3``, ``name``, ``note``)."""
        import pandas as pd

        return pd.DataFrame(self.columns)

    def shared(self) -> dict[str, list[int]]:
        """Canonical codes that several BACI codes map to (their flows are summed)."""
        groups: dict[str, list[int]] = {}
        for code, iso3 in zip(self.columns["baci_code"], self.columns["iso3"], strict=True):
            groups.setdefault(iso3, []).append(code)
        return {k: sorted(v) for k, v in sorted(groups.items()) if len(v) > 1}

    def primary(self) -> dict[str, int]:
        """For each shared canonical code, the BACI code that stands for it today.

        The code equal to the ISO 3166-1 numeric code of the ISO3 (276 for DEU, 56 for
        BEL, 729 for SDN, 710 for ZAF), else the lowest code; the others are the historical
        entities (280 Fed. Rep. of Germany until 1990, 58 Belgium-Luxembourg until 1998...).
        """
        numeric = iso_numeric()
        out = {}
        for iso3, codes in self.shared().items():
            iso_num = numeric.get(iso3, "")
            match = [c for c in codes if iso_num.isdigit() and c == int(iso_num)]
            out[iso3] = match[0] if match else min(codes)
        return out


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
    iso_known = iso_numeric().keys()
    records = []
    seen: dict[int, int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise DataFileError(
                f"expected {len(header)} columns, found {len(row)}", path=member.display, line=line
            )
        raw_code = row[0].strip()
        if not _COUNTRY_CODE_RE.match(raw_code):
            raise DataFileError(
                f"country code {_shown(raw_code)} is not a number",
                path=member.display,
                line=line,
                field="country_code",
            )
        if len(raw_code.lstrip("0")) > COUNTRY_CODE_DIGITS:  # checked before any allocation
            raise DataFileError(
                f"country code {_shown(raw_code)} has {len(raw_code.lstrip('0'))} digits; BACI "
                f"country codes have at most {COUNTRY_CODE_DIGITS} (ISO 3166-1 numeric style)",
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
    groups: dict[str, list[dict]] = {}
    for record in records:  # in file order, as the notes list them
        groups.setdefault(record["iso3"], []).append(record)
    for iso3, part in groups.items():
        if len(part) > 1:
            codes = ", ".join(str(r["baci_code"]) for r in part)
            for record in part:
                record["notes"].append(f"BACI codes {codes} share {iso3}: their flows are summed")
    records.sort(key=lambda r: r["baci_code"])
    columns: dict[str, list[Any]] = {
        "baci_code": [r["baci_code"] for r in records],
        "iso3": [r["iso3"] for r in records],
        "name": [r["name"] for r in records],
        "note": ["; ".join(r["notes"]) for r in records],
    }
    codes = tuple(sorted(set(columns["iso3"])))
    index = {c: n for n, c in enumerate(codes)}
    # Codes have at most COUNTRY_CODE_DIGITS digits (checked above): at most 1,000 entries.
    lookup = np.full(max(columns["baci_code"]) + 1, -1, dtype=np.int32)
    lookup[columns["baci_code"]] = [index[c] for c in columns["iso3"]]
    return CountryDictionary(columns=columns, lookup=lookup, codes=codes, source=member.name)


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
    import pandas as pd

    return pd.DataFrame(read_product_columns(member, classification))


def read_product_columns(member: BaciMember, classification: str) -> dict[str, list[str]]:
    """The ``products`` table of :func:`read_product_codes` as columns (no pandas).

    Raises
    ------
    DataFileError
        As :func:`read_product_codes`.
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
                f"product code {_shown(raw)} is not an HS 6-digit code",
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
    if not codes:
        raise DataFileError(
            "no product rows (header only): the dictionary is truncated; use the release's "
            "own product_codes file",
            path=member.display,
        )
    return {
        f.CLASSIFICATION: [classification] * len(codes),
        f.CODE: codes,
        f.DESCRIPTION: descriptions,
        f.PARENT: [c[:4] for c in codes],
        f.LEVEL: ["hs6"] * len(codes),
    }


def _shown(value: str, limit: int = 40) -> str:
    """``repr`` of a value, shortened for messages (a field may be megabytes long)."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"
