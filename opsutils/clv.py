"""Customer lifetime value: historic CLV, BG/NBD and Gamma-Gamma models, discounted CLV, CLV/CAC.

The probabilistic models are those of the "buy till you die" family:

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a
  customer buys at a Poisson rate ``lambda ~ Gamma(r, alpha)``; after every repeat purchase they drop
  out for good with probability ``p ~ Beta(a, b)``.
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note): the value of
  a customer's transactions varies around a customer-level mean that is itself Gamma-distributed,
  independent of the purchase process.

Both are fitted by maximum likelihood in log-parameter space (so every parameter stays positive)
with scipy, with the log-likelihood written in log-gamma terms so that large frequencies do not
overflow. The models take the per-customer summary that :func:`summary_from_transactions` builds:
``frequency`` (repeat purchases, i.e. purchase days after the first), ``recency`` (time from the
first to the last purchase) and ``T`` (time from the first purchase to the end of calibration), in
the chosen time unit.

References
----------
Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from opsutils import _validation as v
from opsutils.business import RULE_OF_3

__all__ = [
    "TIME_UNITS",
    "summary_from_transactions",
    "historic_clv",
    "FitSummary",
    "BetaGeo",
    "GammaGamma",
    "customer_lifetime_value",
    "tracking",
    "clv_cac_ratio",
    "NotFittedError",
]

class NotFittedError(ValueError, RuntimeError):
    """A model was used before :meth:`fit` (or ``params=``) gave it parameters.

    It is both a ``ValueError`` and a ``RuntimeError``, so either ``except`` catches it.
    """


#: Length of each supported time unit, in days (``freq`` argument).
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}

_DAY = np.timedelta64(1, "D")


# --------------------------------------------------------------------------- #
# Summaries
# --------------------------------------------------------------------------- #
def _day_numbers(ts: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 (the calendar date of each timestamp, time of day dropped)."""
    values = ts.dt.tz_localize(None) if ts.dt.tz is not None else ts
    return values.to_numpy().astype("datetime64[D]").astype(np.int64)


def _day_number(ts: pd.Timestamp) -> int:
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))


def summary_from_transactions(
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_ts",
    amount_col: str | None = None,
    calibration_end: Any,
    observation_end: Any = None,
    freq: str = "W",
) -> pd.DataFrame:
    """Per-customer frequency, recency and age (T) for the BG/NBD and Gamma-Gamma models.

    Transactions are first collapsed to one per customer and **calendar day** (amounts summed), as in
    Fader, Hardie & Lee's CDNOW analysis: two orders on the same day are one purchase occasion.
    Durations are the exact number of days between those dates divided by the length of the time
    unit (7 for weeks), so they are not rounded to whole weeks.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction (order).
    customer_col, date_col : str
        Customer id and timestamp columns.
    amount_col : str, optional
        Transaction value column. When given, the output has ``monetary_value``: the mean value of
        the *repeat* purchase days (the first is excluded), 0 for customers without repeat purchases.
    calibration_end : str or Timestamp
        Last day of the calibration period (inclusive). Customers whose first purchase is later are
        left out.
    observation_end : str or Timestamp, optional
        Last day of a holdout period after ``calibration_end`` (inclusive). When given, the output
        also has ``frequency_holdout`` (purchase days in the holdout), ``duration_holdout`` (its
        length) and, with ``amount_col``, ``monetary_holdout`` (mean value of those days, 0 if none).
    freq : {"W", "D", "M"}, default "W"
        Time unit of ``recency``, ``T`` and ``duration_holdout``: weeks (7 days), days, or months
        (365.25 / 12 days).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted): ``frequency`` (int), ``recency``, ``T`` and the optional
        columns above.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids or timestamps, negative amounts, an unknown ``freq``, an
        ``observation_end`` not after ``calibration_end``, or no customer in the calibration period.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "order_ts": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 18:00",
    ...                                                "2025-01-15 12:00", "2025-01-08 10:30"]),
    ...                    "amount": [10.0, 5.0, 30.0, 20.0]})
    >>> summary_from_transactions(tx, amount_col="amount", calibration_end="2025-01-29")
                 frequency  recency    T  monetary_value
    customer_id                                         
    a                    1      2.0  4.0            30.0
    b                    0      0.0  3.0             0.0
    """
    v.require_transactions(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                           name="transactions")
    freq = v.require_option(freq, TIME_UNITS, name="freq")
    unit = TIME_UNITS[freq]
    cal_end = v.require_timestamp(calibration_end, name="calibration_end")
    cal_day = _day_number(cal_end)
    obs_day = None
    if observation_end is not None:
        obs_end = v.require_timestamp(observation_end, name="observation_end")
        obs_day = _day_number(obs_end)
        if obs_day <= cal_day:
            raise ValueError(
                f"`observation_end` ({obs_end.date()}) must be after `calibration_end` ({cal_end.date()})."
            )

    codes, uniques = pd.factorize(transactions[customer_col], sort=True)
    day = _day_numbers(transactions[date_col])
    amount = (transactions[amount_col].to_numpy(dtype=float) if amount_col is not None
              else np.zeros(len(day)))
    last_day = cal_day if obs_day is None else obs_day
    keep = day <= last_day
    codes, day, amount = codes[keep], day[keep], amount[keep]

    # One purchase occasion per customer and calendar day (amounts summed): sort one integer key
    # (customer, day), then reduce its runs.
    d0 = int(day.min()) if len(day) else 0
    span = int(day.max()) - d0 + 1 if len(day) else 1
    key = codes.astype(np.int64) * span + (day - d0)
    if amount_col is None:
        key = np.sort(key)
    else:
        order = np.argsort(key)
        key, amount = key[order], amount[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    amount = np.add.reduceat(amount, starts) if len(starts) else amount[:0]
    key = key[starts]
    codes, day = key // span, key % span + d0

    n = len(uniques)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, day)
    in_cal = day <= cal_day
    cal_count = np.bincount(codes[in_cal], minlength=n)
    last_cal = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_cal, codes[in_cal], day[in_cal])
    alive = cal_count > 0  # first purchase within the calibration period
    if not alive.any():
        raise ValueError(
            f"`transactions` has no purchase on or before calibration_end={cal_end.date()}; "
            f"the earliest is {transactions[date_col].min()}."
        )
    frequency = cal_count - 1
    out = pd.DataFrame(
        {
            "frequency": frequency.astype("int64"),
            "recency": (last_cal - first) / unit,
            "T": (cal_day - first) / unit,
        },
        index=pd.Index(uniques, name=customer_col),
    )
    if amount_col is not None:
        is_first = np.zeros(len(codes), dtype=bool)
        is_first[np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])] = True
        repeat = in_cal & ~is_first
        repeat_sum = np.bincount(codes[repeat], weights=amount[repeat], minlength=n)
        out["monetary_value"] = np.divide(repeat_sum, frequency, out=np.zeros(n), where=frequency > 0)
    if obs_day is not None:
        hold = ~in_cal
        hold_count = np.bincount(codes[hold], minlength=n)
        out["frequency_holdout"] = hold_count.astype("int64")
        out["duration_holdout"] = (obs_day - cal_day) / unit
        if amount_col is not None:
            hold_sum = np.bincount(codes[hold], weights=amount[hold], minlength=n)
            out["monetary_holdout"] = np.divide(hold_sum, hold_count, out=np.zeros(n), where=hold_count > 0)
    return out[alive]


def historic_clv(
    orders: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_ts",
    amount_col: str = "amount",
    as_of: Any,
    margin: float = 1.0,
) -> pd.Series:
    """Historic (realised) CLV: the margin a customer has generated up to ``as_of``.

    Historic CLV looks backwards: it is what the customer *has been* worth, the sum of the amounts
    of their orders up to ``as_of`` times the margin. It says nothing about the future; compare it
    with :func:`customer_lifetime_value`.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order.
    customer_col, date_col, amount_col : str
        Column names.
    as_of : str or Timestamp
        Orders after this **moment** are ignored, as in :func:`opsutils.segmentation.rfm_table`: a
        date such as ``"2025-06-30"`` means midnight at the *start* of that day, so that day's orders
        are left out. To include a whole day (like ``calibration_end`` of
        :func:`summary_from_transactions`), pass the next midnight, ``"2025-07-01"``, or the day's last
        moment.
    margin : float, default 1.0
        Gross margin rate in [0, 1] (1 gives revenue).

    Returns
    -------
    pandas.Series
        Named ``historic_clv``, indexed by customer (customers with an order up to ``as_of``).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 50.0, 80.0],
    ...                        "order_ts": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
    >>> historic_clv(orders, as_of="2025-02-15", margin=0.4).to_dict()
    {'a': 60.0}
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    as_of = v.require_timestamp(as_of, name="as_of")
    margin = v.require_in_range(margin, name="margin", low=0, high=1)
    past = orders[orders[date_col] <= as_of]
    if past.empty:
        raise ValueError(f"`orders` has no order at or before as_of={as_of}.")
    return (past.groupby(customer_col)[amount_col].sum() * margin).rename("historic_clv")


# --------------------------------------------------------------------------- #
# Input checks for the models
# --------------------------------------------------------------------------- #
def _vector(values: Any, *, name: str) -> np.ndarray:
    """A 1-d float array from a Series / list / array / scalar, or a clear error."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"`{name}` must be one column (a Series or 1-d array), got a DataFrame.")
    if isinstance(values, (pd.Series, pd.Index)):
        if not v._is_real_numeric_dtype(values.dtype):
            raise ValueError(f"`{name}` must be numeric, got dtype {values.dtype}.")
        arr = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"`{name}` must hold numbers; got {v._fmt_scalar(values)}.") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be 1-dimensional; got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty; pass at least one customer.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"`{name}` has {int(bad.sum())} missing or infinite values; drop or fill them first.")
    return arr


def _same_length(**arrays: np.ndarray) -> None:
    lengths = {k: len(a) for k, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        listing = ", ".join(f"`{k}` has {n}" for k, n in lengths.items())
        raise ValueError(f"the inputs must have one value per customer; got different lengths: {listing}.")


def _rft(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _vector(frequency, name="frequency")
    t_x = _vector(recency, name="recency")
    T_ = _vector(T, name="T")
    n = max(len(x), len(t_x), len(T_))
    # Scalars broadcast (one customer's values or a common T); vectors must agree.
    x, t_x, T_ = (np.broadcast_to(a, n) if len(a) == 1 else a for a in (x, t_x, T_))
    _same_length(frequency=x, recency=t_x, T=T_)
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError("`frequency` must hold whole numbers >= 0 (repeat purchases).")
    if (t_x < 0).any():
        raise ValueError(f"`recency` must be >= 0; got a minimum of {float(t_x.min()):g}.")
    if (T_ < 0).any():
        raise ValueError(f"`T` must be >= 0 (time since the first purchase); got a minimum of {float(T_.min()):g}.")
    over = t_x > T_ * (1 + 1e-12)
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise ValueError(
            f"`recency` is larger than `T` for {int(over.sum())} customers (first: recency {float(t_x[i]):g} > "
            f"T {float(T_[i]):g}); recency is the time from the first to the last purchase, at most T."
        )
    zero = (x == 0) & (t_x != 0)
    if zero.any():
        raise ValueError(
            f"`recency` must be 0 when `frequency` is 0; {int(zero.sum())} customers have no repeat purchase "
            "but a positive recency."
        )
    return x, t_x, T_


def _time(t: Any, *, name: str = "t") -> np.ndarray:
    arr = _vector(t, name=name)
    if (arr < 0).any():
        raise ValueError(f"`{name}` must be >= 0; got a minimum of {float(arr.min()):g}.")
    return arr


def _maybe_series(values: np.ndarray, like: Any, name: str) -> Any:
    """Return a Series with ``like``'s index when the caller passed a Series, else an array/float."""
    if isinstance(like, pd.Series) and len(like) == len(values):
        return pd.Series(values, index=like.index, name=name)
    return float(values[0]) if values.shape == (1,) and np.ndim(like) == 0 else values


def _compress(*columns: np.ndarray) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Unique rows and their counts: the likelihood is a sum over identical customers."""
    stacked = np.column_stack(columns)
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return tuple(uniq[:, j] for j in range(uniq.shape[1])), counts.astype(float)


def _fit_log_params(neg_ll_and_grad, x0: np.ndarray) -> optimize.OptimizeResult:
    """Minimise a negative log-likelihood over log-parameters with its analytic gradient.

    L-BFGS-B with the exact gradient converges in a few dozen evaluations; should it stop without
    convergence (a pathological start), Nelder-Mead from its end point and a second L-BFGS-B polish it.
    """
    opts = {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-8}
    res = optimize.minimize(neg_ll_and_grad, x0, jac=True, method="L-BFGS-B", options=opts)
    if not res.success:
        coarse = optimize.minimize(lambda th: neg_ll_and_grad(th)[0], res.x, method="Nelder-Mead",
                                   options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-10})
        res = optimize.minimize(neg_ll_and_grad, coarse.x, jac=True, method="L-BFGS-B", options=opts)
    if not np.isfinite(res.fun):
        raise RuntimeError("the likelihood could not be evaluated at the estimates; check the inputs.")
    return res


# --------------------------------------------------------------------------- #
# BG/NBD
# --------------------------------------------------------------------------- #
def _bgnbd_ll(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray,
              T: np.ndarray, *, gradient: bool = False):
    """Individual log-likelihoods (Fader, Hardie & Lee 2005, eq. 6), in log-gamma form.

    With ``gradient=True`` also the derivatives with respect to ``(r, alpha, a, b)``, shape (4, n).
    """
    lg, dg = special.gammaln, special.digamma
    repeat = x > 0
    bx1 = np.where(repeat, b + x - 1, 1.0)
    a1 = lg(r + x) - lg(r) + r * np.log(alpha)
    a2 = lg(a + b) + lg(b + x) - lg(b) - lg(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + t_x), -np.inf)
    tail = np.logaddexp(a3, a4)
    ll = a1 + a2 + tail
    if not gradient:
        return ll
    w3, w4 = np.exp(a3 - tail), np.exp(a4 - tail)
    d_r = dg(r + x) - dg(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = dg(a + b) - dg(a + b + x) + w4 / a
    d_b = dg(a + b) + dg(b + x) - dg(b) - dg(a + b + x) - w4 / bx1
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


@dataclass(frozen=True)
class FitSummary:
    """The estimates of a :class:`BetaGeo` or :class:`GammaGamma` model (returned by ``.summary()``).

    Attributes
    ----------
    model : str
        ``"BetaGeo"`` or ``"GammaGamma"``.
    params : dict
        Parameter name to estimate (``r, alpha, a, b`` or ``p, q, gamma``).
    log_likelihood : float
        Total log-likelihood at the estimates; NaN when the parameters were set by hand (``params=``)
        rather than fitted.
    n_customers : int
        Customers in the fit (0 when the parameters were set by hand).

    Examples
    --------
    >>> s = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}).summary()
    >>> s.model, s.n_customers
    ('BetaGeo', 0)
    >>> s.to_frame()
      parameter  estimate
    0         r     0.243
    1     alpha     4.414
    2         a     0.793
    3         b     2.426
    """

    model: str
    params: dict
    log_likelihood: float
    n_customers: int

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: ``parameter`` and ``estimate``."""
        return pd.DataFrame({"parameter": list(self.params), "estimate": list(self.params.values())})


def _fit_summary(model: Any) -> FitSummary:
    model._p()
    ll = np.nan if model.log_likelihood_ is None else float(model.log_likelihood_)
    return FitSummary(type(model).__name__, dict(model.params_), ll, int(model.n_customers_ or 0))


#: Half-width of the band around a = 1 bridged by interpolation in the BG/NBD expectations.
_A_ONE_BAND = 1e-4


def _across_a_equal_1(f: Any, a: float) -> Any:
    """``f(a)`` for a BG/NBD expectation with a removable singularity at ``a = 1``.

    Eqs. 9 and 10 of Fader, Hardie & Lee (2005) have the form ``(...) / (a - 1) * (1 - h(a))`` with
    ``h(1) = 1``: the value has a finite limit at ``a = 1``, but near it floating point computes 0 / 0
    (a ZeroDivisionError or NaN at exactly 1, lost digits close to it). Within ``_A_ONE_BAND`` of 1
    we interpolate linearly between ``f(1 - band)`` and ``f(1 + band)``: the expectation is smooth in
    ``a``, so the interpolation error is of order ``band ** 2`` (about 1e-8 relative), while at
    ``a = 1 +- band`` the cancellation costs only about 1e-12.
    """
    if abs(a - 1) >= _A_ONE_BAND:
        return f(a)
    lo, hi = f(1 - _A_ONE_BAND), f(1 + _A_ONE_BAND)
    w = (a - (1 - _A_ONE_BAND)) / (2 * _A_ONE_BAND)
    return lo + w * (hi - lo)


class BetaGeo:
    """The BG/NBD model of repeat purchasing, fitted by maximum likelihood.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict
        ``{"r", "alpha", "a", "b"}``: purchase rates are Gamma(r, alpha) (shape, *rate*) and dropout
        probabilities Beta(a, b).
    log_likelihood_ : float
        Total log-likelihood at the estimates.
    n_customers_ : int
        Number of customers in the fit.

    Examples
    --------
    >>> m = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})  # FHL (2005), CDNOW
    >>> round(float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)), 3)
    1.226
    >>> round(float(m.p_alive(2, 30.43, 38.86)), 3)
    0.727
    """

    def __init__(self, params: dict | None = None):
        self.params_: dict | None = None
        self.log_likelihood_: float | None = None
        self.n_customers_: int | None = None
        if params is not None:
            self.params_ = self._check_params(params)

    @staticmethod
    def _check_params(params: Any) -> dict:
        if not isinstance(params, dict) or set(params) != {"r", "alpha", "a", "b"}:
            raise ValueError(f"`params` must be a dict with keys 'r', 'alpha', 'a', 'b'; got {params!r}.")
        out = {}
        for k in ("r", "alpha", "a", "b"):
            out[k] = float(v.require_in_range(params[k], name=f"params['{k}']", low=0, low_inclusive=False))
        return out

    def __repr__(self) -> str:
        if self.params_ is None:
            return "BetaGeo(not fitted)"
        return "BetaGeo(" + ", ".join(f"{k}={val:.4g}" for k, val in self.params_.items()) + ")"

    def _p(self) -> tuple[float, float, float, float]:
        if self.params_ is None:
            raise NotFittedError("this BetaGeo model is not fitted yet; call .fit(frequency, recency, T) first.")
        p = self.params_
        return p["r"], p["alpha"], p["a"], p["b"]

    def fit(self, frequency: Any, recency: Any, T: Any) -> "BetaGeo":
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            One value per customer, as returned by :func:`summary_from_transactions`.

        Returns
        -------
        BetaGeo
            ``self``, with ``params_``, ``log_likelihood_`` and ``n_customers_`` set.
        """
        x, t_x, T_ = _rft(frequency, recency, T)
        (x, t_x, T_), w = _compress(x, t_x, T_)
        scale = float(np.mean(T_ * w) / np.mean(w)) or 1.0  # start alpha on the data's time scale

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            with np.errstate(all="ignore"):  # far-out trial points may overflow; they are rejected below
                params = np.exp(theta)
                ll, grad = _bgnbd_ll(*params, x, t_x, T_, gradient=True)
                val = -float(np.dot(w, ll))
                grad = -(grad @ w) * params  # chain rule: d/d log(theta) = theta * d/d theta
            if not (np.isfinite(val) and np.isfinite(grad).all()):
                return 1e300, np.zeros(4)
            return val, grad

        res = _fit_log_params(neg_ll, np.log([1.0, scale, 1.0, 1.0]))
        r, alpha, a, b = np.exp(res.x)
        self.params_ = {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}
        self.log_likelihood_ = -float(res.fun)
        self.n_customers_ = int(w.sum())
        return self

    def summary(self) -> FitSummary:
        """The estimates, log-likelihood and number of customers as a :class:`FitSummary`."""
        return _fit_summary(self)

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> float:
        """Total log-likelihood of the data at the current parameters."""
        r, alpha, a, b = self._p()
        x, t_x, T_ = _rft(frequency, recency, T)
        return float(_bgnbd_ll(r, alpha, a, b, x, t_x, T_).sum())

    def expected_purchases(self, t: Any) -> Any:
        """Expected number of repeat purchases in ``(0, t]`` for a customer who just made a first purchase.

        Fader, Hardie & Lee (2005), eq. 9, with the hypergeometric function rewritten by Euler's
        transformation so that it stays finite for any ``t``. The formula divides by ``a - 1``; within 1e-4
        of ``a = 1`` (where it is 0 / 0) the value is interpolated across ``a = 1``, which matches the
        formula's finite limit to about 1e-8 (see ``_across_a_equal_1``).

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the model's time unit.
        """
        r, alpha, a, b = self._p()
        tt = _time(t)
        z = tt / (alpha + tt)

        def expectation(a: float) -> np.ndarray:
            # (1-z)^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)   (Euler)
            h = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)
            return (a + b - 1) / (a - 1) * (1 - h)

        return _maybe_series(_across_a_equal_1(expectation, a), t, "expected_purchases")

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected repeat purchases in the next ``t`` time units, given each customer's history.

        Fader, Hardie & Lee (2005), eq. 10. The hypergeometric term is rewritten by Euler's
        transformation, ``(1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1;
        a+b+x-1; z)``, whose parameters do not grow with the frequency ``x``, so very frequent
        buyers neither overflow nor lose precision. As in :meth:`expected_purchases`, values of ``a``
        within 1e-4 of 1 (where the printed formula is 0 / 0) are interpolated across ``a = 1``.

        Parameters
        ----------
        t : float or array-like
            Length of the future period (model time unit).
        frequency, recency, T : array-like
            Each customer's summary.

        Returns
        -------
        numpy.ndarray, pandas.Series or float
            A Series (with ``frequency``'s index) when ``frequency`` is a Series.
        """
        r, alpha, a, b = self._p()
        x, t_x, T_ = _rft(frequency, recency, T)
        tt = _time(t)
        if len(tt) not in (1, len(x)):
            raise ValueError(f"`t` must be one number or one per customer; got {len(tt)} for {len(x)} customers.")
        z = tt / (alpha + T_ + tt)

        def numerator(a: float) -> np.ndarray:
            h = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
            return (a + b + x - 1) / (a - 1) * (1 - h)

        out = _across_a_equal_1(numerator, a) * self._p_alive(x, t_x, T_)
        return _maybe_series(out, frequency, "expected_purchases")

    def _p_alive(self, x: np.ndarray, t_x: np.ndarray, T_: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self._p()
        with np.errstate(divide="ignore"):
            log_odds_dead = np.where(
                x > 0,
                np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T_) - np.log(alpha + t_x)),
                -np.inf,
            )
        return special.expit(-log_odds_dead)

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that each customer is still active at the end of calibration.

        ``1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``, computed from the
        log-odds (no overflow for large ``x`` or long inactivity). Customers without repeat purchases
        cannot have dropped out under the BG/NBD model (dropout follows a purchase), so their value is 1.
        """
        x, t_x, T_ = _rft(frequency, recency, T)
        return _maybe_series(self._p_alive(x, t_x, T_), frequency, "p_alive")


# --------------------------------------------------------------------------- #
# Gamma-Gamma
# --------------------------------------------------------------------------- #
def _fm(frequency: Any, monetary: Any) -> tuple[np.ndarray, np.ndarray]:
    x = _vector(frequency, name="frequency")
    m = _vector(monetary, name="monetary")
    _same_length(frequency=x, monetary=m)
    if (x < 1).any() or (x != np.round(x)).any():
        raise ValueError(
            "`frequency` must hold whole numbers >= 1: the Gamma-Gamma model is fitted on customers with at "
            f"least one repeat purchase (got a minimum of {float(x.min()):g}); select them with frequency > 0."
        )
    if (m <= 0).any():
        raise ValueError(f"`monetary` must be > 0 (mean repeat-purchase value); got a minimum of {float(m.min()):g}.")
    return x, m


def _gg_ll(p: float, q: float, g: float, x: np.ndarray, m: np.ndarray, *, gradient: bool = False):
    """Log density of the mean value ``m`` of ``x`` transactions (Fader & Hardie 2013, eq. 2).

    With ``gradient=True`` also the derivatives with respect to ``(p, q, gamma)``, shape (3, n).
    """
    lg, dg = special.gammaln, special.digamma
    px = p * x
    log_gxm = np.log(g + x * m)
    ll = (lg(px + q) - lg(px) - lg(q) + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x)
          - (px + q) * log_gxm)
    if not gradient:
        return ll
    d_p = x * (dg(px + q) - dg(px) + np.log(m) + np.log(x) - log_gxm)
    d_q = dg(px + q) - dg(q) + np.log(g) - log_gxm
    d_g = q / g - (px + q) / (g + x * m)
    return ll, np.vstack([d_p, d_q, d_g])


class GammaGamma:
    """The Gamma-Gamma model of the average transaction value, fitted by maximum likelihood.

    Transaction values of a customer are Gamma(p, nu); across customers nu is Gamma(q, gamma)
    (shape, rate). The mean transaction value of the population is ``p * gamma / (q - 1)``.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict
        ``{"p", "q", "gamma"}``.
    log_likelihood_ : float
        Total log-likelihood at the estimates.

    Examples
    --------
    >>> gg = GammaGamma(params={"p": 6.25, "q": 3.74, "gamma": 15.44})  # Fader & Hardie, CDNOW
    >>> round(gg.population_mean, 2)
    35.22
    >>> round(float(gg.conditional_expected_spend(2, 25.0)), 2)
    26.84
    """

    def __init__(self, params: dict | None = None):
        self.params_: dict | None = None
        self.log_likelihood_: float | None = None
        self.n_customers_: int | None = None
        if params is not None:
            if not isinstance(params, dict) or set(params) != {"p", "q", "gamma"}:
                raise ValueError(f"`params` must be a dict with keys 'p', 'q', 'gamma'; got {params!r}.")
            self.params_ = {k: float(v.require_in_range(params[k], name=f"params['{k}']", low=0,
                                                        low_inclusive=False)) for k in ("p", "q", "gamma")}

    def __repr__(self) -> str:
        if self.params_ is None:
            return "GammaGamma(not fitted)"
        return "GammaGamma(" + ", ".join(f"{k}={val:.4g}" for k, val in self.params_.items()) + ")"

    def _p(self) -> tuple[float, float, float]:
        if self.params_ is None:
            raise NotFittedError("this GammaGamma model is not fitted yet; call .fit(frequency, monetary) first.")
        return self.params_["p"], self.params_["q"], self.params_["gamma"]

    def fit(self, frequency: Any, monetary: Any) -> "GammaGamma":
        """Estimate ``p, q, gamma`` from repeat customers' frequency and mean repeat-purchase value.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases (all >= 1).
        monetary : array-like
            Mean value of those repeat purchases (all > 0).

        Returns
        -------
        GammaGamma
            ``self``, with ``params_``, ``log_likelihood_`` and ``n_customers_`` set.
        """
        x, m = _fm(frequency, monetary)

        def neg_ll(theta: np.ndarray) -> tuple[float, np.ndarray]:
            with np.errstate(all="ignore"):  # far-out trial points may overflow; they are rejected below
                params = np.exp(theta)
                ll, grad = _gg_ll(*params, x, m, gradient=True)
                val = -float(ll.sum())
                grad = -grad.sum(axis=1) * params
            if not (np.isfinite(val) and np.isfinite(grad).all()):
                return 1e300, np.zeros(3)
            return val, grad

        res = _fit_log_params(neg_ll, np.log([1.0, 1.0, float(np.mean(m))]))
        p, q, g = np.exp(res.x)
        self.params_ = {"p": float(p), "q": float(q), "gamma": float(g)}
        self.log_likelihood_ = -float(res.fun)
        self.n_customers_ = int(len(x))
        return self

    def summary(self) -> FitSummary:
        """The estimates, log-likelihood and number of customers as a :class:`FitSummary`."""
        return _fit_summary(self)

    @property
    def population_mean(self) -> float:
        """Mean transaction value across customers, ``p * gamma / (q - 1)`` (infinite if q <= 1)."""
        p, q, g = self._p()
        return float(p * g / (q - 1)) if q > 1 else float("inf")

    def conditional_expected_spend(self, frequency: Any, monetary: Any) -> Any:
        """Expected value of a customer's future transactions, given their history.

        A weighted average of the population mean and the customer's own mean:
        ``(q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * m``. Customers with
        ``frequency == 0`` get the population mean (pass 0 for their ``monetary``).
        """
        p, q, g = self._p()
        x = _vector(frequency, name="frequency")
        m = _vector(monetary, name="monetary")
        _same_length(frequency=x, monetary=m)
        for label, values in (("frequency", x), ("monetary", m)):
            if (values < 0).any():
                raise ValueError(f"`{label}` must be >= 0; got {int((values < 0).sum())} negative value(s), "
                                 f"a minimum of {float(values.min()):g}.")
        if q <= 1:
            raise ValueError(f"the population mean is infinite for q <= 1 (fitted q = {q:.4g}).")
        out = (g + x * m) * p / (p * x + q - 1)
        return _maybe_series(out, frequency, "expected_spend")


# --------------------------------------------------------------------------- #
# CLV and validation
# --------------------------------------------------------------------------- #
def _require_fitted(model: Any, cls: type, *, name: str) -> None:
    """A fitted ``cls`` instance, or a TypeError (wrong object) / NotFittedError (not fitted)."""
    if not isinstance(model, cls):
        raise TypeError(f"`{name}` must be a fitted {cls.__name__}, got {type(model).__name__}.")
    if model.params_ is None:
        raise NotFittedError(
            f"`{name}` is a {cls.__name__} that is not fitted yet; call its .fit(...) first, or build it with "
            f"{cls.__name__}(params=...)."
        )


def customer_lifetime_value(
    summary: pd.DataFrame,
    *,
    purchase_model: BetaGeo,
    spend_model: GammaGamma,
    horizon: float = 52.0,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    units_per_year: float = 52.0,
    step: float = 1.0,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    monetary_col: str = "monetary_value",
) -> pd.DataFrame:
    """Predictive CLV: discounted expected margin over a horizon, from BG/NBD and Gamma-Gamma.

    The horizon is cut into steps; in each step the expected number of purchases (the increase of
    the BG/NBD conditional expectation) is valued at the Gamma-Gamma expected spend, multiplied by
    the margin and discounted to today at the end of the step::

        CLV = sum_k [E(k s) - E((k-1) s)] * spend * margin / (1 + d) ** (k s / units_per_year)

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer with frequency, recency, T and monetary value (see
        :func:`summary_from_transactions`).
    purchase_model : BetaGeo
        A fitted BG/NBD model (keyword-only, required).
    spend_model : GammaGamma
        A fitted Gamma-Gamma model (keyword-only, required).
    horizon : float, default 52
        Length of the future period, in the models' time unit (52 weeks = one year).
    margin : float, default 1.0
        Gross margin rate in [0, 1].
    discount_rate : float, default 0.0
        Annual discount rate (0.1 = 10% a year), >= 0.
    units_per_year : float, default 52
        Time units per year (52 for weeks, 365 for days, 12 for months).
    step : float, default 1
        Length of a discounting step, in time units.
    frequency_col, recency_col, T_col, monetary_col : str
        Column names in ``summary``.

    Returns
    -------
    pandas.DataFrame
        ``summary``'s index with ``expected_purchases``, ``expected_spend``, ``p_alive`` and ``clv``.

    Raises
    ------
    TypeError
        If a model is missing or of the wrong class.
    ValueError
        If a model is not fitted, ``summary`` is empty or has non-numeric, missing or negative
        values, or an option is out of range.
    KeyError
        If a column is missing from ``summary``.

    Examples
    --------
    >>> import pandas as pd
    >>> bg = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> gg = GammaGamma(params={"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> s = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86, 38.86],
    ...                   "monetary_value": [25.0, 0.0]}, index=["a", "b"])
    >>> customer_lifetime_value(s, purchase_model=bg, spend_model=gg, horizon=39, margin=0.3).round(2)
       expected_purchases  expected_spend  p_alive   clv
    a                1.23           26.84     0.73  9.87
    b                0.20           35.22     1.00  2.06
    """
    if isinstance(summary, (BetaGeo, GammaGamma)):
        raise TypeError(
            "the summary frame comes first and the models are keyword-only: "
            "customer_lifetime_value(summary, purchase_model=bg, spend_model=gg, ...)."
        )
    _require_fitted(purchase_model, BetaGeo, name="purchase_model")
    _require_fitted(spend_model, GammaGamma, name="spend_model")
    v.require_frame(summary, name="summary")
    cols = [frequency_col, recency_col, T_col, monetary_col]
    v.require_columns(summary, cols, name="summary")
    for c in cols:
        v.require_numeric(summary, c, name="summary", allow_negative=False)
    horizon = float(v.require_in_range(horizon, name="horizon", low=0, low_inclusive=False))
    margin = float(v.require_in_range(margin, name="margin", low=0, high=1))
    discount_rate = float(v.require_in_range(discount_rate, name="discount_rate", low=0))
    units_per_year = float(v.require_in_range(units_per_year, name="units_per_year", low=0, low_inclusive=False))
    step = float(v.require_in_range(step, name="step", low=0, low_inclusive=False, high=horizon))
    x, t_x, T_ = (summary[c].to_numpy(dtype=float) for c in cols[:3])
    spend = np.asarray(spend_model.conditional_expected_spend(x, summary[monetary_col].to_numpy(dtype=float)))
    ends = np.append(np.arange(step, horizon, step), horizon)
    cum = np.zeros(len(x))
    value = np.zeros(len(x))
    for end in ends:
        now = np.asarray(purchase_model.conditional_expected_purchases(end, x, t_x, T_))
        value += (now - cum) / (1 + discount_rate) ** (end / units_per_year)
        cum = now
    return pd.DataFrame(
        {
            "expected_purchases": cum,
            "expected_spend": spend,
            "p_alive": np.asarray(purchase_model.p_alive(x, t_x, T_)),
            "clv": value * spend * margin,
        },
        index=summary.index,
    )


def tracking(
    transactions: pd.DataFrame,
    *,
    purchase_model: BetaGeo,
    customer_col: str = "customer_id",
    date_col: str = "order_ts",
    calibration_end: Any,
    observation_end: Any,
    freq: str = "W",
    period: float = 1.0,
) -> pd.DataFrame:
    """Cumulative repeat purchases of a cohort, actual vs the model, through calibration and holdout.

    The classic validation plot of Fader, Hardie & Lee (2005, figure 2): customers whose first
    purchase falls on or before ``calibration_end`` are followed to ``observation_end``. The model's
    curve sums, over customers, the expected repeat purchases since each one's first purchase
    (:meth:`BetaGeo.expected_purchases`); the actual curve counts repeat purchase days (one per
    customer and day, as in :func:`summary_from_transactions`).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction.
    purchase_model : BetaGeo
        Fitted on the calibration summary of the same customers.
    customer_col, date_col : str
        Column names.
    calibration_end, observation_end : str or Timestamp
        End of calibration and of the holdout (inclusive days).
    freq : {"W", "D", "M"}, default "W"
        The model's time unit.
    period : float, default 1
        Spacing of the output rows, in time units.

    Returns
    -------
    pandas.DataFrame
        One row every ``period`` from the cohort's first purchase day, plus one row on
        ``calibration_end`` and one on ``observation_end`` when they fall between grid points (select
        ``time % period == 0`` before taking period-by-period differences): ``time`` (time units since
        the first cohort purchase day), ``date``, ``actual`` and ``expected`` cumulative repeat
        purchases at the end of that day, and ``holdout`` (True after ``calibration_end``).

    Raises
    ------
    TypeError
        If ``purchase_model`` is not a BetaGeo.
    KeyError
        If a column is missing.
    ValueError
        If the model is not fitted, for an empty frame, missing ids or timestamps, an unknown
        ``freq``, a ``period`` <= 0, an ``observation_end`` not after ``calibration_end`` or no
        purchase in the calibration period.

    Examples
    --------
    Three customers, calibration to the end of week 4 and a two-week holdout. Customer a buys in
    weeks 0, 2 and 5; b in week 1; c in weeks 0 and 3:

    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
    ...                    "order_ts": pd.to_datetime(["2025-01-01", "2025-01-15", "2025-02-05",
    ...                                                "2025-01-08", "2025-01-01", "2025-01-22"])})
    >>> bg = BetaGeo(params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> tracking(tx, purchase_model=bg, calibration_end="2025-01-29", observation_end="2025-02-12", period=2).round({"expected": 3})
       time       date  actual  expected  holdout
    0   0.0 2025-01-01       0     0.000    False
    1   2.0 2025-01-15       1     0.260    False
    2   4.0 2025-01-29       2     0.543    False
    3   6.0 2025-02-12       3     0.801     True
    """
    _require_fitted(purchase_model, BetaGeo, name="purchase_model")
    v.require_transactions(transactions, customer_col=customer_col, date_col=date_col, name="transactions")
    summary = summary_from_transactions(transactions, customer_col=customer_col, date_col=date_col,
                                        calibration_end=calibration_end, observation_end=observation_end,
                                        freq=freq)
    period = float(v.require_in_range(period, name="period", low=0, low_inclusive=False))
    unit = TIME_UNITS[freq]
    cal_day = _day_number(v.require_timestamp(calibration_end, name="calibration_end"))
    obs_day = _day_number(v.require_timestamp(observation_end, name="observation_end"))
    first = cal_day - np.round(summary["T"].to_numpy() * unit).astype(np.int64)
    start = int(first.min())
    grid_days = np.unique(np.r_[np.arange(start, obs_day + 1, period * unit), cal_day, obs_day]).astype(float)
    # Actual: repeat purchase days of the cohort, cumulated over the grid.
    tx = transactions[transactions[customer_col].isin(summary.index)]
    codes = pd.Index(summary.index).get_indexer(tx[customer_col])
    day = _day_numbers(tx[date_col])
    pairs = np.unique(np.column_stack([codes, day]), axis=0)
    pairs = pairs[pairs[:, 1] <= obs_day]
    is_first = pairs[:, 1] == first[pairs[:, 0]]
    repeat_days = np.sort(pairs[~is_first, 1])
    actual = np.searchsorted(repeat_days, grid_days, side="right")
    # Expected: sum over customers of E[X(t - first_i)], grouped by first-purchase day.
    fdays, counts = np.unique(first, return_counts=True)
    expected = np.zeros(len(grid_days))
    for fd, c in zip(fdays, counts):
        elapsed = (grid_days - fd) / unit
        pos = elapsed > 0
        if pos.any():
            expected[pos] += c * np.asarray(purchase_model.expected_purchases(elapsed[pos]))
    return pd.DataFrame(
        {
            "time": (grid_days - start) / unit,
            "date": pd.to_datetime(grid_days.astype(np.int64), unit="D"),
            "actual": actual.astype("int64"),
            "expected": expected,
            "holdout": grid_days > cal_day,
        }
    )


def clv_cac_ratio(
    customers: pd.DataFrame,
    spend: Any,
    *,
    group_col: str = "signup_channel",
    clv_col: str = "clv",
    threshold: float = RULE_OF_3,
) -> pd.DataFrame:
    """CLV/CAC by acquisition group, against the "CLV/CAC > 3" rule.

    CAC (customer acquisition cost, 获客成本) is marketing spend divided by the number of new
    customers it brought (seed 004); the ratio compares what an average customer of the group is
    worth with what it cost to win them.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per acquired customer, with its group and its CLV.
    spend : mapping or pandas.Series
        Acquisition spend per group (same currency as the CLV). Every group in ``customers`` needs one.
    group_col, clv_col : str
        Column names.
    threshold : float, default 3
        The rule of thumb the ratio should exceed.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``new_customers``, ``spend``, ``cac``, ``mean_clv``, ``clv_cac`` and
        ``meets_rule``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"signup_channel": ["app", "app", "douyin"], "clv": [300.0, 100.0, 90.0]})
    >>> clv_cac_ratio(c, {"app": 100.0, "douyin": 60.0})
                    new_customers  spend   cac  mean_clv  clv_cac  meets_rule
    signup_channel                                                           
    app                         2  100.0  50.0     200.0      4.0        True
    douyin                      1   60.0  60.0      90.0      1.5       False
    """
    v.require_frame(customers, name="customers")
    v.require_columns(customers, [group_col, clv_col], name="customers")
    v.require_no_missing(customers, group_col, name="customers")
    v.require_numeric(customers, clv_col, name="customers")
    threshold = float(v.require_in_range(threshold, name="threshold", low=0, low_inclusive=False))
    spend = pd.Series(spend, dtype=float) if not isinstance(spend, pd.Series) else spend.astype(float)
    if spend.isna().any() or (spend < 0).any():
        raise ValueError(f"`spend` must be >= 0 for every group, without missing values; got {spend.to_dict()}.")
    g = customers.groupby(group_col, sort=True)[clv_col]
    out = pd.DataFrame({"new_customers": g.size().astype("int64"), "mean_clv": g.mean()})
    missing = [k for k in out.index if k not in spend.index]
    if missing:
        raise KeyError(
            f"`spend` has no value for group {v._fmt_list(missing)}; it has {v._fmt_list(spend.index)}."
        )
    out["spend"] = spend.reindex(out.index).to_numpy()
    out["cac"] = out["spend"] / out["new_customers"]
    with np.errstate(divide="ignore"):
        out["clv_cac"] = out["mean_clv"] / out["cac"]
    out["meets_rule"] = out["clv_cac"] > threshold
    return out[["new_customers", "spend", "cac", "mean_clv", "clv_cac", "meets_rule"]]
