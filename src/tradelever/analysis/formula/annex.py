"""Annex I of Executive Order 14257 and its reproduction from the data.

:func:`annex_entries` reads the rates of Annex I (2 April 2025, as revised on 3 April and
enforced) shipped in ``data/reciprocal_rates_2025.csv``, one source per row; the European
Union is one entry. :func:`announced_rate` gives the rate of one partner.

The computation the US used. On the US Census 2024 goods balance in the vintage the rates
were set from (``census-us-trade``), :func:`annex_i_rate` is the computation that
reproduces the most listed rates: round (m - x) / m to a whole percent (halves up), halve,
round up, floor 10%. It matches 68 of the 71 partners of the revised Annex I; the misses
are Vietnam (45 against 46), Japan (23 against 24) and Afghanistan (25 against 10, one of
the partners listed at the 10% baseline). The Annex I first posted on 2 April followed the
ceiling of the unrounded half instead (``version="first"``): 56 of its 57 partners,
Switzerland the miss (31 against 32). :func:`annex_match_table` gives the comparison row
by row.

``tradelever formula-annex`` (:func:`formula_annex`) sets the computation, and the two
plain roundings of the formula rate (:func:`~tradelever.analysis.formula.rate.whole_percent`,
:func:`~tradelever.analysis.formula.rate.nearest_percent`), against every Annex I rate on
whatever data set is loaded: on ``census-us-trade`` (the default for partner USA) it
reports the 68 matches and the three misses with their gaps; on ``icio2022``
(intermediate goods, 2022) about one entry in nine matches, because the
intermediate-goods deficit is not the goods deficit.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import pandas as pd

from tradelever.analysis.balance import annual_balance, goods_codes, partner_trade_by_country
from tradelever.analysis.formula.rate import (
    ANNEX_PARTNER,
    FLOOR_RATE,
    check_amount,
    deficit_over_imports,
    formula_rate,
    nearest_percent,
    whole_percent,
)
from tradelever.analysis.request import DATASET_BY_QUESTION, YEAR, Request
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Analysis
from tradelever.reference.countries import EU_AGGREGATE, country_name

__all__ = [
    "ANNEX_COLUMNS",
    "ANNEX_MATCH_COLUMNS",
    "ANNEX_VERSIONS",
    "FORMULA_ANNEX",
    "AnnexEntry",
    "AnnexRate",
    "annex_entries",
    "annex_i_rate",
    "annex_match_table",
    "annex_reproduction",
    "announced_rate",
    "formula_annex",
]

#: ``revised``: Annex I as revised on 3 April 2025 and enforced (the rates of
#: ``data/reciprocal_rates_2025.csv``); ``first``: Annex I as first posted on 2 April 2025.
ANNEX_VERSIONS: Final = ("revised", "first")


@dataclass(frozen=True)
class AnnexEntry:
    """One row of Annex I: a partner (country or the European Union) and its rate."""

    code: str
    partner_name: str
    members: tuple[str, ...]
    rate: float
    source: str


@dataclass(frozen=True)
class AnnexRate:
    """A rate of Annex I of EO 14257 (2 April 2025) with its source."""

    iso3: str
    partner_name: str
    rate: float
    source: str


def _display_name(code: str) -> str:
    """The name shown for an Annex I entry: one naming source (reference.countries)."""
    return "European Union" if code == "EU27" else country_name(code)


@cache
def annex_entries() -> tuple[AnnexEntry, ...]:
    """The rows of Annex I as shipped in ``data/reciprocal_rates_2025.csv``.

    The European Union is one entry (code ``EU27``) whose members are the 27 member states.
    Names are tradelever's common short English names (Vietnam, Türkiye, South Korea), the
    spelling of the package's one naming source, not Annex I's.
    """
    from tradelever.reference.countries import group_members

    text = (
        resources.files("tradelever.data").joinpath("reciprocal_rates_2025.csv").read_text("utf-8")
    )
    out = []
    for row in csv.DictReader(text.splitlines()):
        code = row["iso3"]
        members = group_members(code) if code == "EU27" else (code,)
        rate = float(row["annex_i_rate_percent"]) / 100.0
        out.append(AnnexEntry(code, _display_name(code), tuple(members), rate, row["source"]))
    return tuple(out)


def _annex_table() -> dict[str, AnnexRate]:
    """ISO3 -> Annex I rate (EU members get the European Union's row)."""
    return {
        iso3: AnnexRate(iso3, e.partner_name, e.rate, e.source)
        for e in annex_entries()
        for iso3 in e.members
    }


def announced_rate(home: str, partner: str = ANNEX_PARTNER) -> AnnexRate | None:
    """The Annex I (2 April 2025) rate the US announced for ``home``, if listed.

    EU member states and the EU aggregate (``EU27``, ``EUU``) get the European Union's
    rate. ``None`` when ``partner`` is not the United States or ``home`` is not listed
    (Canada and Mexico were not in Annex I; unlisted partners paid the 10% baseline of
    EO 14257).
    """
    if partner != ANNEX_PARTNER:
        return None
    if home in ("EU27", EU_AGGREGATE):
        return next(
            AnnexRate("EU27", e.partner_name, e.rate, e.source)
            for e in annex_entries()
            if e.code == "EU27"
        )
    return _annex_table().get(home)


def _half_up(value: float) -> int:
    """Round to the nearest integer, halves up (47.5 -> 48); 1e-9 absorbs binary noise."""
    return math.floor(value + 0.5 + 1e-9)


def annex_i_rate(m: float, x: float, *, version: str = "revised") -> float:
    """The Annex I rate computed from US goods imports m and exports x, as the US did.

    Of the computations tried on the Census 2024 balance (``census-us-trade``; half the
    deficit over imports rounded up, to the nearest or down, rounded before or after
    halving, on full-precision or published US$ million figures), these reproduce the most
    Annex I rates (68 of the 71 listed partners in each version)::

        revised:  p    = round_half_up(100 (m - x) / m)       whole percent, the "tariffs
                                                              charged to the USA" of the
                                                              2 April chart
                  rate = max(10, ceil(p / 2)) / 100
        first:    rate = max(10, ceil(100 (m - x) / (2 m))) / 100

    When m <= x (no deficit) the rate is the 10% floor.

    Parameters
    ----------
    m, x
        US goods imports from and exports to the partner in one year (US dollars, Census
        basis: general imports, customs value; total exports, f.a.s.).
    version
        ``revised`` (3 April 2025, enforced) or ``first`` (as first posted on 2 April).

    Raises
    ------
    InputError
        If an amount is negative or not finite, or the version is unknown.
    """
    m = check_amount(m, "imports")
    x = check_amount(x, "exports")
    if version not in ANNEX_VERSIONS:
        raise InputError(
            f"{version!r} is not one of {', '.join(ANNEX_VERSIONS)}", parameter="version"
        )
    floor = round(100 * FLOOR_RATE)
    if m <= 0 or x >= m:
        return FLOOR_RATE
    ratio = 100.0 * (m - x) / m
    if version == "revised":
        percent = math.ceil(_half_up(ratio) / 2.0 - 1e-9)
    else:
        percent = math.ceil(ratio / 2.0 - 1e-9)
    return max(floor, percent) / 100.0


ANNEX_COLUMNS: Final = (
    "code",
    "partner_name",
    "members_covered",
    "partner_imports_from_home_usd",
    "partner_exports_to_home_usd",
    "deficit_over_imports",
    "formula_rate",
    "formula_rate_whole_percent",
    "formula_rate_nearest_percent",
    "announced_rate",
    "difference",
    "matches_rounded_up",
    "matches_nearest",
    "annex_method_rate",
    "annex_method_gap",
    "matches_annex_method",
)


def annex_reproduction(trade: pd.DataFrame, available: set[str]) -> tuple[pd.DataFrame, list]:
    """Compare the formula on ``trade`` with every Annex I rate whose partner is covered.

    Parameters
    ----------
    trade
        Output of :func:`partner_trade_by_country` (partner = USA), or the same columns
        from :func:`~tradelever.analysis.balance.annual_balance`.
    available
        Countries in the data set.

    Returns
    -------
    (pandas.DataFrame, list)
        Rows of :data:`ANNEX_COLUMNS` (``difference`` = rounded-up formula rate minus the
        announced rate; ``annex_method_rate`` = :func:`annex_i_rate`, the computation the
        US used, and ``annex_method_gap`` its difference from the announced rate) and the
        codes of Annex I entries with no member in the data set. The European Union is
        read from its aggregate ``EUU`` when ``trade`` has it (``members_covered`` 27),
        else summed over the member states present.
    """
    by_country = trade.set_index(trade["country"].astype(str))
    rows = []
    skipped = []
    for entry in annex_entries():
        members = [c for c in entry.members if c in available]
        aggregate = entry.code == "EU27" and EU_AGGREGATE in by_country.index
        if aggregate:
            members = [EU_AGGREGATE]
        if not members:
            skipped.append(entry.code)
            continue
        part = by_country.reindex(members).fillna(0.0)
        m = float(part["partner_imports_from_home_usd"].sum())
        x = float(part["partner_exports_to_home_usd"].sum())
        rate = formula_rate(m, x)
        up, near = whole_percent(rate), nearest_percent(rate)
        method = annex_i_rate(m, x) if m > 0 else float("nan")
        rows.append(
            {
                "code": entry.code,
                "partner_name": entry.partner_name,
                "members_covered": len(entry.members) if aggregate else len(members),
                "partner_imports_from_home_usd": m,
                "partner_exports_to_home_usd": x,
                "deficit_over_imports": deficit_over_imports(m, x),
                "formula_rate": rate,
                "formula_rate_whole_percent": up,
                "formula_rate_nearest_percent": near,
                "announced_rate": entry.rate,
                "difference": round(up - entry.rate, 6),
                "matches_rounded_up": math.isclose(up, entry.rate, abs_tol=1e-9),
                "matches_nearest": math.isclose(near, entry.rate, abs_tol=1e-9),
                "annex_method_rate": method,
                "annex_method_gap": round(method - entry.rate, 6),
                "matches_annex_method": math.isclose(method, entry.rate, abs_tol=1e-9),
            }
        )
    return pd.DataFrame(rows, columns=list(ANNEX_COLUMNS)), skipped


ANNEX_MATCH_COLUMNS: Final = (
    "partner",
    "partner_name",
    "m",
    "x",
    "deficit_over_imports",
    "computed",
    "announced",
    "match",
    "gap",
)


def annex_match_table(
    trade: pd.DataFrame,
    *,
    version: str = "revised",
    announced: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The Annex I computation for every listed partner the data cover, against the rate.

    Parameters
    ----------
    trade
        ``partner``, ``imports_usd`` (m) and ``exports_usd`` (x) per partner code for one
        year (:func:`annual_balance`). The European Union is read from its aggregate row
        ``EUU`` when present, else summed over the member states present.
    version
        Computation of :func:`annex_i_rate`.
    announced
        Annex code -> announced rate (fraction) to compare with; default the package's
        Annex I (the revised annex, :func:`annex_entries`). Pass the first-posted rates to
        check ``version="first"`` against them.

    Returns
    -------
    (pandas.DataFrame, list[str])
        Rows of :data:`ANNEX_MATCH_COLUMNS` in Annex I order (``partner`` is the data
        code: ``EUU`` for the European Union; ``m`` and ``x`` in US dollars; ``computed``
        and ``announced`` fractions; ``gap`` = computed - announced), and the Annex I codes
        with no data.
    """
    by_code = trade.set_index(trade["partner"].astype(str))
    rates = dict(announced) if announced is not None else {e.code: e.rate for e in annex_entries()}
    rows, missing = [], []
    for entry in annex_entries():
        if entry.code not in rates:
            continue
        if entry.code == "EU27" and "EUU" in by_code.index:
            codes = ["EUU"]
        else:
            codes = [c for c in entry.members if c in by_code.index]
        if not codes:
            missing.append(entry.code)
            continue
        m = float(by_code.loc[codes, "imports_usd"].sum())
        x = float(by_code.loc[codes, "exports_usd"].sum())
        computed = annex_i_rate(m, x, version=version)
        rate = float(rates[entry.code])
        rows.append(
            {
                "partner": "EUU" if entry.code == "EU27" else entry.code,
                "partner_name": entry.partner_name,
                "m": m,
                "x": x,
                "deficit_over_imports": deficit_over_imports(m, x),
                "computed": computed,
                "announced": rate,
                "match": math.isclose(computed, rate, abs_tol=1e-9),
                "gap": round(computed - rate, 6),
            }
        )
    return pd.DataFrame(rows, columns=list(ANNEX_MATCH_COLUMNS)), missing


# -- the analysis: options, orchestration, assumptions ---------------------------------------
FORMULA_ANNEX: Final = Analysis(
    name="formula_annex",
    command="formula-annex",
    summary="The reciprocal formula for every Annex I partner against the announced rate",
    options=(
        DATASET_BY_QUESTION.but(
            help="Data set name; default census-us-trade, the US goods balance by partner "
            "the rates were computed from (see `tradelever datasets`)."
        ),
        YEAR,
    ),
)


def _trade(request: Request, partner: str) -> tuple[pd.DataFrame, set[str], str]:
    """Trade per country in the year (m, x), the countries covered, and their source."""
    if request.view.has_table("balance"):
        year = annual_balance(request.view.table("balance").to_pandas(), request.year)
        trade = pd.DataFrame(
            {
                "country": year["partner"].astype(str),
                "partner_imports_from_home_usd": year["imports_usd"].astype(float),
                "partner_exports_to_home_usd": year["exports_usd"].astype(float),
            }
        )
        return (
            trade,
            set(trade["country"]),
            f"m and x from the data set's monthly balance, summed over the 12 months of "
            f"{request.year}; the European Union from the Census aggregate (EUU)",
        )
    goods = goods_codes(request.level)
    trade = partner_trade_by_country(request.coded, partner=partner, year=request.year, codes=goods)
    return trade, set(request.view.countries()), "m and x summed from the data set's flows"


def formula_annex(request: Request) -> TableResult:
    """The formula on a data set for every Annex I partner, against the announced rate.

    One row per Annex I entry with a member in the data set (the European Union as one
    entry); the summary says how many rates :func:`annex_i_rate` (the computation the US
    used) reproduces, which entries it misses and by how much, and how often the plain
    roundings of the formula rate match. See :func:`annex_reproduction`.
    """
    partner = str(request.partner)
    trade, available, source = _trade(request, partner)
    rows, skipped = annex_reproduction(trade, available)
    n = len(rows)
    misses = rows[~rows["matches_annex_method"].astype(bool)]
    summary: dict[str, Any] = {
        "entries": n,
        "listed": len(annex_entries()),
        "matched_annex_method": int(rows["matches_annex_method"].sum()) if n else 0,
        "missed_annex_method": [
            {
                "code": r.code,
                "partner_name": r.partner_name,
                "annex_method_rate": float(r.annex_method_rate),
                "announced_rate": float(r.announced_rate),
                "gap": float(r.annex_method_gap),
            }
            for r in misses.itertuples()
        ],
        "share_matching_rounded_up": float(rows["matches_rounded_up"].mean()) if n else None,
        "share_matching_nearest": float(rows["matches_nearest"].mean()) if n else None,
        "mean_absolute_difference": float(rows["difference"].abs().mean()) if n else None,
        "skipped": skipped,
    }
    assumptions = [
        *request.assumptions,
        source,
        "formula_rate = max(0.10, (m - x) / (2 m)) with m, x the US goods imports from and "
        "exports to the partner; difference = formula rate rounded up - announced",
        "annex_method_rate: the computation that reproduces the most Annex I rates from the "
        "Census 2024 balance: round 100 (m - x) / m to a whole percent (halves up), halve, "
        "round up, floor 10%; annex_method_gap = annex_method_rate - announced",
        "Annex I rates (revised 3 April 2025, as enforced) were computed by the US from 2024 "
        "US Census goods trade; a data set of another year, scope or valuation will not "
        "reproduce them",
    ]
    if goods_codes(request.level) is not None:
        assumptions.append(
            "icio2022: intermediate goods only (goods industries A01-B08, C10T12-C31T33), "
            "2022: the formula here measures the intermediate-goods deficit, which differs "
            "widely from the total goods deficit (final goods such as consumer electronics, "
            "clothing and cars are missing)"
        )
    if skipped:
        assumptions.append(
            f"not in data set {request.dataset}: " + ", ".join(skipped) + " (no row)"
        )
    return TableResult(
        kind="formula_annex",
        params={"partner": partner, **request.params()},
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=ANNEX_COLUMNS,
        summary=summary,
    )
