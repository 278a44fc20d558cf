"""Load benchmark of the HTTP API: 50 concurrent /api/leverage requests on the embedded data.

Starts the real ``tradelever serve`` in a subprocess on 127.0.0.1 (a free port), waits for it,
then fires bursts of concurrent requests with an asyncio HTTP client and reports latency
percentiles and errors. Everything is bounded: every request has a timeout, the server is
stopped at the end (also on error or Ctrl+C).

Bursts (each of ``--concurrency`` requests sent at once):

- ``cold-distinct``: every request a different (home, partner) pair never asked before, so
  each one runs the analysis (no cache help). Repeated ``--rounds`` times with new pairs.
- ``cold-same``: one new pair asked by every request at once (computed once, the others
  wait for it: single flight).
- ``warm``: the pairs of the first cold burst again (answers from the result cache).

Targets (issue 7): no errors, p95 <= 1 s on 2 cores.

Run::

    python benchmarks/http_load.py                      # temporary data directory
    python benchmarks/http_load.py --data-dir DIR --concurrency 50 --rounds 3

Results are printed and written to ``benchmarks/output/http_load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

OUTPUT = Path(__file__).resolve().parent / "output" / "http_load.json"


@contextmanager
def server(data_dir: Path, sessions: int | None) -> Iterator[str]:
    """``tradelever serve --port 0`` in a subprocess; yields its base URL."""
    cmd = [
        sys.executable,
        "-c",
        "from tradelever.interfaces.cli import main; main()",
        "--data-dir",
        str(data_dir),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--log-level",
        "info",  # uvicorn prints the bound port at info level
    ]
    if sessions:
        cmd += ["--sessions", str(sessions)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 300  # first run materialises the embedded data
        url = None
        seen: list[str] = []
        while url is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("server did not start:\n" + "".join(seen))
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        reader.join(timeout=5)
        if proc.stderr is not None:
            proc.stderr.close()


async def burst(client: httpx.AsyncClient, queries: list[dict[str, str]]) -> dict[str, Any]:
    """Send all queries at once; latency of each, errors, wall time."""

    async def one(q: dict[str, str]) -> tuple[float, int | str]:
        t0 = time.perf_counter()
        try:
            r = await client.get("/api/leverage", params=q)
            body_ok = r.status_code == 200 and r.json().get("home") == q["home"]
            status: int | str = r.status_code if body_ok or r.status_code != 200 else "bad body"
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        return time.perf_counter() - t0, status

    t0 = time.perf_counter()
    results = await asyncio.gather(*(one(q) for q in queries))
    wall = time.perf_counter() - t0
    latencies = sorted(r[0] for r in results)
    errors = [r[1] for r in results if r[1] != 200]
    return {
        "requests": len(queries),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors}),
        "p50_s": round(statistics.median(latencies), 4),
        "p95_s": round(latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)], 4),  # nearest rank
        "max_s": round(latencies[-1], 4),
        "wall_s": round(wall, 4),
        "requests_per_s": round(len(queries) / wall, 1),
    }


async def run(url: str, concurrency: int, rounds: int, seed: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        countries = [c["iso3"] for c in (await client.get("/api/countries")).json()["countries"]]
        countries = [c for c in countries if c != "ROW"]
        rng = random.Random(seed)
        pairs = [(h, p) for h in countries for p in countries if h != p]
        rng.shuffle(pairs)
        need = concurrency * (rounds + 1) + 2
        if len(pairs) < need:
            raise SystemExit(f"only {len(pairs)} pairs for {need} distinct requests")
        fresh = iter(pairs)

        def take(n: int) -> list[dict[str, str]]:
            return [{"home": h, "partner": p} for h, p in (next(fresh) for _ in range(n))]

        # Warm-up: one request loads the data set's look-ups in one session (not measured
        # in the bursts; reported).
        t0 = time.perf_counter()
        first = await client.get("/api/leverage", params=take(1)[0])
        first.raise_for_status()
        warmup = round(time.perf_counter() - t0, 4)

        out: dict[str, Any] = {"first_request_s": warmup, "bursts": []}
        first_cold: list[dict[str, str]] = []
        for i in range(rounds):
            queries = take(concurrency)
            first_cold = first_cold or queries
            out["bursts"].append(
                {"kind": "cold-distinct", "round": i + 1, **await burst(client, queries)}
            )
        same = take(1) * concurrency
        out["bursts"].append({"kind": "cold-same", **await burst(client, same)})
        out["bursts"].append({"kind": "warm", **await burst(client, first_cold)})
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, help="data directory (default: a temporary one)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="cold-distinct bursts")
    parser.add_argument("--sessions", type=int, help="server sessions (default: per core, max 4)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 500 or not 1 <= args.rounds <= 20:
        raise SystemExit("--concurrency must be 1..500 and --rounds 1..20")

    with tempfile.TemporaryDirectory(prefix="tradelever-http-load-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        t0 = time.perf_counter()
        with server(data_dir, args.sessions) as url:
            startup = round(time.perf_counter() - t0, 2)
            results = asyncio.run(run(url, args.concurrency, args.rounds, args.seed))
    cold = [b for b in results["bursts"] if b["kind"] == "cold-distinct"]
    report = {
        "benchmark": "http_load",
        "command": "python benchmarks/http_load.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "concurrency": args.concurrency,
        "server_startup_s": startup,
        **results,
        "targets": {"errors": 0, "p95_s": 1.0},
        "met": all(b["errors"] == 0 for b in results["bursts"])
        and max(b["p95_s"] for b in cold) <= 1.0,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"tradelever HTTP load: {args.concurrency} concurrent GET /api/leverage (icio2022)")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"server start {startup} s; first request {results['first_request_s']} s")
    header = f"{'burst':<18}{'n':>5}{'errors':>8}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'req/s':>9}"
    print(header)
    for b in results["bursts"]:
        name = b["kind"] + (f" #{b['round']}" if "round" in b else "")
        print(
            f"{name:<18}{b['requests']:>5}{b['errors']:>8}{b['p50_s']:>9.3f}"
            f"{b['p95_s']:>9.3f}{b['max_s']:>9.3f}{b['requests_per_s']:>9.1f}"
        )
    verdict = "met" if report["met"] else "NOT met"
    print(f"targets (no errors, cold p95 <= 1 s): {verdict}")
    print(f"written to {OUTPUT}")
    print(f"reproduce: {report['command']}")


if __name__ == "__main__":
    main()
