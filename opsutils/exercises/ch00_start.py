"""Warm-up questions for ``notebooks/00_start_here.ipynb``.

Two short questions that teach the exercise mechanics rather than any analysis:
``q1`` asks for one number computed from the data, ``q2`` checks that the trainee
knows what ``check()`` does (multiple choice).

Usage in the notebook::

    from opsutils.exercises import ____
    from opsutils.exercises import ch00_start as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Incorrect, Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2"]

#: Channels and touchpoints in the events table (sales channels plus touchpoints that take no orders).
_ALL_CHANNELS_AND_TOUCHPOINTS = 11
#: Touchpoints that take no orders: xiaohongshu, wechat_oa, sms, email, call_center.
_TOUCHPOINTS_ONLY = 5
#: No plausible count of channels is this large; such an answer counted rows instead.
_ROW_COUNT_THRESHOLD = 100

_exact = checkers.exact()


def _q1_solution():
    orders = datasets.load("orders")
    return orders["channel"].nunique()


def _check_q1(answer: Any, expected: Any) -> None:
    """Exact whole number, with targeted feedback for the usual slips."""
    if pd.api.types.is_list_like(answer) and not isinstance(answer, dict) and len(answer) > 1:
        raise Incorrect(
            f"Your answer holds {len(answer):,} values, but the question asks for one number: how many "
            "distinct channels there are. `.nunique()` on the `channel` column gives it in one step."
        )
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, (bool, np.bool_)):
        if answer == _ALL_CHANNELS_AND_TOUCHPOINTS:
            raise Incorrect(
                f"{_ALL_CHANNELS_AND_TOUCHPOINTS} is every channel and touchpoint in the events table. "
                "The question is about channels that take orders: count the distinct values of "
                "`orders[\"channel\"]`."
            )
        if answer == _TOUCHPOINTS_ONLY:
            raise Incorrect(
                f"{_TOUCHPOINTS_ONLY} is the number of touchpoints that take no orders (xiaohongshu, wechat_oa, "
                "sms, email, call_center). Count the channels that appear in the orders table instead."
            )
        if answer > _ROW_COUNT_THRESHOLD:
            raise Incorrect(
                f"{answer:,} is far too many for a number of channels: it looks like a count of rows (orders). "
                "Count the distinct values of the `channel` column rather than its entries."
            )
    _exact(answer, expected)


q1 = register(
    Question(
        "ch00_start.q1",
        "How many distinct sales channels appear in the orders table? Answer a whole number.",
        _q1_solution,
        checker=_check_q1,
        hints=(
            "Every order records the sales channel it was placed in: look at `orders[\"channel\"].unique()`.",
            "Count the distinct values rather than the orders: `orders[\"channel\"].nunique()` does it in one step.",
        ),
        wrong_answers=(
            _ALL_CHANNELS_AND_TOUCHPOINTS,
            _TOUCHPOINTS_ONLY,
            80_720,  # a row count: len(orders)
            ("app", "miniprogram", "web", "tmall", "douyin", "store"),
            "six",
        ),
        explanation=(
            "Orders come through six sales channels: app, miniprogram, web, tmall, douyin and store. The other "
            "five channels in the events table (xiaohongshu, wechat_oa, sms, email, call_center) are touchpoints "
            "where customers see content or get service, but cannot place an order."
        ),
    )
)


def _q2_solution():
    return "B"


q2 = register(
    Question(
        "ch00_start.q2",
        "Which statement describes what a `check()` call does?",
        _q2_solution,
        kind="interpretation",
        choices={
            "A": "It raises an error and stops the notebook when my answer is wrong.",
            "B": "It compares my answer with a reference answer computed from the data and shows feedback; "
                 "a wrong or missing answer never stops the notebook.",
            "C": "It saves my answer and sends it to the trainer for grading.",
            "D": "It only accepts a number that matches the reference to the last decimal place.",
        },
        choice_feedback={
            "A": "A wrong answer gives a red feedback box, not an error: the cells below still run, "
                 "and 'Run all' always reaches the end.",
            "C": "Nothing is stored or sent anywhere: the check runs in your own Python session, against a "
                 "reference computed from the same data you have.",
            "D": "Decimal answers are accepted within a tolerance (usually 1%), so rounding differences do not "
                 "count as mistakes; texts are compared ignoring case and surrounding spaces.",
        },
        hints=(
            "Look back at the exercise above: what did `ex.q1.check(answer)` show while `answer` was still "
            "`____`, and did the next cell still run?",
            "`check()` returns a feedback box (green, red or blue) and never raises because of your answer. "
            "Decimal answers are compared with a tolerance.",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "check() computes the reference from the data, compares (with a tolerance for decimals) and returns "
            "a result that Jupyter shows as a coloured box. Wrong or missing answers never raise, so "
            "'Run all' always completes."
        ),
    )
)
