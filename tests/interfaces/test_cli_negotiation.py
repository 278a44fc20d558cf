"""The negotiation commands end to end on icio2022 (and the hand data set) via CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Import the command module directly so that these tests exercise exactly its registration.
from tradelever.interfaces import commands_negotiation  # noqa: F401
from tradelever.interfaces.cli_app import app

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def _json(data_dir: Path, *args: str) -> dict:
    result = _run(data_dir, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_formula_json(icio_data_dir: Path) -> None:
    d = _json(
        icio_data_dir, "formula", "MYS", "-p", "USA", "-d", "icio2022", "--target-rate", "0.15"
    )
    assert d["home"] == "MYS" and d["partner"] == "USA" and d["dataset"] == "icio2022"
    s = d["summary"]
    for key in (
        "deficit_over_imports",
        "formula_rate",
        "announced_rate",
        "additional_partner_exports_needed_usd",
    ):
        assert key in s
    m, x = s["partner_imports_from_home_usd"], s["partner_exports_to_home_usd"]
    assert s["deficit_over_imports"] == pytest.approx((m - x) / m)
    assert s["formula_rate"] == pytest.approx(max(0.10, (m - x) / (2 * m)))
    assert s["announced_rate"] == pytest.approx(0.24)
    assert s["additional_partner_exports_needed_usd"] == pytest.approx(
        max(0.0, m - x - 2 * m * 0.15)
    )
    assert d["provenance"]["source"].startswith("OECD")
    assert len(d["rows"]) == 1 and d["rows"][0]["year"] == 2022


def test_formula_given_figures_and_table(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula", "VNM", "--imports", "1000e9", "--exports", "100e9")
    # (1000 - 100) / 1000 = 0.9; rate 0.45; rounded up 0.45; announced 0.46
    assert d["summary"]["formula_rate"] == pytest.approx(0.45)
    assert d["summary"]["announced_rate"] == pytest.approx(0.46)
    result = _run(icio_data_dir, "formula", "MYS")
    assert result.exit_code == 0, result.output
    assert "announced 2 Apr 2025: 24%" in result.stdout


def test_substitutes_json_and_csv(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "substitutes", "MYS", "-p", "USA", "-r", "CHN")
    assert d["rival"] == "CHN"
    row = d["rows"][0]
    for key in (
        "code",
        "description",
        "rival_share_of_partner_imports",
        "home_rca",
        "home_world_export_share",
        "plausible_supply_usd",
    ):
        assert key in row
    values = [r["plausible_supply_usd"] for r in d["rows"]]
    assert values == sorted(values, reverse=True)
    result = _run(
        icio_data_dir, "substitutes", "MYS", "-p", "USA", "-r", "CHN", "-f", "csv", "--top", "3"
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 and rows[0]["code"] == row["code"]


def test_exposure_json(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "exposure", "MYS", "-p", "USA")
    s = d["summary"]
    assert s["gdp_usd"] > 0 and 0 < s["share_of_gdp"] < 1
    assert s["share_of_home_exports"] == pytest.approx(
        s["home_exports_to_partner_usd"] / s["home_exports_usd"]
    )
    keys = set(d["rows"][0])
    assert {
        "code",
        "description",
        "share_of_home_exports",
        "share_of_gdp",
        "rest_of_world_imports_usd",
        "absorption_ratio",
    } <= keys


def test_concessions_json(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "concessions", "MYS", "-p", "USA", "--target-rate", "0.12")
    assert d["target_rate"] == 0.12
    assert "additional_partner_exports_needed_usd" in d["summary"]
    row = d["rows"][0]
    assert {"code", "description", "switchable_usd", "cumulative_switchable_usd"} <= set(row)


def test_peers_json_and_table(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "peers", "MYS", "-p", "USA", "--peers", "ASEAN")
    assert d["rows"][0]["country"] == "MYS"
    assert "TLS" in d["summary"]["skipped"]
    row = d["rows"][0]
    for key in (
        "country",
        "exports_to_partner_usd",
        "share_of_partner_imports",
        "total_ces_leverage_usd",
        "exposure",
        "formula_rate",
        "overlap_with_home",
    ):
        assert key in row
    result = _run(icio_data_dir, "peers", "MYS", "-p", "USA", "--peers", "THA,VNM")
    assert result.exit_code == 0, result.output
    assert "Thailand" in result.stdout


def test_hand_dataset_levels(hand_data_dir: Path) -> None:
    d = _json(
        hand_data_dir,
        "substitutes",
        "MYS",
        "-p",
        "USA",
        "-r",
        "CHN",
        "-d",
        "hand-hs17",
        "--level",
        "hs4",
    )
    assert d["level"] == "hs4"
    assert [r["code"] for r in d["rows"]] == ["8542"]
    # min(70, 0.25 * (100 - 50)): a quarter of MYS's exports of 8542 to others
    assert d["rows"][0]["plausible_supply_usd"] == pytest.approx(12.5)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["formula", "MAS"], "MAS"),
        (["formula", "MYS", "--target-rate", "2"], "--target-rate"),
        (["formula", "MYS", "--imports", "10"], "--exports"),
        (["exposure", "MYS", "-p", "USA", "--gdp-usd", "-3"], "--gdp-usd"),
        (["substitutes", "MYS", "-p", "USA", "-r", "USA"], "different"),
        (["peers", "MYS", "-p", "USA", "--peers", "XXQ"], "XXQ"),
        (["concessions", "MYS", "-p", "USA", "--level", "hs6"], "--level"),
        (["exposure", "MYS", "-p", "USA", "--year", "1999"], "--year"),
    ],
)
def test_errors_are_one_line(icio_data_dir: Path, args: list[str], needle: str) -> None:
    result = _run(icio_data_dir, *args)
    assert result.exit_code == 1
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_formula_annex_json(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula-annex", "--dataset", "icio2022")
    assert d["partner"] == "USA" and d["dataset"] == "icio2022"
    codes = [r["code"] for r in d["rows"]]
    assert "MYS" in codes and "EU27" in codes
    assert {"formula_rate", "announced_rate", "difference"} <= set(d["rows"][0])
    assert "share_matching_rounded_up" in d["summary"]
