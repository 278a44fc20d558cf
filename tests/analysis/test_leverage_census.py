"""Leverage on census-us-2024 (US imports only): real 2024 shares, world columns null.

Figures asserted come from the README of the Census sample (computed there from the raw
HS10 files) or are recomputed here from the store's flows with plain pandas.
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest

from tradelever.analysis.leverage import (
    LEVELS,
    dataset_levels,
    leverage_table,
    product_code_expr,
)
from tradelever.analysis.reporters import WORLD_INDICATORS
from tradelever.errors import InputError

DATASET = "census-us-2024"


@pytest.fixture(scope="module")
def result(icio_session):  # type: ignore[no-untyped-def]
    return icio_session.leverage("MYS", "USA", dataset=DATASET)


@pytest.fixture(scope="module")
def flows(icio_session) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return icio_session.store.table(DATASET, "flows").to_pandas()


def test_hs6_rows_carry_malaysias_real_shares(result, flows: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    assert result.level == "hs6" and result.year == 2024
    rows = result.rows.set_index("code")
    gloves = rows.loc["401512"]  # README: US$1.94 bn, Malaysia 47.3%
    assert round(gloves["partner_imports_usd"] / 1e9, 2) == 1.94
    assert round(100 * gloves["home_share_of_partner_imports"], 1) == 47.3
    # HHI of 401512 over the covered suppliers, recomputed from the flows.
    part = flows[flows["product"].str.startswith("401512")]
    shares = part.groupby("exporter")["value_usd"].sum() / part["value_usd"].sum()
    assert gloves["partner_import_hhi"] == pytest.approx(float((shares**2).sum()))
    assert rows.loc["854231", "description"].startswith("Electronic integrated circuits")
    assert result.rows["code"].str.fullmatch(r"\d{6}").all()


def test_world_indicators_are_null_with_the_reason(result) -> None:  # type: ignore[no-untyped-def]
    rows = result.rows
    for column in WORLD_INDICATORS:
        assert rows[column].isna().all(), column
    assert rows["partner_cost_of_losing_home_usd"].notna().any()
    assert not rows["flags"].str.contains("home_comparative_advantage").any()
    payload = result.to_dict()
    first = payload["rows"][0]
    assert first["home_world_export_share"] is None and first["home_rca"] is None
    assert first["eu_import_share_flag"] is None
    assert any("home_world_export_share" in a and "null" in a for a in payload["assumptions"])
    assert payload["provenance"]["classification"] == "HTS2024"


@pytest.mark.parametrize(("level", "digits"), [("hs10", 10), ("hs8", 8), ("hs4", 4), ("hs2", 2)])
def test_levels(icio_session, level: str, digits: int) -> None:  # type: ignore[no-untyped-def]
    res = icio_session.leverage("MYS", "USA", dataset=DATASET, level=level)
    assert res.rows["code"].str.len().eq(digits).all()
    assert (res.rows["description"] != "").mean() > 0.95
    if level == "hs4":
        chips = res.rows.set_index("code").loc["8542"]  # README: 38.10 bn, 23.3%
        assert round(chips["partner_imports_usd"] / 1e9, 2) == 38.10
        assert round(100 * chips["home_share_of_partner_imports"], 1) == 23.3


def test_group_level_semiconductors_without_pv(icio_session) -> None:  # type: ignore[no-untyped-def]
    res = icio_session.leverage("MYS", "USA", dataset=DATASET, level="group")
    chips = res.rows.set_index("code").loc["semiconductors"]
    # README: 8541 + 8542 without photovoltaic cells 854142/854143: Malaysia 21.9%
    assert round(100 * chips["home_share_of_partner_imports"], 1) == 21.9
    assert round(chips["home_exports_to_partner_usd"] / 1e9, 2) == 9.61


def test_eu_aggregate_as_home_and_rival(icio_session) -> None:  # type: ignore[no-untyped-def]
    res = icio_session.leverage("EU", "USA", "CHN", dataset=DATASET, level="hs2")
    assert res.home == "EUU" and res.rival == "CHN"
    res2 = icio_session.leverage("MYS", "USA", "EU27", dataset=DATASET, level="hs2")
    assert res2.rival == "EUU"
    assert res2.rows["rival_share_of_partner_imports"].notna().all()


def test_partner_without_imports_in_the_data_is_an_error(icio_session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"^partner: census-us-2024 holds only the imports of USA"):
        icio_session.leverage("USA", "MYS", dataset=DATASET)


def test_single_importer_data_are_detected_without_a_manifest() -> None:
    """Synthetic flows into one importer: world-based columns must be null."""
    frame = pd.DataFrame(
        {
            "year": 2024,
            "exporter": ["MYS", "CHN", "MYS"],
            "importer": "USA",
            "product": ["4015120000", "4015120000", "8542310001"],
            "value_usd": [60.0, 40.0, 10.0],
        }
    )
    coded = product_code_expr(ibis.memtable(frame), "hs6")
    rows = leverage_table(
        coded, home="MYS", partner="USA", rival=None, year=2024, classification="HTS2024"
    ).set_index("code")
    assert rows.loc["401512", "home_share_of_partner_imports"] == pytest.approx(0.6)
    assert rows.loc["401512", "partner_import_hhi"] == pytest.approx(0.36 + 0.16)
    assert math.isnan(rows.loc["401512", "home_world_export_share"])
    assert math.isnan(rows.loc["401512", "home_export_weight"])
    # The same rows with a second importer are world data: the columns are filled.
    more = pd.concat([frame, frame.assign(importer="DEU", exporter="CHN")], ignore_index=True)
    rows2 = leverage_table(
        product_code_expr(ibis.memtable(more), "hs6"),
        home="MYS",
        partner="USA",
        rival=None,
        year=2024,
        classification="HTS2024",
    ).set_index("code")
    # X(MYS, 401512) = 60; W = 100 + 100 = 200
    assert rows2.loc["401512", "home_world_export_share"] == pytest.approx(0.3)
    # Told explicitly that the data hold the USA's imports only, they are null again.
    rows3 = leverage_table(
        product_code_expr(ibis.memtable(more), "hs6"),
        home="MYS",
        partner="USA",
        rival=None,
        year=2024,
        classification="HTS2024",
        reporters=("USA",),
    )
    assert rows3["home_world_export_share"].isna().all()


def test_product_codes_at_every_level() -> None:
    frame = pd.DataFrame({"product": ["8542310001"], "exporter": "MYS", "importer": "USA"})
    table = ibis.memtable(frame)
    got = {lv: product_code_expr(table, lv).to_pandas()["code"].iloc[0] for lv in LEVELS[1:-1]}
    assert got == {
        "hs10": "8542310001",
        "hs8": "85423100",
        "hs6": "854231",
        "hs4": "8542",
        "hs2": "85",
    }
    assert product_code_expr(table, "industry").to_pandas()["code"].iloc[0] == "8542310001"


def test_dataset_levels_from_manifests(icio_session) -> None:  # type: ignore[no-untyped-def]
    census = dataset_levels(icio_session.manifest(DATASET))
    assert census == ("hs10", "hs8", "hs6", "hs4", "hs2", "group")
    assert dataset_levels(icio_session.manifest("icio2022")) == ("industry",)
    assert dataset_levels({"level": "hs6"}) == ("hs6", "hs4", "hs2", "group")
    assert np.all([lv in LEVELS for lv in census])
