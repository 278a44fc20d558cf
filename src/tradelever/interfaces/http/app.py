"""The application factory: the engine, the guards, the error handlers, the routes.

The parts live in modules named for what they are: :mod:`.security` (Host check, other
sites refused, typed bodies, slow clients, security headers), :mod:`.engine` (sessions,
answer cache, the bounded analysis pool), :mod:`.errors` (one error shape, one status per
kind of fault), :mod:`.server` (uvicorn with deadlines), and the routes
(:mod:`.routes`, :mod:`.routes_scenarios`, :mod:`.routes_brief`), which import the engine
and the error mapping, never this module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from tradelever import __version__
from tradelever.config import Config
from tradelever.interfaces.http import (
    routes,
    routes_brief,
    routes_deals,
    routes_scenarios,
    routes_tariffs,
)
from tradelever.interfaces.http.engine import TIME_LIMIT, Engine
from tradelever.interfaces.http.errors import install_error_handlers
from tradelever.interfaces.http.security import (
    BODY_TIMEOUT,
    SEND_TIMEOUT,
    RequestGuard,
    SecurityHeaders,
    allowed_host_names,
)

__all__ = ["DEFAULT_CACHE_BYTES", "DEFAULT_MAX_BODY", "STATIC_DIR", "create_app"]

DEFAULT_MAX_BODY: Final = 1_048_576
#: A leverage answer on a BACI year is ~5 MB with every row: 256 MiB keeps the answers of
#: fifty such pairs (a dashboard's 20-row answers take a few kB each).
DEFAULT_CACHE_BYTES: Final = 256 * 1_048_576
STATIC_DIR: Final = Path(str(resources.files("tradelever.interfaces.http").joinpath("static")))


def create_app(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    config: Config | None = None,
    pool_size: int | None = None,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    allowed_hosts: Sequence[str] = (),
    time_limit: float = TIME_LIMIT,
    queue_limit: int | None = None,
    body_timeout: float = BODY_TIMEOUT,
    send_timeout: float = SEND_TIMEOUT,
) -> FastAPI:
    """Build the tradelever HTTP application.

    Parameters
    ----------
    data_dir
        Data directory (default as for the CLI); the embedded data sets are materialised in
        it if missing.
    config
        The configuration (default resolved from ``data_dir`` and the environment).
    pool_size
        Sessions (DuckDB connections) running analyses in parallel; default one per CPU
        core, at most 4.
    cache_bytes
        Size bound of the answer cache (0 disables it).
    max_body_bytes
        Largest accepted request body (scenario documents), in bytes.
    allowed_hosts
        Host names accepted besides the loopback names (``trade.example.org``,
        ``*.example.org``); the ``Host`` check is always on.
    time_limit
        Seconds a request waits for its analysis before a 503.
    queue_limit
        Analyses that may wait for a session before new ones get a 503 (default 32 per
        session).
    body_timeout, send_timeout
        Seconds a client has to send its body, and to take each part of an answer.

    Raises
    ------
    InputError
        For an allowed host that is not a host name (``*``, a URL).
    """
    hosts = allowed_host_names(allowed_hosts)
    if pool_size is None:
        pool_size = max(1, min(4, os.cpu_count() or 1))
    engine = Engine(
        config or Config.resolve(data_dir=data_dir),
        pool_size=pool_size,
        cache_bytes=cache_bytes,
        max_body_bytes=max_body_bytes,
        time_limit=time_limit,
        queue_limit=queue_limit,
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
    app.state.allowed_hosts = hosts
    install_error_handlers(app)
    # The middleware added last is the outermost: the security headers wrap everything,
    # the guard's refusals included; the guard runs before any route.
    app.add_middleware(
        RequestGuard, allowed_hosts=hosts, body_timeout=body_timeout, send_timeout=send_timeout
    )
    app.add_middleware(SecurityHeaders)

    app.include_router(routes.router)
    app.include_router(routes_scenarios.router)
    app.include_router(routes_brief.router)
    app.include_router(routes_deals.router)
    app.include_router(routes_tariffs.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def _index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> FileResponse:
        # Browsers and tools ask for /favicon.ico whatever the page links: answer, not 404.
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> FileResponse:
        # Browsers and tools ask for /favicon.ico whatever the page links: answer, not 404.
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    return app
