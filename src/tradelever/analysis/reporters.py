"""Indicators a data set cannot compute when it holds the imports of one reporter only.

A product data set such as BACI holds every exporter's shipments to every importer, so
world exports X(i, k) = sum over j of V(i, j, k) and W(k) = sum over i of X(i, k) are
known. A single-reporter data set (``census-us-2024``: US imports by partner) holds only
V(i, p, k) for one importer p. From it the partner-side indicators are exact (over the
covered suppliers): M(p, k), s(i, p, k), HHI(p, k), the CES cost of losing a supplier.
Everything built on world exports is not: summing the data set's flows would give p's
imports again, not world exports, and p's own exports X(p, k) are absent.

:func:`single_reporter_nulls` names those indicators with the reason, so that the leverage
orchestration sets them to null (:func:`apply_nulls`) and says why, unless a multi-reporter
data set (BACI) is loaded to supply them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from tradelever.errors import InputError

__all__ = [
    "WORLD_INDICATORS",
    "apply_nulls",
    "check_partner_reported",
    "only_partner_imports",
    "single_reporter_nulls",
]

_WORLD = "needs world exports by exporter and product"
#: Leverage columns that need other reporters' trade, with what each needs.
WORLD_INDICATORS: Final[dict[str, str]] = {
    "home_world_export_share": f"X(e, k) / W(k) {_WORLD}",
    "home_export_weight": "X(e, k) / X(e) needs home's exports to every destination",
    "home_rca": f"Balassa RCA (X(e, k) / X(e)) / (W(k) / W) {_WORLD}",
    "rival_rca": f"Balassa RCA of the rival {_WORLD}",
    "world_export_hhi": f"HHI of world exports {_WORLD}",
    "world_export_hhi_flag": f"world_export_hhi > 0.4 {_WORLD}",
    "rest_of_world_supply_ratio": f"(W(k) - X(e, k)) / V(e, p, k) {_WORLD}",
    "partner_imports_to_exports": "M(p, k) / X(p, k) needs the partner's own exports",
    "eu_import_share_flag": "partner_imports_to_exports > 1 needs the partner's own exports",
}


def single_reporter_nulls(
    reporters: Sequence[str] | None, *, dataset: str = "the data set"
) -> dict[str, str]:
    """Indicators that must be null, with the reason, for a data set of a few reporters.

    Parameters
    ----------
    reporters
        The importers whose imports the data set holds (the manifest's ``reporters``);
        ``None`` for a data set of all reporters (world trade), which can compute all.
    dataset
        Name used in the reasons.

    Returns
    -------
    dict[str, str]
        Column -> one sentence: why it is null and what would fill it. Empty when
        ``reporters`` is ``None``.
    """
    if reporters is None:
        return {}
    who = ", ".join(reporters) or "no country"
    return {
        column: f"{column} is null: {need}; {dataset} holds only the imports of {who} "
        "(load a BACI data set for world trade)"
        for column, need in WORLD_INDICATORS.items()
    }


def check_partner_reported(reporters: Sequence[str] | None, partner: str, *, dataset: str) -> None:
    """Raise when the partner's imports are not in a data set of a few reporters.

    Raises
    ------
    InputError
        ``partner: census-us-2024 holds only the imports of USA; ...``.
    """
    if reporters is not None and partner not in reporters:
        first = reporters[0] if reporters else "USA"
        raise InputError(
            f"{dataset} holds only the imports of {', '.join(reporters)}; {partner}'s imports "
            f"are not in it (use a BACI data set, or partner {first})",
            parameter="partner",
        )


def only_partner_imports(world_exports: Sequence[float], partner_imports: Sequence[float]) -> bool:
    """Whether every flow in the per-product sums goes to the partner: W(k) = M(p, k) for all k.

    True on a single-reporter data set queried for its reporter (and on no real world data
    set, where other importers buy some of every product). False when there are no rows.
    """
    w = np.asarray(world_exports, dtype=float)
    m = np.asarray(partner_imports, dtype=float)
    if w.size == 0:
        return False
    return bool(np.all(np.abs(w - m) <= 1e-9 * np.maximum(np.abs(w), 1.0)))


def apply_nulls(rows: pd.DataFrame, nulls: dict[str, str]) -> pd.DataFrame:
    """Return ``rows`` with the columns of ``nulls`` set to null (NaN, or None for flags).

    Columns not in ``rows`` are ignored; ``flags`` is left to the caller, who should
    compute it from the nulled inputs.
    """
    out = rows.copy()
    for column in nulls:
        if column not in out.columns:
            continue
        if out[column].dtype == bool or column.endswith("_flag"):
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[column] = np.nan
    return out
