"""Indicator formulas checked against hand arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelever.analysis import indicators as ind


def test_supplier_share_and_zero_denominator() -> None:
    out = ind.supplier_share([50.0, 0.0, 1.0], [100.0, 40.0, 0.0])
    assert out[0] == 0.5
    assert out[1] == 0.0
    assert math.isnan(out[2])  # no imports: share undefined, not zero


def test_import_hhi_by_hand() -> None:
    # shares 0.5, 0.3, 0.2 -> 0.25 + 0.09 + 0.04
    assert ind.import_hhi([0.5, 0.3, 0.2]) == pytest.approx(0.38)
    assert ind.import_hhi([1.0]) == 1.0
    assert math.isnan(ind.import_hhi([]))


def test_balassa_rca_by_hand() -> None:
    # i exports 20 of k out of 100; world trades 50 of k out of 1000 -> 0.2 / 0.05 = 4
    assert ind.balassa_rca(20.0, 100.0, 50.0, 1000.0) == pytest.approx(4.0)


def test_ces_cost_with_sigma_three() -> None:
    # sigma = 3: factor = (1 - s)^(-1/2); s = 0.75 -> 2, so cost = M * (2 - 1) = M
    assert ind.cost_of_losing_supplier(80.0, 0.75, 3.0) == pytest.approx(80.0)
    # s = 0.5 -> sqrt(2) - 1
    assert ind.cost_of_losing_supplier(100.0, 0.5, 3.0) == pytest.approx(41.42135623730951)
    assert ind.cost_of_losing_supplier(100.0, 0.0, 3.0) == 0.0
    assert math.isinf(float(ind.cost_of_losing_supplier(100.0, 1.0, 3.0)))


def test_sigma_must_exceed_one() -> None:
    with pytest.raises(ValueError, match="greater than 1"):
        ind.ces_price_index_factor(0.5, 1.0)


@given(
    st.floats(min_value=0.0, max_value=0.99),
    st.floats(min_value=1.05, max_value=20.0),
    st.floats(min_value=0.05, max_value=20.0),
)
def test_larger_sigma_lowers_cost(share: float, sigma: float, extra: float) -> None:
    low = float(ind.cost_of_losing_supplier(1.0, share, sigma + extra))
    high = float(ind.cost_of_losing_supplier(1.0, share, sigma))
    assert 0.0 <= low <= high + 1e-12


@given(st.lists(st.floats(min_value=0.001, max_value=1e6), min_size=1, max_size=30))
def test_hhi_bounds(values: list[float]) -> None:
    v = np.asarray(values)
    h = ind.import_hhi(v / v.sum())
    assert 1.0 / len(v) - 1e-9 <= h <= 1.0 + 1e-9
