"""Every market's indicators at once, materialised per data-set version.

Notation (DESIGN.md): V(i, j, k) is the value of product k shipped from exporter i to
importer j in a year; international flows only (i != j).

Four tables describe every market and every exporter of a data set, per year, at one
product level (the data set's own: ``hs6`` or ``industry``; or ``hs4``, ``hs2``):

``markets`` - one row per (year, importer j, code k), sorted by importer:

=======================  =============================================================
``imports_usd``          M(j, k) = sum over i != j of V(i, j, k)
``import_sumsq``         sum over i of V(i, j, k)^2 (US dollars squared)
``import_hhi``           HHI(j, k) = sum over i of s(i, j, k)^2 = import_sumsq / M^2
``suppliers``            number of exporters i with a flow to j in k
``top_supplier``         the i with the largest V(i, j, k) (exact ties: any of them)
``top_supplier_usd``     its V(i, j, k)
``top_supplier_share``   its share s = V / M
=======================  =============================================================

``exporters`` - one row per (year, exporter i, code k), sorted by exporter:
``exports_usd`` X(i, k) = sum over j != i of V(i, j, k); ``world_export_share`` X(i, k) /
W(k); ``rca``, Balassa's revealed comparative advantage (X(i, k) / X(i)) / (W(k) / W).

``world`` - one row per (year, code): ``world_exports_usd`` W(k) = sum over i of X(i, k),
``world_export_sumsq`` sum over i of X(i, k)^2, ``world_export_hhi`` and ``exporters``.

``exporter_totals`` - one row per (year, exporter): ``total_exports_usd`` X(i), all
products, and ``world_total_usd`` W = sum over i of X(i).

Each supplier's share s(i, j, k) = V(i, j, k) / M(j, k) is one division away (the flows
of an importer joined with its ``markets`` rows, :func:`supplier_shares`); it is not
stored, since that table would be as large as the flows themselves.

The tables are Ibis expressions (:func:`market_tables`), so any engine (Spark included)
computes them; :func:`market_indicators` materialises them once per data-set version on
DuckDB, with the same definitions written out as one SQL script
(:mod:`tradelever.analysis.markets_sql`, tested equal to the expressions), and caches the
result in the store (:mod:`tradelever.store.derived`). Two scans of the flows compute
everything: one aggregation per (importer, code) for ``markets``, one per (exporter,
code) for ``exporters``, from which ``world`` and ``exporter_totals`` follow. The pair
queries (:func:`pair_sums`) and the scan of one home over every partner
(:mod:`tradelever.analysis.scan`) read these tables and the flows of the countries
involved only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from tradelever import schema as f
from tradelever.analysis.markets_sql import (
    MEMORY_LIMIT,
    PREFIX,
    TABLES,
    code_sql,
    write_market_tables,
)
from tradelever.errors import InputError
from tradelever.sql import in_list, literal, parquet_source, year_of

__all__ = [
    "MARKETS_VERSION",
    "TABLES",
    "MarketIndicators",
    "cached_market_indicators",
    "code_sums",
    "export_totals",
    "levels",
    "market_indicators",
    "market_tables",
    "pair_sums",
    "pair_sums_with_ids",
    "supplier_shares",
]

#: Version of the table definitions; bump it when their content changes (it is part of the
#: cache key, so copies made by an older definition are rebuilt).
MARKETS_VERSION: Final = 1


# --------------------------------------------------------------------------------------
# Ibis expressions


def _ratio(numerator: Any, denominator: Any) -> Any:
    """``numerator / denominator``, null where the denominator is zero (NaN in pandas)."""
    import ibis

    return ibis.ifelse(denominator != 0, numerator / denominator, ibis.null("float64"))


def levels(manifest: dict[str, Any]) -> tuple[str, ...]:
    """Levels the tables can be materialised at: the data set's own and coarser HS levels.

    Those of :func:`tradelever.analysis.codes.dataset_levels` but ``group`` (a product
    may belong to several groups, which the tables, one row per code, cannot express).
    """
    from tradelever.analysis.codes import dataset_levels

    return tuple(lv for lv in dataset_levels(manifest) if lv != "group")


def coded_flows(flows: Any, level: str, base_level: str) -> Any:
    """Flows with a ``code`` column at ``level`` (the data set's own, or a coarser HS level)."""
    if level == base_level:
        return flows.mutate(code=flows[f.PRODUCT])
    if level in PREFIX:
        return flows.mutate(code=flows[f.PRODUCT].substr(0, PREFIX[level]))
    raise InputError(f"{level!r} is not a product level of this data set", parameter="level")


def market_tables(
    coded: Any, *, unique_keys: bool = False, world_trade: bool = True
) -> dict[str, Any]:
    """The four indicator tables of every year of ``coded`` as Ibis expressions.

    Parameters
    ----------
    coded
        An Ibis ``flows`` table with a ``code`` column (:func:`coded_flows`).
    unique_keys
        True when ``coded`` has one row per (year, exporter, importer, code) (a data set
        whose manifest records ``unique_flow_keys``, at its own level): the supplier
        totals are then the rows themselves and one aggregation is saved.
    world_trade
        False for a data set holding a few reporters' imports only (manifest
        ``reporters``, e.g. ``census-us-2024``): sums over its flows are not world
        exports, so ``world_export_share``, ``rca`` and ``world_export_hhi`` are null
        (:mod:`tradelever.analysis.reporters`).

    Returns
    -------
    dict
        ``markets``, ``exporters``, ``world`` and ``exporter_totals`` (columns in the
        module docstring), values in US dollars.
    """
    return {
        "markets": _markets(coded, unique_keys),
        **_from_exports(_exports(coded), world_trade),
    }


def _international(coded: Any) -> Any:
    return coded.filter(coded[f.EXPORTER] != coded[f.IMPORTER])


def _markets(coded: Any, unique_keys: bool) -> Any:
    """One row per (year, importer, code): M, sum of squares, suppliers, top supplier."""
    t = _international(coded)
    keys = [f.YEAR, f.IMPORTER, "code", f.EXPORTER]
    if unique_keys:
        supply = t.select(*keys, v=t[f.VALUE_USD])
    else:
        supply = t.group_by(keys).aggregate(v=t[f.VALUE_USD].sum())
    v = supply.v
    # arg_max on DuckDB, max_by on Spark. A deterministic tie-break (an ordered aggregate
    # or the minimum of a (-value, exporter) struct) costs 1.5 to 2 times as much CPU on
    # 11 M rows; ties are exact equalities of value and leave the share unchanged.
    markets = supply.group_by([f.YEAR, f.IMPORTER, "code"]).aggregate(
        imports_usd=v.sum(),
        import_sumsq=(v * v).sum(),
        suppliers=supply.count(),
        top_supplier=supply[f.EXPORTER].argmax(v),
        top_supplier_usd=v.max(),
    )
    return markets.mutate(
        import_hhi=_ratio(markets.import_sumsq, markets.imports_usd * markets.imports_usd),
        top_supplier_share=_ratio(markets.top_supplier_usd, markets.imports_usd),
    )


def _exports(coded: Any) -> Any:
    """X(i, k): one row per (year, exporter, code)."""
    t = _international(coded)
    return t.group_by([f.YEAR, f.EXPORTER, "code"]).aggregate(exports_usd=t[f.VALUE_USD].sum())


def _from_exports(exports: Any, world_trade: bool = True) -> dict[str, Any]:
    """``exporters``, ``world`` and ``exporter_totals`` from the X(i, k) sums."""
    import ibis

    x = exports.exports_usd
    world = exports.group_by([f.YEAR, "code"]).aggregate(
        world_exports_usd=x.sum(), world_export_sumsq=(x * x).sum(), exporters=exports.count()
    )
    world = world.mutate(
        world_export_hhi=_ratio(
            world.world_export_sumsq, world.world_exports_usd * world.world_exports_usd
        )
    )
    totals = exports.group_by([f.YEAR, f.EXPORTER]).aggregate(total_exports_usd=x.sum())
    world_total = totals.group_by(f.YEAR).aggregate(world_total_usd=totals.total_exports_usd.sum())
    totals = totals.join(world_total, f.YEAR).select(
        f.YEAR, f.EXPORTER, "total_exports_usd", "world_total_usd"
    )
    exporters = _exporter_indicators(exports, world, totals)
    if not world_trade:  # the flows of a few reporters' imports say nothing of the world
        none = ibis.null("float64")
        exporters = exporters.mutate(world_export_share=none, rca=none)
        world = world.mutate(world_export_hhi=none)
    return {"exporters": exporters, "world": world, "exporter_totals": totals}


def _exporter_indicators(exports: Any, world: Any, totals: Any) -> Any:
    """X(i, k) with the world share X(i, k) / W(k) and RCA (X(i, k) / X(i)) / (W(k) / W)."""
    joined = exports.join(world, [f.YEAR, "code"]).join(totals, [f.YEAR, f.EXPORTER])
    share_of_exports = _ratio(joined.exports_usd, joined.total_exports_usd)
    share_of_world = _ratio(joined.world_exports_usd, joined.world_total_usd)
    return joined.select(
        f.YEAR,
        f.EXPORTER,
        "code",
        "exports_usd",
        world_export_share=_ratio(joined.exports_usd, joined.world_exports_usd),
        rca=_ratio(share_of_exports, share_of_world),
    )


def supplier_shares(coded: Any, markets: Any) -> Any:
    """Each supplier's share s(i, j, k) = V(i, j, k) / M(j, k), as an Ibis expression.

    ``coded`` must have one row per (year, exporter, importer, code) (any level after
    summing); ``markets`` is the ``markets`` table at the same level.
    """
    t = coded.filter(coded[f.EXPORTER] != coded[f.IMPORTER])
    joined = t.join(markets, [f.YEAR, f.IMPORTER, "code"])
    return joined.select(
        f.YEAR,
        f.EXPORTER,
        f.IMPORTER,
        "code",
        f.VALUE_USD,
        "imports_usd",
        share=_ratio(joined[f.VALUE_USD], joined.imports_usd),
    )


@dataclass
class MarketIndicators:
    """The materialised indicator tables of one data-set version at one level.

    Reads are DuckDB queries over the Parquet files with the filters pushed down (DuckDB
    tests a filter on a column's Parquet dictionary and skips row groups by their
    statistics: the flows of one exporter among 11 million rows come back in about 20 ms,
    where ``pyarrow.parquet`` with the same filter takes 30 times as long). Tables read
    whole are kept (per year) for the next call: hold one instance per data-set version and
    level (a session), not one per query. Each read uses its own cursor, so one instance
    may serve several threads.

    Attributes
    ----------
    dataset, level
        What the tables describe.
    manifest
        The data set's manifest (provenance, years, classification).
    folder
        The cached copy's folder.
    flow_files
        The data set's ``flows`` Parquet files (for V(i, j, k) of given countries).
    """

    dataset: str
    level: str
    manifest: dict[str, Any]
    folder: Path
    flow_files: list[Path]
    _whole: dict[tuple[str, int], pd.DataFrame] = field(default_factory=dict, repr=False)
    _totals: dict[int, tuple[float, dict[str, float]]] = field(default_factory=dict, repr=False)
    _keys: dict[int, pd.Index] = field(default_factory=dict, repr=False)
    _joined: set[int] = field(default_factory=set, repr=False)
    _con: Any = field(default=None, repr=False)

    def files(self, table: str) -> list[Path]:
        """Parquet files of one table."""
        return sorted((self.folder / table).glob("*.parquet"))

    def _connection(self) -> Any:
        if self._con is None:
            import duckdb

            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")
            self._con = con
        return self._con

    def _query(self, sql: str) -> pd.DataFrame:
        cursor = self._connection().cursor()
        try:
            return cursor.execute(sql).df()
        finally:
            cursor.close()

    def read(
        self,
        table: str,
        *,
        year: int | Iterable[int],
        where: dict[str, Any] | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of one table for some years, optionally where columns take given values.

        ``where`` maps a column to a value or a list of values (``{"importer": "USA"}``).
        """
        conditions = [in_list(f.YEAR, _years(year))]
        conditions += [in_list(column, value) for column, value in (where or {}).items()]
        select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        source = parquet_source(self.files(table))
        return self._query(f"SELECT {select} FROM {source} WHERE {' AND '.join(conditions)}")

    def whole(self, table: str, year: int) -> pd.DataFrame:
        """A whole table for one year, read once and kept."""
        key = (table, int(year))
        if key not in self._whole:
            self._whole[key] = self.read(table, year=year).reset_index(drop=True)
        return self._whole[key]

    def market_rows(self, year: int, importers: pd.Series, codes: pd.Series) -> np.ndarray:
        """Positions in ``whole("markets", year)`` of (importer, code) pairs (-1: none).

        The hash index of the year's markets is built once and kept.
        """
        if int(year) not in self._keys:
            markets = self.whole("markets", year)
            keys = markets[f.IMPORTER].astype(str) + "|" + markets["code"].astype(str)
            self._keys[int(year)] = pd.Index(keys.to_numpy(dtype=object))
        wanted = importers.astype(str) + "|" + codes.astype(str)
        return self._keys[int(year)].get_indexer(wanted.to_numpy(dtype=object))

    def markets_of(
        self, year: int, importers: pd.Series, codes: pd.Series
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """The ``markets`` rows of (importer, code) pairs: ``(found, rows)``.

        ``found[i]``: pair ``i`` has a market row; ``rows``: the rows of the found pairs,
        in the pairs' order, with the columns of ``whole("markets", year)``. From the
        year's whole table when it is kept, or from the second call for the year on (it is
        then read and kept, as a server wants); the first call of a process joins the pairs
        to the table's files in one query instead, so a one-shot command (``scan``) reads
        the rows it needs, not the 1.2 million markets of a BACI year.
        """
        year = int(year)
        if ("markets", year) in self._whole or year in self._joined:
            at = self.market_rows(year, importers, codes)
            found = at >= 0
            return found, self.whole("markets", year).iloc[at[found]].reset_index(drop=True)
        self._joined.add(year)
        wanted = pd.DataFrame(
            {
                "pos": np.arange(len(importers), dtype=np.int64),
                "importer": importers.astype(str).to_numpy(dtype=object),
                "code": codes.astype(str).to_numpy(dtype=object),
            }
        )
        cursor = self._connection().cursor()
        try:
            cursor.register("wanted", wanted)
            rows = cursor.execute(
                f"SELECT w.pos AS _pos, m.* FROM {parquet_source(self.files('markets'))} AS m "
                f"JOIN wanted AS w ON m.{f.IMPORTER}::VARCHAR = w.importer "
                f"AND m.code::VARCHAR = w.code WHERE m.{f.YEAR} = {year} ORDER BY w.pos"
            ).df()
        finally:
            cursor.close()
        found = np.zeros(len(wanted), dtype=bool)
        found[rows["_pos"].to_numpy(dtype=np.int64)] = True
        return found, rows.drop(columns="_pos").reset_index(drop=True)

    def flows(
        self,
        *,
        year: int | Iterable[int],
        exporters: Sequence[str] | None = None,
        importers: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """V(i, j, k) of some exporters and/or importers (international flows, summed).

        Columns ``year``, ``exporter``, ``importer``, ``code``, ``value_usd``.
        """
        years = _years(year)
        files = [p for p in self.flow_files if year_of(p) in (None, *years)]
        columns = [f.YEAR, f.EXPORTER, f.IMPORTER, "code", f.VALUE_USD]
        if not files:
            return pd.DataFrame(columns=columns)
        conditions = [in_list(f.YEAR, years), f"{f.EXPORTER} <> {f.IMPORTER}"]
        if exporters is not None:
            conditions.append(in_list(f.EXPORTER, list(exporters)))
        if importers is not None:
            conditions.append(in_list(f.IMPORTER, list(importers)))
        return self._query(
            f"SELECT {f.YEAR}, {f.EXPORTER}::VARCHAR AS {f.EXPORTER}, "
            f"{f.IMPORTER}::VARCHAR AS {f.IMPORTER}, {self._code_sql()}::VARCHAR AS code, "
            f"sum({f.VALUE_USD}) AS {f.VALUE_USD} "
            f"FROM {parquet_source(files)} WHERE {' AND '.join(conditions)} GROUP BY ALL"
        )

    def _code_sql(self) -> str:
        """The SQL of the ``code`` column over the flows at this level."""
        return code_sql(self.level, self.base_level)

    def pair_index(self, year: int, *, lazy: bool = False) -> PairIndex | None:
        """The year's tables and flows in memory, indexed by country (built once per process).

        Shared by every instance over the same tables (one per data-set version and level)
        and bounded by ``INDEX_MEMORY``. ``lazy``: built only when asked for the second
        time, None the first (a one-shot command answers with three queries instead of
        reading the whole year; a server builds it once and reuses it), and None while
        another thread builds it (the caller queries rather than waits).
        """
        return _INDEXES.get(self, year, lazy=lazy)

    @property
    def base_level(self) -> str:
        """The data set's own product level (``hs6`` or ``industry``)."""
        return str(self.manifest.get("level") or "hs6")

    @property
    def years(self) -> list[int]:
        """Years of the data set."""
        return sorted(int(y) for y in self.manifest.get("years") or [])


# --------------------------------------------------------------------------------------
# In-memory positional index of one year (a long-lived process: the HTTP server)

#: Memory the year indexes of all data-set versions may hold together in one process
#: (least recently used dropped first). A synthetic BACI-size year (11 M flows, 1.2 M
#: markets and exporters rows, 5,400 codes) takes about 190 MB.
INDEX_MEMORY: Final = 768 * 2**20
#: Flows beyond which a year's flows are not held in memory (the pair queries read them
#: from Parquet instead): 14 bytes a flow, 30 M flows about 420 MB.
INDEX_MAX_FLOWS: Final = 30_000_000
_BATCH: Final = 1_000_000


class _Coder:
    """Integer ids of strings, assigned in order of first appearance."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, column: Any) -> np.ndarray:
        """Ids of an Arrow string column (null: -1)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(column)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        local = np.array(
            [self.ids.setdefault(str(v), len(self.ids)) for v in encoded.dictionary.to_pylist()]
            + [-1],
            dtype=np.int32,
        )
        positions = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return local[positions]

    def names(self) -> np.ndarray:
        """The strings, by id."""
        out = np.empty(len(self.ids), dtype=object)
        for name, i in self.ids.items():
            out[i] = name
        return out


@dataclass(frozen=True)
class Slices:
    """Rows of one table grouped by a country: the country's rows are ``[start, stop)``.

    ``code`` holds positions in :attr:`PairIndex.codes`; ``values`` one float array per
    column; ``partner`` (flows only) the other country's id in :attr:`PairIndex.countries`.
    """

    bounds: dict[str, tuple[int, int]]
    code: np.ndarray
    values: dict[str, np.ndarray]
    other: np.ndarray | None = None

    def rows(self, country: str | None) -> slice:
        """The rows of ``country`` (an empty slice when it has none)."""
        start, stop = self.bounds.get(str(country), (0, 0))
        return slice(start, stop)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        arrays = [self.code, *self.values.values()]
        if self.other is not None:
            arrays.append(self.other)
        return sum(int(a.nbytes) for a in arrays)


@dataclass(frozen=True)
class PairIndex:
    """One year of the market tables (and flows) in memory, indexed by country.

    ``codes`` are the year's product codes, sorted (an id is a position); ``world_*`` are
    W(k) and the sum of squares per id (0 where absent); ``markets`` are the ``markets``
    rows by importer, ``exporters`` the ``exporters`` rows by exporter, and ``flows`` the
    international flows V(i, j, k) by importer j with the exporter i's id in
    ``flows.other`` (None when the year has more than ``INDEX_MAX_FLOWS`` flows). Every
    country's rows are sorted by code id. A pair's per-code sums are then slices and one
    ``bincount`` (microseconds), where a query over Parquet takes 5 to 20 ms.
    """

    codes: np.ndarray
    countries: dict[str, int]
    world_exports: np.ndarray
    world_sumsq: np.ndarray
    markets: Slices
    exporters: Slices
    flows: Slices | None

    @property
    def nbytes(self) -> int:
        """Approximate memory held (arrays and code strings)."""
        parts = [self.markets, self.exporters, *([self.flows] if self.flows else [])]
        arrays = self.world_exports.nbytes + self.world_sumsq.nbytes
        return int(arrays + sum(p.nbytes for p in parts) + 60 * len(self.codes))

    def dense(self, table: Slices, country: str | None, column: str) -> np.ndarray:
        """A country's values of ``column`` per code id (0 where it has no row, NaN as 0)."""
        out = np.zeros(len(self.codes))
        rows = table.rows(country)
        values = table.values[column][rows]
        out[table.code[rows]] = np.where(np.isnan(values), 0.0, values)
        return out

    def shipped(self, exporter: str | None, importer: str) -> np.ndarray:
        """V(exporter, importer, k) per code id, summed (0 where none)."""
        assert self.flows is not None
        rows = self.flows.rows(importer)
        wanted = self.countries.get(str(exporter), -2)
        mine = self.flows.other[rows] == wanted  # type: ignore[index]
        return np.bincount(
            self.flows.code[rows][mine],
            weights=self.flows.values[f.VALUE_USD][rows][mine],
            minlength=len(self.codes),
        )


def _batches(indicators: MarketIndicators, sql: str) -> Iterable[Any]:
    cursor = indicators._connection().cursor()
    try:
        yield from cursor.sql(sql).to_arrow_reader(_BATCH)
    finally:
        cursor.close()


def _grouped(
    country_ids: np.ndarray,
    code_ids: np.ndarray,
    values: dict[str, np.ndarray],
    names: np.ndarray,
    other: np.ndarray | None = None,
) -> Slices:
    """Rows sorted by country (and by code id within a country), with each country's bounds.

    A stable sort of one integer key (a radix sort for the flows' 16-bit country ids).
    """
    n_codes = int(code_ids.max()) + 2 if len(code_ids) else 1
    if other is None:  # tables: one row per (country, code), sorted by code within a country
        key = country_ids.astype(np.int64) * n_codes + (code_ids + 1)
    else:  # flows: code order is not needed (summed by bincount)
        key = country_ids.astype(np.int16 if len(names) < 2**15 else np.int32)
    order = np.argsort(key, kind="stable")
    del key
    counts = np.bincount(country_ids + 1, minlength=len(names) + 1)  # id -1: a null country
    offsets = np.concatenate([[0], np.cumsum(counts)])
    bounds = {
        str(names[i]): (int(offsets[i + 1]), int(offsets[i + 2]))
        for i in np.flatnonzero(counts[1:])
    }
    return Slices(
        bounds=bounds,
        code=code_ids[order],
        values={k: v[order] for k, v in values.items()},
        other=None if other is None else other[order],
    )


def _build_pair_index(indicators: MarketIndicators, year: int) -> PairIndex:
    """Read one year's ``world``, ``markets``, ``exporters`` and flows into a :class:`PairIndex`."""
    codes, countries = _Coder(), _Coder()
    where = f"WHERE {in_list(f.YEAR, [int(year)])}"

    def read(table: str, country: str, columns: list[str]) -> tuple[np.ndarray, ...]:
        sql = (
            f'SELECT "{country}"::VARCHAR AS c, code::VARCHAR AS code, '
            + ", ".join(f'"{c}"::DOUBLE AS "{c}"' for c in columns)
            + f" FROM {parquet_source(indicators.files(table))} {where}"
        )
        parts: list[list[np.ndarray]] = [[] for _ in range(2 + len(columns))]
        for batch in _batches(indicators, sql):
            parts[0].append(countries.encode(batch.column(0)))
            parts[1].append(codes.encode(batch.column(1)))
            for i, name in enumerate(columns):
                column = batch.column(2 + i).to_numpy(zero_copy_only=False)
                parts[2 + i].append(np.asarray(column, dtype=float))
                del name
        return tuple(
            np.concatenate(p) if p else np.empty(0, dtype=np.int32 if i < 2 else float)
            for i, p in enumerate(parts)
        )

    world = indicators.whole("world", year)
    world_ids = codes.encode(_arrow_strings(world["code"]))
    m_country, m_code, m_imports, m_sumsq = read(
        "markets", f.IMPORTER, ["imports_usd", "import_sumsq"]
    )
    x_country, x_code, x_exports = read("exporters", f.EXPORTER, ["exports_usd"])
    flow_parts = None
    files = [p for p in indicators.flow_files if year_of(p) in (None, int(year))]
    if files:
        (count,) = (
            indicators._connection()
            .execute(f"SELECT count(*) FROM {parquet_source(files)} {where}")
            .fetchone()
        )
        if int(count) <= INDEX_MAX_FLOWS:
            sql = (
                f"SELECT {f.IMPORTER}::VARCHAR, {f.EXPORTER}::VARCHAR, "
                f"{indicators._code_sql()}::VARCHAR, {f.VALUE_USD}::DOUBLE "
                f"FROM {parquet_source(files)} {where} AND {f.EXPORTER} <> {f.IMPORTER}"
            )
            parts: list[list[np.ndarray]] = [[], [], [], []]
            for batch in _batches(indicators, sql):
                parts[0].append(countries.encode(batch.column(0)).astype(np.int16))
                parts[1].append(countries.encode(batch.column(1)).astype(np.int16))
                parts[2].append(codes.encode(batch.column(2)))
                values = np.asarray(batch.column(3).to_numpy(zero_copy_only=False), dtype=float)
                parts[3].append(np.where(np.isnan(values), 0.0, values))  # SQL sum skips nulls
            flow_parts = [np.concatenate(p) if p else np.empty(0) for p in parts]
    # Ids in code order: a position in the sorted codes.
    names = codes.names()
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # id -1 (a null code) stays -1

    def ranked(ids: np.ndarray) -> np.ndarray:
        return rank[ids]

    country_names = countries.names()
    n = len(names)
    world_exports, world_sumsq = np.zeros(n), np.zeros(n)
    w = world["world_exports_usd"].to_numpy(dtype=float)
    s = world["world_export_sumsq"].to_numpy(dtype=float)
    world_exports[ranked(world_ids)] = np.where(np.isnan(w), 0.0, w)
    world_sumsq[ranked(world_ids)] = np.where(np.isnan(s), 0.0, s)
    flows = None
    if flow_parts is not None:
        flows = _grouped(
            flow_parts[0],
            ranked(flow_parts[2]),
            {f.VALUE_USD: flow_parts[3]},
            country_names,
            other=flow_parts[1],
        )
    return PairIndex(
        codes=names[order],
        countries={str(c): i for i, c in enumerate(country_names)},
        world_exports=world_exports,
        world_sumsq=world_sumsq,
        markets=_grouped(
            m_country,
            ranked(m_code),
            {"imports_usd": m_imports, "import_sumsq": m_sumsq},
            country_names,
        ),
        exporters=_grouped(x_country, ranked(x_code), {"exports_usd": x_exports}, country_names),
        flows=flows,
    )


def _arrow_strings(values: pd.Series) -> Any:
    import pyarrow as pa

    return pa.array(values.astype(object).tolist(), type=pa.string())


class _IndexCache:
    """The process's :class:`PairIndex` objects, bounded by ``INDEX_MEMORY`` (LRU).

    Keyed by the tables' folder (one per data-set version and level) and the year, and
    shared by every session of the process; one thread builds a given index, the others
    asking for it meanwhile wait for it.
    """

    def __init__(self, budget: int) -> None:
        import threading
        from collections import OrderedDict

        self.budget = budget
        self._lock = threading.Lock()
        self._building: dict[tuple[str, int], threading.Lock] = {}
        self._held: OrderedDict[tuple[str, int], PairIndex] = OrderedDict()
        self._asked: dict[tuple[str, int], int] = {}

    def get(self, indicators: MarketIndicators, year: int, *, lazy: bool) -> PairIndex | None:
        import threading

        key = (str(indicators.folder), int(year))
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
            self._asked[key] = self._asked.get(key, 0) + 1
            if lazy and (self._asked[key] < 2 or key in self._building):
                return None  # asked once, or being built by another thread: query meanwhile
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._held:
                    return self._held[key]
            index = _build_pair_index(indicators, year)
            with self._lock:
                self._held[key] = index
                self._held.move_to_end(key)
                self._building.pop(key, None)
                total = sum(i.nbytes for i in self._held.values())
                while total > self.budget and len(self._held) > 1:
                    _, dropped = self._held.popitem(last=False)
                    total -= dropped.nbytes
            return index

    def clear(self) -> None:
        """Drop every index (tests)."""
        with self._lock:
            self._held.clear()
            self._asked.clear()


_INDEXES: Final = _IndexCache(INDEX_MEMORY)


def _years(year: int | Iterable[int]) -> list[int]:
    return [int(year)] if isinstance(year, (int, np.integer)) else [int(y) for y in year]


def market_indicators(
    store: Any,
    dataset: str,
    level: str | None = None,
    *,
    memory_limit: str = MEMORY_LIMIT,
    staged: Any = None,
    record: dict[str, Any] | None = None,
) -> MarketIndicators:
    """The materialised indicator tables of a data set, computed on first use.

    The tables are cached in the store for the data set's current version (see
    :mod:`tradelever.store.derived`): the first call after an ingest computes them (about
    as long as one DuckDB aggregation over the flows), later calls, in any process, only
    open them.

    Parameters
    ----------
    store
        A :class:`tradelever.store.Store`.
    dataset
        Data set name.
    level
        The data set's own level (default: ``hs6`` for BACI, ``hs10`` for
        ``census-us-2024``, ``industry`` for ICIO) or a coarser HS level (:func:`levels`).
    memory_limit
        DuckDB memory limit while computing.
    staged, record
        A version being written (:class:`tradelever.store.catalog.StagedDataset`) and
        its final ``dataset.json`` record, from ``Store.stage(before_publish=...)``: the
        tables are computed from its files before it is published (the returned object
        then reads the staged files; open the tables again once published).
    """
    from tradelever.store.derived import derived_tables

    manifest = store.manifest(dataset) if record is None else record
    base_level = str(manifest.get("level") or "hs6")
    level = level or base_level
    allowed = levels(manifest)
    if level not in allowed:
        raise InputError(
            f"data set {dataset} has tables at {', '.join(allowed)}, not {level!r}",
            parameter="level",
        )
    if staged is None:
        flow_files = store.table_files(dataset, "flows")
    else:
        flow_files = staged.table_files("flows")
    if not flow_files:
        raise InputError(f"{dataset}: data set has no flows")

    def build(folder: Path) -> dict[str, int]:
        return write_market_tables(
            flow_files,
            folder,
            level=level,
            base_level=base_level,
            unique_keys=manifest.get("unique_flow_keys") is True,
            years=[int(y) for y in manifest.get("years") or []] or None,
            world_trade=not manifest.get("reporters"),
            memory_limit=memory_limit,
        )

    copy = derived_tables(
        store, dataset, f"markets-{level}", MARKETS_VERSION, build, manifest=record
    )
    return MarketIndicators(
        dataset=dataset,
        level=level,
        manifest=manifest,
        folder=copy.folder,
        flow_files=flow_files,
    )


def cached_market_indicators(view: Any, level: str) -> MarketIndicators:
    """:func:`market_indicators` of a data-set view at ``level``, kept by the view.

    A view belongs to one version of its data set, so the tables it keeps are those of that
    version. If their folder has gone meanwhile (the cache folder was cleared), they are
    opened again (and rebuilt if needed).
    """
    key = ("market_indicators", level)
    found: MarketIndicators = view.memo(
        key, lambda: market_indicators(view.store, view.name, level)
    )
    if found.folder.is_dir():
        return found
    view.forget(key)
    return view.memo(key, lambda: market_indicators(view.store, view.name, level))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------
# One pair from the materialised tables


def pair_sums(
    indicators: MarketIndicators,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    base_year: int | None = None,
    indexed: bool | None = None,
) -> pd.DataFrame:
    """The per-code sums of :func:`tradelever.analysis.leverage.aggregate_market`, read.

    The same columns and values (to rounding) as ``aggregate_market(coded, home=...,
    partner=..., rival=..., year=..., base_year=...)`` for the codes the partner imports
    (``partner_imports_usd`` > 0, the rows ``leverage_table`` keeps), read from the
    ``markets``, ``exporters`` and ``world`` tables and from the flows of home and rival
    to the partner only. ``partner_imports_sigma_usd`` (group level) is NaN.

    ``indexed``: True slices the year's in-memory :class:`PairIndex` (built if needed),
    False queries the Parquet files (one query), None (default) slices the index from
    the second call of the process for the year on (:meth:`MarketIndicators.pair_index`).
    """
    return pair_sums_with_ids(
        indicators,
        home=home,
        partner=partner,
        rival=rival,
        year=year,
        base_year=base_year,
        indexed=indexed,
    )[0]


def pair_sums_with_ids(
    indicators: MarketIndicators,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    base_year: int | None = None,
    indexed: bool | None = None,
) -> tuple[pd.DataFrame, tuple[np.ndarray, PairIndex] | None]:
    """:func:`pair_sums`, and, when sliced from the year's index, each row's code id in it.

    The ids are positions in ``index.codes`` (sorted), so the caller can take per-code
    values it keeps per index by position; None when the sums were queried.
    """
    kwargs = dict(home=home, partner=partner, rival=rival, year=year, base_year=base_year)
    if indexed is False:
        return _pair_sums_queried(indicators, **kwargs), None
    lazy = indexed is None
    index = indicators.pair_index(year, lazy=lazy)
    base = (
        None if base_year is None or index is None else indicators.pair_index(base_year, lazy=lazy)
    )
    if index is None or (base_year is not None and base is None):
        return _pair_sums_queried(indicators, **kwargs), None
    return _pair_sums_indexed(indicators, index, base, **kwargs)


def _pair_sums_indexed(
    indicators: MarketIndicators,
    index: PairIndex,
    base: PairIndex | None,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    base_year: int | None,
) -> tuple[pd.DataFrame, tuple[np.ndarray, PairIndex]]:
    """:func:`pair_sums` from the in-memory index (slices, no query but for a huge year)."""
    rows = index.markets.rows(partner)
    ids = index.markets.code[rows]
    imports = index.markets.values["imports_usd"][rows]
    sumsq = index.markets.values["import_sumsq"][rows]
    keep = (imports > 0) & (ids >= 0)
    ids, imports, sumsq = ids[keep], imports[keep], sumsq[keep]
    codes = index.codes[ids]
    n = len(ids)
    missing = np.full(n, np.nan)
    queried: pd.DataFrame | None = None

    def shipped(exporter: str, source: PairIndex, in_year: int) -> np.ndarray:
        nonlocal queried
        if source.flows is not None:
            return source.shipped(exporter, partner)
        if queried is None:  # a year too large to hold its flows
            years = [year] if base_year is None else [year, base_year]
            exporters = [c for c in (home, rival) if c is not None]
            queried = indicators.flows(year=years, exporters=exporters, importers=[partner])
        picked = queried[(queried[f.EXPORTER] == exporter) & (queried[f.YEAR] == in_year)]
        sums = picked.groupby("code")[f.VALUE_USD].sum()
        found = pd.Index(sums.index.astype(str)).get_indexer(source.codes)
        values = sums.to_numpy(dtype=float)
        return np.where(found >= 0, values[found] if len(values) else 0.0, 0.0)

    out: dict[str, Any] = {
        "world_exports_usd": index.world_exports[ids],
        "partner_imports_usd": imports,
        "home_exports_to_partner_usd": shipped(home, index, year)[ids],
        "home_exports_usd": index.dense(index.exporters, home, "exports_usd")[ids],
        "partner_exports_usd": index.dense(index.exporters, partner, "exports_usd")[ids],
        "partner_import_sumsq": sumsq,
        "world_export_sumsq": index.world_sumsq[ids],
        "rival_exports_to_partner_usd": missing,
        "rival_exports_usd": missing,
        "partner_imports_base_usd": missing,
        "home_exports_to_partner_base_usd": missing,
        "partner_imports_sigma_usd": missing,
    }
    if rival is not None:
        out["rival_exports_to_partner_usd"] = shipped(rival, index, year)[ids]
        out["rival_exports_usd"] = index.dense(index.exporters, rival, "exports_usd")[ids]
    if base is not None and base_year is not None:
        at = pd.Index(base.codes).get_indexer(codes)
        found = at >= 0

        def in_base(values: np.ndarray) -> np.ndarray:
            return np.where(found, values[np.where(found, at, 0)] if len(values) else 0.0, 0.0)

        out["partner_imports_base_usd"] = in_base(base.dense(base.markets, partner, "imports_usd"))
        out["home_exports_to_partner_base_usd"] = in_base(shipped(home, base, base_year))
    frame = pd.DataFrame(out, copy=False)
    frame.insert(0, "code", pd.Series(codes, dtype=object).astype(str))
    return frame, (ids, index)


def _pair_sums_queried(
    indicators: MarketIndicators,
    *,
    home: str,
    partner: str,
    rival: str | None,
    year: int,
    base_year: int | None = None,
) -> pd.DataFrame:
    """:func:`pair_sums` as one query over the tables' and the flows' Parquet files.

    The partner's markets (``markets``, filtered by importer: row groups are skipped by
    their statistics), world exports (``world``), the exports of home, partner and rival
    (``exporters``) and the flows of home and rival to the partner, joined by code in
    DuckDB: one query and one conversion to pandas (a cold process pays for little else).
    """
    years = [year] if base_year is None else [year, base_year]
    shippers = [c for c in (home, rival) if c is not None]
    countries = [c for c in (home, rival, partner) if c is not None]
    lit = literal
    flow_files = [p for p in indicators.flow_files if year_of(p) in (None, *years)]

    def exported(country: str | None) -> str:
        if country is None:
            return "CAST('NaN' AS DOUBLE)"
        return f"coalesce(x.exports_{countries.index(country)}, 0.0)"

    def shipped(country: str | None, in_year: int) -> str:
        if country is None:
            return "CAST('NaN' AS DOUBLE)"
        return f"coalesce(v.shipped_{shippers.index(country)}_{in_year}, 0.0)"

    exports = ", ".join(
        f"sum(exports_usd) FILTER (exporter = {lit(c)}) AS exports_{n}"
        for n, c in enumerate(countries)
    )
    if flow_files:
        sums = ", ".join(
            f"sum({f.VALUE_USD}) FILTER ({f.EXPORTER} = {lit(c)} AND {f.YEAR} = {y}) "
            f"AS shipped_{n}_{y}"
            for n, c in enumerate(shippers)
            for y in years
        )
        flows = (
            f"SELECT {indicators._code_sql()}::VARCHAR AS code, {sums} "
            f"FROM {parquet_source(flow_files)} WHERE {in_list(f.YEAR, years)} "
            f"AND {in_list(f.EXPORTER, shippers)} AND {in_list(f.IMPORTER, [partner])} "
            f"AND {f.EXPORTER} <> {f.IMPORTER} GROUP BY 1"
        )
    else:  # no flows for these years: nothing shipped
        columns = ", ".join(
            f"NULL::DOUBLE AS shipped_{n}_{y}" for n in range(len(shippers)) for y in years
        )
        flows = f"SELECT NULL::VARCHAR AS code, {columns} WHERE false"
    base = (
        f"coalesce(b.imports_usd, 0.0) AS partner_imports_base_usd, "
        f"{shipped(home, base_year)} AS home_exports_to_partner_base_usd"
        if base_year is not None
        else "CAST('NaN' AS DOUBLE) AS partner_imports_base_usd, "
        "CAST('NaN' AS DOUBLE) AS home_exports_to_partner_base_usd"
    )
    markets = parquet_source(indicators.files("markets"))
    sql = f"""
        WITH m AS (
            SELECT "year", code, imports_usd, import_sumsq FROM {markets}
            WHERE {in_list(f.YEAR, years)} AND {in_list(f.IMPORTER, [partner])}
        ),
        now AS (SELECT * FROM m WHERE "year" = {int(year)} AND imports_usd > 0),
        b AS (SELECT code, imports_usd FROM m WHERE "year" = {int(base_year or year)}),
        w AS (
            SELECT code, world_exports_usd, world_export_sumsq
            FROM {parquet_source(indicators.files("world"))} WHERE "year" = {int(year)}
        ),
        x AS (
            SELECT code, {exports} FROM {parquet_source(indicators.files("exporters"))}
            WHERE "year" = {int(year)} AND {in_list(f.EXPORTER, countries)} GROUP BY code
        ),
        v AS ({flows})
        SELECT now.code::VARCHAR AS code,
            coalesce(w.world_exports_usd, 0.0) AS world_exports_usd,
            now.imports_usd AS partner_imports_usd,
            {shipped(home, year)} AS home_exports_to_partner_usd,
            {exported(home)} AS home_exports_usd,
            {exported(partner)} AS partner_exports_usd,
            now.import_sumsq AS partner_import_sumsq,
            coalesce(w.world_export_sumsq, 0.0) AS world_export_sumsq,
            {shipped(rival, year)} AS rival_exports_to_partner_usd,
            {exported(rival)} AS rival_exports_usd,
            {base},
            CAST('NaN' AS DOUBLE) AS partner_imports_sigma_usd
        FROM now
        LEFT JOIN w ON w.code = now.code
        LEFT JOIN x ON x.code = now.code
        LEFT JOIN v ON v.code = now.code
        LEFT JOIN b ON b.code = now.code
        ORDER BY now.code
    """
    out = indicators._query(sql)
    out["code"] = out["code"].astype(str)
    return out.reset_index(drop=True)


def code_sums(
    indicators: MarketIndicators, *, year: int, home: str, partner: str, rival: str | None
) -> pd.DataFrame:
    """The per-code sums of :func:`tradelever.analysis.bilateral.code_aggregates`, read.

    The same columns and values (to rounding) for every code traded in ``year``: W(k) from
    ``world``; X(i, k) of home, partner and rival from ``exporters``; M(j, k) of home and
    partner from ``markets``; V(home, partner, k), V(partner, home, k) and
    V(rival, partner, k) from the flows of these countries only.
    """
    world = indicators.whole("world", year)
    codes = pd.Index(world["code"].astype(str), name="code")
    out = pd.DataFrame(index=codes)
    out["world_exports_usd"] = world["world_exports_usd"].to_numpy(dtype=float)
    exporters = [c for c in (home, partner, rival) if c is not None]
    exports = indicators.read(
        "exporters",
        year=year,
        where={f.EXPORTER: exporters},
        columns=[f.EXPORTER, "code", "exports_usd"],
    )
    imports = indicators.read(
        "markets",
        year=year,
        where={f.IMPORTER: [home, partner]},
        columns=[f.IMPORTER, "code", "imports_usd"],
    )
    flows = indicators.flows(year=year, exporters=exporters, importers=[home, partner])

    def pick(frame: pd.DataFrame, mask: Any, column: str) -> pd.Series:
        rows = frame[mask].groupby("code")[column].sum()
        rows.index = rows.index.astype(str)
        return rows.reindex(codes).fillna(0.0).astype(float)

    out["home_exports_usd"] = pick(exports, exports[f.EXPORTER] == home, "exports_usd")
    out["partner_exports_usd"] = pick(exports, exports[f.EXPORTER] == partner, "exports_usd")
    out["home_imports_usd"] = pick(imports, imports[f.IMPORTER] == home, "imports_usd")
    out["partner_imports_usd"] = pick(imports, imports[f.IMPORTER] == partner, "imports_usd")
    exp, imp = flows[f.EXPORTER], flows[f.IMPORTER]
    out["home_to_partner_usd"] = pick(flows, (exp == home) & (imp == partner), f.VALUE_USD)
    out["partner_to_home_usd"] = pick(flows, (exp == partner) & (imp == home), f.VALUE_USD)
    if rival is not None:
        out["rival_exports_usd"] = pick(exports, exports[f.EXPORTER] == rival, "exports_usd")
        out["rival_to_partner_usd"] = pick(flows, (exp == rival) & (imp == partner), f.VALUE_USD)
    else:
        out["rival_exports_usd"] = np.nan
        out["rival_to_partner_usd"] = np.nan
    columns = [
        "world_exports_usd",
        "home_exports_usd",
        "partner_exports_usd",
        "rival_exports_usd",
        "home_imports_usd",
        "partner_imports_usd",
        "home_to_partner_usd",
        "partner_to_home_usd",
        "rival_to_partner_usd",
    ]
    out = out.reset_index()[["code", *columns]]
    return out.sort_values("code").reset_index(drop=True)


def export_totals(indicators: MarketIndicators, year: int) -> tuple[float, dict[str, float]]:
    """World exports W and every exporter's X(i) in a year, read from ``exporter_totals``.

    The same values as :func:`tradelever.analysis.leverage.export_totals` (the ``totals``
    argument of ``leverage_table``), without a query over the flows.
    """
    if int(year) not in indicators._totals:  # kept (callers read it, never change it)
        table = indicators.whole("exporter_totals", year)
        totals = dict(
            zip(
                table[f.EXPORTER].astype(str), table["total_exports_usd"].astype(float), strict=True
            )
        )
        indicators._totals[int(year)] = (float(sum(totals.values())), totals)
    return indicators._totals[int(year)]
