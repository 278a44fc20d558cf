"""Store API fetches (Comtrade, Census) as data sets, atomically.

A :class:`tradelever.sources.fetched.FetchedFlows` becomes one data set: ``flows``
partitioned by year, ``products`` from the source's own descriptions, and ``dataset.json``
with the query, endpoint, retrieval time, licence and the fetch report. Writing goes
through :meth:`Store.stage`: a failure leaves the store as it was, and a data set of the
same name is replaced only once the new one is complete.
"""

from __future__ import annotations

import re
from typing import Any, Final

from tradelever import schema as f
from tradelever.errors import InputError
from tradelever.sources.fetched import FetchedFlows
from tradelever.store.catalog import Store

__all__ = ["save_fetched"]

_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def save_fetched(store: Store, fetched: FetchedFlows, name: str | None = None) -> dict[str, Any]:
    """Write a fetch into the store as data set ``name`` (default ``fetched.default_name``).

    Returns the data set's manifest.

    Raises
    ------
    InputError
        If ``name`` is not a valid data set name (lower-case letters, digits, ``.``, ``_``,
        ``-``; not starting with a dot; no ``--``).
    """
    name = name or fetched.default_name
    if not _NAME_RE.match(name) or "--" in name:
        raise InputError(
            f"--name: {name!r} is not a valid data set name (lower-case letters, digits, '.', "
            "'_' and '-'; e.g. comtrade-usa-m-2023)"
        )
    flows = fetched.canonical_flows(name)
    manifest = dict(fetched.manifest)
    with store.stage(name, manifest) as staged:
        staged.write_table("flows", flows, partition_year=True)
        products = fetched.products[[f.CLASSIFICATION, f.CODE, f.DESCRIPTION, f.PARENT, f.LEVEL]]
        staged.write_table("products", products)
        staged.manifest["rows"] = len(flows)
        staged.manifest["years"] = sorted(int(y) for y in flows[f.YEAR].unique())
    return store.manifest(name)
