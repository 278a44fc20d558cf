"""census-us-2024 and census-us-trade in the store: materialisation, and the README spot checks.

Spot checks: the figures published with the compiled Census files (computed there from the
raw HS10 files, Slovakia and chapters 98-99 dropped). Here they are recomputed from the
packaged data through the store, with Ibis queries.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tradelever.errors import DataFileError, UnknownDatasetError
from tradelever.sources import census_us
from tradelever.store import Store
from tradelever.store.embedded import (
    EMBEDDED,
    ensure_census_trade,
    ensure_census_us,
    ensure_embedded,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store with the two Census data sets only (read-only for the tests below)."""
    target = Store(tmp_path_factory.mktemp("census-store"))
    ensure_embedded(target, (census_us.IMPORTS_DATASET, census_us.TRADE_DATASET))
    return target


def _products(store: Store, prefixes: tuple[str, ...], exclude: tuple[str, ...] = ()) -> Any:
    flows = store.table("census-us-2024", "flows")
    product = flows["product"]
    keep = product.startswith(prefixes[0])
    for p in prefixes[1:]:
        keep |= product.startswith(p)
    for p in exclude:
        keep &= ~product.startswith(p)
    t = flows.filter(keep)
    return (
        t.aggregate(total=t.value_usd.sum(), mys=t.value_usd.sum(where=t.exporter == "MYS"))
        .to_pandas()
        .iloc[0]
    )


@pytest.mark.parametrize(
    ("prefixes", "exclude", "total_bn", "mys_bn", "share_pct"),
    [
        (("8542",), (), 38.10, 8.89, 23.3),  # integrated circuits
        (("8541", "8542"), (), 60.20, 12.18, 20.2),
        # README prints 43.92, the difference of its rounded figures 60.20 - 1.73 - 14.55;
        # the sum of the lines is US$43.914 bn.
        (("8541", "8542"), ("854142", "854143"), 43.91, 9.61, 21.9),
        (("401512",), (), 1.94, 0.92, 47.3),  # medical rubber gloves (HS 2022)
        (("4015",), (), 2.65, 1.23, 46.2),
        (("2846",), (), 0.16, 0.002, 1.0),  # rare-earth compounds
    ],
)
def test_readme_spot_checks_from_the_packaged_data(
    store: Store,
    prefixes: tuple[str, ...],
    exclude: tuple[str, ...],
    total_bn: float,
    mys_bn: float,
    share_pct: float,
) -> None:
    row = _products(store, prefixes, exclude)
    assert round(row.total / 1e9, 2) == pytest.approx(total_bn)
    digits = 3 if mys_bn < 0.01 else 2
    assert round(row.mys / 1e9, digits) == pytest.approx(mys_bn)
    assert round(100 * row.mys / row.total, 1) == pytest.approx(share_pct)


def test_readme_largest_suppliers_of_chips(store: Store) -> None:
    """README: HS 8542 Taiwan 11.13, Malaysia 8.89, Israel 4.15 (US$ bn)."""
    flows = store.table("census-us-2024", "flows")
    t = flows.filter(flows["product"].startswith("8542"))
    top = (
        t.group_by("exporter")
        .aggregate(v=t.value_usd.sum())
        .order_by([t.value_usd.sum().desc()])
        .limit(3)
        .to_pandas()
    )
    top = top.sort_values("v", ascending=False)
    assert list(top["exporter"]) == ["TWN", "MYS", "ISR"]
    assert [round(v / 1e9, 2) for v in top["v"]] == [11.13, 8.89, 4.15]


def test_readme_malaysia_all_products_and_duty(store: Store) -> None:
    """README: Malaysia, all products covered, US$49.7 bn; calculated duty 0.67% of value."""
    flows = store.table("census-us-2024", "flows")
    t = flows.filter(flows.exporter == "MYS")
    row = t.aggregate(v=t.value_usd.sum(), d=t.duty_usd.sum()).to_pandas().iloc[0]
    assert round(row.v / 1e9, 1) == 49.7
    assert round(100 * row.d / row.v, 2) == 0.67


def test_malaysia_2024_balance_through_the_store(store: Store) -> None:
    """README of the workbook: Malaysia 2024 IYR 52,534.8, EYR 27,704.8 (US$ million)."""
    b = store.table("census-us-trade", "balance")
    t = b.filter((b.partner == "MYS") & (b.year == 2024))
    row = t.aggregate(m=t.imports_usd.sum(), x=t.exports_usd.sum(), n=t.count()).to_pandas()
    assert int(row["n"].iloc[0]) == 12
    assert round(float(row["m"].iloc[0]) / 1e6, 1) == 52_534.8
    assert round(float(row["x"].iloc[0]) / 1e6, 1) == 27_704.8
    flows = store.table("census-us-trade", "flows")
    f24 = flows.filter(flows.year == 2024)
    m = f24.filter((f24.exporter == "MYS") & (f24.importer == "USA")).value_usd.sum()
    assert round(float(m.to_pandas()) / 1e6, 1) == 52_534.8


def test_manifests_and_tables(store: Store) -> None:
    m = store.manifest("census-us-2024")
    assert m["reporters"] == ["USA"] and m["years"] == [2024]
    assert m["classification"] == "HTS2024" and m["hs_revision"] == "HS22"
    assert m["levels"] == ["hs10", "hs8", "hs6", "hs4", "hs2", "group"]
    assert m["rows"] == store.table("census-us-2024", "flows").count().to_pandas()
    for table in ("products", "coverage", "partner_chapters"):
        assert store.table("census-us-2024", table).count().to_pandas() > 0
    t = store.manifest("census-us-trade")
    assert t["years"] == list(range(1985, 2025)) and t["months"]["last"] == "2025-02"
    assert store.table("census-us-trade", "balance").count().to_pandas() > 100_000
    names = set(store.datasets()["name"])
    assert {"census-us-2024", "census-us-trade"} <= names


def test_second_call_is_a_no_op_and_a_new_build_rebuilds(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "store"
    shutil.copytree(store.root, target)
    copy = Store(target)
    before = copy.manifest("census-us-2024")
    assert ensure_census_us(copy)["retrieved_at"] == before["retrieved_at"]
    # A different BUILD.json (a new package release) rebuilds the copy.
    path = copy.dataset_path("census-us-2024") / "dataset.json"
    record = json.loads(path.read_text("utf-8"))
    record["fingerprint"] = "0" * 64
    record["retrieved_at"] = "2000-01-01T00:00:00+00:00"
    path.write_text(json.dumps(record), "utf-8")
    rebuilt = ensure_census_us(Store(target))
    assert rebuilt["fingerprint"] == before["fingerprint"]
    assert rebuilt["retrieved_at"] != "2000-01-01T00:00:00+00:00"


def test_altered_package_leaves_the_store_unchanged(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "census_us"
    shutil.copytree(census_us.package_folder(), folder)
    path = folder / "trade_monthly.parquet"
    path.write_bytes(path.read_bytes()[:-100])
    fresh = Store(tmp_path / "fresh")
    with pytest.raises(DataFileError, match=r"trade_monthly\.parquet.*sha256"):
        ensure_census_trade(fresh, folder)
    assert not fresh.has("census-us-trade")
    staging = tmp_path / "fresh" / ".staging"
    assert not staging.exists() or not list(staging.iterdir())
    # An existing copy built from another package release is kept when the new one fails.
    target = tmp_path / "kept"
    shutil.copytree(store.root, target)
    manifest_path = Store(target).dataset_path("census-us-trade") / "dataset.json"
    record = json.loads(manifest_path.read_text("utf-8"))
    record["fingerprint"] = "old"
    manifest_path.write_text(json.dumps(record), "utf-8")
    kept = Store(target)
    with pytest.raises(DataFileError):
        ensure_census_trade(kept, folder)
    assert kept.manifest("census-us-trade")["fingerprint"] == "old"
    assert kept.table("census-us-trade", "balance").count().to_pandas() > 0


def test_ensure_embedded_names() -> None:
    assert list(EMBEDDED) == ["icio2022", "census-us-2024", "census-us-trade"]
    with pytest.raises(UnknownDatasetError, match="not an embedded data set"):
        ensure_embedded(Store("/nonexistent-never-created"), ("baci",))


def test_default_dataset_by_question() -> None:
    from tradelever.store.embedded import default_dataset

    name, reason, level = default_dataset("leverage", "USA")
    assert (name, level) == ("census-us-2024", "hs6") and "product-level" in reason
    assert default_dataset("brief", "USA")[0] == "census-us-2024"
    assert default_dataset("formula", "USA")[0] == "census-us-trade"
    assert default_dataset("leverage", "CHN")[0] == "icio2022"
    assert default_dataset("supply-chain", "USA")[0] == "icio2022"
