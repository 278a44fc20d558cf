"""The FastAPI application: sessions, result cache, error mapping, static dashboard.

Concurrency
-----------
Route handlers are plain functions, so Starlette runs them in its thread pool. A
:class:`tradelever.api.Session` owns an in-memory DuckDB connection (through Ibis), and a
DuckDB connection must not be used by two threads at once. The app therefore keeps a small
pool of sessions (one per core by default, at most 4): a request borrows one for the
duration of its analysis and gives it back; extra requests wait for a free session. Each
session queries the same read-only Parquet files.

Finished JSON results are kept in a bounded LRU cache keyed by endpoint, normalised
parameters and the data set's checksum (``sha256`` and ``retrieved_at`` of its manifest),
so re-ingesting a data set invalidates its entries. Concurrent identical requests are
computed once (the others wait for the first).

Errors
------
Bad input never produces a 5xx. Every 4xx body is ``{"detail": ..., "parameter": ...}``
where ``detail`` names the parameter:

======================================  ======
FastAPI validation (type, range)        422
``InputError``                          422
``UnknownDatasetError``                 404
``UnknownCodeError`` (country, product)  404
malformed scenario body                 422
body too large / wrong media type       413 / 415
other ``TradeleverError``               400
``StoreError``, ``DataFileError``       500  (the store's files: not user input)
``FetchError`` (remote source)          502
======================================  ======
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import Future
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tradelever import __version__
from tradelever.analysis.result import json_value
from tradelever.api import Session
from tradelever.config import Config
from tradelever.errors import (
    DataFileError,
    FetchError,
    InputError,
    StoreError,
    TradeleverError,
    UnknownCodeError,
)
from tradelever.store import Store

__all__ = [
    "LOOPBACK_HOSTS",
    "ApiError",
    "Engine",
    "ResultCache",
    "SessionPool",
    "create_app",
    "error_for",
    "json_bytes",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Host headers accepted by default: the app is meant for the local machine, and checking
#: the Host header stops a web page from reaching it through DNS rebinding.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
DEFAULT_MAX_BODY = 1_048_576
DEFAULT_CACHE_BYTES = 64 * 1_048_576
STATIC_DIR = Path(str(resources.files("tradelever.interfaces.http").joinpath("static")))

# Content Security Policy of the dashboard: everything from this origin, nothing else.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities become ``null``, numpy scalars plain numbers."""
    return json.dumps(
        json_value(obj), ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":")
    ).encode("utf-8")


# -- errors -------------------------------------------------------------------------------
class ApiError(Exception):
    """An error answer: HTTP status, a message naming the parameter, and the parameter."""

    def __init__(self, status: int, detail: str, parameter: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.parameter = parameter

    def response(self) -> JSONResponse:
        """The JSON response ``{"detail": ..., "parameter": ...}``."""
        return JSONResponse(
            {"detail": self.detail, "parameter": self.parameter}, status_code=self.status
        )


def _status_for(exc: TradeleverError) -> int:
    if isinstance(exc, (StoreError, DataFileError)):
        # Over HTTP the only data files are the store's own: a bad one is the server's fault.
        return 500
    if isinstance(exc, FetchError):
        return 502
    if isinstance(exc, UnknownCodeError):
        return 404
    if isinstance(exc, (InputError, ValueError)):
        return 422
    return 400


def error_for(
    exc: TradeleverError,
    params: Mapping[str, Any] | None = None,
    *,
    status: int | None = None,
    names: Mapping[str, str] | None = None,
) -> ApiError:
    """Map a library error to an :class:`ApiError` that names the HTTP parameter at fault.

    The error carries its parameters in Python spelling (``exc.parameters``); ``names``
    maps those whose query name differs (``{"imports_usd": "imports"}``). The answer's
    ``parameter`` is the first of them the request has (``params``), and ``detail`` starts
    with their query names. The message text is never parsed.
    """
    params = params or {}
    names = names or {}

    def spell(parameter: str) -> str:
        return names.get(parameter, parameter)

    known = [spell(p) for p in exc.parameters if spell(p) in params]
    return ApiError(status or _status_for(exc), exc.describe(spell), known[0] if known else None)


# -- sessions and cache -------------------------------------------------------------------
class SessionPool:
    """A fixed number of :class:`Session` objects, each used by one thread at a time.

    A session caches look-ups (countries, descriptions) for the life of the object; when a
    data set is replaced while the server runs, :meth:`renew` makes every session be
    replaced by a fresh one the next time it is borrowed.
    """

    def __init__(self, config: Config | str | os.PathLike[str] | None, size: int) -> None:
        if size < 1:
            raise InputError(f"pool_size: must be 1 or more, got {size}")
        self.size = size
        self._generation = 0
        self._lock = threading.Lock()
        # Idle sessions with the generation they were made in.
        self._idle: queue.LifoQueue[tuple[int, Session]] = queue.LifoQueue()
        if not isinstance(config, Config):
            config = Config.resolve(data_dir=config)
        self.config = config
        first = Session(config=config)  # materialises the embedded data set on first use
        self.data_dir = first.store.root
        self._idle.put((0, first))
        for _ in range(size - 1):
            self._idle.put((0, Session(config=config)))

    def renew(self) -> None:
        """Retire every session (they are replaced when next borrowed)."""
        with self._lock:
            self._generation += 1

    def _fresh(self, born: int, session: Session) -> tuple[int, Session]:
        generation = self._generation
        if born == generation:
            return born, session
        return generation, Session(config=self.config)

    def warm(self, dataset: str) -> None:
        """Fill every session's look-up caches for ``dataset``.

        Countries, years, and the latest year's export totals and flows cube (small data
        sets only).

        Called by ``tradelever serve`` before it listens, so that the first requests do not
        pay for them (a few hundred milliseconds per session on the embedded data).
        """
        borrowed = [self._fresh(*self._idle.get()) for _ in range(self.size)]  # all of them
        try:
            for _, session in borrowed:
                view = session.view(dataset)
                view.countries()
                if view.years:
                    level = view.manifest.default_level
                    session.export_totals(dataset, view.years[-1])
                    session.market_cube(dataset, view.years[-1], level)
        finally:
            for item in borrowed:
                self._idle.put(item)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """Borrow a session for the duration of the ``with`` block."""
        born, session = self._fresh(*self._idle.get())
        try:
            yield session
        finally:
            self._idle.put((born, session))


class ResultCache:
    """A thread-safe LRU cache of answers bounded by total size, with single flight.

    ``get_or_compute(key, compute)`` returns the cached value, or runs ``compute`` once
    while concurrent callers with the same key wait for its result (or its exception;
    errors are not cached). Values are bytes, or tuples whose first item is the bytes
    (their size is what counts against ``max_bytes``).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, Future[Any]] = {}
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @staticmethod
    def _size(value: Any) -> int:
        body = value[0] if isinstance(value, tuple) else value
        return len(body)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Cached value for ``key``, computing it (once) if absent."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]  # type: ignore[no-any-return]
            future = self._inflight.get(key)
            owner = future is None
            if future is None:
                future = Future()
                self._inflight[key] = future
                self.misses += 1
        if not owner:
            return future.result()  # type: ignore[no-any-return]
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                self._inflight.pop(key, None)
            future.set_exception(exc)
            raise
        with self._lock:
            self._inflight.pop(key, None)
            size = self._size(value)
            if self.max_bytes > 0 and size <= self.max_bytes:
                self._data[key] = value
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, old = self._data.popitem(last=False)
                    self._bytes -= self._size(old)
        future.set_result(value)
        return value


class Engine:
    """What the routes use: the session pool, the result cache and the data set catalogue."""

    def __init__(
        self,
        config: Config,
        *,
        pool_size: int,
        cache_bytes: int,
        max_body_bytes: int,
    ) -> None:
        self.pool = SessionPool(config, pool_size)
        self.cache = ResultCache(cache_bytes)
        self.max_body_bytes = max_body_bytes
        # File-only reads (names, manifests) never touch DuckDB: no session needed.
        self.catalog = Store(self.pool.data_dir)
        self._seen: dict[str, tuple[str, str]] = {}
        self._seen_lock = threading.Lock()

    def call(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on a borrowed session."""
        with self.pool.session() as session:
            return fn(session)

    def fingerprint(self, dataset: str) -> tuple[str, str]:
        """Checksum and retrieval time of a data set (part of every cache key).

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
        current = (str(manifest.get("sha256", "")), str(manifest.get("retrieved_at", "")))
        with self._seen_lock:
            before = self._seen.get(dataset)
            self._seen[dataset] = current
        if before is not None and before != current:
            # Replaced while serving: the sessions' cached look-ups may be out of date.
            log.info("data set %s changed; renewing the sessions", dataset)
            self.pool.renew()
        return current


# -- application ----------------------------------------------------------------------------
class SecurityHeaders:
    """ASGI middleware: ``nosniff``, no referrer, and the dashboard's CSP on every answer.

    The brief sets its own, stricter policy (its HTML has inline styles and no scripts).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        own_csp = str(scope.get("path", "")).startswith("/api/brief")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not own_csp:
                    extra.append((b"content-security-policy", _CSP.encode("ascii")))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _validation_error(exc: RequestValidationError) -> ApiError:
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ())]
    parameter = loc[1] if len(loc) > 1 and loc[0] in ("query", "path", "header") else None
    if parameter is None and loc and loc[0] == "body":
        parameter = "body"
    message = str(first.get("msg", "invalid request"))
    detail = f"{parameter}: {message}" if parameter else message
    if len(errors) > 1:
        others = sorted({str(e.get("loc", ("", "?"))[-1]) for e in errors[1:]} - {parameter or ""})
        if others:
            detail += f" (also invalid: {', '.join(others)})"
    return ApiError(422, detail, parameter)


def create_app(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    config: Config | None = None,
    pool_size: int | None = None,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    allowed_hosts: list[str] | None = None,
) -> FastAPI:
    """Build the tradelever HTTP application.

    Parameters
    ----------
    data_dir
        Data directory (default as for the CLI); the embedded ``icio2022`` data set is
        materialised in it if missing.
    config
        The configuration (default resolved from ``data_dir`` and the environment).
    pool_size
        Number of sessions (DuckDB connections) serving requests in parallel; default one
        per CPU core, at most 4.
    cache_bytes
        Size bound of the JSON result cache (0 disables it).
    max_body_bytes
        Largest accepted request body (scenario documents), in bytes.
    allowed_hosts
        Accepted ``Host`` header names; default the loopback names (``127.0.0.1``,
        ``localhost``, ``::1``), ``["*"]`` accepts any.
    """
    from tradelever.interfaces.http import routes, routes_brief, routes_scenarios, routes_tariffs

    if pool_size is None:
        pool_size = max(1, min(4, os.cpu_count() or 1))
    engine = Engine(
        config or Config.resolve(data_dir=data_dir),
        pool_size=pool_size,
        cache_bytes=cache_bytes,
        max_body_bytes=max_body_bytes,
    )
    app = FastAPI(
        title="tradelever",
        version=__version__,
        description=(
            "Turn bilateral trade data into negotiating power. The JSON objects are those of "
            "`tradelever <command> --format json`. Errors: `{detail, parameter}`, where "
            "`detail` names the parameter at fault."
        ),
        # Swagger UI and ReDoc load their scripts from a CDN: off, the app works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOOPBACK_HOSTS)
    if "*" not in hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Routing errors (unknown path, wrong method) in the same shape as the others.
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        body = {"detail": str(exc.detail), "parameter": None}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_error(exc).response()

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        # A fault of the server, never of the input: log it in full, answer in the usual
        # shape without internals.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        body = {"detail": f"internal error ({type(exc).__name__}); see the server log"}
        return JSONResponse({**body, "parameter": None}, status_code=500)

    @app.exception_handler(TradeleverError)
    async def _library_error(request: Request, exc: TradeleverError) -> JSONResponse:
        params = dict(request.query_params) | dict(request.path_params)
        return error_for(exc, params).response()

    app.add_middleware(SecurityHeaders)

    app.include_router(routes.router)
    app.include_router(routes_scenarios.router)
    app.include_router(routes_brief.router)
    app.include_router(routes_tariffs.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def _index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    return app
