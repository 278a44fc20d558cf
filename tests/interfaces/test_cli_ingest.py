"""``tradelever ingest baci`` end to end, then ``leverage`` on the ingested data set.

Trade rows are SYNTHETIC (tests/data_factories/baci.py); dictionaries are real CEPII files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.data_factories import baci as factory
from tradelever.interfaces.cli import app

runner = CliRunner()
NAME = "baci-hs17-v202201"


def _run(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


@pytest.fixture
def data_dir(tmp_path: Path, icio_data_dir: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(icio_data_dir, target)
    return target


def test_ingest_then_noop_then_leverage(data_dir: Path, tmp_path: Path) -> None:
    zipped = factory.write_release_zip(tmp_path / "dl")
    first = _run(data_dir, "ingest", "baci", str(zipped), "--format", "json")
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert payload["name"] == NAME and payload["rows"] == 16 and not payload["unchanged"]
    assert payload["manifest"]["licence"] == "Etalab Open Licence 2.0"

    again = _run(data_dir, "ingest", "baci", str(zipped))
    assert again.exit_code == 0
    assert "unchanged" in again.stdout

    listed = _run(data_dir, "datasets", "--format", "json")
    assert NAME in {d["name"] for d in json.loads(listed.stdout)}

    lev = _run(
        data_dir,
        "leverage",
        "MYS",
        "--partner",
        "USA",
        "--rival",
        "CHN",
        "--dataset",
        NAME,
        "--level",
        "hs4",
        "--sigma",
        "5",
        "--format",
        "json",
    )
    assert lev.exit_code == 0, lev.output
    rows = {r["code"]: r for r in json.loads(lev.stdout)["rows"]}
    m = 500_123 + 300_000 + 200_000 + 15_000 + 400_000 + 100_000  # US imports of 8542
    assert rows["8542"]["partner_imports_usd"] == pytest.approx(m)
    assert rows["8542"]["home_share_of_partner_imports"] == pytest.approx(600_123 / m)
    assert rows["4015"]["home_share_of_partner_imports"] == pytest.approx(600 / 801)


def test_ingest_with_name_and_table_output(data_dir: Path, tmp_path: Path) -> None:
    folder = factory.write_release_folder(tmp_path / "rel")
    result = _run(data_dir, "ingest", "baci", str(folder), "--name", "my-baci")
    assert result.exit_code == 0, result.output
    assert "my-baci" in result.stdout and "stored" in result.stdout
    assert "Etalab" in result.stdout


def test_corrupted_file_is_one_line_error(data_dir: Path, tmp_path: Path) -> None:
    rows = [*factory.ROWS_2021[:4], "2021,458,842,854231,-3,1", *factory.ROWS_2021[4:]]
    bad = factory.write_release_zip(tmp_path / "bad", {2021: rows})
    result = _run(data_dir, "ingest", "baci", str(bad))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "line 6" in message and "field 'v'" in message and "value is negative" in message
    assert "'-3'" in message
    assert NAME not in _run(data_dir, "datasets", "--format", "json").stdout


def test_missing_path_and_bad_years(data_dir: Path, tmp_path: Path) -> None:
    result = _run(data_dir, "ingest", "baci", str(tmp_path / "nope.zip"))
    assert result.exit_code == 1 and "no such file" in result.stderr
    zipped = factory.write_release_zip(tmp_path / "dl")
    result = _run(data_dir, "ingest", "baci", str(zipped), "--years", "20x1")
    assert result.exit_code == 1 and "--years" in result.stderr


def test_ingest_computes_the_market_tables(data_dir: Path, tmp_path: Path) -> None:
    """After ``ingest baci`` the scan and the pair queries read tables already built."""
    zipped = factory.write_release_zip(tmp_path / "dl")
    skipped = _run(data_dir, "ingest", "baci", str(zipped), "--no-tables", "-f", "json")
    assert skipped.exit_code == 0, skipped.output
    derived = data_dir / "cache" / "derived" / NAME
    assert not derived.exists()
    again = _run(data_dir, "ingest", "baci", str(zipped), "-f", "json")  # unchanged data
    assert again.exit_code == 0, again.output
    built = sorted(p.name.split("-")[1] for p in derived.glob("markets-*"))
    assert built == ["hs6"]
    record = json.loads(next(derived.glob("markets-hs6-*/derived.json")).read_text("utf-8"))
    assert record["dataset"] == NAME and record["tables"]["markets"] > 0


def test_a_new_version_is_published_with_its_market_tables(data_dir: Path, tmp_path: Path) -> None:
    """The tables of a new version are built before it is published, under its own key."""
    from tradelever.analysis.markets import MARKETS_VERSION
    from tradelever.store import Store
    from tradelever.store.derived import derived_tables

    zipped = factory.write_release_zip(tmp_path / "dl")
    result = _run(data_dir, "ingest", "baci", str(zipped), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unchanged"] is False

    def rebuilt(folder: Path) -> dict[str, int]:
        raise AssertionError("the tables of the published version were not there")

    copy = derived_tables(Store(data_dir), NAME, "markets-hs6", MARKETS_VERSION, rebuilt)
    assert copy.record["store_version"] == json.loads(result.stdout)["manifest"]["store_version"]
    assert copy.record["tables"]["markets"] > 0
    # written before the switch of ``current`` (a reader never sees the version without them)
    switched = (data_dir / "datasets" / NAME / "current").stat().st_mtime_ns
    assert (copy.folder / "derived.json").stat().st_mtime_ns <= switched


def test_the_table_build_is_reported_as_a_step_before_publishing(
    data_dir: Path, tmp_path: Path
) -> None:
    """``api.ingest_baci(tables=True)`` reports the build (started, done) after the rows,
    and the version is not current until it is done."""
    from tradelever.api import ingest_baci
    from tradelever.store import Store

    zipped = factory.write_release_zip(tmp_path / "dl")
    events: list[tuple[str, int, int, bool]] = []

    def progress(event) -> None:  # type: ignore[no-untyped-def]
        published = Store(data_dir).has(NAME)
        events.append((event.phase, event.bytes_done, event.bytes_total, published))

    result = ingest_baci(zipped, data_dir=data_dir, progress=progress, tables=True)
    assert not result.unchanged
    steps = [e for e in events if e[0] == "tables"]
    assert steps == [("tables", 0, 1, False), ("tables", 1, 1, False)]
    assert events.index(steps[0]) > max(i for i, e in enumerate(events) if e[0] == "read")
    assert Store(data_dir).has(NAME)
