"""The spark engine over a copy of the data directory at a URI (``data_uri``).

On a cluster the executors cannot read the driver's disk: the data sets' Parquet files live
on storage every node reads (HDFS, S3) and the local data directory keeps only the
catalogue (a manifest copy). Here the "remote" copy is a ``file://`` folder and the local
directory has every Parquet file removed, so an answer can only come from the copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.spark_support import SPARK_MARKS, assert_same_result, duckdb_config, spark_config
from tests.synthetic import write_hand_dataset
from tradelever.errors import DataFileError

pytestmark = SPARK_MARKS


@pytest.fixture
def remote_and_catalogue(tmp_path: Path, icio_data_dir: Path) -> tuple[Path, Path]:
    """A full data directory (the remote copy) and its catalogue alone (no Parquet files)."""
    remote = tmp_path / "remote"
    shutil.copytree(icio_data_dir, remote)
    write_hand_dataset(remote)
    catalogue = tmp_path / "catalogue"
    shutil.copytree(remote, catalogue, ignore=shutil.ignore_patterns("*.parquet"))
    assert not list((catalogue / "datasets").rglob("*.parquet"))
    return remote, catalogue


def test_spark_reads_the_copy_at_the_data_uri(remote_and_catalogue: tuple[Path, Path]) -> None:
    from tradelever.api import Session

    remote, catalogue = remote_and_catalogue
    on_copy = Session(config=spark_config(catalogue, data_uri=remote.as_uri()))
    assert on_copy.datasets().set_index("name").loc["hand-hs17", "status"] == "ok"
    spark = on_copy.leverage("MYS", "USA", "CHN", dataset="hand-hs17")
    duck = Session(config=duckdb_config(remote)).leverage("MYS", "USA", "CHN", dataset="hand-hs17")
    assert_same_result(duck.to_dict(), spark.to_dict())
    assert any(remote.as_uri() in s for s in spark.assumptions)
    # DuckDB reads the data directory itself, where the catalogue holds no table files
    with pytest.raises(DataFileError, match="missing"):
        Session(config=duckdb_config(catalogue)).leverage("MYS", "USA", dataset="hand-hs17")


def test_a_version_not_copied_names_what_to_copy(remote_and_catalogue: tuple[Path, Path]) -> None:
    from tradelever.api import Session

    remote, catalogue = remote_and_catalogue
    version = (catalogue / "datasets" / "hand-hs17" / "current").read_text().strip()
    shutil.rmtree(remote / "datasets" / "hand-hs17" / version)
    session = Session(config=spark_config(catalogue, data_uri=remote.as_uri()))
    with pytest.raises(DataFileError) as caught:
        session.leverage("MYS", "USA", dataset="hand-hs17")
    message = str(caught.value)
    assert f"datasets/hand-hs17/{version}" in message and "copy" in message
    assert remote.as_uri() in message


def test_the_scan_is_refused_with_a_data_uri(remote_and_catalogue: tuple[Path, Path]) -> None:
    """The scan's market tables are built by DuckDB from local flows, which are not there."""
    from tradelever.api import Session
    from tradelever.errors import InputError

    remote, catalogue = remote_and_catalogue
    session = Session(config=spark_config(catalogue, data_uri=remote.as_uri()))
    with pytest.raises(InputError, match="--engine duckdb") as caught:
        session.scan("MYS", dataset="hand-hs17")
    assert caught.value.parameter == "engine"
