"""The US "reciprocal" tariff formula of 2 April 2025: the rate from a bilateral balance.

For a home country e and the partner p that sets the tariff (the United States), let
m = p's goods imports from e and x = p's goods exports to e (US dollars, one year). The
rate published in Annex I of Executive Order 14257 follows::

    deficit_over_imports = (m - x) / m
    formula_rate         = max(0.10, deficit_over_imports / 2)

(the USTR's stated method divides the bilateral deficit by imports times the product of
an import demand elasticity of 4 and a pass-through of 0.25, which is (m - x) / m, and
the announced "discounted" rate is half of that, with a floor of 10%).

Rounding. Annex I rates are whole percentages. :func:`whole_percent` rounds the formula
rate *up* to the next whole percent (ceiling); :func:`nearest_percent` rounds to the
nearest; ``formula_rate`` itself is unrounded. The computation the US actually used, which
reproduces 68 of the 71 rates of the revised Annex I from the Census 2024 balance, is
:func:`tradelever.analysis.formula.annex.annex_i_rate`.

On the embedded ``icio2022`` network, m and x are intermediate goods only (the network has
no bilateral final demand) and are restricted to the goods industries of
:data:`tradelever.analysis.balance.ICIO_GOODS_INDUSTRIES`, so they understate total goods
trade. The queries that read m and x from a data set are in :mod:`tradelever.analysis.balance`.
"""

from __future__ import annotations

import math
from typing import Final

from tradelever.errors import InputError

__all__ = [
    "ANNEX_PARTNER",
    "FLOOR_RATE",
    "MIN_PLAUSIBLE_USD",
    "check_amount",
    "deficit_over_imports",
    "formula_rate",
    "nearest_percent",
    "whole_percent",
]

FLOOR_RATE: Final = 0.10
ANNEX_PARTNER: Final = "USA"

#: Amounts below this (US$100,000, the Census's own rounding unit for the balance by
#: partner) are taken as typed in millions or billions, not in US dollars.
MIN_PLAUSIBLE_USD: Final = 1e5


def check_amount(value: float, parameter: str, *, plausible: bool = False) -> float:
    """Check an amount in US dollars: a finite number >= 0.

    With ``plausible``, a positive amount below :data:`MIN_PLAUSIBLE_USD` is refused as a
    unit slip (``52.5`` typed for US$52.5 bn), with the amount to type instead.

    Raises
    ------
    InputError
        Naming ``parameter``.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{value!r} is not a number (US dollars)", parameter=parameter) from None
    if not math.isfinite(v) or v < 0:
        raise InputError(
            f"must be a finite amount >= 0 in US dollars, got {value}", parameter=parameter
        )
    if plausible and 0 < v < MIN_PLAUSIBLE_USD:
        raise InputError(
            f"{value:g} reads as US${v:,.2f}: amounts are in US dollars, not millions or "
            f"billions; for US${value:g} bn type {value:g}e9 (for US${value:g} mn, {value:g}e6)",
            parameter=parameter,
        )
    return v


def deficit_over_imports(m: float, x: float) -> float:
    """Bilateral deficit over imports, (m - x) / m (dimensionless; NaN when m = 0).

    Parameters
    ----------
    m
        Partner's goods imports from home, US dollars.
    x
        Partner's goods exports to home, US dollars.
    """
    m = check_amount(m, "imports")
    x = check_amount(x, "exports")
    return (m - x) / m if m > 0 else float("nan")


def formula_rate(m: float, x: float, floor: float = FLOOR_RATE) -> float:
    """Reciprocal rate max(floor, (m - x) / (2 m)); the floor when m = 0 (no deficit)."""
    ratio = deficit_over_imports(m, x)
    if math.isnan(ratio):
        return floor
    return max(floor, ratio / 2.0)


def whole_percent(rate: float) -> float:
    """Round a rate up to the next whole percent: ceil(100 r) / 100 (0.2361 -> 0.24).

    A tolerance of 1e-9 keeps exact whole percentages (0.24) from rounding up.
    """
    return math.ceil(100.0 * rate - 1e-9) / 100.0


def nearest_percent(rate: float) -> float:
    """Round a rate to the nearest whole percent, halves up: floor(100 r + 0.5) / 100."""
    return math.floor(100.0 * rate + 0.5 + 1e-9) / 100.0
