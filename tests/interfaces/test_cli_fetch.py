"""``tradelever fetch ...`` end to end against a local server, then ``leverage`` on the result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import httpserver
from tests.data_factories import baci as baci_factory
from tests.httpserver import LocalServer, Recorded, Reply
from tests.sources import census_fixtures as cf
from tests.sources.comtrade_fixtures import envelope, record
from tradelever.interfaces.cli import app

local_server = httpserver.local_server  # the local HTTP server fixture
runner = CliRunner()
IMPORTS = "/data/timeseries/intltrade/imports/hs"


@pytest.fixture
def data_dir(tmp_path: Path, icio_data_dir: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(icio_data_dir, target)
    return target


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)


def run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def census_reply(req: Recorded) -> Reply:
    body = {"8542*": cf.imports_8542(), "4015*": cf.imports_4015()}.get(req.query["I_COMMODITY"])
    return Reply(200, body) if body else Reply(204)


def test_fetch_census_then_leverage(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route(IMPORTS, census_reply)
    monkeypatch.setenv("TRADELEVER_CENSUS_URL", local_server.url)
    fetched = run(data_dir, "fetch", "census", "--year", "2024", "--hs", "8542,4015", "-f", "json")
    assert fetched.exit_code == 0, fetched.output
    summary = json.loads(fetched.stdout)
    assert summary["name"] == "census-imports-2024" and summary["rows"] == 8
    assert summary["licence"].startswith("Public domain")
    assert summary["report"]["unmapped_partners"][0]["kept_as"] == "CTY9999"
    lev = run(
        data_dir, "leverage", "MYS", "--partner", "USA", "--dataset", "census-imports-2024",
        "--level", "hs6", "-f", "json",
    )  # fmt: skip
    assert lev.exit_code == 0, lev.output
    out = json.loads(lev.stdout)
    rows = {r["code"]: r for r in out["rows"]}
    # hand-worked from the synthetic response: MYS 600,000 of 1,000,000; 150 of 200
    assert rows["854231"]["home_share_of_partner_imports"] == pytest.approx(0.6)
    assert rows["401519"]["home_share_of_partner_imports"] == pytest.approx(0.75)
    assert rows["854231"]["partner_imports_usd"] == pytest.approx(1_000_000.0)
    assert any("partial" in a for a in out["assumptions"])


def test_fetch_census_table_output_names_unmapped_codes(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route(IMPORTS, census_reply)
    monkeypatch.setenv("TRADELEVER_CENSUS_URL", local_server.url)
    result = run(
        data_dir, "fetch", "census", "--year", "2024", "--hs", "8542", "--name", "us-chips"
    )
    assert result.exit_code == 0, result.output
    assert "us-chips" in result.stdout and "CTY9999" in result.stdout
    assert "NEW TERRITORY" in result.stdout


def test_fetch_census_204_is_an_explained_error(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route(IMPORTS, Reply(204))
    monkeypatch.setenv("TRADELEVER_CENSUS_URL", local_server.url)
    result = run(data_dir, "fetch", "census", "--year", "2025", "--hs", "8542")
    assert result.exit_code == 1
    assert "HTTP 204" in result.stderr and "not published yet" in result.stderr
    assert "census-imports-2025" not in run(data_dir, "datasets", "-f", "json").stdout


def test_fetch_comtrade_stores_a_dataset(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = [
        record(842, 0, "854231", 100.0),
        record(842, 458, "854231", 60.0, net_wgt=1500.0),
        record(842, 156, "854231", 40.0),
    ]
    local_server.route("/public/v1/preview/C/A/HS", Reply(200, envelope(data)))
    monkeypatch.setenv("TRADELEVER_COMTRADE_URL", local_server.url)
    result = run(
        data_dir, "fetch", "comtrade", "--reporter", "USA", "--partner", "all",
        "--hs", "854231", "--years", "2023", "--flow", "M", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == "comtrade-usa-m-2023"
    lev = run(data_dir, "leverage", "MYS", "-p", "USA", "-d", "comtrade-usa-m-2023", "-f", "json")
    assert lev.exit_code == 0, lev.output
    assert json.loads(lev.stdout)["rows"][0]["home_share_of_partner_imports"] == pytest.approx(0.6)


def test_fetch_comtrade_bad_period_fails_before_any_request(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADELEVER_COMTRADE_URL", local_server.url)
    result = run(
        data_dir, "fetch", "comtrade", "--reporter", "USA", "--hs", "8542", "--years", "202301"
    )
    assert result.exit_code == 1
    assert "--years" in result.stderr and "freq is A" in result.stderr
    assert local_server.requests == []


def test_fetch_comtrade_rate_limit_exhausted_is_one_line(
    local_server: LocalServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.route(
        "/public/v1/preview/C/A/HS",
        Reply(429, "Rate limit is exceeded. Try again in 3600 seconds.", {"Retry-After": "3600"}),
    )
    monkeypatch.setenv("TRADELEVER_COMTRADE_URL", local_server.url)
    result = run(
        data_dir, "fetch", "comtrade", "--reporter", "USA", "--hs", "8542", "--years", "2023"
    )
    assert result.exit_code == 1
    assert "error:" in result.stderr and "3600" in result.stderr
    assert "Traceback" not in result.output


def test_fetch_baci_downloads_and_ingests(
    local_server: LocalServer, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = baci_factory.write_release_zip(tmp_path / "src").read_bytes()
    name = f"BACI_{baci_factory.HS}_{baci_factory.VERSION}.zip"
    local_server.route(f"/baci/{name}", Reply(200, payload, ranges=True, cut_after=5000),
                       Reply(200, payload, ranges=True))  # fmt: skip
    monkeypatch.setenv("TRADELEVER_BACI_URL", f"{local_server.url}/baci")
    result = run(
        data_dir, "fetch", "baci", "--release", baci_factory.VERSION, "--hs", baci_factory.HS,
        "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["name"] == "baci-hs17-v202201" and out["years"] == [2020, 2021]
    assert len(local_server.hits(f"/baci/{name}")) == 2  # cut, then resumed
    bad = run(data_dir, "fetch", "baci", "--release", "2025", "--hs", "HS22")
    assert bad.exit_code == 1 and "--release" in bad.stderr
