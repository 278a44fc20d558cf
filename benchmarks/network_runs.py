"""Child-process runs shared by ``supply_chain_icio.py`` and ``network_vs_sanction_simulator.py``.

Every cold figure is a new Python process started from this one: its wall time is measured
here around the whole process (interpreter start, imports, work, exit) and its peak
resident memory is the child's own ``VmHWM`` read from ``/proc/self/status`` at exit. (On
Linux a child's ``ru_maxrss`` starts from its parent's high-water mark at fork, so a child
of a large benchmark process would report the parent's peak.)

Not a benchmark by itself; imported by the two scripts (run them from the repository root
or from ``benchmarks/``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HOME, PARTNER = "MYS", "USA"

# Appended to every child: write the child's own VmHWM (bytes) to the file named by
# $NETWORK_BENCH_PEAK when it exits (also after sys.exit from the command line).
_PEAK = """
import atexit as _atexit, os as _os

def _report_peak():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                with open(_os.environ["NETWORK_BENCH_PEAK"], "w") as out:
                    out.write(str(int(line.split()[1]) * 1024))

_atexit.register(_report_peak)
"""

#: tradelever's command line in a child, output discarded (``argv`` after the program name).
CLI = """
import runpy, sys
sys.argv = ["tradelever", *sys.argv[1:]]
sys.stdout = open("/dev/null", "w")
try:
    runpy.run_module("tradelever", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
"""

#: sanction-simulator's scenario "MYS cannot sell to USA" at its defaults (tau 0.3, delta
#: 0.1): load the benchmark network, balance with rerouting (RAS), solve the CES fixed point.
SANCTION_SIMULATOR = """
import json, sys
import sanction_simulator
from sanction_simulator import power_trade_estimation as pte

home, partner = sys.argv[1], sys.argv[2]
bench = pte.Benchmark(sanction_simulator.data_dir(), cache=sanction_simulator.bench_cache())
seller, buyer = bench.cidx[home], bench.cidx[partner]
legs = pte.directional_legs(buyer, seller)  # [(l, k)]: l cannot sell to k
batch = pte.ScenarioBatch(bench, [legs], pte.TAU_BASE, pte.DELTA_BASE)
batch.balance()
res = batch.solve(pte.RHO_BASE)
loss = (bench.s - res["s_omega"][0]).reshape(bench.S, bench.C).sum(axis=0)
print(json.dumps({"partner_loss_bn": float(loss[buyer]) / 1e3,
                  "home_loss_bn": float(loss[seller]) / 1e3}))
"""


@dataclass
class Run:
    """One child process: wall seconds, peak resident MiB, its last stdout line."""

    seconds: float
    peak_mib: float
    output: str


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> Run:
    """Run ``code`` (plus the VmHWM reporter) in a new Python process and measure it."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        child_env = {**(env or os.environ), "NETWORK_BENCH_PEAK": peak.name}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _PEAK + code, *args],
            env=child_env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr[-2000:]}")
        text = Path(peak.name).read_text().strip()
    lines = done.stdout.strip().splitlines()
    return Run(seconds, int(text) / 2**20 if text else float("nan"), lines[-1] if lines else "")


def supply_chain_cli(data_dir: str, home: str = HOME, partner: str = PARTNER) -> Run:
    """``tradelever supply-chain HOME --partner P --format json`` in a new process."""
    args = ("--data-dir", data_dir, "supply-chain", home, "--partner", partner, "-f", "json")
    return run_child(CLI, *args)


def sanction_simulator(home: str = HOME, partner: str = PARTNER) -> Run:
    """sanction-simulator's scenario (home cannot sell to partner) in a new process."""
    return run_child(SANCTION_SIMULATOR, home, partner)


def drop_network_cache(data_dir: str) -> int:
    """Remove the cached blocks of L and B (every version); return how many copies went."""
    base = Path(data_dir) / "cache" / "derived" / "icio2022"
    copies = list(base.glob("leontief-*")) if base.is_dir() else []
    for copy in copies:
        shutil.rmtree(copy)
    return len(copies)


def prepare(data_dir: str) -> None:
    """Materialise the embedded data sets in ``data_dir`` and build the network cache."""
    from tradelever.api import Session

    Session(data_dir).supply_chain(HOME, PARTNER)


def median(runs: list[Run]) -> tuple[float, float]:
    """Median wall seconds and median peak MiB."""
    return statistics.median(r.seconds for r in runs), statistics.median(r.peak_mib for r in runs)


def spread(values: list[float]) -> str:
    """``min-max`` of a list, for the printout."""
    return f"{min(values):.2f}-{max(values):.2f}"


def describe_machine() -> str:
    """Python, NumPy, SciPy, CPU count and load average, one line."""
    import numpy
    import scipy

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__},"
        f" {os.cpu_count()} CPU(s), load average {load:.1f} at start"
    )


def side_by_side(data_dir: str, repeat: int) -> dict[str, list[Run]]:
    """Interleave cold runs of ours (CLI, cache present) and theirs, ``repeat`` times each."""
    runs: dict[str, list[Run]] = {"ours": [], "theirs": []}
    for i in range(repeat):
        # alternate who goes first, so neither always runs on a warmer page cache
        order = ("ours", "theirs") if i % 2 == 0 else ("theirs", "ours")
        for who in order:
            run = supply_chain_cli(data_dir) if who == "ours" else sanction_simulator()
            runs[who].append(run)
    return runs


def print_side_by_side(runs: dict[str, list[Run]]) -> tuple[float, float]:
    """Print the medians and the ratios; return (time ratio, memory ratio)."""
    ours_s, ours_m = median(runs["ours"])
    theirs_s, theirs_m = median(runs["theirs"])
    n = len(runs["ours"])
    print(f"\ncold, new process each, interleaved, median of {n} (min-max):")
    print(
        f"  tradelever supply-chain {HOME} --partner {PARTNER} (cache present)"
        f"  {ours_s:6.2f} s ({spread([r.seconds for r in runs['ours']])})"
        f"  peak {ours_m:6.0f} MiB"
    )
    print(
        f"  sanction-simulator scenario {HOME} cannot sell to {PARTNER} (defaults)"
        f"  {theirs_s:6.2f} s ({spread([r.seconds for r in runs['theirs']])})"
        f"  peak {theirs_m:6.0f} MiB"
    )
    ratio_s, ratio_m = ours_s / theirs_s, ours_m / theirs_m
    print(
        f"  ratio tradelever / sanction-simulator: time {ratio_s:.2f}x (target <= 1.0x),"
        f" peak memory {ratio_m:.2f}x (target <= 1.0x)"
    )
    theirs = json.loads(runs["theirs"][-1].output)
    print(
        f"  (their answer: {PARTNER} loses US${theirs['partner_loss_bn']:.2f} bn, "
        f"{HOME} US${theirs['home_loss_bn']:.2f} bn)"
    )
    return ratio_s, ratio_m
