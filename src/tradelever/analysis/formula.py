"""The US "reciprocal" tariff formula of 2 April 2025 and its inversion.

For a home country e and the partner p that sets the tariff (the United States), let
m = p's goods imports from e and x = p's goods exports to e (US dollars, one year). The
rate published in Annex I of Executive Order 14257 follows::

    deficit_over_imports = (m - x) / m
    formula_rate         = max(0.10, deficit_over_imports / 2)

(the USTR's stated method divides the bilateral deficit by imports times the product of
an import demand elasticity of 4 and a pass-through of 0.25, which is (m - x) / m, and
the announced "discounted" rate is half of that, with a floor of 10%).

Extra purchases d from the partner raise x to x + d. The purchases that bring the formula
rate down to a target t solve ``(m - (x + d)) / (2 m) = t``::

    d = m - x - 2 m t          (clipped at 0: nothing needed if the rate is already <= t)

Because the rate never falls below the 10% floor, a target t <= 0.10 needs
d = max(0, m - x - 0.2 m), the purchases that reach the floor.

Rounding. Annex I rates are whole percentages. :func:`whole_percent` rounds the formula
rate *up* to the next whole percent (ceiling), the rule that reproduces published rates
whose half-ratio has a fractional part below one half (the press reconstructions of the
USTR calculation from 2024 Census goods trade give Viet Nam 45.2% -> 46%, not 45%).
The bilateral US figures behind Annex I are not shipped with tradelever, so this is a
documented choice, not a tested reproduction; ``formula_rate`` itself is unrounded.

On the embedded ``icio2022`` network, m and x are intermediate goods only (the network has
no bilateral final demand) and are restricted to the goods industries of
:data:`ICIO_GOODS_INDUSTRIES`, so they understate total goods trade.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.errors import InputError

__all__ = [
    "FLOOR_RATE",
    "ICIO_GOODS_INDUSTRIES",
    "AnnexRate",
    "additional_exports_needed",
    "announced_rate",
    "bilateral_goods_trade",
    "deficit_over_imports",
    "formula_rate",
    "goods_codes",
    "whole_percent",
]

FLOOR_RATE: Final = 0.10
ANNEX_PARTNER: Final = "USA"

# ISIC Rev.4 sections A (agriculture, forestry, fishing), B (mining, except B09 mining
# support *services*) and C (manufacturing) of the OECD ICIO 2025 release: the industries
# whose output crosses borders as goods that US customs records. D (electricity, gas,
# steam) is left out: it is a utility sector whose trade is mostly not customs goods trade
# (and electricity is a negligible share of US-Asia trade).
ICIO_GOODS_INDUSTRIES: Final = (
    "A01",
    "A02",
    "A03",
    "B05",
    "B06",
    "B07",
    "B08",
    "C10T12",
    "C13T15",
    "C16",
    "C17_18",
    "C19",
    "C20",
    "C21",
    "C22",
    "C23",
    "C24A",
    "C24B",
    "C25",
    "C26",
    "C27",
    "C28",
    "C29",
    "C301",
    "C302T309",
    "C31T33",
)


def goods_codes(level: str) -> tuple[str, ...] | None:
    """Codes that count as goods at a level (``None``: every code is a good, as for HS)."""
    return ICIO_GOODS_INDUSTRIES if level == "industry" else None


def _check_amount(value: float, parameter: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{parameter}: {value!r} is not a number (US dollars)") from None
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{parameter}: must be a finite amount >= 0 in US dollars, got {value}")
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
    m = _check_amount(m, "imports")
    x = _check_amount(x, "exports")
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


def additional_exports_needed(m: float, x: float, target: float) -> float:
    """Extra partner exports d to home (US dollars) that bring the formula rate to ``target``.

    ``d = max(0, m - x - 2 m max(target, 0.10))``: solving (m - (x + d)) / (2 m) = t.
    Targets below the 10% floor are treated as the floor (the rate cannot go lower).

    Raises
    ------
    InputError
        If ``target`` is not in [0, 1).
    """
    m = _check_amount(m, "imports")
    x = _check_amount(x, "exports")
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise InputError(f"--target-rate: {target!r} is not a number") from None
    if not (0.0 <= t < 1.0):
        raise InputError(
            f"--target-rate: {target} is not a rate between 0 and 1 (e.g. 0.15 for 15%)"
        )
    t = max(t, FLOOR_RATE)
    return max(0.0, m - x - 2.0 * m * t)


@dataclass(frozen=True)
class AnnexRate:
    """A rate of Annex I of EO 14257 (2 April 2025) with its source."""

    iso3: str
    partner_name: str
    rate: float
    source: str


@cache
def _annex_table() -> dict[str, AnnexRate]:
    from tradelever.reference.countries import group_members

    text = (
        resources.files("tradelever.data").joinpath("reciprocal_rates_2025.csv").read_text("utf-8")
    )
    out: dict[str, AnnexRate] = {}
    for row in csv.DictReader(text.splitlines()):
        rate = float(row["annex_i_rate_percent"]) / 100.0
        members = group_members("EU27") if row["iso3"] == "EU27" else (row["iso3"],)
        for iso3 in members:
            out[iso3] = AnnexRate(iso3, row["partner_name"], rate, row["source"])
    return out


def announced_rate(home: str, partner: str = ANNEX_PARTNER) -> AnnexRate | None:
    """The Annex I (2 April 2025) rate the US announced for ``home``, if listed.

    EU member states get the European Union's rate. ``None`` when ``partner`` is not the
    United States or ``home`` is not listed (Canada and Mexico were not in Annex I;
    unlisted partners paid the 10% baseline of EO 14257).
    """
    if partner != ANNEX_PARTNER:
        return None
    return _annex_table().get(home)


def bilateral_goods_trade(
    coded: Any, *, home: str, partner: str, codes: tuple[str, ...] | None
) -> pd.DataFrame:
    """Partner's goods imports from and exports to home, by year (one Ibis query).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``partner_imports_from_home_usd`` (m), ``partner_exports_to_home_usd``
        (x), sorted by year; years with no flow in either direction are absent.
    """
    t = coded
    if codes is not None:
        t = t.filter(t["code"].isin(list(codes)))
    t = t.filter(
        ((t[f.EXPORTER] == home) & (t[f.IMPORTER] == partner))
        | ((t[f.EXPORTER] == partner) & (t[f.IMPORTER] == home))
    )
    v = t[f.VALUE_USD]
    out = (
        t.group_by(f.YEAR)
        .aggregate(
            partner_imports_from_home_usd=v.sum(where=t[f.EXPORTER] == home),
            partner_exports_to_home_usd=v.sum(where=t[f.EXPORTER] == partner),
        )
        .to_pandas()
    )
    for col in ("partner_imports_from_home_usd", "partner_exports_to_home_usd"):
        out[col] = out[col].astype(float).fillna(0.0)
    out[f.YEAR] = out[f.YEAR].astype(int)
    return out.sort_values(f.YEAR).reset_index(drop=True)


def formula_rows(trade: pd.DataFrame, target: float | None) -> pd.DataFrame:
    """Apply the formula to a table of ``partner_imports_from_home_usd`` (m) and exports (x).

    Adds ``deficit_usd`` (m - x), ``deficit_over_imports``, ``formula_rate``,
    ``formula_rate_whole_percent`` and, with a target, ``additional_partner_exports_needed_usd``.
    """
    out = trade.copy()
    m = out["partner_imports_from_home_usd"].astype(float)
    x = out["partner_exports_to_home_usd"].astype(float)
    out["deficit_usd"] = m - x
    out["deficit_over_imports"] = [deficit_over_imports(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate"] = [formula_rate(a, b) for a, b in zip(m, x, strict=True)]
    out["formula_rate_whole_percent"] = [whole_percent(r) for r in out["formula_rate"]]
    if target is not None:
        out["additional_partner_exports_needed_usd"] = [
            additional_exports_needed(a, b, target) for a, b in zip(m, x, strict=True)
        ]
    return out
