"""The PDF rendering (WeasyPrint): text extractable, headline numbers present."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf


def _text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_pdf_text_has_headline_numbers(icio_brief, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "brief.pdf"
    data = icio_brief.to_pdf(out)
    assert data[:5] == b"%PDF-" and out.read_bytes() == data
    text = _text(out)
    for para in icio_brief.headline:
        for fig in para.figures:
            assert fig.text in text, fig.key
    assert "intermediate goods only" in text
    assert "Sources" in text and "CC BY 4.0" in text
    # Chart text is kept as text in the PDF (inline SVG, fonttype none).
    assert "equal shares" in text
