"""Tests for opsutils.quality: the checklist report on hand-made frames and on the default world,
the pandera schemas of the world's tables, and every bad-input path."""

import copy

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from opsutils.quality import (CHECKS, DEFAULT_TARGETS, REPORT_COLUMNS, SCHEMAS, defect_flags, phone_is_valid,
                              quality_report, validate_table)
from opsutils.synth import SCHEMA, TABLE_NAMES

T0 = pd.Timestamp("2025-03-01 09:00")


def _crm(n=10):
    """n clean records: valid phones, addresses, syncs within 1 hour, unique ids."""
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "name": [f"name{i}" for i in range(n)],
        "phone": [f"138{i:08d}" for i in range(n)],
        "address": [f"street {i}" for i in range(n)],
        "source": ["sync"] * n,
        "updated_ts": pd.Series([T0] * n, dtype="datetime64[us]"),
        "synced_ts": pd.Series([T0 + pd.Timedelta("1h")] * n, dtype="datetime64[us]"),
    })


def _rates(report):
    return report.set_index("check")["rate"].to_dict()


# --------------------------------------------------------------------------- #
# quality_report on hand-made frames: each dimension
# --------------------------------------------------------------------------- #
def test_clean_frame_passes_every_check():
    report = quality_report(_crm(), _crm())
    assert list(report.columns) == list(REPORT_COLUMNS)
    assert list(report["check"]) == list(CHECKS)
    assert list(report["dimension"]) == list(CHECKS.values())
    assert (report["failing_rows"] == 0).all() and report["passed"].all()
    assert report["target"].tolist() == [DEFAULT_TARGETS[c] for c in CHECKS]
    assert report.dtypes["failing_rows"] == "int64" and report.dtypes["passed"] == bool


def test_completeness_counts_missing_and_blank_addresses():
    crm = _crm(10)
    crm.loc[[1, 2], "address"] = None
    crm.loc[3, "address"] = "   "
    row = quality_report(crm).set_index("check").loc["address_missing"]
    assert (row["failing_rows"], row["rows"], row["rate"]) == (3, 10, pytest.approx(0.3))
    assert row["column"] == "address" and not row["passed"]


def test_completeness_target_boundary_passes():
    crm = _crm(100)
    crm.loc[:2, "address"] = None  # 3 of 100 = exactly the 3% target
    row = quality_report(crm).set_index("check").loc["address_missing"]
    assert row["rate"] == pytest.approx(0.03) and row["passed"]


@pytest.mark.parametrize("phone, valid", [
    ("13812345678", True), ("+86 138 1234 5678", True), ("138-1234-5678", True), ("008613812345678", True),
    ("8613812345678", True), ("1381234567", False), ("138123456789", False), ("1381O345678", False),
    ("12812345678", False), ("23812345678", False), ("", False), (None, False),
])
def test_phone_rule_cn(phone, valid):
    assert phone_is_valid(pd.Series([phone], dtype=object)).tolist() == [valid]


@pytest.mark.parametrize("phone, valid", [
    ("(415) 555-0134", True), ("+1 415 555 0134", True), ("415-555-0134", True), ("4155550134", True),
    ("415-555-013", False), ("(015) 555-0134", False), ("138123456789", False),
])
def test_phone_rule_us(phone, valid):
    assert phone_is_valid(pd.Series([phone]), region="US").tolist() == [valid]


def test_accuracy_counts_malformed_phones():
    crm = _crm(8)
    crm.loc[0, "phone"] = "1381234567"      # a digit short
    crm.loc[1, "phone"] = "1381O345678"     # letter O for zero
    crm.loc[2, "phone"] = "138-1234-5678"   # dashed: valid format
    row = quality_report(crm).set_index("check").loc["phone_invalid"]
    assert (row["failing_rows"], row["rows"], row["rate"]) == (2, 8, pytest.approx(0.25))


def test_consistency_compares_latest_names_of_shared_ids():
    crm, erp = _crm(4), _crm(4)
    erp.loc[0, "name"] = "other"             # a real mismatch
    erp.loc[1, "name"] = " name1 "           # only spaces differ: not a mismatch
    erp = erp.drop(index=3)                  # id only in the CRM: not compared
    # an older CRM record of C0000002 with another name: the latest record wins
    old = crm.iloc[[2]].assign(name="old name", updated_ts=T0 - pd.Timedelta("30D"))
    crm = pd.concat([old, crm], ignore_index=True)
    row = quality_report(crm, erp).set_index("check").loc["name_mismatch"]
    assert (row["failing_rows"], row["rows"]) == (1, 3)
    assert row["dimension"] == "consistency" and row["column"] == "name"


def test_consistency_is_skipped_without_erp():
    assert "name_mismatch" not in set(quality_report(_crm())["check"])


def test_timeliness_uses_strictly_more_than_four_hours():
    crm = _crm(10)
    crm.loc[0, "synced_ts"] = T0 + pd.Timedelta("4h")          # exactly 4 h: on time
    crm.loc[1, "synced_ts"] = T0 + pd.Timedelta("4h 1min")     # late
    crm.loc[2, "synced_ts"] = T0 + pd.Timedelta("2D")          # late
    report = quality_report(crm)
    row = report.set_index("check").loc["sync_late"]
    assert (row["failing_rows"], row["rate"], row["column"]) == (2, pytest.approx(0.2), "synced_ts")
    assert _rates(quality_report(crm, max_delay="1D"))["sync_late"] == pytest.approx(0.1)


def test_uniqueness_counts_extra_copies():
    crm = _crm(6)
    crm = pd.concat([crm, crm.iloc[[0, 0, 3]]], ignore_index=True)  # 3 extra records of 2 ids
    row = quality_report(crm).set_index("check").loc["duplicate_id"]
    assert (row["failing_rows"], row["rows"]) == (3, 9)
    flags = defect_flags(crm)
    assert flags["duplicate_id"].tolist() == [False] * 6 + [True] * 3


def test_targets_override_and_passed_flag():
    crm = _crm(10)
    crm.loc[0, "address"] = None
    default = quality_report(crm).set_index("check")
    relaxed = quality_report(crm, targets={"address_missing": 0.1}).set_index("check")
    assert not default.loc["address_missing", "passed"]
    assert relaxed.loc["address_missing", "passed"] and relaxed.loc["address_missing", "target"] == 0.1
    assert relaxed.loc["phone_invalid", "target"] == DEFAULT_TARGETS["phone_invalid"]


def test_checks_can_be_skipped():
    report = quality_report(_crm().drop(columns=["address", "updated_ts", "synced_ts"]),
                            address_col=None, updated_col=None, synced_col=None)
    assert list(report["check"]) == ["phone_invalid", "duplicate_id"]


def test_custom_column_names():
    crm = _crm().rename(columns={"customer_id": "cid", "phone": "mobile", "address": "addr",
                                 "updated_ts": "u", "synced_ts": "s", "name": "nm"})
    erp = crm[["cid", "nm"]]
    report = quality_report(crm, erp, id_col="cid", phone_col="mobile", address_col="addr", name_col="nm",
                            updated_col="u", synced_col="s")
    assert report["passed"].all() and len(report) == 5
    assert report.set_index("check").loc["phone_invalid", "column"] == "mobile"


def test_flags_keep_the_index():
    crm = _crm(5).set_index(pd.Index([10, 20, 30, 40, 50]))
    flags = defect_flags(crm)
    assert flags.index.tolist() == [10, 20, 30, 40, 50]
    assert list(flags.columns) == ["address_missing", "phone_invalid", "sync_late", "duplicate_id"]
    assert all(dtype == bool for dtype in flags.dtypes)


def test_inputs_are_not_mutated():
    crm, erp = _crm(6), _crm(6)
    crm.loc[0, "address"] = None
    erp.loc[1, "name"] = "x"
    before_crm, before_erp = copy.deepcopy(crm), copy.deepcopy(erp)
    quality_report(crm, erp, targets={"sync_late": 0.1})
    defect_flags(crm)
    phone_is_valid(crm["phone"])
    pd.testing.assert_frame_equal(crm, before_crm)
    pd.testing.assert_frame_equal(erp, before_erp)


# --------------------------------------------------------------------------- #
# quality_report on the default world: the planted defects
# --------------------------------------------------------------------------- #
def test_default_world_matches_planted_defects(world):
    crm, erp = world.crm_customers, world.erp_customers
    truth = world.truth["data_quality"]
    rates = _rates(quality_report(crm, erp))
    assert rates["address_missing"] == pytest.approx(truth["address_missing_rate_realised"], abs=0.005)
    assert rates["phone_invalid"] == pytest.approx(truth["malformed_phone_rate_realised"], abs=0.005)
    assert rates["name_mismatch"] == pytest.approx(truth["name_mismatch_rate_realised"], abs=0.002)
    assert rates["sync_late"] == pytest.approx(truth["late_sync_share_realised"], abs=0.01)
    report = quality_report(crm, erp).set_index("check")
    assert report.loc["duplicate_id", "failing_rows"] == truth["duplicate_records"]["crm"]
    assert quality_report(erp).set_index("check").loc["duplicate_id", "failing_rows"] == \
        truth["duplicate_records"]["erp"]
    assert not report["passed"].any()  # every planted defect is above its target


def test_default_world_manual_source_completeness(world):
    crm = world.crm_customers
    truth = world.truth["data_quality"]
    manual = quality_report(crm[crm["source"] == "manual"]).set_index("check")
    synced = quality_report(crm[crm["source"] == "sync"]).set_index("check")
    assert 1 - manual.loc["address_missing", "rate"] == pytest.approx(
        truth["address_completeness_manual_realised"], abs=0.01)
    assert 1 - synced.loc["address_missing", "rate"] > 0.98
    assert manual.loc["phone_invalid", "rate"] > 4 * synced.loc["phone_invalid", "rate"]


# --------------------------------------------------------------------------- #
# Bad inputs
# --------------------------------------------------------------------------- #
def test_not_a_frame():
    with pytest.raises(TypeError, match="`crm` must be a pandas DataFrame"):
        quality_report([1, 2])
    with pytest.raises(TypeError, match="`crm` must be a pandas DataFrame"):
        quality_report("x", _crm())
    with pytest.raises(TypeError, match="`erp` must be a pandas DataFrame"):
        quality_report(_crm(), erp="x")
    with pytest.raises(TypeError, match="`phones` must be a pandas Series"):
        phone_is_valid(["13812345678"])
    with pytest.raises(ValueError, match="holds floats"):
        phone_is_valid(pd.Series([13812345678.0]))


def test_empty_frames():
    with pytest.raises(ValueError, match="`crm` is empty"):
        quality_report(_crm().iloc[:0])
    with pytest.raises(ValueError, match="`erp` is empty"):
        quality_report(_crm(), _crm().iloc[:0])
    with pytest.raises(ValueError, match="`crm` is empty"):
        defect_flags(_crm().iloc[:0])


@pytest.mark.parametrize("column", ["customer_id", "address", "phone", "updated_ts", "synced_ts"])
def test_missing_column(column):
    with pytest.raises(KeyError, match=f"Column '{column}' not found in `crm`. Available columns: "):
        quality_report(_crm().drop(columns=column))


def test_missing_name_columns_with_erp():
    with pytest.raises(KeyError, match="Column 'name' not found in `crm`"):
        quality_report(_crm().drop(columns="name"), _crm())
    with pytest.raises(KeyError, match="Column 'name' not found in `erp`"):
        quality_report(_crm(), _crm().drop(columns="name"))


def test_nan_ids():
    crm = _crm()
    crm.loc[0, "customer_id"] = None
    with pytest.raises(ValueError, match="Column 'customer_id' of `crm` has 1 missing value"):
        quality_report(crm)
    with pytest.raises(ValueError, match="Column 'customer_id' of `erp` has 1 missing value"):
        quality_report(_crm(), crm)


def test_bad_timestamps():
    crm = _crm()
    with pytest.raises(ValueError, match="Column 'synced_ts' of `crm` must be datetime64"):
        quality_report(crm.astype({"synced_ts": str}))
    nat = crm.copy()
    nat.loc[0, "updated_ts"] = pd.NaT
    with pytest.raises(ValueError, match="Column 'updated_ts' of `crm` has 1 missing timestamp"):
        quality_report(nat)
    with pytest.raises(ValueError, match="Pass both `updated_col` and `synced_col`"):
        quality_report(crm, synced_col=None)


def test_unknown_options():
    with pytest.raises(ValueError, match="`region` must be one of 'CN', 'US'; got 'FR'"):
        quality_report(_crm(), region="FR")
    with pytest.raises(ValueError, match="`region` must be one of 'CN', 'US'; got 'cn'"):
        phone_is_valid(_crm()["phone"], region="cn")
    with pytest.raises(ValueError, match="`targets key` must be one of 'address_missing'.*got 'address'"):
        quality_report(_crm(), targets={"address": 0.1})
    with pytest.raises(ValueError, match=r"`targets\['sync_late'\]` must be in \[0, 1\]; got 5"):
        quality_report(_crm(), targets={"sync_late": 5})
    with pytest.raises(TypeError, match="`targets` must be a dict"):
        quality_report(_crm(), targets=[0.1])
    with pytest.raises(ValueError, match="`max_delay` must be a duration such as '4h'; got 'soon'"):
        quality_report(_crm(), max_delay="soon")
    with pytest.raises(ValueError, match="`max_delay` must be a duration >= 0"):
        quality_report(_crm(), max_delay="-1h")


# --------------------------------------------------------------------------- #
# Schemas
# --------------------------------------------------------------------------- #
def test_every_table_has_a_schema_with_its_columns_and_dtypes():
    assert set(SCHEMAS) == set(TABLE_NAMES) == set(SCHEMA)
    for table, columns in SCHEMA.items():
        schema = SCHEMAS[table]
        assert list(schema.columns) == list(columns)
        assert schema.name == table


def test_keys_are_unique_and_crm_ids_are_not():
    assert SCHEMAS["orders"].columns["order_id"].unique
    assert not SCHEMAS["orders"].columns["order_id"].nullable
    assert not SCHEMAS["crm_customers"].columns["customer_id"].unique  # duplicates are a quality defect
    assert SCHEMAS["tickets"].columns["csat"].nullable                  # "missing when not rated"
    assert SCHEMAS["orders"].columns["store_id"].nullable


def test_default_world_tables_validate(world):
    for table in TABLE_NAMES:
        frame = getattr(world, table)
        validated = validate_table(frame, table)
        pd.testing.assert_frame_equal(validated, frame)


def _failures(df, name):
    with pytest.raises(pa.errors.SchemaErrors) as info:
        validate_table(df, name)
    return info.value


@pytest.mark.parametrize("table, column, value, check", [
    ("orders", "channel", "wechat", "isin"),
    ("orders", "status", "lost", "isin"),
    ("orders", "n_items", 0, "greater_than_or_equal_to(1)"),
    ("customers", "city_tier", 4, "isin([1, 2, 3])"),
    ("surveys", "nps", 11, "in_range(0, 10)"),
    ("surveys", "csat", 0, "in_range(1, 5)"),
    ("crm_customers", "source", "import", "isin"),
    ("events", "event_type", "hover", "isin"),
])
def test_corrupted_values_fail_with_the_named_check(world, table, column, value, check):
    bad = getattr(world, table).head(200).copy()
    bad.loc[bad.index[:3], column] = value
    err = _failures(bad, table)
    cases = err.failure_cases
    hit = cases[cases["column"] == column]
    assert len(hit) == 3
    assert hit["check"].str.contains(check, regex=False).all()
    assert column in str(err)


def test_negative_amount_fails_two_checks(world):
    bad = world.orders.head(100).copy()
    bad.loc[bad.index[0], "amount"] = -10.0
    cases = _failures(bad, "orders").failure_cases
    assert set(cases["check"]) == {"greater_than_or_equal_to(0)", "amount_equals_gross_minus_discount"}


def test_duplicate_key_missing_key_and_bad_id_format(world):
    bad = world.customers.head(50).copy()
    bad.loc[bad.index[1], "customer_id"] = bad.loc[bad.index[0], "customer_id"]
    bad.loc[bad.index[2], "customer_id"] = None
    bad.loc[bad.index[3], "customer_id"] = "X123"
    checks = set(_failures(bad, "customers").failure_cases["check"])
    assert {"field_uniqueness", "not_nullable"} <= checks
    assert any(c.startswith("str_matches") for c in checks)


def test_row_rules(world):
    crm = world.crm_customers.head(20).copy()
    crm.loc[crm.index[0], "synced_ts"] = crm.loc[crm.index[0], "updated_ts"] - pd.Timedelta("1h")
    assert "synced_ts_not_before_updated_ts" in set(_failures(crm, "crm_customers").failure_cases["check"])
    exp = world.campaign_exposures
    holdout = exp[exp["group"] == "holdout"].head(5).copy()
    holdout.loc[holdout.index[0], "opened"] = True
    cases = _failures(holdout, "campaign_exposures").failure_cases
    assert "holdout_never_opened_or_clicked" in set(cases["check"])


def test_compound_key(world):
    items = world.order_items.head(10)
    doubled = pd.concat([items, items.head(1)], ignore_index=True)
    assert "multiple_fields_uniqueness" in set(_failures(doubled, "order_items").failure_cases["check"])


def test_missing_column_and_wrong_dtype(world):
    orders = world.orders.head(20)
    missing = _failures(orders.drop(columns="amount"), "orders").failure_cases
    assert "column_in_dataframe" in set(missing["check"])
    cases = _failures(orders.astype({"amount": str}), "orders").failure_cases
    assert cases["check"].str.startswith("dtype(").any()


def test_eager_validation_raises_first_error(world):
    bad = world.orders.head(20).copy()
    bad.loc[bad.index[0], "channel"] = "wechat"
    with pytest.raises(pa.errors.SchemaError, match="channel"):
        validate_table(bad, "orders", lazy=False)


def test_validate_table_bad_inputs(world):
    orders = world.orders.head(5)
    before = copy.deepcopy(orders)
    with pytest.raises(ValueError, match="`name` must be one of 'customers'.*got 'order'"):
        validate_table(orders, "order")
    with pytest.raises(ValueError, match="`lazy` must be one of True, False; got 'yes'"):
        validate_table(orders, "orders", lazy="yes")
    with pytest.raises(ValueError, match="`df` is empty"):
        validate_table(orders.iloc[:0], "orders")
    with pytest.raises(TypeError, match="`df` must be a pandas DataFrame, got list"):
        validate_table([1], "orders")
    validate_table(orders, "orders")
    pd.testing.assert_frame_equal(orders, before)


def test_small_world_validates(small_world):
    for table in TABLE_NAMES:
        validate_table(getattr(small_world, table), table)
    report = quality_report(small_world.crm_customers, small_world.erp_customers)
    assert report["rate"].between(0, 1).all() and np.isfinite(report["rate"]).all()
