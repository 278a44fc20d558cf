"""Peers: the same indicators for comparable exporters, and their overlap with home.

Notation (DESIGN.md): V(i, j, k) flows in US dollars; p = partner, e = home, c = a peer;
M(p) = sum over k of M(p, k), X(c) = sum over k of X(c, k).

For every country c (home first, then the peers):

===============================  ============================================================
``exports_to_partner_usd``       V(c, p) = sum over k of V(c, p, k)
``share_of_partner_imports``     V(c, p) / M(p)
``total_ces_leverage_usd``       sum over k of the partner's CES cost of losing c (finite
                                 terms; see :mod:`tradelever.analysis.leverage`)
``exposure``                     V(c, p) / X(c)
``formula_rate``                 max(0.10, (m - x) / (2 m)), m = V(c, p), x = V(p, c) over
                                 goods (:mod:`tradelever.analysis.formula`)
``overlap_with_home``            sum over k of V(e, p, k) * [V(c, p, k) > 0] / V(e, p): the
                                 share of home's sales to p in codes where c also sells to p
``export_similarity_with_home``  Finger and Kreinin (1979) export similarity in p's market,
                                 sum over k of min(w_e(k), w_c(k)), w_i(k) = V(i, p, k) / V(i, p)
===============================  ============================================================

``overlap_with_home`` is a reach measure (1 when c sells p everything home sells, however
little); the Finger-Kreinin index (0 = no common codes, 1 = identical product mix) weights
by value and says how directly c competes with home there. Reference: Finger, J. M. and
Kreinin, M. E. (1979), "A Measure of 'Export Similarity' and Its Possible Uses",
*Economic Journal* 89(356): 905-912.

One reporter. On a data set of the partner's imports only (``census-us-2024``), X(c) is
unknown, so ``exposure`` is null (never V(c, p) / V(c, p) = 100%), and the partner's
exports to c are absent (x = 0 would give every country the 50% maximum), so the formula
rate is taken from the partner's goods balance with c in ``census-us-trade`` for the same
year (m, x on the Census basis of the April 2025 rates), or left null when that year is
not there. ``--peers EU27`` is the EU aggregate where the data set has it (EUU).

Groups. At group level the countries' totals (exports, shares, formula rate) are
product-level figures and do not depend on the level; ``total_ces_leverage_usd`` sums the
HS6 costs of the products in at least one group, each once, and the overlap and
similarity vectors are taken over the same products.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis import formula as fm
from tradelever.analysis.leverage import SIGMA, leverage
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
from tradelever.errors import InputError, TradeleverError
from tradelever.options import Analysis, Option
from tradelever.reference.countries import (
    EU_ALIASES,
    country_name,
    group_members,
    group_names,
    resolve_countries,
    resolve_country,
)

__all__ = [
    "PEERS",
    "PEER_COLUMNS",
    "export_similarity",
    "overlap_share",
    "peer_flows",
    "peer_list",
    "peer_rows",
    "peers",
]

PEER_COLUMNS = (
    "country",
    "name",
    "is_home",
    "exports_to_partner_usd",
    "share_of_partner_imports",
    "total_ces_leverage_usd",
    "unbounded_leverage_codes",
    "exposure",
    "exports_usd",
    "partner_goods_imports_usd",
    "partner_goods_exports_usd",
    "formula_rate",
    "overlap_with_home",
    "export_similarity_with_home",
)


def overlap_share(home: pd.Series, peer: pd.Series) -> float:
    """Share of home's value in codes where the peer also sells (both Series indexed by code).

    ``sum_k home(k) [peer(k) > 0] / sum_k home(k)``; NaN when home sells nothing.
    """
    h = home.astype(float)
    total = float(h.sum())
    if total <= 0:
        return float("nan")
    p = peer.reindex(h.index).fillna(0.0)
    return float(h[p > 0].sum()) / total


def export_similarity(home: pd.Series, peer: pd.Series) -> float:
    """Finger-Kreinin export similarity sum_k min(w_home(k), w_peer(k)) (0..1; NaN if empty)."""
    h = home.astype(float)
    p = peer.astype(float)
    if h.sum() <= 0 or p.sum() <= 0:
        return float("nan")
    idx = h.index.union(p.index)
    wh = h.reindex(idx).fillna(0.0) / h.sum()
    wp = p.reindex(idx).fillna(0.0) / p.sum()
    return float(np.minimum(wh, wp).sum())


def peer_flows(coded: Any, *, year: int, partner: str, countries: list[str]) -> dict[str, Any]:
    """Run the three queries peers need (each executed once).

    Returns
    -------
    dict
        ``to_partner``: DataFrame (exporter, code, value) of V(c, p, k) for the countries;
        ``from_partner``: DataFrame (importer, code, value) of V(p, c, k);
        ``exports``: Series X(c) by country; ``partner_imports``: M(p) (float).
    """
    t = coded.filter((coded[f.YEAR] == year) & (coded[f.EXPORTER] != coded[f.IMPORTER]))
    v = t[f.VALUE_USD]
    to_partner = (
        t.filter((t[f.IMPORTER] == partner) & t[f.EXPORTER].isin(countries))
        .group_by([f.EXPORTER, "code"])
        .aggregate(value=v.sum())
        .to_pandas()
    )
    from_partner = (
        t.filter((t[f.EXPORTER] == partner) & t[f.IMPORTER].isin(countries))
        .group_by([f.IMPORTER, "code"])
        .aggregate(value=v.sum())
        .to_pandas()
    )
    exports = (
        t.filter(t[f.EXPORTER].isin(countries))
        .group_by(f.EXPORTER)
        .aggregate(value=v.sum())
        .to_pandas()
    )
    m_p = t.filter(t[f.IMPORTER] == partner)[f.VALUE_USD].sum().to_pandas()
    for frame in (to_partner, from_partner, exports):
        frame["value"] = frame["value"].astype(float)
    return {
        "to_partner": to_partner,
        "from_partner": from_partner,
        "exports": exports.set_index(f.EXPORTER)["value"],
        "partner_imports": 0.0 if m_p is None or pd.isna(m_p) else float(m_p),
    }


def peer_rows(
    flows: dict[str, Any],
    *,
    home: str,
    countries: list[str],
    leverage: dict[str, tuple[float, int]],
    goods: tuple[str, ...] | None,
    names: dict[str, str] | None = None,
    vectors: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Build one row per country from :func:`peer_flows` output and per-country leverage.

    Parameters
    ----------
    flows
        Output of :func:`peer_flows`.
    home
        Home ISO3 (first row, ``is_home`` true).
    countries
        Home and the peers, in output order.
    leverage
        Country -> (sum of finite CES costs in US dollars, number of unbounded codes).
    goods
        Codes counted as goods for the formula (``None``: all).
    names
        ISO3 -> display name.
    vectors
        :func:`peer_flows` output restricted to the codes the overlap and similarity are
        taken over (group level: the union of the groups' products); default ``flows``.
    """
    from tradelever.analysis.formula import formula_rate

    to_p = flows["to_partner"]
    from_p = flows["from_partner"]
    m_p = flows["partner_imports"]

    def by_code(frame: pd.DataFrame, key: str, country: str) -> pd.Series:
        part = frame[frame[key] == country]
        return part.groupby("code")["value"].sum()

    restricted = (vectors or flows)["to_partner"]
    home_vec = by_code(restricted, f.EXPORTER, home)
    rows = []
    for c in countries:
        vec = by_code(to_p, f.EXPORTER, c)
        overlap_vec = by_code(restricted, f.EXPORTER, c)
        back = by_code(from_p, f.IMPORTER, c)
        v_cp = float(vec.sum())
        x_c = float(flows["exports"].get(c, 0.0))
        m_goods = float(vec[vec.index.isin(goods)].sum()) if goods is not None else v_cp
        x_goods = (
            float(back[back.index.isin(goods)].sum()) if goods is not None else float(back.sum())
        )
        lev, unbounded = leverage.get(c, (float("nan"), 0))
        rows.append(
            {
                "country": c,
                "name": (names or {}).get(c, c),
                "is_home": c == home,
                "exports_to_partner_usd": v_cp,
                "share_of_partner_imports": v_cp / m_p if m_p > 0 else float("nan"),
                "total_ces_leverage_usd": lev,
                "unbounded_leverage_codes": int(unbounded),
                "exposure": v_cp / x_c if x_c > 0 else float("nan"),
                "exports_usd": x_c,
                "partner_goods_imports_usd": m_goods,
                "partner_goods_exports_usd": x_goods,
                "formula_rate": formula_rate(m_goods, x_goods) if m_goods > 0 else float("nan"),
                "overlap_with_home": overlap_share(home_vec, overlap_vec),
                "export_similarity_with_home": export_similarity(home_vec, overlap_vec),
            }
        )
    return pd.DataFrame(rows, columns=list(PEER_COLUMNS))


# -- the analysis: options, orchestration, assumptions ---------------------------------------
PEERS = Analysis(
    name="peers",
    command="peers",
    summary="Home and its peers (ASEAN by default) in the partner's market",
    options=(
        HOME,
        PARTNER,
        Option(
            "peers",
            str,
            "ASEAN",
            "Group (ASEAN, EU27, G20) or ISO3 codes, comma-separated.",
            min_length=1,
            max_length=1000,
        ),
        DATASET_BY_QUESTION,
        YEAR,
        LEVEL,
        SIGMA.but(help="One elasticity of substitution (> 1) for the leverage."),
    ),
    levels=("industry", "hs10", "hs8", "hs6", "hs4", "hs2", "group"),
)


def _balance_formula(request: Request, rows: pd.DataFrame, partner: str) -> str:
    """Fill m, x and the formula rate from census-us-trade; return the assumption sentence."""
    from tradelever.analysis.balance import annual_balance
    from tradelever.analysis.formula import formula_rate
    from tradelever.store.dataset import DatasetView

    trade = "census-us-trade"
    try:
        view = DatasetView(request.view.store, trade)
        table = annual_balance(view.table("balance").to_pandas(), request.year)
    except TradeleverError:
        rows[["partner_goods_exports_usd", "formula_rate"]] = float("nan")
        return (
            f"formula_rate null: {request.dataset} holds no exports of {partner}, and "
            f"{trade} has no complete year {request.year}"
        )
    by = table.set_index("partner")
    m = rows["country"].map(by["imports_usd"])
    x = rows["country"].map(by["exports_usd"])
    rows["partner_goods_imports_usd"] = m.to_numpy(float)
    rows["partner_goods_exports_usd"] = x.to_numpy(float)
    rows["formula_rate"] = [
        formula_rate(a, b) if pd.notna(a) and a > 0 and pd.notna(b) else float("nan")
        for a, b in zip(m, x, strict=True)
    ]
    return (
        f"formula_rate = max(0.10, (m - x) / (2 m)) with m and x the partner's goods imports "
        f"from and exports to each country in {request.year} from {trade} (the Census goods "
        f"balance the April 2025 rates were computed from; {request.dataset} holds no "
        f"exports of {partner})"
    )


def peer_list(spec: str | list[str], available: list[str]) -> tuple[list[str], list[str]]:
    """Resolve peers to ISO3 codes; return (covered by the data set, skipped: not covered)."""
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    items = [s for s in items if s]
    if not items:
        raise InputError("give a group name (e.g. ASEAN) or ISO3 codes", parameter="peers")
    covered: list[str] = []
    skipped: list[str] = []
    groups = {g.upper() for g in group_names()}
    for item in items:
        if item.upper() in EU_ALIASES:  # the aggregate where the data have it (EUU)
            candidates = resolve_countries(item, available, parameter="peers")
        elif item.upper() in groups:
            candidates = list(group_members(item))
        else:
            candidates = [resolve_country(item, None, parameter="peers")]
        for code in candidates:
            (covered if code in available else skipped).append(code)
    return list(dict.fromkeys(covered)), list(dict.fromkeys(skipped))


def peers(
    request: Request, peers: str | list[str] = "ASEAN", *, sigma: float | None = None
) -> TableResult:
    """Home and its peers side by side in the partner's market.

    ``peers`` is a group name (``ASEAN``, ``EU27``, ``G20``) or comma-separated ISO3 codes.
    Countries not in the data set (Timor-Leste in ``icio2022``) are skipped with a note;
    unknown codes are an error. Each country's CES leverage is
    :func:`tradelever.analysis.leverage.leverage` with it as home.
    """
    PEERS.check(sigma=sigma)
    home, partner = str(request.home), str(request.partner)
    reporters = request.reporters
    check_partner_reported(reporters, partner, dataset=request.dataset)
    covered, skipped = peer_list(peers, request.view.countries())
    dropped_partner = partner in covered
    countries = [home, *[p for p in covered if p not in (home, partner)]]
    grouped = request.level == "group" and request.selector is not None
    lever_request = request
    members: set[str] | None = None
    if grouped:
        # Country totals at product level; leverage at HS6 over the groups' products, once.
        flows_all = request.flows.mutate(code=request.flows[f.PRODUCT])
        lever_request = replace(
            request,
            level="hs6",  # its ``coded`` is the flows at HS6
            selector=None,
            groups=None,
        )
        members = {str(p)[:6] for p in request.selector[f.PRODUCT]}
    else:
        flows_all = request.coded
    flows = peer_flows(flows_all, year=request.year, partner=partner, countries=countries)
    lever: dict[str, tuple[float, int]] = {}
    for country in countries:
        lev = leverage(lever_request.for_home(country), sigma=sigma)
        cost_rows = lev.rows
        if members is not None:
            cost_rows = cost_rows[cost_rows["code"].isin(members)]
        cost = cost_rows["partner_cost_of_losing_home_usd"].astype(float)
        finite = cost[cost.map(math.isfinite)]
        lever[country] = (float(finite.sum()), int((~cost.map(math.isfinite)).sum()))
    vectors = None
    if grouped and request.selector is not None:
        union = set(request.selector[f.PRODUCT].astype(str))
        vectors = {
            **flows,
            "to_partner": flows["to_partner"][flows["to_partner"]["code"].isin(union)],
        }
    rows = peer_rows(
        flows,
        home=home,
        countries=countries,
        leverage=lever,
        goods=fm.goods_codes(request.level),
        names={k: country_name(k) for k in countries},
        vectors=vectors,
    )
    formula_note = "formula_rate = max(0.10, (m - x) / (2 m)) on goods trade with the partner"
    if reporters is not None:
        rows["exposure"] = float("nan")
        rows["exports_usd"] = float("nan")
        formula_note = _balance_formula(request, rows, partner)
    assumptions = [
        *request.assumptions,
        *industry_note(request),
        "total_ces_leverage_usd: sum over codes of partner_cost_of_losing_home_usd from "
        "`tradelever leverage` with the country as home (finite terms; codes where the "
        "country is the sole supplier are counted in unbounded_leverage_codes)",
        "exposure = exports to the partner / total exports"
        + (
            f"; null: {request.dataset} holds only the imports of {', '.join(reporters)}, so "
            "each country's total exports are unknown"
            if reporters is not None
            else ""
        ),
        formula_note,
        "overlap_with_home: share of home's sales to the partner in codes the country also "
        "sells there; export_similarity_with_home: Finger-Kreinin (1979) index in the "
        "partner's market (0 none, 1 identical mix)",
    ]
    if skipped:
        assumptions.append(
            f"skipped (not covered by data set {request.dataset}): "
            + ", ".join(f"{s} ({country_name(s)})" for s in skipped)
        )
    if dropped_partner:
        assumptions.append(f"the partner {partner} is not listed as its own peer")
    return TableResult(
        kind="peers",
        params=request.params(home=home, partner=partner, peers=peers),
        rows=rows,
        provenance=request.provenance,
        assumptions=assumptions,
        columns=PEER_COLUMNS,
        summary={"countries": len(rows), "skipped": skipped},
    )
