"""Benchmark: `supply-chain` on the embedded OECD ICIO 2022 network (real data).

The 4,000-node network (80 economies x 50 industries) needs the total requirements
``L = (I - B)^-1``. They are computed once per data-set version and cached in the store as
blocks (``tradelever.analysis.network.leontief``); a query reads 1.6 MB of them. Printed:

1. cold ``tradelever supply-chain MYS --partner USA --format json``, each a new process,
   with the cache present (median of ``--repeat``) and absent (the first use of a data-set
   version builds it: ``--absent`` runs), wall time and the child's own peak memory
   (VmHWM), interleaved with sanction-simulator's scenario "MYS cannot sell to USA" at its
   defaults in a new process, and the ratios;
2. warm: ``Session.supply_chain`` in this process (median of ``--warm`` runs), plus one
   joint extraction (Woodbury, 50 industries) and one single industry (Sherman-Morrison);
3. with ``--storage``: the three ways to keep the factorisation between processes, each a
   cold process computing the MYS -> USA table (``supply_chain_table``) from what is on
   disk, with its size: refactorising in every process (the model before the cache), the
   dense LU factors (``scipy.linalg.lu_factor``) saved as ``.npy`` and memory-mapped, and
   the blocks of ``L`` (what tradelever keeps); and SuperLU's sparse factors (size and
   factorisation time: SciPy cannot rebuild a solver from saved factors).

Targets (issue 15, 2 cores): cold ``supply-chain`` <= 1.0x sanction-simulator's scenario
time, peak memory no worse than it.

Reproduce (about 2 minutes on 2 cores; a throw-away data directory is used)::

    python benchmarks/supply_chain_icio.py
    python benchmarks/supply_chain_icio.py --repeat 5 --absent 2 --storage
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from network_runs import (
    HOME,
    PARTNER,
    Run,
    describe_machine,
    drop_network_cache,
    prepare,
    print_side_by_side,
    run_child,
    sanction_simulator,
    side_by_side,
    spread,
    supply_chain_cli,
)

# -- the three ways to keep the factorisation (children of --storage) ----------------------
_REFACTORISE = """
import json, sys
from tradelever.analysis.network import LeontiefModel, supply_chain_table
from tradelever.sources.icio import load_icio
model = LeontiefModel.from_network(load_icio())
rows, summary = supply_chain_table(model, sys.argv[1], sys.argv[2])
print(json.dumps(summary["all_industries"]["partner_output_loss_usd"]))
"""

_DENSE_LU = """
import json, sys
import numpy as np
import scipy.linalg
from tradelever.analysis.network import LeontiefModel, supply_chain_table
from tradelever.analysis.network.model import stored_model
from tradelever.store import Store

folder = sys.argv[3]
lu = np.load(folder + "/lu.npy", mmap_mode="r")
piv = np.load(folder + "/piv.npy")

class DiskLU:
    # B's blocks from the store's cache; L from the memory-mapped LU factors
    def __init__(self, direct):
        self.direct = direct
        self.n_nodes = lu.shape[0]
    def solve(self, rhs, *, transpose=False):
        return scipy.linalg.lu_solve((lu, piv), rhs, trans=int(transpose), check_finite=False)
    def columns(self, nodes):
        E = np.zeros((self.n_nodes, len(nodes))); E[nodes, np.arange(len(nodes))] = 1.0
        return self.solve(E)
    def rows(self, nodes):
        E = np.zeros((self.n_nodes, len(nodes))); E[nodes, np.arange(len(nodes))] = 1.0
        return self.solve(E, transpose=True).T

base = stored_model(Store(sys.argv[4]), "icio2022")
model = LeontiefModel(omb=base.omb, s=base.s, z=base.z, countries=base.countries,
                      industries=base.industries, industry_names=base.industry_names,
                      requirements=DiskLU(base.requirements.direct))
rows, summary = supply_chain_table(model, sys.argv[1], sys.argv[2])
print(json.dumps(summary["all_industries"]["partner_output_loss_usd"]))
"""

_L_BLOCKS = """
import json, sys
from tradelever.analysis.network import supply_chain_table
from tradelever.analysis.network.model import stored_model
from tradelever.store import Store
model = stored_model(Store(sys.argv[4]), "icio2022")
rows, summary = supply_chain_table(model, sys.argv[1], sys.argv[2])
print(json.dumps(summary["all_industries"]["partner_output_loss_usd"]))
"""


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), out


def _mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.glob("*.npy")) / 2**20


def _storage(data_dir: str, repeat: int) -> None:
    import scipy.linalg
    import scipy.sparse
    import scipy.sparse.linalg

    from tradelever.analysis.network.leontief import direct_requirements
    from tradelever.sources.icio import load_icio

    print("\nkeeping the factorisation between processes (cold process, MYS -> USA table):")
    network = load_icio()
    M = -direct_requirements(network.A, network.omb)
    M[np.diag_indices_from(M)] += 1.0
    density = np.count_nonzero(M) / M.size
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        lu, piv = scipy.linalg.lu_factor(M, check_finite=False)
        t_lu = time.perf_counter() - start
        np.save(Path(tmp) / "lu.npy", lu)
        np.save(Path(tmp) / "piv.npy", piv)
        del lu
        blocks = next((Path(data_dir) / "cache" / "derived" / "icio2022").glob("leontief-*"))
        args = (HOME, PARTNER, tmp, data_dir)
        runs: dict[str, list[Run]] = {"refactorise": [], "dense LU": [], "L blocks": []}
        codes = {"refactorise": _REFACTORISE, "dense LU": _DENSE_LU, "L blocks": _L_BLOCKS}
        for _ in range(repeat):
            for name, code in codes.items():
                runs[name].append(run_child(code, *args))
        answers = {name: float(r[-1].output) for name, r in runs.items()}
        sizes = {
            "refactorise": 0.0,
            "dense LU": _mib(Path(tmp)),
            "L blocks": (blocks / "total.npy").stat().st_size / 2**20,
        }
        notes = {
            "refactorise": f"LU of I - B in every process ({t_lu:.2f} s here)",
            "dense LU": "lu_solve reads all of L and U; SciPy imported",
            "L blocks": "1.6 MB read per country; no SciPy",
        }
        print(f"  {'way':<12} {'cold s (min-max)':>20} {'peak MiB':>9} {'on disk MiB':>12}  note")
        for name, measured in runs.items():
            seconds = statistics.median(r.seconds for r in measured)
            peak = statistics.median(r.peak_mib for r in measured)
            print(
                f"  {name:<12} {seconds:7.2f} ({spread([r.seconds for r in measured]):>11})"
                f" {peak:9.0f} {sizes[name]:12.0f}  {notes[name]}"
            )
        worst = max(
            abs(v - answers["refactorise"]) / answers["refactorise"] for v in answers.values()
        )
        print(f"  same answer from all three: max relative difference {worst:.1e}")
    print(f"  B is {density:.0%} dense (I - B: {np.count_nonzero(M):,} non-zeros)")
    sparse = scipy.sparse.csc_matrix(M)
    del M
    for spec in ("COLAMD", "MMD_AT_PLUS_A"):
        start = time.perf_counter()
        factors = scipy.sparse.linalg.splu(sparse, permc_spec=spec)
        seconds = time.perf_counter() - start
        nnz = factors.L.nnz + factors.U.nnz
        print(
            f"  SuperLU ({spec}): {seconds:.1f} s, L + U {nnz:,} non-zeros = {nnz * 12 / 2**20:.0f}"
            " MiB (values + indices); no public way to rebuild a solver from saved factors"
        )
        del factors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="cold runs with the cache present")
    ap.add_argument("--absent", type=int, default=1, help="cold runs with the cache absent")
    ap.add_argument("--warm", type=int, default=5, help="warm runs in this process")
    ap.add_argument("--storage", action="store_true", help="compare ways to keep L (slow)")
    ap.add_argument("--data-dir", help="data directory (default: a new temporary one)")
    args = ap.parse_args()

    print("tradelever benchmark: supply-chain on icio2022 (real data), MYS -> USA")
    print(describe_machine())
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        start = time.perf_counter()
        prepare(data_dir)
        seconds = time.perf_counter() - start
        print(f"prepared {data_dir} (data sets + network cache) in {seconds:.1f} s")

        runs = side_by_side(data_dir, args.repeat)
        print_side_by_side(runs)

        absent: list[Run] = []
        theirs: list[Run] = []
        for _ in range(args.absent):
            drop_network_cache(data_dir)
            absent.append(supply_chain_cli(data_dir))
            theirs.append(sanction_simulator())
        if absent:
            a_s = statistics.median(r.seconds for r in absent)
            a_m = statistics.median(r.peak_mib for r in absent)
            t_s = statistics.median(r.seconds for r in theirs)
            print(
                f"\ncold with the cache absent (first use of a data-set version: builds it),"
                f" {len(absent)} run(s):\n  tradelever {a_s:6.2f} s, peak {a_m:.0f} MiB;"
                f" sanction-simulator beside it {t_s:.2f} s: ratio {a_s / t_s:.2f}x"
            )

        from tradelever.analysis.network import extract
        from tradelever.api import Session

        session = Session(data_dir)
        session.supply_chain(HOME, PARTNER)
        model = session.view("icio2022").memo(("leontief_model",), lambda: None)
        med, best, _ = _timed(lambda: session.supply_chain(HOME, PARTNER), args.warm)
        print(f"\nwarm, in this process (median / best of {args.warm}):")
        print(
            f"  Session.supply_chain({HOME!r}, {PARTNER!r})          {med:7.3f} s / {best:7.3f} s"
        )
        med, best, joint = _timed(lambda: extract(model, HOME, PARTNER), args.warm)
        print(f"  joint extraction, all 50 industries (Woodbury) {med:7.3f} s / {best:7.3f} s")
        med, best, one = _timed(lambda: extract(model, HOME, PARTNER, ["C26"]), args.warm)
        print(f"  single extraction, C26 (Sherman-Morrison)      {med:7.3f} s / {best:7.3f} s")
        P = model.country_nodes(PARTNER)
        all_bn = joint.buyer_side_loss[P].sum() / 1e3  # type: ignore[union-attr]
        c26_bn = one.buyer_side_loss[P].sum() / 1e3  # type: ignore[union-attr]
        print(
            f"  ({PARTNER} output loss: all industries US${all_bn:.2f} bn, C26 only {c26_bn:.2f})"
        )
        if args.storage:
            _storage(data_dir, args.repeat)


if __name__ == "__main__":
    main()
