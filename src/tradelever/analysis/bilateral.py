"""Per-code trade aggregates shared by the negotiation analyses.

Notation (DESIGN.md): V(i, j, k) is the value of product k shipped from exporter i to
importer j in one year (US dollars); e = home, p = partner, r = rival.

:func:`code_aggregates` runs one Ibis aggregation over the ``flows`` table (international
flows only, i != j) and returns, for every product code k:

==============================  ===================================================
``world_exports_usd``           W(k) = sum over i, j != i of V(i, j, k)
``home_exports_usd``            X(e, k) = sum over j != e of V(e, j, k)
``partner_exports_usd``         X(p, k)
``rival_exports_usd``           X(r, k) (NaN without a rival)
``home_imports_usd``            M(e, k) = sum over i != e of V(i, e, k)
``partner_imports_usd``         M(p, k)
``home_to_partner_usd``         V(e, p, k)
``partner_to_home_usd``         V(p, e, k)
``rival_to_partner_usd``        V(r, p, k) (NaN without a rival)
==============================  ===================================================

Since every international flow is someone's export and someone's import, W(k) is also
world imports of k, so the imports of k by everyone except p and e are
W(k) - M(p, k) - M(e, k). The expression is executed once; formulas are applied to the
small per-code result with numpy.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f

__all__ = ["AGGREGATE_COLUMNS", "code_aggregates", "filter_codes"]

AGGREGATE_COLUMNS: Final = (
    "world_exports_usd",
    "home_exports_usd",
    "partner_exports_usd",
    "rival_exports_usd",
    "home_imports_usd",
    "partner_imports_usd",
    "home_to_partner_usd",
    "partner_to_home_usd",
    "rival_to_partner_usd",
)


def filter_codes(coded: Any, codes: tuple[str, ...] | None) -> Any:
    """Restrict a coded flows expression to a set of product codes (``None``: keep all)."""
    if codes is None:
        return coded
    return coded.filter(coded["code"].isin(list(codes)))


def code_aggregates(
    coded: Any,
    *,
    year: int,
    home: str,
    partner: str,
    rival: str | None = None,
) -> pd.DataFrame:
    """Per-code sums of international flows needed by substitution, exposure, concessions.

    Parameters
    ----------
    coded
        An Ibis ``flows`` expression with a ``code`` column
        (:func:`tradelever.analysis.leverage.product_code_expr`).
    year
        Year of the flows.
    home, partner, rival
        Validated ISO3 codes.

    Returns
    -------
    pandas.DataFrame
        ``code`` plus :data:`AGGREGATE_COLUMNS`, in US dollars, zero where there is no
        flow (the rival columns are NaN when ``rival`` is None); sorted by code.
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    v = t[f.VALUE_USD]
    exp, imp = t[f.EXPORTER], t[f.IMPORTER]
    aggs = {
        "world_exports_usd": v.sum(),
        "home_exports_usd": v.sum(where=exp == home),
        "partner_exports_usd": v.sum(where=exp == partner),
        "home_imports_usd": v.sum(where=imp == home),
        "partner_imports_usd": v.sum(where=imp == partner),
        "home_to_partner_usd": v.sum(where=(exp == home) & (imp == partner)),
        "partner_to_home_usd": v.sum(where=(exp == partner) & (imp == home)),
    }
    if rival is not None:
        aggs["rival_exports_usd"] = v.sum(where=exp == rival)
        aggs["rival_to_partner_usd"] = v.sum(where=(exp == rival) & (imp == partner))
    out = t.group_by("code").aggregate(**aggs).to_pandas()
    for col in AGGREGATE_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype(float).fillna(0.0)
        else:
            out[col] = np.nan
    out["code"] = out["code"].astype(str)
    return out[["code", *AGGREGATE_COLUMNS]].sort_values("code").reset_index(drop=True)
