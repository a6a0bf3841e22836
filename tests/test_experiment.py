"""Tests for opsutils.experiment: outside references (statsmodels, scipy, textbook formulas), known
answers, simulation properties with seeds and tolerances, and input checks."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from opsutils.experiment import (ABTestResult, BootstrapResult, CupedResult, PeekingResult, SRMResult,
                                 adjust_pvalues, bootstrap_ci, compare_groups, cuped, duration_days, mean_test,
                                 power_proportions, proportion_test, sample_size_means, sample_size_proportions,
                                 simulate_peeking, srm_check)

Z = stats.norm.ppf


def textbook_pooled_n(p1, p2, alpha=0.05, power=0.8, ratio=1.0):
    """Fleiss, Levin & Paik: pooled SE under H0, unpooled under H1; n of group 1 (n2 = ratio * n1)."""
    pbar = (p1 + ratio * p2) / (1 + ratio)
    s0 = math.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio))
    s1 = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    return (Z(1 - alpha / 2) * s0 + Z(power) * s1) ** 2 / (p2 - p1) ** 2


# --------------------------------------------------------------------------- #
# Design
# --------------------------------------------------------------------------- #
def test_statsmodels_power_anchor():
    assert NormalIndPower().power(0.3, 80, 0.05) == pytest.approx(0.4751, abs=5e-5)


def test_sample_size_targets_10_to_12_percent():
    assert sample_size_proportions(0.10, 0.02) == 3835
    assert sample_size_proportions(0.10, 0.02, method="arcsine", alpha=0.05, power=0.8) == 3835
    assert sample_size_proportions(0.10, 0.02, method="pooled") == 3841
    assert sample_size_proportions(0.10, 0.20, relative=True) == 3835
    assert sample_size_proportions(0.10, 0.20, relative=True, method="pooled") == 3841


@pytest.mark.parametrize("p1,mde,alpha,power,ratio",
                         [(0.10, 0.02, 0.05, 0.8, 1.0), (0.03, 0.005, 0.05, 0.9, 1.0), (0.5, 0.05, 0.01, 0.8, 1.0),
                          (0.078, 0.015, 0.05, 0.8, 1.0), (0.2, 0.03, 0.1, 0.8, 2.0), (0.05, 0.01, 0.05, 0.8, 0.5)])
def test_arcsine_matches_statsmodels(p1, mde, alpha, power, ratio):
    h = proportion_effectsize(p1 + mde, p1)
    ref = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio)
    assert sample_size_proportions(p1, mde, alpha=alpha, power=power, ratio=ratio) == math.ceil(ref)


@pytest.mark.parametrize("p1,mde,alpha,power,ratio",
                         [(0.10, 0.02, 0.05, 0.8, 1.0), (0.03, 0.005, 0.05, 0.9, 1.0), (0.5, 0.05, 0.01, 0.8, 1.0),
                          (0.2, 0.03, 0.1, 0.8, 2.0), (0.05, 0.01, 0.05, 0.8, 0.5)])
def test_pooled_matches_textbook_formula(p1, mde, alpha, power, ratio):
    got = sample_size_proportions(p1, mde, alpha=alpha, power=power, ratio=ratio, method="pooled")
    assert got == math.ceil(textbook_pooled_n(p1, p1 + mde, alpha, power, ratio))


def test_sample_size_monotone_and_scaling():
    ns = [sample_size_proportions(0.1, m) for m in (0.005, 0.01, 0.02, 0.04)]
    assert ns == sorted(ns, reverse=True)
    # Halving the MDE roughly quadruples n
    assert 3.8 < sample_size_proportions(0.1, 0.01) / sample_size_proportions(0.1, 0.02) < 4.2
    assert sample_size_proportions(0.1, 0.02, power=0.9) > sample_size_proportions(0.1, 0.02, power=0.8)
    assert sample_size_proportions(0.1, 0.02, alpha=0.01) > sample_size_proportions(0.1, 0.02, alpha=0.05)
    # A bigger treatment group means a smaller control group
    assert sample_size_proportions(0.1, 0.02, ratio=2.0) < sample_size_proportions(0.1, 0.02)


@pytest.mark.parametrize("method", ["arcsine", "pooled"])
def test_power_is_the_inverse_of_sample_size(method):
    for p1, mde in [(0.1, 0.02), (0.078, 0.015), (0.035, 0.01)]:
        n = sample_size_proportions(p1, mde, method=method)
        assert power_proportions(n, p1, mde, method=method) >= 0.8 - 1e-4
        assert power_proportions(n - 5, p1, mde, method=method) < 0.8
    assert power_proportions(80, 0.5, 0.15) == pytest.approx(
        NormalIndPower().power(proportion_effectsize(0.65, 0.5), 80, 0.05))


def test_sample_size_means_matches_statsmodels_and_normal_formula():
    n = sample_size_means(140.0, 5.0)
    assert n == math.ceil(TTestIndPower().solve_power(effect_size=5 / 140, alpha=0.05, power=0.8))
    normal = 2 * (Z(0.975) + Z(0.8)) ** 2 * 140.0**2 / 5.0**2
    assert abs(n - normal) <= 2
    # n is proportional to the variance
    assert sample_size_means(70.0, 5.0) == pytest.approx(n / 4, rel=1e-3)
    assert sample_size_means(140.0, 5.0, ratio=2.0) < n


def test_duration_days():
    assert duration_days(3835, 1600) == 5            # 7670 / 1600 = 4.79
    assert duration_days(3835, 1600, share_in_test=0.5) == 10
    assert duration_days(1000, 500) == 4             # exactly 4 days: no extra day from rounding noise
    assert duration_days(1000, 500, groups=3) == 6
    assert duration_days(1, 1e6) == 1


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(baseline=0.0, mde=0.02), ValueError, r"`baseline` must be in \(0, 1\); got 0.0"),
    (dict(baseline=1.2, mde=0.02), ValueError, r"`baseline` must be in \(0, 1\)"),
    (dict(baseline=0.1, mde=0.0), ValueError, r"`mde` must be > 0"),
    (dict(baseline=0.1, mde=-0.01), ValueError, r"`mde` must be > 0"),
    (dict(baseline=0.95, mde=0.1), ValueError, r"treatment rate .* must be below 1"),
    (dict(baseline=0.6, mde=0.8, relative=True), ValueError, r"must be below 1.*relative"),
    (dict(baseline=0.1, mde=0.02, power=1.0), ValueError, r"`power` must be in \(0, 1\); got 1.0"),
    (dict(baseline=0.1, mde=0.02, power=0.03), ValueError, r"`power` must be larger than `alpha`"),
    (dict(baseline=0.1, mde=0.02, alpha=0.0), ValueError, r"`alpha` must be in \(0, 1\)"),
    (dict(baseline=0.1, mde=0.02, alpha=1.5), ValueError, r"`alpha` must be in \(0, 1\)"),
    (dict(baseline=0.1, mde=0.02, ratio=0), ValueError, r"`ratio` must be > 0"),
    (dict(baseline=0.1, mde=0.02, method="exact"), ValueError, r"`method` must be one of 'arcsine', 'pooled'"),
    (dict(baseline="10%", mde=0.02), TypeError, r"`baseline` must be a real number"),
    (dict(baseline=0.1, mde=0.02, relative="yes"), TypeError, r"`relative` must be True or False"),
])
def test_sample_size_proportions_bad_inputs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sample_size_proportions(**kwargs)


def test_other_design_functions_bad_inputs():
    with pytest.raises(ValueError, match=r"`n_per_group` must be an integer >= 2"):
        power_proportions(1, 0.1, 0.02)
    with pytest.raises(TypeError, match=r"`n_per_group` must be an integer"):
        power_proportions(100.5, 0.1, 0.02)
    with pytest.raises(ValueError, match=r"`baseline` must be in \(0, 1\)"):
        power_proportions(100, 1.0, 0.02)
    with pytest.raises(ValueError, match=r"`sd` must be > 0"):
        sample_size_means(0.0, 5.0)
    with pytest.raises(ValueError, match=r"`mde` must be > 0"):
        sample_size_means(10.0, -1.0)
    with pytest.raises(ValueError, match=r"`power` must be in \(0, 1\)"):
        sample_size_means(10.0, 1.0, power=1.0)
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\)"):
        sample_size_means(10.0, 1.0, alpha=-0.1)
    with pytest.raises(ValueError, match=r"`n_per_group` must be an integer >= 1; got 0"):
        duration_days(0, 100)
    with pytest.raises(ValueError, match=r"`daily_traffic` must be > 0"):
        duration_days(100, 0)
    with pytest.raises(ValueError, match=r"`groups` must be an integer >= 2"):
        duration_days(100, 10, groups=1)
    with pytest.raises(ValueError, match=r"`share_in_test` must be in \(0, 1\]"):
        duration_days(100, 10, share_in_test=1.5)


# --------------------------------------------------------------------------- #
# proportion_test
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("xa,na,xb,nb", [(252, 3212, 299, 3210), (10, 100, 25, 120), (348, 10001, 429, 9513),
                                         (0, 50, 3, 60), (40, 40, 38, 40)])
def test_proportion_test_matches_statsmodels_ztest(xa, na, xb, nb):
    r = proportion_test(xa, na, xb, nb)
    z, p = proportions_ztest([xb, xa], [nb, na])
    assert r.p_value == pytest.approx(p, rel=1e-12)
    assert r.statistic == pytest.approx(z, rel=1e-12)
    pa, pb = xa / na, xb / nb
    assert (r.estimate_a, r.estimate_b, r.lift) == (pytest.approx(pa), pytest.approx(pb), pytest.approx(pb - pa))
    assert (r.n_a, r.n_b) == (na, nb)


def test_proportion_test_wald_interval_by_hand():
    r = proportion_test(250, 3000, 310, 3000, alpha=0.05)
    pa, pb = 250 / 3000, 310 / 3000
    se = math.sqrt(pa * (1 - pa) / 3000 + pb * (1 - pb) / 3000)
    assert r.ci_low == pytest.approx(pb - pa - Z(0.975) * se, rel=1e-9)
    assert r.ci_high == pytest.approx(pb - pa + Z(0.975) * se, rel=1e-9)
    assert r.relative_lift == pytest.approx(0.24)
    wide = proportion_test(250, 3000, 310, 3000, alpha=0.01)
    assert wide.ci_low < r.ci_low and wide.ci_high > r.ci_high
    assert r.significant and not proportion_test(250, 3000, 260, 3000).significant


def test_proportion_test_is_antisymmetric():
    r = proportion_test(100, 1000, 130, 1000)
    s = proportion_test(130, 1000, 100, 1000)
    assert s.lift == pytest.approx(-r.lift)
    assert s.p_value == pytest.approx(r.p_value)
    assert (s.ci_low, s.ci_high) == (pytest.approx(-r.ci_high), pytest.approx(-r.ci_low))


def test_proportion_test_degenerate_cases_do_not_warn():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = proportion_test(0, 100, 0, 100)
        assert math.isnan(r.p_value) and not r.significant
        assert r.lift == 0 and r.ci_low == r.ci_high == 0
        assert math.isnan(r.relative_lift)
        all_converted = proportion_test(50, 50, 70, 70)
        assert math.isnan(all_converted.p_value)


def test_proportion_test_result_is_frozen_with_frame():
    r = proportion_test(100, 1000, 130, 1000)
    assert isinstance(r, ABTestResult)
    with pytest.raises(AttributeError):
        r.lift = 1.0
    frame = r.to_frame("conversion")
    assert frame.index.tolist() == ["conversion"] and frame.index.name == "metric"
    assert {"lift", "relative_lift", "ci_low", "ci_high", "p_value", "significant", "method"} <= set(frame.columns)
    assert r.to_frame().shape[0] == 1


@pytest.mark.parametrize("args,exc,match", [
    ((-1, 100, 5, 100), ValueError, r"`successes_a` must be an integer >= 0; got -1"),
    ((5, 100, -2, 100), ValueError, r"`successes_b` must be an integer >= 0"),
    ((5, 0, 5, 100), ValueError, r"`n_a` must be an integer >= 1; got 0"),
    ((5, 100, 0, 0), ValueError, r"`n_b` must be an integer >= 1"),
    ((120, 100, 5, 100), ValueError, r"`successes_a` \(120\) cannot exceed `n_a` \(100\)"),
    ((5, 100, 101, 100), ValueError, r"`successes_b` \(101\) cannot exceed `n_b` \(100\)"),
    ((5.5, 100, 5, 100), TypeError, r"`successes_a` must be an integer"),
])
def test_proportion_test_bad_inputs(args, exc, match):
    with pytest.raises(exc, match=match):
        proportion_test(*args)


def test_proportion_test_bad_alpha():
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\); got 1.0"):
        proportion_test(5, 100, 6, 100, alpha=1.0)


# --------------------------------------------------------------------------- #
# mean_test and compare_groups
# --------------------------------------------------------------------------- #
def _revenue_like(seed, n, scale):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(n) < 0.1, rng.gamma(2.0, scale, n), 0.0)


def test_welch_matches_statsmodels_and_hand_formula():
    a, b = _revenue_like(1, 800, 100.0), _revenue_like(2, 700, 120.0)
    r = mean_test(a, b)
    cm = CompareMeans(DescrStatsW(b), DescrStatsW(a))
    t, p, dof = cm.ttest_ind(usevar="unequal")
    low, high = cm.tconfint_diff(alpha=0.05, usevar="unequal")
    assert (r.statistic, r.p_value, r.df) == (pytest.approx(t), pytest.approx(p), pytest.approx(dof))
    assert (r.ci_low, r.ci_high) == (pytest.approx(low), pytest.approx(high))
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    assert r.df == pytest.approx((va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)))
    assert r.lift == pytest.approx(b.mean() - a.mean()) and r.method == "Welch t-test"


def test_student_option_matches_scipy():
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 7.0, 9.0]
    r = mean_test(a, b, equal_var=True)
    ref = stats.ttest_ind(b, a, equal_var=True)
    assert r.p_value == pytest.approx(ref.pvalue) and r.df == pytest.approx(7.0)
    assert r.method == "Student t-test"


def test_mean_test_accepts_series_and_bools_without_mutation():
    a = pd.Series([0.0, 5.0, 0.0, 10.0], index=[10, 11, 12, 13])
    b = pd.Series([True, False, True, True])
    a_before, b_before = a.copy(), b.copy()
    r = mean_test(a, b)
    assert r.estimate_b == pytest.approx(0.75)
    pd.testing.assert_series_equal(a, a_before)
    pd.testing.assert_series_equal(b, b_before)


def test_mean_test_constant_groups_give_nan_p():
    r = mean_test([1.0, 1.0], [1.0, 1.0, 1.0])
    assert math.isnan(r.p_value) and r.lift == 0.0


@pytest.mark.parametrize("a,b,exc,match", [
    ([1.0], [1.0, 2.0], ValueError, r"`a` has 1 value; at least 2 are needed"),
    ([1.0, 2.0], [], ValueError, r"`b` has 0 values; at least 2 are needed"),
    ([1.0, np.nan, 3.0], [1.0, 2.0], ValueError, r"`a` has 1 missing or infinite value"),
    (["x", "y"], [1.0, 2.0], ValueError, r"`a` must hold numbers"),
    ([[1.0, 2.0]], [1.0, 2.0], ValueError, r"`a` must be one-dimensional"),
    (5.0, [1.0, 2.0], TypeError, r"`a` must be a sequence of numbers"),
    (pd.DataFrame({"x": [1.0, 2.0]}), [1.0, 2.0], TypeError, r"`a` must be one column"),
])
def test_mean_test_bad_inputs(a, b, exc, match):
    with pytest.raises(exc, match=match):
        mean_test(a, b)


def _exposures():
    rng = np.random.default_rng(5)
    n = 400
    return pd.DataFrame({
        "group": np.repeat(["holdout", "treatment"], n),
        "converted_7d": rng.random(2 * n) < np.repeat([0.1, 0.15], n),
        "revenue_7d": rng.gamma(1.0, 20.0, 2 * n),
    })


def test_compare_groups_equals_the_tests_on_the_split():
    df = _exposures()
    before = df.copy()
    hold, treat = df[df["group"] == "holdout"], df[df["group"] == "treatment"]
    r = compare_groups(df, "converted_7d")
    ref = proportion_test(int(hold["converted_7d"].sum()), len(hold), int(treat["converted_7d"].sum()), len(treat))
    assert r == ref
    m = compare_groups(df, "revenue_7d")
    assert m == mean_test(hold["revenue_7d"], treat["revenue_7d"])
    # 0/1 integers work as a proportion; bools as a mean
    as_int = df.assign(converted_7d=df["converted_7d"].astype(int))
    assert compare_groups(as_int, "converted_7d", kind="proportion") == ref
    assert compare_groups(df, "converted_7d", kind="mean").method == "Welch t-test"
    pd.testing.assert_frame_equal(df, before)


def test_compare_groups_bad_inputs():
    df = _exposures()
    with pytest.raises(KeyError, match=r"Column 'converted' not found in `exposures`"):
        compare_groups(df, "converted")
    with pytest.raises(ValueError, match=r"The control group 'control' is not in column 'group'"):
        compare_groups(df, "converted_7d", control="control")
    with pytest.raises(ValueError, match=r"kind='proportion' needs a True/False"):
        compare_groups(df, "revenue_7d", kind="proportion")
    with pytest.raises(ValueError, match=r"`kind` must be one of"):
        compare_groups(df, "revenue_7d", kind="median")
    with pytest.raises(ValueError, match=r"has 1 missing value"):
        compare_groups(df.assign(revenue_7d=df["revenue_7d"].where(df.index != 3)), "revenue_7d")
    with pytest.raises(ValueError, match=r"`exposures` is empty"):
        compare_groups(df.iloc[:0], "revenue_7d")


# --------------------------------------------------------------------------- #
# bootstrap_ci
# --------------------------------------------------------------------------- #
def test_bootstrap_is_seeded_and_deterministic():
    x = _revenue_like(3, 500, 50.0)
    r1, r2 = bootstrap_ci(x, random_state=11), bootstrap_ci(x, random_state=11)
    assert (r1.ci_low, r1.ci_high) == (r2.ci_low, r2.ci_high)
    r3 = bootstrap_ci(x, random_state=12)
    assert (r3.ci_low, r3.ci_high) != (r1.ci_low, r1.ci_high)
    assert isinstance(r1, BootstrapResult) and r1.distribution.shape == (2000,)
    assert r1.to_frame().shape == (1, 7)


def test_bootstrap_mean_agrees_with_normal_theory():
    rng = np.random.default_rng(4)
    x = rng.normal(10.0, 3.0, 2000)
    r = bootstrap_ci(x, n_boot=4000, random_state=1)
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert r.estimate == pytest.approx(x.mean())
    assert r.standard_error == pytest.approx(se, rel=0.08)
    assert r.ci_low == pytest.approx(x.mean() - 1.96 * se, abs=0.25 * se)
    assert r.ci_high == pytest.approx(x.mean() + 1.96 * se, abs=0.25 * se)


def test_bootstrap_difference_agrees_with_welch():
    a, b = _revenue_like(5, 3000, 100.0), _revenue_like(6, 3000, 115.0)
    boot = bootstrap_ci(a, b, n_boot=3000, random_state=2)
    welch = mean_test(a, b)
    assert boot.estimate == pytest.approx(welch.lift)
    half = (welch.ci_high - welch.ci_low) / 2
    assert boot.ci_low == pytest.approx(welch.ci_low, abs=0.15 * half)
    assert boot.ci_high == pytest.approx(welch.ci_high, abs=0.15 * half)


def test_bootstrap_other_statistics_and_methods():
    x = np.arange(1.0, 102.0)
    med = bootstrap_ci(x, stat=np.median, n_boot=500)
    assert med.estimate == 51.0 and med.ci_low < 51.0 < med.ci_high
    no_axis = bootstrap_ci(x, stat=lambda v: float(np.percentile(v, 90)), n_boot=200)  # not vectorised
    assert no_axis.estimate == pytest.approx(91.0)
    for method in ("basic", "BCa"):
        r = bootstrap_ci(x, x + 5.0, method=method, n_boot=500)
        assert r.method == method and r.ci_low < 5.0 < r.ci_high


def test_bootstrap_bad_inputs_and_no_mutation():
    x = pd.Series([1.0, 2.0, 3.0])
    before = x.copy()
    bootstrap_ci(x, n_boot=100)
    pd.testing.assert_series_equal(x, before)
    with pytest.raises(TypeError, match=r"pass the statistic as `stat=`"):
        bootstrap_ci(x, np.median)
    with pytest.raises(ValueError, match=r"`n_boot` must be an integer >= 100; got 10"):
        bootstrap_ci(x, n_boot=10)
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\)"):
        bootstrap_ci(x, alpha=0)
    with pytest.raises(ValueError, match=r"`method` must be one of 'percentile', 'basic', 'BCa'"):
        bootstrap_ci(x, method="studentized")
    with pytest.raises(ValueError, match=r"`b` has 1 value"):
        bootstrap_ci(x, [1.0])
    with pytest.raises(TypeError, match=r"`random_state` must be an integer seed"):
        bootstrap_ci(x, random_state="seed")
    with pytest.raises(TypeError, match=r"`stat` must be a function"):
        bootstrap_ci(x, stat="mean")


# --------------------------------------------------------------------------- #
# srm_check
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("counts,ratios", [([10001, 9513], None), ([3212, 3210], None), ([1050, 9000], [0.1, 0.9]),
                                           ([330, 340, 290], [1, 1, 1]), ([500, 260, 240], [2, 1, 1])])
def test_srm_matches_scipy_chisquare(counts, ratios):
    r = srm_check(counts, ratios)
    share = np.ones(len(counts)) if ratios is None else np.asarray(ratios, dtype=float)
    expected = share / share.sum() * sum(counts)
    ref = stats.chisquare(counts, expected)
    assert r.statistic == pytest.approx(ref.statistic) and r.p_value == pytest.approx(ref.pvalue)
    assert r.df == len(counts) - 1
    assert np.allclose(r.expected, expected)


def test_srm_flags_the_logging_drop_and_passes_a_clean_split():
    bad = srm_check([10001, 9513])
    assert bad.mismatch and bad.p_value < 0.001
    # (10001 - 9757)^2 / 9757 * 2 by hand
    assert bad.statistic == pytest.approx(2 * 244**2 / 9757)
    good = srm_check([3212, 3210])
    assert not good.mismatch and good.p_value > 0.9
    assert isinstance(bad, SRMResult)


def test_srm_keeps_labels_and_aligns_mappings():
    counts = pd.Series({"treatment": 9000, "holdout": 1050})
    r = srm_check(counts, {"holdout": 0.1, "treatment": 0.9})
    frame = r.to_frame()
    assert frame.index.tolist() == ["treatment", "holdout"]
    assert frame.loc["treatment", "expected_share"] == pytest.approx(0.9)
    assert frame["observed_share"].sum() == pytest.approx(1.0)
    assert not r.mismatch


def test_srm_matches_a_series_of_ratios_by_label():
    counts = pd.Series({"treatment": 9000, "holdout": 1050})
    ratios = pd.Series({"holdout": 0.1, "treatment": 0.9})       # other order than the counts
    r = srm_check(counts, ratios)
    assert r.expected == pytest.approx((10050 * 0.9, 10050 * 0.1))     # expected in the order of the counts
    assert r == srm_check(counts, {"holdout": 0.1, "treatment": 0.9})
    assert not r.mismatch
    with pytest.raises(ValueError, match=r"The keys of `expected_ratios`"):
        srm_check(counts, pd.Series({"holdout": 0.1, "control": 0.9}))
    with pytest.raises(ValueError, match=r"`expected_ratios` repeats a group label"):
        srm_check(counts, pd.Series([0.1, 0.9], index=["holdout", "holdout"]))


@pytest.mark.parametrize("counts,ratios,match", [
    ([100], None, r"at least two groups"),
    ([100, -5], None, r"`counts` must be an integer >= 0; got -5"),
    ([0, 0], None, r"all 0"),
    ([100, 100], [0.5, 0.3, 0.2], r"`expected_ratios` has 3 values but `counts` has 2 groups"),
    ([100, 100], [0.5, 0.0], r"`expected_ratios` must all be > 0"),
    ({"a": 10, "b": 12}, {"a": 0.5, "c": 0.5}, r"The keys of `expected_ratios`"),
])
def test_srm_bad_inputs(counts, ratios, match):
    with pytest.raises(ValueError, match=match):
        srm_check(counts, ratios)


def test_srm_bad_alpha_and_types():
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\)"):
        srm_check([10, 12], alpha=0)
    with pytest.raises(TypeError, match=r"`counts` must be a sequence"):
        srm_check(10)
    with pytest.raises(TypeError, match=r"`counts` must be an integer"):
        srm_check([10.5, 12])


# --------------------------------------------------------------------------- #
# cuped
# --------------------------------------------------------------------------- #
def test_cuped_known_example_variance_reduction_is_corr_squared():
    x = [1.0, 2.0, 3.0, 4.0]
    y = [2.0, 1.0, 4.0, 3.0]  # corr = 0.6
    r = cuped(y, x)
    assert r.correlation == pytest.approx(0.6)
    assert r.theta == pytest.approx(0.6)
    assert np.allclose(r.adjusted, [2.9, 1.3, 3.7, 2.1])
    assert r.variance_reduction == pytest.approx(0.36)
    assert (r.variance_before, r.variance_after) == (pytest.approx(5 / 3), pytest.approx(3.2 / 3))
    assert isinstance(r, CupedResult) and r.to_frame().shape == (1, 6)


def test_cuped_reduction_equals_corr_squared_on_random_data():
    rng = np.random.default_rng(8)
    pre = rng.gamma(1.5, 80.0, 5000)
    post = 0.3 * pre + rng.gamma(1.0, 40.0, 5000)
    r = cuped(post, pre)
    assert r.variance_reduction == pytest.approx(np.corrcoef(post, pre)[0, 1] ** 2, rel=1e-10)
    assert r.adjusted.mean() == pytest.approx(post.mean())
    # theta is the OLS slope of y on x
    assert r.theta == pytest.approx(np.polyfit(pre, post, 1)[0])


def test_cuped_keeps_the_treatment_effect_and_narrows_the_interval():
    rng = np.random.default_rng(9)
    n = 4000
    pre = rng.gamma(1.5, 80.0, 2 * n)
    treat = np.repeat([False, True], n)
    post = 0.5 * pre + rng.normal(0, 40.0, 2 * n) + 5.0 * treat
    adj = cuped(post, pre).adjusted
    raw, cup = mean_test(post[~treat], post[treat]), mean_test(adj[~treat], adj[treat])
    assert cup.ci_low < 5.0 < cup.ci_high
    assert (cup.ci_high - cup.ci_low) < 0.8 * (raw.ci_high - raw.ci_low)


def test_cuped_series_theta_and_no_mutation():
    y = pd.Series([5.0, 7.0, 6.0, 9.0], index=list("abcd"), name="revenue_7d")
    x = pd.Series([1.0, 3.0, 2.0, 5.0], index=list("abcd"))
    y0, x0 = y.copy(), x.copy()
    r = cuped(y, x)
    assert isinstance(r.adjusted, pd.Series) and r.adjusted.index.tolist() == list("abcd")
    assert r.adjusted.name == "revenue_7d"
    none = cuped(y, x, theta=0.0)
    assert none.variance_reduction == pytest.approx(0.0) and np.allclose(none.adjusted, y)
    pd.testing.assert_series_equal(y, y0)
    pd.testing.assert_series_equal(x, x0)


def test_cuped_aligns_two_series_on_their_index():
    # the same customers in another order: paired by label, not by position
    y = pd.Series([5.0, 7.0, 6.0, 9.0, 4.0], index=["c1", "c2", "c3", "c4", "c5"], name="revenue_7d")
    x = pd.Series([1.0, 3.0, 2.0, 5.0, 0.0], index=y.index)
    shuffled = x.iloc[[3, 0, 4, 2, 1]]
    x0 = shuffled.copy()
    aligned, reference = cuped(y, shuffled), cuped(y, x)
    assert aligned.theta == pytest.approx(reference.theta)
    assert aligned.variance_reduction == pytest.approx(reference.variance_reduction)
    pd.testing.assert_series_equal(aligned.adjusted, reference.adjusted)
    assert aligned.adjusted.index.tolist() == y.index.tolist()      # in the order of y
    positional = cuped(y.to_numpy(), shuffled.to_numpy())              # what pairing by position would give
    assert positional.theta != pytest.approx(reference.theta)
    pd.testing.assert_series_equal(shuffled, x0)                      # the input is not reordered in place
    # one Series and one array: paired by position, as documented
    assert cuped(y, x.to_numpy()).theta == pytest.approx(reference.theta)


def test_cuped_rejects_series_with_different_or_repeated_labels():
    y = pd.Series([5.0, 7.0, 6.0, 9.0], index=["c1", "c2", "c3", "c4"])
    x = pd.Series([1.0, 3.0, 2.0, 5.0], index=["c1", "c2", "c3", "c9"])
    with pytest.raises(ValueError, match=r"`y` and `covariate` must have the same index labels to be paired; "
                                         r"only in `y`: 'c4'; only in `covariate`: 'c9'\."):
        cuped(y, x)
    with pytest.raises(ValueError, match=r"different indexes with repeated labels"):
        cuped(y, pd.Series([1.0, 3.0, 2.0, 5.0], index=["c2", "c1", "c1", "c3"]))
    # identical indexes are paired as they are, even with repeated labels
    dup = pd.Series([5.0, 7.0, 6.0, 9.0], index=["a", "a", "b", "b"])
    assert cuped(dup, pd.Series([1.0, 3.0, 2.0, 5.0], index=dup.index)).n == 4


@pytest.mark.parametrize("y,x,kwargs,exc,match", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], {}, ValueError, r"same length; got 3 and 2"),
    ([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], {}, ValueError, r"`covariate` is constant"),
    ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], {}, ValueError, r"`y` is constant"),
    ([1.0, np.nan], [1.0, 2.0], {}, ValueError, r"`y` has 1 missing"),
    ([], [], {}, ValueError, r"`y` has 0 values"),
    ([1.0, 2.0], [1.0, 2.0], {"theta": np.inf}, ValueError, r"`theta` must be a finite number"),
])
def test_cuped_bad_inputs(y, x, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cuped(y, x, **kwargs)


# --------------------------------------------------------------------------- #
# adjust_pvalues
# --------------------------------------------------------------------------- #
def test_holm_by_hand_and_against_statsmodels():
    p = [0.01, 0.04, 0.03]
    assert np.allclose(adjust_pvalues(p), [0.03, 0.06, 0.06])
    raw = np.array([0.001, 0.2, 0.012, 0.049, 0.8])
    for method in ("holm", "bonferroni", "fdr_bh", "hommel"):
        assert np.allclose(adjust_pvalues(raw, method=method), multipletests(raw, method=method)[1])
    assert np.all(adjust_pvalues(raw) >= raw)
    assert np.all(adjust_pvalues(raw) <= adjust_pvalues(raw, method="bonferroni"))


def test_adjust_pvalues_keeps_series_and_does_not_mutate():
    p = pd.Series([0.04, 0.01], index=["revenue", "conversion"], name="p")
    before = p.copy()
    out = adjust_pvalues(p)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["revenue", "conversion"]
    assert out["conversion"] == pytest.approx(0.02) and out["revenue"] == pytest.approx(0.04)
    pd.testing.assert_series_equal(p, before)


@pytest.mark.parametrize("p,kwargs,match", [
    ([0.1, 1.2], {}, r"`pvalues` must lie in \[0, 1\]; got 1.2"),
    ([-0.1, 0.2], {}, r"`pvalues` must lie in \[0, 1\]"),
    ([], {}, r"`pvalues` has 0 values"),
    ([0.1, np.nan], {}, r"`pvalues` has 1 missing"),
    ([0.1, 0.2], {"method": "tukey"}, r"`method` must be one of 'holm'"),
])
def test_adjust_pvalues_bad_inputs(p, kwargs, match):
    with pytest.raises(ValueError, match=match):
        adjust_pvalues(p, **kwargs)


# --------------------------------------------------------------------------- #
# simulate_peeking
# --------------------------------------------------------------------------- #
def test_one_look_has_the_nominal_false_positive_rate():
    n_sims = 6000
    r = simulate_peeking(1000, 1, n_sims=n_sims, baseline=0.1, random_state=3)
    tolerance = 4 * math.sqrt(0.05 * 0.95 / n_sims)  # 4 binomial standard errors, about 0.011
    assert abs(r.false_positive_rate - 0.05) < tolerance
    assert r.rate_by_look == (r.false_positive_rate,)


def test_many_looks_inflate_the_false_positive_rate():
    r = simulate_peeking(500, 10, n_sims=3000, random_state=4)
    assert r.false_positive_rate > 0.12
    rates = np.array(r.rate_by_look)
    assert np.all(np.diff(rates) >= 0)  # every extra look can only add stops
    assert rates[0] < 0.07
    twenty = simulate_peeking(500, 20, n_sims=3000, random_state=4)
    assert twenty.false_positive_rate > r.false_positive_rate


@pytest.mark.parametrize("looks,reference", [(2, 0.083), (5, 0.142), (10, 0.193)])
def test_peeking_matches_armitage_mcpherson_rowe(looks, reference):
    """Repeated significance tests at alpha 0.05 (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000,
    table 1.1): the overall type I error after 2, 5 and 10 equally spaced looks."""
    r = simulate_peeking(2000, looks, n_sims=6000, baseline=0.3, random_state=looks)
    assert r.false_positive_rate == pytest.approx(reference, abs=4 * r.standard_error + 0.005)


def test_peeking_is_deterministic_and_framed():
    a = simulate_peeking(200, 5, n_sims=500, random_state=9)
    b = simulate_peeking(200, 5, n_sims=500, random_state=9)
    assert a == b
    assert isinstance(a, PeekingResult)
    frame = a.to_frame()
    assert frame.index.tolist() == [1, 2, 3, 4, 5]
    assert frame["n_per_group"].tolist() == [200, 400, 600, 800, 1000]
    assert frame["false_positive_rate"].iloc[-1] == a.false_positive_rate


@pytest.mark.parametrize("args,kwargs,exc,match", [
    ((0, 5), {}, ValueError, r"`n_per_look` must be an integer >= 1; got 0"),
    ((100, 0), {}, ValueError, r"`looks` must be an integer >= 1"),
    ((100, 5), {"n_sims": 0}, ValueError, r"`n_sims` must be an integer >= 1"),
    ((100, 5), {"baseline": 1.0}, ValueError, r"`baseline` must be in \(0, 1\)"),
    ((100, 5), {"alpha": 0.0}, ValueError, r"`alpha` must be in \(0, 1\)"),
    ((100.0, 5), {}, TypeError, r"`n_per_look` must be an integer"),
])
def test_peeking_bad_inputs(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulate_peeking(*args, **kwargs)


# --------------------------------------------------------------------------- #
# The world: the planted experiments
# --------------------------------------------------------------------------- #
def test_world_exp1_lift_ci_covers_the_planted_lift_and_srm_flags_exp2_only(world):
    from opsutils.experiment import proportion_test, srm_check

    ex, truth = world.campaign_exposures, world.truth["experiments"]

    def groups(exp):
        e = ex[ex["campaign_id"] == truth[exp]["campaign_id"]]
        return e[e["group"] == "holdout"], e[e["group"] == "treatment"]

    control, treated = groups("EXP-1")
    r = proportion_test(int(control["converted_7d"].sum()), len(control),
                        int(treated["converted_7d"].sum()), len(treated))
    assert r.ci_low <= truth["EXP-1"]["planted_lift_7d_conversion"] <= r.ci_high
    for exp, flagged in (("EXP-1", False), ("EXP-2", True), ("EXP-3", False)):
        control, treated = groups(exp)
        share = truth[exp]["treatment_share"]
        srm = srm_check([len(control), len(treated)], [1 - share, share])
        assert srm.mismatch is flagged, exp
