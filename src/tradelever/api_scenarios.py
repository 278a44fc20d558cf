"""Tariff scenarios through a :class:`tradelever.api.Session` (issue 5).

The Session methods ``scenarios``, ``scenario``, ``run_scenario`` and
``compare_scenarios`` call these functions; the CLI (``tradelever scenario ...``) and the
brief call the Session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from tradelever.analysis.result import TableResult
from tradelever.analysis.scenarios import (
    MODES,
    Scenario,
    ScenarioResult,
    compare_home,
    load_flows,
    load_scenario,
    preset_names,
    preset_scenario,
    run_on_flows,
)
from tradelever.analysis.scenarios.run import scenario_importers
from tradelever.errors import InputError
from tradelever.reference.countries import resolve_country

__all__ = ["compare_scenarios", "run_scenario", "scenario", "scenarios"]


def scenarios() -> pd.DataFrame:
    """The preset scenarios: name, date, description, number of measures, sources."""
    rows = []
    for name in preset_names():
        s = preset_scenario(name)
        rows.append(
            {
                "name": name,
                "date": s.date.isoformat() if s.date else None,
                "description": s.description,
                "measures": len(s.measures),
                "sources": list(s.sources),
            }
        )
    return pd.DataFrame(rows, columns=["name", "date", "description", "measures", "sources"])


def scenario(spec: str | Path | Scenario | dict[str, Any]) -> Scenario:
    """A preset by name, a YAML file, a mapping or a Scenario, validated and resolved."""
    return load_scenario(spec)


def _dataset_context(session: Any, dataset: str, year: int | None) -> tuple[dict[str, Any], int]:
    manifest = session.manifest(dataset)
    return manifest, session.resolve_year(dataset, year)


def run_scenario(
    session: Any,
    spec: str | Path | Scenario | dict[str, Any],
    *,
    dataset: str | None = None,
    year: int | None = None,
    mode: str = "ces",
    home: str | None = None,
    draws: int = 0,
    progress: Any = None,
    _frame: pd.DataFrame | None = None,
) -> ScenarioResult:
    """Run a scenario on a data set (default the embedded ``icio2022``)."""
    from tradelever.api import DEFAULT_DATASET, _provenance

    dataset = dataset or DEFAULT_DATASET
    if mode not in MODES:
        raise InputError(f"--mode: {mode!r} is not one of {', '.join(MODES)}")
    sc = load_scenario(spec)
    manifest, year = _dataset_context(session, dataset, year)
    if home is not None:
        home = resolve_country(home, session.countries(dataset), parameter="home")
    level = str(manifest.get("level", "hs6"))
    frame = _frame
    if frame is None:
        frame = load_flows(
            session.store.table(dataset, "flows"),
            year=year,
            importers=scenario_importers(sc),
            unique=bool(manifest.get("unique_flow_keys")),
        )
    if frame.empty:
        raise InputError(
            f"scenario {sc.name}: data set {dataset} has no {year} imports for the scenario's "
            "importers"
        )
    level_key = "industry" if level == "industry" else "hs6"
    params = {
        "scenario": sc.name,
        "description": sc.description,
        "date": sc.date.isoformat() if sc.date else None,
        "dataset": dataset,
        "year": year,
        "level": level_key,
        "mode": mode,
        "home": home,
        "draws": draws,
        "elasticities": sc.elasticities.model_dump(exclude={"uncertainty"}, exclude_none=True),
    }
    return run_on_flows(
        frame,
        sc,
        mode=mode,
        home=home,
        draws=draws,
        industry_level=level == "industry",
        classification=str(manifest.get("classification", "")),
        descriptions=session.descriptions(dataset, level_key),
        params=params,
        provenance=_provenance(manifest, year),
        assumptions=list(manifest.get("assumptions", [])),
        progress=progress,
    )


def compare_scenarios(
    session: Any,
    a: str | Path | Scenario | dict[str, Any],
    b: str | Path | Scenario | dict[str, Any],
    *,
    home: str,
    dataset: str | None = None,
    year: int | None = None,
    mode: str = "ces",
) -> TableResult:
    """Home's exports under scenario A and under B, by product, and the difference B - A.

    Typical use: A = competitors settle first (home still pays more), B = home settles too.
    """
    from tradelever.api import DEFAULT_DATASET

    dataset = dataset or DEFAULT_DATASET
    sa, sb = load_scenario(a), load_scenario(b)
    manifest, year = _dataset_context(session, dataset, year)
    home = resolve_country(home, session.countries(dataset), parameter="home")
    fa, fb = scenario_importers(sa), scenario_importers(sb)
    importers = None if fa is None or fb is None else sorted(set(fa) | set(fb))
    frame = load_flows(
        session.store.table(dataset, "flows"),
        year=year,
        importers=importers,
        unique=bool(manifest.get("unique_flow_keys")),
    )
    ra = run_scenario(session, sa, dataset=dataset, year=year, mode=mode, home=home, _frame=frame)
    rb = run_scenario(session, sb, dataset=dataset, year=year, mode=mode, home=home, _frame=frame)
    level = ra.params["level"]
    return compare_home(ra, rb, frame, home, session.descriptions(dataset, level))
