"""``tradelever tariffs`` end to end: a hand-worked schedule case, change dates and errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradelever.interfaces.cli import app
from tradelever.store import Store

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def hand_census(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path) -> Path:
    """icio2022 and census-us-2024 (copied) plus ``hand-census``: two SYNTHETIC US import
    lines of Malaysia (not real figures): HTS 7208100000 (flat-rolled steel, on the Section
    232 steel list) US$100 with US$2 duty, and 4015121000 (medical gloves, under the
    reciprocal duty) US$300 with no duty."""
    target = tmp_path_factory.mktemp("hand-census") / "store"
    shutil.copytree(icio_data_dir, target)
    flows = pd.DataFrame(
        {
            "dataset": "hand-census",
            "year": 2024,
            "exporter": ["MYS", "MYS"],
            "importer": ["USA", "USA"],
            "product": ["7208100000", "4015121000"],
            "classification": "HTS2024",
            "value_usd": [100.0, 300.0],
            "quantity": [float("nan")] * 2,
            "duty_usd": [2.0, 0.0],
        }
    )
    manifest = {
        "source": "SYNTHETIC test lines",
        "years": [2024],
        "classification": "HTS2024",
        "level": "hs10",
        "levels": ["hs10", "hs8", "hs6", "hs4", "hs2"],
        "reporters": ["USA"],
    }
    with Store(target).stage("hand-census", manifest) as staged:
        staged.write_table("flows", flows, partition_year=True)
    return target


def test_hand_worked_effective_rate_two_lines_two_measures(hand_census: Path) -> None:
    res = _run(
        hand_census,
        "tariffs",
        "USA",
        "--exporters",
        "MYS",
        "--dates",
        "2025-04-05,2025-08-07",
        "--dataset",
        "hand-census",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = {r["date"]: r for r in data["rows"]}
    # 5 April 2025: steel 25% (s232) on 100, reciprocal 10% on 300: (25 + 30) / 400
    assert rows["2025-04-05"]["effective_additional_rate"] == pytest.approx(55 / 400)
    # 7 August 2025: steel 50%, Malaysia's reciprocal 19%: (50 + 57) / 400
    day = rows["2025-08-07"]
    assert day["effective_additional_rate"] == pytest.approx(107 / 400)
    assert day["measure_contributions"] == pytest.approx(
        {"s232-steel-50": 50 / 400, "reciprocal-annex-i-2025-08-07": 57 / 400}
    )
    assert day["baseline_rate_2024"] == pytest.approx(2 / 400)
    assert day["exempt_share"] == 0.0
    assert day["rate_change"] == pytest.approx(107 / 400 - 55 / 400)
    assert data["provenance"]["trade"]["source"] == "SYNTHETIC test lines"
    assert {m["measure_id"] for m in data["summary"]["measures"]} >= {"s232-steel-50"}
    mys = next(m for m in data["summary"]["measures"] if m["measure_id"].startswith("recip"))
    assert mys["instrument"] and mys["url"].startswith("https://")


def test_from_to_gives_the_dates_on_which_something_changes(hand_census: Path) -> None:
    res = _run(
        hand_census,
        "tariffs",
        "USA",
        "-e",
        "MYS",
        "--from",
        "2025-01-01",
        "--to",
        "2025-08-31",
        "--dataset",
        "hand-census",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    dates = [r["date"] for r in json.loads(res.output)["rows"]]
    # first date; steel 25% (12 Mar); reciprocal 10% (5 Apr); Annex I 24% (9 Apr), back to
    # 10% (10 Apr); steel 50% (4 Jun); 19% (7 Aug). China-only and auto dates are not shown.
    assert dates == [
        "2025-01-01",
        "2025-03-12",
        "2025-04-05",
        "2025-04-09",
        "2025-04-10",
        "2025-06-04",
        "2025-08-07",
    ]


@pytest.mark.parametrize(
    ("args", "flag", "text"),
    [
        (["CHN", "-e", "MYS"], "IMPORTER", "only the USA tariff schedule"),
        (["USA", "-e", "MYS", "--dates", "2025-13-01"], "--dates", "not a date"),
        (["USA", "-e", "MAS", "--dates", "2025-08-07"], "--exporters", "did you mean MYS"),
        (["USA", "-e", "MYS", "--from", "2025-08-01"], "--to", "give --to"),
        (["USA", "-e", "MYS", "--from", "2026-01-01", "--to", "2025-01-01"], "--to", "before"),
        (["USA", "-e", "MYS", "--dataset", "icio2022"], "--dataset", "no HS10 lines"),
        (["USA", "-e", "MYS", "--level", "hs4"], "--level", "not one of"),
    ],
)
def test_bad_input_is_one_line(icio_data_dir: Path, args: list[str], flag: str, text: str) -> None:
    res = _run(icio_data_dir, "tariffs", *args)
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}") and text in lines[0]


def test_acceptance_command_reads_right(icio_data_dir: Path) -> None:
    """Malaysia, Viet Nam, Thailand: the rates in Annex I of EO 14257 and of EO 14326."""
    res = _run(
        icio_data_dir, "tariffs", "USA", "-e", "MYS,VNM,THA", "--from", "2025-01-01",
        "--to", "2026-08-31", "--format", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    legend = {m["measure_id"]: m["rate"] for m in data["summary"]["measures"]}
    assert legend["reciprocal-annex-i-2025-04-09"] == "MYS 24%, VNM 46%, THA 36%"
    assert legend["reciprocal-annex-i-2025-08-07"] == "MYS 19%, VNM 20%, THA 19%"
    rows = pd.DataFrame(data["rows"])
    assert {"2025-04-05", "2025-08-07", "2026-02-20", "2026-02-24", "2026-07-24"} <= set(
        rows["date"]
    )
    mys = rows[rows["exporter"] == "MYS"].set_index("date")
    # after the IEEPA duties end (20 Feb 2026) only Section 232 charges Malaysia
    assert set(mys.loc["2026-02-20", "measure_contributions"]) == {
        k for k in mys.loc["2026-02-20", "measure_contributions"] if k.startswith("s232")
    }
    for _, r in rows.iterrows():
        assert sum(r["measure_contributions"].values()) == pytest.approx(
            r["effective_additional_rate"], abs=1e-12
        )


def test_groups_and_eu_aliases(icio_session) -> None:  # type: ignore[no-untyped-def]
    res = icio_session.tariffs("usa", "ASEAN,EU", dates="2025-08-07")
    assert "EUU" in res.params["exporters"] and "MYS" in res.params["exporters"]
    assert any("ASEAN members not among" in a for a in res.assumptions)
    assert res.kind == "tariffs" and set(res.provenance) == {"schedule", "trade"}
