"""The catalogue: versions, pinned readers, leases, writer locks, damage and full disks.

Every data set here is SYNTHETIC (a few hand-made rows); values are chosen so that a sum
tells which version was read.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tradelever.errors import DataFileError, StoreError, UnknownDatasetError
from tradelever.store import Store, default_data_dir
from tradelever.store.catalog import ENV_DATA_DIR


def _frame(value: float) -> pd.DataFrame:
    """SYNTHETIC flows: 2023 = value, 2024 = 2 * value (sum 3 * value)."""
    return pd.DataFrame({"year": [2023, 2024], "value_usd": [value, value * 2]})


def _publish(store: Store, value: float, name: str = "demo") -> None:
    with store.stage(name, {"source": f"v{value}", "years": [2023, 2024]}) as staged:
        staged.write_table("flows", _frame(value), partition_year=True)
        staged.manifest["rows"] = 2


def _sum(store: Store, name: str = "demo") -> float:
    return float(store.table(name).value_usd.sum().to_pandas())


def _versions(root: Path, name: str = "demo") -> list[str]:
    return sorted(p.name for p in (root / "datasets" / name).iterdir() if p.is_dir())


def test_stage_publishes_and_lists(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    assert store.names() == ["demo"]
    table = store.datasets()
    row = table.iloc[0]
    assert row["source"] == "v1.0" and row["rows"] == 2 and row["status"] == "ok"
    assert sorted(p.parent.name for p in store.table_files("demo", "flows")) == [
        "year=2023",
        "year=2024",
    ]
    assert _sum(store) == 3.0
    manifest = store.manifest("demo")
    assert manifest["store_version"] == store.version("demo") == _versions(tmp_path)[0]
    assert (tmp_path / "datasets" / "demo" / "current").read_text() == manifest["store_version"]


def test_failed_write_leaves_store_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    before = store.table("demo").to_pandas()
    with pytest.raises(RuntimeError, match="boom"), store.stage("demo", {"source": "2"}) as s:
        s.write_table("flows", _frame(5.0), partition_year=True)
        raise RuntimeError("boom")
    assert store.manifest("demo")["source"] == "v1.0"
    pd.testing.assert_frame_equal(Store(tmp_path).table("demo").to_pandas(), before)
    assert list((tmp_path / ".staging").iterdir()) == []


def test_before_publish_sees_the_whole_new_version_before_readers_do(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    seen: dict[str, object] = {}

    def check(staged: object, record: dict) -> None:
        seen["record"] = record
        seen["files"] = sorted(p.parent.name for p in staged.table_files("flows"))  # type: ignore[attr-defined]
        seen["read then"] = _sum(Store(tmp_path))  # another reader still sees the old one

    with store.stage("demo", {"source": "v5.0", "years": [2023, 2024]}, before_publish=check) as s:
        s.write_table("flows", _frame(5.0), partition_year=True)
        s.manifest["rows"] = 2
    assert seen["files"] == ["year=2023", "year=2024"] and seen["read then"] == 3.0
    record = seen["record"]
    assert isinstance(record, dict)
    published = Store(tmp_path).manifest("demo")
    assert {k: published[k] for k in record} == record  # the record is what readers get
    assert record["store_version"] == published["store_version"] and _sum(Store(tmp_path)) == 15.0


def test_a_failing_before_publish_publishes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)

    def fail(staged: object, record: dict) -> None:
        raise RuntimeError("tables failed")

    staging = store.stage("demo", {"source": "v5.0"}, before_publish=fail)
    with pytest.raises(RuntimeError, match="tables failed"), staging as s:
        s.write_table("flows", _frame(5.0), partition_year=True)
    assert store.manifest("demo")["source"] == "v1.0" and _sum(Store(tmp_path)) == 3.0
    assert list((tmp_path / ".staging").iterdir()) == []


def test_replacement_is_complete_and_old_versions_go(tmp_path: Path) -> None:
    for value in (1.0, 7.0, 9.0):
        _publish(Store(tmp_path), value)
    store = Store(tmp_path)
    assert store.manifest("demo")["source"] == "v9.0"
    assert _sum(store) == 27.0
    # Nobody reads the first two versions any more: the writers removed them.
    assert _versions(tmp_path) == [store.version("demo")]
    assert store.version("demo").startswith("v3-")


def test_a_snapshot_reads_one_version_while_a_writer_replaces_it(tmp_path: Path) -> None:
    reader, writer = Store(tmp_path), Store(tmp_path)
    _publish(writer, 1.0)
    with reader.snapshot():
        flows = reader.table("demo")
        assert reader.manifest("demo")["source"] == "v1.0"
        _publish(writer, 10.0)
        # Still the pinned version, for new calls and for the expression taken before.
        assert reader.manifest("demo")["source"] == "v1.0"
        assert float(flows.value_usd.sum().to_pandas()) == 3.0
        assert _sum(reader) == 3.0
        pinned = reader.version("demo")
        assert pinned in _versions(tmp_path)  # leased: the writer left it on disk
    assert reader.manifest("demo")["source"] == "v10.0"
    assert _sum(reader) == 30.0
    _publish(writer, 20.0)  # the next writer may now remove the pinned version
    assert pinned not in _versions(tmp_path)


def test_outside_a_snapshot_reads_follow_the_current_version(tmp_path: Path) -> None:
    reader, writer = Store(tmp_path), Store(tmp_path)
    _publish(writer, 1.0)
    old = reader.table("demo")
    assert float(old.value_usd.sum().to_pandas()) == 3.0
    assert reader.table("demo") is reader.table("demo")  # registered once per version
    _publish(writer, 10.0)
    assert _sum(reader) == 30.0
    # A query built before the switch still runs on its version (kept for lease_grace).
    assert float(old.value_usd.sum().to_pandas()) == 3.0


def test_a_replaced_version_is_released_after_the_grace_period(tmp_path: Path) -> None:
    reader, writer = Store(tmp_path, lease_grace=0.0), Store(tmp_path)
    _publish(writer, 1.0)
    first = reader.version("demo")
    assert _sum(reader) == 3.0
    _publish(writer, 2.0)
    assert first in _versions(tmp_path)  # still leased by the reader
    assert _sum(reader) == 6.0  # resolving the new version releases the old one
    _publish(writer, 3.0)
    assert first not in _versions(tmp_path)


def test_manifest_reads_do_not_keep_old_versions(tmp_path: Path) -> None:
    catalog, writer = Store(tmp_path), Store(tmp_path)
    _publish(writer, 1.0)
    first = catalog.version("demo")
    assert catalog.manifest("demo")["source"] == "v1.0"
    _publish(writer, 2.0)
    assert catalog.manifest("demo")["source"] == "v2.0"
    _publish(writer, 3.0)
    assert first not in _versions(tmp_path)


def test_a_second_writer_in_the_same_process_is_refused_with_the_pid(tmp_path: Path) -> None:
    first, second = Store(tmp_path), Store(tmp_path)
    with first.stage("demo", {"source": "first"}) as staged:
        staged.write_table("flows", _frame(1.0))
        with (
            pytest.raises(StoreError, match=rf"demo: .*being written by process {os.getpid()}"),
            second.stage("demo", {"source": "second"}),
        ):
            pass
        # Another data set may be written meanwhile.
        _publish(second, 4.0, name="other")
    assert first.manifest("demo")["source"] == "first"
    assert second.manifest("other")["source"] == "v4.0"


def test_remove(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    _publish(store, 2.0, name="other")
    store.remove("demo")
    assert store.names() == ["other"]
    assert not (tmp_path / "datasets" / "demo").exists()
    with pytest.raises(UnknownDatasetError, match="demo: unknown data set; available: other"):
        store.manifest("demo")
    with pytest.raises(UnknownDatasetError):
        store.remove("demo")


def test_unknown_dataset_lists_available(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    with pytest.raises(UnknownDatasetError, match="baci: unknown data set; available: demo"):
        store.manifest("baci")
    with pytest.raises(UnknownDatasetError, match="no table 'nodes'"):
        store.table("demo", "nodes")
    for name in ("../demo", ".staging", "demo/../demo", ""):
        with pytest.raises(UnknownDatasetError):
            store.manifest(name)


@pytest.mark.parametrize("name", ["", "../x", ".hidden", "a--b", "a/b"])
def test_invalid_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(StoreError, match="invalid data set name"), Store(tmp_path).stage(name, {}):
        pass


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The store reads no environment: Config.resolve does (tests/test_config.py).
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert default_data_dir() != tmp_path / "env"
    assert "tradelever" in str(default_data_dir())
    assert Store(tmp_path / "explicit").root == tmp_path / "explicit"


def test_opening_a_store_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "new")
    assert store.names() == [] and store.datasets().empty
    assert not (tmp_path / "new").exists()


# -- damaged data sets ------------------------------------------------------------------------
@pytest.fixture
def two_sets(tmp_path: Path) -> Store:
    store = Store(tmp_path)
    _publish(store, 1.0)
    _publish(store, 5.0, name="other")
    return Store(tmp_path)


def _damaged(store: Store) -> dict[str, str]:
    table = store.datasets()
    assert sorted(table["name"]) == ["demo", "other"]
    return {r["name"]: r["note"] for r in table.to_dict("records") if r["status"] == "damaged"}


def test_corrupt_manifest_is_one_damaged_row_not_a_broken_list(two_sets: Store) -> None:
    path = two_sets.dataset_path("demo") / "dataset.json"
    path.write_text('{"name": "demo", "source": ', "utf-8")
    store = Store(two_sets.root)
    damaged = _damaged(store)
    assert list(damaged) == ["demo"]
    assert damaged["demo"].startswith(f"{path}: not valid JSON at line 1")
    with pytest.raises(DataFileError, match=r"dataset\.json: not valid JSON") as err:
        store.manifest("demo")
    assert "\n" not in str(err.value) and "ingest or fetch it again" in str(err.value)
    assert not store.has("demo")
    assert _sum(store, "other") == 15.0
    row = store.datasets().set_index("name").loc["demo"]
    assert row["years"] is None and row["rows"] is None and row["source"] is None  # not NaN
    _publish(store, 2.0)  # re-ingesting repairs it
    assert _sum(Store(two_sets.root)) == 6.0 and _damaged(Store(two_sets.root)) == {}


def test_truncated_parquet_file_is_named(two_sets: Store) -> None:
    path = two_sets.table_files("demo", "flows")[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    store = Store(two_sets.root)
    with pytest.raises(DataFileError, match="truncated or altered") as err:
        store.table("demo")
    assert str(err.value).startswith(f"{path}: ")
    assert "truncated" in _damaged(store)["demo"]
    assert _sum(store, "other") == 15.0


def test_overwritten_parquet_file_is_named(two_sets: Store) -> None:
    path = two_sets.table_files("demo", "flows")[1]
    path.write_bytes(b"\0" * path.stat().st_size)  # same size, not Parquet any more
    with pytest.raises(DataFileError, match="not a Parquet file") as err:
        Store(two_sets.root).table("demo")
    assert str(err.value).startswith(f"{path}: ")


def test_deleted_year_folder_is_an_error_not_an_empty_answer(two_sets: Store) -> None:
    import shutil

    folder = two_sets.dataset_path("demo") / "flows" / "year=2024"
    shutil.rmtree(folder)
    store = Store(two_sets.root)
    with pytest.raises(DataFileError, match=r"missing \(a file of flows/year=2024") as err:
        store.table("demo")
    assert str(err.value).startswith(str(folder / "part-0.parquet"))
    assert "year=2024" in _damaged(store)["demo"]


def test_corrupt_pointer_is_named(two_sets: Store) -> None:
    pointer = two_sets.root / "datasets" / "demo" / "current"
    pointer.write_text("../../etc", "ascii")
    store = Store(two_sets.root)
    with pytest.raises(DataFileError, match="not a version folder name") as err:
        store.manifest("demo")
    assert str(err.value).startswith(str(pointer))
    assert "current" in _damaged(store)["demo"]
    _publish(store, 3.0, name="other")  # a writer's clean-up leaves the damaged set alone
    assert (two_sets.root / "datasets" / "demo").is_dir()


def test_missing_version_folder_is_named(two_sets: Store) -> None:
    import shutil

    folder = two_sets.dataset_path("demo")
    two_sets.close()
    shutil.rmtree(folder)
    store = Store(two_sets.root)
    with pytest.raises(DataFileError, match="current version folder is missing"):
        store.table("demo")
    assert "missing" in _damaged(store)["demo"]


# -- full disk, read-only -------------------------------------------------------------------
def _enospc_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
    """Make pyarrow's Parquet writer fail with ENOSPC after ``calls`` files (a full disk)."""
    import pyarrow.parquet as pq

    real = pq.write_table
    count = {"n": 0}

    def full(table, where, *args, **kwargs):  # type: ignore[no-untyped-def]
        count["n"] += 1
        if count["n"] > calls:
            with open(where, "wb") as fh:
                fh.write(b"PAR1 partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", full)


def test_full_disk_while_staging_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    _enospc_after(monkeypatch, 1)
    with pytest.raises(StoreError) as err:
        _publish(store, 2.0)
    message = str(err.value)
    assert "\n" not in message and "No space left on device" in message
    assert "year=2024/part-0.parquet: cannot write" in message
    assert "nothing stored was changed" in message
    monkeypatch.undo()
    fresh = Store(tmp_path)
    assert fresh.datasets()["status"].tolist() == ["ok"]
    assert _sum(fresh) == 3.0
    assert list((tmp_path / ".staging").iterdir()) == []


def test_full_disk_raised_by_another_writer_inside_stage(tmp_path: Path) -> None:
    store = Store(tmp_path)
    # e.g. pyarrow's ParquetWriter, which reports errno only in its message
    with (
        pytest.raises(StoreError, match=r"No space left on device.*free some space"),
        store.stage("demo", {}) as staged,
    ):
        raise OSError(f"[errno {errno.ENOSPC}] Error writing bytes to {staged.path}/x")
    assert store.names() == []


def test_full_disk_when_switching_the_pointer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    real = os.replace

    def full(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst).name == "current":
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StoreError, match="current: cannot write"):
        _publish(store, 2.0)
    monkeypatch.undo()
    assert _sum(Store(tmp_path)) == 3.0
    assert len(_versions(tmp_path)) == 1
    assert not [p for p in (tmp_path / "datasets" / "demo").iterdir() if ".tmp-" in p.name]


def test_file_where_the_staging_folder_should_be(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    staging = tmp_path / ".staging"
    staging.rmdir()
    staging.write_text("not a folder")
    with pytest.raises(StoreError, match=r"\.staging.*cannot write"):
        _publish(store, 2.0)
    assert _sum(Store(tmp_path)) == 3.0


def test_manifest_is_a_copy(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _publish(store, 1.0)
    store.manifest("demo")["years"].append(1999)
    assert store.manifest("demo")["years"] == [2023, 2024]
    recorded = json.loads((store.dataset_path("demo") / "contents.json").read_text())
    assert sorted(recorded) == ["flows/year=2023/part-0.parquet", "flows/year=2024/part-0.parquet"]


def test_read_arrow_and_columns_match_the_engine_without_starting_it(two_sets: Store) -> None:
    store = Store(two_sets.root)
    read = store.read_arrow("demo", "flows")
    assert store._con is None  # the query engine was never connected
    # the year partition folder is a column too, as the engine reads it
    assert store.columns("demo", "flows") == ("year", "value_usd")
    assert sorted(read.column("value_usd").to_pylist()) == [1.0, 2.0]
    assert store.read_arrow("demo", "flows", ["value_usd"]).column_names == ["value_usd"]
    assert store._con is None
    assert store.columns("demo") == tuple(store.table("demo").columns)
    engine = store.table("demo").to_pyarrow()
    assert sorted(engine.column("value_usd").to_pylist()) == sorted(
        read.column("value_usd").to_pylist()
    )
    # once the engine is connected, through it (no second reader): the same rows
    again = store.read_arrow("demo", "flows", ["value_usd"])
    assert sorted(again.column("value_usd").to_pylist()) == [1.0, 2.0]
    with pytest.raises(UnknownDatasetError, match="no table 'products'"):
        store.read_arrow("demo", "products")
    with pytest.raises(UnknownDatasetError):
        store.columns("nope")


def test_read_arrow_names_a_damaged_file(two_sets: Store) -> None:
    path = two_sets.table_files("demo", "flows")[0]
    path.write_bytes(path.read_bytes()[:20])
    store = Store(two_sets.root)
    with pytest.raises(DataFileError, match="truncated or altered") as err:
        store.read_arrow("demo", "flows")
    assert str(err.value).startswith(f"{path}: ")
    with pytest.raises(DataFileError, match="truncated or altered"):
        store.columns("demo")
