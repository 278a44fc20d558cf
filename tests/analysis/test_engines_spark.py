"""The analyses give the same answers on Spark as on DuckDB (``--engine spark``).

Two Sessions read one data directory, one per engine: leverage, substitutes, peers and a
tariff scenario are run on both and their JSON results compared, numbers to 1e-9 (the two
engines add in different orders). Data: the hand-made ``hand-hs17`` set, and a SYNTHETIC
BACI release in CEPII's real layout (real V202201 dictionaries, random trade rows) ingested
by tradelever's BACI ingest, so that the Spark engine reads the Parquet files ingest writes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.data_factories import baci as factory
from tests.spark_support import (
    ENGINE_NOTE,
    EXTRA,
    SPARK_MARKS,
    assert_same,
    assert_same_result,
    duckdb_config,
    spark_config,
)
from tests.synthetic import write_hand_dataset

pytestmark = SPARK_MARKS

BACI_NAME = "baci-synthetic"
#: BACI V202201 country codes: MYS, USA, CHN, THA, VNM, IDN, PHL, KHM, SGP, DEU, JPN, KOR,
#: IND, MEX, CAN, FRA, GBR and 490 "Other Asia, nes" (Taiwan).
BACI_COUNTRIES = (458, 842, 156, 764, 704, 360, 608, 116, 702, 276, 392, 410, 699, 484, 124)
BACI_COUNTRIES += (251, 826, 490)
#: HS chapters the synthetic products come from (chips, gloves, rare earths, rice, machines).
CHAPTERS = ("28", "40", "84", "85", "10", "61")


def synthetic_baci_rows(year: int, seed: int) -> list[str]:
    """SYNTHETIC BACI trade rows (``t,i,j,k,v,q``) of one year: random, distinct flows.

    About 120 HS17 codes of :data:`CHAPTERS` (always 854231, 854232, 401519 and 280530),
    each shipped by 2 to 9 exporters to 1 to 7 importers, values log-normal in thousands of
    US dollars with three decimals (as BACI writes them), so that sums depend on the order.
    """
    rng = np.random.default_rng(seed)
    lines = (factory.DATA / factory.PRODUCT_SAMPLE).read_text("utf-8").splitlines()[1:]
    pool = sorted({line.split(",", 1)[0] for line in lines if line[:2] in CHAPTERS})
    fixed = ["854231", "854232", "401519", "280530"]
    chosen = sorted(set(fixed) | set(rng.choice(pool, 116, replace=False).tolist()))
    rows = []
    for code in chosen:
        exporters = rng.choice(BACI_COUNTRIES, int(rng.integers(2, 10)), replace=False)
        for i in exporters:
            others = [c for c in BACI_COUNTRIES if c != i]
            for j in rng.choice(others, int(rng.integers(1, 8)), replace=False):
                value = float(rng.lognormal(6.0, 2.0))
                rows.append(f"{year},{i},{j},{int(code)},{value:.3f},{int(rng.integers(1, 500))}")
    return rows


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, icio_data_dir: Path) -> Path:
    """icio2022, hand-hs17 and the synthetic BACI release ingested (built once, read-only)."""
    from tradelever.store import Store
    from tradelever.store.ingest import ingest_baci

    target = tmp_path_factory.mktemp("engines") / "store"
    shutil.copytree(icio_data_dir, target)
    write_hand_dataset(target)
    rows = {2020: synthetic_baci_rows(2020, 1), 2021: synthetic_baci_rows(2021, 2)}
    release = factory.write_release_zip(tmp_path_factory.mktemp("release"), rows)
    ingest_baci(Store(target), release, name=BACI_NAME)
    return target


@pytest.fixture(scope="module")
def sessions(data_dir: Path) -> Iterator[tuple[Any, Any]]:
    """A DuckDB Session and a Spark Session on the same data directory."""
    from tradelever.api import Session

    on_spark = Session(config=spark_config(data_dir))
    yield Session(config=duckdb_config(data_dir)), on_spark


def _both(sessions: tuple[Any, Any], method: str, *args: Any, **kwargs: Any) -> list[Any]:
    return [getattr(s, method)(*args, **kwargs) for s in sessions]


def test_the_spark_session_reads_through_spark(sessions: tuple[Any, Any]) -> None:
    import ibis

    duck, spark = sessions
    assert spark.view("hand-hs17").engine == "spark"
    assert ibis.get_backend(spark.view("hand-hs17").table("flows")).name == "pyspark"
    assert ibis.get_backend(duck.view("hand-hs17").table("flows")).name == "duckdb"


@pytest.mark.parametrize(
    ("dataset", "level"),
    [
        pytest.param("hand-hs17", "hs6", marks=EXTRA),
        (BACI_NAME, "hs6"),
        pytest.param(BACI_NAME, "hs4", marks=EXTRA),
        (BACI_NAME, "group"),
    ],
)
def test_leverage(sessions: tuple[Any, Any], dataset: str, level: str) -> None:
    duck, spark = _both(sessions, "leverage", "MYS", "USA", "CHN", dataset=dataset, level=level)
    assert len(duck.rows) > 0
    assert_same_result(duck.to_dict(), spark.to_dict())


def test_leverage_by_hand_on_spark(sessions: tuple[Any, Any]) -> None:
    """Gloves on the hand data at sigma 3: M = 80, s = 60/80, cost = 80 (0.25^-0.5 - 1) = 80."""
    _, spark = sessions
    result = spark.leverage("MYS", "USA", "CHN", dataset="hand-hs17", sigma=3.0)
    gloves = result.rows.set_index("code").loc["401519"]
    assert gloves.partner_imports_usd == pytest.approx(80.0)
    assert gloves.partner_cost_of_losing_home_usd == pytest.approx(80.0)
    assert any(s.startswith(ENGINE_NOTE) and "local[1]" in s for s in result.assumptions)


@pytest.mark.parametrize("dataset", [pytest.param("hand-hs17", marks=EXTRA), BACI_NAME])
def test_substitutes(sessions: tuple[Any, Any], dataset: str) -> None:
    duck, spark = _both(sessions, "substitutes", "MYS", "USA", "CHN", dataset=dataset)
    assert len(duck.rows) > 0
    assert_same_result(duck.to_dict(), spark.to_dict())


@pytest.mark.parametrize("dataset", ["hand-hs17", pytest.param(BACI_NAME, marks=EXTRA)])
def test_peers(sessions: tuple[Any, Any], dataset: str) -> None:
    duck, spark = _both(sessions, "peers", "MYS", "USA", "ASEAN", dataset=dataset)
    assert len(duck.rows) >= 2
    assert_same_result(duck.to_dict(), spark.to_dict())


@pytest.mark.parametrize("dataset", ["hand-hs17", pytest.param(BACI_NAME, marks=EXTRA)])
def test_scenario(sessions: tuple[Any, Any], dataset: str) -> None:
    duck, spark = _both(sessions, "run_scenario", "us-2025-04-02", dataset=dataset, home="MYS")
    assert len(duck.rows) > 0
    # Rows are in market order with "suppliers as in the data": the order each engine
    # returned the flows in. Compared by (importer, exporter, code).
    assert_same_result(duck.to_dict(), spark.to_dict(), unordered=True)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("exposure", ("MYS", "USA"), {"dataset": "hand-hs17"}),
        pytest.param("formula", ("MYS", "USA"), {"dataset": BACI_NAME}, marks=EXTRA),
        ("concessions", ("MYS", "USA"), {"dataset": BACI_NAME, "min_world_share": 0.0}),
        pytest.param("supply_chain", ("MYS", "USA"), {"industry": "C26"}, marks=EXTRA),
        pytest.param(
            "compare_scenarios",
            ("us-2025-04-02", "us-2025-08-07"),
            {"home": "MYS", "dataset": "hand-hs17"},
            marks=EXTRA,
        ),
    ],
)
def test_the_other_analyses(
    sessions: tuple[Any, Any], method: str, args: tuple[str, ...], kwargs: dict[str, Any]
) -> None:
    """Exposure, formula, concessions, supply chain (ICIO) and a scenario comparison."""
    duck, spark = _both(sessions, method, *args, **kwargs)
    assert len(duck.rows) > 0
    assert_same_result(duck.to_dict(), spark.to_dict(), unordered=method == "compare_scenarios")


def test_pair_queries_on_spark_query_the_flows(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB the pair queries read the market tables; on Spark they never do.

    The market tables are read by DuckDB in this process: read on Spark, the answers would
    not have been computed there. Fresh sessions, so that no view holds a flows cube yet.
    """
    from tradelever.analysis import markets
    from tradelever.api import Session

    calls: list[str] = []
    for name in ("pair_sums_with_ids", "code_sums"):
        real = getattr(markets, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(markets, name, counted)
    for config in (duckdb_config(data_dir), spark_config(data_dir)):
        session = Session(config=config)
        calls.clear()
        session.leverage("MYS", "USA", "CHN", dataset=BACI_NAME)
        session.substitutes("MYS", "USA", "CHN", dataset=BACI_NAME)
        expected = ["pair_sums_with_ids", "code_sums"] if config.engine == "duckdb" else []
        assert calls == expected, config.engine


@pytest.mark.parametrize("over", [None, pytest.param("USA", marks=EXTRA)])
def test_scan(sessions: tuple[Any, Any], over: str | None) -> None:
    """The scan reads the market tables (built by DuckDB) on both engines, and says so."""
    duck, spark = _both(sessions, "scan", "MYS", over=over, dataset=BACI_NAME)
    assert len(duck.rows) > 0
    on_duckdb, on_spark = duck.to_dict(), spark.to_dict()
    note = on_spark["assumptions"].pop()
    assert note.startswith("computed in this process by DuckDB") and "not on spark" in note
    assert not any(s.startswith(ENGINE_NOTE) for s in on_spark["assumptions"])
    assert_same(on_duckdb, on_spark)
