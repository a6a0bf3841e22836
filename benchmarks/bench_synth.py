"""Benchmark: synthetic-world generation time and throughput, against a row-by-row Faker baseline.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_synth.py --sizes 20000,100000``).
Both sides are measured in the same run on the same machine, so the ratio is what matters: the kit
builds text pools with Faker once and samples rows with numpy, where a naive generator calls Faker for
every field of every row.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from faker import Faker

from opsutils.synth import make_world
from opsutils.synth._calendar import build_calendar
from opsutils.synth._people import make_customers
from opsutils.synth._pools import build_pools


def faker_row_by_row(n: int, locale: str = "zh_CN", seed: int = 2025) -> float:
    """Rows per second of a customer table built with one Faker call per field per row."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    t = time.perf_counter()
    rows = [(fake.name(), fake.phone_number(), fake.email(), fake.address(), fake.city()) for _ in range(n)]
    dt = time.perf_counter() - t
    assert len(rows) == n
    return n / dt


def pooled_customers(n: int, locale: str = "zh_CN", seed: int = 2025) -> float:
    """Rows per second of the kit's customer stage (pools + numpy sampling), pools included."""
    t = time.perf_counter()
    pools = build_pools(locale, seed)
    cal, curves = build_calendar("2024-01-01", "2025-12-31")
    cust = make_customers(np.random.default_rng(seed), n, cal, curves, pools, locale)
    dt = time.perf_counter() - t
    assert len(cust["name"]) == n
    return n / dt


def world_run(n: int, trace_memory: bool) -> dict:
    if trace_memory:
        tracemalloc.start()
    t = time.perf_counter()
    w = make_world(n)
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**30 if trace_memory else float("nan")
    if trace_memory:
        tracemalloc.stop()
    rows = sum(len(df) for df in w.tables().values())
    return {"n_customers": n, "seconds": dt, "rows": rows, "events": len(w.events), "rows_per_s": rows / dt,
            "peak_gib": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,100000,1000000", help="comma-separated n_customers values")
    ap.add_argument("--baseline-rows", type=int, default=3000, help="rows for the row-by-row Faker baseline")
    ap.add_argument("--memory", action="store_true", help="trace peak Python memory (slower)")
    args = ap.parse_args()

    base = faker_row_by_row(args.baseline_rows)
    ours = pooled_customers(20_000)
    print("Customer-table text generation (same run, same machine)")
    print(f"  row-by-row Faker baseline : {base:>12,.0f} rows/s  ({args.baseline_rows:,} rows)")
    print(f"  pooled Faker + numpy      : {ours:>12,.0f} rows/s  (20,000 rows, pools included)")
    print(f"  speed-up                  : {ours / base:>12,.1f} x")
    print()
    print(f"{'customers':>10} {'seconds':>9} {'rows (all tables)':>18} {'events':>11} {'rows/s':>11} "
          f"{'vs baseline':>12} {'peak GiB':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        r = world_run(n, args.memory)
        print(f"{r['n_customers']:>10,} {r['seconds']:>9.1f} {r['rows']:>18,} {r['events']:>11,} "
              f"{r['rows_per_s']:>11,.0f} {r['rows_per_s'] / base:>11,.0f}x "
              f"{format(r['peak_gib'], '.2f') if args.memory else '-':>9}", flush=True)
    print("\n'vs baseline' compares whole-world rows/s with the baseline's customer rows/s; a row-by-row")
    print("generator would also have to simulate orders and events, so the true gap is larger.")
    if not args.memory:
        print("peak GiB: pass --memory to trace peak Python memory (slower).")


if __name__ == "__main__":
    main()
