"""Monte Carlo draws over the elasticities of a partial-equilibrium run.

In draw d, each elasticity is multiplied by one log-normal factor common to all products
(perfect correlation across products, the conservative choice for totals):

    f = exp(μ + s·z),  z ~ N(0, 1),  μ = (ln p5 + ln p95) / 2,  s = (ln p95 - ln p5) / (2 · 1.6449)

so that f has the stated 5th and 95th percentiles (``Uncertainty`` in the scenario). The
substitution factor scales the trade elasticity: σ_d = 1 + f_σ · (σ - 1) (σ stays above 1
when it starts above 1; σ <= 1 is scaled directly). Import demand: ε_m,d = f_m · ε_m. Export
supply: ε_x,d = f_x · ε_x (infinite stays infinite). Results are reported as the 5th, 50th
and 95th percentiles over the draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tradelever.analysis.scenarios.model import Uncertainty

__all__ = ["Z95", "Draws", "draw_elasticities", "percentiles"]

Z95 = 1.6448536269514722  # standard normal 95th percentile
Progress = Callable[[int, int], None]


def _lognormal(rng: np.random.Generator, p5: float, p95: float, n: int) -> np.ndarray:
    mu = 0.5 * (np.log(p5) + np.log(p95))
    s = (np.log(p95) - np.log(p5)) / (2 * Z95)
    return np.exp(mu + s * rng.standard_normal(n))


@dataclass(frozen=True)
class Draws:
    """Factors of each draw (arrays of length N)."""

    substitution: np.ndarray
    import_demand: np.ndarray
    export_supply: np.ndarray

    def apply(
        self, d: int, sigma: np.ndarray, eps_m: np.ndarray, eps_x: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Elasticities of draw ``d`` (see module docstring)."""
        f = self.substitution[d]
        s = np.where(sigma > 1.0, 1.0 + f * (sigma - 1.0), f * sigma)
        return s, eps_m * self.import_demand[d], eps_x * self.export_supply[d]


def draw_elasticities(spec: Uncertainty, n: int) -> Draws:
    """N draws of the three factors, reproducible from ``spec.seed``."""
    rng = np.random.default_rng(spec.seed)
    return Draws(
        substitution=_lognormal(rng, *spec.substitution, n),
        import_demand=_lognormal(rng, *spec.import_demand, n),
        export_supply=_lognormal(rng, *spec.export_supply, n),
    )


def percentiles(samples: np.ndarray, axis: int = -1) -> dict[str, np.ndarray]:
    """p5, p50 and p95 along ``axis``."""
    p = np.percentile(samples, [5, 50, 95], axis=axis)
    return {"p5": p[0], "p50": p[1], "p95": p[2]}
