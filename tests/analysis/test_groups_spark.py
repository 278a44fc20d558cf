"""Group level and the extra indicators on Apache Spark (local mode) equal DuckDB."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover - CI machines have Java 17
    pytest.skip("Spark needs a Java runtime on PATH", allow_module_level=True)

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def spark_flows() -> Iterator[Any]:
    import ibis
    from pyspark.sql import SparkSession

    from tests.synthetic import hand_flows

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("tradelever-tests-groups")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    frame = hand_flows()
    frame["quantity"] = frame["quantity"].astype(float)
    spark.createDataFrame(frame).createOrReplaceTempView("flows_groups")
    con = ibis.pyspark.connect(spark)
    yield con.table("flows_groups")
    spark.stop()


def test_group_level_with_trends_spark_equals_duckdb(spark_flows: Any) -> None:
    import ibis

    from tests.synthetic import hand_flows
    from tradelever.analysis.groups import default_groups, selector_table
    from tradelever.analysis.hs_elasticities import hs_member_sigmas
    from tradelever.analysis.leverage import leverage_table, product_code_expr

    frame = hand_flows()
    duck = ibis.memtable(frame)
    selector = selector_table(
        default_groups(), "HS17", frame["product"].unique(), member_sigma=hs_member_sigmas
    )
    kwargs = {
        "home": "MYS",
        "partner": "USA",
        "rival": "CHN",
        "year": 2023,
        "classification": "HS17",
        "base_year": 2022,
    }
    on_spark = leverage_table(
        product_code_expr(spark_flows, "group", selector), flows=spark_flows, **kwargs
    )
    on_duckdb = leverage_table(product_code_expr(duck, "group", selector), flows=duck, **kwargs)
    pd.testing.assert_frame_equal(
        on_spark.reset_index(drop=True), on_duckdb.reset_index(drop=True), check_dtype=False
    )
    chips = on_spark.set_index("code").loc["semiconductors"]
    assert chips.partner_imports_usd == 140.0  # 854231 + 854232, by hand
    assert chips.partner_imports_cagr == pytest.approx(1.0)  # 70 -> 140 in one year
