"""Tariff scenarios: schema, presets, SMART and CES partial equilibrium, uncertainty.

One module per concept: ``model`` (the YAML schema), ``presets`` (package scenarios and
product sets, ``extends``), ``selectors`` and ``rates`` (the schedule on a data set's
rows), ``baseline`` (what effects are measured against), ``flows`` (the one query),
``prepare`` (arrays ready to solve), ``pe_smart`` and ``pe_ces`` (the models),
``sensitivity``, ``uncertainty`` and ``plausibility`` (bands, draws, flags), ``home``
(home's decompositions), ``result``, ``compare`` and ``listing``; ``run`` puts them
together. Sequencing (competitors first) is a comparison of two scenarios.

Public entry points: :func:`load_scenario`, :func:`preset_names`, :func:`run_on_flows`,
:func:`compare_home`, :func:`scenario_listing`; the :class:`tradelever.api.Session`
methods ``scenarios()``, ``scenario(name)``, ``run_scenario(...)`` and
``compare_scenarios(...)`` wrap them with a data set.
"""

from tradelever.analysis.scenarios.baseline import Baseline, common_baseline, resolve_baseline
from tradelever.analysis.scenarios.compare import compare_home
from tradelever.analysis.scenarios.flows import load_flows, scenario_importers
from tradelever.analysis.scenarios.listing import measure_table, member_table, scenario_listing
from tradelever.analysis.scenarios.model import Scenario, parse_scenario, read_scenario_file
from tradelever.analysis.scenarios.prepare import MODES
from tradelever.analysis.scenarios.presets import (
    load_scenario,
    preset_names,
    preset_scenario,
    product_sets,
)
from tradelever.analysis.scenarios.result import ScenarioResult
from tradelever.analysis.scenarios.run import run_on_flows

__all__ = [
    "MODES",
    "Baseline",
    "Scenario",
    "ScenarioResult",
    "common_baseline",
    "compare_home",
    "load_flows",
    "load_scenario",
    "measure_table",
    "member_table",
    "parse_scenario",
    "preset_names",
    "preset_scenario",
    "product_sets",
    "read_scenario_file",
    "resolve_baseline",
    "run_on_flows",
    "scenario_importers",
    "scenario_listing",
]
