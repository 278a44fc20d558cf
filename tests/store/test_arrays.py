"""Arrays derived from a data set, cached per version and checked by block (store/arrays.py).

The arrays are synthetic (a counter grid whose every value is known); the data set is the
synthetic hand-hs17.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.synthetic import write_hand_dataset
from tradelever.errors import StoreError
from tradelever.store import Store
from tradelever.store.arrays import ArrayWriter, StoredArrays, derived_arrays
from tradelever.store.locks import FileLock

HAND = "hand-hs17"
GRID = np.arange(3 * 4 * 2 * 5, dtype=float).reshape(3, 4, 2, 5)  # 3 x 4 blocks of 2 x 5
VECTOR = np.linspace(0.0, 1.0, 7)


def _build(calls: list[int]):  # type: ignore[no-untyped-def]
    def build(writer: ArrayWriter) -> None:
        calls.append(1)
        grid = writer.grid("grid", (3, 4), (2, 5))
        for i in range(3):
            grid.row(i, GRID[i])
        writer.vector("vector", VECTOR)
        writer.meta["codes"] = ["a", "b", "c"]

    return build


def _copies(store: Store, kind: str = "demo") -> list[Path]:
    return sorted((store.root / "cache" / "derived" / HAND).glob(f"{kind}-*"))


def test_written_blocks_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    writer = ArrayWriter(folder)
    _build([])(writer)
    assert writer.close() == {"grid": 3, "vector": 7}
    arrays = StoredArrays(folder)
    grid = arrays.grid("grid")
    assert grid.shape == (3, 4, 2, 5)
    np.testing.assert_array_equal(grid.block(2, 1), GRID[2, 1])
    np.testing.assert_array_equal(grid.grid_row(1), GRID[1])
    np.testing.assert_array_equal(grid.grid_column(3), GRID[:, 3])
    np.testing.assert_array_equal(arrays.vector("vector"), VECTOR)
    assert arrays.meta == {"codes": ["a", "b", "c"]}
    # reads are copies: changing one does not change the next read
    block = grid.block(0, 0)
    block[...] = -1.0
    np.testing.assert_array_equal(grid.block(0, 0), GRID[0, 0])
    with pytest.raises(KeyError):
        arrays.grid("vector")


def test_rows_of_blocks_are_written_in_order(tmp_path: Path) -> None:
    writer = ArrayWriter(tmp_path)
    grid = writer.grid("grid", (3, 4), (2, 5))
    with pytest.raises(ValueError, match="row 1 written after row -1"):
        grid.row(1, GRID[1])
    with pytest.raises(ValueError, match="row of shape"):
        grid.row(0, GRID[0, :3])
    grid.row(0, GRID[0])
    with pytest.raises(ValueError, match="1 of 3 rows written"):
        writer.close()


def test_hit_miss_and_a_new_version(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    calls: list[int] = []
    first = derived_arrays(store, HAND, "demo", 1, _build(calls))  # miss: built
    again = derived_arrays(Store(tmp_path / "store"), HAND, "demo", 1, _build(calls))  # hit
    assert len(calls) == 1 and again.folder == first.folder == _copies(store)[0]
    np.testing.assert_array_equal(again.grid("grid").grid_row(2), GRID[2])
    record = json.loads((first.folder / "derived.json").read_text("utf-8"))
    assert record["dataset"] == HAND and record["kind"] == "demo"
    # a new definition of the arrays, then a new version of the data set: built again, and
    # the copy of the old one removed
    newer = derived_arrays(store, HAND, "demo", 2, _build(calls))
    assert len(calls) == 2 and _copies(store) == [newer.folder] != [first.folder]
    write_hand_dataset(tmp_path / "store")  # re-ingest: a new version of hand-hs17
    reingested = Store(tmp_path / "store")
    latest = derived_arrays(reingested, HAND, "demo", 2, _build(calls))
    assert len(calls) == 3 and latest.folder != newer.folder
    # the old version's copy stays exactly while that version is in the store (a reader
    # pinned to it may be reading it); the copy of the old definition is gone
    old = json.loads((newer.folder / "derived.json").read_text("utf-8"))["store_version"]
    old_kept = (store.datasets_dir / HAND / str(old)).is_dir()
    assert set(_copies(store)) == {latest.folder} | ({newer.folder} if old_kept else set())
    # removing the data set removes what was derived from it
    reingested.remove(HAND)
    assert not (store.root / "cache" / "derived" / HAND).exists()


def _flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))


def test_a_corrupt_block_is_rebuilt_not_trusted(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    store = write_hand_dataset(tmp_path / "store")
    calls: list[int] = []
    arrays = derived_arrays(store, HAND, "demo", 1, _build(calls))
    grid = arrays.grid("grid")
    # one byte of block (1, 2): after the 128-byte .npy header, blocks of 10 float64 each
    _flip_byte(arrays.folder / "grid.npy", 128 + (1 * 4 + 2) * 80 + 3)
    np.testing.assert_array_equal(grid.block(0, 0), GRID[0, 0])  # other blocks are sound
    assert len(calls) == 1
    np.testing.assert_array_equal(grid.grid_column(2), GRID[:, 2])  # checked: rebuilt
    assert len(calls) == 2 and arrays.generation == 2
    assert "fails its checksum" in caplog.text
    np.testing.assert_array_equal(grid.block(1, 2), GRID[1, 2])
    # the rebuilt copy is the one on disk; another process reads it without building
    assert derived_arrays(store, HAND, "demo", 1, _build(calls)).folder == arrays.folder
    assert len(calls) == 2
    assert [p for p in arrays.folder.parent.iterdir() if "discarded" in p.name] == []


@pytest.mark.parametrize(
    "damage",
    ["vector", "truncated grid", "checksum file", "record", "metadata"],
)
def test_damaged_files_are_rebuilt_when_opened(tmp_path: Path, damage: str) -> None:
    store = write_hand_dataset(tmp_path / "store")
    calls: list[int] = []
    folder = derived_arrays(store, HAND, "demo", 1, _build(calls)).folder
    if damage == "vector":
        _flip_byte(folder / "vector.npy", 140)
    elif damage == "truncated grid":
        with (folder / "grid.npy").open("r+b") as fh:
            fh.truncate(500)
    elif damage == "checksum file":
        _flip_byte(folder / "grid.crc.npy", 130)
    elif damage == "record":
        (folder / "arrays.json").write_text("{not json", "utf-8")
    else:  # metadata altered but still valid JSON: its own checksum catches it
        record = json.loads((folder / "arrays.json").read_text("utf-8"))
        record["meta"]["codes"] = ["a", "b", "x"]
        (folder / "arrays.json").write_text(json.dumps(record), "utf-8")
    arrays = derived_arrays(store, HAND, "demo", 1, _build(calls))
    assert len(calls) == 2
    np.testing.assert_array_equal(arrays.grid("grid").grid_row(0), GRID[0])
    np.testing.assert_array_equal(arrays.vector("vector"), VECTOR)
    assert arrays.meta["codes"] == ["a", "b", "c"]


def test_a_copy_that_stays_corrupt_is_an_error(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")

    def broken(writer: ArrayWriter) -> None:  # a builder whose output never reads back
        writer.vector("vector", VECTOR)
        writer.close()
        (writer.folder / "vector.npy").write_bytes(b"garbage")

    with pytest.raises(StoreError, match=r"cannot be read back: .*vector\.npy"):
        derived_arrays(store, HAND, "demo", 1, broken)


_CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    from tradelever.store import Store
    from tradelever.store.arrays import derived_arrays

    root, log = sys.argv[1], sys.argv[2]

    def note(event):
        with open(log, "a") as fh:
            fh.write(json.dumps([os.getpid(), event, time.time()]) + "\\n")

    def build(writer):
        note("build-start")
        time.sleep(3.0)
        grid = writer.grid("grid", (3, 4), (2, 5))
        for i, row in enumerate(np.arange(120, dtype=float).reshape(3, 4, 2, 5)):
            grid.row(i, row)
        note("build-end")

    note("start")
    arrays = derived_arrays(Store(root), "hand-hs17", "demo", 1, build)
    row = arrays.grid("grid").grid_row(2)
    note("read " + arrays.folder.name + " " + str(float(row.sum())))
    """
)


def test_concurrent_first_use_builds_once(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    log = tmp_path / "events.jsonl"
    env = dict(os.environ)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(store.root), str(log)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    events = [json.loads(line) for line in log.read_text().splitlines()]
    starts = [t for _, event, t in events if event == "start"]
    builds = [(pid, t) for pid, event, t in events if event == "build-start"]
    ends = [t for _, event, t in events if event == "build-end"]
    reads = {event for _, event, _ in events if event.startswith("read ")}
    assert len(starts) == 2 and len(builds) == 1 and len(ends) == 1
    # the two processes overlapped: both asked before the one build was done
    assert max(starts) < ends[0], "the second process started after the build: no race tested"
    expected = float(np.arange(120.0).reshape(3, 4, 2, 5)[2].sum())
    assert reads == {f"read {_copies(store)[0].name} {expected}"}
    assert len(_copies(store)) == 1
    assert [p.name for p in _copies(store)[0].parent.iterdir() if p.name.startswith(".")] == [
        ".demo.lock"
    ]


def test_without_the_lock_an_existing_copy_is_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # a read-only data directory: the lock file cannot be created
    store = write_hand_dataset(tmp_path / "store")
    derived_arrays(store, HAND, "demo", 1, _build([]))

    original = FileLock.acquire

    def refuse(path: Path, **kwargs: object) -> FileLock | None:
        if path.name == ".demo.lock":
            raise PermissionError(13, "Permission denied")
        return original(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FileLock, "acquire", refuse)
    calls: list[int] = []
    arrays = derived_arrays(Store(tmp_path / "store"), HAND, "demo", 1, _build(calls))
    assert calls == [] and arrays.grid("grid").block(2, 3).sum() == GRID[2, 3].sum()
