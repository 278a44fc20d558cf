"""Peers: what comparable exporters sell the partner, what they gave and got, first in line.

Two sources: the peers analysis (each peer's sales to the partner, share of its imports,
leverage and overlap with the home country, on the brief's product data) and the 2025-26 US
deals measured by :mod:`tradelever.analysis.deals` (dates, the Annex I rate, the rate
obtained and the cut, the effective rate before and after the deal, pledges and their size
against 2024 exports to the US, each fact quoted from its text). The first-in-line chart
(:mod:`tradelever.brief.chart_deals`) plots the rate obtained against the days from 2 April
2025 to the deal for every deal; the bottom line cites the peers' tariff pledges
(:func:`tradelever.analysis.deals.precedents`) as precedents for the home country's offers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from tradelever.brief.chart_deals import first_in_line_chart
from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker
from tradelever.brief.model import Note, Paragraph, Section, Table, para
from tradelever.brief.money import is_number
from tradelever.brief.sections.common import Points, notes, result_table
from tradelever.brief.text import cap, possessive
from tradelever.reference.countries import country_name

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


_CITE = re.compile(r"\(([^()]*)\)\s*$")

#: Where the deal measures come from (the ``deals`` result's provenance records).
_DEAL_TEXTS = "US trade deals 2025-26"


def _cite(rec: Mapping[str, Any]) -> str:
    """The text a precedent quotes: ``Joint statement, 22 Jul 2025, URL`` (from its sentence)."""
    m = _CITE.search(str(rec.get("sentence") or ""))
    return m.group(1) if m else str(rec.get("url") or "")


def _makers(deals: Any) -> tuple[FigureMaker, FigureMaker, FigureMaker]:
    """Figure makers citing the deal texts, the 2024 exports, and the effective rates."""
    base = FigureMaker("deals", deals, None, row_field="deal")
    prov = getattr(deals, "provenance", {}) or {}
    texts = base.citing(prov.get("deals") or {}, dataset=_DEAL_TEXTS)
    exports = base.citing({**(prov.get("exports") or {}), "classification": ""})
    rates_prov = (prov.get("rates") or {}).get("trade") or {}
    rates = base.citing(
        {**rates_prov, "classification": ""},  # the figure's code is a deal, not an HTS line
        dataset=f"{rates_prov.get('name', 'census-us-2024')} weights, US tariff schedule 2025-26",
    )
    return texts, exports, rates


def _deal_rows(deals: Any, partners: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """(position in the result, row) of the deals of ``partners``, by deal date."""
    rows = deals.rows.reset_index(drop=True)
    picked = [
        (i, rec)
        for i, rec in enumerate(rows.to_dict(orient="records"))
        if rec["partner"] in partners
    ]
    return sorted(picked, key=lambda t: (str(t[1].get("deal_date") or "9999"), t[1]["partner"]))


def _basis(rec: Mapping[str, Any]) -> str:
    return " (all-in, MFN included)" if rec.get("rate_obtained_basis") == "all_in_ceiling" else ""


def precedents(
    ctx: Context, found: Any, deals: Any | None, peers: Sequence[str]
) -> list[Paragraph]:
    """One precedent per peer deal that states a tariff-elimination pledge and a rate.

    ``found`` is the ``precedents`` result for tariff elimination
    (:func:`tradelever.analysis.deals.precedents`): each pledge as the text states it, the
    rate obtained and the text quoted; ``deals`` adds the Annex I rate the deal started from.
    """
    out = []
    rows = found.rows.reset_index(drop=True)
    maker = FigureMaker("precedents", found, None, row_field="deal").citing({}, dataset=_DEAL_TEXTS)
    annex: dict[str, tuple[int, dict[str, Any]]] = {}
    if deals is not None:
        for pos, rec in enumerate(deals.rows.reset_index(drop=True).to_dict(orient="records")):
            annex[f"{rec['deal']}/{rec['partner']}"] = (pos, rec)
    texts = _makers(deals)[0] if deals is not None else None
    for pos, rec in enumerate(rows.to_dict(orient="records")):
        if rec["partner"] == ctx.home or rec["partner"] not in peers:
            continue
        if not rec.get("summary") or not is_number(rec.get("rate_obtained")):
            continue
        codes = (str(rec["deal"]),)
        after = maker.cell(
            rec, "rate_obtained", unit="rate", label="US rate obtained", position=pos, codes=codes
        )
        fields: dict[str, Any] = dict(
            name=rec["partner_name"], pledge=rec["summary"], after=after, basis=_basis(rec)
        )
        text = "{name}: {pledge}, for a US rate of {after}{basis}"
        before = annex.get(f"{rec['deal']}/{rec['partner']}")
        if texts is not None and before is not None and is_number(before[1].get("annex_i_rate")):
            fields["before"] = texts.cell(
                before[1], "annex_i_rate", unit="rate", label="Annex I rate",
                position=before[0], codes=codes,
            )  # fmt: skip
            text += " (Annex I: {before})"
        fields["cite"] = _cite(rec)
        out.append(para(text + "; {cite}.", kind="precedent", source=after.source.tag(), **fields))
    return out


def _pledge_offer(
    ctx: Context, found: Any, deals: Any | None, peers: Sequence[str]
) -> Paragraph | None:
    """OFFER-PRECEDENT: the tariff pledge of the peer that obtained the lowest additional rate."""
    rows = found.rows.reset_index(drop=True)
    dates: dict[str, str] = {}
    if deals is not None:
        dates = {str(r["deal"]): _date(r["deal_date"]) for r in deals.rows.to_dict("records")}
    cands = [
        (pos, rec)
        for pos, rec in enumerate(rows.to_dict(orient="records"))
        if rec["partner"] != ctx.home
        and rec["partner"] in peers
        and rec.get("summary")
        and is_number(rec.get("rate_obtained"))
        and rec.get("rate_obtained_basis") == "additional"
    ]
    if not cands:
        return None
    pos, best = min(
        cands, key=lambda t: (float(t[1]["rate_obtained"]), dates.get(str(t[1]["deal"]), ""))
    )
    maker = FigureMaker("precedents", found, None, row_field="deal").citing({}, dataset=_DEAL_TEXTS)
    rate = maker.cell(
        best, "rate_obtained", unit="rate", label="US rate obtained", position=pos,
        codes=(str(best["deal"]),),
    )  # fmt: skip
    return para(
        "tariff terms matching the best peer precedent: {name} pledged to {pledge} and "
        "obtained {rate} ({cite}).",
        kind="offer",
        name=best["partner_name"],
        pledge=best["summary"],
        rate=rate,
        cite=_cite(best),
        source=rate.source.tag(),
    )


_DEAL_HEADERS = (
    "partner",
    "deal",
    "Annex I rate",
    "rate obtained",
    "cut",
    "effective rate the day before",
    "effective rate after",
    "pledges (headline total)",
    "pledges over 2024 exports to the US",
)


def _cell_reader(rec: Mapping[str, Any], position: int) -> Any:
    """``cell(maker, field, unit, label)``: a figure of one deal row, ``-`` when empty."""

    def cell(maker: FigureMaker, field: str, unit: str, label: str) -> Any:
        if not is_number(rec.get(field)):
            return "-"
        return maker.cell(
            rec, field, unit=unit, label=label, position=position, codes=(str(rec["deal"]),)
        )

    return cell


def _deals_blocks(ctx: Context, deals: Any, members: Sequence[str]) -> list[Any]:
    """What the peers (and home) gave and got: two sentences and one table."""
    texts, exports, rates = _makers(deals)
    picked = _deal_rows(deals, [ctx.home, *members])
    blocks: list[Any] = []
    if not picked:
        return blocks
    codes = lambda rec: (str(rec["deal"]),)  # noqa: E731
    settled = [(i, r) for i, r in picked if r["partner"] != ctx.home and r.get("deal_date")]
    if settled:
        i, first = settled[0]
        fields: dict[str, Any] = dict(
            name=first["partner_name"],
            date=_date(first["deal_date"]),
            days=texts.cell(first, "days_since_2025_04_02", unit="number", label="days",
                            position=i, codes=codes(first)),
        )  # fmt: skip
        text = "First of the peers to settle: {name}, on {date}, {days} days after 2 April 2025"
        if first.get("deal_date_precision") not in (None, "day"):
            text = (
                "First of the peers to settle: {name}, on or before {date} (the texts give no "
                "exact day), {days} days after 2 April 2025"
            )
        if is_number(first.get("rate_obtained")):
            fields["rate"] = texts.cell(
                first, "rate_obtained", unit="rate", label="rate obtained", position=i,
                codes=codes(first),
            )  # fmt: skip
            fields["basis"] = _basis(first)
            text += ", at {rate}{basis}"
        blocks.append(para(text + ".", **fields))
    home_rows = [(i, r) for i, r in picked if r["partner"] == ctx.home]
    if home_rows:
        i, h = home_rows[-1]
        fields = dict(
            home=cap(ctx.home_name),
            date=_date(h["deal_date"]),
            days=texts.cell(h, "days_since_2025_04_02", unit="number", label="days",
                            position=i, codes=codes(h)),
        )  # fmt: skip
        text = "{home} settled on {date}, {days} days after 2 April 2025"
        if is_number(h.get("rate_obtained")):
            fields["rate"] = texts.cell(h, "rate_obtained", unit="rate", label="rate obtained",
                                        position=i, codes=codes(h))  # fmt: skip
            fields["basis"] = _basis(h)
            text += ", at {rate}{basis}"
        if is_number(h.get("annex_i_rate")):
            fields["before"] = texts.cell(h, "annex_i_rate", unit="rate", label="Annex I rate",
                                          position=i, codes=codes(h))  # fmt: skip
            text += " (Annex I: {before})"
        if is_number(h.get("pledges_usd")):
            fields["pledges"] = texts.cell(h, "pledges_usd", unit="usd",
                                           label="pledges (headline total)", position=i,
                                           codes=codes(h))  # fmt: skip
            text += "; it pledged {pledges} of purchases and investment (headline totals)"
            if is_number(h.get("pledges_share_of_exports")):
                fields["times"] = exports.cell(h, "pledges_share_of_exports", unit="number",
                                               label="pledges over 2024 exports to the US",
                                               position=i, codes=codes(h))  # fmt: skip
                text += ", {times} times its 2024 goods exports to {partner}"
                fields["partner"] = ctx.partner_name
        blocks.append(para(text + ".", **fields))
    body = []
    for i, rec in picked:
        cell = _cell_reader(rec, i)

        date = _date(rec["deal_date"])
        if rec.get("deal_date_precision") not in (None, "day"):
            date = f"by {date}"
        name = str(rec["partner_name"])
        if rec.get("rate_obtained_basis") == "all_in_ceiling":
            name += " (rate all-in)"
        body.append(
            (
                name,
                date,
                cell(texts, "annex_i_rate", "rate", "Annex I rate"),
                cell(texts, "rate_obtained", "rate", "rate obtained"),
                cell(texts, "rate_cut", "points", "rate cut"),
                cell(rates, "effective_rate_before_deal", "share", "effective rate before"),
                cell(rates, "effective_rate_after", "share", "effective rate after"),
                cell(texts, "pledges_usd", "usd", "pledges (headline total)")
                if is_number(rec.get("pledges_usd"))
                else "none stated",
                cell(exports, "pledges_share_of_exports", "number", "pledges over exports"),
            )
        )
    blocks.append(
        Table(
            _DEAL_HEADERS,
            tuple(body),
            "Source: US trade deals 2025-26 (White House fact sheets, joint statements and "
            "agreements; each fact quoted from its text). Rates as announced, additional to MFN "
            "unless marked all-in; cut = Annex I rate minus rate obtained, in percentage points. "
            "Effective rates: every US measure in force the day before the deal and on its "
            "effective date, over the partner's 2024 US imports by HS10 line (census-us-2024 "
            "weights, no trade response); from 10 April to 6 August 2025 the Annex I rates "
            "were suspended and 10% applied (EO 14266), so the day before a deal of that "
            "period shows that 10%, not the Annex I rate. Pledges: headline purchase and "
            "investment totals as announced, whatever their period; over 2024 exports: a "
            "multiple of one year's goods exports to the United States (census-us-trade, 2024).",
        )
    )
    without = [c for c in members if c not in {r["partner"] for _, r in picked}]
    if without:
        blocks.append(
            Note(
                "No US deal among the packaged texts (April 2025 to August 2026) for: "
                + ", ".join(country_name(c) for c in without)
                + "."
            )
        )
    return blocks


def build(
    ctx: Context,
    peers_result: Any | None,
    deals: Any | None,
    label: str,
    members: Sequence[str],
    *,
    first_in_line: Any | None = None,
    found: Any | None = None,
) -> tuple[Section, Points]:
    """The section and its precedents.

    ``deals``, ``first_in_line`` and ``found`` are the results of
    :func:`tradelever.analysis.deals.deals` (home and peers),
    :func:`~tradelever.analysis.deals.first_in_line` (every deal, home highlighted) and
    :func:`~tradelever.analysis.deals.precedents` (tariff elimination, home and peers).
    """
    title = f"Peers ({label}): what they sell, what they gave and got"
    blocks: list[Any] = []
    points = Points()
    if deals is not None and len(deals.rows):
        blocks.extend(_deals_blocks(ctx, deals, members))
    if first_in_line is not None and len(first_in_line.rows):
        blocks.append(first_in_line_chart(first_in_line, home=ctx.home))
    if found is not None and len(found.rows):
        points.precedents.extend(precedents(ctx, found, deals, members))
        offer = _pledge_offer(ctx, found, deals, members)
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
