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
from tradelever.analysis.bilateral import code_aggregates
from tradelever.analysis.request import (
    DATASET,
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
    "home_exports_to_rest_of_world_usd",
    "redirectable_share",
    "home_redirectable_usd",
    "plausible_supply_usd",
    "plausible_share_of_rival_sales",
    "plausible_share_of_home_exports",
)


def offer_rule(redirectable_share: float) -> str:
    """The sentence a result carries in its assumptions to state the bound on offers."""
    a = _threshold(redirectable_share, "--redirectable-share", 1.0)
    default = " (default)" if a == DEFAULT_REDIRECTABLE_SHARE else ""
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
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{parameter}: {value!r} is not a number") from None
    if not np.isfinite(v) or v < 0 or (upper is not None and v > upper):
        bound = f" and at most {upper}" if upper is not None else ""
        raise InputError(f"{parameter}: must be a number >= 0{bound}, got {value}")
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
        every product exactly once (group level). Default: the sums of ``agg``.

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
        raise InputError("--rival: rival substitution needs a rival country (e.g. --rival CHN)")
    x_e = agg["home_exports_usd"].to_numpy(float)
    w_k = agg["world_exports_usd"].to_numpy(float)
    m_p = agg["partner_imports_usd"].to_numpy(float)
    v_rp = agg["rival_to_partner_usd"].to_numpy(float)
    v_ep = agg["home_to_partner_usd"].to_numpy(float)
    share = _threshold(redirectable_share, "--redirectable-share", 1.0)
    x_total, w_total = x_e.sum(), w_k.sum()
    if totals is not None:
        x_total = float(totals["home_exports_usd"])
        w_total = float(totals["world_exports_usd"])
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
            "home_exports_to_rest_of_world_usd": rest,
            "redirectable_share": np.full(len(rest), share),
            "home_redirectable_usd": redirectable,
            "plausible_supply_usd": plausible,
            "plausible_share_of_rival_sales": ind.safe_ratio(plausible, v_rp),
            "plausible_share_of_home_exports": ind.safe_ratio(plausible, x_e),
        }
    )
    keep = (
        (out["rival_exports_to_partner_usd"] > 0)
        & (out["rival_share_of_partner_imports"] > min_rival_share)
        & (out["home_exports_usd"] > 0)
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
        DATASET,
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
    levels=("industry", "hs6", "hs4", "hs2"),
    rival_required=True,
)


def _code_sums(request: Request) -> pd.DataFrame:
    """The per-code sums, read from the market tables where the level has them, else queried."""
    from tradelever.analysis import markets

    if request.level in markets.levels(dict(request.view.manifest.raw)):
        return markets.code_sums(
            markets.cached_market_indicators(request.view, request.level),
            year=request.year,
            home=str(request.home),
            partner=str(request.partner),
            rival=request.rival,
        )
    return code_aggregates(
        request.coded,
        year=request.year,
        home=request.home,
        partner=request.partner,
        rival=request.rival,
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
    agg = _code_sums(request)
    rows = substitution_table(
        agg,
        descriptions=dict(request.descriptions),
        min_rca=min_rca,
        min_world_share=min_world_share,
        min_rival_share=min_rival_share,
    )
    assumptions = [
        *request.assumptions,
        *industry_note(request),
        f"credible supplier: home's Balassa RCA > {min_rca} and world export share >= "
        f"{min_world_share}; partner dependence: rival share of partner imports > "
        f"{min_rival_share}",
        offer_rule(DEFAULT_REDIRECTABLE_SHARE),
        "RCA and world shares use every code of the level in the data set as the total",
    ]
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
            "plausible_supply_usd": float(rows["plausible_supply_usd"].sum()),
            "rival_exports_to_partner_usd": float(agg["rival_to_partner_usd"].sum()),
        },
    )
