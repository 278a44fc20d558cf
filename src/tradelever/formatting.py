"""Money figures for people: one formatter shared by the command line and the brief."""

from __future__ import annotations

import math
from typing import Any, Final

__all__ = ["fmt_money", "fmt_usd", "is_number"]

_SCALES: Final = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def is_number(value: Any) -> bool:
    """True for a finite real number (not bool, not NaN, not infinity)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(v)


def fmt_money(value: float, symbol: str) -> str:
    """A finite amount with its currency symbol and a scale suffix: ``-US$2.47 bn``."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    for scale, suffix in _SCALES:
        if v >= scale:
            return f"{sign}{symbol}{v / scale:,.2f} {suffix}"
    return f"{sign}{symbol}{v:,.0f}"


def fmt_usd(value: Any) -> str:
    """US dollars with a scale suffix: ``US$2.47 bn``; ``unbounded`` for +inf, ``-`` if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = float(value)
    if math.isinf(v):
        return "unbounded"
    return fmt_money(v, "US$")
