"""Exercises for chapter 3, notebook 3: multi-touch attribution (heuristics, exact Markov, Shapley).

Usage in ``notebooks/03_journey/03_multi_touch_attribution.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch03_attribution as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions build their paths from the world's event log once per path definition
(``functools.lru_cache``), so that every solution runs in well under two seconds after the first.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from opsutils import datasets
from opsutils.attribution import heuristic_attribution, markov_attribution, markov_chain, shapley_attribution
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register
from opsutils.journey import TOUCH_EVENT_TYPES, paths_from_events

__all__ = ["q1", "q2", "q3", "q4", "HAND_PATHS"]

#: The small path table of exercise 2 (the notebook shows the same table).
HAND_PATHS = {
    "path": ["wechat_oa > app", "app", "wechat_oa > sms > app", "sms", "wechat_oa"],
    "conversions": [30, 10, 20, 0, 0],
    "nulls": [10, 30, 0, 20, 20],
}


# --------------------------------------------------------------------------- #
# Cached shared computations (the notebook's `events` and its path tables)
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    """The world's touches and purchases (the only events a path needs), read once."""
    events = datasets.load("events")
    keep = events["event_type"].isin([*TOUCH_EVENT_TYPES, "purchase"])
    return events.loc[keep].reset_index(drop=True)


@lru_cache(maxsize=8)
def _paths(lookback: str = "30D", gap: str | None = "3D",
           touch_events: tuple[str, ...] = TOUCH_EVENT_TYPES) -> pd.DataFrame:
    """``paths_from_events(events, lookback=..., gap=..., touch_events=...)``, computed once per definition."""
    return paths_from_events(_events(), lookback=lookback, gap=gap, touch_events=touch_events)


# --------------------------------------------------------------------------- #
# Questions
# --------------------------------------------------------------------------- #
def _q1_solution():
    # paths_q1 = paths_from_events(events, lookback="14D", gap="7D")
    paths_q1 = _paths(lookback="14D", gap="7D")
    credit = markov_attribution(paths_q1, nulls_col="nulls").set_index("channel")["conversions"]
    return float(credit["xiaohongshu"])


q1 = register(
    Question(
        "ch03_attribution.q1",
        "Build the world's paths with a 14-day lookback and a 7-day journey gap "
        "(`paths_from_events(events, lookback='14D', gap='7D')`). How many conversions does the exact "
        "first-order Markov model (with the null paths) credit to `xiaohongshu`? Answer a number of "
        "conversions such as 9500.",
        _q1_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Two steps: rebuild the path table with the new lookback and gap, then run the Markov model on it. "
            "The model needs the non-converting paths too: tell it which column holds them.",
            "`paths_q1 = paths_from_events(events, lookback='14D', gap='7D')`, then "
            "`markov_attribution(paths_q1, nulls_col='nulls')`: read the `conversions` column (the credit), "
            "not the `removal_effect`.",
        ),
        wrong_answers=(10763.72, 13653.02, 0.3509, 12907.47, 8416.0, 16088.0),
        explanation=(
            "About 13,200 conversions, some 20% of the 67,206 conversions that have a path. With the notebook's "
            "3-day gap Xiaohongshu gets about 10,760: a longer gap glues earlier, unrelated journeys (often "
            "starting on Xiaohongshu or Douyin) onto purchases, and the seeding channels gain credit. The "
            "lookback hardly matters once a gap cuts the journeys: 30 days instead of 14 gives almost the same "
            "number. Without `nulls_col` every path converts and the model cannot see which channels lead "
            "nowhere (about 12,900)."
        ),
    )
)


def _q2_solution():
    hand = pd.DataFrame(HAND_PATHS)  # the table in the exercise
    chain = markov_chain(hand, nulls_col="nulls")
    return float(chain.removal_effects["sms"])


q2 = register(
    Question(
        "ch03_attribution.q2",
        "In the small path table `HAND_PATHS` of the exercise (five paths through wechat_oa, sms and app, with "
        "their conversions and nulls), what is the removal effect of `sms` in the first-order Markov model? "
        "Answer a share between 0 and 1.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Removing sms sends every transition into sms to `(null)`. Which routes to a conversion pass "
            "through sms, and how much of the total conversion probability do they carry? Do it by hand with "
            "the transition matrix, or let the package do it.",
            "`hand = pd.DataFrame(ex.HAND_PATHS)`, then "
            "`markov_chain(hand, nulls_col='nulls').removal_effects['sms']`. To check by hand: the chain's "
            "conversion probability with every channel is 0.4286.",
        ),
        wrong_answers=(1 / 3, 7.0588, 0.8, 0.25, 0.5, 1.0),
        explanation=(
            "0.2. The chain converts 42.9% of paths (60 conversions of 140 paths); without sms only 34.3%, "
            "a relative drop of 20%. Two routes through sms convert: start > sms > app and "
            "start > wechat_oa > sms > app, together 0.0857 of the 0.4286. One third of the conversions "
            "(20 of 60) sit on a path with sms, yet the removal effect is only 0.2: the 20 sms-only paths "
            "never convert, and the chain pools them with the converting ones. Without the null paths "
            "(`nulls_col` left out) every path converts and the answer would wrongly be one third."
        ),
    )
)


def _q3_solution():
    # clicks = paths_from_events(events, lookback="30D", gap="3D", touch_events=("click",))
    clicks = _paths(lookback="30D", gap="3D", touch_events=("click",))
    last = heuristic_attribution(clicks, model="last").set_index("channel")["conversions"]
    return float(last["app"] / last.sum())


q3 = register(
    Question(
        "ch03_attribution.q3",
        "Many tools count only clicks as touches. Build the paths from clicks only (30-day lookback, 3-day "
        "gap, `touch_events=('click',)`). What share of the conversions does the last-touch rule credit to "
        "`app`? Answer a share such as 0.25.",
        _q3_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "`paths_from_events` has a `touch_events` argument: pass a tuple with the event types that count "
            "as touches. Then apply the last-touch rule and divide app's credit by the total.",
            "`clicks = paths_from_events(events, lookback='30D', gap='3D', touch_events=('click',))`; "
            "`last = heuristic_attribution(clicks, model='last').set_index('channel')['conversions']`; "
            "`last['app'] / last.sum()`.",
        ),
        wrong_answers=(0.4138, 10850.0, 37.37, 0.3303, 0.3463),
        explanation=(
            "About 37%, against 41% when impressions count too. Only about 29,000 conversions keep a path, "
            "half as many as with impressions: clicks are rarer than touches, so many purchases have no click "
            "within their journey and become 'direct'. Changing what counts as a touch changes both who is in "
            "the analysis and who gets the credit; state the definition next to every attribution number."
        ),
    )
)


def _q4_solution():
    paths = _paths(lookback="30D", gap="3D")  # the notebook's `paths`
    last = heuristic_attribution(paths, model="last").set_index("channel")["conversions"]
    markov = markov_attribution(paths, nulls_col="nulls").set_index("channel")["conversions"]
    shapley = shapley_attribution(paths).set_index("channel")["conversions"]
    lowest = {last.idxmin(), markov.idxmin(), shapley.idxmin()}  # {'email'}: every model puts it last
    removal = markov_attribution(paths, nulls_col="nulls").set_index("channel")["removal_effect"]
    # The question quotes these numbers: check that its premise still holds before answering.
    if not (lowest == {"email"} and abs(last["email"] / last.sum() - 0.045) < 0.005
            and abs(removal["email"] - 0.08) < 0.01):
        raise RuntimeError("ch03_attribution.q4: the world no longer matches the question's text (lowest "
                           f"{sorted(lowest)}, email last-touch share {last['email'] / last.sum():.3f}, removal "
                           f"effect {removal['email']:.3f}); update the question.")
    # But agreement between attribution models is no evidence of what email causes: test before cutting.
    return "C"


q4 = register(
    Question(
        "ch03_attribution.q4",
        "The CMO wants to stop the channel with the lowest last-touch credit (email, about 4.5% of the "
        "conversions with a path) and save its budget. Look at what the Markov and Shapley models say about "
        "email (`comparison` in the notebook). What do you recommend?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Stop email: last touch, Markov and Shapley all put it last (about 5% of the credit), so the "
                 "data agree that it contributes least.",
            "B": "Keep email: the Markov model credits it with about 20% more conversions than last touch, "
                 "so last touch undervalues it and email pays for itself.",
            "C": "Do not decide on credit alone: every model gives email the least credit, but credit only "
                 "divides the conversions among the channels on the paths. Before cutting, run a holdout test "
                 "(withhold email from a random part of the audience for a few weeks), measure the "
                 "incremental purchases and compare their margin with email's cost.",
            "D": "Stop email: its removal effect of about 0.08 means that switching it off loses about 8% of "
                 "conversions, a measured loss smaller than its share of the budget.",
        },
        choice_feedback={
            "A": "The models agree because they divide the same correlations in different ways: agreement "
                 "between attribution models is not evidence of what a channel causes. Email could still be "
                 "the cheapest source of truly extra purchases, or cause none at all; only an experiment tells.",
            "B": "More credit is not more effect. Markov's credit is larger because email's paths often "
                 "convert through the app later, but that still says nothing about how many buyers would have "
                 "bought without the email. 'Pays for itself' needs incremental margin against cost.",
            "D": "The removal effect is computed inside the model, not measured: it assumes that a customer "
                 "whose path reaches email would not have bought by any other route. It is also fragile here: "
                 "sms and email differ by less than one point and swap places when the gap changes.",
        },
        hints=(
            "Compare the three rankings in `comparison`: do the models disagree about email? Then ask what "
            "none of them measures.",
            "Attribution shares out conversions that happened. The budget question is how many purchases "
            "would not happen without email: that is an incremental effect, and section 7 says how to "
            "measure one.",
        ),
        wrong_answers=("A", "B", "D"),
        explanation=(
            "Every model puts email last (last touch 4.5%, Shapley 4.9%, Markov 5.4% of the credit), and so "
            "does the planted chain. None of them says what stopping email would cost: attribution divides "
            "the conversions that happened among the channels that were there. In this world, in fact, the "
            "touches cause no order at all (the order stream came first). The way to find out is a holdout: "
            "keep email away from a random group, compare purchases with the group that still gets it "
            "(chapter 6), and put the incremental margin against email's cost, the marketing ROI of seed 004."
        ),
    )
)
