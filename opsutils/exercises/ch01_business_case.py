"""Exercises for chapter 1, notebook 2: the business case for omnichannel operations.

Usage in ``notebooks/01_trends/02_business_case.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch01_business_case as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

from opsutils import datasets
from opsutils.business import clv_what_if, retention_profit_uplift
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    orders = datasets.load("orders")
    order_items = datasets.load("order_items")
    products = datasets.load("products")
    completed = orders.loc[orders["status"] == "completed", ["order_id"]]
    lines = (order_items.merge(completed, on="order_id")
             .merge(products[["product_id", "unit_cost"]], on="product_id"))
    revenue = (lines["quantity"] * lines["unit_price"]).sum()
    cost = (lines["quantity"] * lines["unit_cost"]).sum()
    return float(1 - cost / revenue)


q1 = register(
    Question(
        "ch01_business_case.q1",
        "What is the brand's gross margin (毛利率) on completed orders, as a share of revenue at the realised "
        "unit prices? Use `order_items` (quantity x unit_price) and `products` (unit_cost); answer a fraction "
        "such as 0.42.",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Gross margin = 1 - cost of goods / revenue. Keep only order lines of orders whose `status` is "
            "'completed'.",
            "Merge `order_items` with the completed order ids and with `products[['product_id', 'unit_cost']]`; "
            "revenue is the sum of quantity x unit_price, cost the sum of quantity x unit_cost.",
            "Use the realised `unit_price` of the order line, not the list `price` of the product: promotions "
            "and bundles sell below list price.",
        ),
        wrong_answers=(0.45, 0.61, 55.0),
        explanation=(
            "Tea and teaware carry high gross margins. Order-level coupons (`orders.discount`) lower the margin "
            "on the money actually paid by a couple of points more; the notebook uses that after-coupon margin "
            "when it multiplies by the average amount paid."
        ),
    )
)


def _q2_solution():
    result = clv_what_if(retention=0.5, aov=180.0, frequency=3.0, margin=0.55, cac=150.0)
    return result.clv


q2 = register(
    Question(
        "ch01_business_case.q2",
        "With `clv_what_if`, what is the CLV (CNY) of a customer with yearly retention 50%, an average order "
        "value of 180 CNY, 3 orders a year, a 55% margin and a CAC of 150 CNY (default 10% discount rate, "
        "no horizon limit)?",
        _q2_solution,
        checker=checkers.close(rtol=0.005),
        hints=(
            "Call `clv_what_if(retention=..., aov=..., frequency=..., margin=..., cac=...)` with the five numbers "
            "and read the `.clv` attribute of the result.",
            "The annual margin is 180 x 3 x 0.55 = 297 CNY; the closed form is m x (1 + d) / (1 + d - r).",
        ),
        wrong_answers=(594.0, 247.5, 394.5, 3.63),
        explanation=(
            "297 x 1.1 / 0.6 = 544.5 CNY, so CLV/CAC is about 3.6: this customer passes the rule of 3. "
            "Without discounting the value would be 594 CNY; the end-of-period formula m x r / (1 + d - r) "
            "gives 247.5 CNY because it leaves out the first year's margin."
        ),
    )
)


def _q3_solution():
    result = retention_profit_uplift(retention=0.75, retention_increase=0.05, aov=200.0, frequency=2.0,
                                     margin=0.40, acquisition_cost=300.0, horizon_years=10)
    return result.relative_uplift


q3 = register(
    Question(
        "ch01_business_case.q3",
        "A subscription tea club keeps 75% of its members each year, who place 2 orders a year of 200 CNY at a "
        "40% margin; acquiring a member costs 300 CNY. With `retention_profit_uplift` (10-year horizon, 10% "
        "discount rate), by what fraction does the cohort's profit rise if retention improves by 5 percentage "
        "points? Answer a fraction such as 0.12.",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Pass `retention=0.75, retention_increase=0.05`, the unit economics and `acquisition_cost=300.0`; "
            "`horizon_years=10` is the default.",
            "The answer is the `.relative_uplift` attribute (a fraction), not `.profit_uplift` (CNY for the "
            "whole cohort).",
            "It is not the relative change in CLV either (about +14%): the acquisition cost is paid in both "
            "scenarios, so the profit base is much smaller than the CLV and the same extra margin is a larger "
            "share of it.",
        ),
        wrong_answers=(0.05, 36.7, 70441.0, 0.143),
        explanation=(
            "About +37%: inside Reichheld's 25-95% band, because the 300 CNY acquisition cost eats more than "
            "half of a member's lifetime margin, so the base profit is thin and five more points of retention "
            "add a lot to it."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch01_business_case.q4",
        "A paid-social channel brings customers with CLV/CAC = 1.8 (CLV counts gross margin only). "
        "What should the operations team recommend?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Scale it up: every CNY spent comes back as 1.8 CNY of margin, so more spend means more profit.",
            "B": "Fix it before scaling: keep spend flat, lower CAC (targeting, cheaper creatives, moving "
                 "customers to owned channels) or raise CLV (onboarding, retention), and re-measure by a deadline.",
            "C": "Cut it now: any channel below 3 destroys value.",
            "D": "Leave it as it is: a ratio above 1 means the channel is profitable, so there is nothing to do.",
        },
        choice_feedback={
            "A": "Scaling usually raises the marginal CAC (you reach less interested people), and 1.8 leaves "
                 "little room for the costs CLV leaves out (service, returns, overheads) or for estimation error.",
            "C": "Above 1 each customer still returns more margin than they cost to acquire; cutting forgoes "
                 "that profit. Three is a rule of thumb for comfort, not a break-even line.",
            "D": "Gross-margin CLV ignores service and overhead costs and is an estimate; at 1.8 the channel may "
                 "barely break even once those are counted. It needs work, not neglect.",
        },
        hints=(
            "What does a ratio of 1 mean, and why do analysts ask for more than 3 rather than more than 1?",
            "Think about what happens to CAC when a channel's budget is doubled, and about which costs a "
            "gross-margin CLV leaves out.",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "A ratio of 1.8 pays back the acquisition cost but leaves a thin cushion for the costs CLV leaves "
            "out and for estimation error, and CAC tends to rise as spend grows. Hold spend, work on both sides "
            "of the ratio, and cut only if it does not improve."
        ),
    )
)
