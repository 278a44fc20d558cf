"""The engine path (DuckDB) against the reference reader (pyarrow): same rows, same errors.

Trade rows are SYNTHETIC (tests/data_factories/baci.py); the dictionaries are real. Each
example writes a small trade file from fields drawn among well-formed and malformed
spellings, converts it with :func:`convert_trade_file` and reads it with
:class:`TradeFileReader`: either both accept it and store the same flows, or both refuse it
naming the same line, field and message.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.data_factories import baci as factory
from tradelever.errors import DataFileError
from tradelever.sources import baci
from tradelever.sources.baci import convert
from tradelever.sources.baci.convert import convert_trade_file

YEAR = 2021
T = ["2021", "2021", "2021", "2020", " 2021", "2021.0", "NA", "", "x21"]
CODE = ["458", "842", "156", "490", "764", "697", "0458", "458.0", " 458", "999", "NA", "4e2"]
K = ["854231", "10121", "010121", "401519", "8542", "85423X", "", "NA", "9999AA", " 85423"]
V = ["5", "0.001", "1e3", ".5", "5.", "+5", " 5", "-1", "nan", "inf", "1e306", "2e10", "1_000"]
V += ["NA", "", "abc", "12345.678"]
Q = ["", "NA", "1", "0", "2.5e2", "nan", "-1", "inf", "x", "1_0", " 3"]


def _line(fields: tuple[str, ...]) -> str:
    return ",".join(fields)


rows_strategy = st.lists(
    st.one_of(
        st.tuples(*(st.sampled_from(pool) for pool in (T, CODE, CODE, K, V, Q))).map(_line),
        st.sampled_from(["", "2021,458,842,854231,5", "2021,458,842,854231,5,1,9"]),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def countries() -> baci.CountryDictionary:
    path = factory.DATA / "country_codes_V202201.csv"
    return baci.read_country_codes(baci.BaciMember(path.name, str(path), path.stat().st_size, path))


def _member(path: Path) -> baci.BaciMember:
    return baci.BaciMember(path.name, str(path), path.stat().st_size, path)


def _engine(path: Path, work: Path, countries: baci.CountryDictionary) -> pd.DataFrame:
    target = work / "flows.parquet"
    convert_trade_file(
        path,
        target,
        member=_member(path),
        year=YEAR,
        countries=countries,
        dataset="t",
        classification="HS17",
        scan=lambda: baci.scan_file(path)[1],
        spill=work / "spill",
        block_size=4096,
    )
    return pd.read_parquet(target)


def _reference(path: Path, countries: baci.CountryDictionary) -> pd.DataFrame:
    reader = baci.TradeFileReader(
        _member(path), YEAR, countries, dataset="t", classification="HS17", block_size=4096
    )
    return pa.Table.from_batches(list(reader), schema=baci.flow_schema()).to_pandas()


def _outcome(call):  # type: ignore[no-untyped-def]
    try:
        return call(), None
    except DataFileError as exc:
        return None, exc


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows_strategy, at=st.integers(0, 40))
def test_engine_and_reference_reader_agree(
    tmp_path_factory: pytest.TempPathFactory,
    countries: baci.CountryDictionary,
    rows: list[str],
    at: int,
) -> None:
    work = tmp_path_factory.mktemp("convert")
    filler = factory.filler_rows(YEAR, 40)
    lines = [*filler[:at], *rows, *filler[at:]]
    path = work / f"BACI_HS17_Y{YEAR}_V202201.csv"
    path.write_text(factory.trade_csv(lines))
    engine, engine_error = _outcome(lambda: _engine(path, work, countries))
    reference, reference_error = _outcome(lambda: _reference(path, countries))
    if reference_error is not None:
        assert engine_error is not None, f"engine accepted what the reader refused: {rows}"
        assert (engine_error.line, engine_error.field) == (
            reference_error.line,
            reference_error.field,
        )
        assert str(engine_error) == str(reference_error)
        return
    keys = ["exporter", "importer", "product"]
    if reference[keys].astype(str).duplicated().any():  # the ingest refuses repeated keys
        assert engine_error is not None and "BACI has one row per (t, i, j, k)" in str(engine_error)
        return
    assert engine_error is None, f"engine refused what the reader accepted: {engine_error}"
    expected = reference.astype({k: str for k in ["dataset", *keys, "classification"]})
    expected = expected.sort_values(keys).reset_index(drop=True)
    got = engine.astype(expected.dtypes.to_dict()).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_exact=True)


def test_values_are_rounded_like_the_reference_reader(
    tmp_path: Path, countries: baci.CountryDictionary
) -> None:
    """Scaling thousands to dollars rounds to 0.001 dollar the same way on both paths."""
    import numpy as np

    rng = np.random.default_rng(7)
    edges = [0.0005, 0.0015, 2.5e-7, 9_999_999.9995, 1.0000005, 0.0000025, 123.4565, 0.4999995]
    values = np.concatenate([rng.lognormal(3, 3, 3000), edges])
    filler = factory.filler_rows(YEAR, len(values))
    rows = [
        f"{r.rsplit(',', 2)[0]},{float(v)!r},{q}"
        for r, v, q in zip(filler, values, range(len(values)), strict=True)
    ]
    path = tmp_path / f"BACI_HS17_Y{YEAR}_V202201.csv"
    path.write_text(factory.trade_csv(rows))
    engine = _engine(path, tmp_path, countries).sort_values(["importer", "product"])
    reference = _reference(path, countries)
    reference = reference.astype({"importer": str, "product": str}).sort_values(
        ["importer", "product"]
    )
    assert engine["value_usd"].to_numpy().tolist() == reference["value_usd"].to_numpy().tolist()


@settings(max_examples=80, deadline=None)
@given(
    keys=st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from("EFG"), st.integers(0, 9))),
    block=st.integers(1, 5),
)
def test_repeated_hash_check_finds_a_repeat_wherever_the_blocks_fall(
    tmp_path_factory: pytest.TempPathFactory, keys: list[tuple[str, str, int]], block: int
) -> None:
    """The sorted hashes are compared a block at a time: a repeat across blocks is found."""
    work = tmp_path_factory.mktemp("hashes")
    target = work / "flows.parquet"
    table = pa.table(
        {
            "exporter": [k[0] for k in keys],
            "importer": [k[1] for k in keys],
            "product": [f"{k[2]:06d}" for k in keys],
        }
    )
    pq.write_table(table, target)
    original = convert._COMPARE_BLOCK
    convert._COMPARE_BLOCK = block
    try:
        with duckdb.connect() as con:
            found = convert._has_repeated_hash(con, f"'{target}'")
    finally:
        convert._COMPARE_BLOCK = original
    assert found == (len(set(keys)) < len(keys))
