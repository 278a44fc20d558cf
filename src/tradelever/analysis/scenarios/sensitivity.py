"""Sensitivity of a scenario's effects to the elasticities: a sigma band and Monte Carlo.

Sigma band (always). Two more runs with the substitution elasticity's trade elasticity
sigma - 1 halved and doubled (the same range the leverage rows use)::

    sigma_low  = 1 + (sigma - 1) / 2,   sigma_high = 1 + 2 (sigma - 1)    (sigma > 1)
    sigma_low  = sigma / 2,             sigma_high = 2 sigma              (sigma <= 1)

A row's band is the lowest and highest of its total effect over the three runs; a total's
band is the lowest and highest of the totals of the three runs (a total's band is not the
sum of the rows' bands). Effects are not always monotone in sigma (a supplier can gain
diversion in one market and lose it in another), hence min and max rather than the
low/high runs themselves.

Monte Carlo (``draws`` > 0). See :mod:`tradelever.analysis.scenarios.uncertainty`: every
elasticity multiplied by a log-normal factor per draw; p5, p50 and p95 of the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.prepare import Elasticities, Prepared, check_mode, solve
from tradelever.analysis.scenarios.uncertainty import draw_elasticities, percentiles
from tradelever.errors import InputError

__all__ = ["MAX_DRAWS", "DrawSums", "check_draws", "draw_ranges", "sigma_band", "sigma_range"]

MAX_DRAWS = 10_000
"""Most draws accepted: p5 and p95 are stable to well under 1% of the range long before."""
Progress = Callable[[int, int], None]
_MAX_ROW_DRAW_CELLS = 20_000_000


def check_draws(draws: Any) -> int:
    """Validate the number of Monte Carlo draws (0 to :data:`MAX_DRAWS`).

    Raises
    ------
    InputError
        ``--draws: must be a whole number from 0 to 10000, got -3``.
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)):
        if isinstance(draws, float) and draws.is_integer():
            draws = int(draws)
        else:
            raise InputError(
                f"--draws: must be a whole number from 0 to {MAX_DRAWS}, got {draws!r}"
            )
    if not 0 <= int(draws) <= MAX_DRAWS:
        raise InputError(f"--draws: must be a whole number from 0 to {MAX_DRAWS}, got {draws}")
    return int(draws)


def sigma_range(sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigma_low, sigma_high): sigma - 1 halved and doubled (sigma / 2, 2 sigma if <= 1)."""
    sigma = np.asarray(sigma, dtype=float)
    above = sigma > 1.0
    low = np.where(above, 1.0 + 0.5 * (sigma - 1.0), 0.5 * sigma)
    high = np.where(above, 1.0 + 2.0 * (sigma - 1.0), 2.0 * sigma)
    return low, high


def sigma_band(p: Prepared, mode: str) -> dict[str, np.ndarray]:
    """Total effects of the kept rows at sigma_low and sigma_high (keys ``low``, ``high``).

    Only the totals are kept, so the band costs two solves but no more memory than two
    row arrays.
    """
    sigma, eps_m, eps_x = p.elasticities()
    low, high = sigma_range(sigma)
    out = {"low": solve(p, mode, elasticities=(low, eps_m, eps_x)).total}
    del low
    out["high"] = solve(p, mode, elasticities=(high, eps_m, eps_x)).total
    return out


class DrawSums:
    """Per-draw totals of a run added up over its chunks, and their percentiles.

    Percentiles of a sum are not sums of percentiles, so each chunk contributes its total
    per draw (world, per exporter, home's rows) and the percentiles are taken once, on the
    sums (:meth:`outcome`): the same figures as one pass over every market.
    """

    def __init__(self, scenario: Scenario, n: int, home: str | None, exporters: np.ndarray) -> None:
        self.scenario = scenario
        self.n = n
        self.home = home
        self.exporters = exporters
        self.draws = draw_elasticities(scenario.elasticities.uncertainty, n)
        self.by_exp = np.zeros((n, len(exporters)))
        self.world = np.zeros(n)
        self.rows_solved = 0
        self.home_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = []

    def add(self, p: Prepared, mode: str, progress: Progress | None = None) -> None:
        """Solve every draw on the chunk ``p`` and add its totals.

        With a home country only the markets home supplies are solved (the others do not
        change home's figures). ``progress(i)`` is called after draw ``i`` (1-based).
        """
        rows, k, n, home = p.rows, p.k, self.n, self.home
        exp_idx = rows.exp_idx[k]
        n_exp = len(rows.exp_u)
        sub = np.ones(len(p.market), dtype=bool)
        if home is not None:
            home_markets = np.unique(p.market[rows.exp_u[exp_idx] == home])
            sub = np.isin(p.market, home_markets)
        market = np.searchsorted(np.unique(p.market[sub]), p.market[sub])
        n_m = int(market.max()) + 1 if len(market) else 0
        n_rows = int(sub.sum())
        self.rows_solved += n_rows
        keep_rows = home is not None and self.rows_solved * n <= _MAX_ROW_DRAW_CELLS
        if not keep_rows:
            self.home_rows = None
        is_home = rows.exp_u[exp_idx[sub]] == home if home is not None else None
        row_totals = (
            np.zeros((n, int(is_home.sum())))
            if self.home_rows is not None and is_home is not None
            else None
        )
        if n_rows:
            args = (p.kept(p.value)[sub], p.kept(p.t0)[sub], p.kept(p.t1)[sub])
            sigma, eps_m, eps_x = (e[sub] for e in p.elasticities())
            model = check_mode(mode)
            exp_sub = exp_idx[sub]
            for i in range(n):
                el: Elasticities = self.draws.apply(i, sigma, eps_m, eps_x)
                res = model(market, *args, *el, n_markets=n_m)
                self.by_exp[i] += np.bincount(exp_sub, weights=res.total, minlength=n_exp)
                self.world[i] += res.total.sum()
                if row_totals is not None:
                    row_totals[i] = res.total[is_home]
                if progress is not None:
                    progress(i + 1)
        elif progress is not None:
            progress(n)
        if row_totals is not None and self.home_rows is not None and is_home is not None:
            imp = rows.imp_u[rows.imp_idx[k][sub][is_home]]
            code = rows.code_u[rows.code_idx[k][sub][is_home]]
            self.home_rows.append((imp, code, row_totals))

    def outcome(self) -> dict[str, Any]:
        """Percentiles over the draws: world, per exporter, home and (if small) home's rows."""
        n, by_exp, home = self.n, self.by_exp, self.home
        exp_p = percentiles(by_exp, axis=0)
        exporters = [
            {
                "exporter": self.exporters[j],
                "total_effect_p5_usd": exp_p["p5"][j],
                "total_effect_p50_usd": exp_p["p50"][j],
                "total_effect_p95_usd": exp_p["p95"][j],
            }
            for j in np.argsort(exp_p["p50"])
            if np.any(by_exp[:, j] != 0)
        ]
        unc = self.scenario.elasticities.uncertainty
        outcome: dict[str, Any] = {
            "draws": n,
            "scope": "markets supplied by home" if home is not None else "all changed markets",
            "factors_p5_p95": {
                "substitution_minus_one": list(unc.substitution),
                "import_demand": list(unc.import_demand),
                "export_supply": list(unc.export_supply),
            },
            "seed": unc.seed,
            "total_effect_usd": {q: float(v) for q, v in percentiles(self.world).items()},
            "exporters": exporters,
        }
        if home is not None:
            j = np.flatnonzero(self.exporters == home)
            if len(j):
                outcome["home_total_effect_usd"] = {
                    q: float(v) for q, v in percentiles(by_exp[:, j[0]]).items()
                }
            if self.home_rows is not None:
                imp = np.concatenate([h[0] for h in self.home_rows] or [np.zeros(0, object)])
                code = np.concatenate([h[1] for h in self.home_rows] or [np.zeros(0, object)])
                totals = np.concatenate(
                    [h[2] for h in self.home_rows] or [np.zeros((n, 0))], axis=1
                )
                rp = percentiles(totals, axis=0)
                outcome["home_rows"] = [
                    {
                        "importer": imp[r],
                        "code": code[r],
                        "total_effect_p5_usd": rp["p5"][r],
                        "total_effect_p50_usd": rp["p50"][r],
                        "total_effect_p95_usd": rp["p95"][r],
                    }
                    for r in np.argsort(rp["p50"])
                ]
        return outcome


def draw_ranges(
    p: Prepared,
    mode: str,
    scenario: Scenario,
    n: int,
    home: str | None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Percentiles over elasticity draws: world, per exporter, home and (if small) rows.

    With a home country only the markets home supplies are solved (the others do not
    change home's figures). One chunk (or the whole run); see :class:`DrawSums`.
    """
    sums = DrawSums(scenario, n, home, p.rows.exp_u)
    sums.add(p, mode, None if progress is None else lambda i: progress(i, n))
    return sums.outcome()
