"""A KPI system: the channel KPI table, the KPI tree of GMV, and thresholds set from history.

Seed 002 names four core indicators (核心指标) -- activity (活跃度), conversion (转化率), retention
(留存率) and average order value (客单价) -- and asks for thresholds set from history and business
expectations, so that problems surface early. This module turns that into code:

* :func:`kpi_table` -- the four KPIs per channel (or any other group) for one period, each with an
  explicit definition.
* :func:`kpi_tree` -- the KPI tree of GMV: GMV = sessions x conversion x orders per converting session
  x AOV (the traffic branch) and GMV = buyers x orders per buyer x AOV = new + returning buyers' GMV
  (the customer branch), each an exact identity on the data, and the exact contribution of every
  factor to the change between two periods (log-mean Divisia or Shapley decomposition). The result is
  a frozen :class:`KPITree` with ``to_frame()``.
* :func:`control_limits` -- a control band for a daily KPI computed from the trailing window only
  (no look-ahead, so it works in production): weekly seasonality removed with day-of-week factors, a
  robust (median / MAD) centre and spread.
* :func:`detect_anomalies` -- the days outside the band: an alert table.
* :func:`decompose` -- a thin wrapper over :class:`statsmodels.tsa.seasonal.STL` returning a tidy
  frame (observed, trend, seasonal, resid).

Periods are half-open, ``[start, end)``: ``start="2025-07-01", end="2025-08-01"`` is July 2025.
Nothing here reads the clock: every period is passed explicitly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opsutils import _validation as v

__all__ = [
    "VISIT_EVENT_TYPES",
    "kpi_table",
    "KPITree",
    "kpi_tree",
    "control_limits",
    "detect_anomalies",
    "decompose",
]

#: Event types that make a session a *visit* (a shopping session) in the world's event log: the
#: person searched or looked at a product online, or walked into a store. Sessions made only of
#: marketing touches (impressions, clicks), content views, coupon claims or service contacts are not
#: traffic. A session with a purchase always counts as a visit.
VISIT_EVENT_TYPES: tuple[str, ...] = ("search", "product_view", "store_visit")

_TRAFFIC_FACTORS = ("sessions", "conversion", "orders_per_converting_session", "aov")
_CUSTOMER_FACTORS = ("buyers", "orders_per_buyer", "aov")
_LIMIT_COLUMNS = ("observed", "expected", "sd", "lower", "upper")
_MAD_TO_SD = 1.482602218505602  # 1 / Phi^-1(3/4): MAD x this estimates the sd of a normal sample


# --------------------------------------------------------------------------- #
# Validation helpers (private)
# --------------------------------------------------------------------------- #
def _period(start: Any, end: Any, *, start_name: str = "start",
            end_name: str = "end") -> tuple[pd.Timestamp, pd.Timestamp]:
    s = v.require_timestamp(start, name=start_name)
    e = v.require_timestamp(end, name=end_name)
    if s >= e:
        raise ValueError(
            f"`{end_name}` must be after `{start_name}` (periods are [start, end)); got "
            f"{start_name}={s.date()} and {end_name}={e.date()}."
        )
    return s, e


def _visit_events(visit_events: Any) -> tuple[str, ...]:
    if isinstance(visit_events, str) or not isinstance(visit_events, Iterable):
        raise ValueError(
            f"`visit_events` must be a list of event types such as ['product_view', 'store_visit']; "
            f"got {visit_events!r}."
        )
    out = tuple(visit_events)
    if not out or not all(isinstance(e, str) and e for e in out):
        raise ValueError(f"`visit_events` must hold at least one event type (text); got {out!r}.")
    return out


def _check_orders(orders: Any, *, customer_col: str, date_col: str, amount_col: str,
                  by: str | None = None) -> None:
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                           name="orders")
    if by is not None:
        v.require_no_missing(orders, by, name="orders")


def _check_events(events: Any, *, session_col: str, time_col: str, event_col: str, customer_col: str,
                  by: str | None = None) -> None:
    v.require_frame(events, name="events")
    v.require_columns(events, [session_col, time_col, event_col, customer_col] + ([by] if by else []),
                      name="events")
    v.require_no_missing(events, session_col, name="events")
    v.require_datetime(events, time_col, name="events")


def _visit_sessions(events: pd.DataFrame, *, session_col: str, time_col: str, event_col: str,
                    customer_col: str, visit_events: tuple[str, ...], purchase_event: str,
                    by: str | None) -> pd.DataFrame:
    """One row per visit session: start (first event), group (of the first event), customer, converted."""
    keep = events[event_col].isin([*visit_events, purchase_event])
    cols = [session_col, time_col, event_col, customer_col] + ([by] if by else [])
    ev = events.loc[keep, cols].sort_values([session_col, time_col], kind="stable")
    ev = ev.assign(_purchase=ev[event_col].eq(purchase_event))
    agg = {time_col: "first", customer_col: "first", "_purchase": "any"}
    if by:
        agg[by] = "first"
    sessions = ev.groupby(session_col, sort=False).agg(agg)
    return sessions.rename(columns={time_col: "_start", "_purchase": "_converted"})


def _in(ts: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (ts >= start) & (ts < end)


def _ratio(num: Any, den: Any) -> Any:
    """num / den with NaN where the denominator is 0 (works on scalars and Series)."""
    if isinstance(den, pd.Series):
        return num / den.where(den != 0)
    return float(num) / float(den) if den else math.nan


# --------------------------------------------------------------------------- #
# kpi_table
# --------------------------------------------------------------------------- #
def kpi_table(
    orders: pd.DataFrame,
    events: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    *,
    by: str | None = "channel",
    start: Any = None,
    end: Any = None,
    total: bool = True,
    customer_col: str = "customer_id",
    date_col: str = "order_ts",
    amount_col: str = "amount",
    session_col: str = "session_id",
    event_time_col: str = "ts",
    event_col: str = "event_type",
    signup_col: str = "signup_ts",
    visit_events: Iterable[str] = VISIT_EVENT_TYPES,
    purchase_event: str = "purchase",
) -> pd.DataFrame:
    """The core KPIs of seed 002 per channel (or other group) for one period ``[start, end)``.

    Definitions (every count is within the period unless said otherwise):

    * **Activity** (活跃度). ``active_customers``: distinct known customers with at least one visit
      session (see ``visit_events``) or one order in the group. ``activity_rate`` (needs
      ``customers``): active customers / members who signed up before ``end``; the denominator is the
      whole membership, so a channel's rate is the share of all members active *in that channel*.
      Without ``events``, active customers are the buyers.
    * **Conversion** (转化率, needs ``events``). ``sessions``: visit sessions that start in the period
      (a session belongs to the period and the group of its first visit event); ``converting_sessions``:
      those with a ``purchase_event``; ``conversion`` = converting sessions / sessions.
    * **Retention** (留存率 / 复购率). ``repeat_rate``: share of the period's buyers with two or more
      orders in the period (repurchase within the period). ``retention``: of the customers who bought
      in the group in the previous period of the same length (``[start - (end - start), start)``), the
      share who bought in the group again in this period; NaN when the previous period has no buyers.
    * **Average order value** (客单价). ``aov`` = ``gmv`` / ``orders``, where ``gmv`` is the sum of
      ``amount_col`` over the orders passed (filter out cancelled orders first for a net figure).

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order: customer, timestamp, amount (>= 0) and the ``by`` column.
    events : pandas.DataFrame, optional
        The event log (session id, timestamp, event type, customer and the ``by`` column). Without it
        the conversion columns are left out.
    customers : pandas.DataFrame, optional
        The member table (customer id, sign-up time), for ``activity_rate``.
    by : str or None, default "channel"
        Group column, in ``orders`` (and in ``events`` when given). Rows are the groups present in
        ``orders`` (a group without orders in the period shows zeros); ``None`` gives one row.
    start, end : date-like, optional
        The period ``[start, end)``. Default: from the first order's day to the day after the last.
    total : bool, default True
        Add a row ``"all"`` computed on everything (distinct customers are not the sum of the groups';
        its sessions include visit sessions of groups without orders).
    customer_col, date_col, amount_col : str
        Columns of ``orders`` (``customer_col`` also in ``events`` and ``customers``).
    session_col, event_time_col, event_col : str
        Columns of ``events``.
    signup_col : str, default "signup_ts"
        Sign-up timestamp column of ``customers``.
    visit_events : sequence of str, default :data:`VISIT_EVENT_TYPES`
        Event types that make a session a visit.
    purchase_event : str, default "purchase"
        Event type of a completed purchase.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (named after ``by``, or ``"group"``), sorted, then ``"all"``. Columns:
        ``active_customers``, ``activity_rate`` (with ``customers``), ``sessions``,
        ``converting_sessions``, ``conversion`` (with ``events``), ``buyers``, ``orders``, ``gmv``,
        ``aov``, ``repeat_rate``, ``retention``.

    Raises
    ------
    TypeError
        If ``orders``, ``events`` or ``customers`` is not a DataFrame.
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids or timestamps, negative amounts, ``end`` not after
        ``start``, or an empty ``visit_events``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c"],
    ...     "order_ts": pd.to_datetime(["2025-01-05", "2025-02-03", "2025-02-10", "2025-02-11"]),
    ...     "amount": [100.0, 80.0, 50.0, 70.0],
    ...     "channel": ["app", "app", "app", "web"]})
    >>> table = kpi_table(orders, start="2025-02-01", end="2025-03-01")
    >>> table[["buyers", "orders", "aov", "repeat_rate", "retention"]].round(2)  # doctest: +NORMALIZE_WHITESPACE
             buyers  orders    aov  repeat_rate  retention
    channel
    app           2       2  65.00          0.0        1.0
    web           1       1  70.00          0.0        NaN
    all           3       3  66.67          0.0        1.0
    """
    _check_orders(orders, customer_col=customer_col, date_col=date_col, amount_col=amount_col, by=by)
    visit_events = _visit_events(visit_events)
    if not isinstance(total, (bool, np.bool_)):
        raise ValueError(f"`total` must be True or False; got {total!r}.")
    if start is None:
        start = orders[date_col].min().normalize()
    if end is None:
        end = orders[date_col].max().normalize() + pd.Timedelta(days=1)
    start, end = _period(start, end)
    prev_start = start - (end - start)

    if events is not None:
        _check_events(events, session_col=session_col, time_col=event_time_col, event_col=event_col,
                      customer_col=customer_col, by=by)
    if customers is not None:
        v.require_frame(customers, name="customers")
        v.require_columns(customers, [customer_col, signup_col], name="customers")
        v.require_datetime(customers, signup_col, name="customers")

    key = "_group"
    o = orders[[customer_col, date_col, amount_col] + ([by] if by else [])]
    o = o.assign(**{key: o[by] if by else "all"})
    sess = None
    if events is not None:
        sess = _visit_sessions(events, session_col=session_col, time_col=event_time_col, event_col=event_col,
                               customer_col=customer_col, visit_events=visit_events,
                               purchase_event=purchase_event, by=by)
        sess = sess.assign(**{key: sess[by] if by else "all"})
        sess = sess[_in(sess["_start"], start, end)]
    groups = sorted(pd.unique(o[key]))

    def one(o_all: pd.DataFrame, s: pd.DataFrame | None, labels: list) -> pd.DataFrame:
        cur = o_all[_in(o_all[date_col], start, end)]
        prev = o_all[_in(o_all[date_col], prev_start, start)]
        out = pd.DataFrame(index=pd.Index(labels, dtype=object))
        per_customer = cur.groupby([key, customer_col]).size()
        buyers = per_customer.groupby(level=0).size()
        repeaters = (per_customer >= 2).groupby(level=0).sum()
        active = pd.concat([cur[[key, customer_col]],
                            s[[key, customer_col]] if s is not None else None]).dropna()
        out["active_customers"] = active.drop_duplicates().groupby(key).size()
        if customers is not None:
            members = int(customers.loc[customers[signup_col] < end, customer_col].nunique())
            out["activity_rate"] = out["active_customers"].fillna(0) / members if members else math.nan
        if s is not None:
            out["sessions"] = s.groupby(key).size()
            out["converting_sessions"] = s.groupby(key)["_converted"].sum()
        out["buyers"] = buyers
        out["orders"] = cur.groupby(key).size()
        out["gmv"] = cur.groupby(key)[amount_col].sum()
        counts = [c for c in ("active_customers", "sessions", "converting_sessions", "buyers", "orders")
                  if c in out]
        out[counts] = out[counts].fillna(0).astype("int64")
        out["gmv"] = out["gmv"].fillna(0.0).astype(float)
        if s is not None:
            out["conversion"] = _ratio(out["converting_sessions"], out["sessions"])
        out["aov"] = _ratio(out["gmv"], out["orders"])
        out["repeat_rate"] = _ratio(repeaters.reindex(out.index).fillna(0), out["buyers"])
        prev_pairs = prev[[key, customer_col]].drop_duplicates()
        cur_pairs = cur[[key, customer_col]].drop_duplicates().assign(_again=True)
        back = prev_pairs.merge(cur_pairs, on=[key, customer_col], how="left")
        came_back = back["_again"].notna().astype(float).groupby(back[key]).mean()
        out["retention"] = came_back.reindex(out.index).astype(float)
        return out

    table = one(o, sess, groups)
    if total and by is not None:
        o_all = o.assign(**{key: "all"})
        s_all = sess.assign(**{key: "all"}) if sess is not None else None
        table = pd.concat([table, one(o_all, s_all, ["all"])])
    order = ["active_customers", "activity_rate", "sessions", "converting_sessions", "conversion", "buyers",
             "orders", "gmv", "aov", "repeat_rate", "retention"]
    table = table[[c for c in order if c in table]]
    table.index.name = by if by else "group"
    return table


# --------------------------------------------------------------------------- #
# kpi_tree
# --------------------------------------------------------------------------- #
def _period_factors(o: pd.DataFrame, s: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, *,
                    customer_col: str, date_col: str, amount_col: str) -> dict[str, Any]:
    cur = o[_in(o[date_col], start, end)]
    ss = s[_in(s["_start"], start, end)]
    gmv = float(cur[amount_col].sum())
    n_orders = len(cur)
    sessions = len(ss)
    converting = int(ss["_converted"].sum())
    first_order = o.groupby(customer_col)[date_col].min()
    buyer_ids = pd.unique(cur[customer_col])
    is_new = (first_order.reindex(buyer_ids) >= start).to_numpy()
    new_ids = set(buyer_ids[is_new])
    new_rows = cur[customer_col].isin(new_ids)
    buyers = len(buyer_ids)
    return {
        "start": start, "end": end, "gmv": gmv,
        "sessions": float(sessions), "converting_sessions": float(converting),
        "conversion": _ratio(converting, sessions),
        "orders": float(n_orders),
        "orders_per_converting_session": _ratio(n_orders, converting),
        "aov": _ratio(gmv, n_orders),
        "buyers": float(buyers), "new_buyers": float(len(new_ids)), "returning_buyers": float(buyers - len(new_ids)),
        "orders_per_buyer": _ratio(n_orders, buyers),
        "new_gmv": float(cur.loc[new_rows, amount_col].sum()),
        "returning_gmv": float(cur.loc[~new_rows, amount_col].sum()),
    }


def _log_mean(a: float, b: float) -> float:
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def _lmdi(f0: dict[str, float], f1: dict[str, float], g0: float, g1: float) -> dict[str, float]:
    """Log-mean Divisia index: contribution_i = L(G1, G0) x ln(f1_i / f0_i); they add up to G1 - G0."""
    values = list(f0.values()) + list(f1.values())
    if not all(np.isfinite(x) and x > 0 for x in values):
        return {k: math.nan for k in f0}
    weight = _log_mean(g1, g0)
    return {k: weight * math.log(f1[k] / f0[k]) for k in f0}


def _shapley(f0: dict[str, float], f1: dict[str, float]) -> dict[str, float]:
    """Shapley decomposition of a product: average change from switching each factor to its new value."""
    names = list(f0)
    n = len(names)
    if not all(np.isfinite(x) for x in [*f0.values(), *f1.values()]):
        return {k: math.nan for k in names}

    def value(switched: frozenset) -> float:
        return math.prod(f1[k] if k in switched else f0[k] for k in names)

    out = {}
    for name in names:
        others = [k for k in names if k != name]
        total = 0.0
        for size in range(n):
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                s = frozenset(subset)
                total += w * (value(s | {name}) - value(s))
        out[name] = total
    return out


@dataclass(frozen=True)
class KPITree:
    """The KPI tree of GMV for one period, optionally against a baseline period.

    Attributes
    ----------
    periods : pandas.DataFrame
        One row per period (``"current"``, and ``"baseline"`` first when given): ``start``, ``end``,
        ``gmv``, ``sessions``, ``converting_sessions``, ``conversion``, ``orders``,
        ``orders_per_converting_session``, ``aov``, ``buyers``, ``new_buyers``, ``returning_buyers``,
        ``orders_per_buyer``, ``new_gmv``, ``returning_gmv``.
    contributions : pandas.DataFrame or None
        With a baseline: one row per branch and factor (``branch``, ``factor``, ``baseline``,
        ``current``, ``ratio``, ``contribution`` in the unit of GMV, ``share`` of the GMV change).
        Within each branch the contributions add up to the change in GMV exactly.
    method : str
        ``"lmdi"`` or ``"shapley"``.
    """

    periods: pd.DataFrame
    contributions: pd.DataFrame | None
    method: str

    @property
    def gmv_change(self) -> float:
        """GMV of the current period minus the baseline's (NaN without a baseline)."""
        if "baseline" not in self.periods.index:
            return math.nan
        return float(self.periods.loc["current", "gmv"] - self.periods.loc["baseline", "gmv"])

    def to_frame(self) -> pd.DataFrame:
        """The tree as a node table, ready to print or draw.

        Returns
        -------
        pandas.DataFrame
            One row per node: ``branch`` (``"total"``, ``"traffic"``, ``"customers"``,
            ``"new_returning"``), ``node``, ``formula``, ``baseline``, ``current``, ``ratio`` (current /
            baseline) and ``contribution`` (to the GMV change; NaN without a baseline). The traffic
            branch multiplies to GMV, the customers branch multiplies to GMV, the new_returning branch
            adds up to GMV.

        Examples
        --------
        >>> import pandas as pd
        >>> events = pd.DataFrame({
        ...     "session_id": [1, 1, 2, 2, 3],
        ...     "ts": pd.to_datetime(["2025-01-02", "2025-01-02", "2025-02-03", "2025-02-03", "2025-02-05"]),
        ...     "event_type": ["product_view", "purchase", "product_view", "purchase", "product_view"],
        ...     "customer_id": ["a", "a", "a", "a", "b"]})
        >>> orders = pd.DataFrame({"customer_id": ["a", "a"],
        ...                        "order_ts": pd.to_datetime(["2025-01-02", "2025-02-03"]),
        ...                        "amount": [100.0, 120.0]})
        >>> nodes = kpi_tree(orders, events, start="2025-02-01", end="2025-03-01",
        ...                  baseline_start="2025-01-01", baseline_end="2025-02-01").to_frame()
        >>> nodes.loc[nodes["branch"] == "traffic", ["node", "baseline", "current", "ratio"]]
                                    node  baseline  current  ratio
        1                       sessions       1.0      2.0    2.0
        2                     conversion       1.0      0.5    0.5
        3  orders_per_converting_session       1.0      1.0    1.0
        4                            aov     100.0    120.0    1.2
        >>> round(float(nodes.loc[nodes["branch"] == "traffic", "contribution"].sum()), 6)  # = 120 - 100
        20.0
        """
        formulas = {
            ("total", "gmv"): "sum of order amounts",
            ("traffic", "sessions"): "visit sessions",
            ("traffic", "conversion"): "converting sessions / sessions",
            ("traffic", "orders_per_converting_session"): "orders / converting sessions",
            ("traffic", "aov"): "GMV / orders",
            ("customers", "buyers"): "distinct buyers (new + returning)",
            ("customers", "orders_per_buyer"): "orders / buyers",
            ("customers", "aov"): "GMV / orders",
            ("new_returning", "new_gmv"): "GMV of buyers whose first order is in the period",
            ("new_returning", "returning_gmv"): "GMV of buyers who ordered before the period",
        }
        has_base = "baseline" in self.periods.index
        contrib = {}
        if self.contributions is not None:
            contrib = {(r.branch, r.factor): r.contribution for r in self.contributions.itertuples()}
        rows = []
        for (branch, node), formula in formulas.items():
            cur = float(self.periods.loc["current", node])
            base = float(self.periods.loc["baseline", node]) if has_base else math.nan
            c = self.gmv_change if node == "gmv" else contrib.get((branch, node), math.nan)
            rows.append({"branch": branch, "node": node, "formula": formula, "baseline": base, "current": cur,
                         "ratio": _ratio(cur, base) if has_base else math.nan, "contribution": c})
        return pd.DataFrame(rows)


def kpi_tree(
    orders: pd.DataFrame,
    events: pd.DataFrame,
    *,
    start: Any,
    end: Any,
    baseline_start: Any = None,
    baseline_end: Any = None,
    method: str = "lmdi",
    customer_col: str = "customer_id",
    date_col: str = "order_ts",
    amount_col: str = "amount",
    session_col: str = "session_id",
    event_time_col: str = "ts",
    event_col: str = "event_type",
    visit_events: Iterable[str] = VISIT_EVENT_TYPES,
    purchase_event: str = "purchase",
) -> KPITree:
    """The KPI tree of GMV: exact factor identities, and each factor's share of a change.

    **Traffic branch** (流量 x 转化率 x 客单价)::

        GMV = sessions x conversion x orders per converting session x AOV

    with sessions = visit sessions starting in the period (see :data:`VISIT_EVENT_TYPES`), conversion =
    converting sessions / sessions, orders per converting session = orders / converting sessions, AOV
    = GMV / orders. The third factor reconciles the event log with the order table: it is 1 when every
    order is one purchase session in the same period (as in the course's world), and shows the gap
    when the two logs disagree. The product is GMV exactly (up to float rounding).

    **Customer branch** (the retention / repurchase side)::

        GMV = buyers x orders per buyer x AOV = new buyers' GMV + returning buyers' GMV

    where a buyer is *new* when their first order in ``orders`` falls in the period and *returning*
    when they ordered before ``start``. Pass the whole order history so that "new" means new.

    **Change between two periods.** With a baseline, every factor gets an exact contribution to the
    change in GMV. ``method="lmdi"`` (logarithmic mean Divisia index) gives factor i the share
    ln(f1_i / f0_i) / ln(GMV1 / GMV0) of the change, so a factor that grew by 10% counts the same
    wherever it sits in the product; it needs every factor > 0 in both periods (else NaN).
    ``method="shapley"`` averages the change from switching factor i from its baseline to its current
    value over every order of switching the factors. Both add up exactly to GMV1 - GMV0 within each
    branch; the additive new / returning split contributes the change of each part.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order (customer, timestamp, amount >= 0), with the history before ``start``.
    events : pandas.DataFrame
        The event log: session id, timestamp, event type, customer.
    start, end : date-like
        The current period ``[start, end)``.
    baseline_start, baseline_end : date-like, optional
        The period to compare with (both or neither).
    method : {"lmdi", "shapley"}, default "lmdi"
        Decomposition of the change.
    customer_col, date_col, amount_col, session_col, event_time_col, event_col : str
        Column names.
    visit_events : sequence of str, default :data:`VISIT_EVENT_TYPES`
        Event types that make a session a visit.
    purchase_event : str, default "purchase"
        Event type of a completed purchase.

    Returns
    -------
    KPITree
        ``periods``, ``contributions`` and ``to_frame()``.

    Raises
    ------
    TypeError
        If ``orders`` or ``events`` is not a DataFrame.
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids or timestamps, negative amounts, a period whose end is not
        after its start, only one of ``baseline_start`` / ``baseline_end``, or an unknown ``method``.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "session_id": [1, 1, 2, 3, 3, 4, 5, 5],
    ...     "ts": pd.to_datetime(["2025-01-02", "2025-01-02", "2025-01-09", "2025-02-03", "2025-02-03",
    ...                           "2025-02-05", "2025-02-07", "2025-02-07"]),
    ...     "event_type": ["product_view", "purchase", "product_view", "product_view", "purchase",
    ...                    "product_view", "product_view", "purchase"],
    ...     "customer_id": ["a", "a", "b", "a", "a", "b", "c", "c"]})
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "c"],
    ...     "order_ts": pd.to_datetime(["2025-01-02", "2025-02-03", "2025-02-07"]),
    ...     "amount": [100.0, 120.0, 60.0]})
    >>> tree = kpi_tree(orders, events, start="2025-02-01", end="2025-03-01",
    ...                 baseline_start="2025-01-01", baseline_end="2025-02-01")
    >>> tree.periods.loc["current", ["gmv", "sessions", "conversion", "aov", "new_gmv", "returning_gmv"]
    ...                  ].astype(float).round(3)
    gmv              180.000
    sessions           3.000
    conversion         0.667
    aov               90.000
    new_gmv           60.000
    returning_gmv    120.000
    Name: current, dtype: float64
    >>> tree.contributions.query("branch == 'traffic'")[["factor", "ratio", "contribution"]].round(2)
                              factor  ratio  contribution
    0                       sessions   1.50         55.19
    1                     conversion   1.33         39.15
    2  orders_per_converting_session   1.00          0.00
    3                            aov   0.90        -14.34
    >>> round(float(tree.contributions.query("branch == 'traffic'")["contribution"].sum()), 6)  # = 180 - 100
    80.0
    """
    _check_orders(orders, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    _check_events(events, session_col=session_col, time_col=event_time_col, event_col=event_col,
                  customer_col=customer_col)
    visit_events = _visit_events(visit_events)
    method = v.require_option(method, ("lmdi", "shapley"), name="method")
    start, end = _period(start, end)
    if (baseline_start is None) != (baseline_end is None):
        raise ValueError(
            "Pass both `baseline_start` and `baseline_end` to compare with a baseline period, or neither; "
            f"got baseline_start={baseline_start!r}, baseline_end={baseline_end!r}."
        )
    sess = _visit_sessions(events, session_col=session_col, time_col=event_time_col, event_col=event_col,
                           customer_col=customer_col, visit_events=visit_events, purchase_event=purchase_event,
                           by=None)
    o = orders[[customer_col, date_col, amount_col]]
    kw = {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col}
    rows = {"current": _period_factors(o, sess, start, end, **kw)}
    contributions = None
    if baseline_start is not None:
        b0, b1 = _period(baseline_start, baseline_end, start_name="baseline_start", end_name="baseline_end")
        rows = {"baseline": _period_factors(o, sess, b0, b1, **kw), **rows}
        base, cur = rows["baseline"], rows["current"]
        records = []
        for branch, names in (("traffic", _TRAFFIC_FACTORS), ("customers", _CUSTOMER_FACTORS)):
            f0 = {k: base[k] for k in names}
            f1 = {k: cur[k] for k in names}
            c = _lmdi(f0, f1, base["gmv"], cur["gmv"]) if method == "lmdi" else _shapley(f0, f1)
            records += [{"branch": branch, "factor": k, "baseline": f0[k], "current": f1[k],
                         "ratio": _ratio(f1[k], f0[k]), "contribution": c[k]} for k in names]
        for k in ("new_gmv", "returning_gmv"):
            records.append({"branch": "new_returning", "factor": k, "baseline": base[k], "current": cur[k],
                            "ratio": _ratio(cur[k], base[k]), "contribution": cur[k] - base[k]})
        contributions = pd.DataFrame(records)
        change = cur["gmv"] - base["gmv"]
        contributions["share"] = contributions["contribution"] / change if change else math.nan
    periods = pd.DataFrame.from_dict(rows, orient="index")
    periods.index.name = "period"
    return KPITree(periods=periods, contributions=contributions, method=method)


# --------------------------------------------------------------------------- #
# Time series: validation
# --------------------------------------------------------------------------- #
def _check_window(window: Any, seasonal_period: Any) -> tuple[int, int]:
    seasonal_period = v.require_positive_int(seasonal_period, name="seasonal_period")
    window = v.require_positive_int(window, name="window", minimum=2)
    if window < 2 * seasonal_period:
        raise ValueError(
            f"`window` must be at least 2 x `seasonal_period` = {2 * seasonal_period} so that every "
            f"phase of the season is seen at least twice; got window={window}."
        )
    return window, seasonal_period


# --------------------------------------------------------------------------- #
# control_limits / detect_anomalies
# --------------------------------------------------------------------------- #
def control_limits(
    series: pd.Series,
    *,
    window: int = 56,
    k: float = 3.0,
    seasonal_period: int = 7,
    seasonality: str = "multiplicative",
) -> pd.DataFrame:
    """Control limits for a daily KPI from its own trailing history (no look-ahead).

    For every day t, only values *before* t are used, so the band for today is known this morning,
    a bad day does not widen its own band, and the same code runs in production:

    1. **Seasonal factors.** Each value has a phase, its position modulo ``seasonal_period`` (the day
       of the week for daily data and a period of 7). Over the ``window`` days before t, a phase's
       factor is the median of its values divided by the mean of the phase medians (multiplicative),
       or minus it (additive). Medians keep one bad Thursday from distorting every Thursday.
    2. **Expected value.** The window is deseasonalised (divided by, or minus, its factors); its
       median is the ``level``, and expected = level x factor of t (or level + factor).
    3. **Spread from past forecast errors.** sd = 1.4826 x the median absolute forecast error
       (observed - expected, deseasonalised) of the ``window`` days before t, a robust standard
       deviation: it equals the sd for normal errors but is barely moved by a few outliers. It is
       measured on *forecast* errors, not on the residuals of the window's own fit, because seven
       factors fitted to a few weeks absorb part of the noise: in-sample residuals understate the
       spread (by about a third with a 4-week window) and would give many times the nominal rate of
       false alarms. In the
       multiplicative model the sd is scaled by the day's factor (a busy Saturday gets a wider band).
    4. **Band.** lower / upper = expected -/+ ``k`` x sd.

    The first ``window`` days have no expected value and the first 2 x ``window`` days no band (NaN):
    there is no history yet. A phase whose median is 0 (multiplicative model) gets expected 0 and sd 0.
    With zero spread (a flat history) any change is outside the band and an unchanged value is not.
    Lower limits can be negative for counts; they are not clipped. After a long festival ramp the
    band stays wide for about one window (the ramp's forecast errors are in its history).

    Parameters
    ----------
    series : pandas.Series
        The KPI, one value per day on a sorted DatetimeIndex without gaps or NaN (missing days are
        rejected rather than filled: reindex explicitly, e.g. ``series.asfreq("D", fill_value=0)`` for
        a count). Any regular spacing works; ``seasonal_period`` is counted in steps.
    window : int, default 56
        Length of the trailing history, at least 2 x ``seasonal_period`` (every phase seen twice).
        The default is eight weeks of daily data, not the four weeks (28) often used, for two reasons. (a)
        The medians of steps 1-3 ignore unusual days only while they fill less than half of the window
        (their breakdown point); festival ramps such as 618 and Double 11 last three to four weeks, so right
        after one a 4-week window is about half festival: its forecasts run high and their errors inflate
        the spread for weeks. (b) Each weekday factor is the median of ``window / seasonal_period`` values:
        4 values give noisy factors on small counts, 8 steadier ones. On the course world's mini-program
        orders (about 35 a day) an 8-week window flags the planted 12-hour outage of 17 July 2025 (robust z
        -3.8) as its only low alert, while a 4-week window misses it (z -2.6, the band still wide from 618)
        and raises more high alerts outside the festivals (5 against 2 over 2024-2025). The price: the first
        band comes after 2 x ``window`` steps (16 weeks), and a lasting change of level is followed only
        after about half a window. Shorten the window for a steady series without festival peaks; lengthen
        it for small, noisy counts.
    k : float, default 3.0
        Width of the band in robust standard deviations, > 0.
    seasonal_period : int, default 7
        Length of the season in steps; 1 switches seasonal adjustment off.
    seasonality : {"multiplicative", "additive"}, default "multiplicative"
        Multiplicative suits counts and rates (a Saturday is 15% busier); it needs values >= 0.

    Returns
    -------
    pandas.DataFrame
        Same index as ``series``; columns ``observed``, ``seasonal`` (the factor or offset of the
        day), ``level`` (deseasonalised centre), ``expected``, ``sd``, ``lower``, ``upper``.

    Raises
    ------
    TypeError
        If ``series`` is not a Series, or ``window`` / ``seasonal_period`` are not integers, or ``k``
        is not a number.
    ValueError
        For an empty or non-numeric series, a non-datetime index, duplicate or unsorted dates, NaN
        values, missing days, fewer than 2 x ``window`` + 1 values, ``window < 2 x seasonal_period``,
        ``k <= 0``, an unknown ``seasonality``, or negative values with the multiplicative model.

    See Also
    --------
    detect_anomalies : the days outside the band.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-06", periods=42, freq="D")   # starts on a Monday
    >>> weekly = np.tile([100, 100, 100, 100, 100, 120, 120], 6)      # busy weekends
    >>> noise = np.tile([0, 3, -2, 1, -1], 9)[:42]                    # off the weekly beat
    >>> series = pd.Series((weekly + noise).astype(float), index=days)
    >>> band = control_limits(series, window=14)
    >>> band.loc["2025-02-15", ["observed", "seasonal", "expected", "sd", "lower", "upper"]].round(2)
    observed    120.00
    seasonal      1.15
    expected    122.00
    sd            3.55
    lower       111.36
    upper       132.64
    Name: 2025-02-15 00:00:00, dtype: float64
    >>> int(band["expected"].isna().sum()), int(band["sd"].isna().sum())   # warm-up: 14 and 28 days
    (14, 28)
    """
    window, seasonal_period = _check_window(window, seasonal_period)
    k = v.require_in_range(k, name="k", low=0, low_inclusive=False)
    seasonality = v.require_option(seasonality, ("multiplicative", "additive"), name="seasonality")
    series = v.require_time_series(series, min_length=2 * window + 1)
    x = series.to_numpy(dtype=float)
    multiplicative = seasonality == "multiplicative"
    if multiplicative and (x < 0).any():
        raise ValueError(
            f"`series` has {int((x < 0).sum())} negative values (min {x.min()!r}); the multiplicative "
            "model needs values >= 0: use seasonality='additive'."
        )
    n = len(x)
    phase = np.arange(n) % seasonal_period
    cols = {c: np.full(n, np.nan) for c in ("seasonal", "level", "expected", "sd")}
    # Pass 1: the expected value of every day from the `window` days before it.
    for i in range(window, n):
        w, ph = x[i - window:i], phase[i - window:i]
        med = np.array([np.median(w[ph == p]) for p in range(seasonal_period)])
        if multiplicative:
            mean = med.mean()
            f = med / mean if mean > 0 else np.ones(seasonal_period)
            fw = f[ph]
            ok = fw > 0
            d = w[ok] / fw[ok] if ok.any() else np.zeros(1)
        else:
            f = med - med.mean()
            d = w - f[ph]
        level = float(np.median(d))
        ft = float(f[phase[i]])
        cols["seasonal"][i], cols["level"][i] = ft, level
        cols["expected"][i] = level * ft if multiplicative else level + ft
    # Pass 2: the spread of the forecast errors of the `window` days before, on the deseasonalised
    # scale (so a busy Saturday gets a proportionally wider band in the multiplicative model).
    error = x - cols["expected"]
    if multiplicative:
        with np.errstate(divide="ignore", invalid="ignore"):
            error = np.where(cols["seasonal"] > 0, error / cols["seasonal"], 0.0)
    for i in range(2 * window, n):
        spread = _MAD_TO_SD * float(np.median(np.abs(error[i - window:i])))
        cols["sd"][i] = spread * cols["seasonal"][i] if multiplicative else spread
    out = pd.DataFrame({"observed": x, **cols}, index=series.index.copy())
    out["lower"] = out["expected"] - k * out["sd"]
    out["upper"] = out["expected"] + k * out["sd"]
    return out


def detect_anomalies(
    series_or_limits: pd.Series | pd.DataFrame,
    *,
    direction: str = "both",
    window: int = 56,
    k: float = 3.0,
    seasonal_period: int = 7,
    seasonality: str = "multiplicative",
) -> pd.DataFrame:
    """The days outside the control limits: an alert table.

    Parameters
    ----------
    series_or_limits : pandas.Series or pandas.DataFrame
        A daily KPI (limits are computed with :func:`control_limits` and the keyword arguments
        below), or a frame returned by :func:`control_limits` (the keyword arguments other than
        ``direction`` are then ignored).
    direction : {"both", "low", "high"}, default "both"
        Which side raises an alert: ``"low"`` for a KPI that should not fall (orders, conversion),
        ``"high"`` for one that should not rise (complaints, refunds).
    window, k, seasonal_period, seasonality
        As in :func:`control_limits`.

    Returns
    -------
    pandas.DataFrame
        One row per alert, in date order (empty when there is none): ``observed``, ``expected``,
        ``lower``, ``upper``, ``direction`` (``"low"`` / ``"high"``), ``deviation`` (observed -
        expected) and ``robust_z`` (deviation / sd; infinite when the history had no spread). A value
        on a limit (or beyond it by floating-point rounding only) is not an alert.

    Raises
    ------
    TypeError, KeyError, ValueError
        As :func:`control_limits`; ``KeyError`` when a limits frame lacks one of ``observed``,
        ``expected``, ``sd``, ``lower``, ``upper``; ``ValueError`` for an unknown ``direction``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-06", periods=42, freq="D")
    >>> weekly = np.tile([100, 100, 100, 100, 100, 120, 120], 6)
    >>> series = pd.Series((weekly + np.tile([0, 3, -2, 1, -1], 9)[:42]).astype(float), index=days)
    >>> len(detect_anomalies(series, window=14))                      # ordinary noise: no alert
    0
    >>> series.iloc[38] = 40.0                                         # an outage on a Thursday
    >>> detect_anomalies(series, window=14)[["observed", "expected", "direction", "robust_z"]].round(1)
                observed  expected direction  robust_z
    2025-02-13      40.0     101.0       low     -20.8
    """
    direction = v.require_option(direction, ("both", "low", "high"), name="direction")
    if isinstance(series_or_limits, pd.DataFrame):
        v.require_frame(series_or_limits, name="series_or_limits")
        v.require_columns(series_or_limits, list(_LIMIT_COLUMNS), name="series_or_limits")
        for col in _LIMIT_COLUMNS:
            v.require_numeric(series_or_limits, col, name="series_or_limits", allow_nan=True)
        limits = series_or_limits
    elif isinstance(series_or_limits, pd.Series):
        limits = control_limits(series_or_limits, window=window, k=k, seasonal_period=seasonal_period,
                                seasonality=seasonality)
    else:
        raise TypeError(
            "`series_or_limits` must be a pandas Series (a daily KPI) or the DataFrame returned by "
            f"control_limits(), got {type(series_or_limits).__name__}."
        )
    # a value on a limit is not an alert, nor one beyond it by floating-point rounding only
    tol = 1e-9 * np.maximum(1.0, limits["expected"].abs())
    low = limits["observed"] < limits["lower"] - tol
    high = limits["observed"] > limits["upper"] + tol
    flagged = {"both": low | high, "low": low, "high": high}[direction]
    alerts = limits.loc[flagged, ["observed", "expected", "lower", "upper"]].copy()
    alerts["direction"] = np.where(low[flagged], "low", "high")
    alerts["deviation"] = alerts["observed"] - alerts["expected"]
    with np.errstate(divide="ignore", invalid="ignore"):
        alerts["robust_z"] = alerts["deviation"] / limits.loc[flagged, "sd"]
    return alerts


# --------------------------------------------------------------------------- #
# decompose
# --------------------------------------------------------------------------- #
def decompose(
    series: pd.Series,
    *,
    period: int = 7,
    robust: bool = True,
    seasonal: int = 7,
    trend: int | None = None,
) -> pd.DataFrame:
    """Seasonal-trend decomposition with LOESS (STL): observed = trend + seasonal + resid.

    A thin wrapper over :class:`statsmodels.tsa.seasonal.STL` that validates the series and returns a
    tidy frame. Unlike :func:`control_limits`, STL smooths over past *and* future values: use it to
    read history (the trend through 618 and Double 11), not to raise alerts on the latest day.

    Parameters
    ----------
    series : pandas.Series
        One value per step on a sorted, regular DatetimeIndex without gaps or NaN, at least
        2 x ``period`` values.
    period : int, default 7
        Length of the season in steps (7: weekly season of daily data), >= 2.
    robust : bool, default True
        Robust fitting: outliers (a festival peak, an outage) get low weight and land in ``resid``
        instead of bending the trend and the seasonal pattern.
    seasonal : int, default 7
        Length of the seasonal smoother (odd, >= 3); larger values give a more stable weekly pattern.
    trend : int, optional
        Length of the trend smoother (odd, > ``period``); default: statsmodels' choice.

    Returns
    -------
    pandas.DataFrame
        Same index as ``series``; columns ``observed``, ``trend``, ``seasonal``, ``resid`` (the last
        three add up to ``observed``).

    Raises
    ------
    TypeError
        If ``series`` is not a Series, or ``period`` / ``seasonal`` / ``trend`` are not integers.
    ValueError
        For an empty or non-numeric series, a non-datetime index, duplicate or unsorted dates, NaN
        values, missing days, fewer than 2 x ``period`` values, ``period < 2``, an even or too short
        ``seasonal`` or ``trend``, or a non-boolean ``robust``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> days = pd.date_range("2025-01-06", periods=70, freq="D")
    >>> series = pd.Series(np.linspace(100, 130, 70) + np.tile([0, 0, 0, 0, 5, 10, -15], 10), index=days)
    >>> parts = decompose(series)
    >>> list(parts.columns)
    ['observed', 'trend', 'seasonal', 'resid']
    >>> bool(np.allclose(parts[["trend", "seasonal", "resid"]].sum(axis=1), parts["observed"]))
    True
    >>> [int(round(x)) for x in parts["seasonal"].iloc[28:35]]       # Monday ... Sunday
    [0, 0, 0, 0, 5, 10, -15]
    """
    from statsmodels.tsa.seasonal import STL

    period = v.require_positive_int(period, name="period", minimum=2)
    if not isinstance(robust, (bool, np.bool_)):
        raise ValueError(f"`robust` must be True or False; got {robust!r}.")
    seasonal = v.require_positive_int(seasonal, name="seasonal", minimum=3)
    if seasonal % 2 == 0:
        raise ValueError(f"`seasonal` must be an odd integer >= 3; got {seasonal}.")
    if trend is not None:
        trend = v.require_positive_int(trend, name="trend", minimum=period + 1)
        if trend % 2 == 0:
            raise ValueError(f"`trend` must be an odd integer > `period` ({period}); got {trend}.")
    series = v.require_time_series(series, min_length=2 * period)
    fit = STL(series.astype(float), period=period, seasonal=seasonal, trend=trend, robust=bool(robust)).fit()
    return pd.DataFrame({"observed": series.astype(float), "trend": fit.trend, "seasonal": fit.seasonal,
                         "resid": fit.resid}, index=series.index.copy())
