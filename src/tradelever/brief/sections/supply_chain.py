"""Supply-chain dependence on the input-output network (ICIO, intermediate goods only).

The one place where the network view adds to product-level trade: how much of the partner's
output rests on the home country's deliveries of inputs (Leontief requirements, hypothetical
extraction, a supply-side model). It is labelled "intermediate goods only" and reports the
partner's loss only: the home country's own loss comes from a different model and is never
set beside it as one event.
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Section, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import notes, result_table
from tradelever.brief.text import INTERMEDIATE_ONLY, possessive

__all__ = ["build"]

TITLE = f"Supply-chain dependence ({INTERMEDIATE_ONLY})"
_COLUMNS = (
    "industry",
    "description",
    "direct_deliveries_to_partner_usd",
    "home_va_in_partner_output_usd",
    "partner_output_loss_usd",
    "partner_output_loss_share",
)


def build(ctx: Context, result: Any) -> Section:
    """The section."""
    maker = FigureMaker("supply_chain", result, ctx.fx, row_field="industry")
    summary = result.summary or {}
    prov = getattr(result, "provenance", {}) or {}
    dataset, year = prov.get("name", "icio2022"), prov.get("year", "")
    blocks: list[Any] = [
        para(
            "How much of {partner} output depends on {home} deliveries of intermediate inputs "
            "through the input-output network ({dataset}, {year}; Leontief requirements, "
            "hypothetical extraction). Industries, not products: these figures are not "
            "comparable with the product shares above.",
            partner=possessive(ctx.partner_name),
            home=possessive(ctx.home_name),
            dataset=dataset,
            year=year,
        )
    ]
    block = summary.get("all_industries")
    if isinstance(block, dict) and is_number(block.get("partner_output_loss_usd")):
        loss = maker.summary(
            "all_industries.partner_output_loss_usd", label="partner output loss", unit="usd"
        )
        fields: dict[str, Any] = dict(
            home=possessive(ctx.home_name), partner=ctx.partner_name,
            partner2=possessive(ctx.partner_name), loss=loss,
        )  # fmt: skip
        text = (
            "If all of {home} deliveries of inputs to {partner} stopped, with no rerouting or "
            "substitution, {partner2} output would fall by {loss}"
        )
        if is_number(block.get("partner_output_loss_share")):
            fields["sh"] = maker.summary(
                "all_industries.partner_output_loss_share",
                label="share of partner output",
                unit="share",
            )
            text += " ({sh} of its output)"
        blocks.append(para(text + f" ({INTERMEDIATE_ONLY}; an upper bound).", **fields))
    table = result_table(ctx, maker, result.rows, _COLUMNS)
    if table is not None:
        blocks.append(table)
    blocks.append(
        Note(
            "Hypothetical extraction is a supply-side bound: it assumes the partner cannot "
            "replace any input. The home country's own loss is not shown here: it needs a "
            "demand-side model and is not the same event."
        )
    )
    blocks.extend(notes(ctx, result))
    return Section("supply_chain", TITLE, tuple(blocks))
