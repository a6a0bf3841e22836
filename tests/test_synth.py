"""The synthetic world: schemas, determinism, locales, argument checks, and recoverable planted truths.

Each planted truth is re-estimated from the data with a deliberately simple estimator and compared
with the truth within a stated tolerance, so a generator change that breaks a lesson fails here.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opsutils.datasets import content_hash
from opsutils.synth import TABLE_NAMES, make_world
from opsutils.synth._schema import SCHEMA

CJK = re.compile(r"[\u4e00-\u9fff]")


# --- schemas -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_matches_schema(world, name):
    df = getattr(world, name)
    expected = {col: dtype for col, (dtype, _) in SCHEMA[name].items()}
    assert list(df.columns) == list(expected)
    assert {c: str(t) for c, t in df.dtypes.items()} == expected
    assert len(df) > 0


def test_primary_keys_unique_and_foreign_keys_resolve(world):
    for table, key in [("customers", "customer_id"), ("accounts", "account_id"), ("orders", "order_id"),
                       ("products", "product_id"), ("stores", "store_id"), ("events", "event_id"),
                       ("campaigns", "campaign_id"), ("tickets", "ticket_id"), ("surveys", "survey_id")]:
        assert getattr(world, table)[key].is_unique, table
    ids = set(world.customers["customer_id"])
    for table in ("orders", "tickets", "surveys", "campaign_exposures"):
        assert set(getattr(world, table)["customer_id"]) <= ids, table
    assert set(world.order_items["order_id"]) == set(world.orders["order_id"])
    assert set(world.order_items["product_id"]) <= set(world.products["product_id"])
    assert set(world.orders["store_id"].dropna()) <= set(world.stores["store_id"])
    assert set(world.truth.account_map["account_id"]) == set(world.accounts["account_id"])


def test_amounts_are_consistent(world):
    o = world.orders
    assert (o["amount"] >= 0).all() and (o["discount"] >= 0).all()
    np.testing.assert_allclose(o["gross_amount"] - o["discount"], o["amount"], atol=0.011)
    items = world.order_items.assign(v=lambda d: d["quantity"] * d["unit_price"]).groupby("order_id")["v"].sum()
    np.testing.assert_allclose(items.reindex(o["order_id"]).to_numpy(), o["gross_amount"].to_numpy(), atol=0.011)


def test_every_timestamp_falls_inside_the_window(world):
    lo, hi = pd.Timestamp("2024-01-01"), pd.Timestamp("2026-01-01")
    for table, col in [("orders", "order_ts"), ("events", "ts"), ("tickets", "created_ts"), ("surveys", "ts"),
                       ("campaign_exposures", "ts"), ("customers", "signup_ts")]:
        ts = getattr(world, table)[col]
        assert ts.min() >= lo and ts.max() < hi, f"{table}.{col}"


def test_content_views_are_engagement_not_marketing_touches(world):
    ev = world.events
    views = ev[ev["event_type"] == "content_view"]
    assert set(views["channel"]) == {"wechat_oa", "xiaohongshu"}
    assert "content_view" not in world.truth["markov"]["touch_event_types"]


def test_duplicate_accounts_stay_in_channels_people_use(world):
    acc = world.accounts.merge(world.truth.account_map, on="account_id")
    signup = world.customers.set_index("customer_id")["signup_channel"]
    dup = acc[acc.duplicated(["customer_id", "channel"], keep=False)]
    assert len(dup) > 0
    assert (dup["channel"] == dup["customer_id"].map(signup)).all()


def test_default_size_is_as_documented(world):
    assert len(world.customers) == 20_000
    assert 900_000 <= len(world.events) <= 1_500_000
    assert 60_000 <= len(world.orders) <= 100_000


# --- determinism and the pinned manifest ---------------------------------------------------------
def test_same_seed_same_content_different_seed_different_content():
    a, b, c = make_world(800, seed=5), make_world(800, seed=5), make_world(800, seed=6)
    for name in TABLE_NAMES:
        assert content_hash(getattr(a, name)) == content_hash(getattr(b, name)), name
    assert a.truth.params == b.truth.params
    assert content_hash(a.orders) != content_hash(c.orders)


def test_default_world_matches_pinned_manifest(world):
    from opsutils.datasets import MANIFEST_PATH, manifest

    pinned = json.loads(MANIFEST_PATH.read_text())
    assert manifest(world) == pinned, "generator output changed: regenerate deliberately with `make manifest`"


# --- locales -------------------------------------------------------------------------------------
def test_en_us_world_has_no_chinese_text_and_us_phones():
    w = make_world(800, seed=3, locale="en_US")
    for name, df in w.tables().items():
        for col in df.select_dtypes(include="str").columns:
            assert not df[col].dropna().str.contains(CJK).any(), f"{name}.{col}"
    assert w.customers["phone"].str.fullmatch(r"\d{10}").all()
    assert w.accounts["phone"].dropna().str.contains(r"^\(\d{3}\) |^\+1 |^\d{3}-").all()


def test_zh_cn_world_speaks_chinese(small_world):
    assert small_world.customers["name"].str.contains(CJK).mean() > 0.99
    assert small_world.customers["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert small_world.tickets["text"].str.contains(CJK).all()


# --- bad arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n_customers": 10}, ValueError, "n_customers"),
    ({"n_customers": 1500.5}, TypeError, "n_customers"),
    ({"locale": "fr_FR"}, ValueError, "zh_CN"),
    ({"start": "2025-01-01", "end": "2025-03-01"}, ValueError, "365 days"),
    ({"start": "not a date"}, ValueError, "start"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_fail_clearly(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_world(**{"n_customers": 1500, **kwargs})


# --- planted truths, re-estimated simply ---------------------------------------------------------
def test_top_one_percent_brings_a_quarter_to_a_third_of_revenue(world):
    spend = world.orders.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    share = spend.iloc[: len(spend) // 100].sum() / spend.sum()
    assert 0.25 <= share <= 0.35
    assert share == pytest.approx(world.truth["value_concentration"]["top_1pct_revenue_share"], abs=0.01)


def test_multichannel_raw_gap_overstates_the_causal_effect(world):
    acc = world.accounts.merge(world.truth.account_map, on="account_id")
    n_ch = acc.groupby("customer_id")["channel"].nunique()
    per = world.orders.groupby("customer_id").size()
    multi = n_ch.reindex(per.index) >= 2
    rep = per >= 2
    gap = rep[multi].mean() / rep[~multi].mean() - 1
    mc = world.truth["multichannel"]
    assert gap == pytest.approx(mc["raw_repurchase_rate"]["relative_gap"], abs=0.02)
    assert 0.25 <= gap <= 0.55  # seed 000: "+40% repurchase"
    assert mc["causal_effect_on_purchase_rate_att"] < mc["raw_repurchase_rate"]["relative_gap"]
    aov = world.orders.groupby("customer_id")["amount"].mean()
    aov_gap = aov[multi].mean() / aov[~multi].mean() - 1
    assert 0.15 <= aov_gap <= 0.40  # seed 000: "+25% AOV"
    assert mc["causal_effect_on_spend_per_order_att"] < aov_gap


def test_seven_day_activation_is_below_target(world):
    first = world.orders.groupby("customer_id")["order_ts"].min()
    c = world.customers.set_index("customer_id")
    c = c[c["signup_ts"] <= pd.Timestamp("2025-12-24")]
    active = (first.reindex(c.index) - c["signup_ts"]) <= pd.Timedelta(days=7)
    rate = active.mean()
    assert 0.55 <= rate <= 0.61 < 0.65
    by = active.groupby(c["signup_channel"]).mean()
    assert by.idxmin() == "douyin"


def _exp(world, name):
    cid = world.truth["experiments"][name]["campaign_id"]
    return world.campaign_exposures.query("campaign_id == @cid")


def test_exp1_lift_matches_planted_and_ci_covers_it(world):
    e = _exp(world, "EXP-1")
    g = e.groupby("group")["converted_7d"].agg(["mean", "size"])
    lift = g.loc["treatment", "mean"] - g.loc["holdout", "mean"]
    se = np.sqrt((g["mean"] * (1 - g["mean"]) / g["size"]).sum())
    assert abs(lift - 0.015) <= 1.96 * se
    assert lift == pytest.approx(0.015, abs=0.004)
    assert 0.06 <= g.loc["holdout", "mean"] <= 0.10  # "~8% 7-day conversion"


@pytest.mark.parametrize("name, flagged", [("EXP-1", False), ("EXP-2", True)])
def test_sample_ratio_mismatch_only_in_exp2(world, name, flagged):
    counts = _exp(world, name)["group"].value_counts()
    p = stats.chisquare(counts.to_numpy()).pvalue
    assert bool(p < 0.01) is flagged


def test_exp3_effect_is_heterogeneous_by_tier(world):
    e = _exp(world, "EXP-3")
    r = e.groupby(["tier_at_send", "group"])["converted_7d"].mean().unstack()
    lift = r["treatment"] - r["holdout"]
    assert lift["potential"] > 0.02 and lift["basic"] > 0.02
    assert lift["core"] < lift["potential"]


def test_checkout_friction_on_android_miniprogram_after_release(world):
    ev = world.events
    release = pd.Timestamp(world.truth["friction"]["release_date"])
    f = ev[ev["event_type"].isin(["checkout", "payment_submit"])]
    s = f.groupby("session_id").agg(ch=("channel", "first"), dev=("device", "first"), ts=("ts", "min"),
                                    co=("event_type", lambda x: (x == "checkout").any()),
                                    ps=("event_type", lambda x: (x == "payment_submit").any()))
    s = s[s["co"]]
    seg = (s["ch"] == "miniprogram") & (s["dev"] == "android")
    after = s["ts"] >= release
    assert s.loc[seg & after, "ps"].mean() == pytest.approx(0.60, abs=0.04)
    assert s.loc[seg & ~after, "ps"].mean() == pytest.approx(0.88, abs=0.03)
    assert s.loc[~seg & after, "ps"].mean() == pytest.approx(0.88, abs=0.03)


def test_outage_day_is_the_worst_miniprogram_day(world):
    o = world.orders[world.orders["channel"] == "miniprogram"]
    start = pd.Timestamp(world.truth["outage"]["start"])
    window = o[o["order_ts"].dt.hour.between(start.hour, start.hour + 11)]
    daily = window.set_index("order_ts").resample("D").size()
    baseline = daily.rolling(15, center=True).median()
    ratio = (daily / baseline)["2025-01-15":"2025-12-15"]
    assert ratio.idxmin() == start.normalize()
    assert ratio.min() < 0.25


def test_service_score_slope_on_ninety_day_repurchase(world):
    sv = world.surveys[world.surveys["ts"] <= pd.Timestamp("2025-12-31") - pd.Timedelta(days=90)]
    o = world.orders[["customer_id", "order_ts"]].sort_values("order_ts")
    m = sv[["survey_id", "customer_id", "ts", "service_score"]].merge(o, on="customer_id", how="left")
    m["hit"] = (m["order_ts"] > m["ts"]) & (m["order_ts"] <= m["ts"] + pd.Timedelta(days=90))
    rep = m.groupby("survey_id").agg(score=("service_score", "first"), rep=("hit", "any"))
    slope = stats.linregress(rep["score"], rep["rep"].astype(float)).slope
    assert slope == pytest.approx(0.053, abs=0.015)


def test_gen_z_premium_share(world):
    s = world.surveys.merge(world.customers[["customer_id", "birth_year"]], on="customer_id")
    genz = s["birth_year"] >= 1997
    assert s.loc[genz, "pays_premium_for_seamless"].mean() == pytest.approx(0.85, abs=0.03)
    assert s.loc[~genz, "pays_premium_for_seamless"].mean() < 0.7


def test_bopis_difference_in_differences(world):
    o = world.orders[world.orders["channel"].isin(["app", "miniprogram", "web"])]
    o = o.merge(world.customers[["customer_id", "city"]], on="customer_id")
    stores = world.stores
    treated = set(stores.loc[stores["bopis_launch_date"].notna(), "city"])
    control = set(stores["city"]) - treated
    o = o[o["city"].isin(treated | control)]
    launch = pd.Timestamp(world.truth["bopis"]["launch_date"])
    o = o[o["order_ts"] >= launch - pd.Timedelta(days=270)]
    o["post"] = o["order_ts"] >= launch
    o["treated"] = o["city"].isin(treated)
    n = o.groupby(["treated", "post"]).size()
    did = np.log(n[True, True] / n[True, False]) - np.log(n[False, True] / n[False, False])
    assert did == pytest.approx(np.log(1.15), abs=0.07)


def test_data_quality_defects_are_planted(world):
    crm = world.crm_customers
    assert 0.06 <= crm["address"].isna().mean() <= 0.10
    manual = crm["source"] == "manual"
    assert crm.loc[manual, "address"].notna().mean() == pytest.approx(0.60, abs=0.05)
    digits = crm["phone"].str.replace(r"[\s-]", "", regex=True)
    assert 0.03 <= (~digits.str.fullmatch(r"1[3-9]\d{9}")).mean() <= 0.07
    late = (crm["synced_ts"] - crm["updated_ts"]) > pd.Timedelta(hours=4)
    assert late.mean() == pytest.approx(0.12, abs=0.02)
    assert 0.01 <= crm["customer_id"].duplicated().mean() <= 0.05
    both = crm.drop_duplicates("customer_id").merge(world.erp_customers.drop_duplicates("customer_id"),
                                                    on="customer_id", suffixes=("_crm", "_erp"))
    assert (both["name_crm"] != both["name_erp"]).mean() == pytest.approx(0.02, abs=0.006)


def test_tier_sla_breaches_are_patterned(world):
    t = world.tickets
    sla = t["tier"].map({"diamond": 1, "core": 4, "potential": 24, "basic": 48})
    breach = (t["first_response_ts"] - t["created_ts"]) > pd.to_timedelta(sla, unit="h")
    weekend = t["created_ts"].dt.day_of_week >= 5
    assert breach[weekend].mean() > 2 * breach[~weekend].mean()
    assert set(t["category"]) == {"logistics", "refund", "quality", "account", "payment", "product_question"}


def test_cross_sell_pairs_have_lift(world):
    items = world.order_items
    n = items["order_id"].nunique()
    for pair in world.truth["cross_sell"]:
        a = set(items.loc[items["product_id"] == pair["antecedent"], "order_id"])
        c = set(items.loc[items["product_id"] == pair["consequent"], "order_id"])
        lift = (len(a & c) / n) / ((len(a) / n) * (len(c) / n))
        confidence = len(a & c) / len(a)
        assert lift > 2, pair
        assert confidence >= pair["probability"] - 0.05, pair


def test_markov_truth_is_a_proper_chain(world):
    mk = world.truth["markov"]
    P = np.array(mk["transition"])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert 0 < mk["conversion_probability"] < 1
    assert all(0 < v < 1 for v in mk["removal_effects"].values())
    touches = world.events[world.events["event_type"].isin(mk["touch_event_types"])]
    assert set(touches["channel"]) == set(mk["states"])


def test_progress_is_reported_only_when_asked():
    messages = []
    make_world(600, seed=2, progress=messages.append)
    assert messages and messages[-1].startswith("done")


def test_campaign_texts_follow_the_locale(small_world):
    assert small_world.campaigns["target_segment"].str.contains(CJK).all()
    assert small_world.campaigns["name"].str.contains(CJK).all()
