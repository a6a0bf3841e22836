"""Customer segmentation: RFM, value tiers with service levels, revenue concentration, personas.

All functions take a frame (or a Series of values) first, name columns with keyword arguments whose
defaults match the course world's schema, validate their input and return new objects.
"""

from __future__ import annotations

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


def rfm_table(orders: pd.DataFrame, *, as_of, customer_col: str = "customer_id", date_col: str = "order_ts",
              amount_col: str = "amount") -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, as of a fixed date.

    Only orders placed at or before ``as_of`` count.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order.
    as_of : str or Timestamp
        The reference moment (required: results must not depend on when the code runs).
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``recency_days`` (whole days from the last order to ``as_of``),
        ``frequency`` (orders) and ``monetary`` (total amount).

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
    v.require_frame(orders, name="orders")
    v.require_columns(orders, [customer_col, date_col, amount_col], name="orders")
    v.require_no_missing(orders, customer_col, name="orders")
    v.require_datetime(orders, date_col, name="orders")
    v.require_numeric(orders, amount_col, name="orders", allow_negative=False)
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


def _score(values: pd.Series, bins: int, *, reverse: bool) -> pd.Series:
    # Rank first (ties broken by order of appearance, i.e. by customer id after sorting) so that qcut
    # always finds `bins` distinct edges, even for heavily tied columns such as frequency.
    ranks = values.sort_index().rank(method="first")
    if reverse:
        ranks = len(ranks) + 1 - ranks
    return pd.qcut(ranks, bins, labels=range(1, bins + 1)).astype("int64").reindex(values.index)


def rfm_scores(rfm: pd.DataFrame, *, bins: int = 5) -> pd.DataFrame:
    """Quantile scores 1..``bins`` for recency (recent = high), frequency and monetary value.

    Ties are broken deterministically by ranking in index order before cutting into quantiles, so every
    score has the same number of customers (up to one) even when many customers share a value.

    Parameters
    ----------
    rfm : pandas.DataFrame
        Output of :func:`rfm_table` (columns ``recency_days``, ``frequency``, ``monetary``).
    bins : int, default 5

    Returns
    -------
    pandas.DataFrame
        ``rfm`` plus ``R``, ``F``, ``M``, ``rfm_score`` (e.g. "545") and ``rfm_sum``.

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
    """
    v.require_frame(rfm, name="rfm")
    v.require_columns(rfm, ["recency_days", "frequency", "monetary"], name="rfm")
    bins = v.require_positive_int(bins, name="bins", minimum=2)
    if len(rfm) < bins:
        raise ValueError(f"`rfm` has {len(rfm)} rows; at least `bins`={bins} are needed to form {bins} groups.")
    out = rfm.copy()
    out["R"] = _score(rfm["recency_days"], bins, reverse=True)
    out["F"] = _score(rfm["frequency"], bins, reverse=False)
    out["M"] = _score(rfm["monetary"], bins, reverse=False)
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


def rfm_segments(scores: pd.DataFrame, config=None) -> pd.Series:
    """Name each customer's segment from its R and F scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` with ``bins=5`` (columns ``R`` and ``F``).
    config : sequence of (name, (r_low, r_high), (f_low, f_high)), optional
        Rules checked in order; defaults to :data:`DEFAULT_SEGMENTS`. Customers matching no rule get
        "Other".

    Returns
    -------
    pandas.Series
        Segment names, same index as ``scores``.

    Examples
    --------
    >>> import pandas as pd
    >>> rfm_segments(pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 3]})).tolist()
    ['Champions', 'Lost', 'Need attention']
    """
    v.require_frame(scores, name="scores")
    v.require_columns(scores, ["R", "F"], name="scores")
    rules = DEFAULT_SEGMENTS if config is None else tuple(config)
    if not rules:
        raise ValueError("`config` must hold at least one (name, (r_low, r_high), (f_low, f_high)) rule; got none.")
    r, f = scores["R"].to_numpy(), scores["F"].to_numpy()
    conds, names = [], []
    for rule in rules:
        try:
            name, (r_lo, r_hi), (f_lo, f_hi) = rule
        except (TypeError, ValueError):
            raise ValueError(f"each rule must be (name, (r_low, r_high), (f_low, f_high)); got {rule!r}.") from None
        conds.append((r >= r_lo) & (r <= r_hi) & (f >= f_lo) & (f <= f_hi))
        names.append(name)
    return pd.Series(np.select(conds, names, default="Other"), index=scores.index, name="segment")


def value_tiers(values, shares=(0.01, 0.18, 0.30, 0.50), labels=("diamond", "core", "potential", "basic")):
    """Value tiers by rank: the top ``shares[0]`` of customers get ``labels[0]``, and so on.

    Seed 004's shares are diamond 1%, core 18%, potential 30%, basic 50%: they add up to 99%, so the last
    label takes everybody left (51%). Ties in value are broken by position, so tier sizes are exact.

    Parameters
    ----------
    values : pandas.Series
        One value per customer (e.g. revenue); higher is better.
    shares : sequence of float
        Positive shares summing to at most 1.
    labels : sequence of str
        One label per share, best first.

    Returns
    -------
    pandas.Series
        Ordered categorical (best tier first), same index as ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(range(100, 0, -1), dtype=float)
    >>> value_tiers(s).value_counts(sort=False).to_dict()
    {'diamond': 1, 'core': 18, 'potential': 30, 'basic': 51}
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if values.empty:
        raise ValueError("`values` is empty; pass at least one value.")
    if values.isna().any():
        raise ValueError(f"`values` has {int(values.isna().sum())} missing values; fill or drop them first.")
    shares = [float(s) for s in shares]
    if len(shares) != len(labels):
        raise ValueError(f"`shares` and `labels` must have the same length; got {len(shares)} and {len(labels)}.")
    if any(s <= 0 for s in shares) or sum(shares) > 1 + 1e-9:
        raise ValueError(f"`shares` must be positive and sum to at most 1; got {shares} (sum {sum(shares):.3f}).")
    n = len(values)
    order = np.argsort(-values.to_numpy(), kind="stable")
    cuts = np.floor(np.cumsum(shares[:-1]) * n + 1e-9).astype(int)
    codes = np.empty(n, dtype=int)
    codes[order] = np.searchsorted(cuts, np.arange(n), side="right")
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(labels), ordered=True), index=values.index,
                     name="tier")


#: Seed 004's service levels by value tier.
TIER_SERVICE_LEVELS = pd.DataFrame(
    {
        "share_of_customers": [0.01, 0.18, 0.30, 0.50],
        "first_response_hours": [1, 4, 24, 48],
        "service": ["full custom service", "dedicated account manager", "shared account manager",
                    "service centre"],
        "team": ["dedicated team", "account manager", "shared manager", "service centre"],
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
        rows = [(f"top {k:.0%} share", s) for k, s in self.top_shares.items()] + [("gini", self.gini)]
        return pd.DataFrame(rows, columns=["measure", "value"])


def concentration(values, *, top=(0.01, 0.05, 0.10, 0.20)) -> Concentration:
    """How concentrated a non-negative quantity (e.g. revenue per customer) is.

    Parameters
    ----------
    values : array-like
        Non-negative values, one per unit.
    top : sequence of float
        Shares of units (largest first) whose total share is reported.

    Returns
    -------
    Concentration
        ``lorenz`` (columns ``population_share``, ``value_share``, from (0, 0) to (1, 1), units sorted
        from smallest to largest), ``top_shares`` and ``gini`` (0 = equal, (n-1)/n = one unit holds all).

    Examples
    --------
    >>> c = concentration([1, 1, 1, 1])
    >>> round(c.gini, 6)
    0.0
    >>> c = concentration([0, 0, 0, 10], top=(0.25,))
    >>> round(c.gini, 6), c.top_shares[0.25]
    (0.75, 1.0)
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("`values` is empty; pass at least one value.")
    if np.isnan(x).any() or (x < 0).any():
        raise ValueError("`values` must be non-negative numbers without missing values.")
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
        k = float(v.require_in_range(k, name="top", low=0, high=1, low_inclusive=False))
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
        return self.profile


def cluster_personas(features: pd.DataFrame, *, k=range(2, 9), random_state: int = 0, scale: bool = True,
                     silhouette_sample: int = 10_000) -> Personas:
    """Personas by k-means, with k chosen by the silhouette score.

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric features, one row per customer (no missing values).
    k : int or iterable of int
        Candidate numbers of clusters; the one with the highest silhouette is kept.
    random_state : int
        Seed for k-means and for the silhouette subsample (results are deterministic).
    scale : bool
        Standardise features first (recommended: k-means is distance-based).
    silhouette_sample : int
        Rows used to compute the silhouette on large inputs.

    Returns
    -------
    Personas
        ``labels`` (0..k-1, same index as ``features``), ``k``, ``silhouette`` per candidate and
        ``profile`` (feature means per persona, plus ``size`` and ``share``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.vstack([rng.normal(0, 0.1, (50, 2)), rng.normal(5, 0.1, (50, 2))]), columns=["a", "b"])
    >>> cluster_personas(X, k=range(2, 5)).k
    2
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    v.require_frame(features, name="features")
    for c in features.columns:
        v.require_numeric(features, c, name="features")
    ks = [k] if isinstance(k, (int, np.integer)) else list(k)
    if not ks or min(ks) < 2 or max(ks) >= len(features):
        raise ValueError(f"`k` must be integers from 2 to {len(features) - 1} (fewer than the rows); got {ks}.")
    X = features.to_numpy(dtype=float)
    if scale:
        X = StandardScaler().fit_transform(X)
    sample = min(silhouette_sample, len(X))
    results, fits = [], {}
    for kk in ks:
        km = KMeans(n_clusters=int(kk), n_init=10, random_state=random_state).fit(X)
        fits[kk] = km.labels_
        s = silhouette_score(X, km.labels_, sample_size=sample, random_state=random_state)
        results.append((int(kk), float(s)))
    sil = pd.DataFrame(results, columns=["k", "silhouette"])
    best = int(sil.loc[sil["silhouette"].idxmax(), "k"])
    labels = pd.Series(fits[best], index=features.index, name="persona")
    profile = features.groupby(labels).mean()
    profile["size"] = labels.value_counts().sort_index()
    profile["share"] = profile["size"] / len(labels)
    return Personas(labels=labels, k=best, silhouette=sil, profile=profile)
