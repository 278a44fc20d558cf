"""A table of results with its parameters, provenance and assumptions.

Every analysis returns one of these (or a subclass), so the CLI, the HTTP API and the brief
render them the same way. The JSON form is::

    {<params...>, "provenance": {...}, "assumptions": [...], "summary": {...}, "rows": [...]}

with the parameters first (e.g. ``home``, ``partner``, ``dataset``, ``year``, ``level``),
infinite or undefined numbers as ``null``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from tradelever.errors import InputError

__all__ = ["TableResult", "json_value"]


def json_value(value: Any) -> Any:
    """Convert numpy scalars to Python and non-finite floats to ``None`` (recursively)."""
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value.tolist()]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


@dataclass(frozen=True)
class TableResult:
    """Rows plus everything needed to cite them.

    Attributes
    ----------
    kind
        What the rows are (``"substitutes"``, ``"exposure"``, ...).
    params
        The resolved inputs (ISO3 codes, data set, year, level, elasticities...), emitted
        first in the JSON object.
    rows
        The result table.
    provenance
        Data set record (source, release, year, licence, checksum).
    assumptions
        Sentences a reader needs to interpret the numbers.
    columns
        Public columns for JSON and CSV (default: all).
    summary
        Scalars worth stating once (totals, formula results).
    """

    kind: str
    params: dict[str, Any]
    rows: pd.DataFrame
    provenance: dict[str, Any]
    assumptions: list[str] = field(default_factory=list)
    columns: tuple[str, ...] | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The public columns of the rows, as a copy."""
        cols = list(self.columns) if self.columns else list(self.rows.columns)
        return self.rows[cols].copy()

    def head(self, n: int | None) -> TableResult:
        """Return the result with only the first ``n`` rows (``None`` or 0: all)."""
        if n is None or n == 0:
            return self
        if n < 0:
            raise InputError(f"--top: must be 0 or more, got {n}")
        return replace(self, rows=self.rows.head(n).reset_index(drop=True))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready object (see module docstring)."""
        frame = self.to_frame()
        return {
            **json_value(self.params),
            "provenance": json_value(self.provenance),
            "assumptions": list(self.assumptions),
            "summary": json_value(self.summary),
            "rows": [json_value(r) for r in frame.to_dict(orient="records")],
        }
