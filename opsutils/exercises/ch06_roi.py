"""Exercises for chapter 6, notebook 4: ROI and the optimisation loop.

Usage in ``notebooks/06_evaluation/04_roi_and_optimisation_loop.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch06_roi as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions read the world's tables once per session (``functools.lru_cache``) and use
the gross margin measured from the order lines exactly as the notebook (and notebook 2.5) does.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register
from opsutils.finance import cac, gross_margin_rate, incremental_effect, marketing_roi

__all__ = ["q1", "q2", "q3", "q4", "ASSUMED_ACQUISITION_SPEND_2024"]

#: ASSUMPTION: 2024 acquisition spend by sign-up channel, CNY (illustrative only; the same numbers as
#: notebooks 1.2 and 2.5). The world has no acquisition-spend table.
ASSUMED_ACQUISITION_SPEND_2024 = {"app": 250_000, "miniprogram": 200_000, "web": 100_000,
                                  "tmall": 240_000, "douyin": 340_000, "store": 50_000}


# --------------------------------------------------------------------------- #
# Cached shared computations (the notebook's exposures, campaigns, orders and margin)
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _orders() -> pd.DataFrame:
    return datasets.load("orders")


@lru_cache(maxsize=1)
def _exposures() -> pd.DataFrame:
    return datasets.load("campaign_exposures")


@lru_cache(maxsize=1)
def _campaigns() -> pd.DataFrame:
    return datasets.load("campaigns")


@lru_cache(maxsize=1)
def _margin() -> float:
    """Gross margin per CNY ordered (see :func:`opsutils.finance.gross_margin_rate`)."""
    return gross_margin_rate(_orders(), datasets.load("order_items"), datasets.load("products"))


# --------------------------------------------------------------------------- #
# Questions
# --------------------------------------------------------------------------- #
def _q1_solution():
    exposures, campaigns, margin = _exposures(), _campaigns(), _margin()  # as in the notebook
    cost = campaigns.set_index("campaign_id").loc["CMP12", "cost"]
    eff = incremental_effect(exposures[exposures["campaign_id"] == "CMP12"]).table.loc["CMP12"]
    # (treatment mean - holdout mean) x treated customers = incremental revenue; times the margin = profit
    profit = eff["incremental_outcome"] * margin
    return float(marketing_roi(profit, cost))


q1 = register(
    Question(
        "ch06_roi.q1",
        "The 2024 coupon push CMP12: what is its incremental marketing ROI, measured on 7-day revenue "
        "(treatment minus holdout per customer, times the treated customers, times the notebook's `margin`, "
        "then (profit - cost) / cost)? Answer a ratio such as 1.5 (not a percentage).",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Three steps: the incremental 7-day revenue of the campaign (what the treated customers spent "
            "*more* than the holdout customers, scaled to the treated group), the profit on it (times the "
            "gross margin), and seed 004's ratio against the campaign's `cost`.",
            "`eff = incremental_effect(exposures[exposures['campaign_id'] == 'CMP12']).table.loc['CMP12']`; "
            "`profit = eff['incremental_outcome'] * margin`; `marketing_roi(profit, cost)` with the cost from "
            "`campaigns`. Or read `campaign_roi_table(...)` for CMP12, after working it out once by hand.",
        ),
        wrong_answers=(8.1612, 7.9811, 3.9212, 6.7790, -0.5637, 3.3570),
        explanation=(
            "About 2.9: every yuan spent on the push came back with almost three more in margin that the holdout "
            "says would not have been earned otherwise. The naive ROI (all 7-day revenue of the treated, about "
            "8.2) is almost three times higher, because about 60% of what the treated customers bought they "
            "would have bought anyway (the holdout bought 11 CNY per head in the same week, against 19). Note "
            "the interval: it spans 0 (about -0.4 to 6.3), so even this good-looking estimate is a re-test "
            "candidate rather than proof."
        ),
    )
)


def _q2_solution():
    orders, campaigns, margin = _orders(), _campaigns(), _margin()  # as in the notebook
    cost = campaigns.set_index("campaign_id").loc["CMP12", "cost"]
    # Revenue "attributed" to the campaign: the orders that redeemed its coupon
    attributed = orders.loc[orders["campaign_id"] == "CMP12", "amount"].sum()
    return float(marketing_roi(attributed * margin, cost))


q2 = register(
    Question(
        "ch06_roi.q2",
        "The same campaign, the naive way a coupon-redemption report does it: take all revenue *attributed* "
        "to CMP12 (the `amount` of the orders whose `campaign_id` is CMP12), times the notebook's `margin`. "
        "What naive ROI does that give? Answer a ratio.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "The attributed revenue lives in the `orders` table, not in the exposures: each order that redeemed "
            "a campaign's coupon carries its `campaign_id`.",
            "`attributed = orders.loc[orders['campaign_id'] == 'CMP12', 'amount'].sum()`, then "
            "`marketing_roi(attributed * margin, cost)`.",
        ),
        wrong_answers=(8.1612, 2.9206, 16.8171, 8.9811),
        explanation=(
            "About 8.0, close to the naive ROI on the treated group's 7-day revenue (about 8.2) and almost three "
            "times the incremental ROI (about 2.9). A redemption report credits the campaign with every order "
            "that used its coupon, including the orders of loyal customers who would have bought that week "
            "anyway (and then took the discount). It answers 'who used the coupon', not 'what did the coupon "
            "add': that needs the holdout group."
        ),
    )
)


def _q3_solution():
    customers = datasets.load("customers")  # world.customers in the notebook
    # "New customer" = a member who signed up in 2024 (whether or not they have bought yet)
    signups = customers[customers["signup_ts"].dt.year == 2024]
    per_channel = cac(ASSUMED_ACQUISITION_SPEND_2024, signups["signup_channel"].value_counts())
    return float(per_channel["douyin"])


q3 = register(
    Question(
        "ch06_roi.q3",
        "Under the notebook's assumed 2024 acquisition spend (`ASSUMED_ACQUISITION_SPEND_2024`), what is "
        "Douyin's CAC if a 'new customer' is every member who **signed up** in 2024 through Douyin "
        "(`customers.signup_ts` in 2024, `signup_channel == 'douyin'`), rather than the 2024 first buyers the "
        "notebook counts? Answer in CNY per new customer.",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "CAC = spend / new customers (seed 004). Only the denominator changes: count the 2024 sign-ups per "
            "channel.",
            "`signups = customers[customers['signup_ts'].dt.year == 2024]`, then "
            "`cac(ASSUMED_ACQUISITION_SPEND_2024, signups['signup_channel'].value_counts())['douyin']`.",
        ),
        wrong_answers=(315.99, 310.79, 104.91, 340_000.0),
        explanation=(
            "About 249 CNY per sign-up, against about 316 CNY per first buyer: more than a fifth of Douyin's 2024 "
            "sign-ups (about 300 of 1,363) had not completed an order by the end of 2024, so acquisition per "
            "*member* looks 21% cheaper than per buyer. Neither number "
            "is wrong, but they answer different questions, and a CLV/CAC ratio must use the same people on both "
            "sides: CLV per sign-up (buyers and non-buyers) with CAC per sign-up, or CLV per buyer with CAC per "
            "buyer. State the definition next to every CAC."
        ),
    )
)


def _q4_solution():
    exposures, campaigns, margin = _exposures(), _campaigns(), _margin()  # as in the notebook
    cost = campaigns.set_index("campaign_id").loc["CMP10", "cost"]
    eff = incremental_effect(exposures[exposures["campaign_id"] == "CMP10"]).table.loc["CMP10"]
    low = marketing_roi(eff["incremental_outcome_ci_low"] * margin, cost)
    high = marketing_roi(eff["incremental_outcome_ci_high"] * margin, cost)
    # The interval spans 0: neither scale nor cut on this evidence; re-test, cheaper, with a pre-set bar.
    return "C" if low < 0 < high else ("A" if low > 0 else "B")


q4 = register(
    Question(
        "ch06_roi.q4",
        "Double 11 2025 (CMP10, app push, 60,707 CNY): naive ROI about +0.9, 7-day conversion up by a clearly "
        "significant 2.2 points, incremental ROI about -0.35 with a 95% interval of about -1.1 to +0.4. The "
        "campaign manager asks to double the budget for Double 11 2026. What do you recommend?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Scale it: the naive ROI is positive and the conversion lift is significant, so the push works.",
            "B": "Cut it now: the incremental ROI is negative, so the push loses money.",
            "C": "Do not scale. Re-test it in 2026 as a designed test: a cheaper version against a holdout, with "
                 "the bar set in advance (incremental revenue of at least cost / margin), because this run "
                 "cannot tell a loss from a small profit.",
            "D": "Keep it exactly as it is: the interval includes 0, so no loss has been shown.",
        },
        choice_feedback={
            "A": "Both facts are true and neither answers the question. The naive ROI counts the Double 11 "
                 "shopping that the treated customers would have done anyway; a significant conversion lift says "
                 "the push adds *some* orders, not enough margin to pay its 60,707 CNY: at a 50% margin it needs "
                 "about 120,000 CNY of incremental revenue and the estimate is about 79,000.",
            "B": "The point estimate is a loss, but the 95% interval reaches +0.4: the data cannot rule out a "
                 "profit. A campaign whose incremental ROI interval spans 0 is a re-test, not a cut; cutting on "
                 "a noisy point estimate would also have killed the welcome and activation messages, whose "
                 "estimates are negative too.",
            "D": "An interval that includes 0 means 'not known', not 'fine'. Most of it lies below 0, the 2024 run "
                 "(CMP05) pointed the same way, and doubling or repeating an unproven 60,707 CNY spend unchanged "
                 "is the loop without its 'adjust' step, as with the Douyin 618 pushes.",
        },
        hints=(
            "Look at the whole interval of the incremental ROI, not only its middle. What does an interval that "
            "contains 0 let you conclude?",
            "Separate 'does it add orders?' (the conversion lift) from 'does it pay for itself?' (the incremental "
            "ROI). The optimisation loop sets a target before the next run: which number would the 2026 test "
            "have to beat?",
        ),
        wrong_answers=("A", "B", "D"),
        explanation=(
            "Re-test, cheaper, with a pre-set bar. The push adds orders (the conversion lift is clear) but at its "
            "cost it probably does not pay: the estimate is below break-even in both years, yet one run cannot "
            "exclude a small profit. The loop's 'adjust' step is to change something (a cheaper execution, a "
            "narrower target group), fix the target before launch (incremental revenue above cost / margin, "
            "about 120,000 CNY at this cost) and measure it against a holdout large enough to decide."
        ),
    )
)
