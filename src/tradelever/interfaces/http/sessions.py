"""The HTTP server's sessions: each used by one thread at a time, pinned to one version.

A :class:`tradelever.api.Session` owns an in-memory DuckDB connection (through Ibis), and a
DuckDB connection must not be used by two threads at once. The server keeps a fixed pool
of sessions (one per core by default, at most 4): an analysis borrows one for its duration
and gives it back. While borrowed, the session's store is in a snapshot
(:meth:`tradelever.store.Store.snapshot`): every table the analysis reads comes from the
version of its data set that was current when it first touched it, even if a re-ingest
publishes a new one meanwhile, and that version stays on disk until the analysis ends.

Sessions are never thrown away when a data set is replaced: a session keeps one view per
data set and version (:meth:`Session.view` checks the version), so only the replaced data
set's look-ups are computed again; the others' stay warm.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
from collections.abc import Iterator

from tradelever.api import Session
from tradelever.config import Config
from tradelever.errors import InputError, TradeleverError

__all__ = ["SessionPool", "warm_session"]

log = logging.getLogger(__name__)


def warm_session(session: Session, dataset: str) -> None:
    """Fill a session's look-ups for the current version of ``dataset``.

    Countries, years, and for the latest year at the default level the flows cube and the
    export totals (small data sets), or the market tables with the world and exporter
    totals read and the year's pair index built (large ones), so that the first requests
    on a new version do not pay for them.
    """
    from tradelever.analysis import markets

    with session.store.snapshot():
        view = session.view(dataset)
        view.countries()
        if not view.years:
            return
        level = view.manifest.default_level
        year = view.years[-1]
        if session.market_cube(dataset, year, level) is not None:  # small: pairs are slices
            session.export_totals(dataset, year)
        elif view.engine == "duckdb" and level in markets.levels(dict(view.manifest.raw)):
            # large: pairs read the tables (on Spark they query the flows)
            tables = session.market_tables(dataset, level)
            tables.whole("world", year)
            tables.whole("exporter_totals", year)
            tables.pair_index(year)  # pairs are slices of the year in memory


class SessionPool:
    """A fixed number of :class:`Session` objects, each used by one thread at a time."""

    def __init__(self, config: Config | str | os.PathLike[str] | None, size: int) -> None:
        if size < 1:
            raise InputError(f"must be 1 or more, got {size}", parameter="pool_size")
        self.size = size
        self._idle: queue.LifoQueue[Session] = queue.LifoQueue()
        if not isinstance(config, Config):
            config = Config.resolve(data_dir=config)
        self.config = config
        first = Session(config=config)  # materialises the embedded data sets on first use
        self.data_dir = first.store.root
        self._idle.put(first)
        for _ in range(size - 1):
            self._idle.put(Session(config=config))

    def warm(self, dataset: str) -> None:
        """Fill every session's look-ups for ``dataset`` (before the server listens)."""
        borrowed = [self._idle.get() for _ in range(self.size)]  # all of them
        try:
            for session in borrowed:
                warm_session(session, dataset)
        finally:
            for session in borrowed:
                self._idle.put(session)

    def warm_one(self, dataset: str) -> None:
        """Warm one idle session for ``dataset`` (in the background after a re-ingest)."""
        with self.session() as session:
            try:
                warm_session(session, dataset)
            except TradeleverError as exc:  # a damaged new version: the requests will say so
                log.info("could not warm %s: %s", dataset, exc)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """Borrow a session, its store pinned to one version per data set, for the block."""
        session = self._idle.get()
        try:
            with session.store.snapshot():
                yield session
        finally:
            self._idle.put(session)
