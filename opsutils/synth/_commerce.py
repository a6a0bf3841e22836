"""Stores, products, the BG/NBD purchase process, campaigns with planted lifts, and order baskets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsutils.synth._people import ACTIVATION, SALES_CHANNELS, _ids
from opsutils.synth._pools import CITIES, ORIGINS, FLAVOURS, PRODUCT_STEMS, VARIANTS

CATEGORIES = ("tea", "teaware", "snack", "gift", "lifestyle")
PERSONAS = ("tea_lover", "gift_buyer", "teaware_collector", "casual_snacker")
PERSONA_CATEGORY = np.array([
    [0.72, 0.10, 0.08, 0.05, 0.05],
    [0.25, 0.10, 0.07, 0.53, 0.05],
    [0.35, 0.45, 0.05, 0.05, 0.10],
    [0.35, 0.05, 0.47, 0.05, 0.08],
])
# Planted cross-sell pairs: (antecedent stem, consequent stem, probability the consequent is added)
CROSS_SELL = (("Pre-Qingming Longjing", "Glass Tasting Cup", 0.35),
              ("Raw Pu'er Cake", "Yixing Clay Teapot", 0.25),
              ("Mid-Autumn Mooncake Gift Box", "Tieguanyin Oolong", 0.30),
              ("Gongfu Tea Set", "Da Hong Pao Rock Oolong", 0.30))
DEVICE_SHARES = {  # ios, android, desktop, pos
    "app": (0.45, 0.55, 0, 0), "miniprogram": (0.40, 0.60, 0, 0), "web": (0.15, 0.25, 0.60, 0),
    "tmall": (0.40, 0.60, 0, 0), "douyin": (0.38, 0.62, 0, 0), "store": (0, 0, 0, 1.0),
}
DEVICES = ("ios", "android", "desktop", "pos")
PAYMENT = {
    "app": (("wechat_pay", 0.55), ("alipay", 0.40), ("card", 0.05)),
    "miniprogram": (("wechat_pay", 0.95), ("card", 0.05)),
    "web": (("alipay", 0.60), ("wechat_pay", 0.25), ("card", 0.15)),
    "tmall": (("alipay", 0.97), ("card", 0.03)),
    "douyin": (("douyin_pay", 0.60), ("wechat_pay", 0.25), ("alipay", 0.15)),
    "store": (("wechat_pay", 0.50), ("alipay", 0.30), ("card", 0.12), ("cash", 0.08)),
}
ONLINE_PICKUP_CHANNELS = (0, 1, 2)  # app, miniprogram, web


def make_stores(rng, cal, locale):
    rows = []
    for ci, c in enumerate(CITIES):
        if not c[6]:
            continue
        k = 1 + int(c[5] // 2.5)
        for _ in range(k):
            opened = cal.start - pd.Timedelta(days=int(rng.integers(60, 2200)))
            if rng.random() < 0.08:
                opened = cal.start + pd.Timedelta(days=int(rng.integers(30, 400)))
            rows.append((ci, opened))
    n = len(rows)
    city_idx = np.array([r[0] for r in rows])
    store_cities = np.unique(city_idx)
    treated_cities = rng.choice(store_cities, size=max(2, len(store_cities) * 2 // 5), replace=False)
    launch = pd.Timestamp(year=cal.end.year, month=4, day=1)
    treated = np.isin(city_idx, treated_cities)
    name_col = 0 if locale == "zh_CN" else 1
    df = pd.DataFrame({
        "store_id": _ids("ST", n, 3),
        "city": [CITIES[i][name_col] for i in city_idx],
        "city_tier": np.array([CITIES[i][4] for i in city_idx], dtype="int64"),
        "open_date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[s]"),
        "bopis_launch_date": pd.to_datetime([launch if t else pd.NaT for t in treated]).astype("datetime64[s]"),
    })
    return df, city_idx, np.sort(treated_cities), launch


def make_products(rng, cal, locale):
    n_stems = len(PRODUCT_STEMS)
    n = 200
    stem = np.concatenate([np.arange(n_stems), rng.integers(0, n_stems, n - n_stems)])
    stem = np.sort(stem, kind="stable")
    variants = VARIANTS[locale]
    rows = []
    seen: dict[str, int] = {}
    for s in stem:
        cat, sub, zh, en, (lo, hi), cost = PRODUCT_STEMS[s]
        v = variants[int(rng.integers(len(variants)))]
        base = f"{zh} {v}" if locale == "zh_CN" else f"{en} {v}"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base} #{seen[base]}"
        price = float(np.round(rng.uniform(lo, hi) / 10) * 10 - 1 if hi > 60 else np.round(rng.uniform(lo, hi)) - 0.1)
        rows.append((cat, sub, en, name, price, round(price * cost * rng.uniform(0.9, 1.1), 2)))
    launch = np.where(rng.random(n) < 0.7, cal.start - pd.to_timedelta(rng.integers(30, 1500, n), unit="D"),
                      cal.start + pd.to_timedelta(rng.integers(0, 500, n), unit="D"))
    cat = np.array([r[0] for r in rows], dtype=object)
    caffeine = np.where(cat == "tea", rng.choice(np.array(["low", "medium", "high"], dtype=object), n), "none")
    df = pd.DataFrame({
        "product_id": _ids("P", n, 4),
        "name": [r[3] for r in rows],
        "category": cat,
        "subcategory": [r[1] for r in rows],
        "price": np.array([r[4] for r in rows]),
        "unit_cost": np.array([r[5] for r in rows]),
        "launch_date": pd.to_datetime(launch).astype("datetime64[s]"),
        "origin": np.array(ORIGINS, dtype=object)[rng.integers(len(ORIGINS), size=n)],
        "flavour": np.array(FLAVOURS, dtype=object)[rng.integers(len(FLAVOURS), size=n)],
        "caffeine": caffeine,
        "is_gift": (cat == "gift") | (rng.random(n) < 0.1),
    })
    stems_en = np.array([r[2] for r in rows], dtype=object)
    popularity = rng.pareto(1.2, n) + 0.2
    return df, stems_en, popularity


def first_purchases(rng, cust, cal):
    """Delay from sign-up to first order: planted 7-day activation, then slow starters, then never."""
    n = len(cust["hours"])
    ch = np.array(SALES_CHANNELS)[cust["signup_channel_idx"]]
    p_act = np.array([ACTIVATION[c] for c in ch])
    u = rng.random(n)
    activated = u < p_act
    never = (~activated) & (rng.random(n) < 0.3)
    delay = np.where(activated, np.minimum(rng.exponential(30.0, n), 7 * 24 - 0.01),
                     7 * 24 + rng.exponential(45 * 24, n))
    t0 = cust["hours"] + delay
    buyer = (~never) & (t0 < cal.n_hours)
    return t0, buyer, activated


def repeat_purchases(rng, t0, buyer, lam, p_drop, cal, cum):
    """BG/NBD repeat purchases: Poisson(lambda) in operational time until dropout after a purchase."""
    idx = np.flatnonzero(buyer)
    op0 = cal.unwarp(cum, t0[idx])
    op_end = cum[-1]
    T_weeks = (op_end - op0) / 168.0
    N = rng.poisson(lam[idx] * T_weeks)
    K = rng.geometric(p_drop[idx])
    x = np.minimum(N, K)
    owner = np.repeat(idx, N)
    u = np.repeat(op0, N) + rng.random(N.sum()) * np.repeat(op_end - op0, N)
    order = np.lexsort((u, owner))
    owner, u = owner[order], u[order]
    start = np.repeat(np.cumsum(N) - N, N)
    rank = np.arange(N.sum()) - start
    keep = rank < np.repeat(x, N)
    return owner[keep], cal.warp(cum, u[keep])


def pick_channels(rng, cust, owner):
    sets = cust["channel_sets"][owner].astype(float)
    sets[np.arange(len(owner)), cust["signup_channel_idx"][owner]] *= 2.0
    cs = np.cumsum(sets, axis=1)
    u = rng.random(len(owner)) * cs[:, -1]
    return (cs > u[:, None]).argmax(axis=1)


def pick_devices(rng, channel_idx):
    probs = np.array([DEVICE_SHARES[c] for c in SALES_CHANNELS])[channel_idx]
    cs = np.cumsum(probs, axis=1)
    return (cs > rng.random(len(channel_idx))[:, None]).argmax(axis=1)


def gg_spend(rng, nu, owner, p):
    return rng.gamma(p, 1.0 / nu[owner])


def assign_baskets(rng, orders_gross, owner, persona, products, stems_en, popularity):
    """Order lines whose list prices fit each order's gross amount, with planted cross-sell pairs."""
    n = len(orders_gross)
    price = products["price"].to_numpy()
    cat = products["category"].to_numpy()
    lines = 1 + np.minimum(rng.poisson(0.45, n), 4)
    o = np.repeat(np.arange(n), lines)
    m = len(o)
    pc = PERSONA_CATEGORY[persona[owner[o]]]
    cat_idx = (np.cumsum(pc, axis=1) > rng.random(m)[:, None]).argmax(axis=1)
    budget = orders_gross[o] * 1.2 / lines[o]
    prod = np.empty(m, dtype=np.int64)
    for k, c in enumerate(CATEGORIES):
        sel = np.flatnonzero(cat_idx == k)
        members = np.flatnonzero(cat == c)
        members = members[np.argsort(price[members], kind="stable")]
        cp = np.cumsum(popularity[members])
        allowed = np.searchsorted(price[members], budget[sel], side="right")
        allowed = np.maximum(allowed, 1)
        pick = np.searchsorted(cp, rng.random(len(sel)) * cp[allowed - 1], side="right")
        prod[sel] = members[np.minimum(pick, allowed - 1)]
    # Cross-sell: the consequent joins the basket with a planted probability.
    top_of = {}
    for stem in {s for pair in CROSS_SELL for s in pair[:2]}:
        cand = np.flatnonzero(stems_en == stem)
        top_of[stem] = cand[np.argmax(popularity[cand])]
    add_o, add_p, pairs = [], [], []
    for ante, cons, prob in CROSS_SELL:
        a, c = top_of[ante], top_of[cons]
        has = np.unique(o[prod == a])
        chosen = has[rng.random(len(has)) < prob]
        add_o.append(chosen)
        add_p.append(np.full(len(chosen), c))
        pairs.append({"antecedent": str(a), "consequent": str(c), "probability": prob,
                      "antecedent_name": ante, "consequent_name": cons})
    o = np.concatenate([o, *add_o])
    prod = np.concatenate([prod, *add_p])
    items = pd.DataFrame({"o": o, "p": prod}).groupby(["o", "p"], sort=True).size().rename("quantity").reset_index()
    list_total = (price[items["p"]] * items["quantity"]).groupby(items["o"]).sum().to_numpy()
    # Scale the first line's quantity so that list prices roughly fit the order's value.
    first = ~items["o"].duplicated().to_numpy()
    extra = np.maximum(0, np.round((orders_gross - list_total) / price[items.loc[first, "p"]])).astype(int)
    q = items["quantity"].to_numpy().copy()
    q[first] += extra
    list_total = list_total + extra * price[items.loc[first, "p"]]
    factor = orders_gross / list_total
    unit_price = np.round(price[items["p"]] * factor[items["o"]], 2)
    items = pd.DataFrame({"o": items["o"].to_numpy(), "p": items["p"].to_numpy(), "quantity": q, "unit_price": unit_price})
    return items, pairs
