"""Exposure: what home sells the partner, and how much of it the rest of the world could take.

Notation (DESIGN.md): V(i, j, k) flows in US dollars; e = home, p = partner; M(j, k)
imports, X(i, k) exports, W(k) world trade (= world imports), X(e) = sum over k of X(e, k).

For every code k that home sells the partner (V(e, p, k) > 0):

================================================  ========================================
``home_exports_to_partner_usd``                   V(e, p, k)
``partner_share_of_home_product_exports``         V(e, p, k) / X(e, k)
``share_of_home_exports``                         V(e, p, k) / X(e)
``share_of_gdp``                                  V(e, p, k) / GDP(e)   (when GDP is known)
``rest_of_world_imports_usd``                     R(k) = W(k) - M(p, k) - M(e, k)
``absorption_ratio``                              R(k) / V(e, p, k)
``home_share_of_row_imports``                     (X(e, k) - V(e, p, k)) / R(k)
``home_share_of_row_imports_if_redirected``       X(e, k) / R(k)
================================================  ========================================

R(k) is the import demand of every country except the partner and home itself: the market
into which sales to the partner would have to be redirected. ``absorption_ratio`` says how
many times over that market could hold them; the two shares say how far home's market share
in it would have to rise if all of V(e, p, k) were redirected (at unchanged prices, which
is optimistic: redirecting usually needs a price cut).

GDP. No maintained Python package ships offline GDP figures (the World Bank clients on
PyPI, e.g. ``wbdata`` and ``wbgapi``, query the API on line), so GDP is taken from the data
set when it holds value added (on ``icio2022`` the sum over the 50 industries of value
added, model output less intermediate inputs, US dollars, 2022) or from the user
(``gdp_usd``); otherwise ``share_of_gdp`` is left undefined. ICIO value added is GDP at
basic prices: it excludes net taxes on products, so it is a few percent below GDP at
market prices and the shares of GDP are slightly overstated.

One reporter. On a data set of the partner's imports only (``census-us-2024``), V(e, p, k)
is known, product by product, but home's exports to everyone else, and so X(e, k), X(e)
and the rest of the world's imports, are not: every column built on them is null, with
the reason, and the summary's share of home's exports is null. ``share_of_gdp`` needs only
V(e, p, k) and GDP, so it is computed when ``gdp_usd`` is given. ``exposure`` is not among
the questions for which ``census-us-2024`` is the default data set; with that data set
given, the answer is home's exports to the partner by product and their share of GDP.

Groups. At group level the rows are sums over each group's member products; home's total
exports (the denominator of every share) and the summary count each product once
(:mod:`tradelever.analysis.level_aggregates`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tradelever.analysis import indicators as ind
from tradelever.analysis.level_aggregates import level_aggregates
from tradelever.analysis.reporters import check_partner_reported
from tradelever.analysis.request import (
    DATASET_BY_QUESTION,
    HOME,
    LEVEL,
    PARTNER,
    YEAR,
    Request,
    industry_note,
)
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError, UnknownDatasetError
from tradelever.options import Analysis, Option

__all__ = [
    "EXPOSURE",
    "EXPOSURE_COLUMNS",
    "exposure",
    "exposure_summary",
    "exposure_table",
    "validate_gdp",
]

EXPOSURE_COLUMNS = (
    "code",
    "description",
    "home_exports_to_partner_usd",
    "home_exports_usd",
    "partner_share_of_home_product_exports",
    "share_of_home_exports",
    "share_of_gdp",
    "rest_of_world_imports_usd",
    "absorption_ratio",
    "home_share_of_row_imports",
    "home_share_of_row_imports_if_redirected",
)


def validate_gdp(gdp_usd: float | None) -> float | None:
    """Check a user-supplied GDP (US dollars, > 0)."""
    if gdp_usd is None:
        return None
    try:
        v = float(gdp_usd)
    except (TypeError, ValueError):
        raise InputError(f"{gdp_usd!r} is not a number (US dollars)", parameter="gdp_usd") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(
            f"GDP must be a positive amount in US dollars, got {gdp_usd}", parameter="gdp_usd"
        )
    return v


def _share_of_gdp(values: np.ndarray, gdp: float | None) -> np.ndarray:
    """V / GDP; NaN without GDP, inf (null in JSON) where a tiny GDP overflows the ratio."""
    if not gdp:
        return np.full(len(values), np.nan)
    with np.errstate(over="ignore"):
        return ind.safe_ratio(values, gdp)


def exposure_table(
    agg: pd.DataFrame,
    *,
    descriptions: dict[str, str] | None = None,
    gdp_usd: float | None = None,
    totals: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Home's exports to the partner by code, with shares and the rest of the world's room.

    Parameters
    ----------
    agg
        Output of :func:`tradelever.analysis.bilateral.code_aggregates` over every code of
        the level (home's total exports X(e) is their sum).
    descriptions
        Code -> name.
    gdp_usd
        Home's GDP in US dollars (``share_of_gdp`` is NaN without it).
    totals
        ``home_exports_usd`` over all products, each once, when ``agg`` rows overlap or do
        not cover every product (group level: :func:`tradelever.analysis.groups.group_aggregates`).

    Returns
    -------
    pandas.DataFrame
        :data:`EXPOSURE_COLUMNS`, codes with V(e, p, k) > 0, sorted by it descending.
    """
    gdp = validate_gdp(gdp_usd)
    x_ek = agg["home_exports_usd"].to_numpy(float)
    v = agg["home_to_partner_usd"].to_numpy(float)
    row = (
        agg["world_exports_usd"].to_numpy(float)
        - agg["partner_imports_usd"].to_numpy(float)
        - agg["home_imports_usd"].to_numpy(float)
    )
    out = pd.DataFrame(
        {
            "code": agg["code"].astype(str),
            "description": [(descriptions or {}).get(c, "") for c in agg["code"]],
            "home_exports_to_partner_usd": v,
            "home_exports_usd": x_ek,
            "partner_share_of_home_product_exports": ind.safe_ratio(v, x_ek),
            "share_of_home_exports": ind.safe_ratio(
                v, totals["home_exports_usd"] if totals is not None else x_ek.sum()
            ),
            "share_of_gdp": _share_of_gdp(v, gdp),
            "rest_of_world_imports_usd": row,
            "absorption_ratio": ind.safe_ratio(row, v),
            "home_share_of_row_imports": ind.safe_ratio(x_ek - v, row),
            "home_share_of_row_imports_if_redirected": ind.safe_ratio(x_ek, row),
        }
    )
    out = out[out["home_exports_to_partner_usd"] > 0].sort_values(
        ["home_exports_to_partner_usd", "code"], ascending=[False, True], kind="mergesort"
    )
    return out.reset_index(drop=True)[list(EXPOSURE_COLUMNS)]


def exposure_summary(
    agg: pd.DataFrame, gdp_usd: float | None, totals: Mapping[str, float] | None = None
) -> dict[str, float | None]:
    """Totals over all codes: exports to the partner, their share of exports and of GDP.

    ``totals`` (group level: ``GroupAggregates.headline_totals()``) replaces the sums of
    ``agg``'s rows, which count a product in two groups twice.
    """
    gdp = validate_gdp(gdp_usd)
    source = (
        totals if totals is not None else agg[["home_to_partner_usd", "home_exports_usd"]].sum()
    )
    to_partner = float(source["home_to_partner_usd"])
    total = float(source["home_exports_usd"])
    return {
        "home_exports_to_partner_usd": to_partner,
        "home_exports_usd": total,
        "share_of_home_exports": to_partner / total if total > 0 else None,
        "gdp_usd": gdp,
        "share_of_gdp": to_partner / gdp if gdp else None,
    }


# -- the analysis: options, orchestration, assumptions ---------------------------------------
EXPOSURE = Analysis(
    name="exposure",
    command="exposure",
    summary="Our exposure: home's exports to the partner as shares of exports and GDP",
    options=(
        HOME,
        PARTNER,
        DATASET_BY_QUESTION,
        YEAR,
        LEVEL,
        Option(
            "gdp_usd",
            float | None,
            None,
            "Home's GDP in US dollars (default: value added in the data set when it has it, "
            "as icio2022 does; none otherwise).",
            gt=0.0,
            hint="GDP is a positive amount in US dollars (e.g. 422e9 for US$422 bn)",
        ),
    ),
    levels=("industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group"),
)

#: Columns that need home's exports to everyone (null on a data set of one reporter).
WORLD_COLUMNS = (
    "home_exports_usd",
    "partner_share_of_home_product_exports",
    "share_of_home_exports",
    "rest_of_world_imports_usd",
    "absorption_ratio",
    "home_share_of_row_imports",
    "home_share_of_row_imports_if_redirected",
)


def value_added(request: Request, country: str) -> float | None:
    """Sum of value added over a country's industries in a network data set (None if absent)."""
    try:
        nodes = request.view.table("nodes")
    except UnknownDatasetError:  # no nodes table: a product data set
        return None
    if "value_added_usd" not in nodes.columns:
        return None
    t = nodes.filter((nodes["country"] == country) & (nodes["year"] == request.year))
    value = t["value_added_usd"].sum().to_pandas()
    return None if value is None or pd.isna(value) else float(value)


def exposure(request: Request, *, gdp_usd: float | None = None) -> TableResult:
    """Home's exports to the partner by code, as shares of exports and GDP, and their room.

    GDP: ``gdp_usd`` when given; otherwise the data set's value added (``icio2022``);
    otherwise undefined. One aggregation query, then :func:`exposure_table`.
    """
    EXPOSURE.check(gdp_usd=gdp_usd)
    gdp = validate_gdp(gdp_usd)
    home = str(request.home)
    reporters = request.reporters
    check_partner_reported(reporters, str(request.partner), dataset=request.dataset)
    level = level_aggregates(request)
    agg = level.rows
    gdp_source: str | None
    if gdp is not None:
        gdp_source = "given by the user (--gdp-usd)"
    else:
        gdp = value_added(request, home)
        gdp_source = (
            f"value added of {home} in data set {request.dataset} ({request.year}): sum over "
            "its industries of model output less intermediate inputs (GDP at basic prices)"
            if gdp is not None
            else None
        )
    rows = exposure_table(
        agg, descriptions=dict(request.descriptions), gdp_usd=gdp, totals=level.totals
    )
    headline = level.groups.headline_totals() if level.groups is not None else None
    summary: dict[str, object] = dict(exposure_summary(agg, gdp, totals=headline))
    summary["gdp_source"] = gdp_source
    assumptions = [*request.assumptions, *industry_note(request), *request.group_notes]
    if reporters is not None:
        rows[list(WORLD_COLUMNS)] = float("nan")
        summary["home_exports_usd"] = summary["share_of_home_exports"] = None
        assumptions.append(
            f"null: {', '.join(WORLD_COLUMNS)}: {request.dataset} holds only the imports of "
            f"{', '.join(reporters)}, so home's exports to other buyers (X(e, k), X(e)) and the "
            "rest of the world's imports are unknown; a BACI data set of world trade gives them"
        )
    if level.groups is not None:
        assumptions.append(
            "group level: home's total exports and the summary count each product once "
            "(groups overlap; do not add group rows)"
        )
    if gdp_source is None and reporters is None:
        assumptions.append(
            "share_of_gdp not computed: the data set holds no value added and no offline GDP "
            "source is packaged; pass --gdp-usd (e.g. from the World Bank WDI, indicator "
            "NY.GDP.MKTP.CD) to compute it"
        )
    elif gdp_source is None:
        assumptions.append("share_of_gdp not computed: give gdp_usd (US dollars) to compute it")
    else:
        assumptions.append(f"GDP: {gdp_source}")
    if reporters is None:
        assumptions.append(
            "rest_of_world_imports_usd = world imports of the code less the partner's and "
            "home's own imports; absorption assumes redirection at unchanged prices"
        )
    return TableResult(
        kind="exposure",
        params=request.params(home=home, partner=request.partner),
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=EXPOSURE_COLUMNS,
        summary=summary,
    )
