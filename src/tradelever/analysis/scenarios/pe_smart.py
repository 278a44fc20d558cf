"""WITS-SMART partial equilibrium, vectorised over every (importer, product) market.

Notation (Jammes and Olarreaga 2005, the WITS-SMART reference; Laird and Yeats
1986). In one market (importer j, product k), source c ships M_c (US$, world prices
normalised to 1 so values act as quantities) at tariff t_c, changing to t_c'; Δt_c =
t_c' - t_c; ε_m < 0 import demand elasticity, ε_x > 0 export supply elasticity (infinite =
perfectly elastic, SMART's default of 99), σ the substitution elasticity between sources.

Trade creation (own tariff change)::

    TC_c = ε_m · M_c · Δt_c / [ (1 + t_c) · (1 - ε_m / ε_x) ]

Trade diversion (Laird-Yeats). For each source k against the composite K of all other
sources, with P = 1 + t averaged over K with initial import weights:

    r_k = [(1 + t_k') / (1 + t_k)] / [P_K' / P_K] - 1        (relative price change of k)
    L_k = M_k · M_K · σ · r_k / (M_k + M_K + M_K · σ · r_k)   (imports k loses to K)

which never exceeds existing trade (for r_k > 0 the denominator exceeds M_k + M_K, so
0 < L_k < M_k: the ceiling is approached but not passed). Sources whose relative price
rose (r_k > 0) lose L_k; the total lost in the market goes to the sources whose relative price fell
(r_c < 0) in proportion to their initial imports:

    TD_c = -L_c                                       if r_c > 0
    TD_c = (Σ_k L_k) · M_c / Σ_{l: r_l < 0} M_l       if r_c < 0
    TD_c = 0                                          if r_c = 0

so Σ_c TD_c = 0 in every market, a tariff change common to all sources diverts nothing
(every r = 0), and with one source whose tariff changes the result is exactly the
two-source Laird-Yeats formula with the gain shared by the others pro rata. With several
sources changing, each loser's loss is measured against the composite of all the others
at their new rates (a documented extension: WITS runs one market and one shock at a
time).

Revenue and welfare (per market, US$):

    ΔR = Σ_c t_c' · (M_c + TC_c + TD_c) - Σ_c t_c · M_c
    W  = Σ_c ½ · (t_c - t_c') · |TC_c|     (change in the dead-weight-loss triangle:
                                             positive for a tariff cut, negative for a rise)

Trade creation is floored at -M_c (imports cannot be negative). As in WITS, creation and
diversion are computed independently on the initial flows, so for large increases
creation + diversion can exceed the initial trade; the CES mode has no such limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PEOutcome", "smart"]


@dataclass(frozen=True)
class PEOutcome:
    """Row and market results of a partial-equilibrium run (US$ unless stated).

    Row arrays (one per supplier-market row): ``creation``, ``diversion``, ``total``,
    ``export_price_change`` (proportional; 0 with perfectly elastic supply).
    Market arrays (index = market id): ``baseline``, ``total``, ``revenue_change``,
    ``welfare``, ``consumer_surplus`` (NaN where the model has none),
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


def _msum(market: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(market, weights=values, minlength=n)


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
        Initial and new ad valorem rates (fractions).
    sigma, eps_m, eps_x
        Elasticities per row (constant within a market); ``eps_x`` may be ``inf``.
    n_markets
        Number of markets (default ``market.max() + 1``).

    Returns
    -------
    PEOutcome
        See the module docstring for the formulas.
    """
    market = np.asarray(market, dtype=np.int64)
    M = np.asarray(imports, dtype=float)
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    n = int(market.max()) + 1 if n_markets is None and len(market) else int(n_markets or 0)
    # Arrays are reused in place (out=...) to keep the memory touched per row small: on
    # ten million rows every temporary costs about 0.1 s.
    dt = t1 - t0
    g0 = 1.0 + t0
    creation = eps_m * M
    creation *= dt
    creation /= g0
    if not np.isinf(eps_x).all():
        finite = ~np.isinf(eps_x)
        creation[finite] /= 1.0 - eps_m[finite] / eps_x[finite]
    np.maximum(creation, -M, out=creation)
    creation += 0.0  # turn -0.0 (no change times a negative elasticity) into 0.0

    # Relative price of each source against the composite of the others:
    # P_K = (S - M_k g_k) / M_K with S = sum of M g over the market, so
    # r_k = (g1_k / g0_k) / (P1_K / P0_K) - 1 = g1_k (S0 - M_k g0_k) / (g0_k (S1 - M_k g1_k)) - 1
    g1 = 1.0 + t1
    buf = M * g0
    rest0 = _msum(market, buf, n)[market]
    rest0 -= buf
    np.multiply(M, g1, out=buf)
    rest1 = _msum(market, buf, n)[market]
    rest1 -= buf
    m_tot = _msum(market, M, n)
    mk = m_tot[market]
    mk -= M
    sole = (mk <= 0) | (rest1 <= 0)  # a sole supplier has no one to divert to
    r = rest0
    r *= g1
    np.multiply(g0, rest1, out=buf)
    with np.errstate(divide="ignore", invalid="ignore"):
        r /= buf
    r -= 1.0
    r[sole] = 0.0
    del rest1, g0, g1
    rises = r > 0
    falls = r < 0
    # For r > 0 the denominator exceeds M + M_K, so 0 < L < M: the loss never exceeds trade.
    x = mk
    x *= sigma
    x *= r  # x = M_K sigma r (overwrites mk, not needed any more)
    denom = m_tot[market]  # M + M_K
    denom += x
    loss = x
    loss *= M
    loss /= denom
    loss[~rises] = 0.0
    # The imports lost by sources whose relative price rose go to the sources whose
    # relative price fell, in proportion to their initial imports.
    gainer = np.where(falls, M, 0.0)
    weight = _msum(market, gainer, n)
    lost = _msum(market, loss, n)
    has_gainer = weight > 0
    share = np.where(has_gainer, lost / np.where(has_gainer, weight, 1.0), 0.0)
    diversion = share[market]
    diversion *= gainer
    diversion -= loss
    # A market where some relative prices rose must have some that fell; if rounding left
    # no gainer, return the loss (no diversion) to keep the sum at zero.
    if not has_gainer.all():
        diversion *= has_gainer[market]
    total = creation + diversion
    np.add(M, total, out=buf)
    buf *= t1
    buf -= t0 * M
    revenue = _msum(market, buf, n)
    np.abs(creation, out=buf)
    buf *= dt
    buf *= -0.5
    welfare = _msum(market, buf, n)
    return PEOutcome(
        creation=creation,
        diversion=diversion,
        total=total,
        export_price_change=np.zeros_like(M),
        market_baseline=m_tot,
        market_total=_msum(market, total, n),
        revenue_change=revenue,
        welfare=welfare,
        consumer_surplus=np.full(n, np.nan),
        price_index_change=np.full(n, np.nan),
    )
