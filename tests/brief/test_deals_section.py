"""The peers section on the deals (issue 14 item 3): what peers gave and got, first in line,
precedents; and the text fixes of the default brief (issue 12 item 6)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tradelever.analysis.result import TableResult
from tradelever.brief.chart_deals import _labels
from tradelever.brief.context import Context
from tradelever.brief.figures import plain
from tradelever.brief.model import Chart, Figure, Note, Table
from tradelever.brief.money import fmt_points, prose_text
from tradelever.brief.sections import scenarios as s_scen
from tradelever.brief.text import sentence

_CTX = Context("MYS", "USA", None, "Malaysia", "the United States", None, "census-us-2024",
               2024, "hs6", "HTS2024", False, dt.date(2026, 1, 15))  # fmt: skip


def _deal_table(census_brief) -> Table:  # type: ignore[no-untyped-def]
    section = census_brief.section("peers")
    return next(t for t in section.tables if t.headers[0] == "partner")


def test_deal_measures_come_from_the_deals_analysis(icio_session, census_brief) -> None:  # type: ignore[no-untyped-def]
    deals = census_brief.results["deals"]
    assert deals.kind == "deals"
    assert set(deals.rows["partner"]) <= {"MYS", "BRN", "KHM", "IDN", "LAO", "MMR", "PHL",
                                          "SGP", "THA", "TLS", "VNM"}  # fmt: skip
    fresh = icio_session.deals("USA", members=deals.params["members"])
    pd.testing.assert_frame_equal(deals.rows, fresh.rows)


def test_malaysia_row_worked_by_hand(census_brief) -> None:  # type: ignore[no-untyped-def]
    table = _deal_table(census_brief)
    row = next(r for r in table.rows if r[0] == "Malaysia")
    cells = dict(zip(table.headers, row, strict=True))
    # EO 14257 Annex I: 24%; the October 2025 agreement: 19%; the cut 24 - 19 = 5 points.
    assert cells["Annex I rate"].value == pytest.approx(0.24)
    assert cells["rate obtained"].value == pytest.approx(0.19)
    assert cells["cut"].value == pytest.approx(0.05) and cells["cut"].text == "5 pp"
    # Pledges over one year's exports: the pledges over US general imports from Malaysia in
    # 2024 (census-us-trade, first published: US$52,534.8 mn, the m of the formula).
    pledges = cells["pledges (headline total)"].value
    times = cells["pledges over 2024 exports to the US"].value
    assert times == pytest.approx(pledges / 52_534.8e6, rel=1e-4)
    assert cells["pledges over 2024 exports to the US"].source.dataset == "census-us-trade"
    assert "census-us-2024 weights" in cells["effective rate after"].source.dataset


def test_every_deal_figure_names_the_deal(census_brief) -> None:  # type: ignore[no-untyped-def]
    table = _deal_table(census_brief)
    ids = set(census_brief.results["deals"].rows["deal"])
    for row in table.rows:
        for cell in row:
            if isinstance(cell, Figure):
                assert len(cell.source.codes) == 1 and cell.source.codes[0] in ids
                assert not cell.source.tag().startswith("us-deals")
                assert cell.source.tag().endswith(f"; {cell.source.codes[0]}")


def test_partners_without_a_deal_are_named(census_brief) -> None:  # type: ignore[no-untyped-def]
    notes = [b.text for b in census_brief.section("peers").blocks if isinstance(b, Note)]
    missing = next(n for n in notes if n.startswith("No US deal among the packaged texts"))
    assert "Singapore" in missing and "Malaysia" not in missing


def test_first_in_line_chart_from_chart_deals(census_brief) -> None:  # type: ignore[no-untyped-def]
    charts = [b for b in census_brief.section("peers").blocks if isinstance(b, Chart)]
    (chart,) = charts
    assert 'data-chart="first-in-line"' in chart.svg
    assert "Spearman" in chart.caption and "not an effect of timing" in chart.caption
    first = census_brief.results["first_in_line"]
    assert first.params["home"] == "MYS" and first.rows["is_home"].sum() == 1


def test_coincident_points_share_one_label() -> None:
    data = pd.DataFrame(
        {
            "partner": ["GBR", "CHN", "KHM", "MYS", "THA", "IDN", "VNM", "CHN2"],
            "x": [36.0, 40.0, 207.0, 207.0, 207.0, 111.0, 120.0, 211.0],
            "y": [10.0, 10.0, 19.0, 19.0, 19.0, 19.0, 20.0, 10.0],
        }
    )
    labels = _labels(data)
    assert labels[(36.0, 10.0)] == ["GBR", "CHN"]  # 4 days apart, same rate
    assert labels[(207.0, 19.0)] == ["KHM", "MYS", "THA"]
    assert labels[(111.0, 19.0)] == ["IDN"]  # same rate, 96 days earlier
    assert labels[(120.0, 20.0)] == ["VNM"]  # another rate
    assert labels[(211.0, 10.0)] == ["CHN2"]
    assert sum(len(v) for v in labels.values()) == len(data)


def test_precedents_are_the_precedents_analysis(icio_session, census_brief) -> None:  # type: ignore[no-untyped-def]
    found = census_brief.results["precedents"]
    assert found.params["offer"] == "tariff_elimination"
    fresh = icio_session.precedents("tariff_elimination", members=found.params["members"])
    pd.testing.assert_frame_equal(found.rows, fresh.rows)
    paras = [p for p in census_brief.section("bottom_line").paragraphs() if p.kind == "precedent"]
    assert paras and not any(p.text.startswith("Malaysia") for p in paras)
    for p in paras:
        (rate,) = [f for f in p.figures if f.source.field == "rate_obtained"]
        row = found.rows.iloc[int(rate.source.row)]
        assert rate.value == pytest.approx(row["rate_obtained"])
        assert p.text.startswith(f"{row['partner_name']}: {row['summary']}, for a US rate of")


def test_points_unit() -> None:
    assert fmt_points(0.13) == "13 pp"
    assert fmt_points(0.125) == "12.5 pp"
    assert fmt_points(None) == "-"
    assert prose_text(0.05, "points") == "5 pp"


def test_plain_notes_drop_repository_paths_and_self_definitions() -> None:
    note = (
        "falls between share_lost = tau and share_lost = 1 for MYS -> USA "
        "(benchmarks/network_vs_sanction_simulator.py)."
    )
    assert plain(note) == "falls between share lost = tau and share lost = 1 for MYS -> USA."
    text = plain("annex_method_rate is the rate computed as the US did (round, halve)")
    assert text == "rate computed as the US did (round, halve)"
    assert sentence("m and x are the totals") == "m and x are the totals."
    assert sentence("a rate of 10%") == "A rate of 10%."


def _comparison(diff_deal: float) -> TableResult:
    rows = pd.DataFrame(
        {
            "case": ["schedule in force on 2026-11-29", "deal at 10%", "peers settle first"],
            "home_rate": [0.054, 0.054, 0.054],
            "peers_rate": [0.086, 0.086, 0.077],
            "total_effect_usd": [-3.99e9, -3.99e9 + diff_deal, -4.31e9],
            "own_tariff_effect_usd": [-16.41e9, -16.41e9, -16.29e9],
            "rival_tariff_effect_usd": [12.42e9, 12.42e9 + diff_deal, 11.99e9],
            "difference_from_schedule_usd": [0.0, diff_deal, -0.32e9],
        }
    )
    params = {
        "mode": "ces",
        "dataset": "census-us-2024",
        "year": 2024,
        "date": "2026-11-29",
        "deal_rate": 0.10,
        "peers": ["THA"],
        "baseline": {"label": "no additional tariffs"},
    }
    return TableResult("deal_comparison", params, rows, {"name": "census-us-2024"})


def test_a_deal_at_todays_rate_is_said_to_change_nothing() -> None:
    section, _ = s_scen.build_comparison(_CTX, _comparison(0.0))
    text = section.text()
    assert "already charges Malaysia no more than 10%" in text
    assert "its effective rate is 5.4% in both cases" in text
    section, _ = s_scen.build_comparison(_CTX, _comparison(2.5e8))
    assert "already charges" not in section.text()
    assert "would change by US$250 m a year against the schedule in force" in section.text()


def test_each_instrument_cited_once_in_the_headline_rates(census_brief) -> None:  # type: ignore[no-untyped-def]
    notes = [b.text for b in census_brief.section("tariffs").blocks if isinstance(b, Note)]
    note = next(n for n in notes if n.startswith("Headline rates by exporter: "))
    rates = census_brief.results["country_rates"].rows
    for inst in set(rates["instruments"].dropna()):
        assert note.count(inst) == 1, inst
    names = {"MYS": "Malaysia", "VNM": "Vietnam", "THA": "Thailand", "IDN": "Indonesia"}
    for rec in rates.to_dict(orient="records"):
        if rec["exporter"] in names:  # each exporter once, with its rate
            assert note.count(names[rec["exporter"]]) == 1
            assert f"{names[rec['exporter']]} {rec['rate_text']}" in note or (
                f"{names[rec['exporter']]}, " in note and rec["rate_text"] in note
            )


def test_claims_annex_prints_a_rank_as_a_rank(icio_session) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from tradelever.analysis.claims import read_claims_file
    from tradelever.brief.build import _claims_result
    from tradelever.brief.sections import claims as s_claims

    path = Path(__file__).parents[2] / "examples" / "claims" / "kenanga-2025-04-14.yaml"
    result = _claims_result(icio_session, read_claims_file(path), str(path))
    (table,) = s_claims.build(_CTX, result).tables
    row = next(r for r in table.rows if r[0] == "lynas-largest-plant-outside-china")
    assert row[3] == "rank 1" and "US$" not in str(row[3])
    assert row[5] == "-"  # no data set recomputed it
