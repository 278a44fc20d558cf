"""Text rules of the brief: escaping, figures as data, possessives, rounding, fx bounds."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from tradelever.analysis.leverage import LeverageResult
from tradelever.brief import FxRate, build_brief
from tradelever.brief.figures import plain
from tradelever.brief.model import Figure, FigureSource, para
from tradelever.brief.money import prose_text
from tradelever.brief.text import possessive
from tradelever.errors import InputError

PROV = {
    "name": "synthetic",
    "source": "synthetic test data (not real trade figures) <b>bold</b>",
    "version": "test",
    "classification": "HS17",
    "licence": "test data",
    "year": 2022,
}


def _leverage(description: str):  # type: ignore[no-untyped-def]
    def run(home, partner, rival=None, **kw):  # type: ignore[no-untyped-def]
        rows = pd.DataFrame(
            {
                "code": ["854231", "401519"],
                "description": [description, "Gloves"],
                "home_share_of_partner_imports": [0.014, 0.5],
                "partner_imports_usd": [100.0, 80.0],
                "home_exports_to_partner_usd": [1.4, 40.0],
                "home_world_export_share": [0.4, 0.9],
                "rival_share_of_partner_imports": [0.3, 0.0],
                "partner_import_hhi": [0.38, 1.0],
                "home_export_weight": [0.4, 0.6],
                "partner_cost_of_losing_home_usd": [2022.0, 1.4],
                "sigma": [4.0, 3.0],
            }
        )
        return LeverageResult(home, partner, rival, "synthetic", 2022, "hs6", rows, PROV, [])

    return run


class _Stub:
    def __init__(self, description: str) -> None:
        self.leverage = _leverage(description)


def _visible(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_a_figure_whose_text_is_in_its_source_tag_is_not_substituted_twice() -> None:
    # The corrupted concessions paragraph: the figure "1.4" also appears inside the source
    # tag of an earlier figure; substituting into rendered markup broke the attribute.
    src = FigureSource("x", "f", None, None, None, "icio2022", "1.4", 2022, "ICIO2025: 1.4")
    a = Figure("a", "a", 0.162, "share", "16.2%", src)
    b = Figure("b", "b", 1.4, "number", "1.4", src)
    p = para("To bring the formula rate from {a} to {b}, x {b}.", a=a, b=b)
    html = render_html_paragraph(p)
    text = _visible(html)
    assert '">' not in text
    expected = "To bring the formula rate from 16.2% to 1.4, x 1.4."
    assert text.strip() == f"{expected} [icio2022; 2022; ICIO2025: 1.4: all codes]"


def render_html_paragraph(p):  # type: ignore[no-untyped-def]
    from tradelever.brief.render_html import _para

    return _para(p)


def test_script_in_a_description_stays_text_in_markdown_and_html() -> None:
    brief = build_brief(_Stub("<script>alert('x')</script> & <b>"), "MYS", "USA", peers=None)
    md = brief.to_markdown()
    html = brief.to_html()
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "<b>" not in md
    assert "<script>alert('x')</script>" in _visible(html)


def test_possessives() -> None:
    assert possessive("the United States") == "the United States'"
    assert possessive("Malaysia") == "Malaysia's"
    assert possessive("the Philippines") == "the Philippines'"
    brief = build_brief(_Stub("Processors"), "MYS", "USA", peers=None)
    assert "United States's" not in brief.to_markdown()
    assert "the United States' imports" in brief.to_markdown()


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (12_181_186_120.0, "usd", "US$12.2 bn"),
        (917_078_660.0, "usd", "US$917 m"),
        (1_641_511.0, "usd", "US$1.64 m"),
        (999_600_000.0, "usd", "US$1.00 bn"),
        (0.20235976, "share", "20.2%"),
        (0.0004208, "share", "0.042%"),
        (0.19, "rate", "19%"),
        (0.2363, "rate", "23.6%"),
        (float("inf"), "usd", "unbounded"),
        (None, "usd", "-"),
    ],
)
def test_prose_rounding(value, unit, text) -> None:  # type: ignore[no-untyped-def]
    assert prose_text(value, unit) == text


def test_fx_bounds() -> None:
    for bad in (0, -1, 1e308, float("inf"), float("nan"), 1.1e7):
        with pytest.raises(InputError) as info:
            FxRate.parse("MYR", bad, "2025-04-02")
        assert info.value.parameter == "fx"
    fx = FxRate.parse("IRR", 1e6, "2025-04-02")
    assert fx.fmt(1e9) == "IRR 1,000.00 tn" and "inf" not in fx.prose(1e12)


def test_plain_method_notes() -> None:
    note = (
        "partner_imports_to_exports is null in JSON when the partner exports none; "
        "`tradelever leverage` with home_rca"
    )
    out = plain(note)
    assert "null in JSON" not in out and "_" not in out and "`" not in out
    assert "left blank" in out and "the leverage analysis" in out


def test_stub_brief_figures_and_no_nan() -> None:
    brief = build_brief(_Stub("Processors"), "MYS", "USA", peers=None)
    assert brief.check_figures() == []
    assert not np.isnan([f.value for f in brief.figures() if f.value is not None]).any()
