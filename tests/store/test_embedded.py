"""Materialisation of the embedded icio2022 data set."""

from __future__ import annotations

import shutil
from pathlib import Path

from tradelever.sources import icio
from tradelever.store import Store
from tradelever.store.embedded import ensure_icio


def test_icio_manifest_and_tables(icio_data_dir: Path) -> None:
    store = Store(icio_data_dir)
    m = store.manifest("icio2022")
    assert m["note"] == "intermediate goods only"
    assert m["years"] == [2022] and m["classification"] == "ICIO2025"
    assert len(m["sha256"]) == 64 and m["rows"] > 200_000
    assert "CC BY 4.0" in m["licence"] and "MIT" in m["licence"]
    assert store.table("icio2022", "nodes").count().to_pandas() == 4000
    assert store.table("icio2022", "products").count().to_pandas() == 50


def test_second_call_is_a_no_op_and_change_rebuilds(tmp_path: Path, icio_data_dir: Path) -> None:
    target = tmp_path / "store"
    shutil.copytree(icio_data_dir, target)
    store = Store(target)
    first = store.manifest("icio2022")
    assert ensure_icio(store)["retrieved_at"] == first["retrieved_at"]
    # A different fingerprint (as after an upgrade of sanction-simulator) rebuilds the copy.
    manifest_path = store.dataset_path("icio2022") / "dataset.json"
    manifest_path.write_text(
        manifest_path.read_text().replace('"mtime_ns": ', '"mtime_ns": 1'), "utf-8"
    )
    rebuilt = ensure_icio(Store(target), icio.locate_icio_files())
    assert rebuilt["fingerprint"] == first["fingerprint"]
