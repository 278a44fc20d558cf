"""Negotiation and network analyses over HTTP: the CLI's JSON, worked numbers, 4xx answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interfaces.http.helpers import cli_json, same, same_records

# (endpoint, query, CLI arguments) for the same question.
SAME_AS_CLI = [
    (
        "/api/substitutes",
        {"home": "MYS", "partner": "USA", "rival": "CHN"},
        ["substitutes", "MYS", "--partner", "USA", "--rival", "CHN"],
    ),
    ("/api/exposure", {"home": "MYS", "partner": "USA"}, ["exposure", "MYS", "--partner", "USA"]),
    ("/api/formula", {"home": "MYS"}, ["formula", "MYS"]),
    (
        "/api/formula",
        {"home": "MYS", "imports": 100e9, "exports": 50e9, "target_rate": 0.15},
        ["formula", "MYS", "--imports", "100e9", "--exports", "50e9", "--target-rate", "0.15"],
    ),
    ("/api/formula-annex", {}, ["formula-annex"]),
    (
        "/api/concessions",
        {"home": "MYS", "partner": "USA"},
        ["concessions", "MYS", "--partner", "USA"],
    ),
    (
        "/api/peers",
        {"home": "MYS", "partner": "USA", "peers": "ASEAN"},
        ["peers", "MYS", "--partner", "USA", "--peers", "ASEAN"],
    ),
    (
        "/api/supply-chain",
        {"home": "MYS", "partner": "USA", "industry": "C26,C22"},
        ["supply-chain", "MYS", "--partner", "USA", "--industry", "C26,C22"],
    ),
    (
        "/api/substitutes",
        {"home": "MYS", "partner": "USA", "rival": "CHN", "dataset": "hand-hs17", "year": 2022},
        [
            "substitutes",
            "MYS",
            "--partner",
            "USA",
            "--rival",
            "CHN",
            "-d",
            "hand-hs17",
            "-y",
            "2022",
        ],
    ),
]


@pytest.mark.parametrize(("path", "query", "cli"), SAME_AS_CLI)
def test_endpoint_is_the_cli_json(client, http_data_dir: Path, path, query, cli) -> None:
    response = client.get(path, params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert same_records(body, cli_json(http_data_dir, *cli))
    assert {"provenance", "assumptions", "rows"} <= set(body)


def test_formula_worked_example(client) -> None:
    # m = 100, x = 50 (US$ bn): rate = max(10%, (100 - 50) / 200) = 25%; to reach 15% the
    # partner must sell 100 - 50 - 2 * 100 * 0.15 = 20 more.
    body = client.get(
        "/api/formula",
        params={"home": "MYS", "imports": 100e9, "exports": 50e9, "target_rate": 0.15},
    ).json()
    assert body["summary"]["formula_rate"] == pytest.approx(0.25)
    assert body["summary"]["additional_partner_exports_needed_usd"] == pytest.approx(20e9)
    floor = client.get(
        "/api/formula", params={"home": "MYS", "imports": 100e9, "exports": 120e9}
    ).json()
    assert floor["summary"]["formula_rate"] == pytest.approx(0.10)


def test_top_limits_rows(client) -> None:
    query = {"home": "MYS", "partner": "USA"}
    full = client.get("/api/exposure", params=query).json()
    top = client.get("/api/exposure", params={**query, "top": 2}).json()
    assert len(full["rows"]) > 2 and same(top["rows"], full["rows"][:2])
    assert same(top["summary"], full["summary"])


def test_peers_cover_asean_members_in_the_data_set(client) -> None:
    body = client.get("/api/peers", params={"home": "MYS", "partner": "USA"}).json()
    countries = {str(r.get("country", r.get("exporter", ""))) for r in body["rows"]}
    assert "MYS" in countries
    assert {"THA", "VNM", "SGP", "IDN"} & countries


BAD = [
    ("/api/substitutes", {"home": "MYS", "partner": "USA"}, 422, "rival"),
    ("/api/substitutes", {"home": "MYS", "partner": "USA", "rival": "QQQ"}, 404, "rival"),
    (
        "/api/substitutes",
        {"home": "MYS", "partner": "USA", "rival": "CHN", "min_rca": -1},
        422,
        "min_rca",
    ),
    ("/api/exposure", {"home": "MYS", "partner": "USA", "gdp_usd": -1}, 422, "gdp_usd"),
    ("/api/exposure", {"home": "MYS", "partner": "USA", "year": 2001}, 422, "year"),
    ("/api/exposure", {"home": "XX1", "partner": "USA"}, 404, "home"),
    ("/api/formula", {"home": "MYS", "imports": 100}, 422, "exports"),
    ("/api/formula", {"home": "MYS", "imports": -5, "exports": 1}, 422, "imports"),
    ("/api/formula", {"home": "MYS", "target_rate": 5}, 422, "target_rate"),
    ("/api/formula", {"home": "MYS", "imports": "lots", "exports": 1}, 422, "imports"),
    ("/api/formula", {"home": "MYS", "partner": "ZZZ"}, 404, "partner"),
    ("/api/concessions", {"home": "MYS", "partner": "USA", "target_rate": -1}, 422, "target_rate"),
    ("/api/concessions", {"home": "MYS", "partner": "USA", "level": "hs2"}, 422, "level"),
    ("/api/peers", {"home": "MYS", "partner": "USA", "peers": "XYZ"}, 404, "peers"),
    ("/api/peers", {"home": "MYS", "partner": "USA", "peers": ","}, 422, "peers"),
    ("/api/peers", {"home": "MYS", "partner": "USA", "sigma": 0.9}, 422, "sigma"),
    ("/api/supply-chain", {"home": "MYS", "partner": "USA", "industry": "ZZZ"}, 404, "industry"),
    ("/api/supply-chain", {"home": "MYS", "partner": "USA", "share_lost": 2}, 422, "share_lost"),
    (
        "/api/supply-chain",
        {"home": "MYS", "partner": "USA", "dataset": "hand-hs17"},
        422,
        "dataset",
    ),
    ("/api/supply-chain", {"home": "MYS", "partner": "USA", "dataset": "none"}, 404, "dataset"),
    ("/api/formula-annex", {"year": 1970}, 422, "year"),
    ("/api/formula", {"home": "MYS", "imports": 52.5, "exports": 1e9}, 422, "imports"),
    ("/api/formula", {"home": "MYS", "target_rate": 0.05}, 422, "target_rate"),
    ("/api/formula-annex", {"dataset": "nope"}, 404, "dataset"),
]


@pytest.mark.parametrize(("path", "query", "status", "parameter"), BAD)
def test_bad_input_names_the_parameter(client, path, query, status, parameter) -> None:
    response = client.get(path, params=query)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"].startswith(f"{parameter}: ")


def test_openapi_describes_every_analysis(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, names in {
        "/api/substitutes": {"home", "partner", "rival", "min_rca", "min_rival_share"},
        "/api/exposure": {"home", "partner", "gdp_usd"},
        "/api/formula": {"home", "partner", "imports", "exports", "target_rate"},
        "/api/concessions": {"home", "partner", "target_rate", "min_world_share"},
        "/api/peers": {"home", "partner", "peers", "sigma"},
        "/api/supply-chain": {"home", "partner", "industry", "share_lost"},
    }.items():
        params = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert names <= params, path


def test_balance_and_the_data_set_by_question(client) -> None:  # type: ignore[no-untyped-def]
    """/api/balance (monthly Census figures) and the default data set of /api/leverage."""
    r = client.get("/api/balance", params={"home": "MYS", "start": "2024-01", "end": "2024-12"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dataset"] == "census-us-trade" and len(body["rows"]) == 12
    assert {"date", "imports_usd", "exports_usd", "balance_usd"} <= set(body["rows"][0])
    bad = client.get("/api/balance", params={"home": "MYS", "start": "2024-13"})
    assert bad.status_code == 422 and bad.json()["parameter"] == "start"
    lev = client.get("/api/leverage", params={"home": "MYS", "partner": "USA", "top": 1}).json()
    assert lev["dataset"] == "census-us-2024" and lev["level"] == "hs6"
