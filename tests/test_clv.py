"""opsutils.clv: summaries, BG/NBD, Gamma-Gamma, CLV and CLV/CAC.

Outside references:

* Fader, Hardie & Lee (2005), "Counting your customers the easy way", CDNOW sample, 39-week
  calibration: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4; a customer with x=2, t_x=30.43,
  T=38.86 is expected to make 1.226 purchases in the next 39 weeks.
* Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", the 946 CDNOW repeat customers:
  p 6.25, q 3.74, gamma 15.44.
* The ``lifetimes`` package as a peer, where it imports.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

from opsutils.clv import (BetaGeo, FitSummary, GammaGamma, clv_cac_ratio, customer_lifetime_value, historic_clv,
                          summary_from_transactions, tracking)
from opsutils.datasets import CDNOW_CALIBRATION_END, CDNOW_OBSERVATION_END, load_cdnow

FHL_BG = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
FHL_LL = -9582.43
FH_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}
FH_GG_LL = -4055.92


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow()


@pytest.fixture(scope="module")
def cdnow_tx():
    return load_cdnow("transactions")


@pytest.fixture(scope="module")
def bg_cdnow(cdnow):
    return BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def gg_cdnow(cdnow):
    rep = cdnow[cdnow["frequency"] > 0]
    return GammaGamma().fit(rep["frequency"], rep["monetary_value"])


def _lifetimes():
    """Import the peer package, or skip (its import needs pkg_resources, gone from recent setuptools)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import lifetimes
            import lifetimes.utils
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"lifetimes does not import here: {exc}")
    return lifetimes


# --------------------------------------------------------------------------- #
# CDNOW: the published fits
# --------------------------------------------------------------------------- #
def test_cdnow_sample_shape(cdnow, cdnow_tx):
    assert len(cdnow) == 2357 and len(cdnow_tx) == 6919
    assert int((cdnow["frequency"] > 0).sum()) == 946
    assert cdnow["T"].max() == pytest.approx(272 / 7)  # first purchase 1997-01-01, calibration to 09-30
    assert (cdnow["duration_holdout"] == 39).all()
    # The rounded summary published with the data agrees with ours to its 2 decimals.
    c1 = cdnow.loc[1]
    assert (c1["frequency"], round(c1["recency"], 2), round(c1["T"], 2)) == (2, 30.43, 38.86)


def test_bgnbd_reproduces_fader_hardie_lee_2005(bg_cdnow):
    for k, published in FHL_BG.items():
        assert bg_cdnow.params_[k] == pytest.approx(published, rel=1e-3), k
    assert bg_cdnow.log_likelihood_ == pytest.approx(FHL_LL, rel=1e-3)
    assert bg_cdnow.log_likelihood_ == pytest.approx(FHL_LL, abs=0.01)
    assert bg_cdnow.n_customers_ == 2357


def test_bgnbd_published_conditional_expectation():
    m = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)


def test_gamma_gamma_reproduces_fader_hardie(gg_cdnow):
    for k, published in FH_GG.items():  # published to 2 decimals
        assert round(gg_cdnow.params_[k], 2) == published, k
    assert gg_cdnow.log_likelihood_ == pytest.approx(FH_GG_LL, abs=0.01)
    assert gg_cdnow.n_customers_ == 946


def test_log_likelihood_method_matches_fit(bg_cdnow, cdnow):
    assert bg_cdnow.log_likelihood(cdnow["frequency"], cdnow["recency"], cdnow["T"]) == pytest.approx(
        bg_cdnow.log_likelihood_)


def test_fit_is_a_maximum(bg_cdnow, cdnow):
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    best = bg_cdnow.log_likelihood(*args)
    for k in FHL_BG:
        for f in (0.99, 1.01):
            p = dict(bg_cdnow.params_)
            p[k] *= f
            assert BetaGeo(params=p).log_likelihood(*args) < best


# --------------------------------------------------------------------------- #
# lifetimes as a peer
# --------------------------------------------------------------------------- #
def test_summary_matches_lifetimes(cdnow_tx):
    lifetimes = _lifetimes()
    ours = summary_from_transactions(cdnow_tx, amount_col="amount", calibration_end=CDNOW_CALIBRATION_END)
    cal = cdnow_tx[cdnow_tx["order_ts"] <= CDNOW_CALIBRATION_END]
    theirs = lifetimes.utils.summary_data_from_transaction_data(
        cal, "customer_id", "order_ts", monetary_value_col="amount", observation_period_end=CDNOW_CALIBRATION_END,
        freq="D", freq_multiplier=7)
    theirs = theirs.sort_index()
    assert list(theirs.index) == list(ours.index)
    np.testing.assert_array_equal(ours["frequency"], theirs["frequency"])
    np.testing.assert_allclose(ours["recency"], theirs["recency"])
    np.testing.assert_allclose(ours["T"], theirs["T"])
    np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"])


def test_fits_and_predictions_match_lifetimes(bg_cdnow, gg_cdnow, cdnow):
    lifetimes = _lifetimes()
    x, t_x, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = lifetimes.BetaGeoFitter().fit(x, t_x, T)
        rep = cdnow[cdnow["frequency"] > 0]
        peer_gg = lifetimes.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        peer_ce = peer.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T)
        peer_alive = peer.conditional_probability_alive(x, t_x, T)
        peer_e = peer.expected_number_of_purchases_up_to_time(np.array([1.0, 10.0, 39.0, 78.0]))
    for k in FHL_BG:
        assert bg_cdnow.params_[k] == pytest.approx(peer.params_[k], rel=1e-3)
    for ours, theirs in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert gg_cdnow.params_[ours] == pytest.approx(peer_gg.params_[theirs], rel=1e-3)
    # Same formulas at the peer's parameters: agreement to rounding.
    same = BetaGeo(params={k: float(peer.params_[k]) for k in FHL_BG})
    np.testing.assert_allclose(same.conditional_expected_purchases(39, x, t_x, T), peer_ce, rtol=1e-8)
    np.testing.assert_allclose(same.p_alive(x, t_x, T), peer_alive, rtol=1e-8)
    np.testing.assert_allclose(same.expected_purchases([1.0, 10.0, 39.0, 78.0]), peer_e, rtol=1e-8)


# --------------------------------------------------------------------------- #
# Numerics
# --------------------------------------------------------------------------- #
def _direct_conditional(m, t, x, t_x, T):
    """FHL (2005) eq. 10 as printed, without Euler's transformation (fine for moderate x)."""
    r, alpha, a, b = m.params_.values()
    z = t / (alpha + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                      * special.hyp2f1(r + x, b + x, a + b + x - 1, z))
    den = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return num / den


@pytest.mark.parametrize("a", [0.79, 1.7])
def test_euler_transformed_expectation_equals_the_printed_formula(a):
    m = BetaGeo(params={"r": 0.24, "alpha": 4.4, "a": a, "b": 2.4})
    x = np.array([0, 1, 2, 5, 10, 20])
    t_x = np.array([0.0, 3.0, 30.4, 20.0, 35.0, 38.0])
    T = np.full(6, 38.86)
    np.testing.assert_allclose(m.conditional_expected_purchases(39, x, t_x, T),
                               _direct_conditional(m, 39, x, t_x, T), rtol=1e-9)


def test_large_frequencies_do_not_overflow():
    m = BetaGeo(params={"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})
    x = np.array([500, 5_000, 50_000, 50_000])
    t_x = np.array([38.0, 38.8, 38.86, 1.0])
    T = np.full(4, 38.86)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        ce = m.conditional_expected_purchases(39, x, t_x, T)
        alive = m.p_alive(x, t_x, T)
        ll = m.log_likelihood(x, t_x, T)
    assert np.isfinite(ce).all() and np.isfinite(ll)
    assert ce[2] > ce[1] > ce[0] > 0
    assert alive[2] > 0.9999 and alive[3] == 0.0  # 50,000 purchases then silence: gone
    gg = GammaGamma(params=FH_GG)
    assert np.isfinite(gg.conditional_expected_spend(np.array([50_000.0]), np.array([30.0]))).all()


def test_fit_handles_customers_with_zero_age():
    m = BetaGeo().fit([0, 1, 0, 2, 0], [0.0, 2.0, 0.0, 5.0, 0.0], [0.0, 10.0, 4.0, 12.0, 8.0])
    assert all(np.isfinite(list(m.params_.values())))


def test_expected_purchases_basics(bg_cdnow):
    e = bg_cdnow.expected_purchases(np.array([0.0, 1.0, 39.0, 78.0]))
    assert e[0] == 0 and np.all(np.diff(e) > 0)
    assert isinstance(bg_cdnow.expected_purchases(39), float)
    s = pd.Series([1.0, 2.0], index=["u", "v"])
    assert list(bg_cdnow.expected_purchases(s).index) == ["u", "v"]


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence(bg_cdnow):
    assert bg_cdnow.p_alive(0, 0.0, 38.86) == 1.0
    recent, silent = bg_cdnow.p_alive([5, 5], [38.0, 5.0], [38.86, 38.86])
    assert 0 < silent < recent < 1


def test_series_input_keeps_the_index(bg_cdnow, cdnow):
    out = bg_cdnow.conditional_expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(out, pd.Series) and out.index.equals(cdnow.index)


def test_holdout_prediction_is_close_to_actual(bg_cdnow, cdnow):
    predicted = bg_cdnow.conditional_expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    # FHL (2005) report the model tracks the holdout well in aggregate; the sample's total: 1,882 actual.
    assert int(cdnow["frequency_holdout"].sum()) == 1882
    assert predicted.sum() == pytest.approx(1882, rel=0.15)


def test_tracking_matches_counts_and_model(bg_cdnow, cdnow_tx, cdnow):
    tr = tracking(cdnow_tx, purchase_model=bg_cdnow, calibration_end=CDNOW_CALIBRATION_END,
                  observation_end=CDNOW_OBSERVATION_END)
    total_repeat = int(cdnow["frequency"].sum() + cdnow["frequency_holdout"].sum())
    assert tr["actual"].iloc[-1] == total_repeat
    cal = tr[~tr["holdout"]].iloc[-1]
    assert cal["date"] == pd.Timestamp(CDNOW_CALIBRATION_END) and cal["actual"] == cdnow["frequency"].sum()
    assert tr["actual"].is_monotonic_increasing and tr["expected"].is_monotonic_increasing
    # Model tracks the calibration period within 5% (it is fitted there).
    assert cal["expected"] == pytest.approx(cal["actual"], rel=0.05)


# --------------------------------------------------------------------------- #
# Summaries
# --------------------------------------------------------------------------- #
@pytest.fixture
def tx():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c", "a"],
        "order_ts": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 18:00", "2025-01-15 12:00", "2025-01-08 08:30",
                                    "2025-02-10 10:00", "2025-02-05 20:00"]),
        "amount": [10.0, 5.0, 30.0, 20.0, 7.0, 50.0],
    })


def test_summary_known_values_with_holdout(tx):
    s = summary_from_transactions(tx, amount_col="amount", calibration_end="2025-01-29",
                                  observation_end="2025-02-12")
    assert list(s.index) == ["a", "b"]  # c starts after calibration
    assert s.loc["a"].tolist() == [1, 2.0, 4.0, 30.0, 1, 2.0, 50.0]
    assert s.loc["b"].tolist() == [0, 0.0, 3.0, 0.0, 0, 2.0, 0.0]
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value", "frequency_holdout",
                               "duration_holdout", "monetary_holdout"]


def test_summary_time_units(tx):
    d = summary_from_transactions(tx, calibration_end="2025-01-29", freq="D")
    w = summary_from_transactions(tx, calibration_end="2025-01-29", freq="W")
    np.testing.assert_allclose(d["T"] / 7, w["T"])
    assert "monetary_value" not in d


def test_summary_custom_columns_and_no_mutation(tx):
    before = copy.deepcopy(tx)
    renamed = tx.rename(columns={"customer_id": "buyer", "order_ts": "ts", "amount": "paid"})
    got = summary_from_transactions(renamed, customer_col="buyer", date_col="ts", amount_col="paid",
                                    calibration_end="2025-01-29")
    want = summary_from_transactions(tx, amount_col="amount", calibration_end="2025-01-29")
    pd.testing.assert_frame_equal(got.rename_axis("customer_id"), want)
    pd.testing.assert_frame_equal(tx, before)


def test_summary_tz_aware_timestamps(tx):
    aware = tx.assign(order_ts=tx["order_ts"].dt.tz_localize("Asia/Shanghai"))
    pd.testing.assert_frame_equal(summary_from_transactions(aware, calibration_end="2025-01-29"),
                                  summary_from_transactions(tx, calibration_end="2025-01-29"))


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda d: d.drop(columns="order_ts"), {}, KeyError, "order_ts.*Available columns"),
    (lambda d: d.assign(customer_id=[None, "a", "a", "b", "c", "a"]), {}, ValueError, "missing value"),
    (lambda d: d.assign(amount=-d["amount"]), {"amount_col": "amount"}, ValueError, "negative"),
    (lambda d: d.assign(order_ts=d["order_ts"].astype(str)), {}, ValueError, "datetime64"),
    (lambda d: d.iloc[0:0], {}, ValueError, "empty"),
    (lambda d: d, {"freq": "Y"}, ValueError, "`freq` must be one of 'D', 'W', 'M'"),
    (lambda d: d, {"observation_end": "2025-01-01"}, ValueError, "must be after"),
    (lambda d: d, {"calibration_end": "2020-01-01"}, ValueError, "no purchase on or before"),
    (lambda d: d, {"calibration_end": "soon"}, ValueError, "calibration_end"),
])
def test_summary_bad_input(tx, mutate, kwargs, exc, match):
    kwargs = {"calibration_end": "2025-01-29", **kwargs}
    with pytest.raises(exc, match=match):
        summary_from_transactions(mutate(tx), **kwargs)


def test_historic_clv(tx):
    h = historic_clv(tx, as_of="2025-01-31", margin=0.5)
    assert h.to_dict() == {"a": 22.5, "b": 10.0}
    with pytest.raises(ValueError, match="margin"):
        historic_clv(tx, as_of="2025-01-31", margin=1.5)
    with pytest.raises(KeyError, match="amount"):
        historic_clv(tx.drop(columns="amount"), as_of="2025-01-31")
    with pytest.raises(ValueError, match="negative"):
        historic_clv(tx.assign(amount=-tx["amount"]), as_of="2025-01-31")


# --------------------------------------------------------------------------- #
# Model input checks
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("args, match", [
    (([1, 2], [1.0], [5.0, 6.0, 7.0]), "different lengths"),
    (([1, -1], [1.0, 0.0], [5.0, 6.0]), "whole numbers >= 0"),
    (([1.5], [1.0], [5.0]), "whole numbers >= 0"),
    (([1], [6.0], [5.0]), "recency` is larger than `T"),
    (([0], [2.0], [5.0]), "recency` must be 0 when `frequency` is 0"),
    (([1], [-1.0], [5.0]), "recency` must be >= 0"),
    (([1], [1.0], [-5.0]), "T` must be >= 0"),
    (([np.nan], [1.0], [5.0]), "missing or infinite"),
    (([], [], []), "empty"),
    ((["x"], [1.0], [5.0]), "must hold numbers"),
])
def test_bgnbd_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        BetaGeo().fit(*args)


def test_bgnbd_unfitted_and_bad_params(cdnow):
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeo().p_alive(1, 1.0, 2.0)
    with pytest.raises(ValueError, match="keys 'r', 'alpha', 'a', 'b'"):
        BetaGeo(params={"r": 1.0})
    with pytest.raises(ValueError, match=r"params\['a'\]"):
        BetaGeo(params={"r": 1.0, "alpha": 1.0, "a": -1.0, "b": 1.0})
    m = BetaGeo(params=FHL_BG)
    with pytest.raises(ValueError, match="`t` must be >= 0"):
        m.conditional_expected_purchases(-1, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="one per customer"):
        m.conditional_expected_purchases([1.0, 2.0], [1, 1, 1], [1.0] * 3, [2.0] * 3)
    with pytest.raises(TypeError, match="DataFrame"):
        m.p_alive(cdnow[["frequency"]], cdnow["recency"], cdnow["T"])


@pytest.mark.parametrize("args, match", [
    (([0, 2], [10.0, 20.0]), "at least one repeat purchase"),
    (([1, 2], [0.0, 20.0]), "must be > 0"),
    (([1, 2], [10.0]), "different lengths"),
])
def test_gamma_gamma_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        GammaGamma().fit(*args)


def test_gamma_gamma_spend_and_inputs_not_mutated(cdnow):
    before = cdnow.copy()
    rep = cdnow[cdnow["frequency"] > 0]
    gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    pd.testing.assert_frame_equal(cdnow, before)
    spend = gg.conditional_expected_spend(cdnow["frequency"], cdnow["monetary_value"])
    assert spend[cdnow["frequency"] == 0].eq(gg.population_mean).all()
    # Shrinkage: a customer's expectation lies between their own mean and the population mean.
    own = cdnow.loc[cdnow["frequency"] > 0, "monetary_value"]
    lo, hi = np.minimum(own, gg.population_mean), np.maximum(own, gg.population_mean)
    s = spend[cdnow["frequency"] > 0]
    assert ((s >= lo - 1e-9) & (s <= hi + 1e-9)).all()
    with pytest.raises(ValueError, match="q <= 1"):
        GammaGamma(params={"p": 1.0, "q": 0.9, "gamma": 1.0}).conditional_expected_spend(1, 10.0)


# --------------------------------------------------------------------------- #
# CLV and CLV/CAC
# --------------------------------------------------------------------------- #
def test_clv_undiscounted_equals_expected_purchases_times_spend(bg_cdnow, gg_cdnow, cdnow):
    out = customer_lifetime_value(cdnow, purchase_model=bg_cdnow, spend_model=gg_cdnow, horizon=39, margin=0.3)
    ce = bg_cdnow.conditional_expected_purchases(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(out["expected_purchases"], ce)
    np.testing.assert_allclose(out["clv"], ce * out["expected_spend"] * 0.3)


def test_clv_discounting_lowers_value_and_matches_a_hand_sum(bg_cdnow, gg_cdnow, cdnow):
    one = cdnow.loc[[1]]
    out = customer_lifetime_value(one, purchase_model=bg_cdnow, spend_model=gg_cdnow, horizon=104, margin=1.0,
                                  discount_rate=0.1, step=4)
    ends = np.arange(4, 105, 4)
    ce = np.array([float(bg_cdnow.conditional_expected_purchases(e, 2, one["recency"].iloc[0], one["T"].iloc[0]))
                   for e in ends])
    hand = np.sum(np.diff(np.r_[0, ce]) / 1.1 ** (ends / 52)) * out["expected_spend"].iloc[0]
    assert out["clv"].iloc[0] == pytest.approx(hand)
    undiscounted = customer_lifetime_value(one, purchase_model=bg_cdnow, spend_model=gg_cdnow, horizon=104)
    assert out["clv"].iloc[0] < undiscounted["clv"].iloc[0]


@pytest.mark.parametrize("mutate, models, kwargs, exc, match", [
    (lambda s: s, "gg, gg", {}, TypeError, "`purchase_model` must be a fitted BetaGeo, got GammaGamma"),
    (lambda s: s, "bg, bg", {}, TypeError, "`spend_model` must be a fitted GammaGamma, got BetaGeo"),
    (lambda s: s, "unfitted, gg", {}, ValueError, "`purchase_model` is a BetaGeo that is not fitted"),
    (lambda s: s, "bg, unfitted", {}, ValueError, "`spend_model` is a GammaGamma that is not fitted"),
    (lambda s: s.drop(columns="monetary_value"), "bg, gg", {}, KeyError, "monetary_value.*Available columns"),
    (lambda s: s.iloc[0:0], "bg, gg", {}, ValueError, "empty"),
    (lambda s: s.assign(recency=-s["recency"]), "bg, gg", {}, ValueError, "negative"),
    (lambda s: s.assign(frequency=s["frequency"].astype(str)), "bg, gg", {}, ValueError, "numeric"),
    (lambda s: s, "bg, gg", {"margin": 2}, ValueError, "margin"),
    (lambda s: s, "bg, gg", {"discount_rate": -0.1}, ValueError, "discount_rate"),
    (lambda s: s, "bg, gg", {"horizon": 0}, ValueError, "horizon"),
    (lambda s: s, "bg, gg", {"step": 100}, ValueError, "step"),
])
def test_clv_bad_input(bg_cdnow, gg_cdnow, cdnow, mutate, models, kwargs, exc, match):
    pool = {"bg": bg_cdnow, "gg": gg_cdnow}
    pm, sm = models.split(", ")
    pm = pool.get(pm, BetaGeo())
    sm = pool.get(sm, GammaGamma())
    with pytest.raises(exc, match=match):
        customer_lifetime_value(mutate(cdnow.head(50)), purchase_model=pm, spend_model=sm, **kwargs)


def test_clv_takes_the_frame_first_and_keyword_only_models(bg_cdnow, gg_cdnow, cdnow):
    with pytest.raises(TypeError, match="spend_model"):  # a model left out
        customer_lifetime_value(cdnow, purchase_model=bg_cdnow)
    with pytest.raises(TypeError, match="positional"):  # the old (models first, positional) call
        customer_lifetime_value(bg_cdnow, gg_cdnow, cdnow)
    with pytest.raises(TypeError, match="summary frame comes first"):
        customer_lifetime_value(bg_cdnow, purchase_model=bg_cdnow, spend_model=gg_cdnow)


def test_clv_cac_ratio():
    c = pd.DataFrame({"signup_channel": ["app", "app", "douyin", "web"], "clv": [300.0, 100.0, 90.0, 400.0]})
    out = clv_cac_ratio(c, pd.Series({"app": 100.0, "douyin": 60.0, "web": 100.0}))
    assert out.loc["app", "cac"] == 50 and out.loc["app", "clv_cac"] == 4.0
    assert out["meets_rule"].to_dict() == {"app": True, "douyin": False, "web": True}
    assert not clv_cac_ratio(c, {"app": 100.0, "douyin": 60.0, "web": 100.0}, threshold=5)["meets_rule"].any()
    with pytest.raises(KeyError, match="no value for group 'web'"):
        clv_cac_ratio(c, {"app": 100.0, "douyin": 60.0})
    with pytest.raises(ValueError, match="spend"):
        clv_cac_ratio(c, {"app": -1.0, "douyin": 60.0, "web": 1.0})
    with pytest.raises(KeyError, match="clv"):
        clv_cac_ratio(c.drop(columns="clv"), {"app": 1.0})
    with pytest.raises(ValueError, match="missing value"):
        clv_cac_ratio(c.assign(signup_channel=[None, "app", "douyin", "web"]), {"app": 1.0})


# --------------------------------------------------------------------------- #
# The synthetic world: planted parameters recovered
# --------------------------------------------------------------------------- #
def test_world_recovers_planted_parameters(world):
    """BG/NBD and Gamma-Gamma fitted on the default world's orders (calibration to 2025-12-31).

    The generator plants BG/NBD purchasing in *seasonal* (warped) time and then adds campaign and
    buy-online-pick-up-in-store orders and removes orders lost to the outage and the checkout friction,
    so the fitted calendar-time model cannot match exactly. Tolerances: the mean purchase rate r/alpha
    and the dropout parameters a, b within 20%; r and alpha, which trade off against each other,
    within 40%; Gamma-Gamma p and gamma within 25%, q within 10%, and the population mean spend within
    15%.
    """
    planted_bg = world.truth.params["bgnbd"]
    planted_gg = world.truth.params["gamma_gamma"]
    s = summary_from_transactions(world.orders, amount_col="amount", calibration_end="2025-12-31")
    bg = BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    p = bg.params_
    assert p["r"] / p["alpha"] == pytest.approx(planted_bg["r"] / planted_bg["alpha"], rel=0.20)
    for k, tol in (("a", 0.2), ("b", 0.2), ("r", 0.4), ("alpha", 0.4)):
        assert p[k] == pytest.approx(planted_bg[k], rel=tol), k
    rep = s[s["frequency"] > 0]
    gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    for k, tol in (("p", 0.25), ("q", 0.10), ("gamma", 0.25)):
        assert gg.params_[k] == pytest.approx(planted_gg[k], rel=tol), k
    planted_mean = planted_gg["p"] * planted_gg["gamma"] / (planted_gg["q"] - 1)
    assert gg.population_mean == pytest.approx(planted_mean, rel=0.15)


def test_summary_to_frame(bg_cdnow):
    frame = bg_cdnow.summary().to_frame()
    assert frame["parameter"].tolist() == ["r", "alpha", "a", "b"]


# --------------------------------------------------------------------------- #
# Result objects
# --------------------------------------------------------------------------- #
def test_fit_summary_is_a_public_frozen_dataclass(bg_cdnow, gg_cdnow):
    import dataclasses

    s = bg_cdnow.summary()
    assert isinstance(s, FitSummary) and dataclasses.is_dataclass(s)
    assert s.model == "BetaGeo" and s.n_customers == 2357
    assert s.log_likelihood == pytest.approx(FHL_LL, abs=0.01)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.model = "other"
    g = gg_cdnow.summary()
    assert g.model == "GammaGamma" and g.n_customers == 946
    assert g.to_frame()["parameter"].tolist() == ["p", "q", "gamma"]
    # Hand-set parameters: no likelihood, no customers.
    hand = BetaGeo(params=FHL_BG).summary()
    assert np.isnan(hand.log_likelihood) and hand.n_customers == 0
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeo().summary()


# --------------------------------------------------------------------------- #
# tracking: bad input
# --------------------------------------------------------------------------- #
_BG = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})


@pytest.mark.parametrize("mutate, model, kwargs, exc, match", [
    (lambda d: d, BetaGeo(), {}, ValueError, "`purchase_model` is a BetaGeo that is not fitted"),
    (lambda d: d, GammaGamma(params=FH_GG), {}, TypeError, "`purchase_model` must be a fitted BetaGeo"),
    (lambda d: d.drop(columns="order_ts"), _BG, {}, KeyError, r"'order_ts' not found in `transactions`.*"
                                                            r"Available columns: 'customer_id', 'amount'"),
    (lambda d: d.drop(columns="customer_id"), _BG, {}, KeyError, "customer_id.*Available columns"),
    (lambda d: d, _BG, {"customer_col": "buyer"}, KeyError, "'buyer' not found"),
    (lambda d: d.iloc[0:0], _BG, {}, ValueError, "`transactions` is empty"),
    (lambda d: d.assign(customer_id=[None, "a", "a", "b", "c", "a"]), _BG, {}, ValueError, "missing value"),
    (lambda d: d.assign(order_ts=d["order_ts"].astype(str)), _BG, {}, ValueError, "datetime64"),
    (lambda d: d, _BG, {"observation_end": "2025-01-29"}, ValueError, "must be after `calibration_end`"),
    (lambda d: d, _BG, {"observation_end": "2025-01-01"}, ValueError, "must be after `calibration_end`"),
    (lambda d: d, _BG, {"calibration_end": "2020-01-01"}, ValueError, "no purchase on or before"),
    (lambda d: d, _BG, {"freq": "Y"}, ValueError, "`freq` must be one of"),
    (lambda d: d, _BG, {"period": 0}, ValueError, "period"),
    (lambda d: d, _BG, {"observation_end": "later"}, ValueError, "observation_end"),
])
def test_tracking_bad_input(tx, mutate, model, kwargs, exc, match):
    kwargs = {"calibration_end": "2025-01-29", "observation_end": "2025-02-12", **kwargs}
    with pytest.raises(exc, match=match):
        tracking(mutate(tx), purchase_model=model, **kwargs)


def test_tracking_known_counts_on_toy_transactions(tx):
    tr = tracking(tx, purchase_model=_BG, calibration_end="2025-01-29", observation_end="2025-02-12")
    # a: first 01-01, repeats 01-15 (week 2) and 02-05 (holdout); b: no repeat; c starts after calibration.
    assert tr["time"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert tr["actual"].tolist() == [0, 0, 1, 1, 1, 2, 2]
    assert tr["holdout"].tolist() == [False] * 5 + [True] * 2
    # Expected: a since 01-01 plus b since 01-08 (one week later).
    want = _BG.expected_purchases(tr["time"].to_numpy()) + np.r_[0.0, _BG.expected_purchases(tr["time"].to_numpy()[:-1])]
    np.testing.assert_allclose(tr["expected"], want)


# --------------------------------------------------------------------------- #
# Inputs are never mutated
# --------------------------------------------------------------------------- #
def test_no_public_clv_function_mutates_its_input(tx, cdnow):
    tx_before = tx.copy(deep=True)
    historic_clv(tx, as_of="2025-02-01", margin=0.5)
    summary_from_transactions(tx, amount_col="amount", calibration_end="2025-01-29", observation_end="2025-02-12")
    tracking(tx, purchase_model=_BG, calibration_end="2025-01-29", observation_end="2025-02-12")
    pd.testing.assert_frame_equal(tx, tx_before)

    summary = cdnow.head(200).copy()
    summary_before = summary.copy(deep=True)
    bg = BetaGeo().fit(summary["frequency"], summary["recency"], summary["T"])
    bg.log_likelihood(summary["frequency"], summary["recency"], summary["T"])
    bg.conditional_expected_purchases(39, summary["frequency"], summary["recency"], summary["T"])
    bg.p_alive(summary["frequency"], summary["recency"], summary["T"])
    rep = summary[summary["frequency"] > 0]
    gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    gg.conditional_expected_spend(summary["frequency"], summary["monetary_value"])
    clv = customer_lifetime_value(summary, purchase_model=bg, spend_model=gg, horizon=39, discount_rate=0.1)
    pd.testing.assert_frame_equal(summary, summary_before)

    t = pd.Series([1.0, 39.0])
    t_before = t.copy()
    bg.expected_purchases(t)
    pd.testing.assert_series_equal(t, t_before)

    customers = clv.assign(signup_channel=np.where(np.arange(len(clv)) % 2 == 0, "app", "web"))
    customers_before = customers.copy(deep=True)
    spend = pd.Series({"app": 100.0, "web": 50.0})
    spend_before = spend.copy()
    spend_dict = {"app": 100.0, "web": 50.0}
    clv_cac_ratio(customers, spend)
    clv_cac_ratio(customers, spend_dict)
    pd.testing.assert_frame_equal(customers, customers_before)
    pd.testing.assert_series_equal(spend, spend_before)
    assert spend_dict == {"app": 100.0, "web": 50.0}


@pytest.mark.parametrize("frequency, monetary", [
    (2, -25.0),
    ([1, 3], [10.0, -0.01]),
    (pd.Series([2, 0]), pd.Series([-5.0, 0.0])),
])
def test_gamma_gamma_spend_rejects_negative_monetary(frequency, monetary):
    gg = GammaGamma(params=FH_GG)
    with pytest.raises(ValueError, match=r"`monetary` must be >= 0; got 1 negative value\(s\), a minimum of -"):
        gg.conditional_expected_spend(frequency, monetary)
    with pytest.raises(ValueError, match=r"`frequency` must be >= 0; got 1 negative value\(s\), a minimum of -1"):
        gg.conditional_expected_spend(-1, 10.0)


def test_unfitted_models_raise_one_error_type():
    from opsutils.clv import NotFittedError

    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, RuntimeError)
    with pytest.raises(NotFittedError, match="BetaGeo model is not fitted yet"):
        BetaGeo().expected_purchases(10)
    with pytest.raises(NotFittedError, match="GammaGamma model is not fitted yet"):
        GammaGamma().conditional_expected_spend(1, 10.0)
    summary = pd.DataFrame({"frequency": [1], "recency": [2.0], "T": [5.0], "monetary": [10.0]})
    with pytest.raises(NotFittedError, match="`purchase_model` is a BetaGeo that is not fitted"):
        customer_lifetime_value(summary, purchase_model=BetaGeo(), spend_model=GammaGamma(params=FH_GG))


# --------------------------------------------------------------------------- #
# BG/NBD at a = 1 (the formulas divide by a - 1)
# --------------------------------------------------------------------------- #
def _limit_a_equal_1(b, r, c, z, terms=5_000):
    """The a -> 1 limit of (a + b + x - 1) / (a - 1) * (1 - h) in eqs. 9/10, derived by hand.

    With eps = a - 1, h = (1 - z)^eps 2F1(b - r + eps, eps; c + eps; z) = 1 + eps [log(1 - z) + S] + O(eps^2),
    S = sum_{n >= 1} (b - r)_n / (c)_n z^n / n, so the limit is c * (-log(1 - z) - S) (c = b + x).
    """
    term, total = np.ones_like(z), np.zeros_like(z)
    for n in range(1, terms):
        term = term * (b - r + n - 1) / (c + n - 1) * z
        total = total + term / n
    return c * (-np.log1p(-z) - total)


def _bg(a):
    return BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": a, "b": 2.426})


def test_expected_purchases_at_a_equal_1_is_finite_and_continuous():
    t = np.array([0.5, 1.0, 10.0, 39.0, 520.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (0/0) either
        at_1 = _bg(1.0).expected_purchases(t)
        scalar = _bg(1.0).expected_purchases(39)
    assert isinstance(scalar, float) and np.isfinite(scalar)
    assert np.isfinite(at_1).all() and np.all(np.diff(at_1) > 0)
    for a in (1 - 1e-7, 1 + 1e-7):
        np.testing.assert_allclose(at_1, _bg(a).expected_purchases(t), rtol=1e-6)
    # Just outside the interpolation band the plain formula is used: still continuous.
    for a in (1 - 2e-4, 1 + 2e-4):
        np.testing.assert_allclose(at_1, _bg(a).expected_purchases(t), rtol=1e-3)
    z = t[:4] / (4.414 + t[:4])
    np.testing.assert_allclose(at_1[:4], _limit_a_equal_1(2.426, 0.243, 2.426, z), rtol=1e-8)


def test_conditional_expected_purchases_at_a_equal_1_matches_the_limit():
    x = np.array([0, 1, 2, 5, 20])
    t_x = np.array([0.0, 3.0, 30.43, 20.0, 38.0])
    T = np.full(5, 38.86)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        at_1 = _bg(1.0).conditional_expected_purchases(39, x, t_x, T)
        one = _bg(1.0).conditional_expected_purchases(39, 2, 30.43, 38.86)
    assert np.isfinite(at_1).all() and np.isfinite(one)
    for a in (1 - 1e-7, 1 + 1e-7):
        np.testing.assert_allclose(at_1, _bg(a).conditional_expected_purchases(39, x, t_x, T), rtol=1e-6)
    z = 39 / (4.414 + T + 39)
    limit = _limit_a_equal_1(2.426, 0.243, 2.426 + x, z) * _bg(1.0).p_alive(x, t_x, T)
    np.testing.assert_allclose(at_1, limit, rtol=1e-8)


def test_clv_and_tracking_work_at_a_equal_1(tx, cdnow, gg_cdnow):
    s = cdnow.head(20)
    out = customer_lifetime_value(s, purchase_model=_bg(1.0), spend_model=gg_cdnow, horizon=52, discount_rate=0.1)
    near = customer_lifetime_value(s, purchase_model=_bg(1 + 1e-7), spend_model=gg_cdnow, horizon=52,
                                   discount_rate=0.1)
    np.testing.assert_allclose(out["clv"], near["clv"], rtol=1e-6)
    tr = tracking(tx, purchase_model=_bg(1.0), calibration_end="2025-01-29", observation_end="2025-02-12")
    assert np.isfinite(tr["expected"]).all()
