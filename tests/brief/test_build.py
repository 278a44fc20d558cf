"""The brief built from the analyses: every figure equals the output it came from."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tradelever.brief import build_brief
from tradelever.brief.build import call_optional, parse_fx
from tradelever.brief.model import Bullets, lookup_value
from tradelever.brief.rules import leverage_asks
from tradelever.errors import InputError, UnknownCountryError


def _fresh_result(session, brief, key):  # type: ignore[no-untyped-def]
    """Run the analysis behind ``key`` again, independently of the brief."""
    home, partner, rival = brief.home, brief.partner, brief.rival
    common = {"dataset": brief.dataset, "year": brief.year}
    if key == "leverage":
        return session.leverage(home, partner, rival, level=brief.level, **common)
    if key == "substitutes":
        return session.substitutes(home, partner, rival, level=brief.level, **common)
    if key in ("exposure", "concessions"):
        return getattr(session, key)(home, partner, level=brief.level, **common)
    if key == "formula":
        return session.formula(
            home, partner, dataset=brief.results[key].provenance["name"], target_rate=0.10
        )
    if key == "peers":
        return session.peers(home, partner, "ASEAN", **common)
    if key == "supply_chain":
        return session.supply_chain(home, partner, dataset=brief.dataset)
    if key == "sequencing":
        params = brief.results[key].params
        return session.compare_scenarios(
            params["scenario_a"], params["scenario_b"], home=home, **common
        )
    if key.startswith("scenario_"):
        name = brief.results[key].params["scenario"]
        return session.run_scenario(name, home=home, **common)
    if key.startswith("focus_"):
        return session.leverage(home, partner, rival, level=key[6:], **common)
    if key in ("tariffs", "tariff_products", "country_rates"):
        from tradelever.brief.build import _tariff_results

        exporters = brief.results["tariffs"].params["exporters"]
        return _tariff_results(session, home, exporters, brief.generated_on)[key]
    if key == "deals":
        return session.deals("USA", members=brief.results[key].params["members"])
    if key == "first_in_line":
        return session.first_in_line("USA", home=home)
    if key == "precedents":
        params = brief.results[key].params
        return session.precedents(params["offer"], members=params["members"])
    raise AssertionError(f"no fresh run for {key}")


def _equal(a, b) -> bool:  # type: ignore[no-untyped-def]
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)


def test_every_figure_equals_the_analysis_output(icio_brief) -> None:  # type: ignore[no-untyped-def]
    figures = icio_brief.figures()
    assert len(figures) > 50
    assert icio_brief.check_figures() == []


def test_every_figure_equals_a_fresh_run_of_its_analysis(icio_session, icio_brief) -> None:  # type: ignore[no-untyped-def]
    fresh = {}
    for fig in icio_brief.figures():
        key = fig.source.analysis
        if key not in fresh:
            fresh[key] = _fresh_result(icio_session, icio_brief, key)
        assert _equal(fig.value, lookup_value(fresh[key], fig.source)), fig.key


def test_every_figure_carries_its_source(icio_brief) -> None:  # type: ignore[no-untyped-def]
    for fig in icio_brief.figures():
        src = fig.source
        if src.analysis not in ("leverage", "substitutes", "exposure", "supply_chain", "peers"):
            continue  # the formula, tariffs and deals have their own sources
        assert src.dataset == "icio2022", fig.key
        assert "OECD ICIO 2025" in src.release, fig.key
        assert src.year == 2022, fig.key
        assert src.classification == "ICIO2025", fig.key
        if src.row is not None and src.row_field not in (None, "#", "country"):
            assert src.codes == (src.row,), fig.key
        assert "icio2022" in src.tag() and "2022" in src.tag()


def test_every_figure_is_printed_in_markdown_and_html(
    icio_brief, icio_brief_md, icio_brief_html
) -> None:  # type: ignore[no-untyped-def]
    import re
    from html import unescape

    plain = unescape(re.sub(r"<[^>]+>", "", icio_brief_html.replace("<br>", " ")))
    from tradelever.brief.render_markdown import md_escape

    for fig in icio_brief.figures():
        assert md_escape(fig.text) in icio_brief_md or md_escape(fig.prose) in icio_brief_md
        assert fig.text in plain or fig.prose in plain, fig.key
        assert f'data-figure="{fig.key}"' in icio_brief_html, fig.key


def test_headline_has_three_to_five_numbers(icio_brief) -> None:  # type: ignore[no-untyped-def]
    assert 3 <= len(icio_brief.headline) <= 5
    assert all(p.figures and p.source_tag for p in icio_brief.headline)


def test_top_leverage_sentence_is_the_negotiator_quote(icio_session, icio_brief) -> None:  # type: ignore[no-untyped-def]
    lev = icio_session.leverage("MYS", "USA", "CHN", dataset="icio2022")
    top = lev.rows.iloc[0]  # rows are ranked by the partner's cost of losing home
    share = f"{100 * top['home_share_of_partner_imports']:.1f}%"
    value = top["home_exports_to_partner_usd"]
    scale, suffix = (1e9, "bn") if value >= 1e9 else (1e6, "m")
    text = icio_brief.headline[0].text
    assert text.startswith(f"Malaysia supplied {share} of US imports of ")
    digits = 2 if value / scale < 9.995 else 1
    assert f"US${value / scale:,.{digits}f} {suffix}" in text
    assert "(intermediate goods only)" in text and "in 2022" in text
    assert icio_brief.headline[0].source_tag.endswith(f"ICIO2025: {top['code']}")


def test_ringgit_figures_at_the_stated_rate(icio_brief, icio_brief_md) -> None:  # type: ignore[no-untyped-def]
    fig = next(f for f in icio_brief.figures() if f.unit == "usd" and f.value and f.value > 1e9)
    assert f"(RM{fig.value * 4.4510 / 1e9:,.2f} bn)" in fig.text
    assert "4.4510 MYR per US dollar" in icio_brief_md
    assert "2025-04-02" in icio_brief_md and "Bernama closing quote" in icio_brief_md


def test_icio_brief_says_intermediate_goods_only(icio_brief_md, icio_brief_html) -> None:  # type: ignore[no-untyped-def]
    for text in (icio_brief_md, icio_brief_html):
        assert "intermediate goods only" in text
        assert "Industry shares are much smaller than product shares" in text


def test_sources_section(icio_brief, icio_brief_md, icio_brief_html) -> None:  # type: ignore[no-untyped-def]
    assert "## Sources" in icio_brief_md
    assert '<section id="sources"' in icio_brief_html
    src = next(s for s in icio_brief.sources if s.name == "icio2022")
    assert src.year == 2022 and src.sha256
    for text in (icio_brief_md, icio_brief_html):
        assert "CC BY 4.0" in text and "OECD ICIO 2025 release" in text
        assert "Tariff schedule" in text


def test_asks_follow_the_leverage_rule(icio_brief) -> None:  # type: ignore[no-untyped-def]
    """On ICIO industries there is no product schedule: the asks are the top costs."""
    lev = icio_brief.results["leverage"]
    expected = leverage_asks(lev.rows, 3)["code"].tolist()
    asks = [
        p
        for p in icio_brief.section("bottom_line").paragraphs()
        if p.kind == "ask" and p.figures[0].source.analysis == "leverage"
    ]
    assert len(asks) >= 2
    assert [p.figures[0].source.row for p in asks] == expected[: len(asks)]


def test_leverage_asks_rule_orders_sole_supplier_first() -> None:
    rows = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d"],
            "partner_cost_of_losing_home_usd": [5.0, np.inf, 0.0, 7.0],
        }
    )
    assert leverage_asks(rows, 3)["code"].tolist() == ["b", "d", "a"]


def test_unavailable_analyses_say_so(icio_session) -> None:  # type: ignore[no-untyped-def]
    class OnlyLeverage:
        def leverage(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return icio_session.leverage(*args, **kwargs)

        def formula(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise NotImplementedError("pending")

    brief = build_brief(OnlyLeverage(), "MYS", "USA", rival="CHN")
    for key in (
        "substitutes",
        "exposure",
        "supply_chain",
        "formula",
        "concessions",
        "scenarios",
    ):
        section = brief.section(key)
        assert not section.available, key
        assert section.unavailable_reason, key
        assert list(section.figures()) == [], key
    assert "not implemented yet (pending)" in brief.section("formula").unavailable_reason
    assert "has no exposure analysis" in brief.section("exposure").unavailable_reason
    assert brief.check_figures() == []
    md = brief.to_markdown()
    assert "Not available: " in md and "OFFER-SUBSTITUTE" in md


def test_call_optional_passes_arguments_as_given_and_reports_input_errors() -> None:
    # Issue 10: the arguments are passed as given (no signature inspection); a method that
    # does not take them is a bug and its TypeError propagates.
    class S:
        def exposure(self, home, partner, *, dataset="x"):  # type: ignore[no-untyped-def]
            return (home, partner, dataset)

        def peers(self, home, partner, **kw):  # type: ignore[no-untyped-def]
            raise InputError("bad group", parameter="peers")

    assert call_optional(S(), "exposure", "exposure", "A", "B", dataset="d").result == (
        "A",
        "B",
        "d",
    )
    with pytest.raises(TypeError):
        call_optional(S(), "exposure", "exposure", "A", "B", dataset="d", year=1)
    out = call_optional(S(), "peers", "peers", "A", "B")
    assert out.result is None and "peers: bad group" in out.reason


def test_bugs_in_an_analysis_propagate(icio_session) -> None:  # type: ignore[no-untyped-def]
    class Broken:
        def leverage(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return icio_session.leverage(*args, **kwargs)

        def exposure(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError):
        build_brief(Broken(), "MYS", "USA")


def test_input_errors(icio_session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownCountryError):
        build_brief(icio_session, "XXX", "USA")
    with pytest.raises(InputError, match=r"^fx_date: home-currency figures need") as info:
        parse_fx("MYR", 4.45, None)
    assert info.value.parameters == ("fx_date",)
    for args, parameter in (
        (("MYR", -1, "2025-04-02"), "fx"),
        (("MYR", 1e308, "2025-04-02"), "fx"),  # would print "RMinf"
        (("MYR", float("inf"), "2025-04-02"), "fx"),
        (("ringgit", 4.45, "2025-04-02"), "currency"),
        (("MYR", 4.45, "2 April 2025"), "fx_date"),
    ):
        with pytest.raises(InputError) as info:
            parse_fx(*args)
        assert info.value.parameter == parameter, args
    assert parse_fx(None, None, None) is None


def test_session_brief_method(icio_session) -> None:  # type: ignore[no-untyped-def]
    brief = icio_session.brief(
        "MYS", "USA", currency="MYR", fx=4.4100, fx_date="2025-04-15", peers=None, top=2
    )
    assert brief.fx is not None and brief.fx.rate == 4.41
    assert len(brief.section("leverage").of_type(Bullets)[0].items) == 2
    assert not brief.section("substitutes").available  # no rival given
    assert brief.check_figures() == []


def test_product_dataset_brief(hand_data_dir) -> None:  # type: ignore[no-untyped-def]
    """On the synthetic hand data set (see tests/synthetic.py for the arithmetic)."""
    from tradelever.api import Session

    session = Session(hand_data_dir)
    brief = build_brief(session, "MYS", "USA", rival="CHN", dataset="hand-hs17", peers=None)
    assert brief.check_figures() == []
    leverage_md = brief.section("leverage").text()
    assert "intermediate goods only" not in leverage_md
    # 854231: USA imports 100 = MYS 50 + CHN 30 + THA 20, so MYS supplies 50.0%, US$50.
    bullets = brief.section("leverage").of_type(Bullets)[0].items
    sentence = next(b.text for b in bullets if "processors" in b.text)
    assert sentence.startswith(
        "Malaysia supplies 50.0% of the United States' imports of electronic integrated circuits: "
        "processors and controllers (854231), US$50 in 2023."
    )
    tags = [b.source_tag for b in bullets]
    assert any(t.endswith("HS17: 854231") for t in tags)


def test_default_scenario_outcomes_for_malaysia_and_the_us(icio_session, icio_brief) -> None:  # type: ignore[no-untyped-def]
    section = icio_brief.section("scenarios")
    assert section.available
    texts = [p.text for p in section.paragraphs()]
    assert "same baseline, no additional tariffs" in texts[0]
    for label, name in (
        ("Announced rates", "us-2025-04-02"),
        ("Deal", "us-2025-08-07"),
        ("Competitors first", "us-2025-08-07-mys-no-deal"),
    ):
        assert any(t.startswith(f"{label} ({name}, schedule of ") for t in texts), label
    (chart,) = section.charts
    assert chart.key == "scenario-waterfall"
    # The waterfall draws the figures of the home view: before + own + competitors = after.
    fresh = icio_session.run_scenario("us-2025-08-07", home="MYS")
    home = fresh.home
    assert math.isclose(
        home["own_tariff_effect_usd"] + home["rival_tariff_effect_usd"],
        home["total_effect_usd"],
        rel_tol=1e-9,
    )
    assert f"{home['own_tariff_effect_usd'] / 1e9:+,.2f}" in chart.alt
    assert "us-2025-08-07" in icio_brief.tariff_schedule
    assert "schedule of 2025-08-07" in icio_brief.tariff_schedule


def test_labelled_scenario_and_pair_without_defaults(icio_session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="nope: unknown scenario") as info:
        build_brief(
            icio_session, "THA", "USA", peers=None, scenarios=["deal=us-2025-08-07", "nope"]
        )
    assert info.value.parameter == "scenarios"
    brief = build_brief(
        icio_session, "THA", "USA", dataset="icio2022", peers=None,
        scenarios=["deal=us-2025-08-07"],
    )  # fmt: skip
    section = brief.section("scenarios")
    texts = [p.text for p in section.paragraphs()]
    assert any(
        t.startswith("Deal (us-2025-08-07, schedule of 2025-08-07): Thailand") for t in texts
    )
    assert brief.check_figures() == []
    none = build_brief(icio_session, "THA", "USA", dataset="icio2022", peers=None)
    assert not none.section("scenarios").available
    assert "--scenario" in none.section("scenarios").unavailable_reason


def test_group_level_brief_cites_the_group_definition(hand_data_dir) -> None:  # type: ignore[no-untyped-def]
    """Semiconductors on the hand data: USA imports 100 (854231) + 40 (854232), MYS 50."""
    from tradelever.api import Session

    brief = Session(hand_data_dir).brief(
        "MYS", "USA", "CHN", dataset="hand-hs17", level="group", peers=None
    )
    assert brief.check_figures() == []
    bullets = brief.section("leverage").of_type(Bullets)[0].items
    bullet = next(b for b in bullets if "semiconductor" in b.text)
    assert bullet.text.startswith("Malaysia supplies 35.7% of the United States' imports of ")
    assert ", US$50 in 2023." in bullet.text
    assert bullet.source_tag.endswith("HS17 semiconductors: 8541, 8542 excluding 854140")
    # Analyses that do not work at group level (or on product data) say so, without figures.
    for section in brief.sections:
        if not section.available:
            assert section.unavailable_reason
            assert list(section.figures()) == []


def test_sequencing_ask_states_the_cost_of_waiting(icio_session, icio_brief) -> None:  # type: ignore[no-untyped-def]
    (ask,) = [
        p
        for p in icio_brief.section("bottom_line").paragraphs()
        if p.kind == "ask" and "competitors" in p.text
    ]
    fresh = icio_session.compare_scenarios("us-2025-08-07-mys-no-deal", "us-2025-08-07", home="MYS")
    diff = next(f for f in ask.figures if f.source.field == "difference_usd")
    assert diff.value == fresh.summary["difference_usd"]
    assert math.isclose(
        fresh.summary["exports_b_usd"] - fresh.summary["exports_a_usd"], diff.value, rel_tol=1e-9
    )
    assert "us-2025-08-07-mys-no-deal" in ask.text and diff.prose in ask.text
