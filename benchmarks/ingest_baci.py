"""Benchmark: ingest one SYNTHETIC year of CEPII BACI (11 million rows, ~360 MB of CSV).

The year is generated with numpy in the exact BACI layout (``BACI_HS17_Y2021_V202201.csv``,
header ``t,i,j,k,v,q``, product codes written without their leading zero, ``q`` empty or
``NA`` for about 4% of rows) next to the real V202201 country dictionary and the real HS17
product dictionary from ``tests/data/baci``. The trade rows are synthetic: distinct random
(exporter, importer, product) flows with log-normal values; they are not real trade figures.

Each measured step runs in its own child process, so its peak resident memory (``ru_maxrss``
from ``os.wait4``) is its own:

1. ``tradelever`` ingest (``tradelever.store.ingest.ingest_baci``) into a fresh data dir;
2. baseline: plain ``pandas.read_csv`` + ``DataFrame.to_parquet`` of the same CSV (no
   validation, no code mapping).

Targets (issue 3, 2 cores): ingest <= 30 s wall and <= 1.5 GiB peak memory.

Reproduce::

    python benchmarks/ingest_baci.py               # 11,000,000 rows
    python benchmarks/ingest_baci.py --rows 200000 # quick run
    python benchmarks/ingest_baci.py --zip         # read from a release zip
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
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
import json, sys, time
from tradelever.store import Store
from tradelever.store.ingest import ingest_baci
t0 = time.perf_counter()
result = ingest_baci(Store(sys.argv[2]), sys.argv[1], name="baci-synthetic")
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": result.rows}))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=11_000_000, help="synthetic rows")
    parser.add_argument("--out", type=Path, help="work folder (default: a temp folder)")
    parser.add_argument("--zip", action="store_true", help="ingest from a release zip")
    parser.add_argument("--skip-pandas", action="store_true", help="skip the baseline")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="tradelever-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"tradelever BACI ingest benchmark on SYNTHETIC data ({args.rows:,} rows)")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version[:6]}")
        t0 = time.perf_counter()
        csv_path = generate(work / "release", args.rows)
        size = csv_path.stat().st_size
        print(
            f"generated {csv_path.name}: {size / 1e6:,.0f} MB in {time.perf_counter() - t0:.1f} s"
        )
        source = csv_path
        if args.zip:
            t0 = time.perf_counter()
            source = work / f"BACI_{HS}_{VERSION}.zip"
            with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for p in sorted((work / "release").iterdir()):
                    archive.write(p, p.name)
            print(
                f"zipped: {source.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - t0:.1f} s"
            )
        ours = run_child(_INGEST, str(source), str(work / "store"))
        print(
            f"tradelever ingest_baci : {ours['wall']:6.1f} s wall, "
            f"{ours['peak_bytes'] / 2**30:5.2f} GiB peak RSS, {ours['rows']:,} rows, "
            f"{ours['rows'] / ours['seconds'] / 1e6:.2f} M rows/s"
        )
        targets = ours["wall"] <= 30 and ours["peak_bytes"] <= 1.5 * 2**30
        if not args.skip_pandas:
            base = run_child(_PANDAS, str(csv_path), str(work / "pandas.parquet"))
            print(
                f"pandas read_csv+parquet: {base['wall']:6.1f} s wall, "
                f"{base['peak_bytes'] / 2**30:5.2f} GiB peak RSS, {base['rows']:,} rows"
            )
            print(
                f"ratio tradelever / pandas: {ours['wall'] / base['wall']:.2f}x time, "
                f"{ours['peak_bytes'] / base['peak_bytes']:.2f}x peak memory"
            )
        print(
            f"targets (<= 30 s, <= 1.5 GiB) at {args.rows:,} rows: {'met' if targets else 'MISSED'}"
        )
        print("reproduce: python benchmarks/ingest_baci.py " + " ".join(sys.argv[1:]))
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
