"""Consistent colours and a house style for the course's charts.

Every chart of a channel uses the same colour for that channel in every
notebook, so that trainees learn to read "blue = app" once. Nothing here
changes matplotlib or seaborn settings at import time; call :func:`set_theme`
at the top of a notebook to opt in.

Examples
--------
>>> from opsutils.plotting import CHANNEL_ORDER, CHANNEL_PALETTE, channel_colors
>>> CHANNEL_ORDER[:3]
('app', 'miniprogram', 'web')
>>> CHANNEL_PALETTE["tmall"]
'#d55e00'

In seaborn, pass ``palette=CHANNEL_PALETTE`` and ``hue_order=CHANNEL_ORDER``
(or ``order=``) so that colours and positions match across notebooks.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib as mpl
import matplotlib.ticker as mticker
import seaborn as sns

from opsutils._validation import require_option

__all__ = [
    "CHANNEL_ORDER",
    "SALES_CHANNELS",
    "CHANNEL_PALETTE",
    "TIER_ORDER",
    "TIER_PALETTE",
    "set_theme",
    "channel_colors",
    "format_axis_currency",
]

#: Every channel and touchpoint of the synthetic world, in the fixed order used
#: for legends, axes and tables: the six sales channels first, then the
#: touchpoints that do not take orders.
CHANNEL_ORDER: tuple[str, ...] = (
    "app",
    "miniprogram",
    "web",
    "tmall",
    "douyin",
    "store",
    "xiaohongshu",
    "wechat_oa",
    "sms",
    "email",
    "call_center",
)

#: The six channels that take orders (a prefix of :data:`CHANNEL_ORDER`).
SALES_CHANNELS: tuple[str, ...] = CHANNEL_ORDER[:6]

#: One fixed colour per channel. Ten colours come from seaborn's colour-blind
#: safe "colorblind" palette; douyin gets a near-black (#333333) as the
#: eleventh. The six sales channels get the six most distinct hues.
CHANNEL_PALETTE: dict[str, str] = {
    "app": "#0173b2",  # blue
    "miniprogram": "#56b4e9",  # sky blue
    "web": "#cc78bc",  # purple
    "tmall": "#d55e00",  # vermillion
    "douyin": "#333333",  # near-black
    "store": "#ca9161",  # tan
    "xiaohongshu": "#fbafe4",  # pink
    "wechat_oa": "#029e73",  # green
    "sms": "#ece133",  # yellow
    "email": "#de8f05",  # orange
    "call_center": "#949494",  # grey
}

#: Customer value tiers from highest to lowest.
TIER_ORDER: tuple[str, ...] = ("diamond", "core", "potential", "basic")

#: One colour per value tier, from dark (highest value) to light grey (lowest),
#: so the order reads without a legend.
TIER_PALETTE: dict[str, str] = {
    "diamond": "#3b1f73",  # deep purple
    "core": "#0173b2",  # blue
    "potential": "#56b4e9",  # sky blue
    "basic": "#bdbdbd",  # light grey
}

_CONTEXTS = ("paper", "notebook", "talk", "poster")


def set_theme(context: str = "notebook") -> None:
    """Apply the course's plotting style (seaborn whitegrid plus a few defaults).

    Call it once near the top of a notebook. It calls
    ``seaborn.set_theme(style="whitegrid", context=context)`` and then sets
    figure dpi 100, figure size 8 x 4.5 inches and a "large" axes title
    (relative to the context's font size). Nothing is changed until you call
    it; ``import opsutils.plotting`` alone leaves matplotlib untouched.

    Parameters
    ----------
    context : {"paper", "notebook", "talk", "poster"}, default "notebook"
        seaborn plotting context; scales fonts and line widths.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``context`` is not one of the four seaborn contexts.

    Examples
    --------
    >>> from opsutils.plotting import set_theme
    >>> set_theme()
    >>> import matplotlib as mpl
    >>> tuple(mpl.rcParams["figure.figsize"])
    (8.0, 4.5)
    >>> set_theme(context="talk")
    """
    require_option(context, _CONTEXTS, name="context")
    sns.set_theme(style="whitegrid", context=context)
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["figure.figsize"] = (8.0, 4.5)
    mpl.rcParams["axes.titlesize"] = "large"


def channel_colors(channels: Iterable[str] | str) -> list[str]:
    """Colours for a sequence of channel names, in the same order.

    Parameters
    ----------
    channels : iterable of str, or str
        Channel names such as ``["app", "tmall"]`` (a pandas Series or Index
        works too). A single string is treated as one channel.

    Returns
    -------
    list of str
        Hex colour strings from :data:`CHANNEL_PALETTE`.

    Raises
    ------
    ValueError
        If a name is not one of :data:`CHANNEL_ORDER`; the message lists them.

    Examples
    --------
    >>> from opsutils.plotting import channel_colors
    >>> channel_colors(["app", "tmall"])
    ['#0173b2', '#d55e00']
    >>> channel_colors("store")
    ['#ca9161']
    """
    if isinstance(channels, str):
        channels = [channels]
    colors = []
    for channel in channels:
        require_option(channel, CHANNEL_ORDER, name="channel")
        colors.append(CHANNEL_PALETTE[channel])
    return colors


def _format_amount(value: float, _pos: int | None = None) -> str:
    """``12000 -> '12,000'``; keeps two decimals only for non-whole ticks."""
    if abs(value - round(value)) < 1e-9:
        text = f"{round(value):,}"
    else:
        text = f"{value:,.2f}"
    return "0" if text == "-0" else text


def format_axis_currency(ax, axis: str = "y", symbol: str | None = "CNY"):
    """Format an axis's tick labels as amounts with thousands separators.

    Ticks read ``12,000`` (no decimals for whole numbers) and the unit is
    added to the axis label once, e.g. ``"Revenue (CNY)"``, or becomes the
    label when there is none. This keeps tick labels short.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to format.
    axis : {"y", "x", "both"}, default "y"
        Which axis carries the amounts.
    symbol : str or None, default "CNY"
        Currency or unit shown in the axis label; ``None`` or ``""`` adds none.

    Returns
    -------
    matplotlib.axes.Axes
        The same axes, for chaining.

    Raises
    ------
    ValueError
        If ``axis`` is not "x", "y" or "both".

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 12000])
    >>> _ = ax.set_ylabel("Revenue")
    >>> ax = format_axis_currency(ax)
    >>> ax.get_ylabel()
    'Revenue (CNY)'
    >>> ax.yaxis.get_major_formatter()(12000, 0)
    '12,000'
    >>> plt.close(fig)
    """
    require_option(axis, ("x", "y", "both"), name="axis")
    targets = [ax.xaxis, ax.yaxis] if axis == "both" else [ax.xaxis if axis == "x" else ax.yaxis]
    for target in targets:
        target.set_major_formatter(mticker.FuncFormatter(_format_amount))
        if symbol:
            label = target.get_label_text()
            if not label:
                target.set_label_text(symbol)
            elif f"({symbol})" not in label and label != symbol:
                target.set_label_text(f"{label} ({symbol})")
    return ax
