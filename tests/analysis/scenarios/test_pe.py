"""SMART and CES partial equilibrium: hand-worked numbers and properties.

Hand example (WITS-SMART; Jammes and Olarreaga 2005): one market, M = (50, 30, 20), the
first source's tariff rises from 0 to 25%, sigma = 1.5, epsilon_m = -1.2, perfectly elastic
supply.

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
        # Laird-Yeats diversion never exceeds existing trade.
        assert np.all(out.diversion >= -M - tol)
    else:
        # CES diversion (the change in share) never exceeds the trade after creation.
        assert np.all(out.diversion >= -(M + out.creation) - tol)
    # Creation and diversion together never take more than the flow (SMART by its joint
    # bound, CES by construction).
    assert np.all(M + out.total >= -tol)
    assert out.total == pytest.approx(out.creation + out.diversion, abs=tol)


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
    # closed form (SMART's finite-supply case, Jammes and Olarreaga 2005):
    # d ln q = em dlnt / (1 - em/ex)
    dlnq = -1.2 * np.log(1.25) / (1 + 1.2 / 2)
    assert finite.export_price_change == pytest.approx(np.full(3, np.expm1(dlnq / 2)))
    assert np.all(elastic.export_price_change == 0)


# -- Laird-Yeats for a cut, the joint bound, revenue (issue 12) ------------------------------
#
# Cut, by hand (Laird and Yeats 1986, with k the source whose tariff changes): M = (50, 30, 20),
# source 1 from 25% to 0, sigma 1.5, eps_m -1.2, perfectly elastic supply.
#     r     = 1 / 1.25 - 1                                        = -0.2
#     TD_k  = 50 * 50 * 1.5 * (-0.2) / (50 + 50 + 50 * 1.5 * (-0.2)) = -750 / 85
#     k gains 750 / 85 = 8.823529412; sources 2 and 3 lose it pro rata 30 : 20
#     TC_1  = -1.2 * 50 * (-0.2)                                   = 12
#     dR    = 0 - 0.25 * 50                                        = -12.5
#     W     = 0.5 * 0.25 * 12                                      = 1.5
# The previous rule (each other source's loss against the composite of the rest) gave
# 937.5 / 118.75 = 7.894736842 instead: the shortfall the issue reports for a cut.
G_CUT = 750 / 85


def test_smart_tariff_cut_is_laird_yeats_by_hand() -> None:
    args = _one_market([0.0, 0.0, 0.0])
    args = (args[0], args[1], np.array([0.25, 0.0, 0.0]), *args[3:])
    out = smart(*args)
    assert out.diversion == pytest.approx([G_CUT, -0.6 * G_CUT, -0.4 * G_CUT])
    assert out.diversion[0] != pytest.approx(937.5 / 118.75)
    assert out.creation == pytest.approx([12.0, 0.0, 0.0])
    assert out.revenue_change == pytest.approx([-12.5])
    assert out.welfare == pytest.approx([1.5])
    assert not out.bounded.any()


def test_smart_cut_diversion_ceiling_is_existing_trade() -> None:
    # sigma |r| = 10 * 0.2 = 2 >= 1: the formula's denominator 100 - 50 * 2 reaches 0; the
    # ceiling is the others' trade (WITS: "reaches its ceiling with existing trade").
    args = _one_market([0.0, 0.0, 0.0], sigma=10.0)
    out = smart(args[0], args[1], np.array([0.25, 0.0, 0.0]), *args[3:])
    assert out.diversion == pytest.approx([50.0, -30.0, -20.0])
    # exactly at sigma |r| = 1 the formula gives the ceiling: 50 * 50 / (100 - 50) = 50
    at_one = smart(
        args[0], args[1], np.array([0.25, 0.0, 0.0]), args[3], np.full(3, 5.0), *args[5:]
    )
    assert at_one.diversion[0] == pytest.approx(50.0)


def test_smart_joint_bound_by_hand() -> None:
    # M = (50, 50), source 1 from 0 to 145%, sigma 2, eps_m -1 (the China case at 145%).
    # Laird-Yeats: L = 50 * 50 * 2 * 1.45 / (100 + 50 * 2 * 1.45) = 7250 / 245 = 29.59
    # Creation alone: -1 * 50 * 1.45 = -72.5; together -102.1 < -50: creation is capped at
    # what diversion leaves, -(50 - 29.59) = -20.41, and source 1's imports end at 0.
    loss = 7250 / 245
    mk = np.zeros(2, dtype=np.int64)
    out = smart(
        mk, np.array([50.0, 50.0]), np.zeros(2), np.array([1.45, 0.0]), np.full(2, 2.0),
        np.full(2, -1.0), np.full(2, INF),
    )  # fmt: skip
    assert out.diversion == pytest.approx([-loss, loss])
    assert out.creation == pytest.approx([-(50 - loss), 0.0])
    assert out.total == pytest.approx([-50.0, loss])
    assert out.bounded.tolist() == [True, False]
    # revenue: 1.45 * 0 + 0 * (50 + loss) - 0 = 0 (the unbounded formulas gave
    # 1.45 * (50 - 72.5 - 29.59) = -75.5: revenue falling for a tariff increase)
    assert out.revenue_change == pytest.approx([0.0])
    assert out.welfare == pytest.approx([-0.5 * 1.45 * (50 - loss)])


@pytest.mark.parametrize("model", [smart, ces])
def test_no_rows_no_crash(model) -> None:  # type: ignore[no-untyped-def]
    empty = np.zeros(0)
    out = model(np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty, empty)
    assert len(out.total) == 0 and len(out.revenue_change) == 0
    out = model(np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty, empty, 3)
    assert out.revenue_change.tolist() == [0.0, 0.0, 0.0]


def _ly_gain(mk: float, mK: float, sigma: float, r: float) -> float:
    """Imports k gains (Laird-Yeats, k's tariff changes), capped at the others' trade."""
    if sigma * r <= -1:
        return mK
    return -mk * mK * sigma * r / (mk + mK + mK * sigma * r)


@settings(max_examples=80, deadline=None)
@given(
    m=st.lists(st.floats(1.0, 1e6), min_size=2, max_size=6),
    group=st.integers(1, 5),
    t0=st.floats(0.0, 1.5),
    t1=st.floats(0.0, 1.5),
    base_others=st.floats(0.0, 0.5),
    sigma=st.floats(0.2, 20.0),
)
def test_smart_diversion_is_laird_yeats_for_one_change(m, group, t0, t1, base_others, sigma):  # type: ignore[no-untyped-def]
    """Any group of sources moving from t0 to t1 (others unchanged, at any rate)."""
    n = len(m)
    g = min(group, n - 1)
    M = np.array(m)
    old = np.r_[np.full(g, t0), np.full(n - g, base_others)]
    new = np.r_[np.full(g, t1), np.full(n - g, base_others)]
    out = smart(np.zeros(n, dtype=np.int64), M, old, new, np.full(n, sigma), np.full(n, -1.0),
                np.full(n, INF))  # fmt: skip
    r = (1 + t1) / (1 + t0) - 1
    expected = _ly_gain(M[:g].sum(), M[g:].sum(), sigma, r)
    assert out.diversion[:g].sum() == pytest.approx(expected, rel=1e-9, abs=1e-9 * M.sum())
    # inside each side, shares in proportion to initial imports
    if abs(expected) > 1e-9 * M.sum():
        assert out.diversion[:g] / M[:g] == pytest.approx(np.full(g, expected / M[:g].sum()))
        share = -expected / M[g:].sum()
        assert out.diversion[g:] / M[g:] == pytest.approx(np.full(n - g, share))


@pytest.mark.parametrize("model", [smart, ces])
@settings(max_examples=60, deadline=None)
@given(data=market_data())
def test_imports_never_negative_and_revenue_consistent(model, data) -> None:  # type: ignore[no-untyped-def]
    market, M, t0, t1, sigma, em = data
    ex = np.full(len(M), INF)
    out = model(market, M, t0, t1, sigma, em, ex)
    new = M + out.total
    assert np.all(new >= -1e-9 * M.max())
    # revenue is the rate times the rows' own new imports, so it never goes below zero
    r0 = np.bincount(market, weights=t0 * M)
    r1 = np.bincount(market, weights=t1 * new)
    assert out.revenue_change == pytest.approx(r1 - r0, rel=1e-9, abs=1e-6 * M.sum())
    assert np.all(out.revenue_change >= -r0 - 1e-6 * M.sum())
    # from zero rates, a tariff increase never lowers revenue
    up = model(market, M, np.zeros(len(M)), t1, sigma, em, ex)
    assert np.all(up.revenue_change >= -1e-9 * M.sum())


@pytest.mark.parametrize("model", [smart, ces])
@settings(max_examples=60, deadline=None)
@given(data=market_data(), which=st.integers(0, 30), step=st.floats(0.01, 2.0))
def test_monotone_in_the_rate(model, data, which, step) -> None:  # type: ignore[no-untyped-def]
    """Raising one supplier's rate lowers its imports and raises nobody else's loss."""
    market, M, t0, t1, sigma, em = data
    j = which % len(M)
    higher = t1.copy()
    higher[j] += step
    ex = np.full(len(M), INF)
    a = model(market, M, t0, t1, sigma, em, ex)
    b = model(market, M, t0, higher, sigma, em, ex)
    tol = 1e-9 * M.sum()
    assert b.total[j] <= a.total[j] + tol
    same = market == market[j]
    same[j] = False
    if model is smart:
        # others' creation is unchanged and their diversion can only rise
        assert np.all(b.total[same] >= a.total[same] - tol)
    assert np.allclose(b.total[market != market[j]], a.total[market != market[j]])


@settings(max_examples=60, deadline=None)
@given(data=market_data())
def test_smart_uniform_change_exactly_no_diversion(data) -> None:  # type: ignore[no-untyped-def]
    market, M, t0, _, sigma, em = data
    # every source's price moves by the same factor: no relative price change
    t1 = (1 + t0) * 1.3 - 1
    out = smart(market, M, t0, t1, sigma, em, np.full(len(M), INF))
    assert np.all(out.diversion == 0.0)


@settings(max_examples=60, deadline=None)
@given(data=market_data(), ex=st.floats(0.001, 50.0))
def test_ces_finite_supply_solves_the_equilibrium(data, ex) -> None:  # type: ignore[no-untyped-def]
    """The returned prices satisfy the model's equations, even where the fixed-point map is
    nearly flat (small export supply elasticity, large sigma)."""
    market, M, t0, t1, sigma, em = data
    out = ces(market, M, t0, t1, sigma, em, np.full(len(M), ex))
    p_hat = 1.0 + out.export_price_change
    P_hat = (1.0 + out.price_index_change)[market]
    tau = (1.0 + t1) / (1.0 + t0)
    q_hat = (M + out.total) / (M * p_hat)
    # demand: q = (tau p / P)^-sigma P^eps_m; supply: p = q^(1/eps_x)
    assert q_hat == pytest.approx((tau * p_hat / P_hat) ** -sigma * P_hat**em, rel=1e-6)
    assert p_hat == pytest.approx(q_hat ** (1.0 / ex), rel=1e-6)
    # price index: P^(1-sigma) = sum of expenditure shares x (tau p)^(1-sigma)
    w = M * (1 + t0) / np.bincount(market, weights=M * (1 + t0))[market]
    lhs = np.bincount(market, weights=w * (tau * p_hat) ** (1 - sigma))
    P_m = 1.0 + out.price_index_change
    assert lhs == pytest.approx(
        P_m ** (1 - sigma[np.unique(market, return_index=True)[1]]), rel=1e-6
    )
