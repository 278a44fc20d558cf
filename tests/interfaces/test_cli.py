"""The command line end to end on the embedded data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradelever import __version__, schema
from tradelever.interfaces.cli import app

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_on_every_command() -> None:
    from tradelever.interfaces.cli import COMMANDS

    names = list(COMMANDS)  # commands are imported when they run: list them from the table
    assert {"leverage", "datasets", "scan"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage" in result.output


def test_leverage_json_contract(icio_data_dir: Path) -> None:
    result = _run(
        icio_data_dir, "leverage", "MYS", "--partner", "USA", "--rival", "CHN", "--format", "json",
        "--dataset", "icio2022",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc)[:9] == [
        "home",
        "partner",
        "rival",
        "dataset",
        "year",
        "level",
        "provenance",
        "assumptions",
        "rows",
    ]
    assert (doc["home"], doc["partner"], doc["rival"]) == ("MYS", "USA", "CHN")
    assert doc["dataset"] == "icio2022" and doc["year"] == 2022 and doc["level"] == "industry"
    assert doc["provenance"]["sha256"] and "OECD" in doc["provenance"]["source"]
    assert any("intermediate goods only" in a for a in doc["assumptions"])
    row = doc["rows"][0]
    assert {"code", "description", *schema.LEVERAGE_FIELDS} <= set(row)
    costs = [r["partner_cost_of_losing_home_usd"] for r in doc["rows"]]
    assert costs == sorted(costs, reverse=True)
    c26 = next(r for r in doc["rows"] if r["code"] == "C26")
    assert c26["home_share_of_partner_imports"] == pytest.approx(0.0274, abs=0.0005)
    assert c26["rival_share_of_partner_imports"] == pytest.approx(0.331, abs=0.001)
    assert len(doc["rows"]) >= 40  # json defaults to all rows


def test_leverage_csv_and_top(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "USA", "--format", "csv", "--top", "3")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].split(",")[:2] == ["code", "description"]
    assert len(lines) == 4


def test_leverage_table_mentions_sources(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "USA", "-d", "icio2022")
    assert result.exit_code == 0
    assert "intermediate goods only" in result.output and "C26" in result.output


def test_unknown_country_exits_non_zero_with_suggestion(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "leverage", "MAS", "--partner", "USA")
    assert result.exit_code == 1
    assert "MAS: unknown country; did you mean MYS (Malaysia)" in result.stderr
    assert "Traceback" not in result.output


def test_errors_name_the_flag(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "leverage", "MYS", "--partner", "MAS")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: --partner: MAS: unknown country; did you mean MYS (Malaysia)"
    )
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "USA", "--year", "1999")
    assert result.stderr.startswith("error: --year: 1999 is not in data set census-us-2024")


def test_error_text_is_never_read_as_markup(icio_data_dir: Path) -> None:
    # A value that looks like rich markup is printed as typed (issue 13, item 8): before,
    # "[/bold]" made the printer itself fail with a MarkupError.
    result = _run(icio_data_dir, "leverage", "[/bold]", "--partner", "USA")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: HOME: [/bold]: unknown country")
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "[red]USA[/red]")
    assert "error: --partner: [red]USA[/red]: unknown country" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_dataset_and_bad_sigma(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "USA", "--dataset", "nope")
    assert result.exit_code == 1 and "nope: unknown data set" in result.stderr
    result = _run(icio_data_dir, "leverage", "MYS", "-p", "USA", "--sigma", "1")
    assert result.exit_code == 1 and "--sigma" in result.stderr


def test_datasets_json(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "datasets", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    icio = next(d for d in doc if d["name"] == "icio2022")
    assert icio["note"] == "intermediate goods only" and icio["years"] == [2022]


def test_console_script_in_a_subprocess(icio_data_dir: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradelever",
            "--data-dir",
            str(icio_data_dir),
            "leverage",
            "XYZ",
            "--partner",
            "USA",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    # The parameter is named in the command line's spelling (issue 10: HOME, --partner).
    assert proc.stderr.strip().startswith("error: HOME: XYZ: unknown country")
    assert "Traceback" not in proc.stderr
