"""opsutils.segmentation: RFM, tiers, concentration and personas on hand-made data and the world."""

import copy

import numpy as np
import pandas as pd
import pytest

from opsutils.segmentation import (DEFAULT_SEGMENTS, TIER_SERVICE_LEVELS, cluster_personas, concentration,
                                   rfm_scores, rfm_segments, rfm_table, value_tiers)


@pytest.fixture
def orders():
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "c", "c", "d"],
        "order_ts": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-15", "2025-03-20", "2025-03-25",
                                    "2025-03-30", "2025-04-05"]),
        "amount": [100.0, 50.0, 20.0, 10.0, 10.0, 10.0, 999.0],
    })


def test_rfm_table_known_values_and_as_of_cut(orders):
    rfm = rfm_table(orders, as_of="2025-03-31")
    assert list(rfm.index) == ["a", "b", "c"]  # d ordered after as_of
    assert rfm.loc["a"].tolist() == [30, 2, 150.0]
    assert rfm.loc["b"].tolist() == [44, 1, 20.0]
    assert rfm.loc["c"].tolist() == [1, 3, 30.0]


def test_rfm_table_custom_column_names(orders):
    renamed = orders.rename(columns={"customer_id": "buyer", "order_ts": "created", "amount": "paid"})
    got = rfm_table(renamed, as_of="2025-03-31", customer_col="buyer", date_col="created", amount_col="paid")
    pd.testing.assert_frame_equal(got.rename_axis("customer_id"), rfm_table(orders, as_of="2025-03-31"))


def test_inputs_are_not_mutated(orders):
    before = copy.deepcopy(orders)
    rfm = rfm_table(orders, as_of="2025-12-31")
    rfm_before = rfm.copy()
    rfm_scores(rfm, bins=2)
    pd.testing.assert_frame_equal(orders, before)
    pd.testing.assert_frame_equal(rfm, rfm_before)


@pytest.mark.parametrize("mutate, exc, match", [
    (lambda d: d.drop(columns="amount"), KeyError, "amount"),
    (lambda d: d.assign(customer_id=[None, "a", "b", "c", "c", "c", "d"]), ValueError, "missing"),
    (lambda d: d.assign(amount=-d["amount"]), ValueError, "negative"),
    (lambda d: d.assign(order_ts=d["order_ts"].astype(str)), ValueError, "datetime64"),
    (lambda d: d.iloc[0:0], ValueError, "empty"),
])
def test_rfm_table_bad_input(orders, mutate, exc, match):
    with pytest.raises(exc, match=match):
        rfm_table(mutate(orders), as_of="2025-12-31")


def test_rfm_table_needs_as_of_and_orders_before_it(orders):
    with pytest.raises(ValueError, match="as_of"):
        rfm_table(orders, as_of="someday")
    with pytest.raises(ValueError, match="no order at or before"):
        rfm_table(orders, as_of="2020-01-01")


def test_rfm_scores_handle_ties_with_equal_group_sizes():
    rfm = pd.DataFrame({"recency_days": np.arange(100), "frequency": [1] * 80 + [2] * 15 + [9] * 5,
                        "monetary": np.linspace(1, 100, 100)}, index=[f"c{i:03d}" for i in range(100)])
    s = rfm_scores(rfm)
    for col in "RFM":
        assert s[col].value_counts().sort_index().tolist() == [20] * 5
    assert s.loc["c000", "R"] == 5 and s.loc["c099", "R"] == 1  # recent = high
    assert (s.loc[rfm["frequency"] == 9, "F"] == 5).all()
    assert s["rfm_score"].str.fullmatch(r"[1-5]{3}").all()
    assert (s["rfm_sum"] == s["R"] + s["F"] + s["M"]).all()


def test_rfm_scores_bad_bins():
    rfm = pd.DataFrame({"recency_days": [1, 2], "frequency": [1, 2], "monetary": [1.0, 2.0]})
    with pytest.raises(ValueError, match="bins"):
        rfm_scores(rfm, bins=1)
    with pytest.raises(ValueError, match="at least"):
        rfm_scores(rfm, bins=5)


def test_rfm_segments_default_grid_and_custom_rules():
    scores = pd.DataFrame({"R": [5, 5, 4, 3, 3, 1, 1, 2, 1], "F": [5, 1, 1, 3, 1, 5, 3, 2, 1]})
    assert rfm_segments(scores).tolist() == ["Champions", "New", "Promising", "Need attention", "About to sleep",
                                             "Can't lose them", "At risk", "Hibernating", "Lost"]
    every = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["R", "F"])
    assert (rfm_segments(every) != "Other").all()  # the default grid covers every cell
    custom = rfm_segments(scores, [("Best", (4, 5), (1, 5))])
    assert custom.iloc[0] == "Best" and custom.iloc[-1] == "Other"
    with pytest.raises(ValueError, match="rule"):
        rfm_segments(scores, [("bad",)])
    assert len(DEFAULT_SEGMENTS) == 11


def test_value_tiers_exact_shares_and_order():
    s = pd.Series(np.arange(1000, 0, -1), index=[f"c{i}" for i in range(1000)], dtype=float)
    t = value_tiers(s)
    assert t.value_counts(sort=False).to_dict() == {"diamond": 10, "core": 180, "potential": 300, "basic": 510}
    assert t.iloc[0] == "diamond" and t.iloc[-1] == "basic"
    assert t.cat.ordered and list(t.cat.categories) == ["diamond", "core", "potential", "basic"]
    assert list(TIER_SERVICE_LEVELS["first_response_hours"]) == [1, 4, 24, 48]


@pytest.mark.parametrize("kwargs, match", [
    ({"shares": (0.5, 0.6), "labels": ("a", "b")}, "sum to at most 1"),
    ({"shares": (0.5,), "labels": ("a", "b")}, "same length"),
    ({"shares": (0.0, 0.5), "labels": ("a", "b")}, "positive"),
])
def test_value_tiers_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        value_tiers(pd.Series([1.0, 2.0]), **kwargs)


def test_concentration_known_gini_values():
    assert concentration([5, 5, 5, 5]).gini == pytest.approx(0.0)
    assert concentration([0, 0, 0, 0, 10]).gini == pytest.approx(0.8)  # (n-1)/n
    # Reference: mean absolute difference formula G = sum|xi - xj| / (2 n^2 mean)
    x = np.array([1.0, 2.0, 3.0, 10.0, 50.0])
    ref = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    c = concentration(x, top=(0.2, 0.4))
    assert c.gini == pytest.approx(ref)
    assert c.top_shares[0.2] == pytest.approx(50 / 66)
    assert c.lorenz.iloc[0].tolist() == [0.0, 0.0] and c.lorenz.iloc[-1].tolist() == [1.0, 1.0]
    assert set(c.to_frame()["measure"]) == {"top 20% share", "top 40% share", "gini"}
    with pytest.raises(ValueError, match="non-negative"):
        concentration([1, -1])
    with pytest.raises(ValueError, match="empty"):
        concentration([])


def test_cluster_personas_recovers_separated_groups():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(np.vstack([rng.normal(c, 0.2, (60, 3)) for c in (0, 4, 8)]), columns=list("xyz"))
    p = cluster_personas(X, k=range(2, 6), random_state=0)
    assert p.k == 3
    assert p.profile["size"].sum() == 180 and p.profile["share"].sum() == pytest.approx(1)
    again = cluster_personas(X, k=range(2, 6), random_state=0)
    pd.testing.assert_series_equal(p.labels, again.labels)
    with pytest.raises(ValueError, match="k"):
        cluster_personas(X, k=[1])
    with pytest.raises(ValueError, match="numeric|missing"):
        cluster_personas(X.assign(x=np.nan))


def test_top_one_percent_on_the_world_matches_the_truth(world):
    rfm = rfm_table(world.orders, as_of="2025-12-31")
    c = concentration(rfm["monetary"])
    assert c.top_shares[0.01] == pytest.approx(world.truth["value_concentration"]["top_1pct_revenue_share"],
                                               abs=0.005)
    tiers = value_tiers(rfm["monetary"])
    share = rfm["monetary"].groupby(tiers, observed=True).sum() / rfm["monetary"].sum()
    assert share["diamond"] > 0.25  # seed 004: diamond tier brings 30%+ of revenue


# --------------------------------------------------------------------------------------------------
# Bad input at every public boundary
# --------------------------------------------------------------------------------------------------
def test_rfm_table_missing_column_lists_the_existing_ones(orders):
    listing = r"'amount' not found in `orders`\. Available columns: 'customer_id', 'order_ts'"
    with pytest.raises(KeyError, match=listing):
        rfm_table(orders.drop(columns="amount"), as_of="2025-12-31")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        rfm_table(orders["amount"], as_of="2025-12-31")


@pytest.fixture
def rfm_frame():
    return pd.DataFrame({"recency_days": [1, 5, 30, 90, 200, 400], "frequency": [9, 3, 1, 1, 2, 1],
                         "monetary": [900.0, 120.0, 15.0, 20.0, 60.0, 5.0]},
                        index=pd.Index([f"c{i}" for i in range(6)], name="customer_id"))


@pytest.mark.parametrize("mutate, exc, match", [
    (lambda d: d.drop(columns="frequency"), KeyError, r"'frequency' not found in `rfm`\. Available columns: "
                                                      r"'recency_days', 'monetary'"),
    (lambda d: d.assign(monetary=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0]), ValueError, "missing value"),
    (lambda d: d.assign(recency_days=-d["recency_days"]), ValueError, "negative"),
    (lambda d: d.assign(frequency=d["frequency"].astype(str)), ValueError, "must be numeric"),
    (lambda d: d.iloc[0:0], ValueError, "empty"),
])
def test_rfm_scores_bad_input(rfm_frame, mutate, exc, match):
    with pytest.raises(exc, match=match):
        rfm_scores(mutate(rfm_frame), bins=2)


def test_rfm_scores_bad_options(rfm_frame):
    with pytest.raises(ValueError, match=r"`ties` must be one of 'first', 'min'; got 'average'"):
        rfm_scores(rfm_frame, bins=2, ties="average")
    with pytest.raises(TypeError, match="`bins` must be an integer"):
        rfm_scores(rfm_frame, bins=2.5)


@pytest.mark.parametrize("frame, config, exc, match", [
    (pd.DataFrame({"R": [5]}), None, KeyError, r"'F' not found in `scores`\. Available columns: 'R'"),
    (pd.DataFrame({"R": [5, np.nan], "F": [1, 2]}), None, ValueError, "missing value"),
    (pd.DataFrame({"R": ["5"], "F": [1]}), None, ValueError, "must be numeric"),
    (pd.DataFrame({"R": [], "F": []}), None, ValueError, "empty"),
    (pd.DataFrame({"R": [5], "F": [1]}), [], ValueError, "at least one"),
    (pd.DataFrame({"R": [5], "F": [1]}), [("Odd", (5, 4), (1, 5))], ValueError, "low bound above"),
    (pd.DataFrame({"R": [5], "F": [1]}), [("Odd", ("a", 5), (1, 5))], TypeError, "must be a real number"),
    (pd.DataFrame({"R": [5], "F": [1]}), [("", (1, 5), (1, 5))], ValueError, "non-empty segment name"),
])
def test_rfm_segments_bad_input(frame, config, exc, match):
    with pytest.raises(exc, match=match):
        rfm_segments(frame, config)


@pytest.mark.parametrize("values, kwargs, exc, match", [
    (pd.Series([], dtype=float), {}, ValueError, "empty"),
    (pd.Series([1.0, np.nan]), {}, ValueError, "missing value"),
    (pd.Series([3.0, -1.0]), {}, ValueError, "non-negative"),
    (pd.Series(["a", "b"]), {}, ValueError, "must be numeric"),
    (pd.DataFrame({"x": [1.0], "y": [2.0]}), {}, TypeError, "pick one column"),
    (pd.Series([1.0, 2.0]), {"shares": (0.5, 0.5), "labels": ("a", "a")}, ValueError, "distinct"),
    (pd.Series([1.0, 2.0]), {"shares": ("half", 0.5), "labels": ("a", "b")}, TypeError, "`shares` must be a real"),
    (pd.Series([1.0, 2.0]), {"buyers_only": "yes"}, ValueError, "`buyers_only` must be one of True, False"),
])
def test_value_tiers_bad_input(values, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        value_tiers(values, **kwargs)


@pytest.mark.parametrize("values, top, exc, match", [
    ([], (0.1,), ValueError, "empty"),
    ([1.0, np.nan], (0.1,), ValueError, "missing value"),
    ([0.0, 0.0], (0.1,), ValueError, "sum to 0"),
    (["a", "b"], (0.1,), ValueError, "must be numeric"),
    ([1.0, np.inf], (0.1,), ValueError, "finite"),
    ([1.0, 2.0], (0.0,), ValueError, r"`top` must be in \(0, 1\]"),
    ([1.0, 2.0], (1.5,), ValueError, r"`top` must be in \(0, 1\]"),
    ([1.0, 2.0], ("10%",), TypeError, "`top` must be a real number"),
    (np.ones((2, 2)), (0.1,), ValueError, "one-dimensional"),
])
def test_concentration_bad_input(values, top, exc, match):
    with pytest.raises(exc, match=match):
        concentration(values, top=top)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(3)
    sizes, centres = (90, 60, 30), (0.0, 6.0, 12.0)
    X = pd.DataFrame(np.vstack([rng.normal(c, 0.3, (n, 2)) for c, n in zip(centres, sizes)]), columns=["a", "b"],
                     index=[f"c{i:03d}" for i in range(sum(sizes))])
    truth = np.repeat([0, 1, 2], sizes)
    return X, truth


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda X: X.iloc[0:0], {}, ValueError, "empty"),
    (lambda X: X[[]], {}, ValueError, "no columns"),
    (lambda X: X.assign(a=X["a"].astype(str)), {}, ValueError, "must be numeric"),
    (lambda X: X.assign(a=np.nan), {}, ValueError, "missing value"),
    (lambda X: X.assign(b=np.inf), {}, ValueError, r"infinite values in column\(s\) \['b'\]"),
    (lambda X: X, {"k": [1, 2]}, ValueError, "`k` must be an integer >= 2"),
    (lambda X: X, {"k": 2.5}, TypeError, "`k` must be an integer"),
    (lambda X: X, {"k": []}, ValueError, "at least one candidate"),
    (lambda X: X.head(5), {"k": range(2, 6)}, ValueError, r"fewer than the 5 rows"),
    (lambda X: X, {"k": range(2, 6), "silhouette_sample": 4}, ValueError, "must exceed the largest k"),
    (lambda X: X, {"n_init": 0}, ValueError, "`n_init` must be an integer >= 1"),
    (lambda X: X, {"scale": "yes"}, ValueError, "`scale` must be one of True, False"),
    (lambda X: X, {"random_state": -1}, ValueError, "`random_state` must be an integer >= 0"),
])
def test_cluster_personas_bad_input(blobs, mutate, kwargs, exc, match):
    X, _ = blobs
    with pytest.raises(exc, match=match):
        cluster_personas(mutate(X), **kwargs)


# --------------------------------------------------------------------------------------------------
# Known answers and outside references
# --------------------------------------------------------------------------------------------------
def test_rfm_scores_ties_min_never_splits_equal_values():
    freq = [1] * 40 + [2] * 20 + [3] * 10 + [4] * 10 + [9] * 20
    rfm = pd.DataFrame({"recency_days": np.arange(100), "frequency": freq, "monetary": np.linspace(1, 100, 100)},
                       index=[f"c{i:03d}" for i in range(100)])
    s = rfm_scores(rfm, ties="min")
    # hand-computed: first rank of each value 1, 41, 61, 71, 81 -> scores 1, 3, 4, 4, 5
    assert s.groupby(rfm["frequency"])["F"].unique().map(list).to_dict() == {1: [1], 2: [3], 3: [4], 4: [4], 9: [5]}
    # without ties, "min" and "first" are the same equal-size quintiles
    pd.testing.assert_series_equal(s["R"], rfm_scores(rfm, ties="first")["R"])
    pd.testing.assert_series_equal(s["M"], rfm_scores(rfm, ties="first")["M"])
    assert s.loc["c000", "R"] == 5 and s.loc["c099", "R"] == 1
    # with "first" the 40 one-time buyers are split over F=1 and F=2
    assert set(rfm_scores(rfm, ties="first").loc[rfm["frequency"] == 1, "F"]) == {1, 2}


def test_value_tiers_buyers_only_ranks_buyers_and_puts_zeros_last():
    spend = pd.Series([0.0] * 50 + list(np.arange(100, 0, -1, dtype=float)), index=[f"c{i}" for i in range(150)])
    t = value_tiers(spend, buyers_only=True)
    assert (t.iloc[:50] == "basic").all()
    assert t.iloc[50:].value_counts(sort=False).to_dict() == {"diamond": 1, "core": 18, "potential": 30, "basic": 51}
    assert t.index.equals(spend.index)
    # ranking everybody instead: 150 customers -> floor(1.5) = 1 diamond, floor(28.5) - 1 = 27 core
    assert value_tiers(spend).value_counts(sort=False).to_dict() == {"diamond": 1, "core": 27, "potential": 45,
                                                                     "basic": 77}


def test_tier_service_levels_follow_seed_004():
    t = TIER_SERVICE_LEVELS
    assert list(t.index) == ["diamond", "core", "potential", "basic"]
    assert t["share_of_customers"].sum() == pytest.approx(0.99)  # the seed's shares: the last tier takes the rest
    assert t.loc["diamond", "team"] == "dedicated team" and t.loc["core", "team"] == "dedicated account manager"
    assert t.loc["potential", "team"] == "shared account manager" and t.loc["basic", "team"] == "service centre"


def test_gini_of_a_discrete_uniform_distribution_is_n_minus_1_over_3n():
    # Reference: for x = 1..n, mean |xi - xj| = (n^2 - 1) / (3n) and the mean is (n + 1) / 2,
    # so G = E|X - Y| / (2 mean) = (n - 1) / (3n).
    for n in (2, 10, 101):
        assert concentration(np.arange(1, n + 1)).gini == pytest.approx((n - 1) / (3 * n))


def test_gini_and_top_share_of_the_exponential_distribution():
    # Reference values of the exponential distribution: Gini = 1/2; the top p of units hold
    # p * (1 - ln p) of the total. A deterministic sample at the mid-quantiles converges fast.
    n = 200_000
    x = -np.log(1 - (np.arange(n) + 0.5) / n)
    c = concentration(x, top=(0.01, 0.2))
    assert c.gini == pytest.approx(0.5, abs=1e-3)
    for p in (0.01, 0.2):
        assert c.top_shares[p] == pytest.approx(p * (1 - np.log(p)), abs=1e-3)


def test_concentration_accepts_a_scalar_top_and_labels_small_shares():
    c = concentration(pd.Series(np.arange(1, 1001, dtype=float)), top=0.005)
    assert list(c.top_shares) == [0.005]
    assert c.top_shares[0.005] == pytest.approx(sum(range(996, 1001)) / sum(range(1, 1001)))
    assert c.to_frame()["measure"].tolist() == ["top 0.5% share", "gini"]


def test_cluster_personas_recovers_blobs_and_orders_labels_by_size(blobs):
    from sklearn.metrics import adjusted_rand_score

    X, truth = blobs
    p = cluster_personas(X, k=range(2, 6))
    assert p.k == 3
    assert adjusted_rand_score(truth, p.labels) == pytest.approx(1.0)
    assert p.profile["size"].tolist() == [90, 60, 30]      # persona 0 is the largest
    assert list(p.silhouette.columns) == ["k", "silhouette", "inertia"] and p.silhouette["k"].tolist() == [2, 3, 4, 5]
    assert p.silhouette["inertia"].is_monotonic_decreasing
    # profile means are in the original units of the features
    assert p.profile.loc[2, "a"] == pytest.approx(X["a"].iloc[150:].mean())
    assert p.labels.index.equals(X.index)
    frame = p.to_frame()
    frame["size"] = 0
    assert p.profile["size"].sum() == 180                 # to_frame returns a copy


def test_no_public_function_mutates_its_input(orders, blobs):
    before = orders.copy(deep=True)
    rfm = rfm_table(orders, as_of="2025-12-31")
    rfm_before = rfm.copy(deep=True)
    scores = rfm_scores(rfm, bins=2, ties="min")
    scores_before = scores.copy(deep=True)
    rfm_segments(scores)
    spend = rfm["monetary"]
    spend_before = spend.copy(deep=True)
    value_tiers(spend, shares=(0.5, 0.5), labels=("top", "rest"), buyers_only=True)
    concentration(spend)
    X, _ = blobs
    X_before = X.copy(deep=True)
    cluster_personas(X, k=3)
    pd.testing.assert_frame_equal(orders, before)
    pd.testing.assert_frame_equal(rfm, rfm_before)
    pd.testing.assert_frame_equal(scores, scores_before)
    pd.testing.assert_series_equal(spend, spend_before)
    pd.testing.assert_frame_equal(X, X_before)


def test_world_concentration_and_tiers_match_the_truth_exactly(world):
    # The truth counts every order placed in the window, among buyers.
    rfm = rfm_table(world.orders, as_of="2026-01-01")
    vc = world.truth["value_concentration"]
    assert len(rfm) == vc["buyers"]
    c = concentration(rfm["monetary"], top=(0.01, 0.19))
    assert c.top_shares[0.01] == pytest.approx(vc["top_1pct_revenue_share"], abs=1e-6)
    assert c.top_shares[0.19] == pytest.approx(vc["top_19pct_revenue_share"], abs=1e-6)
    # The brand's own tier labels: CMP14 went to every buyer; tiers rank the spend before the send.
    expo = world.campaign_exposures[world.campaign_exposures["campaign_id"] == "CMP14"]
    before = world.orders[world.orders["order_ts"] < expo["ts"].min()]
    spend = before.groupby("customer_id")["amount"].sum().reindex(world.customers["customer_id"], fill_value=0.0)
    tiers = value_tiers(spend, buyers_only=True).astype(str)
    assert (tiers.reindex(expo["customer_id"]).to_numpy() == expo["tier_at_send"].to_numpy()).all()
