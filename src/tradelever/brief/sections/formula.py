"""The reciprocal formula on the real goods balance, and the purchases that move it.

For a US partner the brief reads the US goods balance (``census-us-trade``, the Census
vintage from which the 2 April 2025 rates were computed): m and x are US goods imports from
and exports to the home country in the year; rate = max(10%, (m - x) / (2 m)), rounded up to
a whole percent as Annex I printed it. The purchases offer is the rise in x that brings the
rate to the 10% floor, x' = m (1 - 2 t) with t = 10%.
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Paragraph, Section, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import Points, notes
from tradelever.brief.text import cap

__all__ = ["build"]

TITLE = "The reciprocal formula and the purchases that move it"


def build(ctx: Context, result: Any) -> tuple[Section, Points, list[Paragraph]]:
    """The section, its OFFER-PURCHASES point and a headline sentence."""
    points = Points()
    summary = result.summary or {}
    maker = FigureMaker("formula", result, ctx.fx)
    m = maker.summary("partner_imports_from_home_usd", label="partner goods imports from home")
    x = maker.summary("partner_exports_to_home_usd", label="partner goods exports to home")
    rate = maker.summary("formula_rate", label="formula rate", unit="rate")
    year = summary.get("year") or maker.year
    fields: dict[str, Any] = dict(
        partner=cap(ctx.partner_name),
        m=m,
        home=ctx.home_name,
        x=x,
        year=year,
        scope=ctx.scope,
        rate=rate,
    )
    text = (
        "{partner} imported {m} of goods from {home} and exported {x} to it in {year}{scope}: "
        "the April 2025 formula, max(10%, (m - x) / 2m), gives {rate}"
    )
    if is_number(summary.get("formula_rate_whole_percent")):
        fields["whole"] = maker.summary(
            "formula_rate_whole_percent", label="formula rate, whole percent", unit="rate"
        )
        text += ", {whole} rounded up to a whole percent"
    if is_number(summary.get("announced_rate")):
        fields["ann"] = maker.summary("announced_rate", label="announced rate", unit="rate")
        text += "; Annex I of Executive Order 14257 announced {ann}"
    blocks: list[Any] = [
        para(
            "The US formula of April 2025: rate = max(10%, (m - x) / (2 m)), with m and x the "
            "counterpart's goods imports from and exports to the home country in one year."
        ),
        para(text + ".", **fields),
    ]
    heads = [
        para(
            "The reciprocal formula on {partner} {year} goods balance gives {home} {rate}.",
            partner="the Census" if ctx.partner == "USA" else possessive_partner(ctx),
            year=year,
            home=ctx.home_name,
            rate=fields.get("whole", rate),
        )
    ]
    need = summary.get("additional_partner_exports_needed_usd")
    target = summary.get("target_rate")
    if is_number(need) and is_number(target) and is_number(summary.get("formula_rate")):
        need_f = maker.summary("additional_partner_exports_needed_usd", label="purchases needed")
        tgt = maker.summary("target_rate", label="target rate", unit="rate")
        if float(need) > 0:
            blocks.append(
                para(
                    "To bring the formula to {tgt}, {home} would have to buy an extra {need} a "
                    "year of goods from {partner}, its own sales unchanged (x rising to "
                    "m (1 - 2 t)).",
                    tgt=tgt,
                    home=ctx.home_name,
                    need=need_f,
                    partner=ctx.partner_name,
                )
            )
            points.offers.append(
                para(
                    "purchases of {goods}: an extra {need} a year brings the reciprocal formula "
                    "for {home} from {rate} to {tgt}{scope}.",
                    kind="offer",
                    goods="US goods" if ctx.partner == "USA" else f"goods from {ctx.partner_name}",
                    need=need_f,
                    home=ctx.home_name,
                    rate=fields.get("whole", rate),
                    tgt=tgt,
                    scope=ctx.scope,
                )
            )
    blocks.extend(notes(ctx, result))
    return Section("formula", TITLE, tuple(blocks)), points, heads


def possessive_partner(ctx: Context) -> str:
    """The partner's possessive ("the United States'")."""
    from tradelever.brief.text import possessive

    return possessive(ctx.partner_name)
