"""Run a tariff scenario on a data set: load flows once, build the schedule, solve.

The flows of the scenario's importers for one year are read with one Ibis query
(``Store.table(dataset, "flows")``, filtered on year and importers, summed by importer,
exporter and product, executed once), so DuckDB and Spark run the same code. Markets
(importer, product) where no rate changes are dropped before solving; every other market
is solved at once by :func:`~tradelever.analysis.scenarios.pe_smart.smart` or
:func:`~tradelever.analysis.scenarios.pe_ces.ces`.

With a home country the run also splits home's effect into the effect of its own tariffs
(everyone else at baseline rates) and the effect of the tariffs on everyone else (home at
its baseline rate: the diversion gain from tariffs on rivals), each a model run of its own;
the two are combined by a Shapley split so that they add up to the total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.result import TableResult, json_value
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.pe_ces import ces
from tradelever.analysis.scenarios.pe_smart import PEOutcome, smart
from tradelever.analysis.scenarios.rates import RowIndex, code_elasticities, schedule
from tradelever.analysis.scenarios.selectors import Notes, resolve_countries_spec
from tradelever.analysis.scenarios.uncertainty import draw_elasticities, percentiles
from tradelever.errors import InputError

__all__ = [
    "MODES",
    "ROW_FIELDS",
    "ScenarioResult",
    "compare_home",
    "load_flows",
    "run_on_flows",
    "scenario_importers",
]

Mode = Literal["smart", "ces"]
MODES = ("ces", "smart")
Progress = Callable[[int, int], None]
ROW_FIELDS = (
    "importer",
    "exporter",
    "code",
    "description",
    "baseline_imports_usd",
    "old_rate",
    "new_rate",
    "trade_creation_usd",
    "trade_diversion_usd",
    "total_effect_usd",
    "change_pct",
    "export_price_change",
)
_MAX_ROW_DRAW_CELLS = 20_000_000


@dataclass(frozen=True)
class ScenarioResult(TableResult):
    """Rows per (importer, exporter, code) plus markets, exporters and the home view.

    ``rows`` are in market order (importer, product; suppliers as in the data);
    :meth:`head` returns the largest effects first. ``markets`` and ``exporters`` are
    sorted by total effect, most negative first.

    JSON: ``{params..., provenance, assumptions, summary, rows, markets, exporters,
    home_summary?, uncertainty?}``.
    """

    markets: pd.DataFrame = field(default_factory=pd.DataFrame)
    exporters: pd.DataFrame = field(default_factory=pd.DataFrame)
    home: dict[str, Any] | None = None
    home_rows: pd.DataFrame | None = None
    uncertainty: dict[str, Any] | None = None

    def head(self, n: int | None) -> ScenarioResult:
        """The ``n`` rows with the largest absolute total effect, largest first (None/0: all)."""
        if n is None or n == 0:
            return self
        if n < 0:
            raise InputError(f"--top: must be 0 or more, got {n}")
        top = self.rows["total_effect_usd"].abs().nlargest(n).index
        return replace(self, rows=self.rows.loc[top].reset_index(drop=True))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready object (see class docstring)."""
        out = super().to_dict()
        out["markets"] = [json_value(r) for r in self.markets.to_dict(orient="records")]
        out["exporters"] = [json_value(r) for r in self.exporters.to_dict(orient="records")]
        if self.home is not None:
            home = dict(self.home)
            if self.home_rows is not None:
                home["rows"] = [json_value(r) for r in self.home_rows.to_dict(orient="records")]
            out["home_summary"] = json_value(home)
        if self.uncertainty is not None:
            out["uncertainty"] = json_value(self.uncertainty)
        return out


def scenario_importers(scenario: Scenario) -> list[str] | None:
    """ISO3 importers named by the scenario, or None when a measure covers all importers."""
    out: set[str] = set()
    specs = [(m.importer, f"measures[{n}].importer") for n, m in enumerate(scenario.measures)]
    specs += [(b.importer, f"baseline[{n}].importer") for n, b in enumerate(scenario.baseline)]
    for spec, path in specs:
        sel = resolve_countries_spec(spec, path)
        if sel.include is None:
            return None
        out |= set(sel.include)
    return sorted(out)


def load_flows(
    flows: Any, *, year: int, importers: list[str] | None, unique: bool = False
) -> pd.DataFrame:
    """Importer, exporter, code, value_usd for one year (international flows, one query).

    Parameters
    ----------
    flows
        Ibis table of canonical flows.
    year
        Year to keep.
    importers
        ISO3 importers to keep (None: all).
    unique
        The data set has one row per (year, exporter, importer, product), as its manifest
        records with ``unique_flow_keys`` (BACI after ingest, icio2022): the rows are read as
        they are instead of summed by key, which saves most of the query time on a large year.
    """
    t = flows.filter((flows[f.YEAR] == year) & (flows[f.EXPORTER] != flows[f.IMPORTER]))
    if importers is not None:
        t = t.filter(t[f.IMPORTER].isin(importers))
    if unique:
        t = t.select(f.IMPORTER, f.EXPORTER, f.PRODUCT, value=t[f.VALUE_USD])
    else:
        t = t.group_by([f.IMPORTER, f.EXPORTER, f.PRODUCT]).aggregate(value=t[f.VALUE_USD].sum())
    import pyarrow as pa
    import pyarrow.compute as pc

    table = t.filter(t["value"] > 0).to_pyarrow()
    # Country and product codes come back dictionary-encoded (pandas categoricals): the
    # model works on their integer codes and never materialises millions of strings.
    columns = {
        "importer": pc.dictionary_encode(table[f.IMPORTER].cast(pa.string())),
        "exporter": pc.dictionary_encode(table[f.EXPORTER].cast(pa.string())),
        "code": pc.dictionary_encode(table[f.PRODUCT].cast(pa.string())),
        "value": table["value"].cast(pa.float64()),
    }
    return pa.table(columns).to_pandas()


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and unique values of a column (categorical or not)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories.astype(str), dtype=object)
        return column.cat.codes.to_numpy(dtype=np.int64), cats
    idx, uniques = pd.factorize(column.astype(str), sort=True)
    return np.asarray(idx, dtype=np.int64), np.asarray(uniques, dtype=object)


def _solve(mode: str) -> Callable[..., PEOutcome]:
    if mode == "smart":
        return smart
    if mode == "ces":
        return ces
    raise InputError(f"--mode: {mode!r} is not one of {', '.join(MODES)}")


@dataclass(frozen=True)
class _Prepared:
    rows: RowIndex
    value: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    sigma: np.ndarray
    eps_m: np.ndarray
    eps_x: np.ndarray
    sigma_source: np.ndarray
    keep: np.ndarray  # rows in markets where a rate changes
    market: np.ndarray  # market id of kept rows (0..n_markets-1)
    n_markets: int
    all_kept: bool = False


def _prepare(
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    industry_level: bool,
    classification: str,
    notes: Notes,
) -> _Prepared:
    imp_idx, imp_u = _codes(frame[f.IMPORTER])
    exp_idx, exp_u = _codes(frame[f.EXPORTER])
    code_idx, code_u = _codes(frame["code"])
    rows = RowIndex(
        imp_idx=imp_idx,
        imp_u=imp_u,
        exp_idx=exp_idx,
        exp_u=exp_u,
        code_idx=code_idx,
        code_u=code_u,
        industry_level=industry_level,
        classification=classification,
    )
    sched = schedule(scenario, rows, notes)
    market_all = rows.imp_idx.astype(np.int64) * max(len(code_u), 1) + rows.code_idx
    changed = sched.t0 != sched.t1
    n_all = int(market_all.max()) + 1 if len(market_all) else 0
    market_changed = np.bincount(market_all, weights=changed, minlength=n_all) > 0
    keep = market_changed[market_all]
    new_id = np.cumsum(market_changed) - 1  # ids of changed markets, in market order
    market = new_id[market_all[keep]]
    n_changed = int(market_changed.sum())
    el = code_elasticities(scenario, rows.code_u, classification, notes)
    cidx = rows.code_idx
    return _Prepared(
        rows=rows,
        value=frame["value"].to_numpy(dtype=float),
        t0=sched.t0,
        t1=sched.t1,
        sigma=el.sigma[cidx],
        eps_m=el.import_demand[cidx],
        eps_x=el.export_supply[cidx],
        sigma_source=el.sigma_source,
        keep=keep,
        market=market,
        n_markets=n_changed,
        all_kept=bool(keep.all()),
    )


def _run(p: _Prepared, mode: str, t1: np.ndarray | None = None, elast: Any = None) -> PEOutcome:
    k = slice(None) if p.all_kept else p.keep  # a slice avoids copying every array
    sigma, eps_m, eps_x = (p.sigma[k], p.eps_m[k], p.eps_x[k]) if elast is None else elast
    return _solve(mode)(
        p.market,
        p.value[k],
        p.t0[k],
        (p.t1 if t1 is None else t1)[k],
        sigma,
        eps_m,
        eps_x,
        n_markets=p.n_markets,
    )


def run_on_flows(
    frame: pd.DataFrame,
    scenario: Scenario,
    *,
    mode: str = "ces",
    home: str | None = None,
    draws: int = 0,
    industry_level: bool,
    classification: str,
    descriptions: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    assumptions: list[str] | None = None,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Solve a scenario on a flows frame (importer, exporter, code, value).

    Parameters
    ----------
    frame
        International flows of one year, US$, one row per (importer, exporter, code).
    scenario
        A resolved scenario (``extends`` merged).
    mode
        ``ces`` (default) or ``smart``.
    home
        ISO3 code for the home view (own-tariff and rival-tariff effects), or None.
    draws
        Monte Carlo draws over the elasticities (0: none).
    industry_level, classification
        Whether codes are ICIO industries, and the classification (for default sigmas).
    descriptions
        Code -> description.
    params, provenance, assumptions
        Passed through to the result (the data set's provenance and assumptions).
    progress
        Called as ``progress(done, total)`` during the draws.

    Returns
    -------
    ScenarioResult
    """
    if draws < 0:
        raise InputError(f"--draws: must be 0 or more, got {draws}")
    notes = Notes()
    p = _prepare(
        frame, scenario, industry_level=industry_level, classification=classification, notes=notes
    )
    descriptions = descriptions or {}
    rows = p.rows
    k = slice(None) if p.all_kept else p.keep  # a slice avoids copies
    out = _run(p, mode)
    imp_i, exp_i, code_i = rows.imp_idx[k], rows.exp_idx[k], rows.code_idx[k]
    base = p.value[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base > 0, out.total / base, np.nan)
    desc_u = np.asarray([descriptions.get(c, "") for c in rows.code_u], dtype=object)
    desc_cats, desc_of_code = np.unique(desc_u.astype(str), return_inverse=True)

    # Rows stay in market order (importer, product); head(n) picks the largest effects.
    def cat(idx: np.ndarray, uniques: np.ndarray) -> pd.Categorical:
        return pd.Categorical.from_codes(idx, categories=pd.Index(uniques).astype(str))

    row_frame = pd.DataFrame(
        {
            "importer": cat(imp_i, rows.imp_u),
            "exporter": cat(exp_i, rows.exp_u),
            "code": cat(code_i, rows.code_u),
            "description": pd.Categorical.from_codes(
                desc_of_code[code_i], categories=pd.Index(desc_cats)
            ),
            "baseline_imports_usd": base,
            "old_rate": p.t0[k],
            "new_rate": p.t1[k],
            "trade_creation_usd": out.creation,
            "trade_diversion_usd": out.diversion,
            "total_effect_usd": out.total,
            "change_pct": pct,
            "export_price_change": out.export_price_change,
        },
        copy=False,
    )

    # markets
    first = np.full(p.n_markets, -1, dtype=np.int64)
    first[p.market[::-1]] = np.arange(len(p.market))[::-1]
    m_imp = pd.Categorical.from_codes(imp_i[first], categories=pd.Index(rows.imp_u).astype(str))
    m_code = pd.Categorical.from_codes(code_i[first], categories=pd.Index(rows.code_u).astype(str))
    m_desc = pd.Categorical.from_codes(desc_of_code[code_i[first]], categories=pd.Index(desc_cats))
    markets = (
        pd.DataFrame(
            {
                "importer": m_imp,
                "code": m_code,
                "description": m_desc,
                "baseline_imports_usd": out.market_baseline,
                "total_effect_usd": out.market_total,
                "tariff_revenue_change_usd": out.revenue_change,
                "welfare_usd": out.welfare,
                "consumer_surplus_usd": out.consumer_surplus,
                "price_index_change": out.price_index_change,
                "sigma": p.sigma[k][first],
                "import_demand": p.eps_m[k][first],
                "export_supply": p.eps_x[k][first],
            },
            copy=False,
        )
        .sort_values("total_effect_usd", kind="stable")
        .reset_index(drop=True)
    )

    # exporters (sums over their rows in changed markets; scope = all their exports loaded)
    n_exp = len(rows.exp_u)

    def by_exporter(values: np.ndarray) -> np.ndarray:
        return np.bincount(exp_i, weights=values, minlength=n_exp)

    present = np.bincount(exp_i, minlength=n_exp) > 0
    scope = np.bincount(rows.exp_idx, weights=p.value, minlength=n_exp)
    exporters = pd.DataFrame(
        {
            "exporter": rows.exp_u,
            "baseline_imports_usd": by_exporter(base),
            "trade_creation_usd": by_exporter(out.creation),
            "trade_diversion_usd": by_exporter(out.diversion),
            "total_effect_usd": by_exporter(out.total),
            "exports_to_importers_usd": scope,
        }
    )[present]
    with np.errstate(divide="ignore", invalid="ignore"):
        exporters["change_pct"] = (
            exporters["total_effect_usd"] / exporters["exports_to_importers_usd"]
        )
    exporters = exporters.sort_values("total_effect_usd", kind="stable").reset_index(drop=True)

    if mode == "smart":
        over = int(np.count_nonzero(base + out.total < -1e-9 * np.maximum(base, 1.0)))
        if over:
            notes.add(
                f"in {over} rows SMART's trade creation and diversion together exceed the "
                "initial imports: the two linear formulas are computed independently on the "
                "initial flows, as in WITS, and are meant for small changes; the CES mode "
                "(--mode ces) keeps imports non-negative"
            )
    summary = {
        "markets_changed": int(p.n_markets),
        "rows": len(row_frame),
        "baseline_imports_usd": float(p.value.sum()),
        "baseline_imports_in_changed_markets_usd": float(base.sum()),
        "total_effect_usd": float(out.total.sum()),
        "trade_creation_usd": float(out.creation.sum()),
        "trade_diversion_usd": float(out.diversion.sum()),
        "tariff_revenue_change_usd": float(out.revenue_change.sum()),
        "welfare_usd": float(out.welfare.sum()),
    }
    if mode == "ces":
        summary["consumer_surplus_usd"] = float(out.consumer_surplus.sum())

    home_info, home_rows = None, None
    if home is not None:
        home_info, home_rows = _home_view(p, mode, out, home, descriptions)
    unc = None
    if draws > 0:
        unc = _draws(p, mode, scenario, draws, home, progress)
        unc_spec = scenario.elasticities.uncertainty
        notes.add(
            f"ranges from {draws} Monte Carlo draws over the elasticities (one log-normal "
            "factor per elasticity and draw, common to all products; 90% ranges of the "
            f"factors: substitution (sigma - 1) {list(unc_spec.substitution)}, "
            f"import demand {list(unc_spec.import_demand)}, export supply "
            f"{list(unc_spec.export_supply)}; seed {unc_spec.seed})"
        )
    model_note = (
        "model: WITS-SMART partial equilibrium (trade creation with the import demand "
        "elasticity; Laird-Yeats trade diversion shared pro rata, capped at existing trade; "
        "welfare = change in the dead-weight-loss triangle)"
        if mode == "smart"
        else "model: CES (Armington) partial equilibrium in exact hat algebra, one market per "
        "importer and product; creation = each supplier's initial share of the change in "
        "the market's imports, diversion = the change in its share; welfare = consumer "
        "surplus + tariff revenue"
    )
    all_assumptions = [
        *(assumptions or []),
        model_note,
        f"tariff schedule: scenario {scenario.name}"
        + (f" as of {scenario.date}" if scenario.date else ""),
        *scenario.assumptions,
        *notes.items,
        "partial equilibrium: no income, exchange-rate or input-output effects; markets "
        "where no rate changes are not reported",
    ]
    prov = dict(provenance or {})
    prov["scenario"] = {
        "name": scenario.name,
        "date": scenario.date,
        "sources": scenario.sources,
        "measures": [
            {"basis": m.basis, "source": m.source, "effective": m.effective}
            for m in scenario.measures
        ],
    }
    return ScenarioResult(
        kind="scenario",
        params=dict(params or {}),
        rows=row_frame,
        provenance=json_value(_dates(prov)),
        assumptions=all_assumptions,
        columns=tuple(c for c in ROW_FIELDS if c in row_frame.columns),
        summary=summary,
        markets=markets,
        exporters=exporters,
        home=home_info,
        home_rows=home_rows,
        uncertainty=unc,
    )


def _dates(obj: Any) -> Any:
    """Dates as ISO strings (recursively), for JSON."""
    import datetime as dt

    if isinstance(obj, dict):
        return {k: _dates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_dates(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def _home_view(
    p: _Prepared, mode: str, out: PEOutcome, home: str, descriptions: dict[str, str]
) -> tuple[dict[str, Any], pd.DataFrame]:
    rows, k = p.rows, p.keep
    exp_all = rows.exp_u[rows.exp_idx]
    is_home_all = exp_all == home
    is_home = is_home_all[k]
    # Own tariffs only: everyone else at baseline. Others' tariffs only: home at baseline.
    t_own = np.where(is_home_all, p.t1, p.t0)
    t_others = np.where(is_home_all, p.t0, p.t1)
    own_alone = _run(p, mode, t1=t_own).total[is_home]
    others_alone = _run(p, mode, t1=t_others).total[is_home]
    total = out.total[is_home]
    # Shapley split of the two factors: each gets its average marginal contribution.
    own = 0.5 * (own_alone + (total - others_alone))
    others = 0.5 * (others_alone + (total - own_alone))
    code = rows.code_u[rows.code_idx[k]][is_home]
    imp = rows.imp_u[rows.imp_idx[k]][is_home]
    frame = (
        pd.DataFrame(
            {
                "importer": imp,
                "code": code,
                "description": [descriptions.get(c, "") for c in code],
                "baseline_exports_usd": p.value[k][is_home],
                "old_rate": p.t0[k][is_home],
                "new_rate": p.t1[k][is_home],
                "total_effect_usd": total,
                "own_tariff_effect_usd": own,
                "rival_tariff_effect_usd": others,
                "own_tariffs_alone_usd": own_alone,
                "rival_tariffs_alone_usd": others_alone,
            }
        )
        .sort_values("total_effect_usd", kind="stable")
        .reset_index(drop=True)
    )
    info = {
        "home": home,
        "exports_to_importers_usd": float(p.value[is_home_all].sum()),
        "exports_in_changed_markets_usd": float(p.value[k][is_home].sum()),
        "total_effect_usd": float(total.sum()),
        "losses_usd": float(total[total < 0].sum()),
        "gains_usd": float(total[total > 0].sum()),
        "own_tariff_effect_usd": float(own.sum()),
        "rival_tariff_effect_usd": float(others.sum()),
        "own_tariffs_alone_usd": float(own_alone.sum()),
        "rival_tariffs_alone_usd": float(others_alone.sum()),
        "explanation": "own_tariffs_alone: home's new rates with every other supplier at its "
        "baseline rate; rival_tariffs_alone: every other supplier's new rates with home at its "
        "baseline rate (positive = diversion gain from tariffs on rivals); own_tariff_effect "
        "and rival_tariff_effect split the total between the two (Shapley: the average of "
        "each factor's effect alone and its effect given the other), so they add up to "
        "total_effect",
    }
    return info, frame


def _draws(
    p: _Prepared,
    mode: str,
    scenario: Scenario,
    n: int,
    home: str | None,
    progress: Progress | None,
) -> dict[str, Any]:
    """Percentiles over elasticity draws: world, per exporter, home and (if small) rows."""
    rows, k = p.rows, p.keep
    exp_idx = rows.exp_idx[k]
    n_exp = len(rows.exp_u)
    sub = np.ones(int(k.sum()), dtype=bool)
    if home is not None:
        # Only the markets home supplies matter for the home view: solve those alone.
        home_markets = np.unique(p.market[rows.exp_u[exp_idx] == home])
        sub = np.isin(p.market, home_markets)
    market = np.searchsorted(np.unique(p.market[sub]), p.market[sub])
    n_m = int(market.max()) + 1 if len(market) else 0
    args = (p.value[k][sub], p.t0[k][sub], p.t1[k][sub])
    sigma, eps_m, eps_x = p.sigma[k][sub], p.eps_m[k][sub], p.eps_x[k][sub]
    d = draw_elasticities(scenario.elasticities.uncertainty, n)
    solve = _solve(mode)
    n_rows = int(sub.sum())
    keep_rows = n_rows * n <= _MAX_ROW_DRAW_CELLS
    by_exp = np.zeros((n, n_exp))
    world = np.zeros(n)
    row_totals = np.zeros((n, n_rows)) if keep_rows else None
    for i in range(n):
        s, m, x = d.apply(i, sigma, eps_m, eps_x)
        res = solve(market, *args, s, m, x, n_markets=n_m)
        by_exp[i] = np.bincount(exp_idx[sub], weights=res.total, minlength=n_exp)
        world[i] = res.total.sum()
        if row_totals is not None:
            row_totals[i] = res.total
        if progress is not None:
            progress(i + 1, n)
    exp_p = percentiles(by_exp, axis=0)
    exporters = [
        {
            "exporter": rows.exp_u[j],
            "total_effect_p5_usd": exp_p["p5"][j],
            "total_effect_p50_usd": exp_p["p50"][j],
            "total_effect_p95_usd": exp_p["p95"][j],
        }
        for j in np.argsort(exp_p["p50"])
        if np.any(by_exp[:, j] != 0)
    ]
    world_p = percentiles(world)
    outcome: dict[str, Any] = {
        "draws": n,
        "scope": "markets supplied by home" if home is not None else "all changed markets",
        "factors_p5_p95": {
            "substitution_minus_one": list(scenario.elasticities.uncertainty.substitution),
            "import_demand": list(scenario.elasticities.uncertainty.import_demand),
            "export_supply": list(scenario.elasticities.uncertainty.export_supply),
        },
        "seed": scenario.elasticities.uncertainty.seed,
        "total_effect_usd": {q: float(v) for q, v in world_p.items()},
        "exporters": exporters,
    }
    if home is not None:
        j = np.flatnonzero(rows.exp_u == home)
        if len(j):
            outcome["home_total_effect_usd"] = {
                q: float(v) for q, v in percentiles(by_exp[:, j[0]]).items()
            }
        if row_totals is not None:
            is_home = rows.exp_u[exp_idx[sub]] == home
            rp = percentiles(row_totals[:, is_home], axis=0)
            outcome["home_rows"] = [
                {
                    "importer": rows.imp_u[rows.imp_idx[k][sub][is_home][r]],
                    "code": rows.code_u[rows.code_idx[k][sub][is_home][r]],
                    "total_effect_p5_usd": rp["p5"][r],
                    "total_effect_p50_usd": rp["p50"][r],
                    "total_effect_p95_usd": rp["p95"][r],
                }
                for r in np.argsort(rp["p50"])
            ]
    return outcome


def compare_home(
    a: ScenarioResult,
    b: ScenarioResult,
    frame: pd.DataFrame,
    home: str,
    descriptions: dict[str, str] | None = None,
) -> TableResult:
    """Home's exports by (importer, code) under scenarios A and B, and B - A.

    ``frame`` holds the baseline flows both runs used. Exports under a scenario =
    baseline + total effect (0 effect where the scenario changes no rate).
    """
    descriptions = descriptions or {}
    base = (
        frame[frame[f.EXPORTER] == home].groupby([f.IMPORTER, "code"], observed=True)["value"].sum()
    )
    if base.empty:
        raise InputError(f"--home: {home} exports nothing to the scenarios' importers")

    def effect(res: ScenarioResult) -> pd.Series:
        r = res.rows[res.rows["exporter"] == home]
        return r.groupby(["importer", "code"], observed=True)["total_effect_usd"].sum()

    ea = effect(a).reindex(base.index, fill_value=0.0)
    eb = effect(b).reindex(base.index, fill_value=0.0)
    out = pd.DataFrame(
        {
            "importer": base.index.get_level_values(0),
            "code": base.index.get_level_values(1),
            "baseline_exports_usd": base.to_numpy(),
            "exports_a_usd": (base + ea).to_numpy(),
            "exports_b_usd": (base + eb).to_numpy(),
        }
    )
    out["difference_usd"] = out["exports_b_usd"] - out["exports_a_usd"]
    out.insert(2, "description", [descriptions.get(c, "") for c in out["code"]])
    out = out.reindex(out["difference_usd"].abs().sort_values(ascending=False).index)
    out = out.reset_index(drop=True)
    summary = {
        "home": home,
        "baseline_exports_usd": float(base.sum()),
        "exports_a_usd": float(out["exports_a_usd"].sum()),
        "exports_b_usd": float(out["exports_b_usd"].sum()),
        "difference_usd": float(out["difference_usd"].sum()),
        "a": {k: a.summary.get(k) for k in ("total_effect_usd", "welfare_usd")},
        "b": {k: b.summary.get(k) for k in ("total_effect_usd", "welfare_usd")},
    }
    if a.home is not None and b.home is not None:
        summary["a"].update(
            {k: a.home[k] for k in ("own_tariff_effect_usd", "rival_tariff_effect_usd")}
        )
        summary["b"].update(
            {k: b.home[k] for k in ("own_tariff_effect_usd", "rival_tariff_effect_usd")}
        )
    assumptions = [
        f"A = scenario {a.params.get('scenario')}, B = scenario {b.params.get('scenario')}; "
        "exports under each = baseline + modelled total effect; difference = B - A",
        *[x for x in a.assumptions if x not in b.assumptions],
        *b.assumptions,
    ]
    params = {
        "scenario_a": a.params.get("scenario"),
        "scenario_b": b.params.get("scenario"),
        "home": home,
        "dataset": a.params.get("dataset"),
        "year": a.params.get("year"),
        "mode": a.params.get("mode"),
    }
    return TableResult(
        kind="scenario-compare",
        params=params,
        rows=out,
        provenance={"a": a.provenance, "b": b.provenance},
        assumptions=list(dict.fromkeys(assumptions)),
        summary=summary,
    )
