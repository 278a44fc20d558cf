"""Making :class:`~tradelever.brief.model.Figure` objects from analysis results.

A :class:`FigureMaker` is bound to one analysis result (its key in ``Brief.results``, its
provenance) and the brief's exchange rate; every figure it makes records the column and row
it was read from, so :meth:`Brief.check_figures` can compare it with the result.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from tradelever.brief.model import Figure, FigureSource, figure_text, summary_value
from tradelever.brief.money import FxRate, is_number, prose_text
from tradelever.labels import LABELS

__all__ = ["FigureMaker", "group_codes", "humanise", "plain", "provenances", "unit_for"]


def provenances(result: Any) -> list[Mapping[str, Any]]:
    """The data set records behind a result.

    Usually ``result.provenance`` itself; a comparison of two runs nests one record per run
    (``{"a": {...}, "b": {...}}``), and each is returned.
    """
    prov = getattr(result, "provenance", None) or {}
    if not isinstance(prov, Mapping):
        return []
    if "name" in prov or "source" in prov:
        return [prov]
    return [v for v in prov.values() if isinstance(v, Mapping) and ("name" in v or "source" in v)]


_GROUP_NOTE = re.compile(r"^group (\S+) \([^)]*\): HS ([^;]+);")


def group_codes(result: Any) -> dict[str, tuple[str, ...]]:
    """Member codes of each product group, from the group notes of a group-level result.

    The leverage analysis states each group's definition in its assumptions as
    ``group NAME (HS17): HS 8541, 8542 excluding 854140; ...``; the code list of a group-level
    figure is that definition.
    """
    out: dict[str, tuple[str, ...]] = {}
    for note in getattr(result, "assumptions", None) or ():
        m = _GROUP_NOTE.match(str(note))
        if m:
            out[m.group(1)] = tuple(c.strip() for c in m.group(2).split(",") if c.strip())
    return out


_SHARE_HINTS = ("share", "weight", "_rate", "rate_", "_over_", "fraction", "pct", "overlap")


def unit_for(field: str) -> str:
    """The display unit of a column: its kind in :mod:`tradelever.labels`, else from its name.

    ``usd`` and ``share`` kinds keep their unit; other kinds are plain numbers. An unknown
    field: ``*_usd`` -> usd, share-like names -> share.
    """
    known = LABELS.get(field)
    if known is not None:
        return {"usd": "usd", "share": "share"}.get(known.kind, "number")
    name = field.lower()
    if name.endswith("_usd") or name.startswith("usd_"):
        return "usd"
    if name in ("rate", "exposure", "formula_rate", "announced_rate", "target_rate") or any(
        h in name for h in _SHARE_HINTS
    ):
        return "share"
    return "number"


_WORDS = {
    "usd": "(US$)",
    "hhi": "HHI",
    "rca": "RCA",
    "ces": "CES",
    "iso3": "ISO3",
    "gdp": "GDP",
    "va": "VA",
    "row": "rest of world",
}


def humanise(field: str) -> str:
    """A column name as a header: its registered label, else ``Partner imports (US$)``."""
    known = LABELS.get(field)
    if known is not None:
        return known.label[:1].upper() + known.label[1:]
    words = [_WORDS.get(w, w) for w in field.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_FIELD = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PLAIN = (
    (re.compile(r"\bis null in JSON\b"), "is left blank"),
    (re.compile(r"\bnull in JSON\b"), "left blank"),
    (re.compile(r"\b(are|is) null\b"), r"\1 left blank"),
    (re.compile(r"\bnull\b"), "blank"),
    (re.compile(r"`tradelever (\w[\w-]*)`"), r"the \1 analysis"),
    (re.compile(r"`([^`]*)`"), r"\1"),
)


def plain(note: str) -> str:
    """An analysis note in plain language: field names as their labels, no "null in JSON".

    ``partner_cost_of_losing_home_usd`` becomes "partner cost of losing home"; a name not
    in the label registry loses its underscores and unit suffix; a field defined by its own
    label ("X is the X") keeps one X; a parenthesised pointer to a repository file
    ("(benchmarks/...)"), which users do not have, is dropped.
    """
    text = _REPO_PATH.sub("", str(note))
    for pattern, repl in _PLAIN:
        text = pattern.sub(repl, text)

    def _label(m: re.Match[str]) -> str:
        name = m.group(0)
        known = LABELS.get(name)
        if known is not None:
            return known.label
        words = [w for w in name.split("_") if w not in ("usd",)]
        return " ".join(_WORDS.get(w, w) if w in ("hhi", "rca", "ces", "gdp") else w for w in words)

    text = _FIELD.sub(_label, text)
    # "annex_method_rate is the rate computed as the US did" -> a label defined by itself
    return _TAUTOLOGY.sub(r"\1", text)


#: "X is the X (...)" once a field name became its label: keep one X.
_TAUTOLOGY = re.compile(r"\b([a-z][\w ,-]{3,}?) is the \1\b")
#: A pointer to a file of the repository in parentheses ("(benchmarks/x.py)"): users do not
#: have it; the note stands without it.
_REPO_PATH = re.compile(r"\s*\((?:benchmarks|tools|src|tests|examples)/[\w./-]+\)")


def _float(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


class FigureMaker:
    """Figures read from one analysis result."""

    def __init__(
        self,
        analysis: str,
        result: Any,
        fx: FxRate | None,
        *,
        row_field: str = "code",
        default_codes: Sequence[str] = (),
    ) -> None:
        self.analysis = analysis
        self.result = result
        self.fx = fx
        self.row_field = row_field
        self.default_codes = tuple(default_codes)
        records = provenances(result)
        prov: Mapping[str, Any] = records[0] if records else {}
        params: Mapping[str, Any] = getattr(result, "params", {}) or {}
        self.dataset = str(
            prov.get("name") or params.get("dataset") or getattr(result, "dataset", "")
        )
        self.release = str(prov.get("version") or "")
        year = prov.get("year", params.get("year", getattr(result, "year", None)))
        self.year = int(year) if is_number(year) else None
        self.classification = str(prov.get("classification") or "")
        self.group_codes = group_codes(result)

    def citing(
        self,
        prov: Mapping[str, Any],
        *,
        dataset: str | None = None,
        year: int | None = None,
    ) -> FigureMaker:
        """The same maker, its figures cited to another provenance record of the result.

        For a result built from several data sets (the deal measures: the deal texts, the
        Census balance for exports, the Census lines and the tariff schedule for effective
        rates), each figure names the data it was computed from.
        """
        other = copy.copy(self)
        other.dataset = dataset or str(prov.get("name") or self.dataset)
        other.release = str(prov.get("version") or "")
        given = prov.get("year") if year is None else year
        other.year = int(given) if is_number(given) else None
        other.classification = str(prov.get("classification") or "")
        return other

    def _source(
        self,
        field: str,
        row: str | None,
        *,
        codes: Sequence[str],
        aggregate: str | None = None,
        row_field: str | None = None,
        table: str = "rows",
    ) -> FigureSource:
        return FigureSource(
            analysis=self.analysis,
            field=field,
            row=row,
            row_field=row_field,
            aggregate=aggregate,
            dataset=self.dataset,
            release=self.release,
            year=self.year,
            classification=self.classification,
            codes=tuple(str(c) for c in codes),
            table=table,
        )

    def make(self, key: str, label: str, value: Any, unit: str, source: FigureSource) -> Figure:
        """A figure from a value already read (the caller names its source)."""
        v = _float(value)
        return Figure(
            key=key,
            label=label,
            value=v,
            unit=unit,
            text=figure_text(v, unit, self.fx),
            source=source,
            prose=prose_text(v, unit, self.fx),
        )

    def cell(
        self,
        row: Mapping[str, Any],
        field: str,
        *,
        label: str | None = None,
        unit: str | None = None,
        position: int | None = None,
        table: str = "rows",
        codes: Sequence[str] | None = None,
    ) -> Figure:
        """The value of ``field`` in one row (identified by ``row_field`` or by position).

        ``table`` names the attribute of the result that holds the row (default ``rows``);
        ``codes`` the codes the figure's citation names (default: the row's, or for a row
        read by position the maker's ``default_codes``).
        """
        if position is not None or self.row_field not in row:
            ident, row_field = str(position), "#"
            codes = self.default_codes if codes is None else codes
        else:
            ident, row_field = str(row[self.row_field]), self.row_field
            if codes is None:
                codes = row.get("codes") or self.group_codes.get(ident) or (ident,)
            if isinstance(codes, str):
                codes = tuple(c.strip() for c in codes.split(",") if c.strip())
        src = self._source(field, ident, codes=codes, row_field=row_field, table=table)
        prefix = self.analysis if table == "rows" else f"{self.analysis}.{table}"
        return self.make(
            f"{prefix}.{ident}.{field}",
            label or humanise(field),
            row.get(field),
            unit or unit_for(field),
            src,
        )

    def summary(self, field: str, *, label: str | None = None, unit: str | None = None) -> Figure:
        """A scalar from the result's ``summary`` (or an attribute of the result)."""
        value = summary_value(self.result, field)
        src = self._source(field, None, codes=self.default_codes)
        return self.make(
            f"{self.analysis}.summary.{field}",
            label or humanise(field),
            value,
            unit or unit_for(field),
            src,
        )

    def ratio(
        self,
        field: str,
        denominator: str,
        *,
        label: str,
        codes: Sequence[str],
        key: str | None = None,
    ) -> Figure:
        """sum(field) / sum(denominator) over the rows whose ``row_field`` is in ``codes``.

        A share of a product scope made of several codes (HS 8541 + 8542): home's exports to
        the partner over the partner's imports, both summed over the scope.
        """
        rows = self.result.rows
        frame = rows[rows[self.row_field].astype(str).isin([str(c) for c in codes])]
        num = float(pd.to_numeric(frame[field], errors="coerce").sum())
        den = float(pd.to_numeric(frame[denominator], errors="coerce").sum())
        src = FigureSource(
            analysis=self.analysis,
            field=field,
            row=None,
            row_field=self.row_field,
            aggregate="ratio",
            dataset=self.dataset,
            release=self.release,
            year=self.year,
            classification=self.classification,
            codes=tuple(str(c) for c in codes),
            denominator=denominator,
        )
        name = key or f"{self.analysis}.ratio.{field}.{'+'.join(codes)}"
        return self.make(name, label, num / den if den else None, "share", src)

    def total(
        self,
        field: str,
        *,
        label: str,
        unit: str | None = None,
        codes: Sequence[str] = (),
    ) -> Figure:
        """The sum of ``field`` over the rows whose ``row_field`` is in ``codes`` (all if empty)."""
        rows = self.result.rows
        frame = rows
        if codes:
            frame = rows[rows[self.row_field].astype(str).isin([str(c) for c in codes])]
        value = float(pd.to_numeric(frame[field], errors="coerce").sum())
        src = self._source(field, None, codes=codes, aggregate="sum", row_field=self.row_field)
        suffix = "+".join(str(c) for c in codes) if codes else "all"
        return self.make(
            f"{self.analysis}.sum.{field}.{suffix}", label, value, unit or unit_for(field), src
        )
