"""Rendering of results for the terminal: rich tables, stable JSON and CSV."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tradelever.formatting import fmt_usd
from tradelever.labels import label
from tradelever.options import FORMATS

if TYPE_CHECKING:  # pandas is imported where a table is printed: `--version` stays fast
    import pandas as pd

__all__ = [
    "Column",
    "OutputFormat",
    "columns",
    "dump_json",
    "fmt_pct",
    "fmt_usd",
    "frame_to_csv",
    "rich_table",
]

#: A table column: (field, header, formatter).
Column = tuple[str, str, Callable[[Any], str]]


#: Output formats of every command (an Enum for typer's choices, from the ``Format`` literal).
OutputFormat = StrEnum("OutputFormat", {f: f for f in FORMATS})  # type: ignore[misc]


def dump_json(obj: Any) -> str:
    """Stable JSON: keys in insertion order, NaN and infinities as ``null``."""
    from tradelever.analysis.result import dumps

    return dumps(obj, indent=2)


def columns(
    *fields: str, headers: Mapping[str, str] | None = None, width: int | None = None
) -> list[Column]:
    """Table columns for fields, headers and formats from the label registry.

    ``headers`` replaces a header where the table's context says more ("m: US imports");
    ``width`` cuts text fields to that many characters.
    """
    out: list[Column] = []
    for name in fields:
        lab = label(name)
        if width is not None and lab.kind == "text":
            lab = lab.__class__(lab.name, lab.label, lab.short, lab.kind, lab.digits, width)
        out.append((name, (headers or {}).get(name, lab.short), lab.fmt))
    return out


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV text with a header row; missing numbers as empty cells."""
    return frame.replace([math.inf, -math.inf], math.nan).to_csv(index=False)


def fmt_pct(value: Any, digits: int = 1) -> str:
    """Format a share as a percentage (``-`` when undefined)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{100 * float(value):.{digits}f}%"


def source_caption(
    provenance: dict[str, Any], assumptions: Sequence[str], *, lead: str | None = None
) -> str:
    """Caption under a result table: optional lead line, source, licence, assumptions."""
    lines = [lead] if lead else []
    source = "Source: " + str(provenance.get("source") or provenance.get("name") or "-")
    if provenance.get("licence"):
        source += f". Licence: {provenance['licence']}."
    lines.append(source)
    if assumptions:
        lines.append("Assumptions:\n" + "\n".join(f"- {a}" for a in assumptions))
    return "\n".join(lines)


def rich_table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Callable[[Any], str]]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> Table:
    """A rich Table from a DataFrame: ``columns`` is (field, header, formatter) triples."""
    # Text from data (descriptions, assumptions like "F[i,j]") must not be read as markup.
    table = Table(
        title=escape(title) if title else None,
        caption=escape(caption) if caption else None,
        caption_justify="left",
        show_lines=False,
    )
    for field, header, _ in columns:
        if field == "description":
            table.add_column(header, overflow="ellipsis", no_wrap=True, max_width=28)
        elif field in ("code", "name"):
            table.add_column(header, no_wrap=True)
        else:
            table.add_column(header, justify="right", overflow="fold")
    for rec in frame.to_dict(orient="records"):
        table.add_row(*(escape(fmt(rec.get(field))) for field, _, fmt in columns))
    return table


def console(stderr: bool = False) -> Console:
    """A console for the CLI (stderr for messages and progress).

    Output that is not a terminal (a pipe, a file, a test runner) is laid out 200 columns
    wide: wide tables are read later, not in an 80-column window.
    """
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else 200
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr, width=width)


def fit_columns(
    columns: Sequence[tuple[str, str, Callable[[Any], str]]],
    optional: Sequence[str],
    width: int,
    *,
    needed: int = 150,
) -> list[tuple[str, str, Callable[[Any], str]]]:
    """Drop the ``optional`` fields when the console is narrower than ``needed`` columns."""
    if width >= needed:
        return list(columns)
    return [c for c in columns if c[0] not in optional]
