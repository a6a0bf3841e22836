"""Multi-touch attribution on aggregated paths: heuristic rules, the exact Markov model, Shapley values.

Every function takes the aggregated path table that :func:`opsutils.journey.paths_from_events` returns
(and ChannelAttribution and most attribution tools use): one row per distinct path such as
``"douyin > wechat_oa > app"`` with its number of ``conversions`` (and optionally of ``nulls``, paths
that did not convert). Every model's credits sum to the total number of conversions.

* :func:`heuristic_attribution` -- first touch, last touch, linear, time decay (by position) and
  position-based (40/20/40).
* :func:`markov_attribution` -- the first- (or higher-) order Markov model with **exact** removal
  effects: the path chain is an absorbing Markov chain whose conversion probability is solved by linear
  algebra (no simulation), once with all channels and once without each channel.
* :func:`shapley_attribution` -- Shapley values of the cooperative game "conversions of the paths
  whose channels are all in the coalition" (Zhao et al. 2018), which have a closed form.

Attribution divides credit; it does not measure causation. A channel that sits on many converting
paths gets credit whether or not it changed anyone's mind: only an experiment (chapter 6) can say
what a channel *causes*.

References
----------
Anderl, E., Becker, I., von Wangenheim, F. and Schumann, J. H. (2016). Mapping the customer journey:
lessons learned from graph-based online attribution modeling. *International Journal of Research in
Marketing* 33(3), 457-474.
Zhao, K., Mahboobi, S. H. and Bagheri, S. R. (2018). Shapley value methods for attribution modeling in
online advertising. arXiv:1804.05327.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from scipy.sparse.linalg import spsolve

from opsutils import _validation as v

__all__ = [
    "HEURISTIC_MODELS",
    "START",
    "CONVERSION",
    "NULL",
    "heuristic_attribution",
    "MarkovChain",
    "markov_chain",
    "markov_attribution",
    "shapley_attribution",
]

#: The heuristic rules :func:`heuristic_attribution` knows.
HEURISTIC_MODELS: tuple[str, ...] = ("first", "last", "linear", "time_decay", "position")

#: Names of the special states of the Markov chain.
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"

_MAX_SHAPLEY_CHANNELS = 62  # channel sets are bit masks in an int64


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class _Parsed:
    """Paths as flat arrays: one element per touch, paths in input order."""

    channels: list  # channel names, index = code
    codes: np.ndarray  # channel code of every touch
    path_of: np.ndarray  # path (row) of every touch
    position: np.ndarray  # 0-based position of the touch in its path
    length: np.ndarray  # length of every path
    conversions: np.ndarray  # per path
    nulls: np.ndarray  # per path


def _parse(paths: Any, *, path_col: str, conversions_col: str, nulls_col: str | None, sep: str) -> _Parsed:
    v.require_path_table(paths, path_col=path_col, sep=sep,
                         count_cols=[conversions_col] + ([nulls_col] if nulls_col is not None else []))
    text = paths[path_col]
    # Split, trim and encode in Arrow's C++ kernels: a million paths take about a second.
    lists = pc.split_pattern(pa.array(text.to_numpy(dtype=object), type=pa.string()), pattern=sep.strip())
    length = pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    empty = pc.equal(flat, "").to_numpy(zero_copy_only=False)
    if empty.any():
        row = int(np.repeat(np.arange(len(paths)), length)[np.flatnonzero(empty)[0]])
        raise ValueError(
            f"`paths` has an empty channel name in path {text.iloc[row]!r} (row {row}): check `sep` "
            f"(got {sep!r}) and remove empty paths."
        )
    encoded = pc.dictionary_encode(flat)
    names = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    uniques = names[order]
    conversions = paths[conversions_col].to_numpy(dtype=float)
    nulls = paths[nulls_col].to_numpy(dtype=float) if nulls_col is not None else np.zeros(len(paths))
    if conversions.sum() <= 0:
        raise ValueError(f"`paths` has no conversions (column {conversions_col!r} sums to 0); nothing to attribute.")
    path_of = np.repeat(np.arange(len(paths)), length)
    position = np.arange(len(path_of)) - np.repeat(np.cumsum(length) - length, length)
    return _Parsed(list(uniques), codes.astype(np.int64), path_of, position, length, conversions, nulls)


def _credit_frame(channels: list, credit: np.ndarray, name: str = "conversions") -> pd.DataFrame:
    return pd.DataFrame({"channel": channels, name: credit}).sort_values(
        [name, "channel"], ascending=[False, True], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- #
# Heuristics
# --------------------------------------------------------------------------- #
def heuristic_attribution(
    paths: pd.DataFrame,
    *,
    model: str = "last",
    path_col: str = "path",
    conversions_col: str = "conversions",
    sep: str = ">",
    decay: float = 0.5,
    position_weights: tuple[float, float] = (0.4, 0.4),
) -> pd.DataFrame:
    """Rule-based attribution: who gets each conversion's credit, by the touch's position.

    Parameters
    ----------
    paths : pandas.DataFrame
        Aggregated paths (one row per distinct path).
    model : {"first", "last", "linear", "time_decay", "position"}, default "last"
        ``first``/``last``: all credit to the first/last touch. ``linear``: equal shares to every
        touch (a channel touched twice gets two shares). ``time_decay``: shares proportional to
        ``decay ** k`` for the touch ``k`` steps before the conversion (aggregated paths carry no
        timestamps, so time is counted in touches). ``position`` (U-shaped): ``position_weights`` to the
        first and the last touch, the rest shared equally by the touches in between (a one-touch path
        gives everything to its touch, a two-touch path splits in the ratio of the two weights).
    path_col, conversions_col : str
        Column names.
    sep : str, default ">"
        Channel separator in the path (surrounding spaces are ignored).
    decay : float, default 0.5
        Decay per step back, in (0, 1] (1 gives linear).
    position_weights : (float, float), default (0.4, 0.4)
        Shares of the first and the last touch; they must sum to at most 1.

    Returns
    -------
    pandas.DataFrame
        ``channel`` and ``conversions`` (the credited conversions, summing to the total), largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["A > B", "A", "B > C", "C"], "conversions": [1, 0, 1, 1]})
    >>> heuristic_attribution(paths, model="linear")
      channel  conversions
    0       C          1.5
    1       B          1.0
    2       A          0.5
    """
    model = v.require_option(model, HEURISTIC_MODELS, name="model")
    decay = float(v.require_in_range(decay, name="decay", low=0, high=1, low_inclusive=False))
    if len(position_weights) != 2:
        raise ValueError(f"`position_weights` must be (first, last); got {position_weights!r}.")
    w_first, w_last = (float(v.require_in_range(w, name="position_weights", low=0, high=1)) for w in position_weights)
    if w_first + w_last > 1 + 1e-12:
        raise ValueError(f"`position_weights` must sum to at most 1; got {position_weights!r}.")
    p = _parse(paths, path_col=path_col, conversions_col=conversions_col, nulls_col=None, sep=sep)
    L = p.length[p.path_of]
    k = L - 1 - p.position  # steps before the conversion
    if model == "first":
        share = (p.position == 0).astype(float)
    elif model == "last":
        share = (k == 0).astype(float)
    elif model == "linear":
        share = 1.0 / L
    elif model == "time_decay":
        raw = decay ** k.astype(float)
        share = raw / np.bincount(p.path_of, weights=raw, minlength=len(p.length))[p.path_of]
    else:  # position
        middle = np.where(L > 2, (1 - w_first - w_last) / np.maximum(L - 2, 1), 0.0)
        two = np.where(p.position == 0, w_first, w_last) / (w_first + w_last) if w_first + w_last > 0 else 0.5
        share = np.select(
            [L == 1, L == 2, p.position == 0, k == 0],
            [1.0, two, w_first, w_last],
            default=middle,
        )
        # Paths of 3+ touches whose weights do not reach 1 (all on the ends): renormalise.
        share = share / np.bincount(p.path_of, weights=share, minlength=len(p.length))[p.path_of]
    credit = np.bincount(p.codes, weights=share * p.conversions[p.path_of], minlength=len(p.channels))
    return _credit_frame(p.channels, credit)


# --------------------------------------------------------------------------- #
# Markov
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class MarkovChain:
    """An absorbing Markov chain of touch paths and its exact removal effects.

    Attributes
    ----------
    transitions : pandas.DataFrame
        Row-normalised transition probabilities between states (square: from-states as rows, the
        same states plus ``"(conversion)"`` and ``"(null)"`` as columns; states of an order-k chain are
        k-grams such as ``"douyin > app"``).
    conversion_probability : float
        Probability that a path from ``"(start)"`` ends in conversion.
    removal_effects : pandas.Series
        Per channel: 1 - P(conversion without the channel) / P(conversion).
    total_conversions : float
        Conversions in the input paths.
    order : int
    """

    transitions: pd.DataFrame = field(repr=False)
    conversion_probability: float
    removal_effects: pd.Series = field(repr=False)
    total_conversions: float
    order: int

    def to_frame(self) -> pd.DataFrame:
        """``channel``, ``removal_effect`` and credited ``conversions`` (summing to the total)."""
        re = self.removal_effects
        total = re.sum()
        credit = re / total * self.total_conversions if total > 0 else re * 0.0
        out = pd.DataFrame({"channel": re.index, "removal_effect": re.to_numpy(), "conversions": credit.to_numpy()})
        return out.sort_values(["conversions", "channel"], ascending=[False, True], kind="stable",
                               ignore_index=True)


def _absorb_probability(Q: sparse.csr_matrix, r: np.ndarray, alive: np.ndarray | None = None) -> float:
    """P(absorption in conversion | start at state 0) for transient block Q and conversion column r.

    With ``alive`` (a boolean mask of transient states), states outside the mask are removed: every
    transition into them goes to null instead.
    """
    n = Q.shape[0]
    if alive is not None:
        keep = sparse.diags(alive.astype(float))
        Q = Q @ keep  # transitions into removed states vanish (their mass goes to null)
        r = r * alive
    A = sparse.identity(n, format="csc") - Q.tocsc()
    h = spsolve(A, r)
    return float(np.atleast_1d(h)[0])


def markov_chain(
    paths: pd.DataFrame,
    *,
    path_col: str = "path",
    conversions_col: str = "conversions",
    nulls_col: str | None = None,
    sep: str = ">",
    order: int = 1,
) -> MarkovChain:
    """Estimate the absorbing Markov chain of the paths and its exact removal effects.

    Each path ``a > b > c`` with ``x`` conversions and ``y`` nulls contributes ``x + y`` transitions
    ``(start) -> a -> b -> c`` and then ``x`` transitions ``c -> (conversion)`` and ``y`` transitions
    ``c -> (null)``. Transition probabilities are the row-normalised counts (maximum likelihood). The
    conversion probability ``h`` from ``(start)`` solves the linear system ``(I - Q) h = r`` of the
    transient block ``Q`` and the conversion column ``r``. Removing a channel sends every transition into
    it (for order k: into any state that contains it) to ``(null)``; the removal effect is the relative
    drop of the conversion probability. Everything is exact: no path is simulated.

    Parameters
    ----------
    paths : pandas.DataFrame
        Aggregated paths.
    path_col, conversions_col : str
        Column names.
    nulls_col : str, optional
        Column with the number of non-converting occurrences of each path. Without it only converting
        paths enter the chain (conversion probability 1).
    sep : str, default ">"
        Channel separator.
    order : int, default 1
        Memory of the chain: states are the last ``order`` channels (shorter at the start of a path).

    Returns
    -------
    MarkovChain

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["c1 > c2 > c3", "c1", "c2 > c3"], "conversions": [1, 0, 0],
    ...                       "nulls": [0, 1, 1]})
    >>> chain = markov_chain(paths, nulls_col="nulls")
    >>> round(chain.conversion_probability, 4)
    0.3333
    >>> chain.removal_effects.round(4).to_dict()
    {'c1': 0.5, 'c2': 1.0, 'c3': 1.0}
    """
    order = v.require_positive_int(order, name="order")
    p = _parse(paths, path_col=path_col, conversions_col=conversions_col, nulls_col=nulls_col, sep=sep)
    weight = p.conversions + p.nulls
    n_ch = len(p.channels)
    # State of every touch: the code of the last `order` channels (a k-gram), as an integer.
    base = n_ch + 1
    if base ** order > 2 ** 62:
        raise ValueError(f"`order`={order} with {n_ch} channels gives too many states; use a lower order.")
    state_key = np.zeros(len(p.codes), dtype=np.int64)
    for lag in range(order):
        prev = np.flatnonzero(p.position >= lag)
        contrib = np.zeros(len(p.codes), dtype=np.int64)
        contrib[prev] = p.codes[prev - lag] + 1
        state_key = state_key * base + contrib
    keys, state = np.unique(state_key, return_inverse=True)
    n_states = len(keys)
    # Index 0 = start; 1..n_states = touch states; n_states+1 = conversion; n_states+2 = null.
    S, C, N = 0, n_states + 1, n_states + 2
    to_state = state + 1
    first = p.position == 0
    last = p.position == p.length[p.path_of] - 1
    w_touch = weight[p.path_of]
    src = np.concatenate([np.full(first.sum(), S), to_state[:-1][~first[1:]], to_state[last], to_state[last]])
    dst = np.concatenate([to_state[first], to_state[1:][~first[1:]], np.full(last.sum(), C), np.full(last.sum(), N)])
    w = np.concatenate([w_touch[first], w_touch[1:][~first[1:]], p.conversions[p.path_of][last],
                        p.nulls[p.path_of][last]])
    counts = sparse.coo_matrix((w, (src, dst)), shape=(N + 1, N + 1)).tocsr()
    counts.sum_duplicates()
    out_total = np.asarray(counts.sum(axis=1)).ravel()
    inv = np.divide(1.0, out_total, out=np.zeros_like(out_total), where=out_total > 0)
    P = sparse.diags(inv) @ counts
    P = P.tocsr()
    Q = P[: n_states + 1, : n_states + 1]
    r = np.asarray(P[: n_states + 1, C].todense()).ravel()
    base_p = _absorb_probability(Q, r)

    # Which channels each state contains (for removal).
    digits = []
    rest = keys.copy()
    for _ in range(order):
        digits.append(rest % base)
        rest = rest // base
    contains = np.zeros((n_ch, n_states), dtype=bool)
    for d in digits:
        has = d > 0
        contains[d[has] - 1, np.flatnonzero(has)] = True
    effects = np.zeros(n_ch)
    for ch in range(n_ch):
        alive = np.r_[True, ~contains[ch]]
        effects[ch] = 1.0 - _absorb_probability(Q, r, alive) / base_p if base_p > 0 else 0.0

    def label(key) -> str:
        names, rest = [], key
        for _ in range(order):
            d = int(rest % base)
            rest //= base
            if d:
                names.append(p.channels[d - 1])
        return " > ".join(reversed(names))

    labels = [START] + [label(k) for k in keys]
    dense = pd.DataFrame(P.toarray()[: n_states + 1], index=labels, columns=labels + [CONVERSION, NULL])
    return MarkovChain(
        transitions=dense,
        conversion_probability=base_p,
        removal_effects=pd.Series(np.clip(effects, 0.0, 1.0), index=pd.Index(p.channels, name="channel"),
                                  name="removal_effect"),
        total_conversions=float(p.conversions.sum()),
        order=order,
    )


def markov_attribution(
    paths: pd.DataFrame,
    *,
    path_col: str = "path",
    conversions_col: str = "conversions",
    nulls_col: str | None = None,
    sep: str = ">",
    order: int = 1,
    return_transitions: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Markov-chain attribution with exact removal effects (see :func:`markov_chain`).

    Credits are the total conversions split in proportion to the removal effects.

    Parameters
    ----------
    paths : pandas.DataFrame
        Aggregated paths.
    path_col, conversions_col, nulls_col, sep, order
        As in :func:`markov_chain`.
    return_transitions : bool, default False
        Also return the transition matrix (as :attr:`MarkovChain.transitions`).

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        ``channel``, ``removal_effect`` and ``conversions`` (credited; they sum to the total), largest
        first; with ``return_transitions=True``, a tuple ``(credits, transitions)``. For the conversion
        probability as well, call :func:`markov_chain`.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["google ads", "mailing", "google ads > mailing", "google ads"],
    ...                       "conversions": [2, 1, 1, 0], "nulls": [0, 0, 0, 1]})
    >>> markov_attribution(paths, nulls_col="nulls").round(4)
          channel  removal_effect  conversions
    0  google ads            0.75          2.4
    1     mailing            0.50          1.6
    >>> credits, transitions = markov_attribution(paths, nulls_col="nulls", return_transitions=True)
    >>> transitions.round(3)
                (start)  google ads  mailing  (conversion)  (null)
    (start)         0.0         0.8     0.20           0.0    0.00
    google ads      0.0         0.0     0.25           0.5    0.25
    mailing         0.0         0.0     0.00           1.0    0.00
    """
    if not isinstance(return_transitions, (bool, np.bool_)):
        raise ValueError(f"`return_transitions` must be True or False; got {return_transitions!r}.")
    chain = markov_chain(paths, path_col=path_col, conversions_col=conversions_col, nulls_col=nulls_col,
                         sep=sep, order=order)
    return (chain.to_frame(), chain.transitions) if return_transitions else chain.to_frame()


# --------------------------------------------------------------------------- #
# Shapley
# --------------------------------------------------------------------------- #
def shapley_attribution(
    paths: pd.DataFrame,
    *,
    path_col: str = "path",
    conversions_col: str = "conversions",
    sep: str = ">",
) -> pd.DataFrame:
    """Shapley-value attribution (Zhao, Mahboobi & Bagheri 2018, the "simplified" Shapley value).

    The channels are players; a coalition ``S`` is worth the conversions of the paths whose channels
    all belong to ``S``: ``v(S) = sum over channel sets T within S of c(T)``, where ``c(T)`` is the
    number of conversions of paths whose set of distinct channels is exactly ``T``. Such a game is a sum
    of unanimity games, so its Shapley value has a closed form: each channel set's conversions are shared
    equally by its distinct channels, ``phi_i = sum over T containing i of c(T) / |T|``. Unlike the
    linear rule, a channel touched three times on a path counts once.

    Parameters
    ----------
    paths : pandas.DataFrame
        Aggregated paths.
    path_col, conversions_col : str
        Column names.
    sep : str, default ">"
        Channel separator.

    Returns
    -------
    pandas.DataFrame
        ``channel`` and ``conversions`` (the Shapley values, summing to the total), largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["A > B > A", "A", "B > C"], "conversions": [2, 1, 1]})
    >>> shapley_attribution(paths)
      channel  conversions
    0       A          2.0
    1       B          1.5
    2       C          0.5
    """
    p = _parse(paths, path_col=path_col, conversions_col=conversions_col, nulls_col=None, sep=sep)
    if len(p.channels) > _MAX_SHAPLEY_CHANNELS:
        raise ValueError(f"shapley_attribution supports up to {_MAX_SHAPLEY_CHANNELS} channels; got "
                         f"{len(p.channels)}.")
    # Distinct channels per path.
    pair = np.unique(p.path_of * len(p.channels) + p.codes)
    path_of, code = pair // len(p.channels), pair % len(p.channels)
    n_distinct = np.bincount(path_of, minlength=len(p.length))
    credit = np.bincount(code, weights=p.conversions[path_of] / n_distinct[path_of], minlength=len(p.channels))
    return _credit_frame(p.channels, credit)
