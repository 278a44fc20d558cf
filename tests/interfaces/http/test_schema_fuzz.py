"""Schemathesis against /openapi.json: no 5xx, and answers as documented.

Bounded on purpose (at most 40 examples per operation, derandomized) so that the run stays
well under a minute on two cores. Checks: no server error; the status code, content type
and body conform to the schema; every error answer has the ``{"detail", "parameter"}``
shape, with ``detail`` naming the parameter when one is given.

The operations are listed here and checked against the schema, so a new endpoint cannot
escape the fuzzing unnoticed. (Schemathesis' lazy pytest integration does not run under
pytest 9, so each operation's strategy is driven by Hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

OPERATIONS = [
    ("GET", "/api/datasets"),
    ("GET", "/api/countries"),
    ("GET", "/api/leverage"),
    ("GET", "/api/substitutes"),
    ("GET", "/api/exposure"),
    ("GET", "/api/formula"),
    ("GET", "/api/concessions"),
    ("GET", "/api/peers"),
    ("GET", "/api/supply-chain"),
    ("GET", "/api/formula-annex"),
    ("GET", "/api/balance"),
    ("GET", "/api/scan"),
    ("GET", "/api/scenarios"),
    ("GET", "/api/scenarios/compare"),
    ("GET", "/api/scenarios/{name}"),
    ("POST", "/api/scenarios/run"),
    ("GET", "/api/brief"),
    ("GET", "/api/labels"),
    ("GET", "/api/deals"),
    ("GET", "/api/deals/first-in-line"),
    ("GET", "/api/deals/precedents"),
    ("GET", "/api/deals/{partner}"),
    ("GET", "/api/tariffs"),
]
MAX_EXAMPLES = {
    "/api/brief": 8,
    "/api/supply-chain": 15,
    "/api/scenarios/compare": 15,
    "/api/tariffs": 15,
}  # slow when valid; others 40
HOST = {"Host": "127.0.0.1"}

# Random strings are almost never valid codes, so half of the cases get valid ones for some
# parameters: the other (generated) parameters then reach the analyses themselves.
VALID = {
    "home": ["MYS", "THA", "mys"],
    "partner": ["USA", "CHN"],
    "rival": ["CHN", "VNM", "USA"],
    "dataset": ["icio2022", "hand-hs17", "census-us-2024", "census-us-trade"],
    "name": ["us-2025-08-07", "us-2025-04-02"],
    "a": ["us-2025-08-07-mys-no-deal"],
    "b": ["us-2025-08-07"],
    "importer": ["USA", "usa"],
    "exporters": ["MYS", "MYS,THA", "ASEAN", "EU"],
    "dates": ["2025-08-07", "2025-04-09,2026-03-01"],
    "start": ["2025-01-01"],
    "end": ["2025-12-31"],
    "peers": ["ASEAN", "THA,VNM"],
    "partners": ["all", "ASEAN", "USA,CHN"],
    "over": ["USA", "CHN"],
    "scenario": [["us-2025-08-07"]],
    "members": ["ASEAN", "VNM,MYS"],
    "offer": ["tariff_elimination", "investment"],
}


@pytest.fixture(scope="module")
def api_schema(http_app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", http_app, headers=HOST)


def test_every_operation_is_fuzzed(api_schema) -> None:  # type: ignore[no-untyped-def]
    found = set()
    for result in api_schema.get_all_operations():
        op = result.ok()
        found.add((op.method.upper(), op.path))
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_errors(api_schema, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema[path][method]
    statuses: list[int] = []

    @given(case=operation.as_strategy(), data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES.get(path, 40),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, data) -> None:  # type: ignore[no-untyped-def]
        for where in ("query", "path_parameters"):
            params = getattr(case, where)
            if params is None:
                continue
            for name, choices in VALID.items():
                if name in params and data.draw(st.booleans()):
                    params[name] = data.draw(st.sampled_from(choices))
        response = case.call(headers=HOST)
        case.validate_response(
            response,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        statuses.append(response.status_code)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"detail", "parameter"}, body
            if body["parameter"] is not None:
                assert body["detail"].startswith(body["parameter"]), body

    check()
    assert statuses, "no request was made"
