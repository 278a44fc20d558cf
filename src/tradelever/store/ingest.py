"""Ingest orchestration: external files -> validated, atomically published data sets.

``ingest_baci`` streams a CEPII BACI release (zip, folder or one yearly CSV) into a data set
``flows/year=YYYY/part-N.parquet`` + ``products`` + ``countries`` inside
:meth:`Store.stage`, so nothing becomes visible before every row has been validated and
written, and a failure or interruption (an exception, Ctrl-C) leaves the store as it was.
Re-ingesting files whose SHA-256 checksums equal those recorded in the data set's manifest
does nothing.

Library code never prints: progress is reported through an optional callback receiving
:class:`IngestProgress` events (the command line draws a rich progress bar from them).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from tradelever.errors import DataFileError, InputError
from tradelever.sources import baci
from tradelever.store.catalog import Store

__all__ = ["IngestProgress", "IngestResult", "ingest_baci"]

_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
BACI_URL: Final = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"


@dataclass(frozen=True)
class IngestProgress:
    """One progress report.

    Attributes
    ----------
    phase
        ``checksum`` (hashing the input files), ``read`` (streaming trade rows) or
        ``merge`` (summing codes that share an ISO3 code in one year).
    file
        The file being processed.
    rows
        Trade rows read so far, all files together.
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


def _checksums(release: baci.BaciRelease, progress: ProgressCallback | None) -> list[dict]:
    total = sum(p.stat().st_size for p in release.sources)
    done = 0
    files = []
    for path in release.sources:

        def tick(n: int, path: Path = path) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(IngestProgress("checksum", str(path), 0, done, total))

        sha = baci.file_sha256(path, tick)
        files.append({"name": path.name, "bytes": path.stat().st_size, "sha256": sha})
    return files


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


def _merge_shared(folder: Path, staging: Path, codes: list[str]) -> None:
    """Sum flows of BACI codes that map to one ISO3 code: one row per flow again.

    Only rows whose exporter or importer is one of ``codes`` (the ISO3 codes shared by
    several BACI codes that trade in this year) are grouped; ``value_usd`` is summed and
    ``quantity`` is summed when known for every summed row, null otherwise. Other rows are
    copied unchanged.
    """
    import duckdb

    parts = sorted(folder.glob("*.parquet"))
    target = folder / f"part-{len(parts)}.parquet"
    spill = staging / ".duckdb-tmp"  # inside the staged folder: removed with it on failure
    con = duckdb.connect(config={"memory_limit": "768MB", "temp_directory": str(spill)})
    try:
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
        shared = ", ".join("'" + c.replace("'", "''") + "'" for c in codes)
        touched = f"(exporter IN ({shared}) OR importer IN ({shared}))"
        con.execute(
            f"""
            COPY (
                SELECT * FROM read_parquet([{files}], hive_partitioning = false)
                WHERE NOT {touched}
                UNION ALL
                SELECT dataset, year, exporter, importer, product, classification,
                       sum(value_usd) AS value_usd,
                       CASE WHEN count(quantity) = count(*) THEN sum(quantity) END AS quantity
                FROM read_parquet([{files}], hive_partitioning = false)
                WHERE {touched}
                GROUP BY dataset, year, exporter, importer, product, classification
            ) TO '{str(target).replace("'", "''")}' (FORMAT parquet)
            """
        )
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    for p in parts:
        p.unlink()


def _check_unique_keys(folder: Path, display: str, year: int) -> None:
    """Refuse a year with two rows for one (exporter, importer, product).

    BACI has one row per (t, i, j, k); a repeated key means a corrupted or concatenated
    file. The check (one DuckDB aggregation over the staged Parquet) also lets queries read
    the flows without re-summing them (manifest ``unique_flow_keys``).
    """
    import duckdb

    pattern = str(folder / "*.parquet").replace("'", "''")
    source = f"read_parquet('{pattern}')"
    con = duckdb.connect()
    try:
        # Cheap first pass on 64-bit hashes (about 0.2 GB for 11 M rows instead of a
        # string-keyed hash table); only a mismatch, a duplicate or a hash collision,
        # pays for the exact query that names the repeated key.
        rows, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT hash(exporter, importer, product)) FROM {source}"
        ).fetchall()[0]
        hits = []
        if rows != distinct:
            hits = con.execute(
                f"SELECT exporter, importer, product, count(*) AS n FROM {source} "
                "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
            ).fetchall()
    finally:
        con.close()
    if hits:
        exporter, importer, product, n = hits[0]
        raise DataFileError(
            f"{n} rows for year {year}, exporter {exporter}, importer {importer}, product "
            f"{product}: BACI has one row per (t, i, j, k); the file is corrupted or "
            "concatenated",
            path=display,
        )


def ingest_baci(
    store: Store,
    path: str | os.PathLike[str],
    name: str | None = None,
    *,
    years: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
    block_size: int = baci.BLOCK_SIZE,
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
        Called with :class:`IngestProgress` events (hashing, then once per block of rows).
    block_size
        Bytes of CSV parsed at a time; peak memory is a small multiple of it.

    Returns
    -------
    IngestResult
        ``unchanged`` is True when the same files (by SHA-256) were already ingested
        under this name; the store is then not touched.

    Raises
    ------
    DataFileError
        On any malformed row or dictionary entry, naming file, line, field and value.
        The store is then exactly as before the call.
    InputError
        On an invalid data set name.
    """
    started = time.perf_counter()
    release, default_name = baci.locate_release(path)
    if years is not None:
        release, default_name = _select_years(release, default_name, years)
    name = _check_name(name or default_name)
    files = _checksums(release, progress)
    if store.has(name):
        recorded = store.manifest(name)
        if (
            recorded.get("source") == baci.SOURCE
            and recorded.get("years") == release.years
            and _same_files(recorded.get("files"), files)
        ):
            return IngestResult(
                name,
                recorded,
                unchanged=True,
                rows=int(recorded.get("rows") or 0),
                seconds=time.perf_counter() - started,
            )
    countries = baci.read_country_codes(release.countries)
    products = baci.read_product_codes(release.products, release.classification)
    product_set = set(products["code"])
    combined = hashlib.sha256(
        "\n".join(f"{d['name']}:{d['sha256']}" for d in sorted(files, key=str)).encode()
    ).hexdigest()
    manifest: dict[str, Any] = {
        "source": baci.SOURCE,
        "version": release.version,
        "years": release.years,
        "classification": release.classification,
        "level": "hs6",
        "licence": baci.LICENCE,
        "citation": baci.CITATION,
        "url": BACI_URL,
        "sha256": files[0]["sha256"] if len(files) == 1 else combined,
        "files": files,
        "members": [{"name": m.name, "bytes": m.size} for m in release.members],
        "note": f"BACI {release.hs} release {release.version}",
    }
    total_bytes = sum(m.size for m in release.trade.values())
    rows_total = 0
    bytes_before = 0
    merged: dict[str, dict[str, list[int]]] = {}
    unknown: dict[str, int] = {}
    shared = countries.shared()
    with store.stage(name, manifest) as staged:
        import pyarrow.parquet as pq

        for year, member in release.trade.items():
            reader = baci.TradeFileReader(
                member,
                year,
                countries,
                dataset=name,
                classification=release.classification,
                products=product_set,
                block_size=block_size,
            )
            folder = staged.table_dir("flows") / f"year={year}"
            folder.mkdir(parents=True, exist_ok=True)
            with pq.ParquetWriter(
                folder / "part-0.parquet", baci.flow_schema(), store_schema=False
            ) as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    if progress is not None:
                        progress(
                            IngestProgress(
                                "read",
                                member.display,
                                rows_total + reader.rows,
                                bytes_before + reader.bytes_read,
                                total_bytes,
                            )
                        )
            rows_total += reader.rows
            bytes_before += member.size
            for code, count in reader.unknown_products.items():
                unknown[code] = unknown.get(code, 0) + count
            collide = {
                iso3: [c for c in codes if reader.seen_codes[c]]
                for iso3, codes in shared.items()
                if sum(bool(reader.seen_codes[c]) for c in codes) > 1
            }
            if collide:
                if progress is not None:
                    progress(IngestProgress("merge", member.display, rows_total, 0, 0))
                _merge_shared(folder, staged.path, sorted(collide))
                merged[str(year)] = collide
            _check_unique_keys(folder, member.display, year)
        staged.write_table("products", products)
        staged.write_table("countries", countries.table)
        rows_after = sum(
            pq.ParquetFile(part).metadata.num_rows
            for part in (staged.path / "flows").rglob("*.parquet")
        )
        assumptions = list(baci.ASSUMPTIONS)
        for year, collide in sorted(merged.items()):
            for iso3, codes in sorted(collide.items()):
                assumptions.append(
                    f"{year}: flows of BACI codes {', '.join(map(str, codes))} summed as {iso3}"
                )
        if unknown:
            listed = ", ".join(f"{c} ({n} rows)" for c, n in sorted(unknown.items())[:10])
            assumptions.append(
                f"{len(unknown)} product code(s) absent from {release.products.name} kept "
                f"as published: {listed}"
            )
        staged.manifest.update(
            unique_flow_keys=True,
            rows=int(rows_after),
            rows_read=rows_total,
            merged_codes=merged,
            unknown_products=dict(sorted(unknown.items())),
            assumptions=assumptions,
        )
    return IngestResult(
        name,
        store.manifest(name),
        unchanged=False,
        rows=int(rows_after),
        seconds=time.perf_counter() - started,
    )
