"""The public Python API: real signatures that agree with the options registry."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tradelever
from tradelever import api
from tradelever.analysis.balance import BALANCE
from tradelever.analysis.claim_figures import CHECK
from tradelever.analysis.concessions import CONCESSIONS
from tradelever.analysis.deals import DEAL, DEALS, FIRST_IN_LINE, PRECEDENTS
from tradelever.analysis.effective_tariffs import TARIFFS
from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA, FORMULA_ANNEX
from tradelever.analysis.leverage import LEVERAGE
from tradelever.analysis.peers import PEERS
from tradelever.analysis.result import TableResult
from tradelever.analysis.scan import SCAN
from tradelever.analysis.scenarios.simulate import COMPARE_SCENARIOS, RUN_SCENARIO
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.brief.build import BRIEF, OPTIONAL_CALLS
from tradelever.options import REQUIRED, Analysis
from tradelever.session import Session

ANALYSES = [
    LEVERAGE,
    SUBSTITUTES,
    EXPOSURE,
    FORMULA,
    FORMULA_ANNEX,
    BALANCE,
    CONCESSIONS,
    PEERS,
    SUPPLY_CHAIN,
    SCAN,
    RUN_SCENARIO,
    COMPARE_SCENARIOS,
    TARIFFS,
    BRIEF,
    DEALS,
    DEAL,
    FIRST_IN_LINE,
    PRECEDENTS,
    CHECK,
]
# Session arguments that are not options of the interfaces (a Python object, a callback).
PYTHON_ONLY = {"run_scenario": {"progress"}, "brief": {"today", "progress"}}


def _parameters(fn: object) -> dict[str, inspect.Parameter]:
    params = dict(inspect.signature(fn).parameters)  # type: ignore[arg-type]
    params.pop("self", None)
    return params


@pytest.mark.parametrize("analysis", ANALYSES, ids=lambda a: a.name)
def test_session_methods_are_the_declared_options(analysis: Analysis) -> None:
    params = _parameters(getattr(Session, analysis.name))
    names = [n for n in params if n not in PYTHON_ONLY.get(analysis.name, set())]
    assert names == [o.name for o in analysis.options]
    for option in analysis.options:
        default = params[option.name].default
        if option.required:
            assert default is inspect.Parameter.empty, option.name
        else:
            assert default == option.default, option.name
    assert all(o.default is not REQUIRED or o.required for o in analysis.options)


@pytest.mark.parametrize("analysis", ANALYSES, ids=lambda a: a.name)
def test_module_functions_have_the_session_signature(analysis: Analysis) -> None:
    method = _parameters(getattr(Session, analysis.name))
    function = _parameters(getattr(api, analysis.name))
    assert list(function) == [*method, "data_dir", "config"]
    for name, p in method.items():
        assert (function[name].kind, function[name].default) == (p.kind, p.default), name


def test_help_shows_a_real_signature() -> None:
    signature = inspect.signature(tradelever.leverage)
    assert list(signature.parameters)[:3] == ["home", "partner", "rival"]
    assert signature.parameters["level"].annotation == "Level | None"
    assert signature.return_annotation == "LeverageResult"
    for name in ("substitutes", "exposure", "formula", "concessions", "peers", "supply_chain"):
        params = inspect.signature(getattr(tradelever, name)).parameters
        assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), name
    assert tradelever.Session is Session


def test_import_tradelever_is_cheap() -> None:
    heavy = "('pandas', 'ibis', 'tradelever.api')"
    code = f"import sys, tradelever; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_session_takes_what_the_brief_passes() -> None:
    for method, keywords in OPTIONAL_CALLS.items():
        params = _parameters(getattr(Session, method))
        assert set(keywords) <= set(params), method
    assert {"dataset", "year", "level"} <= set(_parameters(Session.leverage))


def test_results_share_one_type(icio_session: Session) -> None:
    lev = icio_session.leverage("MYS", "USA", rival="CHN", dataset="icio2022")
    exp = icio_session.exposure("MYS", "USA", dataset="icio2022")
    for result in (lev, exp):
        assert isinstance(result, TableResult)
        assert {"home", "partner", "dataset", "year", "level"} <= set(result.params)
        assert result.provenance["year"] == 2022 and result.assumptions
        # to_json is the command line's --format json text of to_dict
        assert json.loads(result.to_json()) == json.loads(json.dumps(result.to_dict()))
    assert (lev.home, lev.partner, lev.rival, lev.year) == ("MYS", "USA", "CHN", 2022)
    assert "summary" not in lev.to_dict()  # the leverage contract has no summary
    top = lev.head(3)
    assert len(top.rows) == 3 and isinstance(top, type(lev)) and top.params == lev.params


def test_module_function_with_a_data_dir(icio_data_dir: Path) -> None:
    r = api.exposure("MYS", "USA", data_dir=icio_data_dir)
    assert r.params["home"] == "MYS" and r.summary["home_exports_to_partner_usd"] > 0
    config = api.Config.resolve(data_dir=icio_data_dir, env={})
    assert api.formula_annex(config=config).params["partner"] == "USA"
