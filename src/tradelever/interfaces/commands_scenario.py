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


_INLINE_MEMBERS = 12  # longer member lists are counted in the table and listed by --all


def _selector(text: str, members: list[str], what: str, full: bool) -> str:
    written = {t for t in text.removeprefix("all except ").replace(",", " ").split() if t}
    if not members or set(members) <= written:
        return text  # nothing named through a group or a set
    if full or len(members) <= _INLINE_MEMBERS:
        return f"{text}: {', '.join(members)}"
    return f"{text} ({len(members)} {what}; --all lists them)"


@scenario_app.command("show")
@handle_errors
def show_cmd(
    name: Annotated[str, typer.Argument(help="Preset name or YAML file.", show_default=False)],
    show_all: Annotated[
        bool,
        typer.Option("--all", help="List every member of every group and product set in full."),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show every measure of a scenario: selectors, rate, legal basis, source and date.

    Nothing is cut: groups and product sets longer than a few members are counted, and
    --all (or --format json/csv) lists every member.
    """
    from tradelever import api
    from tradelever.analysis.scenarios.listing import listing_json, scenario_listing

    sc = api.scenario(name)
    listing = scenario_listing(sc)
    measures, members = listing["measures"], listing["members"]
    if fmt is OutputFormat.json:
        typer.echo(dump_json(listing_json(sc)))
        return
    if fmt is OutputFormat.csv:
        out = measures.copy()
        for column in ("exporter_members", "product_members", "exempt_members"):
            out[column] = out[column].map(" ".join)
        typer.echo(frame_to_csv(out), nl=False)
        return
    frame = measures.assign(
        exporters=[
            _selector(t, m, "countries", show_all)
            for t, m in zip(measures["exporters"], measures["exporter_members"], strict=True)
        ],
        products=[
            _selector(t, m, "codes", show_all)
            for t, m in zip(measures["products"], measures["product_members"], strict=True)
        ],
        exempt=[
            _selector(t, m, "codes", show_all) if t else ""
            for t, m in zip(measures["exempt"], measures["exempt_members"], strict=True)
        ],
    )
    shown = [
        ("kind", "kind", str),
        ("index", "#", str),
        ("importer", "importer", str),
        ("exporters", "exporters", str),
        ("products", "products", str),
        ("exempt", "exempt", str),
        ("rate", "rate", str),
        ("basis", "basis", str),
        ("effective", "effective", str),
        ("source", "source", str),
    ]
    out = console()
    head = [f"{sc.name}: {sc.description}"]
    if sc.date:
        head.append(f"Schedule date: {sc.date}")
    if sc.on:
        head.append(
            f"On data with US tariff lines (census-us-2024) the rates are the US schedule in "
            f"force on {sc.on}, line by line"
            + (
                "; the measures below restate it for data without them."
                if sc.restates_schedule or any(m.restates_schedule for m in sc.measures)
                else "; the measures below apply on top of it."
            )
        )
    head.append(f"Baseline: {listing['baseline']}")
    for line in head:
        out.print(line, markup=False)
    out.print(
        rich_table(
            frame,
            shown,
            title=f"{listing['n_measures']} measures, {len(measures) - listing['n_measures']} "
            "baseline rates",
        )
    )
    if show_all and len(members):
        out.print(
            rich_table(
                members.astype(str),
                [(c, c, str) for c in ("kind", "index", "role", "member", "via")],
                title=f"Every member ({len(members)})",
            )
        )
    elif len(members):
        out.print(
            f"{len(members)} countries and product codes named through groups and sets; "
            f"`tradelever scenario show {name} --all` lists every one.",
            markup=False,
        )
    lines = [*sc.assumptions, *(f"source: {u}" for u in sc.sources)]
    if lines:
        out.print("Assumptions and sources:\n" + "\n".join(f"- {a}" for a in lines), markup=False)


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
    "total_effect_low_usd",
    "total_effect_high_usd",
    "flags",
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
    out.print(f"Baseline: {p['baseline']['label']}", markup=False)
    band = (
        f" (sigma band {fmt_usd(s['total_effect_low_usd'])} to "
        f"{fmt_usd(s['total_effect_high_usd'])})"
        if "total_effect_low_usd" in s
        else ""
    )
    out.print(
        f"Markets changed: {s['markets_changed']}; total effect {fmt_usd(s['total_effect_usd'])}"
        f"{band}; tariff revenue {fmt_usd(s['tariff_revenue_change_usd'])}; importer welfare "
        f"{fmt_usd(s['welfare_usd'])}",
        markup=False,
    )
    flagged = s.get("rows_flagged") or {}
    out.print(
        "Rows flagged: " + ", ".join(f"{k} {v}" for k, v in flagged.items()) + " (see flags)",
        markup=False,
    )
    if result.home is not None:
        h = result.home
        hband = (
            f" (sigma band {fmt_usd(h['total_effect_low_usd'])} to "
            f"{fmt_usd(h['total_effect_high_usd'])})"
            if "total_effect_low_usd" in h
            else ""
        )
        out.print(
            Text.assemble(
                (str(h["home"]), "bold"),
                f": total {fmt_usd(h['total_effect_usd'])}{hband} on exports of "
                f"{fmt_usd(h['exports_in_changed_markets_usd'])} in changed markets; own tariffs "
                f"{fmt_usd(h['own_tariff_effect_usd'])} + tariffs on rivals "
                f"{fmt_usd(h['rival_tariff_effect_usd'])} (Shapley split); rate level "
                f"{fmt_usd(h['rate_level_effect_usd'])} + gap to competitors "
                f"{fmt_usd(h['rate_gap_effect_usd'])} (sequential, level first)",
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
    out.print(f"Baseline of both: {s['baseline']}", markup=False)
    out.print(
        f"Total: under A {fmt_usd(s['exports_a_usd'])}, under B {fmt_usd(s['exports_b_usd'])}, "
        f"B - A {fmt_usd(s['difference_usd'])}",
        markup=False,
    )
    for key in ("a", "b"):
        h = s.get(key) or {}
        if "own_tariff_effect_usd" not in h:
            continue
        band = (
            f" (sigma band {fmt_usd(h['total_effect_low_usd'])} to "
            f"{fmt_usd(h['total_effect_high_usd'])})"
            if h.get("total_effect_low_usd") is not None
            else ""
        )
        out.print(
            f"{key.upper()}: home total {fmt_usd(h.get('home_total_effect_usd'))}{band}; own "
            f"tariffs {fmt_usd(h['own_tariff_effect_usd'])} + tariffs on rivals "
            f"{fmt_usd(h['rival_tariff_effect_usd'])}; level "
            f"{fmt_usd(h['rate_level_effect_usd'])} + gap {fmt_usd(h['rate_gap_effect_usd'])}; "
            f"flags {h.get('flags', {})}",
            markup=False,
        )
    out.print("Assumptions:\n" + "\n".join(f"- {a}" for a in result.assumptions), markup=False)


analysis_command(
    scenario_app,
    COMPARE_SCENARIOS,
    _compare_render,
    name="compare",
    help="Home's exports by product under A and under B, and the difference B - A.",
    table_top=15,
)
