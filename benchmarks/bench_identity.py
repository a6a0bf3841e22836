"""Benchmark: identity resolution of ~1M accounts, against plain-Python baselines measured in the same run.

Run with ``.venv/bin/python benchmarks/bench_identity.py`` (``--copies 30`` by default).

The default world's 33,126 accounts are stacked ``--copies`` times (30 copies: 993,780 accounts). Every
copy gets its own account ids and its own key values (a suffix on e-mail, UnionID and device id; the
3rd and 4th digit of the phone number set to the copy number, keeping each channel's house format), so
components never merge across copies and every copy resolves alike (20,266 persons per copy: fixing
two digits makes two pairs of the original's phone numbers coincide, 2 persons fewer than the 20,268 of
the unmodified world).

Two baselines run on a subsample (the first ``--baseline-copies`` copies, about 100k accounts):

* **union-find**: a plain-Python union-find (path halving, union by size) over the same links that
  :func:`opsutils.identity.link_accounts` returns; compared with the scipy connected-components step;
* **pure Python end to end**: per-row ``re`` normalisation, a dict from key value to first account,
  and the same union-find; compared with :func:`opsutils.identity.resolve_identities`.

Both sides are measured in the same run on the same machine, so the ratios are what matter. The goal
from the issue: 1M accounts resolved in at most 30 s.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from opsutils.datasets import load_world
from opsutils.identity import STRONG_KEYS, link_accounts, resolve_identities

GOAL_ACCOUNTS = 1_000_000
GOAL_SECONDS = 30.0

# The national number's 3rd and 4th digit, in any of the world's phone formats
# ("13903927018", "139-0392-7018", "+86 139 0392 7018").
_PHONE_DIGITS_3_4 = r"^(\+86 )?(1\d)\d([\s-]?)\d"


def stacked_accounts(copies: int) -> pd.DataFrame:
    """``copies`` copies of the default world's accounts with disjoint ids and key values."""
    accounts = load_world().accounts.drop(columns=["created_ts"])
    parts = []
    for c in range(copies):
        part = accounts.copy()
        suffix = f"-{c:02d}"
        part["account_id"] = part["account_id"] + suffix
        for key in ("email", "wechat_unionid", "device_id"):
            part[key] = part[key] + suffix
        d1, d2 = f"{c:02d}"
        part["phone"] = part["phone"].str.replace(_PHONE_DIGITS_3_4, rf"\g<1>\g<2>{d1}\g<3>{d2}", regex=True)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- #
# Plain-Python baselines
# --------------------------------------------------------------------------- #
def union_find_labels(account_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    """Root account of every account: union-find with path halving and union by size."""
    parent = {a: a for a in account_ids}
    size = dict.fromkeys(account_ids, 1)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
            size[ra] += size[rb]
    return {a: find(a) for a in account_ids}


_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()\[\]]")
_CN_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=\d{11}$)")
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _py_phone(value):
    if not isinstance(value, str):
        return None
    digits = _CN_PREFIX.sub("", _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)))
    return digits if _CN_MOBILE.fullmatch(digits) else None


def _py_email(value):
    if not isinstance(value, str):
        return None
    clean = unicodedata.normalize("NFKC", value).strip().lower()
    return clean if _EMAIL.fullmatch(clean) else None


def _py_other(value):
    if not isinstance(value, str):
        return None
    return value.strip() or None


def pure_python_resolve(records: list[dict]) -> dict[str, str]:
    """Normalise row by row, link each account to the first account with the same value, union-find."""
    normalisers = {"phone": _py_phone, "email": _py_email, "wechat_unionid": _py_other, "device_id": _py_other}
    records = sorted(records, key=lambda r: r["account_id"])
    edges = []
    for key, normalise in normalisers.items():
        first: dict[str, str] = {}
        for row in records:
            value = normalise(row[key])
            if value is None:
                continue
            owner = first.setdefault(value, row["account_id"])
            if owner != row["account_id"]:
                edges.append((row["account_id"], owner))
    return union_find_labels([r["account_id"] for r in records], edges)


def link_positions(account_ids: pd.Series, links: pd.DataFrame) -> tuple[int, np.ndarray, np.ndarray]:
    """Number of accounts and the links as row positions (prepared outside the timed step)."""
    index = pd.Index(account_ids)
    return len(index), index.get_indexer(links["account_id"]), index.get_indexer(links["linked_to"])


def scipy_components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Component label of every account from the links, with scipy (the step inside resolve_identities)."""
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)).tocsr()
    return connected_components(graph, directed=False)[1]


def same_partition(a: pd.Series, b: pd.Series) -> bool:
    """Whether two labelings of the same accounts define the same clusters."""
    pairs = pd.DataFrame({"a": a.to_numpy(), "b": b.to_numpy()}).drop_duplicates()
    return pairs["a"].nunique() == pairs["b"].nunique() == len(pairs)


def timed(fn, *args, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t)
    return out, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=30, help="copies of the default world's accounts to stack")
    ap.add_argument("--baseline-copies", type=int, default=3, help="copies in the baseline subsample")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is reported)")
    args = ap.parse_args()

    big = stacked_accounts(args.copies)
    n_big = len(big)
    sub = big.iloc[: n_big // args.copies * args.baseline_copies]
    n_sub = len(sub)

    # --- ours ------------------------------------------------------------------------------------
    persons_big, t_big = timed(resolve_identities, big, repeat=args.repeat)
    persons_sub, t_sub = timed(resolve_identities, sub, repeat=args.repeat)
    links_sub = link_accounts(sub)
    links_big = link_accounts(big)
    _, t_cc_sub = timed(scipy_components, *link_positions(sub["account_id"], links_sub), repeat=args.repeat)
    _, t_cc_big = timed(scipy_components, *link_positions(big["account_id"], links_big), repeat=args.repeat)

    # --- baselines ---------------------------------------------------------------------------------
    edge_list = list(zip(links_sub["account_id"].tolist(), links_sub["linked_to"].tolist()))
    ids_list = sub["account_id"].tolist()
    roots_uf, t_uf = timed(union_find_labels, ids_list, edge_list, repeat=args.repeat)
    records = sub[["account_id", *STRONG_KEYS]].astype(object).where(sub[["account_id", *STRONG_KEYS]].notna(),
                                                                       None).to_dict("records")
    roots_py, t_py = timed(pure_python_resolve, records, repeat=args.repeat)

    ours_sub = persons_sub.set_index("account_id")["person_id"]
    ok_uf = same_partition(ours_sub, pd.Series(roots_uf).reindex(ours_sub.index))
    ok_py = same_partition(ours_sub, pd.Series(roots_py).reindex(ours_sub.index))
    per_copy = persons_big["person_id"].nunique() / args.copies
    one_copy = resolve_identities(big.iloc[: n_big // args.copies])["person_id"].nunique()

    rate = lambda n, t: n / t  # noqa: E731
    print(f"Identity resolution benchmark (best of {args.repeat} runs; same run, same machine)")
    print(f"  stacked accounts: {n_big:,} ({args.copies} copies of {n_big // args.copies:,}); "
          f"links: {len(links_big):,}; persons: {persons_big['person_id'].nunique():,}")
    print(f"  baseline subsample: {n_sub:,} accounts ({args.baseline_copies} copies); links: {len(links_sub):,}")
    print()
    print(f"{'step':<44} {'accounts':>10} {'seconds':>8} {'accounts/s':>12} {'vs baseline':>12}")
    rows = [
        ("components: plain-Python union-find", n_sub, t_uf, None),
        ("components: scipy connected_components", n_sub, t_cc_sub, t_uf / t_cc_sub),
        ("components: scipy connected_components", n_big, t_cc_big, rate(n_big, t_cc_big) / rate(n_sub, t_uf)),
        ("end to end: pure Python (re + dict + UF)", n_sub, t_py, None),
        ("end to end: resolve_identities", n_sub, t_sub, t_py / t_sub),
        ("end to end: resolve_identities", n_big, t_big, rate(n_big, t_big) / rate(n_sub, t_py)),
    ]
    for label, n, t, ratio in rows:
        vs = "-" if ratio is None else f"{ratio:,.1f}x"
        print(f"{label:<44} {n:>10,} {t:>8.3f} {rate(n, t):>12,.0f} {vs:>12}")
    print()
    print(f"same clusters as union-find: {ok_uf}; as the pure-Python pipeline: {ok_py}; "
          f"persons per copy {per_copy:,.0f} = one copy alone {one_copy:,}: {per_copy == one_copy}")
    projected = t_big * GOAL_ACCOUNTS / n_big
    verdict = "met" if projected <= GOAL_SECONDS else "NOT met"
    print(f"goal: {GOAL_ACCOUNTS:,} accounts in <= {GOAL_SECONDS:.0f} s -> {t_big:.1f} s for {n_big:,} "
          f"(about {projected:.1f} s per million): {verdict}")


if __name__ == "__main__":
    main()
