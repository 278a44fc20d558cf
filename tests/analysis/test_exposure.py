"""Exposure on the hand data set (tests/synthetic.py), worked by hand.

2023: MYS sells the USA 854231 (50), 401519 (60), 280530 (1) = 111 of total exports 201.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tradelever.api import Session
from tradelever.errors import InputError
from tradelever.store import Store


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_exposure_by_hand(session: Session) -> None:
    r = session.exposure("MYS", "USA", dataset="hand-hs17", year=2023)
    assert list(r.rows.code) == ["401519", "854231", "280530"]
    rows = r.rows.set_index("code")
    gloves = rows.loc["401519"]
    assert gloves.home_exports_to_partner_usd == 60.0
    assert gloves.partner_share_of_home_product_exports == pytest.approx(0.6)
    assert gloves.share_of_home_exports == pytest.approx(60 / 201)
    # rest of the world's imports: W 120 - USA 80 - MYS 0 = 40 (CHN's imports)
    assert gloves.rest_of_world_imports_usd == pytest.approx(40.0)
    assert gloves.absorption_ratio == pytest.approx(40 / 60)
    # MYS already holds all of CHN's 40; redirecting 60 more would need 250% of the market
    assert gloves.home_share_of_row_imports == pytest.approx(1.0)
    assert gloves.home_share_of_row_imports_if_redirected == pytest.approx(2.5)
    chips = rows.loc["854231"]
    assert chips.rest_of_world_imports_usd == pytest.approx(150.0)  # 250 - 100 - 0
    assert chips.absorption_ratio == pytest.approx(3.0)
    assert chips.home_share_of_row_imports == pytest.approx(50 / 150)
    rare = rows.loc["280530"]
    assert rare.rest_of_world_imports_usd == 0.0  # only the USA imports rare earths
    assert math.isnan(rare.home_share_of_row_imports)
    # no GDP in a product data set and none given
    assert rows.share_of_gdp.isna().all()
    s = r.summary
    assert s["home_exports_to_partner_usd"] == pytest.approx(111.0)
    assert s["share_of_home_exports"] == pytest.approx(111 / 201)
    assert s["gdp_usd"] is None and s["share_of_gdp"] is None
    assert any("--gdp-usd" in a for a in r.assumptions)


def test_exposure_with_gdp(session: Session) -> None:
    r = session.exposure("MYS", "USA", dataset="hand-hs17", gdp_usd=1000.0)
    assert r.rows.set_index("code").loc["401519"].share_of_gdp == pytest.approx(0.06)
    assert r.summary["share_of_gdp"] == pytest.approx(0.111)
    assert r.summary["gdp_source"].startswith("given")


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan")])
def test_bad_gdp(session: Session, bad: float) -> None:
    with pytest.raises(InputError, match=r"^gdp_usd: "):
        session.exposure("MYS", "USA", dataset="hand-hs17", gdp_usd=bad)


def test_exposure_icio_gdp_is_value_added(icio_session: Session, icio_data_dir: Path) -> None:
    import pandas as pd

    nodes = pd.read_parquet(Store(icio_data_dir).dataset_path("icio2022") / "nodes")
    va = nodes.loc[nodes.country == "MYS", "value_added_usd"].sum()
    r = icio_session.exposure("MYS", "USA")
    s = r.summary
    assert s["gdp_usd"] == pytest.approx(va, rel=1e-9)
    assert s["share_of_gdp"] == pytest.approx(s["home_exports_to_partner_usd"] / va)
    assert r.rows.home_exports_to_partner_usd.sum() == pytest.approx(
        s["home_exports_to_partner_usd"]
    )
    assert r.rows.share_of_home_exports.sum() == pytest.approx(s["share_of_home_exports"])
    assert (r.rows.partner_share_of_home_product_exports <= 1 + 1e-12).all()
    assert any("value added" in a for a in r.assumptions)


def test_exposure_hs2(session: Session) -> None:
    # HS2 85 = 854231 + 854232: MYS sells USA 50 of its 100; W(85) = 290,
    # M(USA, 85) = 140, M(MYS, 85) = 0 -> rest of the world 150 (CHN 50 + THA 100)
    r = session.exposure("MYS", "USA", dataset="hand-hs17", level="hs2")
    row = r.rows.set_index("code").loc["85"]
    assert row.home_exports_to_partner_usd == 50.0
    assert row.rest_of_world_imports_usd == pytest.approx(150.0)
    assert row.home_share_of_row_imports_if_redirected == pytest.approx(100 / 150)
    assert r.params["level"] == "hs2"
