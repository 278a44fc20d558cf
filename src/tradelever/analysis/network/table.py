"""The ``supply_chain`` result: one row per home industry, a summary, the assumptions.

Rows come from the single-industry extractions
(:func:`tradelever.analysis.network.extraction.one_by_one`) and the embodied value added;
the summary from the joint extraction of every home industry (and of the selected ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from tradelever.analysis.network.extraction import (
    ExtractionResult,
    check_share,
    extract,
    one_by_one,
)
from tradelever.analysis.network.leontief import value_added_coefficients
from tradelever.analysis.network.model import LeontiefModel
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError, UnknownCountryError

__all__ = [
    "SUPPLY_CHAIN_ASSUMPTIONS",
    "SUPPLY_CHAIN_COLUMNS",
    "parse_industries",
    "supply_chain_result",
    "supply_chain_table",
]

SUPPLY_CHAIN_COLUMNS: Final = (
    "industry",
    "description",
    "direct_deliveries_to_partner_usd",
    "direct_requirement",
    "total_requirement",
    "home_va_in_partner_output_usd",
    "home_va_in_partner_final_sales_usd",
    "partner_output_loss_usd",
    "partner_output_loss_share",
    "partner_loss_per_dollar_delivered",
    "home_output_loss_usd",
    "world_output_loss_usd",
)

SUPPLY_CHAIN_ASSUMPTIONS: Final = (
    "intermediate goods only: the network's bilateral flows are intermediate deliveries; "
    "final-demand purchases are not split by origin",
    "direct requirements B = A diag(omb) (B[i,j] = F[i,j]/s[j]) and total requirements "
    "L = (I - B)^-1, factorised once per data-set version (LU) and read per query; s = L z",
    "home VA embodied = v[h] * (L x_P)[h] with v = 1 - omb (value added per dollar of model "
    "output) and x_P the partner's gross output or final-demand sales; VA in gross output "
    "counts home VA once per partner production stage it passes through",
    "the network holds final-demand sales by node, not bilateral final demand: VA 'in the "
    "partner's final demand' is approximated by VA embodied in the final-demand sales of the "
    "partner's industries (to any destination)",
    "partner_output_loss: supply-driven (Ghosh) hypothetical extraction of home's deliveries "
    "to every partner industry, primary inputs fixed, no substitution, no rerouting, no "
    "leakage: the partner loses the inputs and the output made with them downstream, in "
    "value terms (loss = s o L'r)",
    "home_output_loss: demand-driven (Leontief) hypothetical extraction of the same cells, "
    "final demand fixed: home loses the sales and the upstream output that produced them "
    "(loss = L[:,H] g)",
    "each row extracts one home industry on its own (Sherman-Morrison); the summary's "
    "all_industries block extracts them jointly (Woodbury), so rows do not add up to it "
    "exactly",
    "no rerouting and no leakage: overstates the loss when other suppliers and buyers can "
    "replace home; linear in values: understates the partner's loss when the lost inputs "
    "are complements (bottlenecks); sanction-simulator's rerouting model with CES "
    "complements (tau = 0.3, delta = 0.1) falls between share_lost = tau (1 - delta) = 0.27 "
    "and share_lost = 1 for MYS -> USA (benchmarks/network_vs_sanction_simulator.py)",
)


def parse_industries(industry: str | Sequence[str] | None) -> list[str] | None:
    """Split ``"C26,C22"`` (or a list of such strings) into codes; ``None`` for all."""
    if industry is None:
        return None
    items = [industry] if isinstance(industry, str) else list(industry)
    codes = [c.strip().upper() for item in items for c in str(item).split(",") if c.strip()]
    if not codes:
        raise InputError("give one or more ICIO industry codes, e.g. C26", parameter="industry")
    return list(dict.fromkeys(codes))


def supply_chain_table(
    model: LeontiefModel,
    home: str,
    partner: str,
    *,
    share: float = 1.0,
    industries: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Per home industry: deliveries, embodied VA and the extraction loss, ranked by loss.

    Each row extracts one home industry's deliveries to the partner on its own
    (Sherman-Morrison: ``c_k = share * B[h_k, P] L[P, h_k]``)::

        direct_deliveries_to_partner_usd   = F[h_k, P] 1
        direct_requirement                 = F[h_k, P] 1 / sum_{j in P} s[j]
        total_requirement                  = (L (z o 1_P))[h_k] / sum_{j in P} z[j]
        home_va_in_partner_output_usd      = v[h_k] (L (s o 1_P))[h_k]
        home_va_in_partner_final_sales_usd = v[h_k] (L (z o 1_P))[h_k]
        partner_output_loss_usd            = r_k' L (s o 1_P),  r_k = share B[h_k, P] / (1 + c_k)
        world_output_loss_usd              = r_k' L s
        home_output_loss_usd               = sum_{n in home} L[n, h_k] share F[h_k, P] 1 / (1 + c_k)
        partner_output_loss_share          = partner_output_loss_usd / sum_{j in P} s[j]

    Money in US dollars; ``direct_requirement`` is dollars of the home industry's output
    per dollar of the partner's output, ``total_requirement`` dollars of it (direct and
    indirect, through every country) per dollar of the partner's final-demand sales. Rows
    are ranked by ``partner_output_loss_usd``. The summary holds the joint extraction of
    every home industry (and of the selected ones, when given), with feedback, and the
    partner industries hit hardest.

    Returns
    -------
    (rows, summary)
    """
    share = check_share(share)
    H = model.country_nodes(home)
    P = model.country_nodes(partner)
    usd = model.unit
    each = one_by_one(model, home, partner, share=share)
    L_hp = model.total_requirements(P)[H, :]  # L[H, P]
    va_out = L_hp @ model.s[P]  # (L (s o 1_P))[H]
    va_fd = L_hp @ model.z[P]  # (L (z o 1_P))[H]
    v = value_added_coefficients(model.omb)
    deliveries = share * each.deliveries
    partner_output = float(model.s[P].sum())
    partner_final = float(model.z[P].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        per_dollar = np.where(deliveries > 0, each.partner_loss / deliveries, np.nan)
    codes = list(model.industries)
    rows = pd.DataFrame(
        {
            "industry": codes,
            "description": [model.industry_names.get(code, "") for code in codes],
            "direct_deliveries_to_partner_usd": each.deliveries * usd,
            "direct_requirement": each.deliveries / partner_output
            if partner_output > 0
            else np.nan,
            "total_requirement": va_fd / partner_final if partner_final > 0 else np.nan,
            "home_va_in_partner_output_usd": v[H] * va_out * usd,
            "home_va_in_partner_final_sales_usd": v[H] * va_fd * usd,
            "partner_output_loss_usd": each.partner_loss * usd,
            "partner_output_loss_share": each.partner_loss / partner_output
            if partner_output > 0
            else np.nan,
            "partner_loss_per_dollar_delivered": per_dollar,
            "home_output_loss_usd": each.home_loss * usd,
            "world_output_loss_usd": each.world_loss * usd,
        }
    )
    if industries is not None:
        keep = {codes[model.industry_index(code)] for code in industries}
        rows = rows[rows["industry"].isin(keep)]
    rows = rows.sort_values(
        ["partner_output_loss_usd", "industry"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)

    summary: dict[str, object] = {
        "partner_output_usd": partner_output * usd,
        "home_output_usd": float(model.s[H].sum()) * usd,
        "direct_deliveries_to_partner_usd": float(each.deliveries.sum() * usd),
        "home_va_in_partner_output_usd": float((v[H] * va_out).sum() * usd),
        "home_va_in_partner_final_sales_usd": float((v[H] * va_fd).sum() * usd),
        "partner_final_sales_usd": float(model.z[P].sum() * usd),
    }
    joint: dict[str, list[str] | None] = {"all_industries": None}
    if industries is not None:
        joint["selected_industries"] = list(industries)
    for key, selection in joint.items():
        res = extract(model, home, partner, selection, share=share)
        summary[key] = _extraction_summary(model, res, home, partner)
    return rows, summary


def _country_sum(model: LeontiefModel, vector: np.ndarray, country: str) -> float:
    return float(vector[model.country_nodes(country)].sum())


def _extraction_summary(
    model: LeontiefModel, res: ExtractionResult, home: str, partner: str
) -> dict[str, object]:
    usd = model.unit
    P = model.country_nodes(partner)
    partner_output = float(model.s[P].sum())
    buyer_p = _country_sum(model, res.buyer_side_loss, partner)
    hit = res.buyer_side_loss[P]
    order = np.argsort(-hit, kind="stable")[:5]
    return {
        "industries": "all"
        if len(res.home_nodes) == len(model.industries)
        else [model.industries[int(h) // model.n_countries] for h in res.home_nodes],
        "share_lost": res.share,
        "deliveries_removed_usd": float(res.deliveries.sum() * usd),
        "partner_output_loss_usd": buyer_p * usd,
        "partner_output_loss_share": buyer_p / partner_output if partner_output > 0 else None,
        "home_output_loss_usd": _country_sum(model, res.seller_side_loss, home) * usd,
        "world_output_loss_buyer_side_usd": float(res.buyer_side_loss.sum() * usd),
        "world_output_loss_seller_side_usd": float(res.seller_side_loss.sum() * usd),
        "partner_industries_hit_most": [
            {
                "industry": model.industries[int(P[i]) // model.n_countries],
                "output_loss_usd": float(hit[i] * usd),
                "output_loss_share": float(hit[i] / model.s[P[i]]) if model.s[P[i]] > 0 else None,
            }
            for i in order
            if hit[i] > 0
        ],
    }


def supply_chain_result(
    model: LeontiefModel,
    home: str,
    partner: str,
    *,
    industries: Sequence[str] | None = None,
    share: float = 1.0,
    dataset: str,
    year: int,
    provenance: dict[str, object],
    assumptions: Sequence[str] = (),
) -> TableResult:
    """The supply-chain table as a :class:`TableResult` (see :func:`supply_chain_table`).

    Raises
    ------
    InputError
        If ``home`` equals ``partner`` or ``share`` is outside [0, 1].
    UnknownCountryError, UnknownProductError
        If a country or industry code is not in the network.
    """
    for name, code in (("home", home), ("partner", partner)):
        if code not in model.countries:
            raise UnknownCountryError(f"{code} is not in the network", parameter=name)
    if home == partner:
        raise InputError(f"must differ from home ({home})", parameter="partner")
    if industries is not None:
        industries = [model.industries[model.industry_index(c)] for c in industries]
    rows, summary = supply_chain_table(model, home, partner, share=share, industries=industries)
    notes = list(dict.fromkeys(assumptions))
    has_scope = any(a.startswith("intermediate goods only") for a in notes)
    notes += [
        a
        for a in SUPPLY_CHAIN_ASSUMPTIONS
        if a not in notes and not (has_scope and a.startswith("intermediate goods only"))
    ]
    if share < 1.0:
        notes.append(
            f"share_lost = {share}: only that fraction of home's deliveries is removed "
            "(e.g. tau * (1 - delta) = 0.27 for sanction-simulator's unreplaceable share)"
        )
    return TableResult(
        kind="supply_chain",
        params={
            "home": home,
            "partner": partner,
            "dataset": dataset,
            "year": year,
            "level": "industry",
            "industry": list(industries) if industries is not None else None,
            "share_lost": share,
        },
        rows=rows,
        provenance=dict(provenance),
        assumptions=notes,
        columns=SUPPLY_CHAIN_COLUMNS,
        summary=summary,
    )
