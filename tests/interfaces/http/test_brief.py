"""The brief over HTTP: the CLI's document in each format, downloads, and 4xx answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

QUERY = {"home": "MYS", "partner": "USA", "rival": "CHN"}


def _cli_brief(data_dir: Path, out: Path, *args: str) -> str:
    from tradelever.interfaces.cli import app

    result = CliRunner().invoke(
        app, ["--data-dir", str(data_dir), "brief", *args, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_text("utf-8")


def test_markdown_is_the_cli_brief(client, http_data_dir: Path, tmp_path: Path) -> None:
    response = client.get("/api/brief", params={**QUERY, "format": "md"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    cli = _cli_brief(http_data_dir, tmp_path / "b.md", "MYS", "--partner", "USA", "--rival", "CHN")
    assert response.text == cli
    assert "Malaysia" in response.text and "United States" in response.text


def test_peers_none_is_the_cli_brief(client, http_data_dir: Path, tmp_path: Path) -> None:
    response = client.get("/api/brief", params={**QUERY, "format": "md", "peers": "none"})
    assert response.status_code == 200, response.text
    cli = _cli_brief(
        http_data_dir,
        tmp_path / "b.md",
        "MYS",
        "--partner",
        "USA",
        "--rival",
        "CHN",
        "--peers",
        "none",
    )
    assert response.text == cli


def test_html_is_self_contained_and_sandboxed(client) -> None:
    response = client.get("/api/brief", params=QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    html = response.text
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<script" not in html.lower()
    assert "http://" not in html.split("<body", 1)[0]  # no remote stylesheet or font
    assert response.headers["content-disposition"].startswith("inline;")


def test_pdf_download(client) -> None:
    response = client.get("/api/brief", params={**QUERY, "format": "pdf", "download": "true"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="brief-MYS-USA-CHN-census-us-2024-2024.pdf"'


def test_json_form_and_scenarios(client) -> None:
    plain = client.get("/api/brief", params={**QUERY, "format": "json"}).json()
    assert (plain["home"], plain["partner"], plain["rival"]) == ("MYS", "USA", "CHN")
    with_scenarios = client.get(
        "/api/brief",
        params={
            **QUERY,
            "format": "md",
            "scenario": ["us-2025-08-07", "us-2025-08-07-mys-no-deal"],
        },
    )
    assert with_scenarios.status_code == 200
    assert "us-2025-08-07-mys-no-deal" in with_scenarios.text


def test_home_currency(client) -> None:
    text = client.get(
        "/api/brief",
        params={
            **QUERY,
            "format": "md",
            "currency": "MYR",
            "fx": 4.2,
            "fx_date": "2025-08-01",
            "fx_source": "Bank Negara Malaysia",
        },
    ).text
    assert "MYR" in text and "2025-08-01" in text and "Bank Negara Malaysia" in text


BAD = [
    ({**QUERY, "scenario": "/etc/passwd"}, 404, "scenario"),
    ({**QUERY, "scenario": "us-2025-08-08"}, 404, "scenario"),
    ({**QUERY, "format": "docx"}, 422, "format"),
    ({**QUERY, "currency": "MYR"}, 422, "fx"),
    ({**QUERY, "fx_date": "yesterday"}, 422, "fx_date"),
    ({**QUERY, "top": 0}, 422, "top"),
    ({**QUERY, "partner": "QQQ"}, 404, "partner"),
    ({**QUERY, "dataset": "nope"}, 404, "dataset"),
    ({**QUERY, "year": 2000}, 422, "year"),
    ({"home": "MYS"}, 422, "partner"),
]


@pytest.mark.parametrize(("query", "status", "parameter"), BAD)
def test_bad_input_names_the_parameter(client, query, status, parameter) -> None:
    response = client.get("/api/brief", params=query)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"].startswith(f"{parameter}")
