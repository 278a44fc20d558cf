"""The ``tradelever`` command line (typer + rich).

Each command is a thin function: parse options, call :mod:`tradelever.api`, render. Errors
raised on purpose (:class:`tradelever.errors.TradeleverError`) become one line on stderr
and exit code 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tradelever import __version__
from tradelever.errors import TradeleverError
from tradelever.interfaces.output import (
    OutputFormat,
    console,
    dump_json,
    fmt_pct,
    fmt_usd,
    frame_to_csv,
    rich_table,
)

app = typer.Typer(
    name="tradelever",
    help="Turn bilateral trade data into negotiating power: leverage points, exposure, "
    "tariff scenarios and sourced briefs. Runs offline on the embedded OECD ICIO 2022 "
    "network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

_STATE: dict[str, Any] = {"data_dir": None, "debug": False}
F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tradelever {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="TRADELEVER_DATA_DIR",
            help="Data directory (default: the platform's user data folder).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn bilateral trade data into negotiating power."""
    _STATE["data_dir"] = data_dir
    _STATE["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING)


def handle_errors(func: F) -> F:
    """Turn TradeleverError into a one-line message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TradeleverError as exc:
            if _STATE["debug"]:
                raise
            console(stderr=True).print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def session() -> Any:
    """Open the store, preparing the embedded data on first use with a progress spinner."""
    from tradelever.api import Session
    from tradelever.sources import icio
    from tradelever.store import Store

    store = Store(_STATE["data_dir"])
    if not store.has(icio.DATASET_NAME):
        with console(stderr=True).status(
            "Preparing the embedded OECD ICIO 2022 network (first run only)..."
        ):
            from tradelever.store.embedded import ensure_icio

            ensure_icio(store)
    return Session(_STATE["data_dir"])


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


@app.command("datasets")
@handle_errors
def datasets_cmd(fmt: FormatOption = OutputFormat.table) -> None:
    """List the data sets in the store, with their provenance."""
    frame = session().datasets()
    if fmt is OutputFormat.json:
        typer.echo(dump_json(frame.to_dict(orient="records")))
    elif fmt is OutputFormat.csv:
        typer.echo(frame_to_csv(frame), nl=False)
    else:
        columns = [
            ("name", "name", str),
            ("source", "source", str),
            ("version", "release", str),
            ("years", "years", lambda v: ", ".join(map(str, v or []))),
            ("classification", "classification", str),
            ("rows", "rows", lambda v: f"{int(v):,}" if v is not None else "-"),
            ("licence", "licence", str),
            ("note", "note", lambda v: v or ""),
        ]
        console().print(rich_table(frame, columns, title="tradelever data sets"))


_LEVERAGE_COLUMNS = [
    ("code", "code", str),
    ("description", "description", lambda v: (v or "")[:48]),
    ("home_share_of_partner_imports", "home share", fmt_pct),
    ("partner_imports_usd", "partner imports", fmt_usd),
    ("home_exports_to_partner_usd", "home exports to partner", fmt_usd),
    ("home_world_export_share", "home world share", fmt_pct),
    ("rival_share_of_partner_imports", "rival share", fmt_pct),
    ("partner_import_hhi", "HHI", lambda v: "-" if v is None else f"{v:.3f}"),
    ("home_export_weight", "export weight", fmt_pct),
    ("partner_cost_of_losing_home_usd", "partner cost of losing home", fmt_usd),
    ("sigma", "sigma", lambda v: f"{v:.2f}"),
]


@app.command("leverage")
@handle_errors
def leverage_cmd(
    home: Annotated[str, typer.Argument(help="Home country, ISO3 (e.g. MYS).", show_default=False)],
    partner: Annotated[
        str, typer.Option("--partner", "-p", help="Counterpart country, ISO3 (e.g. USA).")
    ],
    rival: Annotated[
        str | None, typer.Option("--rival", "-r", help="Rival supplier, ISO3 (e.g. CHN).")
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="Data set name (see `tradelever datasets`).")
    ] = "icio2022",
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="Year (default: latest in the data set).")
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", help="industry (ICIO) or hs6|hs4|hs2|group (product data sets)."),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            "-n",
            help="Show the top N rows (table default 20; json/csv default all; 0 = all).",
        ),
    ] = None,
    sigma: Annotated[
        float | None,
        typer.Option("--sigma", help="One elasticity of substitution (> 1) for every product."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Where the partner depends on HOME (and on the rival).

    Rows are ranked by the partner's cost of losing HOME's supply (CES price index).
    """
    result = session().leverage(
        home, partner, rival, dataset=dataset, year=year, level=level, sigma=sigma
    )
    if top is None and fmt is OutputFormat.table:
        top = 20
    result = result.head(top)
    if fmt is OutputFormat.json:
        typer.echo(dump_json(result.to_dict()))
        return
    if fmt is OutputFormat.csv:
        from tradelever import schema

        columns = ["code", "description", *schema.LEVERAGE_FIELDS, "sigma"]
        typer.echo(frame_to_csv(result.rows[columns]), nl=False)
        return
    from tradelever.reference.countries import country_name

    title = (
        f"Where {country_name(result.partner)} depends on {country_name(result.home)}"
        f" - {result.dataset}, {result.year}, level {result.level}"
    )
    if result.rival:
        title += f" (rival: {country_name(result.rival)})"
    caption = "Source: " + str(result.provenance.get("source", result.dataset))
    caption += f". Licence: {result.provenance.get('licence', 'see data set')}."
    caption += "\nAssumptions:\n" + "\n".join(f"- {a}" for a in result.assumptions)
    out = console()
    out.print(rich_table(result.rows, _LEVERAGE_COLUMNS, title=title, caption=caption))


def main() -> None:
    """Entry point of the ``tradelever`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        console(stderr=True).print("interrupted")
        sys.exit(130)
