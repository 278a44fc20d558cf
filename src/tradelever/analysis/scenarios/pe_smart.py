"""WITS-SMART partial equilibrium, vectorised over every (importer, product) market.

Notation (Jammes and Olarreaga 2005, "Explaining SMART and GSIM"; Laird and Yeats 1986,
UNCTAD Discussion Paper, Annex I; WITS online help, SMART pages). In one market (importer
j, product k), source c ships M_c (US$, world prices normalised to 1 so values act as
quantities) at tariff t_c, changing to t_c'; p_c = (t_c' - t_c) / (1 + t_c) is the
proportional change in the consumer price of c's goods; ε_m < 0 import demand elasticity,
ε_x > 0 export supply elasticity (infinite = perfectly elastic, SMART's default of 99),
σ the substitution elasticity between sources; T = Σ_c M_c.

Trade creation (own tariff change)::

    TC_c = ε_m · M_c · p_c / (1 - ε_m / ε_x)

Trade diversion (Laird-Yeats). With k the source whose tariff changes and K the composite
of the others, r = Δ(P_k/P_K)/(P_k/P_K), the Laird-Yeats formula is::

    TD_k = M_k · M_K · σ · r / (M_k + M_K + M_K · σ · r)      (imports K gains from k)

It is the exact solution of "the ratio M_K / M_k rises by the factor (1 + σ r) at
unchanged total imports". Written per source, that is one rule for any number of sources::

    d_c   = 1 + σ · p_c
    M^D_c = T · (M_c / d_c) / Σ_l (M_l / d_l)                 (imports after diversion)
    TD_c  = M^D_c - M_c

With one source (or a group of sources at one rate) changing, this *is* Laird-Yeats, for
an increase (k loses TD_k) and for a cut (k gains -TD_k, i.e. M_k M_K σ |r| /
(M_k + M_K - M_K σ |r|)). A cut with σ |p_k| >= 1 would, in the formula, take more than
the others sell (its denominator reaches zero): WITS caps diversion at existing trade, so
the sources with d_c <= 0 take the whole market (shared in proportion to their imports).
Properties: Σ_c TD_c = 0 in every market; 0 <= M^D_c <= T; a change common to every source
diverts nothing (TD is set to exactly 0 where every d_c is equal, to 1e-12); a source's M^D_c falls
as its own rate rises and rises with any other source's rate; losses are shared by the
sources with the same price change in proportion to their imports (WITS: "in proportion
to their initial import shares").

Joint bound (creation and diversion together). SMART computes both effects on the initial
flows. For large changes the sum can exceed the trade there is (creation alone is -M_c
once ε_m p_c <= -1). Diversion is within existing trade by construction; creation is then
capped at what diversion leaves::

    TC_c := max(TC_c, -(M_c + TD_c))        so that M_c' = M_c + TC_c + TD_c >= 0

Rows where the cap binds are reported in ``bounded``. Where it does not bind (every
ordinary case) the numbers are SMART's exactly.

Revenue and welfare (per market, US$)::

    R_0 = Σ_c t_c · M_c,   R_1 = Σ_c t_c' · M_c'   (M_c' the rows' new imports, >= 0)
    ΔR  = R_1 - R_0        so R_1 >= 0 and ΔR >= -R_0: revenue can fall (imports falling
                           faster than the rate rises) but never below zero; from zero
                           rates (R_0 = 0) a tariff increase never lowers revenue
    W   = Σ_c ½ · (t_c - t_c') · |TC_c|    (change in the dead-weight-loss triangle:
                                             positive for a tariff cut, negative for a rise)

SMART mode reports no export price change (``export_price_change`` is 0): with a finite ε_x
the supply response is already netted in TC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PEOutcome", "empty_outcome", "smart"]

_SAME = 1e-12  # relative price factors closer than this are the same (rounding of 1 + t)


@dataclass(frozen=True)
class PEOutcome:
    """Row and market results of a partial-equilibrium run (US$ unless stated).

    Row arrays (one per supplier-market row): ``creation``, ``diversion``, ``total``,
    ``export_price_change`` (proportional; 0 with perfectly elastic supply), ``bounded``
    (True where a bound on the new imports was applied; all False for CES, whose imports
    stay positive by construction).
    Market arrays (index = market id): ``market_baseline``, ``market_total``,
    ``revenue_change``, ``welfare``, ``consumer_surplus`` (NaN where the model has none),
    ``price_index_change`` (proportional, consumer prices; NaN where not defined).
    """

    creation: np.ndarray
    diversion: np.ndarray
    total: np.ndarray
    export_price_change: np.ndarray
    market_baseline: np.ndarray
    market_total: np.ndarray
    revenue_change: np.ndarray
    welfare: np.ndarray
    consumer_surplus: np.ndarray
    price_index_change: np.ndarray
    bounded: np.ndarray | None = None


def _msum(market: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sum of ``values`` per market id, as floats (also for empty input)."""
    out = np.bincount(market, weights=values, minlength=n)
    return out if out.dtype == np.float64 else out.astype(np.float64)


def _n_markets(market: np.ndarray, n_markets: int | None) -> int:
    if n_markets is not None:
        return int(n_markets)
    return int(market.max()) + 1 if len(market) else 0


def empty_outcome(n_markets: int = 0) -> PEOutcome:
    """The outcome of a run with no rows: every effect zero (no market changes)."""
    rows = np.zeros(0)
    zeros = np.zeros(n_markets)
    return PEOutcome(
        creation=rows,
        diversion=rows,
        total=rows,
        export_price_change=rows,
        market_baseline=zeros,
        market_total=zeros,
        revenue_change=zeros,
        welfare=zeros,
        consumer_surplus=np.full(n_markets, np.nan),
        price_index_change=np.full(n_markets, np.nan),
        bounded=np.zeros(0, dtype=bool),
    )


def first_row(market: np.ndarray, n: int) -> np.ndarray:
    """Index of the first row of each market (-1 for a market without rows)."""
    first = np.full(n, -1, dtype=np.int64)
    first[market[::-1]] = np.arange(len(market), dtype=np.int64)[::-1]
    return first


def laird_yeats_diversion(
    market: np.ndarray, M: np.ndarray, p: np.ndarray, sigma: np.ndarray, n: int
) -> np.ndarray:
    """TD_c of the module docstring: imports after diversion less initial imports (US$).

    Parameters
    ----------
    market
        Market id of each row.
    M
        Initial imports (US$, >= 0).
    p
        Proportional price change of each source, (t' - t) / (1 + t).
    sigma
        Substitution elasticity (constant within a market).
    n
        Number of markets.
    """
    d = 1.0 + sigma * p
    blocked = d <= 0.0
    if blocked.any():
        # A cut with sigma * |p| >= 1: those sources take the whole market (the ceiling).
        any_blocked = _msum(market, blocked.astype(np.float64), n) > 0
        in_blocked = any_blocked[market]
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(in_blocked, np.where(blocked, M, 0.0), M / np.where(blocked, 1, d))
    else:
        weight = M / d
    total = _msum(market, M, n)
    wsum = _msum(market, weight, n)
    scale = np.divide(total, wsum, out=np.zeros(n), where=wsum > 0)
    diversion = weight * scale[market]
    diversion -= M
    # No relative price change in a market (every d equal to rounding, one source, or no
    # change at all): exactly no diversion, without rounding noise.
    relative = _moved(market, d, n)
    if not relative.all():
        diversion[~relative[market]] = 0.0
    return diversion


def _moved(market: np.ndarray, d: np.ndarray, n: int) -> np.ndarray:
    """Markets whose d values are not all equal (to a relative ``_SAME``)."""
    if len(market) > 1 and bool(np.all(market[1:] >= market[:-1])):
        # rows grouped by market (as a scenario run lays them out): min and max per run
        starts = np.flatnonzero(np.r_[True, market[1:] != market[:-1]])
        lo = np.minimum.reduceat(d, starts)
        hi = np.maximum.reduceat(d, starts)
        out = np.zeros(n, dtype=bool)
        out[market[starts]] = hi - lo > _SAME * np.maximum(np.abs(lo), 1.0)
        return out
    ref = d[first_row(market, n)[market]]
    moved = np.abs(d - ref) > _SAME * np.maximum(np.abs(ref), 1.0)
    return _msum(market, moved.astype(np.float64), n) > 0


def smart(
    market: np.ndarray,
    imports: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    sigma: np.ndarray,
    eps_m: np.ndarray,
    eps_x: np.ndarray,
    n_markets: int | None = None,
) -> PEOutcome:
    """Run SMART on every market at once.

    Parameters
    ----------
    market
        Market id (0..n-1) of each row; rows of one market are its sources.
    imports
        M_c, initial imports (US$, >= 0).
    t0, t1
        Initial and new ad valorem rates (fractions, >= 0).
    sigma, eps_m, eps_x
        Elasticities per row (constant within a market); ``eps_x`` may be ``inf``.
    n_markets
        Number of markets (default ``market.max() + 1``).

    Returns
    -------
    PEOutcome
        See the module docstring for the formulas and the bound; ``consumer_surplus`` and
        ``price_index_change`` are NaN (SMART has none).
    """
    market = np.asarray(market, dtype=np.int64)
    M = np.asarray(imports, dtype=float)
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), M.shape)
    eps_m = np.broadcast_to(np.asarray(eps_m, dtype=float), M.shape)
    eps_x = np.broadcast_to(np.asarray(eps_x, dtype=float), M.shape)
    n = _n_markets(market, n_markets)
    if len(M) == 0:
        return empty_outcome(n)
    dt = t1 - t0
    p = dt / (1.0 + t0)
    creation = eps_m * M
    creation *= p
    finite = ~np.isinf(eps_x)
    if finite.any():
        creation[finite] /= 1.0 - eps_m[finite] / eps_x[finite]
    creation += 0.0  # turn -0.0 (no change times a negative elasticity) into 0.0
    diversion = laird_yeats_diversion(market, M, p, sigma, n)
    total = creation + diversion
    # Joint bound: creation acts on what diversion leaves, never below zero imports.
    bounded = total < -M
    if bounded.any():
        creation[bounded] = -M[bounded] - diversion[bounded]
        total[bounded] = -M[bounded]
    new = M + total
    revenue = _msum(market, t1 * new - t0 * M, n)
    welfare = _msum(market, -0.5 * dt * np.abs(creation), n)
    return PEOutcome(
        creation=creation,
        diversion=diversion,
        total=total,
        export_price_change=np.zeros_like(M),
        market_baseline=_msum(market, M, n),
        market_total=_msum(market, total, n),
        revenue_change=revenue,
        welfare=welfare,
        consumer_surplus=np.full(n, np.nan),
        price_index_change=np.full(n, np.nan),
        bounded=bounded,
    )
