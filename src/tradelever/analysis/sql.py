"""Small builders of DuckDB SQL text over a data set's Parquet files.

Used where hand-written DuckDB SQL stands in for an Ibis query (the market tables, the pair
sums and scan read from them, a scenario's flows on DuckDB): values are quoted as SQL
literals, never interpolated raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["in_list", "literal", "parquet_source", "year_of"]


def literal(value: Any) -> str:
    """``value`` as a SQL literal: an integer as written, anything else as quoted text."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def in_list(column: str, value: Any) -> str:
    """``"column" IN (...)`` for a value or a list of values (``false`` for an empty list)."""
    values = list(value) if isinstance(value, (list, tuple, set)) else [value]
    if not values:
        return "false"
    return f'"{column}" IN ({", ".join(literal(v) for v in values)})'


def parquet_source(files: Sequence[Path]) -> str:
    """``read_parquet([...])`` of the files (their own columns: no hive partition columns)."""
    listed = ", ".join(literal(str(p)) for p in files)
    return f"read_parquet([{listed}], hive_partitioning = false)"


def year_of(path: Path) -> int | None:
    """The year of a ``year=<Y>`` folder in ``path`` (None: not partitioned by year)."""
    for part in path.parts:
        if part.startswith("year=") and part[5:].isdigit():
            return int(part[5:])
    return None
