"""The SQL text builders: quoting that DuckDB reads back as the values given."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tradelever.sql import identifier, in_list, literal, parquet_source, year_of


def test_literals_read_back_as_the_values() -> None:
    name, quoted = "O'Brien's", 'say "hi"'
    with duckdb.connect() as con:
        text, number, numpy_number = con.execute(
            f"SELECT {literal(name)}, {literal(7)}, {literal(np.int16(-3))}"
        ).fetchone()
        assert (text, number, numpy_number) == (name, 7, -3)
        assert con.execute(f"SELECT 1 AS {identifier(quoted)}").description[0][0] == quoted
    assert in_list("importer", []) == "false"
    assert in_list("importer", "USA") == "\"importer\" IN ('USA')"


def test_parquet_source_with_a_quote_in_the_path_and_hive_folders(tmp_path: Path) -> None:
    folder = tmp_path / "it's" / "year=2021"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"v": [1.5]}), folder / "part-0.parquet")
    files = [folder / "part-0.parquet"]
    with duckdb.connect() as con:
        own = con.execute(f"SELECT * FROM {parquet_source(files)}").fetchall()
        hive = con.execute(
            f"SELECT * FROM {parquet_source(files, hive_partitioning=None)}"
        ).fetchall()
    assert own == [(1.5,)]
    assert hive == [(1.5, 2021)]  # DuckDB's default: the year=2021 folder is a column
    assert year_of(files[0]) == 2021 and year_of(tmp_path) is None
