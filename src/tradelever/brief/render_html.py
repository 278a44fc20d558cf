"""Render a :class:`~tradelever.brief.model.Brief` as one self-contained HTML page.

The page loads nothing: the CSS is embedded, the charts are inline SVG, there are no scripts,
fonts or images from anywhere else. The renderer walks the brief's blocks and escapes every
text part and every figure's text as it writes it (``html.escape``): data values never reach
the page as markup, and a figure is written as its own element,
``<span class="fig" data-figure=KEY title=SOURCE>``, never substituted into text already
rendered. A reader can hover a figure for its data set, year, classification and codes.
"""

from __future__ import annotations

from html import escape

from tradelever.brief.model import Brief, Bullets, Chart, Figure, Note, Paragraph, Section, Table

__all__ = ["CSS", "render_html"]

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
:root { --ink: #1f2d3d; --muted: #5f6b7a; --rule: #d9dee4; --accent: #1b6ca8; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink);
       font-size: 10.5pt; line-height: 1.45; margin: 0; background: #fff; }
main.brief { max-width: 820px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 20pt; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 13pt; border-bottom: 1px solid var(--rule); padding-bottom: 3px;
     margin: 26px 0 8px; }
p { margin: 6px 0; }
.subtitle { color: var(--muted); margin: 0; }
.meta { color: var(--muted); font-size: 9pt; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { flex: 1 1 220px; border: 1px solid var(--rule); border-left: 4px solid var(--accent);
        padding: 8px 10px; break-inside: avoid; }
.card .num { font-size: 17pt; font-weight: bold; color: var(--accent); }
.src { color: var(--muted); font-size: 8pt; }
.fig { font-weight: bold; }
ul { padding-left: 20px; }
li { margin: 4px 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 8px 0 2px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 5px; text-align: right;
         vertical-align: top; }
th { background: #f2f4f7; }
td.text, th.text { text-align: left; }
td.num { white-space: nowrap; }
.fx { color: var(--muted); }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 8pt;
          padding-top: 3px; }
figure { margin: 12px 0; break-inside: avoid; }
svg.chart { display: block; width: 100%; height: auto; max-width: 760px; }
figcaption { color: var(--muted); font-size: 8pt; }
.unavailable { color: var(--warn); }
section.not-available h2 { color: var(--muted); }
blockquote { margin: 6px 0; padding: 2px 10px; border-left: 3px solid var(--rule);
             color: var(--muted); font-size: 9pt; }
dl.sources dt { font-weight: bold; margin-top: 6px; }
dl.sources dd { margin: 0 0 0 14px; font-size: 9pt; }
li.ask, li.offer { list-style: none; margin-left: -16px; }
.tag { display: inline-block; min-width: 3.6em; font-size: 8pt; font-weight: bold;
       color: #fff; background: var(--accent); padding: 0 4px; margin-right: 4px;
       border-radius: 2px; text-align: center; }
li.offer .tag { background: #2e7d32; }
.lead { font-size: 11.5pt; }
.bottom-line { border: 1px solid var(--rule); border-left: 4px solid var(--accent);
               padding: 4px 12px; }
"""


def _figure(fig: Figure) -> str:
    return (
        f'<span class="fig" data-figure="{escape(fig.key)}" '
        f'title="{escape(fig.source.tag())}">{escape(fig.prose)}</span>'
    )


def _parts(p: Paragraph) -> str:
    """The paragraph's parts, each escaped; figures as their own elements."""
    return "".join(_figure(x) if isinstance(x, Figure) else escape(x) for x in p.parts)


_TAGS = {"ask": "Ask", "offer": "Offer", "protect": "Protect", "precedent": "Precedent"}


def _para(p: Paragraph, tag: str = "p", cls: str = "") -> str:
    src = f' <span class="src">[{escape(p.source_tag)}]</span>' if p.source_tag else ""
    kind = _TAGS.get(p.kind)
    label = f'<span class="tag">{escape(kind)}</span>' if kind else ""
    classes = " ".join(c for c in (cls, p.kind if kind else "") if c)
    attr = f' class="{escape(classes)}"' if classes else ""
    return f"<{tag}{attr}>{label}{_parts(p)}{src}</{tag}>"


def _cell_html(text: str) -> str:
    """A figure's text; the home-currency part, when present, on its own line."""
    usd, sep, home = text.partition(" (")
    if not sep:
        return escape(text)
    return f'{escape(usd)}<br><span class="fx">({escape(home)}</span>'


def _table(t: Table) -> str:
    text_cols = {
        i for i in range(len(t.headers)) if not any(isinstance(row[i], Figure) for row in t.rows)
    }
    head = "".join(
        f'<th class="{"text" if i in text_cols else "num"}">{escape(h)}</th>'
        for i, h in enumerate(t.headers)
    )
    body = []
    for row in t.rows:
        cells = []
        for i, c in enumerate(row):
            if isinstance(c, Figure):
                cells.append(
                    f'<td class="num"><span data-figure="{escape(c.key)}" '
                    f'title="{escape(c.source.tag())}">{_cell_html(c.text)}</span></td>'
                )
            else:
                cls = "text" if i in text_cols else "num"
                cells.append(f'<td class="{cls}">{escape(str(c))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table><caption>{escape(t.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _chart(c: Chart) -> str:
    # The SVG comes from matplotlib (which escapes the text it draws), never from data.
    return (
        f'<figure class="chart-figure" id="{escape(c.key)}" role="img" '
        f'aria-label="{escape(c.title)}: {escape(c.alt)}">{c.svg}'
        f"<figcaption>{escape(c.caption)}</figcaption></figure>"
    )


def _section(s: Section) -> str:
    cls = "section" if s.available else "section not-available"
    parts = [f'<section id="{escape(s.key)}" class="{cls}"><h2>{escape(s.title)}</h2>']
    if not s.available:
        parts.append(
            f'<p class="unavailable">Not available: {escape(s.unavailable_reason or "")}</p>'
        )
    for b in s.blocks:
        if isinstance(b, Paragraph):
            parts.append(_para(b, cls="lead" if b.kind == "lead" else ""))
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(_para(p, "li") for p in b.items) + "</ul>")
        elif isinstance(b, Table):
            parts.append(_table(b))
        elif isinstance(b, Chart):
            parts.append(_chart(b))
        elif isinstance(b, Note):
            parts.append(f"<blockquote>{escape(b.text)}</blockquote>")
    parts.append("</section>")
    return "\n".join(parts)


def _sources(brief: Brief) -> str:
    items = []
    for r in brief.sources:
        details = [escape(r.source)]
        if r.url:
            details.append(f"URL: {escape(r.url)}")
        if r.release:
            details.append(
                f"Release: {escape(r.release)}" + (f"; year {r.year}" if r.year is not None else "")
            )
        if r.classification:
            details.append(f"Classification: {escape(r.classification)}")
        if r.licence:
            details.append(f"Licence: {escape(r.licence)}")
        if r.citation:
            details.append(f"Cite as: {escape(r.citation)}")
        if r.sha256:
            details.append(f"SHA-256: <code>{escape(r.sha256)}</code>")
        if r.used_by:
            details.append(f"Used for: {escape(', '.join(r.used_by))}")
        items.append(f"<dt>{escape(r.name)}</dt>" + "".join(f"<dd>{d}</dd>" for d in details))
    if brief.tariff_schedule:
        items.append(
            f"<dt>Tariff schedules of the scenarios</dt><dd>{escape(brief.tariff_schedule)}</dd>"
        )
    if brief.fx is not None:
        items.append(f"<dt>Exchange rate</dt><dd>{escape(brief.fx.statement())}</dd>")
    return "".join(items)


def render_html(brief: Brief) -> str:
    """The whole brief as an HTML document (UTF-8, no external resources)."""
    cards = []
    for p in brief.headline:
        cards.append(
            f'<div class="card"><p>{_parts(p)}</p>'
            + (f'<p class="src">{escape(p.source_tag)}</p>' if p.source_tag else "")
            + "</div>"
        )
    body = "\n".join(_section(s) for s in brief.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(brief.title)}</title>
<style>{CSS}</style>
</head>
<body>
<main class="brief">
<header>
<h1>{escape(brief.title)}</h1>
<p class="subtitle">{escape(brief.subtitle)}</p>
<p class="meta">Prepared {brief.generated_on.isoformat()} with tradelever. Every figure names its
data set, year, classification and codes (hover a figure, or see the bracketed tags and the
sources at the end).</p>
</header>
<section id="headline" class="section"><h2>Headline numbers</h2>
<div class="cards">{"".join(cards)}</div></section>
{body}
<section id="sources" class="section"><h2>Sources</h2>
<dl class="sources">{_sources(brief)}</dl></section>
</main>
</body>
</html>
"""
