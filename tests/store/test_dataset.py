"""The typed data-set view: manifest fields, look-ups and caches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.synthetic import write_hand_dataset
from tradelever.errors import DataFileError, UnknownDatasetError
from tradelever.store import Store
from tradelever.store.dataset import PROVENANCE_KEYS, DatasetView, Manifest


@pytest.fixture
def view(tmp_path: Path) -> DatasetView:
    write_hand_dataset(tmp_path)
    return DatasetView(Store(tmp_path), "hand-hs17")


def test_manifest_is_typed(view: DatasetView) -> None:
    m = view.manifest
    assert (m.name, m.level, m.classification, m.years) == (
        "hand-hs17",
        "hs6",
        "HS17",
        (2022, 2023),
    )
    assert m.assumptions == ("synthetic test data",) and m.rows == 34
    assert not m.is_industry and m.default_level == "hs6"
    assert m.levels == ("hs6", "hs4", "hs2", "group")
    prov = m.provenance(2023)
    assert list(prov)[:-1] == [k for k in PROVENANCE_KEYS if k in m.raw] and prov["year"] == 2023


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"years": ["x"]}, "years"),
        ({"assumptions": "one sentence"}, "assumptions"),
        ({"rows": "34"}, "rows"),
        ({"classification": 17}, "classification"),
    ],
)
def test_malformed_manifest_names_the_field(record: dict[str, object], field: str) -> None:
    with pytest.raises(DataFileError) as info:
        Manifest.from_record({"name": "x", **record}, where="x/dataset.json")
    assert info.value.field == field and info.value.path == "x/dataset.json"


def test_unknown_dataset_names_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(UnknownDatasetError) as info:
        DatasetView(Store(tmp_path), "nope")
    assert info.value.parameter == "dataset" and "unknown data set" in info.value.message


def test_lookups_are_cached(view: DatasetView) -> None:
    assert view.countries() == ["CHN", "MYS", "THA", "USA"]
    assert view.countries() is view.countries()
    assert "854231" in view.product_codes()
    assert view.descriptions("hs4")["8542"] == "Electronic integrated circuits"
    assert view.descriptions("hs6") is view.descriptions("industry")  # the products table


def test_memo_computes_once_and_lazily(view: DatasetView) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 42

    assert view.memo("a", compute) == 42 and view.memo("a", compute) == 42
    assert len(calls) == 1
    assert view.memo("b", compute, lazy=True) is None  # first ask: one-shot callers query
    assert not view.remembered("b")
    assert view.memo("b", compute, lazy=True) == 42 and view.remembered("b")
    assert len(calls) == 2


def test_manifest_raw_is_the_stored_record(view: DatasetView, tmp_path: Path) -> None:
    stored = json.loads((Store(tmp_path).dataset_path("hand-hs17") / "dataset.json").read_text())
    assert dict(view.manifest.raw) == stored
