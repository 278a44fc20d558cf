"""What every section of the brief knows about the question: countries, data, date, rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tradelever.brief.money import FxRate
from tradelever.brief.rules import Rules
from tradelever.brief.text import INTERMEDIATE_ONLY

__all__ = ["Context", "is_intermediate_only", "is_single_reporter"]


@dataclass(frozen=True)
class Context:
    """The brief's question and settings, passed to every section builder.

    ``home_name`` and the other names are sentence forms ("the United States");
    ``date`` is the brief's date, on which tariff rates and exemptions are read.
    """

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
    date: dt.date
    fx: FxRate | None = None
    top: int = 5
    rules: Rules = field(default_factory=Rules)
    shared_notes: frozenset[str] = frozenset()
    single_reporter: bool = False

    @property
    def scope(self) -> str:
        """The words "(intermediate goods only)" on ICIO data, else empty."""
        return f" ({INTERMEDIATE_ONLY})" if self.intermediate_only else ""


def is_intermediate_only(result: Any) -> bool:
    """True when the result's data set holds intermediate goods only (ICIO), from its record."""
    prov = getattr(result, "provenance", {}) or {}
    texts = [str(prov.get("note", "")), *map(str, getattr(result, "assumptions", []) or [])]
    return any(t.lower().startswith(INTERMEDIATE_ONLY) for t in texts)


def is_single_reporter(result: Any) -> bool:
    """True when the data set has one importer only (US Census imports): world shares are null."""
    rows = getattr(result, "rows", None)
    if rows is None or "home_world_export_share" not in getattr(rows, "columns", ()):
        return False
    return bool(len(rows)) and bool(rows["home_world_export_share"].isna().all())
