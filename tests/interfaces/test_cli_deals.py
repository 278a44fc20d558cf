"""``tradelever deals`` and ``tradelever check`` end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tradelever.interfaces import commands_deals  # noqa: F401
from tradelever.interfaces.cli_app import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims" / "kenanga-2025-04-14.yaml"


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def _json(data_dir: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = _run(data_dir, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_deals_members_asean(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "deals", "--members", "ASEAN")
    assert [r["partner"] for r in d["rows"]] == ["IDN", "PHL", "VNM", "KHM", "MYS", "THA"]
    mys = next(r for r in d["rows"] if r["partner"] == "MYS")
    assert (mys["days_since_2025_04_02"], mys["days_to_rate"]) == (207, 127)
    assert mys["rate_cut"] == 0.05
    assert (d["partner"], d["members"]) == ("USA", "ASEAN")
    assert set(d["provenance"]) >= {"deals", "exports", "gdp", "rates"}
    table = _run(icio_data_dir, "deals", "--members", "ASEAN")
    assert table.exit_code == 0, table.output
    assert "MYS" in table.stdout and "5 pp" in table.stdout
    assert "15% all-in" not in table.stdout  # no all-in ceilings among ASEAN deals
    assert "rate took effect on 2025-08-07" in table.stdout


def test_deals_show_vnm(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "deals", "show", "VNM")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "vnm-2025-07" in out
    assert "rates.announced: 20% additional" in out
    assert "https://www.whitehouse.gov/" in out
    assert "commitments.investment: not in the texts" in out
    assert "rate cut: 26 pp" in out
    d = _json(icio_data_dir, "deals", "show", "VNM")
    assert d["partner"] == "VNM" and d["summary"]["deals"][0]["id"] == "vnm-2025-07"
    assert all(r["quote"] for r in d["rows"] if r["value"] != "not in the texts")


def test_unknown_partner_is_one_line(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "deals", "show", "XQZ")
    assert result.exit_code == 1
    lines = (
        result.stderr.strip().splitlines() if result.stderr else result.output.strip().splitlines()
    )
    assert len(lines) == 1 and lines[0].startswith("error: PARTNER:")
    assert "Traceback" not in result.output
    none = _run(icio_data_dir, "deals", "show", "SGP")
    assert none.exit_code == 1
    assert "no US deal with Singapore" in none.output
    bad = _run(icio_data_dir, "deals", "--members", "ASEANN")
    assert bad.exit_code == 1 and "--members" in bad.output


def test_first_in_line_and_chart(icio_data_dir: Path, tmp_path: Path) -> None:
    svg = tmp_path / "fil.svg"
    result = _run(icio_data_dir, "deals", "first-in-line", "--home", "MYS", "--svg", str(svg))
    assert result.exit_code == 0, result.output
    assert "Spearman rho, days vs rate obtained" in result.stdout
    assert "MYS *" in result.stdout
    text = svg.read_text()
    assert text.startswith("<svg") and "MYS" in text
    d = _json(icio_data_dir, "deals", "first-in-line")
    assert d["summary"]["statistics"][0]["n"] == sum(
        r["rate_obtained"] is not None for r in d["rows"]
    )


def test_precedents(icio_data_dir: Path) -> None:
    result = _run(icio_data_dir, "deals", "precedents", "tariff_elimination", "--members", "VNM")
    assert result.exit_code == 0, result.output
    assert "Vietnam: preferential market access" in result.stdout
    wrong = _run(icio_data_dir, "deals", "precedents", "loans")
    assert wrong.exit_code == 1 and "OFFER" in wrong.output


def test_check_example_file(icio_data_dir: Path) -> None:
    d = _json(icio_data_dir, "check", str(EXAMPLE))
    verdicts = {r["id"]: r["verdict"] for r in d["rows"]}
    assert verdicts["mys-share-of-us-chip-imports"] == "supported"
    assert verdicts["us-rare-earth-imports-from-china"] == "contradicted"
    assert verdicts["us-glove-imports-2023"] == "not_checkable"
    assert list(d["rows"][0])[:4] == ["id", "verdict", "claimed", "recomputed"]
    table = _run(icio_data_dir, "check", str(EXAMPLE))
    assert table.exit_code == 0, table.output
    assert "1 supported, 1 contradicted, 4 not checkable" in table.stdout
    assert "claimed 20.0%; recomputed 21.9% (census-us-2024, 2024)" in table.stdout


def _claim(id_: str, value: float, year: int) -> dict:  # type: ignore[type-arg]
    return {
        "id": id_,
        "text": "Malaysia is 40% of world processor exports (synthetic).",
        "where": {
            "publication": "synthetic",
            "url": "https://example.org/note",
            "date": "2024-01-01",
            "attributed_to": "test",
        },
        "measure": "world_export_share",
        "parameters": {
            "home": ["MYS"],
            "products": {"description": "processors", "hs": ["854231"], "revision": "HS17"},
            "year": year,
            "datasets": ["hand-hs17"],
        },
        "claimed": {"value": value, "unit": "share", "wording": f"{value:.0%}"},
        "tolerance": {"kind": "absolute", "value": 0.01, "why": "stated to the whole percent"},
        "settle_with": "world exports of HS 854231",
    }


def test_each_verdict_through_the_cli(hand_data_dir: Path, tmp_path: Path) -> None:
    doc = {
        "title": "synthetic claims",
        "source": "tests",
        "claims": [
            _claim("right", 0.40, 2023),  # X(MYS) = 100 of W = 250
            _claim("wrong", 0.60, 2023),
            _claim("other-year", 0.40, 2021),  # the hand data hold 2022 and 2023
        ],
    }
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(doc))
    d = _json(hand_data_dir, "check", str(path))
    rows = {r["id"]: r for r in d["rows"]}
    assert rows["right"]["verdict"] == "supported"
    assert rows["right"]["recomputed"] == 0.4
    assert rows["wrong"]["verdict"] == "contradicted"
    assert rows["other-year"]["verdict"] == "not_checkable"
    assert rows["other-year"]["year"] == 2022
    assert d["summary"] == {
        "title": "synthetic claims",
        "claims": 3,
        "supported": 1,
        "contradicted": 1,
        "not_checkable": 1,
    }


def test_check_bad_file_is_one_line(icio_data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("title: x\nsource: y\nclaims:\n  - id: Bad Id\n")
    result = _run(icio_data_dir, "check", str(path))
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "Traceback" not in result.output
    missing = _run(icio_data_dir, "check", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 1 and "cannot read the claims file" in missing.output


def test_csv_cells_of_lists_are_json(icio_data_dir: Path) -> None:
    import csv
    import io

    result = _run(icio_data_dir, "deals", "--members", "MYS", "--format", "csv")
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["partner"] == "MYS" and row["days_since_2025_04_02"] == "207"
    notes = json.loads(row["notes"])
    assert any("before the deal of 2025-10-26" in n for n in notes)
