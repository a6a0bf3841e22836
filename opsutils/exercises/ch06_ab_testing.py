"""Exercises for chapter 6, notebook 2: A/B testing (design, read-out, sample-ratio mismatch, decision).

Usage in ``notebooks/06_evaluation/02_ab_testing.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch06_ab_testing as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register
from opsutils.experiment import compare_groups, sample_size_proportions, srm_check

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    # baseline 3.5%, a relative MDE of +20% (3.5% -> 4.2%), alpha 0.05 two-sided, power 0.8
    return sample_size_proportions(0.035, 0.20, relative=True, alpha=0.05, power=0.8)


q1 = register(
    Question(
        "ch06_ab_testing.q1",
        "Design: the next coupon push goes to all buyers, whose 7-day conversion without a coupon is about "
        "3.5% (EXP-2's holdout). The team wants to detect a **relative** lift of +20% (3.5% -> 4.2%) with "
        "power 0.8 at a two-sided alpha of 0.05. How many customers does **each group** need? Answer an "
        "integer.",
        _q1_solution,
        checker=checkers.close(rtol=0.005),
        hints=(
            "A relative MDE of 20% on a 3.5% baseline is an absolute difference of 0.7 points. "
            "`sample_size_proportions` takes the absolute MDE by default, or the relative one with "
            "`relative=True`.",
            "`sample_size_proportions(0.035, 0.20, relative=True)` (alpha 0.05 and power 0.8 are the "
            "defaults). Passing `0.20` without `relative=True` asks for +20 points instead.",
        ),
        wrong_answers=(23672, 15844, 9323, 39, 5918),
        explanation=(
            "About 11,800 customers per group (11,836 with the arcsine convention, 11,858 with the pooled "
            "formula): three times EXP-1's groups, because the baseline is low and the absolute change is "
            "only 0.7 points. At EXP-2's enrolment pace (about 6,500 buyers a day) the groups fill in 4 days; "
            "run the test for a full week so that every weekday counts."
        ),
    )
)


def _q2_solution():
    exposures = datasets.load("campaign_exposures")
    exp1 = exposures[exposures["campaign_id"] == "CMP13"]
    result = compare_groups(exp1, "converted_7d")  # proportion_test on the two groups
    return {"lift": result.lift, "significant": bool(result.p_value < 0.05)}


q2 = register(
    Question(
        "ch06_ab_testing.q2",
        "EXP-1 (campaign `CMP13`): what is the **absolute lift** of 7-day conversion (treatment minus "
        "holdout, as a fraction: 0.01 = 1 point), and is it significant at alpha = 0.05 (two-sided "
        "z-test)? Answer a dict `{'lift': ..., 'significant': True or False}`.",
        _q2_solution,
        checker=checkers.dict_close(rtol=0.01),
        hints=(
            "Keep the rows of `campaign_exposures` with `campaign_id == 'CMP13'`; the groups are in `group` "
            "('treatment', 'holdout') and the outcome in `converted_7d`.",
            "`r = compare_groups(exp1, 'converted_7d')` (or `proportion_test` with the four counts); then "
            "`{'lift': r.lift, 'significant': r.p_value < 0.05}`. The lift is `r.lift`, not "
            "`r.relative_lift`.",
        ),
        wrong_answers=(
            {"lift": 0.01469, "significant": False},
            {"lift": -0.01469, "significant": True},
            {"lift": 0.1872, "significant": True},
            {"lift": 1.469, "significant": True},
            {"lift": 1.754, "significant": False},
        ),
        explanation=(
            "The coupon push lifted 7-day conversion from 7.85% to 9.31%: +1.47 points (+19% relative), "
            "p = 0.036, 95% interval +0.10 to +2.84 points. The interval covers the planted +1.5 points, but "
            "it is wide: the test had only about 57% power for an effect of that size."
        ),
    )
)


def _q3_solution():
    exposures = datasets.load("campaign_exposures")
    exp2 = exposures[exposures["campaign_id"] == "CMP14"]
    counts = exp2["group"].value_counts()
    return srm_check(counts, [0.5, 0.5]).p_value


q3 = register(
    Question(
        "ch06_ab_testing.q3",
        "EXP-2 (campaign `CMP14`) was planned 50/50. What is the **p-value of the sample-ratio-mismatch "
        "check** (chi-square test of the group counts against 50/50)? Answer a number such as 0.01.",
        _q3_solution,
        checker=checkers.close(rtol=0.03),
        hints=(
            "Count the customers per group in EXP-2's rows: `exp2['group'].value_counts()`.",
            "`srm_check(exp2['group'].value_counts(), [0.5, 0.5]).p_value`: the same as "
            "`scipy.stats.chisquare` with expected counts equal to half the total.",
        ),
        wrong_answers=(0.000238, 12.2, 0.98, 0.001, 0.05),
        explanation=(
            "p = 0.0005: 10,001 customers in the holdout but only 9,513 in the treatment group. A split this "
            "uneven would happen about once in 2,000 healthy tests, so the check (threshold 0.001) flags it. "
            "The planted cause: a logging bug lost 5% of the treatment group's exposure rows."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch06_ab_testing.q4",
        "Go or no-go? EXP-2's read-out shows +1.03 points of 7-day conversion (3.48% -> 4.51%, p = 0.0002) "
        "on 19,514 customers, a much clearer result than EXP-1. But the sample-ratio check flags the test "
        "(p = 0.0005: 10,001 holdout against 9,513 treatment customers, planned 50/50). The product manager "
        "wants to roll the coupon push out to all buyers tomorrow. What do you recommend?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "Go: p = 0.0002 is far below 0.05, and a 2.5% imbalance between the groups cannot create a "
                 "30% lift.",
            "B": "No decision yet: the logged groups are not the randomised groups. First find where about 490 "
                 "treatment customers went (compare the assignment list with the exposure log). If the loss "
                 "is shown to be unrelated to the customers' behaviour, the read-out can be used with that "
                 "caveat; otherwise fix the logging and rerun the test.",
            "C": "Make the groups comparable again by deleting 488 random holdout rows so that both groups have "
                 "9,513 customers, then read the test again and decide.",
            "D": "No-go: the sample-ratio mismatch shows that the coupon push drove customers away from the "
                 "treatment group, so rolling it out would harm the business.",
        },
        choice_feedback={
            "A": "The p-value assumes the two groups are random halves of the same population; the SRM check "
                 "says they are not. About 490 treatment customers are missing, five times the roughly 100 "
                 "extra buyers the lift stands for. If they were mostly non-buyers (for example, customers "
                 "whose app crashed before the coupon was logged), the lift is inflated by exactly the kind of "
                 "selection the randomisation was meant to prevent; if they were buyers, it is understated. "
                 "The size of the p-value says nothing about which.",
            "C": "Deleting holdout rows at random fixes the counts, not the cause: if the lost treatment "
                 "customers differ from the others, the remaining treatment group is still a selected group, "
                 "and now the holdout is smaller too. Balanced counts are a symptom of a healthy test, not a "
                 "cure.",
            "D": "The SRM says the *logging* or the assignment is broken, not that the treatment harmed "
                 "anyone: customers who received a push are still in the assignment list. Find the cause "
                 "before drawing any conclusion about the coupon.",
        },
        hints=(
            "What does a significance test assume about how the two groups were formed, and what does a "
            "sample-ratio mismatch say about that assumption?",
            "An SRM is a data-quality alarm: the analysis is only as good as the explanation of the missing "
            "customers. Which option investigates before deciding?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "A sample-ratio mismatch invalidates the read-out until its cause is known; no p-value can be "
            "trusted on groups that are no longer random halves. Here the cause is a logging bug that dropped "
            "5% of the treatment rows at random, so the estimate happens to stay close to the planted +1 "
            "point; but only the investigation can show that. Real SRMs often come from losses that are "
            "related to the outcome (crashes, bots, redirects), and then the lift is biased."
        ),
    )
)
