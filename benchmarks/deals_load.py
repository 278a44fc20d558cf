"""Benchmark: reading and checking the packaged US deal files, cold, in a new process.

Each run is a fresh Python process that imports ``tradelever.sources.us_deals`` and calls
``load_deals()``: 24 YAML files parsed, every fact validated and every quote checked
verbatim against its packaged text (about 60 texts, 0.6 MB, hashed and normalised once).
This is the fixed cost a ``tradelever deals`` command pays before it prints anything.

Reproduce::

    python benchmarks/deals_load.py            # 5 runs
    python benchmarks/deals_load.py --runs 10

The figures depend on the machine's load; the median and the range are reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

_CHILD = """
import json, resource, time
t0 = time.perf_counter()
import tradelever.sources.us_deals as u
t1 = time.perf_counter()
deals = u.load_deals()
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "deals": len(deals), "rss_mib": rss}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD], check=True, capture_output=True, text=True
        )
        results.append(json.loads(out.stdout))
    loads = [r["load"] for r in results]
    imports = [r["import"] for r in results]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {sys.version[:6]}")
    print(f"deals: {results[0]['deals']}, runs: {args.runs}")
    print(
        f"load_deals(): median {statistics.median(loads):.2f} s "
        f"(range {min(loads):.2f}-{max(loads):.2f} s)"
    )
    print(
        f"import tradelever.sources.us_deals: median {statistics.median(imports):.2f} s "
        f"(range {min(imports):.2f}-{max(imports):.2f} s)"
    )
    print(f"peak RSS: {max(r['rss_mib'] for r in results):.0f} MiB")


if __name__ == "__main__":
    main()
