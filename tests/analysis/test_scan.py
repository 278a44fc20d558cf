"""HOME's leverage over every partner, and who holds leverage over one partner.

Every number below is worked by hand from the SYNTHETIC hand data set (tests/synthetic.py),
year 2023 (2022 is the same with every value halved):

* USA imports 854231 for 100 (MYS 50, CHN 30, THA 20), 401519 for 80 (MYS 60, THA 20),
  280530 for 10 (CHN 9, MYS 1), 854232 for 40 (CHN only);
* CHN imports 854231 for 50 and 401519 for 40, from MYS only; MYS sells nothing to THA.

With sigma = 5 the CES cost of losing a supplier with share s of imports M is
M * ((1 - s)^(-1/4) - 1): for s = 0.75 of 80, 80 * (sqrt 2 - 1) = 33.137; for s = 0.5 of
100, 100 * (2^(1/4) - 1) = 18.921; for s = 0.1 of 10, 10 * (0.9^(-1/4) - 1) = 0.2669.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.synthetic import write_hand_dataset
from tradelever.analysis.markets import MarketIndicators, market_indicators
from tradelever.analysis.scan import (
    OVER_COLUMNS,
    SCAN_COLUMNS,
    leverage_over,
    leverage_scan,
    resolve_partners,
)
from tradelever.errors import InputError, UnknownCountryError

HAND = "hand-hs17"
COUNTRIES = ["CHN", "MYS", "THA", "USA"]


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> MarketIndicators:
    store = write_hand_dataset(tmp_path_factory.mktemp("scan") / "store")
    return market_indicators(store, HAND)


def _cost(m: float, s: float, sigma: float) -> float:
    return m * ((1 - s) ** (1 / (1 - sigma)) - 1)


def test_home_over_every_partner_by_hand(tables: MarketIndicators) -> None:
    result = leverage_scan(tables, home="MYS", sigma=5.0)
    rows = result.rows
    assert list(rows.columns) == list(SCAN_COLUMNS)
    assert result.params["year"] == 2023 and result.params["partners"] == "all"
    # unbounded (sole supplier to CHN) first, by CHN's imports; then by cost
    assert list(zip(rows.partner, rows.code, strict=True)) == [
        ("CHN", "854231"),
        ("CHN", "401519"),
        ("USA", "401519"),
        ("USA", "854231"),
        ("USA", "280530"),
    ]
    chn_chips, _, gloves, chips, rare = (rows.iloc[i] for i in range(5))
    assert chn_chips.home_share_of_partner_imports == 1.0
    assert math.isinf(chn_chips.partner_cost_of_losing_home_usd)
    assert chn_chips["flags"] == "critical_supplier;dominant_supplier;sole_supplier"
    assert (gloves.partner_imports_usd, gloves.home_exports_to_partner_usd) == (80.0, 60.0)
    assert gloves.home_share_of_partner_imports == 0.75
    assert gloves.partner_cost_of_losing_home_usd == pytest.approx(80 * (math.sqrt(2) - 1))
    assert gloves.partner_import_hhi == pytest.approx(0.75**2 + 0.25**2)
    assert (gloves.top_supplier, gloves.top_supplier_share) == ("MYS", 0.75)
    assert chips.partner_cost_of_losing_home_usd == pytest.approx(100 * (2**0.25 - 1))
    assert chips.partner_import_hhi == pytest.approx(0.5**2 + 0.3**2 + 0.2**2)
    assert chips.partner_suppliers == 3 and chips["flags"] == "critical_supplier;dominant_supplier"
    assert rare.partner_cost_of_losing_home_usd == pytest.approx(10 * (0.9**-0.25 - 1))
    assert (rare.top_supplier, rare.top_supplier_share, rare["flags"]) == ("CHN", 0.9, "")
    assert rows.partner_name.tolist()[:3] == ["China", "China", "United States"]
    assert result.summary == {
        "partners": 2,
        "positions": 5,
        "home_exports_covered_usd": 201.0,  # every sale of MYS in 2023
        "positions_home_is_top_supplier": 4,
        "critical_supplier_positions": 4,
        "sole_supplier_positions": 2,
        "partner_cost_bounded_total_usd": pytest.approx(
            80 * (math.sqrt(2) - 1) + 100 * (2**0.25 - 1) + 10 * (0.9**-0.25 - 1)
        ),
    }


def test_default_sigmas_per_code(tables: MarketIndicators) -> None:
    rows = leverage_scan(tables, home="MYS", partners=["USA"]).rows.set_index("code")
    # Caliendo and Parro (2015): 4015 Plastic 2.67, 8542 Communication 4.95, 28 Chemicals 4.13
    assert rows.loc["401519", "sigma"] == 2.67 and rows.loc["854231", "sigma"] == 4.95
    assert rows.loc["401519", "partner_cost_of_losing_home_usd"] == pytest.approx(
        _cost(80, 0.75, 2.67)
    )
    assert rows.loc["280530", "partner_cost_of_losing_home_usd"] == pytest.approx(
        _cost(10, 0.1, 4.13)
    )


def test_partners_list_group_and_filters(tables: MarketIndicators) -> None:
    only_usa = leverage_scan(tables, home="MYS", partners=["USA"], sigma=5.0)
    assert set(only_usa.rows.partner) == {"USA"} and len(only_usa.rows) == 3
    g20 = resolve_partners("G20", COUNTRIES, exclude="MYS")
    assert g20 == ["CHN", "USA"]  # THA is not a G20 member; MYS is home
    asean = resolve_partners("ASEAN", COUNTRIES, exclude="MYS")
    assert asean == ["THA"]
    none = leverage_scan(tables, home="MYS", partners=asean)
    assert none.rows.empty and none.summary["partners"] == 0
    assert any("with no flow in 2023: THA" in a for a in none.assumptions)
    assert resolve_partners("all", COUNTRIES) is None and resolve_partners(None, COUNTRIES) is None
    with pytest.raises(UnknownCountryError, match="MAS"):
        resolve_partners("MAS", COUNTRIES)
    shares = leverage_scan(tables, home="MYS", min_share=0.6, sigma=5.0).rows
    assert sorted(zip(shares.partner, shares.code, strict=True)) == [
        ("CHN", "401519"),
        ("CHN", "854231"),
        ("USA", "401519"),
    ]
    big = leverage_scan(tables, home="MYS", min_imports_usd=60, sigma=5.0).rows
    assert sorted(big.code) == ["401519", "854231"] and set(big.partner) == {"USA"}


def test_earlier_year_has_same_shares_and_half_the_cost(tables: MarketIndicators) -> None:
    now = leverage_scan(tables, home="MYS", sigma=5.0).rows
    before = leverage_scan(tables, home="MYS", sigma=5.0, year=2022).rows
    assert (
        before.home_share_of_partner_imports.tolist() == now.home_share_of_partner_imports.tolist()
    )
    finite = now.partner_cost_of_losing_home_usd.map(math.isfinite)
    assert before.partner_cost_of_losing_home_usd[finite].tolist() == pytest.approx(
        (now.partner_cost_of_losing_home_usd[finite] / 2).tolist()
    )


def test_who_holds_leverage_over_the_partner(tables: MarketIndicators) -> None:
    result = leverage_over(tables, partner="USA", sigma=5.0, home="MYS")
    rows = result.rows
    assert list(rows.columns) == list(OVER_COLUMNS)
    assert list(zip(rows.supplier, rows.code, strict=True)) == [
        ("CHN", "854232"),  # sole supplier: unbounded
        ("MYS", "401519"),  # 33.137
        ("MYS", "854231"),  # 18.921
        ("CHN", "854231"),  # s = 0.3: 100 * (0.7^(-1/4) - 1) = 9.3265
        ("CHN", "280530"),  # s = 0.9: 10 * (0.1^(-1/4) - 1) = 7.7828
        ("THA", "401519"),  # s = 0.25: 80 * (0.75^(-1/4) - 1) = 5.9656
        ("THA", "854231"),  # s = 0.2: 100 * (0.8^(-1/4) - 1) = 5.7371
        ("MYS", "280530"),  # 0.2669
    ]
    chn = rows.iloc[3]
    assert chn.supplier_share_of_partner_imports == pytest.approx(0.3)
    assert chn.partner_cost_of_losing_supplier_usd == pytest.approx(100 * (0.7**-0.25 - 1))
    assert (chn.top_supplier, chn["flags"]) == ("MYS", "critical_supplier")
    ranked = result.summary["suppliers_ranked"]
    assert [r["supplier"] for r in ranked] == ["MYS", "CHN", "THA"]
    assert ranked[1]["partner_cost_bounded_total_usd"] == pytest.approx(
        100 * (0.7**-0.25 - 1) + 10 * (0.1**-0.25 - 1)
    )
    assert ranked[1]["sole_supplier_positions"] == 1 and ranked[2]["positions"] == 2
    assert result.summary["home_rank"] == 1 and result.summary["positions"] == 8
    assert result.summary["partner_imports_covered_usd"] == 230.0  # 100 + 80 + 10 + 40
    only = leverage_over(tables, partner="USA", suppliers=["THA"], min_share=0.25).rows
    assert only[["supplier", "code"]].values.tolist() == [["THA", "401519"]]


def test_hs4_level(tmp_path: Path) -> None:
    store = write_hand_dataset(tmp_path / "store")
    rows = leverage_scan(
        market_indicators(store, HAND, "hs4"), home="MYS", partners=["USA"], sigma=5.0
    ).rows
    ics = rows.set_index("code").loc["8542"]
    # 8542 in the USA: MYS 50, CHN 30 + 40, THA 20 of 140; CHN leads
    assert ics.home_share_of_partner_imports == pytest.approx(50 / 140)
    assert (ics.top_supplier, ics.top_supplier_share) == ("CHN", 0.5)
    assert ics.partner_cost_of_losing_home_usd == pytest.approx(_cost(140, 50 / 140, 5.0))


def test_json_contract_provenance_and_assumptions(tables: MarketIndicators) -> None:
    payload = leverage_scan(tables, home="MYS", sigma=5.0).to_dict()
    assert payload["home"] == "MYS" and payload["dataset"] == HAND and payload["level"] == "hs6"
    assert payload["provenance"]["year"] == 2023 and payload["provenance"]["name"] == HAND
    assert payload["rows"][0]["partner_cost_of_losing_home_usd"] is None  # unbounded
    assert set(payload["rows"][0]) == set(SCAN_COLUMNS)
    text = " ".join(payload["assumptions"])
    assert "synthetic test data" in text  # the data set's own assumptions come first
    assert "sigma = 5.0" in text and "null (unbounded) for a sole supplier" in text
    assert "partners: every country in the data set" in text


def test_bad_parameters_are_one_line_errors(tables: MarketIndicators) -> None:
    with pytest.raises(InputError, match=r"1\.5 must be a share between 0 and 1") as exc:
        leverage_scan(tables, home="MYS", min_share=1.5)
    assert exc.value.parameter == "min_share"
    with pytest.raises(InputError, match="2019 is not in data set hand-hs17") as exc:
        leverage_scan(tables, home="MYS", year=2019)
    assert exc.value.parameter == "year"
    with pytest.raises(InputError) as exc:
        leverage_scan(tables, home="MYS", sigma=1.0)
    assert exc.value.parameter == "sigma"
    with pytest.raises(InputError, match="non-negative amount") as exc:
        leverage_over(tables, partner="USA", min_imports_usd=-1)
    assert exc.value.parameter == "min_imports_usd"


def test_first_call_joins_the_rows_it_needs_and_equals_the_kept_table(tmp_path: Path) -> None:
    """A process's first scan joins its pairs to the markets file; later ones use the kept
    table: the same rows, every column (hand data and a SYNTHETIC BACI release)."""
    import pandas as pd

    from tests.data_factories import baci as factory
    from tradelever.store import Store
    from tradelever.store.ingest import ingest_baci

    hand = market_indicators(write_hand_dataset(tmp_path / "hand"), HAND)
    store = Store(tmp_path / "baci")
    rows = [*factory.ROWS_2021, *factory.filler_rows(2021, 400)]
    name = ingest_baci(store, factory.write_release_folder(tmp_path / "rel", {2021: rows})).name
    baci = market_indicators(store, name)
    for tables, opened in (
        (hand, lambda: market_indicators(Store(tmp_path / "hand"), HAND)),
        (baci, lambda: market_indicators(Store(tmp_path / "baci"), name)),
    ):
        year = max(tables.manifest["years"])
        first = leverage_scan(tables, home="MYS", sigma=5.0)
        assert ("markets", year) not in tables._whole  # only the rows it needed were read
        second = leverage_scan(tables, home="MYS", sigma=5.0)
        assert ("markets", year) in tables._whole  # the second call keeps the whole table
        assert len(first.rows) > 0
        pd.testing.assert_frame_equal(first.rows, second.rows)
        assert first.summary == second.summary
        fresh = opened()  # the reverse view (several suppliers per market) on a new process's
        assert fresh is not tables and ("markets", year) not in fresh._whole
        over_first = leverage_over(fresh, partner="USA", sigma=5.0)
        over_second = leverage_over(fresh, partner="USA", sigma=5.0)
        assert len(over_first.rows) > 1 and ("markets", year) in fresh._whole
        pd.testing.assert_frame_equal(over_first.rows, over_second.rows)
