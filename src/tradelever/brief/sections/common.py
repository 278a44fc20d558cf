"""Helpers shared by the section builders: tables of results, notes, unavailable sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradelever.brief.context import Context
from tradelever.brief.figures import FigureMaker, humanise, plain, unit_for
from tradelever.brief.model import Figure, Note, Paragraph, Section, Table
from tradelever.brief.text import sentence

__all__ = [
    "Points",
    "caption",
    "notes",
    "result_table",
    "unavailable",
]


@dataclass
class Points:
    """Recommendations a section yields for the bottom line, best first."""

    asks: list[Paragraph] = field(default_factory=list)
    offers: list[Paragraph] = field(default_factory=list)
    protect: list[Paragraph] = field(default_factory=list)
    precedents: list[Paragraph] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def extend(self, other: Points) -> None:
        """Add another section's points after these."""
        self.asks += other.asks
        self.offers += other.offers
        self.protect += other.protect
        self.precedents += other.precedents
        self.missing += other.missing


def unavailable(key: str, title: str, reason: str) -> Section:
    """A section whose analysis is missing or does not apply: it says why, with no figures."""
    return Section(key=key, title=title, available=False, unavailable_reason=reason)


def caption(maker: FigureMaker, extra: str = "") -> str:
    """``Source: <data set>, <year>, <classification> codes. <extra>``."""
    cls = f", {maker.classification} codes" if maker.classification else ""
    year = f", {maker.year}" if maker.year is not None else ""
    return f"Source: {maker.dataset}{year}{cls}.{(' ' + extra) if extra else ''}"


def notes(ctx: Context, result: Any, *, skip: Sequence[str] = ()) -> tuple[Note, ...]:
    """The result's assumptions in plain language, less those stated once in the method."""
    out = []
    for a in getattr(result, "assumptions", ()) or ():
        text = str(a)
        if text in ctx.shared_notes or any(text.startswith(s) for s in skip):
            continue
        out.append(Note(sentence(plain(text))))
    return tuple(out)


def result_table(
    ctx: Context,
    maker: FigureMaker,
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    headers: Sequence[str] | None = None,
    extra_caption: str = "",
    top: int | None = None,
    table: str = "rows",
    by_position: bool = False,
    units: dict[str, str] | None = None,
) -> Table | None:
    """The first rows of a result as a table: numeric cells are figures at full precision."""
    cols = [c for c in columns if c in frame.columns]
    shown = frame.head(top or ctx.top)
    if not len(shown):
        return None
    rows = []
    for pos, rec in enumerate(shown.to_dict(orient="records")):
        cells: list[Any] = []
        for c in cols:
            value = rec.get(c)
            numeric = pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
                frame[c]
            )
            if numeric and c != "year":
                unit = (units or {}).get(c) or unit_for(c)
                cells.append(
                    maker.cell(
                        rec,
                        c,
                        unit=unit,
                        position=pos if by_position or maker.row_field not in rec else None,
                        table=table,
                    )
                )
            elif isinstance(value, float) and np.isnan(value):
                cells.append("-")
            else:
                cells.append("" if value is None else str(value))
        rows.append(tuple(cells))
    heads = tuple(headers) if headers else tuple(humanise(c) for c in cols)
    cap = caption(maker, f"First {len(rows)} of {len(frame)} rows. {extra_caption}".strip())
    return Table(heads, tuple(rows), cap)


def first_figure(paragraph: Paragraph) -> Figure | None:
    """The first figure of a paragraph (for cards)."""
    return paragraph.figures[0] if paragraph.figures else None


def plain_section(ctx: Context, key: str, title: str, result: Any, intro: str) -> Section:
    """A result whose columns the section builder does not know, shown as it is.

    Its numeric summary values, its first rows as a table and its notes: figures are never
    made up.
    """
    from tradelever.brief.model import para

    frame = result.rows
    row_field = next((c for c in ("code", "country", "industry") if c in frame.columns), "code")
    maker = FigureMaker(key, result, ctx.fx, row_field=row_field)
    blocks: list[Any] = [para("{t}", t=intro)]
    for name, value in (getattr(result, "summary", None) or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            continue
        fig = maker.summary(name)
        blocks.append(para("{label}: {fig}.", label=fig.label, fig=fig))
    table = result_table(ctx, maker, frame, list(frame.columns))
    if table is not None:
        blocks.append(table)
    blocks.extend(notes(ctx, result))
    return Section(key, title, tuple(blocks))
