"""The JSON API: the CLI's contract over HTTP, and 4xx answers that name the parameter."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from tests.interfaces.http.helpers import cli_json, same
from tradelever import schema

LEVERAGE_KEYS = ["home", "partner", "rival", "dataset", "year", "level"]


# -- catalogue ----------------------------------------------------------------------------
def test_datasets_is_the_cli_listing(client, http_data_dir: Path) -> None:
    response = client.get("/api/datasets")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {d["name"] for d in body} == {
        "icio2022",
        "census-us-2024",
        "census-us-trade",
        "hand-hs17",
    }
    assert body == cli_json(http_data_dir, "datasets")


def test_countries_of_the_hand_data_set(client) -> None:
    body = client.get("/api/countries", params={"dataset": "hand-hs17"}).json()
    assert body["dataset"] == "hand-hs17"
    assert body["years"] == [2022, 2023]
    assert [c["iso3"] for c in body["countries"]] == ["CHN", "MYS", "THA", "USA"]
    names = {c["iso3"]: c["name"] for c in body["countries"]}
    assert names["MYS"] == "Malaysia" and names["USA"] == "United States"
    groups = {c["iso3"]: c["groups"] for c in body["countries"]}
    assert "ASEAN" in groups["MYS"] and "ASEAN" in groups["THA"]
    assert "ASEAN" not in groups["USA"]
    assert "ASEAN" in body["groups"]


def test_countries_default_to_the_embedded_network(client) -> None:
    body = client.get("/api/countries").json()
    assert body["dataset"] == "icio2022" and body["years"] == [2022]
    codes = [c["iso3"] for c in body["countries"]]
    assert len(codes) == 81 or len(codes) == 80  # 80 economies (+ ROW in some releases)
    assert {"MYS", "USA", "CHN"} <= set(codes)
    assert codes == sorted(codes)


# -- leverage -----------------------------------------------------------------------------
def test_leverage_is_thecli_json(client, http_data_dir: Path) -> None:
    response = client.get("/api/leverage", params={"home": "MYS", "partner": "USA", "rival": "CHN"})
    assert response.status_code == 200
    body = response.json()
    assert list(body)[:9] == [*LEVERAGE_KEYS, "provenance", "assumptions", "rows"]
    cli = cli_json(http_data_dir, "leverage", "MYS", "--partner", "USA", "--rival", "CHN")
    assert same(body, cli)
    fields = set(body["rows"][0])
    assert set(schema.LEVERAGE_FIELDS) <= fields and {"code", "description"} <= fields


def test_leverage_hand_numbers(client) -> None:
    # tests/synthetic.py, 2023: USA imports 854231 for 100 = MYS 50 + CHN 30 + THA 20.
    body = client.get(
        "/api/leverage",
        params={"home": "MYS", "partner": "USA", "rival": "CHN", "dataset": "hand-hs17"},
    ).json()
    assert body["year"] == 2023 and body["level"] == "hs6"
    rows = {r["code"]: r for r in body["rows"]}
    chips = rows["854231"]
    assert chips["partner_imports_usd"] == pytest.approx(100.0)
    assert chips["home_exports_to_partner_usd"] == pytest.approx(50.0)
    assert chips["home_share_of_partner_imports"] == pytest.approx(0.5)
    assert chips["rival_share_of_partner_imports"] == pytest.approx(0.3)
    assert chips["partner_import_hhi"] == pytest.approx(0.5**2 + 0.3**2 + 0.2**2)
    # memories: CHN is the sole supplier, MYS sells none
    assert rows["854232"]["home_share_of_partner_imports"] == pytest.approx(0.0)
    assert rows["854232"]["rival_share_of_partner_imports"] == pytest.approx(1.0)


def test_leverage_year_and_level_are_passed_through(client) -> None:
    base = {"home": "mys", "partner": "usa", "dataset": "hand-hs17"}
    y2022 = client.get("/api/leverage", params={**base, "year": 2022}).json()
    assert (y2022["home"], y2022["partner"], y2022["year"]) == ("MYS", "USA", 2022)
    assert y2022["rival"] is None
    rows = {r["code"]: r for r in y2022["rows"]}
    assert rows["854231"]["partner_imports_usd"] == pytest.approx(50.0)  # 2022 = half
    hs4 = client.get("/api/leverage", params={**base, "level": "hs4"}).json()
    rows4 = {r["code"]: r for r in hs4["rows"]}
    assert hs4["level"] == "hs4"
    # 8542 = 854231 (100) + 854232 (40); MYS supplies 50 of it.
    assert rows4["8542"]["partner_imports_usd"] == pytest.approx(140.0)
    assert rows4["8542"]["home_share_of_partner_imports"] == pytest.approx(50 / 140)


def test_leverage_top_and_sigma(client) -> None:
    base = {"home": "MYS", "partner": "USA"}
    full = client.get("/api/leverage", params=base).json()
    top = client.get("/api/leverage", params={**base, "top": 3}).json()
    assert same(top["rows"], full["rows"][:3])  # computed apart: sums may differ in the last bit
    one_sigma = client.get("/api/leverage", params={**base, "sigma": 4}).json()
    assert {r["sigma"] for r in one_sigma["rows"]} == {4.0}
    assert any("sigma = 4" in a for a in one_sigma["assumptions"])


# -- bad input ----------------------------------------------------------------------------
BAD_LEVERAGE = [
    ({"home": "MAS", "partner": "USA"}, 404, "home"),
    ({"home": "MYS", "partner": "XXX"}, 404, "partner"),
    ({"home": "MYS", "partner": "USA", "rival": "ZZZ"}, 404, "rival"),
    ({"home": "MYS", "partner": "USA", "dataset": "nope"}, 404, "dataset"),
    ({"home": "MYS", "partner": "USA", "dataset": "../datasets/icio2022"}, 404, "dataset"),
    ({"home": "MYS", "partner": "USA", "year": 1999}, 422, "year"),
    ({"home": "MYS", "partner": "USA", "year": "abc"}, 422, "year"),
    ({"home": "MYS", "partner": "USA", "year": -5}, 422, "year"),
    ({"home": "MYS", "partner": "USA", "year": 10**30}, 422, "year"),
    ({"home": "MYS", "partner": "USA", "dataset": "icio2022", "level": "hs6"}, 422, "level"),
    ({"home": "MYS", "partner": "USA", "level": "bogus"}, 422, "level"),
    ({"home": "MYS", "partner": "USA", "sigma": 0.5}, 422, "sigma"),
    ({"home": "MYS", "partner": "USA", "sigma": "nan"}, 422, "sigma"),
    ({"home": "MYS", "partner": "USA", "sigma": "inf"}, 422, "sigma"),
    ({"home": "MYS", "partner": "USA", "top": -1}, 422, "top"),
    ({"partner": "USA"}, 422, "home"),
    ({"home": "MYS"}, 422, "partner"),
    ({"home": "", "partner": "USA"}, 422, "home"),
    ({"home": "M" * 200, "partner": "USA"}, 422, "home"),
    ({"home": "MYS", "partner": "MYS"}, 422, "partner"),
    ({"home": "MYS", "partner": "USA", "rival": "USA"}, 422, "rival"),
    ({"home": "TLS", "partner": "USA"}, 404, "home"),  # valid ISO3, not in the ICIO
    ({"home": "MYS", "partner": "USA", "dataset": "hand-hs17", "level": "industry"}, 422, "level"),
]


@pytest.mark.parametrize(("params", "status", "parameter"), BAD_LEVERAGE)
def test_leverage_bad_input_names_the_parameter(client, params, status, parameter) -> None:
    response = client.get("/api/leverage", params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"].startswith(f"{parameter}: ")


def test_unknown_country_suggests_the_code(client) -> None:
    body = client.get("/api/leverage", params={"home": "MAS", "partner": "USA"}).json()
    assert "MYS (Malaysia)" in body["detail"]


def test_countries_unknown_dataset(client) -> None:
    response = client.get("/api/countries", params={"dataset": "nope"})
    assert response.status_code == 404
    assert response.json()["parameter"] == "dataset"
    assert "icio2022" in response.json()["detail"]  # lists what is available


def test_unknown_path_is_404(client) -> None:
    assert client.get("/api/nothing-here").status_code == 404


# -- serving and safety -------------------------------------------------------------------
def test_foreign_host_header_is_refused(http_app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(http_app, base_url="http://attacker.example") as foreign:
        assert foreign.get("/api/datasets").status_code == 400
    with TestClient(http_app, base_url="http://localhost:8000") as local:
        assert local.get("/api/datasets").status_code == 200


def test_dashboard_is_served_with_its_own_assets(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    html = page.text
    for field in ("dataset", "year", "home", "partner", "rival"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page links its scripts and styles"
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), f"external asset {asset}"
    for asset in [a for a in assets if a.startswith("/static/")]:
        served = client.get(asset)
        assert served.status_code == 200, asset
    for module in ("app.js", "api.js", "chart.js", "table.js", "format.js"):
        js = client.get(f"/static/{module}")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        for imported in re.findall(r'from "\./([^"]+)"', js.text):
            assert client.get(f"/static/{imported}").status_code == 200, imported


def test_openapi_lists_the_endpoints(client) -> None:
    doc = client.get("/openapi.json").json()
    assert {"/api/datasets", "/api/countries", "/api/leverage"} <= set(doc["paths"])
    params = {p["name"] for p in doc["paths"]["/api/leverage"]["get"]["parameters"]}
    assert {"home", "partner", "rival", "dataset", "year", "level"} <= params
    assert "422" in doc["paths"]["/api/leverage"]["get"]["responses"]
    # No CDN-backed documentation pages: the app must work offline.
    assert client.get("/docs").status_code == 404


# -- concurrency --------------------------------------------------------------------------
def test_concurrent_requests_get_the_sequential_answers(http_data_dir: Path) -> None:
    """Sessions (DuckDB connections) are never shared between threads: answers stay right."""
    from fastapi.testclient import TestClient

    from tradelever.interfaces.http import create_app

    app = create_app(http_data_dir, pool_size=2, cache_bytes=0)
    pairs = [("MYS", "USA"), ("DEU", "FRA"), ("JPN", "KOR"), ("USA", "CHN"), ("THA", "VNM")] * 3
    with TestClient(app, base_url="http://127.0.0.1") as c:
        expected = {
            p: c.get("/api/leverage", params={"home": p[0], "partner": p[1]}).json()
            for p in set(pairs)
        }
        results: dict[int, object] = {}
        errors: list[BaseException] = []

        def fetch(i: int, pair: tuple[str, str]) -> None:
            try:
                r = c.get("/api/leverage", params={"home": pair[0], "partner": pair[1]})
                results[i] = (r.status_code, r.json())
            except BaseException as exc:  # collected and re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=fetch, args=(i, p)) for i, p in enumerate(pairs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    for i, pair in enumerate(pairs):
        status, body = results[i]  # type: ignore[misc]
        assert status == 200
        # DuckDB's parallel sums may differ in the last bit between runs; nothing more.
        assert same(body, expected[pair]), pair
    assert len(app.state.engine.cache) == 0  # cache disabled: every answer was computed
