"""``tradelever serve``: the HTTP API and the web dashboard (FastAPI + uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from tradelever.errors import InputError
from tradelever.interfaces.cli_app import app, cli_config, handle_errors, session
from tradelever.interfaces.output import console

__all__ = ["serve_cmd"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
_WILDCARDS = ("0.0.0.0", "::", "[::]", "")


def _exposure_warning(
    host: str, port: int, names: list[str], data_dir: str, datasets: list[str]
) -> Text:
    """The warning printed when the server listens beyond loopback: what it exposes, to whom."""
    where = (
        f"every network interface of this machine (port {port})"
        if host.strip() in _WILDCARDS
        else f"{host} (port {port})"
    )
    return Text.assemble(
        ("warning:", "bold yellow"),
        f" binding to {host}, not loopback: anyone who can reach {where} can, with no "
        f"authentication and no encryption (plain HTTP), read the {len(datasets)} data sets "
        f"in {data_dir} ({', '.join(datasets) or 'none'}) and their provenance, and run every "
        "analysis, scenario and brief, using this machine's processors. Requests are answered "
        f"only when they name this server as {', '.join(names)} (the Host check stays on) and "
        "are refused when a web page on another site sends them. Use --host 127.0.0.1 to keep "
        "it to this machine.",
    )


@app.command("serve")
@handle_errors
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. Default loopback: only this machine can connect. Any other "
            "address needs --allowed-host.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 8000,
    allowed_hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A host name clients use in the URL (trade.example.org, 192.168.1.20, or "
            "*.example.org); repeatable. Requests naming any other host are refused (against "
            "DNS rebinding); loopback names are always accepted.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--sessions",
            help="Analyses run in parallel (DuckDB connections); default one per core, max 4.",
        ),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds a request waits for its analysis before a 503 (the analysis goes "
            "on and its answer is kept).",
        ),
    ] = 120.0,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn log level (info, warning, ...).")
    ] = "info",
    warm: Annotated[
        list[str] | None,
        typer.Option(
            "--warm",
            help="A data set to prepare before listening (look-ups, market tables, the "
            "latest year's pair index: ~3 s and ~190 MB for a BACI year); repeatable. "
            "Others are prepared in the background when first asked.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the JSON API (/api/..., schema at /openapi.json) and the dashboard at /.

    Binds to 127.0.0.1 by default. Binding to any other address lets other machines read
    your data sets and run analyses: there is no authentication. It needs --allowed-host
    with the names clients will use.
    """
    if not 0 <= port <= 65535:
        raise InputError(f"{port} is not a TCP port (0 to 65535)", parameter="port")
    if log_level.lower() not in _LOG_LEVELS:
        raise InputError(
            f"{log_level!r} is not one of {', '.join(_LOG_LEVELS)}", parameter="log_level"
        )
    if workers is not None and workers < 1:
        raise InputError(f"must be 1 or more, got {workers}", parameter="workers")
    if not 1.0 <= time_limit <= 86400.0:
        raise InputError(
            f"must be between 1 and 86400 seconds, got {time_limit:g}", parameter="time_limit"
        )
    try:
        import uvicorn

        from tradelever.interfaces.http.app import create_app
        from tradelever.interfaces.http.security import allowed_host_names, is_loopback
        from tradelever.interfaces.http.server import server_options
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError(
            f"serve: the HTTP server needs FastAPI and uvicorn ({exc.name} is missing); "
            "install them with pip install fastapi uvicorn"
        ) from None
    extra = list(allowed_hosts or [])
    if is_loopback(host) and host.strip().lower() not in ("127.0.0.1", "localhost", "::1"):
        extra.append(host.strip())  # another loopback address (127.0.0.2): its own name
    names = allowed_host_names(extra)  # checks the names
    loopback = is_loopback(host)
    if not loopback and not extra:
        raise InputError(
            f"{host} is not a loopback address: give the host names clients will use with "
            "--allowed-host NAME (repeatable), e.g. --allowed-host "
            f"{'trade.example.org' if host.strip() in _WILDCARDS else host}; requests naming "
            "any other host are refused (against DNS rebinding)",
            parameter="host",
        )
    err = console(stderr=True)
    current = session(ctx)  # prepares the embedded data sets (spinner on first run)
    data_dir = current.store.root
    if not loopback:
        err.print(
            _exposure_warning(host, port, list(names), str(data_dir), current.store.names()),
            highlight=False,
        )
    application = create_app(
        config=cli_config(ctx), pool_size=workers, allowed_hosts=extra, time_limit=time_limit
    )
    from tradelever.api import DEFAULT_DATASET

    for name in dict.fromkeys([DEFAULT_DATASET, *(warm or [])]):
        application.state.engine.pool.warm(name)
    shown = f"[{host}]" if ":" in host else host
    where = f"http://{shown}:{port}/" if port else f"http://{shown}:<port>/ (port below)"
    err.print(f"tradelever dashboard: {where} (Ctrl+C to stop)", highlight=False, markup=False)
    uvicorn.run(application, host=host, port=port, log_level=log_level.lower(), **server_options())
