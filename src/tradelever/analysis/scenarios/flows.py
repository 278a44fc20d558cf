"""The flows a scenario runs on: one query per chunk of importers, codes as integer categories.

:func:`load_flows` reads the international flows of the scenario's importers for one year
with one query (filtered on year and importers, summed by importer, exporter and product,
executed once) over a *flow source*: either the store's Ibis table
(``Store.table(dataset, "flows")``, on any engine: Spark runs it) or :class:`FlowFiles`,
the flows' Parquet files read with the same query written in DuckDB SQL on a connection
the run owns. On the DuckDB engine a scenario reads :class:`FlowFiles`: a process then
never imports Ibis nor sets up its connection (about 30 MiB of resident memory) nor
compiles a query per chunk. :func:`scenario_importers` says which importers a scenario
needs.

Markets (importer x product) are independent, so a run can take its importers a chunk at a
time and add up the results exactly (:mod:`tradelever.analysis.scenarios.run`).
:func:`plan_chunks` counts the rows of each importer with one query, groups consecutive
importers into chunks of about :data:`CHUNK_ROWS` rows (an importer with more rows is a
chunk of its own) and returns a :class:`FlowChunks` that reads each chunk with one query
when it is needed: a run then holds one chunk's rows at a time instead of the whole year.
:meth:`FlowChunks.of_frame` cuts a frame already read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.scenarios.model import Scenario
from tradelever.analysis.scenarios.selectors import resolve_countries_spec
from tradelever.sql import in_list, literal, parquet_source, year_of

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHUNK_ROWS",
    "SOLVE_ROWS",
    "FlowChunks",
    "FlowFiles",
    "category_codes",
    "importer_parts",
    "load_flows",
    "plan_chunks",
    "scenario_importers",
]

CHUNK_ROWS = 250_000
"""Rows per chunk of importers read with one query (each query scans the year's flows)."""

SOLVE_ROWS: int | None = None
"""Rows the model solves at once: a chunk read is solved in parts of whole importers of
about this many rows (the model's working memory grows with its rows, a read's cost with
the number of reads)."""


def scenario_importers(scenario: Scenario, *others: Scenario | None) -> list[str] | None:
    """ISO3 importers named by the scenario (and its baseline scenarios), or None for all.

    None means a measure or baseline rate covers every importer.
    """
    out: set[str] = set()
    for sc in (scenario, *others):
        if sc is None:
            continue
        if sc.on is not None:
            out.add("USA")  # the schedule of a date is the US schedule
        specs = [(m.importer, f"measures[{n}].importer") for n, m in enumerate(sc.measures)]
        specs += [(b.importer, f"baseline[{n}].importer") for n, b in enumerate(sc.baseline)]
        for spec, path in specs:
            sel = resolve_countries_spec(spec, path)
            if sel.include is None:
                return None
            out |= set(sel.include)
    return sorted(out)


@dataclass(frozen=True)
class FlowFiles:
    """The flows' Parquet files, queried with DuckDB SQL on a connection of their own.

    A flow source of :func:`load_flows` and :func:`plan_chunks` on an engine that reads
    the data directory's own files (DuckDB): the queries of the Ibis path written as SQL
    over ``read_parquet([...], hive_partitioning = false)``, only the year's files listed.
    Open with :meth:`open` and close when the run is done (or use it as a context manager).

    Attributes
    ----------
    files
        Parquet files of the data set's ``flows`` table (``Store.table_files``).
    connection
        An in-memory ``duckdb`` connection (progress bar off), closed by :meth:`close`.
    where
        The table's folder, named by read errors.
    """

    files: tuple[Path, ...]
    connection: Any
    where: Path

    @classmethod
    def open(cls, files: Sequence[Path], where: Path) -> FlowFiles:
        """The files on a new in-memory DuckDB connection."""
        import duckdb

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        return cls(tuple(files), con, where)

    def close(self) -> None:
        """Close the connection (the source cannot be read after)."""
        self.connection.close()

    def __enter__(self) -> FlowFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def arrow(self, sql: str) -> pa.Table:
        """The result of one query as a ``pyarrow.Table`` (on a cursor of the connection).

        Raises
        ------
        DataFileError
            When DuckDB cannot read the files, naming the table's folder.
        """
        import duckdb

        from tradelever.store.engines import unreadable_table

        cursor = self.connection.cursor()
        try:
            return cursor.sql(sql).to_arrow_table()
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise unreadable_table(exc, self.where) from None
        finally:
            cursor.close()


def _query(
    flows: Any,
    *,
    year: int,
    importers: list[str] | None,
    unique: bool,
    between: tuple[str, str] | None = None,
) -> Any:
    """The Ibis expression of :func:`load_flows` (importer, exporter, product, value > 0)."""
    t = flows.filter((flows[f.YEAR] == year) & (flows[f.EXPORTER] != flows[f.IMPORTER]))
    if importers is not None:
        t = t.filter(t[f.IMPORTER].isin(importers))
    if between is not None:
        # a range, not a list: the engine filters it while it scans (a list is joined)
        t = t.filter(t[f.IMPORTER].between(*between))
    if unique:
        t = t.select(f.IMPORTER, f.EXPORTER, f.PRODUCT, value=t[f.VALUE_USD])
    else:
        t = t.group_by([f.IMPORTER, f.EXPORTER, f.PRODUCT]).aggregate(value=t[f.VALUE_USD].sum())
    return t.filter(t["value"] > 0)


def _sql(
    files: Sequence[Path],
    *,
    year: int,
    importers: list[str] | None,
    unique: bool,
    between: tuple[str, str] | None = None,
) -> str:
    """:func:`_query` as DuckDB SQL over the year's Parquet files (the same rows)."""
    keys = f'"{f.IMPORTER}", "{f.EXPORTER}", "{f.PRODUCT}"'
    files = [p for p in files if year_of(p) in (None, int(year))]
    if not files:  # no file holds the year: no rows, the columns of a read
        return (
            f'SELECT NULL::VARCHAR AS "{f.IMPORTER}", NULL::VARCHAR AS "{f.EXPORTER}", '
            f'NULL::VARCHAR AS "{f.PRODUCT}", NULL::DOUBLE AS "value" WHERE false'
        )
    where = [f'"{f.YEAR}" = {int(year)}', f'"{f.EXPORTER}" <> "{f.IMPORTER}"']
    if importers is not None:
        where.append(in_list(f.IMPORTER, importers))
    if between is not None:
        where.append(f'"{f.IMPORTER}" BETWEEN {literal(between[0])} AND {literal(between[1])}')
    scan = f"FROM {parquet_source(files)} WHERE {' AND '.join(where)}"
    if unique:
        return f'SELECT {keys}, "{f.VALUE_USD}" AS "value" {scan} AND "{f.VALUE_USD}" > 0'
    return (
        f'SELECT {keys}, sum("{f.VALUE_USD}") AS "value" {scan} GROUP BY {keys} '
        f'HAVING sum("{f.VALUE_USD}") > 0'
    )


def _fetch(
    flows: Any,
    what: str,
    *,
    year: int,
    importers: list[str] | None,
    unique: bool,
    between: tuple[str, str] | None = None,
) -> pa.Table:
    """One query over the rows of :func:`load_flows`, from either kind of flow source.

    ``what``: ``"rows"`` (the rows themselves), ``"counts"`` (``importer`` and its rows
    ``n``) or a column name (its distinct values).
    """
    filters: dict[str, Any] = dict(year=year, importers=importers, unique=unique, between=between)
    if isinstance(flows, FlowFiles):
        rows = _sql(flows.files, **filters)
        if what == "rows":
            return flows.arrow(rows)
        if what == "counts":
            return flows.arrow(
                f'SELECT "{f.IMPORTER}", count(*) AS n FROM ({rows}) GROUP BY "{f.IMPORTER}"'
            )
        return flows.arrow(f'SELECT DISTINCT "{what}" FROM ({rows})')
    t = _query(flows, **filters)
    if what == "counts":
        t = t.group_by(f.IMPORTER).aggregate(n=t.count())
    elif what != "rows":
        t = t.select(what).distinct()
    return t.to_pyarrow()


def load_flows(
    flows: Any,
    *,
    year: int,
    importers: list[str] | None,
    unique: bool = False,
    between: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Importer, exporter, code, value_usd for one year (international flows, one query).

    Parameters
    ----------
    flows
        The flow source: an Ibis table of canonical flows (any engine) or
        :class:`FlowFiles` (DuckDB SQL over the Parquet files; the same rows).
    year
        Year to keep.
    importers
        ISO3 importers to keep (None: all).
    unique
        The data set has one row per (year, exporter, importer, product), as its manifest
        records with ``unique_flow_keys`` (BACI after ingest, icio2022): the rows are read as
        they are instead of summed by key, which saves most of the query time on a large year.
    between
        Keep only importers from ``between[0]`` to ``between[1]`` (inclusive, in code order).

    Returns
    -------
    pandas.DataFrame
        ``importer``, ``exporter``, ``code`` (categoricals) and ``value`` (US$, > 0), in
        no particular row order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _fetch(flows, "rows", year=year, importers=importers, unique=unique, between=between)
    # Country and product codes come back dictionary-encoded (pandas categoricals): the
    # model works on their integer codes and never materialises millions of strings.
    columns = {
        "importer": pc.dictionary_encode(table[f.IMPORTER].cast(pa.string())),
        "exporter": pc.dictionary_encode(table[f.EXPORTER].cast(pa.string())),
        "code": pc.dictionary_encode(table[f.PRODUCT].cast(pa.string())),
        "value": table["value"].cast(pa.float64()),
    }
    return pa.table(columns).to_pandas()


def category_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and unique values of a column (categorical or not)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories.astype(str), dtype=object)
        return column.cat.codes.to_numpy(dtype=np.int64), cats
    idx, uniques = pd.factorize(column.astype(str), sort=True)
    return np.asarray(idx, dtype=np.int64), np.asarray(uniques, dtype=object)


@dataclass(frozen=True)
class FlowChunks:
    """The flows of one run as chunks of whole importers, each read when it is needed.

    Attributes
    ----------
    importers, exporters, codes
        Every importer, exporter and product code of the run (arrays of strings, in the
        order of the model's integer codes): the universe each chunk is indexed into.
    parts
        The importers of each chunk, consecutive in ``importers`` order.
    rows
        The rows of each chunk.
    read
        ``read(i)`` returns chunk ``i`` as :func:`load_flows` does.
    after_last
        Called when iteration has passed the last chunk (a run's source closes its
        connection there, so that the engine's buffers are freed before the run builds
        its tables); None: nothing.
    """

    importers: np.ndarray
    exporters: np.ndarray
    codes: np.ndarray
    parts: tuple[tuple[str, ...], ...]
    rows: tuple[int, ...]
    read: Callable[[int], pd.DataFrame]
    after_last: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self.parts)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for i in range(len(self.parts)):
            yield self.read(i)
        if self.after_last is not None:
            self.after_last()

    @property
    def total_rows(self) -> int:
        """Rows of the whole run."""
        return int(sum(self.rows))

    @property
    def universe(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(importers, exporters, codes)."""
        return self.importers, self.exporters, self.codes

    @classmethod
    def of_frame(cls, frame: pd.DataFrame, chunk_rows: int | None = None) -> FlowChunks:
        """Chunks of a frame already read (one chunk when ``chunk_rows`` is None)."""
        imp_idx, imp_u = category_codes(frame[f.IMPORTER])
        _, exp_u = category_codes(frame[f.EXPORTER])
        _, code_u = category_codes(frame["code"])
        counts = np.bincount(imp_idx, minlength=len(imp_u))
        whole = chunk_rows is None
        groups = [np.arange(len(imp_u))] if whole else _group(counts, int(chunk_rows))
        parts = tuple(tuple(str(c) for c in imp_u[g]) for g in groups)
        rows = tuple(int(counts[g].sum()) for g in groups)
        if len(groups) == 1:
            return cls(imp_u, exp_u, code_u, parts, rows, lambda i: frame)
        chunk_of = np.empty(len(imp_u), dtype=np.int64)
        for n, g in enumerate(groups):
            chunk_of[g] = n
        row_chunk = chunk_of[imp_idx]

        def read(i: int) -> pd.DataFrame:
            return frame[row_chunk == i]

        return cls(imp_u, exp_u, code_u, parts, rows, read)


def importer_parts(frame: pd.DataFrame, rows: int | None) -> Iterator[pd.DataFrame]:
    """The rows of ``frame`` in parts of whole consecutive importers of about ``rows`` rows.

    An importer with more rows is a part of its own; ``rows`` None (or a frame no larger):
    the frame itself. Markets (importer x product) are independent, so the parts of a
    frame give the results of the whole to floating-point rounding.
    """
    if rows is None or len(frame) <= rows:
        yield frame
        return
    yield from FlowChunks.of_frame(frame, rows)  # the same cut as a frame read whole


def _group(counts: np.ndarray, chunk_rows: int) -> list[np.ndarray]:
    """Consecutive indices grouped into runs of at most ``chunk_rows`` rows (or one index)."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows: must be 1 or more, got {chunk_rows}")
    groups: list[np.ndarray] = []
    start, total = 0, 0
    for i, n in enumerate(counts):
        if i > start and total + n > chunk_rows:
            groups.append(np.arange(start, i))
            start, total = i, 0
        total += int(n)
    if len(counts):
        groups.append(np.arange(start, len(counts)))
    return groups


def plan_chunks(
    flows: Any,
    *,
    year: int,
    importers: list[str] | None,
    unique: bool = False,
    chunk_rows: int | None = CHUNK_ROWS,
) -> FlowChunks:
    """The rows of each importer (one query) grouped into chunks read one at a time.

    Parameters
    ----------
    flows, year, importers, unique
        As :func:`load_flows`.
    chunk_rows
        Rows per chunk (None: one chunk, one query, as :func:`load_flows`).

    Returns
    -------
    FlowChunks
        Empty (no parts) when the year has no flows for the importers. Three small queries
        (rows per importer, the exporters, the codes) and one query per chunk: a chunk of
        every importer in a code range is read with a range filter, which the engine
        applies while it scans.
    """
    filters: dict[str, Any] = dict(year=year, importers=importers, unique=unique)
    counts = _fetch(flows, "counts", **filters).to_pandas().sort_values(f.IMPORTER)
    imp_u = np.asarray(counts[f.IMPORTER].astype(str), dtype=object)
    n = counts["n"].to_numpy(dtype=np.int64)

    def distinct(column: str) -> np.ndarray:
        values = _fetch(flows, column, **filters).to_pandas()[column].astype(str)
        return np.asarray(sorted(values), dtype=object)

    if not len(imp_u):
        empty = np.asarray([], dtype=object)
        return FlowChunks(empty, empty, empty, (), (), lambda i: pd.DataFrame())
    exp_u, code_u = distinct(f.EXPORTER), distinct(f.PRODUCT)
    groups = [np.arange(len(imp_u))] if chunk_rows is None else _group(n, chunk_rows)
    parts = tuple(tuple(str(c) for c in imp_u[g]) for g in groups)
    rows = tuple(int(n[g].sum()) for g in groups)

    def read(i: int) -> pd.DataFrame:
        part = list(parts[i])
        if len(parts) == 1:
            return load_flows(flows, year=year, importers=importers, unique=unique)
        if importers is None:
            return load_flows(
                flows, year=year, importers=None, unique=unique, between=(part[0], part[-1])
            )
        return load_flows(flows, year=year, importers=part, unique=unique)

    # a run's own connection is closed once its last chunk is read (FlowFiles.close may
    # be called again by the run's context)
    after_last = flows.close if isinstance(flows, FlowFiles) else None
    return FlowChunks(imp_u, exp_u, code_u, parts, rows, read, after_last)
