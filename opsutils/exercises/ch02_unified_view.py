"""Exercises for chapter 2, notebook 1: one customer, one record (the unified customer view).

Usage in ``notebooks/02_data_foundation/01_unified_customer_view.ipynb``::

    from opsutils.exercises import ____
    from opsutils.exercises import ch02_unified_view as ex

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
    from opsutils.identity import resolve_identities

    accounts = datasets.load("accounts")
    persons = resolve_identities(accounts, keys=("phone", "email", "wechat_unionid", "device_id"))
    return int(persons["person_id"].nunique())


q1 = register(
    Question(
        "ch02_unified_view.q1",
        "How many persons does strong-key resolution find? Resolve `world.accounts` with all four strong keys "
        "(phone, email, wechat_unionid, device_id) and count the distinct person ids. Answer a whole number.",
        _q1_solution,
        checker=checkers.exact(),
        hints=(
            "`resolve_identities(world.accounts)` uses the four strong keys by default and returns one row per "
            "account with its `person_id`.",
            "Count distinct values, not rows: `persons['person_id'].nunique()`. The number of rows is the number "
            "of accounts.",
        ),
        wrong_answers=(33_126, 20_000, 20_798),
        explanation=(
            "About 20.3 thousand persons from 33.1 thousand accounts: a little more than the 20,000 true "
            "customers, because some accounts share no key with their owner's other accounts (missed links), "
            "partly offset by households merged through a shared device."
        ),
    )
)


def _q2_solution():
    from opsutils.identity import linkage_scores, resolve_identities

    accounts = datasets.load("accounts")
    truth = datasets.load_truth().account_map
    persons = resolve_identities(accounts, keys=("phone", "email", "wechat_unionid"))
    return float(linkage_scores(persons, truth).f1)


q2 = register(
    Question(
        "ch02_unified_view.q2",
        "Score a stricter rule: resolve the accounts with phone, e-mail and WeChat UnionID only (no device id) "
        "and compute its pairwise F1 against `world.truth.account_map`. Answer a number such as 0.95.",
        _q2_solution,
        checker=checkers.close(rtol=0.002),
        hints=(
            "Pass the keys explicitly: `resolve_identities(world.accounts, keys=('phone', 'email', "
            "'wechat_unionid'))`.",
            "`linkage_scores(persons, world.truth.account_map)` returns precision, recall and F1; answer its "
            "`.f1`.",
        ),
        wrong_answers=(0.9734, 0.9995, 0.9301),
        explanation=(
            "Dropping the device id makes the rule almost perfectly precise (0.9995: the only wrong merge left "
            "comes from one e-mail address that two customers share) but loses about 4 points of recall, so F1 "
            "falls from 0.973 to about 0.964. Whether that is a good trade depends on what a wrong merge costs."
        ),
    )
)


def _q3_solution():
    from opsutils.identity import normalize_email, normalize_phone

    accounts = datasets.load("accounts")
    usable = (normalize_phone(accounts["phone"]).notna()
              | normalize_email(accounts["email"]).notna()
              | accounts["wechat_unionid"].str.strip().str.len().gt(0)
              | accounts["device_id"].str.strip().str.len().gt(0))
    return int((~usable).sum())


q3 = register(
    Question(
        "ch02_unified_view.q3",
        "How many accounts have no usable strong key at all: no valid phone number, no valid e-mail address, "
        "no WeChat UnionID and no device id? Answer a whole number.",
        _q3_solution,
        checker=checkers.exact(),
        hints=(
            "Normalise first: `normalize_phone(world.accounts['phone'])` and `normalize_email(...)` return NaN "
            "for missing and for invalid values.",
            "Build one boolean per key with `.notna()`, combine them with `|`, and count the accounts where the "
            "combination is False: `(~usable).sum()`.",
        ),
        wrong_answers=(1_447, 158, 0, 11_465),
        explanation=(
            "These accounts can never be linked by strong keys: each stays a person of its own. Most are Tmall "
            "accounts (the platform shares neither a UnionID nor a device id with the brand and rarely an e-mail, "
            "so a withheld phone number usually leaves nothing), then Douyin and store accounts."
        ),
    )
)


def _q4_solution():
    return "B"


q4 = register(
    Question(
        "ch02_unified_view.q4",
        "Two requests reach the data team on the same day: (a) marketing wants the customer list for a "
        "Double 11 campaign, one message per person; (b) a customer asks the brand to delete all her data "
        "(right to deletion under PIPL). Which identity rule should each use?",
        _q4_solution,
        kind="interpretation",
        choices={
            "A": "The strong keys including device id for both: that rule has the best F1 (0.973), and one rule "
                 "everywhere keeps the numbers consistent.",
            "B": "Campaign: the strong keys including device id (best F1; a wrongly merged household costs a "
                 "misdirected offer at worst). Deletion: only keys the requester can prove she controls (phone, "
                 "e-mail, WeChat UnionID; precision 0.9995), then confirm the linked accounts with her before "
                 "deleting; treat device links as candidates to verify, never as proof.",
            "C": "Campaign: add the name rule to maximise reach, because marketing needs recall; deletion: the "
                 "strong keys including device id.",
            "D": "Phone number only for both: its precision is 1.000 in this world, so nobody is ever wrongly "
                 "merged.",
        },
        choice_feedback={
            "A": "F1 weighs a wrong merge and a missed link equally; a deletion request does not. About 2% of the "
                 "pairs this rule merges belong to different people, almost all through a device shared by a "
                 "household, and deleting a family member's orders and account cannot be undone.",
            "C": "The name rules buy little recall (2 to 3 points at most, even blocked by city) and destroy precision: "
                 "namesakes are common, and because links chain, one shared name pulls whole groups of strangers "
                 "together. The campaign would "
                 "personalise offers on strangers' purchases and mix accounts with and without marketing consent. "
                 "And for deletion, see the feedback on A.",
            "D": "Phone-only misses about a tenth of the true pairs. The campaign would message many people twice "
                 "and count them twice, and the deletion would leave behind the requester's accounts that carry "
                 "only her e-mail or WeChat UnionID. In real data one phone number is sometimes shared by a "
                 "family, so 'precision 1.000' is a property of this world, not of phone numbers.",
        },
        hints=(
            "Ask for each request: what does a wrong merge cost, and what does a missed link cost? Are the two "
            "costs similar, as F1 assumes?",
            "A deletion cannot be undone and touches another person's data if the merge is wrong; a campaign "
            "message to the wrong household member is a small cost. Which keys can a requester prove she owns?",
        ),
        wrong_answers=("A", "C", "D"),
        explanation=(
            "Choose the rule by the cost of each error, not by one score. For marketing, missed links (duplicate "
            "messages, double-counted customers) and wrong merges both cost a little, so the best-F1 rule is "
            "right. For deletion, a wrong merge is a serious, irreversible privacy breach and a missed account "
            "is an incomplete deletion: use the high-precision keys to find candidates and verify them with the "
            "requester (e.g. a code sent to each phone or e-mail), so both errors are caught by a person."
        ),
    )
)
