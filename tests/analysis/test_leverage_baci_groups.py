"""Group, hs4 and hs2 leverage on a BACI release in the real layout, worked by hand.

The release is built by tests/data_factories/baci.py: real CEPII dictionaries (HS17,
V202201) and SYNTHETIC trade rows; ``v`` is in thousands of US dollars.

US imports in 2021 (thousand USD): 854231 = MYS 500.123 + CHN 300 + TWN 200 + DEU (10 + 5),
854232 = CHN 400 + MYS 100, 401519 = MYS 600 + THA 200 + Europe EFTA nes 1. In 2020:
854231 = MYS 250 + CHN 250.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.data_factories import baci as factory
from tradelever.api import Session, ingest_baci


@pytest.fixture
def baci_session(hand_data_dir: Path, tmp_path: Path) -> Session:
    zipped = factory.write_release_zip(tmp_path / "dl")
    result = ingest_baci(zipped, data_dir=hand_data_dir)
    assert result.name == "baci-hs17-v202201"
    return Session(hand_data_dir)


def _row(result, code):  # type: ignore[no-untyped-def]
    return result.rows.set_index("code").loc[code]


def test_groups_on_baci(baci_session: Session) -> None:
    r = baci_session.leverage("MYS", "USA", "CHN", dataset="baci-hs17-v202201", level="group")
    assert r.year == 2021
    chips = _row(r, "semiconductors")
    m = 1000 * (500.123 + 300 + 200 + 10 + 5 + 400 + 100)
    assert chips.partner_imports_usd == pytest.approx(m)
    assert chips.home_exports_to_partner_usd == pytest.approx(1000 * 600.123)
    assert chips.rival_share_of_partner_imports == pytest.approx(700_000 / m)
    share = 600_123 / m
    assert chips.home_share_of_partner_imports == pytest.approx(share)
    # suppliers MYS 600.123, CHN 700, TWN 200, DEU 15 (thousand)
    hhi = (600.123**2 + 700**2 + 200**2 + 15**2) / (m / 1000) ** 2
    assert chips.partner_import_hhi == pytest.approx(hhi)
    # trend: 2020 US imports 500 (MYS 250): share 0.5, imports grew to m in one year
    assert chips.trend_base_year == 2020
    assert chips.home_share_change == pytest.approx(100 * (share - 0.5))
    assert chips.partner_imports_cagr == pytest.approx(m / 500_000 - 1)
    gloves = _row(r, "gloves")
    assert gloves.partner_imports_usd == pytest.approx(801_000)
    assert gloves.home_share_of_partner_imports == pytest.approx(600 / 801)
    assert gloves.sigma == pytest.approx(2.67)
    assert "rare_earths" not in set(r.rows.code)  # no rare-earth rows in this release


def test_hs4_hs2_names_on_baci(baci_session: Session) -> None:
    r = baci_session.leverage("MYS", "USA", dataset="baci-hs17-v202201", level="hs4")
    assert _row(r, "8542").description == "Electronic integrated circuits"
    assert _row(r, "4015").description.startswith("Articles of apparel and clothing")
    assert _row(r, "8542").partner_imports_usd == pytest.approx(1000 * 1515.123)
    r2 = baci_session.leverage("MYS", "USA", dataset="baci-hs17-v202201", level="hs2")
    assert _row(r2, "85").description.startswith("Electrical machinery and equipment")
    assert _row(r2, "01").description == "Animals; live"
