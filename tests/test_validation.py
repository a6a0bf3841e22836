"""Tests for opsutils._validation: every error path and the happy paths."""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from opsutils import _validation as v


@pytest.fixture
def orders():
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "amount": [10.0, 20.5, 0.0],
            "order_ts": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"]),
        }
    )


def test_all_is_complete():
    public = {n for n in dir(v) if n.startswith("require_")}
    assert public == set(v.__all__)


# --------------------------------------------------------------------------- #
# require_frame
# --------------------------------------------------------------------------- #
def test_require_frame_ok(orders):
    assert v.require_frame(orders, name="orders") is None


@pytest.mark.parametrize(
    ("obj", "type_name"),
    [([1, 2], "list"), ({"a": [1]}, "dict"), (None, "NoneType"), (np.zeros(3), "ndarray")],
)
def test_require_frame_wrong_type(obj, type_name):
    with pytest.raises(TypeError, match=rf"^`orders` must be a pandas DataFrame, got {type_name}\.$"):
        v.require_frame(obj, name="orders")


def test_require_frame_series_gets_a_tip(orders):
    with pytest.raises(TypeError, match=r"got Series\. .*to_frame"):
        v.require_frame(orders["amount"], name="orders")


def test_require_frame_empty(orders):
    with pytest.raises(ValueError, match=r"^`orders` is empty \(0 rows\); pass at least one row\.$"):
        v.require_frame(orders.iloc[0:0], name="orders")


def test_require_frame_default_name():
    with pytest.raises(TypeError, match=r"^`data` must be"):
        v.require_frame("x")


# --------------------------------------------------------------------------- #
# require_columns
# --------------------------------------------------------------------------- #
def test_require_columns_ok(orders):
    assert v.require_columns(orders, ["customer_id", "amount"], name="orders") is None
    assert v.require_columns(orders, "amount", name="orders") is None
    assert v.require_columns(orders, (), name="orders") is None


def test_require_columns_one_missing():
    df = pd.DataFrame({"customer_id": ["C1"], "amount": [1.0]})
    expected = "Column 'order_ts' not found in `orders`. Available columns: 'customer_id', 'amount'."
    with pytest.raises(KeyError, match=re.escape(expected)) as info:
        v.require_columns(df, "order_ts", name="orders")
    assert info.value.args[0] == expected


def test_require_columns_several_missing(orders):
    with pytest.raises(KeyError, match=r"Columns 'a', 'b' not found in `orders`\. Available columns: 'customer_id'"):
        v.require_columns(orders, ["a", "amount", "b"], name="orders")


def test_require_columns_no_columns_at_all():
    with pytest.raises(KeyError, match=r"Available columns: \(none\)"):
        v.require_columns(pd.DataFrame(), ["x"])


# --------------------------------------------------------------------------- #
# require_datetime
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s"])
def test_require_datetime_any_unit(orders, unit):
    df = orders.assign(order_ts=orders["order_ts"].astype(f"datetime64[{unit}]"))
    assert v.require_datetime(df, "order_ts", name="orders") is None


def test_require_datetime_tz_aware(orders):
    df = orders.assign(order_ts=orders["order_ts"].dt.tz_localize("Asia/Shanghai"))
    assert v.require_datetime(df, "order_ts", name="orders") is None


def test_require_datetime_wrong_dtype(orders):
    df = orders.assign(order_ts=orders["order_ts"].astype(str))
    expected = (
        "Column 'order_ts' of `orders` must be datetime64, got str. "
        "Convert it with pandas.to_datetime()."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        v.require_datetime(df, "order_ts", name="orders")


def test_require_datetime_nat(orders):
    df = orders.copy()
    df.loc[[0, 2], "order_ts"] = pd.NaT
    with pytest.raises(
        ValueError,
        match=r"^Column 'order_ts' of `orders` has 2 missing timestamps \(NaT\); drop or fill them first\.$",
    ):
        v.require_datetime(df, "order_ts", name="orders")


def test_require_datetime_missing_column(orders):
    with pytest.raises(KeyError, match="Column 'ts' not found in `orders`"):
        v.require_datetime(orders, "ts", name="orders")


# --------------------------------------------------------------------------- #
# require_numeric
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("dtype", ["int64", "float32", "Int64", "Float64", "uint8"])
def test_require_numeric_ok(dtype):
    df = pd.DataFrame({"amount": [1, 2, 3]}).astype({"amount": dtype})
    assert v.require_numeric(df, "amount", allow_negative=False) is None


def test_require_numeric_negative_allowed_by_default():
    assert v.require_numeric(pd.DataFrame({"x": [-1.0, 2.0]}), "x") is None


@pytest.mark.parametrize(
    ("values", "dtype_name"),
    [(["1", "2"], "str"), ([True, False], "bool"), ([1 + 1j, 2j], "complex128")],
)
def test_require_numeric_wrong_dtype(values, dtype_name):
    df = pd.DataFrame({"amount": values})
    with pytest.raises(
        ValueError, match=rf"^Column 'amount' of `orders` must be numeric \(int or float\), got {dtype_name}\."
    ):
        v.require_numeric(df, "amount", name="orders")


def test_require_numeric_string_suggests_to_numeric():
    with pytest.raises(ValueError, match=r"pandas\.to_numeric"):
        v.require_numeric(pd.DataFrame({"amount": ["1"]}), "amount")


def test_require_numeric_nan():
    df = pd.DataFrame({"amount": [1.0, np.nan, np.nan, 3.0]})
    with pytest.raises(ValueError, match=r"^Column 'amount' of `orders` has 2 missing values \(NaN\)"):
        v.require_numeric(df, "amount", name="orders")
    assert v.require_numeric(df, "amount", name="orders", allow_nan=True) is None


def test_require_numeric_nullable_na():
    df = pd.DataFrame({"amount": pd.array([1, None], dtype="Int64")})
    with pytest.raises(ValueError, match=r"has 1 missing value \(NaN\)"):
        v.require_numeric(df, "amount")


def test_require_numeric_negative():
    df = pd.DataFrame({"amount": [10.0, -5.0, -1.0, np.nan]})
    expected = "Column 'amount' of `orders` has 2 negative values (min -5.0); values must be >= 0."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        v.require_numeric(df, "amount", name="orders", allow_negative=False, allow_nan=True)


def test_require_numeric_negative_int():
    df = pd.DataFrame({"qty": [1, -3]})
    with pytest.raises(ValueError, match=r"has 1 negative value \(min -3\.0\)"):
        v.require_numeric(df, "qty", allow_negative=False)


def test_require_numeric_missing_column(orders):
    with pytest.raises(KeyError, match="Column 'price' not found"):
        v.require_numeric(orders, "price", name="orders")


# --------------------------------------------------------------------------- #
# require_no_missing
# --------------------------------------------------------------------------- #
def test_require_no_missing_ok(orders):
    assert v.require_no_missing(orders, "customer_id", name="orders") is None


def test_require_no_missing_raises():
    df = pd.DataFrame({"customer_id": ["C1", None, np.nan, pd.NA, None, "C2"]})
    expected = "Column 'customer_id' of `orders` has 4 missing values; every row needs an id."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        v.require_no_missing(df, "customer_id", name="orders")


def test_require_no_missing_missing_column(orders):
    with pytest.raises(KeyError, match="Column 'id' not found"):
        v.require_no_missing(orders, "id")


# --------------------------------------------------------------------------- #
# require_option
# --------------------------------------------------------------------------- #
def test_require_option_ok():
    assert v.require_option("last", ["first", "last", "linear"], name="model") == "last"
    assert v.require_option(2, range(5), name="k") == 2


def test_require_option_generator_allowed():
    assert v.require_option("b", (c for c in "abc"), name="letter") == "b"


def test_require_option_bad():
    expected = "`model` must be one of 'first', 'last', 'linear'; got 'frist'."
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        v.require_option("frist", ("first", "last", "linear"), name="model")


def test_require_option_bool_is_not_one():
    with pytest.raises(ValueError, match=r"must be one of 0, 1; got True\."):
        v.require_option(True, (0, 1), name="flag")


def test_require_option_unhashable_and_array_values():
    with pytest.raises(ValueError, match=r"got \['a'\]"):
        v.require_option(["a"], ("a", "b"), name="x")
    with pytest.raises(ValueError, match="must be one of 'a', 'b'"):
        v.require_option(np.array(["a", "b"]), ("a", "b"), name="x")


# --------------------------------------------------------------------------- #
# require_in_range
# --------------------------------------------------------------------------- #
def test_require_in_range_ok():
    assert v.require_in_range(0.5, name="p", low=0, high=1) == 0.5
    assert v.require_in_range(0, name="p", low=0, high=1) == 0
    assert v.require_in_range(np.float32(0.2), name="p", low=0) == np.float32(0.2)
    assert v.require_in_range(-3, name="x") == -3


@pytest.mark.parametrize(
    ("kwargs", "value", "text"),
    [
        ({"low": 0, "high": 1, "low_inclusive": False, "high_inclusive": False}, 1.2, "in (0, 1); got 1.2."),
        ({"low": 0, "high": 1, "low_inclusive": False, "high_inclusive": False}, 0, "in (0, 1); got 0."),
        ({"low": 0, "high": 1}, -0.1, "in [0, 1]; got -0.1."),
        ({"low": 0, "high": 1, "high_inclusive": False}, 1, "in [0, 1); got 1."),
        ({"low": 0}, -1, ">= 0; got -1."),
        ({"low": 0, "low_inclusive": False}, 0, "> 0; got 0."),
        ({"high": 10}, 11, "<= 10; got 11."),
        ({"high": 10, "high_inclusive": False}, 10, "< 10; got 10."),
        ({"low": 0}, np.float64(-2.5), ">= 0; got -2.5."),
    ],
)
def test_require_in_range_out_of_bounds(kwargs, value, text):
    with pytest.raises(ValueError, match=f"^`power` must be {re.escape(text)}$"):
        v.require_in_range(value, name="power", **kwargs)


@pytest.mark.parametrize("value", ["0.5", None, True, np.bool_(False), [0.5], 1 + 2j])
def test_require_in_range_not_a_number(value):
    with pytest.raises(TypeError, match=r"^`power` must be a real number, got "):
        v.require_in_range(value, name="power", low=0, high=1)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -np.inf])
def test_require_in_range_not_finite(value):
    with pytest.raises(ValueError, match=r"^`power` must be a finite number; got"):
        v.require_in_range(value, name="power")


# --------------------------------------------------------------------------- #
# require_positive_int
# --------------------------------------------------------------------------- #
def test_require_positive_int_ok():
    assert v.require_positive_int(3, name="n") == 3
    out = v.require_positive_int(np.int64(7), name="n")
    assert out == 7 and type(out) is int
    assert v.require_positive_int(0, name="n", minimum=0) == 0


@pytest.mark.parametrize("value", [True, 3.0, "3", None, np.float64(2)])
def test_require_positive_int_type(value):
    with pytest.raises(TypeError, match=r"^`n` must be an integer, got "):
        v.require_positive_int(value, name="n")


def test_require_positive_int_below_minimum():
    with pytest.raises(ValueError, match=r"^`n` must be an integer >= 1; got 0\.$"):
        v.require_positive_int(0, name="n")
    with pytest.raises(ValueError, match=r"^`n` must be an integer >= 2; got 1\.$"):
        v.require_positive_int(np.int32(1), name="n", minimum=2)


# --------------------------------------------------------------------------- #
# require_timestamp
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "value",
    ["2025-12-31", dt.date(2025, 12, 31), dt.datetime(2025, 12, 31), np.datetime64("2025-12-31"),
     pd.Timestamp("2025-12-31")],
)
def test_require_timestamp_ok(value):
    out = v.require_timestamp(value, name="as_of")
    assert isinstance(out, pd.Timestamp)
    assert out == pd.Timestamp("2025-12-31")


def test_require_timestamp_keeps_timezone():
    out = v.require_timestamp("2025-12-31 08:00+08:00", name="as_of")
    assert out.tz is not None


@pytest.mark.parametrize(
    ("value", "shown"),
    [("yesterday", "'yesterday'"), ("2025-13-01", "'2025-13-01'"), (None, "None"), ("", "''"),
     (pd.NaT, "NaT"), (2025, "2025"), (True, "True"), (float("nan"), "nan"), ([2025, 1, 1], r"\[2025, 1, 1\]")],
)
def test_require_timestamp_bad(value, shown):
    with pytest.raises(
        ValueError, match=rf"^`as_of` must be a date or timestamp such as '2025-12-31'; got {shown}\.$"
    ):
        v.require_timestamp(value, name="as_of")


# --------------------------------------------------------------------------- #
# require_transactions
# --------------------------------------------------------------------------- #
def _orders():
    return pd.DataFrame({"customer_id": ["C1", "C2"], "order_ts": pd.to_datetime(["2025-01-02", "2025-01-03"]),
                         "amount": [10.0, 0.0]})


def test_require_transactions_accepts_a_valid_table():
    v.require_transactions(_orders(), customer_col="customer_id", date_col="order_ts", amount_col="amount")


@pytest.mark.parametrize("df, kwargs, exc, match", [
    (_orders().iloc[0:0], {}, ValueError, "`orders` is empty"),
    (_orders().drop(columns="order_ts"), {}, KeyError, "Column 'order_ts' not found in `orders`"),
    (_orders().assign(customer_id=["C1", None]), {}, ValueError, "1 missing value; every row needs an id"),
    (_orders().assign(order_ts=["x", "y"]), {}, ValueError, "must be datetime64"),
    (_orders().assign(amount=[1.0, -2.0]), {"amount_col": "amount"}, ValueError, "1 negative value"),
    (_orders(), {"amount_col": "paid", "name": "sales"}, KeyError, "Column 'paid' not found in `sales`"),
])
def test_require_transactions_errors(df, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        v.require_transactions(df, customer_col="customer_id", date_col="order_ts", **kwargs)


# --------------------------------------------------------------------------- #
# require_path_table
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("df, kwargs, exc, match", [
    (pd.DataFrame({"path": [], "conversions": []}), {}, ValueError, "`paths` is empty"),
    (pd.DataFrame({"path": ["a > b"]}), {}, KeyError, "Column 'conversions' not found in `paths`"),
    (pd.DataFrame({"path": [None], "conversions": [1]}), {}, ValueError, "missing value"),
    (pd.DataFrame({"path": ["a"], "conversions": [-1]}), {}, ValueError, "negative"),
    (pd.DataFrame({"path": [1], "conversions": [1]}), {}, ValueError, "must hold strings"),
    (pd.DataFrame({"path": ["a"], "conversions": [1]}), {"sep": ""}, ValueError, "`sep` must be a non-blank"),
])
def test_require_path_table_errors(df, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        v.require_path_table(df, **{"path_col": "path", "count_cols": ["conversions"], "sep": ">", **kwargs})


# --------------------------------------------------------------------------- #
# require_binary
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("values", [
    [True, False, True], [1, 0, 1], [1.0, 0.0, 1.0], pd.array([1, 0, 1], dtype="Int64"),
    pd.array([True, False, True], dtype="boolean"), np.array([1, 0, 1], dtype=np.uint8),
])
def test_require_binary_ok(values):
    df = pd.DataFrame({"flag": values})
    before = df.copy()
    out = v.require_binary(df, "flag", name="panel")
    assert isinstance(out, np.ndarray) and out.dtype == np.int64
    assert out.tolist() == [1, 0, 1]
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("values, exc, match", [
    ([1, 0, 2], ValueError, r"^Column 'flag' of `panel` must be binary \(True/False or 0/1\); it also holds 2\.$"),
    ([5, 0, 2, 3, -1, 1], ValueError, r"it also holds -1, 2, 3, \.\.\.\.$"),
    ([0.5, 0.0, 1.0], ValueError, r"it also holds 0\.5\.$"),
    (["yes", "no", "yes"], ValueError, r"^Column 'flag' of `panel` must be binary \(True/False or 0/1\), got dtype"),
    ([1.0, np.nan, 0.0], ValueError, r"^Column 'flag' of `panel` has 1 missing value \(NaN\); a binary flag"),
    ([True, None, None], ValueError, r"has 2 missing values \(NaN\)"),
])
def test_require_binary_errors(values, exc, match):
    with pytest.raises(exc, match=match):
        v.require_binary(pd.DataFrame({"flag": values}), "flag", name="panel")


def test_require_binary_missing_column():
    with pytest.raises(KeyError, match=r"Column 'post' not found in `panel`\. Available columns: 'flag'"):
        v.require_binary(pd.DataFrame({"flag": [1, 0]}), "post", name="panel")


# --------------------------------------------------------------------------- #
# require_sample
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("values", [[1, 2, 3], (1.0, 2.0, 3.0), np.array([1, 2, 3], dtype=np.int32),
                                    pd.Series([1.0, 2.0, 3.0], index=list("cba"))])
def test_require_sample_ok(values):
    out = v.require_sample(values, name="a")
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0, 3.0]


def test_require_sample_returns_a_copy_and_counts_bools():
    arr = np.array([1.0, 2.0])
    out = v.require_sample(arr, name="a")
    out[0] = 99.0
    assert arr[0] == 1.0
    assert v.require_sample([True, False], name="a").tolist() == [1.0, 0.0]
    assert v.require_sample([3.0], name="a", min_size=1).tolist() == [3.0]


@pytest.mark.parametrize("values, kwargs, exc, match", [
    (pd.DataFrame({"x": [1, 2]}), {}, TypeError, r"^`a` must be one column of values .* got a DataFrame\.$"),
    ("12", {}, TypeError, r"^`a` must be a sequence of numbers .* got str\.$"),
    (5.0, {}, TypeError, r"got float"),
    (None, {}, TypeError, r"got NoneType"),
    ([[1.0, 2.0]], {}, ValueError, r"^`a` must be one-dimensional; got an array of shape \(1, 2\)\.$"),
    (["x", "y"], {}, ValueError, r"^`a` must hold numbers, got values of dtype <U1\.$"),
    ([1.0], {}, ValueError, r"^`a` has 1 value; at least 2 are needed\.$"),
    ([], {"min_size": 1}, ValueError, r"^`a` has 0 values; at least 1 are needed\.$"),
    ([1.0, np.nan, np.inf], {}, ValueError, r"^`a` has 2 missing or infinite values; drop or fill them first\.$"),
])
def test_require_sample_errors(values, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        v.require_sample(values, name="a", **kwargs)


# --------------------------------------------------------------------------- #
# require_time_series
# --------------------------------------------------------------------------- #
def _days(n=10, start="2025-01-01"):
    return pd.Series(np.arange(n, dtype=float), index=pd.date_range(start, periods=n, freq="D"))


def test_require_time_series_ok():
    s = _days()
    assert v.require_time_series(s, name="orders", min_length=10) is s
    weekly = pd.Series([1, 2, 3], index=pd.date_range("2025-01-06", periods=3, freq="W-MON"))
    assert v.require_time_series(weekly) is weekly          # any regular spacing
    # calendar frequencies whose steps differ in length: month starts, days across a daylight-saving change
    months = pd.Series(np.arange(30.0), index=pd.DatetimeIndex(list(pd.date_range("2023-01-01", periods=30, freq="MS"))))
    assert v.require_time_series(months) is months
    berlin = pd.Series(np.arange(60.0), index=pd.date_range("2025-03-01", periods=60, freq="D", tz="Europe/Berlin"))
    assert v.require_time_series(berlin) is berlin


@pytest.mark.parametrize("make, kwargs, exc, match", [
    (lambda s: s.tolist(), {}, TypeError, r"^`orders` must be a pandas Series, got list\.$"),
    (lambda s: s.to_frame("orders"), {}, TypeError, r"got DataFrame\. Pick one column"),
    (lambda s: s.iloc[:0], {"min_length": 3}, ValueError,
     r"^`orders` is empty \(0 values\); pass at least 3 values\.$"),
    (lambda s: s.reset_index(drop=True), {}, ValueError, r"must have a DatetimeIndex .* got RangeIndex"),
    (lambda s: s.astype(str), {}, ValueError, r"^`orders` must be numeric \(int or float\), got"),
    (lambda s: s > 3, {}, ValueError, r"must be numeric \(int or float\), got bool"),
    (lambda s: pd.concat([s, s.iloc[-1:]]), {}, ValueError, r"duplicate dates \(first 2025-01-10\)"),
    (lambda s: s.iloc[::-1], {}, ValueError, r"must be sorted by date"),
    (lambda s: s.where(s.index != "2025-01-03"), {}, ValueError,
     r"^`orders` has 1 missing value \(NaN, first on 2025-01-03\)"),
    (lambda s: s.drop(pd.to_datetime(["2025-01-04", "2025-01-05"])), {}, ValueError,
     r"not regularly spaced: 2 missing periods \(first gap after 2025-01-03\)"),
    (lambda s: s.set_axis(s.index[:3].append(s.index[3:] + pd.Timedelta(hours=12))), {}, ValueError,
     r"usual step is 1 days 00:00:00, but the dates after 2025-01-03 00:00:00 are 1 days 12:00:00 apart, "
     r"not a whole number of steps"),
    (lambda s: s, {"min_length": 11}, ValueError, r"^`orders` has 10 values; at least 11 are needed\.$"),
])
def test_require_time_series_errors(make, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        v.require_time_series(make(_days()), name="orders", **kwargs)


# --------------------------------------------------------------------------- #
# require_1d / require_text
# --------------------------------------------------------------------------- #
def test_require_1d_and_text_return_new_series():
    s = pd.Series(["a", None], index=[5, 7], name="phone")
    out = v.require_text(s)
    assert out is not s and list(out.index) == [5, 7] and out.name == "phone" and str(out.dtype) == "str"
    assert v.require_1d(np.array([1, 2])).tolist() == [1, 2]
    assert v.require_1d(pd.Index(["x"])).tolist() == ["x"]


@pytest.mark.parametrize("values, exc, match", [
    (pd.DataFrame({"a": ["x"]}), TypeError, r"must be one column .* got a DataFrame; pass the column of names\."),
    (np.array([["x"]]), TypeError, r"must be one-dimensional, got an array of shape \(1, 1\)"),
    ("x", TypeError, r"must be a Series, list or array of names, got str; wrap a single value in a list"),
    (3, TypeError, r"got int"),
    (pd.Series([1.0]), ValueError, r"holds floats \(dtype float64\); names stored as floats lose leading zeros"),
    (pd.Series([True]), ValueError, r"holds booleans \(dtype bool\); pass the names themselves"),
])
def test_require_text_errors(values, exc, match):
    with pytest.raises(exc, match=match):
        v.require_text(values, what="names")
