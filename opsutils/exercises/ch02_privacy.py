"""Exercises for chapter 2, notebook 3: privacy and security.

Usage in ``notebooks/02_data_foundation/03_privacy_and_security.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch02_privacy as ex

    answer = ____
    ex.q1.check(answer)
"""

from __future__ import annotations

import pandas as pd

from opsutils import datasets
from opsutils.exercises import checkers
from opsutils.exercises._core import Question
from opsutils.exercises._registry import register
from opsutils.privacy import forget_customer, generalize_age, k_anonymity, l_diversity

__all__ = ["q1", "q2", "q3", "q4"]


def _q1_solution():
    customers = datasets.load("customers")
    release = pd.DataFrame({
        "gender": customers["gender"],
        "age_band": generalize_age(customers["birth_year"], as_of="2025-12-31", width=5),
        "city_tier": customers["city_tier"],
    })
    return k_anonymity(release, ["gender", "age_band", "city_tier"])


q1 = register(
    Question(
        "ch02_privacy.q1",
        "A release of the 20,000 customers keeps gender, the city tier and the age in **5-year** bands "
        "(`generalize_age(customers['birth_year'], as_of='2025-12-31', width=5)`). What is its k "
        "(the size of the smallest equivalence class)? Answer an integer.",
        _q1_solution,
        checker=checkers.exact(),
        hints=(
            "Build a frame with the three quasi-identifiers (gender, the 5-year age band, city_tier) and "
            "pass it to `k_anonymity` with the list of those three column names.",
            "`release = pd.DataFrame({'gender': customers['gender'], 'age_band': generalize_age(customers["
            "'birth_year'], as_of='2025-12-31', width=5), 'city_tier': customers['city_tier']})`, then "
            "`k_anonymity(release, ['gender', 'age_band', 'city_tier'])`.",
        ),
        wrong_answers=(28, 1, 77, 5),
        explanation=(
            "k = 7: the rarest combination of gender, 5-year band and city tier is shared by 7 customers. "
            "Halving the band width from 10 to 5 years doubles the number of classes (42 to 77) and cuts "
            "k from 28 to 7: every gain in detail is paid for in anonymity."
        ),
    )
)


def _q2_solution():
    customers = datasets.load("customers")
    release = pd.DataFrame({
        "gender": customers["gender"],
        "age_band": generalize_age(customers["birth_year"], as_of="2025-12-31", width=5),
        "city_tier": customers["city_tier"],
        "member_level": customers["member_level"],
    })
    return l_diversity(release, ["gender", "age_band", "city_tier"], "member_level")


q2 = register(
    Question(
        "ch02_privacy.q2",
        "Add `member_level` (the sensitive attribute) to the release of exercise 1 (gender, 5-year age "
        "band, city tier). What is its distinct l-diversity: the fewest distinct member levels found in "
        "any equivalence class? Answer an integer.",
        _q2_solution,
        checker=checkers.exact(),
        hints=(
            "`l_diversity(release, quasi_identifiers, sensitive)` groups by the quasi-identifiers and counts "
            "the distinct values of the sensitive column in each class; the answer is the minimum.",
            "Add `'member_level': customers['member_level']` to the release frame of exercise 1 and call "
            "`l_diversity(release, ['gender', 'age_band', 'city_tier'], 'member_level')`.",
        ),
        wrong_answers=(4, 3, 7, 1),
        explanation=(
            "l = 2: in at least one class only two of the four member levels occur, so a person known to be "
            "in it is one of two levels. With 10-year bands l is 3. More detail in the quasi-identifiers "
            "lowers both k and l."
        ),
    )
)


def _q3_solution():
    tables = {name: datasets.load(name) for name in datasets.TABLE_NAMES}
    _, audit = forget_customer(tables, "C0000375", key="exercise-key", as_of="2025-12-31")
    return audit.total_removed


q3 = register(
    Question(
        "ch02_privacy.q3",
        "Customer C0000375 asks the brand to delete their data. With `forget_customer` and its default "
        "cascade, on the 13 tables of the world (no identity map), how many rows are removed in total, "
        "over all tables? Answer an integer.",
        _q3_solution,
        checker=checkers.exact(),
        hints=(
            "`forget_customer(world.tables(), 'C0000375', key=..., as_of='2025-12-31')` returns the new tables "
            "and an audit record; any non-empty key will do for this count.",
            "The audit's `total_removed` (or `audit.to_frame()['rows_removed'].sum()`) is the total. Counting "
            "only the rows that carry the `customer_id` misses the order lines and the channel accounts.",
        ),
        wrong_answers=(124, 126, 135, 141, 9),
        explanation=(
            "137 rows: 124 carry the customer_id (the customer, CRM and ERP records, 9 orders, 106 events, "
            "2 campaign exposures, 1 ticket, 3 surveys), plus 11 order lines found through the order ids and "
            "2 channel accounts found through the orders and events. The truth's account map knows one more "
            "account of this person: without an identity map, deletion stays incomplete."
        ),
    )
)


def _q4_solution():
    return "C"


q4 = register(
    Question(
        "ch02_privacy.q4",
        "A tea-farm partner asks for customer data for a joint product study. Which release can the brand "
        "share with it?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "The full customer profile with each phone number replaced by its SHA-256 hash, so that "
                 "nobody can read the numbers.",
            "B": "Masked names and phones (张**, 138****5678) with the exact birth year, gender, city and "
                 "member level.",
            "C": "Gender, 10-year age band, city tier and member level only, with no identifier of any kind "
                 "(k = 28, l = 3), under a data agreement that limits the use to the study.",
            "D": "An HMAC-pseudonymised customer id with the exact birth year, gender, city and member level: "
                 "with a keyed pseudonym the table is anonymous.",
        },
        choice_feedback={
            "A": "An unkeyed hash of a phone number is reversible: there are only 7 billion valid mobile "
                 "numbers, a few hours of one laptop core or about a second of a GPU, and with a known "
                 "prefix or a masked receipt only 10,000 candidates. The rest of the profile identifies "
                 "people anyway.",
            "B": "Masking is for display: it still shows 7 of the 11 digits. And gender, birth year and city "
                 "alone single out 537 customers (k = 1).",
            "D": "A pseudonym hides the id but not the person: the birth year, gender and city still make "
                 "hundreds of customers unique. Pseudonymised data remains personal information under PIPL.",
        },
        hints=(
            "For each option ask two questions: can the partner recompute or read an identifier, and can "
            "someone who knows a customer's age, gender and city find her row?",
            "Only one option leaves no identifier and no class smaller than a few dozen customers.",
        ),
        wrong_answers=("A", "B", "D"),
        explanation=(
            "Only C leaves nobody singled out: every combination of the released quasi-identifiers is shared "
            "by at least 28 customers and shows at least three member levels. A, B and D still allow "
            "re-identification, so they remain personal information: sharing them with another company "
            "would need each customer's separate consent (PIPL art. 23). Even for C, a contract limiting "
            "the purpose and forbidding re-identification is good practice."
        ),
    )
)
