"""The home country's view of a scenario: its total effect and two exact decompositions.

For the rows where home is the supplier, with T the total effect of the scenario:

Own tariffs and rivals' tariffs (Shapley). Two model runs isolate each factor: ``own
alone`` (home's new rates, every other supplier at its baseline rate) and ``rivals alone``
(every other supplier's new rates, home at its baseline rate). With v(none) = 0 (no rate
changes: no effect), v(own) = own alone, v(rivals) = rivals alone and v(both) = T, the
Shapley value of each factor is its marginal contribution averaged over the two orders::

    own    = ½ · [own_alone + (T - rivals_alone)]
    rivals = T - own = ½ · [rivals_alone + (T - own_alone)]

so own + rivals = T exactly (to floating precision), a factor that does not change
contributes 0, and swapping the labels swaps the values. ``own`` can be larger than home's
exports in size when tariffs on rivals would otherwise have raised them: with rivals taxed,
home's own tariff also forgoes that diversion gain (T - rivals_alone).

Rate level and rate gap (sequential, level first). One more run puts every supplier in
each of home's markets on home's proportional price change, (1 + t_c') = (1 + t_c) · (1 +
t_h') / (1 + t_h), so relative prices do not move::

    level = home's effect when every supplier's price changes as home's does
            (demand response only, no diversion)
    gap   = T - level      (what the difference between home's change and its
                            competitors' changes does: diversion)

A uniform tariff on everyone has gap = 0; "competitors settle first" shows up as a
negative gap.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradelever.analysis.scenarios.pe_smart import PEOutcome
from tradelever.analysis.scenarios.prepare import Prepared, market_rows, solve

__all__ = ["HOME_EXPLANATION", "home_view", "shapley_two", "uniform_rates"]

HOME_EXPLANATION = (
    "own_tariffs_alone: home's new rates with every other supplier at its baseline rate; "
    "rival_tariffs_alone: every other supplier's new rates with home at its baseline rate "
    "(positive = diversion gain from tariffs on rivals); own_tariff_effect and "
    "rival_tariff_effect split the total exactly by the Shapley value of the two factors "
    "(each factor's effect alone and its effect given the other, averaged), so they add up "
    "to total_effect; own_tariff_effect can exceed home's exports in size because, with "
    "rivals taxed, home's own tariff also forgoes the diversion gain it would have had. "
    "rate_level_effect: home's effect if every supplier in its markets saw home's "
    "proportional price change (no relative price change); rate_gap_effect = total - "
    "rate_level_effect: the effect of the gap between home's change and its competitors' "
    "(sequential, level first)"
)


def shapley_two(
    total: np.ndarray, a_alone: np.ndarray, b_alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values of two factors a and b with v(none) = 0 (module docstring).

    Parameters
    ----------
    total
        v(a and b).
    a_alone, b_alone
        v(a), v(b).

    Returns
    -------
    tuple of numpy.ndarray
        (phi_a, phi_b), with phi_b = total - phi_a so that they add up to ``total``.
    """
    total = np.asarray(total, dtype=float)
    phi_a = 0.5 * (np.asarray(a_alone, dtype=float) + (total - np.asarray(b_alone, dtype=float)))
    return phi_a, total - phi_a


def uniform_rates(p: Prepared, is_home_kept: np.ndarray) -> np.ndarray:
    """New rates over all rows with every supplier in home's markets on home's price change.

    (1 + t_c') = (1 + t_c) (1 + t_h') / (1 + t_h) for every row c in a market where home
    supplies (h its row there); other rows keep their new rates.
    """
    t0k, t1k = p.kept(p.t0), p.kept(p.t1)
    factor = np.ones(p.n_markets)
    in_home = np.zeros(p.n_markets, dtype=bool)
    hm = p.market[is_home_kept]
    factor[hm] = (1.0 + t1k[is_home_kept]) / (1.0 + t0k[is_home_kept])
    in_home[hm] = True
    row_in = in_home[p.market]
    t1_uniform_k = np.where(row_in, (1.0 + t0k) * factor[p.market] - 1.0, t1k)
    out = p.t1.copy()
    out[p.k] = t1_uniform_k
    return out


def home_view(
    p: Prepared,
    mode: str,
    out: PEOutcome,
    home: str,
    descriptions: dict[str, str],
    *,
    bands: dict[str, np.ndarray] | None = None,
    flags: pd.Categorical | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Home's summary and rows (one per market it supplies), with both decompositions.

    Parameters
    ----------
    p, mode, out
        The prepared scenario, the model and its central outcome.
    home
        ISO3 of the home country.
    descriptions
        Code -> description.
    bands
        Optional total effects of the kept rows under other elasticities
        (``{"low": ..., "high": ...}``), for the home rows' sensitivity band.
    flags
        Optional plausibility flags of the kept rows.
    """
    rows = p.rows
    is_home_all = rows.exp_u[rows.exp_idx] == home
    is_home = p.kept(is_home_all)
    # Only the markets home supplies matter: solve those alone (markets are independent).
    sub = market_rows(p, is_home)
    home_in_sub = is_home[sub]

    def home_total(t1: np.ndarray) -> np.ndarray:
        return solve(p, mode, t1=t1, rows=sub).total[home_in_sub]

    # Own tariffs only: everyone else at baseline. Others' tariffs only: home at baseline.
    own_alone = home_total(np.where(is_home_all, p.t1, p.t0))
    others_alone = home_total(np.where(is_home_all, p.t0, p.t1))
    level = home_total(uniform_rates(p, is_home))
    total = out.total[is_home]
    own, others = shapley_two(total, own_alone, others_alone)
    gap = total - level
    code = rows.code_u[p.kept(rows.code_idx)][is_home]
    imp = rows.imp_u[p.kept(rows.imp_idx)][is_home]
    base = p.kept(p.value)[is_home]
    columns: dict[str, Any] = {
        "importer": imp,
        "code": code,
        "description": [descriptions.get(c, "") for c in code],
        "baseline_exports_usd": base,
        "old_rate": p.kept(p.t0)[is_home],
        "new_rate": p.kept(p.t1)[is_home],
        "total_effect_usd": total,
        "own_tariff_effect_usd": own,
        "rival_tariff_effect_usd": others,
        "own_tariffs_alone_usd": own_alone,
        "rival_tariffs_alone_usd": others_alone,
        "rate_level_effect_usd": level,
        "rate_gap_effect_usd": gap,
    }
    info: dict[str, Any] = {
        "home": home,
        "exports_to_importers_usd": float(p.value[is_home_all].sum()),
        "exports_in_changed_markets_usd": float(base.sum()),
        "total_effect_usd": float(total.sum()),
        "losses_usd": float(total[total < 0].sum()),
        "gains_usd": float(total[total > 0].sum()),
        "own_tariff_effect_usd": float(own.sum()),
        "rival_tariff_effect_usd": float(others.sum()),
        "own_tariffs_alone_usd": float(own_alone.sum()),
        "rival_tariffs_alone_usd": float(others_alone.sum()),
        "rate_level_effect_usd": float(level.sum()),
        "rate_gap_effect_usd": float(gap.sum()),
        "decomposition": "Shapley (own, rivals); sequential, level first (level, gap)",
        "explanation": HOME_EXPLANATION,
    }
    if bands is not None:
        runs = [total, *(b[is_home] for b in bands.values())]
        columns["total_effect_low_usd"] = np.minimum.reduce(runs)
        columns["total_effect_high_usd"] = np.maximum.reduce(runs)
        sums = [float(r.sum()) for r in runs]
        info["total_effect_low_usd"] = min(sums)
        info["total_effect_high_usd"] = max(sums)
    if flags is not None:
        columns["flags"] = np.asarray(flags)[is_home]
    frame = pd.DataFrame(columns).sort_values("total_effect_usd", kind="stable")
    return info, frame.reset_index(drop=True)
