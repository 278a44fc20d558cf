"""Peers on the hand data set (tests/synthetic.py), worked by hand.

2023, partner USA imports M = 230: from MYS 111 (854231 50, 401519 60, 280530 1), from THA
40 (854231 20, 401519 20), from CHN 79 (854231 30, 854232 40, 280530 9).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.analysis.peers import export_similarity, overlap_share
from tradelever.api import Session
from tradelever.errors import UnknownCountryError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_peers_by_hand(session: Session) -> None:
    r = session.peers("MYS", "USA", "THA,CHN", dataset="hand-hs17", sigma=2.0)
    rows = r.rows.set_index("country")
    assert list(rows.index) == ["MYS", "THA", "CHN"]
    mys, tha, chn = rows.loc["MYS"], rows.loc["THA"], rows.loc["CHN"]
    assert mys.is_home and not tha.is_home
    assert mys.exports_to_partner_usd == 111.0
    assert mys.share_of_partner_imports == pytest.approx(111 / 230)
    assert mys.exposure == pytest.approx(111 / 201)
    assert mys.formula_rate == pytest.approx(101 / 222)
    # sigma 2: cost = M s / (1 - s): 100*1 + 80*3 + 10*(1/9)
    assert mys.total_ces_leverage_usd == pytest.approx(100 + 240 + 10 / 9)
    assert mys.overlap_with_home == 1.0 and mys.export_similarity_with_home == pytest.approx(1.0)

    assert tha.exports_to_partner_usd == 40.0
    assert tha.exposure == pytest.approx(40 / 70)  # THA also sells MYS 30 of rice
    assert tha.formula_rate == 0.10  # USA sells THA 100 of aircraft: a US surplus
    assert tha.total_ces_leverage_usd == pytest.approx(100 * 0.25 + 80 / 3)
    assert tha.overlap_with_home == pytest.approx(110 / 111)
    assert tha.export_similarity_with_home == pytest.approx(50 / 111 + 0.5)

    assert chn.exports_to_partner_usd == 79.0
    assert chn.exposure == pytest.approx(79 / 184)
    assert chn.unbounded_leverage_codes == 1  # sole supplier of 854232
    assert chn.total_ces_leverage_usd == pytest.approx(100 * 0.3 / 0.7 + 90)
    assert chn.overlap_with_home == pytest.approx(51 / 111)
    assert chn.export_similarity_with_home == pytest.approx(30 / 79 + 1 / 111)
    assert r.summary["skipped"] == []


def test_group_skips_countries_not_in_data_set(session: Session) -> None:
    r = session.peers("MYS", "USA", "ASEAN", dataset="hand-hs17")
    assert list(r.rows.country) == ["MYS", "THA"]
    assert "TLS" in r.summary["skipped"] and "VNM" in r.summary["skipped"]
    assert any("skipped" in a and "Timor-Leste" in a for a in r.assumptions)


def test_explicit_codes(session: Session) -> None:
    r = session.peers("MYS", "USA", "THA,VNM,USA", dataset="hand-hs17")
    assert list(r.rows.country) == ["MYS", "THA"]
    assert r.summary["skipped"] == ["VNM"]
    with pytest.raises(UnknownCountryError):
        session.peers("MYS", "USA", "THA,XXQ", dataset="hand-hs17")


def test_similarity_properties() -> None:
    import pandas as pd

    a = pd.Series({"x": 2.0, "y": 2.0})
    assert export_similarity(a, a * 7) == pytest.approx(1.0)
    assert export_similarity(a, pd.Series({"z": 1.0})) == 0.0
    assert overlap_share(a, pd.Series({"x": 0.1})) == pytest.approx(0.5)


def test_icio_asean(icio_session: Session) -> None:
    r = icio_session.peers("MYS", "USA", "ASEAN", dataset="icio2022")
    assert "TLS" in r.summary["skipped"]
    assert r.rows.country.iloc[0] == "MYS"
    assert set(r.rows.country) == {
        "MYS",
        "BRN",
        "KHM",
        "IDN",
        "LAO",
        "MMR",
        "PHL",
        "SGP",
        "THA",
        "VNM",
    }
    mys = r.rows.set_index("country").loc["MYS"]
    form = icio_session.formula("MYS", "USA", dataset="icio2022")
    assert mys.formula_rate == pytest.approx(form.summary["formula_rate"])
    lev = icio_session.leverage("MYS", "USA", dataset="icio2022")
    assert mys.total_ces_leverage_usd == pytest.approx(
        lev.rows.partner_cost_of_losing_home_usd.sum()
    )
    assert (
        (r.rows.export_similarity_with_home >= 0) & (r.rows.export_similarity_with_home <= 1)
    ).all()
