"""Tariff scenarios on a data set: list the presets, run one, compare two.

The orchestration of the scenario analyses, next to their model: options
(:data:`RUN_SCENARIO`, :data:`COMPARE_SCENARIOS`), reading the flows a scenario touches
(:func:`flow_source`: DuckDB SQL over the flows files on the DuckDB engine, the store's
Ibis table on another engine), and the parameters and provenance of the result. The
model itself is :func:`tradelever.analysis.scenarios.run.run_on_flows` and
:func:`~tradelever.analysis.scenarios.run.compare_home`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from tradelever.analysis.request import DATASET, YEAR, Request
from tradelever.analysis.result import TableResult
from tradelever.analysis.scenarios.memory import with_arrow_memory_from_the_c_library
from tradelever.errors import InputError
from tradelever.options import REQUIRED, Analysis, Mode, Option

# The model (pydantic) and the solvers load when a scenario is read or run, not when the
# command line starts and reads the options below.
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeAlias

    from tradelever.analysis.scenarios.model import Scenario
    from tradelever.analysis.scenarios.rates import ScheduleLines
    from tradelever.analysis.scenarios.result import ScenarioResult

    #: A scenario as callers give it: a preset name, a YAML file, a mapping or a Scenario.
    ScenarioSpec: TypeAlias = str | Path | Scenario | dict[str, Any]

__all__ = [
    "COMPARE_SCENARIOS",
    "RUN_SCENARIO",
    "compare_scenarios",
    "flow_source",
    "run_scenario",
    "scenario",
    "scenarios",
]

MAX_ROWS: Final = 250_000
"""Default most rows of a run's ``rows`` (:data:`tradelever.analysis.scenarios.run.MAX_ROWS`)."""

MODE: Final = Option(
    "mode",
    Mode,
    "ces",
    "ces: CES/Armington in exact hat algebra (default); smart: the WITS-SMART formulas.",
    short="-m",
)
SCENARIO_HOME: Final = Option(
    "home",
    str | None,
    None,
    "Home country, ISO3: adds its losses and diversion gains.",
    min_length=1,
    max_length=64,
)
RUN_SCENARIO: Final = Analysis(
    name="run_scenario",
    command="scenario run",
    summary="Run a preset or a posted tariff scenario over all its markets",
    options=(
        Option(
            "spec",
            str,
            REQUIRED,
            "Preset name or YAML file.",
            argument=True,
            query="name",
            min_length=1,
            max_length=200,
        ),
        DATASET,
        YEAR,
        MODE,
        SCENARIO_HOME,
        Option(
            "draws",
            int,
            0,
            "Monte Carlo draws over elasticities (p5/p50/p95).",
            ge=0,
            le=10_000,
            http_le=2000,
        ),
        Option(
            "baseline",
            Any,
            None,
            "What effects are measured against: None (the scenario's relative_to, else no "
            "additional tariffs), 'none', or a scenario.",
            cli=False,
            http=False,
        ),
        Option(
            "max_rows",
            int | None,
            MAX_ROWS,
            "Most rows in the result's rows table: above it, the largest absolute total "
            "effects (summary, markets and exporters cover every row); None: every row.",
            cli=False,
            http=False,
        ),
    ),
)
COMPARE_SCENARIOS: Final = Analysis(
    name="compare_scenarios",
    command="scenario compare",
    summary="Home's exports under scenario A and under scenario B, and the difference",
    options=(
        Option(
            "a",
            str,
            REQUIRED,
            "Scenario A (e.g. competitors settle first).",
            argument=True,
            min_length=1,
            max_length=200,
        ),
        Option(
            "b",
            str,
            REQUIRED,
            "Scenario B (e.g. home settles too).",
            argument=True,
            min_length=1,
            max_length=200,
        ),
        SCENARIO_HOME.but(annotation=str, default=REQUIRED, help="Home country, ISO3."),
        DATASET,
        YEAR,
        MODE,
    ),
)


def scenarios() -> pd.DataFrame:
    """The preset scenarios: name, date, description, number of measures, sources."""
    from tradelever.analysis.scenarios.presets import preset_names, preset_scenario

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


def scenario(spec: ScenarioSpec) -> Scenario:
    """A preset by name, a YAML file, a mapping or a Scenario, validated and resolved."""
    from tradelever.analysis.scenarios.presets import load_scenario

    return load_scenario(spec)


@contextmanager
def flow_source(request: Request) -> Iterator[Any]:
    """The flow source a scenario reads (:func:`~tradelever.analysis.scenarios.flows.load_flows`).

    On the DuckDB engine: the data set's flows files (checked as the store checks them) on
    a DuckDB connection of the run's own
    (:class:`~tradelever.analysis.scenarios.flows.FlowFiles`), closed when the block ends;
    the process then never imports Ibis nor opens the store's connection. On another
    engine (Spark): the store's Ibis table, whose queries run on that engine.
    """
    store = request.view.store
    if store.engine.name != "duckdb" or not store.engine.local_files:
        yield request.flows
        return
    from tradelever.analysis.scenarios.flows import FlowFiles

    files = store.table_files(request.dataset, "flows", check=True)
    with FlowFiles.open(files, store.dataset_path(request.dataset) / "flows") as source:
        yield source


def _flows(request: Request, importers: list[str] | None) -> pd.DataFrame:
    from tradelever.analysis.scenarios.flows import load_flows

    with flow_source(request) as source:
        return load_flows(
            source,
            year=request.year,
            importers=importers,
            unique=request.manifest.unique_flow_keys,
        )


def schedule_lines(request: Request) -> ScheduleLines | None:
    """The US schedule on a date at the request's product level, or None without lines.

    Available when the data set holds US tariff lines with their 2024 duty (HS10 and
    ``duty_usd``, as ``census-us-2024``) and the level is an HS level; the table of each date
    is kept by the data-set view.
    """
    from tradelever.analysis.effective_tariffs import schedule_rates

    # A scenario runs on the data set's own product codes (HS10 lines for census-us-2024).
    level = request.manifest.level
    if level not in ("hs10", "hs8", "hs6", "hs4", "hs2"):
        return None
    if "hs10" not in request.manifest.levels or "duty_usd" not in request.view.columns("flows"):
        return None

    def lookup(date: Any) -> pd.DataFrame:
        key = ("schedule-rates", request.year, level, date)
        return request.view.memo(key, lambda: schedule_rates(request, date, level=level))

    return lookup


@with_arrow_memory_from_the_c_library
def run_scenario(
    request: Request,
    spec: ScenarioSpec,
    *,
    mode: Mode = "ces",
    draws: int = 0,
    progress: Any = None,
    baseline: Any = None,
    frame: pd.DataFrame | None = None,
    max_rows: int | None = MAX_ROWS,
) -> ScenarioResult:
    """Run a scenario on the request's data set and year (home view when it has a home).

    ``baseline``: None (the scenario's ``relative_to``, else no additional tariffs),
    ``"none"``, or a scenario whose schedule the effects are measured against. ``frame`` is
    the year's flows when the caller has read them already (a comparison runs two scenarios
    on one read). Without it the flows are read a chunk of importers at a time
    (:func:`~tradelever.analysis.scenarios.flows.plan_chunks` over :func:`flow_source`), so
    memory stays near one chunk's working set plus the result. ``max_rows``: most rows in
    ``rows`` (above it, the largest absolute total effects; None: every row).
    """
    from tradelever.analysis.scenarios import flows as chunking
    from tradelever.analysis.scenarios.baseline import resolve_baseline
    from tradelever.analysis.scenarios.flows import FlowChunks, plan_chunks, scenario_importers
    from tradelever.analysis.scenarios.run import check_max_rows, run_on_chunks

    RUN_SCENARIO.check(mode=mode)  # draws: checked by run_on_flows (whole numbers only)
    max_rows = check_max_rows(max_rows)
    sc = scenario(spec)
    with flow_source(request) if frame is None else nullcontext() as source:
        if frame is None:
            chunks = plan_chunks(
                source,
                year=request.year,
                importers=scenario_importers(sc, resolve_baseline(sc, baseline)[1]),
                unique=request.manifest.unique_flow_keys,
                chunk_rows=chunking.CHUNK_ROWS,
            )
        else:
            chunks = FlowChunks.of_frame(frame, chunking.CHUNK_ROWS)
        if not chunks.total_rows:
            raise InputError(
                f"scenario {sc.name}: data set {request.dataset} has no {request.year} imports "
                "for the scenario's importers"
            )
        params = {
            "scenario": sc.name,
            "description": sc.description,
            "date": sc.date.isoformat() if sc.date else None,
            "dataset": request.dataset,
            "year": request.year,
            "level": request.level,
            "mode": mode,
            "home": request.home,
            "draws": draws,
            "elasticities": sc.elasticities.model_dump(exclude={"uncertainty"}, exclude_none=True),
        }
        return run_on_chunks(
            chunks,
            sc,
            mode=mode,
            home=request.home,
            draws=draws,
            industry_level=request.manifest.is_industry,
            classification=request.classification,
            descriptions=dict(request.descriptions),
            params=params,
            provenance=request.provenance,
            assumptions=request.assumptions,
            progress=progress,
            baseline=baseline,
            lines=schedule_lines(request),
            max_rows=max_rows,
        )


def compare_scenarios(
    request: Request, a: ScenarioSpec, b: ScenarioSpec, *, mode: Mode = "ces"
) -> TableResult:
    """Home's exports under scenario A and under B, by product, and the difference B - A.

    Typical use: A = competitors settle first (home still pays more), B = home settles too.
    Both run on one read of the flows of the scenarios' importers.
    """
    from tradelever.analysis.scenarios.baseline import common_baseline, resolve_baseline
    from tradelever.analysis.scenarios.compare import compare_home
    from tradelever.analysis.scenarios.flows import scenario_importers

    COMPARE_SCENARIOS.check(mode=mode)
    if request.home is None:
        raise InputError("a comparison needs a home country", parameter="home")
    sa, sb = scenario(a), scenario(b)
    base = common_baseline(sa, sb)  # both on one base
    frame = _flows(request, scenario_importers(sa, sb, resolve_baseline(sa, base)[1]))
    ra = run_scenario(request, sa, mode=mode, baseline=base, frame=frame)
    rb = run_scenario(request, sb, mode=mode, baseline=base, frame=frame)
    return compare_home(ra, rb, frame, request.home, dict(request.descriptions))
