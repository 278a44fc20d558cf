"""Exposure, substitutes, concessions and peers on census-us-2024 (US imports only), and at
group level on the hand data set, each product counted once.

Census figures are recomputed from the store's flows with plain pandas; hand figures are
worked out below from ``tests/synthetic.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tradelever.analysis.concessions import product_switchable
from tradelever.api import Session
from tradelever.errors import InputError

DATASET = "census-us-2024"


@pytest.fixture(scope="module")
def flows(icio_session: Session) -> pd.DataFrame:
    f = icio_session.store.table(DATASET, "flows").to_pandas()
    return f.assign(hs6=f["product"].str[:6])


@pytest.fixture
def hand(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


# -- exposure ---------------------------------------------------------------------------------
def test_exposure_on_one_reporter_nulls_what_needs_home_exports(
    icio_session: Session, flows: pd.DataFrame
) -> None:
    r = icio_session.exposure("MYS", "USA", dataset=DATASET, gdp_usd=400e9)
    mys = flows[flows["exporter"] == "MYS"]
    assert r.summary["home_exports_to_partner_usd"] == pytest.approx(mys["value_usd"].sum())
    assert r.summary["share_of_home_exports"] is None and r.summary["home_exports_usd"] is None
    assert r.summary["share_of_gdp"] == pytest.approx(mys["value_usd"].sum() / 400e9)
    rows = r.rows
    assert rows["share_of_home_exports"].isna().all() and rows["absorption_ratio"].isna().all()
    first = rows.iloc[0]
    assert first["share_of_gdp"] == pytest.approx(first["home_exports_to_partner_usd"] / 400e9)
    assert any(a.startswith("null: home_exports_usd") for a in r.assumptions)


def test_exposure_groups_count_each_product_once(hand: Session) -> None:
    r = hand.exposure("MYS", "USA", dataset="hand-hs17", level="group")
    rows = r.rows.set_index("code")
    # MYS -> USA: 854231 50 (semiconductors and electrical_electronic), gloves 60, 280530 1
    assert rows.loc["semiconductors", "home_exports_to_partner_usd"] == 50.0
    assert rows.loc["electrical_electronic", "home_exports_to_partner_usd"] == 50.0
    assert r.summary["home_exports_to_partner_usd"] == pytest.approx(111.0)  # not 161
    # shares of home's exports over all products once: X(MYS) = 100 + 100 + 1 = 201
    assert r.summary["home_exports_usd"] == pytest.approx(201.0)
    assert rows.loc["semiconductors", "share_of_home_exports"] == pytest.approx(50 / 201)


# -- substitutes ------------------------------------------------------------------------------
def test_substitutes_on_one_reporter(icio_session: Session, flows: pd.DataFrame) -> None:
    r = icio_session.substitutes("MYS", "USA", "CHN", dataset=DATASET)
    rows = r.rows.set_index("code")
    assert len(rows) > 10
    # every offer is bounded by a quarter of home's sales to the partner and by the rival's
    assert (rows["plausible_supply_usd"] <= 0.25 * rows["home_exports_to_partner_usd"] + 1e-6).all()
    assert (rows["plausible_supply_usd"] <= rows["rival_exports_to_partner_usd"] + 1e-6).all()
    assert (rows["home_market_rca"] > 1).all() and rows["home_rca"].isna().all()
    # one product by hand: home_market_rca = (V(e,p,k) / V(e,p)) / (M(p,k) / M(p))
    code = rows.index[0]
    v = flows.groupby(["hs6", "exporter"])["value_usd"].sum()
    v_epk, m_pk = v.loc[(code, "MYS")], v.loc[code].sum()
    v_ep = flows.loc[flows["exporter"] == "MYS", "value_usd"].sum()
    m_p = flows["value_usd"].sum()
    assert rows.loc[code, "home_market_rca"] == pytest.approx((v_epk / v_ep) / (m_pk / m_p))
    assert rows.loc[code, "plausible_supply_usd"] == pytest.approx(
        min(v.loc[(code, "CHN")], 0.25 * v_epk)
    )
    assert r.summary["plausible_supply_usd"] <= 0.25 * v_ep
    assert any("one reporter" in a for a in r.assumptions)
    with pytest.raises(InputError) as info:
        icio_session.substitutes("MYS", "USA", "CHN", dataset=DATASET, min_world_share=0.1)
    assert info.value.parameter == "min_world_share"


def test_substitutes_groups_headline_counts_each_product_once(hand: Session) -> None:
    r = hand.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", level="group")
    rows = r.rows.set_index("code")
    # semiconductors = 854231 + 854232: X(MYS) = 100, V(MYS, USA) = 50, rival to USA 70;
    # offer min(70, 0.25 * (100 - 50)) = 12.5; electrical_electronic the same products.
    assert rows.loc["semiconductors", "plausible_supply_usd"] == pytest.approx(12.5)
    assert rows.loc["electrical_electronic", "plausible_supply_usd"] == pytest.approx(12.5)
    assert "rare_earths" not in rows.index  # RCA (1/201) / (10/815) = 0.41 < 1
    # the headline: 854231's offer min(30, 12.5) once, not 25
    assert r.summary["plausible_supply_usd"] == pytest.approx(12.5)


# -- concessions ------------------------------------------------------------------------------
def test_concessions_refuse_one_reporter(icio_session: Session) -> None:
    with pytest.raises(InputError) as info:
        icio_session.concessions("MYS", "USA", dataset=DATASET)
    assert info.value.parameter == "dataset" and "third countries" in info.value.message


def test_concessions_default_is_icio_for_the_usa(icio_session: Session) -> None:
    r = icio_session.concessions("MYS", "USA")
    assert r.params["dataset"] == "icio2022"
    assert "concessions needs home's imports from third countries" in r.assumptions[0]


def test_product_switchable_by_hand() -> None:
    products = pd.DataFrame(
        {
            "code": ["a", "b", "c"],
            "home_imports_usd": [30.0, 5.0, 10.0],
            "partner_to_home_usd": [10.0, 0.0, 10.0],
            "partner_exports_usd": [60.0, 2.0, 10.0],
        }
    )
    got = product_switchable(products).set_index("code")["switchable_usd"]
    # a: min(30 - 10, 60 - 10) = 20; b: min(5, 2) = 2; c: min(0, 0) = 0
    assert got.tolist() == [20.0, 2.0, 0.0]


def test_concessions_at_group_level_runs(hand: Session) -> None:
    r = hand.concessions("MYS", "USA", dataset="hand-hs17", level="group")
    assert r.params["level"] == "group"
    # rice and aircraft are MYS's only imports: in no group, so nothing to switch
    assert r.rows.empty and r.summary["total_switchable_usd"] == 0.0


# -- peers ------------------------------------------------------------------------------------
def test_peers_on_one_reporter(icio_session: Session, flows: pd.DataFrame) -> None:
    r = icio_session.peers("MYS", "USA", "THA,EU27")
    assert r.params["dataset"] == DATASET
    rows = r.rows.set_index("country")
    assert list(rows.index) == ["MYS", "THA", "EUU"]  # EU27: the aggregate of the data
    assert rows["exposure"].isna().all()  # never 100%: home's total exports are unknown
    # the formula from census-us-trade 2024: (52,534.8 - 27,704.8) / (2 x 52,534.8)
    assert rows.loc["MYS", "formula_rate"] == pytest.approx(24_830.0 / (2 * 52_534.8), abs=1e-5)
    assert rows.loc["EUU", "formula_rate"] == pytest.approx(0.194, abs=0.001)
    eu = flows.loc[flows["exporter"] == "EUU", "value_usd"].sum()
    assert rows.loc["EUU", "exports_to_partner_usd"] == pytest.approx(eu)


def test_peers_at_group_level(hand: Session) -> None:
    hs6 = hand.peers("MYS", "USA", "THA,CHN", dataset="hand-hs17")
    group = hand.peers("MYS", "USA", "THA,CHN", dataset="hand-hs17", level="group")
    a, b = hs6.rows.set_index("country"), group.rows.set_index("country")
    # country totals do not depend on the level
    assert b["exports_to_partner_usd"].tolist() == a["exports_to_partner_usd"].tolist()
    assert b["formula_rate"].tolist() == a["formula_rate"].tolist()
    # every hand product to the USA is in a group, so leverage over the union is the HS6 total
    assert b.loc["MYS", "total_ces_leverage_usd"] == pytest.approx(
        a.loc["MYS", "total_ces_leverage_usd"]
    )
    assert not math.isnan(b.loc["THA", "export_similarity_with_home"])
