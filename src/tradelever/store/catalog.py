"""Data directory, data set catalogue, immutable versions and atomic publishing.

Layout of a data directory::

    <data_dir>/
        datasets/<name>/current                the name of the current version's folder
        datasets/<name>/v<N>-<token>/          one version, never changed once published:
            dataset.json                       provenance (the ``datasets`` table row)
            contents.json                      every data file with its size in bytes
            .lease                             readers hold a shared flock on it
            flows/year=YYYY/*.parquet          tables as Parquet (``products``, ``nodes``...)
        .staging/<name>--<version>/            a writer's work in progress, never read
        .trash/                                versions on their way out
        .locks/store.lock                      the store lock (publish, clean-up, migration)
        .locks/write-<name>.lock               held by the one writer of a data set
        .layout                                "2"

Writing. :meth:`Store.stage` takes the data set's writer lock (a second writer of the same
data set fails at once, naming the process that holds it, or waits ``wait`` seconds), fills
a folder under ``.staging``, then, holding the store lock, renames it to a new version
folder and switches ``current`` to it (write a temporary file, ``os.replace``): readers see
the old version or the complete new one, never a mixture and never nothing. A failure, an
interruption or ``kill -9`` leaves ``current`` as it was.

Reading. A reader resolves ``current`` to a version folder and takes a shared lease on it
(``.lease``) before it reads anything; a version stays on disk while any process holds a
lease on it, so a query that started on the old version finishes on it even after a new
one is published. :meth:`Store.snapshot` pins every data set at the version current when
it is first used in the block, so one request or command sees one version throughout;
outside a snapshot every call follows the current version, and a replaced version the
store handed tables out from keeps its lease for ``lease_grace`` seconds.

Clean-up. Only writers delete, and only while holding the store lock: a version that is
neither current nor leased, a ``.staging`` folder whose writer lock is free and whose
writer process (PID checked) is gone, and ``.trash``. Readers never delete or "recover"
anything, so a command run during an ingest cannot break it.

A data directory in the layout of tradelever before versions (``datasets/<name>/dataset.json``
beside the tables) is migrated in place on first open, holding the store lock; if the
directory is read-only it is read in place. Queries run through Ibis on the store's engine
(:mod:`tradelever.store.engines`): an in-memory DuckDB connection by default, or Apache Spark
over the same Parquet files (or over a copy of them at a data URI). Small look-up tables and
a table's columns (:meth:`Store.read_arrow`, :meth:`Store.columns`) are read on a plain
DuckDB connection of the store's own until the engine is connected, so a command that needs
no query never starts Ibis.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import logging
import os
import re
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from tradelever.errors import DataFileError, StoreError, UnknownDatasetError
from tradelever.sql import identifier, parquet_source
from tradelever.store import layout as lay
from tradelever.store.engines import DuckDBEngine, Engine, unreadable_table
from tradelever.store.layout import (
    CONTENTS,
    DAMAGED,
    LEASE,
    LEGACY,
    MANIFEST,
    OWNER,
    POINTER,
    valid_name,
    write_error,
    write_file_atomic,
)
from tradelever.store.locks import FileLock, holder_text, owner_record, read_owner

if TYPE_CHECKING:  # imported where used: an ingest starts without pandas
    import pandas as pd
    import pyarrow as pa

__all__ = ["ENV_DATA_DIR", "StagedDataset", "Store", "default_data_dir"]

log = logging.getLogger(__name__)

ENV_DATA_DIR: Final = "TRADELEVER_DATA_DIR"
LAYOUT: Final = "2"
#: Seconds a writer waits for the store lock (held only to publish and clean up).
STORE_LOCK_WAIT: Final = 120.0
#: Replaced versions a store keeps leased per data set outside snapshots, at most.
MAX_SUPERSEDED: Final = 8
_DATASET_COLUMNS: Final = (
    "name",
    "source",
    "version",
    "retrieved_at",
    "sha256",
    "rows",
    "licence",
    "years",
    "classification",
    "level",
    "note",
    "status",
)


def default_data_dir() -> Path:
    """Return the platform's user data folder (``~/.local/share/tradelever`` on Linux).

    ``--data-dir`` and ``$TRADELEVER_DATA_DIR`` are resolved before this, once, by
    :meth:`tradelever.config.Config.resolve`.
    """
    from tradelever.config import platform_data_dir

    return platform_data_dir()


@dataclass(eq=False)
class _Version:
    """One resolved version of a data set, with this store's lease on it."""

    name: str
    vid: str
    path: Path
    lease: FileLock | None
    pins: int = 0
    superseded_at: float | None = None
    tables_used: bool = False
    implicit: bool = False
    last_used: float = 0.0


def _release_all(held: dict[tuple[str, str], _Version]) -> None:
    for version in list(held.values()):
        if version.lease is not None:
            version.lease.release()
    held.clear()


class StagedDataset:
    """A data set being written; becomes visible only on :meth:`Store.stage` exit.

    Attributes
    ----------
    name
        Data set name.
    path
        The staging folder; write tables under it (:meth:`table_dir`, :meth:`write_table`).
    manifest
        Entries merged into ``dataset.json`` when the data set is published.
    version
        The version folder name it will be published as (``v3-1f0c2a9b``).
    """

    def __init__(self, name: str, path: Path, version: str = "", root: Path | None = None) -> None:
        self.name = name
        self.path = path
        self.version = version
        self.manifest: dict[str, Any] = {}
        self._root = root or path.parent.parent

    def table_dir(self, table: str) -> Path:
        """Folder for one table's Parquet files, created on demand."""
        folder = self.path / table
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(exc, folder, self._root) from None
        return folder

    def table_files(self, table: str) -> list[Path]:
        """Parquet files written so far for one table (sorted)."""
        folder = self.path / table
        return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []

    def write_table(
        self, table: str, frame: pd.DataFrame | pa.Table, *, partition_year: bool = False
    ) -> int:
        """Write a whole DataFrame as Parquet (by year folder if asked); return its rows.

        A pyarrow Table (not partitioned by year) is written as it is.

        Raises
        ------
        StoreError
            When the file cannot be written (disk full, read-only), naming it.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if partition_year:
            parts = [
                (self.table_dir(table) / f"year={int(year)}", part)
                for year, part in frame.groupby("year", sort=True)
            ]
        else:
            parts = [(self.table_dir(table), frame)]
        for folder, part in parts:
            target = folder / "part-0.parquet"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                if not isinstance(part, pa.Table):
                    part = pa.Table.from_pandas(part, preserve_index=False)
                pq.write_table(part, target)
            except OSError as exc:
                raise write_error(exc, target, self._root) from None
        return len(frame)


class Store:
    """A tradelever data directory.

    Parameters
    ----------
    data_dir
        Folder to use; default :func:`default_data_dir` (the platform's user data
        folder; :class:`tradelever.config.Config` resolves ``$TRADELEVER_DATA_DIR``).
    lease_grace
        Seconds a replaced version stays leased by this store after it handed out tables
        of it outside a :meth:`snapshot` (a query built before the switch may still run);
        inside snapshots leases are released when the outermost snapshot ends.
    engine
        Where the Ibis queries run (:mod:`tradelever.store.engines`); default DuckDB in
        this process.

    Notes
    -----
    One store may be used from several threads for catalogue reads (:meth:`names`,
    :meth:`manifest`, :meth:`datasets`); its DuckDB :attr:`connection` must be used by one
    thread at a time. Snapshots are per thread.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        lease_grace: float = 60.0,
        engine: Engine | None = None,
    ) -> None:
        self.root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        self.engine: Engine = engine if engine is not None else DuckDBEngine()
        self.datasets_dir = self.root / "datasets"
        self.lease_grace = lease_grace
        self._con: Any = None
        self._lookup_con: Any = None  # plain DuckDB, for look-up tables (read_arrow)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._held: dict[tuple[str, str], _Version] = {}
        self._latest: dict[str, _Version] = {}
        self._manifests: dict[tuple[str, str], dict[str, Any]] = {}
        self._contents: dict[tuple[str, str], dict[str, int] | None] = {}
        self._tables: dict[tuple[str, str, str], Any] = {}
        self._finalizer = weakref.finalize(self, _release_all, self._held)
        self._migrate_legacy()

    def close(self) -> None:
        """Release every lease this store holds (tables it handed out become unusable)."""
        with self._lock:
            _release_all(self._held)
            self._latest.clear()
            self._tables.clear()
            self._manifests.clear()
            self._contents.clear()
        self._con = None
        if self._lookup_con is not None:
            self._lookup_con.close()
            self._lookup_con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- resolving versions ---------------------------------------------------------------
    def _read_pointer(self, name: str) -> str | None:
        return lay.read_pointer(self.datasets_dir, name)

    def _unknown(self, name: str) -> UnknownDatasetError:
        return UnknownDatasetError(
            f"{name}: unknown data set; available: {', '.join(self.names()) or 'none'}"
        )

    def _acquire_current(self, name: str) -> _Version:
        """Resolve ``current`` and lease that version (retrying if it is replaced meanwhile)."""
        for _ in range(50):
            vid = self._read_pointer(name)
            if vid is None:
                raise self._unknown(name)
            key = (name, vid)
            version = self._held.get(key)
            if version is None:
                if vid == LEGACY:
                    version = _Version(name, vid, self.datasets_dir / name, None)
                else:
                    version = self._lease(name, vid)
                    if version is None:
                        continue  # replaced between reading the pointer and the lease
                self._held[key] = version
            previous = self._latest.get(name)
            if previous is not None and previous is not version and not previous.superseded_at:
                previous.superseded_at = time.monotonic()
            self._latest[name] = version
            return version
        raise StoreError(
            f"{name}: the data set was replaced 50 times while being opened; try again"
        )

    def _lease(self, name: str, vid: str) -> _Version | None:
        folder = self.datasets_dir / name / vid
        try:
            lease = FileLock.acquire(folder / LEASE, shared=True, wait=30.0, create=False)
        except FileNotFoundError:
            if self._read_pointer(name) != vid:
                return None
            if folder.is_dir():  # no lease file: readable, but not protected
                log.warning("%s has no %s file; reading it without a lease", folder, LEASE)
                return _Version(name, vid, folder, None)
            raise DataFileError(
                f"the current version folder is missing; {DAMAGED}", path=str(folder)
            ) from None
        except OSError as exc:
            raise StoreError(f"{folder / LEASE}: cannot open ({exc.strerror})") from None
        if lease is None:
            raise StoreError(f"{folder}: a clean-up holds this version for over 30 s; try again")
        if not lease.still_linked():  # deleted by a writer's clean-up before we locked it
            lease.release()
            return None
        return _Version(name, vid, folder, lease)

    def _resolve(self, name: str) -> _Version:
        """The version of ``name`` this call reads: pinned in a snapshot, else current."""
        if not isinstance(name, str) or not valid_name(name):
            raise self._unknown(str(name))
        pins: dict[str, _Version] | None = getattr(self._local, "pins", None)
        if pins is not None and name in pins:
            return pins[name]
        with self._lock:
            version = self._acquire_current(name)
            version.last_used = time.monotonic()
            if pins is not None:
                pins[name] = version
                version.pins += 1
            else:
                version.implicit = True
            self._release_superseded()
            return version

    def _release_superseded(self, *, name: str | None = None) -> None:
        """Drop leases on replaced versions no one here can still be reading (lock held)."""
        now = time.monotonic()
        by_name: dict[str, list[_Version]] = {}
        for version in list(self._held.values()):
            if version.superseded_at is None or version.pins > 0:
                continue
            idle = now - max(version.superseded_at, version.last_used)
            if (
                (name is not None and version.name == name)  # removed on purpose
                or not version.tables_used  # only its manifest was read
                or not version.implicit  # only read inside snapshots, all ended
                or idle >= self.lease_grace
            ):
                self._drop(version)
            else:
                by_name.setdefault(version.name, []).append(version)
        for versions in by_name.values():
            versions.sort(key=lambda v: v.superseded_at or 0.0)
            for version in versions[: max(0, len(versions) - MAX_SUPERSEDED)]:
                self._drop(version)

    def _drop(self, version: _Version) -> None:
        key = (version.name, version.vid)
        self._held.pop(key, None)
        self._manifests.pop(key, None)
        self._contents.pop(key, None)
        for table_key in [k for k in self._tables if k[:2] == key]:
            self._tables.pop(table_key)
            if self._con is not None:
                with contextlib.suppress(Exception):
                    self.engine.drop(self._con, _view_name(*table_key))
        if version.lease is not None:
            version.lease.release()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Pin each data set at the version current when first used in the block.

        Use one snapshot per request or command: every :meth:`manifest`, :meth:`table` and
        :meth:`table_files` call in it reads the same version of a data set, even if a
        writer publishes a new one meanwhile; the leases are released at the end of the
        outermost block. Snapshots nest (the inner one shares the outer one's pins) and are
        per thread.
        """
        if getattr(self._local, "pins", None) is not None:
            yield self
            return
        pins: dict[str, _Version] = {}
        self._local.pins = pins
        try:
            yield self
        finally:
            self._local.pins = None
            with self._lock:
                now = time.monotonic()
                for version in pins.values():
                    version.pins -= 1
                    if version.superseded_at is None and version.vid != LEGACY:
                        with contextlib.suppress(StoreError, DataFileError):
                            if self._read_pointer(version.name) != version.vid:
                                version.superseded_at = now
                self._release_superseded()

    def version(self, name: str) -> str:
        """The version folder this store reads for ``name`` (``legacy`` for the old layout)."""
        return self._resolve(name).vid

    # -- catalogue ------------------------------------------------------------------------
    def dataset_path(self, name: str) -> Path:
        """Folder of the version of ``name`` being read (``datasets/<name>`` if unknown)."""
        try:
            return self._resolve(name).path
        except (UnknownDatasetError, DataFileError):
            return self.datasets_dir / name

    def current_version(self, name: str) -> str | None:
        """The version ``current`` names right now (no lease taken; None if not stored).

        A cheap look (one small file read) for a caller that keys answers by version, such
        as the HTTP server's answer cache; reads still go through :meth:`snapshot`.

        Raises
        ------
        DataFileError
            If ``current`` does not hold a version folder name.
        StoreError
            If it cannot be read.
        """
        return self._read_pointer(name) if valid_name(name) else None

    def has(self, name: str) -> bool:
        """Whether a data set is in the store with a readable manifest (damaged: False)."""
        try:
            self._manifest_of(self._resolve(name))
        except (UnknownDatasetError, DataFileError):
            return False
        return True

    def names(self) -> list[str]:
        """Names of the data sets in the store, damaged ones included."""
        try:
            entries = list(self.datasets_dir.iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{self.datasets_dir}: cannot list ({exc.strerror})") from None
        return sorted(
            p.name
            for p in entries
            if valid_name(p.name) and ((p / POINTER).is_file() or (p / MANIFEST).is_file())
        )

    def _manifest_of(self, version: _Version) -> dict[str, Any]:
        key = (version.name, version.vid)
        with self._lock:
            cached = self._manifests.get(key)
        if cached is not None:
            return cached
        path = version.path / MANIFEST
        data = lay.read_json(path, "the data set's provenance record")
        if not isinstance(data, dict):
            raise DataFileError(f"expected a JSON object; {DAMAGED}", path=str(path))
        with self._lock:
            self._manifests[key] = data
        return data

    def manifest(self, name: str) -> dict[str, Any]:
        """The provenance record of a data set (a copy).

        Raises
        ------
        UnknownDatasetError
            If the data set is not in the store; the message lists those that are.
        DataFileError
            If its ``dataset.json`` (or ``current`` pointer) is missing or corrupt, naming
            the file.
        """
        return copy.deepcopy(self._manifest_of(self._resolve(name)))

    def _contents_of(self, version: _Version) -> dict[str, int] | None:
        key = (version.name, version.vid)
        with self._lock:
            if key in self._contents:
                return self._contents[key]
        path = version.path / CONTENTS
        if version.vid == LEGACY or not path.exists():
            contents = None
        else:
            data = lay.read_json(path, "the list of the data set's files")
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, int) for k, v in data.items()
            ):
                raise DataFileError(f"expected {{file: bytes}}; {DAMAGED}", path=str(path))
            contents = data
        with self._lock:
            self._contents[key] = contents
        return contents

    def _files(self, version: _Version, table: str) -> list[Path]:
        contents = self._contents_of(version)
        if contents is None:
            folder = version.path / table
            if not folder.is_dir() and version.vid == LEGACY:
                # An upgrade that stopped half-way may have moved this table already.
                folder = next(version.path.glob(f"v*-legacy/{table}"), folder)
            return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
        prefix = f"{table}/"
        return [version.path / rel for rel in sorted(contents) if rel.startswith(prefix)]

    def _check_files(self, version: _Version, table: str | None = None) -> None:
        """Every listed file of ``table`` (or of all tables) is present, whole and Parquet.

        Raises
        ------
        DataFileError
            Naming the first missing, truncated or altered file.
        """
        contents = self._contents_of(version)
        if contents is None:
            listed = {
                p.relative_to(version.path).as_posix(): None
                for t in ([table] if table else [])
                for p in self._files(version, t)
            }
        else:
            prefix = f"{table}/" if table else ""
            listed = {k: v for k, v in contents.items() if k.startswith(prefix)}
        for rel, size in listed.items():
            path = version.path / rel
            try:
                actual = path.stat().st_size
            except FileNotFoundError:
                folder = rel.rsplit("/", 1)[0]
                raise DataFileError(
                    f"missing (a file of {folder}, {size} bytes when stored); {DAMAGED}",
                    path=str(path),
                ) from None
            except OSError as exc:
                raise StoreError(f"{path}: cannot read ({exc.strerror})") from None
            if size is not None and actual != size:
                raise DataFileError(
                    f"{actual} bytes, {size} when stored: the file was truncated or altered; "
                    f"{DAMAGED}",
                    path=str(path),
                )
            if rel.endswith(".parquet"):
                lay.check_parquet_magic(path, actual)

    def datasets(self) -> pd.DataFrame:
        """The ``datasets`` table: one row of provenance per data set.

        ``status`` is ``ok``, or ``damaged`` with the reason in ``note`` (a corrupt
        manifest, a missing or truncated file): one damaged data set never hides the others.
        """
        rows = []
        for name in self.names():
            try:
                version = self._resolve(name)
                m = self._manifest_of(version)
                if self.engine.local_files:  # else the files are read at the engine's URI
                    self._check_files(version)
            except (DataFileError, StoreError, UnknownDatasetError) as exc:
                empty = dict.fromkeys(_DATASET_COLUMNS)
                rows.append({**empty, "name": name, "status": "damaged", "note": str(exc)})
                continue
            rows.append({**{c: m.get(c) for c in _DATASET_COLUMNS}, "name": name, "status": "ok"})
        import pandas as pd

        # object dtype: a damaged row keeps None (not NaN) in its empty fields
        return pd.DataFrame(rows, columns=list(_DATASET_COLUMNS), dtype=object)

    # -- reading tables -------------------------------------------------------------------
    @property
    def connection(self) -> Any:
        """The Ibis connection of the store's engine (in-memory DuckDB by default)."""
        if self._con is None:
            self._con = self.engine.connect()
        return self._con

    def table_files(self, name: str, table: str, *, check: bool = False) -> list[Path]:
        """Parquet files of one table of a data set (of the version being read).

        ``check``: first check them as :meth:`table` does (where the engine reads local
        files), raising its ``DataFileError`` for a missing, truncated or altered file.
        """
        try:
            version = self._resolve(name)
        except UnknownDatasetError:
            return []
        if check and self.engine.local_files:
            self._check_files(version, table)
        version.tables_used = True
        return self._files(version, table)

    def table(self, name: str, table: str = "flows") -> Any:
        """An Ibis table expression over one table of a data set.

        The expression reads the version resolved for this call (pinned in a
        :meth:`snapshot`); it is registered once per version, so repeated queries, as from
        the HTTP server, do not re-scan the folder.

        Raises
        ------
        UnknownDatasetError
            If the data set or the table does not exist.
        DataFileError
            If a file of the table is missing, truncated or not Parquet, naming it.
        """
        version = self._resolve(name)
        key = (name, version.vid, table)
        with self._lock:
            cached = self._tables.get(key)
        if cached is not None and self._con is not None:
            return cached
        files = self._readable(version, table)
        expr = self.engine.read(
            self.connection,
            files,
            root=self.root,
            view=_view_name(*key),
            where=version.path / table,
        )
        with self._lock:
            self._tables[key] = expr
        return expr

    def _readable(self, version: _Version, table: str) -> list[Path]:
        """The files of ``table`` in ``version``, checked where they are local, marked used.

        Raises
        ------
        UnknownDatasetError
            If the version has no such table.
        DataFileError
            If its manifest or a file is missing, truncated or altered.
        """
        self._manifest_of(version)
        files = self._files(version, table)
        if not files:
            raise UnknownDatasetError(f"{version.name}: data set has no table {table!r}")
        if self.engine.local_files:  # else the files are read at the engine's URI
            self._check_files(version, table)
        version.tables_used = True
        return files

    def read_arrow(self, name: str, table: str, columns: list[str] | None = None) -> Any:
        """A whole (small) table of a data set as a ``pyarrow.Table``.

        For look-up tables (``products``, ``coverage``): through :meth:`table` when the
        engine is connected already or does not read local files; else with one query on
        a DuckDB connection of the store's own (:meth:`_lookup`), without starting the
        query engine (whose first query costs a process the import of Ibis and a
        connection). ``columns``: the columns to read (default all).

        Raises
        ------
        UnknownDatasetError, DataFileError
            As :meth:`table`.
        """
        if self._con is not None or not self.engine.local_files:
            expr = self.table(name, table)
            return (expr if columns is None else expr.select(*columns)).to_pyarrow()
        listed = ", ".join(identifier(c) for c in columns) if columns is not None else "*"
        return self._lookup(
            name, table, f"SELECT {listed} FROM {{files}}", lambda rel: rel.to_arrow_table()
        )

    def columns(self, name: str, table: str = "flows") -> tuple[str, ...]:
        """Column names of a table of a data set, as the engine reads it.

        Where files are local, from their schemas (one ``DESCRIBE`` on the store's DuckDB
        look-up connection; a ``year=YYYY`` folder is a column too), else from the engine.

        Raises
        ------
        UnknownDatasetError, DataFileError
            As :meth:`table`.
        """
        if not self.engine.local_files:
            return tuple(self.table(name, table).columns)
        rows = self._lookup(
            name, table, "DESCRIBE SELECT * FROM {files}", lambda rel: rel.fetchall()
        )
        return tuple(str(row[0]) for row in rows)

    def _lookup(self, name: str, table: str, sql: str, fetch: Callable[[Any], Any]) -> Any:
        """``fetch`` of ``sql`` (``{files}``: the table's files) on the look-up connection.

        A plain in-memory DuckDB connection, opened on first use (a few MiB, against tens
        for Ibis and its connection), a cursor per call; the files are checked first, as
        :meth:`table` checks them, and a file DuckDB cannot read is named as damaged.
        """
        version = self._resolve(name)
        files = self._readable(version, table)
        import duckdb

        with self._lock:
            if self._lookup_con is None:
                con = duckdb.connect()
                con.execute("SET enable_progress_bar = false")
                self._lookup_con = con
            cursor = self._lookup_con.cursor()
        # hive partitioning left to DuckDB: a year=YYYY folder is a column, as the engine reads it
        source = parquet_source(files, hive_partitioning=None)
        try:
            with cursor:
                return fetch(cursor.sql(sql.format(files=source)))
        except duckdb.Error as exc:
            raise unreadable_table(exc, version.path / table) from None

    # -- writing --------------------------------------------------------------------------
    def _ensure_writable(self) -> None:
        try:
            for sub in ("datasets", ".staging", ".trash", ".locks"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            marker = self.root / ".layout"
            if not marker.is_file():
                write_file_atomic(marker, LAYOUT.encode("ascii"))
        except OSError as exc:
            raise write_error(exc, getattr(exc, "filename", None) or self.root, self.root) from None

    @contextlib.contextmanager
    def _store_lock(self, wait: float = STORE_LOCK_WAIT) -> Iterator[None]:
        path = self.root / ".locks" / "store.lock"
        try:
            lock = FileLock.acquire(path, wait=wait)
        except OSError as exc:
            raise write_error(exc, path, self.root) from None
        if lock is None:
            raise StoreError(
                f"{path}: the data directory has been locked by {holder_text(read_owner(path))} "
                f"for over {wait:.0f} s; try again when it has finished"
            )
        try:
            lock.write_owner()
            yield
        finally:
            lock.release()

    def _writer_lock(self, name: str, wait: float) -> FileLock:
        path = self.root / ".locks" / f"write-{name}.lock"
        try:
            lock = FileLock.acquire(path, wait=wait)
        except OSError as exc:
            raise write_error(exc, path, self.root) from None
        if lock is None:
            raise StoreError(
                f"{name}: the data set is being written by {holder_text(read_owner(path))}; "
                "wait for it to finish (or stop it) and run the command again"
            )
        lock.write_owner()
        return lock

    @contextlib.contextmanager
    def stage(
        self,
        name: str,
        manifest: dict[str, Any],
        *,
        wait: float = 0.0,
        before_publish: Callable[[StagedDataset, dict[str, Any]], None] | None = None,
    ) -> Iterator[StagedDataset]:
        """Write a new version of a data set and publish it atomically.

        Use as ``with store.stage(name, manifest) as staged: staged.write_table(...)``.
        On normal exit the manifest (updated with ``staged.manifest``) is written, the
        folder becomes a version and ``current`` is switched to it. On an exception the
        staged files are removed and the store is unchanged.

        Parameters
        ----------
        name
            Data set name.
        manifest
            Provenance entries for ``dataset.json``.
        wait
            Seconds to wait when another process is writing the same data set (default:
            fail at once, naming that process).
        before_publish
            Called with the staged data set and its final ``dataset.json`` record once
            every file is written, before ``current`` is switched: tables derived from the
            new version (:mod:`tradelever.store.derived`) built here are ready the moment
            readers see it. If it raises, nothing is published.

        Raises
        ------
        StoreError
            Invalid name; the data set is being written by another process; the data
            directory cannot be written (read-only, disk full), naming the file.
        """
        if not isinstance(name, str) or not valid_name(name):
            raise StoreError(f"{name!r}: invalid data set name")
        self._ensure_writable()
        writer = self._writer_lock(name, wait)
        try:
            with self._store_lock():
                doomed = lay.collect_garbage(self.root, own={name})
                vid = lay.next_version(self.root, name)
            lay.remove_trees(doomed)
            work = self.root / ".staging" / f"{name}--{vid}"
            try:
                work.mkdir(parents=True)
                (work / OWNER).write_text(json.dumps(owner_record()), "utf-8")
                (work / LEASE).touch()
            except OSError as exc:
                shutil.rmtree(work, ignore_errors=True)
                raise write_error(exc, work, self.root) from None
            staged = StagedDataset(name, work, vid, self.root)
            try:
                yield staged
                record = {
                    "name": name,
                    "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    **manifest,
                    **staged.manifest,
                    "store_version": vid,
                }
                try:
                    (work / OWNER).unlink()
                    contents = lay.list_contents(work)
                    write_file_atomic(
                        work / MANIFEST, json.dumps(record, indent=2, default=str).encode("utf-8")
                    )
                    write_file_atomic(work / CONTENTS, json.dumps(contents, indent=1).encode())
                except OSError as exc:
                    where = getattr(exc, "filename", None) or work
                    raise write_error(exc, where, self.root) from None
                if before_publish is not None:
                    before_publish(staged, record)
                self._publish(name, vid, work)
            except BaseException as exc:
                shutil.rmtree(work, ignore_errors=True)
                if isinstance(exc, OSError) and self._is_write_failure(exc, work):
                    raise write_error(exc, exc.filename or work, self.root) from None
                raise
        finally:
            writer.release()

    def _is_write_failure(self, exc: OSError, work: Path) -> bool:
        if exc.filename and str(exc.filename).startswith(str(self.root)):
            return True
        return lay.errno_of(exc) in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)

    def _publish(self, name: str, vid: str, work: Path) -> None:
        folder = self.datasets_dir / name
        target = folder / vid
        with self._store_lock():
            try:
                folder.mkdir(parents=True, exist_ok=True)
                os.rename(work, target)
            except OSError as exc:
                raise write_error(exc, target, self.root) from None
            try:
                write_file_atomic(folder / POINTER, vid.encode("ascii"))
            except BaseException as exc:
                shutil.rmtree(target, ignore_errors=True)  # not current: no reader has it
                if isinstance(exc, OSError):
                    raise write_error(exc, folder / POINTER, self.root) from None
                raise
            with self._lock:
                previous = self._latest.get(name)
                if previous is not None and previous.superseded_at is None:
                    previous.superseded_at = time.monotonic()
                self._release_superseded()
            doomed = lay.collect_garbage(self.root, own={name})
        lay.remove_trees(doomed)

    def remove(self, name: str) -> None:
        """Delete a data set: it disappears at once; its files go when no reader holds them.

        Its derived tables and arrays (``cache/derived/<name>``) are deleted with it.

        Raises
        ------
        UnknownDatasetError
            If the data set is not in the store.
        StoreError
            If it is being written, or the data directory cannot be written.
        """
        if name not in self.names():
            raise self._unknown(name)
        self._ensure_writable()
        writer = self._writer_lock(name, 0.0)
        try:
            with self._store_lock():
                pointer = self.datasets_dir / name / POINTER
                try:
                    pointer.unlink(missing_ok=True)
                    legacy = self.datasets_dir / name / MANIFEST
                    legacy.unlink(missing_ok=True)
                except OSError as exc:
                    raise write_error(exc, pointer, self.root) from None
                lay.fsync_dir(self.datasets_dir / name)
                with self._lock:
                    for version in [v for v in self._held.values() if v.name == name]:
                        if version.superseded_at is None:
                            version.superseded_at = time.monotonic()
                    self._latest.pop(name, None)
                    self._release_superseded(name=name)
                doomed = lay.collect_garbage(self.root, own={name})
            lay.remove_trees(doomed)
            # tables and arrays derived from it (store/derived.py, store/arrays.py)
            shutil.rmtree(self.root / "cache" / "derived" / name, ignore_errors=True)
        finally:
            writer.release()

    # -- migration from the layout before versions -----------------------------------------
    def _migrate_legacy(self) -> None:
        legacy = lay.legacy_folders(self.datasets_dir)
        marker = (self.root / ".layout").is_file()
        old_trash = [] if marker else lay.old_trash(self.root / ".trash", self.datasets_dir)
        if not legacy and not old_trash:
            return
        try:
            self._ensure_writable()
            with self._store_lock(wait=STORE_LOCK_WAIT):
                lay.migrate_layout(self.root)
        except (StoreError, OSError) as exc:
            log.warning(
                "%s uses the layout of an older tradelever and cannot be upgraded now (%s); "
                "reading it in place",
                self.root,
                exc,
            )


def _view_name(name: str, vid: str, table: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", f"{name}__{vid}__{table}")
