"""Tariff scenarios: schema, presets, SMART and CES partial equilibrium, uncertainty.

One module per concept: ``model`` (the YAML schema), ``presets`` (package scenarios and
product sets, ``extends``), ``selectors`` and ``rates`` (the schedule on a data set's
rows), ``baseline`` (what effects are measured against), ``flows`` (the queries, one
per chunk of importers),
``prepare`` (arrays ready to solve), ``pe_smart`` and ``pe_ces`` (the models),
``sensitivity``, ``uncertainty`` and ``plausibility`` (bands, draws, flags), ``home``
(home's decompositions), ``result``, ``compare`` and ``listing``; ``run`` puts them
together. Sequencing (competitors first) is a comparison of two scenarios.

Public entry points: :func:`load_scenario`, :func:`preset_names`, :func:`run_on_flows`,
:func:`compare_home`, :func:`scenario_listing`; the :class:`tradelever.api.Session`
methods ``scenarios()``, ``scenario(name)``, ``run_scenario(...)`` and
``compare_scenarios(...)`` wrap them with a data set.

The names below are imported from their module on first use (PEP 562): the scenario model
needs pydantic, which the command line does not need to start.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_ROWS",
    "MODES",
    "Baseline",
    "FlowChunks",
    "Scenario",
    "ScenarioResult",
    "common_baseline",
    "compare_home",
    "load_flows",
    "load_scenario",
    "measure_table",
    "member_table",
    "parse_scenario",
    "plan_chunks",
    "preset_names",
    "preset_scenario",
    "product_sets",
    "read_scenario_file",
    "resolve_baseline",
    "run_on_chunks",
    "run_on_flows",
    "scenario_importers",
    "scenario_listing",
]


def __getattr__(name: str) -> Any:
    """The public names, imported from their module when first asked for."""
    if name in ("Baseline", "common_baseline", "resolve_baseline"):
        from tradelever.analysis.scenarios import baseline as module
    elif name == "compare_home":
        from tradelever.analysis.scenarios import compare as module
    elif name in ("FlowChunks", "load_flows", "plan_chunks", "scenario_importers"):
        from tradelever.analysis.scenarios import flows as module
    elif name in ("measure_table", "member_table", "scenario_listing"):
        from tradelever.analysis.scenarios import listing as module
    elif name in ("Scenario", "parse_scenario", "read_scenario_file"):
        from tradelever.analysis.scenarios import model as module
    elif name == "MODES":
        from tradelever.analysis.scenarios import prepare as module
    elif name in ("load_scenario", "preset_names", "preset_scenario", "product_sets"):
        from tradelever.analysis.scenarios import presets as module
    elif name == "ScenarioResult":
        from tradelever.analysis.scenarios import result as module
    elif name in ("MAX_ROWS", "run_on_chunks", "run_on_flows"):
        from tradelever.analysis.scenarios import run as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)
