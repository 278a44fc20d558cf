"""Run a tariff scenario on a flows frame: prepare, solve, add bands, flags and home view.

:func:`run_on_flows` is the whole run on one year of flows (from
:func:`~tradelever.analysis.scenarios.flows.load_flows`):

1. :func:`~tradelever.analysis.scenarios.prepare.prepare` lays the scenario on the rows
   (schedule against the baseline, elasticities, market ids; markets where no rate
   changes are dropped);
2. :func:`~tradelever.analysis.scenarios.prepare.solve` runs SMART or CES over every
   changed market at once;
3. :mod:`~tradelever.analysis.scenarios.sensitivity` adds the sigma band (and Monte Carlo
   ranges with ``draws``), :mod:`~tradelever.analysis.scenarios.plausibility` the flags,
   :mod:`~tradelever.analysis.scenarios.home` home's decompositions;
4. :mod:`~tradelever.analysis.scenarios.result` builds the tables.

Every result names its baseline (``params["baseline"]`` and the first scenario
assumption). A scenario whose measures change no rate on the data returns zero effects
and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from tradelever.analysis.result import json_value
from tradelever.analysis.scenarios.baseline import BaselineSpec
from tradelever.analysis.scenarios.compare import compare_home
from tradelever.analysis.scenarios.flows import load_flows, scenario_importers
from tradelever.analysis.scenarios.home import home_view
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.plausibility import flag_counts, plausibility_notes, row_flags
from tradelever.analysis.scenarios.prepare import MODES, check_mode, prepare, solve
from tradelever.analysis.scenarios.rates import ScheduleLines
from tradelever.analysis.scenarios.result import (
    ROW_FIELDS,
    ScenarioResult,
    exporter_table,
    market_table,
    row_table,
)
from tradelever.analysis.scenarios.selectors import Notes
from tradelever.analysis.scenarios.sensitivity import check_draws, draw_ranges, sigma_band

__all__ = [
    "MODES",
    "ROW_FIELDS",
    "ScenarioResult",
    "compare_home",
    "load_flows",
    "run_on_flows",
    "scenario_importers",
]

Progress = Callable[[int, int], None]

_MODEL_NOTES = {
    "smart": "model: WITS-SMART partial equilibrium: trade creation with the import demand "
    "elasticity; Laird-Yeats trade diversion (each source's relative price change against "
    "the others, at unchanged total imports, within existing trade); creation capped so that "
    "no supplier's imports fall below zero; welfare = change in the dead-weight-loss triangle",
    "ces": "model: CES (Armington) partial equilibrium in exact hat algebra, one market per "
    "importer and product; creation = each supplier's initial share of the change in the "
    "market's imports, diversion = the change in its share; welfare = consumer surplus + "
    "tariff revenue",
}


def _dates(obj: Any) -> Any:
    """Dates as ISO strings (recursively), for JSON."""
    if isinstance(obj, dict):
        return {k: _dates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_dates(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def run_on_flows(
    frame: Any,
    scenario: Scenario,
    *,
    mode: str = "ces",
    home: str | None = None,
    draws: int = 0,
    industry_level: bool,
    classification: str,
    baseline: BaselineSpec = None,
    sensitivity: bool = True,
    descriptions: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    assumptions: list[str] | None = None,
    progress: Progress | None = None,
    lines: ScheduleLines | None = None,
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
        Monte Carlo draws over the elasticities (0: none; at most 10,000).
    industry_level, classification
        Whether codes are ICIO industries, and the classification (for default sigmas).
    baseline
        What the effects are measured against: None (the scenario's ``relative_to``, else
        no additional tariffs), ``"none"`` (no additional tariffs), or a scenario whose
        schedule is the reference (:mod:`tradelever.analysis.scenarios.baseline`).
    sensitivity
        Add the sigma band (two more model runs); on by default.
    descriptions
        Code -> description.
    params, provenance, assumptions
        Passed through to the result (the data set's provenance and assumptions);
        ``params`` gains ``baseline``.
    progress
        Called as ``progress(done, total)`` during the draws.
    lines
        The US schedule on a date at the data's product level, for scenarios with ``on:
        DATE`` (:data:`~tradelever.analysis.scenarios.rates.ScheduleLines`); None when the
        data set has no US tariff lines.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    InputError
        Bad mode or draws, unknown selectors or baseline, negative rates.
    """
    check_mode(mode)
    draws = check_draws(draws)
    notes = Notes()
    p = prepare(
        frame,
        scenario,
        industry_level=industry_level,
        classification=classification,
        notes=notes,
        baseline=baseline,
        lines=lines,
    )
    descriptions = descriptions or {}
    out = solve(p, mode)
    base = p.kept(p.value)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(base > 0, out.total / base, np.nan)
    flags = row_flags(p.kept(p.sigma), change, out.bounded)
    band_runs = sigma_band(p, mode) if sensitivity and p.n_markets else {}
    runs = [out.total, *band_runs.values()]
    rows = row_table(
        p,
        out,
        descriptions,
        low=np.minimum.reduce(runs),
        high=np.maximum.reduce(runs),
        flags=flags,
    )
    summary: dict[str, Any] = {
        "markets_changed": int(p.n_markets),
        "rows": len(rows),
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
    if band_runs:
        totals = [float(r.sum()) for r in runs]
        summary["total_effect_low_usd"] = min(totals)
        summary["total_effect_high_usd"] = max(totals)
        summary["sensitivity"] = "sigma - 1 halved and doubled (lowest and highest of 3 runs)"
    counts = flag_counts(flags)
    summary["rows_flagged"] = counts

    home_info, home_rows = None, None
    if home is not None:
        home_info, home_rows = home_view(
            p,
            mode,
            out,
            home,
            descriptions,
            bands=band_runs or None,
            flags=flags,
        )
        if not len(home_rows):
            notes.add(
                f"home {home} supplies none of the markets whose rates change: its effects are 0"
            )
    unc = None
    if draws > 0 and p.n_markets:
        unc = draw_ranges(p, mode, scenario, draws, home, progress)
        spec = scenario.elasticities.uncertainty
        notes.add(
            f"ranges from {draws} Monte Carlo draws over the elasticities (one log-normal "
            "factor per elasticity and draw, common to all products; 90% ranges of the "
            f"factors: substitution (sigma - 1) {list(spec.substitution)}, import demand "
            f"{list(spec.import_demand)}, export supply {list(spec.export_supply)}; seed "
            f"{spec.seed})"
        )
    if p.n_markets == 0:
        notes.add(
            f"no rate changes: on this data set the measures of scenario {scenario.name} "
            f"change no tariff against the baseline ({p.baseline.label}), so every effect is "
            "0 (on industry data, measures given in HS codes or HS-only product sets do not "
            "apply; see the notes above)"
        )
    if band_runs:
        notes.add(
            "sensitivity band: total_effect_low_usd and total_effect_high_usd are the lowest "
            "and highest total effect over runs with the substitution elasticity at its value "
            "and with sigma - 1 halved and doubled"
        )
    sigma_max = float(p.kept(p.sigma).max()) if p.n_markets else None
    for sentence in plausibility_notes(counts, sigma_max):
        notes.add(sentence)
    year = (params or {}).get("year")
    all_assumptions = [
        *(assumptions or []),
        p.baseline.assumption(year if isinstance(year, int) else None),
        _MODEL_NOTES[mode],
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
    out_params = dict(params or {})
    out_params["baseline"] = p.baseline.to_dict()
    return ScenarioResult(
        kind="scenario",
        params=out_params,
        rows=rows,
        provenance=json_value(_dates(prov)),
        assumptions=list(dict.fromkeys(all_assumptions)),
        columns=tuple(c for c in ROW_FIELDS if c in rows.columns),
        summary=summary,
        markets=market_table(p, out, descriptions),
        exporters=exporter_table(p, out),
        home=home_info,
        home_rows=home_rows,
        uncertainty=unc,
    )
