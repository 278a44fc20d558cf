"""``tradelever scan HOME``: HOME's leverage over every partner at once, or ``--over P``.

The options are those of :data:`tradelever.analysis.scan.SCAN`; the command calls
:meth:`tradelever.session.Session.scan` and renders the ranked positions as a rich table
(with a summary line, source and assumptions), as JSON or as CSV.
"""

from __future__ import annotations

from typing import Any

from tradelever.analysis.scan import OVER_COLUMNS, SCAN, SCAN_COLUMNS
from tradelever.interfaces.cli_app import analysis_command, app, emit_data
from tradelever.interfaces.output import (
    OutputFormat,
    columns,
    console,
    fmt_usd,
    rich_table,
    source_caption,
)

# The table shows the result's columns but the names (the code is enough in a table) and the
# supplier counts.
_HIDDEN = {"partner_name", "supplier_name", "partner_suppliers"}
_SCAN = columns(*(c for c in SCAN_COLUMNS if c not in _HIDDEN))
_OVER = columns(*(c for c in OVER_COLUMNS if c not in _HIDDEN))


def _name(code: str) -> str:
    from tradelever.reference.countries import country_name

    return country_name(code)


def _render(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = emit_data(result, fmt, top)
    if result is None:
        return
    p, summary = result.params, result.summary
    where = f"{p['dataset']}, {p['year']}, level {p['level']}"
    if result.kind == "scan_over":
        title = f"Who holds leverage over {_name(p['over'])} - {where}"
        ranked = summary.get("suppliers_ranked") or []
        lines = [
            f"{summary['suppliers']} suppliers in {summary['positions']:,} positions; by bounded "
            "cost: "
            + ", ".join(
                f"{r['supplier']} {fmt_usd(r['partner_cost_bounded_total_usd'])}"
                for r in ranked[:5]
            )
        ]
        if summary.get("home"):
            rank = summary.get("home_rank")
            lines.append(
                f"{_name(summary['home'])}: "
                + (f"rank {rank} of {summary['suppliers']}" if rank else "no position")
            )
        shown = _OVER
    else:
        partners = "every partner" if p["partners"] == "all" else ", ".join(p["partners"])
        title = f"Where {_name(p['home'])} holds leverage ({partners}) - {where}"
        lines = [
            f"{summary['positions']:,} positions in {summary['partners']} partners, "
            f"{fmt_usd(summary['home_exports_covered_usd'])} of exports; top supplier in "
            f"{summary['positions_home_is_top_supplier']:,}, critical supplier in "
            f"{summary['critical_supplier_positions']:,}, sole supplier in "
            f"{summary['sole_supplier_positions']:,}"
        ]
        shown = _SCAN
    out = console()
    for line in lines:
        out.print(line, markup=False)
    caption = source_caption(result.provenance, result.assumptions)
    out.print(rich_table(result.rows, shown, title=title, caption=caption))


scan_cmd = analysis_command(
    app,
    SCAN,
    _render,
    help="""HOME's leverage over every partner at once, or who holds leverage over one (--over).

    One row per (partner, product) HOME sells: its share of the partner's imports, the
    partner's top supplier and import HHI, ranked by the partner's cost of losing HOME's
    supply (CES price index). With --over P: every supplier of P, product by product.
    Reads the data set's market tables, computed once per data-set version.
    """,
)
