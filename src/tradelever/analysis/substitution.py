"""Rival substitution: where the partner depends on the rival and home could replace it.

Notation (DESIGN.md): V(i, j, k) flows in US dollars; e = home, p = partner, r = rival;
M(j, k) imports, X(i, k) exports, W(k) world trade, X(i) = sum over k of X(i, k),
W = sum over k of W(k).

For every code k, from :func:`tradelever.analysis.bilateral.code_aggregates`:

=======================================  ==============================================
``rival_share_of_partner_imports``       V(r, p, k) / M(p, k): the partner's dependence
``home_world_export_share``              X(e, k) / W(k)
``home_rca``                             Balassa RCA (X(e, k) / X(e)) / (W(k) / W)
``home_exports_to_rest_of_world_usd``    X(e, k) - V(e, p, k): home's proven supply to
                                         other buyers
``redirectable_share``                   a, the share of it home could redirect to the
                                         partner (default 0.25)
``home_redirectable_usd``                a · (X(e, k) - V(e, p, k))
``plausible_supply_usd``                 min(V(r, p, k), a · (X(e, k) - V(e, p, k)))
=======================================  ==============================================

A code is kept when the partner buys from the rival (rival share above
``min_rival_share``), home exports it (X(e, k) > 0) and home is a credible supplier: Balassa
RCA above ``min_rca`` (default 1: revealed comparative advantage) and world export share
at least ``min_world_share`` (default 0). Rows are ranked by ``plausible_supply_usd``.

The bound on an offer. Home cannot replace more than the rival sells the partner, nor more
than it could redirect without new capacity: a share a of its exports of the product to
buyers other than the partner. So an offer never exceeds home's total exports of the
product (a <= 1), and offers summed over distinct products never exceed home's exports
(each is at most a · X(e, k) and the X(e, k) add up to at most X(e)). Redirecting a sale
means giving up a buyer elsewhere, under contracts, certifications and logistics built for
that market; the evidence on the 2018-19 US-China tariffs is that the average country's
gains in the US in the targeted products came with higher, not lower, exports of them to
the rest of the world
(Fajgelbaum, Goldberg, Kennedy, Khandelwal and Taglioni, "The US-China Trade War and
Global Reallocations", American Economic Review: Insights, 2024; NBER Working Paper
29562), i.e. from expansion rather than redirection. No published estimate gives the share
of existing exports that can be redirected to one buyer in the short run, so a = 25% is a
conservative convention, not an estimate: a quarter of proven supply. Set a = 1 for the
upper bound "every export to anyone else moves to the partner" (the earlier rule, which
offered Malaysia's whole C26 exports to other buyers). The figure ignores domestic sales
that could also be redirected and capacity expansion (both would raise it) and the loss
of the markets the exports are taken from (which would lower the net gain): a ranking
scale, not a forecast.

One reporter. A data set of the partner's imports only (``census-us-2024``) holds V(r, p, k),
V(e, p, k) and M(p, k) but not home's exports to anyone else, so neither the Balassa RCA nor
home's redirectable exports can be computed. There, as a trade economist would with
customs data of one importer:

- home is a *credible supplier* of k when it already sells k to the partner and does so
  with a revealed advantage in that market: its share of the partner's imports of k exceeds
  its share of the partner's total imports (the Balassa index computed within one
  destination market, ``home_market_rca`` = (V(e, p, k) / V(e, p)) / (M(p, k) / M(p)) >
  ``min_rca``). Products home makes but does not yet sell to the partner are missed;
- the *bounded offer* is ``min(V(r, p, k), a · V(e, p, k))``: home could raise its sales
  of k to the partner by a share a of what it already ships there (its proven supply to that
  buyer, the only supply the data show). Since V(e, p, k) <= X(e, k), an offer never exceeds
  home's exports of the product, and offers over distinct products never exceed home's
  exports to the partner times a, hence its exports;
- ``min_world_share`` needs world exports and is refused above 0.

``home_market_rca`` is reported on every data set (it needs only the partner's imports).

Group level. With overlapping groups (semiconductors are also electrical and electronic
products), RCA needs home's and the world's exports over all products, each counted once:
pass ``totals`` (:func:`tradelever.analysis.groups.group_aggregates`). Never add offers
across overlapping groups; use :func:`tradelever.analysis.groups.group_total`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tradelever.analysis import indicators as ind
from tradelever.analysis.groups import group_total
from tradelever.analysis.level_aggregates import level_aggregates
from tradelever.analysis.reporters import check_partner_reported
from tradelever.analysis.request import (
    DATASET_BY_QUESTION,
    HOME,
    LEVEL,
    PARTNER,
    RIVAL,
    YEAR,
    Request,
    industry_note,
)
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import REQUIRED, Analysis, Option

__all__ = [
    "DEFAULT_REDIRECTABLE_SHARE",
    "OFFER_RULE",
    "SUBSTITUTES",
    "SUBSTITUTION_COLUMNS",
    "offer_rule",
    "substitutes",
    "substitution_table",
]

DEFAULT_REDIRECTABLE_SHARE = 0.25
"""Share of home's exports of a product to other buyers it could redirect (module docstring)."""

OFFER_RULE = (
    "plausible_supply_usd = min(rival's sales to the partner, redirectable_share x home's "
    "exports of the code to buyers other than the partner): what home could supply in place "
    "of the rival without new capacity"
)

SUBSTITUTION_COLUMNS = (
    "code",
    "description",
    "partner_imports_usd",
    "rival_exports_to_partner_usd",
    "rival_share_of_partner_imports",
    "home_exports_to_partner_usd",
    "home_share_of_partner_imports",
    "home_exports_usd",
    "home_world_export_share",
    "home_rca",
    "home_market_rca",
    "home_exports_to_rest_of_world_usd",
    "redirectable_share",
    "home_redirectable_usd",
    "plausible_supply_usd",
    "plausible_share_of_rival_sales",
    "plausible_share_of_home_exports",
)


ONE_REPORTER_RULE = (
    "one reporter: home's exports to buyers other than the partner are not in the data, so "
    "plausible_supply_usd = min(rival's sales to the partner, redirectable_share x home's "
    "current sales of the code to the partner): an expansion of home's proven supply to that "
    "buyer; credible supplier: home already sells the code to the partner with "
    "home_market_rca = (its share of the partner's imports of the code) / (its share of the "
    "partner's total imports) above min_rca; codes home makes but does not yet sell to the "
    "partner are missed"
)


def offer_rule(redirectable_share: float, *, one_reporter: bool = False) -> str:
    """The sentence a result carries in its assumptions to state the bound on offers."""
    a = _threshold(redirectable_share, "redirectable_share", 1.0)
    default = " (default)" if a == DEFAULT_REDIRECTABLE_SHARE else ""
    if one_reporter:
        return (
            f"{ONE_REPORTER_RULE}; redirectable_share = {a:g}{default}: a conservative "
            "convention, not an estimate; an offer never exceeds home's exports of the product, "
            "and offers over distinct products never exceed home's exports; a ranking scale, "
            "not a forecast"
        )
    return (
        f"{OFFER_RULE}; redirectable_share = {a:g}{default}: a conservative convention, not an "
        "estimate (no published estimate gives the share of existing exports a country can "
        "redirect to one buyer in the short run; after the 2018-19 US-China tariffs the average "
        "country raised its exports of the targeted products both to the US and to the rest "
        "of the world, Fajgelbaum et al., AER: Insights 2024); an offer never exceeds home's "
        "exports of the product, and offers over distinct products never exceed home's "
        "exports; a ranking scale, not a forecast"
    )


def _threshold(value: float, parameter: str, upper: float | None = None) -> float:
    parameter = parameter.lstrip("-").replace("-", "_")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number", parameter=parameter) from None
    if not np.isfinite(v) or v < 0 or (upper is not None and v > upper):
        bound = f" and at most {upper}" if upper is not None else ""
        raise InputError(f"must be a number >= 0{bound}, got {value}", parameter=parameter)
    return v


def substitution_table(
    agg: pd.DataFrame,
    *,
    descriptions: dict[str, str] | None = None,
    min_rca: float = 1.0,
    min_world_share: float = 0.0,
    min_rival_share: float = 0.0,
    redirectable_share: float = DEFAULT_REDIRECTABLE_SHARE,
    totals: Mapping[str, float] | None = None,
    one_reporter: bool = False,
) -> pd.DataFrame:
    """Rank the codes where home could replace the rival in the partner's imports.

    Parameters
    ----------
    agg
        Output of :func:`tradelever.analysis.bilateral.code_aggregates` with a rival, over
        every code of the level (the RCA needs all of home's and the world's exports).
    descriptions
        Code -> name.
    min_rca
        Home's Balassa RCA must exceed this (default 1.0).
    min_world_share
        Home's world export share must be at least this (default 0: no condition).
    min_rival_share
        The rival's share of the partner's imports must exceed this (default 0: any
        purchase from the rival).
    redirectable_share
        a in [0, 1]: the share of home's exports of a code to others than the partner that
        home could redirect (default 0.25, see the module docstring).
    totals
        Home's and the world's exports over all products, each counted once
        (``home_exports_usd``, ``world_exports_usd``), for the RCA when ``agg`` does not hold
        every product exactly once (group level), and ``home_to_partner_usd`` and
        ``partner_imports_usd`` for ``home_market_rca``. Default: the sums of ``agg``.
    one_reporter
        ``agg`` holds the partner's imports only (``census-us-2024``): credibility is
        ``home_market_rca`` and the offer is bounded by home's sales to the partner (module
        docstring); the columns that need home's exports to others are null.

    Returns
    -------
    pandas.DataFrame
        :data:`SUBSTITUTION_COLUMNS`, sorted by ``plausible_supply_usd`` descending, then
        rival share descending, then code.
    """
    min_rca = _threshold(min_rca, "--min-rca")
    min_world_share = _threshold(min_world_share, "--min-world-share", 1.0)
    min_rival_share = _threshold(min_rival_share, "--min-rival-share", 1.0)
    if agg["rival_to_partner_usd"].isna().all():
        raise InputError("rival substitution needs a rival country (e.g. CHN)", parameter="rival")
    if one_reporter and min_world_share > 0:
        raise InputError(
            "needs world exports; a data set of one importer's imports has none (use 0, or a "
            "BACI data set)",
            parameter="min_world_share",
        )
    x_e = agg["home_exports_usd"].to_numpy(float)
    w_k = agg["world_exports_usd"].to_numpy(float)
    m_p = agg["partner_imports_usd"].to_numpy(float)
    v_rp = agg["rival_to_partner_usd"].to_numpy(float)
    v_ep = agg["home_to_partner_usd"].to_numpy(float)
    share = _threshold(redirectable_share, "--redirectable-share", 1.0)
    x_total, w_total = x_e.sum(), w_k.sum()
    vp_total, mp_total = v_ep.sum(), m_p.sum()
    if totals is not None:
        x_total = float(totals["home_exports_usd"])
        w_total = float(totals["world_exports_usd"])
        vp_total = float(totals.get("home_to_partner_usd", vp_total))
        mp_total = float(totals.get("partner_imports_usd", mp_total))
    market_rca = ind.balassa_rca(v_ep, vp_total, m_p, mp_total)
    if one_reporter:
        nan = np.full(len(agg), np.nan)
        rca, x_e, rest = nan, nan, nan
        redirectable = share * v_ep
    else:
        rca = ind.balassa_rca(x_e, x_total, w_k, w_total)
        rest = np.maximum(x_e - v_ep, 0.0)
        redirectable = share * rest
    plausible = np.minimum(v_rp, redirectable)
    out = pd.DataFrame(
        {
            "code": agg["code"].astype(str),
            "description": [(descriptions or {}).get(c, "") for c in agg["code"]],
            "partner_imports_usd": m_p,
            "rival_exports_to_partner_usd": v_rp,
            "rival_share_of_partner_imports": ind.supplier_share(v_rp, m_p),
            "home_exports_to_partner_usd": v_ep,
            "home_share_of_partner_imports": ind.supplier_share(v_ep, m_p),
            "home_exports_usd": x_e,
            "home_world_export_share": ind.world_export_share(x_e, w_k),
            "home_rca": rca,
            "home_market_rca": market_rca,
            "home_exports_to_rest_of_world_usd": rest,
            "redirectable_share": np.full(len(rest), share),
            "home_redirectable_usd": redirectable,
            "plausible_supply_usd": plausible,
            "plausible_share_of_rival_sales": ind.safe_ratio(plausible, v_rp),
            "plausible_share_of_home_exports": ind.safe_ratio(plausible, x_e),
        }
    )
    keep = (out["rival_exports_to_partner_usd"] > 0) & (
        out["rival_share_of_partner_imports"] > min_rival_share
    )
    if one_reporter:
        keep &= (out["home_exports_to_partner_usd"] > 0) & (out["home_market_rca"] > min_rca)
    else:
        keep &= (
            (out["home_exports_usd"] > 0)
            & (out["home_rca"] > min_rca)
            & (out["home_world_export_share"] >= min_world_share)
        )
    out = out[keep].sort_values(
        ["plausible_supply_usd", "rival_share_of_partner_imports", "code"],
        ascending=[False, False, True],
        kind="mergesort",
    )
    return out.reset_index(drop=True)[list(SUBSTITUTION_COLUMNS)]


# -- the analysis: options, orchestration, assumptions ---------------------------------------
SUBSTITUTES = Analysis(
    name="substitutes",
    command="substitutes",
    summary="Rival substitution: where the partner buys from the rival and home could supply",
    options=(
        HOME,
        PARTNER,
        RIVAL.but(annotation=str, default=REQUIRED),
        DATASET_BY_QUESTION,
        YEAR,
        LEVEL,
        Option("min_rca", float, 1.0, "Home's Balassa RCA must exceed this.", ge=0.0),
        Option(
            "min_world_share",
            float,
            0.0,
            "Home's world export share must be at least this.",
            ge=0.0,
            le=1.0,
        ),
        Option(
            "min_rival_share",
            float,
            0.0,
            "Rival's share of partner imports must exceed this.",
            ge=0.0,
            le=1.0,
        ),
    ),
    levels=("industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group"),
    rival_required=True,
)


def substitutes(
    request: Request,
    *,
    min_rca: float = 1.0,
    min_world_share: float = 0.0,
    min_rival_share: float = 0.0,
) -> TableResult:
    """Where the partner buys from the rival and home could credibly supply instead.

    One aggregation query (:func:`tradelever.analysis.bilateral.code_aggregates`), then
    :func:`substitution_table`; the summary totals the plausible supply and the rival's sales
    to the partner. See the module docstring for the formulas and the capacity proxy.
    """
    SUBSTITUTES.check(
        min_rca=min_rca, min_world_share=min_world_share, min_rival_share=min_rival_share
    )
    reporters = request.reporters
    check_partner_reported(reporters, str(request.partner), dataset=request.dataset)
    one = reporters is not None
    level = level_aggregates(request, rival=request.rival)
    agg = level.rows
    tests = {
        "min_rca": min_rca,
        "min_world_share": min_world_share,
        "min_rival_share": min_rival_share,
        "one_reporter": one,
    }
    rows = substitution_table(
        agg, descriptions=dict(request.descriptions), totals=level.totals, **tests
    )
    headline = float(rows["plausible_supply_usd"].sum())
    assumptions = [*request.assumptions, *industry_note(request), *request.group_notes]
    if one:
        assumptions.append(
            f"credible supplier: home sells the code to the partner with home_market_rca > "
            f"{min_rca}; partner dependence: rival share of partner imports > {min_rival_share}"
        )
    else:
        assumptions.append(
            f"credible supplier: home's Balassa RCA > {min_rca} and world export share >= "
            f"{min_world_share}; partner dependence: rival share of partner imports > "
            f"{min_rival_share}"
        )
    assumptions.append(offer_rule(DEFAULT_REDIRECTABLE_SHARE, one_reporter=one))
    if not one:
        assumptions.append(
            "RCA and world shares use every code of the level in the data set as the total"
        )
    if level.groups is not None and level.products is not None and len(rows):
        offers = substitution_table(level.products, totals=level.totals, **tests)
        headline = group_total(
            offers,
            request.selector,
            value="plausible_supply_usd",
            groups=rows["code"],
            product="code",
        )
        assumptions.append(
            "group level: the summary's plausible supply is the offers of the groups' member "
            "products that pass the same tests, each product once (groups overlap: never add "
            "group rows)"
        )
    return TableResult(
        kind="substitutes",
        params=request.params(
            home=request.home,
            partner=request.partner,
            rival=request.rival,
            min_rca=min_rca,
            min_world_share=min_world_share,
            min_rival_share=min_rival_share,
        ),
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=SUBSTITUTION_COLUMNS,
        summary={
            "products": len(rows),
            "plausible_supply_usd": headline,
            "rival_exports_to_partner_usd": float(
                level.groups.headline_totals()["rival_to_partner_usd"]
                if level.groups is not None
                else agg["rival_to_partner_usd"].sum()
            ),
        },
    )
