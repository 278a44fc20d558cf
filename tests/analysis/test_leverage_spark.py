"""The same leverage query on Apache Spark (local mode) as on DuckDB.

DESIGN.md asks that analytical queries run unchanged on DuckDB locally and on Spark for
panels that outgrow one machine. The Ibis expression in ``analysis.leverage`` is executed
here by the PySpark backend on the hand-made data set and compared with DuckDB.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

pytestmark = [
    pytest.mark.spark,
    # PySpark 4 warns that it does not fully support pandas 3; the conversion used here works.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.mark.parametrize("level", ["hs6", "hs4"])
def test_spark_equals_duckdb(spark_flows: Any, level: str) -> None:
    import ibis

    from tests.synthetic import hand_flows
    from tradelever.analysis.leverage import leverage_table, product_code_expr

    duck = ibis.memtable(hand_flows())  # executed by the default backend, DuckDB
    assert ibis.get_backend(duck).name == "duckdb"
    kwargs = {
        "home": "MYS",
        "partner": "USA",
        "rival": "CHN",
        "year": 2023,
        "classification": "HS17",
        "sigma": 3.0,
    }
    on_spark = leverage_table(product_code_expr(spark_flows, level), **kwargs)
    on_duckdb = leverage_table(product_code_expr(duck, level), **kwargs)
    pd.testing.assert_frame_equal(
        on_spark.reset_index(drop=True), on_duckdb.reset_index(drop=True), check_dtype=False
    )
    if level == "hs6":
        gloves = on_spark.set_index("code").loc["401519"]
        assert gloves.partner_cost_of_losing_home_usd == pytest.approx(80.0)  # by hand
