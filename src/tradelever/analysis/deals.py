"""What peers gave and got: the 2025-26 US deals measured, "first in line", and precedents.

The facts are the quoted deal files of :mod:`tradelever.sources.us_deals`; this module adds
the measures a negotiator compares across partners. For a deal d with partner p (rates as
fractions, amounts in US dollars):

``days_since_2025_04_02``
    ``deal_date(d) - 2 April 2025`` in days (EO 14257); the deal date is the announcement,
    else the signature, else the effective date (``deal_date_precision`` says when the texts
    give only a month or an upper bound).
``days_to_rate``
    ``dates.effective - 2 April 2025``: when the rate the deal sets or keeps took effect
    (Malaysia's 19% applied from 7 August 2025 under EO 14326, before its October agreement).
``rate_cut``
    ``annex_i_rate - rate_obtained`` (EO 14257 Annex I as revised on 3 April 2025, minus the
    rate announced in the deal), when both are additional to MFN; ``None`` when the rate
    obtained is an all-in ceiling (MFN included: not like for like), with ``rate_cut_note``.
``pledges_usd``
    Sum of the headline purchase and investment amounts stated as totals (whatever their
    period); ``pledges_usd_a_year`` the annualised headline amounts (stated per year, or a
    total over a stated number of years divided by it); ``pledges_unannualised_usd`` the
    totals with no period, left out of the annual figure.
``pledges_share_of_exports``
    ``pledges_usd / X(p -> US, 2024)``, ``X`` being US general imports from p in 2024
    (``census-us-trade``): a multiple of one year's exports, not an annual burden;
    ``pledges_a_year_share_of_exports`` uses the annualised pledges.
``pledges_share_of_gdp``
    The same over GDP proxied by the value added of p in the OECD ICIO 2022 (``icio2022``,
    GDP at basic prices, 2022, its 80 economies; the EU as the sum of its 27 members).
``effective_rate_*``
    The effective additional US tariff on p's goods, ``sum_k v_k a_k(t) / sum_k v_k`` over
    p's 2024 US imports by HS10 line (``census-us-2024``, the 50 largest suppliers and the
    EU), from the tariff schedule (:mod:`tradelever.analysis.tariffs`) on 9 April 2025 (the
    one day Annex I applied), on the day before the deal and on its effective date.

"First in line" (:func:`first_in_line`): the rate obtained against days since 2 April 2025
for every deal, with Spearman's rank correlation (ties averaged) and its caveats. Precedents
(:func:`precedent_rows`): for an offer type, one sourced sentence per deal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever.analysis.deal_facts import OFFERS, Offer, deal_facts, precedent_rows
from tradelever.analysis.deal_inputs import (
    ANNEX_I_DAY,
    EXPORTS_DATASET,
    EXPORTS_YEAR,
    GDP_DATASET,
    GDP_YEAR,
    RATES_DATASET,
    DealInputs,
    deal_inputs,
    rate_dates,
)
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError, UnknownCountryError
from tradelever.options import Analysis, Option
from tradelever.reference.countries import (
    EU_AGGREGATE,
    country_name,
    group_members,
    resolve_countries,
    resolve_country,
)
from tradelever.sources.us_deals import (
    LIBERATION_DAY,
    AmountFact,
    Deal,
    deal_date,
    deals_for_partner,
    load_deals,
    partner_name,
    rate_change,
)

__all__ = [
    "ANNEX_I_DAY",
    "DEAL",
    "DEALS",
    "DEAL_COLUMNS",
    "FIRST_IN_LINE",
    "FIRST_IN_LINE_COLUMNS",
    "OFFERS",
    "PRECEDENTS",
    "DealInputs",
    "Offer",
    "PledgeSums",
    "deal",
    "deal_facts",
    "deal_inputs",
    "deal_measures",
    "deals",
    "first_in_line",
    "first_in_line_table",
    "member_filter",
    "pledge_sums",
    "precedent_rows",
    "precedents",
    "rank_correlation",
]

#: The counterpart of every packaged deal.
COUNTERPART: Final = "USA"
_BN: Final = 1e9


DEAL_COLUMNS: Final = (
    "deal",
    "partner",
    "partner_name",
    "kind",
    "deal_date",
    "deal_date_is",
    "deal_date_precision",
    "days_since_2025_04_02",
    "rate_effective_from",
    "days_to_rate",
    "annex_i_rate",
    "eo_14326_rate",
    "rate_obtained",
    "rate_obtained_basis",
    "rate_cut",
    "rate_cut_note",
    "purchases_usd",
    "purchases_usd_a_year",
    "investment_usd",
    "investment_usd_a_year",
    "pledges_usd",
    "pledges_usd_a_year",
    "pledges_unannualised_usd",
    "exports_to_us_2024_usd",
    "pledges_share_of_exports",
    "pledges_a_year_share_of_exports",
    "gdp_usd",
    "pledges_share_of_gdp",
    "pledges_a_year_share_of_gdp",
    "effective_rate_2025_04_09",
    "effective_rate_before_deal",
    "effective_rate_after",
    "missing_facts",
    "notes",
)

FIRST_IN_LINE_COLUMNS: Final = (
    "partner",
    "partner_name",
    "deal",
    "deal_date",
    "deal_date_precision",
    "days_since_2025_04_02",
    "rate_obtained",
    "rate_obtained_basis",
    "rate_cut",
    "effective_rate_after",
    "is_home",
)

# -- options --------------------------------------------------------------------------------
_PARTNER = Option(
    "partner",
    str,
    COUNTERPART,
    "Counterpart of the deals (the packaged deals are the 2025-26 US deals: USA).",
    max_length=40,
    examples=("USA",),
)
_MEMBERS = Option(
    "members",
    str | None,
    None,
    "Only these deal partners: a group (ASEAN, EU27, G20) or ISO3 codes (VNM,MYS; EUU for the EU).",
    max_length=400,
    examples=("ASEAN", "VNM,MYS,THA"),
)

DEALS: Final = Analysis(
    name="deals",
    command="deals",
    summary="The 2025-26 US trade deals: rates, pledges and their size, effective tariffs",
    options=(_PARTNER, _MEMBERS),
)
DEAL: Final = Analysis(
    name="deal",
    command="deal",
    summary="Every quoted fact of one partner's US deal(s), with sources and measures",
    options=(
        Option(
            "partner",
            str,
            help="Deal partner: ISO3 code (EUU for the European Union).",
            argument=True,
            max_length=40,
            examples=("VNM",),
        ),
    ),
)
FIRST_IN_LINE: Final = Analysis(
    name="first_in_line",
    command="first-in-line",
    summary="Did moving early pay? Rate obtained against the date of each US deal",
    options=(
        _PARTNER,
        Option(
            "home",
            str | None,
            None,
            "Partner to highlight (ISO3, e.g. MYS).",
            max_length=40,
            examples=("MYS",),
        ),
    ),
)
PRECEDENTS: Final = Analysis(
    name="precedents",
    command="precedents",
    summary="Comparable precedents for an offer, one sourced sentence per deal",
    options=(
        Option(
            "offer",
            Offer,
            help="Offer type: tariff_elimination, purchases or investment.",
            argument=True,
            examples=("tariff_elimination",),
        ),
        _PARTNER,
        _MEMBERS,
    ),
)


# -- measures (pure) ------------------------------------------------------------------------
@dataclass(frozen=True)
class PledgeSums:
    """Headline amounts of a list of purchase or investment facts, in US dollars.

    ``total``: amounts stated as totals (for a period or none); ``stated_a_year``: amounts
    stated per year; ``a_year``: ``stated_a_year`` plus totals over a stated number of years
    divided by it; ``unannualised``: totals with no period (not in ``a_year``). ``None``
    where no headline amount of that kind exists.
    """

    total: float | None
    stated_a_year: float | None
    a_year: float | None
    unannualised: float | None


def _sum(values: Sequence[float]) -> float | None:
    return float(sum(values)) if values else None


def pledge_sums(facts: Iterable[AmountFact]) -> PledgeSums:
    """:class:`PledgeSums` of the headline amounts of ``facts`` (US$ bn converted to US$)."""
    heads = [f for f in facts if f.headline and f.amount is not None]
    totals = [f.amount.value * _BN for f in heads if f.amount and not f.per_year]
    per_year = [f.amount.value * _BN for f in heads if f.amount and f.per_year]
    spread = [
        f.amount.value * _BN / f.years for f in heads if f.amount and not f.per_year and f.years
    ]
    open_ended = [
        f.amount.value * _BN for f in heads if f.amount and not f.per_year and not f.years
    ]
    return PledgeSums(
        total=_sum(totals),
        stated_a_year=_sum(per_year),
        a_year=_sum(per_year + spread),
        unannualised=_sum(open_ended),
    )


def _add(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return float(sum(present)) if present else None


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or not den > 0:
        return None
    return num / den


def _pct(value: float | None) -> float | None:
    return None if value is None else value / 100.0


def deal_measures(deals_: Iterable[Deal], inputs: DealInputs) -> pd.DataFrame:
    """One row per deal and partner with the measures of the module docstring.

    Parameters
    ----------
    deals_
        Deals (:func:`~tradelever.sources.us_deals.load_deals`).
    inputs
        Exports, GDP and effective rates (:class:`DealInputs`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DEAL_COLUMNS`; rates as fractions, amounts in US dollars, ``notes`` a
        list of sentences per row.
    """
    rows = []
    for d in deals_:
        when = deal_date(d)
        when_is = next(
            (k for k in ("announced", "signed", "effective") if getattr(d.dates, k) is when), None
        )
        change = rate_change(d)
        effective = d.dates.effective.value if d.dates.effective else None
        buy = pledge_sums(d.commitments.purchases)
        inv = pledge_sums(d.commitments.investment)
        pledges = _add(buy.total, inv.total)
        pledges_year = _add(buy.a_year, inv.a_year)
        missing = d.missing_fields()
        for p in d.partners:
            notes: list[str] = []
            if when is not None and when.precision == "on_or_before":
                notes.append(
                    f"deal date known only as on or before {when.value}: days are an upper bound"
                )
            elif when is not None and when.precision == "month":
                notes.append(
                    f"deal date known to the month only ({when.value:%B %Y}): days count from "
                    "its first day"
                )
            if effective is not None and when is not None and effective < when.value:
                notes.append(
                    f"the rate took effect on {effective} ({(effective - LIBERATION_DAY).days} "
                    f"days), before the deal of {when.value}"
                )
            if change.cut_points is None:
                notes.append(f"rate cut: {change.note}")
            exports = inputs.exports_usd.get(p)
            gdp = inputs.gdp_usd.get(p)
            if exports is None and inputs.exports_usd:
                notes.append(f"no {EXPORTS_YEAR} US imports from {p} in {EXPORTS_DATASET}")
            if gdp is None and inputs.gdp_usd:
                notes.append(f"no GDP proxy: {p} is not among the 80 economies of {GDP_DATASET}")
            if buy.unannualised or inv.unannualised:
                notes.append(
                    "pledges without a stated number of years "
                    f"(US${_add(buy.unannualised, inv.unannualised) / _BN:,.1f} bn) are in the "  # type: ignore[operator]
                    "total but not in the annual figure"
                )
            for name in ("commitments.purchases", "commitments.investment"):
                if name in missing:
                    notes.append(f"{name.split('.')[1]}: not in the texts")
            rates: dict[str, float | None] = {}
            for column, day in rate_dates(d).items():
                rates[column] = inputs.rates.get((p, day)) if day is not None else None
            if inputs.rate_exporters and p not in inputs.rate_exporters:
                notes.append(
                    f"effective rates: {p} is not among the suppliers of {RATES_DATASET} "
                    "(the 50 largest and the EU)"
                )
            elif effective is None and inputs.rate_exporters:
                notes.append("effective rate after: the effective date is not in the texts")
            rows.append(
                {
                    "deal": d.id,
                    "partner": p,
                    "partner_name": partner_name(p),
                    "kind": d.kind,
                    "deal_date": when.value if when else None,
                    "deal_date_is": when_is,
                    "deal_date_precision": when.precision if when else None,
                    "days_since_2025_04_02": (when.value - LIBERATION_DAY).days if when else None,
                    "rate_effective_from": effective,
                    "days_to_rate": (effective - LIBERATION_DAY).days if effective else None,
                    "annex_i_rate": _pct(change.before),
                    "eo_14326_rate": _pct(d.rates.eo_14326.value if d.rates.eo_14326 else None),
                    "rate_obtained": _pct(change.after),
                    "rate_obtained_basis": change.after_basis,
                    "rate_cut": _pct(change.cut_points),
                    "rate_cut_note": change.note,
                    "purchases_usd": buy.total,
                    "purchases_usd_a_year": buy.stated_a_year,
                    "investment_usd": inv.total,
                    "investment_usd_a_year": inv.stated_a_year,
                    "pledges_usd": pledges,
                    "pledges_usd_a_year": pledges_year,
                    "pledges_unannualised_usd": _add(buy.unannualised, inv.unannualised),
                    "exports_to_us_2024_usd": exports,
                    "pledges_share_of_exports": _ratio(pledges, exports),
                    "pledges_a_year_share_of_exports": _ratio(pledges_year, exports),
                    "gdp_usd": gdp,
                    "pledges_share_of_gdp": _ratio(pledges, gdp),
                    "pledges_a_year_share_of_gdp": _ratio(pledges_year, gdp),
                    **rates,
                    "missing_facts": len(missing),
                    "notes": notes,
                }
            )
    return pd.DataFrame(rows, columns=list(DEAL_COLUMNS), dtype=object)


def member_filter(members: str | None) -> set[str] | None:
    """The partner codes ``members`` selects (a group or ISO3 codes), ``None`` for all.

    ``EU27`` gives its member states and ``EU``/``EUU`` the aggregate; the EU deal
    (partner ``EUU``) is selected by either.

    Raises
    ------
    UnknownCountryError
        An unknown code or group (parameter ``members``).
    """
    if members is None:
        return None
    try:
        return set(resolve_countries(members, None, parameter="members"))
    except UnknownCountryError as exc:
        raise UnknownCountryError(str(exc), parameter="members") from None


def _selected(partner: str, wanted: set[str] | None) -> bool:
    if wanted is None or partner in wanted:
        return True
    return partner == EU_AGGREGATE and bool(wanted & set(group_members("EU27")))


def _check_counterpart(partner: str) -> str:
    code = resolve_country(partner, parameter="partner")
    if code != COUNTERPART:
        raise InputError(
            f"{code}: the packaged deals are the 2025-26 deals of the United States (USA); "
            "no deals of other counterparts are recorded",
            parameter="partner",
        )
    return code


# -- rank correlation -------------------------------------------------------------------------
def rank_correlation(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, float | None]:
    """Spearman's rank correlation of ``x`` and ``y`` and its two-sided p-value.

    ``rho = Pearson correlation of the ranks`` (ties get their average rank); the p-value is
    the t approximation with ``n - 2`` degrees of freedom (``scipy.stats.spearmanr``), rough
    for small ``n``. ``(None, None)`` with fewer than 3 pairs or a constant series.
    """
    from scipy import stats

    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None, None
    result = stats.spearmanr(a, b)
    rho, p = float(result.statistic), float(result.pvalue)
    return (rho if math.isfinite(rho) else None), (p if math.isfinite(p) else None)


def first_in_line_table(measures: pd.DataFrame, home: str | None = None) -> pd.DataFrame:
    """Columns :data:`FIRST_IN_LINE_COLUMNS` of :func:`deal_measures` rows, by deal date."""
    out = measures.copy()
    out["is_home"] = out["partner"] == home if home else False
    out = out.sort_values(["deal_date", "partner"], kind="stable", na_position="last")
    return out[list(FIRST_IN_LINE_COLUMNS)].reset_index(drop=True)


def _statistic(table: pd.DataFrame, column: str, sample: str, keep: pd.Series) -> dict[str, Any]:
    part = table[keep & table[column].notna() & table["days_since_2025_04_02"].notna()]
    rho, p = rank_correlation(
        part["days_since_2025_04_02"].astype(float).tolist(), part[column].astype(float).tolist()
    )
    return {
        "x": "days_since_2025_04_02",
        "y": column,
        "sample": sample,
        "n": len(part),
        "spearman_rho": rho,
        "p_value": p,
    }


# -- orchestration ----------------------------------------------------------------------------
def _provenance(inputs: DealInputs) -> dict[str, Any]:
    return {
        "deals": {
            "name": "us-deals",
            "source": "White House fact sheets, joint statements, agreements and executive "
            "orders, 2025-26 (whitehouse.gov), quoted verbatim in the package's deal files",
        },
        **{k: dict(v) for k, v in inputs.provenance.items()},
    }


def _assumptions(inputs: DealInputs) -> list[str]:
    out = [
        "Days count from 2 April 2025 (EO 14257) to the deal date: the announcement, else "
        "the signature, else the effective date; 'days_to_rate' counts to the date the rate "
        "took effect (dates.effective).",
        "rate_cut = Annex I rate of EO 14257 (as revised on 3 April 2025) - rate obtained, "
        "in percentage points, only when both are additional to MFN; an all-in ceiling "
        "(EU, Japan, Korea, Switzerland: 15% including MFN) is not comparable and has none.",
        "Pledges: headline purchase and investment amounts of the texts (a restatement of "
        "the same pledge is not counted twice); totals are whatever their period, the "
        "annual figure adds amounts stated per year and totals over a stated number of "
        "years divided by it. Pledges are statements of intent or commercial deals noted by "
        "governments, not appropriations.",
        f"Exports to the US: US general imports from the partner in {EXPORTS_YEAR} "
        f"({EXPORTS_DATASET}, customs value, as first published in February 2025); a pledge "
        "share above 1 means more than one year's exports.",
        f"GDP: value added of the partner in the OECD ICIO {GDP_YEAR} ({GDP_DATASET}, GDP at "
        f"basic prices, {GDP_YEAR}; the EU as the sum of its 27 members); a {GDP_YEAR} "
        f"denominator against {EXPORTS_YEAR}-26 pledges, not the same year.",
        "Effective rates: the additional US duty of the measures in force on the date "
        f"(tariff schedule) over the partner's {EXPORTS_YEAR} US imports by HS10 line "
        f"({RATES_DATASET}); weights are {EXPORTS_YEAR} values, with no trade response; on "
        "9 April 2025 (the one day Annex I applied), the day before the deal and the "
        "deal's effective date.",
    ]
    return out + list(inputs.notes)


def deals(
    inputs: DealInputs, *, partner: str = COUNTERPART, members: str | None = None
) -> TableResult:
    """The deals with their derived measures (:func:`deal_measures`), by deal date.

    Raises
    ------
    InputError, UnknownCountryError
        A counterpart other than the USA, or an unknown member code or group.
    """
    DEALS.check(partner=partner, members=members)
    counterpart = _check_counterpart(partner)
    wanted = member_filter(members)
    chosen = [d for d in load_deals() if any(_selected(p, wanted) for p in d.partners)]
    rows = deal_measures(chosen, inputs)
    if wanted is not None:
        rows = rows[[_selected(p, wanted) for p in rows["partner"]]].reset_index(drop=True)
    if wanted is not None and rows.empty:
        raise InputError(f"no US deal with {members} among the packaged texts", parameter="members")
    summary = {
        "deals": int(rows["deal"].nunique()) if len(rows) else 0,
        "partners": int(rows["partner"].nunique()) if len(rows) else 0,
        "exports_year": EXPORTS_YEAR,
        "gdp_year": GDP_YEAR,
    }
    return TableResult(
        kind="deals",
        params={"partner": counterpart, "members": members},
        rows=rows,
        provenance=_provenance(inputs),
        assumptions=_assumptions(inputs),
        columns=DEAL_COLUMNS,
        summary=summary,
    )


def deal(inputs: DealInputs, partner: str) -> TableResult:
    """Every quoted fact of one partner's deal(s), and the deals' measures.

    ``rows``: :func:`deal_facts` of each deal; ``summary["deals"]``: each deal in full (the
    schema's fields without the text anchors) with its ``measures``.

    Raises
    ------
    UnknownCountryError
        An unknown code (parameter ``partner``).
    InputError
        A known country without a packaged US deal.
    """
    DEAL.check(partner=partner)
    found = deals_for_partner(partner)
    key = partner.strip().upper()
    if not found:
        with_deals = sorted({p for d in load_deals() for p in d.partners})
        raise InputError(
            f"{key}: no US deal with {country_name(key)} among the packaged texts; partners "
            f"with deals: {', '.join(with_deals)}",
            parameter="partner",
        )
    code = found[0].partners[0] if key not in found[0].partners else key
    measures = deal_measures(found, inputs)
    measures = measures[measures["partner"] == code].reset_index(drop=True)
    full = []
    for d, (_, m) in zip(found, measures.iterrows(), strict=True):
        record = d.model_dump(mode="json", exclude={"texts"})
        record["measures"] = {k: m[k] for k in DEAL_COLUMNS}
        full.append(record)
    facts = pd.concat([deal_facts(d) for d in found], ignore_index=True)
    return TableResult(
        kind="deal",
        params={"partner": code, "partner_name": partner_name(code)},
        rows=facts,
        provenance=_provenance(inputs),
        assumptions=_assumptions(inputs),
        summary={"deals": full},
    )


def first_in_line(
    inputs: DealInputs, *, partner: str = COUNTERPART, home: str | None = None
) -> TableResult:
    """Rate obtained against days since 2 April 2025 for every deal, with a rank correlation.

    ``summary["statistics"]``: Spearman's rho of days against the rate obtained (all deals
    with a stated rate; without China, whose two arrangements are truces of a tariff
    escalation rather than reciprocal deals) and against the effective rate after the
    deal, each with ``n`` and the t-approximation p-value.
    """
    FIRST_IN_LINE.check(partner=partner, home=home)
    counterpart = _check_counterpart(partner)
    home_code = None
    if home is not None:
        home_code = home.strip().upper()
        if home_code not in ("EU", "EU27", EU_AGGREGATE):
            home_code = resolve_country(home, parameter="home")
        else:
            home_code = EU_AGGREGATE
    measures = deal_measures(load_deals(), inputs)
    table = first_in_line_table(measures, home_code)
    everyone = pd.Series(True, index=table.index)
    stats = [
        _statistic(table, "rate_obtained", "deals with a stated rate", everyone),
        _statistic(
            table,
            "rate_obtained",
            "deals with a stated rate, China excluded",
            table["partner"] != "CHN",
        ),
        _statistic(table, "effective_rate_after", "deals with an effective date", everyone),
    ]
    assumptions = [
        "rate_obtained: the US rate announced in each deal, percent of value; additional to "
        "MFN except the all-in ceilings (EU, Japan, Korea, Switzerland, Liechtenstein: 15% "
        "including MFN), which are lower than the same additional rate: read them apart.",
        "Spearman's rank correlation of days since 2 April 2025 with the rate obtained (ties "
        "averaged; p-value from the t approximation, rough at this n). A positive rho means "
        "later deals got higher rates, a negative one that later deals got lower rates.",
        "Not causal: the rate followed each partner's deficit with the US (the Annex I "
        "formula), its size, what it offered and its security ties; which partners moved "
        "early is itself a choice that depends on those. Deal dates known only to the month "
        "or as an upper bound (Korea, Viet Nam, the Philippines, Taiwan) are approximate, and "
        "deals with no stated rate are left out.",
        *_assumptions(inputs)[5:],
    ]
    summary = {"statistics": stats, "home": home_code}
    if home_code is not None and home_code not in set(table["partner"]):
        assumptions.append(f"{home_code} has no packaged US deal: nothing to highlight.")
    return TableResult(
        kind="first_in_line",
        params={"partner": counterpart, "home": home_code},
        rows=table,
        provenance=_provenance(inputs),
        assumptions=assumptions,
        columns=FIRST_IN_LINE_COLUMNS,
        summary=summary,
    )


def precedents(
    offer: str, *, partner: str = COUNTERPART, members: str | None = None
) -> TableResult:
    """Comparable precedents for an offer type as sourced one-liners (:func:`precedent_rows`)."""
    PRECEDENTS.check(offer=offer, partner=partner, members=members)
    counterpart = _check_counterpart(partner)
    wanted = member_filter(members)
    chosen = [d for d in load_deals() if any(_selected(p, wanted) for p in d.partners)]
    rows = precedent_rows(offer, chosen)
    if wanted is not None:
        rows = rows[[_selected(p, wanted) for p in rows["partner"]]].reset_index(drop=True)
    return TableResult(
        kind="precedents",
        params={"offer": offer, "partner": counterpart, "members": members},
        rows=rows,
        provenance=_provenance(DealInputs()),
        assumptions=[
            "One sentence per deal: for tariff elimination the fact stating a coverage share "
            "(else the first listed); for purchases and investment the largest headline "
            "amount. The rate is the US rate announced in the deal.",
            "commitment says how firm the text is: obligation (a signed agreement), commitment, "
            "intention, commercial deal noted, or a statement in a fact sheet only.",
        ],
        summary={"deals": len(rows)},
    )
