"""Sections of the brief, each built from analysis results by a pure function.

Nothing here calls the data store or the API: :mod:`tradelever.brief.build` runs the analyses
and passes the results in. A section whose analysis is missing is built by
:func:`unavailable_section` and says so in plain words, with no figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradelever.brief import charts
from tradelever.brief.figures import FigureMaker, humanise, provenances, unit_for
from tradelever.brief.model import Figure, Paragraph, Section, SourceRecord, Table
from tradelever.brief.money import FxRate
from tradelever.brief.rules import RULES, Rules, leverage_asks
from tradelever.labels import label

__all__ = [
    "Context",
    "headline",
    "leverage_section",
    "method_section",
    "sources_from_results",
    "summary_section",
    "table_section",
    "unavailable_section",
]

INTERMEDIATE_ONLY = "intermediate goods only"


@dataclass(frozen=True)
class Context:
    """What every section needs to know about the brief."""

    home: str
    partner: str
    rival: str | None
    home_name: str
    partner_name: str
    rival_name: str | None
    dataset: str
    year: int
    level: str
    classification: str
    intermediate_only: bool
    fx: FxRate | None = None
    top: int = 5
    rules: Rules = field(default_factory=Rules)
    shared_notes: frozenset[str] = frozenset()


# Countries whose English short name takes the definite article ("the United States").
_THE = frozenset(
    {
        "USA",
        "GBR",
        "NLD",
        "PHL",
        "ARE",
        "CZE",
        "DOM",
        "BHS",
        "GMB",
        "CAF",
        "COM",
        "MDV",
        "MHL",
        "SLB",
        "SYC",
        "CYM",
        "VGB",
        "TCA",
        "FSM",
        "COD",
        "COG",
    }
)


def country_phrase(iso3: str, name: str) -> str:
    """The name as used inside a sentence: "the United States", "Malaysia"."""
    return f"the {name}" if iso3 in _THE and not name.lower().startswith("the ") else name


def cap(text: str) -> str:
    """Capitalise the first letter of a sentence ("the United States" -> "The United States")."""
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """English possessive of a country name: "Malaysia's", "the United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def is_intermediate_only(result: Any) -> bool:
    """True when the result's data set holds intermediate goods only (ICIO), from its record."""
    prov = getattr(result, "provenance", {}) or {}
    texts = [str(prov.get("note", "")), *map(str, getattr(result, "assumptions", []) or [])]
    return any(t.lower().startswith(INTERMEDIATE_ONLY) for t in texts)


def product_phrase(description: str, code: str) -> str:
    """Lower-case product wording for a sentence (ICIO's "Manufacture of" dropped)."""
    text = re.sub(r"^Manufacture of ", "", str(description or "")).strip()
    text = re.sub(r"(?<=[a-z)]{2})\.$", "", text)  # a closing full stop, not "n.e.c."
    if not text:
        return f"code {code}"
    if not (len(text) > 1 and text[1].isupper()):
        text = text[:1].lower() + text[1:]
    return text


def _scope(ctx: Context) -> str:
    return f" ({INTERMEDIATE_ONLY})" if ctx.intermediate_only else ""


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
    text = (
        f"{cap(ctx.home_name)} supplies {share.text} of {possessive(ctx.partner_name)} imports of "
        f"{what}"
        f"{_scope(ctx)}, {value.text} in {ctx.year}."
    )
    if cost.value is None or math.isinf(cost.value):
        if cost.value is not None:
            text += (
                f" {cap(ctx.home_name)} is the sole supplier: the cost of replacing it is "
                "unbounded (CES)."
            )
        figures: tuple[Figure, ...] = (share, value)
    else:
        text += (
            f" Losing that supply would raise {possessive(ctx.partner_name)} import bill for "
            f"these goods by about {cost.text} (CES, sigma = {sigma.text})."
        )
        figures = (share, value, cost, sigma)
    return Paragraph(text=text, figures=figures, source_tag=share.source.tag())


def headline(ctx: Context, leverage: Any, extra: Sequence[Paragraph] = ()) -> tuple[Paragraph, ...]:
    """Three to five headline numbers (leverage first, then any supplied by other analyses)."""
    maker = FigureMaker("leverage", leverage, ctx.fx)
    rows = leverage.rows
    out: list[Paragraph] = []
    asks = leverage_asks(rows, 1)
    if len(asks):
        out.append(leverage_sentence(ctx, maker, asks.iloc[0].to_dict()))
    shares = rows.dropna(subset=["home_share_of_partner_imports"])
    if len(shares):
        best = shares.sort_values(
            ["home_share_of_partner_imports", "code"], ascending=[False, True], kind="mergesort"
        ).iloc[0]
        if not len(asks) or best["code"] != asks.iloc[0]["code"]:
            share = maker.cell(best.to_dict(), "home_share_of_partner_imports")
            what = product_phrase(best.get("description", ""), str(best["code"]))
            out.append(
                Paragraph(
                    text=f"Largest share: {ctx.home_name} supplies {share.text} of "
                    f"{possessive(ctx.partner_name)} imports of {what}{_scope(ctx)} in {ctx.year}.",
                    figures=(share,),
                    source_tag=share.source.tag(),
                )
            )
    total = maker.total(
        "home_exports_to_partner_usd",
        label=f"{possessive(ctx.home_name)} exports to {ctx.partner_name}, all codes",
    )
    out.append(
        Paragraph(
            text=f"{cap(possessive(ctx.home_name))} exports to {ctx.partner_name} in "
            f"{ctx.dataset}: {total.text} in {ctx.year}{_scope(ctx)}, all {len(rows)} codes.",
            figures=(total,),
            source_tag=total.source.tag(),
        )
    )
    out.extend(extra)
    return tuple(out[:5])


def summary_section(ctx: Context, leverage: Any) -> Section:
    """Title block text: what was asked, on which data, and the scope caveats."""
    prov = leverage.provenance
    paras = [
        Paragraph(
            f"Where {ctx.partner_name} depends on {ctx.home_name}"
            + (f" and on {ctx.rival_name}" if ctx.rival_name else "")
            + f", and what {ctx.home_name} can ask and offer. Data: {ctx.dataset} "
            f"({prov.get('source', '')}), year {ctx.year}, {ctx.classification} codes at "
            f"{ctx.level} level."
        )
    ]
    if ctx.intermediate_only:
        top = leverage.rows.iloc[0] if len(leverage.rows) else None
        example = f" such as {top['code']}" if top is not None else ""
        paras.append(
            Paragraph(
                f"Intermediate goods only: {ctx.dataset} holds flows of intermediate goods and "
                "services between industries; purchases for final demand are not split by "
                f"origin. Industry-level shares are small: a whole industry{example} mixes many "
                "products, while negotiating leverage usually lies in HS 6-digit products, where "
                "shares are much larger. Load a product data set (BACI, Comtrade, Census) for "
                "product-level figures."
            )
        )
    if ctx.fx is not None:
        paras.append(Paragraph(ctx.fx.statement() + "."))
    return Section(key="summary", title="Summary", paragraphs=tuple(paras))


def _table_caption(maker: FigureMaker, extra: str = "") -> str:
    cls = f", {maker.classification} codes" if maker.classification else ""
    release = f" ({maker.release})" if maker.release else ""
    year = f", {maker.year}" if maker.year is not None else ""
    return f"Source: {maker.dataset}{release}{year}{cls}.{(' ' + extra) if extra else ''}"


_LEVERAGE_TABLE = tuple(
    (name, label(name).label)  # labels from the registry the CLI and dashboard use
    for name in (
        "home_share_of_partner_imports",
        "home_exports_to_partner_usd",
        "partner_imports_usd",
        "home_world_export_share",
        "rival_share_of_partner_imports",
        "partner_import_hhi",
        "partner_cost_of_losing_home_usd",
    )
)


def leverage_section(ctx: Context, leverage: Any) -> Section:
    """Leverage points: the top codes in sentences, a table, bars and the share scatter."""
    maker = FigureMaker("leverage", leverage, ctx.fx)
    ranked = leverage_asks(leverage.rows, ctx.top)
    if not len(ranked):
        return Section(
            key="leverage",
            title="Leverage points",
            paragraphs=(
                Paragraph(
                    f"{cap(ctx.partner_name)} imports nothing from {ctx.home_name} in "
                    f"{ctx.dataset}, {ctx.year}: no leverage point."
                ),
            ),
        )
    records = ranked.to_dict(orient="records")
    bullets = tuple(leverage_sentence(ctx, maker, r) for r in records)
    fields = [
        (fld, lab) for fld, lab in _LEVERAGE_TABLE if ctx.rival or not fld.startswith("rival")
    ]
    headers = ("code", "description", *(lab for _, lab in fields))
    rows = tuple(
        (
            str(r["code"]),
            str(r.get("description", "")),
            *(maker.cell(r, fld, label=lab) for fld, lab in fields),
        )
        for r in records
    )
    caption = _table_caption(
        maker,
        "Ranked by the cost to the counterpart of losing the home country's supply "
        "(CES import price index)."
        + (f" {INTERMEDIATE_ONLY.capitalize()}." if ctx.intermediate_only else ""),
    )
    if ctx.rival_name:
        caption += f" Rival: {ctx.rival_name}."
    bars = charts.leverage_bars(
        ranked, home_name=ctx.home_name, partner_name=ctx.partner_name, caption=caption
    )
    scatter = charts.share_scatter(
        leverage.rows,
        home_name=ctx.home_name,
        partner_name=ctx.partner_name,
        caption=_table_caption(
            maker,
            f"All {len(leverage.rows)} codes that {ctx.partner_name} imports; labelled: the "
            "leverage points above. Above the diagonal, the counterpart depends on the home "
            "country more than the world market does.",
        ),
        label_codes=[str(c) for c in ranked["code"]],
    )
    intro = Paragraph(
        f"Where {ctx.partner_name} would pay most to replace {possessive(ctx.home_name)} supply, "
        "ranked by the rise in its CES import bill if that supply stopped (other suppliers' prices "
        "unchanged)."
    )
    return Section(
        key="leverage",
        title="Leverage points",
        paragraphs=(intro,),
        bullets=bullets,
        tables=(Table(headers=headers, rows=rows, caption=caption),),
        charts=(bars, scatter),
        notes=section_notes(ctx, leverage),
    )


def unavailable_section(key: str, title: str, reason: str) -> Section:
    """A section whose analysis is missing: it says so and shows no figures."""
    return Section(
        key=key,
        title=title,
        available=False,
        unavailable_reason=reason,
        paragraphs=(Paragraph(f"Not available: {reason}"),),
    )


_ID_COLUMNS = ("code", "country", "importer", "exporter", "name", "scenario", "industry")
_TEXT_COLUMNS = ("description", "country_name", "label")


def _pick_columns(frame: pd.DataFrame, limit: int = 8) -> list[str]:
    ids = [c for c in _ID_COLUMNS if c in frame.columns][:2]
    texts = [c for c in _TEXT_COLUMNS if c in frame.columns][:1]
    numeric = [
        c
        for c in frame.columns
        if c not in ids
        and c not in texts
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return [*ids, *texts, *numeric][:limit]


def table_section(
    ctx: Context,
    key: str,
    title: str,
    result: Any,
    *,
    intro: str,
    row_field: str | None = None,
    bullets: Sequence[Paragraph] = (),
    summary_fields: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    paragraphs: Sequence[Paragraph] = (),
    charts: Sequence[Any] = (),
    top: int | None = None,
) -> Section:
    """A section showing a :class:`TableResult`: summary figures, top rows, assumptions."""
    frame = result.to_frame() if hasattr(result, "to_frame") else result.rows
    rf = row_field or next((c for c in _ID_COLUMNS if c in frame.columns), "code")
    maker = FigureMaker(key, result, ctx.fx, row_field=rf)
    summary = getattr(result, "summary", None) or {}
    fields = summary_fields if summary_fields is not None else list(summary)
    sums = []
    for name in fields:
        value = summary.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            continue
        fig = maker.summary(name)
        sums.append(Paragraph(f"{fig.label}: {fig.text}.", (fig,), fig.source.tag()))
    cols = [c for c in columns if c in frame.columns] if columns else _pick_columns(frame)
    shown = frame.head(top or ctx.top)
    rows = []
    for pos, rec in enumerate(shown.to_dict(orient="records")):
        cells: list[Any] = []
        for c in cols:
            value = rec.get(c)
            numeric = c in frame.columns and pd.api.types.is_numeric_dtype(frame[c])
            if numeric and c != "year" and not pd.api.types.is_bool_dtype(frame[c]):
                cells.append(
                    maker.cell(rec, c, position=None if rf in rec else pos, unit=unit_for(c))
                )
            else:
                cells.append("" if value is None else str(value))
        rows.append(tuple(cells))
    tables = ()
    if rows:
        caption = _table_caption(maker, f"First {len(rows)} of {len(frame)} rows.")
        tables = (Table(tuple(humanise(c) for c in cols), tuple(rows), caption),)
    paras = (Paragraph(intro), *paragraphs, *sums)
    if not rows and not sums:
        paras = (*paras, Paragraph("The analysis returned no rows for this pair."))
    return Section(
        key=key,
        title=title,
        paragraphs=paras,
        bullets=tuple(bullets),
        tables=tables,
        charts=tuple(charts),
        notes=section_notes(ctx, result),
    )


def section_notes(ctx: Context, result: Any) -> tuple[str, ...]:
    """The result's assumptions, less those every section shares (stated in the method)."""
    return tuple(
        str(a) for a in getattr(result, "assumptions", ()) or () if str(a) not in ctx.shared_notes
    )


def asks_offers_section(
    ctx: Context, leverage: Any, offers: Sequence[Paragraph], missing: Sequence[str]
) -> Section:
    """Recommended asks (rule ASK-LEVERAGE) and offers (rules fed by other analyses)."""
    maker = FigureMaker("leverage", leverage, ctx.fx)
    bullets = []
    for r in leverage_asks(leverage.rows, ctx.rules.n_asks).to_dict(orient="records"):
        cost = maker.cell(r, "partner_cost_of_losing_home_usd", label="partner cost of losing home")
        value = maker.cell(r, "home_exports_to_partner_usd", label="home exports to partner")
        share = maker.cell(
            r, "home_share_of_partner_imports", label="home share of partner imports"
        )
        what = product_phrase(r.get("description", ""), str(r["code"]))
        bounded = cost.value is not None and math.isfinite(cost.value)
        cost_text = cost.text if bounded else "an unbounded amount (sole supplier)"
        bullets.append(
            Paragraph(
                f"Ask (ASK-LEVERAGE): relief for {what} ({r['code']}): {ctx.partner_name} would "
                f"pay about {cost_text} more to replace {possessive(ctx.home_name)} {value.text} "
                f"({share.text} of its imports){_scope(ctx)}.",
                (cost, value, share) if bounded else (value, share),
                share.source.tag(),
            )
        )
    bullets.extend(offers)
    paras = [
        Paragraph(
            "Derived from the numbers above by the rules stated in the method section; the "
            "negotiating team decides."
        )
    ]
    paras.extend(Paragraph(f"Not available: {m}") for m in missing)
    return Section(
        key="asks_offers",
        title="Recommended asks and offers",
        paragraphs=tuple(paras),
        bullets=tuple(bullets),
    )


def method_section(ctx: Context, assumptions: Sequence[str], extra: Sequence[str] = ()) -> Section:
    """Method and assumptions: notes common to the analyses, rules for asks and offers, rate.

    Notes particular to one analysis are printed in that analysis's section.
    """
    paras = [
        Paragraph(
            "Common to the analyses (each section adds its own notes): the figures come from "
            "tradelever's analyses of the data sets listed under Sources."
        ),
        *(Paragraph(cap(a) + ("" if a.endswith(".") else ".")) for a in assumptions),
    ]
    rules = tuple(Paragraph(f"{name}: {text}") for name, text in RULES.items())
    notes = list(extra)
    if ctx.fx is not None:
        notes.append(ctx.fx.statement() + ".")
    return Section(
        key="method",
        title="Method and assumptions",
        paragraphs=tuple(paras),
        bullets=rules,
        notes=tuple(notes),
    )


def sources_from_results(results: dict[str, Any]) -> tuple[SourceRecord, ...]:
    """One record per data set (name, release, year) behind the results, with their users."""
    records: dict[tuple[str, str, Any], dict[str, Any]] = {}
    for key, result in results.items():
        for prov in provenances(result):
            ident = (str(prov.get("name", "")), str(prov.get("version", "")), prov.get("year"))
            rec = records.setdefault(ident, {"prov": prov, "used_by": []})
            if key not in rec["used_by"]:
                rec["used_by"].append(key)
    out = []
    for (name, release, year), rec in records.items():
        prov = rec["prov"]
        out.append(
            SourceRecord(
                name=name,
                source=str(prov.get("source", "")),
                release=release,
                year=int(year) if year is not None else None,
                classification=str(prov.get("classification", "")),
                licence=str(prov.get("licence", "")),
                citation=str(prov.get("citation", "")),
                retrieved_at=str(prov.get("retrieved_at", "")),
                sha256=str(prov.get("sha256", "")),
                used_by=tuple(rec["used_by"]),
            )
        )
    return tuple(out)
