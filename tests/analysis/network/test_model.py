"""The icio2022 model loaded from the store's per-version cache (analysis/network/model.py).

Real data. Its results must equal those of the in-memory LU factorisation of the packaged
arrays (the model before the cache) to 1e-9, and the properties of a Leontief inverse must
hold on the cached blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradelever.analysis.network import (
    LeontiefModel,
    direct_requirements,
    extract,
    stored_model,
    supply_chain_table,
    value_added_coefficients,
)
from tradelever.analysis.network.model import LEONTIEF_KIND
from tradelever.errors import InputError
from tradelever.store import Store

PAIRS = [
    ("MYS", "USA", None, 1.0),
    ("MYS", "USA", ["C26", "C20"], 0.27),
    ("USA", "CHN", None, 1.0),
    ("CHN", "USA", None, 0.5),
    ("DEU", "FRA", ["C29"], 1.0),
    ("SGP", "MYS", None, 0.27),
]


@pytest.fixture(scope="module")
def reference() -> LeontiefModel:
    """The packaged arrays with I - B factorised in this process (the model before the cache)."""
    from tradelever.sources.icio import load_icio

    return LeontiefModel.from_network(load_icio())


@pytest.fixture(scope="module")
def icio(icio_data_dir: Path) -> LeontiefModel:
    return stored_model(Store(icio_data_dir), "icio2022")


def _close(a: object, b: object, where: str) -> None:
    """Equal to 1e-9 (relative to the value, or to the largest value of its column)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for key in a:
            _close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert isinstance(b, float) and b == pytest.approx(a, rel=1e-9, abs=1e-300), where
    else:
        assert a == b, where


@pytest.mark.parametrize(("home", "partner", "industries", "share"), PAIRS)
def test_cached_model_equals_the_in_memory_factorisation(
    icio: LeontiefModel,
    reference: LeontiefModel,
    home: str,
    partner: str,
    industries: list[str] | None,
    share: float,
) -> None:
    rows, summary = supply_chain_table(icio, home, partner, share=share, industries=industries)
    ref_rows, ref_summary = supply_chain_table(
        reference, home, partner, share=share, industries=industries
    )
    assert list(rows["industry"]) == list(ref_rows["industry"])
    for column in rows.columns:
        got, want = rows[column], ref_rows[column]
        if pd.api.types.is_float_dtype(want):
            scale = float(np.nanmax(np.abs(want))) if want.notna().any() else 0.0
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12 * scale, err_msg=column)
        else:
            assert list(got) == list(want), column
    _close(summary, ref_summary, "summary")


def test_cached_blocks_are_the_leontief_inverse(
    icio: LeontiefModel, reference: LeontiefModel
) -> None:
    nodes = np.concatenate([icio.country_nodes("MYS"), icio.country_nodes("USA", ["C26"])])
    np.testing.assert_allclose(
        icio.total_requirements(nodes), reference.total_requirements(nodes), rtol=1e-9, atol=1e-15
    )
    np.testing.assert_allclose(
        icio.total_rows(nodes), reference.total_rows(nodes), rtol=1e-9, atol=1e-15
    )
    H, P = icio.country_nodes("KOR"), icio.country_nodes("VNM")
    np.testing.assert_array_equal(icio.direct_block(H, P), reference.direct_block(H, P))
    # (I - B) L[:, nodes] = E: the blocks solve the system they were factorised from
    B = direct_requirements(reference.requirements.A, reference.omb)  # type: ignore[attr-defined]
    L = icio.total_requirements(nodes)
    E = np.zeros_like(L)
    E[nodes, np.arange(len(nodes))] = 1.0
    np.testing.assert_allclose(L - B @ L, E, atol=1e-12)


def test_icio_output_is_leontief_inverse_times_final_sales(icio: LeontiefModel) -> None:
    # sanction-simulator built s by solving (I - A diag(omb)) s = z; ours must agree.
    s = icio.output()
    active = icio.s > 0
    rel = np.abs(s[active] - icio.s[active]) / icio.s[active]
    assert rel.max() < 1e-6
    assert np.abs(s[~active]).max() < 1e-9


def test_icio_value_added_content_and_embodied_totals(icio: LeontiefModel) -> None:
    cols = icio.country_nodes("USA", ["C26", "C29", "G"])
    content = value_added_coefficients(icio.omb) @ icio.total_requirements(cols)
    np.testing.assert_allclose(content, 1.0, rtol=1e-9)
    # every country's VA embodied in USA final sales adds up to USA final sales
    P = icio.country_nodes("USA")
    rhs = np.zeros(icio.n_nodes)
    rhs[P] = icio.z[P]
    total = value_added_coefficients(icio.omb) @ icio.solve(rhs)
    assert total == pytest.approx(icio.z[P].sum(), rel=1e-9)


def test_icio_joint_extraction_matches_a_fresh_solve(
    icio: LeontiefModel, reference: LeontiefModel
) -> None:
    # One dense re-solve of the altered system (the definition) for MYS -> USA, all
    # industries; the Woodbury update on the cached blocks must agree.
    H, P = icio.country_nodes("MYS"), icio.country_nodes("USA")
    res = extract(icio, "MYS", "USA")
    A = reference.requirements.A  # type: ignore[attr-defined]
    B = direct_requirements(A, icio.omb)
    B[np.ix_(H, P)] = 0.0
    M = -B
    M[np.diag_indices_from(M)] += 1.0
    seller = icio.s - np.linalg.solve(M, icio.z)
    assert res.seller_side_loss[H].sum() == pytest.approx(seller[H].sum(), rel=1e-8)
    # Ghosh: (I - G')^T s' = w with G' = diag(s)^-1 B' diag(s) and w = v o s
    s = icio.s
    inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
    M = -(B * s[None, :] * inv[:, None])
    M[np.diag_indices_from(M)] += 1.0
    buyer = s - np.linalg.solve(M.T, value_added_coefficients(icio.omb) * s)
    assert res.buyer_side_loss[P].sum() == pytest.approx(buyer[P].sum(), rel=1e-8)
    # deliveries removed = MYS's intermediate sales to the USA in the flow table
    F = A[np.ix_(H, P)] * (icio.omb * icio.s)[P][None, :]
    assert res.deliveries.sum() == pytest.approx(F.sum(), rel=1e-12)
    # the partner loses at least the deliveries net of feedback, never more than its output
    usa = res.buyer_side_loss[P].sum()
    assert F.sum() < usa < icio.s[P].sum()


def test_the_cache_belongs_to_the_data_set_version(
    icio: LeontiefModel, icio_data_dir: Path
) -> None:
    store = Store(icio_data_dir)
    copies = list((icio_data_dir / "cache" / "derived" / "icio2022").glob(f"{LEONTIEF_KIND}-*"))
    assert len(copies) == 1
    record = json.loads((copies[0] / "derived.json").read_text("utf-8"))
    assert record["dataset_sha256"] == store.manifest("icio2022")["sha256"]
    built = (copies[0] / "total.npy").stat().st_mtime_ns
    again = stored_model(store, "icio2022")  # another process would do the same: no rebuild
    assert (copies[0] / "total.npy").stat().st_mtime_ns == built
    assert again.countries == icio.countries and again.industries == icio.industries
    assert again.unit == 1e6 and again.industry_names["C26"] == icio.industry_names["C26"]
    np.testing.assert_array_equal(again.s, icio.s)


def test_a_trade_data_set_has_no_network(hand_data_dir: Path) -> None:
    with pytest.raises(InputError, match="not an input-output network") as info:
        stored_model(Store(hand_data_dir), "hand-hs17")
    assert info.value.parameter == "dataset"


def test_the_session_keeps_the_model(icio_session) -> None:  # type: ignore[no-untyped-def]
    icio_session.supply_chain("MYS", "USA")
    assert icio_session.view("icio2022").remembered(("leontief_model",))


def test_no_scipy_to_start_or_to_answer_from_the_cache(
    icio: LeontiefModel, icio_data_dir: Path
) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import tradelever.interfaces.commands_network, tradelever.analysis.network\n"
        "started = 'scipy' in sys.modules\n"
        "from tradelever.analysis.network import stored_model, supply_chain_table\n"
        "from tradelever.store import Store\n"
        f"model = stored_model(Store({str(icio_data_dir)!r}), 'icio2022')\n"
        "rows, _ = supply_chain_table(model, 'MYS', 'USA')\n"
        "print(started, 'scipy' in sys.modules, len(rows))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False", "50"]
