"""Render a :class:`~tradelever.brief.model.Brief` as one self-contained HTML page.

The page loads nothing: the CSS is embedded, the charts are inline SVG, there are no scripts,
fonts or images from anywhere else. Every figure in the text is wrapped in
``<span class="fig" data-figure=KEY title=SOURCE>`` so a reader can hover for its data set,
release, year, classification and codes.
"""

from __future__ import annotations

from html import escape

from tradelever.brief.model import Brief, Paragraph, Section, Table

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
"""


def _text_with_figures(p: Paragraph) -> str:
    out = escape(p.text)
    for fig in p.figures:
        needle = escape(fig.text)
        span = (
            f'<span class="fig" data-figure="{escape(fig.key)}" '
            f'title="{escape(fig.source.tag())}">{needle}</span>'
        )
        head, sep, tail = out.partition(needle)
        if sep and "data-figure" not in head[-40:]:
            out = head + span + tail
    return out


def _para(p: Paragraph, tag: str = "p") -> str:
    src = f' <span class="src">[{escape(p.source_tag)}]</span>' if p.source_tag else ""
    return f"<{tag}>{_text_with_figures(p)}{src}</{tag}>"


def _cell_html(text: str) -> str:
    """A figure's text; the home-currency part, when present, on its own line."""
    usd, sep, home = text.partition(" (")
    if not sep:
        return escape(text)
    return f'{escape(usd)}<br><span class="fx">({escape(home)}</span>'


def _table(t: Table) -> str:
    text_cols = {
        i for i in range(len(t.headers)) if not any(hasattr(row[i], "source") for row in t.rows)
    }
    head = "".join(
        f'<th class="{"text" if i in text_cols else "num"}">{escape(h)}</th>'
        for i, h in enumerate(t.headers)
    )
    body = []
    for row in t.rows:
        cells = []
        for i, c in enumerate(row):
            cls = "text" if i in text_cols or not hasattr(c, "source") else "num"
            if hasattr(c, "source"):
                cells.append(
                    f'<td class="{cls}"><span data-figure="{escape(c.key)}" '
                    f'title="{escape(c.source.tag())}">{_cell_html(c.text)}</span></td>'
                )
            else:
                cells.append(f'<td class="{cls}">{escape(str(c))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _section(s: Section) -> str:
    cls = "section" if s.available else "section not-available"
    parts = [f'<section id="{escape(s.key)}" class="{cls}"><h2>{escape(s.title)}</h2>']
    for p in s.paragraphs:
        if not s.available or p.text.startswith("Not available:"):
            parts.append(f'<p class="unavailable">{escape(p.text)}</p>')
        else:
            parts.append(_para(p))
    if s.bullets:
        parts.append("<ul>" + "".join(_para(b, "li") for b in s.bullets) + "</ul>")
    for c in s.charts:
        parts.append(
            f'<figure class="chart-figure" id="{escape(c.key)}">{c.svg}'
            f"<figcaption>{escape(c.caption)}</figcaption></figure>"
        )
    for t in s.tables:
        parts.append(_table(t))
    for n in s.notes:
        parts.append(f"<blockquote>{escape(n)}</blockquote>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(brief: Brief) -> str:
    """The whole brief as an HTML document (UTF-8, no external resources)."""
    cards = []
    for p in brief.headline:
        num = escape(p.figures[0].text) if p.figures else ""
        src = f'<p class="src">{escape(p.source_tag)}</p>' if p.source_tag else ""
        cards.append(
            f'<div class="card"><div class="num">{num}</div>'
            f"<p>{_text_with_figures(p)}</p>{src}</div>"
        )
    sources = []
    for r in brief.sources:
        details = [
            f"{escape(r.source)}",
            f"Release: {escape(r.release)}" + (f"; year {r.year}" if r.year is not None else ""),
            f"Classification: {escape(r.classification)}",
            f"Licence: {escape(r.licence)}",
        ]
        if r.citation:
            details.append(f"Cite as: {escape(r.citation)}")
        if r.sha256:
            details.append(f"SHA-256: <code>{escape(r.sha256)}</code>")
        if r.retrieved_at:
            details.append(f"Retrieved: {escape(r.retrieved_at)}")
        details.append(f"Used by: {escape(', '.join(r.used_by))}")
        sources.append(f"<dt>{escape(r.name)}</dt>" + "".join(f"<dd>{d}</dd>" for d in details))
    schedule = escape(brief.tariff_schedule or "none (no tariff scenario was run)")
    sources.append(f"<dt>Tariff schedule</dt><dd>{schedule}</dd>")
    if brief.fx is not None:
        sources.append(f"<dt>Exchange rate</dt><dd>{escape(brief.fx.statement())}</dd>")
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
data set, release, year, classification and codes (hover a figure, or see the bracketed tags and
the sources below).</p>
</header>
<section id="headline" class="section"><h2>Headline numbers</h2>
<div class="cards">{"".join(cards)}</div></section>
{body}
<section id="sources" class="section"><h2>Sources</h2>
<dl class="sources">{"".join(sources)}</dl></section>
</main>
</body>
</html>
"""
