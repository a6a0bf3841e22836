"""Tests for opsutils.privacy: masks, HMAC pseudonyms (RFC 4231), bands, k/l, role views, deletion."""

import collections
import dataclasses
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from opsutils.datasets import content_hash
from opsutils.privacy import (ACCESS_POLICY, ALL, DEFAULT_CASCADE, TREATMENTS, ForgetAudit, equivalence_classes,
                              forget_customer, generalize_age, k_anonymity, l_diversity, mask_email, mask_name,
                              mask_phone, pseudonymize, role_view, suppress_small_classes)

KEY = "test-key"


# --------------------------------------------------------------------------- #
# mask_phone / mask_name / mask_email
# --------------------------------------------------------------------------- #
CN_PHONES = [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("0086 13812345678", "138****5678"),
    ("+86-138-1234-5678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),      # full-width digits
    ("1381234567", "******4567"),                # 10 digits: invalid, last four only
    ("1381O345678", "******5678"),               # letter O: digits kept, all but four hidden
    ("123", "****"),
    ("unknown", "****"),
    ("", None),
    ("   ", None),
    (None, None),
]

US_PHONES = [
    ("4155550123", "***-***-0123"),
    ("(415) 555-0123", "***-***-0123"),
    ("+1 415 555 0123", "***-***-0123"),
    ("1-415-555-0123", "***-***-0123"),
    ("555-0123", "***0123"),                     # no area code: invalid, last four only
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), CN_PHONES)
def test_mask_phone_cn(raw, expected):
    got = mask_phone([raw]).iloc[0]
    assert (expected is None and pd.isna(got)) or got == expected


@pytest.mark.parametrize(("raw", "expected"), US_PHONES)
def test_mask_phone_us(raw, expected):
    got = mask_phone([raw], region="US").iloc[0]
    assert (expected is None and pd.isna(got)) or got == expected


def test_mask_phone_never_shows_more_than_four_digits_of_an_invalid_value():
    out = mask_phone(["139123456789012", "12-34-56-78-90"])
    assert out.tolist() == ["***********9012", "******7890"]
    assert all(sum(ch.isdigit() for ch in text) <= 4 for text in out)


def test_mask_phone_keeps_index_and_name_and_does_not_mutate():
    s = pd.Series(["+86 138 1234 5678", None], index=[7, 9], name="phone")
    before = s.copy()
    out = mask_phone(s)
    pd.testing.assert_series_equal(s, before)
    assert out.index.tolist() == [7, 9] and out.name == "phone"
    assert pd.api.types.is_string_dtype(out.dtype)


def test_mask_phone_accepts_integers():
    assert mask_phone(np.array([13812345678])).tolist() == ["138****5678"]


def test_mask_phone_bad_inputs():
    with pytest.raises(ValueError, match="`region` must be one of 'CN', 'US'"):
        mask_phone(["13812345678"], region="UK")
    with pytest.raises(ValueError, match="holds floats"):
        mask_phone([13812345678.0])
    with pytest.raises(ValueError, match="holds booleans"):
        mask_phone([True, False])
    with pytest.raises(TypeError, match="got a DataFrame"):
        mask_phone(pd.DataFrame({"phone": ["13812345678"]}))
    with pytest.raises(TypeError, match="wrap a single value in a list"):
        mask_phone("13812345678")


def test_mask_name():
    out = mask_name(pd.Series(["张三丰", "李娜", "欧阳娜娜", "John Smith", "Mary-Jane  O'Neil", "A", "", None],
                              name="name"))
    assert out.tolist()[:6] == ["张**", "李*", "欧***", "J*** S****", "M******** O*****", "A"]
    assert out.iloc[6:].isna().all() and out.name == "name"


def test_mask_name_bad_inputs():
    with pytest.raises(ValueError, match="holds booleans"):
        mask_name(pd.Series([True]))
    with pytest.raises(TypeError, match="Series, list or array"):
        mask_name(None)


def test_mask_email():
    out = mask_email(["li.na@example.com", "x@163.com", " Bo@qq.com ", "no-at-sign", "@example.com", None])
    assert out.tolist()[:5] == ["l***@example.com", "x***@163.com", "B***@qq.com", "n***", "****@example.com"]
    assert pd.isna(out.iloc[5])


def test_mask_email_bad_inputs():
    with pytest.raises(ValueError, match="holds floats"):
        mask_email([1.5])


# --------------------------------------------------------------------------- #
# pseudonymize
# --------------------------------------------------------------------------- #
def test_pseudonymize_rfc4231_test_vectors():
    # RFC 4231, section 4.2 (test case 1) and 4.3 (test case 2), HMAC-SHA-256.
    case1 = pseudonymize(["Hi There"], key=b"\x0b" * 20).iloc[0]
    assert case1 == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    case2 = pseudonymize(["what do ya want for nothing?"], key="Jefe").iloc[0]
    assert case2 == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_pseudonymize_matches_stdlib_and_is_deterministic():
    ids = pd.Series(["C0000001", "C0000002", "C0000001", None], name="customer_id")
    before = ids.copy()
    out = pseudonymize(ids, key=KEY)
    pd.testing.assert_series_equal(ids, before)
    expected = hmac.new(KEY.encode(), b"C0000001", hashlib.sha256).hexdigest()
    assert out.iloc[0] == out.iloc[2] == expected
    assert out.iloc[1] != out.iloc[0]
    assert pd.isna(out.iloc[3])
    assert out.name == "customer_id"
    assert out.tolist() == pseudonymize(ids, key=KEY).tolist()


def test_pseudonymize_is_not_a_plain_hash_and_depends_on_the_key():
    plain = hashlib.sha256(b"13812345678").hexdigest()
    a = pseudonymize(["13812345678"], key="key-a").iloc[0]
    b = pseudonymize(["13812345678"], key="key-b").iloc[0]
    assert a != plain and b != plain and a != b
    assert pseudonymize(["13812345678"], key="key-a").iloc[0] == pseudonymize(["13812345678"], key=b"key-a").iloc[0]


def test_pseudonymize_normalize_phone_and_email():
    phones = pseudonymize(["+86 138 1234 5678", "138-1234-5678", "13812345678", "1381234567"], key=KEY,
                          normalize="phone")
    assert phones.iloc[0] == phones.iloc[1] == phones.iloc[2] == pseudonymize(["13812345678"], key=KEY).iloc[0]
    assert pd.isna(phones.iloc[3])  # invalid numbers become missing, as in normalize_phone
    us = pseudonymize(["(415) 555-0123", "+1 415 555 0123"], key=KEY, normalize="phone", region="US")
    assert us.iloc[0] == us.iloc[1]
    emails = pseudonymize([" Li.Na@Example.com", "li.na@example.com"], key=KEY, normalize="email")
    assert emails.iloc[0] == emails.iloc[1]


def test_pseudonymize_length_and_integers():
    out = pseudonymize([42, 7], key=KEY, length=16)
    assert out.str.len().tolist() == [16, 16]
    assert out.iloc[0] == pseudonymize(["42"], key=KEY).iloc[0][:16]


@pytest.mark.parametrize(("key", "exc", "match"), [
    (None, ValueError, "`key` is required"),
    ("", ValueError, "`key` is empty"),
    (b"", ValueError, "`key` is empty"),
    (12345, TypeError, "`key` must be a str or bytes"),
])
def test_pseudonymize_bad_keys(key, exc, match):
    with pytest.raises(exc, match=match):
        pseudonymize(["C1"], key=key)


def test_pseudonymize_bad_options():
    with pytest.raises(ValueError, match="`normalize` must be one of None, 'phone', 'email'"):
        pseudonymize(["C1"], key=KEY, normalize="name")
    with pytest.raises(ValueError, match="`length` must be an integer >= 8"):
        pseudonymize(["C1"], key=KEY, length=4)
    with pytest.raises(ValueError, match="from 8 to 64"):
        pseudonymize(["C1"], key=KEY, length=65)
    with pytest.raises(TypeError, match="`length` must be an integer"):
        pseudonymize(["C1"], key=KEY, length=16.0)
    with pytest.raises(ValueError, match="holds floats"):
        pseudonymize(pd.Series([1.0, 2.0]), key=KEY)
    with pytest.raises(ValueError, match="`region` must be one of"):
        pseudonymize(["C1"], key=KEY, normalize="phone", region="FR")


# --------------------------------------------------------------------------- #
# generalize_age
# --------------------------------------------------------------------------- #
def test_generalize_age_bands_from_ages():
    out = generalize_age(pd.Series([0, 9, 10, 34, 39.9, 40, None], index=list("abcdefg")))
    assert out.tolist()[:6] == ["0-9", "0-9", "10-19", "30-39", "30-39", "40-49"]
    assert pd.isna(out.iloc[6])
    assert out.index.tolist() == list("abcdefg") and out.name == "age_band"
    assert out.cat.ordered
    assert list(out.cat.categories) == ["0-9", "10-19", "20-29", "30-39", "40-49"]


def test_generalize_age_from_birth_years_and_top_coding():
    years = pd.Series([2006, 1990, 1986, 1960, 1950], name="birth_year")
    before = years.copy()
    out = generalize_age(years, as_of="2025-12-31", width=10, top=60)
    pd.testing.assert_series_equal(years, before)
    assert out.tolist() == ["10-19", "30-39", "30-39", "60+", "60+"]
    assert list(out.cat.categories) == ["10-19", "20-29", "30-39", "40-49", "50-59", "60+"]
    assert generalize_age([1950], as_of=pd.Timestamp("2025-01-01"), width=5, top=60).tolist() == ["60+"]


def test_generalize_age_width_one_and_numeric_text():
    assert generalize_age(["37", "38"], width=1).tolist() == ["37", "38"]


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"values": [30], "width": 0}, ValueError, "`width` must be an integer >= 1"),
    ({"values": [30], "width": -5}, ValueError, "`width` must be an integer >= 1"),
    ({"values": [30], "width": 2.5}, TypeError, "`width` must be an integer"),
    ({"values": [30], "width": 10, "top": 65}, ValueError, "`top` must be a multiple of `width`"),
    ({"values": [-1, 30]}, ValueError, "negative ages"),
    ({"values": [2030], "as_of": "2025-12-31"}, ValueError, r"birth year\(s\) after `as_of`"),
    ({"values": [1990], "as_of": "next year"}, ValueError, "`as_of` must be a date"),
    ({"values": ["thirty"]}, ValueError, "must be numeric ages; got 'thirty'"),
    ({"values": [True, False]}, ValueError, "must be numeric ages"),
    ({"values": 30}, TypeError, "Series, list or array"),
])
def test_generalize_age_bad_inputs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        generalize_age(**kwargs)


# --------------------------------------------------------------------------- #
# k-anonymity, l-diversity, equivalence classes, suppression
# --------------------------------------------------------------------------- #
def _four_anonymous_one_diverse():
    """Two classes of four; the first class shares one complaint: 4-anonymous but 1-diverse."""
    return pd.DataFrame({
        "gender": ["F"] * 4 + ["M"] * 4,
        "age_band": ["30-39"] * 4 + ["40-49"] * 4,
        "tier": [1] * 8,
        "complaint": ["refund"] * 4 + ["refund", "quality", "delivery", "quality"],
    })


def test_k_and_l_known_answer():
    df = _four_anonymous_one_diverse()
    before = content_hash(df)
    assert k_anonymity(df, ["gender", "age_band", "tier"]) == 4
    assert l_diversity(df, ["gender", "age_band", "tier"], "complaint") == 1
    assert l_diversity(df.iloc[4:], ["gender", "age_band"], "complaint") == 3
    assert k_anonymity(df, "tier") == 8
    assert content_hash(df) == before


def test_equivalence_classes_table():
    classes = equivalence_classes(_four_anonymous_one_diverse(), ["gender", "age_band"], sensitive="complaint")
    assert classes.columns.tolist() == ["gender", "age_band", "size", "distinct_sensitive"]
    assert classes["size"].tolist() == [4, 4]
    assert dict(zip(classes["gender"], classes["distinct_sensitive"])) == {"F": 1, "M": 3}
    assert equivalence_classes(_four_anonymous_one_diverse(), "gender").columns.tolist() == ["gender", "size"]


def test_missing_quasi_identifier_is_its_own_class():
    df = pd.DataFrame({"city": ["A", "A", None, None, None], "s": ["x", "y", "x", "x", "x"]})
    assert k_anonymity(df, "city") == 2
    assert l_diversity(df, "city", "s") == 1
    assert equivalence_classes(df, "city")["size"].sum() == 5


def test_missing_sensitive_value_counts_as_a_value():
    df = pd.DataFrame({"band": ["a", "a"], "s": ["x", None]})
    assert l_diversity(df, "band", "s") == 2


def test_unobserved_categories_do_not_make_k_zero():
    bands = generalize_age([21, 22, 55, 56], width=10)  # 30-39 and 40-49 are categories with no rows
    df = pd.DataFrame({"band": bands, "s": ["a", "b", "a", "a"]})
    assert k_anonymity(df, "band") == 2
    assert l_diversity(df, "band", "s") == 1


def test_k_and_l_match_a_brute_force_count():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.integers(0, 4, 400), "b": rng.choice(["x", "y", "z"], 400),
                       "s": rng.integers(0, 5, 400)})
    counts = collections.Counter(zip(df["a"], df["b"]))
    values = collections.defaultdict(set)
    for a, b, s in zip(df["a"], df["b"], df["s"]):
        values[(a, b)].add(s)
    assert k_anonymity(df, ["a", "b"]) == min(counts.values())
    assert l_diversity(df, ["a", "b"], "s") == min(len(v) for v in values.values())


def test_k_and_l_bad_inputs():
    df = _four_anonymous_one_diverse()
    with pytest.raises(KeyError, match=r"Column 'city' not found in `df`\. Available columns: 'gender'"):
        k_anonymity(df, ["gender", "city"])
    with pytest.raises(KeyError, match="Column 'diagnosis' not found"):
        l_diversity(df, ["gender"], "diagnosis")
    with pytest.raises(ValueError, match=r"`df` is empty \(0 rows\)"):
        k_anonymity(df.iloc[0:0], ["gender"])
    with pytest.raises(ValueError, match="`quasi_identifiers` is empty"):
        k_anonymity(df, [])
    with pytest.raises(ValueError, match="more than once"):
        k_anonymity(df, ["gender", "gender"])
    with pytest.raises(ValueError, match="is also a quasi-identifier"):
        l_diversity(df, ["gender", "complaint"], "complaint")
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        k_anonymity(df.to_dict(), ["gender"])
    with pytest.raises(TypeError, match="`sensitive` must be one column name"):
        l_diversity(df, ["gender"], ["complaint"])


def test_suppress_small_classes():
    df = pd.DataFrame({"city": ["A"] * 5 + ["B"] * 2 + ["C"], "band": ["x"] * 8, "v": range(8)},
                      index=range(10, 18))
    before = content_hash(df)
    kept = suppress_small_classes(df, ["city", "band"], k=3)
    assert kept.index.tolist() == list(range(10, 15))
    assert k_anonymity(kept, ["city", "band"]) == 5
    pd.testing.assert_frame_equal(kept, df.loc[10:14])
    assert len(suppress_small_classes(df, "city", k=1)) == 8
    assert suppress_small_classes(df, "city", k=9).empty
    assert content_hash(df) == before
    with pytest.raises(ValueError, match="`k` must be an integer >= 1"):
        suppress_small_classes(df, "city", k=0)
    with pytest.raises(KeyError, match="Column 'tier' not found"):
        suppress_small_classes(df, "tier", k=2)


# --------------------------------------------------------------------------- #
# role_view
# --------------------------------------------------------------------------- #
def _customers():
    return pd.DataFrame({
        "customer_id": ["C1", "C2"], "name": ["张三丰", "李娜"], "gender": ["M", "F"], "birth_year": [1980, 1995],
        "birth_month": [3, 11], "city": ["杭州", "上海"], "province": ["浙江", "上海"], "city_tier": [2, 1],
        "signup_channel": ["app", "store"], "member_level": ["gold", "bronze"],
        "marketing_consent": [True, False], "phone": ["+86 138 1234 5678", "139-0000-1111"],
        "email": ["a@b.com", "c@d.com"], "address": ["西湖区1号", "浦东新区2号"],
    })


def test_role_view_sales_masks_contact_details():
    customers = _customers()
    before = content_hash(customers)
    view = role_view(customers, "sales", table="customers")
    assert view.columns.tolist() == ["customer_id", "name", "city", "member_level", "phone"]
    assert view["name"].tolist() == ["张**", "李*"]
    assert view["phone"].tolist() == ["138****5678", "139****1111"]
    assert content_hash(customers) == before


def test_role_view_marketing_and_management():
    customers = _customers()
    marketing = role_view(customers, "marketing", table="customers")
    assert set(marketing.columns) == set(ACCESS_POLICY["marketing"]["customers"])
    assert not {"name", "phone", "email", "address"} & set(marketing.columns)
    management = role_view(customers, "management", table="customers")
    pd.testing.assert_frame_equal(management, customers)
    assert management is not customers
    orders = pd.DataFrame({"order_id": ["O1"], "customer_id": ["C1"], "amount": [10.0]})
    pd.testing.assert_frame_equal(role_view(orders, "sales", table="orders"), orders)


def test_default_policy_is_well_formed():
    assert set(ACCESS_POLICY) == {"sales", "marketing", "management"}
    assert ACCESS_POLICY["management"] == {ALL: ALL}
    for grants in ACCESS_POLICY.values():
        for spec in grants.values():
            assert spec == ALL or set(spec.values()) <= set(TREATMENTS)
    assert "orders" in ACCESS_POLICY["sales"] and "orders" not in ACCESS_POLICY["marketing"]
    assert "campaign_exposures" in ACCESS_POLICY["marketing"] and "campaign_exposures" not in ACCESS_POLICY["sales"]


def test_role_view_custom_policy_with_us_phones():
    policy = {"service": {"customers": {"customer_id": "show", "phone": "mask_phone", "email": "mask_email"}}}
    df = pd.DataFrame({"customer_id": ["C1"], "phone": ["(415) 555-0123"], "email": ["ann@example.com"]})
    view = role_view(df, "service", table="customers", policy=policy, region="US")
    assert view.iloc[0].tolist() == ["C1", "***-***-0123", "a***@example.com"]


def test_role_view_bad_inputs():
    customers = _customers()
    with pytest.raises(ValueError, match="`role` must be one of 'sales', 'marketing', 'management'; got 'intern'"):
        role_view(customers, "intern", table="customers")
    with pytest.raises(PermissionError, match="Role 'sales' has no access to table 'tickets'.*'orders'"):
        role_view(customers, "sales", table="tickets")
    with pytest.raises(KeyError, match=r"Column 'phone' not found in `df`\. Available columns"):
        role_view(customers.drop(columns="phone"), "sales", table="customers")
    bad_policy = {"sales": {"customers": {"name": "blur"}}}
    with pytest.raises(ValueError, match=r"must be one of 'show', 'mask_phone'.*got 'blur'"):
        role_view(customers, "sales", table="customers", policy=bad_policy)
    with pytest.raises(ValueError, match=r"`df` is empty \(0 rows\)"):
        role_view(customers.iloc[0:0], "sales", table="customers")
    with pytest.raises(TypeError, match="`policy` must be a non-empty mapping"):
        role_view(customers, "sales", table="customers", policy={})
    with pytest.raises(ValueError, match="`region` must be one of"):
        role_view(customers, "sales", table="customers", region="XX")


# --------------------------------------------------------------------------- #
# forget_customer
# --------------------------------------------------------------------------- #
def _tables():
    return {
        "customers": pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["Li", "Wang", "Zhao"]}),
        "accounts": pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4"], "channel": ["app", "web", "app", "store"]}),
        "orders": pd.DataFrame({"order_id": ["O1", "O2", "O3", "O4"], "customer_id": ["C1", "C2", "C1", "C3"],
                                "account_id": ["A1", "A2", "A1", "A4"], "amount": [10.0, 20.0, 30.0, 40.0]}),
        "order_items": pd.DataFrame({"order_id": ["O1", "O1", "O2", "O3", "O4"], "product_id": list("PQRST")}),
        "events": pd.DataFrame({"event_id": [1, 2, 3, 4, 5], "customer_id": [None, "C1", None, "C2", "C1"],
                                "account_id": [None, "A3", None, "A2", "A1"], "session_id": [100, 100, 200, 200, 300]}),
        "products": pd.DataFrame({"product_id": list("PQRST"), "price": [1.0, 2.0, 3.0, 4.0, 5.0]}),
    }


def test_forget_customer_removes_direct_and_cascaded_rows():
    tables = _tables()
    before = {name: content_hash(df) for name, df in tables.items()}
    kept, audit = forget_customer(tables, "C1", key=KEY, as_of="2025-12-31")
    assert {name: content_hash(df) for name, df in tables.items()} == before  # inputs untouched
    assert list(kept) == list(tables)
    assert kept["customers"]["customer_id"].tolist() == ["C2", "C3"]
    assert kept["orders"]["order_id"].tolist() == ["O2", "O4"]
    assert kept["order_items"]["order_id"].tolist() == ["O2", "O4"]
    assert kept["events"]["event_id"].tolist() == [3, 4]          # event 1: anonymous, in C1's session 100
    assert kept["accounts"]["account_id"].tolist() == ["A2", "A4"]  # A1 via orders, A3 via events
    pd.testing.assert_frame_equal(kept["products"], tables["products"])
    frame = audit.to_frame()
    assert frame["rows_removed"].tolist() == [1, 2, 2, 3, 3, 0]
    assert frame["rows_kept"].tolist() == [2, 2, 2, 2, 2, 5]
    assert frame["key"].tolist() == ["customer_id", "account_id via orders, events", "customer_id",
                                     "order_id via orders", "customer_id; session_id via events", "none"]
    assert audit.total_removed == 11


def test_forget_customer_keeps_every_other_row_exactly():
    tables = _tables()
    kept, audit = forget_customer(tables, "C1", key=KEY, as_of="2025-12-31")
    for name, original in tables.items():
        after = kept[name]
        assert after.index.is_unique and after.index.isin(original.index).all()
        pd.testing.assert_frame_equal(after, original.loc[after.index])
        removed = original.drop(index=after.index)
        assert content_hash(pd.concat([after, removed]).sort_index()) == content_hash(original)
        assert len(removed) == dict(zip(audit.tables, audit.rows_removed))[name]


def test_forget_customer_audit_has_no_plain_id():
    _, audit = forget_customer(_tables(), "C1", key=KEY, as_of="2025-12-31 10:00")
    frame = audit.to_frame()
    assert frame.columns.tolist() == ["table", "key", "rows_removed", "rows_kept", "as_of", "reference"]
    assert not frame.astype(str).apply(lambda col: col.str.contains("C1")).any().any()
    assert audit.reference == pseudonymize(["C1"], key=KEY).iloc[0]
    assert (frame["as_of"] == pd.Timestamp("2025-12-31 10:00")).all()
    assert audit.verify("C1", key=KEY) and not audit.verify("C2", key=KEY) and not audit.verify("C1", key="other")
    with pytest.raises(dataclasses.FrozenInstanceError):
        audit.reference = "x"
    assert isinstance(audit, ForgetAudit)


def test_forget_customer_identity_map_and_direct_only():
    tables = _tables()
    tables["identity_map"] = pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4", "A5"],
                                           "customer_id": ["C1", "C2", "C1", "C3", "C3"]})
    tables["accounts"] = pd.concat([tables["accounts"], pd.DataFrame({"account_id": ["A5"], "channel": ["web"]})],
                                   ignore_index=True)
    kept, audit = forget_customer(tables, "C3", key=KEY, as_of="2025-12-31")
    assert kept["accounts"]["account_id"].tolist() == ["A1", "A2", "A3"]  # A5 only via the identity map
    direct, audit_direct = forget_customer(_tables(), "C1", key=KEY, as_of="2025-12-31", cascade=())
    assert direct["order_items"].equals(_tables()["order_items"])
    assert audit_direct.total_removed == 1 + 2 + 2


def test_forget_customer_integer_ids():
    tables = {"customers": pd.DataFrame({"cid": [1, 2, 3]}), "orders": pd.DataFrame({"cid": [1, 1, 2], "x": [1, 2, 3]})}
    kept, audit = forget_customer(tables, 1, key=KEY, as_of="2025-12-31", customer_col="cid", cascade=())
    assert kept["orders"]["x"].tolist() == [3] and audit.total_removed == 3


def test_forget_customer_bad_inputs():
    tables = _tables()
    with pytest.raises(ValueError, match="'C9' was not found in column 'customer_id' of any table"):
        forget_customer(tables, "C9", key=KEY, as_of="2025-12-31")
    with pytest.raises(ValueError, match="`customer_id` is missing"):
        forget_customer(tables, None, key=KEY, as_of="2025-12-31")
    with pytest.raises(ValueError, match="`customer_id` is missing"):
        forget_customer(tables, np.nan, key=KEY, as_of="2025-12-31")
    with pytest.raises(TypeError, match="`customer_id` must be a str or int"):
        forget_customer(tables, ["C1"], key=KEY, as_of="2025-12-31")
    with pytest.raises(ValueError, match="`key` is required"):
        forget_customer(tables, "C1", key=None, as_of="2025-12-31")
    with pytest.raises(ValueError, match="`key` is empty"):
        forget_customer(tables, "C1", key="", as_of="2025-12-31")
    with pytest.raises(ValueError, match="`as_of` must be a date"):
        forget_customer(tables, "C1", key=KEY, as_of="soon")
    with pytest.raises(ValueError, match="`tables` is empty"):
        forget_customer({}, "C1", key=KEY, as_of="2025-12-31")
    with pytest.raises(TypeError, match="`tables` must be a mapping"):
        forget_customer([tables["customers"]], "C1", key=KEY, as_of="2025-12-31")
    with pytest.raises(TypeError, match=r"`tables\['customers'\]` must be a pandas DataFrame"):
        forget_customer({"customers": [1, 2]}, "C1", key=KEY, as_of="2025-12-31")
    with pytest.raises(KeyError, match="Column 'person_id' not found in any table"):
        forget_customer(tables, "C1", key=KEY, as_of="2025-12-31", customer_col="person_id")
    broken = {**tables, "order_items": tables["order_items"].rename(columns={"order_id": "order"})}
    with pytest.raises(KeyError,
                       match=r"Column 'order_id' not found in `tables\['order_items'\]`\. Available columns: 'order'"):
        forget_customer(broken, "C1", key=KEY, as_of="2025-12-31")
    orphan = {"customers": tables["customers"], "order_items": tables["order_items"]}
    with pytest.raises(ValueError, match=r"Cannot find the person's rows in \['order_items'\]"):
        forget_customer(orphan, "C1", key=KEY, as_of="2025-12-31")
    with pytest.raises(ValueError, match="three strings"):
        forget_customer(tables, "C1", key=KEY, as_of="2025-12-31", cascade=[("orders", "order_id")])
    with pytest.raises(TypeError, match="`cascade` must be a sequence"):
        forget_customer(tables, "C1", key=KEY, as_of="2025-12-31", cascade="orders")
    assert DEFAULT_CASCADE[0] == ("order_items", "order_id", "orders")


def test_forget_customer_on_the_default_world(world):
    tables = world.tables()
    person = "C0000191"
    kept, audit = forget_customer(tables, person, key=KEY, as_of="2025-12-31")
    removed = dict(zip(audit.tables, audit.rows_removed))
    orders = tables["orders"]
    their_orders = orders.loc[orders["customer_id"] == person, "order_id"]
    assert removed["orders"] == len(their_orders) > 0
    assert removed["order_items"] == tables["order_items"]["order_id"].isin(their_orders).sum() > 0
    assert removed["products"] == removed["stores"] == removed["campaigns"] == 0
    for name, original in tables.items():
        after = kept[name]
        assert len(after) + removed[name] == len(original)
        assert content_hash(after) == content_hash(original.loc[after.index])
        for col in after.columns:
            if pd.api.types.is_string_dtype(after[col].dtype):
                assert not (after[col] == person).any(), (name, col)
