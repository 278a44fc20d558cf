"""``tradelever ingest baci PATH``: load downloaded data files into the store.

The command validates and stores the files with a rich progress bar on stderr (bytes,
rows and rows per second), then prints a summary of the stored data set, or the same as
JSON or CSV. :func:`ingest_progress` is reusable by other commands that ingest BACI files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from tradelever.interfaces.cli_app import FormatOption, app, cli_config, handle_errors
from tradelever.interfaces.output import OutputFormat, console, dump_json

__all__ = ["ingest_app", "ingest_progress"]

ingest_app = typer.Typer(
    name="ingest",
    help="Load downloaded data files (CEPII BACI) into the store, validated and atomically.",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")

_PHASES = {
    "checksum": "checksums",
    "extract": "extracting",
    "read": "rows",
    "merge": "merging shared codes",
}


class _BytesColumn(DownloadColumn):
    """Bytes done and to do; nothing for a step without bytes (the market tables)."""

    def render(self, task: Task) -> Text:
        if task.fields.get("step"):
            return Text("")
        return super().render(task)


class _RowsColumn(ProgressColumn):
    """Rows read so far and rows per second (from the task's ``rows`` field)."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        if not rows:
            return Text("")
        elapsed = task.elapsed or 0.0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        return Text(f"{rows:,} rows {rate}", style="progress.data.speed")


@contextlib.contextmanager
def ingest_progress() -> Iterator[Callable[[Any], None]]:
    """A rich progress display on stderr and the callback that drives it.

    The callback takes :class:`tradelever.store.ingest.IngestProgress` events: one bar
    for checksums, one for reading rows (bytes of CSV, rows, rows per second).
    """
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        _BytesColumn(),
        _RowsColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=False,
    ) as bar:

        def hook(event: Any) -> None:
            if event.phase == "tables":  # one step: running (0 of 1), then done (1 of 1)
                if "tables" not in tasks:
                    tasks["tables"] = bar.add_task(
                        "market tables, built before publishing",
                        total=None,
                        step=True,
                    )
                if event.bytes_done:
                    bar.update(tasks["tables"], total=1, completed=1)
                return
            label = _PHASES.get(event.phase, event.phase)
            total = event.bytes_total or None
            if event.phase not in tasks:
                tasks[event.phase] = bar.add_task(label, total=total)
            description = label
            if event.phase != "checksum":
                description = f"{label}: {Path(event.file).name}"
            bar.update(
                tasks[event.phase],
                completed=event.bytes_done,
                total=total,
                rows=event.rows,
                description=description,
            )

        yield hook


@ingest_app.command("baci")
@handle_errors
def baci_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="BACI release zip (BACI_HS22_V202501.zip), its extracted folder, or one "
            "yearly CSV (BACI_HS22_Y2022_V202501.csv) with the release's dictionaries beside it.",
            show_default=False,
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Data set name (default from the release: baci-hs22-v202501)."),
    ] = None,
    years: Annotated[
        str | None, typer.Option("--years", help="Only these years, e.g. 2022,2023.")
    ] = None,
    tables: Annotated[
        bool,
        typer.Option(
            "--tables/--no-tables",
            help="Compute the market tables (every market's shares, HHI and top supplier) now, "
            "so that scan and leverage answer at once (else on first use).",
        ),
    ] = True,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Validate and store a CEPII BACI release (re-running on the same files does nothing)."""
    from tradelever.api import ingest_baci
    from tradelever.errors import InputError

    year_list = None
    if years is not None:
        try:
            year_list = [int(y) for y in years.split(",") if y.strip()]
        except ValueError:
            raise InputError(
                f"{years!r} is not a comma-separated list of years", parameter="years"
            ) from None
    with ingest_progress() as hook:
        # The market tables are built before the new version is published: a server
        # reading the data set never sees the version without them.
        result = ingest_baci(
            path, name, cli_config(ctx).data_dir, years=year_list, progress=hook, tables=tables
        )
    manifest = result.manifest
    if fmt is OutputFormat.json:
        typer.echo(
            dump_json(
                {
                    "name": result.name,
                    "unchanged": result.unchanged,
                    "rows": result.rows,
                    "seconds": round(result.seconds, 3),
                    "manifest": manifest,
                }
            )
        )
        return
    if fmt is OutputFormat.csv:
        typer.echo("name,unchanged,rows,years,version,classification")
        years_text = " ".join(map(str, manifest.get("years") or []))
        typer.echo(
            f"{result.name},{str(result.unchanged).lower()},{result.rows},{years_text},"
            f"{manifest.get('version')},{manifest.get('classification')}"
        )
        return
    out = console()
    state = "unchanged (same files already ingested)" if result.unchanged else "stored"
    table = Table(title=f"Data set {result.name}: {state}", show_header=False)
    table.add_column("field", no_wrap=True)
    table.add_column("value")
    table.add_row("rows", f"{result.rows:,}")
    table.add_row("years", ", ".join(map(str, manifest.get("years") or [])))
    table.add_row("release", f"{manifest.get('source')} {manifest.get('version')}")
    table.add_row("classification", f"{manifest.get('classification')} ({manifest.get('level')})")
    table.add_row("licence", str(manifest.get("licence") or ""))
    table.add_row("citation", str(manifest.get("citation") or ""))
    for entry in manifest.get("files") or []:
        table.add_row(
            "file", f"{entry['name']} ({entry['bytes']:,} bytes, sha256 {entry['sha256']})"
        )
    table.add_row("time", f"{result.seconds:.1f} s")
    out.print(table)
    if manifest.get("assumptions"):
        out.print(
            "Assumptions:\n" + "\n".join(f"- {a}" for a in manifest["assumptions"]), markup=False
        )
    out.print(
        f"Next: tradelever leverage HOME --partner PARTNER --dataset {result.name} --level hs6"
    )
