"""Benchmark: supply-chain dependence on the embedded OECD ICIO 2022 network (real data).

Measures, on the 4,000-node network (80 economies x 50 industries):

1. cold start: load and validate the arrays (``load_icio``), then LU-factorise ``I - B``
   once (``scipy.linalg.lu_factor``);
2. warm queries with the stored factors (median of ``--repeat`` runs):
   - the full ``supply-chain`` table (50 single-industry extractions, embodied VA and the
     joint all-industries extraction) for ``--home`` -> ``--partner``;
   - one joint extraction of every home industry (Woodbury, rank 50);
   - one single-industry extraction (``--industry``, Sherman-Morrison);
3. the alternative the design forbids per request, for scale: one dense re-solve of the
   altered 4000 x 4000 system (``numpy.linalg.solve``), i.e. a fresh factorisation.

Target (issue 4): one ICIO extraction <= 1 s warm.

Reproduce::

    python benchmarks/supply_chain_icio.py
    python benchmarks/supply_chain_icio.py --home MYS --partner USA \
        --industry C26 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times = []
    out: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", default="MYS")
    ap.add_argument("--partner", default="USA")
    ap.add_argument("--industry", default="C26")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import scipy

    from tradelever.analysis.network import (
        LeontiefModel,
        direct_requirements,
        extract,
        supply_chain_table,
    )
    from tradelever.sources.icio import load_icio

    print("tradelever benchmark: supply-chain dependence on icio2022 (real data)")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__},"
        f" {os.cpu_count()} CPU(s) visible"
    )

    t0 = time.perf_counter()
    network = load_icio()
    t_load = time.perf_counter() - t0
    model = LeontiefModel.from_network(network)
    t0 = time.perf_counter()
    _ = model.factors
    t_lu = time.perf_counter() - t0
    N = model.n_nodes
    print(f"\nnetwork: {N} nodes ({model.n_countries} economies x {len(model.industries)})")
    print(f"cold: load + validate      {t_load:8.3f} s")
    print(f"cold: LU factorise I - B   {t_lu:8.3f} s")
    print(f"cold: total                {t_load + t_lu:8.3f} s")

    h, p, k = args.home, args.partner, args.industry
    med, best, (rows, summary) = _timed(  # type: ignore[misc]
        lambda: supply_chain_table(model, h, p), args.repeat
    )
    print(f"\nwarm (median / best of {args.repeat}):")
    print(f"  supply-chain table {h}->{p} (50 rows + joint)   {med:7.3f} s / {best:7.3f} s")
    med, best, joint = _timed(lambda: extract(model, h, p), args.repeat)
    print(f"  joint extraction, all 50 industries (Woodbury)  {med:7.3f} s / {best:7.3f} s")
    med, best, one = _timed(lambda: extract(model, h, p, [k]), args.repeat)
    print(f"  single extraction, {k:<6} (Sherman-Morrison)    {med:7.3f} s / {best:7.3f} s")

    def dense() -> np.ndarray:
        H, P = model.country_nodes(h), model.country_nodes(p)
        M = -direct_requirements(model.A, model.omb)
        M[np.ix_(H, P)] = 0.0
        M[np.diag_indices_from(M)] += 1.0
        return np.linalg.solve(M, model.z)

    med, best, s_dem = _timed(dense, 1)
    print(f"  for scale: dense re-solve of the altered system {med:7.3f} s (once)")
    H = model.country_nodes(h)
    gap = abs((model.s - s_dem)[H].sum() - joint.seller_side_loss[H].sum())  # type: ignore[union-attr]
    print(f"  Woodbury vs dense re-solve, {h} output loss: |diff| = US${gap * 1e6:,.2f}")

    P = model.country_nodes(p)
    print(f"\nresults ({h} -> {p}, intermediate goods only, US$ bn):")
    deliveries = summary["direct_deliveries_to_partner_usd"] / 1e9
    print(f"  {h} deliveries to {p}:                 {deliveries:8.2f}")
    a = summary["all_industries"]
    print(f"  {p} output loss, all industries:      {a['partner_output_loss_usd'] / 1e9:8.2f}")
    print(f"  {h} output loss, all industries:      {a['home_output_loss_usd'] / 1e9:8.2f}")
    one_loss = float(one.buyer_side_loss[P].sum()) / 1e3  # type: ignore[union-attr]
    print(f"  {p} output loss, {k} only:             {one_loss:8.2f}")
    print(f"  top rows: {', '.join(rows['industry'].head(5))}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
