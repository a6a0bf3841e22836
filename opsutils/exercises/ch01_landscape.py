"""Exercises for chapter 1, notebook 1: the omnichannel landscape.

Usage in ``notebooks/01_trends/01_omnichannel_landscape.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch01_landscape as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    world = datasets.load_world()
    accounts = world.accounts.merge(world.truth.account_map, on="account_id")
    n_channels = (accounts.groupby("customer_id")["channel"].nunique()
                  .reindex(world.customers["customer_id"], fill_value=0))
    return float((n_channels >= 3).mean())


q1 = register(
    Question(
        "ch01_landscape.q1",
        "What share of all the brand's customers hold accounts in three or more sales channels? Link `accounts` "
        "to people with `world.truth.account_map`, count the distinct channels per customer, and answer a "
        "fraction such as 0.12.",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Start as the notebook did for 'two or more': merge `world.accounts` with `world.truth.account_map` "
            "on `account_id`, then count distinct `channel` values per `customer_id`.",
            "Count distinct channels with `.nunique()`, not accounts with `.size()`: a few people re-registered "
            "a second account in the same channel. The denominator is every customer in `world.customers`.",
        ),
        wrong_answers=(0.4422, 0.1171, 15.48),
        explanation=(
            "About one customer in six uses three or more sales channels; most multichannel customers use "
            "exactly two."
        ),
    )
)


def _q2_solution():
    world = datasets.load_world()
    accounts = world.accounts.merge(world.truth.account_map, on="account_id")
    multichannel = accounts.groupby("customer_id")["channel"].nunique() >= 2
    buyers = world.orders.groupby("customer_id").size().rename("n_orders").to_frame()
    buyers["multichannel"] = multichannel.reindex(buyers.index, fill_value=False)
    events = world.events
    views = events[(events["event_type"] == "content_view")
                   & events["channel"].isin(["wechat_oa", "xiaohongshu"])]
    buyers["content_views"] = views.groupby("customer_id").size().reindex(buyers.index, fill_value=0)
    band = buyers[buyers["content_views"].between(3, 5)]
    rate = (band["n_orders"] >= 2).groupby(band["multichannel"]).mean()
    return float(rate[True] / rate[False] - 1)


q2 = register(
    Question(
        "ch01_landscape.q2",
        "Compare like with like: among buyers with 3 to 5 content views (event_type 'content_view' on "
        "wechat_oa or xiaohongshu), what is the relative gap in repurchase rate between multichannel and "
        "single-channel buyers (rate_multichannel / rate_single - 1)? Answer a fraction such as 0.25.",
        _q2_solution,
        checker=checkers.close(rtol=0.02),
        hints=(
            "Reuse the notebook's buyer table: one row per buyer with `n_orders`, `multichannel` and "
            "`content_views` (buyers with no content view have 0, not a missing value).",
            "Keep the rows with `content_views.between(3, 5)`, compute the share with `n_orders >= 2` in each "
            "`multichannel` group, then divide the multichannel rate by the single-channel rate and subtract 1.",
        ),
        wrong_answers=(0.389, 0.0657, 1.23),
        explanation=(
            "Within one engagement band the gap is well below the raw +39%: much of the raw gap comes from "
            "comparing engaged customers with less engaged ones. The regression does the same "
            "comparison for all bands (and the other proxies) at once."
        ),
    )
)


def _q3_solution():
    orders = datasets.load("orders")
    customers = datasets.load("customers")
    orders = orders.merge(customers[["customer_id", "birth_year"]], on="customer_id")
    orders["gen_z"] = orders["birth_year"] >= 1997
    orders["year"] = orders["order_ts"].dt.year
    revenue = (orders[orders["year"].isin([2024, 2025])]
               .pivot_table(index="gen_z", columns="year", values="amount", aggfunc="sum"))
    increase = revenue[2025] - revenue[2024]
    return float(increase[True] / increase.sum())


q3 = register(
    Question(
        "ch01_landscape.q3",
        "The outline says Gen Z brings 50% of incremental revenue. Check it for this brand: what share of the "
        "revenue increase from 2024 to 2025 (sum of `orders.amount` by calendar year of `order_ts`) comes from "
        "Gen Z customers (born 1997 or later)? Answer a fraction such as 0.5.",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Attach `birth_year` from `customers` to every order, flag Gen Z with `birth_year >= 1997` and take "
            "the calendar year with `order_ts.dt.year`.",
            "Sum `amount` by (Gen Z flag, year) for 2024 and 2025 only, take each group's increase 2025 - 2024, "
            "and divide the Gen Z increase by the total increase.",
        ),
        wrong_answers=(0.5, 34.74, 1_054_010.63),
        explanation=(
            "About a third of the growth comes from Gen Z, close to their share of members (about 31%) and "
            "of 2025 revenue (about 33%), and far from half. A headline figure from another company's "
            "customer base is a hypothesis to check on your own data, not a fact about your brand."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch01_landscape.q4",
        "The marketing director wants to promise the board a +40% repurchase rate from pushing every customer "
        "into a second channel. What does the adjusted analysis suggest?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Promise it: multichannel buyers already repurchase about 39% more often, which matches the "
                 "+40% of the leading retailer.",
            "B": "Do not promise +40%: after adjusting for engagement the gap shrinks to about half of the raw "
                 "figure and may still hold some confounding, and customers pushed into a channel may gain less "
                 "than those who chose it. Pilot the push with a randomised holdout and promise what it measures.",
            "C": "Drop the idea: once engagement is accounted for, a second channel makes no difference at all.",
            "D": "Promise more than +40%: customers who ordered in two channels repurchase at 100%.",
        },
        choice_feedback={
            "A": "The raw gap compares engaged customers (who both use more channels and buy more) with less "
                 "engaged ones. Most of it disappears once you compare customers with similar engagement.",
            "C": "The adjusted odds ratio and its confidence interval stay well above 1: the evidence points to a "
                 "real but much smaller effect, not to none.",
            "D": "That 100% is built into the definition: nobody can order in two channels without ordering twice. "
                 "It says nothing about what a second channel does.",
        },
        hints=(
            "Compare the raw and the adjusted estimates in the notebook's regression table. Which one is closer "
            "to what a second channel would do for a given customer?",
            "Ask two questions: how much of the raw gap is selection (who chooses several channels), and would "
            "customers pushed into a channel behave like those who chose it? What kind of study answers both?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Raw gaps between multichannel and single-channel customers mix the effect of the channels with who "
            "chooses them. Adjusting for observable proxies removes part of that selection, not necessarily all. "
            "A randomised pilot (invite a random half to a second channel, keep the other half as a holdout) "
            "measures the effect of the push itself, which is the number the board needs."
        ),
    )
)
