"""Tests for opsutils.plotting."""

import matplotlib

matplotlib.use("Agg")

import subprocess  # noqa: E402
import sys  # noqa: E402

import matplotlib as mpl  # noqa: E402
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from opsutils import plotting  # noqa: E402
from opsutils.plotting import (  # noqa: E402
    CHANNEL_ORDER,
    CHANNEL_PALETTE,
    TIER_ORDER,
    TIER_PALETTE,
    channel_colors,
    format_axis_currency,
    set_theme,
)


@pytest.fixture
def restore_rc():
    with mpl.rc_context():
        yield


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_channel_order_is_fixed():
    assert CHANNEL_ORDER == (
        "app", "miniprogram", "web", "tmall", "douyin", "store",
        "xiaohongshu", "wechat_oa", "sms", "email", "call_center",
    )
    assert plotting.SALES_CHANNELS == CHANNEL_ORDER[:6]


def test_channel_order_matches_the_synthetic_world():
    from opsutils.synth._activity import ALL_CHANNELS

    assert tuple(ALL_CHANNELS) == CHANNEL_ORDER


@pytest.mark.parametrize(("palette", "order"), [(CHANNEL_PALETTE, CHANNEL_ORDER), (TIER_PALETTE, TIER_ORDER)])
def test_palettes_are_complete_distinct_hex(palette, order):
    assert tuple(palette) == order
    colours = list(palette.values())
    assert len(set(c.lower() for c in colours)) == len(colours)
    for c in colours:
        assert mcolors.is_color_like(c) and c.startswith("#") and len(c) == 7


def test_tier_names():
    assert TIER_ORDER == ("diamond", "core", "potential", "basic")


def test_channel_colors():
    assert channel_colors(["tmall", "app"]) == [CHANNEL_PALETTE["tmall"], CHANNEL_PALETTE["app"]]
    assert channel_colors(pd.Series(["store", "store"])) == [CHANNEL_PALETTE["store"]] * 2
    assert channel_colors("sms") == [CHANNEL_PALETTE["sms"]]
    assert channel_colors([]) == []


def test_channel_colors_unknown():
    with pytest.raises(ValueError, match=r"^`channel` must be one of 'app', 'miniprogram', .*'call_center'; got 'wechat'\.$"):
        channel_colors(["app", "wechat"])


def test_import_does_not_touch_rcparams():
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams);"
        "import opsutils.plotting;"
        "after = dict(mpl.rcParams);"
        "assert before == after, 'rcParams changed at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_set_theme(restore_rc):
    assert set_theme() is None
    assert mpl.rcParams["figure.dpi"] == 100
    assert tuple(mpl.rcParams["figure.figsize"]) == (8.0, 4.5)
    assert mpl.rcParams["axes.titlesize"] == "large"
    assert mpl.rcParams["axes.grid"] is True  # whitegrid
    notebook_font = mpl.rcParams["font.size"]
    set_theme(context="talk")
    assert mpl.rcParams["font.size"] > notebook_font


def test_set_theme_bad_context(restore_rc):
    with pytest.raises(ValueError, match=r"`context` must be one of 'paper', 'notebook', 'talk', 'poster'; got 'slides'"):
        set_theme("slides")


def test_format_axis_currency_y(ax):
    ax.plot([0, 1], [0, 12_000])
    ax.set_ylabel("Revenue")
    assert format_axis_currency(ax) is ax
    fmt = ax.yaxis.get_major_formatter()
    assert fmt(12_000, 0) == "12,000"
    assert fmt(1_234_567, 0) == "1,234,567"
    assert fmt(2.5, 0) == "2.50"
    assert fmt(-3000, 0) == "-3,000"
    assert fmt(-0.0, 0) == "0"
    assert ax.get_ylabel() == "Revenue (CNY)"
    # idempotent: calling twice does not repeat the unit
    format_axis_currency(ax)
    assert ax.get_ylabel() == "Revenue (CNY)"
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in s for s in labels)


def test_format_axis_currency_x_and_unit(ax):
    ax.plot([0, 50_000], [0, 1])
    format_axis_currency(ax, axis="x", symbol="USD")
    assert ax.get_xlabel() == "USD"
    assert ax.xaxis.get_major_formatter()(50_000, 0) == "50,000"
    assert ax.get_ylabel() == ""


def test_format_axis_currency_both_no_symbol(ax):
    ax.set_xlabel("x")
    format_axis_currency(ax, axis="both", symbol=None)
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == ""
    assert ax.xaxis.get_major_formatter()(1000, 0) == "1,000"
    assert ax.yaxis.get_major_formatter()(1000, 0) == "1,000"


def test_format_axis_currency_bad_axis(ax):
    with pytest.raises(ValueError, match=r"`axis` must be one of 'x', 'y', 'both'; got 'z'"):
        format_axis_currency(ax, axis="z")


def test_palette_works_with_seaborn(ax, restore_rc):
    import seaborn as sns

    df = pd.DataFrame({"channel": ["app", "tmall", "store"], "revenue": [3.0, 2.0, 1.0]})
    sns.barplot(df, x="channel", y="revenue", hue="channel", palette=CHANNEL_PALETTE, ax=ax, legend=False, saturation=1)
    got = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert got == channel_colors(df["channel"])
