"""The flows a scenario reads: DuckDB SQL over the Parquet files equals the Ibis query.

Data: the synthetic hand data set (tests/synthetic.py), the same flows with repeated keys,
a self-flow and flows summing to zero added (``hand-repeated``, written here), and a
synthetic BACI release ingested from tests/data_factories/baci.py (unique keys, real
country and product dictionaries).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.data_factories import baci as factory
from tests.synthetic import hand_flows, write_hand_dataset
from tradelever.analysis.scenarios.flows import FlowFiles, load_flows, plan_chunks
from tradelever.api import Session
from tradelever.errors import DataFileError, InputError
from tradelever.store import Store

BACI = "baci-hs17-v202201"
KEYS = ["importer", "exporter", "code"]

# Added to the 2023 hand flows (exporter, importer, product, value_usd): a second row of a
# key (MYS -> USA processors: 50 + 7 = 57), a self-flow (dropped), a zero flow and a key
# whose rows sum to zero (both dropped by value > 0).
EXTRA_2023 = [
    ("MYS", "USA", "854231", 7.0),
    ("USA", "USA", "854231", 5.0),
    ("THA", "USA", "280530", 0.0),
    ("DEU", "USA", "854232", 4.0),
    ("DEU", "USA", "854232", -4.0),
]
# USA's 2023 imports, summed by key, by hand from tests/synthetic.py and EXTRA_2023.
USA_2023 = {
    ("USA", "MYS", "854231"): 57.0,
    ("USA", "CHN", "854231"): 30.0,
    ("USA", "THA", "854231"): 20.0,
    ("USA", "CHN", "854232"): 40.0,
    ("USA", "MYS", "401519"): 60.0,
    ("USA", "THA", "401519"): 20.0,
    ("USA", "CHN", "280530"): 9.0,
    ("USA", "MYS", "280530"): 1.0,
}


def _write_repeated(data_dir: Path) -> None:
    flows = hand_flows()
    extra = pd.DataFrame(EXTRA_2023, columns=["exporter", "importer", "product", "value_usd"])
    extra = extra.assign(year=2023, classification="HS17", quantity=float("nan"))
    flows = pd.concat([flows, extra[flows.columns.drop("dataset")]], ignore_index=True)
    flows["year"] = flows["year"].astype("int16")
    write_hand_dataset(data_dir, "hand-repeated", flows)


@pytest.fixture
def data_dir(hand_data_dir: Path, tmp_path: Path) -> Path:
    """hand-hs17 and icio2022 (conftest), hand-repeated and a synthetic BACI release."""
    from tradelever.store.ingest import ingest_baci

    _write_repeated(hand_data_dir)
    rows = factory.ROWS_2021 + factory.filler_rows(2021, 2500)  # filler: VNM, IDN, PHL
    release = factory.write_release_zip(tmp_path / "release", {2020: factory.ROWS_2020, 2021: rows})
    ingest_baci(Store(hand_data_dir), release)
    return hand_data_dir


@pytest.fixture
def store(data_dir: Path) -> Store:
    return Store(data_dir)


def _files(store: Store, name: str) -> FlowFiles:
    return FlowFiles.open(store.table_files(name, "flows"), store.dataset_path(name) / "flows")


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as strings and values, in key order (the row order of a read is free)."""
    out = frame.astype({k: str for k in KEYS})
    return out.sort_values(KEYS).reset_index(drop=True)


def assert_same_read(sql: pd.DataFrame, ibis: pd.DataFrame) -> None:
    """The same columns, encoded the same way, and the same rows."""
    assert list(sql.columns) == list(ibis.columns) == [*KEYS, "value"]
    for k in KEYS:
        assert isinstance(sql[k].dtype, pd.CategoricalDtype), k
        assert sql[k].cat.categories.dtype == ibis[k].cat.categories.dtype, k
        assert set(sql[k].cat.categories) == set(ibis[k].cat.categories), k
    assert sql["value"].dtype == ibis["value"].dtype == "float64"
    pd.testing.assert_frame_equal(_sorted(sql), _sorted(ibis))


READS: list[dict[str, Any]] = [
    {"importers": None},
    {"importers": ["USA", "MYS"]},
    {"importers": ["USA"], "between": ("CHN", "USA")},
    {"importers": None, "between": ("CHN", "MYS")},
    {"importers": ["XXX"]},
    {"importers": []},
]


@pytest.mark.parametrize("unique", [False, True])
@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize(("name", "year"), [("hand-hs17", 2023), ("hand-repeated", 2023)])
def test_sql_read_equals_ibis_read_on_hand_data(
    store: Store, name: str, year: int, unique: bool, read: dict[str, Any]
) -> None:
    with _files(store, name) as files:
        sql = load_flows(files, year=year, unique=unique, **read)
    ibis = load_flows(store.table(name, "flows"), year=year, unique=unique, **read)
    assert_same_read(sql, ibis)


@pytest.mark.parametrize("unique", [False, True])
@pytest.mark.parametrize("read", READS[:4])
@pytest.mark.parametrize("year", [2020, 2021, 2019])
def test_sql_read_equals_ibis_read_on_baci(
    store: Store, year: int, unique: bool, read: dict[str, Any]
) -> None:
    with _files(store, BACI) as files:
        sql = load_flows(files, year=year, unique=unique, **read)
    ibis = load_flows(store.table(BACI, "flows"), year=year, unique=unique, **read)
    assert_same_read(sql, ibis)
    if year == 2021 and read == {"importers": None}:
        assert len(sql) > 2000  # the filler rows are read


def test_summed_read_by_hand(store: Store) -> None:
    """unique=False sums repeated keys and drops self-flows and sums that are not positive."""
    with _files(store, "hand-repeated") as files:
        usa = load_flows(files, year=2023, importers=["USA"], unique=False)
        between = load_flows(files, year=2023, importers=None, between=("CHN", "MYS"))
    got = {tuple(k): v for *k, v in _sorted(usa).itertuples(index=False)}
    assert got == USA_2023
    # CHN imports 4 hand flows, MYS 3; THA and USA lie outside the range
    assert _sorted(between).groupby("importer")["value"].agg(["size", "sum"]).to_dict() == {
        "size": {"CHN": 4, "MYS": 3},
        "sum": {"CHN": 340.0, "MYS": 45.0},
    }


def _chunk_frames(chunks: Any) -> list[pd.DataFrame]:
    return [_sorted(chunks.read(i)) for i in range(len(chunks))]


@pytest.mark.parametrize(
    ("name", "year", "unique", "importers", "chunk_rows"),
    [
        ("hand-repeated", 2023, False, None, 4),
        ("hand-repeated", 2023, False, ["USA", "MYS", "THA"], 4),
        ("hand-hs17", 2022, True, None, None),
        (BACI, 2021, True, None, 600),
        (BACI, 2021, False, None, 600),
        (BACI, 2021, True, ["IDN", "USA", "VNM", "CHN"], 100),
        (BACI, 2020, True, None, 1),
        (BACI, 2019, True, None, 10),
    ],
)
def test_sql_chunks_equal_ibis_chunks(
    store: Store,
    name: str,
    year: int,
    unique: bool,
    importers: list[str] | None,
    chunk_rows: int | None,
) -> None:
    kw: dict[str, Any] = dict(year=year, importers=importers, unique=unique, chunk_rows=chunk_rows)
    ibis = plan_chunks(store.table(name, "flows"), **kw)
    with _files(store, name) as files:
        sql = plan_chunks(files, **kw)
        sql_frames = _chunk_frames(sql)
    ibis_frames = _chunk_frames(ibis)
    for a, b in zip(sql.universe, ibis.universe, strict=True):
        assert a.dtype == b.dtype == object and list(a) == list(b)
    assert (sql.parts, sql.rows) == (ibis.parts, ibis.rows)
    assert [len(x) for x in sql_frames] == list(sql.rows)
    for a, b in zip(sql_frames, ibis_frames, strict=True):
        pd.testing.assert_frame_equal(a, b)
    if name == BACI and year == 2021 and importers is None:
        assert len(sql) > 1  # several chunks, read by importer range
    if year == 2019:
        assert len(sql) == 0 and sql.total_rows == 0


def test_run_closes_its_connection(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run owns its DuckDB connection: closed at the end, also when the run fails."""
    import duckdb

    opened: list[FlowFiles] = []
    original = FlowFiles.open

    def recording(*args: Any) -> FlowFiles:
        opened.append(original(*args))
        return opened[-1]

    monkeypatch.setattr(FlowFiles, "open", recording)
    session = Session(data_dir)
    spec = {
        "name": "ten-percent",
        "measures": [
            {
                "importer": "USA",
                "exporters": "all",
                "products": "all",
                "new_rate": 0.1,
                "basis": "other",
                "source": "test",
            }
        ],
    }
    r = session.run_scenario(spec, dataset=BACI, year=2021, home="MYS")
    assert r.summary["rows"] > 0 and len(opened) == 1
    nowhere = {**spec, "measures": [{**spec["measures"][0], "importer": "DEU"}]}
    with pytest.raises(InputError, match="no 2021 imports"):
        session.run_scenario(nowhere, dataset=BACI, year=2021)
    assert len(opened) == 2
    for source in opened:
        with pytest.raises(duckdb.ConnectionException):
            source.connection.execute("SELECT 1")


def test_damaged_flows_file_is_named(data_dir: Path) -> None:
    store = Store(data_dir)
    (path,) = [p for p in store.table_files(BACI, "flows") if "year=2021" in str(p)]
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 100)
    with pytest.raises(DataFileError, match="truncated") as err:
        Session(data_dir).run_scenario(
            "us-2025-04-02", dataset=BACI, year=2021, home="MYS", mode="smart"
        )
    assert err.value.path == str(path)


_NO_IBIS = """
import json, sys
from tradelever.api import Session
session = Session(sys.argv[1])
r = session.run_scenario("us-2025-04-02", dataset=sys.argv[2], year=2021, home="MYS")
c = session.compare_scenarios("us-2025-04-02", "us-2025-04-10", dataset=sys.argv[2],
                              year=2021, home="MYS")
print(json.dumps({
    "rows": r.summary["rows"],
    "compared": len(c.rows),
    "loaded": sorted(m for m in ("ibis", "sqlglot") if m in sys.modules),
}))
"""


def test_scenario_on_duckdb_does_not_import_ibis(data_dir: Path) -> None:
    """A CES run and a comparison on the DuckDB engine, in a fresh process: no Ibis."""
    Session(data_dir)  # the embedded data sets are in place: the child only reads
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELEVER_")}
    out = subprocess.run(
        [sys.executable, "-c", _NO_IBIS, str(data_dir), BACI],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["rows"] > 0 and got["compared"] > 0
    assert got["loaded"] == []


def test_connection_is_closed_once_the_last_chunk_is_read(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's buffers are freed before the run builds its tables (the memory peak)."""
    import duckdb

    from tradelever.analysis.scenarios import run as run_module

    opened: list[FlowFiles] = []
    original = FlowFiles.open

    def recording(*args: Any) -> FlowFiles:
        opened.append(original(*args))
        return opened[-1]

    seen: list[bool] = []
    frame = run_module._Run.market_frame

    def checking(self: Any) -> pd.DataFrame:
        try:
            opened[0].connection.execute("SELECT 1")
            seen.append(False)
        except duckdb.ConnectionException:
            seen.append(True)
        return frame(self)

    monkeypatch.setattr(FlowFiles, "open", recording)
    monkeypatch.setattr(run_module._Run, "market_frame", checking)
    monkeypatch.setattr("tradelever.analysis.scenarios.flows.CHUNK_ROWS", 50)
    spec = {
        "name": "ten-percent",
        "measures": [
            {
                "importer": "all",
                "exporters": "all",
                "products": "all",
                "new_rate": 0.1,
                "basis": "other",
                "source": "test",
            }
        ],
    }
    r = Session(data_dir).run_scenario(spec, dataset=BACI, year=2021, home="MYS")
    assert r.summary["rows"] > 50 and len(opened) == 1
    assert seen == [True]
