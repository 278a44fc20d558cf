"""Deal and claim commands: ``deals`` (with show, first-in-line, precedents) and ``check``.

``tradelever deals`` lists the 2025-26 US deals with their derived measures; ``deals show
ISO3`` prints every quoted fact of a partner's deal(s) with its source; ``deals
first-in-line`` the rate obtained against the date of each deal, with Spearman's rho (and
``--svg FILE`` writes the chart); ``deals precedents OFFER`` one sourced sentence per deal;
``check CLAIMS.yaml`` a verdict for every claim of a research note. Options come from the
analyses' records (:mod:`tradelever.analysis.deals`, :mod:`tradelever.analysis.claim_figures`).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from tradelever.analysis.claim_figures import CHECK
from tradelever.analysis.deals import DEAL, DEALS, FIRST_IN_LINE, PRECEDENTS
from tradelever.analysis.result import dumps
from tradelever.interfaces.cli_app import (
    analysis_command,
    app,
    emit_data,
    format_parameter,
    handle_errors,
    option_parameter,
    session,
)
from tradelever.interfaces.output import (
    Column,
    OutputFormat,
    columns,
    console,
    fit_columns,
    frame_to_csv,
    rich_table,
    source_caption,
)
from tradelever.labels import fmt

deals_app = typer.Typer(
    help="The 2025-26 US trade deals as quoted facts: what peers gave and got.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(deals_app, name="deals")


#: ``--top/-n`` of the commands that show every row by default.
_TOP_ALL = inspect.Parameter(
    "top",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        int | None, typer.Option("--top", "-n", help="Show only the first N rows (default all).")
    ],
)


def _emit(result: Any, fmt_: OutputFormat, top: int | None) -> Any:
    """:func:`emit_data` with every row by default, nested cells (lists, objects) as JSON in CSV."""
    if fmt_ is OutputFormat.csv:
        frame = result.head(top).to_frame()
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, (list, tuple, dict))).any():
                frame[column] = frame[column].map(
                    lambda v: dumps(v, indent=None) if isinstance(v, (list, tuple, dict)) else v
                )
        typer.echo(frame_to_csv(frame), nl=False)
        return None
    return emit_data(result, fmt_, top, table_top=0)


def _points(value: Any) -> str:
    text = fmt(value, "share", 0)
    return "-" if text == "-" else text.removesuffix("%") + " pp"


def _rate(value: Any, basis: Any) -> str:
    text = fmt(value, "share", 0)
    return text + (" all-in" if basis == "all_in_ceiling" and text != "-" else "")


def _deal_columns() -> list[Column]:
    shown = columns(
        "partner",
        "deal_date",
        "days_since_2025_04_02",
        "annex_i_rate",
        "rate_obtained",
        "rate_cut",
        "pledges_usd",
        "pledges_usd_a_year",
        "exports_to_us_2024_usd",
        "pledges_share_of_exports",
        "pledges_a_year_share_of_exports",
        "pledges_share_of_gdp",
        "effective_rate_2025_04_09",
        "effective_rate_before_deal",
        "effective_rate_after",
    )
    return [(f, h, _points if f == "rate_cut" else fm) for f, h, fm in shown]


def _rows_with_rate(rows: Any) -> Any:
    out = rows.copy()
    out["rate_obtained"] = [
        _rate(v, b) for v, b in zip(out["rate_obtained"], out["rate_obtained_basis"], strict=True)
    ]
    return out


def _notes_lines(rows: Any) -> list[str]:
    lines = []
    for rec in rows.to_dict(orient="records"):
        for note in rec.get("notes") or ():
            lines.append(f"{rec['partner']} ({rec['deal']}): {note}")
    return lines


# -- deals ----------------------------------------------------------------------------------
def _deals_list(**kwargs: Any) -> None:
    ctx: typer.Context = kwargs.pop("ctx")
    if ctx.invoked_subcommand is not None:
        return
    fmt_ = kwargs.pop("fmt", OutputFormat.table)
    top = kwargs.pop("top", None)
    result = session(ctx).deals(**kwargs)
    result = _emit(result, fmt_, top)
    if result is None:
        return
    out = console()
    shown = fit_columns(
        _deal_columns(),
        (
            "pledges_usd_a_year",
            "pledges_a_year_share_of_exports",
            "effective_rate_before_deal",
        ),
        out.width,
        needed=170,
    )
    title = "US trade deals 2025-26: rates obtained, pledges and effective tariffs"
    if result.params.get("members"):
        title += f" ({result.params['members']})"
    caption = source_caption(
        {"source": "the deal texts (whitehouse.gov); census-us-trade, census-us-2024, icio2022"},
        result.assumptions,
        lead="rate obtained: 'all-in' = MFN included (a ceiling); cut in percentage points.",
    )
    out.print(rich_table(_rows_with_rate(result.rows), shown, title=title, caption=caption))
    notes = _notes_lines(result.rows)
    if notes:
        out.print(Text("Notes:\n" + "\n".join(f"- {n}" for n in notes)))


_deals_list.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context),
        *(option_parameter(o) for o in DEALS.options),
        _TOP_ALL,
        format_parameter(),
    ]
)
_deals_list.__doc__ = """The 2025-26 US trade deals with derived measures.

Days from 2 April 2025 to the deal and to its rate, the rate cut from Annex I, pledges as a
share of the partner's 2024 exports to the US and of its GDP, and the effective additional
US tariff on its goods on 9 April 2025, before the deal and after. Subcommands: show,
first-in-line, precedents.
"""
deals_app.callback(invoke_without_command=True)(handle_errors(_deals_list))


# -- deals show ------------------------------------------------------------------------------
_MEASURE_LINES: Sequence[tuple[str, str]] = (
    ("deal_date", "deal date"),
    ("days_since_2025_04_02", "days from 2 April 2025 to the deal"),
    ("rate_effective_from", "rate in effect from"),
    ("days_to_rate", "days from 2 April 2025 to the rate"),
    ("annex_i_rate", "Annex I rate (EO 14257)"),
    ("rate_obtained", "rate obtained"),
    ("rate_cut", "rate cut"),
    ("pledges_usd", "pledges (totals, any period)"),
    ("pledges_usd_a_year", "pledges a year (annualised)"),
    ("exports_to_us_2024_usd", "exports to the US, 2024 (census-us-trade)"),
    ("pledges_share_of_exports", "pledges / 2024 exports to the US"),
    ("pledges_a_year_share_of_exports", "pledges a year / 2024 exports to the US"),
    ("gdp_usd", "GDP proxy (icio2022 value added, 2022)"),
    ("pledges_share_of_gdp", "pledges / GDP"),
    ("effective_rate_2025_04_09", "effective additional US tariff, 9 April 2025"),
    ("effective_rate_before_deal", "effective additional US tariff, day before the deal"),
    ("effective_rate_after", "effective additional US tariff, effective date"),
)


def _measure_text(name: str, measures: dict[str, Any]) -> str:
    from tradelever.labels import label

    value = measures.get(name)
    if name == "rate_cut":
        text = _points(value)
        return text if value is not None else f"- ({measures.get('rate_cut_note')})"
    if name == "rate_obtained":
        return _rate(value, measures.get("rate_obtained_basis"))
    if value is None:
        return "-"
    return label(name).fmt(value) if label(name).kind != "text" else str(value)


def _show(result: Any, fmt_: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = _emit(result, fmt_, None)
    if result is None:
        return
    out = console()
    rows = result.rows
    for record in result.summary["deals"]:
        m = record["measures"]
        out.print(Text(f"{record['title']} ({record['id']}, {record['kind']})", style="bold"))
        out.print(Text(record["summary"]))
        out.print(Text("\nMeasures", style="bold"))
        for name, text in _MEASURE_LINES:
            out.print(Text(f"  {text}: {_measure_text(name, m)}"))
        for note in m.get("notes") or ():
            out.print(Text(f"  note: {note}"))
        facts = rows[rows["deal"] == record["id"]]
        current = None
        out.print(Text("\nFacts, as quoted", style="bold"))
        for fact in facts.to_dict(orient="records"):
            key = (fact["field"], fact["item"])
            if fact["value"] == "not in the texts":
                out.print(Text(f"  {fact['field']}: not in the texts - {fact['note']}"))
                continue
            if key != current:
                current = key
                out.print(Text(f"  {fact['field']}: {fact['value']}"))
                if fact["note"]:
                    out.print(Text(f"      note: {fact['note']}", style="dim"))
            out.print(Text(f'      "{fact["quote"]}"'))
            out.print(Text(f"      - {fact['source']}, {fact['url']}", style="dim"))
        out.print()
    out.print(Text("Assumptions:\n" + "\n".join(f"- {a}" for a in result.assumptions)))


analysis_command(
    deals_app,
    DEAL,
    _show,
    name="show",
    table_top=None,
    help="""Every quoted fact of a partner's US deal(s), with its source, and the measures.

    PARTNER is an ISO3 code (EUU for the European Union). Facts the texts do not give are
    listed as such, with the texts checked.
    """,
)


# -- deals first-in-line ---------------------------------------------------------------------
_SVG = inspect.Parameter(
    "svg",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        Path | None,
        typer.Option("--svg", help="Also write the chart (rate obtained against date) as SVG."),
    ],
)


def _first_in_line(result: Any, fmt_: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    if given.get("svg") is not None:
        from tradelever.brief.chart_deals import first_in_line_chart

        chart = first_in_line_chart(result)
        Path(given["svg"]).write_text(chart.svg + "\n", encoding="utf-8")
    data = _emit(result, fmt_, top)
    if data is None:
        return
    out = console()
    shown = columns(
        "partner",
        "partner_name",
        "deal_date",
        "deal_date_precision",
        "days_since_2025_04_02",
        "rate_obtained",
        "rate_cut",
        "effective_rate_after",
    )
    shown = [(f, h, _points if f == "rate_cut" else fm) for f, h, fm in shown]
    rows = _rows_with_rate(data.rows)
    home = data.params.get("home")
    if home:
        rows["partner"] = [f"{p} *" if p == home else p for p in rows["partner"]]
    caption = source_caption(
        {"source": "the deal texts (whitehouse.gov); tariff schedule on census-us-2024"},
        data.assumptions,
        lead="* home" if home else None,
    )
    out.print(
        rich_table(rows, shown, title="First in line: rate obtained by date", caption=caption)
    )
    for s in data.summary["statistics"]:
        rho = "-" if s["spearman_rho"] is None else f"{s['spearman_rho']:+.2f}"
        p = "-" if s["p_value"] is None else f"{s['p_value']:.2f}"
        out.print(
            Text(
                f"Spearman rho, days vs {s['y'].replace('_', ' ')} ({s['sample']}): "
                f"{rho} (n = {s['n']}, p = {p})"
            )
        )
    if given.get("svg") is not None:
        out.print(Text(f"chart written to {given['svg']}"))


analysis_command(
    deals_app,
    FIRST_IN_LINE,
    _first_in_line,
    name="first-in-line",
    table_top=None,
    extra=[_SVG, _TOP_ALL],
    help="""Did moving early pay? Rate obtained against days since 2 April 2025, every deal.

    With Spearman's rank correlation (n and p-value) and why it is not causal.
    """,
)


# -- deals precedents -------------------------------------------------------------------------
def _precedents(result: Any, fmt_: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    data = _emit(result, fmt_, top)
    if data is None:
        return
    out = console()
    out.print(Text(f"Precedents: {data.params['offer'].replace('_', ' ')}", style="bold"))
    for sentence in data.rows["sentence"]:
        out.print(Text(f"- {sentence}"))
    out.print(Text("\nAssumptions:\n" + "\n".join(f"- {a}" for a in data.assumptions)))


analysis_command(
    deals_app,
    PRECEDENTS,
    _precedents,
    name="precedents",
    table_top=None,
    extra=[_TOP_ALL],
    help="""Comparable precedents for an offer, one sourced sentence per deal.

    OFFER is tariff_elimination, purchases or investment.
    """,
)


# -- check -----------------------------------------------------------------------------------
def _check(result: Any, fmt_: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    data = _emit(result, fmt_, top)
    if data is None:
        return
    out = console()
    s = data.summary
    out.print(Text(s["title"], style="bold"))
    out.print(
        Text(
            f"{s['claims']} claims: {s['supported']} supported, {s['contradicted']} "
            f"contradicted, {s['not_checkable']} not checkable"
        )
    )
    style = {"supported": "green", "contradicted": "red", "not_checkable": "yellow"}
    for rec in data.rows.to_dict(orient="records"):
        unit = rec["unit"]
        claimed = _value(rec["claimed"], unit)
        got = _value(rec["recomputed"], unit)
        where = f"{rec['dataset']}, {rec['year']}" if rec["dataset"] else "no data"
        out.print()
        out.print(
            Text.assemble(
                (f"{rec['verdict']}", f"bold {style[rec['verdict']]}"),
                f"  {rec['id']}: {rec['text']}",
            )
        )
        out.print(Text(f"  claimed {claimed}; recomputed {got} ({where})"))
        for note in rec["notes"]:
            out.print(Text(f"  - {note}"))


def _value(value: Any, unit: str) -> str:
    from tradelever.analysis.claims import format_value

    return format_value(value, unit) if value is not None else "-"


analysis_command(
    app,
    CHECK,
    _check,
    table_top=None,
    extra=[_TOP_ALL],
    help="""Check the figures a research note quotes against the data.

    Each claim of CLAIMS.yaml (see examples/claims/) is recomputed from the store and judged
    supported, contradicted or not_checkable (with the data that would settle it).
    """,
)

__all__ = ["deals_app"]
