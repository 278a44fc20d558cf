"""Tariff scenarios: schema, presets, SMART and CES partial equilibrium, uncertainty.

Sequencing (competitors first) is a comparison of two scenarios (issue 5).

Public entry points: :func:`load_scenario`, :func:`preset_names`, :func:`run_on_flows`,
:func:`compare_home`; the :class:`tradelever.api.Session` methods ``scenarios()``,
``scenario(name)``, ``run_scenario(...)`` and ``compare_scenarios(...)`` wrap them with a
data set.
"""

from tradelever.analysis.scenarios.model import Scenario, parse_scenario, read_scenario_file
from tradelever.analysis.scenarios.presets import (
    load_scenario,
    preset_names,
    preset_scenario,
    product_sets,
)
from tradelever.analysis.scenarios.run import (
    MODES,
    ScenarioResult,
    compare_home,
    load_flows,
    run_on_flows,
)

__all__ = [
    "MODES",
    "Scenario",
    "ScenarioResult",
    "compare_home",
    "load_flows",
    "load_scenario",
    "parse_scenario",
    "preset_names",
    "preset_scenario",
    "product_sets",
    "read_scenario_file",
    "run_on_flows",
]
