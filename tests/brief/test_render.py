"""Markdown and HTML renderings: structure, sources, self-containment, charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tradelever.brief import charts
from tradelever.brief.money import FxRate, fmt_share, fmt_usd


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
                self.refs.append((tag, name, value or ""))


def test_html_is_self_contained(icio_brief_html) -> None:  # type: ignore[no-untyped-def]
    parser = _Refs()
    parser.feed(icio_brief_html)
    assert not [r for r in parser.refs if re.match(r"\s*(https?:)?//", r[2], re.I)]
    assert all(r[2].startswith("#") for r in parser.refs)  # only in-page references
    assert not {"script", "link", "iframe", "img", "object"} & set(parser.tags)
    assert "@import" not in icio_brief_html and "url(http" not in icio_brief_html


def test_html_has_the_charts_and_sections(icio_brief, icio_brief_html) -> None:  # type: ignore[no-untyped-def]
    for key in (
        "leverage-bars",
        "share-scatter",
        "exposure-bars",
        "first-in-line",
        "tariff-timeline",
        "scenario-waterfall",
    ):
        assert f'data-chart="{key}"' in icio_brief_html
    for section in icio_brief.sections:
        assert f'<section id="{section.key}"' in icio_brief_html
    ids = re.findall(r'\sid="([^"]+)"', icio_brief_html)
    assert len(ids) == len(set(ids)), "element ids must be unique across charts"


def test_markdown_sections_in_research_note_order(icio_brief_md) -> None:  # type: ignore[no-untyped-def]
    titles = re.findall(r"^## (.+)$", icio_brief_md, re.M)
    assert titles[:4] == [
        "Headline numbers",
        "Summary",
        "Bottom line: what to ask, what to offer",
        "Leverage points",
    ]
    assert titles[-2:] == ["Method and assumptions", "Sources"]
    for needed in (
        "Rival-substitution offers",
        "Exposure",
        "Concession shortlist: where purchases can come from",
        "Tariff scenarios on one baseline",
        "Peers (ASEAN): what they sell, what they gave and got",
    ):
        assert needed in titles, titles
    assert "| code | description |" in icio_brief_md


def test_method_section_states_the_rules(icio_brief_md) -> None:  # type: ignore[no-untyped-def]
    for rule in ("ASK-LEVERAGE", "OFFER-SUBSTITUTE", "OFFER-PURCHASES", "PROTECT-EXPOSURE"):
        assert f"- {rule}: " in icio_brief_md


def test_leverage_bars_chart_draws_each_code(icio_brief) -> None:  # type: ignore[no-untyped-def]
    chart = icio_brief.section("leverage").charts[0]
    from tradelever.brief.model import Bullets

    codes = [
        b.figures[0].source.row for b in icio_brief.section("leverage").of_type(Bullets)[0].items
    ]
    for code in codes:
        assert f">{code} " in chart.svg or f">{code}  " in chart.svg
    assert chart.svg.startswith("<svg") and "viewBox" in chart.svg


def test_waterfall_chart() -> None:
    chart = charts.waterfall(
        [("no deal", -3e9), ("deal", 1e9), ("competitors first", -0.5e9)],
        start=("baseline", 10e9),
        title="synthetic",
        caption="synthetic numbers",
    )
    assert chart.svg.startswith("<svg") and "-3.00" in chart.svg and "+1.00" in chart.svg
    assert "no deal: -3.00 bn" in chart.alt


def test_formatting() -> None:
    assert fmt_usd(2_474_043_510.57) == "US$2.47 bn"
    assert fmt_usd(float("inf")) == "unbounded"
    assert fmt_share(0.027404) == "2.7%"
    assert fmt_share(0.0000052) == "0.00052%"
    fx = FxRate.parse("MYR", "4.4510", "2025-04-02")
    assert fx.fmt(6.0e9) == "RM26.71 bn"
    assert "stated by the user; not fetched" in fx.statement()
    assert FxRate.parse("THB", 33.0, "2025-04-02").fmt(1e6) == "THB 33.00 m"


def test_json_form_is_serialisable(icio_brief) -> None:  # type: ignore[no-untyped-def]
    import json

    data = json.loads(json.dumps(icio_brief.to_dict(), allow_nan=False))
    assert data["home"] == "MYS" and data["fx"]["rate"] == 4.4510
    assert [s["key"] for s in data["sections"]][:3] == ["summary", "bottom_line", "leverage"]
    first = data["headline"][0]["figures"][0]
    assert first["source"]["dataset"] == "icio2022" and first["source"]["codes"]


def test_product_phrase() -> None:
    from tradelever.brief.text import product_phrase

    assert product_phrase("Manufacture of machinery and equipment n.e.c.", "C28") == (
        "machinery and equipment n.e.c."
    )
    assert product_phrase("Gloves of vulcanised rubber (HS 4015.1x).", "g") == (
        "gloves of vulcanised rubber (HS 4015.1x)"
    )
    assert product_phrase("", "854231") == "code 854231"
    assert product_phrase("ICT services", "J62") == "ICT services"
