"""Exercises for chapter 6, notebook 1: KPI system and monitoring.

Usage in ``notebooks/06_evaluation/01_kpi_system_and_monitoring.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch06_kpi as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions read the orders and events of the default world once per session
(``functools.lru_cache``) and use :mod:`opsutils.kpi` exactly as the notebook does.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Incorrect, Question
from opsutils.exercises._registry import register
from opsutils.kpi import VISIT_EVENT_TYPES, detect_anomalies, kpi_table, kpi_tree

__all__ = ["q1", "q2", "q3", "q4"]

#: Every day of the world, for daily series without gaps.
DAYS = pd.date_range("2024-01-01", "2025-12-31", freq="D")


@lru_cache(maxsize=1)
def _orders() -> pd.DataFrame:
    return datasets.load("orders")


@lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    return datasets.load("events")


@lru_cache(maxsize=1)
def _miniprogram_daily() -> pd.DataFrame:
    """The notebook's ``mp_daily``: visit sessions, converting sessions and orders of the mini-program per day."""
    events = _events()
    shop = events[events["event_type"].isin([*VISIT_EVENT_TYPES, "purchase"])
                  & (events["channel"] == "miniprogram")]
    start = shop.groupby("session_id")["ts"].min().dt.normalize()
    converted = shop["event_type"].eq("purchase").groupby(shop["session_id"]).any()
    orders = _orders()
    mp_orders = orders[orders["channel"] == "miniprogram"]
    return pd.DataFrame({
        "sessions": start.value_counts().reindex(DAYS, fill_value=0),
        "converting_sessions": start[converted].value_counts().reindex(DAYS, fill_value=0),
        "orders": mp_orders["order_ts"].dt.normalize().value_counts().reindex(DAYS, fill_value=0),
    })


# --------------------------------------------------------------------------- #
# q1: the outage in the conversion monitor
# --------------------------------------------------------------------------- #
def _as_day(answer: Any) -> pd.Timestamp | None:
    if isinstance(answer, (pd.Series, pd.Index)) and len(answer) == 1:
        answer = answer[0] if isinstance(answer, pd.Index) else answer.iloc[0]
    if isinstance(answer, (str, dt.date, pd.Timestamp)):
        try:
            ts = pd.Timestamp(answer)
        except (TypeError, ValueError):
            return None
        return None if pd.isna(ts) else ts
    return None


def _day_checker(answer: Any, expected: str) -> None:
    day = _as_day(answer)
    if day is None:
        raise Incorrect("Answer one date, as a text such as '2025-03-31' (or a pandas Timestamp).")
    if day.normalize() != day:
        raise Incorrect("Give the day only, without a time of day (the monitor is daily).")
    if day.strftime("%Y-%m-%d") != expected:
        if day.year != 2025:
            raise Incorrect(f"{day.date()} is not in 2025: keep only the alerts of 2025.")
        raise Incorrect(f"{day.date()} is not the day of the strongest low alert with an 8-week window. Check "
                        "`window=56` and `direction='low'`, and take the most negative `robust_z`.")


def _q1_solution():
    mp_daily = _miniprogram_daily()  # the notebook's `mp_daily`: sessions, converting sessions, orders per day
    conversion = mp_daily["converting_sessions"] / mp_daily["sessions"]
    alerts = detect_anomalies(conversion, window=56, k=3.0, direction="low")
    alerts_2025 = alerts[alerts.index >= "2025-01-01"]
    return alerts_2025["robust_z"].idxmin().strftime("%Y-%m-%d")


q1 = register(
    Question(
        "ch06_kpi.q1",
        "Monitor the mini-program's daily conversion (converting visit sessions / visit sessions, from "
        "`mp_daily`) with control limits from an 8-week trailing window (`window=56`, `k=3`) and alert on "
        "the low side only. Among the alerts of 2025, on which day is the strongest one (the most negative "
        "robust z)? Answer a date such as '2025-03-31'.",
        _q1_solution,
        checker=_day_checker,
        hints=(
            "Divide the two session columns of `mp_daily` to get a daily rate, then pass it to "
            "`detect_anomalies(..., window=56, direction='low')`.",
            "Keep the rows with an index >= '2025-01-01' and take `alerts['robust_z'].idxmin()`.",
        ),
        # the strongest low alert with a 4-week window (the Android friction), the other 2025
        # alerts, the Double 11 peak, the day after the outage
        wrong_answers=("2025-09-15", "2025-06-16", "2025-11-11", "2025-07-18", 20250717),
        explanation=(
            "17 July 2025, the planted mini-program outage (`world.truth['outage']`: 10:00-22:00, 95% of "
            "orders lost): 13% of the day's visit sessions converted against an expected 25% (robust z "
            "about -3.8). The two other low alerts deserve a look too: 15 September falls in the first week "
            "after the Android release of 10 September (the checkout friction of notebook 3.2), and 16 June, "
            "two days before 618, had one of the month's busiest visit counts but an ordinary number of "
            "orders. With a 4-week window the outage is missed: the band is still wide from the 618 ramp, "
            "which is why `window=56` is the default of `control_limits` and `detect_anomalies`."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q2: AOV of a channel in a period
# --------------------------------------------------------------------------- #
def _q2_solution():
    orders = _orders()  # the notebook's orders
    table = kpi_table(orders, start="2025-10-20", end="2025-11-12")  # end is exclusive: 11 November included
    return float(table.loc["douyin", "aov"])


q2 = register(
    Question(
        "ch06_kpi.q2",
        "What was the average order value (AOV, CNY) of the **Douyin** channel during the Double 11 season of "
        "2025, from 20 October to 11 November *inclusive*? Count every order (whatever its status) at its "
        "amount paid. Answer a number of CNY.",
        _q2_solution,
        checker=checkers.close(rtol=0.001),
        hints=(
            "`kpi_table(orders, start=..., end=...)` has an `aov` column per channel; periods are [start, end).",
            "The period that includes 11 November ends on 12 November: `start='2025-10-20', end='2025-11-12'`. "
            "Read `.loc['douyin', 'aov']`.",
        ),
        # all channels, GMV per buyer, end on 11 November (the festival day left out), gross amount,
        # completed orders only, the 2024 season
        wrong_answers=(195.24, 233.74, 168.50, 193.40, 170.34, 162.41),
        explanation=(
            "About 174 CNY per Douyin order (593 orders, 103,313 CNY), the lowest AOV of any channel in the "
            "season (all channels: 195 CNY; the mini-program: 244 CNY). Live commerce sells many small "
            "impulse baskets. Leaving out the festival day itself (end='2025-11-11') gives 169 CNY: one day "
            "moves a 23-day AOV by 3%."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q3: the conversion factor of the KPI tree
# --------------------------------------------------------------------------- #
def _q3_solution():
    orders, events = _orders(), _events()  # the notebook's orders and events
    tree = kpi_tree(orders, events, start="2025-10-01", end="2026-01-01",
                    baseline_start="2024-10-01", baseline_end="2025-01-01")  # method="lmdi", the default
    c = tree.contributions.set_index(["branch", "factor"])["contribution"]
    return float(c[("traffic", "conversion")])


q3 = register(
    Question(
        "ch06_kpi.q3",
        "Compare the fourth quarter of 2025 (October-December) with the fourth quarter of 2024 in the KPI "
        "tree (LMDI, the default). How much did the **conversion** factor contribute to the change in GMV? "
        "Answer a signed amount in CNY (negative if it pulled GMV down).",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "`kpi_tree(orders, events, start=..., end=..., baseline_start=..., baseline_end=...)` with the "
            "quarters as [start, end) periods: Q4 2025 is start='2025-10-01', end='2026-01-01'.",
            "In `tree.contributions`, take the row with branch 'traffic' and factor 'conversion' and read its "
            "`contribution` (not its ratio or share).",
        ),
        # the H2 comparison of the notebook, the sign flipped, the ratio, the share, the sessions'
        # contribution, a one-factor-at-a-time estimate at baseline values
        wrong_answers=(-119196.19, 107670.47, 0.9557, -0.098, 1044255.89, -82809.40),
        explanation=(
            "About -108,000 CNY: GMV grew by 1.10 million CNY (+59%) from Q4 2024 to Q4 2025, traffic added "
            "1.04 million and AOV 0.16 million, while conversion (0.267 -> 0.255, -4.4%) took about 10% of "
            "the growth back. The per-channel table says where: the mini-program's conversion fell after "
            "the Android release of 10 September; every other channel held or improved."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q4: an alert on Double 11
# --------------------------------------------------------------------------- #
def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch06_kpi.q4",
        "On the morning of 12 November 2025 the mini-program's order monitor (8-week window, k = 3) shows a "
        "high alert for 11 November: 145 orders against an expected 36 (upper limit 70), the largest "
        "deviation of the year. What should the operations team do?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Open an incident: 145 orders is four times the expected value, so something must be wrong "
                 "with the mini-program (bots, a pricing error or duplicated orders).",
            "B": "Recognise the planned Double 11 peak: the trailing window cannot know the festival. Judge the "
                 "day against the campaign plan or last year's festival uplift (a calendar of known events), "
                 "keep the low-side alert armed for festival days, and expect wide bands for the weeks after.",
            "C": "Raise k to 10 for the whole year, so that festivals never raise an alert again.",
            "D": "Delete the festival weeks from the history and switch the monitor off from 20 October to "
                 "11 November every year.",
        },
        choice_feedback={
            "A": "A festival day is supposed to be far above an ordinary Thursday: the band describes ordinary "
                 "days. Four times the expected value is in line with the brand's plan (Double 11 is planned "
                 "at about five times a normal day's intensity). Check against the plan before paging anyone.",
            "C": "With k = 10 the band would also hide the outage of 17 July (robust z about -3.8): you would "
                 "buy silence on festival days with blindness on every other day.",
            "D": "The festival season is when the channel earns the most: an outage on 11 November would be the "
                 "costliest of the year, so that is the worst time to stop watching. Handle the known event "
                 "in the expected value, not by switching the monitor off.",
        },
        hints=(
            "Is the day surprising for the business, or only for a model that has seen nothing but "
            "ordinary days? Seed 002 sets thresholds from history *and* business expectations.",
            "Which direction of deviation would hurt on a festival day, and what would each option do to the "
            "July outage?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "A control band from the trailing window measures surprise relative to recent ordinary days. "
            "Known events (618, Double 11, big campaigns) need their own expected value from the plan or "
            "from last year; the alert then asks whether the festival ran *below* plan. Keep the monitor on: "
            "the low side matters most when the stakes are highest."
        ),
    )
)
