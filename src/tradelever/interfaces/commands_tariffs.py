"""``tradelever tariffs``: the US tariff schedule in force on each date, exporter by exporter.

The options are those of :data:`tradelever.analysis.effective_tariffs.TARIFFS`; the table
shows one row per date and exporter (or HS6 product, or measure), then each measure shown
with its instrument and rate, the sources and the assumptions.
"""

from __future__ import annotations

import math
from typing import Any

from tradelever.analysis.effective_tariffs import TARIFFS
from tradelever.interfaces.cli_app import analysis_command, app, emit_data
from tradelever.interfaces.output import OutputFormat, columns, console, rich_table


def _points(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{100 * float(value):+.1f} pts" if abs(float(value)) >= 5e-5 else "0"


def _measures(value: Any) -> str:
    return str(value or "").replace("; ", ", ") or "none"


_EXPORTER = [
    *columns("date", "exporter", "effective_additional_rate"),
    ("rate_change", "change", _points),
    *columns("baseline_rate_2024", "exempt_share", "s232_share"),
    ("measures", "measures charging duty", _measures),
]
_HS6 = columns(
    "date",
    "exporter",
    "hs6",
    "value_usd",
    "effective_additional_rate",
    "baseline_rate_2024",
    "exempt_share",
    "s232_share",
    headers={"value_usd": "2024 imports"},
)
_MEASURE = [
    *columns("date", "exporter", "measure_id", "authority", "contribution", "charged_share"),
    ("rate", "rate", str),
    ("instrument", "instrument", str),
]


def _render(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = emit_data(result, fmt, top, table_top=500)
    if result is None:
        return
    p = result.params
    shown = {"exporter": _EXPORTER, "hs6": _HS6, "measure": _MEASURE}[p["level"]]
    title = (
        f"Additional {p['importer']} tariffs on {', '.join(p['exporters'])} since February "
        f"2025, by date - weights: {p['dataset']} ({p['year']} imports)"
    )
    out = console()
    out.print(rich_table(result.rows, shown, title=title))
    legend = result.summary.get("measures") or []
    if legend:
        out.print("Measures:", markup=False)
        for m in legend:
            until = f" to {m['effective_to']}" if m["effective_to"] else ""
            out.print(
                f"- {m['measure_id']}: {m['authority']}, {m['instrument']} ({m['title']}), "
                f"from {m['effective_from']}{until}: {m['rate']}. {m['url']}",
                markup=False,
            )
    schedule = result.provenance.get("schedule", {})
    trade = result.provenance.get("trade", {})
    out.print(
        f"Sources: {schedule.get('source', '-')}; trade weights: {trade.get('source', '-')}"
        + (f". Licence: {trade['licence']}." if trade.get("licence") else ""),
        markup=False,
    )
    out.print("Assumptions:\n" + "\n".join(f"- {a}" for a in result.assumptions), markup=False)


analysis_command(
    app,
    TARIFFS,
    _render,
    help="""Effective additional tariff rates that IMPORTER (USA) charges each exporter, by date.

    rate = sum over HS10 lines of (2024 import value x additional ad valorem duty of the
    measures in force on the date) / sum of 2024 import value; MFN and duties already in
    force in 2024 are the baseline (baseline_rate_2024). --from/--to gives one row per date
    on which anything changes for these exporters.
    """,
    table_top=500,
)
