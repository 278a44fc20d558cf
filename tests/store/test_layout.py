"""Upgrading a data directory written before versions: nothing a user stored is lost.

The old layout is written here by hand exactly as tradelever wrote it before (one folder
per data set with ``dataset.json`` beside the Parquet tables; a replacement interrupted
between its two renames left the old copy in ``.trash/<name>--<32 hex>``). Data SYNTHETIC.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradelever.errors import DataFileError
from tradelever.store import Store


def _old_dataset(folder: Path, source: str, values: dict[int, float]) -> None:
    """An old-layout data set: flows/year=YYYY/part-0.parquet, products, dataset.json."""
    for year, value in values.items():
        part = folder / "flows" / f"year={year}"
        part.mkdir(parents=True)
        frame = pd.DataFrame({"year": [year], "exporter": ["MYS"], "value_usd": [value]})
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), part / "part-0.parquet")
    (folder / "products").mkdir()
    pq.write_table(pa.table({"code": ["854231"]}), folder / "products" / "part-0.parquet")
    manifest = {"name": folder.name, "source": source, "years": sorted(values), "rows": 2}
    (folder / "dataset.json").write_text(json.dumps(manifest), "utf-8")


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    for sub in ("datasets", ".staging", ".trash"):
        (root / sub).mkdir(parents=True)
    _old_dataset(root / "datasets" / "baci-hs17-v202201", "CEPII BACI", {2020: 1.0, 2021: 2.0})
    _old_dataset(root / "datasets" / "icio2022", "OECD ICIO", {2022: 5.0})
    # A replacement interrupted between its renames: the old copy is only in the trash.
    _old_dataset(root / ".trash" / f"census-2024--{'a1' * 16}", "US Census", {2024: 9.0})
    # A crashed old-layout ingest left its staging folder.
    (root / ".staging" / f"comtrade--{'b2' * 16}" / "flows").mkdir(parents=True)
    return root


def test_first_open_migrates_every_data_set_and_keeps_its_data(old_store: Path) -> None:
    store = Store(old_store)
    assert store.names() == ["baci-hs17-v202201", "census-2024", "icio2022"]
    assert float(store.table("baci-hs17-v202201").value_usd.sum().to_pandas()) == 3.0
    assert float(store.table("census-2024").value_usd.sum().to_pandas()) == 9.0
    assert store.table("icio2022", "products").count().to_pandas() == 1
    assert store.manifest("baci-hs17-v202201")["source"] == "CEPII BACI"
    assert set(store.datasets()["status"]) == {"ok"}
    for name in store.names():
        folder = old_store / "datasets" / name
        assert sorted(p.name for p in folder.iterdir()) == ["current", "v1-legacy"]
        assert (folder / "current").read_text() == "v1-legacy"
    assert (old_store / ".layout").read_text() == "2"
    # The old staging leftover goes with the next writer, not with the migration.
    with store.stage("other", {"source": "synthetic"}) as staged:
        staged.write_table("flows", pd.DataFrame({"year": [2023], "value_usd": [1.0]}))
    assert list((old_store / ".staging").iterdir()) == []
    assert list((old_store / ".trash").iterdir()) == []


def test_a_migrated_data_set_can_be_replaced(old_store: Path) -> None:
    store = Store(old_store)
    with store.stage("icio2022", {"source": "rebuilt"}) as staged:
        staged.write_table("flows", pd.DataFrame({"year": [2022], "value_usd": [7.0]}))
    fresh = Store(old_store)
    assert fresh.manifest("icio2022")["source"] == "rebuilt"
    assert fresh.version("icio2022").startswith("v2-")
    assert not (old_store / "datasets" / "icio2022" / "v1-legacy").exists()


def test_a_corrupt_old_manifest_is_migrated_as_damaged_not_lost(old_store: Path) -> None:
    bad = old_store / "datasets" / "icio2022" / "dataset.json"
    bad.write_text("{not json", "utf-8")
    store = Store(old_store)
    rows = {r["name"]: r for r in store.datasets().to_dict("records")}
    assert rows["icio2022"]["status"] == "damaged"
    assert rows["baci-hs17-v202201"]["status"] == "ok"
    moved = old_store / "datasets" / "icio2022" / "v1-legacy"
    assert (moved / "dataset.json").read_text() == "{not json"
    assert (moved / "flows" / "year=2022" / "part-0.parquet").is_file()
    with pytest.raises(DataFileError, match=r"v1-legacy/dataset\.json: not valid JSON"):
        store.manifest("icio2022")


def test_an_interrupted_migration_resumes(old_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.rename
    moves = {"n": 0}

    def crash_after_two(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "v1-legacy" in str(dst):
            moves["n"] += 1
            if moves["n"] == 2:
                raise OSError(5, "Input/output error (injected)", str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", crash_after_two)
    half = Store(old_store)  # the failed folder is logged and read in place
    assert sorted(half.names()) == ["baci-hs17-v202201", "census-2024", "icio2022"]
    half_done = [
        p.name
        for p in (old_store / "datasets").iterdir()
        if (p / "dataset.json").exists() and (p / "v1-legacy").exists()
    ]
    assert len(half_done) == 1
    for name, total in (("baci-hs17-v202201", 3.0), ("census-2024", 9.0), ("icio2022", 5.0)):
        assert float(half.table(name).value_usd.sum().to_pandas()) == total
        assert half.table(name, "products").count().to_pandas() == 1
    monkeypatch.undo()
    store = Store(old_store)
    for name in store.names():
        assert (old_store / "datasets" / name / "current").read_text() == "v1-legacy"
    assert float(store.table("baci-hs17-v202201").value_usd.sum().to_pandas()) == 3.0
    assert float(store.table("icio2022").value_usd.sum().to_pandas()) == 5.0
    assert set(store.datasets()["status"]) == {"ok"}
