"""`tradelever brief` end to end on the embedded data."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
from typer.testing import CliRunner

from tradelever.interfaces.cli import app

runner = CliRunner()


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def test_brief_html_with_only_home_partner_and_out(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    result = _run(icio_data_dir, "brief", "MYS", "--partner", "USA", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # The default data for a US partner: product lines (census-us-2024), not ICIO industries.
    visible = re.sub(r"<[^>]+>", "", html)
    assert "Malaysia supplied 20.2% of US imports of semiconductors" in visible
    assert '<section id="sources"' in html
    assert 'data-chart="leverage-bars"' in html and 'data-chart="tariff-timeline"' in html
    # No rival given: the rival-substitution section says so instead of showing figures.
    assert "no rival was given (--rival ISO3)" in html
    assert f"wrote {out}" in result.output.replace("\n", "")


def test_brief_markdown_with_rival_and_ringgit(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    result = _run(
        icio_data_dir,
        "brief",
        "MYS",
        "--partner",
        "USA",
        "--rival",
        "CHN",
        "--currency",
        "MYR",
        "--fx",
        "4.4510",
        "--fx-date",
        "2025-04-02",
        "--top",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Malaysia and the United States")
    assert "## Rival-substitution offers" in md and "China" in md
    assert "4.4510 MYR per US dollar, the rate of 2025-04-02" in md
    assert re.search(r"US\\\$[\d.,]+ bn \(RM[\d.,]+ bn\)", md)
    assert "## Sources" in md


def test_brief_pdf(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.pdf"
    result = _run(icio_data_dir, "brief", "MYS", "--partner", "USA", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert "Headline numbers" in text and "Malaysia supplied 20.2%" in text


def test_brief_errors_name_the_option(icio_data_dir: Path, tmp_path: Path) -> None:
    result = _run(
        icio_data_dir, "brief", "MYS", "--partner", "USA", "--out", str(tmp_path / "b.docx")
    )
    assert result.exit_code == 1 and "--out" in result.output
    result = _run(
        icio_data_dir,
        "brief",
        "MYS",
        "--partner",
        "USA",
        "--fx",
        "4.45",
        "--out",
        str(tmp_path / "b.md"),
    )
    assert result.exit_code == 1 and "--currency" in result.output and "--fx-date" in result.output
    result = _run(
        icio_data_dir, "brief", "MYS", "--partner", "ZZZ", "--out", str(tmp_path / "b.md")
    )
    assert result.exit_code == 1 and "ZZZ" in result.output
    assert not (tmp_path / "b.md").exists()


def test_unknown_scenario_is_a_one_line_error(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    result = _run(
        icio_data_dir, "brief", "MYS", "-p", "USA", "--scenario", "nope", "--out", str(out)
    )
    assert result.exit_code != 0
    line = result.output.strip()
    assert line.startswith("error: --scenario: nope: unknown scenario") and "\n" not in line
    assert "Traceback" not in result.output and not out.exists()


def test_fx_out_of_bounds_is_an_error(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    result = _run(
        icio_data_dir, "brief", "MYS", "-p", "USA", "--currency", "MYR", "--fx", "1e308",
        "--fx-date", "2025-04-02", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code != 0 and "--fx" in result.output and "RMinf" not in result.output
    assert not out.exists()


def test_brief_labelled_scenarios_and_no_peers(icio_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    result = _run(
        icio_data_dir, "brief", "MYS", "-p", "USA", "--peers", "none",
        "-s", "deal=us-2025-08-07", "-s", "competitors first=us-2025-08-07-mys-no-deal",
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    md = out.read_text(encoding="utf-8")
    assert "Deal (us-2025-08-07, schedule of 2025-08-07)" in md
    assert "**Ask:** a rate no worse than the competitors'" in md
    assert "## Peers\n\nNot available: no peer group was requested." in md
