"""Tests for opsutils.business: closed forms, textbook references, monotonicity and input checks."""

import math

import numpy as np
import pandas as pd
import pytest

from opsutils.business import (RULE_OF_3, RetentionUplift, WhatIf, clv_what_if, cohort_profit_curve,
                               retention_profit_uplift)

UNIT = dict(aov=100.0, frequency=2.0, margin=0.5, cac=50.0)  # annual margin m = 100
COHORT = dict(retention=0.8, aov=100.0, frequency=2.0, margin=0.3, acquisition_cost=150.0)  # m = 60


# --------------------------------------------------------------------------- #
# clv_what_if: closed forms and hand-computed cases
# --------------------------------------------------------------------------- #
def test_infinite_horizon_equals_long_finite_sum():
    for r, d in [(0.0, 0.1), (0.45, 0.1), (0.9, 0.05), (0.7, 0.0)]:
        closed = clv_what_if(retention=r, discount_rate=d, **UNIT).clv
        finite = clv_what_if(retention=r, discount_rate=d, horizon_years=2_000, **UNIT).clv
        assert closed == pytest.approx(finite, rel=1e-12)
        assert closed == pytest.approx(100.0 * (1 + d) / (1 + d - r))


def test_zero_retention_is_one_year_of_margin():
    for horizon in (None, 1, 5):
        w = clv_what_if(retention=0.0, horizon_years=horizon, **UNIT)
        assert w.clv == pytest.approx(100.0)
        assert w.expected_lifetime_years == pytest.approx(1.0)


def test_hand_computed_cases():
    # m = 100, r = 0.5, no discounting, 3 years: 100 + 50 + 25
    assert clv_what_if(retention=0.5, discount_rate=0.0, horizon_years=3, **UNIT).clv == pytest.approx(175.0)
    # m = 100, r = 0.5, d = 0.25, 2 years: 100 + 100 * 0.5 / 1.25
    assert clv_what_if(retention=0.5, discount_rate=0.25, horizon_years=2, **UNIT).clv == pytest.approx(140.0)
    # m = 300, r = 0.6, d = 0.1, infinite: 300 * 1.1 / 0.5 = 660; CAC 200 -> ratio 3.3
    w = clv_what_if(retention=0.6, aov=200.0, frequency=3.0, margin=0.5, cac=200.0)
    assert (w.clv, w.annual_profit_per_customer) == (pytest.approx(660.0), pytest.approx(300.0))
    assert w.clv_cac_ratio == pytest.approx(3.3)
    assert w.expected_lifetime_years == pytest.approx(2.5)
    assert w.meets_rule_of_3 is True


def test_finite_lifetime_years_is_partial_geometric_sum():
    w = clv_what_if(retention=0.5, horizon_years=3, **UNIT)
    assert w.expected_lifetime_years == pytest.approx(1.75)


@pytest.mark.parametrize(
    ("retention", "discount_rate", "margin_multiple"),
    [(0.9, 0.10, 4.50), (0.8, 0.12, 2.50), (0.7, 0.14, 1.59), (0.6, 0.16, 1.07), (0.8, 0.10, 2.67)],
)
def test_gupta_lehmann_margin_multiple(retention, discount_rate, margin_multiple):
    """Gupta & Lehmann (2003), "Customers as assets": CLV = m * r / (1 + i - r), end-of-period convention.

    Their margin multiple r / (1 + i - r) is tabulated for retention 60-90% and discount rates 10-16%.
    Our convention also counts the first year's margin (received up front), so
    ``clv_what_if(...).clv == m + m * r / (1 + i - r)``.
    """
    m = 1.0
    w = clv_what_if(retention=retention, aov=1.0, frequency=1.0, margin=1.0, cac=1.0, discount_rate=discount_rate)
    gupta_lehmann = m * retention / (1 + discount_rate - retention)
    assert w.clv == pytest.approx(m + gupta_lehmann)
    assert w.clv - m == pytest.approx(margin_multiple, abs=0.005)


def test_clv_monotone_in_retention_and_discount():
    rs = np.linspace(0.0, 0.95, 20)
    clvs = [clv_what_if(retention=float(r), **UNIT).clv for r in rs]
    assert np.all(np.diff(clvs) > 0)
    ds = [0.0, 0.05, 0.1, 0.2]
    assert np.all(np.diff([clv_what_if(retention=0.6, discount_rate=d, **UNIT).clv for d in ds]) < 0)
    hs = [1, 2, 5, 10]
    assert np.all(np.diff([clv_what_if(retention=0.6, horizon_years=h, **UNIT).clv for h in hs]) > 0)


def test_rule_of_3_is_strict():
    # CLV = 100 * 1.1 / 1.1 = 100 with r = 0: CAC 100/3 gives exactly 3.0, which does not exceed 3
    w = clv_what_if(retention=0.0, aov=100.0, frequency=2.0, margin=0.5, cac=100.0 / 3.0)
    assert w.clv_cac_ratio == pytest.approx(RULE_OF_3)
    assert clv_what_if(retention=0.0, aov=100.0, frequency=2.0, margin=0.5, cac=30.0).meets_rule_of_3
    assert not clv_what_if(retention=0.0, aov=100.0, frequency=2.0, margin=0.5, cac=40.0).meets_rule_of_3


def test_whatif_is_frozen_and_to_frame():
    w = clv_what_if(retention=0.5, **UNIT)
    assert isinstance(w, WhatIf)
    with pytest.raises(AttributeError):
        w.clv = 0.0
    frame = w.to_frame()
    assert frame.shape == (1, 12)
    assert frame.loc[0, "clv"] == pytest.approx(w.clv)
    assert pd.isna(frame.loc[0, "horizon_years"])
    assert clv_what_if(retention=0.5, horizon_years=4, **UNIT).to_frame().loc[0, "horizon_years"] == 4
    both = pd.concat([w.to_frame(), clv_what_if(retention=0.7, **UNIT).to_frame()], ignore_index=True)
    assert both["clv"].is_monotonic_increasing


def test_accepts_numpy_scalars():
    w = clv_what_if(retention=np.float64(0.5), aov=np.int64(100), frequency=2, margin=0.5, cac=50,
                    horizon_years=np.int64(3))
    assert w.clv == pytest.approx(100 * (1 + 0.5 / 1.1 + 0.25 / 1.21))
    assert type(w.clv) is float


# --------------------------------------------------------------------------- #
# clv_what_if: bad inputs
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(retention=1.0), ValueError, r"`retention` must be in \[0, 1\); got 1.0"),
        (dict(retention=-0.1), ValueError, r"`retention` must be in \[0, 1\); got -0.1"),
        (dict(retention=float("nan")), ValueError, r"`retention` must be a finite number"),
        (dict(retention="0.5"), TypeError, r"`retention` must be a real number, got str"),
        (dict(aov=0.0), ValueError, r"`aov` must be > 0; got 0.0"),
        (dict(aov=-5.0), ValueError, r"`aov` must be > 0; got -5.0"),
        (dict(frequency=0), ValueError, r"`frequency` must be > 0; got 0"),
        (dict(margin=0.0), ValueError, r"`margin` must be in \(0, 1\]; got 0.0"),
        (dict(margin=1.2), ValueError, r"`margin` must be in \(0, 1\]; got 1.2"),
        (dict(margin=True), TypeError, r"`margin` must be a real number, got bool"),
        (dict(cac=0.0), ValueError, r"`cac` must be > 0; got 0.0"),
        (dict(cac=None), TypeError, r"`cac` must be a real number, got NoneType"),
        (dict(discount_rate=-0.01), ValueError, r"`discount_rate` must be >= 0; got -0.01"),
        (dict(horizon_years=0), ValueError, r"`horizon_years` must be an integer >= 1; got 0"),
        (dict(horizon_years=5.0), TypeError, r"`horizon_years` must be an integer, got float"),
    ],
)
def test_clv_what_if_rejects_bad_input(kwargs, error, match):
    args = dict(retention=0.5, **UNIT) | kwargs
    with pytest.raises(error, match=match):
        clv_what_if(**args)


def test_clv_what_if_is_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        clv_what_if(0.5, 100.0, 2.0, 0.5, 50.0)


# --------------------------------------------------------------------------- #
# retention_profit_uplift and cohort_profit_curve
# --------------------------------------------------------------------------- #
def test_plain_cohort_profit_is_cohort_times_clv_minus_cac():
    r = retention_profit_uplift(**COHORT, horizon_years=7, cohort_size=250)
    for rate, profit in [(0.8, r.base_profit), (0.85, r.improved_profit)]:
        w = clv_what_if(retention=rate, aov=100.0, frequency=2.0, margin=0.3, cac=150.0, horizon_years=7)
        assert profit == pytest.approx(250 * (w.clv - 150.0))
    assert r.improved_retention == pytest.approx(0.85)
    assert r.profit_uplift == pytest.approx(r.improved_profit - r.base_profit)
    assert r.relative_uplift == pytest.approx(r.profit_uplift / r.base_profit)


def test_hand_computed_uplift():
    # m = 60, CAC 150, d = 0, 2 years: base 60 + 0.5 * 60 - 150 = -60 (a loss) -> relative NaN
    r = retention_profit_uplift(retention=0.5, retention_increase=0.1, aov=100.0, frequency=2.0, margin=0.3,
                                acquisition_cost=150.0, discount_rate=0.0, horizon_years=2, cohort_size=1)
    assert r.base_profit == pytest.approx(-60.0)
    assert r.improved_profit == pytest.approx(-54.0)
    assert r.profit_uplift == pytest.approx(6.0)
    assert math.isnan(r.relative_uplift)
    # Same with CAC 60: base 30, improved 36 -> +20%
    r = retention_profit_uplift(retention=0.5, retention_increase=0.1, aov=100.0, frequency=2.0, margin=0.3,
                                acquisition_cost=60.0, discount_rate=0.0, horizon_years=2, cohort_size=1)
    assert (r.base_profit, r.improved_profit) == (pytest.approx(30.0), pytest.approx(36.0))
    assert r.relative_uplift == pytest.approx(0.2)


def test_mechanisms_by_hand():
    # 2 years, no discounting, r = 0.5, m = 100 * 2 * 0.3 = 60 in year 1.
    # Year 2 per survivor: revenue 200 * 1.1 = 220 at margin 0.3 + 0.1 = 0.4 -> 88, plus referral 0.2 * 50 = 10
    # in both years. Base: -50 + (60 + 10) + 0.5 * (88 + 10) = 69
    r = retention_profit_uplift(retention=0.5, retention_increase=0.1, aov=100.0, frequency=2.0, margin=0.3,
                                acquisition_cost=50.0, discount_rate=0.0, horizon_years=2, cohort_size=1,
                                spend_growth=0.1, cost_to_serve_decline=0.1, referral_rate=0.2)
    assert r.base_profit == pytest.approx(69.0)
    assert r.improved_profit == pytest.approx(-50 + 70 + 0.6 * 98)


def test_margin_is_capped_at_one():
    r = retention_profit_uplift(retention=0.5, aov=100.0, frequency=1.0, margin=0.9, acquisition_cost=0.0,
                                discount_rate=0.0, horizon_years=3, cohort_size=1, cost_to_serve_decline=0.5)
    assert r.base_profit == pytest.approx(90 + 0.5 * 100 + 0.25 * 100)


def test_relative_uplift_grows_with_acquisition_cost():
    rel = [retention_profit_uplift(**(COHORT | {"acquisition_cost": c})).relative_uplift for c in (0, 50, 100, 150, 200)]
    assert np.all(np.diff(rel) > 0)
    # ... and the absolute uplift does not depend on it (without referrals)
    abs_ = [retention_profit_uplift(**(COHORT | {"acquisition_cost": c})).profit_uplift for c in (0, 100, 200)]
    assert np.allclose(abs_, abs_[0])


def test_relative_uplift_grows_as_margin_falls():
    rel_m = [retention_profit_uplift(**(COHORT | {"margin": m})).relative_uplift for m in (0.6, 0.45, 0.3)]
    assert np.all(np.diff(rel_m) > 0)


def test_longer_horizon_raises_the_uplift():
    horizons = (1, 3, 5, 10, 20)
    abs_h = [retention_profit_uplift(**COHORT, horizon_years=h).profit_uplift for h in horizons]
    assert abs_h[0] == 0.0  # in year 1 everybody is still there
    assert np.all(np.diff(abs_h) > 0)
    no_cac = COHORT | {"acquisition_cost": 0.0}
    rel_h = [retention_profit_uplift(**no_cac, horizon_years=h).relative_uplift for h in horizons]
    assert np.all(np.diff(rel_h) > 0)
    # With a large acquisition cost a short horizon leaves a thin (or negative) base, so the
    # percentage is not monotone in the horizon: 3 years lose money here, 5 years beat 10.
    rel = {h: retention_profit_uplift(**COHORT, horizon_years=h).relative_uplift for h in (3, 5, 10)}
    assert math.isnan(rel[3]) and rel[5] > rel[10]


@pytest.mark.parametrize("mechanism", ["spend_growth", "cost_to_serve_decline", "referral_rate"])
def test_each_mechanism_raises_the_absolute_uplift(mechanism):
    plain = retention_profit_uplift(**COHORT).profit_uplift
    with_it = retention_profit_uplift(**COHORT, **{mechanism: 0.05}).profit_uplift
    assert with_it > plain


def test_spend_growth_raises_relative_uplift_without_acquisition_cost():
    rel = [retention_profit_uplift(**(COHORT | {"acquisition_cost": 0.0}), spend_growth=g).relative_uplift
           for g in (0.0, 0.05, 0.10)]
    assert np.all(np.diff(rel) > 0)


def test_reichheld_range_is_reachable_and_not_automatic():
    """+5 pp of retention gives +25% to +95% profit in some settings (Reichheld & Sasser 1990), not all."""
    thin = retention_profit_uplift(retention=0.8, aov=100.0, frequency=2.0, margin=0.3, acquisition_cost=150.0)
    assert 0.25 <= thin.relative_uplift <= 0.95
    fat = retention_profit_uplift(retention=0.8, aov=100.0, frequency=2.0, margin=0.6, acquisition_cost=20.0)
    assert fat.relative_uplift < 0.25


def test_cohort_size_scales_profit_not_relative_uplift():
    a = retention_profit_uplift(**COHORT, cohort_size=1)
    b = retention_profit_uplift(**COHORT, cohort_size=1000)
    assert b.base_profit == pytest.approx(1000 * a.base_profit)
    assert b.relative_uplift == pytest.approx(a.relative_uplift)


def test_uplift_to_frame():
    r = retention_profit_uplift(**COHORT)
    assert isinstance(r, RetentionUplift)
    frame = r.to_frame()
    assert frame.index.tolist() == ["base", "improved"]
    assert frame.loc["improved", "relative_uplift"] == pytest.approx(r.relative_uplift)
    assert frame.loc["base", "profit_per_customer"] == pytest.approx(r.base_profit / 1000)
    with pytest.raises(AttributeError):
        r.base_profit = 1.0


def test_curve_matches_totals():
    kw = COHORT | dict(horizon_years=6, spend_growth=0.03, referral_rate=0.02, cost_to_serve_decline=0.01)
    curve = cohort_profit_curve(**kw)
    r = retention_profit_uplift(**kw)
    assert list(curve.columns) == ["scenario", "retention", "year", "active_customers", "discounted_profit",
                                   "cumulative_profit"]
    assert len(curve) == 2 * 7
    last = curve.groupby("scenario")["cumulative_profit"].last()
    assert last["base"] == pytest.approx(r.base_profit)
    assert last["improved"] == pytest.approx(r.improved_profit)
    year0 = curve[curve["year"] == 0]
    assert np.allclose(year0["discounted_profit"], -1000 * 150.0)
    base = curve[curve["scenario"] == "base"]
    assert np.allclose(base["active_customers"].iloc[1:], 1000 * 0.8 ** np.arange(6))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(retention=1.0), ValueError, r"`retention` must be in \[0, 1\); got 1.0"),
        (dict(retention_increase=0.0), ValueError, r"`retention_increase` must be > 0; got 0.0"),
        (dict(retention=0.97, retention_increase=0.05), ValueError,
         r"`retention \+ retention_increase` must be below 1 .* got 0.97 \+ 0.05"),
        (dict(aov=0.0), ValueError, r"`aov` must be > 0; got 0.0"),
        (dict(frequency=-1.0), ValueError, r"`frequency` must be > 0; got -1.0"),
        (dict(margin=1.5), ValueError, r"`margin` must be in \(0, 1\]; got 1.5"),
        (dict(acquisition_cost=-1.0), ValueError, r"`acquisition_cost` must be >= 0; got -1.0"),
        (dict(acquisition_cost="150"), TypeError, r"`acquisition_cost` must be a real number, got str"),
        (dict(discount_rate=-0.1), ValueError, r"`discount_rate` must be >= 0; got -0.1"),
        (dict(horizon_years=0), ValueError, r"`horizon_years` must be an integer >= 1; got 0"),
        (dict(horizon_years=None), TypeError, r"`horizon_years` must be an integer, got NoneType"),
        (dict(cohort_size=0), ValueError, r"`cohort_size` must be an integer >= 1; got 0"),
        (dict(cost_to_serve_decline=1.0), ValueError, r"`cost_to_serve_decline` must be in \[0, 1\); got 1.0"),
        (dict(referral_rate=-0.1), ValueError, r"`referral_rate` must be >= 0; got -0.1"),
        (dict(spend_growth=-1.0), ValueError, r"`spend_growth` must be > -1; got -1.0"),
    ],
)
@pytest.mark.parametrize("func", [retention_profit_uplift, cohort_profit_curve])
def test_cohort_functions_reject_bad_input(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(**(COHORT | kwargs))
