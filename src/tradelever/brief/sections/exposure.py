"""Exposure: what home sells to the partner.

Where the data hold it, also what share of its exports and GDP that is and how much of it
other markets could absorb.

On a single-reporter data set (US Census imports) home's exports to other markets are not
known, so the shares of home's exports and the absorption columns are left out and the
section says so. Yields the PROTECT-EXPOSURE points.
"""

from __future__ import annotations

from typing import Any

from tradelever.brief import charts
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Section, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import Points, caption, notes, plain_section, result_table
from tradelever.brief.text import cap, possessive, product_phrase

__all__ = ["build"]

TITLE = "Exposure"
_COLUMNS = (
    "code",
    "description",
    "home_exports_to_partner_usd",
    "partner_share_of_home_product_exports",
    "share_of_home_exports",
    "share_of_gdp",
    "rest_of_world_imports_usd",
    "absorption_ratio",
)
_NEEDS_OTHERS = (
    "partner_share_of_home_product_exports",
    "share_of_home_exports",
    "share_of_gdp",
    "rest_of_world_imports_usd",
    "absorption_ratio",
)


def build(ctx: Context, result: Any) -> tuple[Section, Points]:
    """The section and its PROTECT-EXPOSURE points."""
    points = Points()
    if "home_exports_to_partner_usd" not in result.rows.columns:
        intro = f"What {ctx.home_name} sells to {ctx.partner_name}."
        return plain_section(ctx, "exposure", TITLE, result, intro), points
    maker = FigureMaker("exposure", result, ctx.fx)
    summary = result.summary or {}
    blocks: list[Any] = []
    if is_number(summary.get("home_exports_to_partner_usd")):
        v = maker.summary("home_exports_to_partner_usd", label="home exports to partner")
        fields: dict[str, Any] = dict(
            home=cap(ctx.home_name), v=v, partner=ctx.partner_name, year=ctx.year, scope=ctx.scope
        )
        text = "{home} sold {v} of goods to {partner} in {year}{scope}"
        if not ctx.single_reporter and is_number(summary.get("share_of_home_exports")):
            fields["sh"] = maker.summary("share_of_home_exports", label="share of home exports")
            text += ", {sh} of its exports"
            if is_number(summary.get("share_of_gdp")):
                fields["g"] = maker.summary("share_of_gdp", label="share of home GDP")
                text += " and {g} of its GDP"
        blocks.append(para(text + ".", **fields))
    columns = [c for c in _COLUMNS if not (ctx.single_reporter and c in _NEEDS_OTHERS)]
    rows = result.rows
    table = result_table(ctx, maker, rows, columns)
    if table is not None:
        blocks.append(table)
    top = rows.head(ctx.top)
    if len(top):
        labels = [
            f"{c} {product_phrase(d, str(c))}"
            for c, d in zip(top["code"], top.get("description", top["code"]), strict=True)
        ]
        blocks.append(
            charts.ranked_bars(
                list(zip(labels, top["home_exports_to_partner_usd"].astype(float), strict=True)),
                title=cap(f"{possessive(ctx.home_name)} largest exports to {ctx.partner_name}"),
                caption=caption(maker, f"The first {len(top)} rows of the exposure table."),
                key="exposure-bars",
            )
        )
    if ctx.single_reporter:
        blocks.append(
            Note(
                f"{ctx.dataset} holds the partner's imports only: what share of "
                f"{possessive(ctx.home_name)} exports these sales are, and how much other "
                "markets could absorb, needs a data set with every reporter (CEPII BACI)."
            )
        )
        blocks.extend(
            notes(ctx, result, skip=("share_of_gdp not computed", "rest_of_world_imports_usd"))
        )
    else:
        blocks.extend(notes(ctx, result))
    for r in rows.head(ctx.rules.n_protect).to_dict(orient="records"):
        v = maker.cell(r, "home_exports_to_partner_usd", label="home exports to partner")
        fields = dict(
            what=product_phrase(r.get("description", ""), str(r["code"])),
            code=r["code"],
            v=v,
            partner=ctx.partner_name,
            scope=ctx.scope,
        )
        text = "{what} ({code}): {v} sold to {partner}{scope}"
        if not ctx.single_reporter and is_number(r.get("partner_share_of_home_product_exports")):
            fields["ps"] = maker.cell(
                r, "partner_share_of_home_product_exports", label="partner share of home exports"
            )
            fields["home"] = possessive(ctx.home_name)
            text += ", {ps} of {home} exports of it"
        points.protect.append(para(text + ".", kind="protect", **fields))
    return Section("exposure", TITLE, tuple(blocks)), points
