"""Benchmark: ingest SYNTHETIC years of CEPII BACI beside DuckDB's plain CSV-to-Parquet COPY.

Each year is generated with numpy in the exact BACI layout (``BACI_HS17_Y2021_V202201.csv``,
header ``t,i,j,k,v,q``, product codes written without their leading zero, ``q`` empty or
``NA`` for about 4% of rows) next to the real V202201 country dictionary and the real HS17
product dictionary from ``tests/data/baci``. The trade rows are synthetic: distinct random
(exporter, importer, product) flows with log-normal values; they are not real trade figures.

Each measured step runs in its own child process (wall and CPU time from ``os.wait4``, peak
resident memory from the child's own ``VmHWM``), the peer and tradelever interleaved, and
the medians are printed with their ratios, at each size given (scaling):

1. peer: ``COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)`` with DuckDB's
   defaults (type sniffing; no validation, no code mapping, ``k`` stored as an integer);
2. ``tradelever.store.ingest.ingest_baci`` into a fresh data directory: SHA-256 of the file,
   every validation rule, country codes mapped through the release's dictionary, products
   padded, values in US dollars, repeated keys refused, atomic publish;
3. optionally (``--pandas``) plain ``pandas.read_csv`` + ``DataFrame.to_parquet``.

Targets (issue 15, 2 cores): ingest <= 1.3x the peer's time, peak <= 1 GiB at 11 M rows.

Reproduce::

    python benchmarks/ingest_baci.py                                  # 11,000,000 rows
    python benchmarks/ingest_baci.py --rows 1000000,3000000,11000000  # scaling
    python benchmarks/ingest_baci.py --rows 1000000 --runs 5          # quick, 5 runs
    python benchmarks/ingest_baci.py --zip                            # from a release zip
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "baci"
YEAR = 2021
VERSION = "V202201"
HS = "HS17"
CSV_NAME = f"BACI_{HS}_Y{YEAR}_{VERSION}.csv"


def _dictionary_codes() -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    countries = pd.read_csv(
        DATA / "country_codes_V202201.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    products = pd.read_csv(
        DATA / "product_codes_HS17_V202201_with_bec.csv", dtype=str, keep_default_na=False
    )
    # Entities that no longer existed in 2021 (marked "(...YYYY)" in the V202501 dictionary,
    # e.g. 280 Fed. Rep. of Germany (...1990)) do not trade in a synthetic 2021.
    recent = pd.read_csv(DATA / "country_codes_V202501.csv", dtype=str, keep_default_na=False)
    historical = set(
        recent.loc[recent["country_name"].str.contains(r"\(\.\.\.\d{4}\)"), "country_code"]
    )
    countries = countries[~countries["country_code"].isin(historical)]
    country_codes = countries["country_code"].astype(int).to_numpy()
    product_codes = products["code"].str.fullmatch(r"\d{6}")
    return country_codes, products.loc[product_codes, "code"].astype(int).to_numpy()


def generate(folder: Path, rows: int, seed: int = 20250101) -> Path:
    """Write a SYNTHETIC BACI year of ``rows`` rows plus the real dictionaries; return the CSV."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "country_codes_V202201.csv", folder / "country_codes_V202201.csv")
    shutil.copy(
        DATA / "product_codes_HS17_V202201_with_bec.csv",
        folder / f"product_codes_{HS}_{VERSION}.csv",
    )
    countries, products = _dictionary_codes()
    rng = np.random.default_rng(seed)
    path = folder / CSV_NAME
    chunk = 2_000_000
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    # Distinct (i, j, k) keys with i != j, as in BACI (one row per t, i, j, k; no domestic
    # flows): draw key numbers with replacement, keep the distinct ones (np.unique also sorts
    # them, like CEPII's files), trim to ``rows``.
    n_c, n_k = len(countries), len(products)
    space = n_c * (n_c - 1) * n_k
    keys = np.unique(rng.integers(0, space, int(rows * 1.05) + 1000))
    if len(keys) < rows:
        raise RuntimeError(f"could not draw {rows:,} distinct flows from {space:,} keys")
    keys = np.sort(rng.choice(keys, rows, replace=False))
    i_idx, rest = np.divmod(keys, (n_c - 1) * n_k)
    offset, k_idx = np.divmod(rest, n_k)
    j_idx = (i_idx + 1 + offset) % n_c
    del keys, rest, offset
    with path.open("wb") as out:
        out.write(b"t,i,j,k,v,q\n")
        for start in range(0, rows, chunk):
            stop = min(rows, start + chunk)
            n = stop - start
            i = countries[i_idx[start:stop]]
            j = countries[j_idx[start:stop]]
            k = products[k_idx[start:stop]]
            v = np.round(rng.lognormal(3.0, 2.5, n), 3)
            q = np.round(v * rng.uniform(0.01, 2.0, n), 3).astype(object)
            missing = rng.random(n)
            q[missing < 0.03] = ""
            q[(missing >= 0.03) & (missing < 0.04)] = "NA"
            table = pa.table(
                {
                    "t": pa.array(np.full(n, YEAR, dtype=np.int16)),
                    "i": pa.array(i.astype(np.int32)),
                    "j": pa.array(j.astype(np.int32)),
                    "k": pa.array(k.astype(np.int32)),  # written as 10121, not 010121
                    "v": pa.array(v),
                    "q": pa.array(q.astype(str)),
                }
            )
            sink = pa.BufferOutputStream()
            pacsv.write_csv(table, sink, write_options=options)
            out.write(sink.getvalue().to_pybytes())
    return path


_INGEST = """
import json, shutil, sys, time
shutil.rmtree(sys.argv[2], ignore_errors=True)
from tradelever.store import Store
from tradelever.store.ingest import ingest_baci
t0 = time.perf_counter()
result = ingest_baci(Store(sys.argv[2]), sys.argv[1], name="baci-synthetic")
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": result.rows}))
"""

_PEER = """
import json, sys, time
import duckdb
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
(rows,) = con.execute(
    f"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)"
).fetchone()
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": rows}))
"""

_PANDAS = """
import json, sys, time
import pandas as pd
t0 = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype={"k": str}, keep_default_na=False,
                    na_values={"q": ["", "NA"]})
frame.to_parquet(sys.argv[2], index=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(frame)}))
"""


# Appended to every child: its own peak resident memory. On Linux a child's ru_maxrss
# starts from its parent's resident size at fork (a child of this 1 GB benchmark process
# reports at least 1 GB), so the peak is read from /proc/self/status (VmHWM) instead.
_PEAK = """
import atexit as _atexit, json as _json

def _tradelever_peak():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    print(_json.dumps({"_vmhwm": int(line.split()[1]) * 1024}))
    except OSError:
        pass

_atexit.register(_tradelever_peak)
"""


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a child Python; return its JSON line, wall and CPU time, peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _PEAK + code, *args], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    result: dict = {}
    for line in output.strip().splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    peak = result.pop("_vmhwm", None)
    if peak is None:  # no /proc: ru_maxrss (KiB on Linux, bytes on macOS)
        peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime  # the child's CPU seconds, all threads
    return {**result, "wall": wall, "peak_bytes": peak, "cpu": cpu}


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _line(label: str, runs: list[dict]) -> str:
    return (
        f"  {label:<30} {_median(runs, 'wall'):6.2f} s wall {_median(runs, 'cpu'):6.2f} s CPU "
        f"{_median(runs, 'seconds'):6.2f} s in process {_median(runs, 'peak_bytes') / 2**30:5.2f} "
        f"GiB peak  ({_median(runs, 'rows') / _median(runs, 'wall') / 1e6:.2f} M rows/s)"
    )


def _release(work: Path, rows: int, zipped: bool) -> tuple[Path, Path]:
    """(CSV, input to ingest) for ``rows`` rows, generated once per work folder."""
    folder = work / f"release-{rows}"
    csv_path = folder / CSV_NAME
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate(folder, rows)
        size = csv_path.stat().st_size / 1e6
        print(f"generated {csv_path.name}: {size:,.0f} MB in {time.perf_counter() - t0:.1f} s")
    if not zipped:
        return csv_path, csv_path
    source = work / f"zip-{rows}" / f"BACI_{HS}_{VERSION}.zip"
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for p in sorted(folder.iterdir()):
                archive.write(p, p.name)
    return csv_path, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", default="11000000", help="synthetic rows, or a comma-separated list (scaling)"
    )
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per size")
    parser.add_argument("--keep", type=Path, help="work folder to keep and reuse")
    parser.add_argument("--zip", action="store_true", help="ingest from a release zip")
    parser.add_argument("--pandas", action="store_true", help="also run pandas read_csv")
    args = parser.parse_args()
    sizes = [int(r) for r in str(args.rows).split(",") if r.strip()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="tradelever-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    summary = []
    try:
        print(f"tradelever BACI ingest on SYNTHETIC data, {args.runs} interleaved runs per size")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version[:6]}")
        for rows in sizes:
            csv_path, source = _release(work, rows, args.zip)
            peer, ours, pandas_runs = [], [], []
            for _ in range(args.runs):
                peer.append(run_child(_PEER, str(csv_path), str(work / "peer.parquet")))
                ours.append(run_child(_INGEST, str(source), str(work / "store")))
                if args.pandas:
                    pandas_runs.append(
                        run_child(_PANDAS, str(csv_path), str(work / "pandas.parquet"))
                    )
            size = csv_path.stat().st_size / 1e6
            print(f"\n{rows:,} rows ({size:,.0f} MB of CSV{', from a zip' if args.zip else ''})")
            print(_line("DuckDB COPY read_csv -> parquet", peer))
            print(_line("tradelever ingest_baci", ours))
            if pandas_runs:
                print(_line("pandas read_csv + to_parquet", pandas_runs))
            time_ratio = _median(ours, "wall") / _median(peer, "wall")
            cpu_ratio = _median(ours, "cpu") / _median(peer, "cpu")
            memory = _median(ours, "peak_bytes")
            print(
                f"  ratio tradelever / DuckDB COPY: {time_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU, "
                f"{memory / _median(peer, 'peak_bytes'):.2f}x peak memory"
            )
            summary.append((rows, time_ratio, memory))
        last_rows, last_ratio, last_memory = summary[-1]
        met = last_ratio <= 1.3 and last_memory <= 2**30
        print(
            f"\ntargets (<= 1.3x DuckDB COPY, <= 1 GiB peak) at {last_rows:,} rows: "
            f"{'met' if met else 'NOT met'} ({last_ratio:.2f}x, {last_memory / 2**30:.2f} GiB)"
        )
        print("reproduce: python benchmarks/ingest_baci.py " + " ".join(sys.argv[1:]))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
