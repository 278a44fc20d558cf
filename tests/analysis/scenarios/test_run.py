"""Scenarios run end to end on the synthetic hand data set (tests/synthetic.py) and icio2022.

hand-hs17, 2023, market (USA, 854231): MYS 50, CHN 30, THA 20 - the hand example of
test_pe.py, so a 25% US duty on Malaysian processors gives (SMART, sigma 1.5, em -1.2):
MYS creation -15, diversion -7.894736842; CHN +4.736842105; THA +3.157894737.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.analysis.scenarios import preset_names
from tradelever.api import Session
from tradelever.errors import InputError

L_HAND = 937.5 / 118.75

CHIPS = {
    "name": "chips-mys",
    "elasticities": {"substitution": 1.5, "import_demand": -1.2},
    "measures": [
        {
            "importer": "USA",
            "exporters": ["MYS"],
            "products": ["854231"],
            "new_rate": 0.25,
            "basis": "reciprocal",
            "source": "test",
        }
    ],
}


@pytest.fixture
def hand_session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_smart_on_hand_data(hand_session: Session) -> None:
    r = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="smart")
    rows = r.rows.set_index("exporter")
    assert set(rows.index) == {"MYS", "CHN", "THA"}  # only the changed market
    assert rows.loc["MYS", "trade_creation_usd"] == pytest.approx(-15.0)
    assert rows.loc["MYS", "trade_diversion_usd"] == pytest.approx(-L_HAND)
    assert rows.loc["CHN", "trade_diversion_usd"] == pytest.approx(0.6 * L_HAND)
    assert rows.loc["THA", "trade_diversion_usd"] == pytest.approx(0.4 * L_HAND)
    assert rows.loc["MYS", "total_effect_usd"] == pytest.approx(-15.0 - L_HAND)
    (market,) = r.markets.to_dict(orient="records")
    assert market["tariff_revenue_change_usd"] == pytest.approx(0.25 * (50 - 15 - L_HAND))
    assert market["welfare_usd"] == pytest.approx(-1.875)
    d = r.to_dict()
    for key in ("rows", "markets", "exporters", "provenance", "assumptions", "summary"):
        assert key in d
    assert d["scenario"] == "chips-mys" and d["mode"] == "smart" and d["year"] == 2023
    assert d["provenance"]["scenario"]["measures"][0]["source"] == "test"


def test_home_view_splits_own_and_rival_effects(hand_session: Session) -> None:
    both = dict(CHIPS, name="both")
    both["measures"] = [
        *CHIPS["measures"],
        {
            "importer": "USA",
            "exporters": ["CHN"],
            "products": "all",
            "new_rate": 1.25,
            "basis": "reciprocal",
            "source": "test",
        },
    ]
    r = hand_session.run_scenario(both, dataset="hand-hs17", year=2023, mode="ces", home="MYS")
    h = r.home
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"]
    )
    assert h["own_tariffs_alone_usd"] < 0 < h["rival_tariffs_alone_usd"]
    # CHN sells no gloves to the USA: the glove market does not change.
    assert "401519" not in set(r.home_rows["code"])
    # Rare earths: China at 125% diverts US purchases to Malaysia.
    rare = r.home_rows.set_index("code").loc["280530"]
    assert rare["total_effect_usd"] > 0


def test_compare_competitors_first(hand_session: Session, tmp_path: Path) -> None:
    import yaml

    deal = dict(CHIPS, name="deal")
    deal["measures"] = [dict(CHIPS["measures"][0], new_rate=0.10)]
    first = dict(CHIPS, name="first")  # MYS still at 25%
    (tmp_path / "deal.yaml").write_text(yaml.safe_dump(deal), "utf-8")
    (tmp_path / "first.yaml").write_text(yaml.safe_dump(first), "utf-8")
    r = hand_session.compare_scenarios(
        tmp_path / "first.yaml", tmp_path / "deal.yaml", home="MYS", dataset="hand-hs17", year=2023
    )
    row = r.rows.set_index("code").loc["854231"]
    assert row["baseline_exports_usd"] == pytest.approx(50.0)
    assert row["exports_a_usd"] < row["exports_b_usd"] < 50.0
    assert r.summary["difference_usd"] == pytest.approx(row["difference_usd"])


def test_draws_give_ordered_ranges(hand_session: Session) -> None:
    calls: list[tuple[int, int]] = []
    r = hand_session.run_scenario(
        CHIPS,
        dataset="hand-hs17",
        year=2023,
        home="MYS",
        draws=50,
        progress=lambda d, n: calls.append((d, n)),
    )
    u = r.uncertainty
    assert u["draws"] == 50 and calls[-1] == (50, 50)
    hp = u["home_total_effect_usd"]
    assert hp["p5"] <= hp["p50"] <= hp["p95"] < 0


def test_unknown_year_and_mode(hand_session: Session) -> None:
    with pytest.raises(InputError, match=r"^year: 1999 is not in data set hand-hs17"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=1999)
    with pytest.raises(InputError, match=r"^mode: 'gtap' is not one of ces, smart"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", mode="gtap")


def test_preset_on_icio(icio_session: Session) -> None:
    r = icio_session.run_scenario("us-2025-04-02", home="MYS")
    # The April 11 list exempts C26 from the reciprocal duty: Malaysia's C26 pays nothing
    # and gains from the fentanyl duty on China, which has no exemption.
    mys = r.rows[r.rows["exporter"] == "MYS"].set_index("code")
    assert mys.loc["C26", "new_rate"] == 0.0
    assert mys.loc["C26", "trade_diversion_usd"] > 0
    assert mys.loc["C22", "new_rate"] == pytest.approx(0.24)
    chn = r.rows[r.rows["exporter"] == "CHN"].set_index("code")
    assert chn.loc["C22", "new_rate"] == pytest.approx(0.54)  # 34% + 20% fentanyl
    assert chn.loc["C26", "new_rate"] == pytest.approx(0.20)  # fentanyl has no exemption
    # s232 steel replaces the reciprocal duty on C24A
    assert mys.loc["C24A", "new_rate"] == pytest.approx(0.25)
    assert any("intermediate goods only" in a for a in r.assumptions)
    assert r.summary["trade_diversion_usd"] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("importers", [None, ["USA"]])
def test_unique_keys_read_equals_summed_read(hand_session: Session, importers) -> None:  # type: ignore[no-untyped-def]
    """Reading rows as they are (unique keys) gives the same flows as summing by key."""
    from tradelever.analysis.scenarios import load_flows

    flows = hand_session.store.table("hand-hs17", "flows")
    keys = ["importer", "exporter", "code"]
    fast = load_flows(flows, year=2023, importers=importers, unique=True)
    summed = load_flows(flows, year=2023, importers=importers, unique=False)
    fast = fast.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    summed = summed.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
    assert len(fast) == (17 if importers is None else 8)  # rows of tests/synthetic.py
    assert fast.equals(summed)


# -- issue 12: no-change runs, bounds on every preset, bands, flags, checks ---------------


@pytest.mark.parametrize("mode", ["smart", "ces"])
def test_no_rate_change_returns_zero_effects(icio_session: Session, mode: str) -> None:
    # HS 854231 has no industry equivalent on icio2022: nothing changes (this crashed).
    r = icio_session.run_scenario("us-2026-01-15-s232-semiconductors", mode=mode, home="MYS")
    assert r.summary["markets_changed"] == 0
    assert r.summary["total_effect_usd"] == 0.0
    assert r.summary["tariff_revenue_change_usd"] == 0.0
    assert r.rows.empty and r.markets.empty
    assert r.home["total_effect_usd"] == 0.0
    assert any(a.startswith("no rate changes") for a in r.assumptions)
    assert r.to_dict()["summary"]["markets_changed"] == 0


@pytest.mark.parametrize("name", preset_names())
def test_smart_on_every_preset_no_negative_imports(icio_session: Session, name: str) -> None:
    r = icio_session.run_scenario(name, mode="smart", home="MYS")
    rows = r.rows
    base = rows["baseline_imports_usd"].to_numpy()
    new = base + rows["total_effect_usd"].to_numpy()
    assert (new >= -1e-9 * base).all()
    # revenue = new rate x the rows' own new imports - old rate x baseline imports
    rev = (rows["new_rate"] * new - rows["old_rate"] * base).sum()
    assert r.summary["tariff_revenue_change_usd"] == pytest.approx(rev, rel=1e-9, abs=1.0)
    if (rows["old_rate"] == 0).all() and (rows["new_rate"] >= rows["old_rate"]).all():
        assert r.summary["tariff_revenue_change_usd"] >= 0
    # diversion sums to zero within every market
    by_market = rows.groupby(["importer", "code"], observed=True)["trade_diversion_usd"].sum()
    assert (by_market.abs() <= 1e-9 * rows["baseline_imports_usd"].sum()).all()
    h = r.home
    assert h["own_tariff_effect_usd"] + h["rival_tariff_effect_usd"] == pytest.approx(
        h["total_effect_usd"], rel=1e-12, abs=1e-3
    )
    assert h["total_effect_usd"] >= -h["exports_in_changed_markets_usd"]


def test_china_at_145_percent_is_bounded(icio_session: Session) -> None:
    """The issue's run: 42 rows ended negative and revenue fell by US$103 bn."""
    r = icio_session.run_scenario("us-2025-04-10", mode="smart")
    assert r.summary["rows_flagged"]["bounded"] > 0
    assert r.summary["tariff_revenue_change_usd"] > 0
    chn = r.rows[(r.rows["exporter"] == "CHN") & (r.rows["flags"].str.contains("bounded"))]
    assert len(chn) and (chn["baseline_imports_usd"] + chn["total_effect_usd"]).abs().max() < 1.0
    assert any(a.startswith("bound: in") for a in r.assumptions)


def test_sigma_band_brackets_the_result(hand_session: Session) -> None:
    r = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="smart", home="MYS")
    rows = r.rows
    assert (rows["total_effect_low_usd"] <= rows["total_effect_usd"]).all()
    assert (rows["total_effect_usd"] <= rows["total_effect_high_usd"]).all()
    mys = rows.set_index("exporter").loc["MYS"]
    # sigma 1.5 -> 1.25 and 2.0; creation -15 in all three runs
    lo = 50 * 50 * 2.0 * 0.25 / (100 + 50 * 2.0 * 0.25)
    hi = 50 * 50 * 1.25 * 0.25 / (100 + 50 * 1.25 * 0.25)
    assert mys["total_effect_low_usd"] == pytest.approx(-15 - lo)
    assert mys["total_effect_high_usd"] == pytest.approx(-15 - hi)
    s = r.summary
    assert s["total_effect_low_usd"] <= s["total_effect_usd"] <= s["total_effect_high_usd"]
    assert r.home["total_effect_low_usd"] == pytest.approx(-15 - lo)
    assert any(a.startswith("sensitivity band") for a in r.assumptions)


def test_extreme_sigma_and_large_changes_are_flagged(hand_session: Session) -> None:
    # sigma 14 and 25% on MYS and CHN (80 of the 100 of US 854231 imports): THA's 20 more
    # than doubles (the case: Mexico's electrical exports +316% at sigma near 14).
    both = {**CHIPS["measures"][0], "exporters": ["MYS", "CHN"]}
    big = dict(
        CHIPS,
        name="big",
        elasticities={"substitution": 14.0, "import_demand": -1.2},
        measures=[both],
    )
    r = hand_session.run_scenario(big, dataset="hand-hs17", year=2023, mode="ces")
    rows = r.rows.set_index("exporter")
    assert all("extreme_sigma" in str(v) for v in rows["flags"])
    assert rows.loc["THA", "change_pct"] > 1
    assert rows.loc["THA", "flags"] == "extreme_sigma;large_change"
    assert rows.loc["MYS", "flags"] == "extreme_sigma"
    assert r.summary["rows_flagged"]["extreme_sigma"] == 3
    notes = [a for a in r.assumptions if a.startswith("plausibility:")]
    assert len(notes) == 2 and "above 10 (up to 14.0)" in notes[0]
    ok = hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, mode="ces")
    assert not any(a.startswith("plausibility:") for a in ok.assumptions)
    assert (ok.rows["flags"] == "").all()


@pytest.mark.parametrize("draws", [-1, 10_001, 2.5, True, "5"])
def test_bad_draws_name_the_parameter(hand_session: Session, draws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"^--draws: must be a whole number from 0 to 10000"):
        hand_session.run_scenario(CHIPS, dataset="hand-hs17", year=2023, draws=draws)


def test_compare_puts_both_on_one_base(hand_session: Session, tmp_path: Path) -> None:
    import yaml

    deal = dict(CHIPS, name="deal", measures=[dict(CHIPS["measures"][0], new_rate=0.10)])
    first = dict(CHIPS, name="first", relative_to="deal")  # measured against the deal
    (tmp_path / "deal.yaml").write_text(yaml.safe_dump(deal), "utf-8")
    (tmp_path / "first.yaml").write_text(yaml.safe_dump(first), "utf-8")
    alone = hand_session.run_scenario(tmp_path / "first.yaml", dataset="hand-hs17", year=2023)
    assert alone.params["baseline"]["scenario"] == "deal"
    r = hand_session.compare_scenarios(
        tmp_path / "first.yaml", tmp_path / "deal.yaml", home="MYS", dataset="hand-hs17", year=2023
    )
    assert r.params["baseline"]["kind"] == "no_additional_tariffs"
    assert r.summary["baseline"] == "no additional tariffs"
    row = r.rows.set_index("code").loc["854231"]
    assert row["exports_a_usd"] < row["exports_b_usd"] < row["baseline_exports_usd"]
