"""The result of an API fetch (Comtrade, Census): canonical tables plus what to cite.

A fetcher returns a :class:`FetchedFlows`; :mod:`tradelever.store.fetched` writes it to the
store as one data set, atomically. Keeping the two apart lets scripts inspect a fetch (or
merge several) before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tradelever import schema as f

__all__ = ["FetchedFlows", "country_code_placeholder", "product_level"]


def product_level(code: str) -> str:
    """``hs6``, ``hs4`` or ``hs2`` from the length of an HS code."""
    return {6: "hs6", 4: "hs4", 2: "hs2"}.get(len(code), f"hs{len(code)}")


def country_code_placeholder(source: str, code: str) -> str:
    """Stand-in for a partner code with no ISO3 equivalent, e.g. ``CTY9999`` or ``CT899``.

    Such rows are kept (so that import totals stay complete) and listed in the fetch report
    and the data set's assumptions; they never match an ISO3 code a user types.
    """
    prefix = {"census": "CTY", "comtrade": "CT"}[source]
    return f"{prefix}{code}"


@dataclass
class FetchedFlows:
    """Canonical flows from one fetch, with provenance and a report of what was adjusted.

    Attributes
    ----------
    source
        ``comtrade`` or ``census``.
    default_name
        Data set name to use when the user gives none (e.g. ``comtrade-usa-m-2023``).
    flows
        Canonical flow columns except ``dataset`` (values in US dollars, quantity in
        tonnes or NaN); extra columns (e.g. ``period`` for monthly data) may follow.
    products
        ``classification, code, description, parent, level`` from the source's own
        descriptions.
    manifest
        Provenance: source, endpoint, query (no secrets), retrieved_at, licence, years,
        classification, level, assumptions, ...
    report
        What the user should know: unmapped partner codes (kept as placeholders), totals
        checks against aggregate rows, empty chunks, request counts.
    """

    source: str
    default_name: str
    flows: pd.DataFrame
    products: pd.DataFrame
    manifest: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of flow rows."""
        return len(self.flows)

    def canonical_flows(self, dataset: str) -> pd.DataFrame:
        """Flows with the ``dataset`` column, in canonical column order (extras last)."""
        out = self.flows.copy()
        out.insert(0, f.DATASET, dataset)
        extras = [c for c in out.columns if c not in f.FLOW_COLUMNS]
        return out[[*f.FLOW_COLUMNS, *extras]]
