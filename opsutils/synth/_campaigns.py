"""Campaigns, their exposures and the planted (incremental) effects on orders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TIER_NAMES = ("diamond", "core", "potential", "basic")
TIER_SHARES = (0.01, 0.18, 0.30)  # the rest is basic


@dataclass
class OrderBook:
    """Working arrays of orders while the world is being built (one entry per order)."""

    owner: np.ndarray
    hour: np.ndarray
    channel: np.ndarray
    device: np.ndarray
    spend: np.ndarray
    campaign: np.ndarray  # index into the campaign list, -1 for none
    origin: np.ndarray  # 0 base process, 1 BOPIS extra, 2 campaign incremental

    def append(self, **cols):
        for k, v in cols.items():
            setattr(self, k, np.concatenate([getattr(self, k), v]))

    def keep(self, mask):
        for k in ("owner", "hour", "channel", "device", "spend", "campaign", "origin"):
            setattr(self, k, getattr(self, k)[mask])

    def sort(self):
        o = np.lexsort((self.hour, self.owner))
        self.keep(o)

    def __len__(self):
        return len(self.owner)


def window_stats(book: OrderBook, cust_idx, t, width, *, n_customers, before=False):
    """Per exposure: number of orders and spend of that customer in (t, t+width] (or [t-width, t))."""
    key = book.owner.astype(np.float64) * 1e6 + book.hour
    order = np.argsort(key, kind="stable")
    key = key[order]
    cs = np.concatenate([[0.0], np.cumsum(book.spend[order])])
    base = cust_idx.astype(np.float64) * 1e6
    lo, hi = (base + t - width, base + t) if before else (base + t, base + t + width)
    side_lo, side_hi = ("left", "left") if before else ("right", "right")
    i = np.searchsorted(key, lo, side=side_lo)
    j = np.searchsorted(key, hi, side=side_hi)
    return j - i, cs[j] - cs[i], order, i, j


def tiers_at(book: OrderBook, t, n_customers):
    """Value tier of every customer by cumulative spend before hour ``t`` (buyers ranked; others basic)."""
    m = book.hour < t
    spend = np.bincount(book.owner[m], weights=book.spend[m], minlength=n_customers)
    tier = np.full(n_customers, 3)
    buyers = np.flatnonzero(spend > 0)
    if len(buyers):
        order = buyers[np.argsort(-spend[buyers], kind="stable")]
        cuts = np.floor(np.cumsum(TIER_SHARES) * len(buyers)).astype(int)
        tier[order[: cuts[0]]] = 0
        tier[order[cuts[0]: cuts[1]]] = 1
        tier[order[cuts[1]: cuts[2]]] = 2
    return tier


def plan_campaigns(cal):
    """The campaign calendar, anchored on the last calendar year of the window."""
    Y = cal.end.year
    plan = []

    def add(ctype, channel, start, days, target, holdout, lift, per_exp, fixed, exp=None, srm_drop=0.0):
        start = pd.Timestamp(start)
        if start < cal.start or start + pd.Timedelta(days=days) > cal.end + pd.Timedelta(days=1):
            return
        plan.append(dict(type=ctype, channel=channel, start=start, days=days, target=target, holdout=holdout,
                         lift=lift, per_exposure=per_exp, fixed=fixed, experiment=exp, srm_drop=srm_drop))

    for y in range(cal.start.year, Y + 1):
        add("welcome", "sms", f"{y}-01-01", 364, "new_signups", 0.10, 0.03, 0.05, 2000)
        add("activation", "app", f"{y}-01-01", 364, "not_activated_day3", 0.10, 0.04, 0.01, 1000)
        add("birthday", "wechat_oa", f"{y}-01-01", 364, "birthday_month", 0.10, 0.05, 0.02, 3000)
        add("festival_618", "douyin", f"{y}-06-01", 18, "buyers", 0.10, 0.010, 0.05, 150000)
        add("double11", "app", f"{y}-10-25", 17, "buyers", 0.10, 0.025, 0.05, 60000)
    add("winback", "sms", f"{Y - 1}-09-01", 14, "lapsed", 0.10, 0.04, 0.05, 5000)
    add("coupon_push", "app", f"{Y - 1}-09-15", 7, "active_180d", 0.10, 0.02, 0.05, 4000)
    add("coupon_push", "app", f"{Y}-03-10", 7, "active_180d_all", 0.50, 0.015, 0.05, 5000, exp="EXP-1")
    add("coupon_push", "app", f"{Y}-05-12", 7, "buyers_all", 0.50, 0.010, 0.05, 5000, exp="EXP-2", srm_drop=0.05)
    add("winback", "sms", f"{Y}-09-01", 14, "lapsed", 0.50,
        {"diamond": -0.01, "core": 0.0, "potential": 0.05, "basic": 0.04}, 0.05, 5000, exp="EXP-3")
    return plan


def _targets(rng, c, cal, cust, book, n):
    """Exposure rows (customer index, hour) for one campaign."""
    t_start = cal.hours_of(c["start"])
    t_end = t_start + c["days"] * 24
    signup = cust["hours"]
    consent = cust["consent"]
    if c["target"] == "new_signups":
        who = np.flatnonzero((signup >= t_start) & (signup < t_end) & consent)
        return who, signup[who] + 1.0
    if c["target"] == "not_activated_day3":
        who = np.flatnonzero((signup >= t_start) & (signup < t_end) & consent)
        cnt, *_ = window_stats(book, who, signup[who], 72.0, n_customers=n)
        who = who[cnt == 0]
        return who, signup[who] + 72.0
    if c["target"] == "birthday_month":
        days = np.array([pd.Timestamp(year=c["start"].year, month=m, day=1).day_of_year - 1
                         for m in range(1, 13)])
        t = t_start + days[cust["birth_month"] - 1] * 24.0 + rng.random(n) * 27 * 24 + 9
        who = np.flatnonzero(consent & (signup < t) & (t < t_end))
        return who, t[who]
    t = np.full(n, t_start + 10.0)
    if c["target"] in ("buyers", "buyers_all"):
        cnt, *_ = window_stats(book, np.arange(n), t, 1e7, n_customers=n, before=True)
        who = np.flatnonzero((consent | (c["target"] == "buyers_all")) & (cnt > 0))
    elif c["target"] == "active_180d_all":
        cnt, *_ = window_stats(book, np.arange(n), t, 180 * 24.0, n_customers=n, before=True)
        who = np.flatnonzero(cnt > 0)
    elif c["target"] == "active_180d":
        cnt, *_ = window_stats(book, np.arange(n), t, 180 * 24.0, n_customers=n, before=True)
        who = np.flatnonzero(consent & (cnt > 0))
    elif c["target"] == "lapsed":
        recent, *_ = window_stats(book, np.arange(n), t, 120 * 24.0, n_customers=n, before=True)
        year, *_ = window_stats(book, np.arange(n), t, 365 * 24.0, n_customers=n, before=True)
        who = np.flatnonzero(consent & (recent == 0) & (year > 0))
    else:  # pragma: no cover - plan and targets are defined together
        raise AssertionError(c["target"])
    jitter = rng.random(len(who)) * min(c["days"], 3) * 24
    return who, t[who] + jitter


def _ranges(lo, hi):
    """Concatenate ``arange(lo[k], hi[k])`` for every k, without a Python loop."""
    lens = hi - lo
    if lens.sum() == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(lo - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return starts + np.arange(lens.sum())


def _stratified_assignment(rng, strata, share):
    """Exact-share random assignment within each stratum.

    Strata combine the tier with the customer's *untreated* 7-day outcome, which only a simulator
    knows: it keeps the realised lift close to the planted one, so the default world tells its story.
    """
    treat = np.zeros(len(strata), dtype=bool)
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        idx = idx[rng.permutation(len(idx))]
        k = int(np.floor(share * len(idx) + rng.random()))
        treat[idx[:k]] = True
    return treat


def run_campaigns(rng, plan, cal, cust, book: OrderBook, nu, gg_p, pick_channel, pick_device):
    """Expose customers, add/remove incremental orders for the treatment groups, tag redeemed orders."""
    n = len(cust["hours"])
    exposures = []
    realised = []
    for k, c in enumerate(plan):
        who, t = _targets(rng, c, cal, cust, book, n)
        tier = tiers_at(book, float(np.min(t)) if len(t) else 0.0, n)[who]
        cnt, _, order, i, j = window_stats(book, who, t, 7 * 24.0, n_customers=n)
        natural = cnt > 0
        treat = _stratified_assignment(rng, natural * 4 + tier, 1.0 - c["holdout"])
        lift = c["lift"]
        delta = (np.array([lift[TIER_NAMES[x]] for x in tier]) if isinstance(lift, dict)
                 else np.full(len(who), float(lift)))
        b = natural[treat].mean() if treat.any() else 0.0
        # Positive effects add orders for round(delta * n_treated) treated non-converters; negative effects
        # remove the window's orders of as many treated converters. Exact counts keep the lift as planted.
        add = np.zeros(len(who), dtype=bool)
        drop = np.zeros(len(who), dtype=bool)
        for d_val in np.unique(delta[treat]):
            grp = treat & (delta == d_val)
            k_target = int(round(abs(d_val) * grp.sum()))
            pool = np.flatnonzero(grp & (~natural if d_val > 0 else natural))
            chosen = rng.permutation(pool)[: min(k_target, len(pool))]
            (add if d_val > 0 else drop)[chosen] = d_val != 0
        if drop.any():
            kill = np.zeros(len(book), dtype=bool)
            kill[order[_ranges(i[drop], j[drop])]] = True
            book.keep(~kill)
            cnt, _, order, i, j = window_stats(book, who, t, 7 * 24.0, n_customers=n)
        # Tag treated customers' natural orders in the window as redeemed.
        rows = order[_ranges(i[treat], j[treat])]
        book.campaign[rows[book.campaign[rows] < 0]] = k
        new_owner = who[add]
        if len(new_owner):
            new_hour = np.minimum(t[add] + rng.random(add.sum()) * 7 * 24.0, cal.n_hours - 0.01)
            ch = pick_channel(new_owner)
            book.append(owner=new_owner, hour=new_hour, channel=ch, device=pick_device(ch),
                        spend=rng.gamma(gg_p, 1.0 / nu[new_owner]), campaign=np.full(len(new_owner), k),
                        origin=np.full(len(new_owner), 2))
        keep = np.ones(len(who), dtype=bool)
        if c["srm_drop"]:
            keep = ~(treat & (rng.random(len(who)) < c["srm_drop"]))
        exposures.append(pd.DataFrame({"k": k, "c": who[keep], "h": t[keep], "treat": treat[keep],
                                       "tier": tier[keep]}))
        realised.append({"n_targeted": int(len(who)), "n_logged": int(keep.sum()),
                         "treatment_natural_rate": float(b), "orders_added": int(add.sum()),
                         "orders_removed_customers": int(drop.sum())})
    return pd.concat(exposures, ignore_index=True), realised
