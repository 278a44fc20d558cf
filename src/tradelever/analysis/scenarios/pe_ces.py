r"""CES (Armington) partial equilibrium in exact hat algebra, all markets at once.

One market = importer j, product k; suppliers i; x̂ = x'/x. Data: initial imports M_i at
world prices (US$), tariffs t_i -> t_i'. Parameters: σ > 0 substitution elasticity
between suppliers, ε_m < 0 elasticity of total import demand with respect to the
market's price index, ε_x > 0 export supply elasticity of every supplier (∞ = perfectly
elastic).

Equations (in changes)::

    τ̂_i  = (1 + t_i') / (1 + t_i)                        tariff factor
    w_i  = M_i (1 + t_i) / Σ_l M_l (1 + t_l)             expenditure shares at consumer prices
    P̂    = [ Σ_i w_i (τ̂_i p̂_i)^(1-σ) ]^(1/(1-σ))       CES import price index (σ = 1: geometric)
    Q̂    = P̂^ε_m                                         composite import quantity
    q̂_i  = (τ̂_i p̂_i / P̂)^(-σ) · Q̂                       demand for i's variety
    p̂_i  = q̂_i^(1/ε_x)                                   i's export supply price

Substituting the last two gives p̂_i in closed form for a given P̂::

    ln p̂_i = [ -σ ln τ̂_i + (σ + ε_m) ln P̂ ] / (ε_x + σ)

and P̂ solves a scalar fixed point per market, iterated for all markets together (the map
is a contraction: its slope Σ w' (σ + ε_m)/(ε_x + σ) < 1 because ε_m < 0 < ε_x), with
Steffensen's acceleration because the slope can be close to 1; a run that does not
converge raises instead of returning an unconverged result. With ε_x = ∞, p̂ = 1 and one
step is exact.

Outputs (US$): new imports at world prices M_i' = M_i p̂_i q̂_i; total effect ΔM_i = M_i'
- M_i, split into

    creation   TC_i = s_i · (Σ M' - Σ M)          (i's initial share s_i = M_i / Σ M of the
                                                    change in the market's imports)
    diversion  TD_i = M_i' - s_i · Σ M'           (change in i's share, at new imports)

so TC_i + TD_i = ΔM_i and Σ_i TD_i = 0. Per market:

    tariff revenue change  ΔR  = Σ t_i' M_i' - Σ t_i M_i
    consumer surplus       ΔCS = -E (P̂^(1+ε_m) - 1) / (1 + ε_m)   (ε_m = -1: -E ln P̂)
                           with E = Σ M_i (1 + t_i), the initial spending at consumer prices
    importer welfare       W   = ΔCS + ΔR

For a small tariff change common to all suppliers (ε_x = ∞), ΔM_i ≈ ε_m M_i Δt/(1+t):
SMART's trade creation. For a small change on one supplier, TD_i ≈ -σ M_i (1 - s_i)
Δt/(1+t): SMART's diversion. SMART applies ε_m to each source's own price, CES to the
market price index, so for a change on one supplier the creation terms differ (SMART's
is larger by the factor 1/w_i).
"""

from __future__ import annotations

import numpy as np

from tradelever.analysis.scenarios.pe_smart import PEOutcome, _msum, _n_markets, empty_outcome
from tradelever.errors import TradeleverError

__all__ = ["ces"]

_TOL = 1e-12
_ACCEPT = 1e-9  # a step still above this after _MAX_ITER iterations is a failure, not a result
_MAX_ITER = 200


def _log_price_index(
    market: np.ndarray,
    w: np.ndarray,
    log_cost: np.ndarray,
    one_minus_sigma: np.ndarray,
    n: int,
) -> np.ndarray:
    """Log of the price index change per market (σ = 1: the geometric limit)."""
    sigma_m = np.ones(n)
    sigma_m[market] = one_minus_sigma  # σ is constant within a market
    cd_m = np.abs(sigma_m) < 1e-9
    # No overflow guard needed: |(1-σ) ln ĉ| stays far below 700 for any tariff factor
    # (σ <= 100 and ĉ between 1/6 and 6 give at most about 180).
    if not cd_m.any():
        terms = one_minus_sigma * log_cost  # w exp((1-σ) ln ĉ), in one row array
        np.exp(terms, out=terms)
        terms *= w
        ssum = _msum(market, terms, n)
        del terms
        return np.log(np.where(ssum > 0, ssum, 1.0)) / sigma_m
    cd = cd_m[market]
    safe = np.where(cd, 1.0, one_minus_sigma)
    ssum = _msum(market, np.where(cd, 0.0, w * np.exp(safe * log_cost)), n)
    ces_part = np.log(np.where(ssum > 0, ssum, 1.0)) / np.where(cd_m, 1.0, sigma_m)
    geo = _msum(market, np.where(cd, w * log_cost, 0.0), n)
    return np.where(cd_m, geo, ces_part)


def _finite_supply(
    market: np.ndarray,
    w: np.ndarray,
    ln_tau: np.ndarray,
    oms: np.ndarray,
    sigma: np.ndarray,
    eps_m: np.ndarray,
    eps_x: np.ndarray,
    ln_P: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(ln P̂, ln p̂) with a finite export supply elasticity somewhere: the fixed point."""
    inv_supply = np.where(np.isinf(eps_x), 0.0, 1.0 / np.where(np.isinf(eps_x), 1.0, eps_x))
    # ln p̂ = (-σ lnτ + (σ+ε_m) lnP) · a with a = 1/(ε_x + σ) (0 where ε_x = ∞)
    a = inv_supply / (1.0 + sigma * inv_supply)
    drift = -sigma * ln_tau
    pull = sigma + eps_m

    def step_map(x: np.ndarray) -> np.ndarray:
        return _log_price_index(market, w, ln_tau + a * (drift + pull * x[market]), oms, n)

    # Steffensen's method (Aitken's delta-squared on the fixed-point map): the map is a
    # contraction whose slope can be close to 1 (large sigma, small export supply
    # elasticity), where plain iteration needs thousands of steps; the accelerated
    # iteration converges quadratically, each market on its own.
    step = np.inf
    for _ in range(_MAX_ITER):
        x1 = step_map(ln_P)
        step = float(np.max(np.abs(x1 - ln_P))) if n else 0.0
        if step < _TOL:
            ln_P = x1
            break
        x2 = step_map(x1)
        curve = x2 - 2.0 * x1 + ln_P
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = ln_P - (x1 - ln_P) ** 2 / curve
        ln_P = np.where((np.abs(curve) > 1e-300) & np.isfinite(jump), jump, x2)
    if step >= _ACCEPT:
        raise TradeleverError(
            f"CES model: the price index did not converge in {_MAX_ITER} iterations (last "
            f"change in log P {step:.2e}); the export supply elasticity is too low for the "
            "substitution elasticity: raise elasticities.export_supply or use --mode smart"
        )
    ln_p = a * (-sigma * ln_tau + (sigma + eps_m) * ln_P[market])
    return ln_P, ln_p


def ces(
    market: np.ndarray,
    imports: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    sigma: np.ndarray,
    eps_m: np.ndarray,
    eps_x: np.ndarray,
    n_markets: int | None = None,
) -> PEOutcome:
    """Solve the CES model for every market at once (see the module docstring).

    Parameters
    ----------
    market
        Market id (0..n-1) per row.
    imports
        Initial imports M_i at world prices, US$ (> 0).
    t0, t1
        Initial and new ad valorem rates.
    sigma, eps_m, eps_x
        Per-row elasticities, constant within a market; ``eps_x`` may be ``inf``.
    n_markets
        Number of markets (default ``market.max() + 1``).

    Returns
    -------
    PEOutcome
        ``export_price_change`` is p̂ - 1; ``price_index_change`` is P̂ - 1. New imports
        M_i' = M_i p̂_i q̂_i are positive by construction, so ``bounded`` is all False, and
        revenue R_1 = Σ t_i' M_i' >= 0.
    """
    market = np.asarray(market, dtype=np.int64)
    M = np.asarray(imports, dtype=float)
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    eps_m = np.asarray(eps_m, dtype=float)
    eps_x = np.asarray(eps_x, dtype=float)
    n = _n_markets(market, n_markets)
    if len(M) == 0:
        return empty_outcome(n)
    # Row arrays are released after their last use (a chunk of rows holds a few at once).
    ln_tau = np.log1p(t1) - np.log1p(t0)
    spend = M * (1.0 + t0)
    E = _msum(market, spend, n)
    w = spend / np.where(E > 0, E, 1.0)[market]
    del spend
    oms = 1.0 - sigma
    ln_P = _log_price_index(market, w, ln_tau, oms, n)
    elastic = bool(np.isinf(eps_x).all())
    if elastic:
        ln_p: np.ndarray | float = 0.0  # perfectly elastic supply: one step is exact
    else:
        ln_P, ln_p = _finite_supply(market, w, ln_tau, oms, sigma, eps_m, eps_x, ln_P, n)
    del w, oms
    ln_P_row = ln_P[market]
    # ln q̂ = -σ (lnτ + ln p̂ - ln P̂) + ε_m ln P̂, then M' = M exp(ln p̂ + ln q̂), each
    # written into one row array (the same operations as the formula, in its order)
    ln_q = ln_tau + ln_p
    del ln_tau
    ln_q -= ln_P_row
    ln_q *= np.negative(sigma)
    ln_P_row *= eps_m
    ln_q += ln_P_row
    del ln_P_row
    ln_q += ln_p
    M1 = np.exp(ln_q, out=ln_q)
    M1 *= M
    del ln_q
    total = M1 - M
    m0 = _msum(market, M, n)
    m1 = _msum(market, M1, n)
    share = M / np.where(m0 > 0, m0, 1.0)[market]
    creation = share * (m1 - m0)[market]
    diversion = M1 - share * m1[market]
    del share
    revenue = _msum(market, t1 * M1 - t0 * M, n)
    del M1
    P_hat = np.exp(ln_P)
    em = np.zeros(n)
    em[market] = eps_m
    unit = np.abs(1.0 + em) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        cs = np.where(
            unit,
            -E * ln_P,
            -E * (np.exp((1.0 + em) * ln_P) - 1.0) / np.where(unit, 1.0, 1.0 + em),
        )
    return PEOutcome(
        creation=creation,
        diversion=diversion,
        total=total,
        export_price_change=np.zeros(len(M)) if elastic else np.expm1(ln_p),
        market_baseline=m0,
        market_total=m1 - m0,
        revenue_change=revenue,
        welfare=cs + revenue,
        consumer_surplus=cs,
        price_index_change=P_hat - 1.0,
        bounded=np.zeros(len(M), dtype=bool),
    )
