"""Helpers of the Spark tests: one local Spark application per test run, results compared.

Every test that starts Spark goes through :func:`spark_config`; the first one starts the
JVM (``local[1]``, as ``tests/analysis/conftest.py``'s ``spark_flows`` fixture), the others
get sessions on it, so a test run pays for one Spark start.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from tradelever.config import Config

#: DuckDB and Spark add the same numbers in different orders: results agree to this much.
RTOL = 1e-9
#: Sentences only a Spark result carries (where it was computed).
ENGINE_NOTE = "computed with the spark engine"

#: More comparisons of the same code paths (other data sets, levels, analyses): left out
#: of the default run (``pyproject.toml``'s ``-m 'not spark_extra'``) to keep CI short;
#: ``pytest -m spark`` runs them with the rest.
EXTRA = pytest.mark.spark_extra

#: Marks every Spark test module sets (``pytestmark = SPARK_MARKS``).
SPARK_MARKS = [
    pytest.mark.spark,
    # PySpark 4 warns that it does not fully support pandas 3; the conversions used work.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def require_spark() -> None:
    """Skip (with the reason) when PySpark or a Java runtime is missing."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:  # pragma: no cover - CI machines have Java 17
        pytest.skip("Spark needs a Java runtime on PATH")


def spark_config(data_dir: Path, **given: Any) -> Config:
    """A configuration on ``data_dir`` with the spark engine in local mode (one core)."""
    require_spark()
    return Config.resolve(
        data_dir=data_dir, engine="spark", spark_master="local[1]", env={}, **given
    )


def duckdb_config(data_dir: Path) -> Config:
    """The same data directory on the default engine."""
    return Config.resolve(data_dir=data_dir, env={})


def _close(a: Any, b: Any, where: str) -> None:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        assert a == b, f"{where}: {a!r} != {b!r}"
    elif isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) and math.isnan(a):
            assert isinstance(b, float) and math.isnan(b), f"{where}: {a!r} != {b!r}"
            return
        assert math.isclose(a, b, rel_tol=RTOL, abs_tol=RTOL), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


#: Fields that identify a row of a result (a market, a supplier, a product, a country).
KEY_FIELDS = ("importer", "exporter", "code", "country")


def _by_key(rows: list[Any]) -> list[Any]:
    if not rows or not all(isinstance(r, dict) for r in rows):
        return rows
    keys = [k for k in KEY_FIELDS if k in rows[0]]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys)) if keys else rows


def assert_same(a: Any, b: Any, where: str = "result", *, unordered: bool = False) -> None:
    """``a`` equals ``b`` (JSON-like values), numbers to :data:`RTOL` (relative or absolute).

    ``unordered``: lists of rows are compared sorted by their :data:`KEY_FIELDS` (for
    results whose row order follows the order the engine returned the flows in).
    """
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: keys {set(a) ^ set(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}", unordered=unordered)
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), f"{where}: lengths differ"
        if unordered:
            a, b = _by_key(list(a)), _by_key(list(b))
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{n}]", unordered=unordered)
    else:
        _close(a, b, where)


def assert_same_result(
    on_duckdb: dict[str, Any], on_spark: dict[str, Any], *, unordered: bool = False
) -> None:
    """Two JSON results agree; the Spark one also says (once) where it was computed."""
    duck, spark = dict(on_duckdb), dict(on_spark)
    notes = [s for s in spark.pop("assumptions") if s.startswith(ENGINE_NOTE)]
    assert len(notes) == 1, notes
    spark_rest = [s for s in on_spark["assumptions"] if not s.startswith(ENGINE_NOTE)]
    assert spark_rest == duck.pop("assumptions")
    assert not any(ENGINE_NOTE in s for s in spark_rest)
    assert_same(duck, spark, unordered=unordered)
