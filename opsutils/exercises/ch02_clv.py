"""Exercises for chapter 2, notebook 5: customer lifetime value (BG/NBD, Gamma-Gamma, CLV/CAC).

Usage in ``notebooks/02_data_foundation/05_customer_lifetime_value.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch02_clv as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions share one summary and one fit of each model, computed once per session
(``functools.lru_cache``), so that every solution runs in well under two seconds after the first.
"""

from __future__ import annotations

from functools import lru_cache

from opsutils import datasets
from opsutils.finance import gross_margin_rate
from opsutils.clv import BetaGeo, GammaGamma, customer_lifetime_value, historic_clv, summary_from_transactions
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4"]

#: End of the data: the notebook's "today" model is fitted on every order up to this day.
OBS_END = "2025-12-31"

#: The customers the questions are about.
Q1_CUSTOMER = "C0000069"
Q2_CUSTOMER = "C0000411"
Q4_CUSTOMER_A = "C0003598"
Q4_CUSTOMER_B = "C0016099"


# --------------------------------------------------------------------------- #
# Cached shared computations (the notebook's summary_full, bg_full, gg_full, margin, bg_cdnow)
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _orders():
    return datasets.load("orders")


@lru_cache(maxsize=1)
def _full_fit():
    """The summary of all orders to 2025-12-31 and the BG/NBD model fitted on it."""
    summary_full = summary_from_transactions(_orders(), amount_col="amount", calibration_end=OBS_END)
    bg_full = BetaGeo().fit(summary_full["frequency"], summary_full["recency"], summary_full["T"])
    return summary_full, bg_full


@lru_cache(maxsize=1)
def _gg_full():
    summary_full, _ = _full_fit()
    repeat = summary_full[summary_full["frequency"] > 0]
    return GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])


@lru_cache(maxsize=1)
def _margin():
    """Gross margin per CNY ordered (see :func:`opsutils.finance.gross_margin_rate`)."""
    return gross_margin_rate(_orders(), datasets.load("order_items"), datasets.load("products"))


@lru_cache(maxsize=1)
def _cdnow_fit():
    cdnow = datasets.load_cdnow()
    bg_cdnow = BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    return cdnow, bg_cdnow


def _customer_values(ids):
    """P(alive), 52-week CLV (10% a year, the data's margin) and historic CLV of some customers."""
    summary_full, bg_full = _full_fit()
    clv = customer_lifetime_value(summary_full.loc[list(ids)], purchase_model=bg_full, spend_model=_gg_full(),
                                  horizon=52, margin=_margin(), discount_rate=0.10)
    history = historic_clv(_orders(), as_of=f"{OBS_END} 23:59:59", margin=_margin())
    return clv.assign(historic_clv=history.reindex(clv.index))


# --------------------------------------------------------------------------- #
# Questions
# --------------------------------------------------------------------------- #
def _q1_solution():
    summary_full, bg_full = _full_fit()  # the notebook's summary_full and bg_full
    c = summary_full.loc["C0000069"]
    return float(bg_full.conditional_expected_purchases(26, c["frequency"], c["recency"], c["T"]))


q1 = register(
    Question(
        "ch02_clv.q1",
        f"With the BG/NBD model fitted on all orders to 2025-12-31 (`bg_full`, on `summary_full`), how many "
        f"purchases does customer {Q1_CUSTOMER} make in the next 26 weeks, in expectation? Answer a number "
        "such as 1.5.",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "You need the customer's own history: look up their row in `summary_full` (frequency, recency, T) "
            "and use the model's *conditional* expectation, which takes that history into account.",
            "`c = summary_full.loc['C0000069']`, then `bg_full.conditional_expected_purchases(26, c['frequency'], "
            "c['recency'], c['T'])`. The time unit is weeks, so 26 means half a year.",
        ),
        wrong_answers=(3.4237, 0.8956, 2.0361, 10.1364),
        explanation=(
            "About 1.8 purchases in the next half year. The customer made 8 repeat purchases in about 100 weeks "
            "and last bought about ten weeks ago, so the model thinks they are very probably still active "
            "(P(alive) about 0.9) and expects them to keep their pace, slightly discounted for the chance that "
            "they have already left. `expected_purchases(26)` (about 2.0) would be the answer for a brand-new "
            "customer, without this customer's history."
        ),
    )
)


def _q2_solution():
    summary_full, bg_full = _full_fit()
    c = summary_full.loc["C0000411"]
    return float(bg_full.p_alive(c["frequency"], c["recency"], c["T"]))


q2 = register(
    Question(
        "ch02_clv.q2",
        f"With the same model (`bg_full`), what is the probability that customer {Q2_CUSTOMER} is still active "
        "(P(alive)) at the end of 2025? Answer a probability between 0 and 1.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "`bg_full.p_alive(frequency, recency, T)` takes the three summary numbers of a customer.",
            "`c = summary_full.loc['C0000411']`, then `bg_full.p_alive(c['frequency'], c['recency'], c['T'])`. "
            "Look at how long ago the last purchase was: `c['T'] - c['recency']` weeks.",
        ),
        wrong_answers=(0.6209, 1.0, 0.5601, 0.0),
        explanation=(
            "About 0.38. The customer made 6 repeat purchases in their first 61 weeks (roughly one every ten "
            "weeks) and then nothing for about 43 weeks, four times their usual gap. That silence makes it more "
            "likely than not that they have dropped out, though not certain: roughly four in ten customers with "
            "this history are still customers."
        ),
    )
)


def _q3_solution():
    cdnow, bg_cdnow = _cdnow_fit()  # the notebook's cdnow and bg_cdnow
    c = cdnow.loc[1]
    return float(bg_cdnow.conditional_expected_purchases(39, c["frequency"], c["recency"], c["T"]))


q3 = register(
    Question(
        "ch02_clv.q3",
        "CDNOW: with your BG/NBD fit on the CDNOW calibration summary (`bg_cdnow`), how many purchases does "
        "customer 1 (`cdnow.loc[1]`) make in the 39 weeks after the calibration period, in expectation? "
        "Answer a number.",
        _q3_solution,
        checker=checkers.close(rtol=0.005),
        hints=(
            "The CDNOW summary is indexed by the customer number: `cdnow.loc[1]` holds customer 1's frequency, "
            "recency and T (in weeks).",
            "`c = cdnow.loc[1]`, then `bg_cdnow.conditional_expected_purchases(39, c['frequency'], c['recency'], "
            "c['T'])`.",
        ),
        wrong_answers=(0.7266, 1.1950, 2.0, 1.6873),
        explanation=(
            "About 1.226 purchases: exactly the worked example of Fader, Hardie & Lee (2005) for a customer with "
            "x = 2, t_x = 30.43 and T = 38.86 (customer 1 of the sample). Reproducing a published number like "
            "this is the best test that a model is implemented and fitted correctly."
        ),
    )
)


def _q4_solution():
    view = _customer_values(["C0003598", "C0016099"])
    # A retention offer protects future value: compare P(alive) and the predicted CLV, not the past.
    a, b = view.loc["C0003598"], view.loc["C0016099"]
    return "B" if (b["clv"] > a["clv"] and b["p_alive"] > a["p_alive"]) else "A"


q4 = register(
    Question(
        "ch02_clv.q4",
        f"The brand has one retention voucher (挽留券) left this week, for a customer who is drifting away. "
        f"Compare customer A ({Q4_CUSTOMER_A}) and customer B ({Q4_CUSTOMER_B}): their history in "
        "`summary_full`, their historic CLV, P(alive) and 52-week predictive CLV (`clv` in the notebook). "
        "Who should get it?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": f"Customer A ({Q4_CUSTOMER_A}): with about 35,000 CNY of margin to date they are among the "
                 "brand's most valuable customers ever, and loyalty should be rewarded.",
            "B": f"Customer B ({Q4_CUSTOMER_B}): a new customer who bought five times in three weeks and has "
                 "been quiet for five: P(alive) is about one half, and the value at stake (over 1,400 CNY "
                 "of predicted margin next year) is the largest of the two.",
            "C": f"Customer A ({Q4_CUSTOMER_A}): P(alive) is close to zero, so they need the offer most.",
            "D": "Neither: both have P(alive) below 0.6, so both are probably lost and the voucher is wasted.",
        },
        choice_feedback={
            "A": "Historic value is sunk: it has been earned and no voucher can change it. Customer A bought "
                 "every two or three weeks and then stopped for more than a year; the model puts P(alive) "
                 "near zero and the predicted CLV below one yuan. Rewarding the past is a loyalty-programme "
                 "question, not a retention one.",
            "C": "Need is not the same as what can be saved. A near-zero P(alive) says the customer has almost "
                 "certainly already left: the expected value a retention voucher protects is P(alive) times "
                 "the future value, which is tiny here. Lapsed big spenders are a case for a separate, cheap "
                 "win-back test, not for the one retention voucher.",
            "D": "A P(alive) of about one half is a coin flip, not a loss, and it is exactly where a nudge "
                 "can matter: the customer is not safe (like someone with P(alive) 0.95) nor gone (like "
                 "customer A). Customer B's predicted value is large, so the expected gain is too.",
        },
        hints=(
            "Put the two customers side by side: `clv.loc[['C0003598', 'C0016099']]` and their rows in "
            "`summary_full`. Which numbers describe the past, and which the future?",
            "A retention offer can only change value that is still to come. Weigh what is at stake (predicted "
            "CLV) by the chance the customer is still there to be kept (P(alive)).",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Target future value at risk. Customer A's past is impressive but over: 17 repeat purchases, then "
            "more than a year of silence from someone who used to buy every few weeks, so P(alive) is near "
            "zero. Customer B is young, valuable and wavering: P(alive) about 0.5 and the larger predicted "
            "CLV. Whether the voucher actually changes B's behaviour is a causal question (uplift, chapter 4); "
            "the CLV model says where the value at risk is."
        ),
    )
)
