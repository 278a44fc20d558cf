"""The all-market indicator expressions on Apache Spark (local mode) equal DuckDB's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def test_spark_equals_duckdb(spark_flows: Any) -> None:
    import ibis

    from tests.synthetic import hand_flows
    from tradelever.analysis.markets import TABLES, market_tables

    duck = ibis.memtable(hand_flows())
    keys = {
        "markets": ["year", "importer", "code"],
        "exporters": ["year", "exporter", "code"],
        "world": ["year", "code"],
        "exporter_totals": ["year", "exporter"],
    }
    on_duck = market_tables(duck.mutate(code=duck["product"]))
    on_spark = market_tables(spark_flows.mutate(code=spark_flows["product"]))
    for name in TABLES:
        a = on_duck[name].to_pandas().sort_values(keys[name]).reset_index(drop=True)
        b = on_spark[name].to_pandas().sort_values(keys[name]).reset_index(drop=True)
        assert list(a.columns) == list(b.columns), name
        for column in a.columns:
            if a[column].dtype.kind in "fiu":
                np.testing.assert_allclose(
                    b[column].to_numpy(dtype=float), a[column].to_numpy(dtype=float), rtol=1e-12
                )
            else:
                assert b[column].astype(str).tolist() == a[column].astype(str).tolist(), column
