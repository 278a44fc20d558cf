"""Storing API fetches: valid names, atomic replacement (nothing stored is lost on failure)."""

from __future__ import annotations

import pandas as pd
import pytest

from tradelever.errors import InputError
from tradelever.sources.fetched import FetchedFlows
from tradelever.store import Store
from tradelever.store.catalog import StagedDataset
from tradelever.store.fetched import save_fetched


def synthetic_fetch(value: float) -> FetchedFlows:
    """A one-row synthetic fetch (not real trade figures)."""
    flows = pd.DataFrame(
        {
            "year": pd.Series([2024], dtype="int16"),
            "exporter": ["MYS"],
            "importer": ["USA"],
            "product": ["854231"],
            "classification": ["HS22"],
            "value_usd": [value],
            "quantity": [float("nan")],
        }
    )
    products = pd.DataFrame(
        {
            "classification": ["HS22"],
            "code": ["854231"],
            "description": ["processors"],
            "parent": ["8542"],
            "level": ["hs6"],
        }
    )
    manifest = {"source": "synthetic", "licence": "test data", "assumptions": ["synthetic"]}
    return FetchedFlows("census", "census-imports-2024", flows, products, manifest)


def test_save_and_read_back(tmp_path) -> None:
    store = Store(tmp_path)
    manifest = save_fetched(store, synthetic_fetch(5.0))
    assert manifest["name"] == "census-imports-2024" and manifest["rows"] == 1
    assert manifest["years"] == [2024] and manifest["retrieved_at"]
    flows = store.table("census-imports-2024", "flows").to_pandas()
    assert flows["dataset"].tolist() == ["census-imports-2024"]
    assert flows["value_usd"].tolist() == [5.0]


@pytest.mark.parametrize("name", ["Bad Name", ".hidden", "a--b", "a/b"])
def test_invalid_names(tmp_path, name) -> None:
    with pytest.raises(InputError, match="--name"):
        save_fetched(Store(tmp_path), synthetic_fetch(1.0), name)


def test_failed_replacement_keeps_the_old_data_set(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path)
    save_fetched(store, synthetic_fetch(5.0))
    original = StagedDataset.write_table

    def fail_on_products(self, table, frame, **kw):  # type: ignore[no-untyped-def]
        if table == "products":
            raise OSError("disk full (simulated)")
        return original(self, table, frame, **kw)

    monkeypatch.setattr(StagedDataset, "write_table", fail_on_products)
    with pytest.raises(OSError, match="disk full"):
        save_fetched(store, synthetic_fetch(99.0))
    monkeypatch.undo()
    flows = Store(tmp_path).table("census-imports-2024", "flows").to_pandas()
    assert flows["value_usd"].tolist() == [5.0]
    assert not any((tmp_path / ".staging").iterdir())
