"""Scenarios run end to end on the synthetic hand data set (tests/synthetic.py) and icio2022.

hand-hs17, 2023, market (USA, 854231): MYS 50, CHN 30, THA 20 - the hand example of
test_pe.py, so a 25% US duty on Malaysian processors gives (SMART, sigma 1.5, em -1.2):
MYS creation -15, diversion -7.894736842; CHN +4.736842105; THA +3.157894737.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
