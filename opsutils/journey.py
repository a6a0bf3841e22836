"""Customer journeys from event logs: sessions, stages, funnels, cross-channel paths.

Every function takes an event table first (one row per event, in the world's schema: ``customer_id``,
``ts``, ``channel``, ``event_type`` ...), names its columns with keyword arguments, validates its input
and returns new frames.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsutils import _validation as v

__all__ = [
    "TOUCH_EVENT_TYPES",
    "paths_from_events",
]

#: Event types that count as a marketing touch in the world's event log.
TOUCH_EVENT_TYPES: tuple[str, ...] = ("impression", "click")


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
    known = events[customer_col].notna().to_numpy()
    keep = (is_conv | is_touch) & known
    ev = pd.DataFrame({
        "c": events[customer_col].to_numpy()[keep],
        "t": events[time_col].to_numpy()[keep],
        "conv": is_conv[keep],
        "ch": events[channel_col].to_numpy()[keep],
    })
    channels = pd.unique(ev.loc[~ev["conv"], "ch"])
    bad = [c for c in channels if not isinstance(c, str) or sep.strip() in c]
    if bad:
        raise ValueError(f"channel names must be strings without the separator {sep.strip()!r}; got {bad[:5]!r}.")
    if ev.empty or not (~ev["conv"]).any():
        return pd.DataFrame({"path": pd.Series([], dtype=str), "conversions": pd.Series([], dtype="int64"),
                             "nulls": pd.Series([], dtype="int64")})

    # Sort by customer, time; at equal times touches come before the conversion they may lead to.
    ev = ev.sort_values(["c", "t", "conv"], kind="stable", ignore_index=True)
    c = pd.factorize(ev["c"])[0]
    t = ev["t"].to_numpy().astype("datetime64[us]").astype(np.int64)
    conv = ev["conv"].to_numpy()
    w = int(window / pd.Timedelta(1, "us"))
    g = int(split / pd.Timedelta(1, "us"))
    n = len(ev)

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

    ch_codes, ch_names = pd.factorize(ev["ch"], sort=True)
    conv_rows = np.flatnonzero(assigned)
    out = pd.DataFrame({
        "conversions": _count_paths(nxt[conv_rows], ch_codes[conv_rows], list(ch_names), sep),
        "nulls": _count_paths(null_id, ch_codes[rows], list(ch_names), sep),
    }).fillna(0).astype("int64")
    out = out.rename_axis("path").reset_index()
    out["total"] = out["conversions"] + out["nulls"]
    out = out.sort_values(["total", "path"], ascending=[False, True], kind="stable", ignore_index=True)
    return out[["path", "conversions", "nulls"]]
