"""Claims recomputed from the store: the Kenanga note on the embedded data, and every
measure on the synthetic hand data set (worked by hand in tests/synthetic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradelever.analysis.claim_figures import check_claims_result, recompute
from tradelever.analysis.claims import Parameters
from tradelever.sources import census_us

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims" / "kenanga-2025-04-14.yaml"


@pytest.fixture(scope="module")
def kenanga(icio_session):  # type: ignore[no-untyped-def]
    result = check_claims_result(icio_session, EXAMPLE)
    return {row["id"]: row for row in result.rows.to_dict(orient="records")}


@pytest.fixture(scope="module")
def census_2024():  # type: ignore[no-untyped-def]
    return census_us.load_imports().flows


def test_kenanga_verdicts(kenanga) -> None:  # type: ignore[no-untyped-def]
    assert {k: v["verdict"] for k, v in kenanga.items()} == {
        "mys-share-of-us-chip-imports": "supported",
        "mys-ee-share-of-exports-2024": "not_checkable",
        "lynas-largest-plant-outside-china": "not_checkable",
        "us-rare-earth-imports-from-china": "contradicted",
        "mys-share-of-global-glove-supply-2024": "not_checkable",
        "us-glove-imports-2023": "not_checkable",
    }


def test_chip_share_by_hand(kenanga, census_2024) -> None:  # type: ignore[no-untyped-def]
    f = census_2024
    hs6 = f["product"].str[:6]
    chips = f[hs6.str[:4].isin(["8541", "8542"]) & ~hs6.isin(["854142", "854143"])]
    share = chips.loc[chips["exporter"] == "MYS", "value_usd"].sum() / chips["value_usd"].sum()
    row = kenanga["mys-share-of-us-chip-imports"]
    assert row["recomputed"] == pytest.approx(share)
    assert round(share, 3) == 0.219  # HS 8541 without photovoltaic cells + 8542, 2024
    assert row["dataset"] == "census-us-2024" and row["year"] == 2024
    assert any("99.7% of US imports" in n for n in row["notes"])


def test_chip_share_with_photovoltaic_cells(icio_session, census_2024) -> None:  # type: ignore[no-untyped-def]
    params = Parameters.model_validate(
        {
            "partner": "USA",
            "home": ["MYS"],
            "products": {"description": "8541+8542", "hs": ["8541", "8542"], "revision": "HS22"},
            "year": 2024,
            "datasets": ["census-us-2024"],
        }
    )
    figure = recompute(icio_session, "share_of_partner_imports", params)
    f = census_2024
    chips = f[f["product"].str[:4].isin(["8541", "8542"])]
    share = chips.loc[chips["exporter"] == "MYS", "value_usd"].sum() / chips["value_usd"].sum()
    assert figure.value == pytest.approx(share)
    assert round(share, 3) == 0.202


def test_rare_earths_and_the_year_note(kenanga, census_2024) -> None:  # type: ignore[no-untyped-def]
    f = census_2024
    rare = f[f["product"].str[:6].isin(["280530", "284610", "284690"])]
    share = rare.loc[rare["exporter"] == "CHN", "value_usd"].sum() / rare["value_usd"].sum()
    assert kenanga["us-rare-earth-imports-from-china"]["recomputed"] == pytest.approx(share)
    gloves = kenanga["us-glove-imports-2023"]
    assert gloves["year"] == 2024
    assert gloves["notes"][0].startswith("year differs: claimed for 2023, recomputed for 2024")


def test_world_measures_need_baci(kenanga) -> None:  # type: ignore[no-untyped-def]
    row = kenanga["mys-ee-share-of-exports-2024"]
    assert row["recomputed"] is None and row["dataset"] is None
    assert "CEPII BACI" in row["notes"][0]
    proxy = kenanga["mys-share-of-global-glove-supply-2024"]
    assert any(n.startswith("proxy world_export_share not computed") for n in proxy["notes"])


def _params(measure_params: dict) -> Parameters:  # type: ignore[type-arg]
    return Parameters.model_validate({"datasets": ["hand-hs17"], **measure_params})


def test_every_measure_on_the_hand_data(hand_data_dir: Path) -> None:
    from tradelever.session import Session

    s = Session(hand_data_dir)
    chips = {"description": "processors", "hs": ["854231"], "revision": "HS17"}
    # X(MYS, 854231) = 50 + 50; W(854231) = 250
    world = recompute(
        s, "world_export_share", _params({"home": ["MYS"], "products": chips, "year": 2023})
    )
    assert (world.value, world.dataset, world.year) == (pytest.approx(0.4), "hand-hs17", 2023)
    # MYS exports 100 of 854231 out of 50 + 50 + 60 + 40 + 1 = 201
    share = recompute(
        s, "export_share", _params({"home": ["MYS"], "products": chips, "year": 2023})
    )
    assert share.value == pytest.approx(100 / 201)
    # MYS -> USA 50 + 60 + 1 = 111, USA -> MYS 10
    bal = recompute(s, "balance", _params({"home": ["MYS"], "partner": "USA", "year": 2023}))
    assert (bal.value, bal.dataset) == (pytest.approx(101.0), "hand-hs17")
    # 2022 is the same world halved
    half = recompute(
        s, "world_export_share", _params({"home": ["MYS"], "products": chips, "year": 2022})
    )
    assert half.value == pytest.approx(0.4) and half.year == 2022


def test_us_balance_from_census_trade(icio_session) -> None:  # type: ignore[no-untyped-def]
    monthly = census_us.load_trade().balance
    mys = monthly[(monthly["partner"] == "MYS") & (monthly["year"] == 2024)]
    expected = mys["imports_usd"].sum() - mys["exports_usd"].sum()
    params = Parameters.model_validate(
        {"home": ["MYS"], "partner": "USA", "year": 2024, "datasets": ["census"]}
    )
    figure = recompute(icio_session, "balance", params)
    assert figure.dataset == "census-us-trade"
    assert figure.value == pytest.approx(expected)
    reverse = recompute(
        icio_session, "balance", params.model_copy(update={"home": ["USA"], "partner": "MYS"})
    )
    assert reverse.value == pytest.approx(-expected)


def test_a_year_outside_the_data_takes_the_nearest(icio_session) -> None:  # type: ignore[no-untyped-def]
    params = Parameters.model_validate(
        {"home": ["MYS"], "partner": "USA", "year": 2025, "datasets": ["census"]}
    )
    figure = recompute(icio_session, "balance", params)
    # census-us-trade holds complete years to 2024 (2025 has January-February only)
    assert (figure.dataset, figure.year) == ("census-us-trade", 2024)
