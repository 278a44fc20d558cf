"""Benchmark: one tariff scenario over every market of a synthetic 11-million-row year.

Issue 5 targets: one scenario over all markets of an 11-million-row year <= 5 s on 2
cores; 1,000 Monte Carlo draws for one home-partner pair <= 60 s.

The data are SYNTHETIC (generated here, not real trade): 150 real ISO3 economies x 5,000
HS6-like codes, about 15 suppliers per (importer, product) market, log-normal values. They
are written as a canonical ``flows`` data set into a temporary store, then read back through
``Store.table`` (DuckDB via Ibis) exactly as a real data set would be.

Reproduce::

    python benchmarks/scenario_pe.py            # 11 M rows
    python benchmarks/scenario_pe.py --rows 2e6  # smaller machine

Prints the timing of each stage: query (DuckDB -> pandas), then each model run over all
markets (schedule, elasticities, solve, sigma band, flags, result tables), twice per mode
(the first run of the process also pays for first-touch memory), once per mode without the
sigma band (``sensitivity=False``: one solve instead of three), and the draws for USA-MYS
(with the home view: three more solves for the Shapley and level/gap splits). The machine
is shared, so run it more than once.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

SCENARIO = {
    "name": "bench-all-markets",
    "description": "SYNTHETIC benchmark: every importer taxes China 25% and everyone else 10%",
    "measures": [
        {
            "importer": "all",
            "exporters": {"all_except": ["CHN"]},
            "products": "all",
            "new_rate": 0.10,
            "basis": "other",
            "source": "synthetic benchmark",
        },
        {
            "importer": "all",
            "exporters": ["CHN"],
            "products": "all",
            "new_rate": 0.25,
            "basis": "other",
            "source": "synthetic benchmark",
        },
    ],
}


def synthetic_flows(n_rows: int, seed: int = 5) -> pd.DataFrame:
    """SYNTHETIC flows: about ``n_rows`` rows for one year (not real trade figures)."""
    from tradelever.reference.countries import country_table

    rng = np.random.default_rng(seed)
    iso = [c for c in country_table()["iso3"] if c not in ("USA", "CHN", "MYS", "DEU")]
    countries = np.array(["USA", "CHN", "MYS", "DEU", *iso[:146]])
    n_c, n_p = len(countries), 5000
    if n_c != 150:  # the supplier construction below needs C - 1 = 149 (a prime)
        raise RuntimeError(f"expected 150 economies, got {n_c}")
    chapters = rng.integers(1, 98, n_p)
    products = np.array([f"{c:02d}{i:04d}" for c, i in zip(chapters, range(n_p), strict=True)])
    per_market = max(2, round(n_rows / (n_c * n_p)))
    n_markets = n_c * n_p
    importer = np.repeat(np.arange(n_c), n_p * per_market)
    product = np.tile(np.repeat(np.arange(n_p), per_market), n_c)
    # Distinct suppliers per market, as in BACI (one row per year, exporter, importer,
    # product): offsets a + j*b (mod C - 1) are distinct for j < C - 1 because C - 1 = 149 is
    # prime; exporter = importer + 1 + offset (mod C) is never the importer.
    n_other = n_c - 1
    a = np.repeat(rng.integers(0, n_other, n_markets), per_market)
    b = np.repeat(rng.integers(1, n_other, n_markets), per_market)
    j = np.tile(np.arange(per_market), n_markets)
    exporter = (importer + 1 + (a + j * b) % n_other) % n_c
    value = np.exp(rng.normal(12.0, 2.5, len(exporter)))
    frame = pd.DataFrame(
        {
            "dataset": "synthetic-bench",
            "year": np.int16(2023),
            "exporter": pd.Categorical.from_codes(exporter, countries),
            "importer": pd.Categorical.from_codes(importer, countries),
            "product": pd.Categorical.from_codes(product, products),
            "classification": "HS17",
            "value_usd": value,
            "quantity": np.nan,
        }
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=11e6)
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()

    from tradelever.analysis.scenarios import load_flows, load_scenario, run_on_flows
    from tradelever.analysis.scenarios.run import scenario_importers
    from tradelever.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        frame = synthetic_flows(int(args.rows))
        store = Store(tmp)
        manifest = {"source": "SYNTHETIC benchmark data", "years": [2023], "level": "hs6"}
        with store.stage("synthetic-bench", manifest) as staged:
            staged.write_table("flows", frame, partition_year=True)
        n = len(frame)
        del frame
        print(f"synthetic year: {n:,} rows written in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        from tradelever.reference.countries import group_names, resolve_country

        resolve_country("USA")
        group_names()
        print(f"country reference tables loaded once per process: {time.perf_counter() - t:.2f} s")
        sc = load_scenario(SCENARIO)
        t = time.perf_counter()
        flows = load_flows(
            store.table("synthetic-bench", "flows"),
            year=2023,
            importers=scenario_importers(sc),
            unique=True,  # one row per key, as a BACI year after ingest
        )
        t_query = time.perf_counter() - t
        print(f"query (DuckDB via Ibis -> pandas): {t_query:.2f} s, {len(flows):,} rows")
        runs = [(m, True) for m in ("smart", "ces", "smart", "ces")]
        runs += [("smart", False), ("ces", False)]
        for mode, band in runs:
            t = time.perf_counter()
            res = run_on_flows(
                flows,
                sc,
                mode=mode,
                industry_level=False,
                classification="HS17",
                sensitivity=band,
            )
            t_run = time.perf_counter() - t
            label = "with sigma band" if band else "no sigma band"
            print(
                f"{mode} ({label}): all {res.summary['markets_changed']:,} markets, "
                f"{len(res.rows):,} rows in {t_run:.2f} s (with the query: "
                f"{t_query + t_run:.2f} s)"
            )
            del res
        pair = flows[flows["importer"] == "USA"]
        finite = load_scenario({**SCENARIO, "elasticities": {"export_supply": 2.0}})
        for label, scen in (("perfectly elastic supply", sc), ("export supply 2.0", finite)):
            t = time.perf_counter()
            res = run_on_flows(
                pair,
                scen,
                mode="ces",
                home="MYS",
                draws=args.draws,
                industry_level=False,
                classification="HS17",
            )
            t_draws = time.perf_counter() - t
            hp = res.uncertainty["home_total_effect_usd"]
            print(
                f"ces, {label}, {args.draws} draws for USA-MYS ({len(pair):,} rows in USA's "
                f"markets): {t_draws:.1f} s; MYS total effect p5/p50/p95 = {hp['p5']:.3g} / "
                f"{hp['p50']:.3g} / {hp['p95']:.3g} (synthetic US$)"
            )


if __name__ == "__main__":
    main()
