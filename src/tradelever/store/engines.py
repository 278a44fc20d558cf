"""Where the Ibis queries run: DuckDB in this process, or Apache Spark, local or on a cluster.

Every analysis is an Ibis expression over the tables a :class:`~tradelever.store.Store`
hands out (:meth:`Store.table`), executed once at the edge (``.to_pandas()``). The store
reads a data set's Parquet files through its engine, so the same expressions run on:

``duckdb`` (:class:`DuckDBEngine`, the default)
    An in-memory DuckDB connection in this process, over the data directory's files.

``spark`` (:class:`SparkEngine`)
    Apache Spark through PySpark (the optional extra ``tradelever[spark]``; Spark needs a
    Java 17+ runtime). ``master`` ``local[*]`` runs Spark inside this process on every
    core; ``spark://host:7077``, ``yarn`` or ``k8s://...`` send the queries to a cluster.
    The executors read the files of the version the store pinned (the versioned-store
    semantics are unchanged: a query reads one version from start to end). By default they
    read them at their path in the data directory (right in local mode, or when the data
    directory is on a file system every node mounts at the same path); with ``data_uri``
    (``s3a://bucket/tradelever``, ``hdfs://nn/tradelever``, ``file:///mnt/shared``) they
    read ``<data_uri>/<the file's path under the data directory>``: a copy of the data
    directory on storage the cluster reads. The local data directory then only needs the
    catalogue (``current`` pointers, ``dataset.json``, ``contents.json``): a manifest copy,
    read-only; new versions are ingested locally and copied up.

One Spark application (JVM) serves the process; each store gets its own Spark session on
it (:meth:`pyspark.sql.SparkSession.newSession`: temporary views of one store never clash
with another's, as in the HTTP server's pool).

What runs where: the queries (filters, joins, aggregations over the flows) run on the
engine; the formulas are then applied in this process to the rows the queries return (one
row per product or per market), and the scenario model to the flows of the scenario's
importers in the year. :meth:`Engine.assumptions` states this on every Spark result.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from tradelever.errors import DataFileError, InputError
from tradelever.store.layout import DAMAGED

if TYPE_CHECKING:
    from tradelever.config import Config

__all__ = ["DuckDBEngine", "Engine", "SparkEngine", "engine_for", "unreadable_table"]

log = logging.getLogger(__name__)

#: Spark settings tradelever sets unless the user's ``spark_conf`` sets them: no web UI,
#: results through Arrow, few shuffle partitions for the small aggregated results
#: (adaptive execution coalesces further), the driver on loopback in local mode.
SPARK_DEFAULTS: Final = (
    ("spark.ui.enabled", "false"),
    ("spark.ui.showConsoleProgress", "false"),
    ("spark.sql.execution.arrow.pyspark.enabled", "true"),
    ("spark.sql.adaptive.enabled", "true"),
    ("spark.sql.session.timeZone", "UTC"),
)
_LOCAL_DEFAULTS: Final = (
    ("spark.driver.bindAddress", "127.0.0.1"),
    ("spark.driver.host", "127.0.0.1"),
)
INSTALL_SPARK: Final = "pip install 'tradelever[spark]'"
INSTALL_JAVA: Final = (
    "install a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
    "and put java on PATH or set JAVA_HOME"
)


class Engine(Protocol):
    """What a store needs from a query engine."""

    name: str
    #: Whether the engine reads the data directory's own files (then the store checks
    #: them before a read); False when it reads a copy elsewhere (``data_uri``).
    local_files: bool

    def connect(self) -> Any:
        """A new Ibis backend (connection) for one store."""
        ...

    def read(self, con: Any, files: Sequence[Path], *, root: Path, view: str, where: Path) -> Any:
        """An Ibis table over Parquet ``files`` (under ``root``), registered as ``view``.

        ``where`` is the table's folder, named by errors.
        """
        ...

    def drop(self, con: Any, view: str) -> None:
        """Forget a registered table (its version was replaced)."""
        ...

    def assumptions(self) -> list[str]:
        """Sentences every result computed on this engine carries (none for DuckDB)."""
        ...


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def unreadable_table(exc: BaseException, where: Path, engine: str = "") -> DataFileError:
    """The error for table files an engine cannot read, naming the table's folder."""
    return DataFileError(
        f"{engine + ' ' if engine else ''}cannot read table {where.name!r} "
        f"({_first_line(exc)}); {DAMAGED}",
        path=str(where),
    )


class DuckDBEngine:
    """Queries on an in-memory DuckDB connection in this process (the default)."""

    name = "duckdb"
    local_files = True

    def __repr__(self) -> str:
        return "DuckDBEngine()"

    def connect(self) -> Any:
        """An Ibis DuckDB connection (in memory)."""
        import ibis

        return ibis.duckdb.connect()

    def read(self, con: Any, files: Sequence[Path], *, root: Path, view: str, where: Path) -> Any:
        """The files as one DuckDB view.

        Raises
        ------
        DataFileError
            When DuckDB cannot read them, naming the table's folder.
        """
        import duckdb

        try:
            return con.read_parquet([str(p) for p in files], table_name=view)
        except duckdb.Error as exc:
            raise unreadable_table(exc, where) from None

    def drop(self, con: Any, view: str) -> None:
        """Drop the view."""
        con.drop_view(view, force=True)

    def assumptions(self) -> list[str]:
        """None: DuckDB is the reference engine."""
        return []


# One Spark application per process; stores get sessions on it.
_SPARK_LOCK = threading.Lock()
_SPARK: dict[str, Any] = {}


class SparkEngine:
    """Queries on Apache Spark (see the module docstring).

    Parameters
    ----------
    master
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``).
    driver_memory
        ``spark.driver.memory`` (``8g``), or None for Spark's default.
    conf
        Further Spark settings (they override tradelever's :data:`SPARK_DEFAULTS`).
    data_uri
        URI of a copy of the data directory the executors read (None: the directory's own
        files, as ``file://`` URIs).
    log_file
        Where the Spark driver's own output (JVM start-up, log4j) goes, so that it does not
        mix with the command's output (None: to stderr).
    """

    name = "spark"

    def __init__(
        self,
        master: str = "local[*]",
        *,
        driver_memory: str | None = None,
        conf: Sequence[tuple[str, str]] = (),
        data_uri: str | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.master = master
        self.log_file = log_file
        self.driver_memory = driver_memory
        self.conf = tuple(conf)
        self.data_uri = data_uri.rstrip("/") if data_uri else None
        self.local_files = self.data_uri is None

    def __repr__(self) -> str:
        return f"SparkEngine(master={self.master!r}, data_uri={self.data_uri!r})"

    # -- the Spark application --------------------------------------------------------------
    def settings(self) -> list[tuple[str, str]]:
        """Every Spark setting the application starts with (defaults, then the user's)."""
        merged = dict(SPARK_DEFAULTS)
        if self.master.startswith("local"):
            merged.update(_LOCAL_DEFAULTS)
            # Two shuffle partitions per core (Spark's 200 are for clusters): the
            # aggregated results are small, and each partition costs a task.
            merged["spark.sql.shuffle.partitions"] = str(2 * _local_cores(self.master))
        if self.driver_memory:
            merged["spark.driver.memory"] = self.driver_memory
        merged.update(self.conf)
        return list(merged.items())

    def application(self) -> Any:
        """The process's SparkSession, started on first use with :meth:`settings`.

        Raises
        ------
        InputError
            (parameter ``engine``) When PySpark is not installed or Spark cannot start
            (no Java runtime), saying what to install.
        """
        with _SPARK_LOCK:
            found = _SPARK.get("session")
            if found is not None and _running(found):
                return found
            if importlib.util.find_spec("pyspark") is None:
                raise InputError(
                    f"the spark engine needs PySpark: {INSTALL_SPARK} (Spark also needs Java 17+)",
                    parameter="engine",
                )
            _quiet_pyspark()
            from pyspark.sql import SparkSession

            builder = SparkSession.builder.master(self.master).appName("tradelever")
            for key, value in self.settings():
                builder = builder.config(key, value)
            try:
                with _stderr_to(self.log_file):  # the JVM keeps this stderr for its life
                    session = builder.getOrCreate()
            except Exception as exc:  # the JVM did not start: no or wrong Java, bad settings
                raise InputError(
                    f"Spark could not start ({_first_line(exc)}); Spark needs Java 17+: "
                    f"{INSTALL_JAVA}",
                    parameter="engine",
                ) from None
            session.sparkContext.setLogLevel("ERROR")
            running = session.sparkContext.master
            if running != self.master:
                log.warning(
                    "Spark is already running in this process with master %s; using it (not %s)",
                    running,
                    self.master,
                )
            _SPARK["session"] = session
            return session

    def connect(self) -> Any:
        """An Ibis PySpark backend on a new session of the process's Spark application."""
        session = self.application().newSession()
        import ibis

        return ibis.pyspark.connect(session)

    # -- tables -------------------------------------------------------------------------------
    def uri(self, path: Path, root: Path) -> str:
        """Where the executors read a file of the data directory.

        ``<data_uri>/<path under root>`` with a data URI, else ``file://<absolute path>``.
        """
        if self.data_uri is None:
            return f"file://{Path(path).resolve().as_posix()}"  # not escaped: Hadoop does not
        return f"{self.data_uri}/{Path(path).relative_to(root).as_posix()}"

    def read(self, con: Any, files: Sequence[Path], *, root: Path, view: str, where: Path) -> Any:
        """The files as one Spark temporary view (of this store's session).

        Raises
        ------
        DataFileError
            When Spark cannot read them (with a data URI: not copied there), naming the
            table's folder or its URI.
        """
        uris = [self.uri(p, root) for p in files]
        try:
            frame = con._session.read.parquet(*uris)
            frame.createOrReplaceTempView(view)
        except Exception as exc:
            if self.data_uri is None:
                raise unreadable_table(exc, where, "Spark") from None
            folder = self.uri(where, root)
            raise DataFileError(
                f"Spark cannot read table {where.name!r} from the data URI "
                f"({_first_line(exc)}); copy the data set's version folder "
                f"{where.parent.relative_to(root).as_posix()} of the data directory there",
                path=folder,
            ) from None
        return con.table(view)

    def drop(self, con: Any, view: str) -> None:
        """Drop the temporary view."""
        con._session.catalog.dropTempView(view)

    def assumptions(self) -> list[str]:
        """Where the queries ran and what ran locally (every Spark result says it)."""
        source = f"the copy at {self.data_uri}" if self.data_uri else "the data directory"
        return [
            f"computed with the spark engine (Apache Spark, master {self.master}, Parquet files "
            f"of {source}): the queries over the flows ran on Spark; the formulas were applied "
            "in this process to the rows they returned (one per product or market; for a "
            "scenario, the flows of its importers in the year)"
        ]


def _running(session: Any) -> bool:
    """Whether a SparkSession's context is still running (not stopped)."""
    try:
        return not session.sparkContext._jsc.sc().isStopped()
    except Exception:  # stopped: the Java context is gone
        return False


def _local_cores(master: str) -> int:
    """Cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master."""
    inside = master.partition("[")[2].partition("]")[0].split(",")[0].strip()
    if inside == "*":
        return os.cpu_count() or 1
    return int(inside) if inside else 1


def _quiet_pyspark() -> None:
    """Silence PySpark 4's warning that it "does not yet fully support pandas >= 3".

    It comes on every import of its pandas helpers (Ibis's PySpark backend imports them);
    the conversions tradelever uses (``toPandas`` through Arrow) are tested.
    """
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )


@contextlib.contextmanager
def _stderr_to(path: Path | None) -> Iterator[None]:
    """Send this process's file descriptor 2 to ``path`` (appending) inside the block.

    A child process started in the block (the Spark JVM) keeps writing there; Python's
    own ``sys.stderr`` is restored on exit. Nothing is redirected when ``path`` cannot be
    opened.
    """
    if path is None:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "ab")  # noqa: SIM115 - closed below, after the block
    except OSError:
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(handle.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        handle.close()


def engine_for(config: Config) -> DuckDBEngine | SparkEngine:
    """The engine a configuration chooses (its settings were checked by ``Config.resolve``).

    Raises
    ------
    InputError
        (parameter ``engine``) The spark engine without PySpark installed.
    """
    if config.engine != "spark":
        return DuckDBEngine()
    if importlib.util.find_spec("pyspark") is None:
        raise InputError(
            f"the spark engine needs PySpark: {INSTALL_SPARK} (Spark also needs Java 17+)",
            parameter="engine",
        )
    return SparkEngine(
        config.spark_master or "local[*]",
        driver_memory=config.spark_driver_memory,
        conf=config.spark_conf,
        data_uri=config.data_uri,
        log_file=config.data_dir / "cache" / "spark" / "driver.log",
    )
