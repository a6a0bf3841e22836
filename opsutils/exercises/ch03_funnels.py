"""Exercises for chapter 3, notebook 2: funnels and friction.

Usage in ``notebooks/03_journey/02_funnels_and_friction.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch03_funnels as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions share the notebook's ``shop`` frame (the events of the five funnel steps), read
once per session (``functools.lru_cache``), so that every solution runs in about a second.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Incorrect, Question
from opsutils.exercises._registry import register
from opsutils.journey import funnel

__all__ = ["STEPS", "RELEASE", "q1", "q2", "q3", "q4"]

#: The purchase funnel of the notebook, in order.
STEPS = ["product_view", "add_to_cart", "checkout", "payment_submit", "purchase"]

#: The app release date (the team's release log; the notebook's change-point scan dates the break a day early).
RELEASE = "2025-09-10"


@lru_cache(maxsize=1)
def _shop() -> pd.DataFrame:
    """The notebook's ``shop``: every event of the five funnel steps."""
    events = datasets.load("events")
    return events[events["event_type"].isin(STEPS)].reset_index(drop=True)


@lru_cache(maxsize=1)
def _segment_before_after() -> pd.DataFrame:
    """Session funnel of the mini-program on Android, before / on-or-after the release."""
    shop = _shop()
    seg = shop[(shop["channel"] == "miniprogram") & (shop["device"] == "android")]
    seg = seg.assign(period=np.where(seg["ts"] >= pd.Timestamp(RELEASE), "after", "before"))
    return funnel(seg, STEPS, by="period")


# --------------------------------------------------------------------------- #
# q1: where is the friction?
# --------------------------------------------------------------------------- #
def _norm(text: Any) -> str:
    return str(text).strip().casefold().replace(" ", "")


def _friction_checker(answer: Any, expected: dict) -> None:
    keys = ("channel", "device", "step")
    if isinstance(answer, dict):
        missing = [k for k in keys if k not in answer]
        if missing:
            raise Incorrect(f"Your dict has no {', '.join(map(repr, missing))}: use the keys 'channel', "
                            "'device' and 'step'.")
        parts = [answer[k] for k in keys]
    elif isinstance(answer, (tuple, list)) and len(answer) == 3:
        parts = list(answer)
    else:
        raise Incorrect("Answer a dict {'channel': ..., 'device': ..., 'step': ...} or a tuple "
                        "(channel, device, step) of three texts.")
    if not all(isinstance(p, str) for p in parts):
        raise Incorrect("Each part of the answer must be a text (in quotes), e.g. 'app', 'ios', 'checkout'.")
    channel, device, step = (_norm(p) for p in parts)
    wrong = []
    if channel != _norm(expected["channel"]):
        wrong.append(f"the channel {parts[0]!r} is not the one whose step rate fell")
    if device != _norm(expected["device"]):
        wrong.append(f"the device {parts[1]!r} is not the affected one (compare the devices within the channel)")
    to_step = step.replace("→", "->").split("->")[-1]
    if to_step != _norm(expected["step"]):
        if to_step == "checkout" and "->" not in step:
            wrong.append("checkout is the step *before* the drop: name the step that fewer sessions reach")
        else:
            wrong.append(f"the step {parts[2]!r} is not where the conversion fell")
    if wrong:
        raise Incorrect("Not quite: " + "; ".join(wrong) + ".")


def _q1_solution():
    shop = _shop()  # the notebook's `shop`: events of the five funnel steps
    half_year = shop[shop["ts"] >= "2025-07-03"]
    half_year = half_year.assign(period=np.where(half_year["ts"] >= "2025-10-02", "recent", "previous"))
    f = funnel(half_year, STEPS, by=["channel", "device", "period"])
    rates = f[f["step_number"] > 1].pivot_table(index=["channel", "device", "step"], columns="period",
                                                values="step_conversion", observed=True)
    change = (rates["recent"] - rates["previous"]).sort_values()
    channel, device, step = change.index[0]  # the largest fall
    return {"channel": channel, "device": device, "step": str(step)}


q1 = register(
    Question(
        "ch03_funnels.q1",
        "Which segment and step hold the friction? Answer a dict {'channel': ..., 'device': ..., 'step': ...} "
        "(or a tuple in that order), where 'step' is the funnel step that fewer sessions reach, e.g. "
        "'add_to_cart' for the transition product_view -> add_to_cart.",
        _q1_solution,
        checker=_friction_checker,
        hints=(
            "Compare each channel x device cell's step conversions between two periods (the notebook's "
            "quarter-over-quarter scan) and look for the one change that is far larger than the rest.",
            "`funnel(half_year, STEPS, by=['channel', 'device', 'period'])`, then pivot the step "
            "conversions by period and sort the differences: the first row is the largest fall.",
        ),
        wrong_answers=(
            ("miniprogram", "ios", "payment_submit"),
            ("app", "android", "payment_submit"),
            {"channel": "miniprogram", "device": "android", "step": "checkout"},
            {"channel": "miniprogram", "device": "android", "step": "purchase"},
        ),
        explanation=(
            "Mini-program sessions on Android stopped paying: the checkout -> payment_submit conversion fell "
            "by 20 points between the two quarters (0.81 -> 0.61, z about -17; from 0.88 before the release "
            "of 10 September 2025), while the same step on iOS and every other cell moved by less than three "
            "points. That is the planted friction (`world.truth['friction']`): a problem of one platform's "
            "payment page after an app release."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q2: the step conversion after the release
# --------------------------------------------------------------------------- #
def _q2_solution():
    shop = _shop()  # the notebook's `shop`: events of the five funnel steps
    seg = shop[(shop["channel"] == "miniprogram") & (shop["device"] == "android") & (shop["ts"] >= RELEASE)]
    f = funnel(seg, STEPS)
    return float(f.loc[f["step"] == "payment_submit", "step_conversion"].iloc[0])


q2 = register(
    Question(
        "ch03_funnels.q2",
        "For mini-program sessions on Android that start on or after the release (10 September 2025), what "
        "is the step conversion checkout -> payment_submit of the (ordered) session funnel? Answer a "
        "fraction such as 0.8.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Filter `shop` to channel 'miniprogram', device 'android' and `ts >= '2025-09-10'`, then run "
            "`funnel(seg, STEPS)` (ordered, the default: the log's timestamps reconcile with the orders).",
            "The step conversion of a step is units at the step / units at the previous step: read the "
            "`step_conversion` of the row whose `step` is 'payment_submit'.",
        ),
        # the rate before the release, the drop-off rate, the overall conversion to payment, the whole
        # period, both devices together, the planted rate
        wrong_answers=(0.8776, 0.3899, 0.1899, 0.8158, 0.7206, 0.6),
        explanation=(
            "About 61% (0.610) of the Android mini-program sessions that reach checkout go on to submit a "
            "payment after the release, against 88% before (and 85-91% for the same step in every other "
            "channel x device cell after the release). More than a quarter of the checkouts are lost at the "
            "very last step before the money."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q3: orders lost per week
# --------------------------------------------------------------------------- #
def _q3_solution():
    f = _segment_before_after()  # funnel(seg, STEPS, by="period") as in the notebook
    g = f.set_index(["period", "step"])
    rate_before = g.loc[("before", "payment_submit"), "step_conversion"]
    rate_after = g.loc[("after", "payment_submit"), "step_conversion"]
    pay_to_purchase = g.loc[("after", "purchase"), "step_conversion"]
    weeks = (pd.Timestamp("2026-01-01") - pd.Timestamp(RELEASE)) / pd.Timedelta(days=7)
    checkouts_per_week = g.loc[("after", "checkout"), "units"] / weeks
    return float(checkouts_per_week * (rate_before - rate_after) * pay_to_purchase)


q3 = register(
    Question(
        "ch03_funnels.q3",
        "How many purchases per week does the friction cost? Split the Android mini-program sessions at the "
        "release (before 10 September 2025 / on or after it) and compute (checkout sessions per week after "
        "the release) x (checkout -> payment_submit rate before - the same rate after) x (payment_submit -> "
        "purchase rate after), with weeks = (2026-01-01 - 2025-09-10) / 7 days. Answer a number of purchases "
        "per week.",
        _q3_solution,
        checker=checkers.close(rtol=0.02),
        hints=(
            "Add a `period` column ('before' / 'after' the release) to the segment's events and run "
            "`funnel(seg, STEPS, by='period')`: every number you need is in that table.",
            "The after-period checkouts that would have paid at the old rate but did not are checkouts x "
            "(rate before - rate after); about 96% of payments then become purchases. Divide by about 16.1 "
            "weeks.",
        ),
        # the total since the release, no payment -> purchase factor, per day, purchases instead of
        # checkouts, checkouts spread over the whole two-year log
        wrong_answers=(981.83, 63.46, 8.69, 37.11, 9.40),
        explanation=(
            "About 61 purchases a week (60.8, some 980 since the release) are lost at the Android payment "
            "step: 237 checkouts a week x (0.878 - 0.610) x 0.958. The planted truth, 62.8 a week, lies "
            "inside the estimate's 95% interval (about 57 to 65): the formula has the generator's form, and "
            "the 3% gap is the sampling noise of the two rates (the measured drop is 0.268, the planted "
            "0.28)."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q4: noise or signal?
# --------------------------------------------------------------------------- #
def _quarter_scan() -> pd.DataFrame:
    """The notebook's quarter-over-quarter scan of every channel x device x step cell (section 5.1)."""
    shop = _shop()
    end = pd.Timestamp("2026-01-01")
    recent_start, previous_start = end - pd.Timedelta(weeks=13), end - pd.Timedelta(weeks=26)
    half = shop[shop["ts"] >= previous_start]
    half = half.assign(period=np.where(half["ts"] >= recent_start, "recent", "previous"))
    q = funnel(half, STEPS, by=["channel", "device", "period"])
    q["previous_units"] = q.groupby(["channel", "device", "period"])["units"].shift()
    q = q[q["step_number"] > 1]
    scan = q.pivot_table(index=["channel", "device", "step"], columns="period",
                         values=["units", "previous_units"], observed=True)
    scan.columns = [f"{value}_{period}" for value, period in scan.columns]
    scan = scan.reset_index()
    r0 = scan["units_previous"] / scan["previous_units_previous"]
    r1 = scan["units_recent"] / scan["previous_units_recent"]
    se = np.sqrt(r0 * (1 - r0) / scan["previous_units_previous"] + r1 * (1 - r1) / scan["previous_units_recent"])
    return scan.assign(rate_previous=r0, rate_recent=r1, z=(r1 - r0) / se)


def _q4_solution():
    # The question quotes the scan: check that its premise still holds before answering.
    scan = _quarter_scan()
    ups = scan[scan["z"] > 0].sort_values("z", ascending=False)
    top = ups.iloc[0]
    premise = (len(scan) == 44 and (top["channel"], top["device"], top["step"])
               == ("miniprogram", "ios", "payment_submit")
               and abs(top["rate_previous"] - 0.867) < 0.0015 and abs(top["rate_recent"] - 0.894) < 0.0015
               and abs(top["z"] - 2.4) < 0.1)
    if not premise:
        raise RuntimeError("ch03_funnels.q4: the scan no longer matches the question's text "
                           f"({len(scan)} cells, largest increase {top.to_dict()}); update the question.")
    return "B"


q4 = register(
    Question(
        "ch03_funnels.q4",
        "Apart from the friction cell, the largest move in the quarter-over-quarter scan is an *increase*: "
        "mini-program sessions on iOS went from checkout to payment_submit about 3 points more often "
        "(0.867 -> 0.894, z about 2.4, p about 0.015). What should the team conclude?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "It is a real improvement (p = 0.015 is more than three times below 0.05): find what the iOS "
                 "team changed and roll it out to Android as the fix.",
            "B": "Treat it as a lead, not a finding: among 44 comparisons a couple of p-values below 0.05 are "
                 "expected by chance (the Bonferroni threshold is 0.05 / 44, about 0.001, |z| > 3.25), other "
                 "cells drifted up in the same quarter, and no release explains it. Keep watching it, and fix "
                 "the Android payment step first.",
            "C": "It proves that the release also affected iOS, in the other direction: analyse the two "
                 "platforms together as one friction incident.",
            "D": "It is noise because its 95% confidence interval and the previous quarter's overlap; "
                 "overlapping intervals always mean that two rates do not differ.",
        },
        choice_feedback={
            "A": "One p-value of 0.015 out of 44 tests is not rare: with 44 comparisons you expect about two "
                 "below 0.05, and about an even chance that at least one falls below 0.015, even if nothing "
                 "changed. And the Android drop has a clear cause (the release) and a fix of its own: copying "
                 "an unexplained iOS blip is not a fix.",
            "C": "Nothing connects the two: the iOS rate moves up by 3 points in a quarter in which more than "
                 "half of the unrelated cells also drift up a little, while Android drops by 27 points in one "
                 "week. A shared cause would show the same break date on both platforms.",
            "D": "The conclusion is defensible but the reason is wrong: two 95% intervals can overlap while "
                 "the difference between the rates is significant. Judge the difference (its z or its own "
                 "interval), and account for the number of comparisons.",
        },
        hints=(
            "How many cells did the scan compare, and how many p-values below 0.05 do you expect by chance "
            "alone among that many?",
            "A threshold for many comparisons: Bonferroni divides 0.05 by the number of tests. Does 0.015 "
            "pass it? And does anything (a release, a campaign) explain an iOS-only change?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "A scan over 44 cells is a search, and searches find flukes. The Android payment drop passes any "
            "threshold (z about -17) and has a dated cause; the iOS rise does not pass a multiple-testing "
            "threshold and has none. Monitor it (if it is real it will persist next quarter), and spend the "
            "team's effort on the Android fix."
        ),
    )
)
