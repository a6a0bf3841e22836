"""Tests for opsutils.identity: normalisation tables, hand-made graphs, pairwise scores, the default world."""

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.cluster import pair_confusion_matrix

from opsutils.identity import (REGIONS, STRONG_KEYS, LinkageScores, fuzzy_links, link_accounts, linkage_scores,
                               normalize_email, normalize_phone, resolve_identities)


# --------------------------------------------------------------------------- #
# normalize_phone
# --------------------------------------------------------------------------- #
CN_TABLE = [
    ("13912345678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139.1234.5678", "13912345678"),
    ("(139) 1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("+86-139-1234-5678", "13912345678"),
    ("+8613912345678", "13912345678"),
    ("0086 139 1234 5678", "13912345678"),
    ("86 13912345678", "13912345678"),
    ("(+86) 13912345678", "13912345678"),
    ("  13912345678  ", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"),            # full-width digits
    ("＋８６ １３９　１２３４　５６７８", "13912345678"),  # full-width plus and spaces
    ("139\u20131234\u20135678", "13912345678"),          # en dashes
    ("1391234567", None),                                # 10 digits
    ("139123456789", None),                              # 12 digits
    ("1391O345678", None),                               # letter O for zero
    ("12912345678", None),                               # 1 then 2: not a mobile number
    ("23912345678", None),                               # does not start with 1
    ("+86 1391234567", None),                            # prefix + too few digits
    ("+8713912345678", None),                            # another country's prefix
    ("13912345678 ext 12", None),
    ("139+12345678", None),
    ("", None),
    ("   ", None),
    (None, None),
]

US_TABLE = [
    ("4155550123", "4155550123"),
    ("(415) 555-0123", "4155550123"),
    ("415-555-0123", "4155550123"),
    ("415.555.0123", "4155550123"),
    ("+1 415 555 0123", "4155550123"),
    ("+1-415-555-0123", "4155550123"),
    ("1 (415) 555-0123", "4155550123"),
    ("14155550123", "4155550123"),
    ("555-0123", None),                                  # 7 digits, no area code
    ("0155550123", None),                                # area code cannot start with 0
    ("1155550123", None),                                # ... nor with 1
    ("+44 20 7946 0958", None),                          # a UK number
    ("415-555-O123", None),
    ("+86 139 1234 5678", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CN_TABLE)
def test_normalize_phone_cn_table(raw, expected):
    got = normalize_phone([raw], region="CN").iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


@pytest.mark.parametrize(("raw", "expected"), US_TABLE)
def test_normalize_phone_us_table(raw, expected):
    got = normalize_phone([raw], region="US").iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


def test_normalize_phone_keeps_index_and_name_and_returns_str():
    s = pd.Series(["139-1234-5678", None, "bad"], index=[10, 20, 30], name="phone")
    out = normalize_phone(s)
    assert out.index.tolist() == [10, 20, 30]
    assert out.name == "phone"
    assert out.dtype == "str"
    assert out.iloc[0] == "13912345678" and out.iloc[1:].isna().all()


def test_normalize_phone_accepts_array_likes_and_integers():
    expected = ["13912345678", "13800001111"]
    assert normalize_phone(np.array(["139 1234 5678", "13800001111"], dtype=object)).tolist() == expected
    assert normalize_phone(pd.Index(["139 1234 5678", "13800001111"])).tolist() == expected
    assert normalize_phone(("139 1234 5678", "13800001111")).tolist() == expected
    assert normalize_phone(pd.Series([13912345678, 13800001111])).tolist() == expected
    nullable = normalize_phone(pd.Series([13912345678, None], dtype="Int64"))
    assert nullable.iloc[0] == "13912345678" and pd.isna(nullable.iloc[1])


def test_normalize_phone_empty_input_gives_empty_series():
    out = normalize_phone([])
    assert len(out) == 0 and out.dtype == "str"


def test_normalize_phone_is_vectorised_and_consistent_with_world(world):
    phones = normalize_phone(world.accounts["phone"])
    assert phones.notna().sum() == world.accounts["phone"].notna().sum()   # every house format understood
    assert phones.dropna().str.fullmatch(r"1[3-9]\d{9}").all()
    canonical = set(world.customers["phone"])
    # Most account phones are the customer's canonical number; the rest are changed numbers.
    assert phones.dropna().isin(canonical).mean() > 0.97


def test_normalize_phone_us_world_formats():
    raw = pd.Series(["(415) 555-0123", "+1 415 555 0123", "415-555-0123"])
    assert normalize_phone(raw, region="US").nunique() == 1


@pytest.mark.parametrize(
    ("values", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"phone": ["13912345678"]}), {}, TypeError, "got a DataFrame"),
        ("13912345678", {}, TypeError, "must be a Series, list or array"),
        (13912345678, {}, TypeError, "got int"),
        (np.array([["13912345678"]]), {}, TypeError, "one-dimensional"),
        (pd.Series([13912345678.0]), {}, ValueError, "holds floats"),
        (pd.Series([True, False]), {}, ValueError, "holds booleans"),
        (["13912345678"], {"region": "UK"}, ValueError, r"`region` must be one of 'CN', 'US'; got 'UK'"),
        (["13912345678"], {"region": "cn"}, ValueError, "got 'cn'"),
    ],
)
def test_normalize_phone_bad_input(values, kwargs, error, match):
    with pytest.raises(error, match=match):
        normalize_phone(values, **kwargs)


# --------------------------------------------------------------------------- #
# normalize_email
# --------------------------------------------------------------------------- #
EMAIL_TABLE = [
    ("li.na@example.com", "li.na@example.com"),
    (" Li.Na@Example.COM ", "li.na@example.com"),
    ("XIULAN5630@126.COM", "xiulan5630@126.com"),
    ("li.na+tea@example.com", "li.na+tea@example.com"),     # aliases are kept
    ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ", "li@example.com"),          # full-width
    ("li.na at example.com", None),
    ("li.na@example", None),                                 # no dot in the domain
    ("li@na@example.com", None),
    ("@example.com", None),
    ("li na@example.com", None),
    ("li.na@example.", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), EMAIL_TABLE)
def test_normalize_email_table(raw, expected):
    got = normalize_email([raw]).iloc[0]
    assert (pd.isna(got) and expected is None) or got == expected


def test_normalize_email_keeps_index_and_world_emails(world):
    s = pd.Series([" A@B.CN", None], index=["x", "y"], name="email")
    out = normalize_email(s)
    assert out.index.tolist() == ["x", "y"] and out.name == "email" and out.iloc[0] == "a@b.cn"
    emails = normalize_email(world.accounts["email"])
    assert emails.notna().sum() == world.accounts["email"].notna().sum()
    assert emails.dropna().isin(set(world.customers["email"])).all()


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        (pd.DataFrame({"email": ["a@b.cn"]}), TypeError, "got a DataFrame"),
        ("a@b.cn", TypeError, "must be a Series, list or array"),
        (None, TypeError, "got NoneType"),
        (pd.Series([1.5]), ValueError, "holds floats"),
        (pd.Series([True]), ValueError, "holds booleans"),
    ],
)
def test_normalize_email_bad_input(values, error, match):
    with pytest.raises(error, match=match):
        normalize_email(values)


# --------------------------------------------------------------------------- #
# resolve_identities and link_accounts on hand-made graphs
# --------------------------------------------------------------------------- #
@pytest.fixture
def toy():
    """Seven accounts, three true persons plus one loner.

    x: A1 -phone- A2 -device- A3 -email- A4   (a chain over three different keys)
    y: A5 -unionid- A6
    z: A7 (no usable key: an invalid phone and blanks)
    """
    return pd.DataFrame({
        "account_id": ["A4", "A7", "A1", "A2", "A3", "A5", "A6"],
        "phone": [None, "1391234567", "+86 139 1234 5678", "139-1234-5678", None, "13800001111", None],
        "email": ["li@tea.cn", None, None, None, " LI@TEA.CN", None, None],
        "wechat_unionid": [None, " ", None, None, None, "oUx1", "oUx1 "],
        "device_id": [None, "", None, "D1", "D1", None, None],
    }, index=[100, 101, 102, 103, 104, 105, 106])


def test_resolve_toy_components_and_ids(toy):
    out = resolve_identities(toy)
    assert out.columns.tolist() == ["account_id", "person_id"]
    assert out["account_id"].tolist() == toy["account_id"].tolist()      # input row order
    assert out.index.equals(pd.RangeIndex(len(toy)))
    person = out.set_index("account_id")["person_id"]
    # Numbered by each component's smallest account id: {A1..A4} -> 1, {A5, A6} -> 2, {A7} -> 3.
    assert person.to_dict() == {"A1": "P0000001", "A2": "P0000001", "A3": "P0000001", "A4": "P0000001",
                                "A5": "P0000002", "A6": "P0000002", "A7": "P0000003"}


def test_resolve_ids_do_not_depend_on_row_order(toy):
    first = resolve_identities(toy).set_index("account_id")["person_id"]
    for seed in range(5):
        shuffled = toy.sample(frac=1, random_state=seed)
        again = resolve_identities(shuffled).set_index("account_id")["person_id"]
        pd.testing.assert_series_equal(again.sort_index(), first.sort_index())


def test_resolve_with_fewer_keys_splits_the_chain(toy):
    person = resolve_identities(toy, keys=("phone", "email")).set_index("account_id")["person_id"]
    assert person["A1"] == person["A2"]
    assert person["A3"] == person["A4"]
    assert person["A2"] != person["A3"]                  # the device link is gone
    assert person.nunique() == 5                         # {A1,A2} {A3,A4} {A5} {A6} {A7}


def test_resolve_extra_key_column_as_a_rule(toy):
    withname = toy.assign(name_key=["li", "zhao", "li", "li", "li", "wang", "wang"])
    person = resolve_identities(withname, keys=("phone", "name_key")).set_index("account_id")["person_id"]
    assert person.nunique() == 3


def test_resolve_custom_column_names_and_region():
    accounts = pd.DataFrame({"acct": [3, 1, 2], "mobile": ["(415) 555-0123", "+1 415 555 0123", None],
                             "mail": [None, "A@B.COM", "a@b.com"]})
    out = resolve_identities(accounts, keys=("mobile", "mail"), account_col="acct", region="US",
                             phone_col="mobile", email_col="mail")
    assert out.columns.tolist() == ["acct", "person_id"]
    assert out["acct"].tolist() == [3, 1, 2]
    assert out["person_id"].nunique() == 1
    # Without telling which column holds phones, the two spellings stay different.
    plain = resolve_identities(accounts, keys=("mobile",), account_col="acct", region="US")
    assert plain["person_id"].nunique() == 3


def test_max_accounts_per_value_drops_placeholders():
    accounts = pd.DataFrame({"account_id": [f"A{i}" for i in range(6)],
                             "phone": ["13800138000"] * 4 + ["13912345678"] * 2})
    assert resolve_identities(accounts, keys=("phone",))["person_id"].nunique() == 2
    capped = resolve_identities(accounts, keys=("phone",), max_accounts_per_value=3)
    assert capped["person_id"].nunique() == 5            # four placeholders alone, the real pair merged
    assert link_accounts(accounts, keys=("phone",), max_accounts_per_value=3)["value"].tolist() == ["13912345678"]


def test_accounts_without_keys_are_persons_of_their_own():
    accounts = pd.DataFrame({"account_id": ["a", "b"], "phone": [None, None]})
    assert resolve_identities(accounts, keys=("phone",))["person_id"].tolist() == ["P0000001", "P0000002"]


def test_link_accounts_is_a_star_per_value(toy):
    links = link_accounts(toy)
    assert links.columns.tolist() == ["account_id", "linked_to", "key", "value"]
    expected = pd.DataFrame({
        "account_id": ["A2", "A4", "A6", "A3"],
        "linked_to": ["A1", "A3", "A5", "A2"],
        "key": ["phone", "email", "wechat_unionid", "device_id"],
        "value": ["13912345678", "li@tea.cn", "oUx1", "D1"],
    }, dtype="str")
    pd.testing.assert_frame_equal(links, expected)
    star = pd.DataFrame({"account_id": ["B3", "B1", "B2", "B4"], "device_id": ["D", "D", "D", "D"]})
    assert link_accounts(star, keys=("device_id",))["linked_to"].tolist() == ["B1", "B1", "B1"]


def test_no_links_when_no_key_is_shared():
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "phone": ["13912345678", "13800001111"]})
    assert link_accounts(accounts, keys=("phone",)).empty
    assert resolve_identities(accounts, keys=("phone",))["person_id"].nunique() == 2


# --------------------------------------------------------------------------- #
# linkage_scores
# --------------------------------------------------------------------------- #
def _frames(accounts, pred, true):
    return (pd.DataFrame({"account_id": accounts, "person_id": pred}),
            pd.DataFrame({"account_id": accounts, "customer_id": true}))


def test_linkage_scores_textbook_example():
    # Truth: x = {1, 2, 3, 4}, y = {5, 6}: 6 + 1 = 7 true pairs.
    # Predicted: P = {1, 2, 3}, Q = {4, 5, 6}: 3 + 3 = 6 predicted pairs.
    # Correct: {1,2}, {1,3}, {2,3} and {5,6} = 4.  P = 4/6, R = 4/7, F1 = 8/13.
    pred, true = _frames([1, 2, 3, 4, 5, 6], list("PPPQQQ"), list("xxxxyy"))
    s = linkage_scores(pred, true)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (7, 6, 4)
    assert s.precision == pytest.approx(4 / 6)
    assert s.recall == pytest.approx(4 / 7)
    assert s.f1 == pytest.approx(8 / 13)
    assert s.f1 == pytest.approx(2 * s.precision * s.recall / (s.precision + s.recall))


def test_linkage_scores_edge_cases():
    perfect = linkage_scores(*_frames(list("abcd"), list("PPQR"), list("xxyz")))
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    nothing_merged = linkage_scores(*_frames(list("abcd"), list("PQRS"), list("xxyz")))
    assert np.isnan(nothing_merged.precision) and nothing_merged.recall == 0.0 and nothing_merged.f1 == 0.0
    all_merged = linkage_scores(*_frames(list("abcd"), list("PPPP"), list("xxyz")))
    assert all_merged.precision == pytest.approx(1 / 6) and all_merged.recall == 1.0
    no_true_pairs = linkage_scores(*_frames(list("ab"), list("PQ"), list("xy")))
    assert np.isnan(no_true_pairs.precision) and np.isnan(no_true_pairs.recall) and np.isnan(no_true_pairs.f1)


def test_linkage_scores_match_sklearn_pair_confusion_matrix():
    rng = np.random.default_rng(7)
    n = 3_000
    true = rng.integers(0, 900, n)
    pred = np.where(rng.random(n) < 0.8, true, rng.integers(0, 900, n))
    s = linkage_scores(*_frames(np.arange(n), pred, true))
    c = pair_confusion_matrix(true, pred) // 2             # sklearn counts ordered pairs
    assert s.correct_pairs == c[1, 1]
    assert s.predicted_pairs == c[1, 1] + c[0, 1]
    assert s.true_pairs == c[1, 1] + c[1, 0]


def test_linkage_scores_aligns_accounts_and_ignores_label_names():
    pred = pd.DataFrame({"account_id": ["c", "a", "b"], "person_id": [1, 7, 7]})
    true = pd.DataFrame({"account_id": ["a", "b", "c"], "customer_id": ["u", "u", "v"]})
    assert linkage_scores(pred, true).f1 == 1.0


def test_linkage_scores_custom_columns_and_to_frame():
    pred = pd.DataFrame({"acct": [1, 2], "pid": ["p", "p"]})
    true = pd.DataFrame({"acct": [1, 2], "cid": ["c", "c"]})
    s = linkage_scores(pred, true, account_col="acct", predicted_col="pid", truth_col="cid")
    frame = s.to_frame()
    assert frame.columns.tolist() == ["precision", "recall", "f1", "true_pairs", "predicted_pairs", "correct_pairs"]
    assert frame.iloc[0].tolist() == [1.0, 1.0, 1.0, 1, 1, 1]
    assert isinstance(s, LinkageScores)
    with pytest.raises(AttributeError):
        s.f1 = 0.5                                           # frozen


# --------------------------------------------------------------------------- #
# The default world
# --------------------------------------------------------------------------- #
def test_default_world_strong_keys_reach_target(world):
    persons = resolve_identities(world.accounts)
    s = linkage_scores(persons, world.truth.account_map)
    assert s.f1 >= 0.97
    assert s.precision >= 0.975 and s.recall >= 0.96
    n_customers = world.truth.account_map["customer_id"].nunique()
    assert n_customers < persons["person_id"].nunique() < 1.05 * n_customers


def test_default_world_false_merges_come_from_shared_devices(world):
    without_device = resolve_identities(world.accounts, keys=("phone", "email", "wechat_unionid"))
    s = linkage_scores(without_device, world.truth.account_map)
    full = linkage_scores(resolve_identities(world.accounts), world.truth.account_map)
    assert s.precision > 0.999 > full.precision
    assert s.recall < full.recall


def test_default_world_links_agree_with_resolution(world):
    links = link_accounts(world.accounts)
    persons = resolve_identities(world.accounts).set_index("account_id")["person_id"]
    assert (persons.loc[links["account_id"]].to_numpy() == persons.loc[links["linked_to"]].to_numpy()).all()
    assert (links["account_id"] > links["linked_to"]).all()
    assert set(links["key"]) == set(STRONG_KEYS)
    # Every linked account is linked once per key at most.
    assert not links.duplicated(["account_id", "key"]).any()


# --------------------------------------------------------------------------- #
# Bad input and immutability
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("fn", [resolve_identities, link_accounts])
@pytest.mark.parametrize(
    ("make", "kwargs", "error", "match"),
    [
        (lambda t: t.to_dict("list"), {}, TypeError, "`accounts` must be a pandas DataFrame, got dict"),
        (lambda t: t.iloc[:0], {}, ValueError, r"`accounts` is empty \(0 rows\)"),
        (lambda t: t.drop(columns="device_id"), {}, KeyError,
         "Column 'device_id' not found in `accounts`. Available columns: 'account_id'"),
        (lambda t: t.rename(columns={"account_id": "id"}), {}, KeyError, "Column 'account_id' not found"),
        (lambda t: t.assign(account_id=["A1", None, "A3", "A4", "A5", "A6", "A7"]), {}, ValueError,
         "Column 'account_id' of `accounts` has 1 missing value"),
        (lambda t: t.assign(account_id=["A1", "A1", "A3", "A4", "A5", "A6", "A6"]), {}, ValueError,
         r"has 2 duplicated ids \(e.g. 'A1', 'A6'\)"),
        (lambda t: t, {"region": "HK"}, ValueError, r"`region` must be one of 'CN', 'US'; got 'HK'"),
        (lambda t: t, {"keys": "phone"}, TypeError, r"got the string 'phone'; write keys=\('phone',\)"),
        (lambda t: t, {"keys": 3}, TypeError, "got int"),
        (lambda t: t, {"keys": ()}, ValueError, "`keys` is empty"),
        (lambda t: t, {"keys": ("phone", "email", "phone")}, ValueError, "names 'phone' more than once"),
        (lambda t: t, {"keys": ("phone", "name")}, KeyError, "Column 'name' not found in `accounts`"),
        (lambda t: t, {"max_accounts_per_value": 1}, ValueError, "`max_accounts_per_value` must be an integer >= 2"),
        (lambda t: t, {"max_accounts_per_value": 2.5}, TypeError, "`max_accounts_per_value` must be an integer"),
        (lambda t: t.assign(phone=13912345678.0), {}, ValueError, "holds floats"),
    ],
)
def test_resolve_and_link_bad_input(toy, fn, make, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(make(toy), **kwargs)


@pytest.mark.parametrize(
    ("pred", "true", "error", "match"),
    [
        ([1, 2], None, TypeError, "`predicted` must be a pandas DataFrame, got list"),
        (None, "frame", TypeError, "`truth` must be a pandas DataFrame, got str"),
        ("empty", None, ValueError, r"`predicted` is empty \(0 rows\)"),
        (None, "empty", ValueError, r"`truth` is empty \(0 rows\)"),
        ("no_person", None, KeyError, "Column 'person_id' not found in `predicted`. Available columns: 'account_id'"),
        (None, "no_customer", KeyError, "Column 'customer_id' not found in `truth`"),
        ("nan_id", None, ValueError, "Column 'account_id' of `predicted` has 1 missing value"),
        ("nan_label", None, ValueError, "Column 'person_id' of `predicted` has 1 missing value"),
        (None, "nan_label", ValueError, "Column 'customer_id' of `truth` has 1 missing value"),
        ("dup", None, ValueError,
         r"Column 'account_id' of `predicted` has 1 duplicated id \(e.g. 'a'\); every account must appear once"),
        ("other_accounts", None, ValueError,
         r"must hold the same accounts: 1 account is only in `predicted` \(e.g. 'z'\); 1 account is only in "
         r"`truth` \(e.g. 'c'\)\."),
        (None, "fewer", ValueError, r"must hold the same accounts: 1 account is only in `predicted` \(e.g. 'c'\)\.$"),
    ],
)
def test_linkage_scores_bad_input(pred, true, error, match):
    good_pred, good_true = _frames(["a", "b", "c"], ["P", "P", "Q"], ["x", "x", "y"])
    variants = {
        "empty": lambda f: f.iloc[:0],
        "no_person": lambda f: f.drop(columns="person_id"),
        "no_customer": lambda f: f.drop(columns="customer_id"),
        "nan_id": lambda f: f.assign(account_id=["a", None, "c"]),
        "nan_label": lambda f: f.assign(**{f.columns[1]: ["P", None, "Q"]}),
        "dup": lambda f: f.assign(account_id=["a", "a", "c"]),
        "other_accounts": lambda f: f.assign(account_id=["a", "b", "z"]),
        "fewer": lambda f: f.iloc[:2],
    }

    def build(spec, good):
        if spec is None:
            return good
        if isinstance(spec, str) and spec in variants:
            return variants[spec](good)
        return spec

    with pytest.raises(error, match=match):
        linkage_scores(build(pred, good_pred), build(true, good_true))


def test_linkage_scores_rejects_wrong_label_column_names():
    pred, true = _frames(["a"], ["P"], ["x"])
    with pytest.raises(KeyError, match="Column 'pid' not found in `predicted`"):
        linkage_scores(pred, true, predicted_col="pid")
    with pytest.raises(KeyError, match="Column 'acct' not found in `predicted`"):
        linkage_scores(pred, true, account_col="acct")


def test_inputs_are_not_mutated(toy):
    before = copy.deepcopy(toy)
    resolve_identities(toy)
    link_accounts(toy)
    pd.testing.assert_frame_equal(toy, before)
    named = pd.DataFrame({"account_id": ["A2", "A1"], "name": [" Li Na", "li na"], "city": ["X", "X"]})
    named_before = copy.deepcopy(named)
    links = fuzzy_links(named)
    links_before = copy.deepcopy(links)
    resolve_identities(named.assign(phone=None), keys=("phone",), links=links)
    pd.testing.assert_frame_equal(named, named_before)
    pd.testing.assert_frame_equal(links, links_before)

    phones = pd.Series([" +86 139 1234 5678", None], name="phone")
    emails = pd.Series([" A@B.CN ", None], name="email")
    phones_before, emails_before = copy.deepcopy(phones), copy.deepcopy(emails)
    normalize_phone(phones)
    normalize_email(emails)
    pd.testing.assert_series_equal(phones, phones_before)
    pd.testing.assert_series_equal(emails, emails_before)

    pred, true = _frames(["b", "a"], ["P", "P"], ["x", "x"])
    pred_before, true_before = copy.deepcopy(pred), copy.deepcopy(true)
    linkage_scores(pred, true)
    pd.testing.assert_frame_equal(pred, pred_before)
    pd.testing.assert_frame_equal(true, true_before)


# --------------------------------------------------------------------------- #
# Fuzzy name rule and extra links
# --------------------------------------------------------------------------- #
@pytest.fixture
def named():
    return pd.DataFrame({
        "account_id": ["A5", "A1", "A2", "A3", "A4", "A6", "A7"],
        "name": ["王伟", "Li Na", "LI  NA", "Li Nan", "Li Na", None, "x"],
        "city": ["杭州", "Hangzhou", "Hangzhou", "Hangzhou", "Suzhou", "Hangzhou", "Hangzhou"],
    })


def _pairs_of(links):
    return set(zip(links["account_id"], links["linked_to"], links["distance"]))


def test_fuzzy_links_exact_and_one_edit_within_blocks(named):
    assert _pairs_of(fuzzy_links(named, max_distance=0)) == {("A2", "A1", 0)}
    # one edit: Li Na ~ Li Nan; A4 is in another city, A6 has no name, "x" is shorter than min_length
    assert _pairs_of(fuzzy_links(named)) == {("A2", "A1", 0), ("A3", "A1", 1), ("A3", "A2", 1)}
    # without blocking, the Suzhou namesake joins too
    assert ("A4", "A1", 0) in _pairs_of(fuzzy_links(named, block_cols=()))
    assert ("A7", "A6", 1) not in _pairs_of(fuzzy_links(named, block_cols=(), min_length=1))


def test_fuzzy_links_matches_brute_force_levenshtein():
    rng = np.random.default_rng(3)
    alphabet = list("abc")
    names = ["".join(rng.choice(alphabet, rng.integers(2, 5))) for _ in range(120)]
    accounts = pd.DataFrame({"account_id": [f"A{i:03d}" for i in range(120)], "name": names,
                             "city": rng.choice(["p", "q"], 120)})

    def levenshtein(a, b):
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]

    expected = {(accounts["account_id"][j], accounts["account_id"][i], levenshtein(names[i], names[j]))
                for i in range(120) for j in range(i + 1, 120)
                if accounts["city"][i] == accounts["city"][j] and levenshtein(names[i], names[j]) <= 1}
    got = fuzzy_links(accounts, chunk_size=7)  # several chunks per block
    assert _pairs_of(got) == expected
    assert list(got.columns) == ["account_id", "linked_to", "key", "distance"]
    assert (got["key"] == "name~city").all()


def test_fuzzy_links_do_not_depend_on_row_order(named):
    shuffled = named.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(fuzzy_links(shuffled), fuzzy_links(named))


def test_resolve_with_extra_links_chains_them(named):
    base = resolve_identities(named.assign(phone=None), keys=("phone",))
    assert base["person_id"].nunique() == len(named)
    merged = resolve_identities(named.assign(phone=None), keys=("phone",), links=fuzzy_links(named))
    persons = merged.set_index("account_id")["person_id"]
    assert persons["A1"] == persons["A2"] == persons["A3"]
    assert merged["person_id"].nunique() == len(named) - 2
    # an empty link table changes nothing
    empty = fuzzy_links(named.head(1))
    assert empty.empty
    pd.testing.assert_frame_equal(
        resolve_identities(named.assign(phone=None), keys=("phone",), links=empty), base)


def test_default_world_fuzzy_rule_trades_precision_for_recall(world):
    strong = linkage_scores(resolve_identities(world.accounts), world.truth.account_map)
    exact = fuzzy_links(world.accounts, max_distance=0)
    with_exact = linkage_scores(resolve_identities(world.accounts, links=exact), world.truth.account_map)
    # The name + city rule finds true links the keys miss, but merges many namesakes.
    assert with_exact.recall > strong.recall + 0.01
    assert with_exact.precision < strong.precision - 0.2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name_col": "full_name"}, KeyError, "Column 'full_name' not found in `accounts`. Available columns"),
        ({"block_cols": ("region",)}, KeyError, "Column 'region' not found in `accounts`"),
        ({"block_cols": "city"}, TypeError, "`block_cols` must be a list or tuple.*block_cols=\\('city',\\)"),
        ({"block_cols": ("city", "city")}, ValueError, "`block_cols` names 'city' more than once"),
        ({"max_distance": -1}, ValueError, "max_distance"),
        ({"max_distance": 1.5}, TypeError, "`max_distance` must be an integer, got float 1.5"),
        ({"min_length": 0}, ValueError, "min_length"),
        ({"chunk_size": 0}, ValueError, "chunk_size"),
    ],
)
def test_fuzzy_links_bad_input(named, kwargs, error, match):
    with pytest.raises(error, match=match):
        fuzzy_links(named, **kwargs)


def test_fuzzy_links_bad_frames(named):
    with pytest.raises(ValueError, match="empty"):
        fuzzy_links(named.iloc[0:0])
    with pytest.raises(ValueError, match="missing"):
        fuzzy_links(named.assign(account_id=[None, "A1", "A2", "A3", "A4", "A6", "A7"]))
    with pytest.raises(ValueError, match="duplicate"):
        fuzzy_links(named.assign(account_id=["A1"] * 7))


def test_resolve_links_bad_input(named):
    accounts = named.assign(phone=None)
    with pytest.raises(TypeError, match="`links` must be a pandas DataFrame"):
        resolve_identities(accounts, keys=("phone",), links=[("A1", "A2")])
    with pytest.raises(KeyError, match="Column 'linked_to' not found in `links`"):
        resolve_identities(accounts, keys=("phone",), links=pd.DataFrame({"account_id": ["A1"]}))
    bad = pd.DataFrame({"account_id": ["A1"], "linked_to": ["Z9"]})
    with pytest.raises(ValueError, match="Column 'linked_to' of `links` holds 1 id\\(s\\) that are not in .*'Z9'"):
        resolve_identities(accounts, keys=("phone",), links=bad)


def test_public_api():
    import opsutils.identity as identity

    assert set(identity.__all__) == {"REGIONS", "STRONG_KEYS", "LinkageScores", "normalize_phone",
                                     "normalize_email", "link_accounts", "fuzzy_links", "resolve_identities",
                                     "linkage_scores"}
    assert REGIONS == ("CN", "US")
