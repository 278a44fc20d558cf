"""Rival substitution on the hand data set (tests/synthetic.py), worked by hand.

2023 totals: world exports W = 815 (854231 250, 854232 40, 401519 120, 280530 10,
100630 90, 880240 305); MYS exports X(MYS) = 201 (854231 100, 401519 100, 280530 1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradelever.analysis.substitution import offer_rule, substitution_table
from tradelever.api import Session
from tradelever.errors import InputError, UnknownCountryError


@pytest.fixture
def session(hand_data_dir: Path) -> Session:
    return Session(hand_data_dir)


def test_substitutes_by_hand(session: Session) -> None:
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", year=2023)
    # CHN sells USA 854231 (30), 854232 (40), 280530 (9). MYS does not export 854232;
    # RCA(280530) = (1/201)/(10/815) = 0.41 < 1; RCA(854231) = (100/201)/(250/815) = 1.62.
    assert list(r.rows.code) == ["854231"]
    row = r.rows.iloc[0]
    assert row.home_rca == pytest.approx((100 / 201) / (250 / 815))
    assert row.rival_share_of_partner_imports == pytest.approx(0.3)
    assert row.home_world_export_share == pytest.approx(0.4)
    # MYS exports of 854231 to others than the USA = 100 - 50 = 50; a quarter of it (12.5)
    # is redirectable; the rival sells 30: the offer is min(30, 12.5) = 12.5 (the earlier
    # rule offered min(30, 50) = 30, every export to anyone else moved to the USA)
    assert row.home_exports_to_rest_of_world_usd == pytest.approx(50.0)
    assert row.redirectable_share == 0.25
    assert row.home_redirectable_usd == pytest.approx(12.5)
    assert row.plausible_supply_usd == pytest.approx(12.5)
    assert row.plausible_share_of_rival_sales == pytest.approx(12.5 / 30)
    assert row.plausible_share_of_home_exports == pytest.approx(12.5 / 100)
    assert r.summary["plausible_supply_usd"] == pytest.approx(12.5)
    rule = [a for a in r.assumptions if a.startswith("plausible_supply_usd = min(")]
    assert len(rule) == 1 and "redirectable_share = 0.25 (default)" in rule[0]
    assert r.summary["rival_exports_to_partner_usd"] == pytest.approx(79.0)
    assert row.description.startswith("Electronic integrated circuits")


def test_lower_rca_threshold_adds_rare_earths(session: Session) -> None:
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rca=0.3)
    assert list(r.rows.code) == ["854231", "280530"]
    rare = r.rows.set_index("code").loc["280530"]
    assert rare.home_rca == pytest.approx((1 / 201) / (10 / 815))
    # MYS sells all its 280530 (1) to the USA already: nothing left to redirect
    assert rare.plausible_supply_usd == 0.0
    assert rare.rival_share_of_partner_imports == pytest.approx(0.9)


def test_thresholds_filter(session: Session) -> None:
    # world share 0.4 for 854231: a 0.5 minimum removes it
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_world_share=0.5)
    assert r.rows.empty
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rival_share=0.3)
    assert r.rows.empty  # rival share 0.3 is not above 0.3


def test_hs4_level(session: Session) -> None:
    # HS4 8542 = 854231 + 854232: USA imports 140, CHN sells 70 (share 0.5);
    # MYS exports 100 of 8542, world 290: RCA = (100/201)/(290/815) = 1.398
    r = session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", level="hs4")
    row = r.rows.set_index("code").loc["8542"]
    assert row.rival_share_of_partner_imports == pytest.approx(0.5)
    assert row.home_rca == pytest.approx((100 / 201) / (290 / 815))
    assert row.plausible_supply_usd == pytest.approx(12.5)  # min(70, 0.25 * (100 - 50))


def test_properties_on_icio(icio_session: Session) -> None:
    r = icio_session.substitutes("MYS", "USA", "CHN", dataset="icio2022")
    rows = r.rows
    assert not rows.empty
    assert (rows.home_rca > 1).all()
    assert (rows.plausible_supply_usd <= rows.rival_exports_to_partner_usd + 1e-6).all()
    assert (rows.plausible_supply_usd <= rows.home_exports_to_rest_of_world_usd + 1e-6).all()
    assert (rows.plausible_supply_usd <= 0.25 * rows.home_exports_to_rest_of_world_usd + 1).all()
    # the offers, summed over the (distinct) industries, stay within what MYS can redirect
    assert r.summary["plausible_supply_usd"] <= 0.25 * rows.home_exports_usd.sum()
    assert rows.plausible_supply_usd.is_monotonic_decreasing
    assert "C26" in set(rows.code)
    d = r.to_dict()
    assert d["rival"] == "CHN" and d["dataset"] == "icio2022"
    assert any("intermediate goods only" in a for a in d["assumptions"])


def test_errors(session: Session) -> None:
    with pytest.raises(InputError, match=r"^rival: substitutes needs a rival country"):
        session.substitutes("MYS", "USA", None, dataset="hand-hs17")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="different"):
        session.substitutes("MYS", "USA", "MYS", dataset="hand-hs17")
    with pytest.raises(UnknownCountryError, match="MAS"):
        session.substitutes("MAS", "USA", "CHN", dataset="hand-hs17")
    with pytest.raises(InputError, match=r"^min_rca: "):
        session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", min_rca=-1)
    with pytest.raises(InputError, match=r"^level: "):
        session.substitutes("MYS", "USA", "CHN", dataset="hand-hs17", level="industry")


def _agg(session: Session, level: str = "hs6"):  # type: ignore[no-untyped-def]
    from tradelever.analysis.bilateral import code_aggregates
    from tradelever.analysis.leverage import product_code_expr

    coded = product_code_expr(session.store.table("hand-hs17", "flows"), level)
    return code_aggregates(coded, year=2023, home="MYS", partner="USA", rival="CHN")


def test_redirectable_share_bounds_the_offer(session: Session) -> None:
    agg = _agg(session)
    everything = substitution_table(agg, redirectable_share=1.0)
    assert everything.set_index("code").loc["854231", "plausible_supply_usd"] == 30.0
    none = substitution_table(agg, redirectable_share=0.0)
    assert (none["plausible_supply_usd"] == 0).all()
    for bad in (-0.1, 1.5, float("nan"), "a lot"):
        with pytest.raises(InputError, match=r"^redirectable_share: "):
            substitution_table(agg, redirectable_share=bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^redirectable_share: "):
        offer_rule(2.0)


def test_rca_uses_given_totals(session: Session) -> None:
    # Restricted to one code, the RCA of 854231 needs the totals of every product:
    # (100/201) / (250/815) as in test_substitutes_by_hand.
    agg = _agg(session)
    totals = {"home_exports_usd": 201.0, "world_exports_usd": 815.0}
    one = agg[agg["code"] == "854231"]
    row = substitution_table(one, totals=totals).iloc[0]
    assert row.home_rca == pytest.approx((100 / 201) / (250 / 815))
    assert substitution_table(one).empty  # alone, its RCA is 1: not above 1


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.floats(0.0, 1e9),  # home exports to partner
            st.floats(0.0, 1e9),  # home exports to others
            st.floats(0.0, 1e9),  # rival exports to partner
            st.floats(1.0, 1e10),  # rest of the world's exports
        ),
        min_size=1,
        max_size=12,
    ),
    share=st.floats(0.0, 1.0),
)
def test_offers_never_exceed_home_exports(rows, share) -> None:  # type: ignore[no-untyped-def]
    """SYNTHETIC per-code aggregates: every offer and their sum stay within home's exports."""
    import pandas as pd

    v_ep, others, v_rp, rest_w = (np.array(c) for c in zip(*rows, strict=True))
    x_e = v_ep + others
    agg = pd.DataFrame(
        {
            "code": [f"{i:06d}" for i in range(len(rows))],
            "world_exports_usd": x_e + v_rp + rest_w,
            "home_exports_usd": x_e,
            "partner_exports_usd": 0.0,
            "rival_exports_usd": v_rp,
            "home_imports_usd": 0.0,
            "partner_imports_usd": v_ep + v_rp + rest_w,
            "home_to_partner_usd": v_ep,
            "partner_to_home_usd": 0.0,
            "rival_to_partner_usd": v_rp,
        }
    )
    out = substitution_table(agg, min_rca=0.0, redirectable_share=share)
    tol = 1e-6
    assert (out["plausible_supply_usd"] <= out["rival_exports_to_partner_usd"] + tol).all()
    assert (
        out["plausible_supply_usd"] <= share * out["home_exports_to_rest_of_world_usd"] + tol
    ).all()
    assert (out["plausible_supply_usd"] <= out["home_exports_usd"] + tol).all()
    assert out["plausible_supply_usd"].sum() <= x_e.sum() * max(share, 0.0) + tol


def test_group_level_with_totals_and_a_headline_counted_once(session: Session) -> None:
    """hand-hs17 at group level: semiconductors and electrical_electronic both hold 854231
    and 854232 here, so their rows are equal; the headline counts the offer once."""
    from tradelever.analysis.groups import (
        default_groups,
        group_aggregates,
        group_total,
        selector_table,
    )

    agg = _agg(session)
    sel = selector_table(default_groups(), "HS17", agg["code"])
    ga = group_aggregates(agg, sel)
    assert ga.totals["home_exports_usd"] == pytest.approx(201.0)
    assert ga.rows["home_exports_usd"].sum() == pytest.approx(301.0)  # 100 + 100 + 100 + 1
    assert ga.union["home_exports_usd"] == pytest.approx(201.0)
    rows = substitution_table(ga.rows, totals=ga.totals).set_index("code")
    semis = rows.loc["semiconductors"]
    # W(semiconductors) = 250 + 40 = 290; RCA = (100 / 201) / (290 / 815), all products once
    assert semis.home_rca == pytest.approx((100 / 201) / (290 / 815))
    assert semis.rival_exports_to_partner_usd == pytest.approx(70.0)
    assert semis.plausible_supply_usd == pytest.approx(12.5)  # min(70, 0.25 * (100 - 50))
    assert rows.loc["electrical_electronic", "plausible_supply_usd"] == pytest.approx(12.5)
    # headline over both groups: product-level offers over the union, each product once
    products = substitution_table(agg, min_rca=0.0)
    shown = list(rows.index)
    headline = group_total(
        products, sel, value="plausible_supply_usd", groups=shown, product="code"
    )
    assert headline == pytest.approx(12.5)  # not 25 (the two rows added)
