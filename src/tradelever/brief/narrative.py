"""Sections for the negotiation analyses, written as sentences a negotiator can quote.

Each builder takes the brief :class:`~tradelever.brief.sections.Context` and one analysis
result (a :class:`~tradelever.analysis.result.TableResult`) and returns the section plus the
recommendations its rule yields (:mod:`tradelever.brief.rules`). When a result lacks the
columns a builder expects (an older or newer analysis), the builder falls back to the plain
table of :func:`~tradelever.brief.sections.table_section`: figures are never made up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from tradelever.brief import charts
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Paragraph, Section
from tradelever.brief.money import is_number
from tradelever.brief.sections import (
    INTERMEDIATE_ONLY,
    Context,
    cap,
    possessive,
    product_phrase,
    table_section,
)

__all__ = [
    "concessions_section",
    "exposure_section",
    "formula_section",
    "peers_section",
    "substitutes_section",
    "supply_chain_section",
]


def _has(result: Any, columns: Sequence[str] = (), summary: Sequence[str] = ()) -> bool:
    rows = getattr(result, "rows", None)
    if not isinstance(rows, pd.DataFrame) or any(c not in rows.columns for c in columns):
        return False
    values = getattr(result, "summary", None) or {}
    return all(k in values for k in summary)


def _scope(ctx: Context) -> str:
    return f" ({INTERMEDIATE_ONLY})" if ctx.intermediate_only else ""


def _records(result: Any, n: int) -> list[dict[str, Any]]:
    return result.rows.head(n).to_dict(orient="records")


_SUBSTITUTES = (
    "code",
    "description",
    "rival_share_of_partner_imports",
    "rival_exports_to_partner_usd",
    "home_share_of_partner_imports",
    "home_world_export_share",
    "home_rca",
    "plausible_supply_usd",
)


def substitutes_section(ctx: Context, result: Any) -> tuple[Section, list[Paragraph]]:
    """Rival substitution: where the partner buys from the rival and home could supply.

    Yields the OFFER-SUBSTITUTE recommendations (first ``rules.n_offers`` rows).
    """
    title = "Rival-substitution offers"
    intro = (
        f"Products where {ctx.partner_name} depends on {ctx.rival_name} and {ctx.home_name} is a "
        "credible alternative supplier, ranked by the value it could plausibly supply."
    )
    need = (
        "code",
        "rival_share_of_partner_imports",
        "rival_exports_to_partner_usd",
        "plausible_supply_usd",
    )
    if not _has(result, need):
        return table_section(ctx, "substitutes", title, result, intro=intro), []
    maker = FigureMaker("substitutes", result, ctx.fx)
    bullets, offers = [], []
    for r in _records(result, ctx.top):
        what = product_phrase(r.get("description", ""), str(r["code"]))
        rs = maker.cell(r, "rival_share_of_partner_imports", label="rival share of partner imports")
        rv = maker.cell(r, "rival_exports_to_partner_usd", label="rival exports to partner")
        ps = maker.cell(r, "plausible_supply_usd", label="plausible supply")
        text = (
            f"{cap(ctx.partner_name)} buys {rs.text} of its imports of {what}{_scope(ctx)} from "
            f"{ctx.rival_name} ({rv.text} in {ctx.year}); {ctx.home_name} could plausibly "
            f"supply {ps.text} of it from its proven exports."
        )
        bullets.append(Paragraph(text, (rs, rv, ps), rs.source.tag()))
    for r in _records(result, ctx.rules.n_offers):
        what = product_phrase(r.get("description", ""), str(r["code"]))
        ps = maker.cell(r, "plausible_supply_usd", label="plausible supply")
        rs = maker.cell(r, "rival_share_of_partner_imports", label="rival share of partner imports")
        offers.append(
            Paragraph(
                f"Offer (OFFER-SUBSTITUTE): supply of {what} ({r['code']}) in place of "
                f"{ctx.rival_name}, up to {ps.text} ({ctx.rival_name} holds {rs.text} of "
                f"{possessive(ctx.partner_name)} imports){_scope(ctx)}.",
                (ps, rs),
                ps.source.tag(),
            )
        )
    summary = []
    if _has(result, summary=("plausible_supply_usd",)):
        total = maker.summary("plausible_supply_usd", label="plausible supply, all products")
        n = (result.summary or {}).get("products", len(result.rows))
        summary.append(
            Paragraph(
                f"In all {n} products, {ctx.home_name} could plausibly supply {total.text} of "
                f"what {ctx.partner_name} buys from {ctx.rival_name}.",
                (total,),
                total.source.tag(),
            )
        )
    section = table_section(
        ctx,
        "substitutes",
        title,
        result,
        intro=intro,
        bullets=bullets,
        summary_fields=[],
        columns=_SUBSTITUTES,
        paragraphs=summary,
    )
    return section, offers


_EXPOSURE = (
    "code",
    "description",
    "home_exports_to_partner_usd",
    "partner_share_of_home_product_exports",
    "share_of_home_exports",
    "share_of_gdp",
    "rest_of_world_imports_usd",
    "absorption_ratio",
)


def exposure_section(ctx: Context, result: Any) -> tuple[Section, list[Paragraph]]:
    """Exposure: home's sales to the partner and how much other markets could absorb.

    Yields the PROTECT-EXPOSURE recommendations (first ``rules.n_protect`` rows).
    """
    title = "Exposure"
    intro = (
        f"What {ctx.home_name} sells to {ctx.partner_name}, as shares of its exports and GDP, "
        "and how much of it other markets could absorb."
    )
    need = ("code", "home_exports_to_partner_usd", "partner_share_of_home_product_exports")
    if not _has(result, need):
        return table_section(ctx, "exposure", title, result, intro=intro), []
    maker = FigureMaker("exposure", result, ctx.fx)
    paras = []
    if _has(result, summary=("home_exports_to_partner_usd", "share_of_home_exports")):
        v = maker.summary("home_exports_to_partner_usd", label="home exports to partner")
        sh = maker.summary("share_of_home_exports", label="share of home exports")
        figs = [v, sh]
        text = (
            f"{cap(ctx.home_name)} sold {v.text} to {ctx.partner_name} in {ctx.year}{_scope(ctx)}, "
            f"{sh.text} of its exports"
        )
        if is_number((result.summary or {}).get("share_of_gdp")):
            g = maker.summary("share_of_gdp", label="share of home GDP")
            figs.append(g)
            text += f" and {g.text} of its GDP"
        paras.append(Paragraph(text + ".", tuple(figs), v.source.tag()))
    protect = []
    for r in _records(result, ctx.rules.n_protect):
        what = product_phrase(r.get("description", ""), str(r["code"]))
        v = maker.cell(r, "home_exports_to_partner_usd", label="home exports to partner")
        ps = maker.cell(
            r, "partner_share_of_home_product_exports", label="partner share of home exports"
        )
        protect.append(
            Paragraph(
                f"Protect (PROTECT-EXPOSURE): {what} ({r['code']}): {v.text} sold to "
                f"{ctx.partner_name}, {ps.text} of {possessive(ctx.home_name)} exports of it"
                f"{_scope(ctx)}.",
                (v, ps),
                v.source.tag(),
            )
        )
    top = result.rows.head(ctx.top)
    labels = [
        f"{c} {product_phrase(d, str(c))}"
        for c, d in zip(top["code"], top.get("description", top["code"]), strict=True)
    ]
    chart = charts.ranked_bars(
        list(zip(labels, top["home_exports_to_partner_usd"].astype(float), strict=True)),
        title=cap(f"{possessive(ctx.home_name)} largest exports to {ctx.partner_name}"),
        caption=(
            f"Source: {maker.dataset} ({maker.release}), {maker.year}, {maker.classification} "
            f"codes{_scope(ctx)}. The first {len(top)} rows of the exposure table."
        ),
        key="exposure-bars",
    )
    section = table_section(
        ctx,
        "exposure",
        title,
        result,
        intro=intro,
        summary_fields=[],
        columns=_EXPOSURE,
        paragraphs=paras,
        charts=(chart,),
    )
    return section, protect


def formula_section(ctx: Context, result: Any) -> tuple[Section, list[Paragraph]]:
    """The reciprocal formula: the rate it gives, the announced rate, and the inputs.

    Returns the section and a headline paragraph (the formula rate).
    """
    title = "The reciprocal formula and the purchases that move it"
    intro = (
        "The US formula of April 2025: rate = max(10%, (m - x) / (2 m)), with m and x the "
        "counterpart's goods imports from and exports to the home country."
    )
    need = ("partner_imports_from_home_usd", "partner_exports_to_home_usd", "formula_rate")
    if not _has(result, summary=need):
        return table_section(ctx, "formula", title, result, intro=intro), []
    maker = FigureMaker("formula", result, ctx.fx)
    m = maker.summary("partner_imports_from_home_usd", label="partner goods imports from home")
    x = maker.summary("partner_exports_to_home_usd", label="partner goods exports to home")
    rate = maker.summary("formula_rate", label="formula rate")
    figs = [m, x, rate]
    text = (
        f"{cap(ctx.partner_name)} imported {m.text} of goods from {ctx.home_name} and exported "
        f"{x.text} to it in {ctx.year}{_scope(ctx)}; the formula gives {rate.text}"
    )
    summary = result.summary or {}
    if is_number(summary.get("formula_rate_whole_percent")):
        whole = maker.summary("formula_rate_whole_percent", label="formula rate, whole percent")
        figs.append(whole)
        text += f" ({whole.text} rounded up to a whole percent)"
    if is_number(summary.get("announced_rate")):
        ann = maker.summary("announced_rate", label="announced rate")
        figs.append(ann)
        src = summary.get("announced_rate_source")
        text += f", against an announced rate of {ann.text}" + (f" ({src})" if src else "")
    paras = [Paragraph(text + ".", tuple(figs), m.source.tag())]
    if is_number(summary.get("additional_partner_exports_needed_usd")) and is_number(
        summary.get("target_rate")
    ):
        need_f = maker.summary("additional_partner_exports_needed_usd", label="purchases needed")
        tgt = maker.summary("target_rate", label="target rate")
        paras.append(
            Paragraph(
                f"To bring the rate to {tgt.text}, {ctx.home_name} would need to buy an extra "
                f"{need_f.text} from {ctx.partner_name}.",
                (tgt, need_f),
                need_f.source.tag(),
            )
        )
    head = Paragraph(
        f"Reciprocal formula rate for {ctx.home_name}: {rate.text} on {ctx.dataset} goods trade "
        f"in {ctx.year}{_scope(ctx)}.",
        (rate,),
        rate.source.tag(),
    )
    section = table_section(
        ctx, "formula", title, result, intro=intro, summary_fields=[], paragraphs=paras
    )
    return section, [head]


_CONCESSIONS = (
    "code",
    "description",
    "home_imports_from_others_usd",
    "home_imports_from_partner_usd",
    "partner_rca",
    "switchable_usd",
    "cumulative_switchable_usd",
)


def concessions_section(ctx: Context, result: Any) -> tuple[Section, list[Paragraph]]:
    """Concession shortlist: purchases home could switch to the partner.

    Yields the OFFER-PURCHASES recommendations (first ``rules.n_offers`` rows).
    """
    title = "Concession shortlist"
    intro = (
        f"Products {ctx.home_name} buys from third countries that {ctx.partner_name} exports "
        "competitively: switching these purchases narrows the bilateral balance at least cost."
    )
    if not _has(result, ("code", "switchable_usd")):
        return table_section(ctx, "concessions", title, result, intro=intro), []
    maker = FigureMaker("concessions", result, ctx.fx)
    summary = result.summary or {}
    paras = []
    if all(
        is_number(summary.get(k))
        for k in ("additional_partner_exports_needed_usd", "target_rate", "formula_rate")
    ):
        need = maker.summary("additional_partner_exports_needed_usd", label="purchases needed")
        tgt = maker.summary("target_rate", label="target rate")
        rate = maker.summary("formula_rate", label="formula rate")
        figs = [rate, tgt, need]
        text = (
            f"To bring the formula rate from {rate.text} to {tgt.text}, {ctx.partner_name} "
            f"must sell {ctx.home_name} an extra {need.text} a year"
        )
        if is_number(summary.get("total_switchable_usd")):
            tot = maker.summary("total_switchable_usd", label="switchable, all products")
            figs.append(tot)
            text += f"; {tot.text} of purchases could switch in all"
        if is_number(summary.get("products_to_cover_needed")):
            k = maker.summary("products_to_cover_needed", label="products that cover the need")
            figs.append(k)
            text += f", and the first {k.text} product(s) of the shortlist cover the need"
        paras.append(Paragraph(text + ".", tuple(figs), need.source.tag()))
    offers = []
    if all(
        is_number(summary.get(k))
        for k in ("additional_partner_exports_needed_usd", "target_rate", "formula_rate")
    ):
        need = maker.summary("additional_partner_exports_needed_usd", label="purchases needed")
        tgt = maker.summary("target_rate", label="target rate")
        rate = maker.summary("formula_rate", label="formula rate")
        offers.append(
            Paragraph(
                f"Offer (OFFER-PURCHASES): buy {need.text} a year more from {ctx.partner_name}, "
                f"which brings the formula rate from {rate.text} to {tgt.text}{_scope(ctx)}; the "
                "products below are where the purchases can come from.",
                (need, rate, tgt),
                need.source.tag(),
            )
        )
    for r in _records(result, ctx.rules.n_offers):
        what = product_phrase(r.get("description", ""), str(r["code"]))
        sw = maker.cell(r, "switchable_usd", label="switchable purchases")
        offers.append(
            Paragraph(
                f"Offer (OFFER-PURCHASES): buy {what} ({r['code']}) from {ctx.partner_name} "
                f"instead of third countries, up to {sw.text} a year{_scope(ctx)}.",
                (sw,),
                sw.source.tag(),
            )
        )
    section = table_section(
        ctx,
        "concessions",
        title,
        result,
        intro=intro,
        summary_fields=[],
        columns=_CONCESSIONS,
        paragraphs=paras,
    )
    return section, offers


_PEERS = (
    "country",
    "name",
    "exports_to_partner_usd",
    "share_of_partner_imports",
    "total_ces_leverage_usd",
    "exposure",
    "formula_rate",
    "overlap_with_home",
)


def peers_section(ctx: Context, result: Any, label: str) -> Section:
    """Peers: the same indicators for comparable exporters, with a bar chart of their sales."""
    title = f"Peers ({label})"
    intro = (
        f"The same indicators for comparable exporters to {ctx.partner_name}, and how much of "
        f"{possessive(ctx.home_name)} sales there overlap with theirs."
    )
    if not _has(result, ("country", "exports_to_partner_usd")):
        return table_section(ctx, "peers", title, result, intro=intro)
    rows = result.rows.sort_values("exports_to_partner_usd", ascending=False, kind="mergesort")
    maker = FigureMaker("peers", result, ctx.fx)
    caption = (
        f"Source: {maker.dataset} ({maker.release}), {maker.year}. Exports to {ctx.partner_name}"
        f"{_scope(ctx)}; {ctx.home_name} highlighted."
    )
    names = rows["name"] if "name" in rows.columns else rows["country"]
    chart = charts.ranked_bars(
        list(zip(names.astype(str), rows["exports_to_partner_usd"].astype(float), strict=True)),
        highlight=str(names[rows["country"] == ctx.home].iloc[0])
        if (rows["country"] == ctx.home).any()
        else None,
        title=f"Exports to {ctx.partner_name}: {ctx.home_name} and its peers ({label})",
        caption=caption,
        key="peers-bars",
    )
    return table_section(
        ctx,
        "peers",
        title,
        result,
        intro=intro,
        summary_fields=[],
        columns=_PEERS,
        charts=(chart,),
        top=len(result.rows),
    )


_SUPPLY = (
    "industry",
    "description",
    "direct_deliveries_to_partner_usd",
    "home_va_in_partner_output_usd",
    "partner_output_loss_usd",
    "partner_output_loss_share",
    "partner_loss_per_dollar_delivered",
)


def supply_chain_section(ctx: Context, result: Any) -> Section:
    """Supply-chain dependence on the input-output network (hypothetical extraction)."""
    title = "Supply-chain dependence"
    intro = (
        f"How much of {possessive(ctx.partner_name)} output depends on "
        f"{possessive(ctx.home_name)} deliveries through the input-output network (Leontief "
        "requirements, hypothetical extraction)."
    )
    maker = FigureMaker("supply_chain", result, ctx.fx, row_field="industry")
    paras = []
    summary = result.summary or {}
    block = summary.get("all_industries")
    if isinstance(block, dict) and is_number(block.get("partner_output_loss_usd")):
        loss = maker.summary(
            "all_industries.partner_output_loss_usd", label="partner output loss", unit="usd"
        )
        figs = [loss]
        text = (
            f"If all of {possessive(ctx.home_name)} deliveries to {ctx.partner_name} stopped, "
            f"{possessive(ctx.partner_name)} output would fall by {loss.text}"
        )
        if is_number(block.get("partner_output_loss_share")):
            sh = maker.summary(
                "all_industries.partner_output_loss_share",
                label="share of partner output",
                unit="share",
            )
            figs.append(sh)
            text += f" ({sh.text} of its output)"
        if is_number(block.get("home_output_loss_usd")):
            home = maker.summary(
                "all_industries.home_output_loss_usd", label="home output loss", unit="usd"
            )
            figs.append(home)
            text += f", and {possessive(ctx.home_name)} by {home.text}"
        text += " (hypothetical extraction with no rerouting or substitution; see the notes)."
        paras.append(Paragraph(text, tuple(figs), loss.source.tag()))
    return table_section(
        ctx,
        "supply_chain",
        title,
        result,
        intro=intro,
        summary_fields=[],
        columns=_SUPPLY if _has(result, ("industry",)) else None,
        paragraphs=paras,
        row_field="industry" if _has(result, ("industry",)) else None,
    )
