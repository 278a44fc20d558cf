"""Arrays derived from a data set: cached per version, read by block, checksummed by block.

Some results of a data set are expensive to compute and cheap to read in part: the total
requirements of a 4,000-node input-output network (128 MB, several seconds of linear
algebra) are computed once and then read a few blocks at a time. This module keeps such
arrays as one derived copy of :mod:`tradelever.store.derived` (so it lives under
``<data_dir>/cache/derived/<data set>/<kind>-<key>/``, is keyed by the data set's manifest
identity, name, sha256 and retrieval time among it, is published atomically and is removed
when a new version of the data set gets its own copy, or with the data set)::

    arrays.json        every array: file, dtype, shape and checksums; the builder's metadata
                       (JSON, with its own sha256)
    <vector>.npy       a small array, read whole and checked against its sha256
    <grid>.npy         a block array of shape (R, K, *block), C order, read block by block
                       with positioned reads (``pread``; not memory-mapped: read-ahead would
                       fill the mapping, and resident memory, with megabytes per fault)
    <grid>.crc.npy     one CRC-32 per block (R x K), itself checked against its sha256
    derived.json       the record of :mod:`tradelever.store.derived`

Nothing is trusted: a vector is checked when the copy is opened, a block each time it is
read (a CRC-32 of 20 KB takes microseconds), and a file that fails its check (a truncated
or altered copy, a disk error) makes the copy be discarded and built again, once.

Two processes that need the same copy at once do not both build it: the builder holds an
exclusive lock (``.<kind>.lock`` beside the copies); the other waits and then reads the
published copy. On a read-only data directory an existing copy is read without the lock.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import threading
import uuid
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np

from tradelever.checksums import bytes_sha256, file_sha256
from tradelever.errors import StoreError
from tradelever.store.catalog import Store
from tradelever.store.derived import derived_tables
from tradelever.store.locks import FileLock

__all__ = [
    "ArrayWriter",
    "BlockArray",
    "CorruptCacheError",
    "GridWriter",
    "StoredArrays",
    "derived_arrays",
]

log = logging.getLogger(__name__)

RECORD: Final = "arrays.json"
#: Seconds a process waits for another one building the same copy.
BUILD_WAIT: Final = 1800.0
_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class CorruptCacheError(StoreError):
    """A cached file failed its check (size, header or checksum); the copy is rebuilt."""


def _meta_sha256(meta: dict[str, Any]) -> str:
    return bytes_sha256(json.dumps(meta, sort_keys=True).encode("utf-8"))


def _check_name(name: str) -> str:
    if not name or not set(name) <= _NAME_CHARS:
        raise ValueError(f"array name must be lower-case letters, digits and _: {name!r}")
    return name


# -- writing ------------------------------------------------------------------------------------
class ArrayWriter:
    """Writes the arrays of one copy into its (temporary) folder; used by a build function.

    Parameters
    ----------
    folder
        The empty folder :func:`derived_arrays` gives the build.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._arrays: dict[str, dict[str, Any]] = {}
        self._grids: dict[str, GridWriter] = {}
        self.meta: dict[str, Any] = {}

    def vector(self, name: str, values: np.ndarray) -> None:
        """Write a small array (read whole when the copy is opened)."""
        name = _check_name(name)
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(values), allow_pickle=False)
        data = buffer.getvalue()
        (self.folder / f"{name}.npy").write_bytes(data)
        array = np.asarray(values)
        self._arrays[name] = {
            "kind": "vector",
            "file": f"{name}.npy",
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "sha256": bytes_sha256(data),
        }

    def grid(
        self, name: str, grid: tuple[int, int], block: tuple[int, ...], dtype: str = "<f8"
    ) -> GridWriter:
        """Start a block array of shape ``grid + block``, written row of blocks by row.

        Block ``(i, j)`` is ``array[i, j]``. See :class:`GridWriter`.
        """
        name = _check_name(name)
        writer = GridWriter(self.folder / f"{name}.npy", grid, block, np.dtype(dtype))
        self._grids[name] = writer
        self._arrays[name] = {
            "kind": "grid",
            "file": f"{name}.npy",
            "crc": f"{name}.crc.npy",
            "dtype": np.dtype(dtype).str,
            "shape": [*grid, *block],
        }
        return writer

    def close(self) -> dict[str, int]:
        """Finish every block array, write ``arrays.json``; return the rows of each array."""
        for name, grid in self._grids.items():
            crcs = grid.close()
            entry = self._arrays[name]
            crc_path = self.folder / entry["crc"]
            np.save(crc_path, crcs, allow_pickle=False)
            entry["crc_sha256"] = file_sha256(crc_path)
        self._grids.clear()
        record = {"arrays": self._arrays, "meta": self.meta, "meta_sha256": _meta_sha256(self.meta)}
        (self.folder / RECORD).write_text(json.dumps(record, indent=1), "utf-8")
        return {name: int(entry["shape"][0]) for name, entry in self._arrays.items()}


class GridWriter:
    """A block array written to its ``.npy`` file one row of blocks at a time, in order.

    The file is written sequentially (never memory-mapped, so a build does not hold the
    whole array in memory) and each block's CRC-32 is taken as it is written.
    """

    def __init__(
        self, path: Path, grid: tuple[int, int], block: tuple[int, ...], dtype: np.dtype
    ) -> None:
        self.path = path
        self.grid = grid
        self.block = block
        self.dtype = dtype
        self.crcs = np.zeros(grid, dtype=np.uint32)
        self._next = 0
        self._fh = path.open("wb")
        header = {
            "descr": np.lib.format.dtype_to_descr(dtype),
            "fortran_order": False,
            "shape": (*grid, *block),
        }
        np.lib.format.write_array_header_1_0(self._fh, header)

    def row(self, i: int, blocks: np.ndarray) -> None:
        """Write blocks ``(i, :)``, shape ``(K, *block)``; rows must come in order 0, 1, ..."""
        if i != self._next:
            raise ValueError(f"{self.path.name}: row {i} written after row {self._next - 1}")
        blocks = np.ascontiguousarray(blocks, dtype=self.dtype)
        if blocks.shape != (self.grid[1], *self.block):
            raise ValueError(f"{self.path.name}: row of shape {blocks.shape}")
        for j in range(self.grid[1]):
            self.crcs[i, j] = zlib.crc32(memoryview(blocks[j]).cast("B"))
        self._fh.write(memoryview(blocks).cast("B"))
        self._next += 1

    def close(self) -> np.ndarray:
        """Close the file; return the CRC-32 of every block (R x K)."""
        self._fh.close()
        if self._next != self.grid[0]:
            raise ValueError(f"{self.path.name}: {self._next} of {self.grid[0]} rows written")
        return self.crcs


# -- reading ------------------------------------------------------------------------------------
def _pread_into(fd: int, view: memoryview, offset: int) -> int:
    if hasattr(os, "preadv"):
        return os.preadv(fd, [view], offset)
    data = os.pread(fd, len(view), offset)  # pragma: no cover - no preadv (macOS < 11)
    view[: len(data)] = data
    return len(data)


class _GridFile:
    """An open block-array file: its header checked, blocks read with positioned reads.

    Blocks are read with ``pread`` into memory this process owns, never memory-mapped: a
    mapping would be filled by the kernel's read-ahead (megabytes per fault with large
    page-cache folios), and the process's resident memory with it.
    """

    def __init__(self, path: Path, entry: dict[str, Any], crcs: np.ndarray) -> None:
        self.path = path
        self.crcs = crcs
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self._closer = weakref.finalize(self, os.close, fd)
        self.fd = fd
        try:
            with path.open("rb") as fh:
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
                self.offset = fh.tell()
            size = os.fstat(fd).st_size
        except (OSError, ValueError) as exc:
            raise CorruptCacheError(f"{path}: unreadable ({exc})") from None
        if fortran or dtype.str != entry["dtype"] or list(shape) != entry["shape"]:
            raise CorruptCacheError(f"{path}: dtype or shape differs from {RECORD}")
        if crcs.shape != tuple(shape[:2]):
            raise CorruptCacheError(f"{path}: its checksum file has the wrong shape")
        self.shape = tuple(int(n) for n in shape)
        self.dtype = dtype
        self.block_shape = self.shape[2:]
        self.block_bytes = int(np.prod(self.block_shape, dtype=np.int64)) * dtype.itemsize
        if size != self.offset + self.block_bytes * self.shape[0] * self.shape[1]:
            raise CorruptCacheError(f"{path}: {size} bytes, not the size its header gives")

    def read(self, spans: list[tuple[int, int, int]]) -> np.ndarray:
        """Blocks of the spans ``(row, first column, count)``, stacked: (total count, *block)."""
        total = sum(count for _, _, count in spans)
        buffer = bytearray(total * self.block_bytes)
        view = memoryview(buffer)
        at = 0
        for i, j, count in spans:
            want = count * self.block_bytes
            offset = self.offset + (i * self.shape[1] + j) * self.block_bytes
            try:
                got = _pread_into(self.fd, view[at : at + want], offset)
            except OSError as exc:
                raise CorruptCacheError(f"{self.path}: unreadable ({exc})") from None
            if got != want:
                raise CorruptCacheError(f"{self.path}: truncated")
            at += want
        return np.frombuffer(buffer, dtype=self.dtype).reshape(total, *self.block_shape)


class BlockArray:
    """A (R, K, *block) array on disk whose blocks are checked as they are read.

    Every method reads only the blocks it returns (positioned reads into a new array) and
    checks the CRC-32 of each.
    """

    def __init__(self, owner: StoredArrays, name: str) -> None:
        self._owner = owner
        self.name = name
        self._generation = owner.generation
        self._file = owner._grid_file(name)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape ``(R, K, *block)``."""
        return self._file.shape

    def _read(self, spans: list[tuple[int, int, int]], where: str) -> np.ndarray:
        def read(grid: _GridFile) -> np.ndarray:
            blocks = grid.read(spans)
            n = 0
            for i, j, count in spans:
                for k in range(j, j + count):
                    if zlib.crc32(memoryview(blocks[n]).cast("B")) != int(grid.crcs[i, k]):
                        raise CorruptCacheError(
                            f"block ({i}, {k}) of {grid.path} fails its checksum ({where})"
                        )
                    n += 1
            return blocks

        try:
            return read(self._file)
        except CorruptCacheError as exc:
            self._owner._recover(exc, self._generation)
            self._generation = self._owner.generation
            self._file = self._owner._grid_file(self.name)
            return read(self._file)

    def block(self, i: int, j: int) -> np.ndarray:
        """Block ``(i, j)``, shape ``block``."""
        return self._read([(i, j, 1)], f"block ({i}, {j})")[0]

    def grid_row(self, i: int) -> np.ndarray:
        """Blocks ``(i, :)``, shape ``(K, *block)`` (contiguous on disk: one read)."""
        return self._read([(i, 0, self.shape[1])], f"row {i}")

    def grid_column(self, j: int) -> np.ndarray:
        """Blocks ``(:, j)``, shape ``(R, *block)`` (one block from each row)."""
        return self._read([(i, j, 1) for i in range(self.shape[0])], f"column {j}")


class StoredArrays:
    """One published copy of derived arrays, opened and checked.

    Use :func:`derived_arrays`. When the copy is opened, vectors are read whole and checked,
    block arrays are opened (their header and size checked) with their checksum files;
    each block is checked when it is read (:class:`BlockArray`). A failed check discards
    the copy and builds it again (once per failure).

    Attributes
    ----------
    folder
        The copy's folder.
    generation
        How many times a copy was opened (1, or more after a rebuild).
    meta
        The builder's metadata (``ArrayWriter.meta``).
    """

    def __init__(self, folder: Path, rebuild: Callable[[], Path] | None = None) -> None:
        self._rebuild = rebuild
        self._lock = threading.Lock()
        self.generation = 0
        self._open(folder)

    def _open(self, folder: Path) -> None:
        self.generation += 1
        self.folder = folder
        try:
            record = json.loads((folder / RECORD).read_text("utf-8"))
            self._record: dict[str, Any] = dict(record["arrays"])
            self.meta: dict[str, Any] = dict(record["meta"])
            meta_sha256 = record["meta_sha256"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptCacheError(f"{folder / RECORD}: unreadable ({exc})") from None
        if _meta_sha256(self.meta) != meta_sha256:
            raise CorruptCacheError(f"{folder / RECORD}: metadata fails its checksum")
        self._vectors = {
            name: self._read_vector(name)
            for name, entry in self._record.items()
            if entry.get("kind") == "vector"
        }
        self._grids = {
            name: self._open_grid(name)
            for name, entry in self._record.items()
            if entry.get("kind") == "grid"
        }

    def _entry(self, name: str, kind: str) -> dict[str, Any]:
        entry = self._record.get(name)
        if not entry or entry.get("kind") != kind:
            raise KeyError(f"{self.folder}: no {kind} named {name!r}")
        return entry

    def _read_vector(self, name: str) -> np.ndarray:
        entry = self._entry(name, "vector")
        path = self.folder / entry["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorruptCacheError(f"{path}: unreadable ({exc})") from None
        if bytes_sha256(data) != entry.get("sha256"):
            raise CorruptCacheError(f"{path}: fails its checksum")
        array = np.load(io.BytesIO(data), allow_pickle=False)
        if array.dtype.str != entry["dtype"] or list(array.shape) != entry["shape"]:
            raise CorruptCacheError(f"{path}: dtype or shape differs from {RECORD}")
        return array

    def _open_grid(self, name: str) -> _GridFile:
        entry = self._entry(name, "grid")
        crc_path = self.folder / entry["crc"]
        try:
            if file_sha256(crc_path) != entry.get("crc_sha256"):
                raise CorruptCacheError(f"{crc_path}: fails its checksum")
            crcs = np.load(crc_path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise CorruptCacheError(f"{crc_path}: unreadable ({exc})") from None
        return _GridFile(self.folder / entry["file"], entry, crcs)

    def _grid_file(self, name: str) -> _GridFile:
        if name not in self._grids:
            self._entry(name, "grid")
        return self._grids[name]

    def _recover(self, exc: CorruptCacheError, generation: int) -> None:
        """Discard the copy after a failed check and open a sound one (built again).

        ``generation`` is the opening the failed block was read from: when the copy has been
        replaced since (another block failed first), the new one is kept.
        """
        with self._lock:
            if self._rebuild is None:
                raise exc
            if generation == self.generation:
                log.warning("%s; discarding the cached copy and building it again", exc)
                discard(self.folder)
                self._open(self._rebuild())

    def vector(self, name: str) -> np.ndarray:
        """A small array (checked when the copy was opened; a copy is returned)."""
        if name not in self._vectors:
            self._entry(name, "vector")
        return self._vectors[name].copy()

    def grid(self, name: str) -> BlockArray:
        """A block array (read block by block; each block checked as it is read)."""
        return BlockArray(self, name)


def discard(folder: Path) -> None:
    """Remove a copy: renamed out of the way at once (readers stop finding it), then deleted."""
    trash = folder.with_name(f".{folder.name}-discarded-{uuid.uuid4().hex}")
    try:
        folder.rename(trash)
    except OSError:
        return  # already gone (another process discarded it)
    shutil.rmtree(trash, ignore_errors=True)


def derived_arrays(
    store: Store,
    dataset: str,
    kind: str,
    version: int,
    build: Callable[[ArrayWriter], None],
) -> StoredArrays:
    """The cached arrays of ``kind`` for the current version of ``dataset``; built if absent.

    Parameters
    ----------
    store
        The data directory.
    dataset
        Data set name (its manifest identity keys the copy).
    kind
        Name of the arrays, e.g. ``leontief``.
    version
        Version of the definition of the arrays; bump it when their content changes.
    build
        Fills an :class:`ArrayWriter` (vectors, block arrays, ``meta``). Called only when
        no sound copy exists, by one process at a time.

    Raises
    ------
    UnknownDatasetError
        If the data set is not in the store.
    StoreError
        If the copy cannot be written, or is found corrupt again right after a rebuild.
    """
    lock_path = store.root / "cache" / "derived" / dataset / f".{kind}.lock"

    def publish() -> Path:
        def write(folder: Path) -> dict[str, int]:
            writer = ArrayWriter(folder)
            build(writer)
            return writer.close()

        lock = None
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock.acquire(lock_path, wait=BUILD_WAIT)
        except OSError:  # a read-only data directory: read an existing copy without it
            lock = None
        try:
            if lock is not None:
                lock.write_owner()
            return derived_tables(store, dataset, kind, version, write).folder
        finally:
            if lock is not None:
                lock.release()

    folder = publish()
    try:
        return StoredArrays(folder, rebuild=publish)
    except CorruptCacheError as exc:
        log.warning("%s; discarding the cached copy and building it again", exc)
        discard(folder)
    try:
        return StoredArrays(publish(), rebuild=publish)
    except CorruptCacheError as exc:
        raise StoreError(
            f"the cached {kind} arrays of {dataset} cannot be read back: {exc}"
        ) from None
