"""Engines without starting Spark: the choice, the settings, the URIs, the missing PySpark."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tradelever.config import Config
from tradelever.errors import InputError
from tradelever.store import Store, engines
from tradelever.store.engines import DuckDBEngine, SparkEngine, engine_for


def test_the_configuration_chooses_the_engine(tmp_path: Path) -> None:
    assert isinstance(engine_for(Config.resolve(data_dir=tmp_path, env={})), DuckDBEngine)
    assert isinstance(Store(tmp_path).engine, DuckDBEngine)  # the default, as before
    if importlib.util.find_spec("pyspark") is None:  # pragma: no cover - pyspark is a test dep
        pytest.skip("pyspark is not installed")
    config = Config.resolve(
        data_dir=tmp_path,
        engine="spark",
        spark_master="spark://head:7077",
        spark_driver_memory="6g",
        spark_conf={"spark.executor.memory": "16g", "spark.ui.enabled": "true"},
        data_uri="hdfs://nn:8020/tradelever",
        env={},
    )
    engine = engine_for(config)
    assert isinstance(engine, SparkEngine) and not engine.local_files
    settings = dict(engine.settings())
    assert settings["spark.driver.memory"] == "6g"
    assert settings["spark.executor.memory"] == "16g"
    assert settings["spark.ui.enabled"] == "true"  # the user's setting wins over tradelever's
    assert "spark.sql.shuffle.partitions" not in settings  # a cluster keeps its own
    assert engine.log_file == tmp_path / "cache" / "spark" / "driver.log"
    local = dict(SparkEngine("local[3]").settings())
    assert local["spark.sql.shuffle.partitions"] == "6"  # two per core
    assert local["spark.driver.host"] == "127.0.0.1"


def test_files_map_to_the_data_uri(tmp_path: Path) -> None:
    root = tmp_path / "data"
    part = root / "datasets" / "baci" / "v3-ab12cd34" / "flows" / "year=2023" / "part-0.parquet"
    remote = SparkEngine("yarn", data_uri="s3a://bucket/tl/")
    assert remote.uri(part, root) == (
        "s3a://bucket/tl/datasets/baci/v3-ab12cd34/flows/year=2023/part-0.parquet"
    )
    # Without a data URI the executors read the file itself; Hadoop wants "=" unescaped
    assert SparkEngine().uri(part, root) == f"file://{part.resolve().as_posix()}"


def test_spark_without_pyspark_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "pyspark" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    # no Spark application started by an earlier test in this process
    monkeypatch.setattr(engines, "_SPARK", {})
    config = Config.resolve(data_dir=tmp_path, engine="spark", env={})
    with pytest.raises(InputError) as caught:
        engine_for(config)
    assert caught.value.parameter == "engine"
    assert "pip install 'tradelever[spark]'" in str(caught.value)
    with pytest.raises(InputError, match="needs PySpark"):
        SparkEngine().application()


def test_duckdb_results_say_nothing_about_the_engine(icio_data_dir: Path) -> None:
    from tradelever.api import Session

    result = Session(config=Config.resolve(data_dir=icio_data_dir, env={})).leverage("MYS", "USA")
    assert not any("engine" in s for s in result.assumptions)
