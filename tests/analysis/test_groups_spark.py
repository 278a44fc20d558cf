"""Group level and the extra indicators on Apache Spark (local mode) equal DuckDB."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


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


def test_union_flows_spark_equals_duckdb(spark_flows: Any) -> None:
    """Totals over overlapping groups count each flow once on Spark as on DuckDB."""
    import ibis

    from tests.synthetic import hand_flows
    from tradelever.analysis.groups import default_groups, selector_table, union_flows

    frame = hand_flows()
    selector = selector_table(default_groups(), "HS17", frame["product"].unique())
    groups = ["semiconductors", "electrical_electronic"]

    def total(flows: Any) -> float:
        t = union_flows(flows, selector, groups)
        t = t.filter((t["year"] == 2023) & (t["importer"] == "USA"))
        return float(t["value_usd"].sum().to_pandas())

    # US imports of 854231 (100) and 854232 (40), in both groups: 140 once, not 280
    assert total(spark_flows) == total(ibis.memtable(frame)) == 140.0
