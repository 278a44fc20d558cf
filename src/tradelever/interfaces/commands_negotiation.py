"""Negotiation commands: ``substitutes``, ``exposure``, ``formula``, ``concessions``, ``peers``.

Each command calls one :class:`tradelever.api.Session` method and renders the
:class:`~tradelever.analysis.result.TableResult` as a rich table (with source and
assumptions), as JSON (``{params..., provenance, assumptions, summary, rows}``) or as CSV
(the rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from tradelever.interfaces.cli_app import (
    DatasetOption,
    FormatOption,
    HomeArg,
    LevelOption,
    PartnerOption,
    TopOption,
    YearOption,
    app,
    emit_data,
    handle_errors,
    session,
)
from tradelever.interfaces.output import (
    OutputFormat,
    console,
    fmt_pct,
    fmt_usd,
    rich_table,
    source_caption,
)

Column = tuple[str, str, Callable[[Any], str]]


def _num(digits: int = 2) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if value is None or value != value:  # None or NaN
            return "-"
        return f"{float(value):,.{digits}f}"

    return fmt


def _text(width: int = 48) -> Callable[[Any], str]:
    return lambda v: str(v or "")[:width]


def _render(
    result: Any,
    fmt: OutputFormat,
    columns: Sequence[Column],
    *,
    title: str,
    top: int | None,
    summary_lines: Sequence[str] = (),
) -> None:
    result = emit_data(result, fmt, top)
    if result is None:
        return
    caption = source_caption(result.provenance, result.assumptions)
    out = console()
    for line in summary_lines:
        out.print(line)
    out.print(rich_table(result.rows, columns, title=title, caption=caption))


def _where(result: Any) -> str:
    p = result.params
    if p.get("dataset") is None:
        return "given figures"
    return f"{p['dataset']}, {p['year']}, level {p['level']}"


def _name(code: str) -> str:
    from tradelever.reference.countries import country_name

    return country_name(code)


# -- substitutes ----------------------------------------------------------------------------
_SUBSTITUTES_COLUMNS: list[Column] = [
    ("code", "code", str),
    ("description", "description", _text()),
    ("partner_imports_usd", "partner imports", fmt_usd),
    ("rival_share_of_partner_imports", "rival share", fmt_pct),
    ("home_share_of_partner_imports", "home share", fmt_pct),
    ("home_world_export_share", "home world share", fmt_pct),
    ("home_rca", "home RCA", _num()),
    ("home_exports_to_rest_of_world_usd", "home exports elsewhere", fmt_usd),
    ("plausible_supply_usd", "plausible supply", fmt_usd),
]


@app.command("substitutes")
@handle_errors
def substitutes_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    rival: Annotated[str, typer.Option("--rival", "-r", help="Rival supplier, ISO3 (e.g. CHN).")],
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    level: LevelOption = None,
    top: TopOption = None,
    min_rca: Annotated[
        float, typer.Option("--min-rca", help="Home's Balassa RCA must exceed this.")
    ] = 1.0,
    min_world_share: Annotated[
        float,
        typer.Option("--min-world-share", help="Home's world export share must be at least this."),
    ] = 0.0,
    min_rival_share: Annotated[
        float,
        typer.Option(
            "--min-rival-share", help="Rival's share of partner imports must exceed this."
        ),
    ] = 0.0,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Where the partner depends on the rival and HOME could supply instead.

    Ranked by plausible supply = min(rival's sales to the partner, HOME's exports of the
    product to the rest of the world).
    """
    result = session(ctx).substitutes(
        home,
        partner,
        rival,
        dataset=dataset,
        year=year,
        level=level,
        min_rca=min_rca,
        min_world_share=min_world_share,
        min_rival_share=min_rival_share,
    )
    p = result.params
    title = (
        f"Where {_name(p['partner'])} buys from {_name(p['rival'])} and "
        f"{_name(p['home'])} could supply - {_where(result)}"
    )
    lines = [
        f"Plausible supply, all products: {fmt_usd(result.summary['plausible_supply_usd'])} "
        f"({result.summary['products']} products)"
    ]
    _render(result, fmt, _SUBSTITUTES_COLUMNS, title=title, top=top, summary_lines=lines)


# -- exposure -------------------------------------------------------------------------------
_EXPOSURE_COLUMNS: list[Column] = [
    ("code", "code", str),
    ("description", "description", _text()),
    ("home_exports_to_partner_usd", "exports to partner", fmt_usd),
    ("partner_share_of_home_product_exports", "partner share of product", fmt_pct),
    ("share_of_home_exports", "share of exports", lambda v: fmt_pct(v, 2)),
    ("share_of_gdp", "share of GDP", lambda v: fmt_pct(v, 2)),
    ("rest_of_world_imports_usd", "rest-of-world imports", fmt_usd),
    ("absorption_ratio", "absorption (x)", _num(1)),
    ("home_share_of_row_imports", "home RoW share", fmt_pct),
    ("home_share_of_row_imports_if_redirected", "if redirected", fmt_pct),
]


@app.command("exposure")
@handle_errors
def exposure_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    level: LevelOption = None,
    top: TopOption = None,
    gdp_usd: Annotated[
        float | None,
        typer.Option(
            "--gdp-usd",
            help="HOME's GDP in US dollars (default: value added in icio2022; none otherwise).",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """HOME's exports to the partner by product: shares of exports and GDP, room elsewhere."""
    result = session(ctx).exposure(
        home, partner, dataset=dataset, year=year, level=level, gdp_usd=gdp_usd
    )
    s = result.summary
    p = result.params
    title = f"{_name(p['home'])}'s exposure to {_name(p['partner'])} - {_where(result)}"
    lines = [
        f"Exports to partner {fmt_usd(s['home_exports_to_partner_usd'])} = "
        f"{fmt_pct(s['share_of_home_exports'])} of exports, "
        f"{fmt_pct(s['share_of_gdp'], 2)} of GDP ({fmt_usd(s['gdp_usd'])})"
    ]
    _render(result, fmt, _EXPOSURE_COLUMNS, title=title, top=top, summary_lines=lines)


# -- formula --------------------------------------------------------------------------------
_FORMULA_COLUMNS: list[Column] = [
    ("year", "year", lambda v: "-" if v is None or v != v else str(int(v))),
    ("partner_imports_from_home_usd", "m: partner imports", fmt_usd),
    ("partner_exports_to_home_usd", "x: partner exports", fmt_usd),
    ("deficit_usd", "deficit", fmt_usd),
    ("deficit_over_imports", "deficit/imports", fmt_pct),
    ("formula_rate", "formula rate", fmt_pct),
    ("formula_rate_whole_percent", "rounded up", lambda v: fmt_pct(v, 0)),
]


@app.command("formula")
@handle_errors
def formula_cmd(
    ctx: typer.Context,
    home: Annotated[
        str,
        typer.Argument(
            help="Home country, ISO3 (e.g. MYS), or a group (EU27) summed over its members.",
            show_default=False,
        ),
    ],
    partner: Annotated[
        str, typer.Option("--partner", "-p", help="Country setting the tariff (ISO3).")
    ] = "USA",
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    imports: Annotated[
        float | None,
        typer.Option("--imports", help="m: partner's goods imports from HOME, US dollars."),
    ] = None,
    exports: Annotated[
        float | None,
        typer.Option("--exports", help="x: partner's goods exports to HOME, US dollars."),
    ] = None,
    target_rate: Annotated[
        float | None,
        typer.Option(
            "--target-rate", help="Target rate (e.g. 0.15): purchases needed to reach it."
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The US "reciprocal" formula of 2 April 2025: max(10%, (m - x) / (2 m))."""
    if imports is not None or exports is not None:
        from tradelever import api

        result = api.formula(
            home,
            partner,
            imports_usd=imports,
            exports_usd=exports,
            year=year,
            target_rate=target_rate,
        )
    else:
        result = session(ctx).formula(
            home, partner, dataset=dataset, year=year, target_rate=target_rate
        )
    s = result.summary
    p = result.params
    columns = list(_FORMULA_COLUMNS)
    if target_rate is not None:
        columns.append(("additional_partner_exports_needed_usd", "extra purchases needed", fmt_usd))
    lines = [
        f"formula rate {fmt_pct(s['formula_rate'])} (rounded up "
        f"{fmt_pct(s['formula_rate_whole_percent'], 0)}); announced 2 Apr 2025: "
        f"{fmt_pct(s['announced_rate'], 0)}"
    ]
    if target_rate is not None:
        lines.append(
            f"extra purchases from {p['partner']} to reach {fmt_pct(target_rate)}: "
            f"{fmt_usd(s['additional_partner_exports_needed_usd'])}"
        )
    title = f"Reciprocal formula, {_name(p['partner'])} on {_name(p['home'])} - {_where(result)}"
    _render(result, fmt, columns, title=title, top=0, summary_lines=lines)


_ANNEX_COLUMNS: list[Column] = [
    ("code", "code", str),
    ("partner_name", "partner", _text(24)),
    ("partner_imports_from_home_usd", "m: US imports", fmt_usd),
    ("partner_exports_to_home_usd", "x: US exports", fmt_usd),
    ("formula_rate", "formula rate", fmt_pct),
    ("formula_rate_whole_percent", "rounded up", lambda v: fmt_pct(v, 0)),
    ("formula_rate_nearest_percent", "nearest", lambda v: fmt_pct(v, 0)),
    ("announced_rate", "announced", lambda v: fmt_pct(v, 0)),
    ("difference", "difference", lambda v: fmt_pct(v, 0)),
]


@app.command("formula-annex")
@handle_errors
def formula_annex_cmd(
    ctx: typer.Context,
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    top: TopOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The formula on a data set for every Annex I partner, against the announced rate."""
    result = session(ctx).formula_annex(dataset=dataset, year=year)
    s = result.summary
    lines = [
        f"{s['entries']} Annex I entries covered; rounded-up rate matches the announced rate "
        f"for {fmt_pct(s['share_matching_rounded_up'])}, nearest for "
        f"{fmt_pct(s['share_matching_nearest'])}; mean |difference| "
        f"{fmt_pct(s['mean_absolute_difference'])}"
    ]
    title = f"Reciprocal formula vs Annex I of EO 14257 - {_where(result)}"
    _render(
        result,
        fmt,
        _ANNEX_COLUMNS,
        title=title,
        top=top if top is not None else 0,
        summary_lines=lines,
    )


# -- concessions ----------------------------------------------------------------------------
_CONCESSION_COLUMNS: list[Column] = [
    ("code", "code", str),
    ("description", "description", _text()),
    ("home_imports_from_others_usd", "home imports from others", fmt_usd),
    ("partner_exports_to_others_usd", "partner exports elsewhere", fmt_usd),
    ("partner_rca", "partner RCA", _num()),
    ("partner_world_export_share", "partner world share", fmt_pct),
    ("switchable_usd", "switchable", fmt_usd),
    ("cumulative_switchable_usd", "running total", fmt_usd),
    ("cumulative_share_of_needed", "of needed", lambda v: fmt_pct(v, 0)),
]


@app.command("concessions")
@handle_errors
def concessions_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    level: LevelOption = None,
    top: TopOption = None,
    target_rate: Annotated[
        float, typer.Option("--target-rate", help="Formula rate to reach (default the floor).")
    ] = 0.10,
    min_rca: Annotated[
        float, typer.Option("--min-rca", help="Partner competitive if its RCA exceeds this...")
    ] = 1.0,
    min_world_share: Annotated[
        float,
        typer.Option("--min-world-share", help="...or its world export share is at least this."),
    ] = 0.10,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Purchases HOME could switch from third countries to the partner, ranked."""
    result = session(ctx).concessions(
        home,
        partner,
        dataset=dataset,
        year=year,
        level=level,
        target_rate=target_rate,
        min_rca=min_rca,
        min_world_share=min_world_share,
    )
    s = result.summary
    p = result.params
    lines = [
        f"formula rate now {fmt_pct(s['formula_rate'])}; extra purchases to reach "
        f"{fmt_pct(s['target_rate'])}: {fmt_usd(s['additional_partner_exports_needed_usd'])}; "
        f"switchable in total: {fmt_usd(s['total_switchable_usd'])}"
    ]
    title = (
        f"What {_name(p['home'])} could buy from {_name(p['partner'])} instead - {_where(result)}"
    )
    _render(result, fmt, _CONCESSION_COLUMNS, title=title, top=top, summary_lines=lines)


# -- peers ----------------------------------------------------------------------------------
_PEER_COLUMNS: list[Column] = [
    ("country", "country", str),
    ("name", "name", _text(24)),
    ("exports_to_partner_usd", "exports to partner", fmt_usd),
    ("share_of_partner_imports", "share of partner imports", lambda v: fmt_pct(v, 2)),
    ("total_ces_leverage_usd", "CES leverage", fmt_usd),
    ("exposure", "exposure", fmt_pct),
    ("formula_rate", "formula rate", fmt_pct),
    ("overlap_with_home", "overlap", fmt_pct),
    ("export_similarity_with_home", "similarity (FK)", _num(3)),
]


@app.command("peers")
@handle_errors
def peers_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    peers: Annotated[
        str,
        typer.Option("--peers", help="Group (ASEAN, EU27, G20) or ISO3 codes, comma-separated."),
    ] = "ASEAN",
    dataset: DatasetOption = "icio2022",
    year: YearOption = None,
    level: LevelOption = None,
    sigma: Annotated[
        float | None,
        typer.Option("--sigma", help="One elasticity of substitution (> 1) for the leverage."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """HOME and its peers in the partner's market: leverage, exposure, formula, overlap."""
    result = session(ctx).peers(
        home, partner, peers, dataset=dataset, year=year, level=level, sigma=sigma
    )
    p = result.params
    title = f"{_name(p['home'])} and peers in {_name(p['partner'])} - {_where(result)}"
    _render(result, fmt, _PEER_COLUMNS, title=title, top=0)
