"""A scenario laid on the flows: rates, elasticities and market ids, ready to solve.

:func:`prepare` turns a flows frame (importer, exporter, code, value) and a scenario into
integer-indexed arrays: the baseline and scenario rates of every row
(:func:`~tradelever.analysis.scenarios.rates.schedule`), the elasticities of its code
(:func:`~tradelever.analysis.scenarios.rates.code_elasticities`) and a market id per
(importer, product). Markets where no rate changes are dropped before solving; every
other market is solved at once by :func:`solve` with the chosen model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.scenarios.baseline import Baseline, BaselineSpec
from tradelever.analysis.scenarios.flows import category_codes
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.pe_ces import ces
from tradelever.analysis.scenarios.pe_smart import PEOutcome, smart
from tradelever.analysis.scenarios.rates import (
    Elasticity,
    RowIndex,
    ScheduleLines,
    code_elasticities,
    schedule,
)
from tradelever.analysis.scenarios.selectors import Notes
from tradelever.errors import InputError

__all__ = [
    "MODES",
    "Elasticities",
    "Mode",
    "Prepared",
    "Universe",
    "check_mode",
    "market_rows",
    "prepare",
    "solve",
]

Mode = Literal["ces", "smart"]
MODES: tuple[str, ...] = ("ces", "smart")
Elasticities = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(sigma, import demand, export supply) per kept row."""
Universe = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Unique importers, exporters and codes of a whole run (arrays of strings)."""


def check_mode(mode: str) -> Callable[..., PEOutcome]:
    """The model function of ``mode`` (``ces`` or ``smart``).

    Raises
    ------
    InputError
        ``--mode: 'gtap' is not one of ces, smart``.
    """
    if mode == "smart":
        return smart
    if mode == "ces":
        return ces
    raise InputError(f"--mode: {mode!r} is not one of {', '.join(MODES)}")


@dataclass(frozen=True)
class Prepared:
    """A scenario on the rows of a data set.

    Arrays over all rows: ``value`` (US$), ``t0``, ``t1``, ``sigma``, ``eps_m``, ``eps_x``.
    ``keep`` marks the rows of markets where some rate changes; ``market`` is the market
    id (0..n_markets-1) of each kept row, in (importer, product) order. ``elasticity``: the
    elasticities of every unique code (reused by the next chunk of a run).
    """

    rows: RowIndex
    value: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    sigma: np.ndarray
    eps_m: np.ndarray
    eps_x: np.ndarray
    sigma_source: np.ndarray
    keep: np.ndarray
    market: np.ndarray
    n_markets: int
    baseline: Baseline
    all_kept: bool = False
    elasticity: Elasticity | None = None

    @property
    def k(self) -> slice | np.ndarray:
        """Index of the kept rows (a slice when all are kept: no copies)."""
        return slice(None) if self.all_kept else self.keep

    def kept(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per row) on the kept rows."""
        return values[self.k]

    def elasticities(self) -> Elasticities:
        """The elasticities of the kept rows."""
        return self.kept(self.sigma), self.kept(self.eps_m), self.kept(self.eps_x)


def _codes_in(column: pd.Series, universe: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column into ``universe`` (default: the column's own uniques)."""
    idx, uniques = category_codes(column)
    if universe is None:
        return idx, uniques
    where = pd.Index(universe).get_indexer(pd.Index(uniques))
    if len(where) and where.min() < 0:
        missing = uniques[where < 0][0]
        raise ValueError(f"{column.name}: {missing!r} is not in the run's codes")
    return where.astype(np.int64)[idx], universe


def prepare(
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    industry_level: bool,
    classification: str,
    notes: Notes,
    baseline: BaselineSpec = None,
    lines: ScheduleLines | None = None,
    universe: Universe | None = None,
    elasticities: Elasticity | None = None,
) -> Prepared:
    """Lay a scenario on a flows frame (``importer``, ``exporter``, ``code``, ``value``).

    ``lines``: the US schedule on a date at the data's product level, for ``on: DATE``
    (:data:`~tradelever.analysis.scenarios.rates.ScheduleLines`).

    ``universe``: the importers, exporters and codes of the whole run when ``frame`` is one
    chunk of it (whole importers; :class:`~tradelever.analysis.scenarios.flows.FlowChunks`).
    Every chunk is then indexed into the same unique codes, so selectors, elasticities and
    notes resolve exactly as on the whole run; ``elasticities`` are those of the universe's
    codes, computed once for every chunk.

    Raises
    ------
    InputError
        From the schedule (unknown selectors, negative rates, unknown baseline).
    """
    imp_idx, imp_u = _codes_in(frame[f.IMPORTER], None if universe is None else universe[0])
    exp_idx, exp_u = _codes_in(frame[f.EXPORTER], None if universe is None else universe[1])
    code_idx, code_u = _codes_in(frame["code"], None if universe is None else universe[2])
    rows = RowIndex(
        imp_idx=imp_idx,
        imp_u=imp_u,
        exp_idx=exp_idx,
        exp_u=exp_u,
        code_idx=code_idx,
        code_u=code_u,
        industry_level=industry_level,
        classification=classification,
    )
    sched = schedule(scenario, rows, notes, baseline, lines)
    t0, t1, reference = sched.t0, sched.t1, sched.baseline
    del sched  # the duties per basis are not needed here
    # (importer, code) cells counted from the chunk's first importer: a chunk of a few
    # importers spans a few of them x the codes, not every importer of the run before it
    first = int(rows.imp_idx.min()) if len(rows.imp_idx) else 0
    market_all = (rows.imp_idx - first).astype(np.int64)
    market_all *= max(len(code_u), 1)
    market_all += rows.code_idx
    n_all = int(market_all.max()) + 1 if len(market_all) else 0
    market_changed = np.zeros(n_all, dtype=bool)
    market_changed[market_all[t0 != t1]] = True
    keep = market_changed[market_all]
    new_id = np.cumsum(market_changed) - 1  # ids of changed markets, in market order
    market = new_id[market_all[keep]]
    del market_all, new_id
    n_changed = int(market_changed.sum())
    el = elasticities or code_elasticities(scenario, rows.code_u, classification, notes)
    cidx = rows.code_idx
    return Prepared(
        rows=rows,
        value=frame["value"].to_numpy(dtype=float),
        t0=t0,
        t1=t1,
        sigma=el.sigma[cidx],
        eps_m=el.import_demand[cidx],
        eps_x=el.export_supply[cidx],
        sigma_source=el.sigma_source,
        keep=keep,
        market=market.astype(np.int64, copy=False),
        n_markets=n_changed,
        baseline=reference,
        all_kept=bool(keep.all()) and len(keep) > 0,
        elasticity=el,
    )


def solve(
    p: Prepared,
    mode: str,
    *,
    t1: np.ndarray | None = None,
    elasticities: Elasticities | None = None,
    rows: np.ndarray | None = None,
) -> PEOutcome:
    """Solve the changed markets of ``p`` (all, or those of ``rows``) with ``mode``'s model.

    Parameters
    ----------
    p
        The prepared scenario.
    mode
        ``ces`` or ``smart``.
    t1
        New rates over all rows (default ``p.t1``): the home view solves with some rows at
        their baseline rates.
    elasticities
        (sigma, eps_m, eps_x) over the kept rows (default ``p``'s): sensitivity runs.
    rows
        Boolean mask over the kept rows that selects whole markets (markets are
        independent, so solving a subset gives the same numbers for it); the outcome's
        row arrays are then over those rows and its markets renumbered in order.
    """
    sigma, eps_m, eps_x = p.elasticities() if elasticities is None else elasticities
    arrays = [p.kept(p.value), p.kept(p.t0), p.kept(p.t1 if t1 is None else t1)]
    arrays += [sigma, eps_m, eps_x]
    market, n = p.market, p.n_markets
    if rows is not None:
        ids = np.unique(p.market[rows])
        market = np.searchsorted(ids, p.market[rows])
        n = len(ids)
        arrays = [a[rows] for a in arrays]
    value, t0, t1k, sigma, eps_m, eps_x = arrays
    return check_mode(mode)(market, value, t0, t1k, sigma, eps_m, eps_x, n_markets=n)


def market_rows(p: Prepared, selected: np.ndarray) -> np.ndarray:
    """Mask over the kept rows of every market that has a ``selected`` row."""
    hit = np.zeros(p.n_markets, dtype=bool)
    hit[p.market[selected]] = True
    return hit[p.market]
