"""The command line starts fast, prints one line per error, and keeps keys out of its logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradelever.interfaces.cli import COMMANDS, app

HEAVY = ("pandas", "ibis", "duckdb", "numpy", "pyarrow")


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_version_and_help_import_no_heavy_library(args: list[str]) -> None:
    """Issue 15: `tradelever --version` imported pandas and Ibis (0.56 s)."""
    code = (
        "import sys\n"
        "from tradelever.interfaces import cli\n"
        f"sys.argv = ['tradelever', *{args!r}]\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None, 2), exc.code\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "LOADED []" in out.stdout, out.stdout[-2000:]
    if args == ["--version"]:
        assert out.stdout.startswith("tradelever ")
    else:
        assert "leverage" in out.stdout and "scan" in out.stdout


def test_every_command_is_listed_with_its_own_help() -> None:
    import typer.main

    for name, (_, line) in COMMANDS.items():
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        group = typer.main.get_command(app)
        command = group.commands[name]  # type: ignore[attr-defined]
        assert command.get_short_help_str(300) == line, name


def test_datasets_table_shows_status_and_dashes(tmp_path: Path, icio_data_dir: Path) -> None:
    import shutil

    from tests.synthetic import write_hand_dataset

    shutil.copytree(icio_data_dir, tmp_path / "store")
    store = write_hand_dataset(tmp_path / "store")
    manifest = store.dataset_path("hand-hs17") / "dataset.json"
    manifest.write_text("{not json", encoding="utf-8")  # one damaged data set
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "store"), "datasets"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "hand-hs17" in x)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[:8] == ["hand-hs17", "damaged", "-", "-", "-", "-", "-", "-"]
    assert "None" not in result.output
    listed = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path / "store"), "datasets", "--format", "json"]
    )
    records = {r["name"]: r for r in json.loads(listed.stdout)}
    assert records["hand-hs17"]["status"] == "damaged"
    assert "dataset.json" in records["hand-hs17"]["note"]
    assert records["icio2022"]["status"] == "ok"


def test_unexpected_fault_is_one_line_without_traceback(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from tradelever.interfaces import cli\n"
        "import tradelever.interfaces.cli_app as c\n"
        "def boom(ctx):\n"
        "    raise ZeroDivisionError('x' * 5)\n"
        "c.session = boom\n"
        "import tradelever.interfaces.commands_core as core\n"
        "core.session = boom\n"
        f"sys.argv = ['tradelever', '--data-dir', {str(tmp_path)!r}, 'datasets']\n"
        "cli.main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 3
    assert out.stderr.strip().splitlines() == [
        "error: internal error (ZeroDivisionError: xxxxx); run again with --debug for the "
        "traceback, and report it"
    ]
    assert "Traceback" not in out.stderr


def test_usage_error_exit_code_is_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "leverage", "--nope"])
    assert result.exit_code == 2


def test_log_records_are_redacted(tmp_path: Path, icio_data_dir: Path) -> None:
    """Issue 13: with --debug the HTTP client logged URLs with key=<CENSUS_API_KEY>."""
    from tradelever.sources.redaction import RedactingFilter, remember_secret

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        result = CliRunner().invoke(app, ["--data-dir", str(icio_data_dir), "--debug", "datasets"])
        assert result.exit_code == 0, result.output
        handlers = [h for h in root.handlers]
        assert handlers and all(
            any(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers
        )
        remember_secret("sekret-key-123")
        record = logging.LogRecord(
            "httpx", logging.DEBUG, __file__, 1, "GET %s", ("https://x/?key=sekret-key-123",), None
        )
        for h in handlers:
            for f in h.filters:
                f.filter(record)
        assert "sekret-key-123" not in record.getMessage()
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)


def test_interrupted_command_exits_130(
    monkeypatch: pytest.MonkeyPatch, icio_data_dir: Path
) -> None:
    from tradelever.session import Session

    def stop(self: Session) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "datasets", stop)
    result = CliRunner().invoke(app, ["--data-dir", str(icio_data_dir), "datasets"])
    assert result.exit_code == 130
    assert result.output.strip() == "interrupted"
