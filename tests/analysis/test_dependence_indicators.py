"""Dependence, trend, flag and sensitivity formulas (indicators.py), worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelever.analysis import indicators as ind


def test_rest_of_world_supply_ratio_by_hand() -> None:
    # world 250, home exports 100 of which 50 to the partner: (250 - 100) / 50 = 3
    out = ind.rest_of_world_supply_ratio([250.0, 120.0, 40.0], [100.0, 100.0, 0.0], [50, 60, 0])
    assert out[0] == 3.0
    assert out[1] == pytest.approx(20 / 60)
    assert math.isnan(out[2])  # home does not supply the partner: undefined


def test_hhi_from_sum_of_squares_equals_sum_of_squared_shares() -> None:
    # suppliers 50, 30, 20: (2500 + 900 + 400) / 100^2 = 0.38 = 0.5^2 + 0.3^2 + 0.2^2
    assert ind.hhi_from_sum_of_squares(3800.0, 100.0) == pytest.approx(0.38)
    assert ind.hhi_from_sum_of_squares(3800.0, 100.0) == pytest.approx(
        ind.import_hhi([0.5, 0.3, 0.2])
    )
    assert math.isnan(float(ind.hhi_from_sum_of_squares(0.0, 0.0)))


def test_imports_to_exports_geodep_conventions() -> None:
    out = ind.imports_to_exports([50.0, 100.0, 80.0, 0.0], [130.0, 20.0, 0.0, 0.0])
    assert out[0] == pytest.approx(50 / 130)
    assert out[1] == 5.0
    assert math.isinf(out[2])  # imports, no exports (GeoDep: 9999)
    assert math.isnan(out[3])  # neither


def test_share_change_and_cagr_by_hand() -> None:
    assert ind.share_change_pp([0.30], [0.25])[0] == pytest.approx(5.0)
    # 50 -> 100 in one year: +100%; 100 -> 121 in two years: +10% a year
    assert ind.compound_annual_growth(100.0, 50.0, 1) == pytest.approx(1.0)
    assert ind.compound_annual_growth(121.0, 100.0, 2) == pytest.approx(0.10)
    assert math.isnan(float(ind.compound_annual_growth(10.0, 0.0, 3)))  # from nothing
    assert math.isnan(float(ind.compound_annual_growth(10.0, 5.0, 0)))  # no interval


def test_sigma_range_halves_and_doubles_theta() -> None:
    low, high = ind.sigma_range([3.0, 1.5])
    assert low.tolist() == [2.0, 1.25]
    assert high.tolist() == [5.0, 2.0]
    with pytest.raises(ValueError):
        ind.sigma_range(3.0, factor=1.0)


def test_flags_thresholds() -> None:
    flags = ind.leverage_flags(
        home_share=[0.5, 0.25, 0.24, 1.0, 0.0],
        partner_hhi=[0.38, 0.25, 0.9, 1.0, 0.82],
        rival_share=[0.3, 0.0, 0.0, 0.0, 0.9],
        imports_to_exports_ratio=[np.inf, 0.5, 2.0, 2.0, 3.0],
        world_hhi=[0.4368, 0.1, 0.5, 0.5, 0.82],
        home_rca=[1.62, 0.9, 0.5, 2.0, 0.4],
    )
    assert flags[0] == (
        "critical_supplier;dominant_supplier;rival_critical_supplier;home_comparative_advantage"
    )
    assert flags[1] == "critical_supplier"  # 25% and 0.25 are inclusive thresholds
    assert flags[2] == "partner_foreign_dependent"  # 24% < 25%; HHI 0.9, world 0.5, ratio 2
    assert flags[3].split(";") == [
        "critical_supplier",
        "dominant_supplier",
        "sole_supplier",
        "partner_foreign_dependent",
        "home_comparative_advantage",
    ]
    assert flags[4] == "rival_critical_supplier;partner_foreign_dependent"


@given(st.lists(st.floats(min_value=0.01, max_value=1e9), min_size=1, max_size=30))
def test_shares_and_hhi_bounds(values: list[float]) -> None:
    v = np.asarray(values)
    shares = ind.supplier_share(v, v.sum())
    assert ((shares >= 0) & (shares <= 1 + 1e-12)).all()
    hhi = float(ind.hhi_from_sum_of_squares(np.sum(v * v), v.sum()))
    assert 1 / len(v) - 1e-9 <= hhi <= 1 + 1e-9


@given(
    st.floats(min_value=1.0, max_value=1e9),
    st.floats(min_value=0.001, max_value=0.999),
    st.floats(min_value=1.05, max_value=30.0),
    st.floats(min_value=0.05, max_value=30.0),
)
def test_larger_sigma_lowers_the_cost_of_losing_a_supplier(
    m: float, share: float, sigma: float, step: float
) -> None:
    low = ind.cost_of_losing_supplier(m, share, sigma + step)
    high = ind.cost_of_losing_supplier(m, share, sigma)
    assert low <= high * (1 + 1e-12)
    # and the sensitivity range brackets the central value
    s_low, s_high = ind.sigma_range(sigma)
    assert ind.cost_of_losing_supplier(m, share, s_high) <= high * (1 + 1e-12)
    assert ind.cost_of_losing_supplier(m, share, s_low) >= high * (1 - 1e-12)


@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=1000), min_size=3, max_size=3),
        min_size=2,
        max_size=6,
    )
)
def test_export_weighted_mean_of_rca_is_one(matrix: list[list[int]]) -> None:
    # X[i, k]: exports of country i in product k. With W_k = sum_i X_ik, X_i = sum_k X_ik:
    # sum_i (X_i / W) * RCA_ik = sum_i X_ik / W_k = 1 for every traded product k.
    x = np.asarray(matrix, dtype=float)
    x_i = x.sum(axis=1, keepdims=True)
    w_k = x.sum(axis=0, keepdims=True)
    w = x.sum()
    if w == 0:
        return
    rca = ind.balassa_rca(x, x_i, w_k, w)
    weighted = np.nansum((x_i / w) * rca, axis=0)
    traded = w_k[0] > 0
    np.testing.assert_allclose(weighted[traded], 1.0, rtol=1e-12)
