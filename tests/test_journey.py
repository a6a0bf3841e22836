"""opsutils.journey: sessions, stages, funnels and cross-channel paths."""

import copy

import numpy as np
import pandas as pd
import pytest

from opsutils.journey import paths_from_events


# --------------------------------------------------------------------------- #
# paths_from_events
# --------------------------------------------------------------------------- #
@pytest.fixture
def touch_log():
    rows = [
        # customer a: two touches then a purchase; a late touch with no purchase after it
        ("a", "2025-01-01 10:00", "douyin", "impression"),
        ("a", "2025-01-03 10:00", "wechat_oa", "click"),
        ("a", "2025-01-04 10:00", "app", "purchase"),
        ("a", "2025-03-01 10:00", "sms", "impression"),
        # customer b: a touch 31 days before a purchase (outside the lookback) and one 2 days before
        ("b", "2025-01-01 09:00", "xiaohongshu", "impression"),
        ("b", "2025-01-30 09:00", "email", "click"),
        ("b", "2025-02-01 09:00", "web", "purchase"),
        # customer c: a purchase without touches (direct); an anonymous touch
        ("c", "2025-01-10 12:00", "store", "purchase"),
        (None, "2025-01-09 12:00", "douyin", "impression"),
        # non-touch events are ignored
        ("a", "2025-01-02 10:00", "app", "product_view"),
    ]
    return pd.DataFrame(rows, columns=["customer_id", "ts", "channel", "event_type"]).assign(
        ts=lambda d: pd.to_datetime(d["ts"]))


def _as_dict(paths):
    return {r.path: (r.conversions, r.nulls) for r in paths.itertuples()}


def test_paths_known_answer(touch_log):
    got = _as_dict(paths_from_events(touch_log))
    assert got == {"douyin > wechat_oa": (1, 0), "email": (1, 0), "sms": (0, 1), "xiaohongshu": (0, 1)}


def test_paths_gap_splits_journeys(touch_log):
    log = pd.concat([touch_log, pd.DataFrame({
        "customer_id": ["d", "d", "d"], "ts": pd.to_datetime(["2025-05-01", "2025-05-20", "2025-05-21"]),
        "channel": ["sms", "app", "app"], "event_type": ["click", "click", "purchase"]})], ignore_index=True)
    assert _as_dict(paths_from_events(log))["sms > app"] == (1, 0)
    split = _as_dict(paths_from_events(log, gap="7D"))
    assert split["app"] == (1, 0) and split["sms"] == (0, 2)


def test_paths_lookback_and_touch_filters(touch_log):
    short = _as_dict(paths_from_events(touch_log, lookback="2D"))
    assert short["wechat_oa"] == (1, 0) and short["douyin"] == (0, 1)
    only_clicks = _as_dict(paths_from_events(touch_log, touch_events=["click"]))
    assert only_clicks == {"wechat_oa": (1, 0), "email": (1, 0)}
    no_douyin = _as_dict(paths_from_events(touch_log, touch_channels=["wechat_oa", "sms", "email"]))
    assert "douyin > wechat_oa" not in no_douyin and no_douyin["wechat_oa"] == (1, 0)


def test_paths_order_of_rows_does_not_matter_and_input_is_kept(touch_log):
    before = copy.deepcopy(touch_log)
    shuffled = touch_log.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(paths_from_events(shuffled), paths_from_events(touch_log))
    pd.testing.assert_frame_equal(touch_log, before)


def test_paths_touch_at_the_conversion_time_counts(touch_log):
    log = pd.DataFrame({"customer_id": ["x", "x"], "ts": pd.to_datetime(["2025-01-01", "2025-01-01"]),
                        "channel": ["app", "app"], "event_type": ["purchase", "click"]})
    assert _as_dict(paths_from_events(log)) == {"app": (1, 0)}


def test_paths_long_journeys(touch_log):
    n = 40  # longer than an int64 path key holds: joined directly
    log = pd.DataFrame({"customer_id": ["x"] * (n + 1),
                        "ts": pd.date_range("2025-01-01", periods=n + 1, freq="h"),
                        "channel": ["douyin", "app"] * (n // 2) + ["app"],
                        "event_type": ["click"] * n + ["purchase"]})
    got = paths_from_events(log)
    assert got["path"].iloc[0] == " > ".join(["douyin", "app"] * (n // 2)) and got["conversions"].iloc[0] == 1


def test_paths_custom_columns_and_separator(touch_log):
    renamed = touch_log.rename(columns={"customer_id": "person", "ts": "time", "channel": "src", "event_type": "kind"})
    got = paths_from_events(renamed, customer_col="person", time_col="time", channel_col="src", event_col="kind",
                            sep="|")
    assert set(got["path"]) == {"douyin|wechat_oa", "email", "sms", "xiaohongshu"}


def test_paths_without_touches_is_empty(touch_log):
    got = paths_from_events(touch_log[touch_log["event_type"] == "purchase"])
    assert got.empty and list(got.columns) == ["path", "conversions", "nulls"]


@pytest.mark.parametrize("mutate, kwargs, exc, match", [
    (lambda d: d.drop(columns="channel"), {}, KeyError, "Column 'channel' not found in `events`"),
    (lambda d: d.assign(ts=d["ts"].where(d.index != 2)), {}, ValueError, "missing timestamp"),
    (lambda d: d.assign(ts=d["ts"].astype(str)), {}, ValueError, "datetime64"),
    (lambda d: d.iloc[0:0], {}, ValueError, "empty"),
    (lambda d: d, {"lookback": "soon"}, ValueError, "`lookback` must be a duration"),
    (lambda d: d, {"lookback": "-1D"}, ValueError, "positive"),
    (lambda d: d, {"gap": "0D"}, ValueError, "`gap` must be a positive duration"),
    (lambda d: d, {"sep": "  "}, ValueError, "`sep` must be a non-blank"),
    (lambda d: d, {"touch_events": []}, ValueError, "at least one event type"),
    (lambda d: d.assign(channel=d["channel"].replace("douyin", "dou > yin")), {}, ValueError, "separator"),
])
def test_paths_bad_input(touch_log, mutate, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        paths_from_events(mutate(touch_log), **kwargs)


def test_paths_on_the_world(world):
    paths = paths_from_events(world.events)
    ev = world.events
    purchases = int(((ev["event_type"] == "purchase") & ev["customer_id"].notna()).sum())
    assert 0 < paths["conversions"].sum() <= purchases
    assert paths["path"].is_unique and (paths[["conversions", "nulls"]].sum(axis=1) > 0).all()
    channels = set(" > ".join(paths["path"]).split(" > "))
    assert channels == set(world.truth["markov"]["states"])
