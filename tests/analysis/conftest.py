"""Fixtures for the analysis tests: the hand-made flows on Apache Spark (local mode)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark_flows() -> Iterator[Any]:
    """The synthetic hand flows as an Ibis table on a local PySpark session (started once)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:  # pragma: no cover - CI machines have Java 17
        pytest.skip("Spark needs a Java runtime on PATH")
    import ibis
    from pyspark.sql import SparkSession

    from tests.synthetic import hand_flows

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("tradelever-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    frame = hand_flows()
    frame["quantity"] = frame["quantity"].astype(float)
    spark.createDataFrame(frame).createOrReplaceTempView("flows")
    yield ibis.pyspark.connect(spark).table("flows")
    spark.stop()
