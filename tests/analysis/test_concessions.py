"""Concession finder on the hand data set (tests/synthetic.py), worked by hand.

2023: MYS imports rice 100630 from THA 30 and USA 10, aircraft 880240 from CHN 5. USA
exports rice 60 (MYS 10, CHN 50) and aircraft 300; total 360; world W = 815.
Partner RCA: rice (60/360)/(90/815) = 1.509; aircraft (300/360)/(305/815) = 2.227.
Formula: m = 111, x = 10; at target 0.10, d = 111 - 10 - 22.2 = 78.8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.api import Session
from tradelever.errors import InputError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_concessions_by_hand(session: Session) -> None:
    r = session.concessions("MYS", "USA", dataset="hand-hs17")
    assert list(r.rows.code) == ["100630", "880240"]
    rice, aircraft = (r.rows.iloc[i] for i in range(2))
    assert rice.home_imports_usd == 40.0
    assert rice.home_imports_from_partner_usd == 10.0
    assert rice.home_imports_from_others_usd == 30.0
    assert rice.partner_exports_to_others_usd == 50.0  # 60 - 10 already sold to MYS
    assert rice.partner_rca == pytest.approx((60 / 360) / (90 / 815))
    assert rice.partner_world_export_share == pytest.approx(60 / 90)
    assert rice.switchable_usd == 30.0  # min(30, 50)
    assert aircraft.switchable_usd == 5.0  # min(5, 300)
    assert aircraft.partner_rca == pytest.approx((300 / 360) / (305 / 815))
    assert list(r.rows.cumulative_switchable_usd) == [30.0, 35.0]
    assert r.rows.cumulative_share_of_needed.tolist() == pytest.approx([30 / 78.8, 35 / 78.8])
    s = r.summary
    assert s["additional_partner_exports_needed_usd"] == pytest.approx(78.8)
    assert s["total_switchable_usd"] == 35.0
    assert s["covers_needed"] is False and s["products_to_cover_needed"] is None
    assert r.rows.description.iloc[0].startswith("Rice")


def test_higher_target_is_covered(session: Session) -> None:
    # target 0.40: d = 111 - 10 - 88.8 = 12.2, covered by rice alone
    r = session.concessions("MYS", "USA", dataset="hand-hs17", target_rate=0.40)
    assert r.summary["additional_partner_exports_needed_usd"] == pytest.approx(12.2)
    assert r.summary["covers_needed"] is True
    assert r.summary["products_to_cover_needed"] == 1


def test_competitiveness_thresholds(session: Session) -> None:
    # rice: RCA 1.51, world share 0.667; aircraft: RCA 2.23, world share 0.984
    r = session.concessions("MYS", "USA", dataset="hand-hs17", min_rca=2.0, min_world_share=0.7)
    assert list(r.rows.code) == ["880240"]
    r = session.concessions("MYS", "USA", dataset="hand-hs17", min_rca=3.0, min_world_share=1.0)
    assert r.rows.empty
    with pytest.raises(InputError, match=r"^min_world_share: "):
        session.concessions("MYS", "USA", dataset="hand-hs17", min_world_share=2.0)
    with pytest.raises(InputError, match=r"^target_rate: "):
        session.concessions("MYS", "USA", dataset="hand-hs17", target_rate=1.5)


def test_icio_goods_only(icio_session: Session) -> None:
    from tradelever.analysis.formula import ICIO_GOODS_INDUSTRIES

    r = icio_session.concessions("MYS", "USA")
    rows = r.rows
    assert not rows.empty
    assert set(rows.code) <= set(ICIO_GOODS_INDUSTRIES)
    assert ((rows.partner_rca > 1) | (rows.partner_world_export_share >= 0.10)).all()
    assert (rows.switchable_usd <= rows.home_imports_from_others_usd + 1e-6).all()
    assert (rows.switchable_usd <= rows.partner_exports_to_others_usd + 1e-6).all()
    assert rows.cumulative_switchable_usd.iloc[-1] == pytest.approx(rows.switchable_usd.sum())
    form = icio_session.formula("MYS", "USA", dataset="icio2022", target_rate=0.10)
    assert r.summary["additional_partner_exports_needed_usd"] == pytest.approx(
        form.summary["additional_partner_exports_needed_usd"]
    )


def test_concessions_hs2(session: Session) -> None:
    # HS2 10 (rice) and 88 (aircraft) hold one HS6 code each: same figures as at HS6
    r = session.concessions("MYS", "USA", dataset="hand-hs17", level="hs2")
    assert list(r.rows.code) == ["10", "88"]
    assert r.rows.switchable_usd.tolist() == [30.0, 5.0]
