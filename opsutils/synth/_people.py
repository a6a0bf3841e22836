"""Customers, their latent traits, their fragmented channel accounts and the CRM/ERP copies."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from opsutils.synth._pools import CITIES, EMAIL_DOMAINS, Pools

SALES_CHANNELS = ("app", "miniprogram", "web", "tmall", "douyin", "store")
SIGNUP_SHARES = np.array([0.24, 0.26, 0.08, 0.14, 0.12, 0.16])
# Planted 7-day activation probability (first order within 7 days of sign-up) by sign-up channel.
ACTIVATION = {"app": 0.59, "miniprogram": 0.55, "web": 0.52, "tmall": 0.57, "douyin": 0.40, "store": 0.63}
NEVER_BUY = 0.12  # share of sign-ups that never order, whatever the horizon


def _ids(prefix: str, n: int, width: int | None = None) -> np.ndarray:
    width = width or max(6, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _phone_digits(rng: np.random.Generator, n: int, locale: str) -> np.ndarray:
    if locale == "zh_CN":
        second = rng.choice(np.array(list("3456789")), n)
        rest = rng.integers(0, 10**9, n)
        return np.array([f"1{a}{b:09d}" for a, b in zip(second, rest)], dtype=object)
    area = rng.integers(201, 990, n)
    rest = rng.integers(0, 10**7, n)
    return np.array([f"{a}{b:07d}" for a, b in zip(area, rest)], dtype=object)


def format_phones(digits: np.ndarray, style: np.ndarray, locale: str) -> np.ndarray:
    """Write canonical phone digits in one of three house styles (0 plain, 1 international, 2 dashed)."""
    out = np.empty(len(digits), dtype=object)
    for i, (d, s) in enumerate(zip(digits, style)):
        if d is None:
            out[i] = None
        elif locale == "zh_CN":
            out[i] = d if s == 0 else (f"+86 {d[:3]} {d[3:7]} {d[7:]}" if s == 1 else f"{d[:3]}-{d[3:7]}-{d[7:]}")
        else:
            out[i] = (f"({d[:3]}) {d[3:6]}-{d[6:]}" if s == 0 else
                      (f"+1 {d[:3]} {d[3:6]} {d[6:]}" if s == 1 else f"{d[:3]}-{d[3:6]}-{d[6:]}"))
    return out


def name_variants(rng: np.random.Generator, names: np.ndarray, pools: Pools, p: float) -> np.ndarray:
    """Return a copy of ``names`` where a share ``p`` carries a typo or a variant spelling."""
    out = names.copy()
    hit = np.flatnonzero(rng.random(len(names)) < p)
    for i in hit:
        n = names[i]
        if pools.locale == "zh_CN":
            pos = int(rng.integers(1, len(n))) if len(n) > 1 else 0
            out[i] = n[:pos] + pools.name_chars[rng.integers(len(pools.name_chars))] + n[pos + 1:]
        else:
            kind = rng.integers(3)
            if kind == 0:
                out[i] = n.lower()
            elif kind == 1 and len(n) > 3:
                j = int(rng.integers(1, len(n) - 2))
                out[i] = n[:j] + n[j + 1] + n[j] + n[j + 2:]
            else:
                parts = n.split(" ")
                out[i] = f"{parts[0][0]}. {parts[-1]}"
    return out


def make_customers(rng, n, cal, curves, pools: Pools, locale: str):
    """Customers with their latent engagement, channel sets and home city."""
    # Sign-up times: a migration wave when the membership programme launches, then growth.
    wave = rng.random(n) < 0.25
    cum = cal.cumulative(curves["signups"])
    u = rng.random(n) * cum[-1]
    hours = cal.warp(cum, u)
    wave_hours = rng.random(n) * 24 * 60
    hours = np.where(wave, wave_hours, hours)
    # Keep the last month free of sign-ups so everybody has some history.
    hours = np.minimum(hours, cal.n_hours - 24 * 30 - rng.random(n) * 24 * 30)
    order = np.argsort(hours, kind="stable")
    hours = hours[order]

    w = np.array([c[5] for c in CITIES])
    city_idx = rng.choice(len(CITIES), n, p=w / w.sum())
    gender = np.where(rng.random(n) < 0.62, "F", "M")
    gen = rng.choice(4, n, p=[0.32, 0.40, 0.22, 0.06])  # Gen Z, millennial, Gen X, older
    lo = np.array([1997, 1981, 1965, 1950])[gen]
    hi = np.array([2006, 1996, 1980, 1964])[gen]
    birth_year = rng.integers(lo, hi + 1)
    birth_month = rng.integers(1, 13, n)
    signup_channel_idx = rng.choice(len(SALES_CHANNELS), n, p=SIGNUP_SHARES)
    has_store_city = np.array([CITIES[i][6] for i in city_idx])
    # Store sign-ups only happen where there is a store: move the others to the mini-program.
    signup_channel_idx = np.where((signup_channel_idx == 5) & ~has_store_city, 1, signup_channel_idx)

    engagement = rng.standard_normal(n)
    # Number of sales channels with an account: engaged customers use more channels.
    p_extra = 1 / (1 + np.exp(-(-1.7 + 1.3 * engagement)))
    n_channels = 1 + rng.binomial(3, p_extra)
    channel_sets = np.zeros((n, len(SALES_CHANNELS)), dtype=bool)
    channel_sets[np.arange(n), signup_channel_idx] = True
    # Add extra channels by preference weights, never a store where there is none.
    pref = np.tile(np.array([0.30, 0.30, 0.08, 0.14, 0.10, 0.08]), (n, 1))
    pref[~has_store_city, 5] = 0.0
    keys = rng.random((n, len(SALES_CHANNELS))) ** (1.0 / np.maximum(pref, 1e-12))
    keys[channel_sets] = 2.0  # the sign-up channel ranks first
    keys[pref == 0] = -1.0
    rank = np.argsort(-keys, axis=1)
    for k in range(1, 4):
        take = n_channels > k
        channel_sets[np.flatnonzero(take), rank[take, k]] = True
    n_channels = channel_sets.sum(axis=1)

    phone = _phone_digits(rng, n, locale)
    uname = pools.user_names[rng.integers(len(pools.user_names), size=n)]
    dom = np.array(EMAIL_DOMAINS[locale], dtype=object)[rng.integers(len(EMAIL_DOMAINS[locale]), size=n)]
    email = np.array([f"{a}{i % 997}@{d}" for i, (a, d) in enumerate(zip(uname, dom))], dtype=object)
    name = pools.names[rng.integers(len(pools.names), size=n)]
    street = pools.streets[rng.integers(len(pools.streets), size=n)]
    if locale == "zh_CN":
        address = np.array([f"{CITIES[c][2]}省{CITIES[c][0]}市{s}" if CITIES[c][2] != CITIES[c][0]
                            else f"{CITIES[c][0]}市{s}" for c, s in zip(city_idx, street)], dtype=object)
    else:
        address = np.array([f"{s}, {CITIES[c][1]}, {CITIES[c][3]}" for c, s in zip(city_idx, street)], dtype=object)
    consent = rng.random(n) < 0.78
    return dict(
        hours=hours, city_idx=city_idx, gender=gender, gen=gen, birth_year=birth_year, birth_month=birth_month,
        signup_channel_idx=signup_channel_idx, engagement=engagement, channel_sets=channel_sets,
        n_channels=n_channels, phone=phone, email=email, name=name, address=address, consent=consent,
        has_store_city=has_store_city,
    )


def latent_rates(rng, engagement, multichannel, *, r, alpha, q, gamma, rho_lam, kappa_lam, rho_nu, kappa_nu):
    """Per-customer BG/NBD purchase rate and Gamma-Gamma spend scale.

    The realised marginals are exactly Gamma(r, alpha) and Gamma(q, gamma): a latent score that mixes
    engagement, noise and a causal multichannel shift is ranked and pushed through the Gamma quantile
    function. The counterfactual (single-channel) values use the same ranking with the shift removed.
    """
    n = len(engagement)

    def through(score, shape, rate, shift):
        srt = np.sort(score)
        f = (np.searchsorted(srt, score, side="left") + 0.5) / n
        f_cf = (np.searchsorted(srt, score - shift, side="left") + 0.5) / n
        dist = stats.gamma(shape, scale=1.0 / rate)
        return dist.ppf(f), dist.ppf(np.clip(f_cf, 0.5 / n, 1 - 0.5 / n))

    s_lam = rho_lam * engagement + np.sqrt(1 - rho_lam**2) * rng.standard_normal(n) + kappa_lam * multichannel
    lam, lam_cf = through(s_lam, r, alpha, kappa_lam * multichannel)
    s_val = rho_nu * engagement + np.sqrt(1 - rho_nu**2) * rng.standard_normal(n) + kappa_nu * multichannel
    # A high "value" score means a *low* Gamma-Gamma rate nu (bigger baskets): use the mirrored score.
    nu, nu_cf = through(-s_val, q, gamma, -kappa_nu * multichannel)
    return lam, lam_cf, nu, nu_cf


def make_accounts(rng, cust, customer_ids, cal, first_channel_hours, pools: Pools, locale: str):
    """Channel accounts: one per (customer, sales channel) plus some duplicates, with messy keys."""
    n = len(customer_ids)
    ci, ch = np.nonzero(cust["channel_sets"])
    # 3% of customers re-registered a second account in their sign-up channel (never a new channel).
    dup_c = np.flatnonzero(rng.random(n) < 0.03)
    dup_ch = cust["signup_channel_idx"][dup_c]
    ci = np.concatenate([ci, dup_c])
    ch = np.concatenate([ch, dup_ch])
    m = len(ci)
    is_dup = np.arange(m) >= m - len(dup_c)

    # A second phone number for 4% of customers (changed number), used on some accounts.
    alt_phone = _phone_digits(rng, n, locale)
    has_alt = rng.random(n) < 0.02
    phone_digits = np.where(has_alt[ci] & (rng.random(m) < 0.5), alt_phone[ci], cust["phone"][ci])
    # Key presence by channel: app, miniprogram, web, tmall, douyin, store
    p_phone = np.array([0.99, 0.95, 0.85, 0.97, 0.93, 0.99])[ch]
    p_email = np.array([0.40, 0.05, 0.95, 0.10, 0.02, 0.10])[ch]
    p_union = np.array([0.50, 1.00, 0.05, 0.00, 0.00, 0.30])[ch]
    p_device = np.array([1.00, 1.00, 0.90, 0.00, 0.60, 0.00])[ch]
    has_phone = rng.random(m) < p_phone
    has_email = rng.random(m) < p_email
    has_union = rng.random(m) < p_union
    has_device = rng.random(m) < p_device

    style = np.select([ch == 2, ch == 5, ch == 4], [1, 2, rng.integers(0, 3, m)], 0)
    phone = format_phones(np.where(has_phone, phone_digits, None), style, locale)
    email = cust["email"][ci].copy()
    messy = rng.random(m) < 0.15
    email = np.array([(f" {e.upper()}" if mm else e) if he else None
                      for e, mm, he in zip(email, messy, has_email)], dtype=object)
    union_ids = rng.permutation(n)
    union = np.array([f"oUx{union_ids[c]:09d}" for c in ci], dtype=object)
    union[~has_union] = None
    # Devices: the customer's phone; 1% of customers share a device with another household member.
    device_of = rng.permutation(n)
    household = np.flatnonzero(rng.random(n) < 0.01)
    partner = rng.integers(0, n, len(household))
    device_of[household] = device_of[partner]
    device = np.array([f"D{device_of[c]:09d}" for c in ci], dtype=object)
    device[~has_device] = None
    names = name_variants(rng, cust["name"][ci], pools, 0.10)

    # created_ts: the sign-up account at sign-up; others at their first use (or a random later time).
    signup_h = cust["hours"][ci]
    is_signup = (ch == cust["signup_channel_idx"][ci]) & ~is_dup
    later = signup_h + rng.random(m) * np.maximum(cal.n_hours - signup_h, 1) * 0.5
    fc = first_channel_hours[ci, ch]
    created = np.where(is_signup, signup_h, np.where(np.isfinite(fc), np.minimum(fc - rng.random(m) * 24, later), later))
    created = np.maximum(created, signup_h)

    perm = rng.permutation(m)
    account_ids = _ids("A", m, 7)
    # A city on the account profile (drawn last, so the other columns do not depend on it): the delivery
    # address city on the marketplaces, the store's city for store members, a profile or IP region in the
    # apps; blank for some accounts, and another city (work, travel, an IP region) for a few.
    p_city = np.array([0.70, 0.80, 0.60, 0.95, 0.50, 1.00])[ch]
    has_city = rng.random(m) < p_city
    elsewhere = (ch != 5) & (rng.random(m) < 0.06)
    city_idx = np.where(elsewhere, rng.integers(0, len(CITIES), m), cust["city_idx"][ci])
    city_label = 0 if locale == "zh_CN" else 1
    city = np.array([c[city_label] for c in CITIES], dtype=object)[city_idx]
    city[~has_city] = None
    df = pd.DataFrame({
        "account_id": account_ids,
        "channel": np.array(SALES_CHANNELS, dtype=object)[ch[perm]],
        "name": names[perm],
        "phone": phone[perm],
        "email": email[perm],
        "wechat_unionid": union[perm],
        "device_id": device[perm],
        "city": city[perm],
        "created_ts": cal.to_timestamps(created[perm]),
    })
    truth_map = pd.DataFrame({"account_id": account_ids, "customer_id": customer_ids[ci[perm]]})
    # Primary account per (customer, channel): the non-duplicate one.
    primary = np.full((n, len(SALES_CHANNELS)), -1, dtype=np.int64)  # index into account_ids
    keep = ~is_dup[perm]
    primary[ci[perm][keep], ch[perm][keep]] = np.flatnonzero(keep)
    info = {"household_shared_device_customers": int(len(household)), "duplicate_accounts": int(len(dup_c)),
            "changed_phone_customers": int(has_alt.sum())}
    return df, truth_map, primary, info


def make_crm_erp(rng, cust, customer_ids, cal, pools: Pools, locale: str):
    """Two systems' copies of the customer master with the seed-001 checklist's defects planted."""
    n = len(customer_ids)
    manual = (cust["signup_channel_idx"] == 5) | (rng.random(n) < 0.05)
    source = np.where(manual, "manual", "sync")
    address = cust["address"].copy()
    missing = np.where(manual, rng.random(n) < 0.40, rng.random(n) < 0.005)
    address[missing] = None
    digits = cust["phone"].copy()
    bad = np.where(manual, rng.random(n) < 0.16, rng.random(n) < 0.025)
    phone = format_phones(digits, np.zeros(n, dtype=int), locale)
    for i in np.flatnonzero(bad):
        kind = rng.integers(3)
        d = phone[i]
        phone[i] = d[:-1] if kind == 0 else (d + str(rng.integers(10)) if kind == 1 else d[:4] + "O" + d[5:])
    signup = cust["hours"]
    updated = signup + rng.random(n) * (cal.n_hours - signup)
    late = rng.random(n) < 0.12
    delay = np.where(late, 4.0 + rng.exponential(20.0, n), np.minimum(rng.exponential(0.8, n), 3.95))
    synced = updated + delay
    crm = pd.DataFrame({
        "customer_id": customer_ids, "name": cust["name"].copy(), "phone": phone, "address": address,
        "source": source, "updated_ts": cal.to_timestamps(updated), "synced_ts": cal.to_timestamps(synced),
    })
    erp = crm.copy()
    mismatch = rng.random(n) < 0.02
    erp.loc[mismatch, "name"] = name_variants(rng, cust["name"][mismatch], pools, 1.0)
    # Duplicated records: re-entered with a different phone style or a later update.
    def dupes(df, share):
        idx = np.flatnonzero(rng.random(n) < share)
        extra = df.iloc[idx].copy()
        extra["phone"] = format_phones(digits[idx], np.full(len(idx), 2), locale)
        extra["updated_ts"] = extra["updated_ts"] + pd.to_timedelta(rng.integers(1, 90, len(idx)), unit="D")
        extra["synced_ts"] = extra["updated_ts"] + pd.to_timedelta(rng.integers(1, 60, len(idx)), unit="min")
        out = pd.concat([df, extra], ignore_index=True)
        return out.iloc[rng.permutation(len(out))].reset_index(drop=True), len(idx)
    crm, n_dup_crm = dupes(crm, 0.03)
    erp, n_dup_erp = dupes(erp, 0.01)
    info = {
        "manual_share": float(manual.mean()),
        "address_missing_rate_planted": {"manual": 0.40, "sync": 0.005},
        "address_missing_rate_realised": float(missing.mean()),
        "address_completeness_manual_realised": float(1 - missing[manual].mean()),
        "malformed_phone_rate_realised": float(bad.mean()),
        "name_mismatch_rate_realised": float(mismatch.mean()),
        "late_sync_share_planted": 0.12,
        "late_sync_share_realised": float(late.mean()),
        "duplicate_records": {"crm": int(n_dup_crm), "erp": int(n_dup_erp)},
    }
    return crm, erp, info
