"""Product codes at a level: the ``code`` column every analysis groups by.

A data set stores one product code per flow (an ICIO industry, an HS6 subheading, an HS10
tariff line, or a total). :func:`product_code_expr` adds the ``code`` of the level asked
for: the product itself (``industry``, ``total``), its first 10, 8, 6, 4 or 2 digits
(``hs10`` ... ``hs2``), or the named groups it belongs to (``group``, one row per group; see
:mod:`tradelever.analysis.groups`). The result is a lazy Ibis expression, so every analysis
runs its sums on the store's backend. Which levels a data set supports is its manifest's
business (:attr:`tradelever.store.dataset.Manifest.levels`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.errors import InputError
from tradelever.options import LEVELS as ALL_LEVELS
from tradelever.store.dataset import HS6_LEVELS, Manifest

__all__ = ["HS6_LEVELS", "LEVELS", "dataset_levels", "product_code_expr"]

#: The product levels (every level but ``total``, the level of a data set of totals).
LEVELS: Final = tuple(lv for lv in ALL_LEVELS if lv != "total")
_PREFIX: Final = {"hs10": 10, "hs8": 8, "hs6": 6, "hs4": 4, "hs2": 2}


def dataset_levels(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """The levels a data set supports, from its manifest record (see ``Manifest.levels``)."""
    return Manifest.from_record(manifest).levels


def product_code_expr(flows: Any, level: str, selector: pd.DataFrame | None = None) -> Any:
    """Return ``flows`` with a ``code`` column at the requested product level.

    ``industry`` and ``total`` keep the product code; ``hs10``, ``hs8``, ``hs6``, ``hs4``
    and ``hs2`` take its first 10, 8, 6, 4 or 2 digits (an HS6 data set's codes are their
    own ``hs6``; ``hs8``/``hs10`` need a data set of national tariff lines); ``group`` joins
    the (product -> group) ``selector`` table of
    :func:`tradelever.analysis.groups.selector_table`, so that a flow appears once per group
    its product belongs to.
    """
    if level in ("industry", "total"):
        return flows.mutate(code=flows[f.PRODUCT])
    if level in _PREFIX:
        return flows.mutate(code=flows[f.PRODUCT].substr(0, _PREFIX[level]))
    if level == "group":
        if selector is None:
            raise InputError("group needs a product-group selector table", parameter="level")
        from tradelever.analysis.groups import apply_groups

        return apply_groups(flows, selector)
    raise InputError(f"{level!r} is not one of {', '.join(LEVELS)}", parameter="level")
