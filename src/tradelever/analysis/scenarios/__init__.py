"""Tariff scenarios: schema, presets, SMART and CES partial equilibrium, uncertainty.

Sequencing (competitors first) is a comparison of two scenarios (issue 5).

Public entry points: :func:`load_scenario`, :func:`preset_names`, :func:`run_on_flows`,
:func:`compare_home`; the :class:`tradelever.api.Session` methods ``scenarios()``,
``scenario(name)``, ``run_scenario(...)`` and ``compare_scenarios(...)`` wrap them with a
data set.

The names below are imported on first use (PEP 562): the scenario model needs pydantic,
which the command line does not need to start.
"""

from __future__ import annotations

from typing import Any

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

_MODEL = ("Scenario", "parse_scenario", "read_scenario_file")
_PRESETS = ("load_scenario", "preset_names", "preset_scenario", "product_sets")
_RUN = ("MODES", "ScenarioResult", "compare_home", "load_flows", "run_on_flows")


def __getattr__(name: str) -> Any:
    """The public names, imported from their module when first asked for."""
    if name in _MODEL:
        from tradelever.analysis.scenarios import model as module
    elif name in _PRESETS:
        from tradelever.analysis.scenarios import presets as module
    elif name in _RUN:
        from tradelever.analysis.scenarios import run as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)
