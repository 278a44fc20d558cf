"""Rival substitution: where the partner depends on the rival and home could replace it.

Notation (DESIGN.md): V(i, j, k) flows in US dollars; e = home, p = partner, r = rival;
M(j, k) imports, X(i, k) exports, W(k) world trade, X(i) = sum over k of X(i, k),
W = sum over k of W(k).

For every code k, from :func:`tradelever.analysis.bilateral.code_aggregates`:

=======================================  ==============================================
``rival_share_of_partner_imports``       V(r, p, k) / M(p, k): the partner's dependence
``home_world_export_share``              X(e, k) / W(k)
``home_rca``                             Balassa RCA (X(e, k) / X(e)) / (W(k) / W)
``home_exports_to_rest_of_world_usd``    X(e, k) - V(e, p, k): the capacity proxy
``plausible_supply_usd``                 min(V(r, p, k), X(e, k) - V(e, p, k))
=======================================  ==============================================

A code is kept when the partner buys from the rival (rival share above
``min_rival_share``), home exports it (X(e, k) > 0) and home is a credible supplier: Balassa
RCA above ``min_rca`` (default 1: revealed comparative advantage) and world export share
at least ``min_world_share`` (default 0). Rows are ranked by ``plausible_supply_usd``.

Capacity proxy. Home cannot replace more than the rival sells the partner, nor more than it
could redirect without new capacity; its current exports to destinations other than the
partner, X(e, k) - V(e, p, k), are the supply it has proven it can produce and ship. This
ignores domestic sales that could also be redirected and capacity expansion (both would
raise the figure) and the loss of the markets the exports are taken from (which would lower
the net gain); it is a ranking scale, not a forecast.
"""

from __future__ import annotations

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

__all__ = ["SUBSTITUTES", "SUBSTITUTION_COLUMNS", "substitutes", "substitution_table"]

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
    "plausible_supply_usd",
    "plausible_share_of_rival_sales",
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
    rca = ind.balassa_rca(x_e, x_e.sum(), w_k, w_k.sum())
    rest = x_e - v_ep
    plausible = np.minimum(v_rp, rest)
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
            "plausible_supply_usd": plausible,
            "plausible_share_of_rival_sales": ind.safe_ratio(plausible, v_rp),
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
    agg = code_aggregates(
        request.coded,
        year=request.year,
        home=request.home,
        partner=request.partner,
        rival=request.rival,
    )
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
        "plausible_supply_usd = min(rival's sales to the partner, home's exports of the code "
        "to the rest of the world): home's proven exportable supply, redirected without new "
        "capacity; a ranking scale, not a forecast",
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
