"""Exercises for chapter 2, notebook 4: RFM, value tiers and personas.

Usage in ``notebooks/02_data_foundation/04_rfm_value_tiers_personas.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch02_rfm as ex

    answer = ____
    ex.q1.check(answer)

Revenue means completed orders (cancelled and refunded orders excluded), as in the notebook.
"""

from __future__ import annotations

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    from opsutils.segmentation import rfm_scores, rfm_segments, rfm_table

    orders = datasets.load("orders")
    revenue = orders[orders["status"] == "completed"]
    rfm = rfm_table(revenue, as_of="2025-07-01")
    segments = rfm_segments(rfm_scores(rfm, ties="min"))
    return int((segments == "Champions").sum())


q1 = register(
    Question(
        "ch02_rfm.q1",
        "RFM at mid-year: how many customers were Champions as of 1 July 2025 (`as_of='2025-07-01'`)? Use "
        "completed orders only, quintile scores with `ties='min'` and the default segment grid. Answer a "
        "whole number.",
        _q1_solution,
        checker=checkers.exact(),
        hints=(
            "Redo the notebook's three steps with another date: `rfm_table(revenue, as_of=...)`, then "
            "`rfm_scores(..., ties='min')`, then `rfm_segments(...)`.",
            "`(rfm_segments(rfm_scores(rfm_table(revenue, as_of='2025-07-01'), ties='min')) == 'Champions')"
            ".sum()`, with `revenue = orders[orders['status'] == 'completed']`.",
        ),
        wrong_answers=(1897, 1824, 1710, 1665),
        explanation=(
            "About 1,660 Champions at mid-2025, against about 1,900 at the end of the year. The scores are "
            "quantiles, so they are relative: every date re-ranks all buyers seen so far. Forgetting "
            "`ties='min'` (about 1,820), counting cancelled and refunded orders (about 1,710) or cutting on "
            "30 June (midnight at the start of that day) all change the count."
        ),
    )
)


def _q2_solution():
    from opsutils.segmentation import value_tiers

    orders = datasets.load("orders")
    revenue_2025 = orders[(orders["status"] == "completed") & (orders["order_ts"].dt.year == 2025)]
    spend = revenue_2025.groupby("customer_id")["amount"].sum()
    tiers = value_tiers(spend)
    return float(spend[tiers == "diamond"].sum() / spend.sum())


q2 = register(
    Question(
        "ch02_rfm.q2",
        "The 30%+ rule on one year: rank the customers who bought in 2025 by their 2025 spend (completed "
        "orders placed in 2025 only), form seed 004's tiers with `value_tiers`, and give the diamond tier's "
        "share of 2025 revenue. Answer a fraction such as 0.25.",
        _q2_solution,
        checker=checkers.close(rtol=0.005),
        hints=(
            "Filter the orders twice: `status == 'completed'` and `order_ts.dt.year == 2025`. Then one spend "
            "value per customer with a groupby.",
            "`spend = revenue_2025.groupby('customer_id')['amount'].sum()`, `tiers = value_tiers(spend)`, then "
            "`spend[tiers == 'diamond'].sum() / spend.sum()`.",
        ),
        wrong_answers=(0.3013, 0.4893, 0.2665, 0.01, 29.02),
        explanation=(
            "About 29%: on a single year the diamond tier falls just short of seed 004's '30%+'. Over the two "
            "years it brings about 30.1%, and in 2024 alone about 27%. The longer the window, the more the "
            "heavy buyers' orders pile up, so the same rule gives different headlines; a tier policy must say "
            "which window it uses."
        ),
    )
)


def _q3_solution():
    from opsutils.segmentation import concentration

    orders = datasets.load("orders")
    customers = datasets.load("customers")
    revenue = orders[orders["status"] == "completed"]
    spend = revenue.groupby("customer_id")["amount"].sum().reindex(customers["customer_id"], fill_value=0)
    return concentration(spend, top=0.01).top_shares[0.01]


q3 = register(
    Question(
        "ch02_rfm.q3",
        "Change the denominator: what share of revenue (completed orders, both years) do the top 1% of all "
        "20,000 members bring, counting members who never bought as 0? Answer a fraction such as 0.25.",
        _q3_solution,
        checker=checkers.close(rtol=0.005),
        hints=(
            "Start from one spend value per buyer, then `reindex` it on every `customer_id` of "
            "`world.customers` with `fill_value=0`.",
            "`concentration(spend, top=0.01).top_shares[0.01]`: the top 1% of 20,000 members is 200 people, "
            "not the 169 of the notebook's buyers-only ranking.",
        ),
        wrong_answers=(0.3013, 0.7991, 0.7629, 32.11, 0.01),
        explanation=(
            "About 32%: adding 3,000 non-buyers makes '1%' mean 200 people instead of 169, so the top slice "
            "takes in more revenue. Headline concentration numbers depend on who is counted; the world's truth "
            "and the notebook count buyers only."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch02_rfm.q4",
        "The brand has a win-back budget (流失客户挽回) for one RFM segment this quarter. Using the "
        "segment table of the notebook, where should it go first?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Lost: the largest segment (about 2,750 customers), so the budget reaches the most people.",
            "B": "Can't lose them, then At risk: about 1,760 lapsed customers who used to buy often (about 12.6 "
                 "and 3.9 orders on average) and together brought about 14% of revenue.",
            "C": "Champions: they bring about 39% of revenue, so money spent on them has the highest return.",
            "D": "New: they bought most recently, so they are the easiest to bring back.",
        },
        choice_feedback={
            "A": "Lost customers are many but they bought once or twice, long ago (median about 650 days), and "
                 "brought under 4% of revenue: a low chance of return times a low value. Keep them on cheap "
                 "channels only.",
            "C": "Champions bought a fortnight ago on average: they are not lapsing, so there is nothing to win "
                 "back. Spending a win-back budget on them mostly pays for orders they would have placed anyway.",
            "D": "New customers are active, not lapsed: they need onboarding (a welcome journey, a second-order "
                 "nudge), not win-back. And with a single small order each, they are worth little so far.",
        },
        hints=(
            "Win-back means customers who have stopped buying: look at the low-R segments only.",
            "Among the lapsed segments, compare what they were worth (orders per customer, revenue share), "
            "not only how many customers they hold.",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Win-back money should go where lapsed customers were valuable: 'Can't lose them' (low R, top F) "
            "and 'At risk' (low R, good F) hold about a tenth of the buyers but about 14% of revenue. They "
            "justify personal contact (a call, a dedicated message, a question about why they left) and a "
            "strong offer; the big 'Lost' segment gets only low-cost reminders around 618 and Double 11."
        ),
    )
)
