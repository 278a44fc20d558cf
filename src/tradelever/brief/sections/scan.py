"""Where in the world the home country is a critical supplier (the leverage scan).

Read from the leverage scan over every partner (:mod:`tradelever.analysis.scan`) on a product
data set with every reporter (CEPII BACI). The chart ranks partners by the summed cost of
losing the home country's supply (bounded terms) and labels the number of products where
the home country is a critical supplier (share >= 25% and import HHI >= 0.25).
"""

from __future__ import annotations

from typing import Any

from tradelever.brief import charts
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Section, para
from tradelever.brief.sections.common import caption, notes, result_table
from tradelever.brief.text import cap, possessive

__all__ = ["TITLE", "build"]

_COLUMNS = (
    "partner_name",
    "code",
    "description",
    "home_share_of_partner_imports",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "partner_cost_of_losing_home_usd",
    "top_supplier",
)


def title(ctx: Context) -> str:
    """The section title."""
    return f"Where in the world {ctx.home_name} is a critical supplier"


TITLE = "Where in the world the home country is a critical supplier"


def build(ctx: Context, result: Any) -> Section:
    """The section: counts, the partners' chart and the top positions."""
    rows = result.rows
    summary = result.summary or {}
    maker = FigureMaker("scan", result, ctx.fx, row_field="code")
    blocks: list[Any] = []
    crit = maker.summary("critical_supplier_positions", label="critical-supplier positions",
                         unit="number")  # fmt: skip
    partners = maker.summary("partners", label="partners", unit="number")
    blocks.append(
        para(
            "Across {partners} markets, {home} is a critical supplier (25% or more of the "
            "market, in a concentrated market) in {crit} product markets in {year}.",
            partners=partners,
            home=ctx.home_name,
            crit=crit,
            year=summary.get("year", maker.year),
        )
    )
    finite = rows.assign(
        cost=rows["partner_cost_of_losing_home_usd"].where(
            rows["partner_cost_of_losing_home_usd"] != float("inf")
        )
    )
    by = (
        finite.groupby(["partner", "partner_name"], as_index=False)
        .agg(
            cost=("cost", "sum"),
            critical=(
                "flags",
                lambda s: int(s.astype(str).str.contains("critical_supplier").sum()),
            ),
        )
        .sort_values("cost", ascending=False)
        .head(12)
    )
    if len(by):
        blocks.append(
            charts.scan_bars(
                [(str(r.partner_name), float(r.cost), int(r.critical)) for r in by.itertuples()],
                title=cap(f"Where losing {possessive(ctx.home_name)} supply would cost most"),
                caption=caption(
                    maker,
                    "Sum over products of the bounded costs; labels: "
                    "products where the home country is a critical supplier.",
                ),
            )
        )
    table = result_table(ctx, maker, rows, _COLUMNS, by_position=True)
    if table is not None:
        blocks.append(table)
    blocks.extend(notes(ctx, result))
    return Section("scan", title(ctx), tuple(blocks))
