"""Render a :class:`~tradelever.brief.model.Brief` as Markdown (for editing).

Charts are not embedded (Markdown editors handle inline SVG poorly); each chart is listed
with its title, its data in words (alt text) and its caption, and appears as a picture in the
HTML and PDF renderings.
"""

from __future__ import annotations

from tradelever.brief.model import Brief, Paragraph, Section, Table

__all__ = ["render_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _para(p: Paragraph) -> str:
    return p.text + (f" _[{p.source_tag}]_" if p.source_tag else "")


def _table(t: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(h) for h in t.headers) + " |",
        "|" + "|".join("---" for _ in t.headers) + "|",
    ]
    for row in t.rows:
        lines.append("| " + " | ".join(_cell(Table.cell_text(c)) for c in row) + " |")
    lines += ["", f"_{t.caption}_", ""]
    return lines


def _section(s: Section) -> list[str]:
    lines = [f"## {s.title}", ""]
    for p in s.paragraphs:
        lines += [_para(p), ""]
    if s.bullets:
        lines += [f"- {_para(b)}" for b in s.bullets]
        lines.append("")
    for t in s.tables:
        lines += _table(t)
    for c in s.charts:
        lines += [
            f"**Chart: {c.title}** (a picture in the HTML and PDF versions). Data: {c.alt}.",
            "",
            f"_{c.caption}_",
            "",
        ]
    if s.notes:
        lines += [f"> {n}" for n in s.notes]
        lines.append("")
    return lines


def render_markdown(brief: Brief) -> str:
    """The whole brief as Markdown text."""
    lines = [f"# {brief.title}", "", f"_{brief.subtitle}. Prepared {brief.generated_on}._", ""]
    lines += ["## Headline numbers", ""]
    lines += [f"- {_para(p)}" for p in brief.headline]
    lines.append("")
    for s in brief.sections:
        lines += _section(s)
    lines += ["## Sources", ""]
    for r in brief.sources:
        year = f", year {r.year}" if r.year is not None else ""
        lines.append(
            f"- **{r.name}**: {r.source}. Release: {r.release}{year}. Classification: "
            f"{r.classification}. Licence: {r.licence}."
            + (f" Cite as: {r.citation}." if r.citation else "")
            + (f" SHA-256 {r.sha256}." if r.sha256 else "")
            + (f" Retrieved {r.retrieved_at}." if r.retrieved_at else "")
            + f" Used by: {', '.join(r.used_by)}."
        )
    schedule = brief.tariff_schedule or "none (no tariff scenario was run)"
    lines.append(f"- Tariff schedule used: {schedule}.")
    if brief.fx is not None:
        lines.append(f"- Exchange rate: {brief.fx.statement()}.")
    lines.append("")
    return "\n".join(lines)
