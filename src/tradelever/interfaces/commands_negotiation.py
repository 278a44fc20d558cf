"""Negotiation commands: substitutes, exposure, formula(-annex), balance, concessions, peers.

Each command's options are those its analysis declares (:mod:`tradelever.options`); the
command calls the :class:`tradelever.session.Session` method of the same name and renders
the :class:`~tradelever.analysis.result.TableResult` as a rich table (with source and
assumptions), as JSON (``{params..., provenance, assumptions, summary, rows}``) or as CSV
(the rows). Column headers and formats come from :mod:`tradelever.labels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradelever.analysis.balance import BALANCE
from tradelever.analysis.concessions import CONCESSIONS
from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA, FORMULA_ANNEX
from tradelever.analysis.peers import PEERS
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.interfaces.cli_app import analysis_command, app, emit_data, session
from tradelever.interfaces.output import (
    Column,
    OutputFormat,
    columns,
    console,
    fmt_pct,
    fmt_usd,
    rich_table,
    source_caption,
)


def _render(
    result: Any,
    fmt: OutputFormat,
    shown: Sequence[Column],
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
        out.print(line, markup=False)
    out.print(rich_table(result.rows, shown, title=title, caption=caption))


def _filled(result: Any, shown: Sequence[Column]) -> list[Column]:
    """The columns with a value in some row (a data set of one reporter leaves some null)."""
    rows = result.rows
    if rows.empty:
        return list(shown)
    return [c for c in shown if c[0] in ("code", "description") or rows[c[0]].notna().any()]


def _where(result: Any) -> str:
    p = result.params
    if p.get("dataset") is None:
        return "given figures"
    return f"{p['dataset']}, {p['year']}, level {p['level']}"


def _name(code: str) -> str:
    from tradelever.reference.countries import country_name

    return country_name(code)


def _names(code: str) -> str:
    """The possessive of a country's name ("the United States'", "Malaysia's")."""
    from tradelever.reference.countries import possessive

    return possessive(_name(code))


# -- substitutes ----------------------------------------------------------------------------
def _substitutes(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    p = result.params
    title = (
        f"Where {_name(p['partner'])} buys from {_name(p['rival'])} and "
        f"{_name(p['home'])} could supply - {_where(result)}"
    )
    lines = [
        f"Plausible supply, all products: {fmt_usd(result.summary['plausible_supply_usd'])} "
        f"({result.summary['products']} products)"
    ]
    shown = columns(
        "code",
        "description",
        "partner_imports_usd",
        "rival_share_of_partner_imports",
        "home_share_of_partner_imports",
        "home_world_export_share",
        "home_rca",
        "home_market_rca",
        "home_exports_to_rest_of_world_usd",
        "plausible_supply_usd",
    )
    _render(result, fmt, _filled(result, shown), title=title, top=top, summary_lines=lines)


analysis_command(
    app,
    SUBSTITUTES,
    _substitutes,
    help="""Where the partner depends on the rival and HOME could supply instead.

    Ranked by plausible supply = min(rival's sales to the partner, 25% of HOME's exports of
    the product to buyers other than the partner); on census-us-2024 (US imports only), 25% of
    HOME's current sales of the product to the partner.
    """,
)


# -- exposure -------------------------------------------------------------------------------
def _exposure(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    s = result.summary
    p = result.params
    title = f"{_names(p['home'])} exposure to {_name(p['partner'])} - {_where(result)}"
    lines = [f"Exports to partner {fmt_usd(s['home_exports_to_partner_usd'])}"]
    if s["share_of_home_exports"] is not None:
        lines[0] += f" = {fmt_pct(s['share_of_home_exports'])} of exports"
    if s["share_of_gdp"] is not None:
        lines[0] += f", {fmt_pct(s['share_of_gdp'], 2)} of GDP ({fmt_usd(s['gdp_usd'])})"
    shown = columns(
        "code",
        "description",
        "home_exports_to_partner_usd",
        "partner_share_of_home_product_exports",
        "share_of_home_exports",
        "share_of_gdp",
        "rest_of_world_imports_usd",
        "absorption_ratio",
        "home_share_of_row_imports",
        "home_share_of_row_imports_if_redirected",
    )
    _render(result, fmt, _filled(result, shown), title=title, top=top, summary_lines=lines)


analysis_command(
    app,
    EXPOSURE,
    _exposure,
    help="HOME's exports to the partner by product: shares of exports and GDP, room elsewhere.",
)


# -- formula --------------------------------------------------------------------------------
def _formula_call(ctx: Any, options: dict[str, Any]) -> Any:
    if options["imports_usd"] is not None or options["exports_usd"] is not None:
        from tradelever import api  # given m and x: no data set is opened

        return api.formula(**options)
    return session(ctx).formula(**options)


def _formula(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    s = result.summary
    p = result.params
    target_rate = given["target_rate"]
    fields = [
        "year",
        "partner_imports_from_home_usd",
        "partner_exports_to_home_usd",
        "deficit_usd",
        "deficit_over_imports",
        "formula_rate",
        "formula_rate_whole_percent",
        "annex_method_rate",
    ]
    if target_rate is not None:
        fields.append("additional_partner_exports_needed_usd")
    year = f" in {p['year']}" if p.get("year") is not None else ""
    lines = [
        f"rate as the US computed it: {fmt_pct(s['annex_method_rate'], 0)} (m = "
        f"{fmt_usd(s['partner_imports_from_home_usd'])}, x = "
        f"{fmt_usd(s['partner_exports_to_home_usd'])}{year}; formula rate "
        f"{fmt_pct(s['formula_rate'])}, rounded up {fmt_pct(s['formula_rate_whole_percent'], 0)});"
        f" announced 2 Apr 2025: {fmt_pct(s['announced_rate'], 0)}"
    ]
    if target_rate is not None:
        lines.append(
            f"extra purchases from {p['partner']} to reach {fmt_pct(target_rate)}: "
            f"{fmt_usd(s['additional_partner_exports_needed_usd'])}"
        )
    title = f"Reciprocal formula, {_name(p['partner'])} on {_name(p['home'])} - {_where(result)}"
    _render(result, fmt, columns(*fields), title=title, top=0, summary_lines=lines)


analysis_command(
    app,
    FORMULA,
    _formula,
    help='The US "reciprocal" formula of 2 April 2025: max(10%, (m - x) / (2 m)).',
    table_top=None,
    call=_formula_call,
)


def _formula_annex(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    s = result.summary
    missed = "; ".join(
        f"{m['partner_name']} {fmt_pct(m['annex_method_rate'], 0)} against "
        f"{fmt_pct(m['announced_rate'], 0)}"
        for m in s["missed_annex_method"]
    )
    lines = [
        f"The US computation reproduces {s['matched_annex_method']} of the {s['entries']} Annex I "
        f"entries covered ({s['listed']} listed)" + (f"; misses: {missed}" if missed else ""),
        f"Formula rate rounded up matches {fmt_pct(s['share_matching_rounded_up'])}, rounded "
        f"to the nearest {fmt_pct(s['share_matching_nearest'])}; mean |difference| "
        f"{fmt_pct(s['mean_absolute_difference'])}",
    ]
    shown = columns(
        "code",
        "partner_name",
        "partner_imports_from_home_usd",
        "partner_exports_to_home_usd",
        "formula_rate",
        "formula_rate_whole_percent",
        "formula_rate_nearest_percent",
        "annex_method_rate",
        "announced_rate",
        "annex_method_gap",
        headers={
            "partner_imports_from_home_usd": "m: US imports",
            "partner_exports_to_home_usd": "x: US exports",
        },
    )
    title = f"Reciprocal formula vs Annex I of EO 14257 - {_where(result)}"
    _render(
        result,
        fmt,
        shown,
        title=title,
        top=top if top is not None else 0,
        summary_lines=lines,
    )


analysis_command(
    app,
    FORMULA_ANNEX,
    _formula_annex,
    help="The formula on a data set for every Annex I partner, against the announced rate.",
)


# -- balance --------------------------------------------------------------------------------
def _balance(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    s = result.summary
    p = result.params
    lines = [
        f"{s['first']} to {s['last']} ({s['periods']} {p['frequency']} figures): imports "
        f"{fmt_usd(s['imports_usd'])}, exports {fmt_usd(s['exports_usd'])}, balance "
        f"{fmt_usd(s['balance_usd'])}"
    ]
    title = (
        f"{_names(p['partner'])} goods trade with {_name(p['home'])} - {p['dataset']}, "
        f"{p['frequency']}"
    )
    shown = columns("date", "imports_usd", "exports_usd", "balance_usd", "deficit_over_imports")
    _render(result, fmt, shown, title=title, top=top if top is not None else 0, summary_lines=lines)


analysis_command(
    app,
    BALANCE,
    _balance,
    help="""The partner's goods imports from, exports to and balance with HOME over time.

    Monthly on census-us-trade (the default for partner USA), annual on other data sets.
    """,
    table_top=None,
)


# -- concessions ----------------------------------------------------------------------------
def _concessions(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
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
    shown = columns(
        "code",
        "description",
        "home_imports_from_others_usd",
        "partner_exports_to_others_usd",
        "partner_rca",
        "partner_world_export_share",
        "switchable_usd",
        "cumulative_switchable_usd",
        "cumulative_share_of_needed",
    )
    _render(result, fmt, shown, title=title, top=top, summary_lines=lines)


analysis_command(
    app,
    CONCESSIONS,
    _concessions,
    help="Purchases HOME could switch from third countries to the partner, ranked.",
)


# -- peers ----------------------------------------------------------------------------------
def _peers(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    p = result.params
    title = f"{_name(p['home'])} and peers in {_name(p['partner'])} - {_where(result)}"
    shown = columns(
        "country",
        "name",
        "exports_to_partner_usd",
        "share_of_partner_imports",
        "total_ces_leverage_usd",
        "exposure",
        "formula_rate",
        "overlap_with_home",
        "export_similarity_with_home",
    )
    _render(result, fmt, _filled(result, shown), title=title, top=0)


analysis_command(
    app,
    PEERS,
    _peers,
    help="HOME and its peers in the partner's market: leverage, exposure, formula, overlap.",
    table_top=None,
)
