"""Product codes at a level: the ``code`` column every analysis groups by.

A data set stores one product code per flow (an ICIO industry or an HS6 subheading).
:func:`product_code_expr` adds the ``code`` of the level asked for: the product itself
(``industry``, ``hs6``), its first 4 or 2 digits (``hs4``, ``hs2``), or the named groups it
belongs to (``group``, one row per group; see :mod:`tradelever.analysis.groups`). The result
is a lazy Ibis expression, so every analysis runs its sums on the store's backend.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from tradelever import schema as f
from tradelever.errors import InputError
from tradelever.options import LEVELS

__all__ = ["LEVELS", "product_code_expr"]

_PREFIX: Final = {"hs6": 6, "hs4": 4, "hs2": 2}


def product_code_expr(flows: Any, level: str, selector: pd.DataFrame | None = None) -> Any:
    """Return ``flows`` with a ``code`` column at the requested product level.

    ``industry`` and ``hs6`` keep the product code; ``hs4`` and ``hs2`` take its first 4 or
    2 digits; ``group`` joins the (product -> group) ``selector`` table of
    :func:`tradelever.analysis.groups.selector_table`, so that a flow appears once per group
    its product belongs to.
    """
    if level in ("industry", "hs6"):
        return flows.mutate(code=flows[f.PRODUCT])
    if level in _PREFIX:
        return flows.mutate(code=flows[f.PRODUCT].substr(0, _PREFIX[level]))
    if level == "group":
        if selector is None:
            raise InputError("group needs a product-group selector table", parameter="level")
        from tradelever.analysis.groups import apply_groups

        return apply_groups(flows, selector)
    raise InputError(f"{level!r} is not one of {', '.join(LEVELS)}", parameter="level")
