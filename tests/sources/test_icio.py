"""The embedded ICIO network: real-data figures and validation of altered files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tradelever.errors import DataFileError
from tradelever.sources import icio


@pytest.fixture(scope="module")
def network() -> icio.IcioNetwork:
    return icio.load_icio()


def test_shape_and_codes(network: icio.IcioNetwork) -> None:
    assert network.n_countries == 80 and network.n_industries == 50
    assert {"MYS", "USA", "CHN", "TWN"} <= set(network.countries)
    assert network.industry_names["C26"].startswith("Manufacture of computer")
    assert network.node("CHN", "A01") == network.countries.index("CHN")
    assert network.node("USA", "C26") == 20 * 80 + network.countries.index("USA")


def test_orientation_figures_from_the_issue(network: icio.IcioNetwork) -> None:
    """Issue 2 states figures computed independently from the cache: US intermediate
    imports of C26 from abroad US$90.3 bn, Malaysia 2.7%, China 33%; C22 Malaysia 2.3%."""
    flows = network.flows_table()
    us = flows[flows.importer == "USA"]
    for industry, mys_share in (("C26", 0.027), ("C22", 0.023)):
        market = us[us["product"] == industry]
        total = market.value_usd.sum()
        by = market.groupby("exporter").value_usd.sum() / total
        assert by["MYS"] == pytest.approx(mys_share, abs=0.0005)
        assert by["CHN"] == pytest.approx(0.33, abs=0.005)
    c26 = us[us["product"] == "C26"].value_usd.sum()
    assert c26 == pytest.approx(90.3e9, rel=0.001)


def test_flows_are_international_positive_and_in_dollars(network: icio.IcioNetwork) -> None:
    flows = network.flows_table()
    assert (flows.exporter != flows.importer).all()
    assert (flows.value_usd > 0).all()
    assert list(flows.columns) == [
        "dataset",
        "year",
        "exporter",
        "importer",
        "product",
        "classification",
        "value_usd",
        "quantity",
    ]
    # Flows plus domestic intermediate sales equal the row sums of F (US$ million -> US$).
    F = network.intermediate_flows
    assert flows.value_usd.sum() < F.sum() * 1e6


def test_nodes_table_adds_up(network: icio.IcioNetwork) -> None:
    nodes = network.nodes_table()
    assert len(nodes) == 4000
    # model output = intermediate sales + final-demand sales (s = F 1 + z)
    np.testing.assert_allclose(
        nodes.model_output_usd,
        nodes.intermediate_sales_usd + nodes.final_demand_sales_usd,
        rtol=1e-6,
        atol=1.0,
    )


def _tiny_files(folder: Path, **override: np.ndarray) -> icio.IcioFiles:
    """A synthetic 2-country x 2-industry cache in the sanction-simulator layout."""
    A = np.array(
        [[0.5, 0.2, 0.1, 0.0], [0.1, 0.3, 0.2, 0.5], [0.2, 0.4, 0.3, 0.25], [0.2, 0.1, 0.4, 0.25]]
    )
    arrays = {
        "A": A,
        "omb": np.array([0.4, 0.5, 0.3, 0.6]),
        "s": np.array([100.0, 80.0, 60.0, 40.0]),
        "z": np.array([50.0, 30.0, 30.0, 10.0]),
        "go": np.array([100.0, 80.0, 60.0, 40.0]),
        "countries": np.array(["AAA", "BBB"]),
        "sectors": np.array(["X1", "X2"]),
    }
    arrays.update(override)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "bench_cache.npz", **arrays)
    (folder / "OECD_ICIO_2025_country_code_mapping.csv").write_text(
        "\ufeffcode,country_or_region\nAAA,Aland\nBBB,Bland\n", "utf-8"
    )
    (folder / "OECD_ICIO_2025_sector_code_mapping.csv").write_text(
        "\ufeffcode,economic_activity\nX1,Goods\nX2,Services\n", "utf-8"
    )
    return icio.locate_icio_files(folder)


def test_tiny_network_flow_formula(tmp_path: Path) -> None:
    net = icio.load_icio(_tiny_files(tmp_path))
    # F[i, j] = A[i, j] * omb[j] * s[j]; node 1 = (X1, BBB) sells to node 2 = (X2, AAA)
    assert net.intermediate_flows[1, 2] == pytest.approx(0.2 * 0.3 * 60.0)
    flows = net.flows_table()
    # BBB -> AAA in industry X1 = F[1, 0] + F[1, 2] (buyers AAA-X1 and AAA-X2)
    row = flows[(flows.exporter == "BBB") & (flows.importer == "AAA") & (flows["product"] == "X1")]
    assert row.value_usd.item() == pytest.approx((0.1 * 0.4 * 100 + 0.2 * 0.3 * 60) * 1e6)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"A": -np.eye(4)}, "negative values"),
        ({"A": np.full((4, 4), 0.3)}, "columns of A do not sum to 1"),
        ({"omb": np.ones(4)}, "intermediate cost shares must be below 1"),
        ({"s": np.array([100.0, 80.0, 60.0, 10.0])}, "departs from published output"),
        ({"go": np.ones(3)}, "go has shape"),
    ],
)
def test_altered_data_is_rejected(tmp_path: Path, override: dict, message: str) -> None:
    files = _tiny_files(tmp_path, **override)
    with pytest.raises(DataFileError, match=message) as info:
        icio.load_icio(files)
    assert "bench_cache.npz" in str(info.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    files = _tiny_files(tmp_path)
    files.sectors.unlink()
    with pytest.raises(DataFileError, match=r"OECD_ICIO_2025_sector_code_mapping\.csv"):
        icio.locate_icio_files(tmp_path)


def test_missing_array(tmp_path: Path) -> None:
    files = _tiny_files(tmp_path)
    with np.load(files.npz) as data:
        arrays = {k: data[k] for k in data.files if k != "omb"}
    np.savez(files.npz, **arrays)
    with pytest.raises(DataFileError, match="array 'omb' missing"):
        icio.load_icio(files)


def test_real_files_copy_loads(tmp_path: Path) -> None:
    real = icio.locate_icio_files()
    for p in (real.countries, real.sectors):
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / real.npz.name).symlink_to(real.npz)
    assert icio.load_icio(icio.locate_icio_files(tmp_path)).n_countries == 80
