"""``--engine spark`` end to end: the command line and the HTTP API answer as on DuckDB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.spark_support import (
    ENGINE_NOTE,
    SPARK_MARKS,
    assert_same_result,
    duckdb_config,
    require_spark,
    spark_config,
)
from tests.synthetic import write_hand_dataset
from tradelever.interfaces.cli import app

pytestmark = SPARK_MARKS

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path) -> Path:
    """icio2022 and hand-hs17 (read-only)."""
    target = tmp_path_factory.mktemp("cli-spark") / "store"
    shutil.copytree(icio_data_dir, target)
    write_hand_dataset(target)
    return target


def test_cli_engine_spark_gives_the_duckdb_answer(data_dir: Path) -> None:
    require_spark()
    args = ["leverage", "MYS", "--partner", "USA", "--rival", "CHN", "--dataset", "hand-hs17"]
    args += ["--format", "json"]
    duck = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    spark = runner.invoke(
        app, ["--data-dir", str(data_dir), "--engine", "spark", "--spark-master", "local[1]", *args]
    )
    assert duck.exit_code == 0, duck.output
    assert spark.exit_code == 0, spark.output
    on_spark = json.loads(spark.stdout)
    assert_same_result(json.loads(duck.stdout), on_spark)
    assert any("master local[1]" in s for s in on_spark["assumptions"] if ENGINE_NOTE in s)


def test_http_api_on_spark_gives_the_duckdb_answer(data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from tradelever.interfaces.http import create_app

    params = {"home": "MYS", "partner": "USA", "rival": "CHN", "dataset": "hand-hs17"}
    answers = []
    for config in (duckdb_config(data_dir), spark_config(data_dir)):
        with TestClient(create_app(config=config, pool_size=1), base_url="http://127.0.0.1") as c:
            response = c.get("/api/leverage", params=params)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    assert_same_result(*answers)


def test_no_java_is_one_clear_line(data_dir: Path, tmp_path: Path) -> None:
    """With JAVA_HOME pointing nowhere Spark cannot start: exit 1, one line saying why."""
    require_spark()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELEVER_")}
    env["JAVA_HOME"] = str(tmp_path / "no-java")
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    store = tmp_path / "store"
    shutil.copytree(data_dir, store)
    command = ["--engine", "spark", "leverage", "MYS", "--partner", "USA", "--dataset", "hand-hs17"]
    done = subprocess.run(
        [sys.executable, "-m", "tradelever", "--data-dir", str(store), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("error: --engine: Spark could not start")
    assert "Java 17" in lines[0] and "JAVA_HOME" in lines[0]
    assert (store / "cache" / "spark" / "driver.log").is_file()  # the JVM's own words
