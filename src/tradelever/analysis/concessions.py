"""Concession finder: purchases home could switch to the partner to narrow its deficit.

Notation (DESIGN.md): V(i, j, k) flows in US dollars; e = home, p = partner; M(j, k)
imports, X(i, k) exports, W(k) world trade; X(i) and W totals over k.

A code k is a candidate when home imports it from third countries,
``home_imports_from_others_usd`` = M(e, k) - V(p, e, k) > 0, and the partner is a
competitive exporter of it: Balassa RCA (X(p, k) / X(p)) / (W(k) / W) above ``min_rca``
(default 1) **or** world export share X(p, k) / W(k) of at least ``min_world_share``
(default 0.10: one dollar in ten of world exports, a leading supplier even where the
product weighs little in the partner's exports).

The value that could switch is::

    switchable_usd = min(M(e, k) - V(p, e, k),  X(p, k) - V(p, e, k))

home's purchases from others, capped by what the partner already sells to third markets
(supply it demonstrably produces and could redirect without new capacity). Codes are
ranked by it, and the running total ``cumulative_switchable_usd`` is set against the extra
purchases needed to bring the reciprocal formula rate to the target
(:func:`tradelever.analysis.formula.additional_exports_needed`). Switching assumes the
partner's goods are acceptable substitutes at similar prices; price, quality and contracts
are not modelled.

One reporter. Concessions need home's imports by origin, M(e, k) and V(p, e, k), and the
partner's exports to the world, X(p, k): a data set of the partner's imports only
(``census-us-2024``) holds none of them, so the analysis refuses it with an error naming
the data that would answer (a BACI data set, or ``icio2022``, the default here).

Groups. At group level a group's ``switchable_usd`` is the sum over its member products of
each product's switchable value (the minimum is taken product by product: a surplus of
the partner's supply in one product cannot meet home's demand for another), and the running
total counts each product once (:func:`tradelever.analysis.groups.running_group_total`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tradelever.analysis import formula as fm
from tradelever.analysis import indicators as ind
from tradelever.analysis.groups import running_group_total
from tradelever.analysis.level_aggregates import level_aggregates
from tradelever.analysis.request import (
    DATASET_BY_QUESTION,
    HOME,
    LEVEL,
    PARTNER,
    YEAR,
    Request,
    industry_note,
)
from tradelever.analysis.result import TableResult
from tradelever.analysis.substitution import _threshold
from tradelever.errors import InputError
from tradelever.options import Analysis, Option

__all__ = ["CONCESSIONS", "CONCESSION_COLUMNS", "concession_table", "concessions"]

CONCESSION_COLUMNS = (
    "code",
    "description",
    "home_imports_usd",
    "home_imports_from_partner_usd",
    "home_imports_from_others_usd",
    "partner_exports_usd",
    "partner_exports_to_others_usd",
    "partner_rca",
    "partner_world_export_share",
    "switchable_usd",
    "cumulative_switchable_usd",
    "cumulative_share_of_needed",
)


def concession_table(
    agg: pd.DataFrame,
    *,
    descriptions: dict[str, str] | None = None,
    codes: tuple[str, ...] | None = None,
    min_rca: float = 1.0,
    min_world_share: float = 0.10,
    needed_usd: float | None = None,
    totals: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rank the codes whose purchases home could switch from third countries to the partner.

    Parameters
    ----------
    agg
        Output of :func:`tradelever.analysis.bilateral.code_aggregates` over every code of
        the level (the partner's RCA needs all its exports).
    descriptions
        Code -> name.
    codes
        Only these codes may be rows (goods industries on ICIO); ``None``: all.
    min_rca, min_world_share
        Competitiveness: partner RCA > ``min_rca`` or world share >= ``min_world_share``.
    needed_usd
        Extra purchases needed from the partner (for ``cumulative_share_of_needed``).
    totals
        ``partner_exports_usd`` and ``world_exports_usd`` over all products, each once, for
        the RCA when ``agg`` rows overlap (group level:
        :func:`tradelever.analysis.groups.group_aggregates`).

    Returns
    -------
    pandas.DataFrame
        :data:`CONCESSION_COLUMNS`, sorted by ``switchable_usd`` descending then code.
    """
    min_rca = _threshold(min_rca, "min_rca")
    min_world_share = _threshold(min_world_share, "min_world_share", 1.0)
    x_p = agg["partner_exports_usd"].to_numpy(float)
    w_k = agg["world_exports_usd"].to_numpy(float)
    m_e = agg["home_imports_usd"].to_numpy(float)
    v_pe = agg["partner_to_home_usd"].to_numpy(float)
    others = m_e - v_pe
    partner_others = x_p - v_pe
    out = pd.DataFrame(
        {
            "code": agg["code"].astype(str),
            "description": [(descriptions or {}).get(c, "") for c in agg["code"]],
            "home_imports_usd": m_e,
            "home_imports_from_partner_usd": v_pe,
            "home_imports_from_others_usd": others,
            "partner_exports_usd": x_p,
            "partner_exports_to_others_usd": partner_others,
            "partner_rca": ind.balassa_rca(
                x_p,
                totals["partner_exports_usd"] if totals is not None else x_p.sum(),
                w_k,
                totals["world_exports_usd"] if totals is not None else w_k.sum(),
            ),
            "partner_world_export_share": ind.world_export_share(x_p, w_k),
            "switchable_usd": np.minimum(others, partner_others),
        }
    )
    competitive = (out["partner_rca"] > min_rca) | (
        out["partner_world_export_share"] >= min_world_share
    )
    keep = competitive & (out["home_imports_from_others_usd"] > 0) & (out["switchable_usd"] > 0)
    if codes is not None:
        keep &= out["code"].isin(codes)
    out = out[keep].sort_values(
        ["switchable_usd", "code"], ascending=[False, True], kind="mergesort"
    )
    out = out.reset_index(drop=True)
    out["cumulative_switchable_usd"] = out["switchable_usd"].cumsum()
    need = float(needed_usd) if needed_usd is not None else float("nan")
    out["cumulative_share_of_needed"] = ind.safe_ratio(out["cumulative_switchable_usd"], need)
    return out[list(CONCESSION_COLUMNS)]


# -- the analysis: options, orchestration, assumptions ---------------------------------------
CONCESSIONS = Analysis(
    name="concessions",
    command="concessions",
    summary="Concession finder: purchases home could switch to the partner",
    options=(
        HOME,
        PARTNER,
        DATASET_BY_QUESTION,
        YEAR,
        LEVEL,
        fm.TARGET_RATE.but(
            annotation=float, default=0.10, help="Formula rate to reach (default the 10% floor)."
        ),
        Option(
            "min_rca", float, 1.0, "The partner is competitive if its RCA exceeds this...", ge=0.0
        ),
        Option(
            "min_world_share",
            float,
            0.10,
            "...or if its world export share is at least this.",
            ge=0.0,
            le=1.0,
        ),
    ),
    levels=("industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group"),
)


def product_switchable(products: pd.DataFrame) -> pd.DataFrame:
    """Switchable value per product: min(M(e, k) - V(p, e, k), X(p, k) - V(p, e, k)), >= 0.

    ``products``: :func:`tradelever.analysis.bilateral.code_aggregates` per product.
    Returns ``code`` and ``switchable_usd`` (US dollars).
    """
    v_pe = products["partner_to_home_usd"].to_numpy(float)
    others = products["home_imports_usd"].to_numpy(float) - v_pe
    partner_others = products["partner_exports_usd"].to_numpy(float) - v_pe
    value = np.maximum(np.minimum(others, partner_others), 0.0)
    return pd.DataFrame({"code": products["code"].astype(str), "switchable_usd": value})


def concessions(
    request: Request,
    *,
    target_rate: float = 0.10,
    min_rca: float = 1.0,
    min_world_share: float = 0.10,
) -> TableResult:
    """Purchases home could switch from third countries to the partner, ranked.

    The running total is set against the extra purchases that bring the reciprocal formula
    rate to ``target_rate`` (default 0.10, the floor; see
    :func:`tradelever.analysis.formula.formula`).
    """
    CONCESSIONS.check(target_rate=target_rate, min_rca=min_rca, min_world_share=min_world_share)
    reporters = request.reporters
    if reporters is not None:
        raise InputError(
            f"{request.dataset} holds only the imports of {', '.join(reporters)}; concessions "
            "needs what home buys from third countries and the partner's exports to the world: "
            "use a data set of world trade (a BACI release through `ingest baci`, or icio2022)",
            parameter="dataset",
        )
    form = fm.formula(request, target_rate=target_rate)
    needed = form.summary["additional_partner_exports_needed_usd"]
    level = level_aggregates(request)
    goods = fm.goods_codes(request.level)
    rows = concession_table(
        level.rows,
        descriptions=dict(request.descriptions),
        codes=goods,
        min_rca=min_rca,
        min_world_share=min_world_share,
        needed_usd=needed,
        totals=level.totals,
    )
    if level.products is not None and request.selector is not None and len(rows):
        per_product = product_switchable(level.products)
        members = request.selector.merge(
            per_product, left_on="product", right_on="code", suffixes=("_group", "")
        )
        by_group = members.groupby("code_group")["switchable_usd"].sum()
        rows["switchable_usd"] = rows["code"].map(by_group).fillna(0.0).to_numpy()
        rows = rows[rows["switchable_usd"] > 0].sort_values(
            ["switchable_usd", "code"], ascending=[False, True], kind="mergesort"
        )
        rows = rows.reset_index(drop=True)
        rows["cumulative_switchable_usd"] = running_group_total(
            rows["code"], per_product, request.selector, value="switchable_usd", product="code"
        )
        rows["cumulative_share_of_needed"] = ind.safe_ratio(
            rows["cumulative_switchable_usd"], float(needed)
        )
    total = float(rows["cumulative_switchable_usd"].iloc[-1]) if len(rows) else 0.0
    reach = rows.index[rows["cumulative_switchable_usd"] >= needed - 1e-9]
    summary = {
        "target_rate": target_rate,
        "formula_rate": form.summary["formula_rate"],
        "additional_partner_exports_needed_usd": needed,
        "total_switchable_usd": total,
        "covers_needed": bool(total >= needed - 1e-9),
        "products_to_cover_needed": (
            int(reach[0]) + 1 if len(reach) and needed > 0 else (0 if needed <= 0 else None)
        ),
    }
    assumptions = [
        *request.assumptions,
        *industry_note(request),
        *request.group_notes,
        f"partner competitive: Balassa RCA > {min_rca} or world export share >= {min_world_share}",
        "switchable_usd = min(home's imports of the code from third countries, the partner's "
        "exports of it to third countries): redirected trade at unchanged prices, no new "
        "capacity",
        "additional_partner_exports_needed_usd from the reciprocal formula at target_rate "
        "(see `tradelever formula`)",
    ]
    if goods is not None:
        assumptions.append("rows restricted to ICIO goods industries (A01-B08, C10T12-C31T33)")
    if level.groups is not None:
        assumptions.append(
            "group level: switchable_usd sums each member product's switchable value; the "
            "running total and total_switchable_usd count each product once"
        )
    return TableResult(
        kind="concessions",
        params=request.params(
            home=request.home,
            partner=request.partner,
            target_rate=target_rate,
            min_rca=min_rca,
            min_world_share=min_world_share,
        ),
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=CONCESSION_COLUMNS,
        summary=summary,
    )
