"""Tests for opsutils.causal: difference-in-differences, event study, permutation test."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from opsutils.causal import (COV_TYPES, DiDResult, EventStudyResult, PermutationResult, diff_in_diff,
                             event_study, permutation_test)


# --------------------------------------------------------------------------- #
# Fixtures
# --------------------------------------------------------------------------- #
@pytest.fixture
def two_by_two():
    """Balanced 2x2 design: 3 treated and 3 control stores, one period before and one after."""
    return pd.DataFrame({
        "store": np.repeat(["a", "b", "c", "d", "e", "f"], 2),
        "week": [1, 2] * 6,
        "orders": [10.0, 15.0, 12.0, 19.0, 11.0, 14.0, 8.0, 10.0, 11.0, 12.0, 9.0, 12.0],
        "treated": [1] * 6 + [0] * 6,
        "post": [0, 1] * 6,
    })


def _synthetic_panel(effect=0.0, pre_trend=0.0, n_units=30, n_treated=10, n_periods=16, launch=10, seed=0,
                     noise=0.05):
    """Log-scale panel: unit and period effects, a planted effect from ``launch`` on, optional pre-trend."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(n_periods), n_units)
    treated = (unit < n_treated).astype(int)
    unit_fe = rng.normal(4.0, 0.5, n_units)[unit]
    period_fe = (0.02 * np.arange(n_periods) + 0.2 * np.sin(np.arange(n_periods)))[period]
    post = (period >= launch).astype(int)
    trend = pre_trend * treated * (period - launch)
    log_y = unit_fe + period_fe + effect * treated * post + trend + rng.normal(0, noise, len(unit))
    return pd.DataFrame({
        "city": [f"U{u:02d}" for u in unit], "month": period, "orders": np.exp(log_y), "log_orders": log_y,
        "treated": treated, "post": post,
        "event_time": np.where(treated == 1, period - launch, np.nan),
    })


# --------------------------------------------------------------------------- #
# diff_in_diff
# --------------------------------------------------------------------------- #
def test_2x2_equals_difference_of_four_means(two_by_two):
    res = diff_in_diff(two_by_two, unit="store", time="week")
    m = two_by_two.groupby(["treated", "post"])["orders"].mean()
    four_means = (m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0])
    assert res.estimate == pytest.approx(four_means, abs=1e-10)
    assert four_means == pytest.approx(3.0)  # by hand: treated +5, +7, +3 (mean 5); control +2, +1, +3 (mean 2)


def test_2x2_equals_interaction_coefficient_of_pooled_ols(two_by_two):
    res = diff_in_diff(two_by_two, unit="store", time="week")
    pooled = smf.ols("orders ~ treated * post", two_by_two).fit()
    assert res.estimate == pytest.approx(pooled.params["treated:post"], abs=1e-10)


def test_clustered_standard_error_matches_statsmodels_and_the_sandwich_formula():
    panel = _synthetic_panel(effect=0.1, n_units=12, n_treated=4, n_periods=8, launch=5, seed=3)
    res = diff_in_diff(panel, outcome="log_orders", time="month")
    frame = panel.assign(did=panel["treated"] * panel["post"])
    direct = smf.ols("log_orders ~ did + C(city) + C(month)", frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["city"])[0]}, use_t=True)
    assert res.estimate == pytest.approx(direct.params["did"], rel=1e-10)
    assert res.std_error == pytest.approx(direct.bse["did"], rel=1e-10)
    assert res.p_value == pytest.approx(direct.pvalues["did"], rel=1e-8)
    # CR1 sandwich by hand: (X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1 * G/(G-1) * (N-1)/(N-K)
    X, y = direct.model.exog, direct.model.endog
    u = y - X @ direct.params.to_numpy()
    bread = np.linalg.inv(X.T @ X)
    g = pd.factorize(frame["city"])[0]
    meat = sum(np.outer(X[g == k].T @ u[g == k], X[g == k].T @ u[g == k]) for k in np.unique(g))
    n, k, n_g = X.shape[0], X.shape[1], len(np.unique(g))
    V = bread @ meat @ bread * n_g / (n_g - 1) * (n - 1) / (n - k)
    j = list(direct.params.index).index("did")
    assert res.std_error == pytest.approx(np.sqrt(V[j, j]), rel=1e-8)
    assert res.n_clusters == 12 and res.cov_type == "cluster"
    # t distribution with G - 1 degrees of freedom for the interval
    from scipy import stats
    half = stats.t.ppf(0.975, n_g - 1) * res.std_error
    assert (res.ci_low, res.ci_high) == pytest.approx((res.estimate - half, res.estimate + half), rel=1e-8)


def test_cluster_column_and_other_cov_types(two_by_two):
    panel = _synthetic_panel(effect=0.1, n_units=12, n_treated=4, n_periods=8, launch=5, seed=4)
    panel["region"] = panel["city"].str[-1:].map(lambda s: int(s) % 4)
    by_region = diff_in_diff(panel, outcome="log_orders", time="month", cluster="region")
    assert by_region.n_clusters == 4
    for cov in COV_TYPES:
        res = diff_in_diff(panel, outcome="log_orders", time="month", cov_type=cov)
        assert res.estimate == pytest.approx(by_region.estimate)
        assert res.std_error > 0
    assert diff_in_diff(panel, outcome="log_orders", time="month", cov_type="HC1").n_clusters == 0


def test_log_scale_recovers_a_relative_effect():
    panel = _synthetic_panel(effect=np.log(1.15), noise=0.02, seed=1)
    res = diff_in_diff(panel, time="month", log=True)
    assert res.scale == "log"
    assert res.relative == pytest.approx(0.15, abs=0.02)
    assert res.relative_ci_low < 0.15 < res.relative_ci_high
    assert res.relative == pytest.approx(np.expm1(res.estimate))
    # the same as modelling the logged column directly
    direct = diff_in_diff(panel, outcome="log_orders", time="month")
    assert res.estimate == pytest.approx(direct.estimate, rel=1e-10)


def test_level_relative_effect_uses_the_counterfactual_mean(two_by_two):
    res = diff_in_diff(two_by_two, unit="store", time="week")
    treated_after = two_by_two.query("treated == 1 and post == 1")["orders"].mean()
    assert res.treated_post_mean == pytest.approx(treated_after)
    assert res.relative == pytest.approx(res.estimate / (treated_after - res.estimate))
    assert res.relative_ci_low < res.relative < res.relative_ci_high


def test_covariates_enter_the_model():
    panel = _synthetic_panel(effect=0.2, pre_trend=0.03, seed=2)
    panel["trend_treated"] = panel["treated"] * panel["month"]
    plain = diff_in_diff(panel, outcome="log_orders", time="month")
    adjusted = diff_in_diff(panel, outcome="log_orders", time="month", covariates=["trend_treated"])
    assert plain.estimate > 0.3  # the pre-trend leaks into the simple estimate
    assert adjusted.estimate == pytest.approx(0.2, abs=0.05)
    assert "x0" in adjusted.results.params.index
    same = diff_in_diff(panel, outcome="log_orders", time="month", covariates="trend_treated")
    assert same.estimate == pytest.approx(adjusted.estimate)


def test_result_is_frozen_and_has_to_frame(two_by_two):
    res = diff_in_diff(two_by_two, unit="store", time="week", alpha=0.1)
    assert isinstance(res, DiDResult)
    with pytest.raises(AttributeError):
        res.estimate = 0.0
    frame = res.to_frame()
    assert len(frame) == 1 and "results" not in frame.columns
    assert frame.loc[0, "estimate"] == res.estimate and frame.loc[0, "method"] == "two-way fixed effects OLS"
    assert "results" not in repr(res)
    assert res.alpha == 0.1 and res.n_obs == 12 and res.n_periods == 2


def test_bool_flags_and_unbalanced_panel(two_by_two):
    as_bool = two_by_two.astype({"treated": bool, "post": bool})
    assert diff_in_diff(as_bool, unit="store", time="week").estimate == pytest.approx(
        diff_in_diff(two_by_two, unit="store", time="week").estimate)
    panel = _synthetic_panel(effect=0.1, seed=5).drop(index=[3, 40, 41])
    assert diff_in_diff(panel, outcome="log_orders", time="month").n_obs == len(panel)


def test_inputs_are_not_mutated(two_by_two):
    panel = _synthetic_panel(effect=0.1, seed=6)
    before, before_2x2 = panel.copy(), two_by_two.copy()
    diff_in_diff(panel, time="month", log=True)
    event_study(panel, time="month", log=True)
    permutation_test(panel, time="month", n_permutations=20)
    diff_in_diff(two_by_two, unit="store", time="week")
    pd.testing.assert_frame_equal(panel, before)
    pd.testing.assert_frame_equal(two_by_two, before_2x2)


# --------------------------------------------------------------------------- #
# event_study
# --------------------------------------------------------------------------- #
def test_event_study_finds_the_planted_effect_and_no_pre_trend():
    panel = _synthetic_panel(effect=0.3, seed=7)
    es = event_study(panel, outcome="log_orders", time="month")
    coefs = es.to_frame().set_index("event_time")
    assert list(coefs.index) == list(range(-10, 6))
    assert coefs.loc[-1, "estimate"] == 0 and np.isnan(coefs.loc[-1, "std_error"])
    leads, lags = coefs.loc[coefs.index < -1], coefs.loc[coefs.index >= 0]
    assert leads["estimate"].abs().max() < 0.08
    assert lags["estimate"].to_numpy() == pytest.approx(np.full(len(lags), 0.3), abs=0.08)
    assert (lags["ci_low"] > 0).all()
    assert es.pre_trend_p_value > 0.01
    assert isinstance(es, EventStudyResult) and es.reference == -1 and es.window == (-10, 5)


def test_event_study_without_noise_is_exact():
    panel = _synthetic_panel(effect=0.0, noise=0.0, seed=8)
    effect_by_k = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.3, 4: 0.3, 5: 0.3}
    bump = panel["event_time"].map(effect_by_k).fillna(0.0)
    panel["log_orders"] = panel["log_orders"] + bump
    coefs = event_study(panel, outcome="log_orders", time="month", cov_type="nonrobust").to_frame()
    expected = coefs["event_time"].map(effect_by_k).fillna(0.0)
    assert coefs["estimate"].to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-9)


def test_event_study_detects_a_pre_trend():
    panel = _synthetic_panel(effect=0.0, pre_trend=0.03, seed=9)
    es = event_study(panel, outcome="log_orders", time="month")
    leads = es.to_frame().query("event_time < -1")
    assert leads["estimate"].iloc[0] < -0.2  # ten periods before: -0.27 relative to period -1
    assert es.pre_trend_p_value < 0.001


def test_event_study_window_bins_the_endpoints():
    panel = _synthetic_panel(effect=0.3, seed=10)
    es = event_study(panel, outcome="log_orders", time="month", window=(-3, 2), reference=-2)
    assert list(es.to_frame()["event_time"]) == [-3, -2, -1, 0, 1, 2]
    assert es.window == (-3, 2) and es.reference == -2
    assert es.to_frame().set_index("event_time").loc[2, "estimate"] == pytest.approx(0.3, abs=0.05)


def test_event_study_dif_matches_mean_of_lags_minus_leads():
    panel = _synthetic_panel(effect=0.2, seed=11)
    did = diff_in_diff(panel, outcome="log_orders", time="month").estimate
    coefs = event_study(panel, outcome="log_orders", time="month").to_frame()
    lags = coefs.loc[coefs["event_time"] >= 0, "estimate"].mean()
    leads = coefs.loc[coefs["event_time"] < 0, "estimate"].mean()  # reference counted as 0
    assert did == pytest.approx(lags - leads, abs=1e-10)


# --------------------------------------------------------------------------- #
# permutation_test
# --------------------------------------------------------------------------- #
def test_permutation_estimate_equals_diff_in_diff():
    panel = _synthetic_panel(effect=0.1, seed=12).drop(index=[5, 77])  # unbalanced too
    perm = permutation_test(panel, time="month", log=True, n_permutations=50)
    assert perm.estimate == pytest.approx(diff_in_diff(panel, time="month", log=True).estimate, rel=1e-9)
    assert isinstance(perm, PermutationResult) and len(perm.placebo_estimates) == 50
    assert perm.n_treated_units == 10 and perm.n_pool == 30 and perm.scale == "log"


def test_permutation_p_value_small_with_effect_and_uniformish_without():
    strong = permutation_test(_synthetic_panel(effect=0.3, seed=13), time="month", log=True, n_permutations=199)
    assert strong.p_value == pytest.approx(1 / 200)
    null = permutation_test(_synthetic_panel(effect=0.0, seed=14), time="month", log=True, n_permutations=199)
    assert null.p_value > 0.05
    assert abs(null.placebo_mean) < 3 * null.placebo_sd


def test_permutation_pool_and_seed():
    panel = _synthetic_panel(effect=0.1, seed=15)
    pool = [f"U{u:02d}" for u in range(15)]
    a = permutation_test(panel, time="month", pool=pool, n_permutations=30, seed=1)
    b = permutation_test(panel, time="month", pool=pool, n_permutations=30, seed=1)
    assert a.n_pool == 15
    np.testing.assert_array_equal(a.placebo_estimates, b.placebo_estimates)
    frame = a.to_frame()
    assert len(frame) == 1 and "placebo_estimates" not in frame.columns


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #
ALL = ("did", "es", "perm")


def _call(which, panel, **kw):
    base = {"unit": "store", "time": "week"}
    base.update(kw)
    if which == "did":
        return diff_in_diff(panel, **base)
    if which == "es":
        base.pop("post", None)
        return event_study(panel, **base)
    base.pop("cluster", None)
    return permutation_test(panel, n_permutations=5, **base)


@pytest.fixture
def small():
    panel = pd.DataFrame({
        "store": np.repeat(["a", "b", "c", "d"], 3), "week": [1, 2, 3] * 4,
        "orders": [10.0, 11, 17, 20, 21, 28, 5, 6, 7, 9, 10, 12],
        "treated": [1] * 6 + [0] * 6, "post": [0, 0, 1] * 4,
    })
    panel["event_time"] = (panel["week"] - 3).where(panel["treated"] == 1)
    return panel


@pytest.mark.parametrize("which", ALL)
def test_not_a_frame_or_empty(which, small):
    with pytest.raises(TypeError, match="`panel` must be a pandas DataFrame"):
        _call(which, small.to_dict())
    with pytest.raises(ValueError, match="`panel` is empty"):
        _call(which, small.iloc[:0])


@pytest.mark.parametrize("which", ALL)
@pytest.mark.parametrize("column", ["orders", "treated", "store", "week"])
def test_missing_column_lists_the_existing_ones(which, small, column):
    with pytest.raises(KeyError, match=rf"Column '{column}' not found in `panel`. Available columns: .*'event_time'"):
        _call(which, small.drop(columns=column))


def test_missing_post_or_event_time_column(small):
    with pytest.raises(KeyError, match="Column 'post' not found in `panel`"):
        _call("did", small.drop(columns="post"))
    with pytest.raises(KeyError, match="Column 'event_time' not found in `panel`"):
        _call("es", small.drop(columns="event_time"))
    with pytest.raises(KeyError, match="Column 'region' not found"):
        _call("did", small, cluster="region")
    with pytest.raises(KeyError, match="Column 'price' not found"):
        _call("did", small, covariates=["price"])


@pytest.mark.parametrize("which", ALL)
def test_non_binary_treated(which, small):
    with pytest.raises(ValueError, match=r"Column 'treated' of `panel` must be binary .* also holds 2"):
        _call(which, small.assign(treated=small["treated"] * 2))
    with pytest.raises(ValueError, match="must be binary"):
        _call(which, small.assign(treated=small["treated"].map({1: "yes", 0: "no"})))
    with pytest.raises(ValueError, match="'treated' of `panel` has 1 missing value"):
        _call(which, small.assign(treated=small["treated"].where(small.index != 0)))


@pytest.mark.parametrize("which", ["did", "perm"])
def test_non_binary_post(which, small):
    with pytest.raises(ValueError, match=r"Column 'post' of `panel` must be binary .* also holds 2, 3\."):
        _call(which, small.assign(post=small["week"]))


@pytest.mark.parametrize("which", ALL)
def test_no_treated_or_no_control_unit(which, small):
    with pytest.raises(ValueError, match="no treated unit"):
        _call(which, small.assign(treated=0))
    with pytest.raises(ValueError, match="no control unit"):
        _call(which, small.assign(treated=1, event_time=small["week"] - 3))


@pytest.mark.parametrize("which", ["did", "perm"])
def test_no_pre_or_no_post_period(which, small):
    with pytest.raises(ValueError, match="no period before the launch|both before and after"):
        _call(which, small.assign(post=1))
    with pytest.raises(ValueError, match="no period after the launch|both before and after"):
        _call(which, small.assign(post=0))


def test_event_study_no_leads_or_no_lags(small):
    with pytest.raises(ValueError, match="no period before the launch"):
        _call("es", small.assign(event_time=small["event_time"] + 2))
    with pytest.raises(ValueError, match="no period after the launch"):
        _call("es", small.assign(event_time=small["event_time"] - 1))


@pytest.mark.parametrize("which", ALL)
def test_nan_outcome(which, small):
    with pytest.raises(ValueError, match="Column 'orders' of `panel` has 1 missing value"):
        _call(which, small.assign(orders=small["orders"].where(small.index != 4)))
    with pytest.raises(ValueError, match="must be numeric"):
        _call(which, small.assign(orders=small["orders"].astype(str)))


@pytest.mark.parametrize("which", ALL)
def test_log_needs_positive_outcome(which, small):
    with pytest.raises(ValueError, match=r"`log=True` needs a positive outcome.*1 value\(s\) <= 0"):
        _call(which, small.assign(orders=small["orders"].where(small.index != 2, 0.0)), log=True)


@pytest.mark.parametrize("which", ALL)
def test_unit_switching_treatment_status(which, small):
    switched = small.copy()
    switched.loc[2, "treated"] = 0  # store a, week 3: marked as control
    with pytest.raises(ValueError, match=r"must be constant within each unit \('store'\).* 1 unit\(s\) switch.*'a'"):
        _call(which, switched)


@pytest.mark.parametrize("which", ALL)
def test_duplicate_unit_period_rows(which, small):
    with pytest.raises(ValueError, match="one row per 'store' and 'week'; 1 duplicate"):
        _call(which, pd.concat([small, small.iloc[[0]]], ignore_index=True))


@pytest.mark.parametrize("which", ALL)
def test_missing_ids(which, small):
    with pytest.raises(ValueError, match="Column 'store' of `panel` has 1 missing value"):
        _call(which, small.assign(store=small["store"].where(small.index != 0)))


def test_unknown_options(small):
    with pytest.raises(ValueError, match="`cov_type` must be one of 'cluster', 'HC1', 'nonrobust'; got 'robust'"):
        _call("did", small, cov_type="robust")
    with pytest.raises(ValueError, match="`cov_type` must be one of"):
        _call("es", small, cov_type="HC3")
    with pytest.raises(ValueError, match="`log` must be one of False, True; got 'yes'"):
        _call("did", small, log="yes")
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\); got 1.5"):
        _call("did", small, alpha=1.5)
    with pytest.raises(TypeError, match="`covariates` must be a column name or a list"):
        _call("did", small, covariates=3)
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        diff_in_diff(small, unit="store", time="week", method="synthetic")


def test_event_study_bad_event_time_reference_window(small):
    with pytest.raises(ValueError, match="'event_time' of `panel` is missing for 1 treated row"):
        _call("es", small.assign(event_time=small["event_time"].where(small.index != 1)))
    with pytest.raises(ValueError, match="whole numbers"):
        _call("es", small.assign(event_time=small["event_time"] + 0.5))
    with pytest.raises(ValueError, match="whole numbers of periods, got dtype"):
        _call("es", small.assign(event_time=small["event_time"].astype(str)))
    with pytest.raises(ValueError, match="`reference` period -5 does not occur"):
        _call("es", small, reference=-5)
    with pytest.raises(TypeError, match="`reference` must be an integer"):
        _call("es", small, reference=-1.0)
    with pytest.raises(ValueError, match="`window` must be a pair of integers"):
        _call("es", small, window=(-2,))
    with pytest.raises(ValueError, match="contain the reference period -1"):
        _call("es", small, window=(0, 3))


def test_permutation_bad_pool_and_counts(small):
    with pytest.raises(ValueError, match="`pool` must contain every treated unit; it misses 'b'"):
        _call("perm", small, pool=["a", "c", "d"])
    with pytest.raises(ValueError, match="`pool` has unit\\(s\\) not in column 'store'"):
        _call("perm", small, pool=["a", "b", "z"])
    with pytest.raises(ValueError, match="`pool` has 2 unit\\(s\\), all treated"):
        _call("perm", small, pool=["a", "b"])
    with pytest.raises(TypeError, match="`pool` must be a list of units"):
        _call("perm", small, pool="abc")
    with pytest.raises(ValueError, match="`n_permutations` must be an integer >= 1; got 0"):
        permutation_test(small, unit="store", time="week", n_permutations=0)
    with pytest.raises(TypeError, match="`seed` must be an integer"):
        permutation_test(small, unit="store", time="week", seed=1.5)


def test_pre_trend_test_matches_statsmodels_without_clusters_and_hotelling_with():
    panel = _synthetic_panel(effect=0.2, seed=16)
    plain = event_study(panel, outcome="log_orders", time="month", cov_type="nonrobust")
    res = plain.results
    leads = [n for n in res.params.index if n.startswith("rel_m")]
    R = np.zeros((len(leads), len(res.params)))
    for i, name in enumerate(leads):
        R[i, list(res.params.index).index(name)] = 1.0
    assert plain.pre_trend_p_value == pytest.approx(float(res.f_test(R).pvalue), rel=1e-8)
    clustered = event_study(panel, outcome="log_orders", time="month")
    r = clustered.results
    b = r.params[leads].to_numpy()
    W = b @ np.linalg.solve(r.cov_params().loc[leads, leads].to_numpy(), b)
    q, G = len(leads), 30
    from scipy import stats
    assert clustered.pre_trend_p_value == pytest.approx(stats.f.sf(W * (G - q) / (q * (G - 1)), q, G - q))
    few_units = panel[panel["city"].between("U05", "U12")]  # 8 clusters, 9 leads
    few = event_study(few_units, outcome="log_orders", time="month")
    assert np.isnan(few.pre_trend_p_value)


def test_world_did_ci_covers_the_planted_bopis_effect(world):
    """City x month panel of online orders (as notebook 6.3 builds it); log DiD with city-clustered SEs."""
    from opsutils.exercises.ch06_causal import _panel_copy

    res = diff_in_diff(_panel_copy(), log=True)
    planted = world.truth["bopis"]["effect_relative_online_orders"]
    assert res.relative_ci_low <= planted <= res.relative_ci_high
    assert res.p_value < 0.05
