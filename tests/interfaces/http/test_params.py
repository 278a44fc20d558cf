"""The HTTP query parameters and OpenAPI schema come from the analyses' option records."""

from __future__ import annotations

import pytest

from tradelever.analysis.concessions import CONCESSIONS
from tradelever.analysis.exposure import EXPOSURE
from tradelever.analysis.formula import FORMULA, FORMULA_ANNEX
from tradelever.analysis.leverage import LEVERAGE
from tradelever.analysis.peers import PEERS
from tradelever.analysis.substitution import SUBSTITUTES
from tradelever.analysis.supply_chain import SUPPLY_CHAIN
from tradelever.options import Analysis

ROUTES = [LEVERAGE, SUBSTITUTES, EXPOSURE, FORMULA, FORMULA_ANNEX, CONCESSIONS, PEERS, SUPPLY_CHAIN]


@pytest.mark.parametrize("analysis", ROUTES, ids=lambda a: a.command)
def test_http_parameters_are_the_declared_ones(client, analysis: Analysis) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"][f"/api/{analysis.command}"]["get"]["parameters"]}
    declared = {o.query_name: o for o in analysis.options if o.http}
    assert set(params) - {"top"} == set(declared)
    for name, option in declared.items():
        p = params[name]
        assert p["required"] is option.required, name
        assert p["description"] == option.help, name
        schema = p["schema"]
        variants = schema.get("anyOf", [schema])
        if option.ge is not None:
            assert any(v.get("minimum") == option.ge for v in variants), name
        if option.gt is not None:
            assert any(v.get("exclusiveMinimum") == option.gt for v in variants), name
        if option.choices:
            assert any(v.get("enum") == list(option.choices) for v in variants), name


def test_labels_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    labels = client.get("/api/labels").json()
    assert labels["home_share_of_partner_imports"] == {
        "name": "home_share_of_partner_imports",
        "label": "home share of partner imports",
        "short": "home share",
        "kind": "share",
        "digits": 1,
        "width": 48,
    }
