"""Exercises for chapter 3, notebook 1: journey mapping (stages, sessions, emotions, cross-channel paths).

Usage in ``notebooks/03_journey/01_journey_mapping.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch03_journey_mapping as ex

    answer = ____
    ex.q1.check(answer)

The reference solutions rebuild the notebook's frames (``sessions``, ``surveys``, ``paths``) from the
default world once per session (``functools.lru_cache``) and use :mod:`opsutils.journey` exactly as the
notebook does.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd
from scipy import stats

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Incorrect, Question
from opsutils.exercises._registry import register
from opsutils.journey import assign_stages, paths_from_events, sessionize
from opsutils.segmentation import TIER_SERVICE_LEVELS

__all__ = ["q1", "q2", "q3", "q4"]


# --------------------------------------------------------------------------- #
# The notebook's frames, built once per session
# --------------------------------------------------------------------------- #
@lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    return datasets.load("events")


@lru_cache(maxsize=1)
def _sessions() -> pd.DataFrame:
    """The notebook's ``sessions`` (section 3.2): stages, 30-minute sessions and a ``visit`` id."""
    events = _events()[["customer_id", "ts", "session_id", "channel", "event_type"]]
    staged = assign_stages(events, repeat_purchase_stage="loyalty", repeat_events=("store_visit",))
    sessions = sessionize(staged, fallback_col="session_id")
    person = sessions["customer_id"].fillna("anonymous " + sessions["session_id"].astype(str))
    sessions["visit"] = sessions.groupby([person, "session"], sort=False).ngroup()
    return sessions


@lru_cache(maxsize=1)
def _surveys() -> pd.DataFrame:
    return datasets.load("surveys")


@lru_cache(maxsize=1)
def _tickets() -> pd.DataFrame:
    return datasets.load("tickets")


@lru_cache(maxsize=1)
def _paths() -> pd.DataFrame:
    """The notebook's ``paths`` (section 6.3): marketing-touch journeys, 3-day gap, 30-day lookback."""
    return paths_from_events(_events(), gap="3D")


# --------------------------------------------------------------------------- #
# q1: Douyin's sessions
# --------------------------------------------------------------------------- #
def _q1_solution():
    sessions = _sessions()  # the notebook's `sessions` (section 3.2)
    douyin = sessions[sessions["channel"] == "douyin"]
    considering = douyin.loc[douyin["stage"] == "consideration", "visit"].nunique()
    return considering / douyin["visit"].nunique()


q1 = register(
    Question(
        "ch03_journey_mapping.q1",
        "Douyin is a medium (ads, videos) and a shop. Of all sessions with at least one Douyin event (the "
        "notebook's `sessions`, one session = one `visit`), what share include a Douyin consideration event "
        "(search, product view, cart, checkout or payment)? Answer a fraction such as 0.5.",
        _q1_solution,
        checker=checkers.close(rtol=0.002),
        hints=(
            "Count sessions, not events: keep the Douyin rows of `sessions`, then count the distinct `visit` ids "
            "with a consideration event and the distinct `visit` ids overall.",
            "`douyin = sessions[sessions['channel'] == 'douyin']`, then "
            "`douyin.loc[douyin['stage'] == 'consideration', 'visit'].nunique() / douyin['visit'].nunique()`. "
            "Summing the Douyin row of `activity` double-counts sessions that reach two stages.",
        ),
        wrong_answers=(0.3137, 0.5164, 0.1737, 0.6429, 33.38),
        explanation=(
            "About 33%: two Douyin sessions in three are pure media (an impression or a click on a video, no "
            "browsing), one in three is a shopping visit. Douyin must be judged on both roles: reach and "
            "hand-over as a medium, browse-to-buy as a shop, where it converts the least of the five online "
            "shops (about 19% of its browsing sessions contain an order)."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q2: the lowest touchpoint
# --------------------------------------------------------------------------- #
def _q2_solution():
    surveys = _surveys()  # the world's surveys
    return surveys.groupby("touchpoint")["csat"].mean().idxmin()


q2 = register(
    Question(
        "ch03_journey_mapping.q2",
        "Which survey `touchpoint` has the lowest mean `csat` over all survey responses? Answer its name as a "
        "text, e.g. 'app'.",
        _q2_solution,
        checker=checkers.exact(),
        hints=(
            "Group the surveys by `touchpoint` and take the mean of `csat`.",
            "`surveys.groupby('touchpoint')['csat'].mean().idxmin()` gives the name of the lowest group.",
        ),
        wrong_answers=("web", "wechat_oa", "call_center", "store", "miniprogram", "refund"),
        explanation=(
            "Tmall, at about 3.57 against 3.64 for all surveys. But the eight touchpoints differ by at most 0.16 "
            "points and a one-way ANOVA finds no difference between them (p about 0.35): with about 1,000 answers "
            "each and a standard deviation of 1.2, this is what chance produces. The lowest mean is not a pain "
            "point until a test says it is larger than its noise."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q3: the most common converting two-touch cross-channel path
# --------------------------------------------------------------------------- #
def _path_parts(answer: Any) -> list[str]:
    if isinstance(answer, (list, tuple)):
        parts = list(answer)
    elif isinstance(answer, str):
        parts = answer.replace("->", ">").split(">")
    else:
        raise Incorrect("Answer the path as a text such as 'email > sms' (or a tuple of two channel names).")
    if not all(isinstance(p, str) for p in parts):
        raise Incorrect("Each step of the path must be a channel name in quotes, e.g. ('email', 'sms').")
    return [p.strip().casefold() for p in parts]


def _path_checker(answer: Any, expected: str) -> None:
    parts, want = _path_parts(answer), _path_parts(expected)
    if parts == want:
        return
    if len(parts) != 2 or not all(parts):
        raise Incorrect(f"The path must have exactly two touches (one '>' between two channels); yours has "
                        f"{len([p for p in parts if p])}.")
    if parts[0] == parts[1]:
        raise Incorrect("Both touches of your path are in the same channel: the question asks for two "
                        "different channels (a hand-over).")
    if parts == want[::-1]:
        raise Incorrect("Right channels, wrong order: a path reads from the first touch to the last.")
    raise Incorrect(f"'{' > '.join(parts)}' is not the two-channel path with the most conversions.")


def _q3_solution():
    paths = _paths()  # the notebook's `paths` (section 6.3)
    steps = paths["path"].str.split(" > ")
    two_channels = paths[(steps.str.len() == 2) & (steps.str[0] != steps.str[1])]
    return two_channels.loc[two_channels["conversions"].idxmax(), "path"]


q3 = register(
    Question(
        "ch03_journey_mapping.q3",
        "Among the notebook's `paths` (3-day gap, 30-day lookback), which path of exactly two touches in two "
        "different channels has the most conversions? Answer the path as a text, e.g. 'email > sms'.",
        _q3_solution,
        checker=_path_checker,
        hints=(
            "Split each path into its steps with `paths['path'].str.split(' > ')`; keep the paths with two steps "
            "whose first and second step differ; sort by `conversions`.",
            "`steps = paths['path'].str.split(' > ')`, then `two = paths[(steps.str.len() == 2) & (steps.str[0] != "
            "steps.str[1])]` and `two.loc[two['conversions'].idxmax(), 'path']`.",
        ),
        wrong_answers=("xiaohongshu > app", "app > app", "douyin", "app > douyin", "douyin > douyin",
                       "xiaohongshu > wechat_oa", ("app", "douyin")),
        explanation=(
            "'douyin > app', with about 1,780 conversions, just ahead of 'xiaohongshu > app' (about 1,700): a video "
            "or a note, then an app push, then the order. The two largest converting hand-overs both end in the "
            "app: it is the bridge from seeding to buying, and the hand-over to make seamless (a deep link from "
            "the post to the product in the app or mini-program). Notebook 3.3 asks how much credit each of the "
            "two touches deserves."
        ),
    )
)


# --------------------------------------------------------------------------- #
# q4: which pain point first?
# --------------------------------------------------------------------------- #
def _q4_solution():
    surveys, tickets = _surveys(), _tickets()  # the world's surveys and tickets
    sat = surveys["csat"].astype(float)
    # A: the lowest touchpoint against the rest, and whether the touchpoints differ at all (one-way ANOVA).
    lowest = surveys.groupby("touchpoint")["csat"].mean().idxmin()
    gap_a = sat[surveys["touchpoint"] == lowest].mean() - sat[surveys["touchpoint"] != lowest].mean()
    p_a = stats.f_oneway(*[s for _, s in sat.groupby(surveys["touchpoint"])]).pvalue
    # B: tickets whose first response missed the tier's SLA against those answered in time.
    sla_hours = tickets["tier"].map(TIER_SERVICE_LEVELS["first_response_hours"])
    missed = (tickets["first_response_ts"] - tickets["created_ts"]) > pd.to_timedelta(sla_hours, unit="h")
    rated = tickets.assign(missed=missed).dropna(subset=["csat"])
    late, on_time = (rated.loc[rated["missed"] == flag, "csat"].astype(float) for flag in (True, False))
    gap_b = late.mean() - on_time.mean()
    p_b = stats.ttest_ind(late, on_time, equal_var=False).pvalue
    # The first fix: the largest satisfaction dip that is real at the 1% level (C and D are not measured dips).
    real = {letter: gap for letter, (gap, p) in {"A": (gap_a, p_a), "B": (gap_b, p_b)}.items() if p < 0.01}
    return min(real, key=real.get) if real else "D"


q4 = register(
    Question(
        "ch03_journey_mapping.q4",
        "The customer-experience team can start one journey fix this quarter. Reading the journey map, the "
        "test of the dips (section 6.1) and the cross-channel paths, which pain point should it address first?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Tmall's post-purchase experience: it has the lowest mean survey csat of all touchpoints.",
            "B": "Service tickets that miss their SLA: rated almost a full point lower than tickets answered in "
                 "time, far beyond noise, and concentrated in refunds and at weekends, where staffing and a refund "
                 "fast track are known fixes.",
            "C": "Xiaohongshu: journeys whose last touch is on Xiaohongshu end in a purchase least often (18%), so "
                 "its budget should move to the app.",
            "D": "Awareness and consideration: they hold nine events in ten and have no survey at all, so that is "
                 "where customers must be least happy.",
        },
        choice_feedback={
            "A": "Tmall is the lowest by less than 0.1 points, and a one-way ANOVA across the eight touchpoints "
                 "finds no difference (p about 0.35). A project there would chase noise.",
            "C": "That reads one end of the path, and it is not an emotion dip at all. Xiaohongshu opens journeys "
                 "that the app closes (Xiaohongshu > app is one of the two largest converting hand-overs); notebook "
                 "3.3 shows that removing it would lose far more purchases than its last-touch numbers suggest.",
            "D": "No measurement is not a low measurement. The right response to a blind spot is to collect "
                 "feedback there (step 2 again: intercept surveys, social listening), not to assume the worst.",
        },
        hints=(
            "A pain point to fix first is real (larger than its noise), large and actionable. Check each option "
            "against the table of candidate dips in section 6.1.",
            "Two options are not measured dips at all. Of the two that are, which one survives a significance "
            "test, and how large is it?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "B. The missed SLA is the largest dip on the map (about -0.9 csat on a five-point scale) and certain "
            "(p far below 0.001). It hits 9% of tickets, 16% of refund tickets and 21% of weekend tickets, so it "
            "is concentrated where a fix can aim, and satisfaction predicts loyalty (about +5 points of 90-day "
            "repurchase per point of service score). The social-to-shop hand-over and the first purchase come "
            "next; the touchpoint ranking by mean score is noise."
        ),
    )
)
