"""Exercises for chapter 2, notebook 2: data quality, the checklist as code.

Usage in ``notebooks/02_data_foundation/02_data_quality.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch02_data_quality as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    crm = datasets.load("crm_customers")
    return float(crm["address"].notna().mean())


q1 = register(
    Question(
        "ch02_data_quality.q1",
        "Completeness: what share of the records in `crm_customers` have an address? Count every record "
        "(duplicates included) and answer a fraction such as 0.95.",
        _q1_solution,
        checker=checkers.close(rtol=0.002),
        hints=(
            "Completeness is the share of records where the field is filled in: the opposite of the missing "
            "rate the checklist sets a 3% target for.",
            "`crm['address'].notna()` is True where an address exists; the mean of a boolean column is the "
            "share of True values.",
        ),
        wrong_answers=(0.0711, 0.97, 0.6115, 92.89),
        explanation=(
            "About 93% of CRM records have an address, so about 7% miss it: more than twice the 3% target. "
            "Nearly all the gaps come from records typed in by store staff."
        ),
    )
)


def _q2_solution():
    crm = datasets.load("crm_customers")
    delay = crm["synced_ts"] - crm["updated_ts"]
    return float((delay > pd.Timedelta("4h")).mean())


q2 = register(
    Question(
        "ch02_data_quality.q2",
        "Timeliness: what share of the records in `crm_customers` reached the ERP more than 4 hours after "
        "their update (`synced_ts - updated_ts`)? Count every record (duplicates included) and answer a "
        "fraction such as 0.05.",
        _q2_solution,
        checker=checkers.close(rtol=0.01),
        hints=(
            "Subtracting two datetime columns gives a column of durations (Timedelta). Compare it with "
            "`pd.Timedelta('4h')`.",
            "`((crm['synced_ts'] - crm['updated_ts']) > pd.Timedelta('4h')).mean()` is the share of late "
            "records.",
        ),
        wrong_answers=(0.12, 0.8874, 0.05, 11.26),
        explanation=(
            "About 11% of updates take longer than 4 hours to reach the ERP, more than twice the 5% the "
            "course tolerates. Late syncs are spread evenly over manual and synced records: a pipeline "
            "problem, not a data-entry one."
        ),
    )
)


def _q3_solution():
    crm = datasets.load("crm_customers")
    return int(crm["customer_id"].duplicated().sum())


q3 = register(
    Question(
        "ch02_data_quality.q3",
        "Uniqueness: how many records in `crm_customers` repeat a `customer_id` that an earlier record "
        "already has (the extra copies you would delete)? Answer an integer.",
        _q3_solution,
        checker=checkers.exact(),
        hints=(
            "`Series.duplicated()` marks the second and later occurrences of each value, not the first.",
            "`crm['customer_id'].duplicated().sum()`. Beware `keep=False`: it marks every copy, including "
            "the one you would keep.",
        ),
        wrong_answers=(1228, 20614, 20000, 205),
        explanation=(
            "614 records are extra copies (about 3% of the CRM). Each was re-entered later with the phone "
            "written in another style, which is why an exact match on the phone number would not have "
            "found them."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch02_data_quality.q4",
        "The brand can fund one data-quality project this quarter. Using the scorecard and the by-source "
        "breakdown, where should it invest first?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "The sync pipeline: late syncs have the highest failing rate of all the checks (about 11%), "
                 "so they must hurt campaigns the most.",
            "B": "Data entry at the stores (required address field, a phone-format mask, a customer lookup "
                 "before creating a record): manual records are under a fifth of the CRM but hold about 93% "
                 "of the missing addresses and over half of the invalid phones, and they are most of the "
                 "customers a campaign cannot reach.",
            "C": "Deduplication: the uniqueness target is 0%, and 614 duplicates are the only defect that "
                 "breaks a key.",
            "D": "A one-off batch clean-up of the whole CRM, leaving data entry unchanged: it fixes every "
                 "dimension at once.",
        },
        choice_feedback={
            "A": "Late syncs are real (about 11% against 5%) but equally frequent for manual and synced "
                 "records, and a record that arrives a few hours late still reaches the customer. They cost "
                 "freshness, not reach.",
            "C": "Duplicates inflate counts and can send a customer two messages, but the extra copies carry "
                 "valid phones and the same addresses: removing them recovers almost no reach. Do it, but "
                 "after the defect that loses customers.",
            "D": "A clean-up without fixing the entry process decays: stores keep typing in incomplete "
                 "records at the same rate. Many missing addresses cannot be recovered from the data at "
                 "all; they have to be collected at the next visit.",
        },
        hints=(
            "Look at where each defect comes from (the by-source table), not only at how far each rate is "
            "above its target.",
            "Which defects make a customer unreachable, and which source produces most of them? Fixing a "
            "defect at the point of entry also stops new ones.",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Quality management works best at the source. Manual entry at the stores produces most of the "
            "completeness and accuracy defects, and those are the ones that cost reach and conversions. "
            "Required fields and format masks at entry, plus collecting missing addresses at the next "
            "store visit, cut the unreachable share far more than any other single project; the pipeline "
            "and deduplication come next."
        ),
    )
)
