"""Tables derived from a data set, cached in the store and tied to the data set's version.

Indicators computed from every flow of a data set (every market's imports, shares, HHI...)
are expensive to compute and cheap to read. They are written once per data-set version
under ``<data_dir>/cache/derived/<data set>/<kind>-<key>/`` with one folder of Parquet
files per table and a ``derived.json`` record, where ``key`` is a hash of the data set's
manifest identity (name, checksum, retrieval time, rows, years) and of the kind's own
version number. Re-ingesting a data set (a new manifest) or changing the definition of the
derived tables (a new version number) gives a new key: the stale copy is never read. It is
removed when a new copy is written and its data-set version is gone from the store: a copy
stays while its version does, since a reader (an HTTP request, a command) pinned to that
version may be reading it (the store keeps a version while any process holds a lease on
it).

A copy is written into a temporary folder and renamed into place, so a reader sees either
no copy or a complete one; when two processes build the same copy at once, the first
rename wins and the other copy is discarded. Nothing in the data set's own folder is ever
modified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from tradelever.errors import StoreError
from tradelever.store.catalog import Store

__all__ = ["DerivedTables", "derived_tables"]

log = logging.getLogger(__name__)

RECORD: Final = "derived.json"
#: Seconds after which a temporary build folder is taken for one whose process was killed.
ABANDONED_AFTER: Final = 6 * 3600
_IDENTITY: Final = (
    "name",
    "store_version",
    "sha256",
    "retrieved_at",
    "rows",
    "years",
    "version",
    "source",
)


def _key(manifest: dict[str, Any], kind: str, version: int) -> str:
    identity = {k: manifest.get(k) for k in _IDENTITY}
    text = json.dumps([identity, kind, version], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class DerivedTables:
    """A complete cached copy of one kind of derived tables of one data-set version.

    Attributes
    ----------
    folder
        The copy's folder (``<table>/*.parquet`` and ``derived.json``).
    record
        Its ``derived.json``: data set, kind, version, key, tables and rows, creation time.
    """

    def __init__(self, folder: Path, record: dict[str, Any]) -> None:
        self.folder = folder
        self.record = record

    def files(self, table: str) -> list[Path]:
        """Parquet files of one derived table (sorted)."""
        return sorted((self.folder / table).glob("*.parquet"))

    @property
    def tables(self) -> list[str]:
        """Names of the derived tables in this copy."""
        return list(self.record.get("tables", {}))


def _read(folder: Path) -> DerivedTables | None:
    try:
        record = json.loads((folder / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return DerivedTables(folder, record)


def derived_tables(
    store: Store,
    dataset: str,
    kind: str,
    version: int,
    build: Callable[[Path], dict[str, int]],
    manifest: dict[str, Any] | None = None,
) -> DerivedTables:
    """The cached copy of ``kind`` for the current version of ``dataset``; build it if absent.

    Parameters
    ----------
    store
        The data directory.
    dataset
        Data set name (its manifest gives the version the copy belongs to).
    kind
        Name of the derived tables, e.g. ``markets-hs6``.
    version
        Version of the definition of these tables; bump it when their content changes.
    build
        Writes the tables into the folder it is given (``<folder>/<table>/...parquet``)
        and returns the rows per table. Called only when no current copy exists.
    manifest
        The ``dataset.json`` record of the version the copy belongs to (default: the
        current version's). A writer passes the record of the version it is about to
        publish (``Store.stage(before_publish=...)``), so that the copy is ready when
        readers first see that version.

    Raises
    ------
    UnknownDatasetError
        If the data set is not in the store.
    StoreError
        If the cache folder cannot be written.
    """
    if manifest is None:
        manifest = store.manifest(dataset)
    key = _key(manifest, kind, version)
    base = store.root / "cache" / "derived" / dataset
    target = base / f"{kind}-{key}"
    found = _read(target)
    if found is not None:
        return found
    work = base / f".{kind}-{key}-{uuid.uuid4().hex}"
    try:
        work.mkdir(parents=True)
        rows = build(work)
        record = {
            "dataset": dataset,
            "kind": kind,
            "version": version,
            "key": key,
            "dataset_sha256": manifest.get("sha256"),
            "store_version": manifest.get("store_version"),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tables": rows,
        }
        (work / RECORD).write_text(json.dumps(record, indent=2), "utf-8")
        try:
            work.rename(target)
        except OSError:  # another process published the same copy first
            found = _read(target)
            if found is None:
                raise
            return found
    except OSError as exc:
        raise StoreError(f"cannot write derived tables of {dataset} under {base}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _remove_stale(base, kind, target, store.datasets_dir / dataset, version)
    return DerivedTables(target, record)


def _in_use(entry: Path, versions: Path, definition: int) -> bool:
    """Whether a copy of the current definition belongs to a data-set version still stored."""
    found = _read(entry)
    if found is None or found.record.get("version") != definition:
        return False
    store_version = found.record.get("store_version")
    return bool(store_version) and (versions / str(store_version)).is_dir()


def _remove_stale(base: Path, kind: str, keep: Path, versions: Path, definition: int) -> None:
    """Remove copies of ``kind`` made by another definition or for a data-set version gone.

    A copy of the same definition whose data-set version folder is still in the store
    (``versions/<store_version>``) is kept: a reader pinned to that version may be reading
    it. Also removes the temporary
    folders of builds killed before they published (older than ``ABANDONED_AFTER``
    seconds: a build in progress in another process is younger).
    """
    for entry in base.glob(f"{kind}-*"):
        if entry == keep or not entry.is_dir() or not entry.name[len(kind) + 1 :].isalnum():
            continue
        if not _in_use(entry, versions, definition):
            log.info("removing stale derived tables %s", entry)
            with contextlib.suppress(OSError):
                shutil.rmtree(entry)
    now = time.time()
    for entry in base.glob(f".{kind}-*"):
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > ABANDONED_AFTER:
                log.info("removing abandoned build %s", entry)
                shutil.rmtree(entry)
