"""Leverage points: where the partner depends on the home country, product by product.

For home e, partner p, optional rival r, one year and one product level, every product k
that p imports gets the eight fields of the public contract (see ``schema.LEVERAGE_FIELDS``):

=================================  =====================================================
``partner_imports_usd``            M(p, k) = sum over i != p of V(i, p, k)
``home_exports_to_partner_usd``    V(e, p, k)
``home_share_of_partner_imports``  s = V(e, p, k) / M(p, k)
``home_world_export_share``        X(e, k) / W(k)
``rival_share_of_partner_imports`` V(r, p, k) / M(p, k)
``partner_import_hhi``             sum over i of s(i, p, k)^2
``home_export_weight``             X(e, k) / sum over k of X(e, k)
``partner_cost_of_losing_home_usd`` M(p, k) * ((1 - s)^(1 / (1 - sigma)) - 1)
=================================  =====================================================

The aggregation runs as one Ibis expression, so the same code runs on DuckDB locally and on
any other Ibis backend (Spark) for large panels; the formulas are applied afterwards to the
small per-product table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis import indicators as ind
from tradelever.analysis.elasticities import sigma_table
from tradelever.errors import InputError

__all__ = ["LEVELS", "LeverageResult", "leverage_table", "product_code_expr"]

LEVELS = ("industry", "hs6", "hs4", "hs2", "group")
_PREFIX = {"hs6": 6, "hs4": 4, "hs2": 2}


def product_code_expr(flows: Any, level: str) -> Any:
    """Return ``flows`` with a ``code`` column at the requested product level.

    ``industry`` and ``hs6`` keep the product code; ``hs4`` and ``hs2`` take its first 4 or
    2 digits. (``group`` level is handled by joining a selector table, see
    :mod:`tradelever.analysis.groups`.)
    """
    if level in ("industry", "hs6"):
        return flows.mutate(code=flows[f.PRODUCT])
    if level in _PREFIX:
        return flows.mutate(code=flows[f.PRODUCT].substr(0, _PREFIX[level]))
    raise InputError(f"level: {level!r} is not one of {', '.join(LEVELS)}")


def aggregate_market(
    coded: Any, *, home: str, partner: str, rival: str | None, year: int
) -> pd.DataFrame:
    """Per-code sums needed by the indicators (one query; international flows only).

    Returns a DataFrame with ``code``, ``world_exports_usd`` (W), ``partner_imports_usd``
    (M), ``home_exports_to_partner_usd``, ``rival_exports_to_partner_usd``,
    ``home_exports_usd`` (X(e, k)), ``partner_import_sumsq`` (sum of squared supplier
    values, for the HHI).
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    v = t[f.VALUE_USD]
    to_partner = t[f.IMPORTER] == partner
    aggs = {
        "world_exports_usd": v.sum(),
        "partner_imports_usd": v.sum(where=to_partner),
        "home_exports_to_partner_usd": v.sum(where=to_partner & (t[f.EXPORTER] == home)),
        "home_exports_usd": v.sum(where=t[f.EXPORTER] == home),
    }
    if rival is not None:
        aggs["rival_exports_to_partner_usd"] = v.sum(where=to_partner & (t[f.EXPORTER] == rival))
    totals = t.group_by("code").aggregate(**aggs).to_pandas()
    # HHI needs supplier totals first (a product code may gather several rows per supplier).
    by_supplier = (
        t.filter(to_partner).group_by(["code", f.EXPORTER]).aggregate(v=t[f.VALUE_USD].sum())
    )
    sumsq = by_supplier.group_by("code").aggregate(
        partner_import_sumsq=(by_supplier.v * by_supplier.v).sum()
    )
    totals = totals.merge(sumsq.to_pandas(), on="code", how="left")
    if rival is None:
        totals["rival_exports_to_partner_usd"] = np.nan
    numeric = [c for c in totals.columns if c != "code" and c != "rival_exports_to_partner_usd"]
    totals[numeric] = totals[numeric].astype(float).fillna(0.0)
    if rival is not None:
        totals["rival_exports_to_partner_usd"] = (
            totals["rival_exports_to_partner_usd"].astype(float).fillna(0.0)
        )
    totals["code"] = totals["code"].astype(str)
    return totals


def leverage_table(
    coded: Any,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    classification: str,
    sigma: float | None = None,
    descriptions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Compute the leverage rows for every product the partner imports.

    Parameters
    ----------
    coded
        An Ibis ``flows`` table with a ``code`` column (see :func:`product_code_expr`).
    home, partner, rival
        ISO3 codes (already validated).
    year
        Year of the flows.
    classification
        Classification of the codes (for the default elasticities).
    sigma
        One elasticity of substitution for all codes; default per code with its source.
    descriptions
        Code -> name, for the ``description`` column.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``description``, the eight contract fields, ``sigma`` and
        ``sigma_source``; sorted by ``partner_cost_of_losing_home_usd`` descending.
    """
    if home == partner:
        raise InputError(f"--partner: the partner must differ from the home country ({home})")
    if rival is not None and rival in (home, partner):
        raise InputError(f"--rival: the rival must differ from home and partner ({rival})")
    agg = aggregate_market(coded, home=home, partner=partner, rival=rival, year=year)
    agg = agg[agg["partner_imports_usd"] > 0].reset_index(drop=True)
    m = agg["partner_imports_usd"].to_numpy()
    share = ind.supplier_share(agg["home_exports_to_partner_usd"], m)
    total_home = float(agg_total_home_exports(coded, home=home, year=year))
    sig = sigma_table(agg["code"].tolist(), classification, sigma)
    out = pd.DataFrame(
        {
            "code": agg["code"],
            "description": [(descriptions or {}).get(c, "") for c in agg["code"]],
            "home_share_of_partner_imports": share,
            "partner_imports_usd": m,
            "home_exports_to_partner_usd": agg["home_exports_to_partner_usd"].to_numpy(),
            "home_world_export_share": ind.world_export_share(
                agg["home_exports_usd"], agg["world_exports_usd"]
            ),
            "rival_share_of_partner_imports": (
                ind.supplier_share(agg["rival_exports_to_partner_usd"], m)
                if rival is not None
                else np.full(len(agg), np.nan)
            ),
            "partner_import_hhi": ind.safe_ratio(agg["partner_import_sumsq"], m * m),
            "home_export_weight": ind.export_weight(agg["home_exports_usd"], total_home),
            "partner_cost_of_losing_home_usd": ind.cost_of_losing_supplier(
                m, share, sig["sigma"].to_numpy()
            ),
            "sigma": sig["sigma"].to_numpy(),
            "sigma_source": sig["sigma_source"].to_numpy(),
        }
    )
    out = out.sort_values(
        ["partner_cost_of_losing_home_usd", "home_exports_to_partner_usd", "code"],
        ascending=[False, False, True],
        na_position="last",
        kind="mergesort",
    )
    return out.reset_index(drop=True)


def agg_total_home_exports(coded: Any, *, home: str, year: int) -> float:
    """Home's total exports to all destinations in the year: sum over k of X(e, k)."""
    t = coded.filter(
        (coded[f.YEAR] == year) & (coded[f.EXPORTER] == home) & (coded[f.IMPORTER] != home)
    )
    value = t[f.VALUE_USD].sum().to_pandas()
    return 0.0 if value is None or pd.isna(value) else float(value)


def _json_number(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass(frozen=True)
class LeverageResult:
    """Leverage rows with their provenance and assumptions.

    ``rows`` is the full table (including ``sigma`` and ``sigma_source``); :meth:`to_dict`
    gives the public JSON contract.
    """

    home: str
    partner: str
    rival: str | None
    dataset: str
    year: int
    level: str
    rows: pd.DataFrame
    provenance: dict[str, Any]
    assumptions: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (a copy)."""
        return self.rows.copy()

    def head(self, n: int | None) -> LeverageResult:
        """The same result restricted to the first ``n`` rows (all when ``n`` is None)."""
        if n is None:
            return self
        if n < 0:
            raise InputError(f"--top: must be 0 or more, got {n}")
        rows = self.rows if n == 0 else self.rows.head(n)
        return LeverageResult(
            self.home,
            self.partner,
            self.rival,
            self.dataset,
            self.year,
            self.level,
            rows.reset_index(drop=True),
            self.provenance,
            self.assumptions,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the public JSON contract.

        ``{home, partner, rival, dataset, year, level, provenance, assumptions, rows}``;
        infinite or undefined numbers become ``null``.
        """
        columns = ["code", "description", *f.LEVERAGE_FIELDS, "sigma"]
        rows = [
            {c: _json_number(rec[c]) for c in columns}
            for rec in self.rows[columns].to_dict(orient="records")
        ]
        return {
            "home": self.home,
            "partner": self.partner,
            "rival": self.rival,
            "dataset": self.dataset,
            "year": self.year,
            "level": self.level,
            "provenance": self.provenance,
            "assumptions": list(self.assumptions),
            "rows": rows,
        }
