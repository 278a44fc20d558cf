"""Supply-chain dependence on an input-output network (the analysis/network package).

Hand-made networks (synthetic, not real data) are solved by hand in the comments, each with
``L`` from an LU factorisation in memory and from the blocks written to a cache folder;
the embedded icio2022 network is checked for the properties that must hold on real data
(its cached model against the in-memory factorisation: tests/analysis/network/).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradelever.analysis.network import (
    LeontiefModel,
    direct_requirements,
    embodied_value_added,
    extract,
    parse_industries,
    supply_chain_result,
    supply_chain_table,
    value_added_coefficients,
)
from tradelever.analysis.network.leontief import StoredRequirements, write_requirements
from tradelever.errors import InputError, UnknownCountryError, UnknownProductError
from tradelever.store.arrays import ArrayWriter, StoredArrays

# -- a hand-made 2-country x 2-industry network (synthetic) ---------------------------------
# Countries HOM (home), PAR (partner); industries X, Y. Sector-major nodes:
#   0 = (X, HOM), 1 = (X, PAR), 2 = (Y, HOM), 3 = (Y, PAR).
# Flows F (seller row -> buyer column), output s, final-demand sales z = s - F 1:
#   F[0,1] = 20, F[0,2] = 10, F[2,1] = 10, F[1,3] = 30;  s = (100, 100, 50, 100)
#   z = (70, 70, 40, 100)
# Direct requirements B = F / s[col]: B[0,1] = .2, B[0,2] = .2, B[2,1] = .1, B[1,3] = .3.
# The network is acyclic (0 -> 2 -> 1 -> 3), so L = I + B + B^2 + B^3:
#   L[0,1] = .2 + .2*.1 = .22   L[0,2] = .2   L[0,3] = .2*.3 + .2*.1*.3 = .066
#   L[1,3] = .3                 L[2,1] = .1   L[2,3] = .1*.3 = .03
HAND_F = np.array(
    [
        [0.0, 20.0, 10.0, 0.0],
        [0.0, 0.0, 0.0, 30.0],
        [0.0, 10.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)
HAND_S = np.array([100.0, 100.0, 50.0, 100.0])
HAND_L = np.array(
    [
        [1.0, 0.22, 0.2, 0.066],
        [0.0, 1.0, 0.0, 0.3],
        [0.0, 0.1, 1.0, 0.03],
        [0.0, 0.0, 0.0, 1.0],
    ]
)


def _model_from_flows(
    F: np.ndarray, s: np.ndarray, countries: tuple[str, ...], industries: tuple[str, ...]
) -> LeontiefModel:
    """Build A, omb, z from flows and output as sanction-simulator does (unit: 1 dollar)."""
    inputs = F.sum(axis=0)
    A = np.divide(F, inputs[None, :], out=np.zeros_like(F), where=inputs[None, :] > 0)
    omb = np.divide(inputs, s, out=np.zeros_like(s), where=s > 0)
    z = s - F.sum(axis=1)
    return LeontiefModel.from_arrays(
        A,
        omb,
        s,
        z,
        countries,
        industries,
        industry_names={k: f"industry {k}" for k in industries},
        unit=1.0,
    )


def _stored(model: LeontiefModel, folder: Path) -> LeontiefModel:
    """The same network with L and B written as blocks to a cache folder and read back."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = ArrayWriter(folder)
    req = model.requirements
    write_requirements(writer, req.A, req.omb, model.n_countries, len(model.industries))  # type: ignore[attr-defined]
    writer.close()
    arrays = StoredArrays(folder)
    return LeontiefModel(
        omb=model.omb,
        s=model.s,
        z=model.z,
        countries=model.countries,
        industries=model.industries,
        requirements=StoredRequirements(arrays.grid("total"), arrays.grid("direct")),
        industry_names=model.industry_names,
        unit=model.unit,
    )


@pytest.fixture(params=["factorised", "stored"])
def hand(request: pytest.FixtureRequest, tmp_path: Path) -> LeontiefModel:
    model = _model_from_flows(HAND_F, HAND_S, ("HOM", "PAR"), ("X", "Y"))
    return model if request.param == "factorised" else _stored(model, tmp_path / "hand")


def test_direct_and_total_requirements_by_hand(hand: LeontiefModel) -> None:
    B = hand.direct_block(np.arange(4), np.arange(4))
    np.testing.assert_allclose(B, direct_requirements(HAND_F / HAND_S[None, :], np.ones(4)))
    expected_B = np.zeros((4, 4))
    expected_B[0, 1], expected_B[0, 2], expected_B[2, 1], expected_B[1, 3] = 0.2, 0.2, 0.1, 0.3
    np.testing.assert_allclose(B, expected_B, atol=1e-15)
    np.testing.assert_allclose(hand.total_requirements(np.arange(4)), HAND_L, atol=1e-12)
    # s = L z: (70 + .22*70 + .2*40 + .066*100, 70 + .3*100, 40 + .1*70 + .03*100, 100)
    np.testing.assert_allclose(hand.output(), HAND_S, rtol=1e-12)


def test_value_added_content_sums_to_one(hand: LeontiefModel) -> None:
    # v = 1 - omb = (1, .7, .8, .7); v'L = 1': e.g. column 3: .066 + .7*.3 + .8*.03 + .7 = 1
    v = value_added_coefficients(hand.omb)
    np.testing.assert_allclose(v, [1.0, 0.7, 0.8, 0.7])
    np.testing.assert_allclose(v @ hand.total_requirements(np.arange(4)), np.ones(4))


def test_embodied_value_added_by_hand(hand: LeontiefModel) -> None:
    va_out, va_fd = embodied_value_added(hand, "HOM", "PAR")
    # X (node 0): v=1   * (L[0,1]*100 + L[0,3]*100) = 22 + 6.6 = 28.6; final sales 15.4 + 6.6
    # Y (node 2): v=.8  * (L[2,1]*100 + L[2,3]*100) = .8 * 13 = 10.4;   final .8 * (7 + 3)
    np.testing.assert_allclose(va_out, [28.6, 10.4])
    np.testing.assert_allclose(va_fd, [22.0, 8.0])
    # partner's own VA in its final sales: .7*(70 + .3*100) + .7*100 = 140; 140 + 30 = 170
    _, par_fd = embodied_value_added(hand, "PAR", "PAR")
    assert va_fd.sum() + par_fd.sum() == pytest.approx(hand.z[[1, 3]].sum())


def test_extract_everything_by_hand(hand: LeontiefModel) -> None:
    res = extract(hand, "HOM", "PAR")
    # Buyer side (Ghosh, primary inputs w = v s = (100, 70, 40, 70) fixed, G = F / s[row]):
    #   s'1 = 70 + 0 = 70 (both its home inputs gone); s'3 = 70 + .3 * 70 = 91
    np.testing.assert_allclose(res.buyer_side_loss, [0.0, 30.0, 0.0, 9.0], atol=1e-12)
    # Seller side (Leontief, z fixed): s'2 = 40; s'0 = 70 + .2 * 40 = 78
    np.testing.assert_allclose(res.seller_side_loss, [22.0, 0.0, 10.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(res.deliveries, [20.0, 10.0])


def test_extract_one_industry_by_hand(hand: LeontiefModel) -> None:
    res = extract(hand, "HOM", "PAR", ["X"])
    # G[0,1] removed: s'1 = 70 + .2 * 50 = 80, s'3 = 70 + .3 * 80 = 94
    np.testing.assert_allclose(res.buyer_side_loss, [0.0, 20.0, 0.0, 6.0], atol=1e-12)
    # B[0,1] removed: s'0 = 70 + .2*.1*70 + .2*40 + .2*.1*.3*100 = 80
    np.testing.assert_allclose(res.seller_side_loss, [20.0, 0.0, 0.0, 0.0], atol=1e-12)
    half = extract(hand, "HOM", "PAR", share=0.5)
    # half the coefficients: s'1 = 70 + .5*(20 + 10) = 85, s'3 = 70 + .3*85 = 95.5 -> 15 + 4.5
    np.testing.assert_allclose(half.buyer_side_loss, [0.0, 15.0, 0.0, 4.5], atol=1e-12)
    # s'2 = 40 + .05*100 = 45, s'0 = 70 + .1*100 + .2*45 = 89 -> 11 + 5
    np.testing.assert_allclose(half.seller_side_loss, [11.0, 0.0, 5.0, 0.0], atol=1e-12)


def test_extracting_nothing_changes_nothing(hand: LeontiefModel) -> None:
    res = extract(hand, "HOM", "PAR", share=0.0)
    assert not res.buyer_side_loss.any() and not res.seller_side_loss.any()
    # the partner delivers nothing to home: extracting PAR -> HOM removes nothing either
    back = extract(hand, "PAR", "HOM")
    assert not back.buyer_side_loss.any() and not back.seller_side_loss.any()


def test_supply_chain_table_by_hand(hand: LeontiefModel) -> None:
    rows, summary = supply_chain_table(hand, "HOM", "PAR")
    assert list(rows["industry"]) == ["X", "Y"]  # ranked by partner loss: 26 > 13
    x, y = rows.iloc[0], rows.iloc[1]
    assert x["direct_deliveries_to_partner_usd"] == pytest.approx(20.0)
    assert x["direct_requirement"] == pytest.approx(20.0 / 200.0)
    # (L[0,1] * 70 + L[0,3] * 100) / 170 = (15.4 + 6.6) / 170
    assert x["total_requirement"] == pytest.approx(22.0 / 170.0)
    assert y["total_requirement"] == pytest.approx((0.1 * 70 + 0.03 * 100) / 170.0)
    assert x["partner_output_loss_usd"] == pytest.approx(26.0)  # 20 + .3 * 20
    assert x["partner_output_loss_share"] == pytest.approx(26.0 / 200.0)
    assert x["partner_loss_per_dollar_delivered"] == pytest.approx(1.3)
    assert x["home_output_loss_usd"] == pytest.approx(20.0)
    assert x["world_output_loss_usd"] == pytest.approx(26.0)
    assert x["home_va_in_partner_output_usd"] == pytest.approx(28.6)
    # Y alone: s'1 = 70 + 100 * .2 = 90, s'3 = 97 -> 13; home: s'2 = 40, s'0 = 98 -> 12
    assert y["partner_output_loss_usd"] == pytest.approx(13.0)
    assert y["home_output_loss_usd"] == pytest.approx(12.0)
    assert y["home_va_in_partner_final_sales_usd"] == pytest.approx(8.0)
    joint = summary["all_industries"]
    assert joint["industries"] == "all"
    assert joint["partner_output_loss_usd"] == pytest.approx(39.0)
    assert joint["home_output_loss_usd"] == pytest.approx(32.0)
    assert summary["direct_deliveries_to_partner_usd"] == pytest.approx(30.0)
    assert summary["partner_final_sales_usd"] == pytest.approx(170.0)
    only_y, summary_y = supply_chain_table(hand, "HOM", "PAR", industries=["Y"])
    assert list(only_y["industry"]) == ["Y"]
    assert summary_y["selected_industries"]["partner_output_loss_usd"] == pytest.approx(13.0)


# -- feedback: a 2-country x 1-industry loop solved by hand --------------------------------
def test_extraction_with_feedback_by_hand() -> None:
    # HOM sells 20 to PAR, PAR sells 10 to HOM; s = (100, 100), z = (80, 90).
    # B = [[0, .2], [.1, 0]], L = [[1, .2], [.1, 1]] / .98.
    F = np.array([[0.0, 20.0], [10.0, 0.0]])
    model = _model_from_flows(F, np.array([100.0, 100.0]), ("HOM", "PAR"), ("X",))
    np.testing.assert_allclose(
        model.total_requirements(np.arange(2)), np.array([[1.0, 0.2], [0.1, 1.0]]) / 0.98
    )
    res = extract(model, "HOM", "PAR")
    # Ghosh, w = (90, 80): s'1 = 80, s'0 = 90 + .1 * 80 = 98 -> partner 20, home 2
    np.testing.assert_allclose(res.buyer_side_loss, [2.0, 20.0], atol=1e-12)
    # Leontief: s'0 = 80, s'1 = 90 + .1 * 80 = 98 -> home 20, partner 2
    np.testing.assert_allclose(res.seller_side_loss, [20.0, 2.0], atol=1e-12)


# -- Woodbury equals the definition on random networks (synthetic) -------------------------
def _random_model(seed: int, C: int = 3, S: int = 4) -> LeontiefModel:
    rng = np.random.default_rng(seed)
    N = C * S
    F = rng.uniform(0.0, 10.0, (N, N)) * (rng.uniform(size=(N, N)) < 0.6)
    s = F.sum(axis=1) + rng.uniform(5.0, 50.0, N)  # output > intermediate sales
    s = np.maximum(s, F.sum(axis=0) / 0.9)  # intermediate cost share below .9
    return _model_from_flows(
        F, s, tuple(f"C{i}" for i in range(C)), tuple(f"I{k}" for k in range(S))
    )


def _dense_extraction(model: LeontiefModel, H: np.ndarray, P: np.ndarray, share: float):
    """Hypothetical extraction by its definition: rebuild and solve the altered systems."""
    N = model.n_nodes
    B = model.direct_block(np.arange(N), np.arange(N))
    B2 = B.copy()
    B2[np.ix_(H, P)] *= 1.0 - share
    s_dem = np.linalg.solve(np.eye(N) - B2, model.z)
    s = model.s
    G2 = np.divide(B2 * s[None, :], s[:, None], out=np.zeros_like(B2), where=s[:, None] > 0)
    w = (1.0 - model.omb) * s
    s_sup = np.linalg.solve((np.eye(N) - G2).T, w)
    return s - s_sup, s - s_dem


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("selection", [None, ["I1"], ["I0", "I3"]])
@pytest.mark.parametrize("share", [1.0, 0.3])
@pytest.mark.parametrize("stored", [False, True])
def test_woodbury_matches_definition(
    seed: int, selection: list[str] | None, share: float, stored: bool, tmp_path: Path
) -> None:
    model = _random_model(seed)
    if stored:  # L and B read from blocks: 3 countries x 4 industries, scattered nodes
        model = _stored(model, tmp_path / "random")
    np.testing.assert_allclose(model.output(), model.s, rtol=1e-10)  # z built so s = L z
    res = extract(model, "C0", "C2", selection, share=share)
    H = model.country_nodes("C0", selection)
    P = model.country_nodes("C2")
    buyer, seller = _dense_extraction(model, H, P, share)
    np.testing.assert_allclose(res.buyer_side_loss, buyer, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.seller_side_loss, seller, rtol=1e-9, atol=1e-9)
    assert (res.buyer_side_loss >= 0).all() and (res.seller_side_loss >= 0).all()
    assert res.buyer_side_loss[P].sum() > 0


@pytest.mark.parametrize("stored", [False, True])
def test_single_industry_rows_match_joint_extraction_of_one(stored: bool, tmp_path: Path) -> None:
    model = _random_model(5)
    if stored:
        model = _stored(model, tmp_path / "random")
    rows, _ = supply_chain_table(model, "C1", "C0", share=0.7)
    for rec in rows.to_dict(orient="records"):
        res = extract(model, "C1", "C0", [rec["industry"]], share=0.7)
        P, H = model.country_nodes("C0"), model.country_nodes("C1")
        assert rec["partner_output_loss_usd"] == pytest.approx(res.buyer_side_loss[P].sum())
        assert rec["world_output_loss_usd"] == pytest.approx(res.buyer_side_loss.sum())
        assert rec["home_output_loss_usd"] == pytest.approx(res.seller_side_loss[H].sum())
    assert rows["partner_output_loss_usd"].is_monotonic_decreasing


# -- errors ---------------------------------------------------------------------------------
def test_bad_input_names_the_parameter(hand: LeontiefModel) -> None:
    def raised(kind: type[Exception], call, *args, **kwargs) -> Exception:  # type: ignore[no-untyped-def]
        with pytest.raises(kind) as info:
            call(*args, **kwargs)
        return info.value

    cases = [
        (
            InputError,
            "share_lost",
            "between 0 and 1",
            extract,
            (hand, "HOM", "PAR"),
            {"share": 1.5},
        ),
        (UnknownProductError, "industry", "'Z9' is not", extract, (hand, "HOM", "PAR", ["Z9"]), {}),
        (InputError, "industry", "give distinct", extract, (hand, "HOM", "PAR", ["X", "X"]), {}),
        (InputError, "industry", "give distinct", extract, (hand, "HOM", "PAR", []), {}),
        (InputError, "industry", "one or more", parse_industries, (" , ",), {}),
    ]
    for kind, parameter, text, call, args, kwargs in cases:
        exc = raised(kind, call, *args, **kwargs)
        assert exc.parameter == parameter and text in str(exc)  # type: ignore[attr-defined]
        assert not str(exc).startswith("--")
    with pytest.raises(UnknownCountryError, match="USA"):
        extract(hand, "USA", "PAR")
    assert parse_industries(["c26,C22", "C26"]) == ["C26", "C22"]
    kwargs = {"dataset": "hand", "year": 2022, "provenance": {}}
    exc = raised(InputError, supply_chain_result, hand, "HOM", "HOM", **kwargs)
    assert exc.parameter == "partner" and "must differ from home (HOM)" in str(exc)  # type: ignore[attr-defined]
    exc = raised(UnknownCountryError, supply_chain_result, hand, "HOM", "USA", **kwargs)
    assert exc.parameter == "partner" and "USA is not in the network" in str(exc)  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="A: shape"):
        LeontiefModel.from_arrays(np.eye(3), np.zeros(4), HAND_S, HAND_S, ("a", "b"), ("x", "y"))
    with pytest.raises(InputError, match="omb"):
        LeontiefModel.from_arrays(np.eye(4), np.ones(4), HAND_S, HAND_S, ("a", "b"), ("x", "y"))


def test_result_carries_provenance_and_assumptions(hand: LeontiefModel) -> None:
    result = supply_chain_result(
        hand,
        "HOM",
        "PAR",
        share=0.27,
        dataset="hand",
        year=2022,
        provenance={"name": "hand"},
        assumptions=["intermediate goods only: synthetic"],
    )
    data = result.to_dict()
    assert data["home"] == "HOM" and data["share_lost"] == 0.27
    assert data["provenance"] == {"name": "hand"}
    assert sum(a.startswith("intermediate goods only") for a in data["assumptions"]) == 1
    assert any("share_lost = 0.27" in a for a in data["assumptions"])
    assert set(data["rows"][0]) == set(result.columns or ())
