"""Benchmark: path building and exact Markov attribution, with baselines measured in the same run.

Run with ``.venv/bin/python benchmarks/bench_attribution.py`` (or ``make bench BENCH=attribution``).

1. :func:`opsutils.journey.paths_from_events` on the default world (1.3M events) and on a world ten times
   larger (``--scale``, generated and cached on first use), against a plain-pandas baseline of the same
   rule that builds every path's string with ``groupby(...).agg(" > ".join)`` (the first version of the
   function); the two outputs are compared before the times are reported.
2. :func:`opsutils.attribution.markov_attribution` on 10k and 1M distinct aggregated paths over 20
   channels (simulated), against the **ChannelAttribution** package's ``markov_model`` on the same
   paths if it can be imported. ChannelAttribution is GPL-licensed and estimates removal effects by
   simulating paths: it is a benchmark peer only, never a dependency of this kit. To time it, install it
   into a separate environment of the same Python and pass its site-packages folder::

       python3.11 -m venv /tmp/ca && /tmp/ca/bin/pip install ChannelAttribution
       make bench BENCH=attribution CA_PATH=/tmp/ca/lib/python3.11/site-packages
       # or: .venv/bin/python benchmarks/bench_attribution.py --peer-path /tmp/ca/lib/python3.11/site-packages

   (``CA_PATH`` reaches the script as the ``CHANNELATTRIBUTION_PATH`` environment variable.) Without the
   peer, our absolute times are reported and the script says so. Results measured here are recorded in
   ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd

from opsutils.attribution import markov_attribution
from opsutils.datasets import load_world
from opsutils.journey import TOUCH_EVENT_TYPES, paths_from_events

LOOKBACK, GAP = "30D", "3D"


def baseline_paths(events: pd.DataFrame, lookback: str = LOOKBACK, gap: str = GAP) -> pd.DataFrame:
    """The same path rule in plain pandas, one string join per path (the baseline)."""
    w, g = pd.Timedelta(lookback), pd.Timedelta(gap)
    ev = events[events["customer_id"].notna()
                & (events["event_type"].isin(TOUCH_EVENT_TYPES) | (events["event_type"] == "purchase"))]
    ev = ev[["customer_id", "ts", "channel", "event_type"]].assign(conv=lambda d: d["event_type"] == "purchase")
    ev = ev.sort_values(["customer_id", "ts", "conv"], kind="stable", ignore_index=True)
    ev["conv_ts"] = ev["ts"].where(ev["conv"])
    ev["conv_row"] = pd.Series(np.where(ev["conv"], ev.index, np.nan), index=ev.index)
    grp = ev.groupby("customer_id", sort=False)
    ev["next_ts"] = grp["conv_ts"].bfill()
    ev["next_row"] = grp["conv_row"].bfill()
    touch = ev[~ev["conv"]].copy()
    touch["assigned"] = (touch["next_ts"] - touch["ts"]) <= w
    # Converting paths stop (going back) at the first silence longer than the gap.
    a = touch[touch["assigned"]].copy()
    a["after"] = a.groupby("next_row")["ts"].shift(-1).fillna(a["next_ts"])
    a["brk"] = (a["after"] - a["ts"]) > g
    a["brk_after"] = a.iloc[::-1].groupby("next_row")["brk"].cummax().iloc[::-1]
    a = a[~a["brk_after"]]
    conv = a.groupby("next_row", sort=False)["channel"].agg(" > ".join).value_counts()
    n = touch[~touch.index.isin(a.index)].copy()
    n["n_conv"] = ev["conv"].cumsum().reindex(n.index)
    prev = n.groupby("customer_id", sort=False)
    new = ((n["customer_id"] != n["customer_id"].shift()) | ((n["ts"] - prev["ts"].shift()) > g)
           | (n["n_conv"] != prev["n_conv"].shift()))
    n["pid"] = new.cumsum()
    nulls = n.groupby("pid", sort=False)["channel"].agg(" > ".join).value_counts()
    out = pd.DataFrame({"conversions": conv, "nulls": nulls}).fillna(0).astype("int64").rename_axis("path")
    out = out.reset_index().assign(total=lambda d: d["conversions"] + d["nulls"])
    out = out.sort_values(["total", "path"], ascending=[False, True], ignore_index=True)
    return out[["path", "conversions", "nulls"]]


def simulated_paths(n_paths: int, seed: int, n_channels: int = 20) -> pd.DataFrame:
    """``n_paths`` distinct random paths over ``n_channels`` channels with conversions and nulls."""
    rng = np.random.default_rng(seed)
    names = np.array([f"ch{i:02d}" for i in range(n_channels)], dtype=object)
    seen: dict[str, None] = {}
    while len(seen) < n_paths:
        m = 2 * (n_paths - len(seen)) + 1000
        lengths = 1 + rng.geometric(0.25, m)
        codes = rng.integers(0, n_channels, lengths.sum())
        splits = np.split(names[codes], np.cumsum(lengths)[:-1])
        for parts in splits:
            seen.setdefault(" > ".join(parts), None)
            if len(seen) == n_paths:
                break
    paths = pd.DataFrame({"path": list(seen)})
    paths["conversions"] = rng.poisson(2.0, n_paths)
    paths["nulls"] = rng.poisson(4.0, n_paths)
    return paths


def _peer(path: str | None):
    if path:
        sys.path.append(path)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            import ChannelAttribution as ca
        except Exception as exc:  # noqa: BLE001 - any import failure means "no peer"
            return None, f"{type(exc).__name__}: {exc}"
    return ca, None


def timed(func):
    t = time.perf_counter()
    out = func()
    return time.perf_counter() - t, out


def bench_paths(scale: int, baseline_max_events: int) -> pd.DataFrame:
    rows = []
    for label, world in (("default world", load_world()), (f"{scale}x world", load_world(n_customers=20_000 * scale))):
        events = world.events
        ours_s, ours = timed(lambda: paths_from_events(events, lookback=LOOKBACK, gap=GAP))
        row = {"data": label, "events": len(events), "distinct paths": len(ours),
               "conversions": int(ours["conversions"].sum()), "opsutils_s": ours_s}
        if len(events) <= baseline_max_events:
            base_s, base = timed(lambda: baseline_paths(events))
            row["baseline_s"] = base_s
            row["same_result"] = base.equals(ours)
            row["speed-up"] = base_s / ours_s
        rows.append(row)
        del world, events
    return pd.DataFrame(rows)


def bench_markov(sizes, peer, peer_max: int, seed: int) -> pd.DataFrame:
    rows = []
    for n in sizes:
        paths = simulated_paths(n, seed)
        ours_s, ours = timed(lambda: markov_attribution(paths, nulls_col="nulls"))
        row = {"distinct paths": n, "touches": int(paths["path"].str.count(">").sum() + n), "opsutils_s": ours_s}
        if peer is not None and n <= peer_max:
            with contextlib.redirect_stdout(io.StringIO()):
                peer_s, res = timed(lambda: peer.markov_model(paths, "path", "conversions", var_null="nulls",
                                                              out_more=True, verbose=False, flg_pro=False))
            theirs = res["result"].set_index("channel_name")["total_conversions"]
            mine = ours.set_index("channel")["conversions"].reindex(theirs.index)
            row["ChannelAttribution_s"] = peer_s
            row["speed-up"] = peer_s / ours_s
            row["max |credit diff| / total"] = float((mine - theirs).abs().max() / paths["conversions"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=10, help="size of the larger world, in default worlds")
    ap.add_argument("--baseline-max-events", type=int, default=15_000_000,
                    help="largest event log the (slow) pandas baseline is timed on")
    ap.add_argument("--markov-sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--peer-path", default=os.environ.get("CHANNELATTRIBUTION_PATH") or None,
                    help="site-packages folder holding ChannelAttribution (default: $CHANNELATTRIBUTION_PATH)")
    ap.add_argument("--peer-max", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args(argv)

    peer, why = _peer(args.peer_path)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
          f"pandas {pd.__version__}")
    if peer is None:
        where = f"from {args.peer_path}" if args.peer_path else "from this environment (no --peer-path given)"
        print(f"peer: ChannelAttribution could not be imported {where} ({why}); reporting opsutils' "
              "absolute Markov times only (see the module docstring to add the peer).")
    else:
        from importlib.metadata import version

        print(f"peer: ChannelAttribution {version('ChannelAttribution')} (same machine, same run; "
              "simulation-based, default settings)")
    pd.set_option("display.width", 160)
    fmt = lambda x: f"{x:,.3f}"  # noqa: E731
    print(f"\n1. paths_from_events (lookback {LOOKBACK}, gap {GAP}) vs a plain-pandas baseline of the same rule")
    print(bench_paths(args.scale, args.baseline_max_events).to_string(index=False, float_format=fmt))
    print("\n2. markov_attribution (exact) vs ChannelAttribution.markov_model (simulated), 20 channels")
    print(bench_markov(args.markov_sizes, peer, args.peer_max, args.seed).to_string(index=False, float_format=fmt))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
