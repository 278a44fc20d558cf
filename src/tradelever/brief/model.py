"""The structured brief: sections, headline numbers and figures with their source records.

A :class:`Brief` is plain data built once (by :mod:`tradelever.brief.build`) from analysis
results and then rendered (Markdown, HTML, PDF) without recomputing anything. Every number a
reader sees is a :class:`Figure`: its value, the text it is printed as, and a
:class:`FigureSource` naming the analysis result, column and row it was read from, plus the
data set, release, year, classification and code list behind it. ``Brief.results`` keeps the
analysis results themselves, so a test (or a sceptical reader) can check every figure against
the output it came from (:meth:`Brief.check_figures`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tradelever.brief.money import FxRate, fmt_number, fmt_share, fmt_usd, is_number

__all__ = [
    "Brief",
    "Chart",
    "Figure",
    "FigureSource",
    "Paragraph",
    "Section",
    "SourceRecord",
    "Table",
    "figure_text",
]

UNITS = ("usd", "share", "number")


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
        ``"sum"`` when the figure is the sum of ``field`` over the rows listed in ``codes``
        (all rows of the result when ``codes`` is empty).
    dataset, release, year, classification
        The data set record behind the analysis.
    codes
        The code list the figure covers (product codes, industries or countries).
    table
        Attribute of the result holding the rows (``rows``; ``home_rows`` for the home view of
        a scenario).
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

    def tag(self) -> str:
        """One-line citation: data set (release), year, classification and codes."""
        parts = [f"{self.dataset} ({self.release})" if self.release else self.dataset]
        if self.year is not None:
            parts.append(str(self.year))
        codes = ", ".join(self.codes) if self.codes else "all codes"
        if len(self.codes) > 12:
            codes = ", ".join(self.codes[:12]) + f" and {len(self.codes) - 12} more"
        label = self.classification
        if self.row is not None and self.codes and self.codes != (self.row,):
            label = f"{label} {self.row}".strip()  # a group: its name, then its member codes
        parts.append(f"{label}: {codes}" if label else codes)
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "analysis": self.analysis,
            "field": self.field,
            "row": self.row,
            "row_field": self.row_field,
            "aggregate": self.aggregate,
            "dataset": self.dataset,
            "release": self.release,
            "year": self.year,
            "classification": self.classification,
            "codes": list(self.codes),
            "table": self.table,
        }


def figure_text(value: Any, unit: str, fx: FxRate | None = None) -> str:
    """Format a value: US dollars (with the home currency when ``fx`` is given), share, number."""
    if unit == "usd":
        usd = fmt_usd(value)
        if fx is not None and is_number(value):
            return f"{usd} ({fx.fmt(value)})"
        return usd
    if unit == "share":
        return fmt_share(value)
    return fmt_number(value)


@dataclass(frozen=True)
class Figure:
    """One number in the brief, with the text it is printed as and its source."""

    key: str
    label: str
    value: float | None
    unit: str
    text: str
    source: FigureSource

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"Figure {self.key}: unit {self.unit!r} not in {UNITS}")

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
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Paragraph:
    """A sentence or short paragraph and the figures printed in it (with its source tag)."""

    text: str
    figures: tuple[Figure, ...] = ()
    source_tag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "text": self.text,
            "source_tag": self.source_tag,
            "figures": [f.to_dict() for f in self.figures],
        }


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
        """Printed text of a cell."""
        return cell.text if isinstance(cell, Figure) else str(cell)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "headers": list(self.headers),
            "caption": self.caption,
            "rows": [[self.cell_text(c) for c in row] for row in self.rows],
        }


@dataclass(frozen=True)
class Chart:
    """A static chart: inline SVG text, a title, alternative text and a caption with sources."""

    key: str
    title: str
    svg: str
    alt: str
    caption: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (without the SVG)."""
        return {"key": self.key, "title": self.title, "alt": self.alt, "caption": self.caption}


@dataclass(frozen=True)
class Section:
    """One section of the brief.

    ``available`` is ``False`` when the analysis behind the section is missing or failed;
    ``unavailable_reason`` then says why, and the section holds no figures.
    """

    key: str
    title: str
    available: bool = True
    unavailable_reason: str | None = None
    paragraphs: tuple[Paragraph, ...] = ()
    bullets: tuple[Paragraph, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()

    def figures(self) -> Iterator[Figure]:
        """Every figure printed in the section."""
        for p in (*self.paragraphs, *self.bullets):
            yield from p.figures
        for t in self.tables:
            yield from t.figures()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "key": self.key,
            "title": self.title,
            "available": self.available,
            "unavailable_reason": self.unavailable_reason,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "bullets": [p.to_dict() for p in self.bullets],
            "tables": [t.to_dict() for t in self.tables],
            "charts": [c.to_dict() for c in self.charts],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SourceRecord:
    """A data set (or tariff schedule) behind figures of the brief."""

    name: str
    source: str
    release: str
    year: int | None
    classification: str
    licence: str
    citation: str = ""
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
    if source.aggregate == "sum":
        frame = rows
        if source.codes and source.row_field:
            frame = rows[rows[source.row_field].astype(str).isin(source.codes)]
        return float(pd.to_numeric(frame[source.field], errors="coerce").sum())
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
    """A negotiation brief: headline numbers, sections, sources, assumptions.

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
        """The brief as Markdown (for editing)."""
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
