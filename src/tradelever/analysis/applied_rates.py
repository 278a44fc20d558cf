"""Applied tariff rates observed in customs data: calculated duty over customs value.

The US Census records for each import line the customs value v and the calculated duty d
(all duties collected: MFN column 1, Section 301, Section 232, ...). The applied rate of a
set of lines is the value-weighted mean of their rates::

    applied_rate = sum of d / sum of v          (a fraction; NaN when sum of v = 0)

On ``census-us-2024`` this is the rate each line paid in 2024, before the 2025 measures:
the baseline that a tariff schedule adds to, and the proxy for the MFN rate of a line where
no other duty applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from tradelever import schema as f
from tradelever.errors import InputError

__all__ = ["DUTY_USD", "applied_rate", "applied_rates"]

DUTY_USD = "duty_usd"


def applied_rate(duty_usd: ArrayLike, value_usd: ArrayLike) -> np.ndarray:
    """Element-wise d / v (fractions); NaN where the value is 0 or missing.

    Parameters
    ----------
    duty_usd
        Calculated duty, US dollars.
    value_usd
        Customs value, US dollars.
    """
    d = np.asarray(duty_usd, dtype=float)
    v = np.asarray(value_usd, dtype=float)
    out = np.full(np.broadcast(d, v).shape, np.nan)
    np.divide(d, v, out=out, where=v > 0)
    return out


def applied_rates(
    coded: Any,
    *,
    year: int,
    importer: str = "USA",
    exporters: Sequence[str] | None = None,
    by_exporter: bool = True,
) -> pd.DataFrame:
    """Value, duty and applied rate per code (and exporter) in one Ibis query.

    Parameters
    ----------
    coded
        Ibis ``flows`` with a ``code`` column (:func:`tradelever.analysis.leverage.
        product_code_expr`; ``hs10`` gives line rates) and a ``duty_usd`` column.
    year
        Year of the flows.
    importer
        The importing country whose duties are read.
    exporters
        Restrict to these exporters (default all).
    by_exporter
        One row per (code, exporter); otherwise one row per code over all exporters.

    Returns
    -------
    pandas.DataFrame
        ``code`` (, ``exporter``), ``value_usd``, ``duty_usd``, ``applied_rate``; sorted.

    Raises
    ------
    InputError
        If the flows carry no ``duty_usd`` column (only customs data sets such as
        ``census-us-2024`` do).
    """
    if DUTY_USD not in coded.columns:
        raise InputError(
            "this data set records no duties (duty_usd); use census-us-2024", parameter="dataset"
        )
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.IMPORTER] == importer))
    if exporters is not None:
        t = t.filter(t[f.EXPORTER].isin(list(exporters)))
    keys = ["code", f.EXPORTER] if by_exporter else ["code"]
    frame = (
        t.group_by(keys)
        .aggregate(value_usd=t[f.VALUE_USD].sum(), duty_usd=t[DUTY_USD].sum())
        .to_pandas()
    )
    for column in (f.VALUE_USD, DUTY_USD):
        frame[column] = pd.to_numeric(frame[column]).astype(float).fillna(0.0)
    frame["applied_rate"] = applied_rate(frame[DUTY_USD], frame[f.VALUE_USD])
    for key in keys:
        frame[key] = frame[key].astype(str)
    return frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
