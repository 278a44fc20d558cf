"""Leverage points: where the partner would pay most to replace the home country's supply.

Ranked by the partner's cost of losing the home country's supply (the rise in its CES import
price index, other suppliers' prices unchanged). When the brief has the partner's tariff
schedule, each product carries the additional duty it pays on the brief's date, and the
ASK-LEVERAGE rule skips products that pay none (exempt, or under no measure): relief is never
asked for a product already exempt.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from tradelever.brief import charts
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Bullets, Figure, Paragraph, Section, Table, para
from tradelever.brief.rules import leverage_asks
from tradelever.brief.sections.common import Points, caption, notes
from tradelever.brief.text import INTERMEDIATE_ONLY, cap, possessive, product_phrase
from tradelever.labels import label

__all__ = ["build", "leverage_sentence", "rate_lookup"]

_TABLE = (
    "home_share_of_partner_imports",
    "home_exports_to_partner_usd",
    "partner_imports_usd",
    "home_world_export_share",
    "rival_share_of_partner_imports",
    "partner_import_hhi",
    "partner_cost_of_losing_home_usd",
)


def rate_lookup(product_rates: Any) -> dict[str, dict[str, Any]]:
    """HS6 code -> row of the home country's product rates on the brief's date."""
    if product_rates is None:
        return {}
    rows = product_rates.rows
    return {str(r["hs6"]): r for r in rows.to_dict(orient="records")}


def _rate_figure(ctx: Context, product_rates: Any, code: str) -> Figure | None:
    rates = rate_lookup(product_rates)
    if code not in rates:
        return None
    maker = FigureMaker("tariff_products", product_rates, None, row_field="hs6")
    return maker.cell(
        rates[code],
        "effective_additional_rate",
        unit="rate",
        label=f"additional US tariff on {ctx.date.isoformat()}",
    )


def leverage_sentence(ctx: Context, maker: FigureMaker, row: dict[str, Any]) -> Paragraph:
    """The sentence a negotiator quotes, with the code list behind it."""
    share, value, cost, sigma = (
        maker.cell(row, name, label=label(name).label)
        for name in (
            "home_share_of_partner_imports",
            "home_exports_to_partner_usd",
            "partner_cost_of_losing_home_usd",
            "sigma",
        )
    )
    what = product_phrase(row.get("description", ""), str(row["code"]))
    fields: dict[str, Any] = dict(
        home=cap(ctx.home_name),
        share=share,
        partner=possessive(ctx.partner_name),
        what=what,
        code=row["code"],
        scope=ctx.scope,
        value=value,
        year=ctx.year,
    )
    text = (
        "{home} supplies {share} of {partner} imports of {what} ({code}){scope}, {value} in {year}."
    )
    if cost.value is not None and math.isinf(cost.value):
        text += " {home} is the sole supplier: the cost of replacing it is unbounded (CES)."
    elif cost.value is not None:
        text += (
            " Losing that supply would raise {partner} import bill for these goods by about "
            "{cost} (CES, sigma = {sigma})."
        )
        fields.update(cost=cost, sigma=sigma)
    return para(text, **fields)


def build(ctx: Context, leverage: Any, product_rates: Any | None = None) -> tuple[Section, Points]:
    """The leverage section and its ASK-LEVERAGE points."""
    title = "Leverage points"
    maker = FigureMaker("leverage", leverage, ctx.fx)
    rows = leverage.rows
    rates = rate_lookup(product_rates)
    ranked = leverage_asks(rows, ctx.top)
    points = Points()
    if not len(ranked):
        return (
            Section(
                "leverage",
                title,
                (
                    para(
                        "{partner} imports nothing from {home} in {dataset}, {year}: no leverage "
                        "point.",
                        partner=cap(ctx.partner_name),
                        home=ctx.home_name,
                        dataset=ctx.dataset,
                        year=ctx.year,
                    ),
                ),
            ),
            points,
        )
    records = ranked.to_dict(orient="records")
    fields = [
        f
        for f in _TABLE
        if (ctx.rival or not f.startswith("rival"))
        and not (ctx.single_reporter and f == "home_world_export_share")
    ]
    headers = ["code", "description", *(label(f).label for f in fields)]
    if rates:
        headers.append(f"additional US tariff on {ctx.date.isoformat()}")
    body = []
    for r in records:
        cells: list[Any] = [str(r["code"]), str(r.get("description", ""))]
        cells += [maker.cell(r, f, label=label(f).label) for f in fields]
        if rates:
            fig = _rate_figure(ctx, product_rates, str(r["code"]))
            cells.append(fig if fig is not None else "-")
        body.append(tuple(cells))
    cap_text = caption(
        maker,
        "Ranked by the cost to the counterpart of losing the home country's supply (CES "
        "import price index)."
        + (f" {INTERMEDIATE_ONLY.capitalize()}." if ctx.intermediate_only else "")
        + (f" Rival: {ctx.rival_name}." if ctx.rival_name else ""),
    )
    blocks: list[Any] = [
        para(
            "Where {partner} would pay most to replace {home} supply, ranked by the rise in its "
            "import bill if that supply stopped (CES import price index, other suppliers' prices "
            "unchanged).",
            partner=ctx.partner_name,
            home=possessive(ctx.home_name),
        ),
        Bullets(tuple(leverage_sentence(ctx, maker, r) for r in records)),
        Table(tuple(headers), tuple(body), cap_text),
        charts.leverage_bars(
            ranked, home_name=ctx.home_name, partner_name=ctx.partner_name, caption=cap_text
        ),
    ]
    if not ctx.single_reporter:
        blocks.append(
            charts.share_scatter(
                rows,
                home_name=ctx.home_name,
                partner_name=ctx.partner_name,
                caption=caption(
                    maker,
                    f"All {len(rows)} codes that {ctx.partner_name} imports; labelled: the "
                    "leverage points above. Above the diagonal, the counterpart depends on the "
                    "home country more than the world market does.",
                ),
                label_codes=[str(c) for c in ranked["code"]],
            )
        )
    blocks.extend(notes(ctx, leverage))
    # ASK-LEVERAGE: the top products by cost that pay an additional duty on the brief's date.
    candidates = leverage_asks(rows, len(rows)) if rates else ranked
    skipped: list[str] = []
    for r in candidates.to_dict(orient="records"):
        if len(points.asks) >= ctx.rules.n_asks:
            break
        code = str(r["code"])
        rate = _rate_figure(ctx, product_rates, code) if rates else None
        if rates and (rate is None or not rate.value):
            skipped.append(code)
            continue
        points.asks.append(_ask(ctx, maker, r, rate))
    if skipped:
        shown = ", ".join(skipped[:6]) + (" and others" if len(skipped) > 6 else "")
        blocks.append(
            para(
                "Not asked for: {codes}, which pay no additional US duty on {date} (exempt, or "
                "outside every measure in force); relief there gains nothing.",
                codes=shown,
                date=ctx.date.isoformat(),
            )
        )
    return Section("leverage", title, tuple(blocks)), points


def _ask(ctx: Context, maker: FigureMaker, r: dict[str, Any], rate: Figure | None) -> Paragraph:
    cost = maker.cell(r, "partner_cost_of_losing_home_usd", label="partner cost of losing home")
    value = maker.cell(r, "home_exports_to_partner_usd", label="home exports to partner")
    share = maker.cell(r, "home_share_of_partner_imports", label="home share of partner imports")
    what = product_phrase(r.get("description", ""), str(r["code"]))
    bounded = cost.value is not None and math.isfinite(cost.value)
    text = "relief for {what} ({code}), {value} a year, {share} of {partner} imports{scope}"
    fields: dict[str, Any] = dict(
        what=what,
        code=r["code"],
        value=value,
        share=share,
        partner=possessive(ctx.partner_name),
        scope=ctx.scope,
    )
    if rate is not None:
        text += ", now paying {rate} additional duty"
        fields["rate"] = rate
    if bounded:
        text += ": replacing it would cost {partner2} about {cost} a year"
        fields.update(partner2=ctx.partner_name, cost=cost)
    else:
        text += ": {home} is the sole supplier"
        fields["home"] = ctx.home_name
    return para(text + ".", kind="ask", source=share.source.tag(), **fields)


def has_rows(result: Any) -> bool:
    """Whether a result has rows."""
    rows = getattr(result, "rows", None)
    return isinstance(rows, pd.DataFrame) and len(rows) > 0
