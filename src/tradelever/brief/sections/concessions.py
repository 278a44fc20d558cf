"""Concession shortlist: purchases home could switch from third countries to the partner.

Ranked at least cost (products the partner exports competitively); set against the purchases
the reciprocal formula asks for. Needs home's imports by product and origin.
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Section, para
from tradelever.brief.sections.common import Points, notes, result_table
from tradelever.brief.text import product_phrase

__all__ = ["build"]

TITLE = "Concession shortlist: where purchases can come from"
_COLUMNS = (
    "code",
    "description",
    "home_imports_from_others_usd",
    "home_imports_from_partner_usd",
    "partner_rca",
    "switchable_usd",
    "cumulative_switchable_usd",
)


def build(ctx: Context, result: Any) -> tuple[Section, Points]:
    """The section and its OFFER-PURCHASES points (products)."""
    points = Points()
    maker = FigureMaker("concessions", result, ctx.fx)
    blocks: list[Any] = [
        para(
            "Products {home} buys from third countries that {partner} exports competitively: "
            "switching these purchases narrows the bilateral balance at least cost{scope}.",
            home=ctx.home_name,
            partner=ctx.partner_name,
            scope=ctx.scope,
        )
    ]
    table = result_table(ctx, maker, result.rows, _COLUMNS)
    if table is not None:
        blocks.append(table)
    blocks.extend(notes(ctx, result))
    for r in result.rows.head(ctx.rules.n_offers).to_dict(orient="records"):
        sw = maker.cell(r, "switchable_usd", label="switchable purchases")
        points.offers.append(
            para(
                "buy {what} ({code}) from {partner} instead of third countries, up to {sw} a "
                "year{scope}.",
                kind="offer",
                what=product_phrase(r.get("description", ""), str(r["code"])),
                code=r["code"],
                partner=ctx.partner_name,
                sw=sw,
                scope=ctx.scope,
            )
        )
    return Section("concessions", TITLE, tuple(blocks)), points
