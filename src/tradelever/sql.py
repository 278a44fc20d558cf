"""Small builders of DuckDB SQL text: quoted literals, names and Parquet sources.

Used wherever hand-written DuckDB SQL is sent (the BACI conversion, the store's look-up
reader, the market tables, the pair sums and scan read from them, a scenario's flows on
DuckDB): values and names are quoted, never interpolated raw. In the base layer, so that
sources, store and analysis share one quoting.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["identifier", "in_list", "literal", "parquet_source", "year_of"]


def literal(value: Any) -> str:
    """``value`` as a SQL literal: an integer as written, anything else as quoted text."""
    if isinstance(value, numbers.Integral):  # Python and numpy integers
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A column (or other) name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def in_list(column: str, value: Any) -> str:
    """``"column" IN (...)`` for a value or a list of values (``false`` for an empty list)."""
    values = list(value) if isinstance(value, (list, tuple, set)) else [value]
    if not values:
        return "false"
    return f'"{column}" IN ({", ".join(literal(v) for v in values)})'


def parquet_source(files: Sequence[Path], *, hive_partitioning: bool | None = False) -> str:
    """``read_parquet([...])`` of the files.

    ``hive_partitioning``: False (default) reads the files' own columns only; None leaves
    it to DuckDB, which adds a column for each ``key=value`` folder of the paths.
    """
    listed = ", ".join(literal(str(p)) for p in files)
    option = (
        ""
        if hive_partitioning is None
        else f", hive_partitioning = {str(hive_partitioning).lower()}"
    )
    return f"read_parquet([{listed}]{option})"


def year_of(path: Path) -> int | None:
    """The year of a ``year=<Y>`` folder in ``path`` (None: not partitioned by year)."""
    for part in path.parts:
        if part.startswith("year=") and part[5:].isdigit():
            return int(part[5:])
    return None
