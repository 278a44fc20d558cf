"""The purchases what-if: extra partner exports that bring the formula rate to a target.

Extra purchases d from the partner raise x to x + d. The purchases that bring the formula
rate (:func:`tradelever.analysis.formula.rate.formula_rate`) down to a target t solve
``(m - (x + d)) / (2 m) = t``::

    d = max(0, m - x - 2 m t)          (0: the rate is already at or below t)

The rate never falls below its 10% floor, so a target below 10% cannot be reached by any
purchase: such a target is refused (:data:`TARGET_RATE` declares the bound), rather than
answered with the purchases that reach the floor under the target's name.
"""

from __future__ import annotations

from typing import Final

from tradelever.analysis.formula.rate import FLOOR_RATE, check_amount
from tradelever.errors import InputError
from tradelever.options import Option

__all__ = ["TARGET_RATE", "additional_exports_needed", "check_target"]

_FLOOR_HINT: Final = (
    "the formula never goes below its 10% floor, so no purchase brings the rate under 10%; "
    "0.10 gives the purchases that reach the floor"
)

TARGET_RATE: Final = Option(
    "target_rate",
    float | None,
    None,
    "Target rate, at least the 10% floor (e.g. 0.15): the extra purchases that reach it.",
    ge=FLOOR_RATE,
    lt=1.0,
    hint=_FLOOR_HINT,
)


def check_target(target: float) -> float:
    """A target rate as a fraction in [0.10, 1).

    Raises
    ------
    InputError
        ``target_rate``: not a number, not a rate below 1, or under the 10% floor.
    """
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise InputError(f"{target!r} is not a number", parameter="target_rate") from None
    if not (0.0 <= t < 1.0):
        raise InputError(
            f"{target} is not a rate between 0 and 1 (e.g. 0.15 for 15%)",
            parameter="target_rate",
        )
    if t < FLOOR_RATE - 1e-12:
        raise InputError(f"{t:g} is below the floor; {_FLOOR_HINT}", parameter="target_rate")
    return t


def additional_exports_needed(m: float, x: float, target: float) -> float:
    """Extra partner exports d to home (US dollars) that bring the formula rate to ``target``.

    ``d = max(0, m - x - 2 m t)``: solving (m - (x + d)) / (2 m) = t.

    Parameters
    ----------
    m, x
        The partner's goods imports from and exports to home, US dollars.
    target
        t, a fraction in [0.10, 1).

    Raises
    ------
    InputError
        If an amount is not a finite number >= 0, or ``target`` is not in [0.10, 1).
    """
    m = check_amount(m, "imports")
    x = check_amount(x, "exports")
    t = check_target(target)
    return max(0.0, m - x - 2.0 * m * t)
