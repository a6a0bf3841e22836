"""A/B tests (A/B测试) from design to read-out: sample size, tests, sample-ratio checks, CUPED, peeking.

An A/B test splits customers at random into a control group (对照组, "A") and a treatment group
(实验组, "B") and compares a metric between them. This module covers the whole life of a test:

Design
    :func:`sample_size_proportions`, :func:`power_proportions`, :func:`sample_size_means` and
    :func:`duration_days`: how many customers each group needs to detect a minimum detectable
    effect (MDE, 最小可检测效应) with a given power (统计功效) and significance level, and how many
    days of traffic that takes.
Read-out
    :func:`proportion_test` (conversion rates), :func:`mean_test` (revenue per user, Welch),
    :func:`compare_groups` (the same from an exposure table), :func:`bootstrap_ci` (any statistic)
    and :func:`adjust_pvalues` (several metrics at once, Holm by default).
Health checks
    :func:`srm_check`: a sample-ratio mismatch (样本比例失衡) means the split is not what was
    planned, and the read-out cannot be trusted until the cause is known.
Variance reduction
    :func:`cuped`: CUPED (Deng, Xu, Kohavi & Walker 2013) subtracts the part of the metric that a
    pre-experiment covariate predicts; the variance falls by the squared correlation.
Why not to peek
    :func:`simulate_peeking`: A/A tests read after every batch of traffic and stopped at the
    first significant look have a false-positive rate far above the nominal 5%.

Conventions
-----------
* Group **a** is the control, group **b** the treatment; every lift is ``b - a`` and every
  relative lift ``b / a - 1``.
* All tests are two-sided; ``alpha`` is the two-sided significance level and confidence
  intervals have level ``1 - alpha``.
* Results are frozen dataclasses with a ``to_frame()`` method; inputs are never modified.

Examples
--------
>>> from opsutils.experiment import sample_size_proportions, proportion_test
>>> sample_size_proportions(0.10, 0.02)
3835
>>> r = proportion_test(250, 3000, 310, 3000)
>>> round(r.lift, 4), round(r.p_value, 4), r.significant
(0.02, 0.0078, True)
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (confint_proportions_2indep, power_proportions_2indep,
                                          proportion_effectsize, proportions_ztest,
                                          samplesize_proportions_2indep_onetail)

from opsutils._validation import (_fmt_list, require_columns, require_frame, require_in_range, require_option,
                                  require_positive_int, require_sample)

__all__ = [
    "SAMPLE_SIZE_METHODS",
    "P_ADJUST_METHODS",
    "ABTestResult",
    "BootstrapResult",
    "SRMResult",
    "CupedResult",
    "PeekingResult",
    "sample_size_proportions",
    "power_proportions",
    "sample_size_means",
    "duration_days",
    "proportion_test",
    "mean_test",
    "compare_groups",
    "bootstrap_ci",
    "srm_check",
    "cuped",
    "adjust_pvalues",
    "simulate_peeking",
]

#: Sample-size conventions for two proportions (see :func:`sample_size_proportions`).
SAMPLE_SIZE_METHODS: tuple[str, ...] = ("arcsine", "pooled")

#: Multiple-testing corrections accepted by :func:`adjust_pvalues` (names as in statsmodels).
P_ADJUST_METHODS: tuple[str, ...] = ("holm", "bonferroni", "holm-sidak", "sidak", "hommel", "fdr_bh", "fdr_by")

_BOOT_METHODS = ("percentile", "basic", "BCa")
_EPS = 1e-9  # guards ceil() against floating-point noise such as 3835.0000000001


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ABTestResult:
    """Result of :func:`proportion_test`, :func:`mean_test` and :func:`compare_groups`.

    Attributes
    ----------
    estimate_a, estimate_b : float
        Conversion rate (or mean) of the control group ``a`` and the treatment group ``b``.
    n_a, n_b : int
        Group sizes.
    lift : float
        Absolute lift ``estimate_b - estimate_a`` (for rates: in proportion points, 0.015 = 1.5 pp).
    relative_lift : float
        ``estimate_b / estimate_a - 1``; NaN when ``estimate_a`` is 0.
    ci_low, ci_high : float
        Confidence interval of the absolute lift, level ``1 - alpha``.
    p_value : float
        Two-sided p-value of the test of "no difference" (NaN when the test is undefined,
        e.g. no conversions at all).
    statistic : float
        Test statistic (z or t).
    alpha : float
        Significance level used for ``significant`` and the interval.
    method : str
        Which test and which interval.
    df : float, optional
        Degrees of freedom (t-tests only; NaN for the z-test).
    """

    estimate_a: float
    estimate_b: float
    n_a: int
    n_b: int
    lift: float
    relative_lift: float
    ci_low: float
    ci_high: float
    p_value: float
    statistic: float
    alpha: float
    method: str
    df: float = float("nan")

    @property
    def significant(self) -> bool:
        """Whether ``p_value < alpha`` (False when the p-value is NaN)."""
        return bool(self.p_value < self.alpha)

    def to_frame(self, label: str | None = None) -> pd.DataFrame:
        """One row with every field and ``significant``; ``pd.concat`` several to compare metrics.

        Parameters
        ----------
        label : str, optional
            Row label (e.g. the metric's name), in an index called ``metric``.

        Returns
        -------
        pandas.DataFrame
            Columns ``estimate_a, estimate_b, n_a, n_b, lift, relative_lift, ci_low, ci_high,
            p_value, statistic, df, alpha, significant, method``.

        Examples
        --------
        >>> from opsutils.experiment import proportion_test
        >>> proportion_test(250, 3000, 310, 3000).to_frame("conversion").index.tolist()
        ['conversion']
        """
        row = {
            "estimate_a": self.estimate_a, "estimate_b": self.estimate_b, "n_a": self.n_a, "n_b": self.n_b,
            "lift": self.lift, "relative_lift": self.relative_lift, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "p_value": self.p_value, "statistic": self.statistic, "df": self.df,
            "alpha": self.alpha, "significant": self.significant, "method": self.method,
        }
        index = pd.Index([label], name="metric") if label is not None else None
        return pd.DataFrame([row], index=index)


@dataclass(frozen=True)
class BootstrapResult:
    """Result of :func:`bootstrap_ci`.

    Attributes
    ----------
    estimate : float
        The statistic on the original data (for two samples: ``stat(b) - stat(a)``).
    ci_low, ci_high : float
        Bootstrap confidence interval, level ``1 - alpha``.
    standard_error : float
        Standard deviation of the bootstrap distribution.
    n_boot : int
        Number of resamples.
    alpha : float
        One minus the confidence level.
    method : str
        ``"percentile"``, ``"basic"`` or ``"BCa"``.
    distribution : numpy.ndarray
        The bootstrap replicates (not shown in the repr).
    """

    estimate: float
    ci_low: float
    ci_high: float
    standard_error: float
    n_boot: int
    alpha: float
    method: str
    distribution: np.ndarray = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``estimate, ci_low, ci_high, standard_error, n_boot, alpha, method``.

        Examples
        --------
        >>> from opsutils.experiment import bootstrap_ci
        >>> bootstrap_ci([1.0, 2.0, 3.0, 4.0], n_boot=200).to_frame().columns.tolist()
        ['estimate', 'ci_low', 'ci_high', 'standard_error', 'n_boot', 'alpha', 'method']
        """
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "standard_error": self.standard_error, "n_boot": self.n_boot, "alpha": self.alpha,
            "method": self.method,
        }])


@dataclass(frozen=True)
class SRMResult:
    """Result of :func:`srm_check`.

    Attributes
    ----------
    groups : tuple
        Group labels (``0, 1, ...`` when the counts had none).
    observed : tuple of int
        Units counted in each group.
    expected : tuple of float
        Units expected in each group under the planned split.
    statistic : float
        Pearson chi-square statistic.
    p_value : float
        Probability of a split at least this uneven if the assignment worked as planned.
    df : int
        Degrees of freedom (number of groups minus 1).
    alpha : float
        Threshold below which a mismatch is flagged.
    """

    groups: tuple
    observed: tuple
    expected: tuple
    statistic: float
    p_value: float
    df: int
    alpha: float

    @property
    def mismatch(self) -> bool:
        """Whether the split is flagged as a sample-ratio mismatch (``p_value < alpha``)."""
        return bool(self.p_value < self.alpha)

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``observed, expected, observed_share, expected_share``.

        Examples
        --------
        >>> from opsutils.experiment import srm_check
        >>> srm_check({"holdout": 500, "treatment": 520}).to_frame()["observed"].tolist()
        [500, 520]
        """
        obs = np.asarray(self.observed, dtype=float)
        exp = np.asarray(self.expected, dtype=float)
        return pd.DataFrame(
            {"observed": list(self.observed), "expected": exp, "observed_share": obs / obs.sum(),
             "expected_share": exp / exp.sum()},
            index=pd.Index(list(self.groups), name="group"),
        )


@dataclass(frozen=True)
class CupedResult:
    """Result of :func:`cuped`.

    Attributes
    ----------
    adjusted : numpy.ndarray or pandas.Series
        The CUPED-adjusted outcome ``y - theta * (x - mean(x))`` (a Series with the index of
        ``y`` when ``y`` was a Series). Its mean equals the mean of ``y``.
    theta : float
        The coefficient used (``cov(y, x) / var(x)`` unless given).
    correlation : float
        Pearson correlation of ``y`` and the covariate.
    variance_before, variance_after : float
        Sample variances (ddof=1) of ``y`` and of the adjusted outcome.
    variance_reduction : float
        ``1 - variance_after / variance_before``; equals ``correlation ** 2`` when ``theta`` is
        estimated from the same data.
    n : int
        Number of units.
    """

    adjusted: Any = field(repr=False, compare=False)
    theta: float
    correlation: float
    variance_before: float
    variance_after: float
    variance_reduction: float
    n: int

    def to_frame(self) -> pd.DataFrame:
        """One row: ``n, theta, correlation, variance_before, variance_after, variance_reduction``.

        Examples
        --------
        >>> from opsutils.experiment import cuped
        >>> cuped([1.0, 2.0, 4.0], [0.0, 1.0, 2.0]).to_frame().columns.tolist()
        ['n', 'theta', 'correlation', 'variance_before', 'variance_after', 'variance_reduction']
        """
        return pd.DataFrame([{
            "n": self.n, "theta": self.theta, "correlation": self.correlation,
            "variance_before": self.variance_before, "variance_after": self.variance_after,
            "variance_reduction": self.variance_reduction,
        }])


@dataclass(frozen=True)
class PeekingResult:
    """Result of :func:`simulate_peeking`.

    Attributes
    ----------
    false_positive_rate : float
        Share of the simulated A/A tests declared significant at *some* look (after all looks).
    rate_by_look : tuple of float
        The same share if the test had stopped after 1, 2, ..., ``looks`` looks: element ``k-1`` is
        the false-positive rate of an analyst who peeks ``k`` times.
    standard_error : float
        Monte-Carlo standard error of ``false_positive_rate``.
    looks, n_per_look, n_sims : int
        The simulation's design (``n_per_look`` units per group between looks).
    baseline, alpha : float
        Conversion rate of both groups and the per-look significance level.
    """

    false_positive_rate: float
    rate_by_look: tuple
    standard_error: float
    looks: int
    n_per_look: int
    n_sims: int
    baseline: float
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """One row per number of looks: ``n_per_group`` at the last look and the false-positive rate.

        Examples
        --------
        >>> from opsutils.experiment import simulate_peeking
        >>> simulate_peeking(100, 3, n_sims=200).to_frame().index.tolist()
        [1, 2, 3]
        """
        k = np.arange(1, self.looks + 1)
        rates = np.asarray(self.rate_by_look, dtype=float)
        return pd.DataFrame(
            {"n_per_group": k * self.n_per_look, "false_positive_rate": rates,
             "standard_error": np.sqrt(rates * (1 - rates) / self.n_sims)},
            index=pd.Index(k, name="looks"),
        )


# --------------------------------------------------------------------------- #
# Private checks
# --------------------------------------------------------------------------- #
def _check_alpha_power(alpha: Any, power: Any) -> None:
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    require_in_range(power, name="power", low=0, high=1, low_inclusive=False, high_inclusive=False)
    if power <= alpha:
        raise ValueError(
            f"`power` must be larger than `alpha` (a test always rejects with probability alpha); "
            f"got power {power!r} and alpha {alpha!r}."
        )


def _rates(baseline: Any, mde: Any, relative: Any) -> tuple[float, float]:
    """Control and treatment rates of a design, validated."""
    require_in_range(baseline, name="baseline", low=0, high=1, low_inclusive=False, high_inclusive=False)
    require_in_range(mde, name="mde", low=0, low_inclusive=False)
    if not isinstance(relative, (bool, np.bool_)):
        raise TypeError(f"`relative` must be True or False, got {type(relative).__name__}.")
    p1 = float(baseline)
    p2 = p1 * (1 + float(mde)) if relative else p1 + float(mde)
    if p2 >= 1:
        how = f"{p1!r} * (1 + {mde!r})" if relative else f"{p1!r} + {mde!r}"
        raise ValueError(
            f"The treatment rate baseline {'* (1 + mde)' if relative else '+ mde'} must be below 1; "
            f"got {how} = {p2!r}. Is `mde` {'relative (0.1 = +10%)' if relative else 'absolute (0.02 = +2 points)'}?"
        )
    return p1, p2


def _ceil(x: float) -> int:
    return int(math.ceil(float(x) - _EPS))


def _count(value: Any, *, name: str, minimum: int) -> int:
    return require_positive_int(value, name=name, minimum=minimum)


def _align_to(values: Any, reference: Any, *, name: str, other: str) -> Any:
    """``values`` in the order of ``reference``'s index when both are Series (paired samples).

    Labelled inputs are paired on their labels, as in :mod:`opsutils.finance`: identical indexes are
    kept as they are, the same labels in another order are reordered, and anything else raises
    (different labels, or repeated labels that make the pairing ambiguous). Unlabelled inputs are
    returned unchanged and paired by position.
    """
    if not (isinstance(values, pd.Series) and isinstance(reference, pd.Series)):
        return values
    if values.index.equals(reference.index):
        return values
    if not (values.index.is_unique and reference.index.is_unique):
        raise ValueError(f"`{other}` and `{name}` have different indexes with repeated labels, so they cannot be "
                         "paired by label; give every unit one unique label (or pass arrays to pair by position).")
    ref, val = set(reference.index), set(values.index)
    if ref != val:
        only_ref = [k for k in reference.index if k not in val]
        only_val = [k for k in values.index if k not in ref]
        parts = ([f"only in `{other}`: {_fmt_list(only_ref[:5])}"] if only_ref else []) + (
            [f"only in `{name}`: {_fmt_list(only_val[:5])}"] if only_val else [])
        raise ValueError(f"`{other}` and `{name}` must have the same index labels to be paired; "
                         + "; ".join(parts) + ".")
    return values.reindex(reference.index)


def _seed(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, numbers.Integral):
        raise TypeError(f"`random_state` must be an integer seed or a numpy Generator, "
                        f"got {type(random_state).__name__}.")
    return np.random.default_rng(int(random_state))


# --------------------------------------------------------------------------- #
# Design
# --------------------------------------------------------------------------- #
def sample_size_proportions(
    baseline: float,
    mde: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    relative: bool = False,
    method: str = "arcsine",
) -> int:
    """Customers needed in the control group to detect a change of a conversion rate.

    Parameters
    ----------
    baseline : float
        Conversion rate of the control group, in (0, 1).
    mde : float
        Minimum detectable effect, > 0. Absolute by default: the treatment rate is
        ``baseline + mde`` (0.02 = +2 points). With ``relative=True`` it is
        ``baseline * (1 + mde)`` (0.2 = +20%).
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Probability of a significant result if the true lift equals the MDE.
    ratio : float, default 1.0
        Size of the treatment group divided by the size of the control group.
    relative : bool, default False
        Whether ``mde`` is relative to the baseline.
    method : {"arcsine", "pooled"}, default "arcsine"
        The convention (they differ by well under 1% for typical designs):

        * ``"arcsine"``: Cohen's effect size ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``
          (statsmodels ``proportion_effectsize``) solved with statsmodels ``NormalIndPower``
          (a z-test on the arcsine-transformed rates, whose variance does not depend on p).
        * ``"pooled"``: the classic normal-approximation formula for the two-proportion z-test
          (Fleiss, Levin & Paik 2003, without continuity correction; statsmodels
          ``samplesize_proportions_2indep_onetail``): the standard error uses the pooled rate
          ``(p1 + ratio * p2) / (1 + ratio)`` under H0 and the two separate rates under H1.
          For equal groups,
          ``n = (z_{1-alpha/2} sqrt(2 pbar (1 - pbar)) + z_{power} sqrt(p1 q1 + p2 q2))^2 / (p2 - p1)^2``.
          (Evan Miller's online calculator uses the baseline instead of ``pbar`` under H0 and
          gives a few percent fewer, 3,623 for the example below.)

    Returns
    -------
    int
        Size of the control group, rounded up; the treatment group needs
        ``ceil(ratio * n)``. With ``ratio=1`` this is the size of each group.

    Raises
    ------
    ValueError
        For rates outside (0, 1), a non-positive MDE, a treatment rate of 1 or more, ``alpha`` or
        ``power`` outside (0, 1), ``power <= alpha``, a non-positive ratio or an unknown method.

    See Also
    --------
    power_proportions : the power of a given design.
    duration_days : how long the test must run.

    Examples
    --------
    From 10% to 12% (an absolute MDE of 2 points), alpha 0.05, power 0.8:

    >>> sample_size_proportions(0.10, 0.02)
    3835
    >>> sample_size_proportions(0.10, 0.02, method="pooled")
    3841
    >>> sample_size_proportions(0.10, 0.20, relative=True)  # +20% of 10% is the same design
    3835
    >>> sample_size_proportions(0.10, 0.01)  # half the MDE needs about four times the customers
    14745
    """
    p1, p2 = _rates(baseline, mde, relative)
    _check_alpha_power(alpha, power)
    require_in_range(ratio, name="ratio", low=0, low_inclusive=False)
    require_option(method, SAMPLE_SIZE_METHODS, name="method")
    if method == "arcsine":
        effect = proportion_effectsize(p2, p1)
        n = NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=ratio,
                                         alternative="two-sided")
    else:
        # statsmodels' sample 1 is the control (rate p1 = prop2 + diff); sample 2 = ratio * sample 1.
        n = samplesize_proportions_2indep_onetail(diff=p1 - p2, prop2=p2, power=power, ratio=ratio, alpha=alpha,
                                                  alternative="two-sided")
    return _ceil(n)


def power_proportions(
    n_per_group: int,
    baseline: float,
    mde: float,
    *,
    alpha: float = 0.05,
    ratio: float = 1.0,
    relative: bool = False,
    method: str = "arcsine",
) -> float:
    """Power of a two-proportion test with ``n_per_group`` control customers to detect ``mde``.

    The inverse of :func:`sample_size_proportions`, with the same conventions.

    Parameters
    ----------
    n_per_group : int
        Size of the control group (the treatment group has ``ratio * n_per_group``).
    baseline, mde, alpha, ratio, relative, method
        As in :func:`sample_size_proportions`. ``"arcsine"`` uses statsmodels
        ``NormalIndPower().power``, ``"pooled"`` statsmodels ``power_proportions_2indep``.

    Returns
    -------
    float
        The probability of a significant result if the true lift equals ``mde``.

    Examples
    --------
    >>> round(power_proportions(3835, 0.10, 0.02), 3)
    0.8
    >>> round(power_proportions(1000, 0.10, 0.02), 3)  # a quarter of the customers
    0.299
    """
    n = _count(n_per_group, name="n_per_group", minimum=2)
    p1, p2 = _rates(baseline, mde, relative)
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    require_in_range(ratio, name="ratio", low=0, low_inclusive=False)
    require_option(method, SAMPLE_SIZE_METHODS, name="method")
    if method == "arcsine":
        value = NormalIndPower().power(proportion_effectsize(p2, p1), nobs1=n, alpha=alpha, ratio=ratio,
                                       alternative="two-sided")
    else:
        value = power_proportions_2indep(p1 - p2, p2, n, ratio=ratio, alpha=alpha, alternative="two-sided",
                                         return_results=False)
    return float(value)


def sample_size_means(
    sd: float,
    mde: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> int:
    """Customers needed in the control group to detect a change ``mde`` of a mean (e.g. revenue per user).

    Uses statsmodels ``TTestIndPower`` (the two-sample t-test with a common standard deviation,
    effect size ``d = mde / sd``); for the sample sizes of online tests it agrees with the normal
    approximation ``2 (z_{1-alpha/2} + z_{power})^2 sd^2 / mde^2`` to within a customer or two.
    Halving the variance (CUPED, :func:`cuped`) halves the answer: pass the adjusted standard
    deviation to see the shorter test.

    Parameters
    ----------
    sd : float
        Standard deviation of the metric per customer (> 0), e.g. from past data.
    mde : float
        Minimum detectable difference of the means, in the metric's unit (> 0).
    alpha, power, ratio
        As in :func:`sample_size_proportions`.

    Returns
    -------
    int
        Size of the control group, rounded up (``ratio=1``: of each group).

    Examples
    --------
    Revenue per user with a standard deviation of 140 CNY, to detect +5 CNY:

    >>> sample_size_means(140.0, 5.0)
    12308
    >>> sample_size_means(140.0 * (1 - 0.12) ** 0.5, 5.0)  # 12% less variance, 12% fewer customers
    10832
    """
    require_in_range(sd, name="sd", low=0, low_inclusive=False)
    require_in_range(mde, name="mde", low=0, low_inclusive=False)
    _check_alpha_power(alpha, power)
    require_in_range(ratio, name="ratio", low=0, low_inclusive=False)
    n = TTestIndPower().solve_power(effect_size=float(mde) / float(sd), alpha=alpha, power=power, ratio=ratio,
                                    alternative="two-sided")
    return _ceil(n)


def duration_days(
    n_per_group: int,
    daily_traffic: float,
    *,
    groups: int = 2,
    share_in_test: float = 1.0,
) -> int:
    """Days of traffic needed to fill every group of a test.

    ``ceil(n_per_group * groups / (daily_traffic * share_in_test))``. Round the answer up to
    whole weeks in practice, so that every weekday is represented equally.

    Parameters
    ----------
    n_per_group : int
        Customers needed in each group (e.g. from :func:`sample_size_proportions`; with unequal
        groups pass the total divided by ``groups``).
    daily_traffic : float
        Eligible customers arriving per day (> 0).
    groups : int, default 2
        Number of groups (control plus variants).
    share_in_test : float, default 1.0
        Share of the daily traffic enrolled in the test, in (0, 1].

    Returns
    -------
    int
        Whole days, rounded up.

    Examples
    --------
    >>> duration_days(3835, 1600)
    5
    >>> duration_days(3835, 1600, share_in_test=0.5)
    10
    """
    n = _count(n_per_group, name="n_per_group", minimum=1)
    require_in_range(daily_traffic, name="daily_traffic", low=0, low_inclusive=False)
    g = _count(groups, name="groups", minimum=2)
    require_in_range(share_in_test, name="share_in_test", low=0, high=1, low_inclusive=False)
    return _ceil(n * g / (float(daily_traffic) * float(share_in_test)))


# --------------------------------------------------------------------------- #
# Read-out
# --------------------------------------------------------------------------- #
def proportion_test(
    successes_a: int,
    n_a: int,
    successes_b: int,
    n_b: int,
    *,
    alpha: float = 0.05,
) -> ABTestResult:
    """Compare two conversion rates: the two-proportion z-test and a confidence interval of the lift.

    * p-value: the pooled two-proportion z-test, exactly statsmodels ``proportions_ztest``
      (the standard error uses the pooled rate, as under H0);
    * interval of the absolute lift ``p_b - p_a``: Wald with unpooled standard error
      ``sqrt(p_a q_a / n_a + p_b q_b / n_b)`` (statsmodels ``confint_proportions_2indep``,
      ``method="wald"``).

    The two use slightly different standard errors, so for a p-value very close to ``alpha`` the
    interval can touch 0 from the "wrong" side; report both.

    Parameters
    ----------
    successes_a, n_a : int
        Converted customers and customers in the control group (``0 <= successes_a <= n_a``).
    successes_b, n_b : int
        The same for the treatment group.
    alpha : float, default 0.05
        Two-sided significance level; the interval has level ``1 - alpha``.

    Returns
    -------
    ABTestResult
        ``p_value`` and ``statistic`` are NaN when nobody (or everybody) converted in both groups:
        without variation the test is undefined.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        For negative counts, empty groups, more successes than customers, or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> r = proportion_test(250, 3000, 310, 3000)
    >>> round(r.estimate_a, 4), round(r.estimate_b, 4), round(r.relative_lift, 3)
    (0.0833, 0.1033, 0.24)
    >>> round(r.ci_low, 4), round(r.ci_high, 4)
    (0.0053, 0.0347)
    """
    xa = _count(successes_a, name="successes_a", minimum=0)
    na = _count(n_a, name="n_a", minimum=1)
    xb = _count(successes_b, name="successes_b", minimum=0)
    nb = _count(n_b, name="n_b", minimum=1)
    for x, n, label in ((xa, na, "a"), (xb, nb, "b")):
        if x > n:
            raise ValueError(f"`successes_{label}` ({x}) cannot exceed `n_{label}` ({n}): "
                             "a group cannot have more conversions than customers.")
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    pa, pb = xa / na, xb / nb
    pooled = (xa + xb) / (na + nb)
    if 0 < pooled < 1:
        z, p = proportions_ztest([xb, xa], [nb, na], value=0, alternative="two-sided")
        z, p = float(z), float(p)
    else:
        z = p = float("nan")
    if (0 < pa < 1) or (0 < pb < 1):
        low, high = confint_proportions_2indep(xb, nb, xa, na, method="wald", compare="diff", alpha=alpha)
        low, high = float(low), float(high)
    else:  # both rates are 0 or 1: the Wald interval degenerates to the point
        low = high = pb - pa
    return ABTestResult(
        estimate_a=pa, estimate_b=pb, n_a=na, n_b=nb, lift=pb - pa,
        relative_lift=(pb / pa - 1) if pa > 0 else float("nan"), ci_low=low, ci_high=high,
        p_value=p, statistic=z, alpha=float(alpha),
        method="two-proportion z-test (pooled SE); Wald CI (unpooled SE)",
    )


def mean_test(a: Any, b: Any, *, alpha: float = 0.05, equal_var: bool = False) -> ABTestResult:
    """Compare two means (e.g. revenue per user) with Welch's t-test and its confidence interval.

    scipy ``stats.ttest_ind(b, a, equal_var=equal_var)``; the interval of ``mean(b) - mean(a)``
    comes from the same t distribution (Welch-Satterthwaite degrees of freedom unless
    ``equal_var=True``). With thousands of customers per group the t-test is valid even for very
    skewed metrics such as revenue (most customers spend 0); :func:`bootstrap_ci` gives a second
    opinion that does not rely on the normal approximation.

    Parameters
    ----------
    a, b : array-like of numbers
        One value per customer in the control (``a``) and treatment (``b``) groups; at least two
        values each, no missing values. Booleans count as 0/1.
    alpha : float, default 0.05
        Two-sided significance level; the interval has level ``1 - alpha``.
    equal_var : bool, default False
        Student's t-test with a pooled variance instead of Welch's.

    Returns
    -------
    ABTestResult

    Examples
    --------
    >>> r = mean_test([0.0, 0.0, 10.0, 20.0, 0.0], [0.0, 30.0, 10.0, 20.0, 40.0])
    >>> round(r.lift, 2), round(r.p_value, 3), round(r.df, 2)
    (14.0, 0.133, 6.32)
    """
    xa = require_sample(a, name="a")
    xb = require_sample(b, name="b")
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    if not isinstance(equal_var, (bool, np.bool_)):
        raise TypeError(f"`equal_var` must be True or False, got {type(equal_var).__name__}.")
    ma, mb = float(xa.mean()), float(xb.mean())
    if xa.var() == 0 and xb.var() == 0:
        t = p = dof = float("nan")
        low = high = mb - ma
    else:
        res = stats.ttest_ind(xb, xa, equal_var=bool(equal_var))
        ci = res.confidence_interval(confidence_level=1 - float(alpha))
        t, p, dof = float(res.statistic), float(res.pvalue), float(res.df)
        low, high = float(ci.low), float(ci.high)
    return ABTestResult(
        estimate_a=ma, estimate_b=mb, n_a=len(xa), n_b=len(xb), lift=mb - ma,
        relative_lift=(mb / ma - 1) if ma != 0 else float("nan"), ci_low=low, ci_high=high,
        p_value=p, statistic=t, alpha=float(alpha), df=dof,
        method="Student t-test" if equal_var else "Welch t-test",
    )


def compare_groups(
    exposures: pd.DataFrame,
    metric: str,
    *,
    kind: str = "auto",
    group_col: str = "group",
    treatment: Any = "treatment",
    control: Any = "holdout",
    alpha: float = 0.05,
) -> ABTestResult:
    """Test one metric of an exposure table (one row per customer) between treatment and control.

    Parameters
    ----------
    exposures : pandas.DataFrame
        One row per assigned customer, e.g. one campaign's rows of ``campaign_exposures``.
    metric : str
        Column to compare, e.g. ``"converted_7d"`` or ``"revenue_7d"``.
    kind : {"auto", "proportion", "mean"}, default "auto"
        ``"proportion"``: :func:`proportion_test` on a True/False (or 0/1) column; ``"mean"``:
        :func:`mean_test` (Welch). ``"auto"`` picks ``"proportion"`` for a bool column.
    group_col : str, default "group"
        Column with the group of each row.
    treatment, control : default "treatment", "holdout"
        The labels of the two groups in ``group_col``.
    alpha : float, default 0.05
        Two-sided significance level.

    Returns
    -------
    ABTestResult
        With the control as group ``a`` and the treatment as group ``b``.

    Raises
    ------
    KeyError
        If ``metric`` or ``group_col`` is missing.
    ValueError
        For an empty frame, a missing group, missing values, or a non-binary column with
        ``kind="proportion"``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["holdout"] * 4 + ["treatment"] * 4,
    ...                    "converted_7d": [True, False, False, False, True, True, False, False]})
    >>> r = compare_groups(df, "converted_7d")
    >>> r.estimate_a, r.estimate_b, r.method.split(" (")[0]
    (0.25, 0.5, 'two-proportion z-test')
    """
    require_frame(exposures, name="exposures")
    require_columns(exposures, [metric, group_col], name="exposures")
    require_option(kind, ("auto", "proportion", "mean"), name="kind")
    values = exposures[metric]
    n_missing = int(values.isna().sum())
    if n_missing:
        raise ValueError(f"Column {metric!r} of `exposures` has {n_missing} missing value"
                         f"{'s' if n_missing > 1 else ''}; drop or fill them first.")
    present = list(pd.unique(exposures[group_col]))
    for label, role in ((control, "control"), (treatment, "treatment")):
        if label not in present:
            raise ValueError(f"The {role} group {label!r} is not in column {group_col!r} of `exposures`; "
                             f"groups present: {', '.join(repr(g) for g in present)}.")
    is_bool = pd.api.types.is_bool_dtype(values.dtype)
    if kind == "auto":
        kind = "proportion" if is_bool else "mean"
    in_a = (exposures[group_col] == control).to_numpy()
    in_b = (exposures[group_col] == treatment).to_numpy()
    if kind == "proportion":
        if not is_bool:
            if not pd.api.types.is_numeric_dtype(values.dtype) or not values.isin([0, 1]).all():
                raise ValueError(f"kind='proportion' needs a True/False (or 0/1) column; column {metric!r} "
                                 f"of `exposures` has other values. Use kind='mean' for amounts.")
        flags = values.astype(bool).to_numpy()
        return proportion_test(int(flags[in_a].sum()), int(in_a.sum()), int(flags[in_b].sum()), int(in_b.sum()),
                               alpha=alpha)
    if not (is_bool or pd.api.types.is_numeric_dtype(values.dtype)):
        raise ValueError(f"Column {metric!r} of `exposures` must be numeric for kind='mean', got {values.dtype}.")
    arr = values.to_numpy(dtype=float)
    return mean_test(arr[in_a], arr[in_b], alpha=alpha)


def _accepts_axis(func: Callable) -> bool:
    try:
        return "axis" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # some builtins have no signature
        return False


def bootstrap_ci(
    a: Any,
    b: Any = None,
    *,
    stat: Callable = np.mean,
    n_boot: int = 2000,
    alpha: float = 0.05,
    method: str = "percentile",
    random_state: Any = 0,
) -> BootstrapResult:
    """Bootstrap confidence interval of a statistic, or of its difference between two samples.

    With one sample, the interval of ``stat(a)``; with two, of ``stat(b) - stat(a)``, each sample
    resampled with replacement on its own (the groups of an A/B test are independent). Wraps
    ``scipy.stats.bootstrap``; the same ``random_state`` always gives the same interval.

    Parameters
    ----------
    a : array-like of numbers
        The sample (with ``b``: the control group).
    b : array-like of numbers, optional
        The treatment group.
    stat : callable, default numpy.mean
        The statistic, e.g. ``np.mean`` or ``np.median``. If it accepts ``axis`` the resampling is
        vectorised (fast); otherwise it is called once per resample.
    n_boot : int, default 2000
        Number of resamples (at least 100).
    alpha : float, default 0.05
        One minus the confidence level.
    method : {"percentile", "basic", "BCa"}, default "percentile"
        Interval type (scipy's methods).
    random_state : int or numpy.random.Generator, default 0
        Seed of the resampling.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> control, treatment = rng.exponential(10, 500), rng.exponential(12, 500)
    >>> r = bootstrap_ci(control, treatment, random_state=7)
    >>> round(r.estimate, 2), round(r.ci_low, 2), round(r.ci_high, 2)
    (2.79, 1.39, 4.2)
    >>> bootstrap_ci(control, treatment, random_state=7).ci_low == r.ci_low  # seeded: reproducible
    True
    """
    if callable(b) and not isinstance(b, (np.ndarray, pd.Series)):
        raise TypeError("The second positional argument is the treatment sample `b`; pass the statistic as "
                        "`stat=`, e.g. bootstrap_ci(x, stat=np.median).")
    xa = require_sample(a, name="a")
    xb = require_sample(b, name="b") if b is not None else None
    if not callable(stat):
        raise TypeError(f"`stat` must be a function such as numpy.mean, got {type(stat).__name__}.")
    n_boot = _count(n_boot, name="n_boot", minimum=100)
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    require_option(method, _BOOT_METHODS, name="method")
    rng = _seed(random_state)
    vectorised = _accepts_axis(stat)
    if xb is None:
        data: tuple = (xa,)
        statistic = stat
        estimate = float(stat(xa))
    else:
        data = (xa, xb)
        if vectorised:
            def statistic(x, y, axis=-1):
                return stat(y, axis=axis) - stat(x, axis=axis)
        else:
            def statistic(x, y):
                return stat(y) - stat(x)
        estimate = float(stat(xb) - stat(xa))
    res = stats.bootstrap(data, statistic, n_resamples=n_boot, batch=min(n_boot, 250), vectorized=vectorised,
                          confidence_level=1 - float(alpha), method=method, rng=rng)
    dist = np.asarray(res.bootstrap_distribution, dtype=float)
    return BootstrapResult(
        estimate=estimate, ci_low=float(res.confidence_interval.low), ci_high=float(res.confidence_interval.high),
        standard_error=float(res.standard_error), n_boot=n_boot, alpha=float(alpha), method=method,
        distribution=dist,
    )


def adjust_pvalues(pvalues: Any, *, method: str = "holm") -> Any:
    """Adjust p-values for testing several metrics (or segments) at once.

    Thin wrapper around statsmodels ``multipletests``: compare the adjusted p-values with the
    usual ``alpha``. Holm (the default) controls the family-wise error rate, the chance of *any*
    false positive, and is uniformly more powerful than Bonferroni; ``"fdr_bh"`` controls the
    false discovery rate instead.

    Parameters
    ----------
    pvalues : array-like or pandas.Series
        Raw p-values in [0, 1].
    method : str, default "holm"
        One of :data:`P_ADJUST_METHODS`.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values in the original order (a Series with the same index if a Series was passed).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03])
    array([0.03, 0.06, 0.06])
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="bonferroni")
    array([0.03, 0.12, 0.09])
    """
    require_option(method, P_ADJUST_METHODS, name="method")
    p = require_sample(pvalues, name="pvalues", min_size=1)
    if ((p < 0) | (p > 1)).any():
        bad = float(p[(p < 0) | (p > 1)][0])
        raise ValueError(f"`pvalues` must lie in [0, 1]; got {bad!r}.")
    adjusted = multipletests(p, method=method)[1]
    if isinstance(pvalues, pd.Series):
        return pd.Series(adjusted, index=pvalues.index, name=pvalues.name)
    return adjusted


# --------------------------------------------------------------------------- #
# Health checks and variance reduction
# --------------------------------------------------------------------------- #
def srm_check(counts: Any, expected_ratios: Any = None, *, alpha: float = 0.001) -> SRMResult:
    """Sample-ratio mismatch check: does the observed split match the planned one?

    Pearson's chi-square goodness-of-fit test of the group counts against the planned shares
    (``scipy.stats.chisquare``). A tiny p-value means the assignment or the logging is broken
    (customers lost, double-counted or mis-assigned in one group), so the groups may no longer be
    comparable. The usual threshold is strict, 0.001, because the check runs on every test and a
    healthy split should almost never be flagged.

    Parameters
    ----------
    counts : sequence of int, dict or pandas.Series
        Units per group, e.g. ``exposures["group"].value_counts()``. Labels of a dict or Series
        are kept.
    expected_ratios : sequence of float, dict or pandas.Series, optional
        Planned shares (any positive numbers, normalised to sum to 1): a list or array in the order
        of ``counts``, or a dict or Series keyed by its labels (matched by label, whatever the order;
        the labels must be the groups of ``counts``). Default: equal shares.
    alpha : float, default 0.001
        Flag a mismatch when ``p_value < alpha``.

    Returns
    -------
    SRMResult

    Examples
    --------
    >>> r = srm_check([10001, 9513])
    >>> round(r.statistic, 2), round(r.p_value, 5), r.mismatch
    (12.2, 0.00048, True)
    >>> srm_check({"holdout": 1050, "treatment": 9000}, {"holdout": 0.1, "treatment": 0.9}).mismatch
    False
    """
    labels: list[Any]
    if isinstance(counts, Mapping):
        counts = pd.Series(dict(counts))
    if isinstance(counts, pd.Series):
        labels, raw = list(counts.index), list(counts.to_numpy())
    else:
        if isinstance(counts, (str, bytes)) or np.isscalar(counts) or counts is None:
            raise TypeError(f"`counts` must be a sequence of group counts, got {type(counts).__name__}.")
        raw = list(np.asarray(counts).ravel()) if not isinstance(counts, (list, tuple)) else list(counts)
        labels = list(range(len(raw)))
    if len(raw) < 2:
        raise ValueError(f"`counts` needs at least two groups; got {len(raw)}.")
    observed = [_count(c, name="counts", minimum=0) for c in raw]
    total = sum(observed)
    if total == 0:
        raise ValueError("`counts` are all 0; there is nothing to check.")
    if expected_ratios is None:
        ratios = np.ones(len(observed))
    else:
        if isinstance(expected_ratios, pd.Series):  # labelled like a dict: matched to the groups by label
            if not expected_ratios.index.is_unique:
                raise ValueError("`expected_ratios` repeats a group label; give one planned share per group.")
            expected_ratios = expected_ratios.to_dict()
        if isinstance(expected_ratios, Mapping):
            missing = [g for g in labels if g not in expected_ratios]
            extra = [g for g in expected_ratios if g not in labels]
            if missing or extra:
                raise ValueError(f"The keys of `expected_ratios` ({', '.join(map(repr, expected_ratios))}) must be "
                                 f"the groups of `counts` ({', '.join(map(repr, labels))}).")
            expected_ratios = [expected_ratios[g] for g in labels]
        ratios = require_sample(expected_ratios, name="expected_ratios", min_size=1)
        if len(ratios) != len(observed):
            raise ValueError(f"`expected_ratios` has {len(ratios)} values but `counts` has {len(observed)} groups; "
                             "give one planned share per group.")
        if (ratios <= 0).any():
            raise ValueError(f"`expected_ratios` must all be > 0; got {ratios.tolist()}.")
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    expected = ratios / ratios.sum() * total
    res = stats.chisquare(np.asarray(observed, dtype=float), expected)
    return SRMResult(groups=tuple(labels), observed=tuple(observed), expected=tuple(float(e) for e in expected),
                     statistic=float(res.statistic), p_value=float(res.pvalue), df=len(observed) - 1,
                     alpha=float(alpha))


def cuped(y: Any, covariate: Any, *, theta: float | None = None) -> CupedResult:
    """CUPED variance reduction: remove the part of the outcome a pre-experiment covariate predicts.

    ``adjusted = y - theta * (covariate - mean(covariate))`` with ``theta = cov(y, x) / var(x)``
    (Deng, Xu, Kohavi & Walker 2013, "Improving the sensitivity of online controlled experiments
    by utilizing pre-experiment data"). The adjusted outcome has the same mean as ``y`` and a
    variance smaller by the factor ``1 - corr(y, x)^2``, so a test on it needs that much fewer
    customers. The covariate must be measured *before* the assignment (e.g. spend in the 90 days
    before the test), so the treatment cannot affect it.

    Call it on **both groups together** (one ``theta`` and one covariate mean for everybody),
    then compare the adjusted outcome between the groups with :func:`mean_test`.

    Parameters
    ----------
    y : array-like or pandas.Series
        The outcome per customer (e.g. revenue in the 7 days after the send).
    covariate : array-like or pandas.Series
        The pre-period covariate, same length (e.g. ``pre_period_spend``). When ``y`` and
        ``covariate`` are both Series they are paired **by index label**, as labelled inputs are
        everywhere in :mod:`opsutils` (e.g. :func:`opsutils.finance.marketing_roi`): the same labels
        in another order are aligned to ``y``'s order; different labels (or repeated labels in
        indexes that are not identical) raise a ``ValueError``. Otherwise they are paired by position.
    theta : float, optional
        A coefficient estimated elsewhere (e.g. on past data); default: estimated from ``y`` and
        ``covariate``.

    Returns
    -------
    CupedResult
        ``adjusted`` is a Series with the index of ``y`` when ``y`` is a Series, else an array.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pre = rng.gamma(2.0, 50.0, 2000)
    >>> post = 0.5 * pre + rng.normal(0, 50, 2000)
    >>> r = cuped(post, pre)
    >>> round(r.theta, 3), round(r.variance_reduction, 3), round(r.correlation ** 2, 3)
    (0.493, 0.338, 0.338)
    >>> bool(np.isclose(r.adjusted.mean(), post.mean()))
    True

    Two Series are paired by customer id, not by position:

    >>> import pandas as pd
    >>> y = pd.Series([5.0, 7.0, 6.0, 9.0], index=["c1", "c2", "c3", "c4"])
    >>> x = pd.Series([5.0, 2.0, 3.0, 1.0], index=["c4", "c3", "c2", "c1"])
    >>> cuped(y, x).theta == cuped(y, x.loc[y.index]).theta
    True
    >>> cuped(y, x.rename({"c4": "c9"}))
    Traceback (most recent call last):
    ...
    ValueError: `y` and `covariate` must have the same index labels to be paired; only in `y`: 'c4'; only in `covariate`: 'c9'.
    """
    yy = require_sample(y, name="y")
    xx = require_sample(_align_to(covariate, y, name="covariate", other="y"), name="covariate")
    if len(yy) != len(xx):
        raise ValueError(f"`y` and `covariate` must have the same length; got {len(yy)} and {len(xx)}.")
    var_x = float(np.var(xx, ddof=1))
    var_y = float(np.var(yy, ddof=1))
    if var_x == 0:
        raise ValueError("`covariate` is constant (variance 0); it cannot predict anything.")
    if var_y == 0:
        raise ValueError("`y` is constant (variance 0); there is no variance to reduce.")
    cov = float(np.cov(yy, xx, ddof=1)[0, 1])
    if theta is None:
        th = cov / var_x
    else:
        th = float(require_in_range(theta, name="theta"))
    adjusted = yy - th * (xx - xx.mean())
    var_adj = float(np.var(adjusted, ddof=1))
    if isinstance(y, pd.Series):
        adjusted = pd.Series(adjusted, index=y.index, name=y.name)
    return CupedResult(adjusted=adjusted, theta=th, correlation=cov / math.sqrt(var_x * var_y),
                       variance_before=var_y, variance_after=var_adj, variance_reduction=1 - var_adj / var_y,
                       n=len(yy))


# --------------------------------------------------------------------------- #
# Peeking
# --------------------------------------------------------------------------- #
def simulate_peeking(
    n_per_look: int,
    looks: int,
    *,
    n_sims: int = 2000,
    baseline: float = 0.1,
    alpha: float = 0.05,
    random_state: Any = 0,
) -> PeekingResult:
    """False-positive rate of A/A tests that are read after every batch and stopped when significant.

    Each simulated test has two groups with the *same* conversion rate ``baseline`` (an A/A test:
    every significant result is a false positive). After each batch of ``n_per_look`` customers
    per group the analyst runs the pooled two-proportion z-test on all data so far and stops at
    the first ``p < alpha``. With one look the false-positive rate is ``alpha``; every extra
    look adds a chance to stop on noise (about 0.14 for 5 looks, 0.19 for 10 and 0.25 for 20 at
    ``alpha=0.05``; Armitage, McPherson & Rowe 1969).

    Parameters
    ----------
    n_per_look : int
        New customers per group between two looks.
    looks : int
        Number of looks (the last one at ``looks * n_per_look`` customers per group).
    n_sims : int, default 2000
        Number of simulated A/A tests.
    baseline : float, default 0.1
        Conversion rate of both groups, in (0, 1).
    alpha : float, default 0.05
        Significance level of each look.
    random_state : int or numpy.random.Generator, default 0
        Seed; the same seed gives the same result.

    Returns
    -------
    PeekingResult
        ``rate_by_look`` gives the rate for every number of looks up to ``looks`` from the same
        simulation.

    Examples
    --------
    >>> r = simulate_peeking(500, 10, n_sims=4000, random_state=1)
    >>> round(r.rate_by_look[0], 3), round(r.false_positive_rate, 3)
    (0.053, 0.183)
    """
    n_look = _count(n_per_look, name="n_per_look", minimum=1)
    k = _count(looks, name="looks", minimum=1)
    sims = _count(n_sims, name="n_sims", minimum=1)
    require_in_range(baseline, name="baseline", low=0, high=1, low_inclusive=False, high_inclusive=False)
    require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    rng = _seed(random_state)
    conversions = rng.binomial(n_look, baseline, size=(sims, k, 2)).cumsum(axis=1)
    n = n_look * np.arange(1, k + 1)[None, :]  # customers per group at each look
    xa, xb = conversions[..., 0], conversions[..., 1]
    pooled = (xa + xb) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * (2 / n))
    diff = (xb - xa) / n
    z = np.divide(diff, se, out=np.zeros_like(diff, dtype=float), where=se > 0)
    significant = 2 * stats.norm.sf(np.abs(z)) < alpha
    stopped = np.logical_or.accumulate(significant, axis=1)
    rates = stopped.mean(axis=0)
    fpr = float(rates[-1])
    return PeekingResult(false_positive_rate=fpr, rate_by_look=tuple(float(r) for r in rates),
                         standard_error=math.sqrt(fpr * (1 - fpr) / sims), looks=k, n_per_look=n_look,
                         n_sims=sims, baseline=float(baseline), alpha=float(alpha))
