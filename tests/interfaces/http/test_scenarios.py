"""Tariff scenarios over HTTP: presets as the CLI shows them, runs of presets and of posted
documents, and bad documents answered with 4xx naming ``body`` (or the parameter)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.interfaces.http.helpers import cli_json, same_records

PRESET = "us-2025-08-07"

# A small scenario: 20% on Malaysia's computer and electronics (ICIO C26) into the US.
DOC = """\
name: http-test-mys-c26
description: synthetic test scenario, 20% on Malaysian C26 into the US
measures:
- importer: USA
  exporters: [MYS]
  products: [C26]
  new_rate: 0.20
  basis: reciprocal
  source: test
"""


def _run(client, body: str | bytes | None = None, ctype: str = "application/yaml", **query):  # type: ignore[no-untyped-def]
    # A preset run has no body, but it is state-changing: it declares JSON all the same.
    headers = {"content-type": ctype if body is not None else "application/json"}
    return client.post("/api/scenarios/run", params=query, content=body, headers=headers)


def test_list_is_the_cli_listing(client, http_data_dir: Path) -> None:
    body = client.get("/api/scenarios").json()
    assert body == cli_json(http_data_dir, "scenario", "list")
    names = [s["name"] for s in body]
    assert PRESET in names and "us-2025-04-02" in names
    assert all(s["sources"] for s in body)  # every preset cites its sources


def test_show_is_the_cli_show(client, http_data_dir: Path) -> None:
    body = client.get(f"/api/scenarios/{PRESET}").json()
    assert body == cli_json(http_data_dir, "scenario", "show", PRESET)
    assert body["name"] == PRESET and body["measures"]


def test_run_preset_is_the_cli_run(client, http_data_dir: Path) -> None:
    response = _run(client, name=PRESET, home="MYS")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenario"] == PRESET and body["home"] == "MYS" and body["mode"] == "ces"
    assert {"provenance", "assumptions", "summary", "rows", "markets", "exporters"} <= set(body)
    assert same_records(body, cli_json(http_data_dir, "scenario", "run", PRESET, "--home", "MYS"))


def test_run_posted_yaml_is_the_cli_run_of_the_file(
    client, http_data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "http-test.yaml"
    path.write_text(DOC, encoding="utf-8")
    response = _run(client, DOC, home="MYS")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenario"] == "http-test-mys-c26"
    assert same_records(
        body, cli_json(http_data_dir, "scenario", "run", str(path), "--home", "MYS")
    )
    # Only MYS exports of C26 to the USA are taxed: every taxed row is that market.
    taxed = [r for r in body["rows"] if (r.get("new_rate") or 0) > (r.get("old_rate") or 0)]
    assert taxed
    assert {(r["importer"], r["exporter"], r["code"]) for r in taxed} == {("USA", "MYS", "C26")}


def test_json_body_equals_yaml_body(client) -> None:
    as_yaml = _run(client, DOC, mode="smart").json()
    as_json = _run(client, json.dumps(yaml.safe_load(DOC)), "application/json", mode="smart")
    assert as_json.status_code == 200
    assert same_records(as_json.json(), as_yaml)


def test_top_is_the_cli_top(client, http_data_dir: Path) -> None:
    full = _run(client, name=PRESET).json()
    top = _run(client, name=PRESET, top=3).json()
    assert len(full["rows"]) > 3 and len(top["rows"]) == 3
    assert same_records(top, cli_json(http_data_dir, "scenario", "run", PRESET, "--top", "3"))


BAD_RUNS = [
    ({}, None, "application/yaml", 422, "name"),
    ({"name": PRESET}, DOC, "application/yaml", 422, "name"),
    ({"name": "no-such-preset"}, None, "", 404, "name"),
    ({"name": "/etc/passwd.yaml"}, None, "", 404, "name"),
    ({"name": PRESET, "mode": "bogus"}, None, "", 422, "mode"),
    ({"name": PRESET, "draws": 10**6}, None, "", 422, "draws"),
    ({"name": PRESET, "year": 1990}, None, "", 422, "year"),
    ({"name": PRESET, "home": "QQQ"}, None, "", 404, "home"),
    ({"name": PRESET, "dataset": "nope"}, None, "", 404, "dataset"),
    ({}, "name: [unclosed", "application/yaml", 422, "body"),
    ({}, '{"name": ', "application/json", 422, "body"),
    ({}, "a: &x [1]\nb: *x\n", "application/yaml", 422, "body"),
    ({}, "[1, 2]", "application/json", 422, "body"),
    ({}, DOC.replace("0.20", "7"), "application/yaml", 422, "body"),
    ({}, DOC.replace("[C26]", "[ZZZ]"), "application/yaml", 422, "body"),
    (
        {},
        DOC.replace("basis: reciprocal", "basis: reciprocal\n  colour: red"),
        "text/yaml",
        422,
        "body",
    ),
    (
        {},
        DOC.replace("description:", "extends: /etc/passwd\ndescription:"),
        "text/yaml",
        404,
        "body",
    ),
    ({}, DOC, "application/xml", 415, "body"),
    ({}, b"\xff\xfe\x00", "application/yaml", 422, "body"),
    ({}, "[" * 200_000, "application/json", 422, "body"),
    ({}, "x: " + "y" * 1_100_000, "application/yaml", 413, "body"),
]


@pytest.mark.parametrize(("query", "body", "ctype", "status", "parameter"), BAD_RUNS)
def test_bad_runs_name_the_parameter(client, query, body, ctype, status, parameter) -> None:
    response = _run(client, body, ctype, **query)
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["parameter"] == parameter
    assert answer["detail"].startswith(f"{parameter}: ")


def test_bad_document_message_names_the_key(client) -> None:
    answer = _run(client, DOC.replace("0.20", "7")).json()
    assert "measures[0].new_rate" in answer["detail"]
    answer = _run(client, "name: x\nmeasures: [\n").json()
    assert "line" in answer["detail"]


def test_unknown_preset_show_is_404(client) -> None:
    response = client.get("/api/scenarios/us-2025-08-08")
    assert response.status_code == 404
    body = response.json()
    assert body["parameter"] == "name" and "us-2025-08-07" in body["detail"]  # suggestion


def test_body_limit_is_configurable(http_data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=1, max_body_bytes=len(DOC) - 1)
    with TestClient(app, base_url="http://127.0.0.1") as small:
        response = _run(small, DOC)
        assert response.status_code == 413 and response.json()["parameter"] == "body"


def test_compare_is_the_cli_compare(client, http_data_dir: Path) -> None:
    a, b = "us-2025-08-07-mys-no-deal", PRESET
    response = client.get("/api/scenarios/compare", params={"a": a, "b": b, "home": "MYS"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["scenario_a"], body["scenario_b"], body["home"]) == (a, b, "MYS")
    assert same_records(body, cli_json(http_data_dir, "scenario", "compare", a, b, "--home", "MYS"))
    # B - A, product by product; the totals add up.
    total = sum(r["difference_usd"] for r in body["rows"])
    assert body["summary"]["difference_usd"] == pytest.approx(total, rel=1e-9, abs=1e-3)


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ({"a": "nope", "b": PRESET, "home": "MYS"}, 404, "a"),
        ({"a": PRESET, "b": "../x.yaml", "home": "MYS"}, 404, "b"),
        ({"a": PRESET, "b": PRESET}, 422, "home"),
        ({"a": PRESET, "b": PRESET, "home": "QQQ"}, 404, "home"),
        ({"a": PRESET, "b": PRESET, "home": "MYS", "mode": "x"}, 422, "mode"),
    ],
)
def test_bad_compare(client, query, status, parameter) -> None:
    response = client.get("/api/scenarios/compare", params=query)
    assert response.status_code == status, response.text
    assert response.json()["parameter"] == parameter
