"""The negotiation brief: a structured, sourced research note built from analysis results.

:func:`build_brief` runs the analyses on a session and returns a :class:`Brief`; the brief
renders to Markdown (:meth:`Brief.to_markdown`), self-contained HTML with inline SVG charts
(:meth:`Brief.to_html`) and PDF (:meth:`Brief.to_pdf`, WeasyPrint). Every figure carries its
source (:class:`Figure`, :class:`FigureSource`).
"""

from __future__ import annotations

from tradelever.brief.build import build_brief
from tradelever.brief.model import Brief, Figure, FigureSource, Paragraph, Section
from tradelever.brief.money import FxRate
from tradelever.brief.rules import RULES, Rules

__all__ = [
    "RULES",
    "Brief",
    "Figure",
    "FigureSource",
    "FxRate",
    "Paragraph",
    "Rules",
    "Section",
    "build_brief",
]
