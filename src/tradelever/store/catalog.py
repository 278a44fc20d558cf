"""Data directory, data set catalogue and atomic writes.

Layout of a data directory::

    <data_dir>/
        datasets/<name>/dataset.json            provenance (the ``datasets`` table row)
        datasets/<name>/flows/year=YYYY/*.parquet
        datasets/<name>/<other table>/*.parquet  (e.g. network nodes, products)
        .staging/                                 work in progress, never read
        .trash/                                   replaced data sets, removed after commit

A data set is visible only once its folder, complete with ``dataset.json``, has been
renamed into ``datasets/``; a rename within one file system is atomic, so a failed or
interrupted write leaves the store as it was. Queries run on an in-memory DuckDB
connection (through Ibis) over the Parquet files: no server, no database file to lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from tradelever.errors import StoreError, UnknownDatasetError

__all__ = ["ENV_DATA_DIR", "StagedDataset", "Store", "default_data_dir"]

log = logging.getLogger(__name__)

ENV_DATA_DIR: Final = "TRADELEVER_DATA_DIR"
MANIFEST: Final = "dataset.json"
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
)


def default_data_dir() -> Path:
    """Return the platform's user data folder (``~/.local/share/tradelever`` on Linux).

    ``--data-dir`` and ``$TRADELEVER_DATA_DIR`` are resolved before this, once, by
    :meth:`tradelever.config.Config.resolve`.
    """
    from tradelever.config import platform_data_dir

    return platform_data_dir()


class StagedDataset:
    """A data set being written; becomes visible only on :meth:`Store.stage` exit."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.manifest: dict[str, Any] = {}

    def table_dir(self, table: str) -> Path:
        """Folder for one table's Parquet files, created on demand."""
        folder = self.path / table
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def write_table(self, table: str, frame: pd.DataFrame, *, partition_year: bool = False) -> int:
        """Write a whole DataFrame as Parquet (by year folder if asked); return its rows."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if partition_year:
            for year, part in frame.groupby("year", sort=True):
                folder = self.table_dir(table) / f"year={int(year)}"
                folder.mkdir(parents=True, exist_ok=True)
                pq.write_table(
                    pa.Table.from_pandas(part, preserve_index=False), folder / "part-0.parquet"
                )
        else:
            pq.write_table(
                pa.Table.from_pandas(frame, preserve_index=False),
                self.table_dir(table) / "part-0.parquet",
            )
        return len(frame)


class Store:
    """A tradelever data directory.

    Parameters
    ----------
    data_dir
        Folder to use; default :func:`default_data_dir` (the platform's user data
        folder; :class:`tradelever.config.Config` resolves ``$TRADELEVER_DATA_DIR``).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        self.datasets_dir = self.root / "datasets"
        self._con: Any = None
        self._tables: dict[tuple[str, str], tuple[int, Any]] = {}
        self._recover()

    # -- layout ---------------------------------------------------------------------------
    def _ensure_dirs(self) -> None:
        try:
            for sub in ("datasets", ".staging", ".trash"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {self.root}: {exc}; choose another with "
                f"--data-dir or ${ENV_DATA_DIR}"
            ) from exc

    def _recover(self) -> None:
        """Restore a data set whose replacement was interrupted between two renames."""
        trash = self.root / ".trash"
        if not trash.is_dir():
            return
        for entry in trash.iterdir():
            name = entry.name.split("--", 1)[0]
            target = self.datasets_dir / name
            if not target.exists() and (entry / MANIFEST).is_file():
                log.warning("restoring data set %s after an interrupted replacement", name)
                entry.rename(target)
            else:
                shutil.rmtree(entry, ignore_errors=True)

    def dataset_path(self, name: str) -> Path:
        """Folder of a visible data set (which may not exist)."""
        return self.datasets_dir / name

    # -- catalogue ------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        """Whether a data set is visible in the store."""
        return (self.dataset_path(name) / MANIFEST).is_file()

    def names(self) -> list[str]:
        """Names of the visible data sets."""
        if not self.datasets_dir.is_dir():
            return []
        return sorted(p.name for p in self.datasets_dir.iterdir() if (p / MANIFEST).is_file())

    def manifest(self, name: str) -> dict[str, Any]:
        """The provenance record of a data set.

        Raises
        ------
        UnknownDatasetError
            If the data set is not in the store; the message lists those that are.
        """
        path = self.dataset_path(name) / MANIFEST
        if not path.is_file():
            raise UnknownDatasetError(
                f"{name}: unknown data set; available: {', '.join(self.names()) or 'none'}"
            )
        return json.loads(path.read_text("utf-8"))

    def datasets(self) -> pd.DataFrame:
        """The ``datasets`` table: one row of provenance per visible data set."""
        rows = []
        for name in self.names():
            m = self.manifest(name)
            rows.append({c: m.get(c) for c in _DATASET_COLUMNS})
        return pd.DataFrame(rows, columns=list(_DATASET_COLUMNS))

    # -- writing --------------------------------------------------------------------------
    @contextlib.contextmanager
    def stage(self, name: str, manifest: dict[str, Any]) -> Iterator[StagedDataset]:
        """Write a data set atomically.

        Use as ``with store.stage(name, manifest) as staged: staged.write_table(...)``.
        On normal exit the manifest (updated with ``staged.manifest``) is written and the
        folder renamed into place, replacing any data set of the same name. On an
        exception the staged files are removed and the store is unchanged.
        """
        if not name or "/" in name or name.startswith(".") or "--" in name:
            raise StoreError(f"{name!r}: invalid data set name")
        self._ensure_dirs()
        work = self.root / ".staging" / f"{name}--{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        staged = StagedDataset(name, work)
        try:
            yield staged
            record = {
                "name": name,
                "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                **manifest,
                **staged.manifest,
            }
            (work / MANIFEST).write_text(json.dumps(record, indent=2, default=str), "utf-8")
            self._publish(name, work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self._con = None  # views point at old files; reconnect lazily
        self._tables.clear()

    def _publish(self, name: str, work: Path) -> None:
        target = self.dataset_path(name)
        old = None
        if target.exists():
            old = self.root / ".trash" / f"{name}--{uuid.uuid4().hex}"
            target.rename(old)
        work.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def remove(self, name: str) -> None:
        """Delete a data set (atomically: it disappears in one rename)."""
        self.manifest(name)
        self._ensure_dirs()
        old = self.root / ".trash" / f"{name}--{uuid.uuid4().hex}"
        self.dataset_path(name).rename(old)
        shutil.rmtree(old, ignore_errors=True)
        self._con = None
        self._tables.clear()

    # -- reading --------------------------------------------------------------------------
    @property
    def connection(self) -> Any:
        """An Ibis DuckDB connection (in memory) used to query the Parquet files."""
        if self._con is None:
            import ibis

            self._con = ibis.duckdb.connect()
        return self._con

    def table_files(self, name: str, table: str) -> list[Path]:
        """Parquet files of one table of a data set."""
        folder = self.dataset_path(name) / table
        return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []

    def table(self, name: str, table: str = "flows") -> Any:
        """An Ibis table expression over one table of a data set.

        The view is registered once per data set version (the manifest's modification
        time): repeated queries, as from the HTTP server, do not re-scan the folder.

        Raises
        ------
        UnknownDatasetError
            If the data set or the table does not exist.
        """
        manifest = self.dataset_path(name) / MANIFEST
        try:
            stamp = manifest.stat().st_mtime_ns
        except OSError:
            stamp = None
        cached = self._tables.get((name, table))
        if (
            stamp is not None
            and cached is not None
            and cached[0] == stamp
            and self._con is not None
        ):
            return cached[1]
        self.manifest(name)
        files = self.table_files(name, table)
        if not files:
            raise UnknownDatasetError(f"{name}: data set has no table {table!r}")
        expr = self.connection.read_parquet(
            [str(p) for p in files], table_name=f"{name}__{table}".replace("-", "_")
        )
        if stamp is not None:
            self._tables[(name, table)] = (stamp, expr)
        return expr
