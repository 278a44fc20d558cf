"""Benchmark: `leverage` on the embedded OECD ICIO 2022 network.

Prints
- warm in-process time of ``Session.leverage("MYS", "USA", "CHN")`` (median of 20 runs),
- cold CLI time: a new ``tradelever leverage MYS --partner USA --rival CHN --format json``
  process (store already materialised), median of 5 runs, with its peak memory (max RSS),
- first-run time: the same command on an empty data directory (validates the 77 MB cache
  and writes the Parquet tables).

Targets (issue 2, 2-core machine): warm <= 0.3 s, cold CLI <= 2.5 s.

Reproduce::

    python benchmarks/leverage_icio.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

_LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0)
"""


def _child_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command.

    The command is started from a tiny launcher process: a child forked from this (large)
    process would inherit its memory high-water mark.
    """
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    from tradelever.api import Session

    cmd = [
        sys.executable,
        "-m",
        "tradelever",
        "leverage",
        "MYS",
        "--partner",
        "USA",
        "--rival",
        "CHN",
        "--format",
        "json",
    ]
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "TRADELEVER_DATA_DIR": data_dir}
        session = Session(data_dir)  # materialises icio2022 in this (parent) process
        session.leverage("MYS", "USA", "CHN")
        warm = []
        for _ in range(20):
            start = time.perf_counter()
            session.leverage("MYS", "USA", "CHN")
            warm.append(time.perf_counter() - start)
        cold, rss = [], []
        for _ in range(5):
            wall, peak = _child_run(cmd, env)
            cold.append(wall)
            rss.append(peak)
    with tempfile.TemporaryDirectory() as empty_dir:
        env = {**os.environ, "TRADELEVER_DATA_DIR": empty_dir}
        first, first_rss = _child_run(cmd, env)

    print("tradelever leverage MYS --partner USA --rival CHN on icio2022")
    print(f"  cpu cores: {os.cpu_count()}")
    print(
        f"  warm in-process : median {statistics.median(warm):.3f} s "
        f"(min {min(warm):.3f}, max {max(warm):.3f}; target <= 0.3 s)"
    )
    print(
        f"  cold CLI        : median {statistics.median(cold):.3f} s "
        f"(min {min(cold):.3f}, max {max(cold):.3f}; target <= 2.5 s)"
    )
    print(f"  cold CLI peak memory (max RSS): {max(rss):.0f} MiB")
    print(
        f"  first run on an empty data directory: {first:.3f} s "
        f"(peak {first_rss:.0f} MiB; validates and materialises icio2022)"
    )
    print("reproduce: python benchmarks/leverage_icio.py")


if __name__ == "__main__":
    main()
