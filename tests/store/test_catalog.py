"""Atomic writes, the datasets table and data directory resolution."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradelever.errors import StoreError, UnknownDatasetError
from tradelever.store import Store, default_data_dir
from tradelever.store.catalog import ENV_DATA_DIR


def _frame(value: float) -> pd.DataFrame:
    return pd.DataFrame({"year": [2023, 2024], "value_usd": [value, value * 2]})


def test_stage_publishes_and_lists(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.stage("demo", {"source": "synthetic", "years": [2023, 2024]}) as staged:
        staged.write_table("flows", _frame(1.0), partition_year=True)
        staged.manifest["rows"] = 2
    assert store.names() == ["demo"]
    table = store.datasets()
    assert table.loc[0, "source"] == "synthetic" and table.loc[0, "rows"] == 2
    assert sorted(p.parent.name for p in store.table_files("demo", "flows")) == [
        "year=2023",
        "year=2024",
    ]
    assert store.table("demo").value_usd.sum().to_pandas() == 3.0


def test_failed_write_leaves_store_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.stage("demo", {"source": "first"}) as staged:
        staged.write_table("flows", _frame(1.0), partition_year=True)
    before = store.table("demo").to_pandas()
    with pytest.raises(RuntimeError, match="boom"), store.stage("demo", {"source": "second"}) as s:
        s.write_table("flows", _frame(5.0), partition_year=True)
        raise RuntimeError("boom")
    assert store.manifest("demo")["source"] == "first"
    pd.testing.assert_frame_equal(Store(tmp_path).table("demo").to_pandas(), before)
    assert list((tmp_path / ".staging").iterdir()) == []


def test_replacement_is_complete(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for value in (1.0, 7.0):
        with store.stage("demo", {"source": f"v{value}"}) as staged:
            staged.write_table("flows", _frame(value), partition_year=True)
    assert store.manifest("demo")["source"] == "v7.0"
    assert Store(tmp_path).table("demo").value_usd.sum().to_pandas() == 21.0


def test_interrupted_replacement_is_recovered(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.stage("demo", {"source": "old"}) as staged:
        staged.write_table("flows", _frame(1.0))
    # Simulate a crash between the two renames: the old copy sits in .trash, none visible.
    (tmp_path / "datasets" / "demo").rename(tmp_path / ".trash" / "demo--deadbeef")
    assert Store(tmp_path).manifest("demo")["source"] == "old"


def test_unknown_dataset_lists_available(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.stage("demo", {}) as staged:
        staged.write_table("flows", _frame(1.0))
    with pytest.raises(UnknownDatasetError, match="baci: unknown data set; available: demo"):
        store.manifest("baci")
    with pytest.raises(UnknownDatasetError, match="no table 'nodes'"):
        store.table("demo", "nodes")


@pytest.mark.parametrize("name", ["", "../x", ".hidden", "a--b"])
def test_invalid_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(StoreError, match="invalid data set name"), Store(tmp_path).stage(name, {}):
        pass


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The store reads no environment: Config.resolve does (tests/test_config.py).
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert default_data_dir() != tmp_path / "env"
    assert "tradelever" in str(default_data_dir())
    assert Store(tmp_path / "explicit").root == tmp_path / "explicit"


def test_table_view_follows_a_replacement_by_another_process(tmp_path: Path) -> None:
    reader = Store(tmp_path)
    writer = Store(tmp_path)
    with writer.stage("demo", {"source": "v1"}) as staged:
        staged.write_table("flows", _frame(1.0))
    assert reader.table("demo").value_usd.sum().to_pandas() == 3.0
    assert reader.table("demo") is reader.table("demo")  # registered once, reused
    import os
    import time

    time.sleep(0.01)
    with writer.stage("demo", {"source": "v2"}) as staged:
        staged.write_table("flows", _frame(10.0))
    manifest = tmp_path / "datasets" / "demo" / "dataset.json"
    later = manifest.stat().st_mtime_ns + 1_000_000
    os.utime(manifest, ns=(later, later))  # coarse file-system clocks: force a new stamp
    assert reader.table("demo").value_usd.sum().to_pandas() == 30.0
