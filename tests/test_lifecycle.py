"""opsutils.lifecycle: stages, transitions, activation, cohorts and survival on hand-made data and the world.

Outside references:

* Kaplan-Meier on the 6-MP arm of the Freireich et al. (1963) leukaemia trial, as tabulated in
  Kleinbaum & Klein, *Survival Analysis* (3rd ed., 2012), chapter 2: S(6) = 0.857, S(7) = 0.807,
  S(10) = 0.753, S(13) = 0.690, S(16) = 0.627, S(22) = 0.538, S(23) = 0.448; median 23 weeks.
* The Wilson score interval in closed form (Wilson 1927).
* The course world's planted truth: ``world.truth.params["activation"]``.
"""

import copy
import math
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from opsutils.lifecycle import (DEFAULT_RULES, STAGES, activation_rate, cohort_retention, lifecycle_stages,
                                stage_transitions, survival_curve, time_to_next_purchase)

AS_OF = "2025-07-01"


def _ts(values):
    """Timestamps from ISO strings with or without a time of day."""
    return pd.to_datetime(values, format="ISO8601")


# --------------------------------------------------------------------------- #
# Hand-made tables
# --------------------------------------------------------------------------- #
@pytest.fixture
def customers():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "signup_ts": _ts(["2024-01-05", "2024-01-05", "2024-01-05", "2024-01-05", "2025-06-01",
                                     "2024-03-01", "2025-08-01", "2025-02-01"]),
        "signup_channel": ["app", "web", "app", "web", "app", "web", "app", "app"],
    })


@pytest.fixture
def orders():
    # as of 2025-07-01:
    # a: no order -> prospect;  b: first order 42 days ago -> new;  c: repeat buyer, last 61 days ago -> stable
    # d: last order 395 days ago -> churned;  e: signed up June, no order -> prospect
    # f: repeat buyer, last order 120 days ago -> declining;  g: signs up after as_of -> not known
    # h: one purchase day (two orders) 150 days ago -> declining (one-time buyer past the new window)
    return pd.DataFrame({
        "customer_id": ["b", "c", "c", "d", "d", "f", "f", "h", "h", "c"],
        "order_ts": _ts(["2025-05-20", "2024-03-01", "2025-05-01", "2024-02-01", "2024-06-01",
                                    "2024-10-01", "2025-03-03", "2025-02-01 10:00", "2025-02-01 16:00",
                                    "2025-08-15"]),
        "amount": [10.0] * 10,
    })


def test_stages_known_answer(orders, customers):
    st = lifecycle_stages(orders, customers, as_of=AS_OF)
    assert list(st.index) == ["a", "b", "c", "d", "e", "f", "h"]  # g signs up after as_of
    assert st["stage"].tolist() == ["prospect", "new", "stable", "churned", "prospect", "declining", "declining"]
    assert list(st["stage"].cat.categories) == list(STAGES) and st["stage"].cat.ordered
    assert st.loc["c", "n_orders"] == 2  # the August order is after as_of
    assert st.loc["h", "n_orders"] == 2 and st.loc["h", "n_purchase_days"] == 1
    assert st.loc["c", "days_since_last"] == 61 and st.loc["d", "days_since_last"] == 395
    assert st.loc["f", "days_since_last"] == 120 and st.loc["b", "days_since_first"] == 42
    assert pd.isna(st.loc["a", "days_since_last"]) and pd.isna(st.loc["a", "first_order_ts"])
    assert st.loc["c", "typical_interval_days"] == 426.0  # 2024-03-01 -> 2025-05-01
    assert pd.isna(st.loc["h", "typical_interval_days"])


def test_stage_boundaries_are_whole_days(customers):
    orders = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
                           "order_ts": _ts(["2024-01-10", "2025-04-02", "2024-01-10", "2025-04-01 23:00",
                                                       "2025-04-02 00:00"])})
    st = lifecycle_stages(orders, customers, as_of=AS_OF)
    # a: 90 whole days since the last order -> still stable; b: 90.04 days -> 90 whole days -> stable too
    assert st.loc["a", "days_since_last"] == 90 and st.loc["a", "stage"] == "stable"
    assert st.loc["b", "days_since_last"] == 90 and st.loc["b", "stage"] == "stable"
    assert st.loc["c", "days_since_first"] == 90 and st.loc["c", "stage"] == "new"  # the bound is included
    st2 = lifecycle_stages(orders, customers, as_of="2025-07-02")
    assert st2.loc[["a", "b", "c"], "stage"].tolist() == ["declining", "declining", "declining"]


def test_first_order_before_signup_makes_a_customer_known(customers):
    cust = customers.assign(signup_ts=customers["signup_ts"].where(customers["customer_id"] != "g",
                                                                   pd.Timestamp("2025-08-01")))
    orders = pd.DataFrame({"customer_id": ["g"], "order_ts": _ts(["2025-06-20"])})
    st = lifecycle_stages(orders, cust, as_of=AS_OF)
    assert st.loc["g", "stage"] == "new"


def test_rules_override_and_declining_factor(orders, customers):
    st = lifecycle_stages(orders, customers, as_of=AS_OF, rules={"new_days": 30, "declining_days": 60})
    assert st.loc["b", "stage"] == "declining"  # a one-time buyer past a 30-day new window
    assert st.loc["c", "stage"] == "declining"  # 61 days > 60
    st = lifecycle_stages(orders, customers, as_of=AS_OF, rules={"churned_days": 100})
    assert st.loc["f", "stage"] == "churned"
    # a frequent buyer (gaps 82, 7, 7, 14 days: median 10.5) silent for 40 days: stable by the default
    # 90-day rule, declining at 3x their own interval
    weekly = pd.DataFrame({"customer_id": ["c"] * 5,
                           "order_ts": _ts(["2025-02-01", "2025-04-24", "2025-05-01", "2025-05-08",
                                                       "2025-05-22"])})
    assert lifecycle_stages(weekly, customers, as_of=AS_OF).loc["c", "stage"] == "stable"
    st = lifecycle_stages(weekly, customers, as_of=AS_OF, rules={"declining_factor": 3})
    assert st.loc["c", "typical_interval_days"] == 10.5 and st.loc["c", "stage"] == "declining"  # 40 > 31.5
    st = lifecycle_stages(weekly, customers, as_of=AS_OF, rules={"declining_factor": 6})
    assert st.loc["c", "stage"] == "stable"  # 40 days < 6 x 10.5


def test_default_rules_are_read_only_and_consistent():
    assert isinstance(DEFAULT_RULES, MappingProxyType)
    with pytest.raises(TypeError):
        DEFAULT_RULES["new_days"] = 1  # type: ignore[index]
    assert DEFAULT_RULES["new_days"] <= DEFAULT_RULES["declining_days"] < DEFAULT_RULES["churned_days"]


@pytest.mark.parametrize("rules, exc, match", [
    ({"new_day": 30}, ValueError, "unknown key"),
    ({"new_days": -5}, ValueError, r"rules\['new_days'\].*>= 1"),
    ({"churned_days": 0}, ValueError, "churned_days"),
    ({"new_days": 120}, ValueError, "overlap"),
    ({"declining_days": 400}, ValueError, "overlap"),
    ({"declining_days": 365}, ValueError, "overlap"),
    ({"new_days": 30.5}, TypeError, "integer"),
    ({"declining_factor": 0.5}, ValueError, "declining_factor"),
    ({"declining_factor": "3"}, TypeError, "declining_factor"),
    ([("new_days", 30)], TypeError, "dict"),
])
def test_impossible_rules(orders, customers, rules, exc, match):
    with pytest.raises(exc, match=match):
        lifecycle_stages(orders, customers, as_of=AS_OF, rules=rules)


@pytest.mark.parametrize("which, mutate, exc, match", [
    ("orders", lambda d: d.drop(columns="order_ts"), KeyError,
     r"'order_ts' not found.*Available columns: 'customer_id'"),
    ("customers", lambda d: d.drop(columns="signup_ts"), KeyError, r"'signup_ts' not found.*'signup_channel'"),
    ("orders", lambda d: d.assign(customer_id=[None] + d["customer_id"].tolist()[1:]), ValueError, "missing value"),
    ("customers", lambda d: d.assign(customer_id=[None] + d["customer_id"].tolist()[1:]), ValueError, "missing value"),
    ("orders", lambda d: d.assign(order_ts=d["order_ts"].where(d.index != 0)), ValueError, "NaT"),
    ("customers", lambda d: d.assign(signup_ts=d["signup_ts"].where(d.index != 0)), ValueError, "NaT"),
    ("orders", lambda d: d.assign(order_ts=d["order_ts"].astype(str)), ValueError, "datetime64"),
    ("orders", lambda d: d.iloc[0:0], ValueError, "empty"),
    ("customers", lambda d: d.iloc[0:0], ValueError, "empty"),
    ("customers", lambda d: pd.concat([d, d.iloc[[0]]]), ValueError, "unique"),
    ("orders", lambda d: d.assign(customer_id="zz" + d["customer_id"]), ValueError, "same ids"),
    ("orders", lambda d: d["customer_id"], TypeError, "DataFrame"),
])
def test_stages_bad_input(orders, customers, which, mutate, exc, match):
    o, c = (mutate(orders), customers) if which == "orders" else (orders, mutate(customers))
    with pytest.raises(exc, match=match):
        lifecycle_stages(o, c, as_of=AS_OF)


def test_stages_bad_as_of(orders, customers):
    with pytest.raises(ValueError, match="as_of"):
        lifecycle_stages(orders, customers, as_of="someday")
    with pytest.raises(ValueError, match="No customer is known"):
        lifecycle_stages(orders, customers, as_of="2020-01-01")


def test_row_order_does_not_matter_and_inputs_are_not_mutated(orders, customers):
    o_before, c_before = copy.deepcopy(orders), copy.deepcopy(customers)
    st = lifecycle_stages(orders, customers, as_of=AS_OF)
    shuffled_o = orders.sample(frac=1, random_state=1)
    shuffled_c = customers.sample(frac=1, random_state=2)
    pd.testing.assert_frame_equal(lifecycle_stages(shuffled_o, shuffled_c, as_of=AS_OF), st)
    stage_transitions(shuffled_o, shuffled_c, dates=["2025-01-01", AS_OF])
    activation_rate(shuffled_c, shuffled_o, as_of=AS_OF, by="signup_channel")
    cohort_retention(shuffled_o)
    time_to_next_purchase(shuffled_o, as_of=AS_OF, first_order_cols="amount")
    pd.testing.assert_frame_equal(orders, o_before)
    pd.testing.assert_frame_equal(customers, c_before)
    pd.testing.assert_frame_equal(cohort_retention(shuffled_o).retention, cohort_retention(orders).retention)


def test_custom_column_names(orders, customers):
    o = orders.rename(columns={"customer_id": "buyer", "order_ts": "created"})
    c = customers.rename(columns={"customer_id": "buyer", "signup_ts": "joined"})
    got = lifecycle_stages(o, c, as_of=AS_OF, customer_col="buyer", date_col="created", signup_col="joined")
    want = lifecycle_stages(orders, customers, as_of=AS_OF)
    assert got["stage"].tolist() == want["stage"].tolist() and got.index.name == "buyer"


# --------------------------------------------------------------------------- #
# Transitions
# --------------------------------------------------------------------------- #
def test_transitions_known_answer(orders, customers):
    dates = ["2025-01-01", "2025-04-01", AS_OF]
    tr = stage_transitions(orders, customers, dates=dates)
    s0, s1, s2 = (lifecycle_stages(orders, customers, as_of=d)["stage"] for d in dates)
    # by hand. 2025-01-01: a, b prospects; c (one purchase day, 306 days ago), d (214 days) and f (one purchase
    # day, 92 days ago) declining. 2025-04-01: c churned (396 days), f stable (came back on 2025-03-03), h new.
    # 2025-07-01: b new, c stable again (2025-05-01), d churned (395 days), f and h declining, e a new prospect.
    assert s0.to_dict() == {"a": "prospect", "b": "prospect", "c": "declining", "d": "declining", "f": "declining"}
    assert s1.to_dict() == {"a": "prospect", "b": "prospect", "c": "churned", "d": "declining", "f": "stable",
                            "h": "new"}
    assert tr.counts.loc["prospect", "prospect"] == 2 + 1  # a twice, b in the first period
    assert tr.counts.loc["prospect", "new"] == 1  # b in the second period
    assert tr.counts.loc["declining", "stable"] == 1  # f comes back in March
    assert tr.counts.loc["declining", "churned"] == 2  # c in the first period, d in the second
    assert tr.counts.loc["churned", "stable"] == 1  # c is won back
    assert tr.counts.loc["stable", "declining"] == 1 and tr.counts.loc["new", "declining"] == 1  # f, h
    assert tr.counts.values.sum() == len(s0) + len(s1) == 11
    assert list(tr.counts.index) == list(STAGES) and list(tr.counts.columns) == list(STAGES)
    assert tr.counts.sum(axis=1).tolist() == (s0.value_counts() + s1.value_counts()).reindex(list(STAGES)).tolist()
    assert tr.sizes.loc[pd.Timestamp(AS_OF)].to_dict() == s2.value_counts().reindex(list(STAGES)).to_dict()
    assert tr.entered.loc[pd.Timestamp("2025-04-01")].to_dict() == {"prospect": 0, "new": 1, "stable": 0,
                                                                     "declining": 0, "churned": 0}  # h
    assert tr.entered.loc[pd.Timestamp(AS_OF)].sum() == 1  # e signs up in June
    row = tr.shares.loc["prospect"]
    assert row["prospect"] == pytest.approx(0.75) and row["new"] == pytest.approx(0.25)
    assert tr.shares.loc["declining"].tolist() == pytest.approx([0, 0, 0.25, 0.25, 0.5])
    one = stage_transitions(orders, customers, dates=["2025-01-01", "2025-02-01"])
    assert one.shares.loc["stable"].isna().all()  # nobody stable at the start: an empty row is NaN, not 0
    tidy = tr.to_frame()
    assert list(tidy.columns) == ["from_stage", "to_stage", "n", "share"] and len(tidy) == 25
    assert len(tr.by_period) == 2 * 25 and tr.by_period["n"].sum() == tr.counts.values.sum()


def test_transitions_start_end_grid(orders, customers):
    a = stage_transitions(orders, customers, start="2025-01-01", end=AS_OF)
    assert list(a.sizes.index) == list(pd.date_range("2025-01-01", AS_OF, freq="MS"))
    b = stage_transitions(orders, customers, dates=pd.date_range("2025-01-01", AS_OF, freq="MS"))
    pd.testing.assert_frame_equal(a.counts, b.counts)


@pytest.mark.parametrize("kwargs, match", [
    (dict(dates=["2025-01-01", AS_OF], start="2025-01-01"), "not both"),
    (dict(), "Give `dates`"),
    (dict(start="2025-01-01"), "Give `dates`"),
    (dict(dates=["2025-01-01"]), "at least two"),
    (dict(dates=[AS_OF, "2025-01-01"]), "strictly increasing"),
    (dict(dates=["2025-01-01", "2025-01-01"]), "strictly increasing"),
    (dict(dates="2025-01-01"), "list of two or more"),
    (dict(dates=["2025-01-01", "later"]), "dates"),
    (dict(start="2025-01-01", end=AS_OF, freq="fortnightly"), "freq"),
    (dict(start=AS_OF, end="2025-06-15"), "at least two"),
    (dict(dates=["2025-01-01", AS_OF], rules={"new_days": -1}), "new_days"),
])
def test_transitions_bad_options(orders, customers, kwargs, match):
    with pytest.raises(ValueError, match=match):
        stage_transitions(orders, customers, **kwargs)


def test_transitions_bad_frames(orders, customers):
    with pytest.raises(KeyError, match="signup_ts"):
        stage_transitions(orders, customers.drop(columns="signup_ts"), dates=["2025-01-01", AS_OF])
    with pytest.raises(ValueError, match="empty"):
        stage_transitions(orders.iloc[0:0], customers, dates=["2025-01-01", AS_OF])


# --------------------------------------------------------------------------- #
# Activation
# --------------------------------------------------------------------------- #
@pytest.fixture
def signups():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "signup_ts": _ts(["2025-01-01 10:00", "2025-01-01 10:00", "2025-01-02", "2025-01-03",
                                     "2025-01-05", "2025-01-28", "2025-02-10", "2025-01-10"]),
        "signup_channel": ["app", "app", "web", "web", "web", "app", "app", "douyin"],
        "city_tier": [1, 2, 1, 1, 2, 1, 1, 2],
    })


@pytest.fixture
def first_orders():
    return pd.DataFrame({
        # a: exactly 7 days later (counts); b: 7 days + 1 second (does not); c: two days later;
        # d: ordered before signing up (counts); e: never; f: too recent (excluded); g: after as_of (ignored)
        # h: first order after as_of (not activated, and the window is complete)
        "customer_id": ["a", "b", "c", "c", "d", "f", "g", "h"],
        "order_ts": _ts(["2025-01-08 10:00", "2025-01-08 10:00:01", "2025-01-04", "2025-01-03",
                                    "2024-12-01", "2025-01-29", "2025-02-11", "2025-02-03"]),
    })


def test_activation_known_answer(signups, first_orders):
    act = activation_rate(signups, first_orders, as_of="2025-02-01")
    assert act.n_excluded == 1  # f signed up 2025-01-28: window ends 2025-02-04
    assert act.days == 7 and act.as_of == pd.Timestamp("2025-02-01")
    row = act.table.loc["all"]
    assert (row["n_signups"], row["n_activated"]) == (6, 3)  # a, c, d of a, b, c, d, e, h
    assert act.rate == pytest.approx(0.5)
    by = activation_rate(signups, first_orders, as_of="2025-02-01", by="signup_channel").table
    assert by["n_signups"].to_dict() == {"app": 2, "douyin": 1, "web": 3}
    assert by["n_activated"].to_dict() == {"app": 1, "douyin": 0, "web": 2}
    assert by.index.name == "signup_channel"
    # h's first order (2025-02-03) is after as_of: with a later as_of it still falls outside its window
    later = activation_rate(signups, first_orders, as_of="2025-03-01")
    assert later.n_excluded == 0 and later.table.loc["all", "n_signups"] == 8 - 0  # f and g now complete
    assert later.table.loc["all", "n_activated"] == 5  # + f and g


def test_activation_window_length(signups, first_orders):
    act = activation_rate(signups, first_orders, as_of="2025-03-01", days=1)
    assert act.table.loc["all", "n_activated"] == 4  # c, f and g (next day), d (before sign-up)
    month = activation_rate(signups, first_orders, as_of="2025-03-01", days=30)
    assert month.n_excluded == 1  # g's 30-day window is not over on 2025-03-01
    assert month.table.loc["all", ["n_signups", "n_activated"]].tolist() == [7, 6]  # all but e


def test_activation_wilson_interval_and_target(signups, first_orders):
    act = activation_rate(signups, first_orders, as_of="2025-02-01", target=0.65, confidence=0.9)
    n, k = 6, 3
    z = stats.norm.ppf(0.95)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    row = act.table.loc["all"]
    assert row["ci_low"] == pytest.approx(centre - half) and row["ci_high"] == pytest.approx(centre + half)
    assert row["target"] == 0.65 and row["gap"] == pytest.approx(-0.15)
    assert not row["meets_target"] and not row["significantly_below"]  # the interval still holds 0.65


def test_activation_by_two_columns(signups, first_orders):
    t = activation_rate(signups, first_orders, as_of="2025-03-01", by=["signup_channel", "city_tier"]).table
    assert t.index.names == ["signup_channel", "city_tier"]
    assert t["n_signups"].sum() == 8 and t.loc[("web", 1), "n_activated"] == 2


def test_activation_on_purchase_events(signups, first_orders):
    events = first_orders.rename(columns={"order_ts": "ts"}).assign(event_type="purchase")
    a = activation_rate(signups, events, as_of="2025-02-01", date_col="ts")
    assert a.rate == activation_rate(signups, first_orders, as_of="2025-02-01").rate


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(days=0), ValueError, "days"),
    (dict(days=-7), ValueError, "days"),
    (dict(days=7.5), TypeError, "days"),
    (dict(target=65), ValueError, "target"),
    (dict(confidence=1.0), ValueError, "confidence"),
    (dict(by="channel"), KeyError, "'channel' not found in `customers`"),
    (dict(by=[]), ValueError, "at least one column"),
    (dict(as_of="2025-01-05"), ValueError, "complete 7-day window"),
    (dict(as_of="soon"), ValueError, "as_of"),
])
def test_activation_bad_options(signups, first_orders, kwargs, exc, match):
    kwargs = {"as_of": "2025-02-01", **kwargs}
    with pytest.raises(exc, match=match):
        activation_rate(signups, first_orders, **kwargs)


def test_activation_bad_frames(signups, first_orders):
    with pytest.raises(ValueError, match="missing value"):
        activation_rate(signups.assign(signup_channel=[None] + ["app"] * 7), first_orders, as_of="2025-02-01",
                        by="signup_channel")
    with pytest.raises(ValueError, match="NaT"):
        activation_rate(signups.assign(signup_ts=signups["signup_ts"].where(signups.index > 0)), first_orders,
                        as_of="2025-02-01")
    with pytest.raises(ValueError, match="missing value"):
        activation_rate(signups, first_orders.assign(customer_id=None), as_of="2025-02-01")
    with pytest.raises(KeyError, match="order_ts"):
        activation_rate(signups, first_orders.rename(columns={"order_ts": "ts"}), as_of="2025-02-01")
    with pytest.raises(ValueError, match="empty"):
        activation_rate(signups.iloc[0:0], first_orders, as_of="2025-02-01")
    with pytest.raises(ValueError, match="unique"):
        activation_rate(pd.concat([signups, signups]), first_orders, as_of="2025-02-01")


def test_activation_reproduces_the_world_truth(world):
    truth = world.truth.params["activation"]
    act = activation_rate(world.customers, world.orders, as_of="2026-01-01", days=truth["window_days"],
                          by="signup_channel", target=truth["target"])
    assert act.rate == pytest.approx(truth["realised_rate"], abs=5e-7)
    got = act.table["rate"].to_dict()
    assert set(got) == set(truth["realised_by_signup_channel"])
    for channel, rate in truth["realised_by_signup_channel"].items():
        assert got[channel] == pytest.approx(rate, abs=5e-7), channel
    assert act.table["n_signups"].sum() == len(world.customers)
    assert act.table.loc["store", "meets_target"] and act.table.loc["douyin", "significantly_below"]


# --------------------------------------------------------------------------- #
# Cohorts
# --------------------------------------------------------------------------- #
@pytest.fixture
def cohort_orders():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", "c", "d", "d"],
        "order_ts": _ts(["2025-01-05", "2025-01-25", "2025-03-02", "2025-01-20", "2025-02-11",
                                    "2025-03-30", "2025-03-01", "2025-03-02"]),
    })


def test_cohort_retention_known_answer(cohort_orders):
    cr = cohort_retention(cohort_orders)
    assert cr.period == "M"
    assert [str(p) for p in cr.retention.index] == ["2025-01", "2025-02", "2025-03"]
    assert cr.sizes.tolist() == [2, 1, 1]
    np.testing.assert_allclose(cr.retention.loc[pd.Period("2025-01", "M")].to_numpy(), [1.0, 0.0, 0.5])
    np.testing.assert_allclose(cr.retention.loc[pd.Period("2025-02", "M")].to_numpy(), [1.0, 1.0, np.nan])
    assert cr.counts.loc[pd.Period("2025-01", "M"), 2] == 1  # a bought in March; two January orders count once
    tidy = cr.to_frame()
    assert list(tidy.columns) == ["cohort", "periods_since", "cohort_size", "n_active", "retention"]
    assert len(tidy) == 3 + 2 + 1  # observed cells only


def test_cohort_retention_weeks_and_quarters(cohort_orders):
    q = cohort_retention(cohort_orders, period="Q")
    assert q.retention.shape == (1, 1) and q.sizes.tolist() == [4]
    w = cohort_retention(cohort_orders, period="W")
    first = w.retention.index[0]
    assert str(first) == "2024-12-30/2025-01-05"  # weeks run Monday to Sunday
    assert w.retention.loc[first, 3] == 1.0  # a bought again in the week of 2025-01-20 (3 weeks later)


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda d: d, dict(period="month"), ValueError, "`period` must be one of 'W', 'M', 'Q'"),
    (lambda d: d, dict(period="D"), ValueError, "period"),
    (lambda d: d.drop(columns="customer_id"), {}, KeyError, "customer_id"),
    (lambda d: d.assign(customer_id=np.nan), {}, ValueError, "missing value"),
    (lambda d: d.assign(order_ts=pd.NaT), {}, ValueError, "datetime64|NaT"),
    (lambda d: d.iloc[0:0], {}, ValueError, "empty"),
])
def test_cohort_retention_bad_input(cohort_orders, mutate, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cohort_retention(mutate(cohort_orders), **kwargs)


def test_cohort_retention_on_the_world(world):
    cr = cohort_retention(world.orders)
    assert (cr.retention[0] == 1.0).all()
    assert cr.sizes.sum() == world.orders["customer_id"].nunique()
    assert cr.retention.iloc[-1, 1:].isna().all()  # the last cohort has no later month yet
    assert cr.retention.iloc[0].notna().all()


# --------------------------------------------------------------------------- #
# Time to the next purchase and survival
# --------------------------------------------------------------------------- #
def test_time_to_next_purchase_known_answer():
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", "c", "d"],
        "order_ts": _ts(["2025-01-01 10:00", "2025-01-01 18:00", "2025-01-11 10:00",
                                    "2025-01-21 00:00", "2025-01-30 12:00", "2025-02-15", "2025-03-01"]),
        "channel": ["app", "web", "store", "web", "tmall", "app", "app"],
    })
    d = time_to_next_purchase(orders, as_of="2025-01-31", first_order_cols="channel")
    assert list(d.index) == ["a", "b", "c"]  # d's first order is after as_of
    assert d["duration_days"].tolist() == [10.0, 10.0, 0.5]
    assert d["event"].tolist() == [True, False, False]  # c's second order is after as_of: censored
    assert d["first_channel"].tolist() == ["app", "web", "tmall"]
    assert pd.isna(d.loc["b", "next_order_ts"])
    with pytest.raises(KeyError, match="'device' not found"):
        time_to_next_purchase(orders, as_of="2025-01-31", first_order_cols=["device"])
    with pytest.raises(ValueError, match="no order at or before"):
        time_to_next_purchase(orders, as_of="2024-01-01")
    with pytest.raises(ValueError, match="as_of"):
        time_to_next_purchase(orders, as_of=20250131)
    with pytest.raises(ValueError, match="empty"):
        time_to_next_purchase(orders.iloc[0:0], as_of="2025-01-31")


# 6-MP arm of the Freireich leukaemia trial: weeks in remission, 1 = relapse, 0 = censored.
SIX_MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_survival_matches_the_textbook_kaplan_meier():
    d = pd.DataFrame({"duration_days": np.array(SIX_MP_T, dtype=float), "event": np.array(SIX_MP_E, dtype=bool)})
    sv = survival_curve(d)
    got = dict(zip(sv.table["time"], sv.table["survival"].round(3)))
    assert got == {6.0: 0.857, 7.0: 0.807, 10.0: 0.753, 13.0: 0.690, 16.0: 0.627, 22.0: 0.538, 23.0: 0.448}
    assert sv.table["n_at_risk"].tolist() == [21, 17, 15, 12, 11, 7, 6]
    assert sv.medians.loc["all", "median"] == 23.0
    assert sv.medians.loc["all", ["n", "n_events"]].tolist() == [21, 9]
    assert (sv.table["ci_low"] <= sv.table["survival"]).all() and (sv.table["survival"] <= sv.table["ci_high"]).all()
    assert sv.at([0, 6, 8, 100]).loc["all"].round(3).tolist() == [1.0, 0.857, 0.807, 0.448]
    assert sv.to_frame().equals(sv.medians)


def test_survival_by_group_and_never_half():
    d = pd.DataFrame({"duration_days": [1.0, 2.0, 3.0, 4.0, 1.0, 5.0, 6.0],
                      "event": [1, 1, 1, 0, 1, 0, 0], "g": ["x", "x", "x", "x", "y", "y", "y"]})
    sv = survival_curve(d, by="g")
    assert list(sv.medians.index) == ["x", "y"] and sv.medians.index.name == "g"
    # S is exactly 1/2 from t = 2 to 3: statsmodels (like SAS) takes the first time S falls *below* 1/2
    assert sv.medians.loc["x", "median"] == 3.0
    assert np.isnan(sv.medians.loc["y", "median"])  # y's curve stays at 2/3
    assert sv.at(10).loc["y"].iloc[0] == pytest.approx(2 / 3)


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda d: d.assign(duration_days=-d["duration_days"]), {}, ValueError, "negative"),
    (lambda d: d.assign(duration_days=d["duration_days"].astype(str)), {}, ValueError, "numeric"),
    (lambda d: d.assign(event=2), {}, ValueError, "True/False"),
    (lambda d: d.assign(event=np.nan), {}, ValueError, "True/False"),
    (lambda d: d.drop(columns="event"), {}, KeyError, "'event' not found"),
    (lambda d: d.assign(g=None), dict(by="g"), ValueError, "missing value"),
    (lambda d: d, dict(by="g"), KeyError, "'g' not found"),
    (lambda d: d, dict(confidence=95), ValueError, "confidence"),
    (lambda d: d.iloc[0:0], {}, ValueError, "empty"),
])
def test_survival_bad_input(mutate, kwargs, exc, match):
    d = pd.DataFrame({"duration_days": [1.0, 2.0, 3.0], "event": [True, False, True]})
    with pytest.raises(exc, match=match):
        survival_curve(mutate(d), **kwargs)


def test_survival_on_the_world(world):
    d = time_to_next_purchase(world.orders, as_of="2026-01-01", first_order_cols="channel")
    assert len(d) == world.orders["customer_id"].nunique()
    assert 0.5 < d["event"].mean() < 0.7
    sv = survival_curve(d, by="first_channel")
    assert set(sv.medians.index) == set(world.orders["channel"].unique())
    med = survival_curve(d).medians.loc["all", "median"]
    assert 60 < med < 300
