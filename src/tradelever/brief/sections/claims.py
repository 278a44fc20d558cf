"""Annex: the figures of a research note, checked against the data (``brief --claims FILE``).

One row per claim of the claims file (:mod:`tradelever.analysis.claims`): the claim as the
note worded it, the verdict (supported, contradicted, not checkable), the claimed and the
recomputed value, and the notes (year or scope differs, what data would settle it).
"""

from __future__ import annotations

from typing import Any

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker, plain
from tradelever.brief.model import Bullets, Note, Section, Table, para
from tradelever.brief.money import fmt_number, is_number
from tradelever.brief.text import sentence

__all__ = ["TITLE", "build"]

TITLE = "Annex: claims checked"
_VERDICT = {
    "supported": "supported",
    "contradicted": "contradicted",
    "not_checkable": "not checkable",
}


#: Units of a claims file as figure units; anything else (a rank, a count) is printed as given.
_UNITS = {"share": "share", "usd": "usd", "us$": "usd"}


def build(ctx: Context, result: Any) -> Section:
    """The annex."""
    rows = result.rows
    maker = FigureMaker("claims", result, ctx.fx, row_field="id")
    counts = rows["verdict"].value_counts().to_dict()
    blocks: list[Any] = [
        para(
            "{title}: {n} claims; {s} supported, {c} contradicted, {u} not checkable with the "
            "data at hand.",
            title=str((result.params or {}).get("title", "Claims file")),
            n=len(rows),
            s=counts.get("supported", 0),
            c=counts.get("contradicted", 0),
            u=counts.get("not_checkable", 0),
        )
    ]
    body = []
    details = []
    for rec in rows.to_dict(orient="records"):
        given = str(rec.get("unit") or "").strip()
        unit = _UNITS.get(given.lower())
        claimed: Any
        if unit is None:  # a rank or a count: the figure with its own unit, as text
            value = rec.get("claimed")
            claimed = f"{given} {fmt_number(value)}".strip() if is_number(value) else "-"
            unit = "number"
        else:
            claimed = maker.cell(rec, "claimed", unit=unit, label="claimed")
        recomputed = (
            maker.cell(rec, "recomputed", unit=unit, label="recomputed")
            if is_number(rec.get("recomputed"))
            else "-"
        )
        where = f"{rec['dataset']}, {rec.get('year') or '-'}" if rec.get("dataset") else "-"
        body.append(
            (
                str(rec["id"]),
                str(rec.get("text", "")),
                _VERDICT.get(str(rec["verdict"]), str(rec["verdict"])),
                claimed,
                recomputed,
                where,
            )
        )
        notes = [sentence(plain(n)) for n in rec.get("notes") or []]
        details.append(
            para(
                "{id} ({verdict}): {notes}",
                id=rec["id"],
                verdict=_VERDICT.get(str(rec["verdict"]), str(rec["verdict"])),
                notes=" ".join(notes) or "no notes.",
            )
        )
    blocks.append(
        Table(
            ("claim", "as stated", "verdict", "claimed", "recomputed", "data, year"),
            tuple(body),
            f"Claims file: {(result.params or {}).get('file', '')}. Source of each claim: "
            f"{(result.params or {}).get('source', '')}",
        )
    )
    blocks.append(Bullets(tuple(details)))
    blocks.append(
        Note(
            "A claim is supported when the recomputed value is within the tolerance the claims "
            "file states (and says why); not checkable when the data cannot give the figure "
            "for the claimed year, basis or measure."
        )
    )
    return Section("claims", TITLE, tuple(blocks))
