"""``tradelever scan``, ``Session.scan`` and ``GET /api/scan`` on the SYNTHETIC hand data.

The figures are worked by hand in tests/analysis/test_scan.py (2023, sigma = 5): MYS sells
USA 60 of 80 gloves (401519), 50 of 100 processors (854231) and 1 of 10 rare-earth metals
(280530), and is CHN's sole supplier of 854231 (50) and 401519 (40).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.synthetic import write_hand_dataset
from tradelever.analysis.scan import OVER_COLUMNS, SCAN, SCAN_COLUMNS
from tradelever.interfaces.cli import app

HAND = "hand-hs17"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path) -> Path:
    import shutil

    target = tmp_path_factory.mktemp("scan-cli") / "store"
    shutil.copytree(icio_data_dir, target)
    write_hand_dataset(target)
    return target


def _cli(data_dir: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), "scan", *args])


def test_session_scan_by_hand(data_dir: Path) -> None:
    from tradelever.api import Session

    result = Session(data_dir).scan("mys", dataset=HAND, sigma=5.0)
    rows = result.rows
    assert list(rows.columns) == list(SCAN_COLUMNS)
    assert list(zip(rows.partner, rows.code, strict=True)) == [
        ("CHN", "854231"),
        ("CHN", "401519"),
        ("USA", "401519"),
        ("USA", "854231"),
        ("USA", "280530"),
    ]
    assert math.isinf(rows.partner_cost_of_losing_home_usd[0])
    assert rows.partner_cost_of_losing_home_usd[2] == pytest.approx(80 * (math.sqrt(2) - 1))
    assert rows.description[2] == "Rubber: vulcanised, gloves other than surgical"
    assert result.params["home"] == "MYS" and result.params["level"] == "hs6"
    hs4 = Session(data_dir).scan("MYS", dataset=HAND, level="hs4", partners="USA", sigma=5.0)
    assert hs4.rows.code.tolist() == ["4015", "8542", "2805"]
    # 8542 in USA: 100 + 40 = 140, MYS 50: cost 140 * ((1 - 50/140)^(-1/4) - 1)
    assert hs4.rows.partner_cost_of_losing_home_usd[1] == pytest.approx(
        140 * ((1 - 50 / 140) ** -0.25 - 1)
    )


def test_cli_scan_json_and_table(data_dir: Path) -> None:
    result = _cli(data_dir, "MYS", "--dataset", HAND, "--sigma", "5", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    body = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert [r["partner"] for r in body["rows"]] == ["CHN", "CHN", "USA", "USA", "USA"]
    assert body["rows"][0]["partner_cost_of_losing_home_usd"] is None  # unbounded: null
    assert body["summary"]["positions"] == 5 and body["provenance"]["name"] == HAND
    table = _cli(data_dir, "MYS", "--dataset", HAND, "--partners", "USA", "--min-share", "0.4")
    text = " ".join(table.output.split())  # type: ignore[attr-defined]
    assert table.exit_code == 0, text  # type: ignore[attr-defined]
    assert "2 positions in 1 partners" in text and "401519" in text and "280530" not in text
    assert "Source:" in text


def test_cli_scan_over_and_errors(data_dir: Path) -> None:
    over = _cli(data_dir, "MYS", "--over", "USA", "--dataset", HAND, "-f", "json", "-n", "3")
    body = json.loads(over.stdout)  # type: ignore[attr-defined]
    assert list(body["rows"][0]) == list(OVER_COLUMNS)
    assert body["summary"]["home"] == "MYS" and body["summary"]["suppliers"] == 3
    assert len(body["rows"]) == 3
    for args, message in [
        (["MAS"], "error: HOME: MAS: unknown country; did you mean MYS"),
        (["MYS", "--over", "XXX"], "error: --over: XXX: unknown country"),
        (["MYS", "--min-share", "1.5"], "error: --min-share: must be a number >= 0 and <= 1"),
        (["MYS", "--min-imports", "-1"], "error: --min-imports: must be a number >= 0"),
        (["MYS", "--level", "group"], "error: --level:"),
        (["MYS", "--partners", "ATLANTIS"], "error: --partners:"),
    ]:
        result = _cli(data_dir, *args, "--dataset", HAND)
        text = " ".join(result.output.split())  # type: ignore[attr-defined]
        assert result.exit_code == 1, (args, text)  # type: ignore[attr-defined]
        assert text.startswith(message), (args, text)
        assert len(result.output.strip().splitlines()) == 1  # type: ignore[attr-defined]


def test_http_scan_is_the_cli_scan(data_dir: Path) -> None:
    from tradelever.interfaces.http import create_app

    cli = json.loads(_cli(data_dir, "MYS", "--dataset", HAND, "-f", "json").stdout)  # type: ignore[attr-defined]
    with TestClient(create_app(data_dir, pool_size=1), base_url="http://127.0.0.1") as c:
        answer = c.get("/api/scan", params={"home": "MYS", "dataset": HAND})
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == cli["rows"]
        bad = c.get("/api/scan", params={"home": "MYS", "dataset": HAND, "min_imports": -1})
        assert bad.status_code == 422 and bad.json()["parameter"] == "min_imports"
        over = c.get("/api/scan", params={"home": "MYS", "over": "MAS", "dataset": HAND})
        assert over.status_code == 404 and over.json()["parameter"] == "over"
        schema = c.get("/openapi.json").json()["paths"]["/api/scan"]["get"]
    names = [p["name"] for p in schema["parameters"]]
    assert names == [o.query_name for o in SCAN.options if o.http] + ["top"]
