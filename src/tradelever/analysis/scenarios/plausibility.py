"""Plausibility flags: results a reader should not quote without a caveat.

Each row of a scenario result carries ``flags``, empty or a ``;``-separated list of:

``extreme_sigma``
    the row's market uses a substitution elasticity sigma above :data:`EXTREME_SIGMA`
    (10). Suppliers are then near-perfect substitutes: in the linear (SMART) form a 10%
    relative price change alone moves the ratio of two suppliers' sales by more than
    100% (sigma * 0.10 > 1), so results rest on the elasticity more than on the data.
    Caliendo and Parro's (2015) sectoral estimates exceed 9 (sigma > 10) in 7 of their 20
    tradable sectors (agriculture, mining, wood, paper, petroleum, office machinery and
    electrical machinery), the default source of sigma here.
``large_change``
    the row's flow moves by more than :data:`LARGE_CHANGE` (100%) of its baseline: far
    outside the small changes partial-equilibrium models are built for.
``bounded``
    (SMART) trade creation and diversion together would have taken more than the flow;
    creation was capped so that imports end at zero
    (:mod:`tradelever.analysis.scenarios.pe_smart`).

:func:`plausibility_notes` turns the counts into the sentences a result's assumptions
carry, so the caveat is visible wherever the figures go.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EXTREME_SIGMA", "FLAGS", "LARGE_CHANGE", "plausibility_notes", "row_flags"]

EXTREME_SIGMA = 10.0
LARGE_CHANGE = 1.0
FLAGS = ("extreme_sigma", "large_change", "bounded")
_LABELS = tuple(
    ";".join(name for bit, name in enumerate(FLAGS) if code >> bit & 1) for code in range(8)
)


def row_flags(
    sigma: np.ndarray, change: np.ndarray, bounded: np.ndarray | None = None
) -> pd.Categorical:
    """Flags per row (module docstring) as a categorical of ``;``-joined names.

    Parameters
    ----------
    sigma
        Substitution elasticity of each row's market.
    change
        Total effect over baseline imports (a fraction; NaN where the baseline is 0).
    bounded
        Rows where the model applied the joint bound (None: none).
    """
    sigma = np.asarray(sigma, dtype=float)
    change = np.asarray(change, dtype=float)
    code = (sigma > EXTREME_SIGMA).astype(np.int8)
    with np.errstate(invalid="ignore"):
        code |= (np.abs(change) > LARGE_CHANGE).astype(np.int8) << 1
    if bounded is not None:
        code |= np.asarray(bounded, dtype=bool).astype(np.int8) << 2
    return pd.Categorical.from_codes(code, categories=list(_LABELS))


def flag_counts(flags: pd.Categorical) -> dict[str, int]:
    """Rows carrying each flag."""
    codes = np.asarray(flags.codes)
    return {name: int(np.count_nonzero(codes >> bit & 1)) for bit, name in enumerate(FLAGS)}


def _rows(n: int, verb: str) -> str:
    """``1 row is`` / ``3 rows are`` (verb given in the plural)."""
    singular = {"are": "is", "change": "changes"}.get(verb, verb)
    return f"{n} row {singular}" if n == 1 else f"{n} rows {verb}"


def plausibility_notes(counts: dict[str, int], sigma_max: float | None = None) -> list[str]:
    """Assumption sentences for the flags that occur (none when no row is flagged)."""
    notes = []
    if counts.get("extreme_sigma"):
        top = f" (up to {sigma_max:.1f})" if sigma_max is not None else ""
        notes.append(
            f"plausibility: {_rows(counts['extreme_sigma'], 'are')} in markets with a substitution "
            f"elasticity above {EXTREME_SIGMA:g}{top}, where suppliers are near-perfect "
            "substitutes and results rest on the elasticity more than on the data; see the "
            "sigma band (total_effect_low_usd, total_effect_high_usd) and flag extreme_sigma"
        )
    if counts.get("large_change"):
        notes.append(
            f"plausibility: {_rows(counts['large_change'], 'change')} by more than "
            f"{LARGE_CHANGE:.0%} of their baseline (flag large_change): partial-equilibrium "
            "models are built for small changes; read these as directions, not forecasts"
        )
    if counts.get("bounded"):
        notes.append(
            f"bound: in {counts['bounded']} row{'' if counts['bounded'] == 1 else 's'} SMART's "
            "trade creation and diversion together "
            "would exceed the initial imports (the two linear formulas are computed on the "
            "initial flows, as in WITS); creation was capped at what diversion leaves so that "
            "imports end at zero (flag bounded); the CES mode (--mode ces) needs no bound"
        )
    return notes
