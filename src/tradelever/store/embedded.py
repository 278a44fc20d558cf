"""Materialise the embedded data sets in a store on first use.

- ``icio2022``: the network is validated and converted to canonical tables once; later
  runs read the small Parquet tables (about 0.2 million flow rows) instead of the 77 MB
  array cache. The copy is refreshed when the installed cache file changes (size or
  modification time).
- ``census-us-2024`` and ``census-us-trade``: the packaged US Census files
  (:mod:`tradelever.sources.census_us`) are checked against the sha256 recorded in their
  ``BUILD.json``, validated and written as canonical tables. The copy is refreshed when
  ``BUILD.json`` or the reader changes (a new package release).

Every write goes through :meth:`Store.stage`: a failed validation leaves the store as it
was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from tradelever.checksums import file_sha256
from tradelever.sources import census_us, icio
from tradelever.store.catalog import Store

__all__ = [
    "BALANCE_COMMANDS",
    "EMBEDDED",
    "PRODUCT_COMMANDS",
    "default_dataset",
    "default_uses",
    "ensure_census_trade",
    "ensure_census_us",
    "ensure_embedded",
    "ensure_icio",
]

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
    sha = file_sha256(files.npz)
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


def _current(store: Store, name: str, fingerprint: str) -> dict[str, Any] | None:
    """The manifest of ``name`` if it is in the store and built from ``fingerprint``."""
    if not store.has(name):
        return None
    manifest = store.manifest(name)
    if manifest.get("fingerprint") == fingerprint:
        return manifest
    log.info("the packaged Census files changed; rebuilding %s", name)
    return None


def ensure_census_us(store: Store, folder: Path | None = None) -> dict[str, Any]:
    """Make sure ``census-us-2024`` is in the store and current; return its manifest.

    Tables: ``flows`` (canonical, plus ``duty_usd``), ``products`` (HS10, HS8 and HS6
    names), ``coverage`` (per chapter) and ``partner_chapters`` (every partner by chapter).

    Raises
    ------
    DataFileError
        If a packaged file is missing, differs from its ``BUILD.json`` checksum or fails
        validation; the store is left unchanged.
    """
    fingerprint = census_us.build_fingerprint(folder)
    manifest = _current(store, census_us.IMPORTS_DATASET, fingerprint)
    if manifest is not None:
        return manifest
    data = census_us.load_imports(folder)
    record = census_us.imports_manifest(data)
    record["fingerprint"] = fingerprint
    with store.stage(census_us.IMPORTS_DATASET, record, wait=600.0) as staged:
        staged.write_table("flows", data.flows, partition_year=True)
        staged.write_table("products", data.products)
        staged.write_table("coverage", data.coverage)
        staged.write_table("partner_chapters", data.partner_chapters)
        staged.manifest["rows"] = len(data.flows)
    return store.manifest(census_us.IMPORTS_DATASET)


def ensure_census_trade(store: Store, folder: Path | None = None) -> dict[str, Any]:
    """Make sure ``census-us-trade`` is in the store and current; return its manifest.

    Tables: ``balance`` (partner, year, month; aggregates flagged), ``flows`` (annual
    totals of complete years, product ``TOTAL``) and ``products``.

    Raises
    ------
    DataFileError
        As :func:`ensure_census_us`.
    """
    fingerprint = census_us.build_fingerprint(folder)
    manifest = _current(store, census_us.TRADE_DATASET, fingerprint)
    if manifest is not None:
        return manifest
    data = census_us.load_trade(folder)
    record = census_us.trade_manifest(data)
    record["fingerprint"] = fingerprint
    with store.stage(census_us.TRADE_DATASET, record, wait=600.0) as staged:
        staged.write_table("flows", data.flows, partition_year=True)
        staged.write_table("balance", data.balance)
        staged.write_table("products", data.products)
        staged.manifest["rows"] = len(data.flows)
    return store.manifest(census_us.TRADE_DATASET)


#: The embedded data sets, in the order they are prepared, with their ensure function.
EMBEDDED: Final[dict[str, Callable[[Store], dict[str, Any]]]] = {
    icio.DATASET_NAME: ensure_icio,
    census_us.IMPORTS_DATASET: ensure_census_us,
    census_us.TRADE_DATASET: ensure_census_trade,
}


def ensure_embedded(store: Store, names: tuple[str, ...] | None = None) -> dict[str, dict]:
    """Prepare every embedded data set (or those named); return their manifests by name.

    Raises
    ------
    UnknownDatasetError
        If a name is not an embedded data set.
    DataFileError
        If a packaged file fails its checks (the data sets already prepared stay).
    """
    from tradelever.errors import UnknownDatasetError

    chosen = tuple(EMBEDDED) if names is None else names
    unknown = [n for n in chosen if n not in EMBEDDED]
    if unknown:
        raise UnknownDatasetError(
            f"{unknown[0]}: not an embedded data set; embedded: {', '.join(EMBEDDED)}"
        )
    return {name: EMBEDDED[name](store) for name in chosen}


#: Commands whose answer is product by product (issue 11: census-us-2024 for a US partner).
#: ``exposure`` and ``concessions`` are not among them: exposure's shares need home's total
#: exports and concessions home's imports from third countries, which a data set of US
#: imports does not hold (icio2022 has both).
PRODUCT_COMMANDS: Final = (
    "leverage",
    "substitutes",
    "peers",
    "scenario",
    "scenario run",
    "scenario compare",
    "brief",
)
#: Commands answered from the US goods balance by partner when the partner is the USA.
BALANCE_COMMANDS: Final = ("formula", "formula-annex", "balance")


_ICIO_REASONS: Final = {
    "exposure": "exposure needs home's total exports (the denominators of its shares), "
    "which census-us-2024, US imports only, does not hold",
    "concessions": "concessions needs home's imports from third countries, which "
    "census-us-2024, US imports only, does not hold",
    "supply-chain": "supply-chain needs the input-output network",
}


def default_dataset(command: str, partner: str | None) -> tuple[str, str, str | None]:
    """The embedded data set a command uses when no data set is given, and why.

    Product-level commands (:data:`PRODUCT_COMMANDS`) whose partner is the United States
    use ``census-us-2024`` at ``hs6``: the US is its only reporter, and product-level
    shares in 2024 are where the negotiating leverage lies. ``formula``, ``formula-annex``
    and ``balance`` (:data:`BALANCE_COMMANDS`) with the US as partner use
    ``census-us-trade``, the goods balance the April 2025 rates were computed from. Every
    other case keeps ``icio2022``, the one embedded data set of every reporter (its
    answers are for intermediate goods and services, 2022, by industry).

    Parameters
    ----------
    command
        The command (``Analysis.command``: ``leverage``, ``formula-annex``, ...).
    partner
        The partner as ISO3 (``None`` when the analysis has none).

    Returns
    -------
    (str, str, str | None)
        Data set name, the sentence to put in the result's assumptions and provenance,
        and the default level (``None``: the data set's own default).
    """
    if partner == census_us.REPORTER and command in PRODUCT_COMMANDS:
        return (
            census_us.IMPORTS_DATASET,
            "data set census-us-2024 chosen by default: the partner is the United States and "
            f"{command} is a product-level question; census-us-2024 holds US imports for "
            "consumption in 2024 by partner and HS10 line (50 largest suppliers, 98.7% of US "
            "imports), read at HS6 (give another data set to override)",
            "hs6",
        )
    if partner == census_us.REPORTER and command in BALANCE_COMMANDS:
        return (
            census_us.TRADE_DATASET,
            "data set census-us-trade chosen by default: the partner is the United States and "
            f"{command} needs the US goods balance with each partner; census-us-trade is the "
            "Census goods trade by partner (monthly, 1985 to February 2025, vintage of early "
            "April 2025) from which the 2 April 2025 rates were computed (give another data "
            "set to override)",
            None,
        )
    if partner is None:
        why = "no partner is given"
    elif partner != census_us.REPORTER:
        why = (
            "the partner is not the United States (the embedded product data hold US imports only)"
        )
    else:
        why = _ICIO_REASONS.get(command, f"{command} is not a product-level question")
    return (
        icio.DATASET_NAME,
        f"data set icio2022 chosen by default: {why}; icio2022 is the embedded OECD ICIO "
        "2022 network of 80 economies (intermediate goods and services, by industry; give "
        "another data set to override)",
        None,
    )


def default_uses() -> list[tuple[str, str]]:
    """Which embedded data set is the default for what: (data set, when), for ``datasets``."""
    product = ", ".join(c for c in PRODUCT_COMMANDS if " " not in c)
    balance = ", ".join(BALANCE_COMMANDS)
    return [
        (census_us.IMPORTS_DATASET, f"default for {product} when the partner is USA (at hs6)"),
        (census_us.TRADE_DATASET, f"default for {balance} when the partner is USA"),
        (icio.DATASET_NAME, "default for everything else (and for any partner but USA)"),
    ]
