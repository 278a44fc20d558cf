"""``tradelever fetch comtrade|census|baci``: download real data into the store.

Each command validates its options, fetches with progress bars on stderr, stores one data
set and prints a summary (data set name, rows, years, licence, unmapped partner codes and
totals checks) or, with ``--format json``, the same as JSON.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from tradelever.interfaces.cli_app import FormatOption, app, cli_config, handle_errors
from tradelever.interfaces.output import OutputFormat, console, dump_json, fmt_usd

fetch_app = typer.Typer(
    name="fetch",
    help="Download trade data (UN Comtrade, US Census, CEPII BACI) into the store.",
    no_args_is_help=True,
)
app.add_typer(fetch_app, name="fetch")


@contextlib.contextmanager
def _progress(kind: str = "count") -> Iterator[Any]:
    """A rich progress display on stderr and a hook ``(description, done, total)`` for it."""
    if kind == "bytes":
        columns: tuple[Any, ...] = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
    else:
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
        )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=console(stderr=True), transient=False) as bar:

        def hook(description: str, done: int, total: int | None) -> None:
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=total)
            bar.update(tasks[description], completed=done, total=total)

        yield hook


def _summary(result: Any, fmt: OutputFormat) -> None:
    data = result.to_dict()
    if fmt is OutputFormat.json:
        typer.echo(dump_json(data))
        return
    if fmt is OutputFormat.csv:
        typer.echo("name,rows,years,source,licence")
        years = " ".join(map(str, data.get("years") or []))
        typer.echo(f'{data["name"]},{data["rows"]},{years},"{data["source"]}","{data["licence"]}"')
        return
    out = console()
    table = Table(title=f"Stored data set {data['name']}", show_header=False)
    table.add_column("field", no_wrap=True)
    table.add_column("value")
    table.add_row("rows", f"{data['rows']:,}")
    table.add_row("years", ", ".join(map(str, data.get("years") or [])))
    table.add_row("classification", str(data.get("classification") or ""))
    table.add_row("source", str(data.get("source") or ""))
    table.add_row("endpoint", str(data.get("endpoint") or ""))
    table.add_row("retrieved", str(data.get("retrieved_at") or ""))
    table.add_row("licence", str(data.get("licence") or ""))
    report = data.get("report") or {}
    if "requests" in report:
        table.add_row(
            "requests", f"{report['requests']} ({report.get('cached_responses', 0)} from cache)"
        )
    out.print(table)
    unmapped = report.get("unmapped_partners") or []
    if unmapped:
        t = Table(title="Partner codes without an ISO3 code (kept under a placeholder code)")
        for col in ("code", "name", "kept as", "value"):
            t.add_column(col)
        for u in unmapped:
            t.add_row(u["code"], u["name"], u["kept_as"], fmt_usd(u["value_usd"]))
        out.print(t)
    check = report.get("totals_check") or {}
    if check.get("mismatches"):
        out.print(
            f"[yellow]warning:[/] {len(check['mismatches'])} totals do not match the sum of "
            "country rows (see --format json, report.totals_check)"
        )
    if data.get("assumptions"):
        out.print("Assumptions:\n" + "\n".join(f"- {a}" for a in data["assumptions"]), markup=False)
    out.print(
        f"Next: tradelever leverage HOME --partner PARTNER --dataset {data['name']} --level hs6"
    )


@fetch_app.command("comtrade")
@handle_errors
def comtrade_cmd(
    ctx: typer.Context,
    reporter: Annotated[
        str, typer.Option("--reporter", help="Reporting country, ISO3 (e.g. USA); comma list ok.")
    ],
    hs: Annotated[
        str, typer.Option("--hs", help="HS codes of one length, e.g. 8542,4015 or 854231,854232.")
    ],
    years: Annotated[
        str, typer.Option("--years", help="Years, e.g. 2023 or 2023,2024 (YYYYMM with --freq M).")
    ],
    partner: Annotated[
        str, typer.Option("--partner", help="'all' or ISO3 codes, e.g. MYS,CHN.")
    ] = "all",
    flow: Annotated[
        str, typer.Option("--flow", help="M (reporter's imports) or X (reporter's exports).")
    ] = "M",
    freq: Annotated[str, typer.Option("--freq", help="A annual or M monthly.")] = "A",
    classification: Annotated[
        str, typer.Option("--classification", help="HS (as reported) or HS22, HS17, ... HS92.")
    ] = "HS",
    name: Annotated[
        str | None, typer.Option("--name", help="Data set name (default comtrade-usa-m-2023).")
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore cached responses.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Fetch UN Comtrade data (public preview, or the full API with $COMTRADE_API_KEY)."""
    from tradelever.api import fetch_comtrade

    with _progress() as hook:
        result = fetch_comtrade(
            reporter,
            hs=hs,
            years=years,
            partner=partner,
            flow=flow,
            freq=freq,
            classification=classification,
            name=name,
            refresh=refresh,
            config=cli_config(ctx),
            progress=hook,
        )
    _summary(result, fmt)


@fetch_app.command("census")
@handle_errors
def census_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help="Calendar year (December year-to-date).")],
    hs: Annotated[str, typer.Option("--hs", help="HS codes, e.g. 8542,4015 (HS6 detail).")],
    flow: Annotated[str, typer.Option("--flow", help="imports or exports.")] = "imports",
    name: Annotated[
        str | None, typer.Option("--name", help="Data set name (default census-imports-2024).")
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore cached responses.")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Fetch US imports or exports by HS6 and partner from the US Census Bureau API."""
    from tradelever.api import fetch_census

    with _progress() as hook:
        result = fetch_census(
            year,
            hs,
            flow=flow,
            name=name,
            refresh=refresh,
            config=cli_config(ctx),
            progress=hook,
        )
    _summary(result, fmt)


@fetch_app.command("baci")
@handle_errors
def baci_cmd(
    ctx: typer.Context,
    release: Annotated[str, typer.Option("--release", help="BACI release, e.g. V202501.")],
    hs: Annotated[str, typer.Option("--hs", help="HS revision: HS92 ... HS22.")],
    years: Annotated[
        str | None, typer.Option("--years", help="Years to ingest, if the ingest supports it.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Data set name (default baci-hs22-v202501).")
    ] = None,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="Expected sha256 of the zip, if known.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Download again even if a verified zip is present.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Download a CEPII BACI release zip (resumable, verified), then ingest it."""
    from tradelever.api import fetch_baci

    with _progress("bytes") as hook:
        result = fetch_baci(
            release,
            hs,
            years=years,
            name=name,
            sha256=sha256,
            force=force,
            config=cli_config(ctx),
            progress=hook,
            # BACI ingest events (phase, file, rows, bytes_done, bytes_total): one bar a phase
            ingest_progress=lambda e: hook(
                f"ingest: {e.phase}", e.bytes_done, e.bytes_total or None
            ),
        )
    _summary(result, fmt)
