"""Ingest orchestration: external files -> validated, atomically published data sets.

``ingest_baci`` converts a CEPII BACI release (zip, folder or one yearly CSV) into a data
set ``flows/year=YYYY/part-0.parquet`` + ``products`` + ``countries`` inside
:meth:`Store.stage`, so nothing becomes visible before every row has been validated and
written, and a failure or interruption (an exception, Ctrl-C) leaves the store as it was.
Each yearly file goes through DuckDB's multi-threaded CSV reader and every rule is checked
over the whole table (:mod:`tradelever.sources.baci.convert`); the input files are hashed
(SHA-256) in a second thread meanwhile. Re-ingesting files whose checksums equal those
recorded in the data set's manifest does nothing.

Library code never prints: progress is reported through an optional callback receiving
:class:`IngestProgress` events (the command line draws a rich progress bar from them).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from tradelever.errors import InputError
from tradelever.sources import baci
from tradelever.sources.baci.convert import MEMORY_LIMIT, convert_trade_file
from tradelever.store.catalog import StagedDataset, Store

__all__ = ["IngestProgress", "IngestResult", "ingest_baci"]

_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
BACI_URL: Final = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"


@dataclass(frozen=True)
class IngestProgress:
    """One progress report.

    Attributes
    ----------
    phase
        ``checksum`` (hashing the input files, alongside the other phases), ``extract``
        (decompressing a trade file from a release zip), ``read`` (converting trade rows)
        or ``merge`` (summing codes that share an ISO3 code in one year); ``tables`` when
        the market tables are computed before publishing (``tradelever.api.ingest_baci``).
    file
        The file being processed.
    rows
        Trade rows read so far, all files together (estimated while a file converts).
    bytes_done, bytes_total
        Bytes processed and to process in this phase (uncompressed CSV bytes when reading).
    """

    phase: str
    file: str
    rows: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did.

    Attributes
    ----------
    name
        Data set name.
    manifest
        The data set's provenance record (``dataset.json``).
    unchanged
        True when the files were already ingested (same SHA-256): nothing was written.
    rows
        Rows in the data set's ``flows`` table.
    seconds
        Wall time of the call.
    """

    name: str
    manifest: dict[str, Any]
    unchanged: bool
    rows: int
    seconds: float


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name) or "--" in name:
        raise InputError(
            f"--name: {name!r} is not a valid data set name (lower-case letters, digits, '.', "
            "'_' and single '-', e.g. baci-hs22-v202501)"
        )
    return name


def _same_files(recorded: Any, files: list[dict]) -> bool:
    if not isinstance(recorded, list):
        return False
    key = {
        (d.get("name"), d.get("bytes"), d.get("sha256")) for d in recorded if isinstance(d, dict)
    }
    return key == {(d["name"], d["bytes"], d["sha256"]) for d in files}


def _select_years(
    release: baci.BaciRelease, default_name: str, years: Sequence[int]
) -> tuple[baci.BaciRelease, str]:
    try:
        wanted = sorted({int(y) for y in years})
    except (TypeError, ValueError):
        raise InputError(f"--years: {years!r} is not a list of years") from None
    absent = [y for y in wanted if y not in release.trade]
    if not wanted or absent:
        raise InputError(
            f"--years: {', '.join(map(str, absent)) or 'none given'}; the release has "
            f"{', '.join(map(str, release.years))}"
        )
    if wanted == release.years:
        return release, default_name
    trade = {y: release.trade[y] for y in wanted}
    members = (*trade.values(), release.countries, release.products)
    in_zip = release.countries.inner is not None
    chosen = replace(
        release,
        trade=trade,
        members=members,
        sources=release.sources if in_zip else tuple(m.path for m in members),
    )
    return chosen, default_name + "-y" + "-".join(map(str, wanted))


class _CancelledError(Exception):
    """Raised inside the hashing thread when the ingest stops early."""


class _Checksums:
    """SHA-256 (and, for trade files on disk, the line scan) of the inputs, in one thread.

    Hashing runs beside the conversion (the engine releases the GIL), so its cost mostly
    hides behind it. Progress is read by the calling thread (:meth:`report`): callbacks are
    never invoked from the hashing thread.
    """

    def __init__(self, sources: tuple[Path, ...], scan_lines: set[Path]) -> None:
        self.sources = sources
        self.total = sum(p.stat().st_size for p in sources)
        self.done = 0
        self._reported = -1
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradelever-sha256")
        self._futures: dict[Path, Future] = {
            p: self._pool.submit(self._scan, p, p in scan_lines) for p in sources
        }

    def _scan(self, path: Path, lines: bool) -> tuple[str, baci.LineScan]:
        def tick(n: int) -> None:
            if self._stop.is_set():
                raise _CancelledError
            self.done += n

        return baci.scan_file(path, tick, lines=lines)

    def __enter__(self) -> _Checksums:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def report(self, progress: ProgressCallback | None) -> None:
        """Send a ``checksum`` event if hashing advanced since the last one."""
        if progress is not None and self.done != self._reported:
            self._reported = self.done
            progress(IngestProgress("checksum", str(self.sources[0]), 0, self.done, self.total))

    def result(self, path: Path, progress: ProgressCallback | None) -> tuple[str, baci.LineScan]:
        """Checksum and line scan of one source (waits, reporting progress)."""
        future = self._futures[path]
        while True:
            try:
                out = future.result(timeout=0.1)
            except TimeoutError:
                self.report(progress)
                continue
            self.report(progress)
            return out

    def files(self, progress: ProgressCallback | None) -> list[dict]:
        """The manifest's ``files`` entries (waits for every checksum)."""
        return [
            {"name": p.name, "bytes": p.stat().st_size, "sha256": self.result(p, progress)[0]}
            for p in self.sources
        ]


def _maybe_same(recorded: dict[str, Any], release: baci.BaciRelease) -> bool:
    """Whether the recorded data set may come from the same files (names, sizes, years)."""
    entries = recorded.get("files")
    if recorded.get("source") != baci.SOURCE or recorded.get("years") != release.years:
        return False
    if not isinstance(entries, list):
        return False
    key = {(d.get("name"), d.get("bytes")) for d in entries if isinstance(d, dict)}
    return key == {(p.name, p.stat().st_size) for p in release.sources}


def ingest_baci(
    store: Store,
    path: str | os.PathLike[str],
    name: str | None = None,
    *,
    years: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
    block_size: int = baci.BLOCK_SIZE,
    memory_limit: str = MEMORY_LIMIT,
    before_publish: Callable[[StagedDataset, dict[str, Any]], None] | None = None,
) -> IngestResult:
    """Ingest a CEPII BACI release into the store as one data set.

    Parameters
    ----------
    store
        The data directory.
    path
        Release zip, extracted release folder, or one yearly CSV with the release's
        dictionaries beside it (see :func:`tradelever.sources.baci.locate_release`).
    name
        Data set name; default from the release, e.g. ``baci-hs22-v202501``, with the
        years appended when only some are ingested (``baci-hs22-v202501-y2023``).
    years
        Ingest only these years of the release (default: all).
    progress
        Called with :class:`IngestProgress` events, always from the calling thread.
    block_size
        Bytes of CSV per block of the reference reader that names a malformed line.
    memory_limit
        DuckDB's memory limit while converting (it spills to the staging folder beyond
        it); the process's peak stays within about twice this plus the Python runtime.
    before_publish
        Passed to :meth:`Store.stage`: run on the complete new version before it becomes
        current (the command line builds the market tables there).

    Returns
    -------
    IngestResult
        ``unchanged`` is True when the same files (by SHA-256) were already ingested
        under this name; the store is then not touched.

    Raises
    ------
    DataFileError
        On any malformed row or dictionary entry, naming file, line, field and value; on
        a trade file without data rows or with a repeated (t, i, j, k) key; on a damaged
        zip member or anything but a regular file. The store is then exactly as before.
    InputError
        On an invalid data set name or years absent from the release.
    StoreError
        When the data set cannot be written (disk full, out of memory).
    """
    started = time.perf_counter()
    release, default_name = baci.locate_release(path)
    if years is not None:
        release, default_name = _select_years(release, default_name, years)
    name = _check_name(name or default_name)
    on_disk = {m.path for m in release.trade.values() if m.inner is None}
    with _Checksums(release.sources, on_disk) as checksums:
        checksums.report(progress)
        if store.has(name):
            recorded = store.manifest(name)
            if _maybe_same(recorded, release):
                files = checksums.files(progress)
                if _same_files(recorded.get("files"), files):
                    return IngestResult(
                        name,
                        recorded,
                        unchanged=True,
                        rows=int(recorded.get("rows") or 0),
                        seconds=time.perf_counter() - started,
                    )
        countries = baci.read_country_codes(release.countries)
        products = baci.read_product_columns(release.products, release.classification)
        manifest: dict[str, Any] = {
            "source": baci.SOURCE,
            "version": release.version,
            "years": release.years,
            "classification": release.classification,
            "level": "hs6",
            "licence": baci.LICENCE,
            "citation": baci.CITATION,
            "url": BACI_URL,
            "members": [{"name": m.name, "bytes": m.size} for m in release.members],
            "note": f"BACI {release.hs} release {release.version}",
        }
        with (
            store.stage(name, manifest, before_publish=before_publish) as staged,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradelever-lookups") as pool,
        ):
            # the two small dictionary tables are written while the engine converts the
            # flows (pyarrow's import and the writes cost about 0.1 s after it otherwise);
            # started once the engine runs, so that the import does not delay its start
            lookups: list[Future[None]] = []

            def write_dictionaries() -> None:
                lookups.append(pool.submit(_write_dictionaries, staged, products, countries))

            summary = _convert_years(
                staged,
                release,
                countries,
                checksums,
                progress,
                block_size,
                memory_limit,
                beside=write_dictionaries,
            )
            if not lookups:  # the engine never reported (no trade file to convert)
                write_dictionaries()
            lookups[0].result()
            files = checksums.files(progress)
            combined = hashlib.sha256(
                "\n".join(f"{d['name']}:{d['sha256']}" for d in sorted(files, key=str)).encode()
            ).hexdigest()
            known = set(products["code"])
            unknown = {c: n for c, n in sorted(summary["products"].items()) if c not in known}
            staged.manifest.update(
                sha256=files[0]["sha256"] if len(files) == 1 else combined,
                files=files,
                unique_flow_keys=True,
                rows=summary["rows"],
                rows_read=summary["rows_read"],
                merged_codes=summary["merged"],
                # every code that occurs as exporter or importer: what a request checks its
                # countries against, without a scan of the flows
                flow_countries=summary["countries"],
                unknown_products=unknown,
                assumptions=_assumptions(summary["merged"], unknown, release.products.name),
            )
    return IngestResult(
        name,
        store.manifest(name),
        unchanged=False,
        rows=summary["rows"],
        seconds=time.perf_counter() - started,
    )


@dataclass
class _Counters:
    """Running totals of a multi-year conversion (for progress and the manifest)."""

    total_bytes: int
    bytes_before: int = 0
    rows: int = 0
    rows_read: int = 0
    shown: int = 0  # rows in the last ``read`` event (events never go backwards)
    beside: Callable[[], None] | None = None  # called once, when the engine first reports


def _convert_years(
    staged: Any,
    release: baci.BaciRelease,
    countries: baci.CountryDictionary,
    checksums: _Checksums,
    progress: ProgressCallback | None,
    block_size: int,
    memory_limit: str,
    *,
    beside: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Convert every yearly file into ``flows/year=YYYY/part-0.parquet`` of the staged set.

    ``beside`` is called once, from this thread, when the engine first reports progress:
    work started then runs while the engine converts.
    """
    work = staged.path / ".work"  # inside the staged folder: removed with it on failure
    counters = _Counters(total_bytes=sum(m.size for m in release.trade.values()), beside=beside)
    merged: dict[str, dict[str, list[int]]] = {}
    product_rows: dict[str, int] = {}
    present: set[str] = set()
    try:
        for year, member in release.trade.items():
            result = _convert_year(
                staged,
                release,
                year,
                member,
                countries,
                checksums,
                progress,
                counters,
                work=work,
                block_size=block_size,
                memory_limit=memory_limit,
            )
            for code, count in result.products.items():
                product_rows[code] = product_rows.get(code, 0) + count
            if result.merged:
                merged[str(year)] = result.merged
            present.update(result.countries)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "rows": counters.rows,
        "rows_read": counters.rows_read,
        "merged": merged,
        "products": product_rows,
        "countries": sorted(present),
    }


def _convert_year(
    staged: Any,
    release: baci.BaciRelease,
    year: int,
    member: baci.BaciMember,
    countries: baci.CountryDictionary,
    checksums: _Checksums,
    progress: ProgressCallback | None,
    counters: _Counters,
    *,
    work: Path,
    block_size: int,
    memory_limit: str,
) -> Any:
    """Convert one yearly file (extracting it first when it is inside a zip)."""

    def emit(phase: str, done: int, total: int, rows: int) -> None:
        checksums.report(progress)
        if progress is not None:
            progress(IngestProgress(phase, member.display, rows, done, total))

    folder = staged.table_dir("flows") / f"year={year}"
    folder.mkdir(parents=True, exist_ok=True)
    emit("read", counters.bytes_before, counters.total_bytes, counters.rows_read)
    expected: baci.LineScan | None = None
    if member.inner is None:
        csv_path = member.path
    else:
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / member.name
        extracted = [0]

        def extracting(n: int) -> None:
            extracted[0] += n
            emit("extract", extracted[0], member.size, counters.rows_read)

        expected = member.copy_to(csv_path, extracting)

    def scan() -> baci.LineScan:
        return expected if expected is not None else checksums.result(member.path, progress)[1]

    def converting(fraction: float) -> None:
        if counters.beside is not None:
            start, counters.beside = counters.beside, None
            start()
        lines = expected.lines - 1 if expected is not None else 0
        estimate = counters.rows_read + int(fraction * max(lines, 0))
        if estimate > counters.shown:
            counters.shown = estimate
            done = counters.bytes_before + int(fraction * member.size)
            emit("read", done, counters.total_bytes, estimate)
        else:
            checksums.report(progress)

    try:
        result = convert_trade_file(
            csv_path,
            folder / "part-0.parquet",
            member=member,
            year=year,
            countries=countries,
            dataset=staged.name,
            classification=release.classification,
            scan=scan,
            spill=work / "duckdb",
            progress=converting,
            memory_limit=memory_limit,
            block_size=block_size,
        )
    finally:
        if member.inner is not None:
            csv_path.unlink(missing_ok=True)
    counters.rows += result.rows
    counters.rows_read += result.rows_read
    counters.bytes_before += member.size
    counters.shown = counters.rows_read
    if result.merged:
        emit("merge", 0, 0, counters.rows_read)
    emit("read", counters.bytes_before, counters.total_bytes, counters.rows_read)
    return result


def _write_dictionaries(
    staged: StagedDataset, products: dict[str, list[Any]], countries: baci.CountryDictionary
) -> None:
    """Write the release's ``products`` and ``countries`` tables into the staged set."""
    staged.write_table("products", _arrow(products, {}))
    staged.write_table("countries", _arrow(countries.columns, {"baci_code": "int64"}))


def _arrow(columns: dict[str, list[Any]], types: dict[str, str]) -> Any:
    """A pyarrow Table of ``columns``: text as ``large_string`` (as pandas 3 stores it).

    The dictionaries are read without pandas, which costs more to import than they take
    to read; the arrays are built from their buffers because ``pyarrow.array`` on Python
    lists imports pandas. The table holds the same values and types as
    ``Table.from_pandas`` gave.
    """
    import array
    import itertools

    import pyarrow as pa

    arrays = []
    for name, values in columns.items():
        if types.get(name) == "int64":
            data = [None, pa.py_buffer(array.array("q", values))]
            arrays.append(pa.Array.from_buffers(pa.int64(), len(values), data))
            continue
        encoded = [str(v).encode("utf-8") for v in values]
        offsets = array.array("q", [0, *itertools.accumulate(map(len, encoded))])
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
        arrays.append(pa.Array.from_buffers(pa.large_string(), len(values), buffers))
    table = pa.Table.from_arrays(arrays, names=list(columns))
    table.validate(full=True)
    return table


def _assumptions(
    merged: dict[str, dict[str, list[int]]], unknown: dict[str, int], dictionary: str
) -> list[str]:
    out = list(baci.ASSUMPTIONS)
    for year, collide in sorted(merged.items()):
        for iso3, codes in sorted(collide.items()):
            out.append(f"{year}: flows of BACI codes {', '.join(map(str, codes))} summed as {iso3}")
    if unknown:
        listed = ", ".join(f"{c} ({n} rows)" for c, n in list(unknown.items())[:10])
        out.append(
            f"{len(unknown)} product code(s) absent from {dictionary} kept as published: {listed}"
        )
    return out
