"""Countries, country groups and the validation of user-supplied country codes.

One naming source. Every name tradelever shows comes from :func:`country_name`: the
common short English name a negotiator expects (Vietnam, Türkiye, South Korea, Brunei,
Laos), coco's ``name_short`` with a few corrections (:data:`SHORT_NAMES`); the official
name is available as ``country_name(code, style="official")`` (Socialist Republic of
Vietnam, Republic of Türkiye). Names in data files (Annex I's "Viet Nam", Census partner
names) are never shown as they are.

Names and ISO codes come from ``country_converter`` (coco); its table is read here with
``keep_default_na=False`` because coco 1.3's own loader fails under pandas 3 (the ISO2
code of Namibia, "NA", is read as missing). Groups: ``ASEAN`` from the package data file
``country_groups.csv`` (with the date each member joined), ``EU27`` and ``G20`` from coco
(coco's G20 lists the 19 member countries plus the EU member states, because the EU is a
member in its own right).

The European Union as one economy. Data sets that report the EU-27 as one partner (the US
Census files, code 0003) store it under ``EUU``, the code the World Bank and UN Comtrade
use for the EU aggregate. ``EU``, ``EU27`` and ``EUU`` all resolve to it where one country
is expected and the data set has it; where a list of countries is expected (``--peers
EU27``), the group ``EU27`` still means its 27 member states, or ``EUU`` in a data set that
has only the aggregate.
"""

from __future__ import annotations

import csv
import difflib
import logging
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Final, Literal

import pandas as pd

from tradelever.errors import InputError, UnknownCountryError
from tradelever.reference.coco_data import data_path

__all__ = [
    "EU_AGGREGATE",
    "EU_ALIASES",
    "SHORT_NAMES",
    "country_name",
    "country_table",
    "group_members",
    "group_names",
    "possessive",
    "resolve_countries",
    "resolve_country",
]

log = logging.getLogger(__name__)

_ALTERNATIVE_CLASSIFICATIONS = ("ISO2", "IOC", "FIFA", "ISOnumeric", "regex")
_COCO_GROUPS = {"EU27": "EU27", "G20": "G20", "OECD": "OECD"}
# Economies named by ISO3-like codes that coco does not list (OECD ICIO, BACI pseudo-codes).
_EXTRA_NAMES = {
    "ROW": "Rest of the world",
    "TWN": "Taiwan",
    "EUU": "European Union (EU-27)",
}
#: Corrections to coco's short names: the names in common use in trade negotiations.
SHORT_NAMES: Final = {
    "BRN": "Brunei",
    "FSM": "Micronesia",
    "COG": "Republic of the Congo",
    "COD": "DR Congo",
    "VAT": "Holy See",
}
#: Code of the EU-27 as one economy, and the spellings that resolve to it.
EU_AGGREGATE = "EUU"
EU_ALIASES = frozenset({"EU", "EU27", "EU-27", "EUU"})
_EU_GROUP = "EU27"


@cache
def _country_data() -> pd.DataFrame:
    """The country table of country_converter (coco), read without importing coco."""
    return pd.read_csv(data_path(), sep="\t", dtype=str, keep_default_na=False, na_values=[""])


@cache
def _converter():  # type: ignore[no-untyped-def]
    """The converter of coco: codes of other classifications, to suggest what was meant."""
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter(country_data=_country_data())


@cache
def country_table() -> pd.DataFrame:
    """Return the canonical ``countries`` table.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``name``, ``iso_numeric`` (string, may be empty) and ``groups``
        (comma-separated group names, e.g. ``"ASEAN"``).
    """
    data = _country_data()
    table = pd.DataFrame(
        {
            "iso3": data["ISO3"].astype(str),
            "name": data["name_short"].astype(str),
            "iso_numeric": data["ISOnumeric"].fillna("").astype(str),
        }
    )
    table = table[table["iso3"].str.fullmatch(r"[A-Z]{3}")].drop_duplicates("iso3")
    membership: dict[str, list[str]] = {}
    for group in group_names():
        for iso3 in group_members(group):
            membership.setdefault(iso3, []).append(group)
    table["groups"] = table["iso3"].map(lambda c: ",".join(membership.get(c, [])))
    return table.sort_values("iso3").reset_index(drop=True)


@cache
def _names() -> dict[str, str]:
    data = _country_data()
    names = dict(zip(data["ISO3"].astype(str), data["name_short"].astype(str), strict=True))
    names.update(SHORT_NAMES)
    names.update(_EXTRA_NAMES)
    return names


@cache
def _official_names() -> dict[str, str]:
    data = _country_data()
    names = dict(zip(data["ISO3"].astype(str), data["name_official"].astype(str), strict=True))
    names.update({"EUU": "European Union", "TWN": "Taiwan", "ROW": "Rest of the world"})
    return names


def country_name(iso3: str, style: Literal["short", "official"] = "short") -> str:
    """Return the name of an ISO3 code (the code itself if unknown).

    ``short``: the common short English name (Vietnam, Türkiye, South Korea);
    ``official``: the official name (Socialist Republic of Vietnam).
    """
    if iso3 == _EU_GROUP:  # the group code, where a group stands for one economy
        return "European Union"
    if style == "official":
        return _official_names().get(iso3) or _names().get(iso3, iso3)
    return _names().get(iso3, iso3)


def possessive(name: str) -> str:
    """``name``'s, or ``name``' when it ends in s ("the United States' imports")."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


@cache
def _file_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    text = resources.files("tradelever.data").joinpath("country_groups.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        groups.setdefault(row["group"], []).append(row["iso3"])
    return {name: tuple(members) for name, members in groups.items()}


def group_names() -> list[str]:
    """Return the names of the country groups tradelever knows."""
    return sorted({*_file_groups(), *_COCO_GROUPS})


@cache
def group_members(group: str) -> tuple[str, ...]:
    """Return the ISO3 members of a group such as ``ASEAN``, ``EU27`` or ``G20``.

    Raises
    ------
    UnknownCountryError
        If the group is not known; the message lists the known groups.
    """
    key = group.strip().upper()
    if key in _file_groups():
        return _file_groups()[key]
    if key in _COCO_GROUPS:
        column = _COCO_GROUPS[key]
        data = _country_data()
        members = data.loc[data[column].notna() & (data[column] != ""), "ISO3"]
        return tuple(sorted(members.astype(str)))
    raise UnknownCountryError(f"{group}: unknown country group; known groups: {group_names()}")


def _suggest(code: str, candidates: Iterable[str]) -> list[str]:
    """Codes the user may have meant, best first."""
    candidates = list(candidates)
    found: list[str] = []
    cc = _converter()
    for src in _ALTERNATIVE_CLASSIFICATIONS:
        try:
            hit = cc.convert(code, src=src, to="ISO3", not_found=None)
        except Exception:  # coco raises assorted errors on odd input; a miss is a miss
            continue
        if isinstance(hit, str) and hit in candidates and hit not in found:
            found.append(hit)
    for hit in difflib.get_close_matches(code, candidates, n=3, cutoff=0.6):
        if hit not in found:
            found.append(hit)
    return found[:3]


def resolve_country(
    code: str, available: Sequence[str] | None = None, *, parameter: str | None = None
) -> str:
    """Validate a country code and return it as upper-case ISO3.

    Parameters
    ----------
    code
        An ISO3 code (case-insensitive), e.g. ``"mys"``.
    available
        The codes a data set covers; when given, a valid ISO3 code outside it is an error
        too (for example Timor-Leste in the 80-economy ICIO).
    parameter
        The parameter or field the code came from (Python spelling, e.g. ``"partner"``),
        carried by the error as ``exc.parameter``.

    Raises
    ------
    UnknownCountryError
        With close matches: ``"MAS: unknown country; did you mean MYS (Malaysia)?"``.
    """
    if not isinstance(code, str) or not code.strip():
        raise InputError("a country code is required (ISO3, e.g. MYS)", parameter=parameter)
    key = code.strip().upper()
    known = set(_names())
    pool = list(available) if available is not None else sorted(known)
    if key in pool:
        return key
    if key in EU_ALIASES:
        if EU_AGGREGATE in pool:
            return EU_AGGREGATE
        raise UnknownCountryError(
            f"{code}: this data set has no EU-27 aggregate ({EU_AGGREGATE}), only member "
            f"states; give one member (e.g. DEU) or, where a list of countries is accepted, "
            f"the group {_EU_GROUP}"
        )
    suggestions = _suggest(key, pool)
    hint = ""
    if suggestions:
        hint = "; did you mean " + " or ".join(f"{s} ({country_name(s)})" for s in suggestions)
        hint += "?"
    if key in known and available is not None:
        raise UnknownCountryError(
            f"{code}: {country_name(key)} is not covered by this data set "
            f"({len(pool)} economies){hint}",
            parameter=parameter,
        )
    raise UnknownCountryError(f"{code}: unknown country{hint}", parameter=parameter)


def resolve_countries(
    spec: str | Sequence[str], available: Sequence[str] | None = None, *, parameter: str = "peers"
) -> list[str]:
    """Resolve a group name or a comma-separated list of ISO3 codes.

    A group member absent from ``available`` is dropped silently only for groups (the
    ICIO has no Timor-Leste); an explicitly listed code must exist. The European Union:
    the group ``EU27`` gives its member states, or the aggregate ``EUU`` when ``available``
    has the aggregate and no member; ``EU`` or ``EUU`` give the aggregate, or the member
    states when ``available`` has members and no aggregate.
    """
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    items = [s for s in items if s]
    if not items:
        raise InputError("give a group name (e.g. ASEAN) or ISO3 codes", parameter=parameter)
    out: list[str] = []
    for item in items:
        key = item.upper()
        if key in EU_ALIASES:
            members = [m for m in group_members(_EU_GROUP) if available is None or m in available]
            has_aggregate = available is None or EU_AGGREGATE in available
            if key == _EU_GROUP and (members or not has_aggregate):
                out.extend(members)
            elif has_aggregate or not members:
                out.append(resolve_country(item, available, parameter=parameter))
            else:
                out.extend(members)
        elif key in group_names():
            members = list(group_members(item))
            out.extend(m for m in members if available is None or m in available)
        else:
            out.append(resolve_country(item, available, parameter=parameter))
    return list(dict.fromkeys(out))
