"""Leverage on the hand-made data set (tests/synthetic.py); every number worked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tests.synthetic import HAND_FLOWS_2023
from tradelever.analysis.leverage import product_code_expr
from tradelever.api import Session
from tradelever.errors import InputError, UnknownCountryError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def _row(result, code):  # type: ignore[no-untyped-def]
    rows = result.rows.set_index("code")
    return rows.loc[code]


def test_hs6_indicators_by_hand(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, sigma=3.0)
    assert r.level == "hs6" and r.year == 2023
    chips = _row(r, "854231")
    # USA imports 100 of 854231: MYS 50, CHN 30, THA 20
    assert chips.partner_imports_usd == 100.0
    assert chips.home_exports_to_partner_usd == 50.0
    assert chips.home_share_of_partner_imports == 0.5
    assert chips.rival_share_of_partner_imports == pytest.approx(0.3)
    assert chips.partner_import_hhi == pytest.approx(0.25 + 0.09 + 0.04)
    # MYS exports 100 of 854231 (50 USA + 50 CHN); world exports 250
    assert chips.home_world_export_share == pytest.approx(0.4)
    # MYS total exports: 50 + 50 + 60 + 40 + 1 = 201
    assert chips.home_export_weight == pytest.approx(100 / 201)
    # sigma 3: 100 * (0.5^(-1/2) - 1) = 100 * (sqrt 2 - 1)
    assert chips.partner_cost_of_losing_home_usd == pytest.approx(41.421356, rel=1e-6)

    gloves = _row(r, "401519")
    assert gloves.home_share_of_partner_imports == 0.75
    assert gloves.partner_import_hhi == pytest.approx(0.75**2 + 0.25**2)
    assert gloves.rival_share_of_partner_imports == 0.0
    # 80 * (0.25^(-1/2) - 1) = 80
    assert gloves.partner_cost_of_losing_home_usd == pytest.approx(80.0)

    memories = _row(r, "854232")  # CHN is the sole supplier; MYS sells none
    assert memories.home_share_of_partner_imports == 0.0
    assert memories.rival_share_of_partner_imports == 1.0
    assert memories.partner_import_hhi == 1.0
    assert memories.partner_cost_of_losing_home_usd == 0.0

    # ranked by cost: gloves 80 > chips 41.4 > rare earths 0.54 > memories 0
    assert list(r.rows.code) == ["401519", "854231", "280530", "854232"]
    rare = _row(r, "280530")
    assert rare.partner_cost_of_losing_home_usd == pytest.approx(10 * (0.9**-0.5 - 1))


def test_hs4_aggregates_before_shares(session: Session) -> None:
    r = session.leverage("MYS", "USA", "CHN", dataset="hand-hs17", year=2023, level="hs4")
    ics = _row(r, "8542")
    # 8542 = 854231 + 854232: USA imports 140; MYS 50, CHN 70, THA 20
    assert ics.partner_imports_usd == 140.0
    assert ics.home_share_of_partner_imports == pytest.approx(50 / 140)
    assert ics.partner_import_hhi == pytest.approx((50**2 + 70**2 + 20**2) / 140**2)
    assert ics.rival_share_of_partner_imports == pytest.approx(0.5)


def test_year_defaults_to_latest_and_is_validated(session: Session) -> None:
    r = session.leverage("MYS", "USA", dataset="hand-hs17")
    assert r.year == 2023
    r22 = session.leverage("MYS", "USA", dataset="hand-hs17", year=2022)
    # 2022 values are half of 2023: shares unchanged, values halved
    assert _row(r22, "854231").partner_imports_usd == 50.0
    assert _row(r22, "854231").home_share_of_partner_imports == 0.5
    with pytest.raises(InputError, match=r"^year: 2019 is not in data set hand-hs17"):
        session.leverage("MYS", "USA", dataset="hand-hs17", year=2019)


def test_default_sigma_is_documented_per_code(session: Session) -> None:
    r = session.leverage("MYS", "USA", dataset="hand-hs17", year=2023)
    gloves = _row(r, "401519")
    assert gloves.sigma == pytest.approx(2.67)  # Caliendo-Parro "Plastic" theta 1.67 + 1
    assert "Caliendo and Parro" in gloves.sigma_source
    expected = 80 * (0.25 ** (1 / (1 - 2.67)) - 1)
    assert gloves.partner_cost_of_losing_home_usd == pytest.approx(expected)


def test_input_errors(session: Session) -> None:
    with pytest.raises(UnknownCountryError, match=r"did you mean MYS \(Malaysia\)"):
        session.leverage("MAS", "USA", dataset="hand-hs17")
    with pytest.raises(InputError, match=r"^partner: must be a different country from home"):
        session.leverage("MYS", "MYS", dataset="hand-hs17")
    with pytest.raises(InputError, match=r"^sigma: "):
        session.leverage("MYS", "USA", dataset="hand-hs17", sigma=0.8)
    with pytest.raises(InputError, match=r"^level: "):
        session.leverage("MYS", "USA", dataset="hand-hs17", level="industry")


def test_sole_supplier_cost_is_unbounded_and_null_in_json(session: Session) -> None:
    r = session.leverage("CHN", "USA", dataset="hand-hs17", year=2023, sigma=3.0)
    memories = _row(r, "854232")
    assert math.isinf(memories.partner_cost_of_losing_home_usd)
    row = next(x for x in r.to_dict()["rows"] if x["code"] == "854232")
    assert row["partner_cost_of_losing_home_usd"] is None


def test_precomputed_totals_give_the_same_rows(session: Session) -> None:
    from tradelever.analysis.leverage import export_totals, leverage_table, product_code_expr

    flows = session.store.table("hand-hs17", "flows")
    world, by_country = export_totals(flows, year=2023)
    assert world == pytest.approx(sum(row[3] for row in HAND_FLOWS_2023))
    assert by_country["MYS"] == pytest.approx(201.0)  # 50 + 50 + 60 + 40 + 1, by hand
    kwargs = {
        "home": "MYS",
        "partner": "USA",
        "rival": "CHN",
        "year": 2023,
        "classification": "HS17",
        "flows": flows,
    }
    coded = product_code_expr(flows, "hs6")
    a = leverage_table(coded, **kwargs)
    b = leverage_table(coded, totals=(world, by_country), **kwargs)
    assert a.equals(b)


@pytest.mark.parametrize("level", ["hs6", "hs4", "hs2"])
@pytest.mark.parametrize(
    ("home", "partner", "rival"), [("MYS", "USA", "CHN"), ("USA", "CHN", None)]
)
def test_cube_slices_equal_the_query(
    session: Session, level: str, home: str, partner: str, rival
) -> None:  # type: ignore[no-untyped-def]
    from tradelever.analysis.leverage import aggregate_from_cube, aggregate_market, market_cube

    coded = product_code_expr(session.store.table("hand-hs17", "flows"), level)
    cube = market_cube(coded, year=2023)
    assert cube is not None and cube.values.shape[1] == 4  # MYS, USA, CHN, THA
    queried = aggregate_market(coded, home=home, partner=partner, rival=rival, year=2023)
    sliced = aggregate_from_cube(cube, home=home, partner=partner, rival=rival)
    queried = queried.sort_values("code").reset_index(drop=True)
    pd.testing.assert_frame_equal(sliced[queried.columns], queried, check_dtype=False)


def test_cube_is_refused_when_too_big(session: Session) -> None:
    from tradelever.analysis.leverage import market_cube

    coded = product_code_expr(session.store.table("hand-hs17", "flows"), "hs6")
    assert market_cube(coded, year=2023, max_cells=6 * 4 * 4 - 1) is None
    assert market_cube(coded, year=2023, max_cells=6 * 4 * 4) is not None


def test_a_pair_read_from_the_market_tables_never_builds_the_coded_flows(
    session: Session,
) -> None:
    from tradelever.analysis import leverage as lev

    request = session.request(lev.LEVERAGE, dataset="hand-hs17", home="MYS", partner="USA")
    result = lev.leverage(request, sigma=3.0)
    assert "coded" not in request.__dict__  # no flows expression was built for this answer
    # the same rows as the query over the coded flows (the expression built first)
    queried = lev.leverage_table(
        request.coded,
        home="MYS",
        partner="USA",
        rival=None,
        year=request.year,
        classification=request.classification,
        sigma=3.0,
        descriptions=request.descriptions,
        base_year=2022,
    )
    assert result.rows["code"].tolist() == queried["code"].tolist()
    pd.testing.assert_series_equal(
        result.rows["partner_cost_of_losing_home_usd"],
        queried["partner_cost_of_losing_home_usd"],
        rtol=1e-12,
    )
    assert request.coded_columns == tuple(request.coded.columns)
