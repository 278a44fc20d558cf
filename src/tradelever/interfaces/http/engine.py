"""What the routes run on: the session pool, the answer cache and a bounded analysis pool.

Cheap answers (the data set catalogue, labels, the preset scenarios) are read without a
session. Analyses run in a pool of as many threads as there are sessions; a request waits
for its answer without holding a server thread, so the cheap endpoints stay fast however
many analyses are queued. The pool is bounded twice:

- at most ``queue_limit`` analyses wait for a thread; beyond, the answer is 503 with
  ``Retry-After`` at once;
- a request waits at most ``time_limit`` seconds (queueing included); then it is answered
  503. The analysis is not killed: it finishes in the background and its answer is cached,
  so asking again later is answered at once.

Answers are cached by key (:class:`.cache.ResultCache`): the key includes the data set's
fingerprint, so a re-ingested data set is answered from its new version. When the engine
first sees a data set, or a new version of it, it warms one session for it in the background.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final, TypeVar

from starlette.concurrency import run_in_threadpool

from tradelever.api import Session
from tradelever.config import Config
from tradelever.errors import DataFileError, TradeleverError, UnknownDatasetError
from tradelever.interfaces.http.cache import ResultCache
from tradelever.interfaces.http.errors import ApiError
from tradelever.interfaces.http.sessions import SessionPool
from tradelever.store import Store
from tradelever.store.engines import engine_for

__all__ = ["QUEUE_PER_SESSION", "TIME_LIMIT", "Engine"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a request waits for its analysis (queueing included) before a 503.
TIME_LIMIT: Final = 120.0
#: Analyses that may wait per session before new ones are refused (503).
QUEUE_PER_SESSION: Final = 32


class Engine:
    """The session pool, the answer cache, the analysis pool and the data set catalogue.

    Parameters
    ----------
    config
        The server's configuration.
    pool_size
        Sessions, and threads running analyses.
    cache_bytes
        Size bound of the answer cache (0: no cache).
    max_body_bytes
        Largest accepted request body.
    time_limit
        Seconds a request waits for its analysis.
    queue_limit
        Analyses allowed to wait for a thread (default ``QUEUE_PER_SESSION`` per session).
    """

    def __init__(
        self,
        config: Config,
        *,
        pool_size: int,
        cache_bytes: int,
        max_body_bytes: int,
        time_limit: float = TIME_LIMIT,
        queue_limit: int | None = None,
    ) -> None:
        self.pool = SessionPool(config, pool_size)
        self.cache = ResultCache(cache_bytes)
        self.max_body_bytes = max_body_bytes
        self.time_limit = float(time_limit)
        self.queue_limit = QUEUE_PER_SESSION * pool_size if queue_limit is None else queue_limit
        # File-only reads (names, manifests) never query: no session needed; the engine only
        # says whether the data files are local (else a data URI copy is read, not checked).
        self.catalog = Store(self.pool.data_dir, engine=engine_for(config))
        self._executor = ThreadPoolExecutor(pool_size, thread_name_prefix="tradelever-analysis")
        self._admitted = 0
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, str, str]] = {}

    # -- running analyses -------------------------------------------------------------------
    def call(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on a borrowed session, in the calling thread."""
        with self.pool.session() as session:
            return fn(session)

    @property
    def busy(self) -> int:
        """Analyses running or waiting."""
        with self._lock:
            return self._admitted

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        """Queue ``fn(session)`` in the analysis pool.

        Raises
        ------
        ApiError
            503 with ``Retry-After`` when ``queue_limit`` analyses already wait.
        """
        with self._lock:
            if self._admitted >= self.pool.size + self.queue_limit:
                raise ApiError(
                    503,
                    f"server: {self._admitted} analyses are running or waiting, the most this "
                    "server takes; try again in a few seconds",
                    headers={"Retry-After": "5"},
                )
            self._admitted += 1
        future = self._executor.submit(self.call, fn)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: Future[Any]) -> None:
        with self._lock:
            self._admitted -= 1

    async def run(self, fn: Callable[[Session], T], *, key: Hashable | None = None) -> T:
        """``fn(session)`` in the analysis pool, answered from the cache under ``key``.

        Concurrent requests with the same key share one computation. Errors are not cached.

        Raises
        ------
        ApiError
            503 when the pool is full or the answer is not ready within ``time_limit``.
        """
        start = time.monotonic()
        if key is None:
            return await self._wait(self.submit(fn), start)
        state, found = self.cache.claim(key)
        if state == "hit":
            return found  # type: ignore[no-any-return]
        if state == "own":
            try:
                job = self.submit(fn)
            except BaseException as exc:
                self.cache.settle(key, error=exc)
                raise
            job.add_done_callback(lambda done: self._settle(key, done))
        return await self._wait(found, start)

    def _settle(self, key: Hashable, job: Future[Any]) -> None:
        error = job.exception()
        self.cache.settle(key, None if error is not None else job.result(), error)

    async def _wait(self, future: Future[T], start: float) -> T:
        remaining = self.time_limit - (time.monotonic() - start)
        try:
            # shield: a request that gives up must not cancel what others wait for.
            return await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), max(remaining, 0.001)
            )
        except TimeoutError:
            raise ApiError(
                503,
                f"server: the analysis did not finish within {self.time_limit:g} s (tradelever "
                "serve --time-limit); it goes on, and its answer is kept: ask again later",
                headers={"Retry-After": "10"},
            ) from None

    def shutdown(self) -> None:
        """Stop the analysis threads (waits for running analyses)."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- data set versions ------------------------------------------------------------------
    async def current_fingerprint(self, dataset: str) -> tuple[str, str, str]:
        """:meth:`fingerprint`, from memory while the data set's version is one already seen.

        Reading which version is current is one small file read, done in the event loop;
        a version not seen yet (its manifest to read, a session to warm) is looked up in a
        worker thread.
        """
        try:
            vid = self.catalog.current_version(dataset)
        except TradeleverError:  # damaged: the full look-up says what and where
            vid = None
        if vid is not None:
            with self._lock:
                found = self._seen.get(dataset)
            if found is not None and found[2] == vid:  # the version last looked up
                return found
        return await run_in_threadpool(self.fingerprint, dataset)

    def fingerprint(self, dataset: str) -> tuple[str, str, str]:
        """Checksum, retrieval time and store version of a data set (part of every cache key).

        A data set seen for the first time or in a new version is warmed in the background
        (one session).

        Raises
        ------
        ApiError
            404 naming ``dataset`` if the data set is not in the store.
        """
        names = self.catalog.names()
        if dataset not in names:
            raise ApiError(
                404,
                f"dataset: {dataset!r} is not in the store; available: "
                f"{', '.join(names) or 'none'}",
                "dataset",
            )
        manifest = self.catalog.manifest(dataset)
        current = (
            str(manifest.get("sha256", "")),
            str(manifest.get("retrieved_at", "")),
            str(manifest.get("store_version") or self.catalog.version(dataset)),
        )
        with self._lock:
            before = self._seen.get(dataset)
            self._seen[dataset] = current
        if before != current:  # first seen, or a new version: warm a session in the background
            log.info("data set %s version %s; warming a session", dataset, current[2])
            self._executor.submit(self._warm, dataset)
        return current

    def _warm(self, dataset: str) -> None:
        try:
            self.pool.warm_one(dataset)
        except (UnknownDatasetError, DataFileError) as exc:
            log.info("could not warm %s: %s", dataset, exc)
