"""Network commands: ``supply-chain`` (supply-chain dependence on the ICIO network)."""

from __future__ import annotations

from typing import Any

import typer

from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.interfaces.cli_app import analysis_command, app, emit_data, session
from tradelever.interfaces.output import (
    OutputFormat,
    columns,
    console,
    fmt_pct,
    fmt_usd,
    rich_table,
    source_caption,
)

_COLUMNS = columns(
    "industry",
    "description",
    "direct_deliveries_to_partner_usd",
    "home_va_in_partner_output_usd",
    "home_va_in_partner_final_sales_usd",
    "partner_output_loss_usd",
    "partner_output_loss_share",
    "home_output_loss_usd",
)


def _render(result: Any, fmt: OutputFormat, top: int | None, given: dict[str, Any]) -> None:
    result = emit_data(result, fmt, top)
    if result is None:
        return
    from tradelever.reference.countries import country_name

    p = result.params
    title = (
        f"How {country_name(p['partner'])}'s supply chain depends on {country_name(p['home'])}"
        f" - {p['dataset']}, {p['year']}, intermediate goods only"
    )
    joint = result.summary.get("selected_industries") or result.summary["all_industries"]
    scope = "all industries" if joint["industries"] == "all" else ", ".join(joint["industries"])
    lead = (
        f"If {country_name(p['home'])}'s deliveries to {country_name(p['partner'])} stopped "
        f"({scope}, share {p['share_lost']:g}, jointly): partner output falls by "
        f"{fmt_usd(joint['partner_output_loss_usd'])} "
        f"({fmt_pct(joint['partner_output_loss_share'], 3)}), home output by "
        f"{fmt_usd(joint['home_output_loss_usd'])}."
    )
    caption = source_caption(result.provenance, result.assumptions, lead=lead)
    console().print(rich_table(result.rows, _COLUMNS, title=title, caption=caption))


def _call(ctx: typer.Context, given: dict[str, Any]) -> Any:
    # the first use of a data-set version computes the network's total requirements
    with console(stderr=True).status(
        "Reading the input-output network (its first use computes and caches its total "
        "requirements, up to a minute)..."
    ):
        return session(ctx).supply_chain(**given)


analysis_command(
    app,
    SUPPLY_CHAIN,
    _render,
    call=_call,
    help="""How the partner's supply chain depends on HOME (intermediate goods, ICIO 2022).

    Per home industry: deliveries to the partner, home value added embodied in the partner's
    output and final sales, and the partner's output loss if those deliveries stopped
    (hypothetical extraction), ranked by that loss.
    """,
)
