"""Leverage across every market at once: one home over all its partners, or the reverse.

``leverage_scan`` answers a negotiator's first question across the world: where is HOME a
supplier its partners would find costly to lose? For every partner p and code k that HOME
sells to p (V(e, p, k) > 0), with e = HOME:

==================================  ======================================================
``home_share_of_partner_imports``   s = V(e, p, k) / M(p, k)
``partner_imports_usd``             M(p, k), the partner's imports of k from all sources
``home_exports_to_partner_usd``     V(e, p, k)
``partner_cost_of_losing_home_usd`` M(p, k) * ((1 - s)^(1 / (1 - sigma)) - 1): the rise in
                                    p's CES import price index of k if HOME's supply were
                                    lost, other suppliers' prices unchanged (the formula of
                                    ``leverage``); null (unbounded) for a sole supplier
``sigma``                           elasticity of substitution between suppliers (default
                                    per code, Caliendo and Parro 2015, sigma = 1 + theta)
``top_supplier``,                   the partner's largest supplier of k and its share (HOME
``top_supplier_share``              itself when it leads)
``partner_import_hhi``              sum over suppliers i of s(i, p, k)^2
``partner_suppliers``               number of suppliers of k to p
``flags``                           ``critical_supplier`` (s >= 0.25 and HHI >= 0.25),
                                    ``dominant_supplier`` (s >= 0.5), ``sole_supplier``
==================================  ======================================================

``leverage_over`` is the reverse view: who holds leverage over one partner - every
supplier i of the partner, product by product, with the same fields for i in place of
HOME (``supplier_share_of_partner_imports``, ``partner_cost_of_losing_supplier_usd``...)
and, in the summary, the suppliers ranked by the sum of their (bounded) costs.

Both read the materialised indicator tables (:mod:`tradelever.analysis.markets`): the
partner's market rows and the flows of HOME (or into the partner) only; rows are ranked by
the cost, unbounded costs first (ordered by the partner's imports), then by value shipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis import indicators as ind
from tradelever.analysis.elasticities import sigma_table, validate_sigma
from tradelever.analysis.markets import MarketIndicators, cached_market_indicators
from tradelever.analysis.request import DATASET, HOME, YEAR, Request
from tradelever.analysis.result import TableResult
from tradelever.errors import InputError
from tradelever.options import Analysis, Level, Option

__all__ = [
    "OVER_COLUMNS",
    "SCAN",
    "SCAN_COLUMNS",
    "leverage_over",
    "leverage_scan",
    "resolve_partners",
    "scan",
]

SCAN_COLUMNS: Final = (
    "partner",
    "partner_name",
    "code",
    "description",
    "home_share_of_partner_imports",
    "partner_imports_usd",
    "home_exports_to_partner_usd",
    "partner_cost_of_losing_home_usd",
    "sigma",
    "top_supplier",
    "top_supplier_share",
    "partner_import_hhi",
    "partner_suppliers",
    "flags",
)
OVER_COLUMNS: Final = (
    "supplier",
    "supplier_name",
    "code",
    "description",
    "supplier_share_of_partner_imports",
    "partner_imports_usd",
    "supplier_exports_to_partner_usd",
    "partner_cost_of_losing_supplier_usd",
    "sigma",
    "top_supplier",
    "top_supplier_share",
    "partner_import_hhi",
    "partner_suppliers",
    "flags",
)


SCAN: Final = Analysis(
    name="scan",
    command="scan",
    summary="HOME's leverage over every partner at once, or who holds leverage over one",
    options=(
        HOME,
        Option(
            "partners",
            str,
            "all",
            "Partners to scan: all, ISO3 codes comma-separated (USA,CHN) or a group (ASEAN, "
            "EU27, G20); with --over, the suppliers to rank.",
            min_length=1,
            max_length=2000,
            examples=("all", "ASEAN", "USA,CHN,JPN"),
        ),
        Option(
            "over",
            str | None,
            None,
            "The reverse view: who holds leverage over this partner (ISO3); every supplier of "
            "it, product by product, HOME located among them.",
            min_length=1,
            max_length=64,
            examples=("USA",),
        ),
        Option(
            "min_share",
            float,
            0.0,
            "Keep positions with a share of the partner's imports of at least this (0.25 = 25%).",
            ge=0.0,
            le=1.0,
        ),
        Option(
            "min_imports_usd",
            float,
            0.0,
            "Keep positions where the partner imports at least this many US dollars of the code.",
            flag="--min-imports",
            query="min_imports",
            ge=0.0,
            le=1e15,
        ),
        DATASET,
        YEAR,
        Option(
            "level",
            Level | None,
            None,
            "industry (ICIO), hs10|hs8|hs6|hs4|hs2 (products), as far as the data set has "
            "them (default: the data set's own level).",
        ),
        Option(
            "sigma",
            float | None,
            None,
            "One elasticity of substitution (> 1) for every product.",
            gt=1.0,
            le=1000.0,
            hint="the CES cost of losing a supplier needs an elasticity of substitution greater "
            "than 1 (typical values 1.5 to 10)",
        ),
    ),
    # The materialised tables have one row per code: no product groups, no totals-only data.
    levels=("industry", "hs10", "hs8", "hs6", "hs4", "hs2"),
)


def scan(
    request: Request,
    *,
    partners: str | Sequence[str] | None = "all",
    over: str | None = None,
    min_share: float = 0.0,
    min_imports_usd: float = 0.0,
    sigma: float | None = None,
) -> TableResult:
    """HOME's leverage over every partner, or with ``over`` who holds leverage over one.

    :func:`leverage_scan`, or :func:`leverage_over` with HOME located in the summary.

    Reads the data set's materialised indicator tables at the request's level (computed on
    first use per data-set version, :func:`~tradelever.analysis.markets.market_indicators`).

    Parameters
    ----------
    request
        A resolved request with ``home`` (an ISO3 country).
    partners
        ``"all"``, ISO3 codes or a group: the partners scanned, or with ``over`` the
        suppliers ranked.
    over
        ISO3 code of the partner for the reverse view (validated against the data set).
    min_share, min_imports_usd, sigma
        As :func:`leverage_scan`.
    """
    from tradelever.reference.countries import resolve_country

    SCAN.check(min_share=min_share, min_imports_usd=min_imports_usd, sigma=sigma)
    if request.home is None:
        raise InputError("scan needs a home country (e.g. MYS)", parameter="home")
    view = request.view
    _check_engine(view)
    available = view.countries()
    tables = cached_market_indicators(view, request.level)
    descriptions = dict(request.descriptions)
    if over is not None:
        partner = resolve_country(over, available, parameter="over")
        suppliers = resolve_partners(partners, available, exclude=partner)
        result = leverage_over(
            tables,
            partner=partner,
            year=request.year,
            suppliers=suppliers,
            min_share=min_share,
            min_imports_usd=min_imports_usd,
            sigma=sigma,
            descriptions=descriptions,
            home=request.home if request.home != partner else None,
        )
    else:
        chosen = resolve_partners(partners, available, exclude=request.home)
        result = leverage_scan(
            tables,
            home=request.home,
            year=request.year,
            partners=chosen,
            min_share=min_share,
            min_imports_usd=min_imports_usd,
            sigma=sigma,
            descriptions=descriptions,
        )
    if view.engine != "duckdb":
        result.assumptions.append(
            f"computed in this process by DuckDB from the data set's market tables (not on "
            f"{view.engine}: the scan reads tables materialised once per data-set version, "
            "not the flows)"
        )
    return result


def _check_engine(view: Any) -> None:
    """Refuse the scan on an engine that reads a copy of the data at a data URI.

    The market tables are built by DuckDB from the data directory's own flows files, which
    a manifest-only data directory (the catalogue of a copy at a data URI) does not hold.
    """
    if view.engine != "duckdb" and not view.store.engine.local_files:
        raise InputError(
            "scan reads market tables that DuckDB builds from the data directory's own flows "
            "files, and with a data URI the data directory holds only the catalogue: run "
            "scan with --engine duckdb on a full data directory",
            parameter="engine",
        )


def resolve_partners(
    spec: str | Sequence[str] | None,
    available: Sequence[str],
    *,
    exclude: str | None = None,
    parameter: str = "partners",
) -> list[str] | None:
    """``None`` for all partners; else the ISO3 codes of a list or group (``ASEAN``, ``EU27``).

    Group members absent from the data set are dropped (the ICIO has no Timor-Leste); a
    listed code must be in it. ``exclude`` (HOME) is removed from a group.
    """
    from tradelever.reference.countries import resolve_countries

    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return None
    chosen = resolve_countries(spec, available, parameter=parameter)
    chosen = [c for c in chosen if c != exclude]
    if not chosen:
        raise InputError(f"{spec!r} leaves no country to scan", parameter=parameter)
    return chosen


def _check_share(min_share: float) -> float:
    try:
        value = float(min_share)
    except (TypeError, ValueError):
        raise InputError(f"{min_share!r} is not a number", parameter="min_share") from None
    if not 0.0 <= value <= 1.0:
        raise InputError(
            f"{min_share} must be a share between 0 and 1 (0.25 = 25%)", parameter="min_share"
        )
    return value


def _check_imports(min_imports_usd: float) -> float:
    try:
        value = float(min_imports_usd)
    except (TypeError, ValueError):
        raise InputError(
            f"{min_imports_usd!r} is not a number", parameter="min_imports_usd"
        ) from None
    if not 0.0 <= value < float("inf"):
        raise InputError(
            f"{min_imports_usd} must be a non-negative amount in US$", parameter="min_imports_usd"
        )
    return value


def _year(indicators: MarketIndicators, year: int | None) -> int:
    years = indicators.years
    if not years:
        raise InputError(f"{indicators.dataset}: data set records no years")
    if year is None:
        return years[-1]
    if int(year) not in years:
        raise InputError(
            f"{year} is not in data set {indicators.dataset} (years: {', '.join(map(str, years))})",
            parameter="year",
        )
    return int(year)


def _provenance(manifest: dict[str, Any], year: int) -> dict[str, Any]:
    keys = ("name", "source", "version", "classification", "licence", "citation")
    out = {k: manifest[k] for k in (*keys, "retrieved_at", "sha256", "note") if k in manifest}
    out["year"] = year
    return out


def _names(codes: pd.Series) -> pd.Series:
    from tradelever.reference.countries import country_name

    return _mapped(codes, {c: country_name(c) for c in codes.unique()})


def _rank(frame: pd.DataFrame, cost: str, value: str) -> pd.DataFrame:
    """Sort by cost (unbounded first, by partner imports), then value shipped, then keys."""
    unbounded = ~np.isfinite(frame[cost].to_numpy(dtype=float))
    key = np.where(unbounded, frame["partner_imports_usd"], frame[cost])
    ranked = frame.assign(_u=unbounded, _k=key).sort_values(
        ["_u", "_k", value, frame.columns[0], "code"],
        ascending=[False, False, False, True, True],
        kind="mergesort",
    )
    return ranked.drop(columns=["_u", "_k"]).reset_index(drop=True)


def _positions(
    indicators: MarketIndicators,
    flows: pd.DataFrame,
    year: int,
    *,
    min_share: float,
    min_imports_usd: float,
    sigma: float | None,
) -> pd.DataFrame:
    """Attach the partner's market row to each V(i, p, k); compute s, the cost and flags."""
    found, market = indicators.markets_of(year, flows[f.IMPORTER], flows["code"])
    v = flows[f.VALUE_USD].to_numpy(dtype=float)
    m = np.full(len(flows), np.nan)
    m[found] = market["imports_usd"].to_numpy(dtype=float)
    share = ind.supplier_share(v, m)
    with np.errstate(invalid="ignore"):
        keep = found & (v > 0) & (m > 0) & (share >= min_share) & (m >= min_imports_usd)
    rows = flows[keep].reset_index(drop=True)
    share, m = share[keep], m[keep]
    picked = market[keep[found]].reset_index(drop=True)
    codes = sorted(rows["code"].astype(str).unique())
    classification = str(indicators.manifest.get("classification", ""))
    sigmas = sigma_table(codes, classification, sigma).set_index("code")["sigma"]
    sig = rows["code"].astype(str).map(sigmas).to_numpy(dtype=float)
    hhi = picked["import_hhi"].to_numpy(dtype=float)
    cost = ind.cost_of_losing_supplier(m, share, sig)
    flags = np.full(len(rows), "", dtype=object)
    with np.errstate(invalid="ignore"):
        for name, mask in (
            ("critical_supplier", (share >= ind.CRITICAL_SHARE) & (hhi >= ind.CRITICAL_HHI)),
            ("dominant_supplier", share >= ind.DOMINANT_SHARE),
            ("sole_supplier", share >= 1.0 - 1e-12),
        ):
            flags[mask] = [f"{x};{name}" if x else name for x in flags[mask]]
    return rows.assign(
        imports_usd=m,
        import_hhi=hhi,
        suppliers=picked["suppliers"].to_numpy(),
        top_supplier=picked["top_supplier"].astype(str).to_numpy(),
        top_supplier_share=picked["top_supplier_share"].to_numpy(dtype=float),
        share=share,
        cost=cost,
        sigma=sig,
        flags=pd.Series(flags, dtype="str"),
    )


def _mapped(codes: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return pd.Series([mapping.get(c, "") for c in codes.tolist()], dtype="str")


def _assumptions(
    manifest: dict[str, Any],
    *,
    year: int,
    level: str,
    sigma: float | None,
    min_share: float,
    min_imports_usd: float,
    counterpart: str,
    chosen: list[str] | None,
    missing: list[str],
) -> list[str]:
    out = list(manifest.get("assumptions", []))
    where = (
        f"{manifest.get('name', '')}, {year}, level {level}, {manifest.get('classification', '')}"
    )
    out.append(
        "shares are of the partner's imports of each code from every source in the data set "
        f"({where}), international flows only"
    )
    if sigma is None:
        out.append(
            "partner cost uses the default elasticity of substitution per code (column sigma): "
            "Caliendo and Parro (2015) trade elasticities, sigma = 1 + theta"
        )
    else:
        out.append(f"partner cost uses one elasticity of substitution, sigma = {sigma}")
    out.append(
        "cost = partner_imports_usd * ((1 - s)^(1/(1 - sigma)) - 1), the rise in the partner's "
        "CES import price index of the code if the supplier's goods were lost, other "
        "suppliers' prices unchanged; null (unbounded) for a sole supplier; rows ranked by "
        "this cost, unbounded first (by the partner's imports)"
    )
    out.append(
        "top_supplier: the partner's largest supplier of the code in the year (between "
        "suppliers of exactly equal value, any one of them); flags: critical_supplier "
        "(share >= 25% and HHI >= 0.25), "
        "dominant_supplier (share >= 50%), sole_supplier"
    )
    if min_share > 0 or min_imports_usd > 0:
        out.append(
            f"only positions with a share of at least {min_share:.1%} of the partner's imports"
            + (
                f" and partner imports of at least US${min_imports_usd:,.0f}"
                if min_imports_usd
                else ""
            )
        )
    reporters = manifest.get("reporters")
    if reporters:
        out.append(
            f"the data set holds the imports of {', '.join(reporters)} only: partners are "
            "limited to these reporters, and shares are of their imports from the suppliers "
            "the data set covers"
        )
    if chosen is None:
        out.append(f"{counterpart}: every country in the data set")
    else:
        out.append(f"{counterpart}: {', '.join(chosen)}")
    if missing:
        out.append(f"{counterpart} with no flow in {year}: {', '.join(missing)}")
    return out


def leverage_scan(
    indicators: MarketIndicators,
    *,
    home: str,
    year: int | None = None,
    partners: Sequence[str] | None = None,
    min_share: float = 0.0,
    min_imports_usd: float = 0.0,
    sigma: float | None = None,
    descriptions: dict[str, str] | None = None,
) -> TableResult:
    """HOME's leverage over every partner (or the given ones) in one pass.

    Parameters
    ----------
    indicators
        The data set's materialised tables (:func:`~tradelever.analysis.markets.market_indicators`).
    home
        ISO3 code, already validated against the data set.
    year
        Default: the latest year of the data set.
    partners
        ISO3 codes (:func:`resolve_partners`); None for every partner.
    min_share
        Keep positions where HOME's share of the partner's imports is at least this
        (0.25 = 25%).
    min_imports_usd
        Keep positions where the partner imports at least this many US dollars of the code.
    sigma
        One elasticity of substitution for every code; default per code.
    descriptions
        Code -> name.

    Returns
    -------
    TableResult
        Kind ``scan``; rows with :data:`SCAN_COLUMNS`, ranked; ``summary`` with the
        partners and positions covered.
    """
    year, flows, rows = _checked_positions(
        indicators, year, [home], partners, min_share, min_imports_usd, sigma
    )
    table = _position_table(
        rows,
        rows[f.IMPORTER],
        descriptions,
        ("partner", "home_share_of_partner_imports", "home_exports_to_partner_usd"),
        "partner_cost_of_losing_home_usd",
        SCAN_COLUMNS,
    )
    table = _rank(table, "partner_cost_of_losing_home_usd", "home_exports_to_partner_usd")
    covered = sorted(table["partner"].unique())
    missing = sorted(set(partners or ()) - set(flows[f.IMPORTER].astype(str)))
    finite = table["partner_cost_of_losing_home_usd"].replace([np.inf], np.nan)
    summary = {
        "partners": len(covered),
        "positions": len(table),
        "home_exports_covered_usd": float(table["home_exports_to_partner_usd"].sum()),
        "positions_home_is_top_supplier": int((table["top_supplier"] == home).sum()),
        "critical_supplier_positions": int(table["flags"].str.contains("critical_supplier").sum()),
        "sole_supplier_positions": int(table["flags"].str.contains("sole_supplier").sum()),
        "partner_cost_bounded_total_usd": float(finite.sum()),
    }
    level = indicators.level
    return TableResult(
        kind="scan",
        params={
            "home": home,
            "partners": "all" if partners is None else list(partners),
            "dataset": indicators.dataset,
            "year": year,
            "level": level,
            "min_share": min_share,
            "min_imports_usd": min_imports_usd,
            "sigma": sigma,
        },
        rows=table,
        provenance=_provenance(indicators.manifest, year),
        assumptions=_assumptions(
            indicators.manifest,
            year=year,
            level=level,
            sigma=sigma,
            min_share=min_share,
            min_imports_usd=min_imports_usd,
            counterpart="partners",
            chosen=None if partners is None else list(partners),
            missing=missing,
        ),
        columns=SCAN_COLUMNS,
        summary=summary,
    )


def leverage_over(
    indicators: MarketIndicators,
    *,
    partner: str,
    year: int | None = None,
    suppliers: Sequence[str] | None = None,
    min_share: float = 0.0,
    min_imports_usd: float = 0.0,
    sigma: float | None = None,
    descriptions: dict[str, str] | None = None,
    home: str | None = None,
    top_suppliers: int = 10,
) -> TableResult:
    """Who holds leverage over ``partner``: each supplier's position in each of its markets.

    Parameters are those of :func:`leverage_scan`, with ``suppliers`` restricting the
    suppliers (None: all) and ``home``, when given, located among them in the summary.
    The summary ranks suppliers by the sum of their bounded costs (``suppliers_ranked``,
    the first ``top_suppliers``), with their positions and sole-supplier positions.

    Returns
    -------
    TableResult
        Kind ``scan_over``; rows with :data:`OVER_COLUMNS`, ranked.
    """
    year, flows, rows = _checked_positions(
        indicators, year, suppliers, [partner], min_share, min_imports_usd, sigma
    )
    table = _position_table(
        rows,
        rows[f.EXPORTER],
        descriptions,
        ("supplier", "supplier_share_of_partner_imports", "supplier_exports_to_partner_usd"),
        "partner_cost_of_losing_supplier_usd",
        OVER_COLUMNS,
    )
    table = _rank(table, "partner_cost_of_losing_supplier_usd", "supplier_exports_to_partner_usd")
    ranking = _supplier_ranking(table)
    summary: dict[str, Any] = {
        "suppliers": len(ranking),
        "positions": len(table),
        "partner_imports_covered_usd": float(table["supplier_exports_to_partner_usd"].sum()),
        "suppliers_ranked": ranking.head(top_suppliers).to_dict(orient="records"),
    }
    if home is not None:
        hit = ranking.index[ranking["supplier"] == home]
        summary["home"] = home
        summary["home_rank"] = int(hit[0]) + 1 if len(hit) else None
    missing = sorted(set(suppliers or ()) - set(flows[f.EXPORTER].astype(str)))
    return TableResult(
        kind="scan_over",
        params={
            "over": partner,
            "suppliers": "all" if suppliers is None else list(suppliers),
            "home": home,
            "dataset": indicators.dataset,
            "year": year,
            "level": indicators.level,
            "min_share": min_share,
            "min_imports_usd": min_imports_usd,
            "sigma": sigma,
        },
        rows=table,
        provenance=_provenance(indicators.manifest, year),
        assumptions=[
            *_assumptions(
                indicators.manifest,
                year=year,
                level=indicators.level,
                sigma=sigma,
                min_share=min_share,
                min_imports_usd=min_imports_usd,
                counterpart="suppliers",
                chosen=None if suppliers is None else list(suppliers),
                missing=missing,
            ),
            "suppliers_ranked (summary): suppliers ordered by the sum of their bounded costs to "
            "the partner over all codes; unbounded (sole-supplier) positions counted apart",
        ],
        columns=OVER_COLUMNS,
        summary=summary,
    )


def _supplier_ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Suppliers by the sum of their finite costs, with positions and sole-supplier counts."""
    cost = table["partner_cost_of_losing_supplier_usd"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "supplier": table["supplier"],
            "bounded_cost_usd": np.where(np.isfinite(cost), cost, 0.0),
            "exports_to_partner_usd": table["supplier_exports_to_partner_usd"],
            "sole": table["flags"].str.contains("sole_supplier"),
        }
    )
    grouped = frame.groupby("supplier", as_index=False).agg(
        partner_cost_bounded_total_usd=("bounded_cost_usd", "sum"),
        exports_to_partner_usd=("exports_to_partner_usd", "sum"),
        positions=("supplier", "size"),
        sole_supplier_positions=("sole", "sum"),
    )
    grouped = grouped.sort_values(
        ["partner_cost_bounded_total_usd", "exports_to_partner_usd", "supplier"],
        ascending=[False, False, True],
        kind="mergesort",
    ).reset_index(drop=True)
    grouped["sole_supplier_positions"] = grouped["sole_supplier_positions"].astype(int)
    return grouped


def _checked_positions(
    indicators: MarketIndicators,
    year: int | None,
    exporters: list[str] | None,
    importers: list[str] | None,
    min_share: float,
    min_imports_usd: float,
    sigma: float | None,
) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """The year, the flows read and :func:`_positions` of the exporters in the importers'."""
    year = _year(indicators, year)
    min_share = _check_share(min_share)
    min_imports_usd = _check_imports(min_imports_usd)
    if sigma is not None:
        sigma = validate_sigma(sigma)
    flows = indicators.flows(year=year, exporters=exporters, importers=importers)
    rows = _positions(
        indicators, flows, year, min_share=min_share, min_imports_usd=min_imports_usd, sigma=sigma
    )
    return year, flows, rows


def _position_table(
    rows: pd.DataFrame,
    country: pd.Series,
    descriptions: dict[str, str] | None,
    names: tuple[str, str, str],
    cost: str,
    columns: Sequence[str],
) -> pd.DataFrame:
    """The result table of :func:`_positions` rows, one country column named ``names[0]``.

    ``names``: the country column, its share of the partner's imports and its exports to
    the partner; ``cost``: the partner's cost of losing it.
    """
    who, share, exports = names
    codes = rows["code"].astype(str)
    return pd.DataFrame(
        {
            who: country.astype(str),
            f"{who}_name": _names(country.astype(str)),
            "code": codes,
            "description": _mapped(codes, descriptions or {}),
            share: rows["share"],
            "partner_imports_usd": rows["imports_usd"].astype(float),
            exports: rows[f.VALUE_USD].astype(float),
            cost: rows["cost"],
            "sigma": rows["sigma"],
            "top_supplier": rows["top_supplier"].astype(str),
            "top_supplier_share": rows["top_supplier_share"].astype(float),
            "partner_import_hhi": rows["import_hhi"].astype(float),
            "partner_suppliers": rows["suppliers"].astype(int),
            "flags": rows["flags"].astype("str"),
        },
        columns=list(columns),
    )
