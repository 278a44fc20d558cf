"""Rival substitution: where the partner buys from the rival and home could supply instead.

The offer is bounded by what home can redirect (the substitution analysis states its rule:
a share of home's sales of the product to other buyers, never more than its exports of it).
Yields the OFFER-SUBSTITUTE points (first ``rules.n_offers`` rows).
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Bullets, Section, para
from tradelever.brief.sections.common import Points, notes, result_table
from tradelever.brief.text import cap, possessive, product_phrase

__all__ = ["build"]

TITLE = "Rival-substitution offers"
_COLUMNS = (
    "code",
    "description",
    "rival_share_of_partner_imports",
    "rival_exports_to_partner_usd",
    "home_share_of_partner_imports",
    "home_world_export_share",
    "home_rca",
    "plausible_supply_usd",
)


def build(ctx: Context, result: Any) -> tuple[Section, Points]:
    """The section and its offers."""
    points = Points()
    rows = result.rows
    maker = FigureMaker("substitutes", result, ctx.fx)
    shown = (
        rows[rows["plausible_supply_usd"].fillna(0) > 0] if "plausible_supply_usd" in rows else rows
    )
    blocks: list[Any] = [
        para(
            "Products where {partner} depends on {rival} and {home} is a credible alternative "
            "supplier, ranked by what it could supply from sales it can redirect.",
            partner=ctx.partner_name,
            rival=ctx.rival_name,
            home=ctx.home_name,
        )
    ]
    if not len(shown):
        blocks.append(
            para(
                "None: on {dataset}, {home} has no sales it could redirect in the products "
                "{partner} buys from {rival}{why}.",
                dataset=ctx.dataset,
                home=ctx.home_name,
                partner=ctx.partner_name,
                rival=ctx.rival_name,
                why=" (the data set holds US imports only, not what "
                + ctx.home_name
                + " sells to other buyers; a BACI data set provides it)"
                if ctx.single_reporter
                else "",
            )
        )
        blocks.extend(notes(ctx, result))
        return Section("substitutes", TITLE, tuple(blocks)), points
    items = []
    for r in shown.head(ctx.top).to_dict(orient="records"):
        rs = maker.cell(r, "rival_share_of_partner_imports", label="rival share of partner imports")
        rv = maker.cell(r, "rival_exports_to_partner_usd", label="rival exports to partner")
        ps = maker.cell(r, "plausible_supply_usd", label="plausible supply")
        items.append(
            para(
                "{partner} buys {rs} of its imports of {what}{scope} from {rival} ({rv} in "
                "{year}); {home} could supply up to {ps} of it from sales it can redirect.",
                partner=cap(ctx.partner_name),
                rs=rs,
                what=product_phrase(r.get("description", ""), str(r["code"])),
                scope=ctx.scope,
                rival=ctx.rival_name,
                rv=rv,
                year=ctx.year,
                home=ctx.home_name,
                ps=ps,
            )
        )
    blocks.append(Bullets(tuple(items)))
    table = result_table(ctx, maker, shown, _COLUMNS)
    if table is not None:
        blocks.append(table)
    blocks.extend(notes(ctx, result))
    for r in shown.head(ctx.rules.n_offers).to_dict(orient="records"):
        ps = maker.cell(r, "plausible_supply_usd", label="plausible supply")
        rs = maker.cell(r, "rival_share_of_partner_imports", label="rival share of partner imports")
        points.offers.append(
            para(
                "supply of {what} ({code}) in place of {rival}, up to {ps} a year ({rival2} holds "
                "{rs} of {partner} imports){scope}.",
                kind="offer",
                what=product_phrase(r.get("description", ""), str(r["code"])),
                code=r["code"],
                rival=ctx.rival_name,
                ps=ps,
                rival2=ctx.rival_name,
                rs=rs,
                partner=possessive(ctx.partner_name),
                scope=ctx.scope,
            )
        )
    return Section("substitutes", TITLE, tuple(blocks)), points
