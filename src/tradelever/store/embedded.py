"""Materialise the embedded ``icio2022`` data set in a store on first use.

The network is validated and converted to canonical tables once; later runs read the
small Parquet tables (about 0.2 million flow rows) instead of the 77 MB array cache. The
copy is refreshed when the installed cache file changes (size or modification time).
"""

from __future__ import annotations

import logging
from typing import Any

from tradelever.sources import icio
from tradelever.store.catalog import Store

__all__ = ["ensure_icio"]

log = logging.getLogger(__name__)


def _fingerprint(files: icio.IcioFiles) -> dict[str, Any]:
    stat = files.npz.stat()
    return {"path": str(files.npz), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def ensure_icio(store: Store, files: icio.IcioFiles | None = None) -> dict[str, Any]:
    """Make sure ``icio2022`` is in the store and current; return its manifest.

    Raises
    ------
    DataFileError
        If the packaged network is missing or fails validation.
    """
    files = files or icio.locate_icio_files()
    fingerprint = _fingerprint(files)
    if store.has(icio.DATASET_NAME):
        manifest = store.manifest(icio.DATASET_NAME)
        if manifest.get("fingerprint") == fingerprint:
            return manifest
        log.info("the packaged ICIO cache changed; rebuilding %s", icio.DATASET_NAME)
    network = icio.load_icio(files)
    sha = icio.file_sha256(files.npz)
    record = icio.icio_provenance(files, sha256=sha)
    record["sha256"] = sha
    record["fingerprint"] = fingerprint
    # One row per (exporter, importer, industry) by construction of flows_table().
    record["unique_flow_keys"] = True
    # Two commands started together on a fresh data directory: the second waits for the first.
    with store.stage(icio.DATASET_NAME, record, wait=600.0) as staged:
        flows = network.flows_table()
        staged.write_table("flows", flows, partition_year=True)
        staged.write_table("nodes", network.nodes_table())
        staged.write_table("products", network.industries_table())
        staged.manifest["rows"] = len(flows)
    return store.manifest(icio.DATASET_NAME)
