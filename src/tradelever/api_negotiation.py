"""Negotiation analyses behind :class:`tradelever.api.Session`.

``Session.substitutes``, ``exposure``, ``formula``, ``concessions`` and ``peers`` call the
functions here; each validates its inputs, runs its Ibis queries once on the store, applies
the formulas of :mod:`tradelever.analysis` to the small result and returns a
:class:`~tradelever.analysis.result.TableResult` with provenance and assumptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradelever.analysis import formula as fm
from tradelever.analysis.bilateral import code_aggregates
from tradelever.analysis.concessions import CONCESSION_COLUMNS, concession_table
from tradelever.analysis.exposure import (
    EXPOSURE_COLUMNS,
    exposure_summary,
    exposure_table,
    validate_gdp,
)
from tradelever.analysis.leverage import LEVELS, product_code_expr
from tradelever.analysis.peers import PEER_COLUMNS, peer_flows, peer_rows
from tradelever.analysis.result import TableResult
from tradelever.analysis.substitution import SUBSTITUTION_COLUMNS, substitution_table
from tradelever.errors import InputError, UnknownCountryError, UnknownDatasetError
from tradelever.reference.countries import (
    country_name,
    group_members,
    group_names,
    resolve_country,
)

if TYPE_CHECKING:
    from tradelever.api import Session

__all__ = ["concessions", "exposure", "formula", "formula_annex", "peers", "substitutes"]

DEFAULT_DATASET = "icio2022"


@dataclass(frozen=True)
class _Context:
    dataset: str
    year: int
    level: str
    manifest: dict[str, Any]
    coded: Any
    descriptions: dict[str, str]
    provenance: dict[str, Any]
    assumptions: list[str]


def _context(session: Session, dataset: str, year: int | None, level: str | None) -> _Context:
    from tradelever.api import _provenance

    manifest = session.manifest(dataset)
    ds_level = manifest.get("level", "hs6")
    level = level or ("industry" if ds_level == "industry" else "hs6")
    if level not in LEVELS or level == "group":
        allowed = ", ".join(lv for lv in LEVELS if lv != "group")
        raise InputError(f"--level: {level!r} is not one of {allowed}")
    if (ds_level == "industry") != (level == "industry"):
        allowed = "industry" if ds_level == "industry" else "hs6, hs4 or hs2"
        raise InputError(f"--level: data set {dataset} supports level {allowed}, not {level}")
    year = session.resolve_year(dataset, year)
    coded = product_code_expr(session.store.table(dataset, "flows"), level)
    return _Context(
        dataset=dataset,
        year=year,
        level=level,
        manifest=manifest,
        coded=coded,
        descriptions=session.descriptions(dataset, level),
        provenance=_provenance(manifest, year),
        assumptions=[str(a) for a in manifest.get("assumptions", [])],
    )


def _countries(session: Session, dataset: str, **codes: str | None) -> dict[str, str]:
    available = session.countries(dataset)
    out: dict[str, str] = {}
    for parameter, code in codes.items():
        if code is None:
            continue
        name = parameter
        out[parameter] = resolve_country(code, available, parameter=name)
    values = list(out.values())
    if len(set(values)) != len(values):
        raise InputError(
            "home, --partner and --rival must be different countries, got "
            + ", ".join(f"{k}={v}" for k, v in out.items())
        )
    return out


def _params(ctx: _Context, **extra: Any) -> dict[str, Any]:
    return {**extra, "dataset": ctx.dataset, "year": ctx.year, "level": ctx.level}


def _industry_note(ctx: _Context) -> list[str]:
    if ctx.level != "industry":
        return []
    return [
        "industry level: codes are whole ICIO industries (ISIC Rev.4), including services "
        "industries; product-level (HS6) work needs a product data set"
    ]


# -- substitutes ----------------------------------------------------------------------------
def substitutes(
    session: Session,
    home: str,
    partner: str,
    rival: str,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    min_rca: float = 1.0,
    min_world_share: float = 0.0,
    min_rival_share: float = 0.0,
) -> TableResult:
    """Where ``partner`` buys from ``rival`` and ``home`` could credibly supply instead.

    See :mod:`tradelever.analysis.substitution` for the formulas and the capacity proxy.
    """
    if rival is None:
        raise InputError("--rival: rival substitution needs a rival country (e.g. --rival CHN)")
    ctx = _context(session, dataset, year, level)
    c = _countries(session, dataset, home=home, partner=partner, rival=rival)
    agg = code_aggregates(
        ctx.coded, year=ctx.year, home=c["home"], partner=c["partner"], rival=c["rival"]
    )
    rows = substitution_table(
        agg,
        descriptions=ctx.descriptions,
        min_rca=min_rca,
        min_world_share=min_world_share,
        min_rival_share=min_rival_share,
    )
    assumptions = [
        *ctx.assumptions,
        *_industry_note(ctx),
        f"credible supplier: home's Balassa RCA > {min_rca} and world export share >= "
        f"{min_world_share}; partner dependence: rival share of partner imports > "
        f"{min_rival_share}",
        "plausible_supply_usd = min(rival's sales to the partner, home's exports of the code "
        "to the rest of the world): home's proven exportable supply, redirected without new "
        "capacity; a ranking scale, not a forecast",
        "RCA and world shares use every code of the level in the data set as the total",
    ]
    return TableResult(
        kind="substitutes",
        params=_params(
            ctx,
            home=c["home"],
            partner=c["partner"],
            rival=c["rival"],
            min_rca=min_rca,
            min_world_share=min_world_share,
            min_rival_share=min_rival_share,
        ),
        rows=rows,
        provenance=ctx.provenance,
        assumptions=assumptions,
        columns=SUBSTITUTION_COLUMNS,
        summary={
            "products": len(rows),
            "plausible_supply_usd": float(rows["plausible_supply_usd"].sum()),
            "rival_exports_to_partner_usd": float(agg["rival_to_partner_usd"].sum()),
        },
    )


# -- exposure -------------------------------------------------------------------------------
def _icio_gdp(session: Session, dataset: str, country: str, year: int) -> float | None:
    """Sum of value added over the industries of ``country`` in a network data set."""
    try:
        nodes = session.store.table(dataset, "nodes")
    except UnknownDatasetError:  # no nodes table: a product data set
        return None
    if "value_added_usd" not in nodes.columns:
        return None
    t = nodes.filter((nodes["country"] == country) & (nodes["year"] == year))
    value = t["value_added_usd"].sum().to_pandas()
    return None if value is None or pd.isna(value) else float(value)


def exposure(
    session: Session,
    home: str,
    partner: str,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    gdp_usd: float | None = None,
) -> TableResult:
    """Home's exports to the partner by code, as shares of exports and GDP, and their room.

    GDP: ``gdp_usd`` when given; otherwise the data set's value added (``icio2022``);
    otherwise undefined. See :mod:`tradelever.analysis.exposure`.
    """
    gdp = validate_gdp(gdp_usd)
    ctx = _context(session, dataset, year, level)
    c = _countries(session, dataset, home=home, partner=partner)
    agg = code_aggregates(ctx.coded, year=ctx.year, home=c["home"], partner=c["partner"])
    gdp_source: str | None
    if gdp is not None:
        gdp_source = "given by the user (--gdp-usd)"
    else:
        gdp = _icio_gdp(session, dataset, c["home"], ctx.year)
        gdp_source = (
            f"value added of {c['home']} in data set {dataset} ({ctx.year}): sum over its "
            "industries of model output less intermediate inputs (GDP at basic prices)"
            if gdp is not None
            else None
        )
    rows = exposure_table(agg, descriptions=ctx.descriptions, gdp_usd=gdp)
    summary = exposure_summary(agg, gdp)
    summary["gdp_source"] = gdp_source
    assumptions = [*ctx.assumptions, *_industry_note(ctx)]
    if gdp_source is None:
        assumptions.append(
            "share_of_gdp not computed: the data set holds no value added and no offline GDP "
            "source is packaged; pass --gdp-usd (e.g. from the World Bank WDI, indicator "
            "NY.GDP.MKTP.CD) to compute it"
        )
    else:
        assumptions.append(f"GDP: {gdp_source}")
    assumptions.append(
        "rest_of_world_imports_usd = world imports of the code less the partner's and home's "
        "own imports; absorption assumes redirection at unchanged prices"
    )
    return TableResult(
        kind="exposure",
        params=_params(ctx, home=c["home"], partner=c["partner"]),
        rows=rows,
        provenance=ctx.provenance,
        assumptions=assumptions,
        columns=EXPOSURE_COLUMNS,
        summary=summary,
    )


# -- formula --------------------------------------------------------------------------------
def formula(
    session: Session | None,
    home: str,
    partner: str = "USA",
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    imports_usd: float | None = None,
    exports_usd: float | None = None,
    target_rate: float | None = None,
) -> TableResult:
    """The reciprocal formula for ``home`` from data (all years) or from given m and x.

    With ``imports_usd`` (m) and ``exports_usd`` (x) no data set is read; otherwise m and x
    are the partner's goods imports from and exports to home in the data set (one row per
    year; the summary is for ``year``, default the latest). See
    :mod:`tradelever.analysis.formula`.
    """
    if target_rate is not None:
        fm.additional_exports_needed(1.0, 0.0, target_rate)  # validates the target
    given = (imports_usd is not None, exports_usd is not None)
    assumptions: list[str]
    if any(given):
        if not all(given):
            missing = "--exports" if given[0] else "--imports"
            raise InputError(f"{missing}: give both --imports and --exports (US dollars)")
        m = fm._check_amount(imports_usd, "--imports")  # type: ignore[arg-type]
        x = fm._check_amount(exports_usd, "--exports")  # type: ignore[arg-type]
        if m <= 0:
            raise InputError("--imports: the partner's imports from home must be > 0")
        home_code = resolve_country(home, None, parameter="home")
        partner_code = resolve_country(partner, None, parameter="partner")
        if home_code == partner_code:
            raise InputError(f"--partner: must differ from home ({home_code})")
        trade = pd.DataFrame(
            {
                "year": [year],
                "partner_imports_from_home_usd": [m],
                "partner_exports_to_home_usd": [x],
            }
        )
        params: dict[str, Any] = {
            "home": home_code,
            "partner": partner_code,
            "dataset": None,
            "year": year,
            "level": None,
        }
        provenance: dict[str, Any] = {"source": "imports and exports given by the user"}
        assumptions = [
            "m and x given by the user (partner's goods imports from and exports to "
            "home, US dollars)"
        ]
        selected_year = year
    else:
        if session is None:
            raise InputError("dataset: a session is needed to read m and x from a data set")
        ctx = _context(session, dataset, year, None)
        members: list[str] | None = None
        if isinstance(home, str) and home.strip().upper() in {g.upper() for g in group_names()}:
            home_code = home.strip().upper()
            available = session.countries(dataset)
            members = [m for m in group_members(home_code) if m in available]
            if not members:
                raise InputError(f"home: no member of {home_code} is covered by {dataset}")
            partner_code = _countries(session, dataset, partner=partner)["partner"]
            if partner_code in members:
                raise InputError(f"--partner: {partner_code} is a member of {home_code}")
        else:
            c = _countries(session, dataset, home=home, partner=partner)
            home_code, partner_code = c["home"], c["partner"]
        goods = fm.goods_codes(ctx.level)
        trade = fm.bilateral_goods_trade(
            ctx.coded, home=members or home_code, partner=partner_code, codes=goods
        )
        if ctx.year not in set(trade["year"]):
            raise InputError(
                f"home: no goods trade between {home_code} and {partner_code} in {dataset} "
                f"{ctx.year}; the formula needs the partner's imports from home"
            )
        params = _params(ctx, home=home_code, partner=partner_code)
        provenance = ctx.provenance
        provenance = {**provenance, "years": [int(y) for y in trade["year"]]}
        assumptions = [*ctx.assumptions]
        if members is not None:
            params["members"] = members
            assumptions.append(
                f"home {home_code}: m and x summed over its {len(members)} members in {dataset} "
                "(trade among members not counted)"
            )
        if goods is not None:
            assumptions.append(
                "goods only: m and x sum the ICIO goods industries A01-B08 and C10T12-C31T33 "
                "(agriculture, mining except mining support services, manufacturing); "
                "services, utilities (D) and construction are excluded. icio2022 holds "
                "intermediate flows only, so m and x understate total goods trade and the "
                "formula rate can differ from the rate computed on customs data"
            )
        else:
            assumptions.append("m and x sum every product code of the data set (goods)")
        selected_year = ctx.year
    rows = fm.formula_rows(trade, target_rate)
    sel = rows[rows["year"].eq(selected_year)] if selected_year is not None else rows
    rec = (sel if len(sel) else rows).iloc[-1]
    annex = fm.announced_rate(home_code, partner_code)
    summary: dict[str, Any] = {
        "partner_imports_from_home_usd": float(rec["partner_imports_from_home_usd"]),
        "partner_exports_to_home_usd": float(rec["partner_exports_to_home_usd"]),
        "deficit_usd": float(rec["deficit_usd"]),
        "deficit_over_imports": float(rec["deficit_over_imports"]),
        "formula_rate": float(rec["formula_rate"]),
        "formula_rate_whole_percent": float(rec["formula_rate_whole_percent"]),
        "announced_rate": annex.rate if annex else None,
        "announced_rate_source": annex.source if annex else None,
    }
    if target_rate is not None:
        summary["target_rate"] = float(target_rate)
        summary["additional_partner_exports_needed_usd"] = float(
            rec["additional_partner_exports_needed_usd"]
        )
    assumptions.append(
        "formula_rate = max(0.10, (m - x) / (2 m)) (EO 14257 method: deficit over imports, "
        "halved, floor 10%); formula_rate_whole_percent rounds it up to a whole percent, as "
        "Annex I rates are whole percentages"
    )
    if annex is None:
        assumptions.append(
            "announced_rate: none: "
            + (
                "Annex I of EO 14257 lists US rates only"
                if partner_code != fm.ANNEX_PARTNER
                else f"{home_code} is not listed in Annex I (unlisted partners paid the 10% "
                "baseline; Canada and Mexico were under separate IEEPA orders)"
            )
        )
    else:
        note = " (the European Union's rate)" if annex.partner_name == "European Union" else ""
        assumptions.append(f"announced_rate: Annex I of EO 14257, 2 April 2025{note}")
    if target_rate is not None:
        assumptions.append(
            "additional_partner_exports_needed_usd = max(0, m - x - 2 m t): extra purchases "
            "from the partner that bring formula_rate to the target t, imports unchanged"
        )
        if target_rate <= fm.FLOOR_RATE:
            assumptions.append(
                "the target is at or below the 10% floor: the formula never goes below 10%, "
                "so the figure is the purchases that bring the rate to the floor"
            )
    cols = [
        "year",
        "partner_imports_from_home_usd",
        "partner_exports_to_home_usd",
        "deficit_usd",
        "deficit_over_imports",
        "formula_rate",
        "formula_rate_whole_percent",
    ]
    if target_rate is not None:
        cols.append("additional_partner_exports_needed_usd")
    return TableResult(
        kind="formula",
        params={**params, "target_rate": target_rate},
        rows=rows,
        provenance=provenance,
        assumptions=assumptions,
        columns=tuple(cols),
        summary=summary,
    )


def formula_annex(
    session: Session,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
) -> TableResult:
    """The formula on a data set for every Annex I partner, against the announced rate.

    One row per Annex I entry with a member in the data set (the European Union as one
    entry, its members' trade summed); shows how often rounding up and rounding to the
    nearest whole percent reproduce the announced rates. See
    :func:`tradelever.analysis.formula.annex_reproduction`.
    """
    ctx = _context(session, dataset, year, None)
    partner = _countries(session, dataset, partner=fm.ANNEX_PARTNER)["partner"]
    goods = fm.goods_codes(ctx.level)
    trade = fm.partner_trade_by_country(ctx.coded, partner=partner, year=ctx.year, codes=goods)
    rows, skipped = fm.annex_reproduction(trade, set(session.countries(dataset)))
    n = len(rows)
    summary = {
        "entries": n,
        "share_matching_rounded_up": float(rows["matches_rounded_up"].mean()) if n else None,
        "share_matching_nearest": float(rows["matches_nearest"].mean()) if n else None,
        "mean_absolute_difference": float(rows["difference"].abs().mean()) if n else None,
        "skipped": skipped,
    }
    assumptions = [
        *ctx.assumptions,
        "formula_rate = max(0.10, (m - x) / (2 m)) with m, x the US goods imports from and "
        "exports to the partner in the data set; difference = rounded-up rate - announced",
        "Annex I rates were computed by the US from 2024 US Census goods trade; a data set "
        "of another year, scope or valuation will not reproduce them exactly",
    ]
    if goods is not None:
        assumptions.append(
            "icio2022: intermediate goods only (goods industries A01-B08, C10T12-C31T33), "
            "2022: the formula here measures the intermediate-goods deficit, which differs "
            "widely from the total goods deficit (final goods such as consumer electronics, "
            "clothing and cars are missing)"
        )
    return TableResult(
        kind="formula_annex",
        params={"partner": partner, "dataset": ctx.dataset, "year": ctx.year, "level": ctx.level},
        rows=rows,
        provenance=ctx.provenance,
        assumptions=assumptions,
        columns=fm.ANNEX_COLUMNS,
        summary=summary,
    )


# -- concessions ----------------------------------------------------------------------------
def concessions(
    session: Session,
    home: str,
    partner: str,
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    target_rate: float = 0.10,
    min_rca: float = 1.0,
    min_world_share: float = 0.10,
) -> TableResult:
    """Purchases home could switch from third countries to the partner, ranked.

    The running total is set against the extra purchases that bring the reciprocal formula
    rate to ``target_rate`` (default 0.10, the floor). See
    :mod:`tradelever.analysis.concessions`.
    """
    ctx = _context(session, dataset, year, level)
    c = _countries(session, dataset, home=home, partner=partner)
    form = formula(
        session, c["home"], c["partner"], dataset=dataset, year=ctx.year, target_rate=target_rate
    )
    needed = form.summary["additional_partner_exports_needed_usd"]
    agg = code_aggregates(ctx.coded, year=ctx.year, home=c["home"], partner=c["partner"])
    goods = fm.goods_codes(ctx.level)
    rows = concession_table(
        agg,
        descriptions=ctx.descriptions,
        codes=goods,
        min_rca=min_rca,
        min_world_share=min_world_share,
        needed_usd=needed,
    )
    total = float(rows["switchable_usd"].sum())
    reach = rows.index[rows["cumulative_switchable_usd"] >= needed - 1e-9]
    summary = {
        "target_rate": target_rate,
        "formula_rate": form.summary["formula_rate"],
        "additional_partner_exports_needed_usd": needed,
        "total_switchable_usd": total,
        "covers_needed": bool(total >= needed - 1e-9),
        "products_to_cover_needed": (
            int(reach[0]) + 1 if len(reach) and needed > 0 else (0 if needed <= 0 else None)
        ),
    }
    assumptions = [
        *ctx.assumptions,
        *_industry_note(ctx),
        f"partner competitive: Balassa RCA > {min_rca} or world export share >= {min_world_share}",
        "switchable_usd = min(home's imports of the code from third countries, the partner's "
        "exports of it to third countries): redirected trade at unchanged prices, no new "
        "capacity",
        "additional_partner_exports_needed_usd from the reciprocal formula at target_rate "
        "(see `tradelever formula`)",
    ]
    if goods is not None:
        assumptions.append("rows restricted to ICIO goods industries (A01-B08, C10T12-C31T33)")
    return TableResult(
        kind="concessions",
        params=_params(
            ctx,
            home=c["home"],
            partner=c["partner"],
            target_rate=target_rate,
            min_rca=min_rca,
            min_world_share=min_world_share,
        ),
        rows=rows,
        provenance=ctx.provenance,
        assumptions=assumptions,
        columns=CONCESSION_COLUMNS,
        summary=summary,
    )


# -- peers ----------------------------------------------------------------------------------
def _peer_list(spec: str | list[str], available: list[str]) -> tuple[list[str], list[str]]:
    """Resolve peers to ISO3 codes; return (covered, skipped-not-in-data-set)."""
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    items = [s for s in items if s]
    if not items:
        raise InputError("--peers: give a group name (e.g. ASEAN) or ISO3 codes")
    covered: list[str] = []
    skipped: list[str] = []
    groups = {g.upper() for g in group_names()}
    for item in items:
        if item.upper() in groups:
            candidates = list(group_members(item))
        else:
            try:
                candidates = [resolve_country(item, None, parameter="peers")]
            except UnknownCountryError:
                raise
        for code in candidates:
            (covered if code in available else skipped).append(code)
    return list(dict.fromkeys(covered)), list(dict.fromkeys(skipped))


def peers(
    session: Session,
    home: str,
    partner: str,
    peers: str | list[str] = "ASEAN",
    *,
    dataset: str = DEFAULT_DATASET,
    year: int | None = None,
    level: str | None = None,
    sigma: float | None = None,
) -> TableResult:
    """Home and its peers side by side in the partner's market.

    ``peers`` is a group name (``ASEAN``, ``EU27``, ``G20``) or comma-separated ISO3 codes.
    Countries not in the data set (Timor-Leste in ``icio2022``) are skipped with a note;
    unknown codes are an error. See :mod:`tradelever.analysis.peers`.
    """
    ctx = _context(session, dataset, year, level)
    c = _countries(session, dataset, home=home, partner=partner)
    available = session.countries(dataset)
    covered, skipped = _peer_list(peers, available)
    dropped_partner = c["partner"] in covered
    countries = [c["home"], *[p for p in covered if p not in (c["home"], c["partner"])]]
    flows = peer_flows(ctx.coded, year=ctx.year, partner=c["partner"], countries=countries)
    leverage: dict[str, tuple[float, int]] = {}
    for country in countries:
        lev = session.leverage(
            country, c["partner"], dataset=dataset, year=ctx.year, level=ctx.level, sigma=sigma
        )
        cost = lev.rows["partner_cost_of_losing_home_usd"].astype(float)
        finite = cost[cost.map(math.isfinite)]
        leverage[country] = (float(finite.sum()), int((~cost.map(math.isfinite)).sum()))
    rows = peer_rows(
        flows,
        home=c["home"],
        countries=countries,
        leverage=leverage,
        goods=fm.goods_codes(ctx.level),
        names={k: country_name(k) for k in countries},
    )
    assumptions = [
        *ctx.assumptions,
        *_industry_note(ctx),
        "total_ces_leverage_usd: sum over codes of partner_cost_of_losing_home_usd from "
        "`tradelever leverage` with the country as home (finite terms; codes where the "
        "country is the sole supplier are counted in unbounded_leverage_codes)",
        "exposure = exports to the partner / total exports",
        "formula_rate = max(0.10, (m - x) / (2 m)) on goods trade with the partner",
        "overlap_with_home: share of home's sales to the partner in codes the country also "
        "sells there; export_similarity_with_home: Finger-Kreinin (1979) index in the "
        "partner's market (0 none, 1 identical mix)",
    ]
    if skipped:
        assumptions.append(
            "skipped (not covered by data set "
            f"{dataset}): " + ", ".join(f"{s} ({country_name(s)})" for s in skipped)
        )
    if dropped_partner:
        assumptions.append(f"the partner {c['partner']} is not listed as its own peer")
    return TableResult(
        kind="peers",
        params=_params(ctx, home=c["home"], partner=c["partner"], peers=peers),
        rows=rows,
        provenance=ctx.provenance,
        assumptions=assumptions,
        columns=PEER_COLUMNS,
        summary={"countries": len(rows), "skipped": skipped},
    )
