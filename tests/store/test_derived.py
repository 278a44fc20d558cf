"""Derived tables cached per data-set version (tradelever.store.derived)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.synthetic import write_hand_dataset
from tradelever.errors import UnknownDatasetError
from tradelever.store import Store
from tradelever.store.derived import derived_tables

HAND = "hand-hs17"


def _writer(calls: list[Path]):  # type: ignore[no-untyped-def]
    def build(folder: Path) -> dict[str, int]:
        calls.append(folder)
        (folder / "t").mkdir()
        (folder / "t" / "part-0.parquet").write_bytes(b"PAR1")
        return {"t": 1}

    return build


def test_built_once_per_version_and_kind(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    calls: list[Path] = []
    first = derived_tables(store, HAND, "demo", 1, _writer(calls))
    again = derived_tables(Store(tmp_path / "store"), HAND, "demo", 1, _writer(calls))
    assert len(calls) == 1 and again.folder == first.folder
    assert again.tables == ["t"] and again.files("t") == [first.folder / "t" / "part-0.parquet"]
    record = json.loads((first.folder / "derived.json").read_text())
    assert record["dataset"] == HAND and record["version"] == 1 and record["tables"] == {"t": 1}
    newer = derived_tables(store, HAND, "demo", 2, _writer(calls))  # a new definition
    assert len(calls) == 2 and newer.folder != first.folder and not first.folder.exists()
    other = derived_tables(store, HAND, "other", 2, _writer(calls))  # kinds are separate
    assert newer.folder.exists() and other.folder != newer.folder


def test_another_process_publishing_first_wins(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    calls: list[Path] = []

    def racing(folder: Path) -> dict[str, int]:
        # while this build runs, another process publishes the same copy
        winner = derived_tables(store, HAND, "demo", 1, _writer(calls))
        (winner.folder / "winner").write_text("first")
        return _writer(calls)(folder)

    result = derived_tables(store, HAND, "demo", 1, racing)
    assert (result.folder / "winner").read_text() == "first"
    leftovers = [p for p in result.folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_unknown_data_set(tmp_path: Path) -> None:
    with pytest.raises(UnknownDatasetError, match="nope: unknown data set"):
        derived_tables(Store(tmp_path), "nope", "demo", 1, _writer([]))


def test_abandoned_builds_are_removed(tmp_path: Path) -> None:
    import os
    import time

    store = write_hand_dataset(tmp_path / "store")
    base = store.root / "cache" / "derived" / HAND
    killed = base / ".demo-0123456789abcdef0123-dead"  # a build killed long ago
    recent = base / ".demo-0123456789abcdef0123-live"  # another process building now
    for folder in (killed, recent):
        (folder / "t").mkdir(parents=True)
    old = time.time() - 7 * 3600
    os.utime(killed, (old, old))
    derived_tables(store, HAND, "demo", 1, _writer([]))
    assert not killed.exists() and recent.exists()


def test_copy_of_a_version_being_read_is_kept_until_the_version_is_gone(tmp_path: Path) -> None:
    """A re-ingest while serving: requests pinned to the old version still read its copy."""
    import shutil

    from tests.synthetic import hand_flows, hand_products

    store = write_hand_dataset(tmp_path / "store")
    calls: list[Path] = []
    reader = Store(tmp_path / "store")
    with reader.snapshot():
        old = derived_tables(reader, HAND, "demo", 1, _writer(calls))  # pins the old version
        old_version = reader.version(HAND)
        manifest = {**store.manifest(HAND), "sha256": "re-ingested"}
        manifest.pop("name", None)
        with store.stage(HAND, manifest) as staged:
            staged.write_table("flows", hand_flows(), partition_year=True)
            staged.write_table("products", hand_products())
        new = derived_tables(Store(tmp_path / "store"), HAND, "demo", 1, _writer(calls))
        assert new.folder != old.folder and len(calls) == 2
        assert old.files("t")  # the old version is still read: its copy stays
        assert (store.datasets_dir / HAND / old_version).is_dir()
    shutil.rmtree(store.datasets_dir / HAND / old_version)  # as a writer's clean-up does
    newest = derived_tables(Store(tmp_path / "store"), HAND, "demo", 2, _writer(calls))
    assert not old.folder.exists() and not new.folder.exists() and newest.folder.exists()
