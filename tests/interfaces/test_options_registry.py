"""The command line and the HTTP API are generated from the analyses' option records."""

from __future__ import annotations

import pytest
import typer.main

from tradelever.analysis.concessions import CONCESSIONS
from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA, FORMULA_ANNEX
from tradelever.analysis.leverage import LEVERAGE
from tradelever.analysis.peers import PEERS
from tradelever.analysis.scenarios.simulate import COMPARE_SCENARIOS, RUN_SCENARIO
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.brief.build import BRIEF
from tradelever.interfaces.cli import app
from tradelever.options import Analysis

ROUTES = [LEVERAGE, SUBSTITUTES, EXPOSURE, FORMULA, FORMULA_ANNEX, CONCESSIONS, PEERS, SUPPLY_CHAIN]
COMMANDS = [*ROUTES, RUN_SCENARIO, COMPARE_SCENARIOS, BRIEF]


def _command(analysis: Analysis):  # type: ignore[no-untyped-def]
    group = typer.main.get_command(app)
    cmd = group
    for part in analysis.command.split():
        cmd = cmd.commands[part]  # type: ignore[attr-defined]
    return cmd


@pytest.mark.parametrize("analysis", COMMANDS, ids=lambda a: a.command)
def test_cli_options_are_the_declared_ones(analysis: Analysis) -> None:
    params = {p.name: p for p in _command(analysis).params}
    for option in analysis.options:
        if not option.cli:
            assert option.name not in params
            continue
        param = params[option.name]
        if option.argument:
            assert param.param_type_name == "argument"
        else:
            assert option.flag_name in param.opts
            if option.short:
                assert option.short in param.opts
            assert param.required == option.required
        assert param.help is None or option.help in param.help
