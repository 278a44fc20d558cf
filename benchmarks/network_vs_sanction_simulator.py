"""Cross-check: hypothetical extraction vs sanction-simulator's rerouting model (real data).

Scenario: "MYS cannot sell to USA", an export ban by Malaysia on the United States: every
intermediate delivery from a Malaysian industry to a US industry stops (and, as a second
scenario, only the deliveries of C26, computer, electronic and optical products).

tradelever (``tradelever.analysis.network``), on the same ICIO 2022 arrays:
  - USA output loss: supply-driven (Ghosh) hypothetical extraction, primary inputs fixed;
  - MYS output loss: demand-driven (Leontief) extraction of the same cells, final demand
    fixed (MYS loses the sales and the upstream output behind them);
  at share 1 (all deliveries stop) and at share tau * (1 - delta) = 0.27, the part of the
  severed flows that sanction-simulator treats as unreplaceable.

sanction-simulator 0.1.4 (Bhattathiripad and Veetil, "Political Power in International
Trade"; ``power_trade_estimation.py``, imported here only, never by the package): the
severed flows leak through at delta, the network is rebalanced by two-sided RAS with
rerouting friction tau, and output follows a CES input bundle (rho = -1) with outer CES
capacity rationing (varrho = -1). Run at its defaults (tau = 0.3, delta = 0.1; issue 4:
USA loses US$9.35 bn, MYS US$5.64 bn) and at tau = 1, delta = 0 (nothing rerouted, nothing
leaks), which isolates the effect of their non-linear production side.

Then the two side by side in time and memory: the cold ``tradelever supply-chain MYS
--partner USA`` (a new process, the cache of ``L`` present) and sanction-simulator's
scenario at its defaults (a new process), interleaved ``--repeat`` times, with the ratios;
and the first use of a data-set version (cache absent, ``--absent`` runs), and the warm
query in this process. Peak memory is each child's own VmHWM.

Targets (issue 15, 2 cores): cold ``supply-chain`` <= 1.0x sanction-simulator's scenario
time, peak memory no worse than it.

Reproduce (about 2 minutes on 2 cores; ``--skip-model`` prints only the tradelever figures
of the cross-check and skips the timings)::

    python benchmarks/network_vs_sanction_simulator.py
    python benchmarks/network_vs_sanction_simulator.py --repeat 5 --absent 1
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from network_runs import (
    Run,
    describe_machine,
    drop_network_cache,
    prepare,
    print_side_by_side,
    sanction_simulator,
    side_by_side,
    supply_chain_cli,
)

HOME, PARTNER, INDUSTRY = "MYS", "USA", "C26"


def _ours(model: object, share: float, industries: list[str] | None) -> tuple[float, float, float]:
    from tradelever.analysis.network import LeontiefModel, extract

    assert isinstance(model, LeontiefModel)
    res = extract(model, HOME, PARTNER, industries, share=share)
    H, P = model.country_nodes(HOME), model.country_nodes(PARTNER)
    return (
        float(res.buyer_side_loss[P].sum()) / 1e3,  # US$ million -> bn
        float(res.seller_side_loss[H].sum()) / 1e3,
        float(res.deliveries.sum()) / 1e3,
    )


def _theirs(tau: float, delta: float, industry: str | None) -> tuple[float, float, float, str]:
    import sanction_simulator
    from sanction_simulator import power_trade_estimation as pte

    bench = pte.Benchmark(sanction_simulator.data_dir(), cache=sanction_simulator.bench_cache())
    seller, buyer = bench.cidx[HOME], bench.cidx[PARTNER]
    if industry is None:
        legs = pte.directional_legs(buyer, seller)  # [(l, k)]: l cannot sell to k
    else:
        mask = np.zeros(bench.S)
        mask[bench.sectors.index(industry)] = 1.0
        legs = [(seller, buyer, mask)]
    t0 = time.perf_counter()
    batch = pte.ScenarioBatch(bench, [legs], tau, delta)
    batch.balance()
    res = batch.solve(pte.RHO_BASE)
    seconds = time.perf_counter() - t0
    loss = (bench.s - res["s_omega"][0]).reshape(bench.S, bench.C).sum(axis=0)
    note = f"{seconds:.1f} s, fixed point {int(res['iters'][0])} its, err {res['err'][0]:.0e}"
    return float(loss[buyer]) / 1e3, float(loss[seller]) / 1e3, seconds, note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-model", action="store_true", help="do not run sanction-simulator")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved cold runs of each")
    ap.add_argument("--absent", type=int, default=1, help="cold runs with the cache absent")
    ap.add_argument("--warm", type=int, default=5, help="warm runs in this process")
    args = ap.parse_args()
    print(describe_machine())
    with tempfile.TemporaryDirectory() as data_dir:
        _run(args, data_dir)


def _run(args: argparse.Namespace, data_dir: str) -> None:
    t0 = time.perf_counter()
    prepare(data_dir)
    print(f"tradelever: store prepared and L cached in {time.perf_counter() - t0:.1f} s")
    from tradelever.api import Session

    session = Session(data_dir)
    session.supply_chain(HOME, PARTNER)
    model = session.view("icio2022").memo(("leontief_model",), lambda: None)
    unreplaceable = 0.3 * (1 - 0.1)
    rows: list[tuple[str, str, float, float]] = []
    for scope, sel in (("all industries", None), (f"{INDUSTRY} only", [INDUSTRY])):
        usa, mys, deliveries = _ours(model, 1.0, sel)
        print(f"  {HOME}->{PARTNER} intermediate deliveries, {scope}: US${deliveries:.2f} bn")
        rows.append((scope, "tradelever extraction, share 1", usa, mys))
        usa, mys, _ = _ours(model, unreplaceable, sel)
        rows.append((scope, f"tradelever extraction, share {unreplaceable:.2f}", usa, mys))
        if not args.skip_model:
            from sanction_simulator import power_trade_estimation as pte

            for tau, delta, label in (
                (pte.TAU_BASE, pte.DELTA_BASE, "sanction-simulator defaults"),
                (1.0, 0.0, "sanction-simulator, nothing rerouted"),
            ):
                usa, mys, _, note = _theirs(tau, delta, None if sel is None else INDUSTRY)
                rows.append((scope, f"{label} (tau={tau:g}, delta={delta:g})", usa, mys))
                print(f"  ran {label}, {scope}: {note}")

    print(f"\n{HOME} cannot sell to {PARTNER} (intermediate goods), gross-output loss, US$ bn")
    print(f"{'scope':<16} {'model':<58} {PARTNER:>8} {HOME:>8}")
    for scope, label, usa, mys in rows:
        print(f"{scope:<16} {label:<58} {usa:8.2f} {mys:8.2f}")
    print(
        "\nIssue 4 states for sanction-simulator's defaults: USA US$9.35 bn, MYS US$5.64 bn."
        "\n\nReading the table:"
        "\n- Seller side (MYS): with nothing rerouted (tau=1, delta=0) their model and the"
        "\n  demand-driven extraction agree (lost sales propagated upstream, a linear"
        "\n  mechanism in both); at their defaults only tau*(1-delta) = 27% of the severed"
        "\n  sales is lost, and the extraction at share 0.27 lands next to their figure."
        "\n- Buyer side (USA): the extraction is linear in values (a lost dollar of input"
        "\n  removes a dollar of output plus its downstream content). Their CES bundle"
        "\n  (elasticity 0.5, complements) and capacity rationing make a missing input cost"
        "\n  more than its value, so with nothing rerouted they find a larger loss than the"
        "\n  extraction; rerouting 73% of the severed flows (defaults) brings it below the"
        "\n  extraction at share 1 and above the extraction at share 0.27."
        "\n- So the extraction at share 1 bounds their default result from above (no"
        "\n  rerouting, no leakage, fixed final demand), and at share tau*(1-delta) it is a"
        "\n  lower bound for the buyer and a close match for the seller."
    )
    if args.skip_model:
        return

    print("\nTime and memory, side by side (the question each answers differs: see above)")
    print_side_by_side(side_by_side(data_dir, args.repeat))
    absent: list[Run] = []
    theirs: list[Run] = []
    for _ in range(args.absent):
        drop_network_cache(data_dir)
        absent.append(supply_chain_cli(data_dir))
        theirs.append(sanction_simulator())
    if absent:
        a_s = statistics.median(r.seconds for r in absent)
        t_s = statistics.median(r.seconds for r in theirs)
        print(
            f"  cache absent (first use of a data-set version builds L once): tradelever"
            f" {a_s:.2f} s, peak {statistics.median(r.peak_mib for r in absent):.0f} MiB;"
            f" sanction-simulator beside it {t_s:.2f} s: ratio {a_s / t_s:.2f}x"
        )
    times = []
    for _ in range(args.warm):
        start = time.perf_counter()
        session.supply_chain(HOME, PARTNER)
        times.append(time.perf_counter() - start)
    print(
        f"  warm Session.supply_chain in this process: median {statistics.median(times):.3f} s"
        f" of {args.warm}"
    )


if __name__ == "__main__":
    main()
