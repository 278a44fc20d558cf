"""Rival substitution on the hand data set (tests/synthetic.py), worked by hand.

2023 totals: world exports W = 815 (854231 250, 854232 40, 401519 120, 280530 10,
100630 90, 880240 305); MYS exports X(MYS) = 201 (854231 100, 401519 100, 280530 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.api import Session
from tradelever.errors import InputError, UnknownCountryError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_substitutes_by_hand(session: Session) -> None:
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", year=2023)
    # CHN sells USA 854231 (30), 854232 (40), 280530 (9). MYS does not export 854232;
    # RCA(280530) = (1/201)/(10/815) = 0.41 < 1; RCA(854231) = (100/201)/(250/815) = 1.62.
    assert list(r.rows.code) == ["854231"]
    row = r.rows.iloc[0]
    assert row.home_rca == pytest.approx((100 / 201) / (250 / 815))
    assert row.rival_share_of_partner_imports == pytest.approx(0.3)
    assert row.home_world_export_share == pytest.approx(0.4)
    # capacity proxy: MYS exports of 854231 elsewhere = 100 - 50 = 50; rival sells 30
    assert row.home_exports_to_rest_of_world_usd == pytest.approx(50.0)
    assert row.plausible_supply_usd == pytest.approx(30.0)
    assert row.plausible_share_of_rival_sales == pytest.approx(1.0)
    assert r.summary["plausible_supply_usd"] == pytest.approx(30.0)
    assert r.summary["rival_exports_to_partner_usd"] == pytest.approx(79.0)
    assert row.description.startswith("Electronic integrated circuits")


def test_lower_rca_threshold_adds_rare_earths(session: Session) -> None:
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rca=0.3)
    assert list(r.rows.code) == ["854231", "280530"]
    rare = r.rows.set_index("code").loc["280530"]
    assert rare.home_rca == pytest.approx((1 / 201) / (10 / 815))
    # MYS sells all its 280530 (1) to the USA already: nothing left to redirect
    assert rare.plausible_supply_usd == 0.0
    assert rare.rival_share_of_partner_imports == pytest.approx(0.9)


def test_thresholds_filter(session: Session) -> None:
    # world share 0.4 for 854231: a 0.5 minimum removes it
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_world_share=0.5)
    assert r.rows.empty
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rival_share=0.3)
    assert r.rows.empty  # rival share 0.3 is not above 0.3


def test_hs4_level(session: Session) -> None:
    # HS4 8542 = 854231 + 854232: USA imports 140, CHN sells 70 (share 0.5);
    # MYS exports 100 of 8542, world 290: RCA = (100/201)/(290/815) = 1.398
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", level="hs4")
    row = r.rows.set_index("code").loc["8542"]
    assert row.rival_share_of_partner_imports == pytest.approx(0.5)
    assert row.home_rca == pytest.approx((100 / 201) / (290 / 815))
    assert row.plausible_supply_usd == pytest.approx(50.0)  # min(70, 100 - 50)


def test_properties_on_icio(icio_session: Session) -> None:
    r = icio_session.substitutes("MYS", "USA", "CHN")
    rows = r.rows
    assert not rows.empty
    assert (rows.home_rca > 1).all()
    assert (rows.plausible_supply_usd <= rows.rival_exports_to_partner_usd + 1e-6).all()
    assert (rows.plausible_supply_usd <= rows.home_exports_to_rest_of_world_usd + 1e-6).all()
    assert rows.plausible_supply_usd.is_monotonic_decreasing
    assert "C26" in set(rows.code)
    d = r.to_dict()
    assert d["rival"] == "CHN" and d["dataset"] == "icio2022"
    assert any("intermediate goods only" in a for a in d["assumptions"])


def test_errors(session: Session) -> None:
    with pytest.raises(InputError, match=r"^rival: substitutes needs a rival country"):
        session.substitutes("MYS", "USA", None, dataset="hand-hs17")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="different"):
        session.substitutes("MYS", "USA", "MYS", dataset="hand-hs17")
    with pytest.raises(UnknownCountryError, match="MAS"):
        session.substitutes("MAS", "USA", "CHN", dataset="hand-hs17")
    with pytest.raises(InputError, match=r"^min_rca: "):
        session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rca=-1)
    with pytest.raises(InputError, match=r"^level: "):
        session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", level="industry")
