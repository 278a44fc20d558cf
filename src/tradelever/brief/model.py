"""The structured brief: sections of typed blocks, figures as data, and their sources.

A :class:`Brief` is plain data built once (by :mod:`tradelever.brief.build`) from analysis
results and then rendered (Markdown, HTML, PDF) without recomputing anything. A section is a
sequence of *blocks*:

- :class:`Paragraph`: text made of *parts*, each a plain string or a :class:`Figure`; a
  renderer escapes every string for its format and prints a figure as its own element, so a
  figure's text is never searched for or substituted inside rendered markup;
- :class:`Bullets`: a list of paragraphs (asks, offers, precedents);
- :class:`Table`: header labels, rows of cells (text or figures, at full precision) and a
  caption;
- :class:`Chart`: an inline SVG drawn by :mod:`tradelever.brief.charts`, its data in words
  and a caption;
- :class:`Note`: a plain-language note on method or scope.

Every number a reader sees is a :class:`Figure`: its value, the text it is printed as in
tables (full precision) and in sentences (rounded to what the data supports), and a
:class:`FigureSource` naming the analysis result, column and row it was read from, plus the
data set, release, year, classification and code list behind it. ``Brief.results`` keeps the
analysis results themselves, so a test (or a sceptical reader) can check every figure against
the output it came from (:meth:`Brief.check_figures`).
"""

from __future__ import annotations

import datetime as dt
import math
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tradelever.brief.money import (
    FxRate,
    fmt_number,
    fmt_points,
    fmt_share,
    fmt_usd,
    is_number,
    prose_text,
)

__all__ = [
    "Block",
    "Brief",
    "Bullets",
    "Chart",
    "Figure",
    "FigureSource",
    "Note",
    "Paragraph",
    "Section",
    "SourceRecord",
    "Table",
    "figure_text",
    "para",
]

UNITS = ("usd", "share", "number", "rate", "points", "year")


@dataclass(frozen=True)
class FigureSource:
    """Where a figure comes from.

    Attributes
    ----------
    analysis
        Key of the analysis result in :attr:`Brief.results` (``"leverage"``, ``"exposure"``...).
    field
        Column of the result's rows, or key of its ``summary`` when ``row_field`` is ``None``
        and ``aggregate`` is ``None``.
    row
        Value identifying the row (a product code, a country), ``None`` for summary figures
        and aggregates.
    row_field
        Column holding ``row`` (``"code"``); ``"#"`` means the row position.
    aggregate
        ``"sum"``: the sum of ``field`` over the rows whose ``row_field`` is in ``codes`` (all
        rows when ``codes`` is empty); ``"ratio"``: that sum divided by the sum of
        ``denominator`` over the same rows.
    dataset, release, year, classification
        The data set record behind the analysis.
    codes
        The code list the figure covers (product codes, industries or countries).
    table
        Attribute of the result holding the rows (``rows``; ``home_rows`` for the home view of
        a scenario).
    denominator
        The column divided by, for ``aggregate="ratio"``.
    """

    analysis: str
    field: str
    row: str | None
    row_field: str | None
    aggregate: str | None
    dataset: str
    release: str
    year: int | None
    classification: str
    codes: tuple[str, ...] = ()
    table: str = "rows"
    denominator: str | None = None

    def tag(self) -> str:
        """One-line citation: data set, year, classification and codes."""
        parts = [self.dataset]
        if self.year is not None:
            parts.append(str(self.year))
        codes = ", ".join(self.codes) if self.codes else "all codes"
        if len(self.codes) > 12:
            codes = ", ".join(self.codes[:12]) + f" and {len(self.codes) - 12} more"
        label = self.classification
        by_row = self.row is not None and self.row_field != "#"
        if by_row and self.codes and self.codes != (self.row,):
            label = f"{label} {self.row}".strip()  # a group: its name, then its member codes
        parts.append(f"{label}: {codes}" if label else codes)
        return "; ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "analysis": self.analysis,
            "field": self.field,
            "row": self.row,
            "row_field": self.row_field,
            "aggregate": self.aggregate,
            "denominator": self.denominator,
            "dataset": self.dataset,
            "release": self.release,
            "year": self.year,
            "classification": self.classification,
            "codes": list(self.codes),
            "table": self.table,
        }


def figure_text(value: Any, unit: str, fx: FxRate | None = None) -> str:
    """Table text of a value, at full display precision.

    US dollars (with the home currency when ``fx`` is given), share, rate (a share),
    percentage points (a difference of rates), year or number.
    """
    if unit == "usd":
        usd = fmt_usd(value)
        if fx is not None and is_number(value):
            return f"{usd} ({fx.fmt(value)})"
        return usd
    if unit in ("share", "rate"):
        return fmt_share(value)
    if unit == "points":
        return fmt_points(value)
    if unit == "year":
        return str(int(value)) if is_number(value) else "-"
    return fmt_number(value)


@dataclass(frozen=True)
class Figure:
    """One number in the brief: value, table text, sentence text and source."""

    key: str
    label: str
    value: float | None
    unit: str
    text: str
    source: FigureSource
    prose: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"Figure {self.key}: unit {self.unit!r} not in {UNITS}")
        if not self.prose:
            object.__setattr__(self, "prose", self.text)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        value = self.value
        if value is not None and not math.isfinite(value):
            value = None
        return {
            "key": self.key,
            "label": self.label,
            "value": value,
            "unit": self.unit,
            "text": self.text,
            "prose": self.prose,
            "source": self.source.to_dict(),
        }


def rounded_figure(fig: Figure, fx: FxRate | None = None) -> Figure:
    """The same figure with its sentence text rounded (see :func:`money.prose_text`)."""
    return Figure(
        fig.key,
        fig.label,
        fig.value,
        fig.unit,
        fig.text,
        fig.source,
        prose_text(fig.value, fig.unit, fx),
    )


Part = str | Figure


@dataclass(frozen=True)
class Paragraph:
    """A sentence or short paragraph: plain-text parts and figures, and its source tag.

    ``kind`` is ``text`` for ordinary prose, or a label for a recommendation (``ask``,
    ``offer``, ``protect``, ``precedent``) that renderers may style.
    """

    parts: tuple[Part, ...]
    source_tag: str | None = None
    kind: str = "text"

    @property
    def text(self) -> str:
        """The paragraph as plain text (figures in their sentence form)."""
        return "".join(p.prose if isinstance(p, Figure) else p for p in self.parts)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """The figures printed in the paragraph, in order."""
        return tuple(p for p in self.parts if isinstance(p, Figure))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "text": self.text,
            "kind": self.kind,
            "source_tag": self.source_tag,
            "figures": [f.to_dict() for f in self.figures],
        }


_FORMATTER = string.Formatter()


def para(
    template: str, /, *, source: str | None = None, kind: str = "text", **values: Any
) -> Paragraph:
    """A paragraph from a template: ``{name}`` fields take a :class:`Figure` or plain text.

    Literal text and text values stay plain strings (escaped by the renderers); figures stay
    figures. ``{{`` and ``}}`` print braces. ``source`` defaults to the tag of the first
    figure.

    >>> para("Plain {what}.", what="text").text
    'Plain text.'
    """
    parts: list[Part] = []
    for literal, name, spec, conv in _FORMATTER.parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if spec or conv:
            raise ValueError(f"para: field {{{name}}} takes no format spec or conversion")
        value = values[name]
        parts.append(value if isinstance(value, Figure) else str(value))
    merged: list[Part] = []
    for p in parts:  # join adjacent strings
        if merged and isinstance(p, str) and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + p
        else:
            merged.append(p)
    figs = [p for p in merged if isinstance(p, Figure)]
    tag = source if source is not None else (figs[0].source.tag() if figs else None)
    return Paragraph(tuple(merged), tag or None, kind)


@dataclass(frozen=True)
class Bullets:
    """A list of paragraphs."""

    items: tuple[Paragraph, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {"type": "bullets", "items": [p.to_dict() for p in self.items]}


@dataclass(frozen=True)
class Table:
    """A small table: header labels, rows of cells (text or :class:`Figure`) and a caption."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str

    def figures(self) -> Iterator[Figure]:
        """Every figure in the cells."""
        for row in self.rows:
            for cell in row:
                if isinstance(cell, Figure):
                    yield cell

    @staticmethod
    def cell_text(cell: Any) -> str:
        """Printed text of a cell (figures at full precision)."""
        return cell.text if isinstance(cell, Figure) else str(cell)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "type": "table",
            "headers": list(self.headers),
            "caption": self.caption,
            "rows": [[self.cell_text(c) for c in row] for row in self.rows],
        }


@dataclass(frozen=True)
class Chart:
    """A static chart: inline SVG text, a title, alternative text and a caption with sources.

    The SVG is drawn by :mod:`tradelever.brief.charts` (matplotlib escapes the text it
    writes); every other field is plain text, escaped by the renderers.
    """

    key: str
    title: str
    svg: str
    alt: str
    caption: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (without the SVG)."""
        return {
            "type": "chart",
            "key": self.key,
            "title": self.title,
            "alt": self.alt,
            "caption": self.caption,
        }


@dataclass(frozen=True)
class Note:
    """A plain-language note on method or scope (printed small, after the section's body)."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {"type": "note", "text": self.text}


Block = Paragraph | Bullets | Table | Chart | Note


@dataclass(frozen=True)
class Section:
    """One section of the brief: a key, a title and its blocks in reading order.

    ``available`` is ``False`` when the analysis behind the section is missing or does not
    apply; ``unavailable_reason`` then says why, and the section holds no figures.
    """

    key: str
    title: str
    blocks: tuple[Block, ...] = ()
    available: bool = True
    unavailable_reason: str | None = None

    def figures(self) -> Iterator[Figure]:
        """Every figure printed in the section."""
        for b in self.blocks:
            if isinstance(b, Paragraph):
                yield from b.figures
            elif isinstance(b, Bullets):
                for p in b.items:
                    yield from p.figures
            elif isinstance(b, Table):
                yield from b.figures()

    def paragraphs(self) -> Iterator[Paragraph]:
        """Every paragraph (bullets included), in order."""
        for b in self.blocks:
            if isinstance(b, Paragraph):
                yield b
            elif isinstance(b, Bullets):
                yield from b.items

    def of_type(self, kind: type) -> list[Any]:
        """The blocks of one type."""
        return [b for b in self.blocks if isinstance(b, kind)]

    @property
    def tables(self) -> list[Table]:
        """The section's tables."""
        return self.of_type(Table)

    @property
    def charts(self) -> list[Chart]:
        """The section's charts."""
        return self.of_type(Chart)

    @property
    def notes(self) -> list[str]:
        """The section's notes as text."""
        return [n.text for n in self.of_type(Note)]

    def text(self) -> str:
        """Every paragraph's plain text, one per line (for tests and search)."""
        return "\n".join(p.text for p in self.paragraphs())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        blocks = []
        for b in self.blocks:
            d = b.to_dict()
            if isinstance(b, Paragraph):
                d = {"type": "paragraph", **d}
            blocks.append(d)
        return {
            "key": self.key,
            "title": self.title,
            "available": self.available,
            "unavailable_reason": self.unavailable_reason,
            "blocks": blocks,
        }


@dataclass(frozen=True)
class SourceRecord:
    """A public source behind figures of the brief: a data set, an instrument, a text."""

    name: str
    source: str
    release: str = ""
    year: int | None = None
    classification: str = ""
    licence: str = ""
    citation: str = ""
    url: str = ""
    retrieved_at: str = ""
    sha256: str = ""
    used_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "name": self.name,
            "source": self.source,
            "release": self.release,
            "year": self.year,
            "classification": self.classification,
            "licence": self.licence,
            "citation": self.citation,
            "url": self.url,
            "retrieved_at": self.retrieved_at,
            "sha256": self.sha256,
            "used_by": list(self.used_by),
        }


def _value_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and (b is None or (isinstance(b, float) and math.isnan(b)))
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        return math.isnan(fa) and math.isnan(fb)
    if math.isinf(fa) or math.isinf(fb):
        return fa == fb
    return math.isclose(fa, fb, rel_tol=1e-12, abs_tol=1e-12)


def summary_value(result: Any, name: str) -> Any:
    """A scalar of a result's ``summary``; ``a.b`` reads key ``b`` of the mapping ``a``.

    ``a`` may also be an attribute of the result holding a mapping (``ScenarioResult.home``).
    Falls back to an attribute of the result (``LeverageResult.year``).
    """
    summary = getattr(result, "summary", None) or {}
    if name in summary:
        return summary[name]
    head, _, tail = name.partition(".")
    if tail:
        block = summary.get(head)
        if not isinstance(block, Mapping):
            block = getattr(result, head, None)
        if isinstance(block, Mapping):
            return block[tail]
    return getattr(result, name)


def lookup_value(result: Any, source: FigureSource) -> Any:
    """Read the value a :class:`FigureSource` points at from an analysis result."""
    rows = getattr(result, source.table, None)
    if source.aggregate in ("sum", "ratio"):
        frame = rows
        if source.codes and source.row_field:
            frame = rows[rows[source.row_field].astype(str).isin(source.codes)]
        total = float(pd.to_numeric(frame[source.field], errors="coerce").sum())
        if source.aggregate == "sum":
            return total
        den = float(pd.to_numeric(frame[source.denominator], errors="coerce").sum())
        return total / den if den else None
    if source.row is None:
        return summary_value(result, source.field)
    if source.row_field == "#":
        return rows.iloc[int(source.row)][source.field]
    match = rows[rows[source.row_field].astype(str) == str(source.row)]
    if len(match) != 1:
        raise LookupError(
            f"{source.analysis}: {len(match)} rows with {source.row_field}={source.row}"
        )
    return match.iloc[0][source.field]


@dataclass(frozen=True)
class Brief:
    """A negotiation brief: a title block, sections of blocks, sources, assumptions.

    Render with :meth:`to_markdown`, :meth:`to_html` or :meth:`to_pdf`; :meth:`to_dict` gives
    the JSON form (without the charts' SVG).
    """

    title: str
    subtitle: str
    home: str
    partner: str
    rival: str | None
    dataset: str
    year: int
    level: str
    generated_on: dt.date
    headline: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    sources: tuple[SourceRecord, ...]
    assumptions: tuple[str, ...]
    fx: FxRate | None = None
    tariff_schedule: str | None = None
    results: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def section(self, key: str) -> Section:
        """The section with this key."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def figures(self) -> list[Figure]:
        """Every figure printed in the brief (headline first), in reading order."""
        out: list[Figure] = []
        for p in self.headline:
            out.extend(p.figures)
        for s in self.sections:
            out.extend(s.figures())
        return out

    def prose_figures(self) -> list[Figure]:
        """The figures printed in sentences (headline and paragraphs, not tables)."""
        out: list[Figure] = []
        for p in self.headline:
            out.extend(p.figures)
        for s in self.sections:
            for p in s.paragraphs():
                out.extend(p.figures)
        return out

    def check_figures(self) -> list[str]:
        """Compare every figure with the analysis output it names; return the mismatches."""
        problems = []
        for fig in self.figures():
            result = self.results.get(fig.source.analysis)
            if result is None:
                problems.append(f"{fig.key}: no result {fig.source.analysis!r}")
                continue
            try:
                expected = lookup_value(result, fig.source)
            except (KeyError, LookupError, IndexError) as exc:
                problems.append(f"{fig.key}: {exc}")
                continue
            if not _value_equal(fig.value, expected):
                problems.append(f"{fig.key}: brief has {fig.value!r}, analysis has {expected!r}")
        return problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the whole brief (charts without their SVG)."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "home": self.home,
            "partner": self.partner,
            "rival": self.rival,
            "dataset": self.dataset,
            "year": self.year,
            "level": self.level,
            "generated_on": self.generated_on.isoformat(),
            "fx": self.fx.to_dict() if self.fx else None,
            "tariff_schedule": self.tariff_schedule,
            "headline": [p.to_dict() for p in self.headline],
            "sections": [s.to_dict() for s in self.sections],
            "sources": [s.to_dict() for s in self.sources],
            "assumptions": list(self.assumptions),
        }

    def to_markdown(self) -> str:
        """The brief as Markdown (for editing); every data value escaped."""
        from tradelever.brief.render_markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """The brief as one self-contained HTML page (inline CSS and SVG charts)."""
        from tradelever.brief.render_html import render_html

        return render_html(self)

    def to_pdf(self, path: str | Path | None = None) -> bytes:
        """The brief as PDF (WeasyPrint); written to ``path`` when given. Returns the bytes."""
        from tradelever.brief.render_pdf import render_pdf

        return render_pdf(self, path)

    def save(self, path: str | Path) -> Path:
        """Write the brief in the format named by the file suffix (.md, .html, .pdf)."""
        from tradelever.brief.render_pdf import save

        return save(self, path)
