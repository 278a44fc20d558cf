r"""One BACI trade file to canonical Parquet with DuckDB's multi-threaded CSV reader.

The conversion is one streaming ``COPY (SELECT ... FROM read_csv(...)) TO ... (FORMAT
parquet)`` whose per-row work is only what the stored table needs: codes are read as text
and matched exactly against an ENUM type built from the release's country dictionary (so
``458.0``, `` 458`` or ``0458`` fail the read, as they fail the reference reader), ``t``
is compared as text with the file's year (``2021.0`` leaves the year missing), product
codes are padded to six characters, ``v`` is scaled to US dollars. Every other rule is
checked on the whole table afterwards, as set-based queries:

======================================  ==================================================
rule                                    how it is checked
======================================  ==================================================
header ``t,i,j,k,v,q``                  first line, before the engine starts
6 fields a line, UTF-8, numbers parse   the engine's strict CSV reader (an error stops it)
``i``/``j`` in the dictionary           an ENUM column type (an unknown value stops it)
``t`` is the year, no missing           null counts of the written columns (``year`` is
``t i j k v``                           missing unless ``t`` is the year's exact text)
``v`` finite, >= 0 and, once in         minimum, maximum and NaN count of ``value_usd``
dollars, <= ``MAX_VALUE_USD``
``q`` empty/``NA`` (missing) or a       minimum, maximum and NaN count of ``quantity``
finite number >= 0 (no ``nan`` text)
``k`` an HS6 code (``\d{5,6}`` or       one ``GROUP BY product`` (a few thousand codes,
``9999AA``)                             checked in Python; also counts unknown products)
no empty line, no ``_`` in a number     the line count and a byte scan made while hashing
                                        the file (the engine skips empty lines and reads
                                        ``1_000`` as 1000)
one row per (t, i, j, k)                64-bit hashes of (exporter, importer, product),
                                        sorted: no two equal neighbours
======================================  ==================================================

The statistics come with the ``COPY`` itself (``RETURN_STATS``; a query over the written
file with DuckDB versions without it). When any rule fails, the reference reader
(:class:`~tradelever.sources.baci.trade.TradeFileReader`) runs over the file to name the
first offending line, field and value, so every error reads exactly as it always has.

Historical entities that share an ISO3 code with their successor (280 Fed. Rep. of Germany
until 1990 and 276 Germany) are written under a temporary code (``#280``) and summed into
the ISO3 code afterwards, only in the years where they occur.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tradelever.errors import DataFileError, StoreError
from tradelever.sources.baci.dictionaries import CountryDictionary
from tradelever.sources.baci.release import (
    BLOCK_SIZE,
    MAX_VALUE_USD,
    BaciMember,
    LineScan,
)
from tradelever.sources.baci.trade import TradeFileReader, check_header
from tradelever.sql import literal

__all__ = ["MEMORY_LIMIT", "ConvertResult", "convert_trade_file"]

#: DuckDB's memory limit for one conversion; it spills to the staging folder beyond it.
MEMORY_LIMIT: Final = "512MB"
_PADDED_RE: Final = re.compile(r"^(?:\d{6}|9999AA)$")
_MARK: Final = "#"  # prefix of the temporary codes of historical entities (sorts before A-Z)
_POLL: Final = 0.1  # seconds between progress reports while the engine runs
_COMPARE_BLOCK = 1 << 20  # sorted hashes compared with their neighbours this many at a time


@dataclass(frozen=True)
class ConvertResult:
    """What a conversion wrote.

    Attributes
    ----------
    rows
        Rows of the written file (after summing historical entities).
    rows_read
        Data lines of the CSV file.
    products
        Row count per product code (six characters) in the file.
    merged
        ISO3 code -> the BACI codes summed under it in this file (when several occur).
    countries
        The stored codes (ISO3 or BACI pseudo-codes) that occur as exporter or importer in
        the written file, sorted.
    """

    rows: int
    rows_read: int
    products: dict[str, int] = field(default_factory=dict)
    merged: dict[str, list[int]] = field(default_factory=dict)
    countries: tuple[str, ...] = ()


def _enum(values: list[str]) -> str:
    return "ENUM (" + ", ".join(literal(v) for v in values) + ")"


def _codes(countries: CountryDictionary) -> tuple[list[str], list[str], dict[str, str]]:
    """(BACI codes as written, their stored codes, temporary code -> ISO3)."""
    primary = countries.primary()
    written, stored, markers = [], [], {}
    for code, iso3 in zip(countries.columns["baci_code"], countries.columns["iso3"], strict=True):
        written.append(str(code))
        if iso3 in primary and primary[iso3] != code:
            marker = f"{_MARK}{code}"
            markers[marker] = iso3
            stored.append(marker)
        else:
            stored.append(iso3)
    return written, stored, markers


@contextlib.contextmanager
def _connect(spill: Path, memory_limit: str) -> Iterator[Any]:
    import duckdb

    con = duckdb.connect(
        config={
            "memory_limit": memory_limit,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        }
    )
    try:
        con.execute("SET enable_progress_bar = false")
        yield con
    finally:
        con.close()


def _run(con: Any, sql: str, progress: Callable[[float], None] | None) -> list[tuple]:
    """Execute ``sql`` in a worker thread, reporting progress from this one.

    A ``progress`` callback that raises (or Ctrl-C) interrupts the engine before the
    exception propagates, so nothing keeps running or writing afterwards.
    """
    if progress is None:
        return con.execute(sql).fetchall()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["rows"] = con.execute(sql).fetchall()
        except BaseException as exc:  # re-raised in the calling thread
            box["error"] = exc

    worker = threading.Thread(target=work, name="tradelever-duckdb", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(_POLL)
            if worker.is_alive():
                done = con.query_progress()
                progress(max(0.0, min(1.0, done / 100.0)) if done >= 0 else 0.0)
    except BaseException:
        con.interrupt()
        worker.join()
        raise
    if "error" in box:
        raise box["error"]
    progress(1.0)
    return box["rows"]


def _stats_from_copy(rows: list[tuple]) -> dict[str, dict[str, str]]:
    stats = rows[0][4] or {}
    return {str(k).strip('"'): dict(v) for k, v in stats.items()}


def _stats_by_query(con: Any, target: str) -> dict[str, dict[str, str]]:
    """The same statistics as ``RETURN_STATS`` gives, by one query over the file."""
    row = con.execute(
        f"""
        SELECT count(*) - count(year), count(*) - count(exporter), count(*) - count(importer),
               count(*) - count(product), count(*) - count(value_usd),
               min(exporter), min(importer),
               min(value_usd) FILTER (NOT isnan(value_usd)),
               max(value_usd) FILTER (NOT isnan(value_usd)),
               count(*) FILTER (isnan(value_usd)),
               min(quantity) FILTER (NOT isnan(quantity)),
               max(quantity) FILTER (NOT isnan(quantity)),
               count(*) FILTER (isnan(quantity))
        FROM read_parquet({literal(target)})
        """
    ).fetchone()
    names = ("year", "exporter", "importer", "product", "value_usd")
    out: dict[str, dict[str, str]] = {n: {"null_count": str(row[i])} for i, n in enumerate(names)}
    out["exporter"]["min"] = str(row[5])
    out["importer"]["min"] = str(row[6])
    out["value_usd"].update(min=str(row[7]), max=str(row[8]), nan_count=str(row[9]))
    out["quantity"] = {"nan_count": str(row[12])}
    if row[10] is not None:
        out["quantity"].update(min=str(row[10]), max=str(row[11]))
    return out


def _stats_fail(stats: dict[str, dict[str, str]]) -> str | None:
    """Which set-based rule the written file breaks (None when all hold)."""

    def num(column: str, key: str, default: float = 0.0) -> float:
        text = stats.get(column, {}).get(key)
        return default if text in (None, "", "None", "NULL") else float(text)

    for column in ("year", "exporter", "importer", "product", "value_usd"):
        if num(column, "null_count"):
            return f"missing {column}"
    if num("value_usd", "nan_count") or num("quantity", "nan_count"):
        return "NaN value or quantity"
    if num("value_usd", "min") < 0 or not num("value_usd", "max") <= MAX_VALUE_USD:
        return "value out of range"
    if num("quantity", "min") < 0 or num("quantity", "max") == float("inf"):
        return "quantity out of range"
    return None


def _locate(
    member: BaciMember,
    year: int,
    countries: CountryDictionary,
    *,
    dataset: str,
    classification: str,
    block_size: int,
    reason: str,
) -> DataFileError:
    """Name the first offending line with the reference reader (error path only)."""
    reader = TradeFileReader(
        member,
        year,
        countries,
        dataset=dataset,
        classification=classification,
        block_size=block_size,
    )
    try:
        for _ in reader:
            pass
    except DataFileError as exc:
        return exc
    return DataFileError(f"cannot read the file: {reason}", path=member.display)


def _engine_error(exc: Exception) -> bool:
    """True for errors caused by the file's content (as opposed to disk or memory)."""
    import duckdb

    return isinstance(exc, (duckdb.ConversionException, duckdb.InvalidInputException))


def convert_trade_file(
    csv_path: Path,
    target: Path,
    *,
    member: BaciMember,
    year: int,
    countries: CountryDictionary,
    dataset: str,
    classification: str,
    scan: Callable[[], LineScan],
    spill: Path,
    progress: Callable[[float], None] | None = None,
    memory_limit: str = MEMORY_LIMIT,
    block_size: int = BLOCK_SIZE,
) -> ConvertResult:
    """Validate one yearly trade file and write it as canonical ``flows`` Parquet.

    Parameters
    ----------
    csv_path
        The CSV file on disk (a zip member is extracted first by the caller).
    target
        The Parquet file to write (columns of ``flow_schema``: ``dataset``, ``year``,
        ``exporter``, ``importer``, ``product``, ``classification``, ``value_usd`` in US
        dollars rounded to 0.001, ``quantity`` in metric tons or null).
    member
        The file as the user named it (for messages and for the reference reader).
    year, countries
        The year in the file name and the release's country dictionary.
    dataset, classification
        Values of the constant columns.
    scan
        Returns the file's :class:`LineScan` (line count, underscores); called after the
        engine has run, so that hashing may go on meanwhile in another thread.
    spill
        A folder for DuckDB's temporary files (inside the staged data set).
    progress
        Called with the fraction of the file converted, about ten times a second.
    memory_limit
        DuckDB memory limit (it spills beyond it).
    block_size
        Block size of the reference reader that locates a bad line.

    Returns
    -------
    ConvertResult

    Raises
    ------
    DataFileError
        On any rule broken, naming file, line, field and value (as the reference reader
        does), on a file without data rows and on repeated (t, i, j, k) keys.
    StoreError
        When the engine cannot write (disk full, out of memory).
    """
    import duckdb

    check_header(member)
    written, stored, markers = _codes(countries)
    locate = dict(
        member=member,
        year=year,
        countries=countries,
        dataset=dataset,
        classification=classification,
        block_size=block_size,
    )
    out = literal(str(target))
    spill.mkdir(parents=True, exist_ok=True)
    with _connect(spill, memory_limit) as con:
        con.execute(f"CREATE TYPE baci_code AS {_enum(written)}")
        con.execute(f"CREATE TYPE stored_code AS {_enum(sorted(set(stored)))}")
        con.execute(f"CREATE TYPE dataset_name AS {_enum([dataset])}")
        con.execute(f"CREATE TYPE classification_name AS {_enum([classification])}")
        lookup = "([" + ", ".join(literal(c) for c in stored) + "]::stored_code[])"
        columns = (
            "{'t': 'VARCHAR', 'i': 'baci_code', 'j': 'baci_code', 'k': 'VARCHAR', "
            "'v': 'DOUBLE', 'q': 'DOUBLE'}"
        )
        select = f"""
            SELECT {literal(dataset)}::dataset_name AS dataset,
                   CASE WHEN t = {literal(str(int(year)))} THEN {int(year)}::SMALLINT END AS year,
                   {lookup}[enum_code(i) + 1] AS exporter,
                   {lookup}[enum_code(j) + 1] AS importer,
                   CASE WHEN length(k) = 5 THEN '0' || k ELSE k END AS product,
                   {literal(classification)}::classification_name AS classification,
                   round(v * 1000000) / 1000 AS value_usd,
                   q AS quantity
            FROM read_csv({literal(str(csv_path))}, header = true, auto_detect = false,
                          delim = ',', quote = '"', escape = '"', strict_mode = true,
                          nullstr = ['', 'NA'], columns = {columns})
        """
        try:
            try:
                stats = _stats_from_copy(
                    _run(
                        con,
                        f"COPY ({select}) TO {out} (FORMAT parquet, RETURN_STATS true)",
                        progress,
                    )
                )
            except duckdb.ParserException:  # DuckDB without RETURN_STATS
                _run(con, f"COPY ({select}) TO {out} (FORMAT parquet)", progress)
                stats = _stats_by_query(con, str(target))
        except duckdb.Error as exc:
            if _engine_error(exc):
                raise _locate(**locate, reason=str(exc).splitlines()[0]) from None
            raise StoreError(f"cannot write {target.name}: {str(exc).splitlines()[0]}") from exc
        failed = _stats_fail(stats)
        if failed is not None:
            raise _locate(**locate, reason=failed)
        # The repeated-key hashes are computed and sorted beside the product count and
        # the line check (on a second cursor); the rules still fail in the same order.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradelever-keys") as pool:
            repeated = pool.submit(_has_repeated_hash, con, out)
            products = dict(
                con.execute(
                    f"SELECT product, count(*) FROM read_parquet({out}) GROUP BY product"
                ).fetchall()
            )
            rows = sum(products.values())
            if rows == 0:
                raise DataFileError(
                    "no data rows (header only): the file is truncated; BACI has millions of "
                    "rows a year",
                    path=member.display,
                )
            if any(not _PADDED_RE.match(p) for p in products):
                raise _locate(**locate, reason="malformed product code")
            lines = scan()
            if lines.underscore or lines.lines - 1 != rows:
                raise _locate(**locate, reason="an empty line or a number with '_'")
            # the codes present (a few hundred): the temporary codes of historical
            # entities among them, and the data set's country list for its manifest
            exporters, importers = con.execute(
                f"SELECT list(DISTINCT exporter::VARCHAR), list(DISTINCT importer::VARCHAR) "
                f"FROM read_parquet({out})"
            ).fetchone()
            if repeated.result():
                _repeated_key(con, out, member.display, year)
        present = set(exporters or ()) | set(importers or ())
        merged: dict[str, list[int]] = {}
        if markers and any(code < "A" for code in present):
            rows, merged = _merge_historical(con, target, markers, countries, present)
    return ConvertResult(
        rows=rows,
        rows_read=sum(products.values()),
        products=products,
        merged=merged,
        countries=tuple(sorted({markers.get(code, code) for code in present})),
    )


def _has_repeated_hash(con: Any, out: str) -> bool:
    """Whether two rows share a 64-bit hash of (exporter, importer, product).

    DuckDB hashes the keys (in parallel, from the Parquet dictionaries) straight into one
    NumPy array; numpy's vectorised sort orders the 11 million hashes of a BACI year in
    place in about 0.12 s, and equal neighbours reveal a repeated key. This costs a
    quarter of ``count(DISTINCT ...)`` in DuckDB, whose hash table of 11 million entries
    misses the cache at every row. The NumPy fetch touches each page of the 88 MB once:
    an Arrow fetch and a concatenation touch twice as much fresh memory, which a just-
    started process pays for in page faults (0.49 s against 0.30 s for the whole check,
    measured on a BACI-size year). A hash collision (probability about 1e-6 a year) only
    sends the file to the exact query.
    """
    import numpy as np

    with con.cursor() as cursor:  # a connection of its own: callable from another thread
        fetched = cursor.execute(
            f"SELECT hash(exporter, importer, product) AS h FROM read_parquet({out})"
        ).fetchnumpy()["h"]
    hashes = np.asarray(fetched, dtype=np.uint64)  # hashes are never null: no mask
    if len(hashes) < 2:
        return False
    hashes.sort()
    # equal neighbours, compared a block at a time (no 11 million booleans at once)
    last, step = len(hashes) - 1, _COMPARE_BLOCK
    return any(
        bool(np.any(hashes[start + 1 : end + 1] == hashes[start:end]))
        for start in range(0, last, step)
        for end in (min(start + step, last),)
    )


def _repeated_key(con: Any, out: str, display: str, year: int) -> None:
    """Name a repeated (exporter, importer, product) key (the hash count said there is one)."""
    hit = con.execute(
        f"SELECT exporter, importer, product, count(*) FROM read_parquet({out}) "
        "GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1"
    ).fetchone()
    if hit is None:
        return  # a 64-bit hash collision, not a repeated key
    exporter, importer, product, n = hit
    raise DataFileError(
        f"{n} rows for year {year}, exporter {str(exporter).lstrip(_MARK)}, importer "
        f"{str(importer).lstrip(_MARK)}, product {product}: BACI has one row per (t, i, j, k); "
        "the file is corrupted or concatenated",
        path=display,
    )


def _merge_historical(
    con: Any,
    target: Path,
    markers: dict[str, str],
    countries: CountryDictionary,
    present: set[str],
) -> tuple[int, dict[str, list[int]]]:
    """Give historical entities their ISO3 code; sum flows where several codes occur.

    Only rows whose exporter or importer is one of the affected ISO3 codes are grouped;
    ``value_usd`` is summed and ``quantity`` is summed when known for every summed row,
    null otherwise. The file is rewritten in place (through a temporary file).
    ``present``: the codes that occur in the file as exporter or importer.
    """
    out = literal(str(target))
    shared = countries.shared()
    primary = countries.primary()
    merged: dict[str, list[int]] = {}
    touched: set[str] = set()
    for marker, iso3 in markers.items():
        if marker in present:
            touched.add(iso3)
    for iso3 in sorted(touched):
        seen = [
            c for c in shared[iso3] if (f"{_MARK}{c}" if c != primary[iso3] else iso3) in present
        ]
        if len(seen) > 1:
            merged[iso3] = seen
    mapping = ", ".join(f"({literal(m)}, {literal(i)})" for m, i in sorted(markers.items()))
    codes = ", ".join(literal(c) for c in sorted(touched))
    temporary = target.with_suffix(".merge.parquet")
    con.execute(
        f"CREATE TEMP TABLE remap(code VARCHAR, iso3 VARCHAR); INSERT INTO remap VALUES {mapping}"
    )
    con.execute(
        f"""
        COPY (
            WITH f AS (
                SELECT dataset, year, coalesce(e.iso3, exporter::VARCHAR) AS exporter,
                       coalesce(m.iso3, importer::VARCHAR) AS importer, product,
                       classification, value_usd, quantity
                FROM read_parquet({out}) AS flows
                LEFT JOIN remap AS e ON flows.exporter = e.code
                LEFT JOIN remap AS m ON flows.importer = m.code
            )
            SELECT * FROM f WHERE NOT (exporter IN ({codes}) OR importer IN ({codes}))
            UNION ALL
            SELECT dataset, year, exporter, importer, product, classification,
                   sum(value_usd) AS value_usd,
                   CASE WHEN count(quantity) = count(*) THEN sum(quantity) END AS quantity
            FROM f WHERE exporter IN ({codes}) OR importer IN ({codes})
            GROUP BY dataset, year, exporter, importer, product, classification
        ) TO {literal(str(temporary))} (FORMAT parquet)
        """
    )
    (rows,) = con.execute(
        f"SELECT count(*) FROM read_parquet({literal(str(temporary))})"
    ).fetchone()
    temporary.replace(target)
    return int(rows), merged
