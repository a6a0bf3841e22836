"""Behavioural events (funnels, marketing touch paths), service tickets and surveys."""

from __future__ import annotations

import numpy as np
import pandas as pd

from opsutils.synth._calendar import HOURLY
from opsutils.synth._commerce import DEVICES
from opsutils.synth._people import SALES_CHANNELS
from opsutils.synth._pools import SURVEY_COMMENTS, TICKET_NOISE, TICKET_TEMPLATES

ALL_CHANNELS = SALES_CHANNELS + ("xiaohongshu", "wechat_oa", "sms", "email", "call_center")
CH = {c: i for i, c in enumerate(ALL_CHANNELS)}
EVENT_TYPES = ("impression", "click", "content_view", "search", "product_view", "add_to_cart", "checkout",
               "payment_submit", "purchase", "store_visit", "coupon_claim", "share", "review", "service_contact")
ET = {e: i for i, e in enumerate(EVENT_TYPES)}
TOUCH_EVENT_TYPES = ("impression", "click")

# Marketing-touch Markov chain (first order). States are touch channels; absorbing: conversion, null.
TOUCH_STATES = ("xiaohongshu", "douyin", "wechat_oa", "sms", "email", "app")
TOUCH_START = np.array([0.30, 0.30, 0.15, 0.05, 0.05, 0.15])
TOUCH_P = np.array([
    # xhs   douyin oa    sms   email  app   conv  null
    [0.10, 0.10, 0.15, 0.00, 0.02, 0.15, 0.10, 0.38],
    [0.08, 0.12, 0.10, 0.00, 0.02, 0.15, 0.15, 0.38],
    [0.05, 0.05, 0.10, 0.05, 0.05, 0.20, 0.20, 0.30],
    [0.00, 0.02, 0.05, 0.05, 0.03, 0.25, 0.25, 0.35],
    [0.02, 0.02, 0.05, 0.02, 0.10, 0.20, 0.15, 0.44],
    [0.03, 0.03, 0.05, 0.02, 0.02, 0.15, 0.35, 0.35],
])
# Marketing touches are impressions and clicks. Content views come from the engagement process only, so
# their count per customer is a clean proxy of the latent engagement trait (not caused by buying).
TOUCH_TYPE_P = np.array([0.62, 0.38])  # impression, click

# Funnel step probabilities by sales channel: product_view->add_to_cart, ->checkout, ->payment_submit, ->purchase
FUNNEL = {"app": (0.52, 0.64, 0.88, 0.96), "miniprogram": (0.50, 0.62, 0.88, 0.96),
          "web": (0.42, 0.58, 0.86, 0.95), "tmall": (0.48, 0.63, 0.90, 0.97),
          "douyin": (0.36, 0.60, 0.87, 0.95)}
# Abandoned funnel sessions happen in the two days before the order they precede: short enough that
# weekly step rates follow the calendar (no lead before peaks, no gap at the window's end) and that a
# release date splits sessions cleanly.
ABANDON_WINDOW_HOURS = 48.0
FRICTION = {"channel": "miniprogram", "device": "android", "step": "checkout -> payment_submit",
            "rate_before": 0.88, "rate_after": 0.60}


def markov_truth():
    """Conversion probability and exact removal effects implied by the planted touch chain.

    Removing a channel follows the standard definition (Anderl et al. 2016, ChannelAttribution): a path
    that reaches the removed channel, at the start or later, ends without conversion. So its row and
    column of the transient block are zeroed and its conversion probability is 0.
    """
    k = len(TOUCH_STATES)
    Q = TOUCH_P[:, :k]
    R = TOUCH_P[:, k]

    def p_conv(active):
        Qa = Q * active[None, :] * active[:, None]
        v = np.linalg.solve(np.eye(k) - Qa, R * active)
        return float(TOUCH_START @ v)

    base = p_conv(np.ones(k))
    removal = {}
    for i, c in enumerate(TOUCH_STATES):
        a = np.ones(k)
        a[i] = 0.0
        removal[c] = 1.0 - p_conv(a) / base
    return base, removal


def simulate_paths(rng, n_conv):
    """Simulate the touch chain until ``n_conv`` paths converted.

    Returns two int8 matrices (converting paths, null paths), one path per row, states left-aligned and
    padded with -1. Null paths are those simulated before the last converting path was reached, so the
    conversion/null ratio is the chain's own.
    """
    k = len(TOUCH_STATES)
    cum = np.cumsum(TOUCH_P, axis=1)
    p_conv, _ = markov_truth()
    conv_parts, null_parts, got = [], [], 0
    while got < n_conv:
        batch = int((n_conv - got) / p_conv * 1.05) + 1000
        state = (np.cumsum(TOUCH_START) > rng.random(batch)[:, None]).argmax(axis=1)
        H = np.full((batch, 12), -1, dtype=np.int8)
        H[:, 0] = state
        outcome = np.full(batch, 1)  # paths still alive after 12 touches end without conversion
        alive = np.ones(batch, dtype=bool)
        for step in range(1, 12):
            nxt = (cum[state] > rng.random(batch)[:, None]).argmax(axis=1)
            done = alive & (nxt >= k)
            outcome[done] = nxt[done] - k
            alive &= nxt < k
            state = np.where(alive, nxt, state)
            H[alive, step] = nxt[alive]
            if not alive.any():
                break
        conv_idx = np.flatnonzero(outcome == 0)
        null_idx = np.flatnonzero(outcome != 0)
        need = n_conv - got
        if len(conv_idx) > need:
            cutoff = conv_idx[need - 1]
            conv_idx = conv_idx[:need]
            null_idx = null_idx[null_idx < cutoff]
        conv_parts.append(H[conv_idx])
        null_parts.append(H[null_idx])
        got += len(conv_idx)
    return np.concatenate(conv_parts), np.concatenate(null_parts)


class EventBuffer:
    def __init__(self):
        self.parts = []
        self.n_sessions = 0

    def new_sessions(self, n):
        s = np.arange(self.n_sessions, self.n_sessions + n)
        self.n_sessions += n
        return s

    def add(self, hour, cust, channel, device, etype, session, campaign=None, product=None):
        m = len(hour)
        # Compact dtypes: a million-customer world has ~60 million events.
        self.parts.append(dict(
            hour=np.asarray(hour, float), cust=np.asarray(cust, np.int32), channel=np.asarray(channel, np.int8),
            device=np.asarray(device, np.int8), etype=np.asarray(etype, np.int8),
            session=np.asarray(session, np.int64),
            campaign=np.full(m, -1, np.int16) if campaign is None else np.asarray(campaign, np.int16),
            product=np.full(m, -1, np.int16) if product is None else np.asarray(product, np.int16)))

    def concat(self):
        """Concatenate column by column, releasing the parts as it goes (keeps the peak memory low)."""
        keys = list(self.parts[0])
        out = {}
        for k in keys:
            out[k] = np.concatenate([p.pop(k) for p in self.parts])
        self.parts = []
        return out


def _session_events(buf, rng, cust, channel, device, end_hour, depth, product, search):
    """Sessions that go ``depth`` steps into the funnel (1 = product views only ... 5 = purchase)."""
    n = len(cust)
    sess = buf.new_sessions(n)
    n_pv = 1 + rng.poisson(0.25, n)
    s_idx = [np.repeat(np.arange(n), n_pv)]
    e_idx = [np.full(n_pv.sum(), ET["product_view"])]
    has_search = search & (rng.random(n) < 0.2)
    s_idx.append(np.flatnonzero(has_search))
    e_idx.append(np.full(has_search.sum(), ET["search"]))
    for d, et in zip(range(2, 6), ("add_to_cart", "checkout", "payment_submit", "purchase")):
        sel = np.flatnonzero(depth >= d)
        s_idx.append(sel)
        e_idx.append(np.full(len(sel), ET[et]))
    s_idx = np.concatenate(s_idx)
    e_idx = np.concatenate(e_idx)
    order = np.lexsort((np.where(e_idx == ET["search"], -1, e_idx), s_idx))
    s_idx, e_idx = s_idx[order], e_idx[order]
    # Events a few minutes apart, in funnel order: each event's time before the session's last event is
    # the sum of the gaps that follow it (a running sum within the session, so steps stay in order).
    counts = np.bincount(s_idx, minlength=n)
    gap_min = rng.exponential(1.5, len(s_idx)) + 0.2
    gap_min[np.cumsum(counts)[counts > 0] - 1] = 0.0  # nothing follows the last event
    within = np.cumsum(gap_min)  # gaps up to and including each event's own (the one after it)
    session_total = within[np.cumsum(counts)[counts > 0] - 1]
    before_end = np.repeat(session_total, counts[counts > 0]) - within + gap_min
    hours = end_hour[s_idx] - before_end / 60.0
    prod = np.where(np.isin(e_idx, [ET["product_view"], ET["add_to_cart"]]), product[s_idx], -1)
    buf.add(hours, cust[s_idx], channel[s_idx], device[s_idx], e_idx, sess[s_idx], product=prod)


def funnel_events(rng, buf, orders, dropped, cal, release_hour, n_products, popularity):
    """Converting sessions for kept online orders; abandoned sessions for every original online order."""
    pop = popularity / popularity.sum()
    # Converting sessions
    online = orders["channel"] != CH["store"]
    o = {k: v[online] for k, v in orders.items()}
    depth = np.full(len(o["owner"]), 5)
    _session_events(buf, rng, o["owner"], o["channel"], o["device"], o["hour"], depth, o["product"],
                    np.ones(len(depth), bool))
    # Abandoned sessions for kept + dropped orders
    allo = {k: np.concatenate([o[k], dropped[k]]) for k in ("owner", "hour", "channel", "device")}
    m = len(allo["owner"])
    p = np.array([FUNNEL[SALES_CHANNELS[c]] for c in allo["channel"]]) if m else np.zeros((0, 4))
    p1, p2, p30, p4 = p.T
    seg = ((allo["channel"] == CH[FRICTION["channel"]]) & (allo["device"] == DEVICES.index(FRICTION["device"]))
           & (allo["hour"] >= release_hour))
    p3s = np.where(seg, FRICTION["rate_after"], p30)
    expect = np.stack([(1 - p1) / (p1 * p2 * p30 * p4), (1 - p2) / (p2 * p30 * p4),
                       (1 - p3s) / (p30 * p4), p3s * (1 - p4) / (p30 * p4)], axis=1)
    counts = rng.poisson(expect)
    for d in range(4):
        idx = np.repeat(np.arange(m), counts[:, d])
        # Abandoned visits fall in the ABANDON_WINDOW_HOURS before the order they precede. (Sessions
        # are kept or dropped by where a 14-day window would have put them, which leaves the random
        # stream of every later event unchanged.)
        u = rng.random(len(idx))
        ok = allo["hour"][idx] - u * 14 * 24 > 0
        t = allo["hour"][idx] - u * ABANDON_WINDOW_HOURS
        idx, t = idx[ok], t[ok]
        prod = rng.choice(n_products, len(idx), p=pop)
        _session_events(buf, rng, allo["owner"][idx], allo["channel"][idx], allo["device"][idx], t,
                        np.full(len(idx), d + 1), prod, np.ones(len(idx), bool))


def store_events(rng, buf, orders):
    st = orders["channel"] == CH["store"]
    n = int(st.sum())
    sess = buf.new_sessions(n)
    h = orders["hour"][st]
    for et, dt in (("store_visit", -rng.random(n) * 0.5), ("purchase", np.zeros(n))):
        buf.add(h + dt, orders["owner"][st], np.full(n, CH["store"]), np.full(n, DEVICES.index("pos")),
                np.full(n, ET[et]), sess)


def touch_events(rng, buf, orders, signup_hours, engagement, cal):
    """Marketing touches: converting paths end at each order; null paths fall on random customers."""
    n_orders = len(orders["owner"])
    conv, null = simulate_paths(rng, n_orders)
    touch_ch = np.array([CH[c] for c in TOUCH_STATES])

    def emit(paths, owner, end_hour, gap_scale):
        lens = (paths >= 0).sum(axis=1)
        flat = touch_ch[paths[paths >= 0]]
        own = np.repeat(owner, lens)
        start = np.repeat(np.cumsum(lens) - lens, lens)
        rank = np.arange(lens.sum()) - start
        back = np.repeat(lens, lens) - 1 - rank  # touches after this one
        gaps = rng.exponential(gap_scale, lens.sum())
        # hours before the end: last touch within a day, earlier ones spaced by the gaps (cap 29 days)
        cum_back = np.zeros(lens.sum())
        # accumulate gaps from the end within each path
        order = np.lexsort((back, np.repeat(np.arange(len(lens)), lens)))
        g = gaps[order]
        pid = np.repeat(np.arange(len(lens)), lens)[order]
        cs = np.cumsum(g)
        first = np.concatenate([[0], np.cumsum(lens)[:-1]])
        base_cs = np.repeat(cs[first] - g[first], lens)
        cum_back[order] = cs - base_cs
        cum_back = np.minimum(cum_back, 29 * 24 - rng.random(lens.sum()))
        hours = np.repeat(end_hour, lens) - cum_back
        device = np.where(flat == CH["email"], rng.choice([0, 1, 2], lens.sum(), p=[0.3, 0.3, 0.4]),
                          rng.choice([0, 1], lens.sum(), p=[0.4, 0.6]))
        etype = rng.choice(len(TOUCH_TYPE_P), lens.sum(), p=TOUCH_TYPE_P)
        sess = buf.new_sessions(lens.sum())
        buf.add(hours, own, flat, device, etype, sess)
        return pid

    emit(conv, orders["owner"], orders["hour"] - rng.random(n_orders) * 0.5, 2.0 * 24)
    # Null paths: engaged customers see more content.
    n = len(signup_hours)
    w = np.exp(0.7 * engagement)
    owners = rng.choice(n, len(null), p=w / w.sum())
    lo = np.maximum(signup_hours[owners] - 30 * 24, 24 * 30)
    end_h = lo + rng.random(len(null)) * (cal.n_hours - lo)
    emit(null, owners, end_h, 2.0 * 24)
    return len(conv), len(null)


def engagement_events(rng, buf, signup_hours, engagement, cal):
    n = len(signup_hours)
    k = rng.poisson(3.0 * np.exp(0.7 * engagement))
    own = np.repeat(np.arange(n), k)
    h = signup_hours[own] + rng.random(len(own)) * (cal.n_hours - signup_hours[own])
    ch = np.where(rng.random(len(own)) < 0.6, CH["wechat_oa"], CH["xiaohongshu"])
    buf.add(h, own, ch, rng.choice([0, 1], len(own), p=[0.4, 0.6]), np.full(len(own), ET["content_view"]),
            buf.new_sessions(len(own)))


def make_tickets(rng, orders, cust, tiers_by_quarter, quarter_edges, cal, locale, agents):
    """Service tickets with tier SLAs, planted breach patterns and templated text."""
    n_c = len(cust["hours"])
    from_order = rng.random(len(orders["owner"])) < 0.09
    cats_o = np.array(["logistics", "refund", "quality", "payment"], dtype=object)
    cat_o = cats_o[rng.choice(4, from_order.sum(), p=[0.40, 0.25, 0.20, 0.15])]
    store_o = orders["channel"][from_order] == CH["store"]
    cat_o = np.where(store_o & (cat_o == "logistics"), "quality", cat_o)
    day_o = np.floor((orders["hour"][from_order] + 6 + rng.exponential(60, from_order.sum())) / 24)
    owner_o = orders["owner"][from_order]
    k = rng.poisson(0.2, n_c)
    owner_n = np.repeat(np.arange(n_c), k)
    cat_n = np.where(rng.random(len(owner_n)) < 0.5, "account", "product_question").astype(object)
    day_n = np.floor((cust["hours"][owner_n] + rng.random(len(owner_n)) * (cal.n_hours - cust["hours"][owner_n])) / 24)
    owner = np.concatenate([owner_o, owner_n])
    cat = np.concatenate([cat_o, cat_n])
    day = np.concatenate([day_o, day_n])
    prof = HOURLY ** 0.8 / (HOURLY ** 0.8).sum()
    created = day * 24 + rng.choice(24, len(day), p=prof) + rng.random(len(day))
    ok = created < cal.n_hours - 1
    owner, cat, created = owner[ok], cat[ok], created[ok]
    order = np.argsort(created, kind="stable")
    owner, cat, created = owner[order], cat[order], created[order]
    m = len(owner)
    q = np.clip(np.searchsorted(quarter_edges, created, side="right") - 1, 0, len(tiers_by_quarter) - 1)
    tier = tiers_by_quarter[q, owner]
    tier_names = np.array(["diamond", "core", "potential", "basic"], dtype=object)
    sla = np.array([1.0, 4.0, 24.0, 48.0])[tier]
    ts = cal.to_timestamps(created)
    dow = pd.DatetimeIndex(ts).day_of_week.to_numpy()
    weekend = dow >= 5
    d11 = (pd.DatetimeIndex(ts).month == 11) & (pd.DatetimeIndex(ts).day <= 14)
    mult = np.where(weekend, 1.8, 1.0) * np.where(cat == "refund", 1.4, 1.0) * np.where(d11, 2.0, 1.0)
    first_resp = sla * np.exp(np.log(0.3) + 0.6 * rng.standard_normal(m)) * mult
    breach = first_resp > sla
    res_med = {"product_question": 0.5, "account": 4, "payment": 6, "logistics": 24, "refund": 48, "quality": 36}
    resolve = first_resp + np.array([res_med[c] for c in cat]) * np.exp(0.7 * rng.standard_normal(m))
    fcr_p = {"product_question": 0.9, "account": 0.75, "payment": 0.7, "logistics": 0.6, "refund": 0.5, "quality": 0.55}
    fcr = rng.random(m) < np.array([fcr_p[c] for c in cat])
    reopened = rng.random(m) < np.where(fcr, 0.03, 0.25)
    latent = 4.3 - 0.9 * breach - 0.6 * (~fcr) - 0.5 * reopened + 0.7 * rng.standard_normal(m)
    csat = pd.array(np.clip(np.round(latent), 1, 5).astype("int64"), dtype="Int64")
    csat[rng.random(m) < 0.4] = pd.NA
    has_store = cust["has_store_city"][owner]
    chans = np.array(["call_center", "app", "miniprogram", "wechat_oa", "store"], dtype=object)
    channel = chans[rng.choice(5, m, p=[0.40, 0.20, 0.20, 0.10, 0.10])]
    channel = np.where((channel == "store") & ~has_store, "call_center", channel)
    handle = np.where(channel == "call_center", rng.lognormal(np.log(6.0), 0.5, m), rng.lognormal(np.log(10), 0.6, m))
    priority = np.where((tier <= 1) | ((np.isin(cat, ["quality", "payment"])) & (rng.random(m) < 0.5)), "high",
                        np.where(cat == "product_question", "low", "normal")).astype(object)
    # Text: the category's template most of the time, another category's 12% of the time.
    templ = TICKET_TEMPLATES[locale]
    cats = list(templ)
    shown = np.where(rng.random(m) < 0.12, np.array(cats, dtype=object)[rng.integers(len(cats), size=m)], cat)
    noise = TICKET_NOISE[locale]
    texts = np.empty(m, dtype=object)
    pick = rng.integers(0, 4, m)
    nz = rng.integers(0, len(noise), m)
    days = rng.integers(3, 12, m)
    sep = "，" if locale == "zh_CN" else ", "
    for i in range(m):
        t = templ[shown[i]][pick[i]].replace("{n}", str(days[i]))
        texts[i] = t if not noise[nz[i]] else t + sep + noise[nz[i]]
    df = pd.DataFrame({
        "ticket_id": np.array([f"T{i:07d}" for i in range(1, m + 1)], dtype=object),
        "customer_id": owner,  # index, mapped to ids by the caller
        "created_ts": ts,
        "channel": channel,
        "category": cat,
        "text": texts,
        "priority": priority,
        "tier": tier_names[tier],
        "first_response_ts": cal.to_timestamps(created + first_resp),
        "resolved_ts": cal.to_timestamps(created + resolve),
        "first_contact_resolution": fcr,
        "reopened": reopened,
        "csat": csat,
        "agent_id": np.array([f"AG{x:03d}" for x in rng.integers(1, len(agents) + 1, m)], dtype=object),
        "handle_minutes": np.round(handle, 1),
    })
    info = {"sla_hours": {"diamond": 1, "core": 4, "potential": 24, "basic": 48},
            "first_response_median_share_of_sla": 0.3,
            "breach_multipliers": {"weekend": 1.8, "refund": 1.4, "double11_first_two_weeks_of_november": 2.0},
            "breach_rate_realised": float(breach.mean()),
            "breach_rate_weekend_realised": float(breach[weekend].mean()),
            "breach_rate_weekday_realised": float(breach[~weekend].mean()),
            "text_from_other_category_share": 0.12}
    return df, created, info


def make_surveys(rng, orders, tickets, ticket_hours, cust, gen, cal, locale, slope=0.053):
    """Surveys whose service score predicts 90-day repurchase with a planted linear slope."""
    so = rng.random(len(orders["owner"])) < 0.10
    st = rng.random(len(tickets)) < 0.35
    owner = np.concatenate([orders["owner"][so], tickets["customer_id"].to_numpy()[st]])
    tp_o = np.array(ALL_CHANNELS, dtype=object)[orders["channel"][so]]
    tp = np.concatenate([tp_o, tickets["channel"].to_numpy()[st]])
    resolved_h = ((tickets["resolved_ts"] - cal.start) / pd.Timedelta(hours=1)).to_numpy()[st]
    h = np.concatenate([orders["hour"][so] + 24 + rng.random(so.sum()) * 48, resolved_h + 2 + rng.random(st.sum()) * 24])
    ok = h < cal.n_hours - 1
    owner, tp, h = owner[ok], tp[ok], h[ok]
    srt = np.argsort(h, kind="stable")
    owner, tp, h = owner[srt], tp[srt], h[srt]
    m = len(owner)
    # Repurchase within 90 days after the survey (only knowable with a full window).
    key = orders["owner"].astype(float) * 1e6 + orders["hour"]
    key.sort()
    base = owner.astype(float) * 1e6
    R = np.searchsorted(key, base + h + 90 * 24, side="right") > np.searchsorted(key, base + h, side="right")
    eligible = h <= cal.n_hours - 90 * 24
    ps = np.array([0.06, 0.10, 0.22, 0.34, 0.28])
    s_vals = np.arange(1, 6)
    s_bar = float(ps @ s_vals)
    pi = R[eligible].mean() if eligible.any() else 0.3
    p_r = np.clip(pi + slope * (s_vals - s_bar), 0.01, 0.99)
    post1 = ps * p_r / (ps * p_r).sum()
    post0 = ps * (1 - p_r) / (ps * (1 - p_r)).sum()
    probs = np.where(eligible[:, None], np.where(R[:, None], post1, post0), ps)
    score = (np.cumsum(probs, axis=1) > rng.random(m)[:, None]).argmax(axis=1) + 1
    nps = np.clip(np.round(2 * score - 0.5 + 1.3 * rng.standard_normal(m)), 0, 10).astype("int64")
    csat = np.clip(np.round(score + 0.6 * rng.standard_normal(m)), 1, 5).astype("int64")
    mood = np.where(score <= 2, "neg", np.where(score == 3, "neu", "pos"))
    com = SURVEY_COMMENTS[locale]
    idx = rng.integers(0, 5, m)
    comment = np.array([com[md][i] for md, i in zip(mood, idx)], dtype=object)
    comment[rng.random(m) < 0.4] = None
    premium_p = np.array([0.85, 0.62, 0.45, 0.30])
    premium = rng.random(m) < premium_p[gen[owner]]
    df = pd.DataFrame({
        "survey_id": np.array([f"S{i:07d}" for i in range(1, m + 1)], dtype=object),
        "customer_id": owner,
        "ts": cal.to_timestamps(h),
        "touchpoint": tp,
        "nps": nps,
        "csat": csat,
        "service_score": score.astype("int64"),
        "comment": comment,
        "pays_premium_for_seamless": premium,
    })
    info = {"service_score_repurchase_slope_pp": slope * 100, "repurchase_window_days": 90,
            "baseline_repurchase_rate_realised": float(pi),
            "premium_for_seamless_by_generation": {"gen_z": 0.85, "millennial": 0.62, "gen_x": 0.45,
                                                   "older": 0.30}}
    return df, info
