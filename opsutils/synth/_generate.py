"""``make_world``: assemble the synthetic omnichannel world and the truth behind it."""

from __future__ import annotations

import sys
import time
from typing import Callable

import numpy as np
import pandas as pd

from opsutils import _validation as v
from opsutils.synth import _activity as act
from opsutils.synth._calendar import FESTIVALS, build_calendar
from opsutils.synth._campaigns import OrderBook, TIER_NAMES, plan_campaigns, run_campaigns, tiers_at, window_stats
from opsutils.synth._commerce import (CROSS_SELL, DEVICES, ONLINE_PICKUP_CHANNELS, PAYMENT, PERSONAS, assign_baskets,
                                      first_purchases, make_products, make_stores, pick_channels, pick_devices,
                                      repeat_purchases)
from opsutils.synth._people import (ACTIVATION, SALES_CHANNELS, _ids, latent_rates, make_accounts, make_crm_erp,
                                    make_customers)
from opsutils.synth._pools import BRAND, CAMPAIGN_NAMES, CITIES, LOCALES, SEGMENT_TEXT, build_pools
from opsutils.synth._types import Truth, World, WorldConfig, text_column

__all__ = ["make_world", "PLANTED"]

#: Planted generator parameters that do not depend on the world's size or seed.
PLANTED = {
    "bgnbd": {"r": 0.30, "alpha": 2.5, "a": 0.60, "b": 4.00, "time_unit": "week"},
    "gamma_gamma": {"p": 3.0, "q": 1.8, "gamma": 48.0},
    "engagement": {"rho_rate": 0.45, "kappa_rate": 0.20, "rho_value": 0.15, "kappa_value": 0.12},
    "bopis_effect_relative": 0.15,
    "bopis_pickup_share": 0.35,
    "outage_drop_share": 0.95,
    "status_shares": {"completed": 0.955, "refunded": 0.03, "cancelled": 0.015},
}


def _say(progress, msg):
    if progress:
        (progress if callable(progress) else (lambda m: sys.stderr.write(m + "\n")))(msg)


def make_world(n_customers: int = 20_000, *, start: str = "2024-01-01", end: str = "2025-12-31",
               seed: int = 2025, locale: str = "zh_CN",
               progress: bool | Callable[[str], None] = False) -> World:
    """Generate the synthetic omnichannel world of the Yunxi Tea & Living brand.

    Parameters
    ----------
    n_customers : int, default 20_000
        Number of real people (members). Orders, events and tickets scale with it.
    start, end : str, default "2024-01-01", "2025-12-31"
        First and last calendar day of the window (at least 365 days apart). Campaigns, experiments,
        the outage, the BOPIS roll-out and the app release are anchored on the last calendar year.
    seed : int, default 2025
        The one seed behind every random draw (numpy Generators and ``Faker.seed_instance``).
    locale : {"zh_CN", "en_US"}
        Language of names, addresses, phone formats and every generated text.
    progress : bool or callable, default False
        Report stage timings (to stderr when True, or to the callable). Useful for large worlds.

    Returns
    -------
    World
        Thirteen tables plus ``truth`` (every planted parameter and effect) and ``config``.

    Examples
    --------
    >>> from opsutils.synth import make_world
    >>> w = make_world(2_000, seed=7)
    >>> sorted(w.truth.params["bgnbd"])
    ['a', 'alpha', 'b', 'r', 'time_unit']
    >>> w.orders["amount"].ge(0).all()
    np.True_
    """
    v.require_positive_int(n_customers, name="n_customers", minimum=500)
    v.require_positive_int(seed, name="seed", minimum=0)
    v.require_option(locale, LOCALES, name="locale")
    s, e = v.require_timestamp(start, name="start"), v.require_timestamp(end, name="end")
    if (e - s).days < 365:
        raise ValueError(f"`end` must be at least 365 days after `start`; got start={start!r}, end={end!r}.")
    t_all = time.perf_counter()
    cfg = WorldConfig(n_customers=int(n_customers), start=s.strftime("%Y-%m-%d"), end=e.strftime("%Y-%m-%d"),
                      seed=int(seed), locale=locale)
    rngs = [np.random.default_rng(x) for x in np.random.SeedSequence(int(seed)).spawn(16)]
    n = int(n_customers)
    pools = build_pools(locale, int(seed))
    cal, curves = build_calendar(cfg.start, cfg.end)
    Y = cal.end.year

    # --- people and latent traits -------------------------------------------------------------
    cust = make_customers(rngs[0], n, cal, curves, pools, locale)
    customer_ids = _ids("C", n, 7)
    multichannel = cust["n_channels"] >= 2
    bg, ggp, eng = PLANTED["bgnbd"], PLANTED["gamma_gamma"], PLANTED["engagement"]
    lam, lam_cf, nu, nu_cf = latent_rates(rngs[1], cust["engagement"], multichannel, r=bg["r"], alpha=bg["alpha"],
                                          q=ggp["q"], gamma=ggp["gamma"], rho_lam=eng["rho_rate"],
                                          kappa_lam=eng["kappa_rate"], rho_nu=eng["rho_value"],
                                          kappa_nu=eng["kappa_value"])
    p_drop = rngs[1].beta(bg["a"], bg["b"], n)
    vq = np.argsort(np.argsort(ggp["p"] / nu)) / n  # value quantile for personas
    persona_p = np.stack([np.full(n, 0.40), 0.10 + 0.35 * vq, np.full(n, 0.20), 0.30 - 0.25 * vq], axis=1)
    persona = (np.cumsum(persona_p / persona_p.sum(1, keepdims=True), 1) > rngs[1].random(n)[:, None]).argmax(1)
    _say(progress, f"customers: {time.perf_counter() - t_all:.1f}s")

    # --- purchases (BG/NBD + Gamma-Gamma) -----------------------------------------------------
    rng = rngs[2]
    t0, buyer, activated = first_purchases(rng, cust, cal)
    cum = cal.cumulative(curves["orders"])
    rep_owner, rep_hour = repeat_purchases(rng, t0, buyer, lam, p_drop, cal, cum)
    owner = np.concatenate([np.flatnonzero(buyer), rep_owner])
    hour = np.concatenate([t0[buyer], rep_hour])

    def pick_channel(o):
        return pick_channels(rng, cust, o)

    def pick_device(c):
        return pick_devices(rng, c)

    ch = pick_channel(owner)
    book = OrderBook(owner=owner, hour=hour, channel=ch, device=pick_device(ch),
                     spend=rng.gamma(ggp["p"], 1.0 / nu[owner]), campaign=np.full(len(owner), -1),
                     origin=np.zeros(len(owner), dtype=int))

    # --- stores and the BOPIS roll-out (difference-in-differences) ----------------------------
    stores, store_city, treated_cities, launch = make_stores(rngs[3], cal, locale)
    home_store = np.full(n, -1)
    for ci in np.unique(store_city):
        members = np.flatnonzero(cust["city_idx"] == ci)
        options = np.flatnonzero(store_city == ci)
        home_store[members] = options[rngs[3].integers(len(options), size=len(members))]
    launch_h = cal.hours_of(launch)
    treated_cust = np.isin(cust["city_idx"], treated_cities)
    online = np.isin(book.channel, ONLINE_PICKUP_CHANNELS)
    sel = treated_cust[book.owner] & online & (book.hour >= launch_h)
    extra = np.flatnonzero(sel & (rng.random(len(book)) < PLANTED["bopis_effect_relative"]))
    new_h = np.clip(book.hour[extra] + rng.uniform(-72, 72, len(extra)), launch_h, cal.n_hours - 0.01)
    book.append(owner=book.owner[extra], hour=new_h, channel=book.channel[extra], device=book.device[extra],
                spend=rng.gamma(ggp["p"], 1.0 / nu[book.owner[extra]]), campaign=np.full(len(extra), -1),
                origin=np.ones(len(extra), dtype=int))

    # --- campaigns and experiments -------------------------------------------------------------
    plan = plan_campaigns(cal)
    expo_raw, camp_realised = run_campaigns(rngs[4], plan, cal, cust, book, nu, ggp["p"], pick_channel, pick_device)
    _say(progress, f"orders and campaigns: {time.perf_counter() - t_all:.1f}s")

    # --- the mini-program outage and the Android checkout friction ------------------------------
    rng = rngs[5]
    outage_start = pd.Timestamp(year=Y, month=7, day=17, hour=10)
    o_lo, o_hi = cal.hours_of(outage_start), cal.hours_of(outage_start) + 12
    in_outage = (book.channel == 1) & (book.hour >= o_lo) & (book.hour < o_hi)
    lost_outage = in_outage & (rng.random(len(book)) < PLANTED["outage_drop_share"])
    book.keep(~lost_outage)
    release = (cal.end - pd.Timedelta(days=112)).normalize()
    release_h = cal.hours_of(release)
    seg = (book.channel == 1) & (book.device == DEVICES.index("android")) & (book.hour >= release_h)
    drop_p = 1 - act.FRICTION["rate_after"] / act.FRICTION["rate_before"]
    lost_friction = seg & (rng.random(len(book)) < drop_p)
    dropped = {"owner": book.owner[lost_friction], "hour": book.hour[lost_friction],
               "channel": book.channel[lost_friction], "device": book.device[lost_friction]}
    book.keep(~lost_friction)
    srt = np.argsort(book.hour, kind="stable")
    book.keep(srt)
    n_orders = len(book)

    # --- order table ---------------------------------------------------------------------------
    products, stems_en, popularity = make_products(rngs[6], cal, locale)
    rng = rngs[7]
    ts = cal.to_timestamps(book.hour)
    tsi = pd.DatetimeIndex(ts)
    fest = np.zeros(n_orders, dtype=bool)
    for _, month, first, peak, _m in FESTIVALS:
        lo = pd.to_datetime({"year": tsi.year, "month": month, "day": first})
        hi = pd.to_datetime({"year": tsi.year, "month": month + (1 if peak < first else 0), "day": peak})
        fest |= ((tsi >= lo) & (tsi < hi + pd.Timedelta(days=1))).to_numpy()
    d = np.where(book.campaign >= 0, rng.uniform(0.10, 0.20, n_orders),
                 np.where(fest & (rng.random(n_orders) < 0.7), rng.uniform(0.08, 0.15, n_orders),
                          np.where(rng.random(n_orders) < 0.15, rng.uniform(0.03, 0.08, n_orders), 0.0)))
    target_gross = book.spend / (1 - d)
    items, pairs = assign_baskets(rng, target_gross, book.owner, persona, products, stems_en, popularity)
    gross = np.round(np.bincount(items["o"], weights=items["quantity"] * items["unit_price"], minlength=n_orders), 2)
    discount = np.round(gross * d, 2)
    amount = np.round(gross - discount, 2)
    order_ids = _ids("O", n_orders, 8)
    pickup = (treated_cust[book.owner] & np.isin(book.channel, ONLINE_PICKUP_CHANNELS) & (book.hour >= launch_h)
              & (rng.random(n_orders) < PLANTED["bopis_pickup_share"]))
    is_store = book.channel == 5
    store_idx = np.where(is_store | pickup, home_store[book.owner], -1)
    store_ids = np.where(store_idx >= 0, stores["store_id"].to_numpy()[np.maximum(store_idx, 0)], None)
    pay = np.empty(n_orders, dtype=object)
    for ci, c in enumerate(SALES_CHANNELS):
        m = book.channel == ci
        names, probs = zip(*PAYMENT[c])
        pay[m] = np.array(names, dtype=object)[rng.choice(len(names), m.sum(), p=probs)]
    st = PLANTED["status_shares"]
    status = np.array(list(st), dtype=object)[rng.choice(3, n_orders, p=list(st.values()))]
    campaign_ids = np.array([f"CMP{k + 1:02d}" for k in range(len(plan))], dtype=object)
    n_items = np.bincount(items["o"], weights=items["quantity"], minlength=n_orders).astype("int64")

    first_channel_hours = np.full((n, len(SALES_CHANNELS)), np.inf)
    np.minimum.at(first_channel_hours, (book.owner, book.channel), book.hour)
    accounts, account_map, primary, acc_info = make_accounts(rngs[8], cust, customer_ids, cal, first_channel_hours,
                                                             pools, locale)
    orders = pd.DataFrame({
        "order_id": order_ids,
        "customer_id": text_column(book.owner, customer_ids),
        "account_id": text_column(primary[book.owner, book.channel], accounts["account_id"].to_numpy()),
        "order_ts": ts,
        "channel": text_column(book.channel, SALES_CHANNELS),
        "store_id": store_ids,
        "gross_amount": gross,
        "discount": discount,
        "amount": amount,
        "n_items": n_items,
        "campaign_id": np.where(book.campaign >= 0, campaign_ids[np.maximum(book.campaign, 0)], None),
        "payment_method": pay,
        "status": status,
        "fulfilment": text_column(np.where(is_store | pickup, 0, 1), ("pickup", "delivery")),
        "device": text_column(book.device, DEVICES),
    })
    order_items = pd.DataFrame({
        "order_id": order_ids[items["o"]],
        "product_id": products["product_id"].to_numpy()[items["p"]],
        "quantity": items["quantity"].astype("int64"),
        "unit_price": items["unit_price"],
    })
    _say(progress, f"order table: {time.perf_counter() - t_all:.1f}s")

    # --- customers table -----------------------------------------------------------------------
    spend_total = np.bincount(book.owner, weights=amount, minlength=n)
    level = np.select([spend_total >= 8000, spend_total >= 2000, spend_total >= 500], ["platinum", "gold", "silver"],
                      "bronze").astype(object)
    nc = 0 if locale == "zh_CN" else 1
    np_ = 2 if locale == "zh_CN" else 3
    customers = pd.DataFrame({
        "customer_id": customer_ids,
        "name": cust["name"],
        "gender": cust["gender"].astype(object),
        "birth_year": cust["birth_year"].astype("int64"),
        "birth_month": cust["birth_month"].astype("int64"),
        "city": np.array([c[nc] for c in CITIES], dtype=object)[cust["city_idx"]],
        "province": np.array([c[np_] for c in CITIES], dtype=object)[cust["city_idx"]],
        "city_tier": np.array([c[4] for c in CITIES], dtype="int64")[cust["city_idx"]],
        "signup_ts": cal.to_timestamps(cust["hours"]),
        "signup_channel": np.array(SALES_CHANNELS, dtype=object)[cust["signup_channel_idx"]],
        "member_level": level,
        "marketing_consent": cust["consent"],
        "phone": cust["phone"],
        "email": cust["email"],
        "address": cust["address"],
    })
    crm, erp, crm_info = make_crm_erp(rngs[9], cust, customer_ids, cal, pools, locale)

    # --- campaigns and exposures ---------------------------------------------------------------
    rng = rngs[10]
    book.spend = amount  # revenue windows use the final order amounts
    cnt, rev, *_ = window_stats(book, expo_raw["c"].to_numpy(), expo_raw["h"].to_numpy(), 7 * 24.0, n_customers=n)
    _, pre, *_ = window_stats(book, expo_raw["c"].to_numpy(), expo_raw["h"].to_numpy(), 90 * 24.0, n_customers=n,
                              before=True)
    treat = expo_raw["treat"].to_numpy()
    open_p = {"sms": 0.35, "app": 0.25, "wechat_oa": 0.40, "douyin": 0.30, "email": 0.20}
    chan = np.array([plan[k]["channel"] for k in expo_raw["k"]])
    opened = treat & (rng.random(len(treat)) < np.array([open_p[c] for c in chan]))
    clicked = opened & (rng.random(len(treat)) < 0.30)
    expo_order = np.lexsort((expo_raw["h"].to_numpy(), expo_raw["k"].to_numpy()))
    exposures = pd.DataFrame({
        "campaign_id": text_column(expo_raw["k"].to_numpy(), campaign_ids),
        "customer_id": text_column(expo_raw["c"].to_numpy(), customer_ids),
        "ts": cal.to_timestamps(expo_raw["h"].to_numpy()),
        "group": text_column(np.where(treat, 0, 1), ("treatment", "holdout")),
        "opened": opened,
        "clicked": clicked,
        "converted_7d": cnt > 0,
        "revenue_7d": np.round(rev, 2),
        "pre_period_spend": np.round(pre, 2),
        "tier_at_send": text_column(expo_raw["tier"].to_numpy(), TIER_NAMES),
    }).iloc[expo_order].reset_index(drop=True)
    n_treat = exposures.groupby("campaign_id")["group"].apply(lambda g: int((g == "treatment").sum()))
    campaigns = pd.DataFrame({
        "campaign_id": campaign_ids,
        "name": [f"{CAMPAIGN_NAMES[locale][c['type']]} {c['start'].year}"
                 + (f" ({c['experiment']})" if c["experiment"] else "") for c in plan],
        "type": [c["type"] for c in plan],
        "channel": [c["channel"] for c in plan],
        "start": pd.to_datetime([c["start"] for c in plan]).astype("datetime64[s]"),
        "end": pd.to_datetime([c["start"] + pd.Timedelta(days=c["days"]) for c in plan]).astype("datetime64[s]"),
        "cost": [round(c["fixed"] + c["per_exposure"] * int(n_treat.get(cid, 0)), 2)
                 for c, cid in zip(plan, campaign_ids)],
        "target_segment": [SEGMENT_TEXT[locale][c["target"]] for c in plan],
        "holdout_share": [c["holdout"] for c in plan],
        "experiment_id": [c["experiment"] for c in plan],
    })

    # --- tickets, surveys ----------------------------------------------------------------------
    q_edges = []
    q = pd.Timestamp(year=cal.start.year, month=((cal.start.month - 1) // 3) * 3 + 1, day=1)
    while q <= cal.end:
        q_edges.append(max(cal.hours_of(q), 0.0))
        q += pd.DateOffset(months=3)
    q_edges = np.array(q_edges)
    tiers_q = np.stack([tiers_at(book, h if h > 0 else 1e-9, n) for h in q_edges])
    ord_for_act = {"owner": book.owner, "hour": book.hour, "channel": book.channel, "device": book.device}
    tickets, ticket_hours, tk_info = act.make_tickets(rngs[11], ord_for_act, cust, tiers_q, q_edges, cal, locale,
                                                      pools.agent_names)
    surveys, sv_info = act.make_surveys(rngs[12], ord_for_act, tickets, ticket_hours, cust, cust["gen"], cal, locale)
    _say(progress, f"tickets and surveys: {time.perf_counter() - t_all:.1f}s")

    # --- events --------------------------------------------------------------------------------
    rng = rngs[13]
    buf = act.EventBuffer()
    first_item = items.drop_duplicates("o")["p"].to_numpy()
    ev_orders = dict(ord_for_act, product=first_item, channel=book.channel.copy())
    act.funnel_events(rng, buf, ev_orders, dropped, cal, release_h, len(products), popularity)
    act.store_events(rng, buf, ev_orders)
    n_conv_paths, n_null_paths = act.touch_events(rng, buf, ev_orders, cust["hours"], cust["engagement"], cal)
    act.engagement_events(rng, buf, cust["hours"], cust["engagement"], cal)
    # coupon claims, shares, reviews, service contacts
    ck = np.flatnonzero(exposures["clicked"].to_numpy())
    ck_c = pd.Index(customer_ids).get_indexer(exposures["customer_id"].to_numpy()[ck])
    ck_h = cal.hours_of(cal.start) + ((exposures["ts"].to_numpy()[ck] - np.datetime64(cal.start.to_datetime64(), "s"))
                                      / np.timedelta64(1, "h")) + rng.random(len(ck)) * 2
    ck_ch = np.array([act.CH[c] for c in exposures["campaign_id"].map(campaigns.set_index("campaign_id")["channel"])
                      .to_numpy()[ck]])
    ck_k = pd.Index(campaign_ids).get_indexer(exposures["campaign_id"].to_numpy()[ck])
    buf.add(ck_h, ck_c, ck_ch, rng.choice([0, 1], len(ck), p=[0.4, 0.6]), np.full(len(ck), act.ET["coupon_claim"]),
            buf.new_sessions(len(ck)), campaign=ck_k)
    for et, share in (("share", 0.04), ("review", 0.08)):
        m = np.flatnonzero(rng.random(n_orders) < share)
        buf.add(book.hour[m] + 24 + rng.random(len(m)) * 96, book.owner[m], book.channel[m], book.device[m],
                np.full(len(m), act.ET[et]), buf.new_sessions(len(m)), product=first_item[m])
    tk_ch = np.array([act.CH[c] for c in tickets["channel"]])
    buf.add(ticket_hours, tickets["customer_id"].to_numpy(), tk_ch,
            np.where(tk_ch == act.CH["store"], 3, rng.choice([0, 1], len(tk_ch), p=[0.4, 0.6])),
            np.full(len(tk_ch), act.ET["service_contact"]), buf.new_sessions(len(tk_ch)))
    ev = buf.concat()
    keep = np.flatnonzero((ev["hour"] >= 0) & (ev["hour"] < cal.n_hours))
    idx = keep[np.lexsort((ev["etype"][keep], ev["hour"][keep]))]
    del keep
    for k in list(ev):  # one column at a time, so only one extra column is alive
        ev[k] = ev[k][idx]
    del idx
    anon = ev["hour"] < cust["hours"][ev["cust"]]
    sales = ev["channel"] < len(SALES_CHANNELS)
    acct = np.where(sales & ~anon, primary[ev["cust"], np.minimum(ev["channel"], len(SALES_CHANNELS) - 1)], -1)
    events = pd.DataFrame({
        "event_id": np.arange(1, len(ev["hour"]) + 1, dtype="int64"),
        "ts": cal.to_timestamps(ev["hour"]),
        "customer_id": text_column(np.where(anon, -1, ev["cust"]), customer_ids),
        "account_id": text_column(acct, accounts["account_id"].to_numpy()),
        "session_id": ev["session"] + 1,
        "channel": text_column(ev["channel"], act.ALL_CHANNELS),
        "device": text_column(ev["device"], DEVICES),
        "event_type": text_column(ev["etype"], act.EVENT_TYPES),
        "campaign_id": text_column(ev["campaign"], campaign_ids),
        "product_id": text_column(ev["product"], products["product_id"].to_numpy()),
    })
    del ev, acct, anon, sales
    tickets["customer_id"] = customer_ids[tickets["customer_id"].to_numpy()]
    surveys["customer_id"] = customer_ids[surveys["customer_id"].to_numpy()]
    _say(progress, f"events: {time.perf_counter() - t_all:.1f}s")

    # --- truth ---------------------------------------------------------------------------------
    base_conv, removal = act.markov_truth()
    weeks_after_release = (cal.n_hours - release_h) / 168
    exp_truth = {}
    for k, c in enumerate(plan):
        if c["experiment"]:
            exp_truth[c["experiment"]] = {
                "campaign_id": str(campaign_ids[k]), "type": c["type"], "start": c["start"].strftime("%Y-%m-%d"),
                "treatment_share": 1 - c["holdout"], "planted_lift_7d_conversion": c["lift"],
                "logging_drop_share_treatment": c["srm_drop"], **camp_realised[k]}
    truth_params = {
        "brand": BRAND[locale],
        "config": cfg.to_dict(),
        "bgnbd": dict(PLANTED["bgnbd"]),
        "gamma_gamma": dict(PLANTED["gamma_gamma"]),
        "engagement": dict(PLANTED["engagement"]),
        "multichannel": _multichannel_truth(orders, customers, customer_ids, multichannel, lam, lam_cf, nu, nu_cf,
                                            ggp["p"]),
        "activation": {"window_days": 7, "target": 0.65, "planted_by_signup_channel": dict(ACTIVATION),
                       "never_buy_share_of_non_activated": 0.3, **_activation_realised(customers, orders, cal)},
        "value_concentration": _concentration(spend_total),
        "personas": {"names": list(PERSONAS), "counts": {p: int((persona == i).sum()) for i, p in enumerate(PERSONAS)}},
        "cross_sell": _cross_sell_truth(pairs, items, products),
        "outage": {"channel": "miniprogram", "start": outage_start.strftime("%Y-%m-%d %H:%M"),
                   "end": (outage_start + pd.Timedelta(hours=12)).strftime("%Y-%m-%d %H:%M"),
                   "drop_share": PLANTED["outage_drop_share"], "orders_lost": int(lost_outage.sum())},
        "friction": dict(act.FRICTION, release_date=release.strftime("%Y-%m-%d"),
                         orders_lost=int(lost_friction.sum()),
                         orders_lost_per_week=float(lost_friction.sum() / weeks_after_release)),
        "funnel_step_rates": {c: dict(zip(("product_view->add_to_cart", "add_to_cart->checkout",
                                           "checkout->payment_submit", "payment_submit->purchase"), p))
                              for c, p in act.FUNNEL.items()},
        "markov": {"states": list(act.TOUCH_STATES), "start": act.TOUCH_START.tolist(),
                   "transition": act.TOUCH_P.tolist(), "columns": list(act.TOUCH_STATES) + ["conversion", "null"],
                   "conversion_probability": base_conv, "removal_effects": removal,
                   "touch_event_types": list(act.TOUCH_EVENT_TYPES), "lookback_days": 30,
                   "converting_paths": n_conv_paths, "null_paths": n_null_paths},
        "experiments": exp_truth,
        "campaigns": {str(campaign_ids[k]): {"planted_lift_7d_conversion": c["lift"], "holdout_share": c["holdout"],
                                             **camp_realised[k]} for k, c in enumerate(plan)},
        "bopis": {"launch_date": launch.strftime("%Y-%m-%d"),
                  "treated_cities": [CITIES[i][1] for i in treated_cities],
                  "effect_relative_online_orders": PLANTED["bopis_effect_relative"],
                  "online_channels": [SALES_CHANNELS[i] for i in ONLINE_PICKUP_CHANNELS],
                  "pickup_share_after_launch": PLANTED["bopis_pickup_share"], "extra_orders": int(len(extra))},
        "service": tk_info,
        "surveys": sv_info,
        "identity": acc_info,
        "data_quality": crm_info,
        "tiers": {"shares": {"diamond": 0.01, "core": 0.18, "potential": 0.30, "basic": 0.51},
                  "rule": "rank of cumulative spend among buyers; non-buyers are basic",
                  "sla_first_response_hours": tk_info["sla_hours"]},
        "status_shares": dict(PLANTED["status_shares"]),
    }
    truth = Truth(params=_jsonable(truth_params), account_map=account_map.reset_index(drop=True))
    world = World(customers=customers, accounts=accounts, crm_customers=crm, erp_customers=erp, products=products,
                  stores=stores, orders=orders, order_items=order_items, events=events, campaigns=campaigns,
                  campaign_exposures=exposures, tickets=tickets, surveys=surveys, truth=truth, config=cfg)
    _say(progress, f"done: {time.perf_counter() - t_all:.1f}s")
    return _finalise(world)


def _multichannel_truth(orders, customers, customer_ids, multichannel, lam, lam_cf, nu, nu_cf, p):
    per = orders.groupby("customer_id").agg(n=("order_id", "size"), aov=("amount", "mean"))
    per = per.reindex(customer_ids)
    buyers = per["n"].notna().to_numpy()
    rep = (per["n"].fillna(0).to_numpy() >= 2)
    mc = multichannel
    rr_m, rr_s = rep[buyers & mc].mean(), rep[buyers & ~mc].mean()
    aov_m, aov_s = per["aov"].to_numpy()[buyers & mc].mean(), per["aov"].to_numpy()[buyers & ~mc].mean()
    return {
        "definition": "customer holds accounts in two or more sales channels (see truth account map)",
        "share_multichannel": float(mc.mean()),
        "raw_repurchase_rate": {"multichannel": float(rr_m), "single": float(rr_s),
                                "relative_gap": float(rr_m / rr_s - 1)},
        "raw_aov": {"multichannel": float(aov_m), "single": float(aov_s), "relative_gap": float(aov_m / aov_s - 1)},
        "causal_effect_on_purchase_rate_att": float(lam[mc].mean() / lam_cf[mc].mean() - 1),
        "causal_effect_on_spend_per_order_att": float((p / nu[mc]).mean() / (p / nu_cf[mc]).mean() - 1),
        "note": "raw gaps mix the causal effect with the latent engagement trait that drives channel count",
    }


def _cross_sell_truth(pairs, items, products):
    """Planted pairs with their realised support, confidence and lift over all orders."""
    n = items["o"].nunique()
    out = []
    for p in pairs:
        a, c = int(p["antecedent"]), int(p["consequent"])
        has_a = set(items.loc[items["p"] == a, "o"])
        has_c = set(items.loc[items["p"] == c, "o"])
        both = len(has_a & has_c)
        out.append(dict(p, antecedent=str(products["product_id"].iloc[a]),
                        consequent=str(products["product_id"].iloc[c]),
                        support_realised=both / n, confidence_realised=both / max(len(has_a), 1),
                        lift_realised=(both / n) / max((len(has_a) / n) * (len(has_c) / n), 1e-12)))
    return out


def _activation_realised(customers, orders, cal):
    first = orders.groupby("customer_id")["order_ts"].min()
    sig = customers.set_index("customer_id")["signup_ts"]
    ok = sig <= (cal.end - pd.Timedelta(days=7))
    delay = (first.reindex(sig.index) - sig)
    act7 = (delay <= pd.Timedelta(days=7)) & delay.notna()
    by = act7[ok].groupby(customers.set_index("customer_id")["signup_channel"][ok]).mean()
    return {"realised_rate": float(act7[ok].mean()), "realised_by_signup_channel": {k: float(x) for k, x in by.items()}}


def _concentration(spend):
    s = np.sort(spend[spend > 0])[::-1]
    tot = s.sum()
    k1 = max(1, int(np.floor(len(s) * 0.01)))
    k19 = int(np.floor(len(s) * 0.19))
    return {"top_1pct_revenue_share": float(s[:k1].sum() / tot), "top_19pct_revenue_share": float(s[:k19].sum() / tot),
            "buyers": int(len(s))}


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return round(float(x), 6)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _finalise(world: World) -> World:
    """Give every table stable dtypes: str for text/ids, datetime64[us], int64, float64, bool, Int64."""
    out = {}
    for name, df in world.tables().items():
        df = df.copy(deep=False)  # copy-on-write: the caller's frames are never modified
        for c in df.columns:
            s = df[c]
            if s.dtype == object:
                df[c] = s.astype("str")
            elif str(s.dtype).startswith("datetime64"):
                df[c] = s.astype("datetime64[us]")  # pandas 3 default; Parquet has no seconds unit
        out[name] = df.reset_index(drop=True)
    return World(**out, truth=world.truth, config=world.config)
