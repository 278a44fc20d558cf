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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradelever.analysis.scenarios.pe_smart import PEOutcome
from tradelever.analysis.scenarios.prepare import Prepared, market_rows, solve

__all__ = [
    "HOME_EXPLANATION",
    "HomePart",
    "combine_home",
    "home_part",
    "home_view",
    "shapley_two",
    "uniform_rates",
]

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


@dataclass
class HomePart:
    """Home's rows and sums on one chunk of a run (:func:`home_part`).

    ``columns``: one array per column over home's rows in the chunk; ``sums``: the
    additive figures of the summary; ``runs``: home's total effect in each sensitivity run
    (central first; empty without a band), summed over chunks before the band's min/max.
    """

    columns: dict[str, Any]
    sums: dict[str, float]
    runs: list[float] = field(default_factory=list)


_SUMS = (
    "exports_to_importers_usd",
    "exports_in_changed_markets_usd",
    "total_effect_usd",
    "losses_usd",
    "gains_usd",
    "own_tariff_effect_usd",
    "rival_tariff_effect_usd",
    "own_tariffs_alone_usd",
    "rival_tariffs_alone_usd",
    "rate_level_effect_usd",
    "rate_gap_effect_usd",
)


def home_part(
    p: Prepared,
    mode: str,
    out: PEOutcome,
    home: str,
    descriptions: dict[str, str],
    *,
    bands: dict[str, np.ndarray] | None = None,
    flags: pd.Categorical | None = None,
) -> HomePart:
    """Home's rows and sums on ``p`` (one chunk, or the whole run); see :func:`home_view`."""
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
        "description": np.asarray([descriptions.get(c, "") for c in code], dtype=object),
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
    values = (
        p.value[is_home_all].sum(),
        base.sum(),
        total.sum(),
        total[total < 0].sum(),
        total[total > 0].sum(),
        own.sum(),
        others.sum(),
        own_alone.sum(),
        others_alone.sum(),
        level.sum(),
        gap.sum(),
    )
    sums = {k: float(v) for k, v in zip(_SUMS, values, strict=True)}
    runs: list[float] = []
    if bands is not None:
        band_runs = [total, *(b[is_home] for b in bands.values())]
        columns["total_effect_low_usd"] = np.minimum.reduce(band_runs)
        columns["total_effect_high_usd"] = np.maximum.reduce(band_runs)
        runs = [float(r.sum()) for r in band_runs]
    if flags is not None:
        columns["flags"] = np.asarray(flags)[is_home]
    return HomePart(columns, sums, runs)


def combine_home(home: str, parts: list[HomePart]) -> tuple[dict[str, Any], pd.DataFrame]:
    """Home's summary and rows from the parts of every chunk of one run.

    Sums add up; the band of the total is the lowest and highest over the runs of the
    totals of each run (each run summed over the chunks first), as on the whole run.
    The parts' columns are taken (emptied) as the rows are joined.
    """
    info: dict[str, Any] = {"home": home}
    for key in _SUMS:
        info[key] = float(sum(part.sums[key] for part in parts))
    info["decomposition"] = "Shapley (own, rivals); sequential, level first (level, gap)"
    info["explanation"] = HOME_EXPLANATION
    banded = [part for part in parts if part.runs]
    if banded:
        n_runs = len(banded[0].runs)
        totals = [0.0] * n_runs
        for part in parts:
            runs = part.runs or [part.sums["total_effect_usd"]] * n_runs
            totals = [t + r for t, r in zip(totals, runs, strict=True)]
        info["total_effect_low_usd"] = min(totals)
        info["total_effect_high_usd"] = max(totals)
    template = banded[0] if banded else parts[0]
    names = list(template.columns)
    filled = [part for part in parts if len(part.columns["total_effect_usd"])] or [template]
    # Most negative total first (stable; NaN last, as sort_values): each column is joined
    # and put in order on its own, so the rows exist once plus one column, not three times.
    total = np.concatenate([part.columns["total_effect_usd"] for part in filled])
    order = np.argsort(total, kind="stable")
    del total
    columns = {}
    for name in names:
        columns[name] = np.concatenate([part.columns.pop(name) for part in filled])[order]
    return info, pd.DataFrame(columns, copy=False)


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
    part = home_part(p, mode, out, home, descriptions, bands=bands, flags=flags)
    return combine_home(home, [part])
