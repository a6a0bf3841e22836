"""Exercises for chapter 3, notebook 4: lifecycle stages, activation, cohorts and survival.

Usage in ``notebooks/03_journey/04_lifecycle_and_cohorts.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch03_lifecycle as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions read the orders and customers of the default world once per session
(``functools.lru_cache``) and use :mod:`opsutils.lifecycle` exactly as the notebook does.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register
from opsutils.lifecycle import activation_rate, cohort_retention, lifecycle_stages

__all__ = ["q1", "q2", "q3", "q4"]

#: End of the data: the moment after the last order of 2025 (midnight at the start of 2026-01-01).
AS_OF = "2026-01-01"
#: Seed 001's target for the 7-day activation rate of new customers.
TARGET = 0.65


@lru_cache(maxsize=1)
def _orders():
    return datasets.load("orders")


@lru_cache(maxsize=1)
def _customers():
    return datasets.load("customers")


# --------------------------------------------------------------------------- #
# Questions
# --------------------------------------------------------------------------- #
def _q1_solution():
    orders, customers = _orders(), _customers()  # the notebook's orders and customers
    signed_2025 = customers[customers["signup_ts"].dt.year == 2025]
    return activation_rate(signed_2025, orders, as_of="2026-01-01", days=7).rate


q1 = register(
    Question(
        "ch03_lifecycle.q1",
        "Activation of the 2025 sign-ups: what share of the customers who signed up in 2025 placed their first "
        "order within 7 days of signing up? Count every order whatever its status, measure as of 2026-01-01 and "
        "answer a fraction such as 0.6.",
        _q1_solution,
        checker=checkers.close(rtol=0.002),
        hints=(
            "Filter `customers` to the 2025 sign-ups first (`customers['signup_ts'].dt.year == 2025`), then pass "
            "that frame to `activation_rate` together with all of `orders`.",
            "`activation_rate(signed_2025, orders, as_of='2026-01-01', days=7).rate`. Keep all orders: the first "
            "order of a 2025 sign-up may come from any channel and any status.",
        ),
        wrong_answers=(0.5806, 0.5770, 0.8362, 0.5631, 0.6311, 58.52),
        explanation=(
            "About 58.5%: the 2025 sign-ups activate at almost exactly the rate of the 2024 ones (57.7%), still "
            "about 6.5 points short of seed 001's 65% target. Nothing the brand did in 2025 moved onboarding; the "
            "gap is structural and sits in the channels (Douyin above all), not in one bad year."
        ),
    )
)


def _q2_solution():
    orders = _orders()  # the notebook's orders
    retention = cohort_retention(orders, period="M").retention
    return float(retention.loc[pd.Period("2025-06", freq="M"), 3])


q2 = register(
    Question(
        "ch03_lifecycle.q2",
        "Cohort retention: of the customers whose first order was in June 2025 (the 618 cohort), what share "
        "ordered again in the third month after it, i.e. in September 2025? Use all orders and monthly cohorts; "
        "answer a fraction.",
        _q2_solution,
        checker=checkers.close(rtol=0.002),
        hints=(
            "`cohort_retention(orders).retention` has one row per cohort (a monthly Period) and one column per "
            "number of months since the first order; column 0 is the cohort's own month (always 1.0).",
            "`cohort_retention(orders).retention.loc[pd.Period('2025-06', freq='M'), 3]`: row June 2025, "
            "column 3 (September).",
        ),
        wrong_answers=(0.2301, 0.1979, 0.2347, 0.4018, 0.1453, 101, 15.49),
        explanation=(
            "About 15.5%: the lowest month-3 retention of any 2025 cohort, against about 20% for the cohorts of "
            "ordinary months. Festival cohorts (618 in June, Double 11 in October and November) are won with "
            "discounts and come back less often: plan their onboarding (a second-purchase offer before the "
            "next festival) rather than judging the festival by its first-order count."
        ),
    )
)


def _q3_solution():
    orders, customers = _orders(), _customers()  # the notebook's orders and customers
    stages = lifecycle_stages(orders, customers, as_of="2025-11-11")  # default rules
    return int((stages["stage"] == "declining").sum())


q3 = register(
    Question(
        "ch03_lifecycle.q3",
        "The win-back team wants to know its audience on the morning of Double 11: how many customers were in "
        "the declining stage at midnight at the start of 11 November 2025 (`as_of='2025-11-11'`), with the "
        "default rules and all orders? Answer an integer.",
        _q3_solution,
        checker=checkers.exact(),
        hints=(
            "`lifecycle_stages(orders, customers, as_of=...)` gives one row per known customer with its `stage`.",
            "`(lifecycle_stages(orders, customers, as_of='2025-11-11')['stage'] == 'declining').sum()`. A date "
            "string means midnight at the start of that day, so orders of 11 November itself do not count yet.",
        ),
        wrong_answers=(5475, 5709, 5869, 4574, 10081, 5406),
        explanation=(
            "5,507 customers, more than a quarter of the members and more than the stable ones (3,950). About "
            "six in ten of them had bought on more than one day; they are the win-back audience before the biggest "
            "festival of the year, while the 4,574 churned customers (silent for over a year) are a far weaker "
            "bet (about one in seven buys again within six months)."
        ),
    )
)


def _q4_solution():
    orders, customers = _orders(), _customers()  # the notebook's orders and customers
    act = activation_rate(customers, orders, as_of="2026-01-01", by="signup_channel", target=0.65).table
    # Missed activations against the target: the gap in points times the number of sign-ups.
    missed = (act["target"] - act["rate"]).clip(lower=0) * act["n_signups"]
    letters = {"miniprogram": "A", "douyin": "B", "app": "C"}  # the channels named in the choices
    return letters[missed.idxmax()] if act["significantly_below"].any() else "D"


q4 = register(
    Question(
        "ch03_lifecycle.q4",
        "The CRM team can redesign the first-week onboarding (welcome message, first-order coupon, guidance) of "
        "one sign-up channel this quarter. Using the 7-day activation table by sign-up channel (rates, intervals, "
        "number of sign-ups) and the 65% target, which channel should it fix first?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "The mini-program: it brings by far the most sign-ups (almost 6,000), so even its gap of about 7 "
                 "points costs the most activations.",
            "B": "Douyin: its rate is about 23 points below the target with the whole interval below it, and "
                 "despite its mid-sized volume it misses the most activations of any channel (about 550 against "
                 "the target).",
            "C": "The app: the second-largest channel, and an app push reaches every new member at no cost.",
            "D": "None yet: 58% is close enough to 65% that the gaps may be noise.",
        },
        choice_feedback={
            "A": "Volume matters, but multiply it out: about 5,900 sign-ups x 6.8 points is about 400 missed "
                 "activations, fewer than Douyin's 2,400 x 23.4 points (about 555). The mini-program is the "
                 "second priority.",
            "C": "The app is the closest to the target of the large channels (about 62.7%): some 110 activations "
                 "short. Cheap to reach is not the same as worth fixing first.",
            "D": "With 20,000 sign-ups the intervals are narrow (about +/-1 to 2 points per channel): every "
                 "channel except the stores is significantly below 65%. The gap is real.",
        },
        hints=(
            "Rank the channels by missed activations, not by rate alone: (target - rate) x number of sign-ups.",
            "Compute `act = activation_rate(customers, orders, as_of='2026-01-01', by='signup_channel', "
            "target=0.65).table`, then `(act['target'] - act['rate']).clip(lower=0) * act['n_signups']`.",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Douyin. Its sign-ups come from live-commerce impulse (the planted 7-day probability is only 40%), "
            "so a first-week journey built for them (a follow-up inside the Douyin shop, a small first-order "
            "coupon, guidance on how to reorder) has both the largest gap and the largest number of missed "
            "activations to win back. The mini-program comes second on volume. Douyin's customers are also the "
            "most expensive to acquire under notebook 2.5's assumed costs, so every activation lost there "
            "wastes the most money."
        ),
    )
)
