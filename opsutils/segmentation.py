"""Customer segmentation: RFM, value tiers with service levels, revenue concentration, personas.

All functions take a frame (or a Series of values) first, name columns with keyword arguments whose
defaults match the course world's schema, validate their input and return new objects.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opsutils import _validation as v

__all__ = [
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "DEFAULT_SEGMENTS",
    "value_tiers",
    "TIER_SERVICE_LEVELS",
    "Concentration",
    "concentration",
    "Personas",
    "cluster_personas",
]

_TIES = ("first", "min")


def _value_series(values, *, name: str) -> pd.Series:
    """One non-negative number per unit as a Series (index kept), or a clear error."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"`{name}` must hold one value per customer (a Series or a 1-d array), got a DataFrame "
                        f"with {values.shape[1]} columns; pick one column, e.g. rfm['monetary'].")
    if not isinstance(values, pd.Series):
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"`{name}` must be one-dimensional (one value per customer); got shape {arr.shape}.")
        values = pd.Series(arr)
    frame = values.to_frame(name)
    v.require_frame(frame, name=name)
    v.require_numeric(frame, name, name=name)
    negative = values < 0
    if negative.any():
        raise ValueError(f"`{name}` must be non-negative; got {int(negative.sum())} negative value(s) "
                         f"(min {float(values[negative].min())!r}).")
    if not np.isfinite(values.to_numpy(dtype=float)).all():
        raise ValueError(f"`{name}` must be finite numbers; got infinite values.")
    return values


def rfm_table(orders: pd.DataFrame, *, as_of, customer_col: str = "customer_id", date_col: str = "order_ts",
              amount_col: str = "amount") -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, as of a fixed date.

    Only orders placed at or before ``as_of`` count. A date without a time means midnight at the
    *start* of that day: ``as_of="2025-12-31"`` leaves out the orders of 31 December; pass
    ``"2026-01-01"`` to measure at the end of the year.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order. Filter it first to the orders that count as revenue (e.g. completed ones).
    as_of : str or Timestamp
        The reference moment (required: results must not depend on when the code runs).
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (buyers only): ``recency_days`` (whole days from the last order to
        ``as_of``), ``frequency`` (orders) and ``monetary`` (total amount).

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing ids, a non-datetime date column, negative or missing amounts, an
        unreadable ``as_of`` or no order at or before it.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                        "order_ts": pd.to_datetime(["2025-01-01", "2025-01-21", "2025-01-11"]),
    ...                        "amount": [10.0, 30.0, 5.0]})
    >>> rfm_table(orders, as_of="2025-01-31")
                 recency_days  frequency  monetary
    customer_id                                   
    a                      10          2      40.0
    b                      20          1       5.0
    """
    v.require_transactions(orders, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    as_of = v.require_timestamp(as_of, name="as_of")
    past = orders[orders[date_col] <= as_of]
    if past.empty:
        raise ValueError(f"`orders` has no order at or before as_of={as_of}; earliest is {orders[date_col].min()}.")
    g = past.groupby(customer_col, sort=True)
    out = pd.DataFrame({
        "recency_days": (as_of - g[date_col].max()).dt.days.astype("int64"),
        "frequency": g.size().astype("int64"),
        "monetary": g[amount_col].sum().astype("float64"),
    })
    return out


def _score(values: pd.Series, bins: int, *, reverse: bool, ties: str) -> pd.Series:
    if ties == "min":
        # Tied customers share the score of the first rank they occupy: ties are never split.
        ranks = values.rank(method="min", ascending=not reverse).astype("int64")
        return ((ranks - 1) * bins // len(values) + 1).astype("int64")
    # Rank first (ties broken by order of appearance, i.e. by customer id after sorting) so that qcut
    # always finds `bins` distinct edges, even for heavily tied columns such as frequency.
    ranks = values.sort_index().rank(method="first")
    if reverse:
        ranks = len(ranks) + 1 - ranks
    return pd.qcut(ranks, bins, labels=range(1, bins + 1)).astype("int64").reindex(values.index)


def rfm_scores(rfm: pd.DataFrame, *, bins: int = 5, ties: str = "first") -> pd.DataFrame:
    """Quantile scores 1..``bins`` for recency (recent = high), frequency and monetary value.

    Parameters
    ----------
    rfm : pandas.DataFrame
        Output of :func:`rfm_table` (columns ``recency_days``, ``frequency``, ``monetary``).
    bins : int, default 5
        Number of quantile groups (scores 1..``bins``).
    ties : {"first", "min"}, default "first"
        How customers with equal values are scored. ``"first"`` ranks them in index order before
        cutting into quantiles, so every score holds the same number of customers (up to one), but
        equal values can get different scores (with 40% one-time buyers, some get F=1 and others
        F=2). ``"min"`` gives every tied customer the score of the lowest rank they share, so equal
        values always get equal scores; groups are then only as equal as the ties allow (a score
        can even be empty).

    Returns
    -------
    pandas.DataFrame
        ``rfm`` plus ``R``, ``F``, ``M``, ``rfm_score`` (e.g. "545") and ``rfm_sum``.

    Raises
    ------
    KeyError
        If one of the three columns is missing.
    ValueError
        For missing or negative values, ``bins`` below 2 or above the number of rows, an unknown
        ``ties``.

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"recency_days": [1, 50, 300, 10], "frequency": [5, 1, 1, 2],
    ...                     "monetary": [500.0, 20.0, 10.0, 90.0]}, index=["a", "b", "c", "d"])
    >>> rfm_scores(rfm, bins=2)[["R", "F", "M", "rfm_score"]]
       R  F  M rfm_score
    a  2  2  2       222
    b  1  1  1       111
    c  1  1  1       111
    d  2  2  2       222

    With ``ties="min"`` the two one-time buyers always share a score:

    >>> rfm_scores(rfm.assign(frequency=[5, 1, 1, 1]), bins=2, ties="min")["F"].tolist()
    [2, 1, 1, 1]
    """
    v.require_frame(rfm, name="rfm")
    v.require_columns(rfm, ["recency_days", "frequency", "monetary"], name="rfm")
    for col in ("recency_days", "frequency", "monetary"):
        v.require_numeric(rfm, col, name="rfm", allow_negative=False)
    bins = v.require_positive_int(bins, name="bins", minimum=2)
    v.require_option(ties, _TIES, name="ties")
    if len(rfm) < bins:
        raise ValueError(f"`rfm` has {len(rfm)} rows; at least `bins`={bins} are needed to form {bins} groups.")
    out = rfm.copy()
    out["R"] = _score(rfm["recency_days"], bins, reverse=True, ties=ties)
    out["F"] = _score(rfm["frequency"], bins, reverse=False, ties=ties)
    out["M"] = _score(rfm["monetary"], bins, reverse=False, ties=ties)
    out["rfm_score"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    out["rfm_sum"] = out["R"] + out["F"] + out["M"]
    return out


#: The common 11-segment grid on R and F scores (1-5): (name, R range, F range), first match wins.
DEFAULT_SEGMENTS: tuple[tuple[str, tuple[int, int], tuple[int, int]], ...] = (
    ("Champions", (5, 5), (4, 5)),
    ("Loyal", (3, 4), (4, 5)),
    ("Potential loyalist", (4, 5), (2, 3)),
    ("New", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Need attention", (3, 3), (3, 3)),
    ("About to sleep", (3, 3), (1, 2)),
    ("Can't lose them", (1, 2), (5, 5)),
    ("At risk", (1, 2), (3, 4)),
    ("Hibernating", (2, 2), (1, 2)),
    ("Lost", (1, 1), (1, 2)),
)


def _parse_rule(rule) -> tuple[str, float, float, float, float]:
    try:
        name, (r_lo, r_hi), (f_lo, f_hi) = rule
    except (TypeError, ValueError):
        raise ValueError(f"each rule must be (name, (r_low, r_high), (f_low, f_high)); got {rule!r}.") from None
    if not isinstance(name, str) or not name:
        raise ValueError(f"each rule must start with a non-empty segment name; got {name!r} in {rule!r}.")
    for bound in (r_lo, r_hi, f_lo, f_hi):
        v.require_in_range(bound, name=f"bounds of rule {name!r}")
    if r_lo > r_hi or f_lo > f_hi:
        raise ValueError(f"rule {name!r} has a low bound above its high bound: R {(r_lo, r_hi)}, F {(f_lo, f_hi)}.")
    return name, r_lo, r_hi, f_lo, f_hi


def rfm_segments(scores: pd.DataFrame, config=None) -> pd.Series:
    """Name each customer's segment from its R and F scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` with ``bins=5`` (columns ``R`` and ``F``).
    config : sequence of (name, (r_low, r_high), (f_low, f_high)), optional
        Rules checked in order, bounds inclusive; defaults to :data:`DEFAULT_SEGMENTS`. Customers
        matching no rule get "Other".

    Returns
    -------
    pandas.Series
        Segment names, same index as ``scores``.

    Raises
    ------
    KeyError
        If ``R`` or ``F`` is missing.
    ValueError
        For missing or non-numeric scores, an empty or malformed ``config``.

    Examples
    --------
    >>> import pandas as pd
    >>> rfm_segments(pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 3]})).tolist()
    ['Champions', 'Lost', 'Need attention']
    """
    v.require_frame(scores, name="scores")
    v.require_columns(scores, ["R", "F"], name="scores")
    v.require_numeric(scores, "R", name="scores")
    v.require_numeric(scores, "F", name="scores")
    rules = DEFAULT_SEGMENTS if config is None else tuple(config)
    if not rules:
        raise ValueError("`config` must hold at least one (name, (r_low, r_high), (f_low, f_high)) rule; got none.")
    r, f = scores["R"].to_numpy(), scores["F"].to_numpy()
    conds, names = [], []
    for rule in rules:
        name, r_lo, r_hi, f_lo, f_hi = _parse_rule(rule)
        conds.append((r >= r_lo) & (r <= r_hi) & (f >= f_lo) & (f <= f_hi))
        names.append(name)
    return pd.Series(np.select(conds, names, default="Other"), index=scores.index, name="segment")


def value_tiers(values, shares=(0.01, 0.18, 0.30, 0.50), labels=("diamond", "core", "potential", "basic"), *,
                buyers_only: bool = False) -> pd.Series:
    """Value tiers by rank: the top ``shares[0]`` of customers get ``labels[0]``, and so on.

    Seed 004's shares are diamond 1%, core 18%, potential 30%, basic 50%: they add up to 99%, so the last
    label takes everybody left (51%). Tier sizes are ``floor`` of the cumulative shares times the number
    of customers ranked; ties in value are broken by position, so tier sizes are exact.

    Parameters
    ----------
    values : pandas.Series or 1-d array
        One non-negative value per customer (e.g. revenue); higher is better.
    shares : sequence of float
        Positive shares summing to at most 1.
    labels : sequence of str
        One distinct label per share, best first.
    buyers_only : bool, default False
        If True, only positive values are ranked (shares are shares of buyers) and customers with a
        value of 0 get the last label. This is the rule of the course world's truth ("rank of
        cumulative spend among buyers; non-buyers are basic").

    Returns
    -------
    pandas.Series
        Ordered categorical (best tier first), same index as ``values``.

    Raises
    ------
    TypeError
        If ``values`` is a DataFrame, or a share is not a number.
    ValueError
        For empty, missing, negative or non-numeric values, shares that are not positive or sum above
        1, labels that are repeated or do not match the shares.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(range(100, 0, -1), dtype=float)
    >>> value_tiers(s).value_counts(sort=False).to_dict()
    {'diamond': 1, 'core': 18, 'potential': 30, 'basic': 51}
    >>> value_tiers(pd.Series([0.0, 5.0, 9.0]), shares=(0.5, 0.5), labels=("top", "rest"),
    ...             buyers_only=True).tolist()
    ['rest', 'rest', 'top']
    """
    values = _value_series(values, name="values")
    shares = list(shares)
    for s in shares:
        v.require_in_range(s, name="shares")
    shares = [float(s) for s in shares]
    labels = list(labels)
    if len(shares) != len(labels):
        raise ValueError(f"`shares` and `labels` must have the same length; got {len(shares)} and {len(labels)}.")
    if not shares:
        raise ValueError("`shares` must hold at least one share; got none.")
    if any(s <= 0 for s in shares) or sum(shares) > 1 + 1e-9:
        raise ValueError(f"`shares` must be positive and sum to at most 1; got {shares} (sum {sum(shares):.3f}).")
    if len(set(labels)) != len(labels):
        raise ValueError(f"`labels` must be distinct; got {labels}.")
    v.require_option(buyers_only, (True, False), name="buyers_only")
    x = values.to_numpy(dtype=float)
    ranked = np.flatnonzero(x > 0) if buyers_only else np.arange(len(x))
    n = len(ranked)
    codes = np.full(len(x), len(labels) - 1, dtype=int)
    order = ranked[np.argsort(-x[ranked], kind="stable")]
    cuts = np.floor(np.cumsum(shares[:-1]) * n + 1e-9).astype(int)
    codes[order] = np.searchsorted(cuts, np.arange(n), side="right")
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True), index=values.index,
                     name="tier")


#: Seed 004's differentiated service by value tier: share of customers, first-response time, the
#: service and the resource that delivers it.
TIER_SERVICE_LEVELS = pd.DataFrame(
    {
        "share_of_customers": [0.01, 0.18, 0.30, 0.50],
        "first_response_hours": [1, 4, 24, 48],
        "service": ["all-round customised service", "high-quality standard service, partly customised",
                    "quality standard service", "basic standard service"],
        "team": ["dedicated team", "dedicated account manager", "shared account manager", "service centre"],
    },
    index=pd.Index(["diamond", "core", "potential", "basic"], name="tier"),
)


@dataclass(frozen=True)
class Concentration:
    """Revenue concentration: Lorenz curve, top-k shares and Gini coefficient."""

    lorenz: pd.DataFrame = field(repr=False)
    top_shares: dict
    gini: float

    def to_frame(self) -> pd.DataFrame:
        """One row per top-k share plus the Gini coefficient."""
        rows = [(f"top {k * 100:g}% share", s) for k, s in self.top_shares.items()] + [("gini", self.gini)]
        return pd.DataFrame(rows, columns=["measure", "value"])


def concentration(values, *, top=(0.01, 0.05, 0.10, 0.20)) -> Concentration:
    """How concentrated a non-negative quantity (e.g. revenue per customer) is.

    Parameters
    ----------
    values : pandas.Series or 1-d array
        Non-negative values, one per unit, not all zero.
    top : float or sequence of float
        Shares of units (largest first) whose total share is reported; each in (0, 1]. The top ``k``
        share sums the ``floor(k * n)`` largest values (at least one).

    Returns
    -------
    Concentration
        ``lorenz`` (columns ``population_share``, ``value_share``, from (0, 0) to (1, 1), units sorted
        from smallest to largest), ``top_shares`` and ``gini`` (0 = equal, (n-1)/n = one unit holds all;
        it equals the mean absolute difference between all pairs divided by twice the mean).

    Raises
    ------
    TypeError
        If ``values`` is a DataFrame or a ``top`` share is not a number.
    ValueError
        For empty, missing, negative or non-numeric values, values that sum to 0, ``top`` outside (0, 1].

    Examples
    --------
    >>> c = concentration([1, 1, 1, 1])
    >>> round(c.gini, 6)
    0.0
    >>> c = concentration([0, 0, 0, 10], top=(0.25,))
    >>> round(c.gini, 6), c.top_shares[0.25]
    (0.75, 1.0)
    """
    x = _value_series(values, name="values").to_numpy(dtype=float)
    if isinstance(top, numbers.Number):
        top = (top,)
    top = [float(v.require_in_range(k, name="top", low=0, high=1, low_inclusive=False)) for k in top]
    total = x.sum()
    if total <= 0:
        raise ValueError("`values` sum to 0; concentration is undefined.")
    n = x.size
    srt = np.sort(x)
    cum = np.concatenate([[0.0], np.cumsum(srt)]) / total
    lorenz = pd.DataFrame({"population_share": np.arange(n + 1) / n, "value_share": cum})
    # Gini = 1 - 2 * area under the Lorenz curve (trapezoids), exact for a discrete distribution.
    gini = float(1 - (cum[1:] + cum[:-1]).sum() / n)
    desc = srt[::-1]
    shares = {}
    for k in top:
        m = max(1, int(np.floor(k * n + 1e-9)))
        shares[k] = float(desc[:m].sum() / total)
    return Concentration(lorenz=lorenz, top_shares=shares, gini=gini)


@dataclass(frozen=True)
class Personas:
    """Result of :func:`cluster_personas`."""

    labels: pd.Series = field(repr=False)
    k: int
    silhouette: pd.DataFrame = field(repr=False)
    profile: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The profile table: mean of each feature per persona, with its size and share."""
        return self.profile.copy()


def cluster_personas(features: pd.DataFrame, *, k=range(2, 9), random_state: int = 0, scale: bool = True,
                     silhouette_sample: int = 10_000, n_init: int = 10) -> Personas:
    """Personas by k-means, with k chosen by the silhouette score.

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric features, one row per customer (no missing or infinite values).
    k : int or iterable of int
        Candidate numbers of clusters (each from 2 to the number of rows - 1); the one with the
        highest silhouette is kept.
    random_state : int
        Seed for k-means and for the silhouette subsample (results are deterministic).
    scale : bool
        Standardise features first (recommended: k-means is distance-based).
    silhouette_sample : int
        Rows used to compute the silhouette on large inputs (the silhouette costs time in the square
        of the rows; k-means itself always uses every row). Must exceed the largest ``k``.
    n_init : int, default 10
        k-means restarts per candidate ``k`` (the best fit is kept); fewer is faster.

    Returns
    -------
    Personas
        ``labels`` (0..k-1, same index as ``features``; 0 is the largest persona, then by decreasing
        size), ``k``, ``silhouette`` (columns ``k``, ``silhouette``, ``inertia``, one row per
        candidate) and ``profile`` (feature means per persona in the original units, plus ``size``
        and ``share``).

    Raises
    ------
    KeyError, TypeError, ValueError
        For an empty frame, non-numeric, missing or infinite features, impossible ``k`` or
        ``silhouette_sample``, and other bad options.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 0.1, (50, 2)), rng.normal(5, 0.1, (50, 2))]), columns=["a", "b"])
    >>> p = cluster_personas(X, k=range(2, 5))
    >>> p.k, p.profile["size"].tolist()
    (2, [50, 50])
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    v.require_frame(features, name="features")
    if features.shape[1] == 0:
        raise ValueError("`features` has no columns; pass at least one numeric feature.")
    for c in features.columns:
        v.require_numeric(features, c, name="features")
    X = features.to_numpy(dtype=float)
    if not np.isfinite(X).all():
        bad = [c for c in features.columns if not np.isfinite(features[c].to_numpy(dtype=float)).all()]
        raise ValueError(f"`features` has infinite values in column(s) {bad}; replace or clip them first.")
    n = len(features)
    ks = [k] if isinstance(k, numbers.Number) else list(k)
    if not ks:
        raise ValueError("`k` must hold at least one candidate number of clusters; got none.")
    ks = sorted({v.require_positive_int(kk, name="k", minimum=2) for kk in ks})
    if max(ks) >= n:
        raise ValueError(f"`k` must be integers from 2 to {n - 1} (fewer than the {n} rows); got {ks}.")
    random_state = v.require_positive_int(random_state, name="random_state", minimum=0)
    v.require_option(scale, (True, False), name="scale")
    silhouette_sample = v.require_positive_int(silhouette_sample, name="silhouette_sample", minimum=2)
    if silhouette_sample <= max(ks):
        raise ValueError(f"`silhouette_sample` must exceed the largest k ({max(ks)}); got {silhouette_sample}.")
    n_init = v.require_positive_int(n_init, name="n_init", minimum=1)
    if scale:
        X = StandardScaler().fit_transform(X)
    sample = min(silhouette_sample, n)
    results, fits = [], {}
    for kk in ks:
        km = KMeans(n_clusters=kk, n_init=n_init, random_state=random_state).fit(X)
        fits[kk] = km.labels_
        s = silhouette_score(X, km.labels_, sample_size=sample, random_state=random_state)
        results.append((kk, float(s), float(km.inertia_)))
    sil = pd.DataFrame(results, columns=["k", "silhouette", "inertia"])
    best = int(sil.loc[sil["silhouette"].idxmax(), "k"])
    raw = fits[best]
    # Relabel so that persona 0 is the largest (ties by k-means label): stable, readable ids.
    order = np.argsort(-np.bincount(raw, minlength=best), kind="stable")
    relabel = np.empty(best, dtype=int)
    relabel[order] = np.arange(best)
    labels = pd.Series(relabel[raw], index=features.index, name="persona")
    profile = features.groupby(labels).mean()
    profile["size"] = labels.value_counts().sort_index()
    profile["share"] = profile["size"] / len(labels)
    return Personas(labels=labels, k=best, silhouette=sil, profile=profile)
