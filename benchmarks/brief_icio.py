"""Benchmark: a negotiation brief on the embedded data, cold, in a new process.

Each run is a fresh ``tradelever brief MYS --partner USA --rival CHN --out FILE`` process (so
Python start-up, imports, the store, every analysis, the charts and the rendering are all
counted), on a data directory where the embedded data sets are already materialised (the
first run of tradelever on a machine does that once; it is timed separately as "first
run"). The default brief for a US partner reads census-us-2024 (HS6 and HS4 leverage, the US
schedule line by line, the deal comparison), census-us-trade (the formula), the US deals and
icio2022 (the supply-chain section). Targets: <= 60 s (the lead's check), <= 10 s (issue 6)
for the HTML brief on 2 cores.

Reproduce::

    python benchmarks/brief_icio.py            # HTML, Markdown, PDF; 3 runs each
    python benchmarks/brief_icio.py --runs 5 --formats html

The figures depend on the machine's load; the median of the runs is reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 10.0


def _tradelever() -> list[str]:
    exe = Path(sys.executable).with_name("tradelever")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from tradelever.interfaces.cli import main; main()"]


def _run(data_dir: Path, out: Path) -> float:
    cmd = [
        *_tradelever(),
        "--data-dir",
        str(data_dir),
        "brief",
        "MYS",
        "--partner",
        "USA",
        "--rival",
        "CHN",
        "--currency",
        "MYR",
        "--fx",
        "4.4510",
        "--fx-date",
        "2025-04-02",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="html,md,pdf")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tradelever-brief-bench-"))
    try:
        data_dir = work / "data"
        first = _run(data_dir, work / "first.html")
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs visible, "
            f"Python {platform.python_version()}"
        )
        print(
            f"first run (materialises the embedded data sets in a new data directory): "
            f"{first:.2f} s"
        )
        for fmt in args.formats.split(","):
            times = [_run(data_dir, work / f"brief-{i}.{fmt}") for i in range(args.runs)]
            med = statistics.median(times)
            size = (work / f"brief-0.{fmt}").stat().st_size
            verdict = "meets" if med <= TARGET_S else "MISSES"
            print(
                f"brief MYS/USA/CHN -> .{fmt}: median {med:.2f} s over {args.runs} cold runs "
                f"(min {min(times):.2f}, max {max(times):.2f}); {size / 1024:.0f} KiB; "
                f"{verdict} the {TARGET_S:.0f} s target"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
