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
