"""opsutils.kpi: the channel KPI table, the KPI tree, control limits, alerts and STL."""

import copy
import math

import numpy as np
import pandas as pd
import pytest

from opsutils.kpi import (VISIT_EVENT_TYPES, KPITree, control_limits, decompose, detect_anomalies, kpi_table,
                          kpi_tree)


# --------------------------------------------------------------------------- #
# Fixtures
# --------------------------------------------------------------------------- #
@pytest.fixture
def orders():
    rows = [
        # customer, time, amount, channel
        ("a", "2025-01-10", 100.0, "app"),   # previous period (January)
        ("b", "2025-01-12", 40.0, "web"),
        ("a", "2025-02-03", 80.0, "app"),    # current period (February)
        ("a", "2025-02-20", 60.0, "app"),
        ("c", "2025-02-11", 70.0, "app"),
        ("b", "2025-02-14", 50.0, "store"),
        ("d", "2025-03-05", 30.0, "web"),    # after the period
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_ts", "amount", "channel"])
    return df.assign(order_ts=pd.to_datetime(df["order_ts"]))


@pytest.fixture
def events():
    rows = [
        # session, time, event type, customer, channel
        (1, "2025-01-10 09:00", "product_view", "a", "app"),
        (1, "2025-01-10 09:05", "purchase", "a", "app"),
        (2, "2025-01-12 10:00", "product_view", "b", "web"),
        (2, "2025-01-12 10:02", "purchase", "b", "web"),
        (3, "2025-02-03 08:00", "search", "a", "app"),
        (3, "2025-02-03 08:01", "product_view", "a", "app"),
        (3, "2025-02-03 08:10", "purchase", "a", "app"),
        (4, "2025-02-20 12:00", "product_view", "a", "app"),
        (4, "2025-02-20 12:03", "purchase", "a", "app"),
        (5, "2025-02-11 19:00", "product_view", "c", "app"),
        (5, "2025-02-11 19:09", "purchase", "c", "app"),
        (6, "2025-02-14 15:00", "store_visit", "b", "store"),
        (6, "2025-02-14 15:00", "purchase", "b", "store"),
        (7, "2025-02-15 21:00", "product_view", "e", "web"),       # a visitor who does not buy
        (8, "2025-02-16 21:00", "product_view", None, "app"),      # anonymous visit
        (9, "2025-02-17 11:00", "impression", "a", "app"),         # a push impression: not a visit
        (10, "2025-02-18 11:00", "content_view", "f", "xiaohongshu"),  # content, not a visit
        (11, "2025-03-05 10:00", "product_view", "d", "web"),
        (11, "2025-03-05 10:01", "purchase", "d", "web"),
    ]
    df = pd.DataFrame(rows, columns=["session_id", "ts", "event_type", "customer_id", "channel"])
    return df.assign(ts=pd.to_datetime(df["ts"]))


@pytest.fixture
def customers():
    df = pd.DataFrame({"customer_id": list("abcdefgh"),
                       "signup_ts": ["2024-05-01"] * 6 + ["2025-02-10", "2025-03-10"]})
    return df.assign(signup_ts=pd.to_datetime(df["signup_ts"]))


FEB = {"start": "2025-02-01", "end": "2025-03-01"}
JAN = {"baseline_start": "2025-01-01", "baseline_end": "2025-02-01"}


def _daily(values, start="2025-01-06"):
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def _noisy_weekly(n_weeks=12, seed=1, level=100.0):
    rng = np.random.default_rng(seed)
    pattern = np.array([0.92, 0.90, 0.93, 0.97, 1.05, 1.15, 1.08])
    return _daily(np.tile(pattern, n_weeks) * level + rng.normal(0, 2, 7 * n_weeks))


# --------------------------------------------------------------------------- #
# kpi_table
# --------------------------------------------------------------------------- #
def test_kpi_table_known_answer(orders, events, customers):
    t = kpi_table(orders, events, customers, **FEB)
    assert list(t.index) == ["app", "store", "web", "all"]
    assert t.index.name == "channel"
    app = t.loc["app"]
    assert app["orders"] == 3 and app["buyers"] == 2 and app["gmv"] == pytest.approx(210.0)
    assert app["aov"] == pytest.approx(70.0)
    assert app["repeat_rate"] == pytest.approx(0.5)          # a bought twice, c once
    assert app["retention"] == pytest.approx(1.0)            # a (January app buyer) came back
    assert app["sessions"] == 4 and app["converting_sessions"] == 3   # sessions 3, 4, 5 and the anonymous 8
    assert app["conversion"] == pytest.approx(0.75)
    assert app["active_customers"] == 2                      # a, c (the anonymous visit has no id)
    assert app["activity_rate"] == pytest.approx(2 / 7)     # 7 members signed up before March
    web = t.loc["web"]
    assert web["orders"] == 0 and web["gmv"] == 0.0 and math.isnan(web["aov"])
    assert web["retention"] == 0.0                           # b bought on the web in January, not again there
    assert web["sessions"] == 1 and web["conversion"] == 0.0 and web["active_customers"] == 1   # visitor e
    assert math.isnan(t.loc["store", "retention"])          # nobody bought in store in January
    total = t.loc["all"]
    assert total["orders"] == 4 and total["buyers"] == 3 and total["gmv"] == pytest.approx(260.0)
    assert total["retention"] == pytest.approx(1.0)          # a and b both came back
    assert total["active_customers"] == 4                    # a, b, c, e; not f (content only)
    assert total["sessions"] == 6 and total["conversion"] == pytest.approx(4 / 6)
    assert list(t.columns) == ["active_customers", "activity_rate", "sessions", "converting_sessions",
                               "conversion", "buyers", "orders", "gmv", "aov", "repeat_rate", "retention"]


def test_kpi_table_without_events_customers_or_groups(orders):
    t = kpi_table(orders, **FEB)
    assert "conversion" not in t and "activity_rate" not in t
    assert (t["active_customers"] == t["buyers"]).all()
    one = kpi_table(orders, by=None, **FEB)
    assert list(one.index) == ["all"] and one.index.name == "group"
    assert one.loc["all", "gmv"] == pytest.approx(260.0)
    no_total = kpi_table(orders, total=False, **FEB)
    assert "all" not in no_total.index


def test_kpi_table_default_period_is_the_data_span(orders):
    t = kpi_table(orders, by=None)
    assert t.loc["all", "orders"] == len(orders)
    assert t.loc["all", "gmv"] == pytest.approx(orders["amount"].sum())


def test_kpi_table_visit_events_option(orders, events):
    wider = kpi_table(orders, events, visit_events=[*VISIT_EVENT_TYPES, "content_view"], **FEB)
    assert wider.loc["all", "sessions"] == 7 and wider.loc["all", "active_customers"] == 5


def test_kpi_table_does_not_mutate(orders, events, customers):
    before = [copy.deepcopy(x) for x in (orders, events, customers)]
    kpi_table(orders, events, customers, **FEB)
    for x, b in zip((orders, events, customers), before):
        pd.testing.assert_frame_equal(x, b)


def test_kpi_table_bad_inputs(orders, events, customers):
    with pytest.raises(TypeError, match="`orders` must be a pandas DataFrame"):
        kpi_table(orders.to_dict())
    with pytest.raises(ValueError, match="`orders` is empty"):
        kpi_table(orders.iloc[:0])
    with pytest.raises(KeyError, match="Column 'amount' not found in `orders`"):
        kpi_table(orders.drop(columns="amount"))
    with pytest.raises(KeyError, match="Column 'city' not found in `orders`"):
        kpi_table(orders, by="city")
    with pytest.raises(ValueError, match="negative value"):
        kpi_table(orders.assign(amount=-orders["amount"]))
    with pytest.raises(ValueError, match="must be datetime64"):
        kpi_table(orders.assign(order_ts=orders["order_ts"].astype(str)))
    with pytest.raises(ValueError, match="Column 'channel' of `orders` has 1 missing value"):
        kpi_table(orders.assign(channel=orders["channel"].where(orders.index != 0)))
    with pytest.raises(ValueError, match="`end` must be after `start`"):
        kpi_table(orders, start="2025-03-01", end="2025-02-01")
    with pytest.raises(ValueError, match="`start` must be a date"):
        kpi_table(orders, start="last month", end="2025-02-01")
    with pytest.raises(ValueError, match="`visit_events` must hold at least one"):
        kpi_table(orders, events, visit_events=[], **FEB)
    with pytest.raises(ValueError, match="`visit_events` must be a list"):
        kpi_table(orders, events, visit_events="product_view", **FEB)
    with pytest.raises(ValueError, match="`total` must be True or False"):
        kpi_table(orders, total="yes", **FEB)
    with pytest.raises(KeyError, match="Column 'session_id' not found in `events`"):
        kpi_table(orders, events.drop(columns="session_id"), **FEB)
    with pytest.raises(KeyError, match="Column 'channel' not found in `events`"):
        kpi_table(orders, events.drop(columns="channel"), **FEB)
    with pytest.raises(ValueError, match="Column 'ts' of `events` must be datetime64"):
        kpi_table(orders, events.assign(ts=events["ts"].astype(str)), **FEB)
    with pytest.raises(KeyError, match="Column 'signup_ts' not found in `customers`"):
        kpi_table(orders, events, customers.drop(columns="signup_ts"), **FEB)


# --------------------------------------------------------------------------- #
# kpi_tree
# --------------------------------------------------------------------------- #
def _product(periods, names):
    return periods[list(names)].astype(float).prod(axis=1)


def test_kpi_tree_identities_and_known_answer(orders, events):
    tree = kpi_tree(orders, events, **FEB, **JAN)
    assert isinstance(tree, KPITree)
    p = tree.periods
    assert list(p.index) == ["baseline", "current"]
    cur = p.loc["current"]
    assert cur["gmv"] == pytest.approx(260.0)
    assert cur["sessions"] == 6 and cur["converting_sessions"] == 4 and cur["orders"] == 4
    assert cur["conversion"] == pytest.approx(4 / 6) and cur["aov"] == pytest.approx(65.0)
    assert cur["buyers"] == 3 and cur["new_buyers"] == 1 and cur["returning_buyers"] == 2   # c new; a, b back
    assert cur["new_gmv"] == pytest.approx(70.0) and cur["returning_gmv"] == pytest.approx(190.0)
    # the identities hold exactly in both periods
    np.testing.assert_allclose(_product(p, ("sessions", "conversion", "orders_per_converting_session", "aov")),
                               p["gmv"].astype(float), rtol=1e-12)
    np.testing.assert_allclose(_product(p, ("buyers", "orders_per_buyer", "aov")), p["gmv"].astype(float),
                               rtol=1e-12)
    np.testing.assert_allclose((p["new_gmv"] + p["returning_gmv"]).astype(float), p["gmv"].astype(float))
    assert tree.gmv_change == pytest.approx(120.0)


def test_kpi_tree_lmdi_known_answer(orders, events):
    tree = kpi_tree(orders, events, **FEB, **JAN)
    c = tree.contributions.set_index(["branch", "factor"])["contribution"]
    weight = (260.0 - 140.0) / math.log(260.0 / 140.0)
    assert c[("traffic", "sessions")] == pytest.approx(weight * math.log(6 / 2))
    assert c[("traffic", "conversion")] == pytest.approx(weight * math.log((4 / 6) / 1.0))
    assert c[("traffic", "aov")] == pytest.approx(weight * math.log(65.0 / 70.0))
    assert c[("traffic", "orders_per_converting_session")] == pytest.approx(0.0)
    for branch in ("traffic", "customers", "new_returning"):
        assert c[branch].sum() == pytest.approx(120.0)
    # every January buyer was new (first orders); February: c is new, a and b return
    assert c[("new_returning", "new_gmv")] == pytest.approx(70.0 - 140.0)
    assert c[("new_returning", "returning_gmv")] == pytest.approx(190.0 - 0.0)
    share = tree.contributions.groupby("branch")["share"].sum()
    np.testing.assert_allclose(share.to_numpy(), 1.0)


def test_kpi_tree_shapley_two_factors_known_answer(orders, events):
    # customers branch: buyers 2 -> 3, orders per buyer 1 -> 4/3, AOV 70 -> 65
    tree = kpi_tree(orders, events, method="shapley", **FEB, **JAN)
    assert tree.method == "shapley"
    c = tree.contributions.set_index(["branch", "factor"])["contribution"]
    f0 = {"buyers": 2.0, "orders_per_buyer": 1.0, "aov": 70.0}
    f1 = {"buyers": 3.0, "orders_per_buyer": 4 / 3, "aov": 65.0}
    # three-factor Shapley by hand: 1/3 for the factor first or last, 1/6 for each middle order
    def g(**switch):
        return math.prod(f1[k] if switch.get(k) else f0[k] for k in f0)
    b = (2 * (g(buyers=1) - g()) + (g(buyers=1, orders_per_buyer=1) - g(orders_per_buyer=1))
         + (g(buyers=1, aov=1) - g(aov=1)) + 2 * (g(buyers=1, orders_per_buyer=1, aov=1)
                                                 - g(orders_per_buyer=1, aov=1))) / 6
    assert c[("customers", "buyers")] == pytest.approx(b)
    assert c["customers"].sum() == pytest.approx(120.0)
    assert c["traffic"].sum() == pytest.approx(120.0)


def test_kpi_tree_reconciliation_factor(orders, events):
    # an order without a purchase session: orders per converting session > 1, identity still exact
    extra = pd.DataFrame({"customer_id": ["c"], "order_ts": pd.to_datetime(["2025-02-25"]), "amount": [40.0],
                          "channel": ["app"]})
    tree = kpi_tree(pd.concat([orders, extra], ignore_index=True), events, **FEB)
    cur = tree.periods.loc["current"]
    assert cur["orders_per_converting_session"] == pytest.approx(5 / 4)
    assert cur["sessions"] * cur["conversion"] * cur["orders_per_converting_session"] * cur["aov"] == \
        pytest.approx(cur["gmv"])
    assert tree.contributions is None and math.isnan(tree.gmv_change)
    frame = tree.to_frame()
    assert frame["baseline"].isna().all() and frame["contribution"].isna().all()


def test_kpi_tree_to_frame(orders, events):
    frame = kpi_tree(orders, events, **FEB, **JAN).to_frame()
    assert list(frame.columns) == ["branch", "node", "formula", "baseline", "current", "ratio", "contribution"]
    assert frame["branch"].tolist().count("traffic") == 4
    root = frame.set_index("node").loc["gmv"]
    assert root["current"] == pytest.approx(260.0) and root["contribution"] == pytest.approx(120.0)
    for branch in ("traffic", "customers", "new_returning"):
        assert frame.loc[frame["branch"] == branch, "contribution"].sum() == pytest.approx(120.0)


def test_kpi_tree_zero_factor_gives_nan_lmdi(orders, events):
    tree = kpi_tree(orders, events, start="2025-02-01", end="2025-03-01", baseline_start="2024-12-01",
                    baseline_end="2025-01-01")
    c = tree.contributions.set_index(["branch", "factor"])["contribution"]
    assert c["traffic"].isna().all()          # no sessions in the baseline: logs undefined
    assert c[("new_returning", "new_gmv")] == pytest.approx(70.0)


def test_kpi_tree_on_the_world(world):
    tree = kpi_tree(world.orders, world.events, start="2025-07-01", end="2026-01-01",
                    baseline_start="2024-07-01", baseline_end="2025-01-01")
    p = tree.periods
    np.testing.assert_allclose(_product(p, ("sessions", "conversion", "orders_per_converting_session", "aov")),
                               p["gmv"].astype(float), rtol=1e-12)
    in_h2 = world.orders["order_ts"].between("2025-07-01", "2026-01-01", inclusive="left")
    assert p.loc["current", "gmv"] == pytest.approx(world.orders.loc[in_h2, "amount"].sum())
    assert p.loc["current", "orders_per_converting_session"] == pytest.approx(1.0, abs=1e-3)
    for method in ("lmdi", "shapley"):
        c = kpi_tree(world.orders, world.events, method=method, start="2025-07-01", end="2026-01-01",
                     baseline_start="2024-07-01", baseline_end="2025-01-01").contributions
        np.testing.assert_allclose(c.groupby("branch")["contribution"].sum().to_numpy(), tree.gmv_change)


def test_kpi_tree_does_not_mutate(orders, events):
    before = copy.deepcopy(orders), copy.deepcopy(events)
    kpi_tree(orders, events, **FEB, **JAN)
    pd.testing.assert_frame_equal(orders, before[0])
    pd.testing.assert_frame_equal(events, before[1])


def test_kpi_tree_bad_inputs(orders, events):
    with pytest.raises(TypeError, match="`events` must be a pandas DataFrame"):
        kpi_tree(orders, None, **FEB)
    with pytest.raises(ValueError, match="`events` is empty"):
        kpi_tree(orders, events.iloc[:0], **FEB)
    with pytest.raises(KeyError, match="Column 'event_type' not found in `events`"):
        kpi_tree(orders, events.drop(columns="event_type"), **FEB)
    with pytest.raises(KeyError, match="Column 'customer_id' not found in `orders`"):
        kpi_tree(orders.drop(columns="customer_id"), events, **FEB)
    with pytest.raises(ValueError, match="Column 'session_id' of `events` has 1 missing value"):
        kpi_tree(orders, events.assign(session_id=events["session_id"].where(events.index != 3)), **FEB)
    with pytest.raises(ValueError, match="`method` must be one of 'lmdi', 'shapley'; got 'divisia'"):
        kpi_tree(orders, events, method="divisia", **FEB)
    with pytest.raises(ValueError, match="Pass both `baseline_start` and `baseline_end`"):
        kpi_tree(orders, events, baseline_start="2025-01-01", **FEB)
    with pytest.raises(ValueError, match="`baseline_end` must be after `baseline_start`"):
        kpi_tree(orders, events, baseline_start="2025-02-01", baseline_end="2025-01-01", **FEB)
    with pytest.raises(ValueError, match="`end` must be after `start`"):
        kpi_tree(orders, events, start="2025-02-01", end="2025-02-01")
    with pytest.raises(TypeError, match="missing 2 required keyword-only arguments"):
        kpi_tree(orders, events)


# --------------------------------------------------------------------------- #
# control_limits / detect_anomalies
# --------------------------------------------------------------------------- #
def test_flat_series_has_no_alerts_and_a_spike_is_found():
    flat = _daily(np.full(140, 50.0))
    band = control_limits(flat)
    assert (band["expected"].dropna() == 50.0).all() and (band["sd"].dropna() == 0.0).all()
    assert detect_anomalies(flat).empty
    spiked = flat.copy()
    spiked.iloc[130] = 51.0
    alerts = detect_anomalies(spiked)
    assert list(alerts.index) == [flat.index[130]]
    assert alerts["direction"].iloc[0] == "high" and np.isinf(alerts["robust_z"].iloc[0])


def test_planted_spike_and_drop_in_a_noisy_weekly_series():
    series = _noisy_weekly()
    assert detect_anomalies(series, window=28).empty
    planted = series.copy()
    planted.iloc[65] *= 1.5   # a spike
    planted.iloc[75] *= 0.5   # an outage
    alerts = detect_anomalies(planted, window=28)
    assert list(alerts.index) == [series.index[65], series.index[75]]
    assert alerts["direction"].tolist() == ["high", "low"]
    assert (alerts["robust_z"].abs() > 5).all()
    only_low = detect_anomalies(planted, window=28, direction="low")
    assert list(only_low.index) == [series.index[75]]
    assert list(detect_anomalies(planted, window=28, direction="high").index) == [series.index[65]]


def test_seasonality_is_removed():
    pattern = np.array([90.0, 90, 90, 100, 110, 130, 90])
    series = _daily(np.tile(pattern, 10))
    band = control_limits(series, window=14)
    valid = band.dropna()
    np.testing.assert_allclose(valid["expected"], valid["observed"])      # the weekly pattern is predicted
    np.testing.assert_allclose(valid["sd"], 0.0, atol=1e-12)
    additive = control_limits(series, window=14, seasonality="additive").dropna()
    np.testing.assert_allclose(additive["expected"], additive["observed"])
    np.testing.assert_allclose(additive["seasonal"].iloc[:7].sum(), 0.0, atol=1e-9)
    assert detect_anomalies(series, window=14).empty
    # without seasonal adjustment the busy days of every week raise alerts
    no_season = detect_anomalies(series, window=14, seasonal_period=1)
    assert set(no_season.index.day_of_week) == {3, 4, 5} and (no_season["direction"] == "high").all()


def test_limits_use_only_the_past():
    series = _noisy_weekly(n_weeks=20)
    band = control_limits(series)
    changed = series.copy()
    changed.iloc[120:] = changed.iloc[120:] * 3 + 17
    band2 = control_limits(changed)
    # the band of day 120 is computed before day 120 is seen: changing it (and later days) changes nothing
    pd.testing.assert_frame_equal(band.iloc[:121].drop(columns="observed"), band2.iloc[:121].drop(columns="observed"))
    # default window of 56 days: no expected value for 56 days, no band for 112
    assert int(band["expected"].isna().sum()) == 56 and int(band["lower"].isna().sum()) == 112
    short = control_limits(series, window=28)
    assert int(short["expected"].isna().sum()) == 28 and int(short["lower"].isna().sum()) == 56


def test_robust_limits_ignore_one_bad_day():
    series = _noisy_weekly(n_weeks=20)
    shocked = series.copy()
    shocked.iloc[114] = 0.0
    a, b = control_limits(series).iloc[115:], control_limits(shocked).iloc[115:]
    np.testing.assert_allclose(a["expected"], b["expected"], rtol=0.03)
    assert (b["sd"] / a["sd"]).max() < 1.4                     # a plain sd would jump several-fold
    # the shock itself is the only new alert, nothing after it (the series has one noise alert of its own)
    assert list(detect_anomalies(shocked).index) == sorted([series.index[114], *detect_anomalies(series).index])


def test_limits_frame_as_input_and_not_mutated():
    series = _noisy_weekly(n_weeks=20)
    before = series.copy()
    band = control_limits(series, k=2.0)
    band_copy = band.copy()
    pd.testing.assert_frame_equal(detect_anomalies(band), detect_anomalies(series, k=2.0))
    pd.testing.assert_series_equal(series, before)
    pd.testing.assert_frame_equal(band, band_copy)
    assert list(detect_anomalies(band).columns) == ["observed", "expected", "lower", "upper", "direction",
                                                  "deviation", "robust_z"]


def test_wider_k_gives_fewer_alerts():
    series = _noisy_weekly(n_weeks=40, seed=3)
    counts = [len(detect_anomalies(series, k=k)) for k in (1.5, 2.0, 3.0, 4.0)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_control_limits_bad_inputs():
    good = _noisy_weekly(n_weeks=20)
    with pytest.raises(TypeError, match="`series` must be a pandas Series, got list"):
        control_limits(list(good))
    with pytest.raises(TypeError, match="Pick one column"):
        control_limits(good.to_frame("orders"))
    with pytest.raises(ValueError, match="`series` is empty"):
        control_limits(good.iloc[:0])
    with pytest.raises(ValueError, match="must have a DatetimeIndex .* got RangeIndex"):
        control_limits(good.reset_index(drop=True))
    with pytest.raises(ValueError, match=r"has 1 missing value \(NaN, first on 2025-01-16\)"):
        control_limits(good.where(good.index != "2025-01-16"))
    with pytest.raises(ValueError, match=r"2 missing periods \(first gap after 2025-01-15\)"):
        control_limits(good.drop(pd.to_datetime(["2025-01-16", "2025-01-17"])))
    with pytest.raises(ValueError, match="duplicate dates"):
        control_limits(pd.concat([good, good.iloc[-1:]]))
    with pytest.raises(ValueError, match="must be sorted by date"):
        control_limits(good.iloc[::-1])
    with pytest.raises(ValueError, match="must be numeric"):
        control_limits(good.astype(str))
    with pytest.raises(ValueError, match="must be numeric"):
        control_limits(good > 100)
    with pytest.raises(ValueError, match=r"`window` must be at least 2 x `seasonal_period` = 14"):
        control_limits(good, window=10)
    with pytest.raises(ValueError, match="`window` must be an integer >= 2"):
        control_limits(good, window=1, seasonal_period=1)
    with pytest.raises(TypeError, match="`window` must be an integer"):
        control_limits(good, window=28.0)
    with pytest.raises(ValueError, match=r"`k` must be > 0; got 0"):
        control_limits(good, k=0)
    with pytest.raises(ValueError, match=r"`k` must be > 0; got -1.5"):
        control_limits(good, k=-1.5)
    with pytest.raises(TypeError, match="`k` must be a real number"):
        control_limits(good, k="3")
    with pytest.raises(ValueError, match="`seasonality` must be one of 'multiplicative', 'additive'"):
        control_limits(good, seasonality="weekly")
    with pytest.raises(ValueError, match="`seasonal_period` must be an integer >= 1"):
        control_limits(good, seasonal_period=0)
    with pytest.raises(ValueError, match="has 40 values; at least 113 are needed"):   # default window 56
        control_limits(good.iloc[:40])
    with pytest.raises(ValueError, match="has 40 values; at least 57 are needed"):
        control_limits(good.iloc[:40], window=28)
    with pytest.raises(ValueError, match="use seasonality='additive'"):
        control_limits(good - 100)
    assert len(control_limits(good - 100, seasonality="additive")) == len(good)


def test_detect_anomalies_bad_inputs():
    good = _noisy_weekly(n_weeks=20)
    with pytest.raises(ValueError, match="`direction` must be one of 'both', 'low', 'high'; got 'down'"):
        detect_anomalies(good, direction="down")
    with pytest.raises(KeyError, match="Column 'sd' not found in `series_or_limits`"):
        detect_anomalies(control_limits(good).drop(columns="sd"))
    with pytest.raises(ValueError, match="`series_or_limits` is empty"):
        detect_anomalies(control_limits(good).iloc[:0])
    with pytest.raises(TypeError, match="must be a pandas Series .* got ndarray"):
        detect_anomalies(good.to_numpy())
    with pytest.raises(ValueError, match="`k` must be > 0"):
        detect_anomalies(good, k=0.0)


# --------------------------------------------------------------------------- #
# decompose
# --------------------------------------------------------------------------- #
def test_decompose_recovers_a_weekly_pattern_and_adds_up():
    from statsmodels.tsa.seasonal import STL

    pattern = np.array([-5.0, -5, -5, 0, 5, 15, -5])
    trend = np.linspace(100, 160, 140)
    series = _daily(trend + np.tile(pattern, 20))
    parts = decompose(series)
    assert list(parts.columns) == ["observed", "trend", "seasonal", "resid"]
    np.testing.assert_allclose(parts[["trend", "seasonal", "resid"]].sum(axis=1), series)
    np.testing.assert_allclose(parts["seasonal"].iloc[70:77], pattern, atol=0.5)
    exact = decompose(series, robust=False)   # a noiseless series is split exactly
    np.testing.assert_allclose(exact["trend"], trend, atol=1e-8)
    np.testing.assert_allclose(exact["seasonal"], np.tile(pattern, 20), atol=1e-8)
    reference = STL(series, period=7, seasonal=7, robust=True).fit()      # the wrapper adds nothing
    np.testing.assert_allclose(parts["trend"], reference.trend)


def test_decompose_robust_puts_a_spike_in_the_residual():
    series = _daily(np.linspace(100, 160, 140) + np.tile([-5.0, -5, -5, 0, 5, 15, -5], 20))
    spiked = series.copy()
    spiked.iloc[70] += 200
    robust = decompose(spiked)
    assert robust["resid"].iloc[70] > 190
    assert abs(robust["trend"].iloc[70] - decompose(series)["trend"].iloc[70]) < 2
    plain = decompose(spiked, robust=False)
    assert plain["resid"].iloc[70] < robust["resid"].iloc[70]
    smooth = decompose(series, trend=29)
    assert smooth.shape == (140, 4)
    pd.testing.assert_series_equal(series, _daily(np.linspace(100, 160, 140)
                                                  + np.tile([-5.0, -5, -5, 0, 5, 15, -5], 20)))


def test_decompose_bad_inputs():
    good = _noisy_weekly()
    with pytest.raises(TypeError, match="`series` must be a pandas Series"):
        decompose(good.to_numpy())
    with pytest.raises(ValueError, match="`series` is empty"):
        decompose(good.iloc[:0])
    with pytest.raises(ValueError, match="must have a DatetimeIndex"):
        decompose(good.reset_index(drop=True))
    with pytest.raises(ValueError, match="missing value"):
        decompose(good.where(good.index != "2025-01-20"))
    with pytest.raises(ValueError, match="missing period"):
        decompose(good.drop(pd.Timestamp("2025-01-20")))
    with pytest.raises(ValueError, match="`period` must be an integer >= 2"):
        decompose(good, period=1)
    with pytest.raises(ValueError, match="has 10 values; at least 14 are needed"):
        decompose(good.iloc[:10])
    with pytest.raises(ValueError, match="`seasonal` must be an odd integer"):
        decompose(good, seasonal=8)
    with pytest.raises(ValueError, match="`trend` must be an odd integer"):
        decompose(good, trend=30)
    with pytest.raises(ValueError, match="`trend` must be an integer >= 8"):
        decompose(good, trend=5)
    with pytest.raises(ValueError, match="`robust` must be True or False"):
        decompose(good, robust="yes")


def test_the_planted_outage_is_the_only_low_alert_of_the_world(world):
    outage = world.truth["outage"]
    orders = world.orders[world.orders["channel"] == outage["channel"]]
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    daily = orders.groupby(orders["order_ts"].dt.normalize()).size().reindex(days, fill_value=0)
    alerts = detect_anomalies(daily, window=56, direction="low")
    assert list(alerts.index) == [pd.Timestamp(outage["start"]).normalize()]


def test_the_default_monitor_finds_the_planted_outage_without_flooding_alerts(world):
    # control_limits' defaults (window=56, k=3, weekly factors) on the outage channel's daily orders, both
    # directions: the outage is the only low alert, and almost every high alert falls in a festival season.
    outage = world.truth["outage"]
    day = pd.Timestamp(outage["start"]).normalize()
    orders = world.orders[world.orders["channel"] == outage["channel"]]
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    daily = orders.groupby(orders["order_ts"].dt.normalize()).size().reindex(days, fill_value=0)
    alerts = detect_anomalies(daily)
    low = alerts[alerts["direction"] == "low"]
    assert list(low.index) == [day] and low["robust_z"].iloc[0] < -3.5
    festival = np.zeros(len(alerts), dtype=bool)
    for year in (2024, 2025):
        for a, b in (("06-01", "06-20"), ("10-20", "11-14")):     # 618 and Double 11 seasons
            festival |= (alerts.index >= f"{year}-{a}") & (alerts.index <= f"{year}-{b}")
    high = alerts["direction"] == "high"
    # 20 months with a band (from 22 April 2024): 19 alerts, 1 low (the outage), 16 high in the festival
    # seasons and 2 high on ordinary days (2024-09-23, 2025-04-21), about one a year
    assert len(alerts) == 19
    assert int((high & festival).sum()) == 16
    assert list(alerts.index[high & ~festival]) == [pd.Timestamp("2024-09-23"), pd.Timestamp("2025-04-21")]
    # the old default of four weeks misses the outage: the band is still wide from the 618 ramp
    short = control_limits(daily, window=28).loc[day]
    assert short["observed"] > short["lower"]


def test_kpi_table_columns_are_numeric_without_a_previous_period(orders, events):
    t = kpi_table(orders, events, start="2025-01-01", end="2025-02-01")   # nothing before January
    assert t["retention"].isna().all()
    assert all(pd.api.types.is_numeric_dtype(t[c]) for c in t.columns)
