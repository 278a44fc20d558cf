"""A new user's first commands, end to end on the embedded data (issue 11 items 2-3, issue 12).

Figures asserted are from the Census sample's README (worked there from the raw HS10
files) and the Census country workbook (Malaysia 2024: m = US$52,534.8 mn, x = US$27,704.8
mn), or recomputed here from the store's tables with plain pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradelever.interfaces import commands_core, commands_negotiation  # noqa: F401
from tradelever.interfaces.cli_app import app
from tradelever.store import Store

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def _json(data_dir: Path, *args: str) -> dict:
    result = _run(data_dir, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- leverage: product level, 2024, real shares, by default ---------------------------------
def test_leverage_mys_usa_ranks_hs6_products_with_real_2024_shares(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "leverage", "MYS", "--partner", "USA")
    assert (d["dataset"], d["year"], d["level"]) == ("census-us-2024", 2024, "hs6")
    assert d["provenance"]["dataset_choice"].startswith("data set census-us-2024 chosen by default")
    assert d["assumptions"][0] == d["provenance"]["dataset_choice"]
    rows = {r["code"]: r for r in d["rows"]}
    assert all(len(code) == 6 for code in rows)
    gloves = rows["401512"]  # README: US$1.94 bn of US imports, Malaysia 47.3%
    assert round(100 * gloves["home_share_of_partner_imports"], 1) == 47.3
    assert round(gloves["partner_imports_usd"] / 1e9, 2) == 1.94
    costs = [r["partner_cost_of_losing_home_usd"] for r in d["rows"]]
    assert costs == sorted(costs, reverse=True)  # ranked by the partner's cost
    # one reporter: world-based indicators null, and said why
    assert gloves["home_world_export_share"] is None and gloves["home_rca"] is None
    assert any(a.startswith("null because census-us-2024 holds only the imports of USA")
               for a in d["assumptions"])  # fmt: skip
    # chapter coverage and the 2024 applied rate on every row
    assert 0.9 < gloves["coverage"] <= 1.0
    assert all(r["coverage"] is not None for r in d["rows"])
    assert gloves["home_applied_rate"] is not None and gloves["applied_rate"] is not None


def test_leverage_semiconductors_hs4_and_the_2024_applied_rate(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "leverage", "MYS", "--partner", "USA", "--level", "hs4")
    chips = {r["code"]: r for r in d["rows"]}["8542"]
    assert round(100 * chips["home_share_of_partner_imports"], 1) == 23.3  # README
    # the applied rate and the coverage recomputed from the store with pandas
    store = Store(icio_data_dir)
    flows = store.table("census-us-2024", "flows").to_pandas()
    part = flows[flows["product"].str.startswith("8542")]
    mys = part[part["exporter"] == "MYS"]
    assert chips["home_applied_rate"] == pytest.approx(
        mys["duty_usd"].sum() / mys["value_usd"].sum()
    )
    assert chips["applied_rate"] == pytest.approx(part["duty_usd"].sum() / part["value_usd"].sum())
    cov = store.table("census-us-2024", "coverage").to_pandas().set_index("chapter")
    assert chips["coverage"] == pytest.approx(
        cov.loc["85", "covered_imports_usd"] / cov.loc["85", "world_imports_usd"]
    )


def test_another_partner_keeps_icio(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "leverage", "MYS", "--partner", "CHN", "--top", "2")
    assert (d["dataset"], d["level"]) == ("icio2022", "industry")
    assert "partner is not the United States" in d["provenance"]["dataset_choice"]
    assert d["rows"][0]["coverage"] is None  # no coverage table: world data


def test_level_the_data_set_lacks_is_an_error(hand_data_dir: Path) -> None:
    """hs10 on an HS6 data set (BACI-like) is refused, never silently read as HS6."""
    r = _run(hand_data_dir, "leverage", "MYS", "--partner", "USA", "--dataset", "hand-hs17",
             "--level", "hs10")  # fmt: skip
    assert r.exit_code == 1
    assert "--level: data set hand-hs17 supports level hs6, hs4, hs2 or group, not hs10" in r.output


# -- the formula on the real balance ---------------------------------------------------------
def test_formula_mys_usa_is_24_percent(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula", "MYS", "--partner", "USA")
    assert (d["dataset"], d["year"]) == ("census-us-trade", 2024)
    s = d["summary"]
    assert s["partner_imports_from_home_usd"] == pytest.approx(52_534.8e6, abs=0.05e6)
    assert s["partner_exports_to_home_usd"] == pytest.approx(27_704.8e6, abs=0.05e6)
    # (52,534.8 - 27,704.8) / 52,534.8 = 47.26% -> 47; / 2 = 23.5 -> 24%
    assert s["annex_method_rate"] == pytest.approx(0.24)
    assert s["announced_rate"] == pytest.approx(0.24)
    assert s["formula_rate"] == pytest.approx(24_830.0 / (2 * 52_534.8), abs=1e-5)
    table = _run(icio_data_dir, "formula", "MYS", "--partner", "USA")
    assert "rate as the US computed it: 24%" in table.output


def test_formula_year_option(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula", "MYS", "--year", "2023")
    assert d["year"] == 2023 and d["summary"]["partner_imports_from_home_usd"] > 0


def test_formula_annex_reports_matches_and_misses(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula-annex")
    s = d["summary"]
    assert d["dataset"] == "census-us-trade"
    assert (s["matched_annex_method"], s["entries"]) == (68, 71)
    misses = {m["code"]: round(m["gap"], 2) for m in s["missed_annex_method"]}
    # Vietnam 45 against 46, Japan 23 against 24, Afghanistan 25 against 10
    assert misses == {"VNM": -0.01, "JPN": -0.01, "AFG": 0.15}
    eu = {r["code"]: r for r in d["rows"]}["EU27"]
    assert eu["members_covered"] == 27 and eu["annex_method_rate"] == pytest.approx(0.20)
    out = _run(icio_data_dir, "formula-annex", "--top", "1").output
    assert "reproduces 68 of the 71 Annex I entries" in out and "Vietnam 45% against 46%" in out


# -- the balance over time -------------------------------------------------------------------
def test_balance_monthly_and_annual(icio_data_dir: Path) -> None:
    monthly = _json(icio_data_dir, "balance", "MYS", "--from", "2024-01", "--to", "2024-12")
    rows = pd.DataFrame(monthly["rows"])
    assert list(rows.columns) == [
        "date", "imports_usd", "exports_usd", "balance_usd", "deficit_over_imports"
    ]  # fmt: skip
    assert rows["date"].tolist() == [f"2024-{m:02d}" for m in range(1, 13)]
    assert rows["imports_usd"].sum() == pytest.approx(52_534.8e6, abs=0.1e6)
    assert (rows["balance_usd"] == rows["exports_usd"] - rows["imports_usd"]).all()
    annual = _json(icio_data_dir, "balance", "MYS", "--frequency", "annual", "--from", "2023")
    dates = [r["date"] for r in annual["rows"]]
    assert dates == ["2023", "2024"]  # 2025 holds two months only: not a year
    assert annual["rows"][-1]["exports_usd"] == pytest.approx(27_704.8e6, abs=0.05e6)
    eu = _json(icio_data_dir, "balance", "EU27", "--from", "2024-12", "--to", "2024-12")
    assert len(eu["rows"]) == 1 and eu["rows"][0]["imports_usd"] > 40e9


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--from", "2024-13"], "--from: '2024-13' is not a month (YYYY-MM"),
        (["--from", "2025-01", "--to", "2024-01"], "--from: 2025-01 is after the end"),
        (
            ["--partner", "CHN", "--dataset", "census-us-trade"],
            "--partner: census-us-trade holds only the imports of USA",
        ),
        (
            ["--dataset", "icio2022", "--partner", "USA"],
            "--frequency: data set icio2022 holds years",
        ),
    ],
)
def test_balance_errors(icio_data_dir: Path, args: list[str], text: str) -> None:
    r = _run(icio_data_dir, "balance", "MYS", *args)
    assert r.exit_code == 1 and text in r.output, r.output


# -- input checks (issue 12 item 7) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--target-rate", "0.05"], "--target-rate: must be a number >= 0.1"),
        (["--imports", "52.5", "--exports", "27.7e9"], "type 52.5e9"),
    ],
)
def test_formula_input_errors(icio_data_dir: Path, args: list[str], text: str) -> None:
    r = _run(icio_data_dir, "formula", "MYS", *args)
    assert r.exit_code == 1 and text in r.output, r.output
    assert "Traceback" not in r.output


def test_formula_eu27(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "formula", "EU27")
    assert d["summary"]["announced_rate"] == pytest.approx(0.20)
    assert d["summary"]["annex_method_rate"] == pytest.approx(0.20)
    given = _json(icio_data_dir, "formula", "EU27", "--imports", "605.8e9", "--exports", "370.2e9")
    assert given["home"] == "EUU" and given["summary"]["announced_rate"] == pytest.approx(0.20)


def test_negative_top_is_rejected(icio_data_dir: Path) -> None:
    r = _run(icio_data_dir, "leverage", "MYS", "--partner", "USA", "--top", "-3")
    assert r.exit_code == 2  # the option's bound, before any work


def test_datasets_say_what_they_are_the_default_for(icio_data_dir: Path) -> None:
    rows = {r["name"]: r for r in _json(icio_data_dir, "datasets")}
    assert "leverage" in rows["census-us-2024"]["default_for"]
    assert "formula" in rows["census-us-trade"]["default_for"]
    assert "everything else" in rows["icio2022"]["default_for"]
