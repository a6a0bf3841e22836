"""Customer lifecycle: stages with explicit rules, stage transitions, activation, cohorts, survival.

The stages follow seed 001's lifecycle (客户生命周期): **prospect** (signed up, no purchase yet),
**new**, **stable** and **declining** customers, plus **churned** for customers who have been silent so
long that they are best treated as lost. A stage is always computed *as of* a moment, from the orders
placed at or before it, with the rules in :data:`DEFAULT_RULES` (which a caller can override).

All functions take a frame first, name columns with keyword arguments whose defaults match the course
world's schema (``customer_id``, ``order_ts``, ``signup_ts``), validate their input and return new
objects; inputs are never modified. Time-dependent functions take ``as_of``: a date without a time
means midnight at the *start* of that day, as in :func:`opsutils.segmentation.rfm_table`, so
``as_of="2026-01-01"`` sees every order of 2025.

Survival of the time to a second purchase uses statsmodels' Kaplan-Meier estimator
(:class:`statsmodels.duration.survfunc.SurvfuncRight`); activation confidence intervals use
:func:`statsmodels.stats.proportion.proportion_confint` (Wilson).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from opsutils import _validation as v

__all__ = [
    "STAGES",
    "DEFAULT_RULES",
    "lifecycle_stages",
    "StageTransitions",
    "stage_transitions",
    "Activation",
    "activation_rate",
    "CohortRetention",
    "cohort_retention",
    "time_to_next_purchase",
    "Survival",
    "survival_curve",
]

#: The lifecycle stages in their natural order (seed 001's four, plus churned).
STAGES: tuple[str, ...] = ("prospect", "new", "stable", "declining", "churned")

#: Default stage rules, in whole days (read-only; pass ``rules={...}`` to override some of them).
#:
#: * ``new_days`` (90): a buyer whose **first** purchase is at most this many days old is *new*.
#: * ``declining_days`` (90): a buyer silent for more than this many days is *declining*; so is a
#:   one-time buyer past the new window (no second purchase yet).
#: * ``churned_days`` (365): a buyer silent for more than this many days is *churned*.
#: * ``declining_factor`` (None): if set (a number > 1), a repeat buyer silent for more than this
#:   many times their own typical (median) interval between purchase days is *declining* too.
#:
#: Why these numbers for the course's tea brand: half of its repeat purchases come within about 17
#: days of the previous one and 87% within 90 days, so 90 days of silence is unusual; a customer
#: silent for 90-120 days has roughly a one-in-three chance of buying in the next six months,
#: against seven in ten for one who bought in the last month. Fewer than 2% of repeat intervals
#: exceed a year, and a year also covers customers who buy only at one yearly festival (618 or
#: Double 11), so 365 days marks churn. The new window equals the declining threshold, so a
#: one-time buyer moves straight from new to declining when 90 days pass without a second purchase.
DEFAULT_RULES: Mapping[str, Any] = MappingProxyType({
    "new_days": 90,
    "declining_days": 90,
    "churned_days": 365,
    "declining_factor": None,
})

_PERIODS = ("W", "M", "Q")
_DAY = pd.Timedelta(days=1)


# --------------------------------------------------------------------------- #
# Private checks and helpers
# --------------------------------------------------------------------------- #
def _check_rules(rules) -> dict[str, Any]:
    """Merge ``rules`` into :data:`DEFAULT_RULES` and check that they are possible."""
    if rules is None:
        return dict(DEFAULT_RULES)
    if not isinstance(rules, Mapping):
        raise TypeError(f"`rules` must be a dict such as {{'new_days': 30}}, got {type(rules).__name__}.")
    unknown = [k for k in rules if k not in DEFAULT_RULES]
    if unknown:
        raise ValueError(f"`rules` has unknown key(s) {unknown}; allowed keys are {list(DEFAULT_RULES)}.")
    out = {**DEFAULT_RULES, **rules}
    for key in ("new_days", "declining_days", "churned_days"):
        out[key] = v.require_positive_int(out[key], name=f"rules['{key}']")
    if not out["new_days"] <= out["declining_days"] < out["churned_days"]:
        raise ValueError(
            "`rules` overlap: they need new_days <= declining_days < churned_days; got "
            f"new_days={out['new_days']}, declining_days={out['declining_days']}, churned_days={out['churned_days']}."
        )
    if out["declining_factor"] is not None:
        out["declining_factor"] = float(v.require_in_range(out["declining_factor"], name="rules['declining_factor']",
                                                           low=1, low_inclusive=False))
    return out


def _require_unique(df: pd.DataFrame, column: str, *, name: str) -> None:
    dup = df[column].duplicated()
    if dup.any():
        examples = ", ".join(repr(x) for x in df.loc[dup, column].unique()[:3])
        raise ValueError(f"Column {column!r} of `{name}` must be unique (one row per customer); "
                         f"{int(dup.sum())} repeated value(s), e.g. {examples}.")


def _require_customers(customers, *, customer_col: str, signup_col: str, extra=()) -> None:
    v.require_frame(customers, name="customers")
    v.require_columns(customers, [customer_col, signup_col, *extra], name="customers")
    v.require_no_missing(customers, customer_col, name="customers")
    v.require_datetime(customers, signup_col, name="customers")
    _require_unique(customers, customer_col, name="customers")


def _require_shared_ids(orders, customers, *, customer_col: str) -> None:
    """Orders whose ids are not customers are ignored; none in common is almost surely a mistake."""
    # (a set test: Series.isin on two Arrow string columns is slow in pandas 3)
    if set(customers[customer_col].unique()).isdisjoint(orders[customer_col].unique()):
        raise ValueError(
            f"No value of column {customer_col!r} of `orders` occurs in `customers` (e.g. "
            f"{orders[customer_col].iloc[0]!r} vs {customers[customer_col].iloc[0]!r}); check that both tables "
            "use the same ids and type.")


def _columns_arg(by, *, name: str) -> list[str]:
    if by is None:
        return []
    cols = [by] if isinstance(by, str) else list(by) if isinstance(by, Iterable) else [by]
    if not cols:
        raise ValueError(f"`{name}` must name at least one column; got an empty list.")
    return cols


def _require_filled(df: pd.DataFrame, columns: list[str], *, name: str) -> None:
    for col in columns:
        n = int(df[col].isna().sum())
        if n:
            raise ValueError(f"Column {col!r} of `{name}` has {n} missing value(s); fill them (e.g. with "
                             "'unknown') before grouping by it.")


def _whole_days(delta: pd.Series) -> pd.Series:
    """Whole days (floor) of a timedelta Series, as nullable integers."""
    return (delta // _DAY).astype("Int64")


def _stage_table(orders: pd.DataFrame, customers: pd.DataFrame, as_of: pd.Timestamp, rules: dict, *,
                 customer_col: str, date_col: str, signup_col: str) -> pd.DataFrame:
    """Core of :func:`lifecycle_stages` (inputs already validated)."""
    past = orders.loc[orders[date_col] <= as_of, [customer_col, date_col]]
    g = past.groupby(customer_col, sort=False)[date_col]
    stats = pd.DataFrame({"first_order_ts": g.min(), "last_order_ts": g.max(), "n_orders": g.size()})
    days = past.assign(_day=past[date_col].dt.floor("D"))[[customer_col, "_day"]].drop_duplicates()
    days = days.sort_values([customer_col, "_day"], kind="stable")
    gaps = days.groupby(customer_col, sort=False)["_day"].diff() / _DAY
    stats["n_purchase_days"] = days.groupby(customer_col, sort=False).size()
    stats["typical_interval_days"] = gaps.groupby(days[customer_col], sort=False).median()

    cust = customers[[customer_col, signup_col]].set_index(customer_col)
    out = cust.join(stats, how="left")
    known = (out[signup_col] <= as_of) | out["first_order_ts"].notna()
    out = out.loc[known].sort_index()
    out["n_orders"] = out["n_orders"].fillna(0).astype("int64")
    out["n_purchase_days"] = out["n_purchase_days"].fillna(0).astype("int64")
    out["days_since_first"] = _whole_days(as_of - out["first_order_ts"])
    out["days_since_last"] = _whole_days(as_of - out["last_order_ts"])

    buyer = out["n_orders"].to_numpy() > 0
    d_first = out["days_since_first"].fillna(-1).to_numpy(dtype="int64")
    d_last = out["days_since_last"].fillna(-1).to_numpy(dtype="int64")
    once = out["n_purchase_days"].to_numpy() == 1
    declining = (d_last > rules["declining_days"]) | once
    if rules["declining_factor"] is not None:
        typical = out["typical_interval_days"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            declining |= (~once) & (d_last > rules["declining_factor"] * typical)
    code = np.select(
        [~buyer, d_last > rules["churned_days"], d_first <= rules["new_days"], declining],
        [0, 4, 1, 3],
        default=2,
    )
    out.insert(0, "stage", pd.Categorical.from_codes(code, categories=list(STAGES), ordered=True))
    out.index.name = customer_col
    return out


# --------------------------------------------------------------------------- #
# Stages
# --------------------------------------------------------------------------- #
def lifecycle_stages(orders: pd.DataFrame, customers: pd.DataFrame, *, as_of, rules: Mapping | None = None,
                     customer_col: str = "customer_id", date_col: str = "order_ts",
                     signup_col: str = "signup_ts") -> pd.DataFrame:
    """Each customer's lifecycle stage as of a moment, by explicit rules.

    A customer is *known* at ``as_of`` if they signed up or ordered at or before it; only orders at or
    before ``as_of`` count. Days are whole days (``as_of`` minus the order time, rounded down) and a
    *purchase day* is a calendar day with at least one order (two orders on one day are one purchase
    occasion). The rules are checked in this order, the first that applies wins:

    1. **prospect**: no order yet (signed up, not converted);
    2. **churned**: last order more than ``churned_days`` ago;
    3. **new**: first order at most ``new_days`` ago;
    4. **declining**: last order more than ``declining_days`` ago, or a single purchase day (no
       repeat purchase after the new window), or, if ``declining_factor`` is set, silent for more
       than ``declining_factor`` times the customer's own median interval between purchase days;
    5. **stable**: everybody else, i.e. repeat buyers past the new window who bought recently.

    See :data:`DEFAULT_RULES` for the defaults (90 / 90 / 365 days) and why they fit the course's tea
    brand; your own business needs its own thresholds, read from its own inter-purchase intervals.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order (filter first to the orders that count, e.g. completed ones). Orders of ids
        that are not in ``customers`` are ignored.
    customers : pandas.DataFrame
        One row per customer, with a sign-up time.
    as_of : str or Timestamp
        The moment the stages describe.
    rules : dict, optional
        Overrides of :data:`DEFAULT_RULES` (e.g. ``{"churned_days": 180}``). They must satisfy
        ``0 < new_days <= declining_days < churned_days`` and ``declining_factor`` > 1 (or None).
    customer_col, date_col, signup_col : str
        Customer id and order time (in ``orders``), customer id and sign-up time (in ``customers``).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted), one row per customer known at ``as_of``: ``stage`` (ordered
        categorical, :data:`STAGES`), ``signup_ts``, ``first_order_ts``, ``last_order_ts``,
        ``n_orders``, ``n_purchase_days``, ``typical_interval_days`` (median days between purchase
        days, NaN with fewer than two), ``days_since_first`` and ``days_since_last`` (whole days,
        missing for prospects).

    Raises
    ------
    KeyError
        If a column is missing.
    TypeError
        If ``rules`` is not a dict.
    ValueError
        For empty frames, missing ids or timestamps, repeated customer ids, no id in common, an
        unreadable ``as_of``, no customer known at it, and impossible or unknown rules.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
    ...                           "signup_ts": pd.to_datetime(["2024-01-05"] * 4 + ["2025-06-01"])})
    >>> orders = pd.DataFrame({"customer_id": ["b", "c", "c", "d", "d"],
    ...                        "order_ts": pd.to_datetime(["2025-05-20", "2024-03-01", "2025-05-01",
    ...                                                    "2024-02-01", "2024-06-01"])})
    >>> lifecycle_stages(orders, customers, as_of="2025-07-01")[["stage", "n_orders", "days_since_last"]]
                    stage  n_orders  days_since_last
    customer_id                                     
    a            prospect         0             <NA>
    b                 new         1               42
    c              stable         2               61
    d             churned         2              395
    e            prospect         0             <NA>
    >>> lifecycle_stages(orders, customers, as_of="2025-07-01",
    ...                  rules={"new_days": 30, "declining_days": 60})["stage"]["c"]
    'declining'
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col)
    _require_customers(customers, customer_col=customer_col, signup_col=signup_col)
    as_of = v.require_timestamp(as_of, name="as_of")
    rules = _check_rules(rules)
    _require_shared_ids(orders, customers, customer_col=customer_col)
    out = _stage_table(orders, customers, as_of, rules, customer_col=customer_col, date_col=date_col,
                       signup_col=signup_col)
    if out.empty:
        raise ValueError(f"No customer is known at as_of={as_of} (signed up or ordered at or before it); "
                         f"the earliest sign-up is {customers[signup_col].min()}.")
    return out


@dataclass(frozen=True)
class StageTransitions:
    """Result of :func:`stage_transitions`: month-over-month (or date-to-date) stage flows."""

    counts: pd.DataFrame
    shares: pd.DataFrame
    sizes: pd.DataFrame = field(repr=False)
    entered: pd.DataFrame = field(repr=False)
    by_period: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Pooled transitions, one row per (from, to) pair: ``from_stage``, ``to_stage``, ``n``, ``share``."""
        n = self.counts.stack().rename("n")
        share = self.shares.stack().rename("share")
        return pd.concat([n, share], axis=1).reset_index()


def stage_transitions(orders: pd.DataFrame, customers: pd.DataFrame, *, dates=None, start=None, end=None,
                      freq: str = "MS", rules: Mapping | None = None, customer_col: str = "customer_id",
                      date_col: str = "order_ts", signup_col: str = "signup_ts") -> StageTransitions:
    """Stage-to-stage transitions between consecutive dates (by default the first day of each month).

    The stages of :func:`lifecycle_stages` are computed at each date; every customer known at one date
    is followed to the next, which gives a transition matrix per period. The matrices are added up
    over the periods (``counts``) and each row divided by its total (``shares``: of the customers in a
    stage at the start of a period, the share in each stage at its end). Customers who become known
    during a period are not in the matrix; their first stage is in ``entered``.

    Parameters
    ----------
    orders, customers : pandas.DataFrame
        As in :func:`lifecycle_stages`.
    dates : sequence of dates, optional
        Two or more strictly increasing moments. Give either ``dates`` or ``start`` and ``end``.
    start, end : str or Timestamp, optional
        First and last date; the dates are ``pandas.date_range(start, end, freq=freq)``.
    freq : str, default "MS"
        pandas frequency of the dates between ``start`` and ``end`` ("MS": month starts).
    rules : dict, optional
        Overrides of :data:`DEFAULT_RULES`.
    customer_col, date_col, signup_col : str
        Column names, as in :func:`lifecycle_stages`.

    Returns
    -------
    StageTransitions
        ``counts`` (from-stage rows x to-stage columns, summed over periods), ``shares`` (row shares,
        NaN for an empty row), ``sizes`` (one row per date: customers in each stage), ``entered`` (one
        row per period end: stage of the customers who became known during the period) and
        ``by_period`` (tidy: ``period_start``, ``period_end``, ``from_stage``, ``to_stage``, ``n``).

    Raises
    ------
    KeyError, TypeError, ValueError
        As :func:`lifecycle_stages`; also for both or neither of ``dates`` and ``start``/``end``,
        fewer than two dates, dates that are not strictly increasing, an unknown ``freq``.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"], "signup_ts": pd.to_datetime(["2025-01-01"] * 2)})
    >>> orders = pd.DataFrame({"customer_id": ["a", "a"],
    ...                        "order_ts": pd.to_datetime(["2025-01-10", "2025-05-01"])})
    >>> tr = stage_transitions(orders, customers, dates=["2025-02-01", "2025-06-01"])
    >>> tr.counts.loc[["prospect", "new"], ["prospect", "new", "stable"]]
    to_stage    prospect  new  stable
    from_stage                       
    prospect           1    0       0
    new                0    0       1
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col)
    _require_customers(customers, customer_col=customer_col, signup_col=signup_col)
    rules = _check_rules(rules)
    if dates is not None and (start is not None or end is not None):
        raise ValueError("Give either `dates` or `start` and `end`, not both.")
    if dates is None:
        if start is None or end is None:
            raise ValueError("Give `dates` (two or more moments) or both `start` and `end`.")
        start_ts = v.require_timestamp(start, name="start")
        end_ts = v.require_timestamp(end, name="end")
        try:
            grid = list(pd.date_range(start_ts, end_ts, freq=freq))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`freq` must be a pandas frequency such as 'MS' (month starts) or 'W'; "
                             f"got {freq!r}.") from exc
    else:
        if isinstance(dates, (str, bytes)) or not isinstance(dates, Iterable):
            raise ValueError(f"`dates` must be a list of two or more dates; got {dates!r}.")
        grid = [v.require_timestamp(d, name="dates") for d in dates]
    if len(grid) < 2:
        raise ValueError(f"Transitions need at least two dates; got {len(grid)}.")
    if any(b <= a for a, b in zip(grid[:-1], grid[1:])):
        raise ValueError(f"`dates` must be strictly increasing; got {[str(d) for d in grid]}.")
    _require_shared_ids(orders, customers, customer_col=customer_col)

    # Work on integer customer codes (much faster than string ids when the stages are computed many times).
    ids = pd.Index(customers[customer_col])
    o_codes = ids.get_indexer(orders[customer_col])
    keep = o_codes >= 0
    o_int = pd.DataFrame({"c": o_codes[keep], "t": orders[date_col].to_numpy()[keep]})
    c_int = pd.DataFrame({"c": np.arange(len(ids)), "s": customers[signup_col].to_numpy()})
    k = len(STAGES)
    codes = []  # per date: the stage code of every customer, -1 if not known yet
    for d in grid:
        st = _stage_table(o_int, c_int, d, rules, customer_col="c", date_col="t", signup_col="s")["stage"]
        arr = np.full(len(ids), -1, dtype=np.int64)
        arr[st.index.to_numpy()] = st.cat.codes.to_numpy()
        codes.append(arr)
    sizes = pd.DataFrame([np.bincount(a[a >= 0], minlength=k) for a in codes],
                         index=pd.DatetimeIndex(grid, name="date"), columns=pd.Index(list(STAGES), name="stage"))
    cat = pd.CategoricalDtype(list(STAGES), ordered=True)
    rows, entered = [], []
    for a, b, c0, c1 in zip(grid[:-1], grid[1:], codes[:-1], codes[1:]):
        both = c0 >= 0
        m = np.bincount(c0[both] * k + c1[both], minlength=k * k)
        rows.append(pd.DataFrame({"period_start": a, "period_end": b,
                                  "from_stage": np.repeat(list(STAGES), k), "to_stage": list(STAGES) * k, "n": m}))
        entered.append(np.bincount(c1[(c0 < 0) & (c1 >= 0)], minlength=k))
    by_period = pd.concat(rows, ignore_index=True)
    by_period["from_stage"] = by_period["from_stage"].astype(cat)
    by_period["to_stage"] = by_period["to_stage"].astype(cat)
    by_period["n"] = by_period["n"].astype("int64")
    counts = pd.DataFrame(np.sum([r["n"].to_numpy().reshape(k, k) for r in rows], axis=0).astype("int64"),
                          index=pd.Index(list(STAGES), name="from_stage"),
                          columns=pd.Index(list(STAGES), name="to_stage"))
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0)
    entered_df = pd.DataFrame(entered, index=pd.DatetimeIndex(grid[1:], name="period_end"),
                              columns=pd.Index(list(STAGES), name="stage")).astype("int64")
    return StageTransitions(counts=counts, shares=shares, sizes=sizes, entered=entered_df, by_period=by_period)


# --------------------------------------------------------------------------- #
# Activation
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Activation:
    """Result of :func:`activation_rate`."""

    table: pd.DataFrame
    overall: pd.DataFrame = field(repr=False)
    days: int
    as_of: pd.Timestamp
    n_excluded: int
    confidence: float

    @property
    def rate(self) -> float:
        """The overall activation rate (all eligible sign-ups)."""
        return float(self.overall["rate"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (or the single row ``"all"`` when no grouping was asked for)."""
        return self.table.copy()


def activation_rate(customers: pd.DataFrame, orders: pd.DataFrame, *, as_of, days: int = 7, by=None,
                    target: float | None = None, confidence: float = 0.95, customer_col: str = "customer_id",
                    signup_col: str = "signup_ts", date_col: str = "order_ts") -> Activation:
    """Share of sign-ups whose first purchase came within ``days`` of signing up, with Wilson intervals.

    A sign-up is **activated** if the customer's first order (at or before ``as_of``) is placed no
    later than ``signup_ts + days`` (the bound included). A first order *before* sign-up (e.g. a
    guest order linked to the membership later) counts as activated: the customer is already a
    buyer. Only sign-ups with a **complete window** count: ``signup_ts + days <= as_of``. Later
    sign-ups are too recent to judge (a customer who signed up yesterday has had no chance to buy
    within 7 days yet); they are left out and counted in ``n_excluded``. Sign-ups after ``as_of``
    are ignored.

    This is the definition behind the course world's truth (``world.truth.params["activation"]``):
    with all orders and ``as_of="2026-01-01"`` it gives its ``realised_rate`` and
    ``realised_by_signup_channel`` exactly.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer, with a sign-up time (and the ``by`` columns).
    orders : pandas.DataFrame
        One row per purchase: the order table, or purchase events (``date_col="ts"``, anonymous
        events dropped first).
    as_of : str or Timestamp
        End of observation.
    days : int, default 7
        Length of the activation window (seed 001: 7 days, target 65%).
    by : str or list of str, optional
        Column(s) of ``customers`` to break the rate down by, e.g. ``"signup_channel"``.
    target : float, optional
        A target rate in (0, 1); adds ``target``, ``gap`` (rate - target), ``meets_target`` and
        ``significantly_below`` (the whole interval is below the target).
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.
    customer_col, signup_col, date_col : str
        Column names.

    Returns
    -------
    Activation
        ``table`` (one row per group, or the row ``"all"``): ``n_signups``, ``n_activated``, ``rate``,
        ``ci_low``, ``ci_high`` (and the target columns); ``overall`` (the same for all sign-ups);
        ``rate`` (overall rate), ``days``, ``as_of``, ``n_excluded``, ``confidence``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For empty frames, missing ids, timestamps or group values, repeated customer ids, no id in
        common, ``days`` < 1, a ``target`` or ``confidence`` outside (0, 1), an unreadable
        ``as_of``, or no sign-up with a complete window.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"],
    ...                           "signup_ts": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02",
    ...                                                        "2025-01-03", "2025-01-30"]),
    ...                           "signup_channel": ["app", "app", "web", "web", "web"]})
    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                        "order_ts": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-09"])})
    >>> act = activation_rate(customers, orders, as_of="2025-02-01", by="signup_channel")
    >>> act.table[["n_signups", "n_activated", "rate"]]
                    n_signups  n_activated  rate
    signup_channel                              
    app                     2            1   0.5
    web                     2            1   0.5
    >>> act.n_excluded, act.rate
    (1, 0.5)
    """
    from statsmodels.stats.proportion import proportion_confint

    by_cols = _columns_arg(by, name="by")
    _require_customers(customers, customer_col=customer_col, signup_col=signup_col, extra=by_cols)
    _require_filled(customers, by_cols, name="customers")
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col)
    as_of = v.require_timestamp(as_of, name="as_of")
    days = v.require_positive_int(days, name="days")
    if target is not None:
        target = float(v.require_in_range(target, name="target", low=0, high=1, low_inclusive=False,
                                          high_inclusive=False))
    confidence = float(v.require_in_range(confidence, name="confidence", low=0, high=1, low_inclusive=False,
                                          high_inclusive=False))
    _require_shared_ids(orders, customers, customer_col=customer_col)

    window = pd.Timedelta(days=days)
    cust = customers.loc[customers[signup_col] <= as_of, [customer_col, signup_col, *by_cols]]
    complete = cust[signup_col] + window <= as_of
    n_excluded = int((~complete).sum())
    cust = cust.loc[complete]
    if cust.empty:
        raise ValueError(f"No sign-up has a complete {days}-day window by as_of={as_of} (sign-ups up to "
                         f"{as_of - window}); move as_of later or shorten `days`.")
    first = orders.loc[orders[date_col] <= as_of].groupby(customer_col)[date_col].min()
    first_ts = cust[customer_col].map(first)
    activated = (first_ts.notna() & (first_ts <= cust[signup_col] + window)).astype("int64")

    def summarise(keys) -> pd.DataFrame:
        grouped = activated.groupby(keys, sort=True) if keys is not None else activated.groupby(
            pd.Series("all", index=activated.index, name="group"))
        out = pd.DataFrame({"n_signups": grouped.size().astype("int64"), "n_activated": grouped.sum().astype("int64")})
        out["rate"] = out["n_activated"] / out["n_signups"]
        low, high = proportion_confint(out["n_activated"].to_numpy(), out["n_signups"].to_numpy(),
                                       alpha=1 - confidence, method="wilson")
        out["ci_low"], out["ci_high"] = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        if target is not None:
            out["target"] = target
            out["gap"] = out["rate"] - target
            out["meets_target"] = out["rate"] >= target
            out["significantly_below"] = out["ci_high"] < target
        return out

    overall = summarise(None)
    table = summarise([cust[c] for c in by_cols]) if by_cols else overall.copy()
    return Activation(table=table, overall=overall, days=days, as_of=as_of, n_excluded=n_excluded,
                      confidence=confidence)


# --------------------------------------------------------------------------- #
# Cohorts
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class CohortRetention:
    """Result of :func:`cohort_retention`."""

    retention: pd.DataFrame
    counts: pd.DataFrame = field(repr=False)
    sizes: pd.Series = field(repr=False)
    period: str

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per observed (cohort, periods since) cell: ``cohort``, ``periods_since``,
        ``cohort_size``, ``n_active``, ``retention``."""
        n = self.counts.stack().rename("n_active")
        out = pd.concat([n, self.retention.stack().rename("retention")], axis=1).dropna(subset=["n_active"])
        out = out.reset_index()
        out.insert(2, "cohort_size", out["cohort"].map(self.sizes).astype("int64"))
        out["n_active"] = out["n_active"].astype("int64")
        return out


def cohort_retention(orders: pd.DataFrame, *, period: str = "M", customer_col: str = "customer_id",
                     date_col: str = "order_ts") -> CohortRetention:
    """Cohort retention: of the customers who first bought in a period, the share buying k periods later.

    A customer's **cohort** is the period (week, month or quarter) of their first order in
    ``orders``. For ``k = 0, 1, 2, ...`` the retention of a cohort is the share of its customers with
    at least one order in the ``k``-th period after the cohort's (``k = 0`` is 100% by definition).
    Cells after the last period that holds an order are not observed and are NaN (not 0). The last
    period may be incomplete: cut ``orders`` to whole periods first if that matters.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order; the row order does not matter.
    period : {"M", "W", "Q"}, default "M"
        Calendar months, weeks (Monday to Sunday) or quarters.
    customer_col, date_col : str
        Column names.

    Returns
    -------
    CohortRetention
        ``retention`` (cohorts as a PeriodIndex ``cohort`` x ``periods_since`` 0, 1, ...: shares),
        ``counts`` (customers active in each cell, same shape, NaN where not observed), ``sizes``
        (customers per cohort) and ``period``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids or timestamps, a non-datetime column, an unknown ``period``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
    ...                        "order_ts": pd.to_datetime(["2025-01-05", "2025-03-02", "2025-01-20",
    ...                                                    "2025-02-11", "2025-03-30"])})
    >>> cohort_retention(orders).retention
    periods_since    0    1    2
    cohort                      
    2025-01        1.0  0.0  0.5
    2025-02        1.0  1.0  NaN
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col)
    v.require_option(period, _PERIODS, name="period")
    values = orders[date_col]
    if values.dt.tz is not None:
        values = values.dt.tz_localize(None)
    ordinal = pd.PeriodIndex(values.dt.to_period(period)).asi8
    frame = pd.DataFrame({"c": orders[customer_col].to_numpy(), "p": ordinal})
    first = frame.groupby("c")["p"].transform("min").to_numpy()
    frame["cohort"] = first
    frame["k"] = frame["p"].to_numpy() - first
    active = frame.drop_duplicates(["c", "k"])
    lo, hi = int(ordinal.min()), int(ordinal.max())
    cohorts = np.arange(lo, hi + 1)
    ks = np.arange(hi - lo + 1)
    counts = (active.groupby(["cohort", "k"]).size().unstack("k")
              .reindex(index=cohorts, columns=ks).fillna(0.0))
    observed = (cohorts[:, None] + ks[None, :]) <= hi
    counts = counts.where(observed)
    keep = (counts[0] > 0).to_numpy()  # periods in which nobody bought for the first time are no cohort
    counts, cohorts = counts.loc[keep], cohorts[keep]
    sizes = counts[0].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        retention = counts.div(sizes.where(sizes > 0), axis=0)
    labels = pd.PeriodIndex.from_ordinals(cohorts, freq=period)
    counts.index = retention.index = pd.PeriodIndex(labels, name="cohort")
    counts.columns = retention.columns = pd.Index(ks, name="periods_since")
    sizes.index = pd.PeriodIndex(labels, name="cohort")
    sizes.name = "cohort_size"
    return CohortRetention(retention=retention, counts=counts, sizes=sizes, period=period)


# --------------------------------------------------------------------------- #
# Time to the next purchase (survival)
# --------------------------------------------------------------------------- #
def time_to_next_purchase(orders: pd.DataFrame, *, as_of, customer_col: str = "customer_id",
                          date_col: str = "order_ts", first_order_cols=None) -> pd.DataFrame:
    """Days from each customer's first purchase to their second, right-censored at ``as_of``.

    The second purchase is the first order on a **later calendar day** than the first order (a
    second order on the same day belongs to the same shopping occasion). Customers without one by
    ``as_of`` are *censored*: we only know that they had not come back after ``as_of - first``
    days. Only orders at or before ``as_of`` count. Feed the result to :func:`survival_curve`
    (Kaplan-Meier), which uses the censored customers correctly; a plain mean of ``duration_days``
    would not.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order; the row order does not matter (ties at the first moment are resolved by
        the order of the rows, for ``first_order_cols``).
    as_of : str or Timestamp
        End of observation (the censoring moment).
    customer_col, date_col : str
        Column names.
    first_order_cols : str or list of str, optional
        Columns of the first order to carry over with the prefix ``first_`` (e.g. ``"channel"``
        becomes ``first_channel``), to compare groups.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted), customers with a first order at or before ``as_of``:
        ``first_order_ts``, ``next_order_ts`` (NaT if censored), ``duration_days`` (float days to the
        second purchase, or to ``as_of`` if censored), ``event`` (True if the second purchase was
        seen), and the ``first_*`` columns.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids or timestamps, an unreadable ``as_of`` or no order at or
        before it.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                        "order_ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 18:00",
    ...                                                    "2025-01-11 10:00", "2025-01-21 00:00"])})
    >>> time_to_next_purchase(orders, as_of="2025-01-31")[["duration_days", "event"]]
                 duration_days  event
    customer_id                      
    a                     10.0   True
    b                     10.0  False
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col)
    as_of = v.require_timestamp(as_of, name="as_of")
    extra = _columns_arg(first_order_cols, name="first_order_cols")
    v.require_columns(orders, extra, name="orders")
    past = orders.loc[orders[date_col] <= as_of, [customer_col, date_col, *extra]]
    if past.empty:
        raise ValueError(f"`orders` has no order at or before as_of={as_of}; earliest is {orders[date_col].min()}.")
    past = past.sort_values([customer_col, date_col], kind="stable")
    first = past.groupby(customer_col, sort=True).head(1).set_index(customer_col)
    first_day = past[customer_col].map(first[date_col].dt.floor("D"))
    later = past.loc[past[date_col].dt.floor("D") > first_day]
    nxt = later.groupby(customer_col, sort=True)[date_col].min()
    out = pd.DataFrame({"first_order_ts": first[date_col]})
    out["next_order_ts"] = nxt.reindex(out.index)
    out["event"] = out["next_order_ts"].notna()
    end = out["next_order_ts"].where(out["event"], as_of)
    out["duration_days"] = (end - out["first_order_ts"]) / _DAY
    out = out[["first_order_ts", "next_order_ts", "duration_days", "event"]]
    for col in extra:
        out[f"first_{col}"] = first[col]
    out.index.name = customer_col
    return out


@dataclass(frozen=True)
class Survival:
    """Result of :func:`survival_curve`: Kaplan-Meier curves and medians, overall or by group."""

    table: pd.DataFrame = field(repr=False)
    medians: pd.DataFrame
    confidence: float

    def at(self, times) -> pd.DataFrame:
        """Survival probability at given times (days), one row per group, one column per time.

        Parameters
        ----------
        times : float or sequence of float
            Non-negative times.

        Returns
        -------
        pandas.DataFrame
            S(t): the share still without the event after ``t`` days (1.0 before the first event).

        Examples
        --------
        >>> import pandas as pd
        >>> d = pd.DataFrame({"duration_days": [1.0, 2.0, 3.0, 4.0], "event": [True, True, False, True]})
        >>> survival_curve(d).at([0, 1.5, 10])
        time   0.0   1.5   10.0
        group                  
        all     1.0  0.75   0.0
        """
        ts = [times] if isinstance(times, numbers.Real) else list(times)
        ts = [float(v.require_in_range(t, name="times", low=0)) for t in ts]
        rows = {}
        for g, part in self.table.groupby("group", sort=False):
            idx = np.searchsorted(part["time"].to_numpy(), ts, side="right") - 1
            s = part["survival"].to_numpy()
            rows[g] = [1.0 if i < 0 else float(s[i]) for i in idx]
        return pd.DataFrame.from_dict(rows, orient="index", columns=ts).rename_axis(index="group", columns="time")

    def to_frame(self) -> pd.DataFrame:
        """The medians table: one row per group with its size, events and median time (with CI)."""
        return self.medians.copy()


def survival_curve(durations: pd.DataFrame, *, duration_col: str = "duration_days", event_col: str = "event",
                   by: str | None = None, confidence: float = 0.95) -> Survival:
    """Kaplan-Meier survival curves with right-censoring (statsmodels ``SurvfuncRight``).

    Parameters
    ----------
    durations : pandas.DataFrame
        One row per unit, e.g. the output of :func:`time_to_next_purchase`.
    duration_col : str, default "duration_days"
        Non-negative time to the event or to censoring.
    event_col : str, default "event"
        True (or 1) if the event was observed, False (or 0) if censored.
    by : str, optional
        A column to estimate one curve per group (e.g. ``"first_channel"``).
    confidence : float, default 0.95
        Level of the pointwise intervals (log-log transform) and of the median's interval.

    Returns
    -------
    Survival
        ``table`` (tidy, one row per group and event time: ``group``, ``time``, ``n_at_risk``,
        ``n_events``, ``survival``, ``se``, ``ci_low``, ``ci_high``), ``medians`` (per group: ``n``,
        ``n_events``, ``median``, ``median_ci_low``, ``median_ci_high``) and ``confidence``;
        :meth:`Survival.at` reads S(t) at chosen times. The median is the first time the curve falls
        *below* one half (statsmodels' and SAS's convention); NaN if it never does.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing, negative or non-numeric durations, events that are not
        True/False (0/1), missing group values, a ``confidence`` outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration_days": [1.0, 2.0, 2.0, 3.0, 5.0, 8.0],
    ...                   "event": [True, True, False, True, False, True]})
    >>> sv = survival_curve(d)
    >>> sv.table[["time", "n_at_risk", "survival"]].round(4)
       time  n_at_risk  survival
    0   1.0          6    0.8333
    1   2.0          5    0.6667
    2   3.0          3    0.4444
    3   8.0          1    0.0000
    >>> float(sv.medians.loc["all", "median"])
    3.0
    """
    from scipy import stats
    from statsmodels.duration.survfunc import SurvfuncRight

    v.require_frame(durations, name="durations")
    v.require_columns(durations, [duration_col, event_col, *([by] if by is not None else [])], name="durations")
    v.require_numeric(durations, duration_col, name="durations", allow_negative=False)
    ev = durations[event_col]
    if ev.isna().any() or not ev.isin([0, 1]).all():
        bad = ev[ev.isna() | ~ev.isin([0, 1])].unique()[:3]
        raise ValueError(f"Column {event_col!r} of `durations` must be True/False (or 1/0); got values such as "
                         f"{list(bad)}.")
    if by is not None:
        _require_filled(durations, [by], name="durations")
    confidence = float(v.require_in_range(confidence, name="confidence", low=0, high=1, low_inclusive=False,
                                          high_inclusive=False))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    groups = [("all", durations)] if by is None else list(durations.groupby(by, sort=True))
    tables, medians = [], {}
    for g, part in groups:
        t = part[duration_col].to_numpy(dtype=float)
        e = part[event_col].to_numpy().astype(int)
        sf = SurvfuncRight(t, e)
        s = np.asarray(sf.surv_prob, dtype=float)
        se = np.asarray(sf.surv_prob_se, dtype=float)
        # Pointwise interval on the log(-log S) scale (stays within [0, 1]); undefined where S is 0 or 1.
        with np.errstate(divide="ignore", invalid="ignore"):
            width = z * se / np.abs(s * np.log(s))
            low, high = s ** np.exp(width), s ** np.exp(-width)
        ok = np.isfinite(low) & np.isfinite(high) & (s > 0) & (s < 1)
        low, high = np.where(ok, low, s), np.where(ok, high, s)
        tables.append(pd.DataFrame({"group": g, "time": np.asarray(sf.surv_times, dtype=float),
                                    "n_at_risk": np.asarray(sf.n_risk, dtype="int64"),
                                    "n_events": np.asarray(sf.n_events, dtype="int64"),
                                    "survival": s, "se": se, "ci_low": low, "ci_high": high}))
        with np.errstate(divide="ignore", invalid="ignore"):
            med = float(sf.quantile(0.5))
            mlo, mhi = (float(x) for x in sf.quantile_ci(0.5, alpha=1 - confidence))
        medians[g] = {"n": int(len(part)), "n_events": int(e.sum()), "median": med,
                      "median_ci_low": mlo, "median_ci_high": mhi if np.isfinite(mhi) else np.nan}
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    med = pd.DataFrame.from_dict(medians, orient="index")
    med.index.name = "group" if by is None else by
    return Survival(table=table, medians=med, confidence=confidence)
