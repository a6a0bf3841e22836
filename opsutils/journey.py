"""Customer journeys from event logs: sessions, stages, funnels, cross-channel paths.

Every function takes an event table first (one row per event, in the world's schema: ``customer_id``,
``ts``, ``channel``, ``event_type`` ...), names its columns with keyword arguments, validates its input
and returns new frames.

* :func:`sessionize` -- number each customer's visits: a new session after a silence longer than a gap.
* :func:`assign_stages` -- map every event onto a journey stage (:data:`STAGES`, :data:`STAGE_MAP`).
* :func:`funnel` -- ordered step funnels by segment, with confidence intervals for every conversion.
* :func:`time_between_steps` -- how long units take from each funnel step to the next.
* :func:`paths_from_events` -- aggregated conversion and non-conversion paths of marketing touches.
* :func:`sankey` -- the link table and a plotly Sankey diagram of the most frequent paths.

Nothing here imports plotly until a Sankey figure is drawn, so ``import opsutils.journey`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opsutils import _validation as v

__all__ = [
    "TOUCH_EVENT_TYPES",
    "STAGES",
    "STAGE_MAP",
    "sessionize",
    "assign_stages",
    "funnel",
    "StepTimes",
    "time_between_steps",
    "paths_from_events",
    "SankeyDiagram",
    "sankey",
]

#: Event types that count as a marketing touch in the world's event log.
TOUCH_EVENT_TYPES: tuple[str, ...] = ("impression", "click")

#: The journey stages of seed 004's lifecycle, in order: the person hears of the brand (awareness),
#: weighs a product (consideration, "evaluation" in the six-stage version), buys (purchase), uses it and
#: needs service (use), comes back (loyalty, "retention") and recommends it (advocacy).
STAGES: tuple[str, ...] = ("awareness", "consideration", "purchase", "use", "loyalty", "advocacy")

#: Default stage of each of the world's event types (used by :func:`assign_stages`).
#:
#: * ``impression``, ``click``, ``content_view`` -> awareness: ads, posts and articles reach the person
#:   before any product intent (in the world, clicks are clicks on marketing messages, not on products).
#: * ``search``, ``product_view``, ``add_to_cart``, ``checkout``, ``payment_submit`` -> consideration:
#:   the person looks for and weighs a product; every step short of a completed order is still a choice.
#: * ``purchase``, ``store_visit`` -> purchase: a store visit in the world is the walk-in that ends in a
#:   store order (the store "session" is a visit and a purchase).
#: * ``service_contact`` -> use: questions about delivery, refunds, quality or accounts come while the
#:   customer is using what they bought.
#: * ``coupon_claim`` -> loyalty: coupons come from member campaigns (welcome, activation, win-back,
#:   birthday, festivals) that exist to bring customers back. A *repeat* purchase is loyalty too, but
#:   only with ``assign_stages(..., repeat_purchase_stage="loyalty")``: the event type alone cannot say.
#: * ``share``, ``review`` -> advocacy: content that other people see and that recruits them.
STAGE_MAP: dict[str, str] = {
    "impression": "awareness",
    "click": "awareness",
    "content_view": "awareness",
    "search": "consideration",
    "product_view": "consideration",
    "add_to_cart": "consideration",
    "checkout": "consideration",
    "payment_submit": "consideration",
    "purchase": "purchase",
    "store_visit": "purchase",
    "service_contact": "use",
    "coupon_claim": "loyalty",
    "share": "advocacy",
    "review": "advocacy",
}

_CI_METHODS = ("wilson", "normal", "agresti_coull", "beta", "jeffreys")
_NEVER = np.iinfo(np.int64).max  # "step not reached" in the integer time arrays


def _require_events(events: Any, columns: list[str], *, time_col: str) -> None:
    v.require_frame(events, name="events")
    v.require_columns(events, columns, name="events")
    v.require_datetime(events, time_col, name="events")


def _count_paths(path_id: np.ndarray, codes: np.ndarray, names: list, sep: str) -> pd.Series:
    """Count distinct channel sequences; ``path_id`` is contiguous (each path's touches adjacent, in order).

    Each path is encoded as an integer in base ``len(names) + 1`` (exact, no hashing), so only the
    distinct paths are turned into strings; the rare paths too long for an int64 key are joined directly.
    """
    if len(path_id) == 0:
        return pd.Series(dtype="int64")
    starts = np.flatnonzero(np.r_[True, path_id[1:] != path_id[:-1]])
    length = np.diff(np.r_[starts, len(path_id)])
    base = len(names) + 1
    max_len = max(1, int(62 // np.log2(base)))
    short = length <= max_len
    pos_from_end = np.repeat(length, length) - 1 - (np.arange(len(path_id)) - np.repeat(starts, length))
    ok = np.repeat(short, length)
    digit = np.where(ok, codes + 1, 0).astype(np.int64)
    power = np.where(ok, base, 1).astype(np.int64) ** np.where(ok, pos_from_end, 0)
    keys = np.add.reduceat(digit * power, starts)[short]
    uniq, counts = np.unique(keys, return_counts=True)
    labels = []
    for key in uniq.tolist():
        parts = []
        while key:
            key, d = divmod(key, base)
            parts.append(names[d - 1])
        labels.append(sep.join(reversed(parts)))
    result = pd.Series(counts, index=pd.Index(labels, dtype=object), dtype="int64")
    if (~short).any():
        long_rows = np.flatnonzero(~ok)
        text = pd.Series(np.asarray(names, dtype=object)[codes[long_rows]]).groupby(
            path_id[long_rows], sort=False).agg(sep.join)
        result = result.add(text.value_counts(), fill_value=0).astype("int64")
    return result.groupby(level=0).sum()


def paths_from_events(
    events: pd.DataFrame,
    *,
    conversion_event: str = "purchase",
    lookback: Any = "30D",
    gap: Any = None,
    touch_events: tuple[str, ...] | list[str] = TOUCH_EVENT_TYPES,
    touch_channels: tuple[str, ...] | list[str] | None = None,
    channel_col: str = "channel",
    customer_col: str = "customer_id",
    time_col: str = "ts",
    event_col: str = "event_type",
    sep: str = " > ",
) -> pd.DataFrame:
    """Aggregated conversion and non-conversion paths of marketing touches, from an event log.

    For every conversion (an event of type ``conversion_event``), its **path** is the sequence of the
    customer's touch channels in the ``lookback`` window before it, after the customer's previous
    conversion (each touch is credited to at most one conversion: the next one). Touches that lead to
    no conversion within ``lookback`` form **non-conversion ("null") paths**: a customer's consecutive
    unassigned touches, split where two touches are more than ``lookback`` apart or a conversion lies
    between them. Conversions without any touch in their window ("direct") have no path and are left
    out, as attribution tools do. Events without a customer id (anonymous) cannot be linked and are
    ignored.

    The result is the aggregated format that ChannelAttribution and most attribution tools use: one
    row per distinct path with its numbers of conversions and of nulls.

    Parameters
    ----------
    events : pandas.DataFrame
        The event log, in any order (it is sorted by customer and time here).
    conversion_event : str, default "purchase"
        The event type that ends a converting path.
    lookback : str or Timedelta, default "30D"
        How far back before a conversion touches count (inclusive).
    gap : str or Timedelta, optional
        Inactivity that ends a journey: a silence longer than this between two touches splits a null
        path, and going back from a conversion its path stops at the first such silence. Default: the
        ``lookback``. A gap shorter than the lookback (e.g. ``"7D"``) keeps separate journeys of the
        same customer apart.
    touch_events : sequence of str, default ("impression", "click")
        Event types that are touches.
    touch_channels : sequence of str, optional
        Keep touches in these channels only (default: every channel with a touch event).
    channel_col, customer_col, time_col, event_col : str
        Column names.
    sep : str, default " > "
        Separator between channels in ``path``.

    Returns
    -------
    pandas.DataFrame
        Columns ``path`` (e.g. ``"douyin > app"``), ``conversions`` and ``nulls`` (int64), one row per
        distinct path, most frequent first (ties by path).

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing timestamps, a non-positive ``lookback``, an empty ``sep``, or a
        channel name that contains ``sep``.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "a", "b", "b"],
    ...     "ts": pd.to_datetime(["2025-01-01", "2025-01-03", "2025-01-04", "2025-03-01",
    ...                           "2025-01-02", "2025-01-05"]),
    ...     "channel": ["douyin", "wechat_oa", "app", "sms", "xiaohongshu", "xiaohongshu"],
    ...     "event_type": ["impression", "click", "purchase", "impression", "impression", "click"]})
    >>> paths_from_events(ev)
                            path  conversions  nulls
    0         douyin > wechat_oa            1      0
    1                        sms            0      1
    2  xiaohongshu > xiaohongshu            0      1
    """
    _require_events(events, [customer_col, time_col, event_col, channel_col], time_col=time_col)
    try:
        window = pd.Timedelta(lookback)
    except (TypeError, ValueError):
        raise ValueError(f"`lookback` must be a duration such as '30D' or '12h'; got {lookback!r}.") from None
    if pd.isna(window) or window <= pd.Timedelta(0):
        raise ValueError(f"`lookback` must be a positive duration; got {lookback!r}.")
    if gap is None:
        split = window
    else:
        try:
            split = pd.Timedelta(gap)
        except (TypeError, ValueError):
            raise ValueError(f"`gap` must be a duration such as '7D'; got {gap!r}.") from None
        if pd.isna(split) or split <= pd.Timedelta(0):
            raise ValueError(f"`gap` must be a positive duration; got {gap!r}.")
    if not isinstance(sep, str) or not sep.strip():
        raise ValueError(f"`sep` must be a non-blank string such as ' > '; got {sep!r}.")
    touch_events = [touch_events] if isinstance(touch_events, str) else list(touch_events)
    if not touch_events:
        raise ValueError("`touch_events` must name at least one event type.")

    is_conv = (events[event_col] == conversion_event).to_numpy()
    is_touch = events[event_col].isin(touch_events).to_numpy()
    if touch_channels is not None:
        touch_channels = [touch_channels] if isinstance(touch_channels, str) else list(touch_channels)
        is_touch = is_touch & events[channel_col].isin(touch_channels).to_numpy()
    keep = (is_conv | is_touch) & events[customer_col].notna().to_numpy()
    # Integer codes instead of strings from here on (factorising Arrow strings is fast, converting
    # them to Python objects is not).
    sub = events.loc[keep, [customer_col, time_col, channel_col]]
    c_all = pd.factorize(sub[customer_col])[0]
    ch_all, ch_names = pd.factorize(sub[channel_col], sort=True)
    conv_all = is_conv[keep]
    touch_codes = np.unique(ch_all[~conv_all])
    bad = [ch_names[k] for k in touch_codes if not isinstance(ch_names[k], str) or sep.strip() in ch_names[k]]
    if bad:
        raise ValueError(f"channel names must be strings without the separator {sep.strip()!r}; got {bad[:5]!r}.")
    if not (~conv_all).any():
        return pd.DataFrame({"path": pd.Series([], dtype=str), "conversions": pd.Series([], dtype="int64"),
                             "nulls": pd.Series([], dtype="int64")})

    # Sort by customer, time; at equal times touches come before the conversion they may lead to.
    # Two stable integer sorts (time first: event logs usually arrive in time order, which makes it cheap).
    t_all = sub[time_col].to_numpy().astype("datetime64[us]").astype(np.int64)
    by_time = np.argsort(t_all * 2 + conv_all, kind="stable")
    order = by_time[np.argsort(c_all[by_time], kind="stable")]
    c, t, conv, ch_codes = c_all[order], t_all[order], conv_all[order], ch_all[order]
    n = len(c)
    w = int(window / pd.Timedelta(1, "us"))
    g = int(split / pd.Timedelta(1, "us"))

    # Time and row of each touch's next conversion of the same customer (backward fill within customer).
    idx = np.where(conv, np.arange(n), n)
    nxt = np.minimum.accumulate(idx[::-1])[::-1]  # next conversion row at or after each row (n = none)
    # The next conversion must be the same customer's (rows are sorted by customer).
    has_next = nxt < n
    nxt_safe = np.where(has_next, nxt, 0)
    same = has_next & (c[nxt_safe] == c)
    touch = ~conv
    assigned = touch & same & (t[nxt_safe] - t <= w)
    # With a `gap`, a converting path also stops (going back in time) at the first silence longer than it.
    if gap is not None and assigned.any():
        rows_a = np.flatnonzero(assigned)
        # Next assigned touch (or the conversion) after each assigned touch, within the same path.
        nxt_time = np.empty(len(rows_a), dtype=np.int64)
        same_path = np.r_[nxt[rows_a][1:] == nxt[rows_a][:-1], False]
        nxt_time[:-1] = t[rows_a][1:]
        nxt_time[~same_path] = t[nxt[rows_a][~same_path]]
        broken = nxt_time - t[rows_a] > g
        # A touch stays only if no break lies between it and the conversion: no break at or after it.
        path_id = nxt[rows_a]
        brk_after = pd.Series(broken[::-1]).groupby(path_id[::-1]).cummax().to_numpy()[::-1]
        assigned[rows_a[brk_after]] = False

    # Converting paths: id = row of the conversion; null paths: runs of unassigned touches.
    null = touch & ~assigned
    # Break a null run at a new customer, a gap > lookback, or a conversion in between.
    prev_null = np.r_[-1, np.flatnonzero(null)[:-1]]
    rows = np.flatnonzero(null)
    conv_before = np.cumsum(conv)  # conversions up to and including each row
    brk = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        p = prev_null[1:]
        r = rows[1:]
        brk[1:] = (c[r] != c[p]) | (t[r] - t[p] > g) | (conv_before[r] != conv_before[p])
    null_id = np.cumsum(brk) - 1

    conv_rows = np.flatnonzero(assigned)
    out = pd.DataFrame({
        "conversions": _count_paths(nxt[conv_rows], ch_codes[conv_rows], list(ch_names), sep),
        "nulls": _count_paths(null_id, ch_codes[rows], list(ch_names), sep),
    }).fillna(0).astype("int64")
    out = out.rename_axis("path").reset_index()
    out["total"] = out["conversions"] + out["nulls"]
    out = out.sort_values(["total", "path"], ascending=[False, True], kind="stable", ignore_index=True)
    return out[["path", "conversions", "nulls"]]


# --------------------------------------------------------------------------- #
# Private helpers
# --------------------------------------------------------------------------- #
def _duration(value: Any, *, name: str, example: str) -> pd.Timedelta:
    """A positive Timedelta from ``value`` (bare numbers are refused: 30 would mean 30 nanoseconds)."""
    message = f"`{name}` must be a duration such as {example}; got {value!r}."
    if isinstance(value, (bool, np.bool_, int, float, np.number)):
        raise ValueError(message + " A bare number has no unit.")
    try:
        td = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if pd.isna(td) or td <= pd.Timedelta(0):
        raise ValueError(f"`{name}` must be a positive duration such as {example}; got {value!r}.")
    return td


def _ticks(series: pd.Series) -> tuple[np.ndarray, str]:
    """Integer times of a datetime64 column (UTC epoch for tz-aware columns) and their unit."""
    return np.asarray(series.array.asi8, dtype=np.int64), series.dt.unit


def _in_ticks(td: pd.Timedelta, unit: str) -> int:
    """A duration in whole ticks of ``unit`` (rounded down: ``diff > gap`` is then exact for integer diffs)."""
    return int(td // pd.Timedelta(1, unit=unit))


def _column_list(value: Any, *, name: str) -> list:
    """``None`` -> [], one name -> [name], a list or tuple -> a list without repeats."""
    if value is None:
        return []
    cols = list(value) if isinstance(value, (list, tuple)) else [value]
    dups = sorted({str(c) for c in cols if cols.count(c) > 1})
    if dups:
        raise ValueError(f"`{name}` names a column more than once: {', '.join(dups)}.")
    return cols


def _step_list(steps: Any, present: Any, *, event_col: str) -> list[str]:
    """Validate funnel steps: a list of at least two distinct event types that occur in the events."""
    example = "['product_view', 'add_to_cart', 'purchase']"
    if isinstance(steps, str) or not isinstance(steps, (list, tuple, pd.Index, np.ndarray)):
        raise ValueError(f"`steps` must be a list of event types such as {example}; got {steps!r}.")
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError(f"`steps` needs at least two event types (a funnel goes from one to the next); "
                         f"got {steps!r}.")
    if not all(isinstance(s, str) for s in steps):
        raise ValueError(f"`steps` must be strings (event types); got {steps!r}.")
    dups = [s for s in dict.fromkeys(steps) if steps.count(s) > 1]
    if dups:
        raise ValueError(f"`steps` repeats {', '.join(map(repr, dups))}; each step must appear once.")
    known = {p for p in present if isinstance(p, str)}
    unknown = [s for s in steps if s not in known]
    if unknown:
        raise ValueError(
            f"Unknown step{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: no such value in "
            f"column {event_col!r} of `events`. Event types present: {', '.join(map(repr, sorted(known)))}.")
    return steps


@dataclass(frozen=True)
class _Reach:
    """Ordered step reaching, one row per unit that entered the funnel (sorted by unit id)."""

    entry: pd.DataFrame  # unit id and the ``by`` columns at the unit's entry (first step-1 event)
    times: np.ndarray  # (units, steps) int64 ticks of the reaching event, _NEVER where not reached
    unit: str  # tick unit of the time column


def _reach(events: pd.DataFrame, steps: list[str], *, unit_col: str, event_col: str, time_col: str,
           by: list, within: pd.Timedelta | None, ordered: bool = True) -> _Reach:
    """Greedy step matching (see :func:`funnel`), vectorised: one sort, one pass per step."""
    codes, uniques = pd.factorize(events[event_col])
    lookup = pd.Index(steps).get_indexer(pd.Index(uniques, dtype=object))
    step_all = np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)
    ucodes, uvals = pd.factorize(events[unit_col], sort=True)
    t_all, unit = _ticks(events[time_col])
    rows = np.flatnonzero((step_all >= 0) & (ucodes >= 0))
    # Sort by unit, time, then the `by` values (so that ties at a unit's entry resolve the same way
    # whatever the input order).
    keys = [pd.factorize(events[c], sort=True)[0][rows] for c in reversed(by)]
    order = rows[np.lexsort((*keys, t_all[rows], ucodes[rows]))]
    u, t, s = ucodes[order], t_all[order], step_all[order]
    k_steps = len(steps)
    times = np.full((len(uvals), k_steps), _NEVER, dtype=np.int64)
    entry_row = np.full(len(uvals), -1, dtype=np.int64)
    w = None if within is None else _in_ticks(within, unit)
    for k in range(k_steps):
        cand = np.flatnonzero(s == k)
        if k > 0:
            prev = times[u[cand], k - 1]
            ok = prev != _NEVER
            if ordered:
                ok &= t[cand] >= np.where(ok, prev, 0)
            cand = cand[ok]
            if w is not None:
                cand = cand[np.abs(t[cand] - times[u[cand], 0]) <= w]
        if len(cand) == 0:
            continue
        uu = u[cand]
        first = cand[np.r_[True, uu[1:] != uu[:-1]]]  # earliest qualifying event of each unit
        times[u[first], k] = t[first]
        if k == 0:
            entry_row[u[first]] = order[first]
    entered = np.flatnonzero(times[:, 0] != _NEVER)
    entry = pd.DataFrame({unit_col: uvals[entered]})
    for c in by:
        entry[c] = events[c].iloc[entry_row[entered]].reset_index(drop=True)
    return _Reach(entry=entry, times=times[entered], unit=unit)


def _confint(count: np.ndarray, nobs: np.ndarray, *, alpha: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Confidence bounds of count/nobs; NaN where nobs is 0."""
    from statsmodels.stats.proportion import proportion_confint

    low = np.full(len(count), np.nan)
    high = np.full(len(count), np.nan)
    ok = nobs > 0
    if ok.any():
        lo, hi = proportion_confint(count[ok], nobs[ok], alpha=alpha, method=method)
        low[ok], high[ok] = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return low, high


# --------------------------------------------------------------------------- #
# Sessions
# --------------------------------------------------------------------------- #
def sessionize(
    events: pd.DataFrame,
    *,
    gap: Any = "30min",
    customer_col: str = "customer_id",
    time_col: str = "ts",
    session_col: str = "session",
    fallback_col: str | None = None,
) -> pd.DataFrame:
    """Number each customer's sessions: a new session starts after a silence longer than ``gap``.

    Events are ordered by time within each customer; the first event opens session 1, and every event
    that comes more than ``gap`` after the customer's previous event (of any channel) opens the next
    session. The 30-minute default is the web-analytics convention. Rows may come in any order: the
    frame is sorted internally and returned in the input's row order, so shuffled input gives the same
    sessions.

    **Anonymous events** (no ``customer_col``, e.g. browsing before sign-up) cannot be tied to a person.
    By default their session is missing (``<NA>``). With ``fallback_col`` (e.g. the world's
    ``session_id`` or a device id) they are sessionized by that key instead, in the same way; a key's
    sessions are numbered from 1 like a customer's, so identify a session by the pair (customer or
    fallback key, session number).

    Parameters
    ----------
    events : pandas.DataFrame
        The event log.
    gap : str or Timedelta, default "30min"
        Longest silence within one session (a silence of exactly ``gap`` stays in the session).
    customer_col, time_col : str
        Column names of the person id and the event time (datetime64, no missing values).
    session_col : str, default "session"
        Name of the new column; it must not exist yet.
    fallback_col : str, optional
        Key that sessionizes the events without a customer id.

    Returns
    -------
    pandas.DataFrame
        A copy of ``events`` with ``session_col`` (nullable Int64, 1 for a key's first session).

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, a non-datetime or missing timestamp, a ``gap`` that is not a positive
        duration, or a ``session_col`` that already exists.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", None],
    ...     "ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:20", "2025-01-01 11:30",
    ...                           "2025-01-01 10:05", "2025-01-01 10:06"])})
    >>> sessionize(ev)
      customer_id                  ts  session
    0           a 2025-01-01 10:00:00        1
    1           a 2025-01-01 10:20:00        1
    2           a 2025-01-01 11:30:00        2
    3           b 2025-01-01 10:05:00        1
    4         NaN 2025-01-01 10:06:00     <NA>
    >>> sessionize(ev, gap="2h")["session"].tolist()
    [1, 1, 1, 1, <NA>]
    """
    cols = [customer_col, time_col] + ([fallback_col] if fallback_col is not None else [])
    _require_events(events, cols, time_col=time_col)
    if session_col in events.columns:
        raise ValueError(f"Column {session_col!r} already exists in `events`; pass another `session_col`.")
    g = _duration(gap, name="gap", example="'30min'")
    t, unit = _ticks(events[time_col])
    g_ticks = _in_ticks(g, unit)
    code, _ = pd.factorize(events[customer_col])
    space = np.where(code >= 0, 0, 2)  # 0 = customer, 1 = fallback key, 2 = no key
    if fallback_col is not None:
        fb, _ = pd.factorize(events[fallback_col])
        use_fb = (code < 0) & (fb >= 0)
        space = np.where(use_fb, 1, space)
        code = np.where(use_fb, fb, code)
    rows = np.flatnonzero(space < 2)
    number = np.zeros(len(events), dtype=np.int64)
    if len(rows):
        order = rows[np.lexsort((t[rows], code[rows], space[rows]))]
        sp, cd, tt = space[order], code[order], t[order]
        new_key = np.r_[True, (sp[1:] != sp[:-1]) | (cd[1:] != cd[:-1])]
        new_session = new_key | np.r_[True, np.diff(tt) > g_ticks]
        running = np.cumsum(new_session)
        key_start = running[np.flatnonzero(new_key)][np.cumsum(new_key) - 1]
        number[order] = running - key_start + 1
    out = events.copy()
    out[session_col] = pd.arrays.IntegerArray(number, mask=space == 2)
    return out


# --------------------------------------------------------------------------- #
# Stages
# --------------------------------------------------------------------------- #
def assign_stages(
    events: pd.DataFrame,
    mapping: Mapping[str, str] | None = None,
    *,
    event_col: str = "event_type",
    stage_col: str = "stage",
    stages: tuple[str, ...] | list[str] = STAGES,
    unknown: str = "raise",
    repeat_purchase_stage: str | None = None,
    purchase_event: str = "purchase",
    repeat_events: tuple[str, ...] | list[str] | None = None,
    customer_col: str = "customer_id",
    time_col: str = "ts",
) -> pd.DataFrame:
    """Give every event its journey stage (awareness, consideration, purchase, use, loyalty, advocacy).

    Each event type is mapped onto a stage with ``mapping`` (default :data:`STAGE_MAP`, whose choices
    are explained there). Optionally, a customer's purchases after their first purchase in the log are
    **repeat purchases** and get ``repeat_purchase_stage`` (e.g. ``"loyalty"``) instead: the event type
    alone cannot tell a first order from a return. Anonymous purchases keep the purchase stage.

    Parameters
    ----------
    events : pandas.DataFrame
        The event log.
    mapping : dict of str to str, optional
        Event type -> stage. Every stage must be one of ``stages``. Default :data:`STAGE_MAP`.
    event_col : str, default "event_type"
        Column with the event type (no missing values).
    stage_col : str, default "stage"
        Name of the new column (replaced if it exists).
    stages : sequence of str, default :data:`STAGES`
        The stages in journey order: the categories of the ordered categorical result.
    unknown : {"raise", "missing"}, default "raise"
        What to do with event types the mapping does not cover: raise a ValueError that lists them, or
        leave their stage missing.
    repeat_purchase_stage : str, optional
        Stage of repeat purchases (one of ``stages``); default: no repeat rule.
    purchase_event : str, default "purchase"
        The event type that is a purchase (for the repeat rule).
    repeat_events : sequence of str, optional
        Other event types that belong to a purchase and follow the repeat rule too: such an event of a
        customer *after* their first purchase gets ``repeat_purchase_stage`` (for the world,
        ``("store_visit",)``: the visit that goes with a repeat store purchase is part of it).
    customer_col, time_col : str
        Columns used by the repeat rule only.

    Returns
    -------
    pandas.DataFrame
        A copy of ``events`` with ``stage_col``, an ordered categorical with categories ``stages``.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing event types, event types the mapping does not cover (with
        ``unknown="raise"``), a mapping onto a stage outside ``stages``, or an unknown option.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "a", "a"],
    ...                    "ts": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-02-01", "2025-02-03"]),
    ...                    "event_type": ["impression", "purchase", "purchase", "review"]})
    >>> assign_stages(ev)["stage"].tolist()
    ['awareness', 'purchase', 'purchase', 'advocacy']
    >>> assign_stages(ev, repeat_purchase_stage="loyalty")["stage"].tolist()
    ['awareness', 'purchase', 'loyalty', 'advocacy']
    >>> assign_stages(ev.assign(event_type=["impression", "purchase", "unboxing", "tweet"]))
    Traceback (most recent call last):
    ...
    ValueError: 2 event types of column 'event_type' are not in the stage mapping: 'tweet', 'unboxing'. Add them to `mapping` or pass unknown='missing'.
    """
    v.require_frame(events, name="events")
    v.require_columns(events, [event_col], name="events")
    v.require_option(unknown, ("raise", "missing"), name="unknown")
    if isinstance(stages, str) or not isinstance(stages, (list, tuple)) or not stages:
        raise ValueError(f"`stages` must be a non-empty list of stage names; got {stages!r}.")
    stages = list(stages)
    if len(set(stages)) != len(stages):
        raise ValueError(f"`stages` repeats a stage: {stages!r}.")
    if mapping is None:
        mapping = STAGE_MAP
    if not isinstance(mapping, Mapping):
        raise ValueError(f"`mapping` must be a dict of event type -> stage; got {type(mapping).__name__}.")
    off = sorted({str(s) for s in mapping.values() if s not in stages})
    if off:
        raise ValueError(f"`mapping` uses stages that are not in `stages`: {', '.join(map(repr, off))}. "
                         f"Allowed: {', '.join(map(repr, stages))}.")
    if repeat_purchase_stage is not None:
        v.require_option(repeat_purchase_stage, stages, name="repeat_purchase_stage")
    n_missing = int(events[event_col].isna().sum())
    if n_missing:
        raise ValueError(f"Column {event_col!r} of `events` has {n_missing} missing value"
                         f"{'s' if n_missing > 1 else ''}; every event needs a type.")
    codes, uniques = pd.factorize(events[event_col])
    uniques = list(uniques)
    not_mapped = sorted(str(u) for u in uniques if u not in mapping)
    if not_mapped and unknown == "raise":
        raise ValueError(
            f"{len(not_mapped)} event type{'s' if len(not_mapped) > 1 else ''} of column {event_col!r} "
            f"{'are' if len(not_mapped) > 1 else 'is'} not in the stage mapping: "
            f"{', '.join(map(repr, not_mapped))}. Add them to `mapping` or pass unknown='missing'.")
    stage_code = np.array([stages.index(mapping[u]) if u in mapping else -1 for u in uniques], dtype=np.int64)
    out_codes = stage_code[codes]
    if repeat_purchase_stage is not None:
        _require_events(events, [customer_col, time_col], time_col=time_col)
        is_buy = (events[event_col] == purchase_event).to_numpy() & events[customer_col].notna().to_numpy()
        rows = np.flatnonzero(is_buy)
        if len(rows):
            cust = pd.factorize(events[customer_col].iloc[rows])[0]
            t = _ticks(events[time_col])[0][rows]
            o = np.lexsort((rows, t, cust))  # by customer, then time (then row, for exact ties)
            first = np.r_[True, cust[o][1:] != cust[o][:-1]]
            out_codes[rows[o][~first]] = stages.index(repeat_purchase_stage)
            if repeat_events:
                extra = [repeat_events] if isinstance(repeat_events, str) else list(repeat_events)
                first_t = pd.Series(t[o][first], index=pd.Index(events[customer_col].iloc[rows[o][first]]))
                other = np.flatnonzero(events[event_col].isin(extra).to_numpy() & events[customer_col].notna().to_numpy())
                their_first = first_t.reindex(events[customer_col].iloc[other]).to_numpy()
                later = ~np.isnan(their_first) & (_ticks(events[time_col])[0][other] > their_first)
                out_codes[other[later]] = stages.index(repeat_purchase_stage)
    out = events.copy()
    out[stage_col] = pd.Categorical.from_codes(out_codes, categories=stages, ordered=True)
    return out


# --------------------------------------------------------------------------- #
# Funnels
# --------------------------------------------------------------------------- #
def funnel(
    events: pd.DataFrame,
    steps: list[str] | tuple[str, ...],
    *,
    by: Any = None,
    within: Any = None,
    unit_col: str = "session_id",
    event_col: str = "event_type",
    time_col: str = "ts",
    alpha: float = 0.05,
    method: str = "wilson",
    ordered: bool = True,
) -> pd.DataFrame:
    """An ordered step funnel, per segment, with a confidence interval for every conversion rate.

    **Reaching a step.** A unit (a session by default; a customer with ``unit_col="customer_id"``)
    *enters* the funnel at its first event of ``steps[0]``. It reaches step k at its earliest event of
    ``steps[k]`` at or after the time it reached step k-1 (events at the same timestamp count, as logs
    often record several events in one second). So a unit reaches step k only if it did steps 1 ... k-1
    in that order before; an add-to-cart before the first product view does not count. With ``within``,
    every step must also come no later than ``within`` after the entry. Events of other types are
    ignored, and so are events without a unit id (anonymous events when the unit is a customer).

    With ``ordered=False`` (an "any-order" funnel) a unit that entered reaches step k when it has at
    least one event of each of steps 2 ... k, whatever their timestamps (with ``within``: each no more
    than ``within`` before or after the entry). Use it when the order is enforced by the product
    itself (no payment without a checkout) but the log's timestamps within a visit cannot be trusted,
    e.g. events batched and re-sent by a mobile SDK with client clocks.

    **Segments.** A unit belongs to the ``by`` values of its entry event, so a session that starts on
    the app stays an app session, and a period column (e.g. before/after a release) classifies units by
    when they entered. Missing ``by`` values form their own group.

    **Rates.** ``step_conversion`` is units at the step / units at the previous step (the share that
    went on); ``overall_conversion`` is units at the step / units that entered. Both come with a
    ``1 - alpha`` confidence interval from :func:`statsmodels.stats.proportion.proportion_confint`
    (Wilson by default: accurate for small groups and for rates near 0 or 1, unlike the normal
    approximation). Step 1 has no step conversion (NaN) and an overall conversion of 1 by definition,
    without an interval.

    Parameters
    ----------
    events : pandas.DataFrame
        The event log, in any order.
    steps : list of str
        At least two distinct event types, in funnel order; each must occur in ``events``.
    by : str or list of str, optional
        Segment columns (e.g. ``"channel"``, ``["channel", "device"]``, a period column).
    within : str or Timedelta, optional
        Longest time from the entry to any later step (e.g. ``"1D"``); default: no limit.
    unit_col, event_col, time_col : str
        Column names.
    alpha : float, default 0.05
        1 - confidence level of the intervals, in (0, 1).
    method : {"wilson", "normal", "agresti_coull", "beta", "jeffreys"}, default "wilson"
        Interval method of ``proportion_confint`` ("beta" is Clopper-Pearson).
    ordered : bool, default True
        Whether each step must come at or after the previous one (see above).

    Returns
    -------
    pandas.DataFrame
        One row per segment and step: the ``by`` columns, ``step_number`` (1, 2, ...), ``step`` (ordered
        categorical), ``units``, ``step_conversion``, ``step_ci_low``, ``step_ci_high``,
        ``overall_conversion``, ``overall_ci_low``, ``overall_ci_high``. Segments are sorted by their
        values.

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, a non-datetime or missing timestamp, fewer than two, repeated or unknown
        steps, a ``within`` that is not a positive duration, an ``alpha`` outside (0, 1), or an unknown
        ``method``, or a non-boolean ``ordered``.

    See Also
    --------
    time_between_steps : how long units take between the same steps.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "session_id": [1, 1, 1, 2, 2, 3, 3, 4],
    ...     "ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:02", "2025-01-01 10:05",
    ...                           "2025-01-01 11:00", "2025-01-01 11:01", "2025-01-01 12:00",
    ...                           "2025-01-01 11:59", "2025-01-01 13:00"]),
    ...     "event_type": ["product_view", "add_to_cart", "purchase", "product_view", "add_to_cart",
    ...                    "product_view", "add_to_cart", "product_view"],
    ...     "channel": ["app", "app", "app", "web", "web", "app", "app", "web"]})
    >>> f = funnel(ev, ["product_view", "add_to_cart", "purchase"])
    >>> f[["step", "units", "step_conversion", "overall_conversion"]]
               step  units  step_conversion  overall_conversion
    0  product_view      4              NaN                1.00
    1   add_to_cart      2              0.5                0.50
    2      purchase      1              0.5                0.25
    >>> funnel(ev, ["product_view", "add_to_cart"], by="channel")[["channel", "step", "units"]]
      channel          step  units
    0     app  product_view      2
    1     app   add_to_cart      1
    2     web  product_view      2
    3     web   add_to_cart      1

    Session 3 added to the cart a minute *before* its product view, so it does not reach step 2,
    unless the order is not required:

    >>> funnel(ev, ["product_view", "add_to_cart"], ordered=False)["units"].tolist()
    [4, 3]
    """
    by_cols = _column_list(by, name="by")
    _require_events(events, [unit_col, event_col, time_col] + by_cols, time_col=time_col)
    steps = _step_list(steps, pd.unique(events[event_col]), event_col=event_col)
    limit = None if within is None else _duration(within, name="within", example="'1D'")
    v.require_in_range(alpha, name="alpha", low=0, high=1, low_inclusive=False, high_inclusive=False)
    v.require_option(method, _CI_METHODS, name="method")
    if not isinstance(ordered, (bool, np.bool_)):
        raise ValueError(f"`ordered` must be True or False; got {ordered!r}.")
    r = _reach(events, steps, unit_col=unit_col, event_col=event_col, time_col=time_col, by=by_cols,
               within=limit, ordered=bool(ordered))
    k_steps = len(steps)
    reached = pd.DataFrame(r.times != _NEVER, columns=range(k_steps)).astype("int64")
    if by_cols:
        counts = pd.concat([r.entry[by_cols], reached], axis=1).groupby(
            by_cols, dropna=False, sort=True, observed=True)[list(range(k_steps))].sum()
        keys = counts.index.to_frame(index=False)
    else:
        counts = reached.sum().to_frame().T
        keys = pd.DataFrame(index=range(1))
    n = counts.to_numpy(dtype=np.int64)  # groups x steps
    n_groups = len(n)
    units = n.reshape(-1)
    prev = np.c_[np.zeros((n_groups, 1), dtype=np.int64), n[:, :-1]].reshape(-1)
    first = np.repeat(n[:, 0], k_steps)
    is_first = np.tile(np.arange(k_steps) == 0, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        step_rate = np.where(is_first | (prev == 0), np.nan, units / np.where(prev == 0, 1, prev))
        overall = units / first
    s_low, s_high = _confint(units, np.where(is_first, 0, prev), alpha=alpha, method=method)
    o_low, o_high = _confint(units, np.where(is_first, 0, first), alpha=alpha, method=method)
    out = keys.loc[np.repeat(np.arange(n_groups), k_steps)].reset_index(drop=True)
    out["step_number"] = np.tile(np.arange(1, k_steps + 1), n_groups)
    out["step"] = pd.Categorical.from_codes(np.tile(np.arange(k_steps), n_groups), categories=steps, ordered=True)
    out["units"] = units
    out["step_conversion"] = step_rate
    out["step_ci_low"] = s_low
    out["step_ci_high"] = s_high
    out["overall_conversion"] = overall
    out["overall_ci_low"] = o_low
    out["overall_ci_high"] = o_high
    return out


@dataclass(frozen=True)
class StepTimes:
    """Times between consecutive funnel steps (see :func:`time_between_steps`).

    Attributes
    ----------
    durations : pandas.DataFrame
        One row per unit and transition it made: the unit column, the ``by`` columns, ``transition``
        (ordered categorical such as ``"add_to_cart -> checkout"``), ``from_step``, ``to_step`` and
        ``duration`` (timedelta64).
    summary : pandas.DataFrame
        Per segment and transition: ``units`` (that made it), ``q1``, ``median``, ``q3`` (Timedelta).
    steps : tuple of str
    by : tuple
    """

    durations: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    steps: tuple[str, ...]
    by: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """The summary: per segment and transition, ``units``, ``q1``, ``median``, ``q3``."""
        return self.summary.copy()


def time_between_steps(
    events: pd.DataFrame,
    steps: list[str] | tuple[str, ...],
    *,
    by: Any = None,
    within: Any = None,
    unit_col: str = "session_id",
    event_col: str = "event_type",
    time_col: str = "ts",
) -> StepTimes:
    """How long units take from each funnel step to the next, per unit and summarised.

    The steps are matched exactly as in :func:`funnel` with ``ordered=True`` (entry at the first event
    of ``steps[0]``, each later step at its earliest event at or after the previous one, optionally
    ``within`` a time of the entry), so the times belong to the same units the ordered funnel counts
    (a time between steps needs the steps in order, so there is no any-order variant). For every unit that reached step
    k+1, the time from step k to k+1 is the difference of the two matched events' timestamps. The
    summary gives quartiles, not the mean: step times are right-skewed (a few people come back days
    later), and the median is what a typical customer experiences.

    Parameters
    ----------
    events : pandas.DataFrame
        The event log, in any order.
    steps : list of str
        At least two distinct event types in funnel order, each occurring in ``events``.
    by : str or list of str, optional
        Segment columns, taken at each unit's entry.
    within : str or Timedelta, optional
        Longest time from the entry to any later step.
    unit_col, event_col, time_col : str
        Column names.

    Returns
    -------
    StepTimes
        ``durations`` (per unit and transition), ``summary`` (``to_frame()``: per segment and
        transition ``units``, ``q1``, ``median``, ``q3``).

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        As :func:`funnel`.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "session_id": [1, 1, 1, 2, 2, 3],
    ...     "ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:02", "2025-01-01 10:05",
    ...                           "2025-01-01 11:00", "2025-01-01 11:04", "2025-01-01 12:00"]),
    ...     "event_type": ["product_view", "add_to_cart", "purchase", "product_view", "add_to_cart",
    ...                    "product_view"]})
    >>> st = time_between_steps(ev, ["product_view", "add_to_cart", "purchase"])
    >>> st.to_frame()[["transition", "units", "median"]]
                        transition  units          median
    0  product_view -> add_to_cart      2 0 days 00:03:00
    1      add_to_cart -> purchase      1 0 days 00:03:00
    >>> st.durations["duration"].dt.total_seconds().tolist()
    [120.0, 180.0, 240.0]
    """
    by_cols = _column_list(by, name="by")
    _require_events(events, [unit_col, event_col, time_col] + by_cols, time_col=time_col)
    steps = _step_list(steps, pd.unique(events[event_col]), event_col=event_col)
    limit = None if within is None else _duration(within, name="within", example="'1D'")
    r = _reach(events, steps, unit_col=unit_col, event_col=event_col, time_col=time_col, by=by_cols,
               within=limit)
    labels = [f"{a} -> {b}" for a, b in zip(steps[:-1], steps[1:])]
    done = r.times[:, 1:] != _NEVER  # units x transitions
    unit_idx, trans = np.nonzero(done)  # row-major: by unit, then transition
    ticks = r.times[unit_idx, trans + 1] - r.times[unit_idx, trans]
    durations = r.entry.iloc[unit_idx].reset_index(drop=True)
    durations["transition"] = pd.Categorical.from_codes(trans, categories=labels, ordered=True)
    durations["from_step"] = np.asarray(steps, dtype=object)[trans]
    durations["to_step"] = np.asarray(steps, dtype=object)[trans + 1]
    durations["duration"] = pd.to_timedelta(ticks, unit=r.unit)
    # Every segment that entered the funnel x every transition, in segment and step order.
    grid = pd.DataFrame({"transition": pd.Categorical(labels, categories=labels, ordered=True)})
    if by_cols:
        seen = r.entry[by_cols].drop_duplicates().sort_values(by_cols, kind="stable", ignore_index=True)
        grid = seen.merge(grid, how="cross")
    keys = by_cols + ["transition"]
    stats = pd.DataFrame(columns=keys + ["units", "q1", "median", "q3"])
    if len(durations):
        grouped = durations.groupby(keys, dropna=False, sort=False, observed=True)["duration"]
        quart = grouped.quantile([0.25, 0.5, 0.75]).unstack()
        stats = pd.DataFrame({"units": grouped.size(), "q1": quart[0.25], "median": quart[0.5],
                              "q3": quart[0.75]}).reset_index()
    summary = grid.merge(stats, on=keys, how="left")
    summary["units"] = summary["units"].fillna(0).astype("int64")
    for c in ("q1", "median", "q3"):
        summary[c] = pd.to_timedelta(summary[c]).astype(durations["duration"].dtype)
    return StepTimes(durations=durations, summary=summary, steps=tuple(steps), by=tuple(by_cols))


# --------------------------------------------------------------------------- #
# Sankey diagrams of paths
# --------------------------------------------------------------------------- #
def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


@dataclass(frozen=True)
class SankeyDiagram:
    """The flows of the most frequent paths, step by step (see :func:`sankey`).

    Attributes
    ----------
    links : pandas.DataFrame
        ``source``, ``target`` (node labels such as ``"1: douyin"``, ``"2: app"``, ``"conversion"``) and
        ``value``.
    nodes : pandas.DataFrame
        ``label``, ``step`` (1, 2, ...; end nodes get ``max_steps + 1``), ``name`` (channel or outcome)
        and ``value`` (flow through the node).
    total : float
        Value of every path in the input.
    shown : float
        Value of the paths drawn (all of them unless ``top`` was given).
    max_steps : int
    end_labels : (str, str) or None
    """

    links: pd.DataFrame = field(repr=False)
    nodes: pd.DataFrame = field(repr=False)
    total: float
    shown: float
    max_steps: int
    end_labels: tuple[str, str] | None = ("conversion", "no conversion")

    @property
    def coverage(self) -> float:
        """Share of the input's value that the diagram shows."""
        return self.shown / self.total if self.total > 0 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """The link table: ``source``, ``target``, ``value``."""
        return self.links.copy()

    def show(self, renderer: str = "plotly_mimetype") -> None:
        """Display the figure in a notebook, storing only its JSON (not the 4 MB plotly.js bundle).

        JupyterLab and VS Code draw the ``plotly_mimetype`` output; viewers without JavaScript (GitHub)
        show nothing, so pair it with a static table or plot.
        """
        self.figure.show(renderer=renderer)

    @property
    def figure(self):
        """A :class:`plotly.graph_objects.Figure` with the Sankey diagram (built on each access)."""
        import plotly.graph_objects as go

        from opsutils.plotting import CHANNEL_PALETTE

        # Channels in the course palette; the conversion end node green, the other end node grey.
        conversion = self.end_labels[0] if self.end_labels else None
        colours = []
        for name, step in zip(self.nodes["name"], self.nodes["step"]):
            if step > self.max_steps:
                colours.append("#1e8e3e" if name == conversion else "#9aa0a6")
            else:
                colours.append(CHANNEL_PALETTE.get(name, "#7f7f7f"))
        pos = {label: i for i, label in enumerate(self.nodes["label"])}
        src = [pos[s] for s in self.links["source"]]
        tgt = [pos[t] for t in self.links["target"]]
        link_colours = [_rgba(colours[i], 0.35) for i in src]
        fig = go.Figure(go.Sankey(
            arrangement="snap",
            node=dict(label=list(self.nodes["label"]), color=colours, pad=12, thickness=14,
                      line=dict(width=0)),
            link=dict(source=src, target=tgt, value=list(self.links["value"].astype(float)),
                      color=link_colours),
        ))
        fig.update_layout(
            title_text=f"Paths by step (first {self.max_steps} steps; {self.coverage:.0%} of the volume shown)",
            font_size=11, height=420, margin=dict(l=10, r=10, t=40, b=10))
        return fig


def sankey(
    paths: pd.DataFrame,
    *,
    path_col: str = "path",
    count_col: str = "conversions",
    null_col: str | None = None,
    sep: str = ">",
    max_steps: int = 4,
    top: int | None = None,
    end_labels: tuple[str, str] | None = ("conversion", "no conversion"),
) -> SankeyDiagram:
    """Step-by-step flows of aggregated paths, for a Sankey diagram.

    Each path (e.g. ``"douyin > wechat_oa > app"``, as :func:`paths_from_events` returns them) is cut to
    its first ``max_steps`` steps; each step becomes a node labelled with its position, such as
    ``"1: douyin"`` and ``"2: wechat_oa"`` (so a channel seen at step 1 and step 3 gives two nodes and
    the diagram has no cycles). A link carries the paths' ``count_col`` (plus ``null_col``) from one
    step to the next. With ``end_labels``, the last drawn step of every path flows into an end node:
    ``count_col`` into ``end_labels[0]`` and ``null_col`` into ``end_labels[1]``, so converting and
    non-converting journeys can be told apart. With ``top``, only the ``top`` largest (cut) paths are
    drawn and :attr:`SankeyDiagram.coverage` says how much of the volume they hold.

    Parameters
    ----------
    paths : pandas.DataFrame
        One row per path (duplicates are added up).
    path_col : str, default "path"
        Column with the paths as text.
    count_col : str, default "conversions"
        Numeric, non-negative column with each path's volume (e.g. conversions).
    null_col : str, optional
        Second volume column (e.g. ``"nulls"``: journeys that did not convert).
    sep : str, default ">"
        Separator between steps; spaces around steps are stripped, so ``">"`` reads ``"a > b"``.
    max_steps : int, default 4
        Steps drawn per path (later steps are cut off).
    top : int, optional
        Draw only this many cut paths, the largest first (ties by path).
    end_labels : (str, str) or None, default ("conversion", "no conversion")
        Labels of the end nodes, or None for no end nodes.

    Returns
    -------
    SankeyDiagram
        ``links`` (``to_frame()``), ``nodes``, ``total``, ``shown``, ``coverage`` and ``figure`` (a plotly
        Sankey, built when asked for).

    Raises
    ------
    KeyError
        If a column is missing.
    ValueError
        For an empty frame, missing paths, empty steps (e.g. ``"a >> b"``), negative or non-numeric
        volumes, a blank ``sep``, a ``max_steps``/``top`` below 1, or ``end_labels`` that are not two
        distinct strings.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["douyin > app", "douyin", "xiaohongshu > douyin > app"],
    ...                       "conversions": [30, 10, 5], "nulls": [20, 40, 15]})
    >>> sk = sankey(paths, null_col="nulls", max_steps=2)
    >>> sk.to_frame()
               source         target  value
    0       1: douyin         2: app     50
    1       1: douyin  no conversion     40
    2       1: douyin     conversion     10
    3  1: xiaohongshu      2: douyin     20
    4          2: app  no conversion     20
    5          2: app     conversion     30
    6       2: douyin  no conversion     15
    7       2: douyin     conversion      5
    >>> sk.coverage
    1.0
    """
    v.require_path_table(paths, path_col=path_col, sep=sep,
                         count_cols=[count_col] + ([null_col] if null_col is not None else []))
    max_steps = v.require_positive_int(max_steps, name="max_steps")
    if top is not None:
        top = v.require_positive_int(top, name="top")
    if end_labels is not None:
        if (not isinstance(end_labels, (list, tuple)) or len(end_labels) != 2
                or not all(isinstance(x, str) and x.strip() for x in end_labels) or end_labels[0] == end_labels[1]):
            raise ValueError(f"`end_labels` must be two distinct non-blank strings such as "
                             f"('conversion', 'no conversion'), or None; got {end_labels!r}.")
    token = sep.strip()
    split = [[part.strip() for part in str(p).split(token)] for p in paths[path_col]]
    bad = [p for p, parts in zip(paths[path_col], split) if not all(parts)]
    if bad:
        raise ValueError(f"`paths` has {len(bad)} path{'s' if len(bad) > 1 else ''} with an empty step "
                         f"(separator {token!r}): {', '.join(map(repr, bad[:3]))}.")
    cut = [parts[:max_steps] for parts in split]
    flows = pd.DataFrame({
        "key": ["\x1f".join(parts) for parts in cut],
        "conv": paths[count_col].to_numpy(dtype=float),
        "nulls": paths[null_col].to_numpy(dtype=float) if null_col is not None else np.zeros(len(paths)),
    })
    agg = flows.groupby("key", sort=True)[["conv", "nulls"]].sum()
    agg["value"] = agg["conv"] + agg["nulls"]
    total = float(agg["value"].sum())
    agg = agg.reset_index().sort_values(["value", "key"], ascending=[False, True], kind="stable")
    if top is not None:
        agg = agg.head(top)
    shown = float(agg["value"].sum())
    steps = agg["key"].str.split("\x1f", regex=False)
    links = []
    for i in range(max_steps - 1):
        has = steps.str.len() > i + 1
        links.append(pd.DataFrame({"source": f"{i + 1}: " + steps[has].str[i],
                                   "target": f"{i + 2}: " + steps[has].str[i + 1],
                                   "value": agg.loc[has, "value"]}))
    last_label = steps.str.len().astype(str) + ": " + steps.str[-1]
    if end_labels is not None:
        links.append(pd.DataFrame({"source": last_label, "target": end_labels[0], "value": agg["conv"]}))
        if null_col is not None:
            links.append(pd.DataFrame({"source": last_label, "target": end_labels[1], "value": agg["nulls"]}))
    links = pd.concat(links, ignore_index=True) if links else pd.DataFrame(columns=["source", "target", "value"])
    links = links[links["value"] > 0]
    links = links.groupby(["source", "target"], sort=False, as_index=False)["value"].sum()
    if pd.api.types.is_integer_dtype(paths[count_col]) and (null_col is None
                                                            or pd.api.types.is_integer_dtype(paths[null_col])):
        links["value"] = links["value"].round().astype("int64")
    # Nodes: by step, then by the flow through the node (largest first), then by label.
    labels = pd.Series(pd.unique(pd.concat([links["source"], links["target"]], ignore_index=True)), dtype=object)
    flow = np.maximum(labels.map(links.groupby("target")["value"].sum()).fillna(0).to_numpy(dtype=float),
                      labels.map(links.groupby("source")["value"].sum()).fillna(0).to_numpy(dtype=float))
    step_of = labels.str.extract(r"^(\d+): ", expand=False)
    is_end = step_of.isna().to_numpy()
    nodes = pd.DataFrame({
        "label": labels.to_numpy(),
        "step": np.where(is_end, max_steps + 1, step_of.fillna("0").astype("int64")),
        "name": np.where(is_end, labels, labels.str.replace(r"^\d+: ", "", regex=True)),
        "value": flow,
    })
    nodes = nodes.sort_values(["step", "value", "label"], ascending=[True, False, True], kind="stable",
                              ignore_index=True)
    # Links in node order (sources, then targets), for a stable table.
    rank = {lab: i for i, lab in enumerate(nodes["label"])}
    links = links.assign(_s=links["source"].map(rank), _t=links["target"].map(rank)).sort_values(
        ["_s", "_t"], kind="stable").drop(columns=["_s", "_t"]).reset_index(drop=True)
    return SankeyDiagram(links=links, nodes=nodes, total=total, shown=shown, max_steps=max_steps,
                         end_labels=None if end_labels is None else tuple(end_labels))
