"""Benchmark: the packaged US Census data sets (census-us-2024, census-us-trade).

Prints
- first materialisation: a new process that prepares both Census data sets in an empty
  data directory (checksums against BUILD.json, validation, Parquet writes), median of 3;
- cold leverage: a new ``tradelever leverage MYS --partner USA`` process (no data set
  given: census-us-2024 at hs6 is chosen by question, with the chapter coverage and the
  2024 applied rates) with the store prepared (table output, top 20 rows; and JSON with all
  rows), median of 5 runs, with its peak memory; the same with ``--dataset icio2022``, as a
  baseline measured in the same conditions (the machine is shared);
- warm: ``Session.leverage("MYS", "USA", dataset="census-us-2024")`` in-process (median
  of 10), and the Ibis query that computes the per-HS6 sums alone;
- wheel growth: the size of the wheel built (``pip wheel --no-deps``) from the working
  tree and from the ``main`` branch, and the size of ``tradelever/data/census_us``.

Targets (issue 11, 2-core machine): cold ``leverage MYS --partner USA`` <= 1.5 s; wheel
growth <= 10 MB.

Reproduce::

    python benchmarks/census_us.py [--no-wheel] [--no-first] [--base main]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime)
"""

_MATERIALISE = """
import sys
from tradelever.store import Store
from tradelever.store.embedded import ensure_census_trade, ensure_census_us
store = Store(sys.argv[1])
ensure_census_us(store)
ensure_census_trade(store)
"""


def _child_run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of one command.

    The command is started from a tiny launcher, so that it does not inherit this
    process's memory high-water mark. CPU time is reported beside wall time because the
    machine is shared: on a loaded machine wall time includes waiting for a core.
    """
    out = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tradelever", *args]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def timings(first_run: bool = True) -> None:
    from tradelever.analysis.leverage import aggregate_market, product_code_expr
    from tradelever.api import Session

    env = dict(os.environ)
    first, first_cpu = [], []
    for _ in range(3 if first_run else 0):
        with tempfile.TemporaryDirectory() as empty:
            wall, peak, cpu = _child_run([sys.executable, "-c", _MATERIALISE, empty], env)
            first.append(wall)
            first_cpu.append(cpu)
    if first:
        print(
            f"first materialisation (new process, both data sets): wall {_median(first)}, "
            f"CPU {statistics.median(first_cpu):.2f} s, {peak:.0f} MiB"
        )

    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "TRADELEVER_DATA_DIR": data_dir}
        session = Session(data_dir)  # prepares every embedded data set in this process
        census = _cli("leverage", "MYS", "--partner", "USA")  # the default: census-us-2024 hs6
        icio = _cli("leverage", "MYS", "--partner", "USA", "--dataset", "icio2022")
        runs = (
            ("default (census-us-2024 hs6), table (top 20)", census),
            ("default (census-us-2024 hs6), JSON (all rows)", [*census, "--format", "json"]),
            ("icio2022 baseline, table (top 20)", icio),
            ("icio2022 baseline, JSON (all 50 rows)", [*icio, "--format", "json"]),
        )
        for name, cmd in runs:
            walls, peaks, cpus = [], [], []
            for _ in range(5):
                wall, peak, cpu = _child_run(cmd, env)
                walls.append(wall)
                peaks.append(peak)
                cpus.append(cpu)
            print(
                f"cold CLI leverage MYS --partner USA, {name}: wall {_median(walls)}, "
                f"CPU {statistics.median(cpus):.2f} s, {max(peaks):.0f} MiB"
            )

        session.leverage("MYS", "USA", dataset="census-us-2024")
        warm = []
        for _ in range(10):
            start = time.perf_counter()
            session.leverage("MYS", "USA", dataset="census-us-2024")
            warm.append(time.perf_counter() - start)
        print(f"warm Session.leverage on census-us-2024 (hs6): {_median(warm)}")
        coded = product_code_expr(session.store.table("census-us-2024", "flows"), "hs6")
        query = []
        for _ in range(10):
            start = time.perf_counter()
            aggregate_market(coded, home="MYS", partner="USA", rival=None, year=2024)
            query.append(time.perf_counter() - start)
        print(f"warm Ibis query of the per-HS6 sums (aggregate_market): {_median(query)}")


def _wheel_size(source: Path, out: Path) -> int:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
    )
    wheels = sorted(out.glob("tradelever-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {out}, found {wheels}")
    return wheels[0].stat().st_size


def wheel_growth(base: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        base_src = tmp_path / "base"
        base_src.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", base], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive, check=True)
        head_src = tmp_path / "head"
        head_src.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "HEAD"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(head_src)], input=archive, check=True)
        before = _wheel_size(base_src, tmp_path / "wheel-base")
        after = _wheel_size(head_src, tmp_path / "wheel-head")
    data = REPO / "src" / "tradelever" / "data" / "census_us"
    raw = sum(p.stat().st_size for p in data.iterdir())
    print(
        f"wheel: {base} {before / 1e6:.2f} MB, HEAD {after / 1e6:.2f} MB, growth "
        f"{(after - before) / 1e6:.2f} MB (census_us files {raw / 1e6:.2f} MB uncompressed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-wheel", action="store_true", help="skip the wheel builds")
    parser.add_argument(
        "--no-first", action="store_true", help="skip the first-materialisation runs"
    )
    parser.add_argument("--base", default="main", help="git revision to compare the wheel with")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    timings(first_run=not args.no_first)
    if not args.no_wheel:
        wheel_growth(args.base)
    print("reproduce: python benchmarks/census_us.py")


if __name__ == "__main__":
    main()
