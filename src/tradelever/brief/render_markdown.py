r"""Render a :class:`~tradelever.brief.model.Brief` as Markdown (for editing).

Every text part and figure is escaped for Markdown as it is written (:func:`md_escape`):
``<`` and ``>`` become ``&lt;`` and ``&gt;`` (so a ``<script>`` in a product description
stays text in any Markdown viewer), an ``&`` that would start an entity becomes ``&amp;``,
and the characters Markdown reads as emphasis, code, links or table cells (``* _ ` [ ] \\ |``)
are backslash-escaped. Charts are not embedded (Markdown editors handle inline SVG poorly);
each chart is listed with its title, its data in words and its caption, and appears as a
picture in the HTML and PDF renderings.
"""

from __future__ import annotations

import re

from tradelever.brief.model import Brief, Bullets, Chart, Figure, Note, Paragraph, Section, Table

__all__ = ["md_escape", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]|$])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+\.)", re.M)


def md_escape(text: str, *, line: bool = False) -> str:
    """Text as Markdown that shows exactly this text (no markup, no raw HTML).

    ``line=True`` also escapes what Markdown would read as a block marker at the start of a
    line (a heading ``#``, a quote ``>``, a list item ``-`` or ``1.``).
    """
    out = _ENTITY.sub("&amp;", str(text))
    out = out.replace("<", "&lt;").replace(">", "&gt;")
    out = _SPECIAL.sub(r"\\\1", out)
    out = out.replace("\r", " ").replace("\n", " ")
    return _block(out) if line else out


def _block(text: str) -> str:
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_TAGS = {"ask": "Ask", "offer": "Offer", "protect": "Protect", "precedent": "Precedent"}


def _parts(p: Paragraph) -> str:
    return _block(
        "".join(md_escape(x.prose) if isinstance(x, Figure) else md_escape(x) for x in p.parts)
    )


def _para(p: Paragraph) -> str:
    tag = _TAGS.get(p.kind)
    head = f"**{tag}:** " if tag else ""
    return head + _parts(p) + (f" _\\[{md_escape(p.source_tag)}\\]_" if p.source_tag else "")


def _table(t: Table) -> list[str]:
    lines = [
        "| " + " | ".join(md_escape(h) for h in t.headers) + " |",
        "|" + "|".join("---" for _ in t.headers) + "|",
    ]
    for row in t.rows:
        lines.append("| " + " | ".join(md_escape(Table.cell_text(c)) for c in row) + " |")
    lines += ["", f"_{md_escape(t.caption)}_", ""]
    return lines


def _section(s: Section) -> list[str]:
    lines = [f"## {md_escape(s.title)}", ""]
    if not s.available:
        lines += [f"Not available: {md_escape(s.unavailable_reason or '')}", ""]
    for b in s.blocks:
        if isinstance(b, Paragraph):
            lines += [_para(b), ""]
        elif isinstance(b, Bullets):
            lines += [f"- {_para(p)}" for p in b.items]
            lines.append("")
        elif isinstance(b, Table):
            lines += _table(b)
        elif isinstance(b, Chart):
            lines += [
                f"**Chart: {md_escape(b.title)}** (a picture in the HTML and PDF versions). "
                f"Data: {md_escape(b.alt)}.",
                "",
                f"_{md_escape(b.caption)}_",
                "",
            ]
        elif isinstance(b, Note):
            lines += [f"> {md_escape(b.text, line=True)}", ""]
    return lines


def render_markdown(brief: Brief) -> str:
    """The whole brief as Markdown text."""
    lines = [
        f"# {md_escape(brief.title)}",
        "",
        f"_{md_escape(brief.subtitle)}. Prepared {brief.generated_on}._",
        "",
        "## Headline numbers",
        "",
    ]
    lines += [f"- {_para(p)}" for p in brief.headline]
    lines.append("")
    for s in brief.sections:
        lines += _section(s)
    lines += ["## Sources", ""]
    for r in brief.sources:
        bits = [f"- **{md_escape(r.name)}**: {md_escape(r.source)}."]
        if r.url:
            bits.append(f"URL: {md_escape(r.url)}.")
        if r.release:
            year = f", year {r.year}" if r.year is not None else ""
            bits.append(f"Release: {md_escape(r.release)}{year}.")
        if r.classification:
            bits.append(f"Classification: {md_escape(r.classification)}.")
        if r.licence:
            bits.append(f"Licence: {md_escape(r.licence)}.")
        if r.citation:
            bits.append(f"Cite as: {md_escape(r.citation)}.")
        if r.sha256:
            bits.append(f"SHA-256 {r.sha256}.")
        if r.used_by:
            bits.append(f"Used for: {md_escape(', '.join(r.used_by))}.")
        lines.append(" ".join(bits))
    if brief.tariff_schedule:
        lines.append(f"- Tariff schedules of the scenarios: {md_escape(brief.tariff_schedule)}.")
    if brief.fx is not None:
        lines.append(f"- Exchange rate: {md_escape(brief.fx.statement())}.")
    lines.append("")
    return "\n".join(lines)
