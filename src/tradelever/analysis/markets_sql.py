"""The market tables of a data set as one DuckDB SQL script: what each new version pays.

The tables (``markets``, ``exporters``, ``world``, ``exporter_totals``; columns and formulas
in :mod:`tradelever.analysis.markets`) are defined there as Ibis expressions
(:func:`tradelever.analysis.markets.market_tables`, for any engine, Spark included).
Materialising them per data-set version on DuckDB runs the same definitions written out
once as SQL here: compiling the Ibis expressions costs more than building the tables of a
small data set, and the SQL filters each year once and groups and sorts by the other keys
only. Tests check that both give the same tables.

This module imports neither pandas nor Ibis (only DuckDB, when a build runs).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from tradelever import schema as f
from tradelever.errors import InputError
from tradelever.sql import literal, parquet_source, year_of

__all__ = [
    "MEMORY_LIMIT",
    "PREFIX",
    "TABLES",
    "code_sql",
    "market_sql",
    "write_market_tables",
]

TABLES: Final = ("markets", "exporters", "world", "exporter_totals")
#: Length of the HS code at each coarser level (a prefix of the data set's own code).
PREFIX: Final = {"hs10": 10, "hs8": 8, "hs6": 6, "hs4": 4, "hs2": 2}
#: DuckDB memory limit while materialising one year (spills to the cache folder beyond it).
#: One BACI year (11 M flows) needs about 0.5 GB; with a 1 GB limit DuckDB already spills,
#: which takes 40% longer and peaks higher (1.14 GiB against 0.78 GiB for the process).
MEMORY_LIMIT: Final = "1536MB"


# --------------------------------------------------------------------------------------
# The SQL


def code_sql(level: str, base_level: str) -> str:
    """The SQL of the ``code`` column over the flows (as ``markets.coded_flows``)."""
    if level == base_level:
        return f.PRODUCT
    if level in PREFIX:
        return f"substr({f.PRODUCT}, 1, {PREFIX[level]})"
    raise InputError(f"{level!r} is not a product level of this data set", parameter="level")


def _ratio_sql(numerator: str, denominator: str) -> str:
    """``numerator / denominator``, null where the denominator is zero (as ``markets._ratio``)."""
    return f"CASE WHEN {denominator} <> 0 THEN {numerator} / {denominator} END"


def market_sql(
    files: Sequence[Path],
    year: int,
    *,
    level: str,
    base_level: str,
    unique_keys: bool,
    world_trade: bool = True,
) -> dict[str, str]:
    """The SQL of one year's tables (with the temporary tables they read), in run order.

    Keys ``exports``, ``world`` and ``totals`` create the temporary tables of X(i, k), the
    world rows and the exporter totals; ``markets``, ``exporters``, ``world_rows`` and
    ``totals_rows`` select the four tables, each sorted by its keys. The year is filtered
    once and added back as a constant (a ``BIGINT``, as the flows' hive-partitioned
    ``year`` column reads), so no aggregation groups or sorts by it.
    """
    v, x = f.VALUE_USD, "exports_usd"
    flows = (
        f"SELECT {f.EXPORTER}, {f.IMPORTER}, {code_sql(level, base_level)} AS code, {v} "
        f"FROM {parquet_source(files)} "
        f"WHERE {f.YEAR} = {int(year)} AND {f.EXPORTER} <> {f.IMPORTER}"
    )
    supply = (
        flows
        if unique_keys
        else f"SELECT {f.IMPORTER}, code, {f.EXPORTER}, sum({v}) AS {v} FROM ({flows}) "
        f"GROUP BY {f.IMPORTER}, code, {f.EXPORTER}"
    )
    # arg_max, as market_tables: exact ties of value leave the share unchanged.
    markets = (
        f"SELECT {f.IMPORTER}, code, sum({v}) AS imports_usd, "
        f"sum({v} * {v}) AS import_sumsq, count(*) AS suppliers, "
        f"arg_max({f.EXPORTER}, {v}) AS top_supplier, max({v}) AS top_supplier_usd "
        f"FROM ({supply}) GROUP BY {f.IMPORTER}, code"
    )
    year_sql = f"CAST({int(year)} AS BIGINT) AS {f.YEAR}"
    share = _ratio_sql(f"x.{x}", "w.world_exports_usd")
    rca = _ratio_sql(
        _ratio_sql(f"x.{x}", "t.total_exports_usd"),
        _ratio_sql("w.world_exports_usd", "t.world_total_usd"),
    )
    hhi = _ratio_sql("world_export_sumsq", "(world_exports_usd * world_exports_usd)")
    if not world_trade:  # the flows of a few reporters' imports say nothing of the world
        share = rca = hhi = "CAST(NULL AS DOUBLE)"
    return {
        "exports": (
            f"CREATE OR REPLACE TEMP TABLE exports AS SELECT {f.EXPORTER}, code, sum({v}) AS {x} "
            f"FROM ({flows}) GROUP BY {f.EXPORTER}, code"
        ),
        "world": (
            f"CREATE OR REPLACE TEMP TABLE world AS SELECT code, sum({x}) AS world_exports_usd, "
            f"sum({x} * {x}) AS world_export_sumsq, count(*) AS exporters "
            "FROM exports GROUP BY code"
        ),
        "totals": (
            f"CREATE OR REPLACE TEMP TABLE totals AS SELECT {f.EXPORTER}, total_exports_usd, "
            "sum(total_exports_usd) OVER () AS world_total_usd "
            f"FROM (SELECT {f.EXPORTER}, sum({x}) AS total_exports_usd FROM exports "
            f"GROUP BY {f.EXPORTER})"
        ),
        "markets": (
            f"SELECT {year_sql}, {f.IMPORTER}, code, imports_usd, import_sumsq, suppliers, "
            "top_supplier, top_supplier_usd, "
            f"{_ratio_sql('import_sumsq', '(imports_usd * imports_usd)')} AS import_hhi, "
            f"{_ratio_sql('top_supplier_usd', 'imports_usd')} AS top_supplier_share "
            f"FROM ({markets}) ORDER BY {f.IMPORTER}, code"
        ),
        "exporters": (
            f"SELECT {year_sql}, x.{f.EXPORTER}, x.code, x.{x}, {share} AS world_export_share, "
            f"{rca} AS rca FROM exports x JOIN world w ON x.code = w.code "
            f"JOIN totals t ON x.{f.EXPORTER} = t.{f.EXPORTER} ORDER BY x.{f.EXPORTER}, x.code"
        ),
        "world_rows": (
            f"SELECT {year_sql}, code, world_exports_usd, world_export_sumsq, exporters, "
            f"{hhi} AS world_export_hhi FROM world ORDER BY code"
        ),
        "totals_rows": (
            f"SELECT {year_sql}, {f.EXPORTER}, total_exports_usd, world_total_usd "
            f"FROM totals ORDER BY {f.EXPORTER}"
        ),
    }


#: The select of each table in :func:`market_sql`.
_SELECT: Final = {
    "markets": "markets",
    "exporters": "exporters",
    "world": "world_rows",
    "exporter_totals": "totals_rows",
}


def write_market_tables(
    flow_files: Sequence[Path],
    folder: Path,
    *,
    level: str,
    base_level: str,
    unique_keys: bool,
    years: Sequence[int] | None = None,
    world_trade: bool = True,
    memory_limit: str = MEMORY_LIMIT,
) -> dict[str, int]:
    """Compute the four tables from the flows' Parquet files into ``folder/<table>/``.

    The tables of ``markets.market_tables``, as one DuckDB SQL script (no Ibis compilation:
    this fixed query is what every new data-set version pays, and a small data set's
    build is mostly such fixed costs). Runs on a dedicated DuckDB connection with a
    memory limit (spilling into ``folder``), one year at a time (memory does not grow
    with the number of years: a BACI release has about 30). Per year, two aggregations
    over the flows: (importer, code) for ``markets``, written straight to Parquet, and
    (exporter, code) into a temporary table from which the three other tables follow.
    Each table is written sorted by its keys (``part-<year>.parquet``, DuckDB's default
    row groups and compression), so that readers skip row groups by importer or exporter.

    Parameters
    ----------
    flow_files
        The data set's ``flows`` Parquet files (``year=<Y>`` folders or not).
    folder
        Where to write ``<table>/part-<year>.parquet``.
    level, base_level
        The tables' product level and the data set's own (``markets.coded_flows``).
    unique_keys
        True when the flows have one row per (year, exporter, importer, product) and
        ``level == base_level``: each row is then one supplier's V(i, j, k).
    years
        Years to compute (default: every year in the files).
    world_trade
        False for a data set of a few reporters' imports (``markets.market_tables``).
    memory_limit
        DuckDB memory limit.

    Returns
    -------
    dict
        Rows written per table.
    """
    import duckdb

    spill = folder / ".spill"
    con = duckdb.connect(
        config={
            "memory_limit": memory_limit,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        }
    )
    rows = dict.fromkeys(TABLES, 0)
    try:
        con.execute("SET enable_progress_bar = false")
        if years is None:
            found = con.execute(
                f"SELECT DISTINCT {f.YEAR} FROM {parquet_source(flow_files)}"
            ).fetchall()
            years = sorted(int(y) for (y,) in found if y is not None)
        for name in TABLES:
            (folder / name).mkdir(parents=True, exist_ok=True)
        for year in years:
            files = [p for p in flow_files if year_of(p) in (None, int(year))]
            if not files:
                continue
            sql = market_sql(
                files,
                int(year),
                level=level,
                base_level=base_level,
                unique_keys=unique_keys and level == base_level,
                world_trade=world_trade,
            )
            for temporary in ("exports", "world", "totals"):
                con.execute(sql[temporary])
            for name in TABLES:
                select = sql[_SELECT[name]]
                out = literal(str(folder / name / f"part-{int(year)}.parquet"))
                (count,) = con.execute(f"COPY ({select}) TO {out} (FORMAT parquet)").fetchone()
                rows[name] += int(count)
        return rows
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
