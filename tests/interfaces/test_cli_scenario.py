"""``tradelever scenario`` end to end (CliRunner, --data-dir)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradelever.interfaces.cli import app

runner = CliRunner()
ROW_KEYS = {
    "importer",
    "exporter",
    "code",
    "baseline_imports_usd",
    "trade_creation_usd",
    "trade_diversion_usd",
    "total_effect_usd",
}


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def test_list_and_show_json(icio_data_dir: Path) -> None:
    res = _run(icio_data_dir, "scenario", "list", "--format", "json")
    assert res.exit_code == 0, res.output
    names = {r["name"] for r in json.loads(res.output)}
    assert {"us-2025-04-02", "us-2025-04-10", "us-2026-02-24"} <= names
    res = _run(icio_data_dir, "scenario", "show", "us-2025-04-10", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert all(m["source"] and m["effective"] for m in data["measures"])
    res = _run(icio_data_dir, "scenario", "show", "us-2025-04-10")
    assert res.exit_code == 0 and "125%" in res.output


def test_run_preset_on_icio_json_contract(icio_data_dir: Path) -> None:
    res = _run(icio_data_dir, "scenario", "run", "us-2025-04-02", "--home", "MYS", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["scenario"] == "us-2025-04-02" and data["dataset"] == "icio2022"
    assert data["mode"] == "ces" and data["home"] == "MYS"
    assert data["rows"] and set(data["rows"][0]) >= ROW_KEYS
    for row in data["rows"]:
        assert row["total_effect_usd"] == pytest.approx(
            row["trade_creation_usd"] + row["trade_diversion_usd"], rel=1e-9, abs=1e-3
        )
    market = data["markets"][0]
    assert {"importer", "code", "tariff_revenue_change_usd", "welfare_usd"} <= set(market)
    assert {"exporter", "total_effect_usd"} <= set(data["exporters"][0])
    home = data["home_summary"]
    assert home["home"] == "MYS" and home["total_effect_usd"] < 0
    assert home["rival_tariff_effect_usd"] > 0  # diversion gain from China's higher rate
    assert any("intermediate goods only" in a for a in data["assumptions"])
    assert data["provenance"]["scenario"]["name"] == "us-2025-04-02"


def test_run_smart_with_draws_and_table(icio_data_dir: Path) -> None:
    res = _run(
        icio_data_dir,
        "scenario",
        "run",
        "us-2025-08-07",
        "--mode",
        "smart",
        "--home",
        "MYS",
        "--draws",
        "20",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    u = json.loads(res.output)["uncertainty"]
    hp = u["home_total_effect_usd"]
    assert u["draws"] == 20 and hp["p5"] <= hp["p50"] <= hp["p95"]
    res = _run(icio_data_dir, "scenario", "run", "us-2025-05-14", "--top", "3")
    assert res.exit_code == 0, res.output
    assert "Assumptions" in res.output


def test_compare_competitors_first(icio_data_dir: Path) -> None:
    res = _run(
        icio_data_dir,
        "scenario",
        "compare",
        "us-2025-08-07-mys-no-deal",
        "us-2025-08-07",
        "--home",
        "MYS",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    # Paying 25% instead of 19% while competitors pay their July 31 rates costs Malaysia.
    assert data["summary"]["difference_usd"] > 0
    assert data["rows"][0]["exports_b_usd"] - data["rows"][0]["exports_a_usd"] == pytest.approx(
        data["rows"][0]["difference_usd"]
    )


def test_invalid_file_is_one_line_error(icio_data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nmeasures:\n  - importer: USA\n    exporters: [VNM]\n    products: all\n"
        "    new_rate: 25\n    basis: reciprocal\n    source: x\n",
        "utf-8",
    )
    res = _run(icio_data_dir, "scenario", "run", str(path))
    assert res.exit_code == 1
    assert "measures[0].new_rate" in res.output and "0.25" in res.output
    res = _run(icio_data_dir, "scenario", "run", "no-such-preset")
    assert res.exit_code == 1 and "unknown scenario" in res.output


def test_show_never_cuts_silently(icio_data_dir: Path) -> None:
    """Every measure is printed; long groups are counted and --all lists every member."""
    res = _run(icio_data_dir, "scenario", "show", "us-2025-08-07")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "eo14257-annex-ii (38 codes;" in text and "--all lists them)" in text
    assert "scenario show us-2025-08-07 --all` lists every one" in text
    full = _run(icio_data_dir, "scenario", "show", "us-2025-08-07", "--all")
    assert full.exit_code == 0, full.output
    data = json.loads(
        _run(icio_data_dir, "scenario", "show", "us-2025-08-07", "--format", "json").output
    )
    assert data["n_members"] == len(data["members"]) > 39
    for member in {m["member"] for m in data["members"]}:
        assert member in full.output
    assert data["on"] == "2025-08-07"


def test_run_shows_baseline_bands_flags_and_splits(icio_data_dir: Path) -> None:
    res = _run(icio_data_dir, "scenario", "run", "us-2025-08-07", "--home", "MYS", "-n", "3")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "Baseline: no additional tariffs" in text
    assert "sigma band" in text and "Rows flagged: extreme_sigma" in text
    assert "(Shapley split)" in text and "gap to competitors" in text
