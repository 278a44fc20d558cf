"""SMART and CES partial equilibrium: hand-worked numbers and properties.

Hand example (methods.md (a)): one market, M = (50, 30, 20), the first source's tariff rises
from 0 to 25%, sigma = 1.5, epsilon_m = -1.2, perfectly elastic supply.

    TC_1 = -1.2 * 50 * 0.25 / 1                              = -15
    r    = 1.25 / 1 - 1                                      = 0.25
    L    = 50 * 50 * 1.5 * 0.25 / (50 + 50 + 50 * 1.5 * 0.25) = 937.5 / 118.75 = 7.894736842
    TD   = (-L, 0.6 L, 0.4 L)                                 (pro rata 30 : 20)
    dR   = 0.25 * (50 - 15 - L)                               = 6.776315789
    W    = 0.5 * (0 - 0.25) * |-15|                           = -1.875
With epsilon_x = 2: TC_1 = -1.2 * 50 * 0.25 / (1 + 1.2 / 2) = -9.375.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.scenarios.pe_ces import ces
from tradelever.analysis.scenarios.pe_smart import smart

INF = np.inf
L_HAND = 937.5 / 118.75


def _one_market(t1: list[float], sigma: float = 1.5, em: float = -1.2, ex: float = INF):
    n = len(t1)
    return (
        np.zeros(n, dtype=np.int64),
        np.array([50.0, 30.0, 20.0][:n]),
        np.zeros(n),
        np.array(t1),
        np.full(n, sigma),
        np.full(n, em),
        np.full(n, ex),
    )


def test_smart_hand_example() -> None:
    out = smart(*_one_market([0.25, 0.0, 0.0]))
    assert out.creation == pytest.approx([-15.0, 0.0, 0.0])
    assert out.diversion == pytest.approx([-L_HAND, 0.6 * L_HAND, 0.4 * L_HAND])
    assert out.revenue_change == pytest.approx([0.25 * (50 - 15 - L_HAND)])
    assert out.welfare == pytest.approx([-1.875])
    assert np.isnan(out.consumer_surplus).all()


def test_smart_finite_supply_elasticity() -> None:
    out = smart(*_one_market([0.25, 0.0, 0.0], ex=2.0))
    assert out.creation[0] == pytest.approx(-9.375)


def test_smart_uniform_change_diverts_nothing() -> None:
    out = smart(*_one_market([0.1, 0.1, 0.1]))
    assert out.diversion == pytest.approx([0.0, 0.0, 0.0])
    assert out.creation == pytest.approx([-6.0, -3.6, -2.4])  # -1.2 * M * 0.1


def test_smart_diversion_capped_at_existing_trade() -> None:
    # A huge rise with a large sigma: L = 50*50*50*5 / (100 + 50*50*5) = 625000/12600 < 50.
    out = smart(*_one_market([5.0, 0.0, 0.0], sigma=50.0))
    assert out.diversion[0] == pytest.approx(-625000 / 12600)
    assert out.diversion[0] > -50.0
    assert out.diversion.sum() == pytest.approx(0.0, abs=1e-9)


def test_ces_hand_example_uniform_and_single() -> None:
    # Uniform 10%: P^ = 1.1, Q^ = 1.1^-1.2, shares unchanged.
    out = ces(*_one_market([0.1, 0.1, 0.1]))
    factor = 1.1**-1.2 - 1
    assert out.total == pytest.approx(np.array([50.0, 30.0, 20.0]) * factor)
    assert out.diversion == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert out.price_index_change == pytest.approx([0.1])
    # consumer surplus -E (P^(1+em) - 1)/(1+em) with E = 100
    assert out.consumer_surplus == pytest.approx([-100 * (1.1**-0.2 - 1) / -0.2])
    # Single source at 25%, sigma = 2: P^ = (0.5 * 1.25^-1 + 0.5)^-1
    out = ces(*_one_market([0.25, 0.0, 0.0], sigma=2.0))
    P = 1 / (0.5 / 1.25 + 0.5)
    Q = P**-1.2
    expected = np.array([50 * (1.25 / P) ** -2 * Q, 30 * (1 / P) ** -2 * Q, 20 * (1 / P) ** -2 * Q])
    assert out.total == pytest.approx(expected - [50, 30, 20])
    assert out.revenue_change == pytest.approx([0.25 * expected[0]])


# -- properties ---------------------------------------------------------------------------

markets = st.integers(min_value=1, max_value=6)


@st.composite
def market_data(draw: st.DrawFn):
    n_markets = draw(markets)
    sizes = [draw(st.integers(min_value=2, max_value=6)) for _ in range(n_markets)]
    market = np.repeat(np.arange(n_markets), sizes)
    n = len(market)
    elems = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)
    M = np.array(draw(st.lists(elems, min_size=n, max_size=n)))
    rates = st.floats(min_value=0.0, max_value=1.5, allow_nan=False)
    t0 = np.array(draw(st.lists(rates, min_size=n, max_size=n)))
    t1 = np.array(draw(st.lists(rates, min_size=n, max_size=n)))
    sigma_m = np.array(draw(st.lists(st.floats(1.1, 15.0), min_size=n_markets, max_size=n_markets)))
    em_m = np.array(draw(st.lists(st.floats(-4.0, -0.2), min_size=n_markets, max_size=n_markets)))
    return market, M, t0, t1, sigma_m[market], em_m[market]


@pytest.mark.parametrize("model", [smart, ces])
@settings(max_examples=60, deadline=None)
@given(data=market_data())
def test_no_tariff_change_no_effect(model, data) -> None:
    market, M, t0, _, sigma, em = data
    out = model(market, M, t0, t0, sigma, em, np.full(len(M), INF))
    assert np.allclose(out.total, 0.0, atol=1e-9 * M.max())
    assert np.allclose(out.revenue_change, 0.0, atol=1e-9 * M.sum())


@pytest.mark.parametrize("model", [smart, ces])
@settings(max_examples=60, deadline=None)
@given(data=market_data())
def test_diversion_sums_to_zero_and_never_exceeds_trade(model, data) -> None:
    market, M, t0, t1, sigma, em = data
    out = model(market, M, t0, t1, sigma, em, np.full(len(M), INF))
    per_market = np.bincount(market, weights=out.diversion)
    assert np.allclose(per_market, 0.0, atol=1e-7 * M.sum())
    tol = 1e-9 * M.max()
    if model is smart:
        # SMART computes diversion on the initial flows: it never exceeds them.
        assert np.all(out.diversion >= -M - tol)
    else:
        # CES: diversion never exceeds the trade the source has after creation, and
        # imports never turn negative.
        assert np.all(out.diversion >= -(M + out.creation) - tol)
        assert np.all(M + out.total >= -tol)


@pytest.mark.parametrize("model", [smart, ces])
@settings(max_examples=60, deadline=None)
@given(
    m=st.lists(st.floats(1.0, 1e5), min_size=2, max_size=5),
    rise=st.floats(0.01, 1.0),
    s_low=st.floats(1.1, 5.0),
    extra=st.floats(0.5, 10.0),
)
def test_larger_substitution_elasticity_diverts_more(model, m, rise, s_low, extra) -> None:
    n = len(m)
    M = np.array(m)
    args = (np.zeros(n, dtype=np.int64), M, np.zeros(n), np.r_[rise, np.zeros(n - 1)])
    low = model(*args, np.full(n, s_low), np.full(n, -1.0), np.full(n, INF))
    high = model(*args, np.full(n, s_low + extra), np.full(n, -1.0), np.full(n, INF))
    assert high.diversion[0] <= low.diversion[0] + 1e-9 * M.sum()
    assert high.diversion[0] < 0


@settings(max_examples=40, deadline=None)
@given(
    m=st.lists(st.floats(1.0, 1e5), min_size=2, max_size=5),
    sigma=st.floats(1.1, 10.0),
    em=st.floats(-3.0, -0.3),
)
def test_ces_agrees_with_smart_for_small_changes(m, sigma, em) -> None:
    n = len(m)
    M = np.array(m)
    mk = np.zeros(n, dtype=np.int64)
    el = (np.full(n, sigma), np.full(n, em), np.full(n, INF))
    dt = 1e-5
    # common change: SMART's creation = CES total (no diversion in either)
    uni = (mk, M, np.zeros(n), np.full(n, dt))
    assert ces(*uni, *el).total == pytest.approx(smart(*uni, *el).creation, rel=1e-3, abs=1e-12)
    # one source: diversion agrees to first order
    one = (mk, M, np.zeros(n), np.r_[dt, np.zeros(n - 1)])
    assert ces(*one, *el).diversion == pytest.approx(
        smart(*one, *el).diversion, rel=1e-3, abs=1e-9 * M.sum()
    )


@settings(max_examples=30, deadline=None)
@given(data=market_data())
def test_perfectly_elastic_supply_is_the_limit(data) -> None:
    market, M, t0, t1, sigma, em = data
    inf = ces(market, M, t0, t1, sigma, em, np.full(len(M), INF))
    big = ces(market, M, t0, t1, sigma, em, np.full(len(M), 1e9))
    assert big.total == pytest.approx(inf.total, rel=1e-5, abs=1e-6 * M.max())


def test_finite_supply_exporters_absorb_part_of_a_rise() -> None:
    # A common 25% rise with epsilon_x = 2: p^ = (Q^)^(1/2) < 1 and imports fall by less
    # in quantity terms than with perfectly elastic supply.
    finite = ces(*_one_market([0.25, 0.25, 0.25], ex=2.0))
    elastic = ces(*_one_market([0.25, 0.25, 0.25]))
    assert np.all(finite.export_price_change < 0)
    # closed form (methods.md (a) finite-supply case): d ln q = em dlnt / (1 - em/ex)
    dlnq = -1.2 * np.log(1.25) / (1 + 1.2 / 2)
    assert finite.export_price_change == pytest.approx(np.full(3, np.expm1(dlnq / 2)))
    assert np.all(elastic.export_price_change == 0)
