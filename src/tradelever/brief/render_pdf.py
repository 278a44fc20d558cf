"""Render a brief as PDF with WeasyPrint, and save a brief by file suffix.

WeasyPrint (BSD licence, maintained, on PyPI) lays out the same self-contained HTML as the
HTML rendering, inline SVG charts included, with no browser. It needs the Pango text
libraries from the operating system; on Debian/Ubuntu::

    apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

It is an optional dependency (``pip install tradelever[brief]``); without it the PDF
rendering raises :class:`~tradelever.errors.InputError` naming what to install.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tradelever.brief.model import Brief
from tradelever.errors import InputError

__all__ = ["render_pdf", "save"]

FORMATS = (".md", ".html", ".htm", ".pdf")


def render_pdf(brief: Brief, path: str | Path | None = None) -> bytes:
    """PDF bytes of the brief (written to ``path`` when given)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango libraries missing
        raise InputError(
            "PDF output needs WeasyPrint and the Pango libraries: pip install weasyprint; "
            "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
            f"fonts-dejavu-core ({exc})"
        ) from None
    # WeasyPrint logs every CSS property it ignores at WARNING; keep the console quiet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    data = weasyprint.HTML(string=brief.to_html(), base_url=None).write_pdf()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def save(brief: Brief, path: str | Path) -> Path:
    """Write the brief as Markdown, HTML or PDF according to the suffix of ``path``."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{out.name} must end in .md, .html or .pdf", parameter="out")
    if not out.parent.exists():
        raise InputError(f"directory {out.parent} does not exist", parameter="out")
    if suffix == ".pdf":
        render_pdf(brief, out)
    else:
        text = brief.to_markdown() if suffix == ".md" else brief.to_html()
        out.write_text(text, encoding="utf-8")
    return out
