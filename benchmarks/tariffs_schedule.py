"""Benchmark: the US tariff schedule 2025-26 over every exporter and every change date.

Issue 11 target: ``tariffs`` for all covered exporters over every change date <= 2 s warm.

The trade lines are SYNTHETIC (generated here, not real trade), of the real size of the
Census 2024 HS10 file: 210,000 lines, 51 exporters (the codes the real data set carries,
EU-27 as one aggregate ``EUU``), about 20,000 distinct HS10 codes of which half extend a
prefix of the schedule's own lists (so exemptions and Section 232 lists really match),
log-normal values, MFN rates uniform on [0, 10%]. The schedule is the real packaged one.

Reproduce::

    python benchmarks/tariffs_schedule.py                 # 210,000 lines
    python benchmarks/tariffs_schedule.py --lines 50000   # smaller machine

Prints: loading the schedule (cold: YAML, lists, validation), indexing the lines (prefix
matching of every list, once), then the effective rates of all exporters on every change
date from 1 Jan 2025 to 31 Aug 2026 (warm: index reused), three times, and the peak
resident memory. The machine is shared with other work, so run it more than once.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np
import pandas as pd

EXPORTERS = (  # noqa: SIM905
    "EUU MEX CHN CAN JPN VNM KOR TWN IND GBR THA CHE MYS BRA SGP IDN ISR COL AUS TUR CHL ZAF "
    "PHL KHM SAU CRI PER ECU BGD ARG IRQ DOM ARE NOR NGA HKG VEN NZL HND PAK GTM NIC TTO LKA "
    "RUS DZA EGY SLV KWT AGO SVK"
).split()


def synthetic_lines(n_lines: int, seed: int = 11) -> pd.DataFrame:
    """SYNTHETIC trade lines (not real trade figures), real codes' shapes and list prefixes."""
    from tradelever.sources.us_tariffs import load_schedule

    rng = np.random.default_rng(seed)
    prefixes = sorted({c for pl in load_schedule().product_lists.values() for c in pl.codes})
    n_codes = 20_000
    half = n_codes // 2
    stems = rng.choice(prefixes, size=half)
    tails = rng.integers(0, 10**10, size=half)
    listed = [(s + f"{t:010d}")[:10] for s, t in zip(stems, tails, strict=True)]
    chapters = rng.integers(1, 98, size=n_codes - half)
    rest = [
        f"{c:02d}{t:08d}"
        for c, t in zip(chapters, rng.integers(0, 10**8, size=len(chapters)), strict=True)
    ]
    codes = np.array(listed + rest, dtype=object)
    # bigger exporters have more lines (a Zipf-like spread, as in the real file)
    weights = 1.0 / np.arange(1, len(EXPORTERS) + 1) ** 0.8
    exporter = rng.choice(EXPORTERS, size=n_lines, p=weights / weights.sum())
    return pd.DataFrame(
        {
            "exporter": exporter,
            "product": codes[rng.integers(0, n_codes, size=n_lines)],
            "value_usd": np.exp(rng.normal(13.0, 2.5, size=n_lines)),
            "mfn_rate": rng.uniform(0.0, 0.10, size=n_lines),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=float, default=210_000)
    args = parser.parse_args()
    n_lines = int(args.lines)

    t0 = time.perf_counter()
    from tradelever.analysis.tariffs import change_dates, effective_rates, index_lines
    from tradelever.sources.us_tariffs import load_schedule

    schedule = load_schedule()
    t_load = time.perf_counter() - t0
    lines = synthetic_lines(n_lines)
    dates = change_dates(schedule, "2025-01-01", "2026-08-31")

    t0 = time.perf_counter()
    index = index_lines(schedule, lines)
    t_index = time.perf_counter() - t0

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        table = effective_rates(schedule, index, dates)
        runs.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    effective_rates(schedule, lines, dates)  # index built inside the call
    t_total = time.perf_counter() - t0

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"SYNTHETIC lines: {n_lines:,} x {lines['exporter'].nunique()} exporters, "
        f"{lines['product'].nunique():,} distinct HS10 codes"
    )
    print(
        f"schedule: {len(schedule.measures)} measures, {len(schedule.exemptions)} exemptions, "
        f"{len(schedule.product_lists)} product lists; {len(dates)} change dates "
        f"{dates[0]} .. {dates[-1]}"
    )
    print(f"load schedule (cold, incl. imports)   {t_load:6.3f} s")
    print(f"index lines (prefix matching, once)   {t_index:6.3f} s")
    print(
        f"rates, all exporters x all dates      {min(runs):6.3f} s best, "
        f"{statistics.median(runs):6.3f} s median of 3 (warm, index reused; "
        f"{len(table):,} rows)"
    )
    print(f"rates from a lines table (index+rates) {t_total:6.3f} s")
    print(f"peak resident memory                  {peak_mib:6.0f} MiB")
    print("target: all covered exporters over every change date <= 2 s warm")


if __name__ == "__main__":
    main()
