"""Shared fixtures: a data directory with the embedded ICIO materialised once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synthetic import write_hand_dataset


@pytest.fixture(scope="session")
def icio_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with icio2022 materialised (shared by the whole test run; read-only)."""
    from tradelever.api import open_store

    path = tmp_path_factory.mktemp("icio-store")
    open_store(path)
    return path


@pytest.fixture(scope="session")
def icio_session(icio_data_dir: Path):  # type: ignore[no-untyped-def]
    """A tradelever Session on the embedded data (read-only; do not write to its store)."""
    from tradelever.api import Session

    return Session(icio_data_dir)


def _link_cached_arrays(src: str, dst: str) -> None:
    import os
    import shutil

    if "/leontief-" in src and src.endswith(".npy"):
        os.link(src, dst)
    else:
        shutil.copy2(src, dst)


@pytest.fixture
def hand_data_dir(tmp_path: Path, icio_data_dir: Path) -> Path:
    """A fresh data directory holding icio2022 (copied) and the synthetic hand-hs17 data set."""
    import shutil

    target = tmp_path / "store"
    # the 256 MB cache of the network's total requirements is hard-linked, not copied: its
    # files are never changed in place (a corrupt copy is renamed away and rebuilt)
    shutil.copytree(icio_data_dir, target, copy_function=_link_cached_arrays)
    write_hand_dataset(target)
    return target
