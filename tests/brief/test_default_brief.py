"""The default MYS-USA brief (issue 11 item 6, issue 12 item 6): product-level lead, the US
schedule on the brief's date, the formula on the real balance, a bottom line, clean text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tradelever.brief.model import Bullets, lookup_value
from tradelever.brief.money import prose_text
from tradelever.brief.render_markdown import md_escape


def _visible(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_lead_sentence_is_the_census_semiconductor_share(icio_session, census_brief) -> None:  # type: ignore[no-untyped-def]
    lead = census_brief.headline[0]
    # Spot check of the Census sample's README: HS 8541 + 8542, US imports US$60.20 bn, from
    # Malaysia US$12.18 bn, 20.2%; recomputed here from an independent hs4 run.
    lev = icio_session.leverage("MYS", "USA", dataset="census-us-2024", level="hs4")
    rows = lev.rows[lev.rows["code"].isin(["8541", "8542"])]
    share = rows["home_exports_to_partner_usd"].sum() / rows["partner_imports_usd"].sum()
    assert round(100 * share, 1) == 20.2
    assert lead.text.startswith(
        "Malaysia supplied 20.2% of US imports of semiconductors (HS 8541-8542), "
        "US$12.2 bn in 2024."
    )
    assert lead.source_tag == "census-us-2024; 2024; HTS2024: 8541, 8542"


def test_gloves_and_rare_earths_said_plainly(census_brief) -> None:  # type: ignore[no-untyped-def]
    texts = [p.text for p in census_brief.headline]
    assert any(
        t.startswith("Malaysia supplied 47.3% of US imports of medical rubber gloves")
        for t in texts
    )
    assert any(
        t.startswith("Malaysia is not a significant supplier of rare-earth compounds (HS 2846)")
        and "1.0% of US imports" in t
        for t in texts
    )


def test_every_figure_equals_its_analysis_output(census_brief) -> None:  # type: ignore[no-untyped-def]
    assert len(census_brief.figures()) > 80
    assert census_brief.check_figures() == []


def test_every_prose_figure_is_its_analysis_output_rounded_as_printed(census_brief) -> None:  # type: ignore[no-untyped-def]
    for fig in census_brief.prose_figures():
        value = lookup_value(census_brief.results[fig.source.analysis], fig.source)
        assert fig.prose == prose_text(value, fig.unit, census_brief.fx), fig.key


def test_formula_on_the_real_balance_gives_24_percent(census_brief) -> None:  # type: ignore[no-untyped-def]
    formula = census_brief.results["formula"]
    assert formula.provenance["name"] == "census-us-trade"
    # Malaysia 2024: m = 52,534.8, x = 27,704.8 (US$ mn): (m - x) / 2m = 23.6%, Annex I 24%.
    assert abs(formula.summary["formula_rate"] - (52534.8 - 27704.8) / (2 * 52534.8)) < 1e-5
    text = census_brief.section("formula").text()
    assert "gives 23.6%, 24% rounded up to a whole percent" in text
    assert "Annex I of Executive Order 14257 announced 24%" in text


def test_peer_rates_come_from_the_schedule_on_the_brief_date(census_brief) -> None:  # type: ignore[no-untyped-def]
    # 15 January 2026: EO 14326 Annex I as amended: Malaysia, Indonesia, Cambodia, Thailand
    # and the Philippines 19%, Vietnam 20% (tariffs-2025.md); no "like its competitors" claim.
    rates = census_brief.results["country_rates"].rows.set_index("exporter")["general_rate"]
    assert rates["MYS"] == pytest.approx(0.19)
    assert rates["VNM"] == pytest.approx(0.20)
    sentence = next(p.text for p in census_brief.headline if p.text.startswith("On 2026-01-15"))
    assert "add up to 19%" in sentence and "Vietnam 20%" in sentence
    md = census_brief.to_markdown()
    assert "like its ASEAN competitors" not in md


def test_no_relief_asked_for_an_exempt_product(census_brief) -> None:  # type: ignore[no-untyped-def]
    rates = census_brief.results["tariff_products"].rows.set_index("hs6")
    asks = [
        p
        for p in census_brief.section("bottom_line").paragraphs()
        if p.kind == "ask" and p.figures[0].source.analysis == "leverage"
    ]
    assert asks
    for ask in asks:
        code = ask.figures[0].source.row
        assert rates.loc[code, "effective_additional_rate"] > 0, code
    # processors (854231) are the top leverage point but exempt on that date: not asked
    assert rates.loc["854231", "effective_additional_rate"] == 0
    assert all(a.figures[0].source.row != "854231" for a in asks)


def test_bottom_line_states_asks_and_offers_with_numbers_and_sources(census_brief) -> None:  # type: ignore[no-untyped-def]
    section = census_brief.section("bottom_line")
    asks = [p for p in section.paragraphs() if p.kind == "ask"]
    offers = [p for p in section.paragraphs() if p.kind == "offer"]
    assert 2 <= len(asks) <= 3 and 2 <= len(offers) <= 3
    for p in [*asks, *offers]:
        assert p.figures and p.source_tag, p.text
    formula = census_brief.results["formula"].summary
    purchases = next(p for p in offers if "formula" in p.text)
    need = next(
        f for f in purchases.figures if f.source.field == "additional_partner_exports_needed_usd"
    )
    # x' = m (1 - 2 x 10%): the extra purchases are 0.8 m - x.
    expected = (
        0.8 * formula["partner_imports_from_home_usd"] - formula["partner_exports_to_home_usd"]
    )
    assert need.value == pytest.approx(expected, rel=1e-9)
    precedents = [p for p in section.paragraphs() if p.kind == "precedent"]
    # the pledge as the text states it, the rate obtained and Annex I (EO 14257: Vietnam 46%),
    # and the text the pledge is quoted from (the joint statement of 26 October 2025)
    assert any(
        p.text.startswith("Vietnam: ")
        and "for a US rate of 20% (Annex I: 46%); Joint statement, 26 Oct 2025" in p.text
        for p in precedents
    )
    assert all("whitehouse.gov" in p.text for p in precedents)


def test_visible_text_is_clean(census_brief_html, census_brief_md) -> None:  # type: ignore[no-untyped-def]
    visible = _visible(census_brief_html)
    for bad in ('">', "shared" + "/reference", "null in JSON", "Traceback", "United States's"):
        assert bad not in visible, bad
        assert bad not in census_brief_md, bad


def test_sources_are_public_documents(census_brief, census_brief_md, census_brief_html) -> None:  # type: ignore[no-untyped-def]
    text = census_brief_md + _visible(census_brief_html)
    for bad in ("seed-" + "figures", "shared" + "/", "fool.com", "Motley Fool", "theedgemalaysia"):
        assert bad not in text, bad
    names = [s.name for s in census_brief.sources]
    assert "census-us-2024" in names and "census-us-trade" in names
    assert "US tariff schedule 2025-26" in names and "US trade deals 2025-26" in names
    hs = next(s for s in census_brief.sources if "Harmonized System" in s.name)
    assert "World Customs Organization" in hs.source and "hts.usitc.gov" in hs.source


def test_icio_only_in_the_supply_chain_section(census_brief) -> None:  # type: ignore[no-untyped-def]
    for section in census_brief.sections:
        for fig in section.figures():
            if fig.source.dataset == "icio2022":
                assert section.key == "supply_chain", (section.key, fig.key)
    supply = census_brief.section("supply_chain")
    assert "intermediate goods only" in supply.title
    # the partner's loss only: the home country's loss is another model and another event
    assert all(f.source.field != "all_industries.home_output_loss_usd" for f in supply.figures())


def test_markdown_escapes_every_special_character(census_brief_md) -> None:  # type: ignore[no-untyped-def]
    assert "US\\$12.2 bn" in census_brief_md  # no $...$ maths in Markdown viewers
    assert "\\20.2%" not in census_brief_md
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_scenarios_on_one_baseline(census_brief) -> None:  # type: ignore[no-untyped-def]
    """The schedule in force, a deal at a stated rate and peers first: one model, one base."""
    result = census_brief.results["deal_comparison"]
    assert result.params["baseline"]["label"] == "no additional tariffs"
    assert result.params["date"] == "2026-01-15" and result.params["deal_rate"] == 0.10
    cases = list(result.rows["case"])
    assert cases[0] == "schedule in force on 2026-01-15" and len(cases) == 3
    section = census_brief.section("scenarios")
    assert "one baseline (no additional tariffs" in section.text()
    assert "No deal" not in section.text()
    # the difference of each case is its effect minus the schedule's (same base)
    effects = result.rows["total_effect_usd"].to_numpy()
    diffs = result.rows["difference_from_schedule_usd"].to_numpy()
    assert diffs == pytest.approx(effects - effects[0], rel=1e-9, abs=1e-3)


def test_leverage_table_shows_the_duty_on_the_date(census_brief) -> None:  # type: ignore[no-untyped-def]
    (table,) = census_brief.section("leverage").tables
    assert table.headers[-1] == "additional US tariff on 2026-01-15"
    bullets = census_brief.section("leverage").of_type(Bullets)[0].items
    assert bullets[0].text.startswith("Malaysia supplies 26.6% of the United States' imports of")


def test_claims_annex_checks_the_example_note(icio_session) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    from pathlib import Path

    from tradelever.analysis.claims import read_claims_file
    from tradelever.brief.build import _claims_result
    from tradelever.brief.context import Context
    from tradelever.brief.sections import claims as s_claims

    path = Path(__file__).parents[2] / "examples" / "claims" / "kenanga-2025-04-14.yaml"
    result = _claims_result(icio_session, read_claims_file(path), str(path))
    rows = result.rows.set_index("id")
    # HS 8541 without photovoltaic cells + 8542, 2024 Census: 21.9% (the sample README's
    # spot check), within the file's 2.5-point tolerance of "about 20%".
    chip = rows.loc["mys-share-of-us-chip-imports"]
    assert chip["verdict"] == "supported" and round(100 * chip["recomputed"], 1) == 21.9
    assert set(rows["verdict"]) <= {"supported", "contradicted", "not_checkable"}
    ctx = Context("MYS", "USA", None, "Malaysia", "the United States", None, "census-us-2024",
                  2024, "hs6", "HTS2024", False, dt.date(2026, 1, 15))  # fmt: skip
    section = s_claims.build(ctx, result)
    assert section.title == "Annex: claims checked"
    (table,) = section.tables
    assert len(table.rows) == len(rows)
    assert "21.9%" in [c.text for row in table.rows for c in row if hasattr(c, "text")]
