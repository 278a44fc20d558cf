"""``tradelever scenario``: list, show, run and compare tariff scenarios (issue 5)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from tradelever.analysis.scenarios.simulate import COMPARE_SCENARIOS, RUN_SCENARIO
from tradelever.interfaces.cli_app import (
    FormatOption,
    analysis_command,
    app,
    emit_data,
    handle_errors,
    session,
)
from tradelever.interfaces.output import (
    OutputFormat,
    columns,
    console,
    dump_json,
    fmt_usd,
    frame_to_csv,
    rich_table,
)

scenario_app = typer.Typer(
    name="scenario",
    help="Tariff scenarios: the 2025-26 US actions as sourced presets, simulated over all "
    "markets (WITS-SMART or CES partial equilibrium).",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A rich progress bar on stderr; yields the ``progress(done, total)`` callback."""
    if total <= 0:
        yield None
        return
    columns = (
        TextColumn("Monte Carlo draws"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("draws", total=total)

        def hook(done: int, n: int) -> None:
            bar.update(task, completed=done, total=n)

        yield hook


@scenario_app.command("list")
@handle_errors
def list_cmd(fmt: FormatOption = OutputFormat.table) -> None:
    """List the preset scenarios with their dates and sources."""
    from tradelever import api

    frame = api.scenarios()
    if fmt is OutputFormat.json:
        typer.echo(dump_json(frame.to_dict(orient="records")))
    elif fmt is OutputFormat.csv:
        out = frame.assign(sources=frame["sources"].map(" ".join))
        typer.echo(frame_to_csv(out), nl=False)
    else:
        columns = [
            ("name", "name", str),
            ("date", "schedule date", lambda v: v or "-"),
            ("measures", "measures", str),
            ("description", "description", lambda v: v or ""),
        ]
        table = rich_table(frame, columns, title="tradelever tariff scenarios (presets)")
        console().print(table)


@scenario_app.command("show")
@handle_errors
def show_cmd(
    name: Annotated[str, typer.Argument(help="Preset name or YAML file.", show_default=False)],
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show a scenario's measures, each with its legal basis, source and date."""
    import pandas as pd

    from tradelever import api

    sc = api.scenario(name)
    data = sc.model_dump(mode="json")
    if fmt is OutputFormat.json:
        typer.echo(dump_json(data))
        return
    rows = []
    for m in data["measures"]:
        exporters = m["exporters"]
        if isinstance(exporters, dict):
            exporters = "all except " + ", ".join(exporters["all_except"])
        elif isinstance(exporters, list):
            exporters = ", ".join(exporters)
        products = m["products"] if isinstance(m["products"], str) else ", ".join(m["products"])
        rate = (
            f"{100 * m['new_rate']:g}%" + (" all-in" if m["all_in"] else "")
            if m["new_rate"] is not None
            else f"{100 * m['change']:+g} pts"
        )
        rows.append(
            {
                "importer": m["importer"] if isinstance(m["importer"], str) else str(m["importer"]),
                "exporters": exporters,
                "products": products,
                "exempt": ", ".join(m["exempt"]),
                "rate": rate,
                "basis": m["basis"],
                "effective": m["effective"] or "",
                "source": m["source"],
            }
        )
    frame = pd.DataFrame(rows)
    if fmt is OutputFormat.csv:
        typer.echo(frame_to_csv(frame), nl=False)
        return
    columns = [
        ("importer", "importer", str),
        ("exporters", "exporters", lambda v: v[:40]),
        ("products", "products", lambda v: v[:30]),
        ("exempt", "exempt", lambda v: v[:30]),
        ("rate", "rate", str),
        ("basis", "basis", str),
        ("effective", "effective", str),
        ("source", "source", lambda v: v[:60]),
    ]
    caption = "\n".join(f"- {a}" for a in sc.assumptions)
    console().print(
        rich_table(frame, columns, title=f"{sc.name}: {sc.description}", caption=caption or None)
    )


_ROW_COLUMNS = columns(
    "importer",
    "exporter",
    "code",
    "description",
    "baseline_imports_usd",
    "old_rate",
    "new_rate",
    "trade_creation_usd",
    "trade_diversion_usd",
    "total_effect_usd",
    "change_pct",
    width=40,
)
_EXPORTER_COLUMNS = columns(
    "exporter",
    "baseline_imports_usd",
    "trade_creation_usd",
    "trade_diversion_usd",
    "total_effect_usd",
    "change_pct",
    headers={
        "baseline_imports_usd": "baseline (changed markets)",
        "change_pct": "of exports to importers",
    },
)


def _run_call(ctx: Any, options: dict[str, Any]) -> Any:
    with _progress(options["draws"]) as hook:
        return session(ctx).run_scenario(**options, progress=hook)


def _run_render(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = emit_data(result, fmt, top, table_top=15)
    if result is None:
        return
    out = console()
    p = result.params
    title = f"Scenario {p['scenario']} - {p['dataset']} {p['year']}, mode {p['mode']}"
    out.print(rich_table(result.rows, _ROW_COLUMNS, title=title))
    out.print(
        rich_table(result.exporters.head(10), _EXPORTER_COLUMNS, title="Exporters most affected")
    )
    s = result.summary
    out.print(
        f"Markets changed: {s['markets_changed']}; total effect {fmt_usd(s['total_effect_usd'])};"
        f" tariff revenue {fmt_usd(s['tariff_revenue_change_usd'])}; importer welfare "
        f"{fmt_usd(s['welfare_usd'])}",
        markup=False,
    )
    if result.home is not None:
        h = result.home
        out.print(
            Text.assemble(
                (str(h["home"]), "bold"),
                f": total {fmt_usd(h['total_effect_usd'])} on exports of "
                f"{fmt_usd(h['exports_in_changed_markets_usd'])} in changed markets; own tariffs "
                f"{fmt_usd(h['own_tariff_effect_usd'])}, tariffs on rivals "
                f"{fmt_usd(h['rival_tariff_effect_usd'])} (Shapley split)",
            )
        )
    if result.uncertainty is not None and result.home is not None:
        hp = result.uncertainty.get("home_total_effect_usd")
        if hp:
            out.print(
                f"{result.uncertainty['draws']} draws: home total p5 {fmt_usd(hp['p5'])}, "
                f"p50 {fmt_usd(hp['p50'])}, p95 {fmt_usd(hp['p95'])}",
                markup=False,
            )
    out.print("Assumptions:\n" + "\n".join(f"- {a}" for a in result.assumptions), markup=False)


analysis_command(
    scenario_app,
    RUN_SCENARIO,
    _run_render,
    name="run",
    help="Simulate a scenario over every (importer, product) market it touches.",
    table_top=15,
    call=_run_call,
)

_COMPARE_COLUMNS = columns(
    "importer",
    "code",
    "description",
    "baseline_exports_usd",
    "exports_a_usd",
    "exports_b_usd",
    "difference_usd",
    headers={"difference_usd": "B - A"},
    width=40,
)


def _compare_render(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = emit_data(result, fmt, top, table_top=15)
    if result is None:
        return
    s = result.summary
    title = f"{s['home']}: A = {given['a']}, B = {given['b']}"
    out = console()
    out.print(rich_table(result.rows, _COMPARE_COLUMNS, title=title))
    out.print(
        f"Total: under A {fmt_usd(s['exports_a_usd'])}, under B {fmt_usd(s['exports_b_usd'])}, "
        f"B - A {fmt_usd(s['difference_usd'])}",
        markup=False,
    )


analysis_command(
    scenario_app,
    COMPARE_SCENARIOS,
    _compare_render,
    name="compare",
    help="Home's exports by product under A and under B, and the difference B - A.",
    table_top=15,
)
