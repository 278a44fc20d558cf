"""Presets as the US schedule of their date, user scenarios on a date, and the deal comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradelever.analysis.effective_tariffs import schedule_rates, tariff_request
from tradelever.analysis.scenarios.deals import deal_comparison
from tradelever.analysis.scenarios.presets import preset_scenario, schedule_preset
from tradelever.analysis.tariffs import line_rates, tariff_timeline


@pytest.fixture(scope="module")
def run_0807(icio_session):  # type: ignore[no-untyped-def]
    return icio_session.run_scenario("us-2025-08-07", dataset="census-us-2024", home="MYS")


def test_preset_on_census_equals_the_schedule_line_rates(icio_session, run_0807) -> None:  # type: ignore[no-untyped-def]
    request = tariff_request(icio_session)
    lines = line_rates(None, _lines(request), "2025-08-07")
    expected = lines.set_index(["exporter", "product"])["additional_rate"]
    rows = run_0807.rows.assign(
        exporter=run_0807.rows["exporter"].astype(str), code=run_0807.rows["code"].astype(str)
    ).set_index(["exporter", "code"])
    got = rows["new_rate"]
    common = got.index.intersection(expected.index)
    assert len(common) > 10_000
    np.testing.assert_allclose(got.loc[common], expected.loc[common], atol=1e-12)
    assert any("line by line" in a for a in run_0807.assumptions)
    # Malaysia's medical gloves pay 19%, its chips nothing (the April 11 memorandum)
    gloves = [k for k in common if k[0] == "MYS" and k[1].startswith("401512")]
    assert gloves and all(got.loc[k] == pytest.approx(0.19) for k in gloves)
    chips = [k for k in common if k[0] == "MYS" and k[1].startswith("8542")]
    assert chips and all(got.loc[k] == 0.0 for k in chips)


def _lines(request):  # type: ignore[no-untyped-def]
    from tradelever.analysis.effective_tariffs import _lines_frame

    return _lines_frame(request, "USA", None)


def test_schedule_rates_are_value_weighted_means_of_lines(icio_session) -> None:  # type: ignore[no-untyped-def]
    request = tariff_request(icio_session)
    lines = line_rates(None, _lines(request), "2025-08-07")
    table = schedule_rates(request, "2025-08-07", level="hs6").set_index(["exporter", "code"])
    mys = lines[lines["exporter"] == "MYS"]
    for hs6 in ("401512", "854231", "847130"):
        sub = mys[mys["product"].str.startswith(hs6)]
        if sub["value_usd"].sum() == 0:
            continue
        want = (sub["value_usd"] * sub["additional_rate"]).sum() / sub["value_usd"].sum()
        assert table.loc[("MYS", hs6), "rate"] == pytest.approx(want, abs=1e-12)
        stacks = [c for c in table.columns if c.startswith("rate_")]
        assert table.loc[("MYS", hs6), stacks].sum() == pytest.approx(want, abs=1e-12)


def test_preset_on_icio_falls_back_to_its_selectors(icio_session) -> None:  # type: ignore[no-untyped-def]
    res = icio_session.run_scenario("us-2025-08-07", home="MYS")
    assert any("no US tariff lines" in a and "restate it" in a for a in res.assumptions)
    assert res.summary["markets_changed"] > 0


def test_user_scenario_on_a_date_with_a_deal_on_top(icio_session) -> None:  # type: ignore[no-untyped-def]
    spec = {
        "name": "mys-15-on-2025-08-07",
        "on": "2025-08-07",
        "measures": [
            {
                "importer": "USA",
                "exporters": ["MYS"],
                "products": "all",
                "new_rate": 0.15,
                "basis": "reciprocal",
                "only_where_charged": True,
                "source": "test: a hypothetical deal",
            }
        ],
    }
    res = icio_session.run_scenario(spec, dataset="census-us-2024")
    rows = res.rows.assign(exporter=res.rows["exporter"].astype(str))
    mys = rows[rows["exporter"] == "MYS"].set_index(
        rows.loc[rows["exporter"] == "MYS", "code"].astype(str)
    )
    gloves = [c for c in mys.index if c.startswith("401512")]
    assert gloves and all(mys.loc[c, "new_rate"] == pytest.approx(0.15) for c in gloves)
    chips = [c for c in mys.index if c.startswith("8542")]
    assert all(mys.loc[c, "new_rate"] == 0.0 for c in chips)  # still exempt
    # on ICIO the latest preset that restates the schedule stands for it, and says so
    icio = icio_session.run_scenario({**spec, "on": "2025-09-30"}, home="MYS")
    assert any("preset us-2025-08-07" in a for a in icio.assumptions)
    assert schedule_preset(pd.Timestamp("2025-09-30").date()).name == "us-2025-08-07"


def test_presets_stay_valid_and_cite_their_instruments() -> None:
    for name in ("us-2025-04-02", "us-2025-08-07", "us-2025-11-10", "us-2026-02-24"):
        sc = preset_scenario(name)
        assert sc.on is not None and sc.restates_schedule
        assert all(m.restates_schedule and m.source for m in sc.measures)


def test_deal_comparison_on_one_base(icio_session) -> None:  # type: ignore[no-untyped-def]
    res = deal_comparison(icio_session, "MYS", "USA", 0.15, "THA,VNM", "2025-08-07")
    rows = res.rows
    assert list(rows["case"]) == [
        "schedule in force on 2025-08-07",
        "deal at 15%",
        "peers settle first, home does not",
    ]
    assert set(rows["baseline"]) == {"no additional tariffs"}
    np.testing.assert_allclose(
        rows["own_tariff_effect_usd"] + rows["rival_tariff_effect_usd"],
        rows["total_effect_usd"],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        rows["rate_level_effect_usd"] + rows["rate_gap_effect_usd"],
        rows["total_effect_usd"],
        rtol=1e-12,
    )
    assert (rows["total_effect_low_usd"] <= rows["total_effect_usd"] + 1e-6).all()
    assert (rows["total_effect_high_usd"] >= rows["total_effect_usd"] - 1e-6).all()
    # 19% -> 15% for Malaysia: a smaller loss; peers at 15% (from 19% and 20%) hurt it
    assert rows.loc[1, "home_rate"] < rows.loc[0, "home_rate"]
    assert rows.loc[1, "difference_from_schedule_usd"] > 0
    assert rows.loc[2, "difference_from_schedule_usd"] < 0
    assert rows.loc[2, "home_rate"] == pytest.approx(rows.loc[0, "home_rate"])
    assert res.summary["deal_worth_usd"] == pytest.approx(
        rows.loc[1, "difference_from_schedule_usd"]
    )


def test_timeline_unchanged_by_the_analysis(icio_session) -> None:  # type: ignore[no-untyped-def]
    """The tariffs analysis and the engine's tariff_timeline agree on the same dates."""
    request = tariff_request(icio_session)
    flows = request.flows.filter(request.flows["exporter"].isin(["MYS", "THA"])).to_pandas()
    engine = tariff_timeline(flows, ["MYS", "THA"], dates=["2025-08-07", "2026-03-01"])
    ours = icio_session.tariffs("USA", "MYS,THA", dates="2025-08-07,2026-03-01")
    np.testing.assert_allclose(
        ours.rows["effective_additional_rate"], engine.rows["effective_additional_rate"], atol=1e-12
    )
