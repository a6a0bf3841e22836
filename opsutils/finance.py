"""Marketing finance: ROI, incremental effects from holdout groups, CAC and CLV/CAC.

Seed 004 defines **marketing ROI** (营销投资回报率) as

    ROI = (profit from marketing - marketing cost) / marketing cost

where the *profit from marketing* is the margin the campaign brought. The hard part is the word
*brought*: the margin of everything the targeted customers bought (the **naive** view, which is what a
last-touch or coupon-redemption report counts) includes the purchases they would have made anyway. A
random **holdout group** (对照组) that was targeted but not contacted measures what they would have
done; the difference between the treated and the holdout customers, scaled to the treated group, is the
**incremental** effect (增量效果), and only that belongs in the ROI.

* :func:`marketing_roi` -- seed 004's ratio for scalars, arrays or Series.
* :func:`incremental_effect` -- per campaign (or any grouping): group sizes, conversion rates and mean
  outcomes per customer in each group, their differences with confidence intervals, and the incremental
  conversions and outcome (revenue) scaled to the treatment group.
* :func:`campaign_roi_table` -- naive against incremental ROI per campaign in one call.
* :func:`cac` -- customer acquisition cost (获客成本), marketing spend / new customers (seed 004).
* :func:`clv_cac_ratio` and :data:`RULE_OF_3` -- re-exported from :mod:`opsutils.clv` and
  :mod:`opsutils.business` (CLV/CAC should exceed 3).

Confidence intervals
--------------------
The difference in mean outcome per customer (e.g. 7-day revenue) uses **Welch's t interval**
(unequal variances, Welch-Satterthwaite degrees of freedom), the same as
``scipy.stats.ttest_ind(..., equal_var=False)``. The difference in conversion rates uses the **normal
(Wald) approximation** with unpooled variances, the same as statsmodels'
``confint_proportions_2indep(..., method="wald")``. Both rest on the central limit theorem: fine for
groups of hundreds or more, as campaign holdouts usually are; for a handful of customers, or for
revenue dominated by a few very large orders, treat the intervals as rough. Scaling to the treated
group multiplies the estimate and both bounds by the number of treated customers, which is taken as
known (a sample-ratio mismatch, where treated customers are missing from the log, makes it too small).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from opsutils import _validation as v
from opsutils.business import RULE_OF_3
from opsutils.clv import clv_cac_ratio

__all__ = [
    "RULE_OF_3",
    "marketing_roi",
    "IncrementalEffect",
    "incremental_effect",
    "campaign_roi_table",
    "cac",
    "clv_cac_ratio",
    "gross_margin_rate",
]

_VERDICTS = ("profitable", "loss-making", "inconclusive")


# --------------------------------------------------------------------------- #
# Private helpers: numbers that may be scalars, arrays, Series or mappings
# --------------------------------------------------------------------------- #
def _as_numbers(values: Any, *, name: str) -> tuple[np.ndarray, pd.Index | None, bool]:
    """``(1-d float array, labels or None, was_scalar)`` from a scalar, list, array, Series or mapping."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"`{name}` must be a number, a 1-d array or a Series, got a DataFrame; select one column.")
    labels = None
    if isinstance(values, Mapping):
        values = pd.Series(dict(values))
    if isinstance(values, pd.Series):
        if len(values) and not v._is_real_numeric_dtype(values.dtype):
            raise ValueError(f"`{name}` must hold numbers, got dtype {values.dtype}.")
        labels = values.index
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        scalar = False
    else:
        if isinstance(values, (bool, np.bool_, str, bytes)) or values is None:
            raise TypeError(f"`{name}` must be a number or an array of numbers, got {v._fmt_scalar(values)}.")
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`{name}` must be a number or an array of numbers, got {v._fmt_scalar(values)}.") from None
        scalar = arr.ndim == 0
        if arr.ndim > 1:
            raise ValueError(f"`{name}` must be a number or 1-dimensional; got shape {arr.shape}.")
        arr = np.atleast_1d(arr)
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty; pass at least one value.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"`{name}` has {int(bad.sum())} missing or infinite values; drop or fill them first.")
    return arr, labels, scalar


def _pair(a: Any, b: Any, *, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, pd.Index | None, bool]:
    """Two inputs made compatible: scalars broadcast, labelled inputs aligned on their labels."""
    x, lx, sx = _as_numbers(a, name=names[0])
    y, ly, sy = _as_numbers(b, name=names[1])
    if lx is not None and ly is not None:
        if not (lx.is_unique and ly.is_unique):
            raise ValueError(f"`{names[0]}` and `{names[1]}` must not repeat a label.")
        if set(lx) != set(ly):
            only_x = [k for k in lx if k not in set(ly)]
            only_y = [k for k in ly if k not in set(lx)]
            parts = ([f"only in `{names[0]}`: {v._fmt_list(only_x)}"] if only_x else []) + (
                [f"only in `{names[1]}`: {v._fmt_list(only_y)}"] if only_y else [])
            raise ValueError(f"`{names[0]}` and `{names[1]}` must have the same labels; " + "; ".join(parts) + ".")
        y = pd.Series(y, index=ly).reindex(lx).to_numpy()
    labels = lx if lx is not None else ly
    if not sx and not sy and len(x) != len(y):
        raise ValueError(f"`{names[0]}` and `{names[1]}` must have the same length; "
                         f"got {len(x)} and {len(y)}.")
    if sx and not sy:
        x = np.full(len(y), x[0])
    if sy and not sx:
        y = np.full(len(x), y[0])
    return x, y, labels, (sx and sy)


def _shape_like(values: np.ndarray, labels: pd.Index | None, scalar: bool, name: str) -> Any:
    if scalar:
        return float(values[0])
    if labels is not None:
        return pd.Series(values, index=labels, name=name)
    return values


# --------------------------------------------------------------------------- #
# ROI and CAC
# --------------------------------------------------------------------------- #
def marketing_roi(profit: Any, cost: Any) -> Any:
    """Marketing ROI, ``(profit - cost) / cost`` (seed 004).

    ``profit`` is the **profit from marketing**: the margin the campaign brought (revenue times the
    gross margin rate), *before* the campaign's own cost. An ROI of 0 means the campaign paid back
    exactly its cost, 1 means every yuan spent came back with one more, and -1 that nothing came back.
    Whether that margin is the naive one (all purchases of the targeted customers) or the incremental
    one (measured against a holdout group) is the caller's choice, and it decides what the number means:
    see :func:`incremental_effect` and :func:`campaign_roi_table`.

    Parameters
    ----------
    profit : float, array-like, pandas.Series or mapping
        Margin brought by the campaign(s), in currency units; may be negative.
    cost : float, array-like, pandas.Series or mapping
        Marketing cost, in the same currency; must be > 0. A scalar applies to every profit.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for two scalars; a Series named ``roi`` when either input is labelled (Series or
        mapping; two labelled inputs are aligned on their labels); an array otherwise.

    Raises
    ------
    TypeError
        For non-numeric inputs.
    ValueError
        For a cost <= 0, missing or infinite values, inputs of different lengths, or labelled inputs
        with different labels.

    Examples
    --------
    >>> marketing_roi(15_000.0, 10_000.0)
    0.5
    >>> marketing_roi([5_000.0, 30_000.0], [10_000.0, 10_000.0])
    array([-0.5,  2. ])
    >>> import pandas as pd
    >>> marketing_roi(pd.Series({"CMP01": 4_000.0, "CMP02": 900.0}), {"CMP02": 1_000.0, "CMP01": 2_000.0})
    CMP01    1.0
    CMP02   -0.1
    Name: roi, dtype: float64
    >>> marketing_roi(1_000.0, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: `cost` must be > 0 for every campaign; got 1 value <= 0 (min 0.0).
    """
    p, c, labels, scalar = _pair(profit, cost, names=("profit", "cost"))
    if (c <= 0).any():
        n = int((c <= 0).sum())
        raise ValueError(f"`cost` must be > 0 for every campaign; got {v._plural(n, 'value')} <= 0 "
                         f"(min {float(c.min())!r}).")
    return _shape_like((p - c) / c, labels, scalar, "roi")


def gross_margin_rate(
    orders: pd.DataFrame,
    order_items: pd.DataFrame,
    products: pd.DataFrame,
    *,
    order_col: str = "order_id",
    amount_col: str = "amount",
    status_col: str = "status",
    kept_status: str = "completed",
    product_col: str = "product_id",
    quantity_col: str = "quantity",
    unit_cost_col: str = "unit_cost",
) -> float:
    """Gross margin per unit of revenue ordered: what kept orders earn over their cost, per CNY ordered.

    ``(paid amount of kept orders - cost of their goods) / paid amount of all orders``. Cancelled and
    refunded orders count in the denominator (they were placed) but earn nothing (their goods go back to
    stock), so the rate can be applied to forecasts and campaign revenue that count every order placed.

    Parameters
    ----------
    orders, order_items, products : pandas.DataFrame
        The world's orders, order lines and products (or your own with the column names below).
    order_col, amount_col, status_col, kept_status, product_col, quantity_col, unit_cost_col : str
        Column names, and the status of orders that were kept.

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1, 2], "amount": [100.0, 50.0], "status": ["completed", "refunded"]})
    >>> items = pd.DataFrame({"order_id": [1, 2], "product_id": ["p", "p"], "quantity": [2, 1]})
    >>> products = pd.DataFrame({"product_id": ["p"], "unit_cost": [20.0]})
    >>> round(gross_margin_rate(orders, items, products), 4)
    0.4
    """
    v.require_frame(orders, name="orders")
    v.require_columns(orders, [order_col, amount_col, status_col], name="orders")
    v.require_numeric(orders, amount_col, name="orders", allow_negative=False)
    v.require_frame(order_items, name="order_items")
    v.require_columns(order_items, [order_col, product_col, quantity_col], name="order_items")
    v.require_numeric(order_items, quantity_col, name="order_items", allow_negative=False)
    v.require_frame(products, name="products")
    v.require_columns(products, [product_col, unit_cost_col], name="products")
    v.require_numeric(products, unit_cost_col, name="products", allow_negative=False)
    total = float(orders[amount_col].sum())
    if total <= 0:
        raise ValueError("`orders` has no revenue (the amounts sum to 0); the margin rate is undefined.")
    kept = orders[orders[status_col] == kept_status]
    unit_cost = order_items[product_col].map(products.set_index(product_col)[unit_cost_col])
    if unit_cost.isna().any():
        missing = order_items.loc[unit_cost.isna(), product_col].unique()[:5]
        raise KeyError(f"`products` has no {unit_cost_col!r} for product {v._fmt_list(missing)} of `order_items`.")
    cost = float((order_items[quantity_col] * unit_cost)[order_items[order_col].isin(kept[order_col])].sum())
    return (float(kept[amount_col].sum()) - cost) / total


def cac(spend: Any, new_customers: Any) -> Any:
    """Customer acquisition cost (CAC, 获客成本): marketing spend / new customers (seed 004).

    Seed 004 adds that an honest CAC counts every cost of winning customers: direct marketing, the
    sales team, technical support and overheads. The function only divides; which costs go into
    ``spend`` is the analyst's decision and should be stated next to the result.

    Parameters
    ----------
    spend : float, array-like, pandas.Series or mapping
        Acquisition spend of the period, per channel if labelled; must be >= 0.
    new_customers : int, array-like, pandas.Series or mapping
        New customers won in the same period; must be > 0 (whole numbers).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for two scalars; a Series named ``cac`` when either input is labelled (aligned on the
        labels); an array otherwise.

    Raises
    ------
    TypeError
        For non-numeric inputs.
    ValueError
        For negative spend, new customers <= 0 or not whole, missing values, inputs of different
        lengths, or labelled inputs with different labels.

    Examples
    --------
    >>> cac(250_000.0, 2_000)
    125.0
    >>> import pandas as pd
    >>> cac({"app": 250_000.0, "douyin": 340_000.0}, pd.Series({"douyin": 1_000, "app": 2_500}))
    app       100.0
    douyin    340.0
    Name: cac, dtype: float64
    >>> cac(50_000.0, 0)
    Traceback (most recent call last):
    ...
    ValueError: `new_customers` must be > 0 (a CAC needs at least one new customer); got 1 value <= 0.
    """
    s, n, labels, scalar = _pair(spend, new_customers, names=("spend", "new_customers"))
    if (s < 0).any():
        raise ValueError(f"`spend` must be >= 0; got {v._plural(int((s < 0).sum()), 'negative value')} "
                         f"(min {float(s.min())!r}).")
    if (n <= 0).any():
        raise ValueError("`new_customers` must be > 0 (a CAC needs at least one new customer); got "
                         f"{v._plural(int((n <= 0).sum()), 'value')} <= 0.")
    if (n != np.round(n)).any():
        raise ValueError("`new_customers` must hold whole numbers (counts of customers).")
    return _shape_like(s / n, labels, scalar, "cac")


# --------------------------------------------------------------------------- #
# Incremental effect
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class IncrementalEffect:
    """Result of :func:`incremental_effect`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group of ``by`` (or the single row ``"all"``); see :func:`incremental_effect`.
    alpha : float
        ``1 - confidence level`` of the intervals.
    outcome_col, conversion_col : str or None
        The columns the effects were computed on.
    treatment, control : object
        The labels of the two groups.
    """

    table: pd.DataFrame
    alpha: float
    outcome_col: str | None
    conversion_col: str | None
    treatment: Any
    control: Any

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`.

        Examples
        --------
        >>> import pandas as pd
        >>> x = pd.DataFrame({"group": ["treatment", "treatment", "holdout", "holdout"],
        ...                   "revenue_7d": [10.0, 30.0, 0.0, 10.0], "converted_7d": [True, True, False, True]})
        >>> incremental_effect(x, by=None).to_frame()[["n_treatment", "n_control", "lift"]]
             n_treatment  n_control  lift
        all            2          2  15.0
        """
        return self.table.copy()


def _by_columns(by: Any) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, Iterable):
        cols = list(by)
        if not cols or not all(isinstance(c, str) for c in cols):
            raise ValueError(f"`by` must be a column name, a list of column names or None; got {by!r}.")
        return cols
    raise ValueError(f"`by` must be a column name, a list of column names or None; got {by!r}.")


def _welch(m1, v1, n1, m0, v0, n0, alpha):
    """Welch difference of means m1 - m0: (diff, se, ci_low, ci_high, p_value), vectorised."""
    a, b = v1 / n1, v0 / n0
    se = np.sqrt(a + b)
    diff = m1 - m0
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n0 - 1))
        q = stats.t.ppf(1 - alpha / 2, dof)
        p = 2 * stats.t.sf(np.abs(diff) / se, dof)
    zero = se == 0  # every customer has the same outcome in both groups: no uncertainty to report
    q = np.where(zero, 0.0, q)
    p = np.where(zero, np.nan, p)
    return diff, se, diff - q * se, diff + q * se, p


def incremental_effect(
    exposures: pd.DataFrame,
    *,
    group_col: str = "group",
    treatment: Any = "treatment",
    control: Any = "holdout",
    outcome_col: str | None = "revenue_7d",
    conversion_col: str | None = "converted_7d",
    by: Any = "campaign_id",
    alpha: float = 0.05,
) -> IncrementalEffect:
    """What a campaign added: treatment against holdout, per customer and scaled to the treated group.

    For every group of ``by`` (every campaign), compares the customers who received the campaign
    (``treatment``) with the randomly held-out ones (``control``). The holdout shows what the treated
    customers would have done without the campaign, so

    * the **lift** per treated customer is ``mean(treatment) - mean(control)`` of the outcome (e.g.
      7-day revenue), with a Welch t interval;
    * the **conversion lift** is the difference in conversion rates, with a normal (Wald) interval;
    * the **incremental outcome** and **incremental conversions** are those lifts times the number of
      treated customers: what the campaign added over the whole treated group.

    Parameters
    ----------
    exposures : pandas.DataFrame
        One row per targeted customer and campaign, as the world's ``campaign_exposures``.
    group_col : str, default "group"
        Column with the group of each row.
    treatment, control : default "treatment", "holdout"
        The labels of the contacted and the held-out groups in ``group_col``. Any other label is an
        error (filter the rows first).
    outcome_col : str or None, default "revenue_7d"
        Numeric outcome per customer (revenue, margin, orders ...); None to skip it.
    conversion_col : str or None, default "converted_7d"
        Conversion flag per customer (bool or 0/1); None to skip it. At least one of ``outcome_col``
        and ``conversion_col`` is needed.
    by : str, list of str or None, default "campaign_id"
        Column(s) to compute the effect for separately; None for one effect over all rows.
    alpha : float, default 0.05
        ``1 - confidence level`` of the intervals (0.05 gives 95% intervals).

    Returns
    -------
    IncrementalEffect
        ``table`` indexed by ``by`` (or the row ``"all"``) with ``n_treatment`` and ``n_control``, then
        for the conversion flag ``conversion_treatment``, ``conversion_control`` (rates),
        ``conversion_lift``, ``conversion_lift_ci_low``, ``conversion_lift_ci_high``,
        ``incremental_conversions``, ``incremental_conversions_ci_low``,
        ``incremental_conversions_ci_high``; and for the outcome ``mean_treatment``, ``mean_control``
        (per customer), ``lift``, ``lift_se``, ``lift_ci_low``, ``lift_ci_high``, ``p_value`` (two-sided
        Welch test of no difference), ``incremental_outcome``, ``incremental_outcome_ci_low``,
        ``incremental_outcome_ci_high``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing group labels or ``by`` values, labels other than ``treatment`` and
        ``control``, a group of ``by`` without treated or without held-out customers (or with fewer
        than two of either, when an outcome is given), missing outcomes or conversion flags, a
        non-numeric outcome, a conversion flag other than 0/1, or ``alpha`` outside (0, 1).

    Notes
    -----
    The intervals are large-sample approximations (see the module notes). Randomisation is what
    makes the difference causal: if the holdout was not drawn at random from the same targeted
    customers, the difference is only a comparison.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({
    ...     "campaign_id": ["A"] * 6 + ["B"] * 4,
    ...     "group": ["treatment"] * 4 + ["holdout"] * 2 + ["treatment", "treatment", "holdout", "holdout"],
    ...     "converted_7d": [1, 1, 0, 0, 1, 0, 1, 0, 0, 0],
    ...     "revenue_7d": [100.0, 60.0, 0.0, 0.0, 40.0, 0.0, 80.0, 0.0, 0.0, 0.0]})
    >>> eff = incremental_effect(x)
    >>> eff.table[["n_treatment", "n_control", "conversion_lift", "incremental_conversions"]]
                 n_treatment  n_control  conversion_lift  incremental_conversions
    campaign_id                                                                  
    A                      4          2              0.0                      0.0
    B                      2          2              0.5                      1.0
    >>> eff.table[["mean_treatment", "mean_control", "lift", "incremental_outcome"]]
                 mean_treatment  mean_control  lift  incremental_outcome
    campaign_id                                                         
    A                      40.0          20.0  20.0                 80.0
    B                      40.0           0.0  40.0                 80.0
    >>> incremental_effect(x[x["campaign_id"] == "A"].replace({"holdout": "control"}))
    Traceback (most recent call last):
    ...
    ValueError: Column 'group' of `exposures` has labels other than 'treatment' and 'holdout': 'control' (2 rows). Filter them out, or pass treatment=/control= to name the groups.
    """
    v.require_frame(exposures, name="exposures")
    if outcome_col is None and conversion_col is None:
        raise ValueError("Pass at least one of `outcome_col` and `conversion_col`.")
    by_cols = _by_columns(by)
    needed = [group_col, *by_cols] + [c for c in (outcome_col, conversion_col) if c is not None]
    v.require_columns(exposures, needed, name="exposures")
    v.require_no_missing(exposures, group_col, name="exposures")
    for col in by_cols:
        v.require_no_missing(exposures, col, name="exposures")
    try:
        same = bool(treatment == control)
    except (TypeError, ValueError):
        same = False
    if same:
        raise ValueError(f"`treatment` and `control` must be different labels; both are {v._fmt_scalar(treatment)}.")
    labels = exposures[group_col]
    other = ~(labels.eq(treatment) | labels.eq(control))
    if other.any():
        found = pd.unique(labels[other])
        raise ValueError(
            f"Column {group_col!r} of `exposures` has labels other than {v._fmt_scalar(treatment)} and "
            f"{v._fmt_scalar(control)}: {v._fmt_list(found[:8])} ({v._plural(int(other.sum()), 'row')}). "
            "Filter them out, or pass treatment=/control= to name the groups."
        )
    if outcome_col is not None:
        v.require_numeric(exposures, outcome_col, name="exposures")
    if conversion_col is not None:
        v.require_binary(exposures, conversion_col, name="exposures")
    alpha = float(v.require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False,
                                     high_inclusive=False))

    is_t = labels.eq(treatment).to_numpy()
    keys = [exposures[c] for c in by_cols] if by_cols else [pd.Series("all", index=exposures.index)]
    data = pd.DataFrame({"_t": is_t}, index=exposures.index)
    if outcome_col is not None:
        data["_y"] = exposures[outcome_col].astype(float)
    if conversion_col is not None:
        data["_c"] = exposures[conversion_col].astype(float)
    grouped = data.groupby([*keys, data["_t"]], sort=True)
    n = grouped.size().unstack("_t")
    n = n.reindex(columns=[True, False])
    missing_t = n.index[n[True].isna()].tolist()
    missing_c = n.index[n[False].isna()].tolist()
    where = "in `exposures`" if not by_cols else f"for {by_cols[0] if len(by_cols) == 1 else tuple(by_cols)}"
    if missing_c:
        raise ValueError(f"No {v._fmt_scalar(control)} (control) rows {where} {v._fmt_list(missing_c[:8])}: "
                         "without a holdout group the incremental effect cannot be measured.")
    if missing_t:
        raise ValueError(f"No {v._fmt_scalar(treatment)} rows {where} {v._fmt_list(missing_t[:8])}: nothing "
                         "was measured on contacted customers.")
    n = n.astype("int64")
    n1, n0 = n[True].to_numpy(dtype=float), n[False].to_numpy(dtype=float)
    if outcome_col is not None:
        small = n.index[(n[True] < 2) | (n[False] < 2)].tolist()
        if small:
            raise ValueError(f"Need at least 2 treated and 2 control customers {where} {v._fmt_list(small[:8])} "
                             "to estimate the variance of the outcome.")
    index = n.index
    if not by_cols:
        index = pd.Index(["all"])
    elif len(by_cols) == 1:
        index = index.rename(by_cols[0])
    else:
        index = index.set_names(by_cols)
    out = pd.DataFrame({"n_treatment": n[True].to_numpy(), "n_control": n[False].to_numpy()}, index=index)
    z = stats.norm.ppf(1 - alpha / 2)
    if conversion_col is not None:
        r = grouped["_c"].mean().unstack("_t").reindex(columns=[True, False])
        p1, p0 = r[True].to_numpy(), r[False].to_numpy()
        lift = p1 - p0
        se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        out["conversion_treatment"] = p1
        out["conversion_control"] = p0
        out["conversion_lift"] = lift
        out["conversion_lift_ci_low"] = lift - z * se
        out["conversion_lift_ci_high"] = lift + z * se
        out["incremental_conversions"] = lift * n1
        out["incremental_conversions_ci_low"] = (lift - z * se) * n1
        out["incremental_conversions_ci_high"] = (lift + z * se) * n1
    if outcome_col is not None:
        m = grouped["_y"].mean().unstack("_t").reindex(columns=[True, False])
        var = grouped["_y"].var(ddof=1).unstack("_t").reindex(columns=[True, False])
        m1, m0 = m[True].to_numpy(), m[False].to_numpy()
        diff, se, low, high, p = _welch(m1, var[True].to_numpy(), n1, m0, var[False].to_numpy(), n0, alpha)
        out["mean_treatment"] = m1
        out["mean_control"] = m0
        out["lift"] = diff
        out["lift_se"] = se
        out["lift_ci_low"] = low
        out["lift_ci_high"] = high
        out["p_value"] = p
        out["incremental_outcome"] = diff * n1
        out["incremental_outcome_ci_low"] = low * n1
        out["incremental_outcome_ci_high"] = high * n1
    return IncrementalEffect(table=out, alpha=alpha, outcome_col=outcome_col, conversion_col=conversion_col,
                             treatment=treatment, control=control)


# --------------------------------------------------------------------------- #
# Naive vs incremental ROI per campaign
# --------------------------------------------------------------------------- #
def campaign_roi_table(
    exposures: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    margin: float,
    campaign_col: str = "campaign_id",
    cost_col: str = "cost",
    group_col: str = "group",
    treatment: Any = "treatment",
    control: Any = "holdout",
    outcome_col: str = "revenue_7d",
    conversion_col: str | None = "converted_7d",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Naive against incremental marketing ROI per campaign, with the incremental ROI's interval.

    * **Naive**: every yuan the treated customers spent in the outcome window counts as brought by
      the campaign: ``profit = sum(outcome of the treated) * margin``.
    * **Incremental**: only what they spent *more* than the holdout group, per customer, times the
      number of treated customers: ``profit = incremental_outcome * margin`` (see
      :func:`incremental_effect`).

    Both ROIs are ``(profit - cost) / cost`` (:func:`marketing_roi`). The interval of the incremental
    ROI is the interval of the incremental outcome passed through the same formula (cost and margin
    taken as known), and ``roi_verdict`` reads it: ``"profitable"`` if the whole interval is above 0,
    ``"loss-making"`` if it is below 0, ``"inconclusive"`` if it spans 0 (the data cannot tell).

    Parameters
    ----------
    exposures : pandas.DataFrame
        One row per targeted customer and campaign (the world's ``campaign_exposures``).
    campaigns : pandas.DataFrame
        One row per campaign with its cost; campaigns without exposures are left out of the result.
    margin : float
        Gross margin rate in [0, 1] that turns the outcome (revenue) into profit.
    campaign_col, cost_col : str
        Campaign id (in both frames) and cost (in ``campaigns``; > 0) columns.
    group_col, treatment, control, outcome_col, conversion_col, alpha
        As in :func:`incremental_effect` (``outcome_col`` is required here).

    Returns
    -------
    pandas.DataFrame
        Indexed by campaign: ``cost``, ``n_treatment``, ``n_control``, ``naive_revenue``,
        ``naive_profit``, ``naive_roi``, ``incremental_revenue`` (with ``_ci_low``/``_ci_high``),
        ``incremental_profit``, ``incremental_roi``, ``incremental_roi_ci_low``,
        ``incremental_roi_ci_high``, ``roi_verdict``, and, with a conversion flag,
        ``incremental_conversions``. "Revenue" stands for whatever ``outcome_col`` holds.

    Raises
    ------
    KeyError
        If a column is missing, or a campaign of ``exposures`` has no row in ``campaigns``.
    ValueError
        As :func:`incremental_effect`; and for a cost <= 0 or missing, repeated campaign ids in
        ``campaigns``, or a ``margin`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"campaign_id": ["A"] * 8,
    ...                   "group": ["treatment"] * 4 + ["holdout"] * 4,
    ...                   "converted_7d": [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   "revenue_7d": [200.0, 100.0, 100.0, 0.0, 100.0, 0.0, 0.0, 0.0]})
    >>> c = pd.DataFrame({"campaign_id": ["A", "Z"], "cost": [50.0, 10.0]})
    >>> t = campaign_roi_table(x, c, margin=0.5)
    >>> t.loc["A", ["naive_revenue", "naive_roi", "incremental_revenue", "incremental_roi", "roi_verdict"]]
    naive_revenue                 400.0
    naive_roi                       3.0
    incremental_revenue           300.0
    incremental_roi                 2.0
    roi_verdict            inconclusive
    Name: A, dtype: object
    """
    v.require_frame(campaigns, name="campaigns")
    v.require_columns(campaigns, [campaign_col, cost_col], name="campaigns")
    v.require_no_missing(campaigns, campaign_col, name="campaigns")
    v.require_numeric(campaigns, cost_col, name="campaigns")
    margin = float(v.require_in_range(margin, name="margin", low=0, high=1))
    if outcome_col is None:
        raise ValueError("`outcome_col` is required: the ROI needs an outcome in currency units (revenue).")
    dup = campaigns[campaign_col].duplicated()
    if dup.any():
        raise ValueError(f"Column {campaign_col!r} of `campaigns` repeats "
                         f"{v._fmt_list(pd.unique(campaigns.loc[dup, campaign_col])[:8])}; one row per campaign.")
    eff = incremental_effect(exposures, group_col=group_col, treatment=treatment, control=control,
                             outcome_col=outcome_col, conversion_col=conversion_col, by=campaign_col,
                             alpha=alpha).table
    cost_by = campaigns.set_index(campaign_col)[cost_col]
    missing = [k for k in eff.index if k not in cost_by.index]
    if missing:
        raise KeyError(f"`campaigns` has no row for campaign {v._fmt_list(missing[:8])} of `exposures`.")
    cost = cost_by.reindex(eff.index).astype(float)
    treated = exposures[exposures[group_col].eq(treatment)]
    naive_rev = treated.groupby(campaign_col)[outcome_col].sum().reindex(eff.index).astype(float)
    out = pd.DataFrame({"cost": cost, "n_treatment": eff["n_treatment"], "n_control": eff["n_control"]},
                       index=eff.index)
    out["naive_revenue"] = naive_rev
    out["naive_profit"] = naive_rev * margin
    out["naive_roi"] = marketing_roi(out["naive_profit"], cost)
    out["incremental_revenue"] = eff["incremental_outcome"]
    out["incremental_revenue_ci_low"] = eff["incremental_outcome_ci_low"]
    out["incremental_revenue_ci_high"] = eff["incremental_outcome_ci_high"]
    out["incremental_profit"] = eff["incremental_outcome"] * margin
    out["incremental_roi"] = marketing_roi(out["incremental_profit"], cost)
    out["incremental_roi_ci_low"] = marketing_roi(eff["incremental_outcome_ci_low"] * margin, cost)
    out["incremental_roi_ci_high"] = marketing_roi(eff["incremental_outcome_ci_high"] * margin, cost)
    out["roi_verdict"] = np.select(
        [out["incremental_roi_ci_low"] > 0, out["incremental_roi_ci_high"] < 0],
        [_VERDICTS[0], _VERDICTS[1]], _VERDICTS[2])
    if conversion_col is not None:
        out["incremental_conversions"] = eff["incremental_conversions"]
    return out
