"""Customer economics behind the business case: CLV what-ifs and the retention-profit lever.

Three public functions turn a handful of unit economics into the numbers a business case quotes:

* :func:`clv_what_if` -- customer lifetime value (CLV, 客户终身价值) under geometric retention, the
  CLV/CAC ratio and the "CLV/CAC should exceed 3" rule of thumb.
* :func:`retention_profit_uplift` -- the profit of an acquired cohort at a base retention rate and
  at a higher one, so that claims such as "+5 points of retention give +25% to +95% profit" can be
  checked on your own margins instead of taken on trust.
* :func:`cohort_profit_curve` -- the year-by-year cash flows behind that comparison, for a chart.

Timing convention
-----------------
Cash flows are dated at the *start* of each year of tenure. A newly acquired customer pays the
acquisition cost and yields the first year's margin at time 0 (both undiscounted); the margin of
tenure year ``t`` is earned only if the customer is still there (probability ``retention**(t-1)``)
and is discounted by ``(1 + discount_rate)**(t-1)``. With annual margin ``m``, retention ``r`` and
discount rate ``d`` the infinite-horizon value is therefore::

    CLV = m * (1 + d) / (1 + d - r)

The textbook formula of Gupta & Lehmann (2003), ``m * r / (1 + d - r)``, uses the end-of-period
convention: it values a customer *after* the first margin has been booked. The two differ by
exactly one year's margin, ``CLV = m + m * r / (1 + d - r)``.

Examples
--------
>>> from opsutils.business import clv_what_if
>>> w = clv_what_if(retention=0.6, aov=200.0, frequency=3.0, margin=0.5, cac=200.0)
>>> round(w.clv, 2), round(w.clv_cac_ratio, 2), w.meets_rule_of_3
(660.0, 3.3, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opsutils._validation import require_in_range, require_positive_int

__all__ = [
    "RULE_OF_3",
    "WhatIf",
    "RetentionUplift",
    "clv_what_if",
    "retention_profit_uplift",
    "cohort_profit_curve",
]

#: The rule-of-thumb threshold: a customer should be worth more than three times what it cost to
#: acquire (CLV/CAC > 3).
RULE_OF_3: float = 3.0


# --------------------------------------------------------------------------- #
# Results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class WhatIf:
    """Result of :func:`clv_what_if`.

    Attributes
    ----------
    clv : float
        Customer lifetime value in currency units (gross of the acquisition cost).
    clv_cac_ratio : float
        ``clv / cac``.
    annual_profit_per_customer : float
        Margin of one active customer in one year, ``aov * frequency * margin``.
    expected_lifetime_years : float
        Expected number of years as a customer, counting the first (undiscounted):
        ``1 / (1 - retention)`` for an infinite horizon.
    meets_rule_of_3 : bool
        Whether ``clv_cac_ratio`` exceeds :data:`RULE_OF_3`.
    inputs : dict
        The arguments the result was computed from.
    """

    clv: float
    clv_cac_ratio: float
    annual_profit_per_customer: float
    expected_lifetime_years: float
    meets_rule_of_3: bool
    inputs: dict[str, Any] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row: the inputs followed by the results (``pd.concat`` several to compare scenarios).

        Returns
        -------
        pandas.DataFrame
            Columns ``retention, aov, frequency, margin, cac, discount_rate, horizon_years,
            annual_profit_per_customer, expected_lifetime_years, clv, clv_cac_ratio, meets_rule_of_3``.

        Examples
        --------
        >>> from opsutils.business import clv_what_if
        >>> clv_what_if(retention=0.5, aov=100.0, frequency=2.0, margin=0.5, cac=50.0).to_frame().shape
        (1, 12)
        """
        row = dict(self.inputs)
        row.update(
            annual_profit_per_customer=self.annual_profit_per_customer,
            expected_lifetime_years=self.expected_lifetime_years,
            clv=self.clv,
            clv_cac_ratio=self.clv_cac_ratio,
            meets_rule_of_3=self.meets_rule_of_3,
        )
        frame = pd.DataFrame([row])
        return frame.astype({"horizon_years": "Int64"})


@dataclass(frozen=True)
class RetentionUplift:
    """Result of :func:`retention_profit_uplift`.

    Attributes
    ----------
    base_retention, improved_retention : float
        Annual retention rates of the two scenarios.
    base_profit, improved_profit : float
        Net present value of the cohort's profit over the horizon, after its acquisition cost.
    profit_uplift : float
        ``improved_profit - base_profit``.
    relative_uplift : float
        ``profit_uplift / base_profit``; NaN when the base cohort does not make a profit
        (a percentage of a loss is meaningless).
    inputs : dict
        The arguments the result was computed from.
    """

    base_retention: float
    improved_retention: float
    base_profit: float
    improved_profit: float
    profit_uplift: float
    relative_uplift: float
    inputs: dict[str, Any] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Two rows, ``base`` and ``improved``: retention, cohort profit and the uplift over base.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``scenario``, with columns ``retention, cohort_profit,
            profit_per_customer, profit_uplift, relative_uplift``.

        Examples
        --------
        >>> from opsutils.business import retention_profit_uplift
        >>> r = retention_profit_uplift(retention=0.8, aov=100.0, frequency=2.0, margin=0.3,
        ...                             acquisition_cost=150.0)
        >>> r.to_frame().index.tolist()
        ['base', 'improved']
        """
        n = self.inputs["cohort_size"]
        return pd.DataFrame(
            {
                "retention": [self.base_retention, self.improved_retention],
                "cohort_profit": [self.base_profit, self.improved_profit],
                "profit_per_customer": [self.base_profit / n, self.improved_profit / n],
                "profit_uplift": [0.0, self.profit_uplift],
                "relative_uplift": [0.0 if self.base_profit > 0 else np.nan, self.relative_uplift],
            },
            index=pd.Index(["base", "improved"], name="scenario"),
        )


# --------------------------------------------------------------------------- #
# Checks (private)
# --------------------------------------------------------------------------- #
def _check_unit_economics(*, retention, aov, frequency, margin, discount_rate) -> None:
    require_in_range(retention, name="retention", low=0, high=1, high_inclusive=False)
    require_in_range(aov, name="aov", low=0, low_inclusive=False)
    require_in_range(frequency, name="frequency", low=0, low_inclusive=False)
    require_in_range(margin, name="margin", low=0, high=1, low_inclusive=False)
    require_in_range(discount_rate, name="discount_rate", low=0)


def _check_cohort_args(kw: dict[str, Any]) -> dict[str, Any]:
    """Validate the arguments shared by the cohort functions; return them normalised."""
    _check_unit_economics(retention=kw["retention"], aov=kw["aov"], frequency=kw["frequency"],
                          margin=kw["margin"], discount_rate=kw["discount_rate"])
    require_in_range(kw["retention_increase"], name="retention_increase", low=0, low_inclusive=False)
    improved = kw["retention"] + kw["retention_increase"]
    if improved >= 1:
        raise ValueError(
            "`retention + retention_increase` must be below 1 (retention is a yearly probability); "
            f"got {kw['retention']!r} + {kw['retention_increase']!r} = {improved!r}."
        )
    require_in_range(kw["acquisition_cost"], name="acquisition_cost", low=0)
    out = dict(kw)
    out["horizon_years"] = require_positive_int(kw["horizon_years"], name="horizon_years")
    out["cohort_size"] = require_positive_int(kw["cohort_size"], name="cohort_size")
    require_in_range(kw["cost_to_serve_decline"], name="cost_to_serve_decline", low=0, high=1,
                     high_inclusive=False)
    require_in_range(kw["referral_rate"], name="referral_rate", low=0)
    require_in_range(kw["spend_growth"], name="spend_growth", low=-1, low_inclusive=False)
    return out


# --------------------------------------------------------------------------- #
# CLV what-if
# --------------------------------------------------------------------------- #
def clv_what_if(
    *,
    retention: float,
    aov: float,
    frequency: float,
    margin: float,
    cac: float,
    discount_rate: float = 0.10,
    horizon_years: int | None = None,
) -> WhatIf:
    """Customer lifetime value and CLV/CAC for a set of unit economics (a what-if calculator).

    A simple geometric-retention model: an active customer yields the annual margin
    ``m = aov * frequency * margin`` and stays another year with probability ``retention``.
    The first year's margin is undiscounted (see the module's timing convention)::

        CLV = sum_{t=1..H} m * retention**(t-1) / (1 + discount_rate)**(t-1)

    and, for an infinite horizon (``horizon_years=None``), the closed form
    ``m * (1 + d) / (1 + d - retention)``.

    Parameters
    ----------
    retention : float
        Yearly probability that an active customer buys again next year, in [0, 1).
    aov : float
        Average order value (客单价) in currency units, > 0.
    frequency : float
        Orders per active customer per year, > 0.
    margin : float
        Gross margin as a share of order value, in (0, 1].
    cac : float
        Customer acquisition cost (获客成本), marketing spend / new customers, > 0.
    discount_rate : float, default 0.10
        Yearly discount rate, >= 0.
    horizon_years : int or None, default None
        Number of years counted (>= 1); ``None`` sums to infinity.

    Returns
    -------
    WhatIf
        ``clv``, ``clv_cac_ratio``, ``annual_profit_per_customer``, ``expected_lifetime_years``,
        ``meets_rule_of_3`` and the ``inputs``; ``to_frame()`` gives one row.

    Raises
    ------
    TypeError
        If a number is not a real number (e.g. a string or a bool), or ``horizon_years`` is not an
        integer.
    ValueError
        If a number is outside its allowed range (the message shows the value and the range).

    See Also
    --------
    retention_profit_uplift : how a higher retention rate changes a cohort's profit.

    Notes
    -----
    CLV here is *gross* of the acquisition cost: it is what a new customer is worth, to be compared
    with what it cost (CLV/CAC). Subtract ``cac`` for the net value. The model assumes retention and
    spend do not change with tenure; :func:`retention_profit_uplift` relaxes that.

    Examples
    --------
    >>> from opsutils.business import clv_what_if
    >>> w = clv_what_if(retention=0.6, aov=200.0, frequency=3.0, margin=0.5, cac=200.0)
    >>> w.annual_profit_per_customer, round(w.expected_lifetime_years, 2)
    (300.0, 2.5)
    >>> round(w.clv, 2), round(w.clv_cac_ratio, 2), w.meets_rule_of_3
    (660.0, 3.3, True)

    A three-year horizon without discounting: 300 + 180 + 108.

    >>> round(clv_what_if(retention=0.6, aov=200.0, frequency=3.0, margin=0.5, cac=200.0,
    ...                   discount_rate=0.0, horizon_years=3).clv, 2)
    588.0
    """
    _check_unit_economics(retention=retention, aov=aov, frequency=frequency, margin=margin,
                          discount_rate=discount_rate)
    require_in_range(cac, name="cac", low=0, low_inclusive=False)
    if horizon_years is not None:
        horizon_years = require_positive_int(horizon_years, name="horizon_years")
    r, d = float(retention), float(discount_rate)
    m = float(aov) * float(frequency) * float(margin)
    q = r / (1.0 + d)  # survival-and-discount factor per year
    if horizon_years is None:
        clv = m * (1.0 + d) / (1.0 + d - r)
        lifetime = 1.0 / (1.0 - r)
    else:
        t = np.arange(horizon_years)
        clv = float(m * np.sum(q**t))
        lifetime = float(np.sum(r**t))
    ratio = clv / float(cac)
    inputs = {"retention": r, "aov": float(aov), "frequency": float(frequency), "margin": float(margin),
              "cac": float(cac), "discount_rate": d, "horizon_years": horizon_years}
    return WhatIf(clv=float(clv), clv_cac_ratio=float(ratio), annual_profit_per_customer=m,
                  expected_lifetime_years=float(lifetime), meets_rule_of_3=bool(ratio > RULE_OF_3),
                  inputs=inputs)


# --------------------------------------------------------------------------- #
# Retention economics
# --------------------------------------------------------------------------- #
def _cohort_flows(retention: float, kw: dict[str, Any]) -> pd.DataFrame:
    """Year-by-year cash flows of one cohort (year 0 = acquisition), already validated."""
    n, horizon = kw["cohort_size"], kw["horizon_years"]
    d, cac = float(kw["discount_rate"]), float(kw["acquisition_cost"])
    tenure = np.arange(horizon, dtype=float)  # years already completed at the start of year t
    active = n * float(retention) ** tenure
    revenue = float(kw["aov"]) * float(kw["frequency"]) * (1.0 + float(kw["spend_growth"])) ** tenure
    margin = np.minimum(float(kw["margin"]) + float(kw["cost_to_serve_decline"]) * tenure, 1.0)
    per_customer = revenue * margin + float(kw["referral_rate"]) * cac
    profit = active * per_customer / (1.0 + d) ** tenure
    year = np.arange(horizon + 1)
    active_all = np.concatenate([[float(n)], active])
    profit_all = np.concatenate([[-n * cac], profit])
    return pd.DataFrame({
        "year": year,
        "active_customers": active_all,
        "discounted_profit": profit_all,
        "cumulative_profit": np.cumsum(profit_all),
    })


def retention_profit_uplift(
    *,
    retention: float,
    retention_increase: float = 0.05,
    aov: float,
    frequency: float,
    margin: float,
    acquisition_cost: float,
    discount_rate: float = 0.10,
    horizon_years: int = 10,
    cohort_size: int = 1000,
    cost_to_serve_decline: float = 0.0,
    referral_rate: float = 0.0,
    spend_growth: float = 0.0,
) -> RetentionUplift:
    """How much more profit a cohort makes when yearly retention rises by a few points.

    Follows one cohort of ``cohort_size`` new customers for ``horizon_years`` years, at
    ``retention`` and at ``retention + retention_increase``. Each customer costs
    ``acquisition_cost`` at time 0; in tenure year ``t`` (t = 1, 2, ...) the
    ``cohort_size * retention**(t-1)`` survivors each yield::

        aov * frequency * (1 + spend_growth)**(t-1)                      # revenue, growing with tenure
            * min(margin + cost_to_serve_decline * (t-1), 1)             # margin, rising as service gets cheaper
        + referral_rate * acquisition_cost                               # referrals: acquisition cost saved

    discounted by ``(1 + discount_rate)**(t-1)``. The last three terms are Reichheld's mechanisms
    (customers spend more, cost less to serve and refer others the longer they stay); with all
    three at zero the cohort profit is ``cohort_size * (CLV - CAC)`` from :func:`clv_what_if`.

    Parameters
    ----------
    retention : float
        Base yearly retention rate, in [0, 1).
    retention_increase : float, default 0.05
        Increase in retention in *percentage points* (0.05 = +5 pp), > 0; the improved rate must stay
        below 1.
    aov : float
        Average order value in currency units, > 0.
    frequency : float
        Orders per active customer per year, > 0.
    margin : float
        Gross margin of the first year, as a share of revenue, in (0, 1].
    acquisition_cost : float
        Cost of acquiring one customer (CAC), >= 0.
    discount_rate : float, default 0.10
        Yearly discount rate, >= 0.
    horizon_years : int, default 10
        Years followed, >= 1.
    cohort_size : int, default 1000
        Customers acquired (scales the profits, not the relative uplift), >= 1.
    cost_to_serve_decline : float, default 0.0
        Margin gained per year of tenure, in percentage points of revenue (0.01 = +1 pp a year),
        in [0, 1). The margin is capped at 1.
    referral_rate : float, default 0.0
        New customers referred per active customer per year, >= 0; each is credited with the
        acquisition cost it saves.
    spend_growth : float, default 0.0
        Growth of yearly spend per year of tenure (0.05 = +5% a year), > -1.

    Returns
    -------
    RetentionUplift
        Base and improved cohort profit (NPV after acquisition cost), the absolute and the relative
        uplift; ``to_frame()`` gives one row per scenario.

    Raises
    ------
    TypeError
        If a number is not a real number, or ``horizon_years``/``cohort_size`` is not an integer.
    ValueError
        If a number is outside its allowed range, or ``retention + retention_increase >= 1``.

    See Also
    --------
    cohort_profit_curve : the year-by-year flows behind the two totals.
    clv_what_if : the single-customer view.

    Notes
    -----
    The absolute uplift grows with the horizon and with every one of Reichheld's mechanisms, because
    each makes the later years, which only the extra survivors reach, more valuable. The *relative*
    uplift is large when the base profit is thin: a high acquisition cost or a low margin shrink the
    base while leaving the extra survivors' profit unchanged. It is NaN when the base cohort loses
    money.
    The "+5% retention gives +25% to +95% profit" figure (Reichheld & Sasser, 1990) is a range
    observed in particular industries, not a law.

    Examples
    --------
    >>> from opsutils.business import retention_profit_uplift
    >>> r = retention_profit_uplift(retention=0.8, aov=100.0, frequency=2.0, margin=0.3,
    ...                             acquisition_cost=150.0)
    >>> round(r.base_profit), round(r.improved_profit), round(r.relative_uplift, 3)
    (60893, 93961, 0.543)

    Reichheld's mechanisms make the same five points worth more money, but they also fatten the
    base, so the *percentage* need not rise:

    >>> r2 = retention_profit_uplift(retention=0.8, aov=100.0, frequency=2.0, margin=0.3,
    ...                              acquisition_cost=150.0, spend_growth=0.05)
    >>> round(r2.profit_uplift), round(r2.relative_uplift, 3)
    (42017, 0.484)
    """
    kw = _check_cohort_args(dict(
        retention=retention, retention_increase=retention_increase, aov=aov, frequency=frequency,
        margin=margin, acquisition_cost=acquisition_cost, discount_rate=discount_rate,
        horizon_years=horizon_years, cohort_size=cohort_size, cost_to_serve_decline=cost_to_serve_decline,
        referral_rate=referral_rate, spend_growth=spend_growth))
    improved = float(retention) + float(retention_increase)
    base_profit = float(_cohort_flows(retention, kw)["discounted_profit"].sum())
    improved_profit = float(_cohort_flows(improved, kw)["discounted_profit"].sum())
    uplift = improved_profit - base_profit
    relative = uplift / base_profit if base_profit > 0 else float("nan")
    inputs = {k: (float(v) if k not in ("horizon_years", "cohort_size") else v) for k, v in kw.items()}
    return RetentionUplift(base_retention=float(retention), improved_retention=improved,
                           base_profit=base_profit, improved_profit=improved_profit,
                           profit_uplift=uplift, relative_uplift=relative, inputs=inputs)


def cohort_profit_curve(
    *,
    retention: float,
    retention_increase: float = 0.05,
    aov: float,
    frequency: float,
    margin: float,
    acquisition_cost: float,
    discount_rate: float = 0.10,
    horizon_years: int = 10,
    cohort_size: int = 1000,
    cost_to_serve_decline: float = 0.0,
    referral_rate: float = 0.0,
    spend_growth: float = 0.0,
) -> pd.DataFrame:
    """Year-by-year profit of a cohort at base and improved retention (the data behind a payback chart).

    Takes the same arguments, with the same meaning and checks, as :func:`retention_profit_uplift`.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per scenario and year: ``scenario`` ("base" or "improved"),
        ``retention``, ``year`` (0 = acquisition, then tenure years 1..H), ``active_customers``
        (customers active in that year), ``discounted_profit`` (that year's profit; year 0 is minus the
        acquisition cost) and ``cumulative_profit``. The last ``cumulative_profit`` of each scenario
        equals the matching total of :func:`retention_profit_uplift`.

    Raises
    ------
    TypeError, ValueError
        As :func:`retention_profit_uplift`.

    Examples
    --------
    >>> from opsutils.business import cohort_profit_curve
    >>> curve = cohort_profit_curve(retention=0.8, aov=100.0, frequency=2.0, margin=0.3,
    ...                             acquisition_cost=150.0, horizon_years=5)
    >>> curve.shape
    (12, 6)
    >>> curve.groupby("scenario")["cumulative_profit"].last().round().tolist()
    [25238.0, 41266.0]
    """
    kw = _check_cohort_args(dict(
        retention=retention, retention_increase=retention_increase, aov=aov, frequency=frequency,
        margin=margin, acquisition_cost=acquisition_cost, discount_rate=discount_rate,
        horizon_years=horizon_years, cohort_size=cohort_size, cost_to_serve_decline=cost_to_serve_decline,
        referral_rate=referral_rate, spend_growth=spend_growth))
    frames = []
    for scenario, r in (("base", float(retention)), ("improved", float(retention) + float(retention_increase))):
        flows = _cohort_flows(r, kw)
        flows.insert(0, "retention", r)
        flows.insert(0, "scenario", scenario)
        frames.append(flows)
    return pd.concat(frames, ignore_index=True)
