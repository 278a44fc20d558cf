"""``tradelever serve``: the HTTP API and the web dashboard (FastAPI + uvicorn)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer
from rich.text import Text

from tradelever.errors import InputError
from tradelever.interfaces.cli_app import app, cli_config, handle_errors, session
from tradelever.interfaces.output import console

__all__ = ["is_loopback", "serve_cmd"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``) are; wildcards
    (``0.0.0.0``, ``::``), other addresses and other names are not.
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@app.command("serve")
@handle_errors
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. Default loopback: only this machine can connect.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--sessions",
            help="Analyses run in parallel (DuckDB connections); default one per core, max 4.",
        ),
    ] = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn log level (info, warning, ...).")
    ] = "info",
) -> None:
    """Serve the JSON API (/api/..., schema at /openapi.json) and the dashboard at /.

    Binds to 127.0.0.1 by default. Binding to any other address lets other machines read
    your data sets and run analyses: there is no authentication.
    """
    if not 0 <= port <= 65535:
        raise InputError(f"{port} is not a TCP port (0 to 65535)", parameter="port")
    if log_level.lower() not in _LOG_LEVELS:
        raise InputError(
            f"{log_level!r} is not one of {', '.join(_LOG_LEVELS)}", parameter="log_level"
        )
    if workers is not None and workers < 1:
        raise InputError(f"must be 1 or more, got {workers}", parameter="workers")
    try:
        import uvicorn

        from tradelever.interfaces.http.app import LOOPBACK_HOSTS, create_app
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError(
            f"serve: the HTTP server needs FastAPI and uvicorn ({exc.name} is missing); "
            "install them with pip install fastapi uvicorn"
        ) from None
    err = console(stderr=True)
    data_dir = session(ctx).store.root  # prepares the embedded data set (spinner on first run)
    loopback = is_loopback(host)
    if not loopback:
        err.print(
            Text.assemble(
                ("warning:", "bold yellow"),
                f" binding to {host}, not loopback: any machine that can reach this address "
                f"can use the API and read every data set in {data_dir}. There is no "
                "authentication. Use --host 127.0.0.1 to keep it local.",
            ),
            highlight=False,
        )
    application = create_app(
        config=cli_config(ctx),
        pool_size=workers,
        allowed_hosts=[*LOOPBACK_HOSTS, host] if loopback else ["*"],
    )
    from tradelever.api import DEFAULT_DATASET

    application.state.engine.pool.warm(DEFAULT_DATASET)
    shown = f"[{host}]" if ":" in host else host
    where = f"http://{shown}:{port}/" if port else f"http://{shown}:<port>/ (port below)"
    err.print(f"tradelever dashboard: {where} (Ctrl+C to stop)", highlight=False, markup=False)
    uvicorn.run(application, host=host, port=port, log_level=log_level.lower())
