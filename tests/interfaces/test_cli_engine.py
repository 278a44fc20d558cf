"""The global ``--engine`` and ``--spark-master`` options: checked once, one-line errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tradelever.interfaces.cli import app

runner = CliRunner()


def test_an_unknown_engine_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "--engine", "polars", "datasets"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: --engine: 'polars' is not an engine; choose duckdb or spark"
    )


def test_an_engine_from_the_environment_is_named(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path), "datasets"], env={"TRADELEVER_ENGINE": "velox"}
    )
    assert result.exit_code == 1
    assert "'velox' (from $TRADELEVER_ENGINE) is not an engine" in result.stderr


def test_spark_master_needs_the_spark_engine(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path), "--spark-master", "spark://h:7077", "datasets"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --spark-master: only used with the spark engine")


def test_the_options_are_in_the_help() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "--engine" in result.stdout and "--spark-master" in result.stdout
