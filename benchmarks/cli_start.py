"""Start-up benchmark: ``tradelever --version`` and ``--help`` against bare Python.

Issue 15 item 6: ``tradelever --version`` took 0.56 s because pandas and Ibis were imported
at start; bare Python takes about 0.014 s. The command modules are now imported when their
command runs, so ``--version`` and ``--help`` import neither pandas, Ibis nor DuckDB. Each
command is run ``--runs`` times in a new process (the console script's own entry point,
``tradelever.interfaces.cli:main``); medians are reported with the ratio to bare Python.

Target (issue 15): ``tradelever --version`` <= 0.15 s.

Reproduce::

    python benchmarks/cli_start.py
    python benchmarks/cli_start.py --runs 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "output" / "cli_start.json"
ENTRY = "from tradelever.interfaces.cli import main; main()"


def timed(args: list[str], runs: int) -> float:
    """Median wall time of ``args`` in a new process over ``runs`` runs (one untimed first)."""
    subprocess.run(args, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not 1 <= args.runs <= 100:
        raise SystemExit("--runs must be 1..100")
    python = [sys.executable]
    figures = {
        "bare_python_s": timed([*python, "-c", "pass"], args.runs),
        "version_s": timed([*python, "-c", ENTRY, "--version"], args.runs),
        "help_s": timed([*python, "-c", ENTRY, "--help"], args.runs),
        "leverage_help_s": timed([*python, "-c", ENTRY, "leverage", "--help"], args.runs),
    }
    report = {
        "benchmark": "cli_start",
        "command": "python benchmarks/cli_start.py " + " ".join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": args.runs,
        **{k: round(v, 4) for k, v in figures.items()},
        "target_version_s": 0.15,
        "met": figures["version_s"] <= 0.15,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    bare = figures["bare_python_s"]
    print(f"tradelever start-up, median of {args.runs} runs, new process each")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for name, label in [
        ("bare_python_s", "python -c pass"),
        ("version_s", "tradelever --version"),
        ("help_s", "tradelever --help"),
        ("leverage_help_s", "tradelever leverage --help (imports the analysis)"),
    ]:
        print(f"{label:<52}{figures[name]:>8.3f} s{figures[name] / bare:>8.1f}x bare Python")
    verdict = "met" if report["met"] else "NOT met"
    print(f"target (--version <= 0.15 s): {verdict}")
    print(f"written to {OUTPUT}")
    print(f"reproduce: {report['command']}")


if __name__ == "__main__":
    main()
