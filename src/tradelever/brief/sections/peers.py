"""Peers: what comparable exporters sell the partner, what they gave and got, first in line.

Two sources: the peers analysis (each peer's sales to the partner, share of its imports,
leverage and overlap with the home country, on the brief's product data) and the 2025-26 US
deals as quoted facts (``tradelever.sources.us_deals``: dates, the Annex I rate, the rate
obtained, tariff-elimination, purchase and investment pledges, each with its instrument).
The first-in-line chart plots the rate obtained against the days from 2 April 2025 to the
deal; the bottom line cites the peers' deals as precedents for the home country's offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from tradelever.brief import charts
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Paragraph, Section, Table, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import Points, notes, result_table
from tradelever.brief.text import cap, possessive

__all__ = ["build", "precedents"]

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


def _date(value: Any) -> str:
    return (
        pd.Timestamp(value).date().isoformat() if value is not None and not pd.isna(value) else "-"
    )


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "-"
    return str(value)


def precedents(ctx: Context, deals: Any, peers: Sequence[str]) -> list[Paragraph]:
    """One precedent per peer deal that states a tariff-elimination pledge and a rate."""
    out = []
    rows = deals.rows
    maker = FigureMaker("deals", deals, None, row_field="deal")
    for rec in rows.to_dict(orient="records"):
        if rec["partner"] == ctx.home or rec["partner"] not in peers:
            continue
        if not rec.get("tariff_elimination") or not is_number(rec.get("rate_after")):
            continue
        after = maker.cell(rec, "rate_after", unit="rate", label="US rate obtained")
        fields: dict[str, Any] = dict(
            name=rec["partner_name"],
            date=_date(rec["deal_date"]),
            pledge=rec["tariff_elimination"],
            after=after,
        )
        text = "{name} ({date}): {pledge}, for a US rate of {after}"
        if is_number(rec.get("rate_before")):
            fields["before"] = maker.cell(rec, "rate_before", unit="rate", label="Annex I rate")
            text += " (Annex I: {before})"
        text += "; source: {url}."
        fields["url"] = rec["url"]
        out.append(para(text, kind="precedent", source=after.source.tag(), **fields))
    return out


def _pledge_offer(ctx: Context, deals: Any, peers: Sequence[str]) -> Paragraph | None:
    """OFFER-PRECEDENT: the tariff pledge of the peer that obtained the lowest rate."""
    rows = deals.rows
    cands = rows[
        rows["partner"].isin([p for p in peers if p != ctx.home])
        & rows["tariff_elimination"].astype(str).str.len().gt(0)
        & rows["rate_after"].notna()
        & (rows["announced_basis"] == "additional")
    ]
    if not len(cands):
        return None
    best = cands.sort_values(["rate_after", "deal_date"]).iloc[0].to_dict()
    maker = FigureMaker("deals", deals, None, row_field="deal")
    rate = maker.cell(best, "rate_after", unit="rate", label="US rate obtained")
    return para(
        "tariff terms matching the best peer precedent: {name} pledged to {pledge} and "
        "obtained {rate} ({date}; {url}).",
        kind="offer",
        name=best["partner_name"],
        pledge=best["tariff_elimination"],
        rate=rate,
        date=_date(best["deal_date"]),
        url=best["url"],
        source=rate.source.tag(),
    )


def build(
    ctx: Context,
    peers_result: Any | None,
    deals: Any | None,
    label: str,
    members: Sequence[str],
) -> tuple[Section, Points]:
    """The section and its precedents."""
    title = f"Peers ({label}): what they sell, what they gave and got"
    blocks: list[Any] = []
    points = Points()
    if deals is not None and len(deals.rows):
        rows = deals.rows
        mine = rows[rows["partner"].isin([ctx.home, *members])]
        maker = FigureMaker("deals", deals, None, row_field="deal")
        home_rows = mine[mine["partner"] == ctx.home]
        settled = mine[mine["partner"] != ctx.home].dropna(subset=["deal_date"])
        if len(settled):
            first = settled.sort_values("deal_date").iloc[0].to_dict()
            days = maker.cell(first, "days_since_2025_04_02", unit="number", label="days")
            fields: dict[str, Any] = dict(
                name=first["partner_name"], date=_date(first["deal_date"]), days=days
            )
            text = "First of the peers to settle: {name}, on {date}, {days} days after 2 April 2025"
            if is_number(first.get("rate_after")):
                fields["rate"] = maker.cell(first, "rate_after", unit="rate", label="rate obtained")
                text += ", at {rate}"
            blocks.append(para(text + ".", **fields))
        if len(home_rows):
            h = home_rows.iloc[0].to_dict()
            fields = dict(
                home=cap(ctx.home_name),
                date=_date(h["deal_date"]),
                days=maker.cell(h, "days_since_2025_04_02", unit="number", label="days"),
            )
            text = "{home} settled on {date}, {days} days after 2 April 2025"
            if is_number(h.get("rate_after")):
                fields["rate"] = maker.cell(h, "rate_after", unit="rate", label="rate obtained")
                text += ", at {rate}"
            if is_number(h.get("rate_before")):
                fields["before"] = maker.cell(h, "rate_before", unit="rate", label="Annex I rate")
                text += " (Annex I: {before})"
            blocks.append(para(text + ".", **fields))
        body = []
        for rec in mine.sort_values("deal_date", na_position="last").to_dict(orient="records"):
            body.append(
                (
                    str(rec["partner_name"]),
                    _date(rec["deal_date"]),
                    maker.cell(rec, "rate_before", unit="rate", label="Annex I rate")
                    if is_number(rec.get("rate_before"))
                    else "-",
                    maker.cell(rec, "rate_after", unit="rate", label="rate obtained")
                    if is_number(rec.get("rate_after"))
                    else "-",
                    _text(rec.get("announced_basis")).replace("_", " "),
                    _text(rec.get("tariff_elimination")),
                    maker.cell(rec, "purchases_usd", unit="usd", label="purchase pledges"),
                    maker.cell(rec, "investment_usd", unit="usd", label="investment pledges"),
                )
            )
        if body:
            blocks.append(
                Table(
                    (
                        "partner",
                        "deal",
                        "Annex I rate",
                        "rate obtained",
                        "basis",
                        "tariff pledge",
                        "purchases pledged",
                        "investment pledged",
                    ),
                    tuple(body),
                    "Source: US trade deals 2025-26, as stated in the White House fact sheets, "
                    "joint statements and agreements (each fact quoted from its text); pledges "
                    "are headline totals as announced, over the period the texts state.",
                )
            )
        pts = [
            (str(r["partner_name"]), float(r["days_since_2025_04_02"]), float(r["rate_after"]))
            for r in rows.to_dict(orient="records")
            if is_number(r.get("rate_after")) and is_number(r.get("days_since_2025_04_02"))
            and r.get("announced_basis") == "additional"
        ]  # fmt: skip
        if pts:
            home_label = next(
                (
                    str(r["partner_name"])
                    for r in rows.to_dict(orient="records")
                    if r["partner"] == ctx.home
                ),
                None,
            )
            blocks.append(
                charts.first_in_line(
                    pts,
                    title="First in line: US rate obtained against the date of the deal",
                    caption="Source: US trade deals 2025-26 (White House texts). Rates added to "
                    "MFN duties; all-in ceilings (EU, Japan, Korea, Switzerland) are left out "
                    "as they are not comparable.",
                    highlight=home_label,
                )
            )
        found = precedents(ctx, deals, members)
        points.precedents.extend(found)
        offer = _pledge_offer(ctx, deals, members)
        if offer is not None:
            points.offers.append(offer)
    if peers_result is not None and len(peers_result.rows):
        frame = peers_result.rows.sort_values(
            "exports_to_partner_usd", ascending=False, kind="mergesort"
        )
        columns = [
            c for c in _PEERS if not (ctx.single_reporter and c in ("exposure", "formula_rate"))
        ]
        maker = FigureMaker("peers", peers_result, ctx.fx, row_field="country")
        blocks.append(
            para(
                "The same indicators for comparable exporters to {partner}, and how much of "
                "{home} sales there overlap with theirs{scope}.",
                partner=ctx.partner_name,
                home=possessive(ctx.home_name),
                scope=ctx.scope,
            )
        )
        table = result_table(ctx, maker, frame, columns, top=len(frame))
        if table is not None:
            blocks.append(table)
        skip = ("exposure =", "formula_rate =") if ctx.single_reporter else ()
        blocks.extend(notes(ctx, peers_result, skip=skip))
        if ctx.single_reporter:
            blocks.append(
                Note(
                    "Exposure and the formula rate of each peer need its exports to every "
                    f"market and the partner's exports to it, which {ctx.dataset} does not "
                    "hold; they are left out here."
                )
            )
    if not blocks:
        reason = "no peer data and no deals for these peers."
        return Section("peers", title, available=False, unavailable_reason=reason), points
    return Section("peers", title, tuple(blocks)), points
