"""Benchmark: CLV summaries and BG/NBD fits, against the ``lifetimes`` package measured in the same run.

Run with ``.venv/bin/python benchmarks/bench_clv.py`` (or ``make bench``). Options: ``--sizes`` (numbers
of transactions, default 1M and 10M), ``--fit-customers`` (default 1M), ``--peer-max`` (largest input
the slower peer is timed on, default 10M), ``--seed``.

What is timed (wall-clock, best of ``--repeat`` runs for the fast steps):

1. :func:`opsutils.clv.summary_from_transactions` vs ``lifetimes.utils.summary_data_from_transaction_data``
   on the same synthetic transactions (BG/NBD customers over two years, timestamps to the second), with
   ``freq="D", freq_multiplier=7`` on the peer's side so that both return full-precision weeks. The two
   results are compared (frequency, recency, T) before the times are reported.
2. :meth:`opsutils.clv.BetaGeo.fit` vs ``lifetimes.BetaGeoFitter.fit`` on the CDNOW sample (2,357
   customers) and on a simulated summary of ``--fit-customers`` customers, with the estimates side by side.

``lifetimes`` is only a benchmark peer here (its import needs ``pkg_resources``, removed from recent
setuptools); if it does not import, our absolute times are reported alone and the script says so.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd

from opsutils.clv import BetaGeo, summary_from_transactions
from opsutils.datasets import load_cdnow

START = np.datetime64("2024-01-01T00:00:00", "s")
WINDOW_DAYS = 730
PLANTED = {"r": 0.3, "alpha": 2.5, "a": 0.6, "b": 4.0}  # weekly, as in the course world


def _peer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import lifetimes
            import lifetimes.utils
        except Exception as exc:  # noqa: BLE001 - any import failure means "no peer"
            return None, f"{type(exc).__name__}: {exc}"
    return lifetimes, None


def simulate_transactions(n_transactions: int, seed: int) -> pd.DataFrame:
    """BG/NBD customers with first purchases spread over the first year, about ``n_transactions`` rows."""
    rng = np.random.default_rng(seed)
    per_customer = 4.6  # mean transactions per customer of this process over the window (measured)
    n = int(n_transactions / per_customer)
    first = rng.uniform(0, 365, n)  # days
    T = (WINDOW_DAYS - first) / 7
    lam = rng.gamma(PLANTED["r"], 1 / PLANTED["alpha"], n)
    p = rng.beta(PLANTED["a"], PLANTED["b"], n)
    N = rng.poisson(lam * T)
    K = rng.geometric(p)
    x = np.minimum(N, K)
    owner = np.repeat(np.arange(n), N)
    u = rng.random(N.sum()) * np.repeat(T, N)
    order = np.lexsort((u, owner))
    owner, u = owner[order], u[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(N) - N, N)
    keep = rank < np.repeat(x, N)
    cust = np.concatenate([np.arange(n), owner[keep]])
    days = np.concatenate([first, first[owner[keep]] + u[keep] * 7])
    seconds = np.minimum(days * 86400, WINDOW_DAYS * 86400 - 1).astype(np.int64)
    ts = START + seconds.astype("timedelta64[s]")
    df = pd.DataFrame({"customer_id": cust, "order_ts": ts.astype("datetime64[us]")})
    return df.iloc[:n_transactions].reset_index(drop=True) if len(df) > n_transactions else df


def simulate_summary(n_customers: int, seed: int) -> pd.DataFrame:
    """A BG/NBD calibration summary (frequency, recency, T in weeks, day resolution) for n customers."""
    rng = np.random.default_rng(seed)
    T = np.floor(rng.uniform(0, 365, n_customers)) / 7 + 52
    lam = rng.gamma(PLANTED["r"], 1 / PLANTED["alpha"], n_customers)
    p = rng.beta(PLANTED["a"], PLANTED["b"], n_customers)
    N = rng.poisson(lam * T)
    K = rng.geometric(p)
    x = np.minimum(N, K)
    # The x-th of N uniform points on (0, T): recency = T * Beta(x, N - x + 1).
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(N - x + 1, 1)), 0.0)
    t_x = np.minimum(np.floor(t_x * 7) / 7, T)
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": T})


def best_of(func, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_summaries(sizes, peer, peer_max, seed, repeat):
    rows = []
    for size in sizes:
        tx = simulate_transactions(size, seed)
        cal_end = "2025-12-31"
        ours_s, ours = best_of(lambda: summary_from_transactions(tx, calibration_end=cal_end), repeat)
        row = {"transactions": len(tx), "customers": len(ours), "opsutils_s": ours_s}
        if peer is not None and size <= peer_max:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                theirs = peer.utils.summary_data_from_transaction_data(
                    tx, "customer_id", "order_ts", observation_period_end=cal_end, freq="D", freq_multiplier=7)
                row["lifetimes_s"] = time.perf_counter() - t
            theirs = theirs.sort_index()
            same = (np.array_equal(theirs["frequency"].to_numpy(), ours["frequency"].to_numpy())
                    and np.allclose(theirs["recency"], ours["recency"]) and np.allclose(theirs["T"], ours["T"]))
            row["same_result"] = same
            row["speed-up"] = row["lifetimes_s"] / ours_s
        rows.append(row)
        del tx
    return pd.DataFrame(rows)


def bench_fits(fit_customers, peer, seed):
    cdnow = load_cdnow()
    big = simulate_summary(fit_customers, seed)
    rows = []
    for name, s in (("CDNOW (2,357)", cdnow), (f"simulated ({fit_customers:,})", big)):
        t = time.perf_counter()
        m = BetaGeo().fit(s["frequency"], s["recency"], s["T"])
        row = {"data": name, "opsutils_s": time.perf_counter() - t,
               "opsutils_params": {k: round(v, 4) for k, v in m.params_.items()},
               "opsutils_ll": round(m.log_likelihood_, 2)}
        if peer is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                f = peer.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
                row["lifetimes_s"] = time.perf_counter() - t
            row["lifetimes_params"] = {k: round(float(v), 4) for k, v in f.params_.items()}
            row["speed-up"] = row["lifetimes_s"] / row["opsutils_s"]
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--fit-customers", type=int, default=1_000_000)
    ap.add_argument("--peer-max", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args(argv)

    peer, why = _peer()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
          f"pandas {pd.__version__}")
    if peer is None:
        print(f"peer: lifetimes does not import here ({why}); reporting opsutils' absolute times only.")
    else:
        print(f"peer: lifetimes {peer.__version__} (same machine, same run)")
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 80)

    print("\n1. summary_from_transactions vs lifetimes.utils.summary_data_from_transaction_data")
    print(bench_summaries(args.sizes, peer, args.peer_max, args.seed, args.repeat).to_string(
        index=False, float_format=lambda x: f"{x:,.2f}"))
    print("\n2. BG/NBD fit: BetaGeo.fit vs lifetimes.BetaGeoFitter.fit")
    print(bench_fits(args.fit_customers, peer, args.seed).to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
