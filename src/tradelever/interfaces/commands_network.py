"""Network commands: ``supply-chain`` (supply-chain dependence on the ICIO network)."""

from __future__ import annotations

from typing import Annotated

import typer

from tradelever.interfaces.cli_app import (
    FormatOption,
    HomeArg,
    PartnerOption,
    TopOption,
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

_COLUMNS = [
    ("industry", "code", str),
    ("description", "description", lambda v: (v or "")[:48]),
    ("direct_deliveries_to_partner_usd", "deliveries to partner", fmt_usd),
    ("home_va_in_partner_output_usd", "home VA in partner output", fmt_usd),
    ("home_va_in_partner_final_sales_usd", "home VA in partner final sales", fmt_usd),
    ("partner_output_loss_usd", "partner output loss", fmt_usd),
    ("partner_output_loss_share", "% partner output", lambda v: fmt_pct(v, 4)),
    ("home_output_loss_usd", "home output loss", fmt_usd),
]


@app.command("supply-chain")
@handle_errors
def supply_chain_cmd(
    ctx: typer.Context,
    home: HomeArg,
    partner: PartnerOption,
    industry: Annotated[
        list[str] | None,
        typer.Option(
            "--industry",
            "-i",
            help="Home industry code(s), e.g. C26 (repeat or comma-separate; default all).",
        ),
    ] = None,
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="Data set (only the ICIO network icio2022).")
    ] = "icio2022",
    share_lost: Annotated[
        float,
        typer.Option("--share-lost", help="Fraction of home's deliveries that stops, in [0, 1]."),
    ] = 1.0,
    top: TopOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """How the partner's supply chain depends on HOME (intermediate goods, ICIO 2022).

    Per home industry: deliveries to the partner, home value added embodied in the partner's
    output and final sales, and the partner's output loss if those deliveries stopped
    (hypothetical extraction), ranked by that loss.
    """
    result = session(ctx).supply_chain(
        home, partner, industry=industry, dataset=dataset, share_lost=share_lost
    )
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
