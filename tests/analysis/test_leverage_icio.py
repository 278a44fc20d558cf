"""Properties of leverage on the real embedded network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COUNTRIES = [
    "MYS",
    "USA",
    "CHN",
    "DEU",
    "JPN",
    "THA",
    "VNM",
    "SGP",
    "MEX",
    "IND",
    "BRA",
    "KHM",
    "LAO",
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(COUNTRIES), st.sampled_from(COUNTRIES), st.sampled_from(COUNTRIES))
def test_shares_and_hhi_bounds(icio_session, home: str, partner: str, rival: str) -> None:  # type: ignore[no-untyped-def]
    if len({home, partner, rival}) < 3:
        return
    rows = icio_session.leverage(home, partner, rival, dataset="icio2022").rows
    for column in (
        "home_share_of_partner_imports",
        "rival_share_of_partner_imports",
        "home_world_export_share",
        "home_export_weight",
    ):
        values = rows[column].dropna()
        assert ((values >= 0) & (values <= 1 + 1e-12)).all(), column
    assert (rows.partner_import_hhi > 0).all() and (rows.partner_import_hhi <= 1 + 1e-12).all()
    assert (rows.partner_cost_of_losing_home_usd >= 0).all()
    assert rows.home_export_weight.sum() <= 1 + 1e-9


def test_supplier_shares_sum_to_one_and_hhi_at_least_one_over_n(icio_session) -> None:  # type: ignore[no-untyped-def]
    flows = icio_session.store.table("icio2022").to_pandas()
    usa = flows[flows.importer == "USA"]
    shares = usa.value_usd / usa.groupby("product").value_usd.transform("sum")
    sums = shares.groupby(usa["product"]).sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    n = usa.groupby("product").exporter.nunique()
    rows = icio_session.leverage("MYS", "USA", dataset="icio2022").rows.set_index("code")
    hhi = rows.partner_import_hhi
    assert (hhi >= 1.0 / n.reindex(hhi.index) - 1e-12).all()
    # HHI equals the sum of squared shares computed directly from the flows
    direct = (shares**2).groupby(usa["product"]).sum()
    np.testing.assert_allclose(hhi.sort_index(), direct.reindex(hhi.index).sort_index(), rtol=1e-9)


def test_home_world_share_matches_direct_computation(icio_session) -> None:  # type: ignore[no-untyped-def]
    flows = icio_session.store.table("icio2022").to_pandas()
    c26 = flows[flows["product"] == "C26"]
    direct = c26[c26.exporter == "MYS"].value_usd.sum() / c26.value_usd.sum()
    row = icio_session.leverage("MYS", "USA", dataset="icio2022").rows.set_index("code").loc["C26"]
    assert row.home_world_export_share == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize(
    ("home", "partner", "rival"), [("MYS", "USA", "CHN"), ("DEU", "KHM", None)]
)
def test_icio_cube_path_equals_query_path(icio_session, home, partner, rival) -> None:  # type: ignore[no-untyped-def]
    from tradelever.analysis.leverage import leverage_table, product_code_expr

    flows = icio_session.store.table("icio2022")
    coded = product_code_expr(flows, "industry")
    kwargs = {
        "home": home,
        "partner": partner,
        "rival": rival,
        "year": 2022,
        "classification": "ICIO2025",
        "flows": flows,
    }
    cube = icio_session.market_cube("icio2022", 2022, "industry")
    # 49 industries trade internationally (T, households as employers, does not)
    assert cube is not None and cube.values.shape == (49, 80, 80)
    fast = leverage_table(coded, cube=cube, **kwargs)
    slow = leverage_table(coded, **kwargs)
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-12, check_dtype=False)
