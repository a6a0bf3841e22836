"""Boundary checks shared by every public function in :mod:`opsutils`.

Each ``require_*`` function either returns quietly (``None`` or the validated,
normalised value) or raises an exception whose message says what was passed
and what is allowed, in the spirit of seaborn's and narwhals' error messages.
Public functions call these at their boundary so that trainees get one clear
sentence instead of a deep pandas traceback.

Conventions
-----------
* ``TypeError``  -- the argument has the wrong kind of object.
* ``KeyError``   -- a required column is absent.
* ``ValueError`` -- the object has the right kind but an unusable value
  (empty frame, wrong dtype, missing values, out of range, unknown option).
* ``name`` is the argument's name as the caller knows it (``"orders"``); it is
  shown in backticks in every message.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "require_frame",
    "require_columns",
    "require_datetime",
    "require_numeric",
    "require_no_missing",
    "require_option",
    "require_in_range",
    "require_positive_int",
    "require_timestamp",
    "require_transactions",
    "require_path_table",
    "require_binary",
    "require_sample",
    "require_time_series",
    "require_1d",
    "require_text",
]


# --------------------------------------------------------------------------- #
# Formatting helpers (private)
# --------------------------------------------------------------------------- #
def _type_name(value: Any) -> str:
    """Short, readable name of the type of ``value`` (``"list"``, ``"DataFrame"``)."""
    return type(value).__name__


def _fmt_scalar(value: Any) -> str:
    """Format a value for a message: strings quoted, numpy scalars unwrapped."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return repr(value)
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


def _fmt_list(values: Iterable[Any]) -> str:
    """``'a', 'b', 'c'`` -- every value formatted with :func:`_fmt_scalar`."""
    return ", ".join(_fmt_scalar(v) for v in values)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n} {word}"


def _column_label(column: Any, name: str) -> str:
    return f"Column {_fmt_scalar(column)} of `{name}`"


# --------------------------------------------------------------------------- #
# DataFrame checks
# --------------------------------------------------------------------------- #
def require_frame(df: Any, *, name: str = "data") -> None:
    """Check that ``df`` is a non-empty pandas DataFrame.

    Parameters
    ----------
    df : object
        The object passed by the caller.
    name : str, default "data"
        Argument name used in the error message.

    Raises
    ------
    TypeError
        If ``df`` is not a :class:`pandas.DataFrame`.
    ValueError
        If ``df`` has zero rows.

    Examples
    --------
    >>> import pandas as pd
    >>> require_frame(pd.DataFrame({"amount": [1.0]}), name="orders")
    >>> require_frame([1, 2], name="orders")
    Traceback (most recent call last):
    ...
    TypeError: `orders` must be a pandas DataFrame, got list.
    """
    if not isinstance(df, pd.DataFrame):
        extra = ""
        if isinstance(df, pd.Series):
            extra = " Turn a Series into a frame with .to_frame() or .reset_index()."
        raise TypeError(f"`{name}` must be a pandas DataFrame, got {_type_name(df)}.{extra}")
    if len(df) == 0:
        raise ValueError(f"`{name}` is empty (0 rows); pass at least one row.")


def require_columns(df: pd.DataFrame, columns: Any, *, name: str = "data") -> None:
    """Check that every column in ``columns`` exists in ``df``.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to inspect.
    columns : str or iterable of str
        One column name or several.
    name : str, default "data"
        Argument name used in the error message.

    Raises
    ------
    KeyError
        Naming each missing column and listing the columns that exist.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["C1"], "amount": [10.0]})
    >>> require_columns(orders, ["customer_id", "amount"], name="orders")
    >>> require_columns(orders, "order_ts", name="orders")
    Traceback (most recent call last):
    ...
    KeyError: "Column 'order_ts' not found in `orders`. Available columns: 'customer_id', 'amount'."
    """
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
        columns = [columns]
    existing = list(df.columns)
    missing = [c for c in columns if c not in existing]
    if missing:
        label = "Column" if len(missing) == 1 else "Columns"
        raise KeyError(
            f"{label} {_fmt_list(missing)} not found in `{name}`. "
            f"Available columns: {_fmt_list(existing) if existing else '(none)'}."
        )


def require_datetime(df: pd.DataFrame, column: str, *, name: str = "data") -> None:
    """Check that ``df[column]`` is a datetime64 column without NaT.

    Any resolution (``ns``, ``us``, ``s`` ...) and both tz-naive and tz-aware
    columns are accepted.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to inspect.
    column : str
        Name of the timestamp column.
    name : str, default "data"
        Argument name used in the error message.

    Raises
    ------
    KeyError
        If the column does not exist.
    ValueError
        If the column is not datetime64, or contains missing timestamps (NaT).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_ts": pd.to_datetime(["2025-01-02"])})
    >>> require_datetime(orders, "order_ts", name="orders")
    >>> require_datetime(orders.astype({"order_ts": str}), "order_ts", name="orders")
    Traceback (most recent call last):
    ...
    ValueError: Column 'order_ts' of `orders` must be datetime64, got str. Convert it with pandas.to_datetime().
    """
    require_columns(df, [column], name=name)
    series = df[column]
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        raise ValueError(
            f"{_column_label(column, name)} must be datetime64, got {series.dtype}. "
            "Convert it with pandas.to_datetime()."
        )
    n_missing = int(series.isna().sum())
    if n_missing:
        raise ValueError(
            f"{_column_label(column, name)} has {_plural(n_missing, 'missing timestamp')} (NaT); "
            "drop or fill them first."
        )


def _is_real_numeric_dtype(dtype: Any) -> bool:
    """Numeric for our purposes: int/float (numpy or nullable), not bool, not complex."""
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def require_numeric(
    df: pd.DataFrame,
    column: str,
    *,
    name: str = "data",
    allow_negative: bool = True,
    allow_nan: bool = False,
) -> None:
    """Check that ``df[column]`` holds real numbers.

    Booleans are *not* numeric here: a ``True``/``False`` flag passed where an
    amount is expected is almost always a mistake.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to inspect.
    column : str
        Name of the numeric column.
    name : str, default "data"
        Argument name used in the error message.
    allow_negative : bool, default True
        If False, negative values raise.
    allow_nan : bool, default False
        If False, missing values (NaN / NA) raise.

    Raises
    ------
    KeyError
        If the column does not exist.
    ValueError
        For a non-numeric dtype, missing values or negative values
        (depending on the flags).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"amount": [10.0, -5.0, -1.0]})
    >>> require_numeric(orders, "amount", name="orders")
    >>> require_numeric(orders, "amount", name="orders", allow_negative=False)
    Traceback (most recent call last):
    ...
    ValueError: Column 'amount' of `orders` has 2 negative values (min -5.0); values must be >= 0.
    """
    require_columns(df, [column], name=name)
    series = df[column]
    if not _is_real_numeric_dtype(series.dtype):
        raise ValueError(
            f"{_column_label(column, name)} must be numeric (int or float), got {series.dtype}."
            + (
                " Convert it with pandas.to_numeric()."
                if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object
                else ""
            )
        )
    n_missing = int(series.isna().sum())
    if n_missing and not allow_nan:
        raise ValueError(
            f"{_column_label(column, name)} has {_plural(n_missing, 'missing value')} (NaN); "
            "drop or fill them first."
        )
    if not allow_negative:
        negative = series < 0
        n_negative = int(negative.sum())
        if n_negative:
            low = float(series[negative].min())
            raise ValueError(
                f"{_column_label(column, name)} has {_plural(n_negative, 'negative value')} "
                f"(min {low!r}); values must be >= 0."
            )


def require_no_missing(df: pd.DataFrame, column: str, *, name: str = "data") -> None:
    """Check that an id column has no missing values (NaN / None / NA).

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to inspect.
    column : str
        Name of the id column.
    name : str, default "data"
        Argument name used in the error message.

    Raises
    ------
    KeyError
        If the column does not exist.
    ValueError
        If any value is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["C1", None]})
    >>> require_no_missing(orders, "customer_id", name="orders")
    Traceback (most recent call last):
    ...
    ValueError: Column 'customer_id' of `orders` has 1 missing value; every row needs an id.
    """
    require_columns(df, [column], name=name)
    n_missing = int(df[column].isna().sum())
    if n_missing:
        raise ValueError(
            f"{_column_label(column, name)} has {_plural(n_missing, 'missing value')}; "
            "every row needs an id."
        )


# --------------------------------------------------------------------------- #
# Scalar checks
# --------------------------------------------------------------------------- #
def require_option(value: Any, allowed: Iterable[Any], *, name: str) -> Any:
    """Check that ``value`` is one of ``allowed``.

    Parameters
    ----------
    value : object
        The value passed by the caller.
    allowed : iterable
        The permitted values, in the order they should be listed.
    name : str
        Argument name used in the error message.

    Returns
    -------
    object
        ``value``, unchanged.

    Raises
    ------
    ValueError
        If ``value`` is not in ``allowed``.

    Examples
    --------
    >>> require_option("last", ("first", "last", "linear"), name="model")
    'last'
    >>> require_option("frist", ("first", "last", "linear"), name="model")
    Traceback (most recent call last):
    ...
    ValueError: `model` must be one of 'first', 'last', 'linear'; got 'frist'.
    """
    options: Sequence[Any] = tuple(allowed)
    found = False
    value_is_bool = isinstance(value, (bool, np.bool_))
    for option in options:
        if value_is_bool != isinstance(option, (bool, np.bool_)):
            continue  # True must not match the option 1, nor 1 the option True
        try:
            found = bool(value == option)
        except (TypeError, ValueError):  # e.g. an array compared with a string
            found = False
        if found:
            break
    if not found:
        raise ValueError(f"`{name}` must be one of {_fmt_list(options)}; got {_fmt_scalar(value)}.")
    return value


def _range_text(
    low: float | None, high: float | None, low_inclusive: bool, high_inclusive: bool
) -> str:
    if low is not None and high is not None:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        return f"in {left}{_fmt_scalar(low)}, {_fmt_scalar(high)}{right}"
    if low is not None:
        return f"{'>=' if low_inclusive else '>'} {_fmt_scalar(low)}"
    if high is not None:
        return f"{'<=' if high_inclusive else '<'} {_fmt_scalar(high)}"
    return "a finite number"


def require_in_range(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Any:
    """Check that ``value`` is a finite real number within bounds.

    Parameters
    ----------
    value : int or float
        The number passed by the caller (python or numpy; not bool).
    name : str
        Argument name used in the error message.
    low, high : float, optional
        Lower and upper bounds; ``None`` means unbounded on that side.
    low_inclusive, high_inclusive : bool, default True
        Whether each bound itself is allowed.

    Returns
    -------
    int or float
        ``value``, unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (strings, bools, None ...).
    ValueError
        If ``value`` is NaN or infinite, or outside the bounds.

    Examples
    --------
    >>> require_in_range(0.8, name="power", low=0, high=1, low_inclusive=False, high_inclusive=False)
    0.8
    >>> require_in_range(1.2, name="power", low=0, high=1, low_inclusive=False, high_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: `power` must be in (0, 1); got 1.2.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a real number, got {_type_name(value)} {_fmt_scalar(value)}."
        )
    if not math.isfinite(float(value)):
        raise ValueError(f"`{name}` must be a finite number; got {_fmt_scalar(value)}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        rng = _range_text(low, high, low_inclusive, high_inclusive)
        raise ValueError(f"`{name}` must be {rng}; got {_fmt_scalar(value)}.")
    return value


def require_positive_int(value: Any, *, name: str, minimum: int = 1) -> int:
    """Check that ``value`` is an integer ``>= minimum``.

    Python and numpy integers are accepted; bools and floats (even ``3.0``)
    are rejected.

    Parameters
    ----------
    value : int
        The number passed by the caller.
    name : str
        Argument name used in the error message.
    minimum : int, default 1
        Smallest allowed value.

    Returns
    -------
    int
        ``value`` as a python ``int``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value < minimum``.

    Examples
    --------
    >>> import numpy as np
    >>> require_positive_int(np.int64(3), name="n_bins")
    3
    >>> require_positive_int(0, name="n_bins")
    Traceback (most recent call last):
    ...
    ValueError: `n_bins` must be an integer >= 1; got 0.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer, got {_type_name(value)} {_fmt_scalar(value)}."
        )
    if value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}; got {_fmt_scalar(value)}.")
    return int(value)


def require_timestamp(value: Any, *, name: str) -> pd.Timestamp:
    """Convert ``value`` to a :class:`pandas.Timestamp`, or raise a clear error.

    Strings, ``datetime``/``date`` objects, ``numpy.datetime64`` and
    Timestamps are accepted. Bare numbers are rejected (``pandas.Timestamp(2025)``
    would silently mean 2025 nanoseconds after 1970).

    Parameters
    ----------
    value : str, datetime-like
        The date or timestamp passed by the caller.
    name : str
        Argument name used in the error message.

    Returns
    -------
    pandas.Timestamp
        The converted value.

    Raises
    ------
    ValueError
        If ``value`` cannot be converted, or converts to NaT.

    Examples
    --------
    >>> require_timestamp("2025-12-31", name="as_of")
    Timestamp('2025-12-31 00:00:00')
    >>> require_timestamp("yesterday", name="as_of")
    Traceback (most recent call last):
    ...
    ValueError: `as_of` must be a date or timestamp such as '2025-12-31'; got 'yesterday'.
    """
    message = f"`{name}` must be a date or timestamp such as '2025-12-31'; got {_fmt_scalar(value)}."
    if isinstance(value, (bool, np.bool_, numbers.Number)):
        raise ValueError(message)
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(message) from exc
    if pd.isna(ts):
        raise ValueError(message)
    return ts


# --------------------------------------------------------------------------- #
# Composite checks
# --------------------------------------------------------------------------- #
def require_transactions(
    df: Any,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None = None,
    name: str = "orders",
) -> None:
    """Check a transaction table: non-empty, ids present, timestamps datetime64, amounts >= 0.

    The common entry check of every function that reads orders (RFM, CLV summaries, cohorts ...).

    Parameters
    ----------
    df : object
        The frame passed by the caller.
    customer_col, date_col : str
        Customer id and timestamp columns (required, no missing values).
    amount_col : str, optional
        Amount column, checked as numeric and non-negative when given.
    name : str, default "orders"
        Argument name used in the error message.

    Raises
    ------
    TypeError, KeyError, ValueError
        As :func:`require_frame`, :func:`require_columns`, :func:`require_no_missing`,
        :func:`require_datetime` and :func:`require_numeric`.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["C1"], "order_ts": pd.to_datetime(["2025-01-02"]),
    ...                        "amount": [-3.0]})
    >>> require_transactions(orders, customer_col="customer_id", date_col="order_ts")
    >>> require_transactions(orders, customer_col="customer_id", date_col="order_ts", amount_col="amount")
    Traceback (most recent call last):
    ...
    ValueError: Column 'amount' of `orders` has 1 negative value (min -3.0); values must be >= 0.
    """
    require_frame(df, name=name)
    require_columns(df, [customer_col, date_col] + ([amount_col] if amount_col is not None else []), name=name)
    require_no_missing(df, customer_col, name=name)
    require_datetime(df, date_col, name=name)
    if amount_col is not None:
        require_numeric(df, amount_col, name=name, allow_negative=False)


# Separators people use in path exports; a path table that holds one of these but not `sep` was written
# with a different separator (single-channel paths contain no separator at all, so that is fine).
_PATH_SEPARATORS = (">", "|", ",", "→", ";")


def require_path_table(
    df: Any,
    *,
    path_col: str,
    count_cols: Sequence[str],
    sep: Any,
    name: str = "paths",
) -> None:
    """Check an aggregated path table: path strings such as ``"douyin > app"`` and counts >= 0.

    Parameters
    ----------
    df : object
        The frame passed by the caller.
    path_col : str
        Column of paths (strings, no missing values).
    count_cols : sequence of str
        Count columns (conversions, nulls ...), numeric and non-negative.
    sep : str
        The channel separator: must be a non-blank string.
    name : str, default "paths"
        Argument name used in the error message.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["douyin > app"], "conversions": [3]})
    >>> require_path_table(paths, path_col="path", count_cols=["conversions"], sep=">")
    >>> require_path_table(paths, path_col="path", count_cols=["conversions"], sep=" ")
    Traceback (most recent call last):
    ...
    ValueError: `sep` must be a non-blank string such as '>'; got ' '.
    >>> require_path_table(paths, path_col="path", count_cols=["conversions"], sep="|")
    Traceback (most recent call last):
    ...
    ValueError: `sep` is '|', but no path in column 'path' of `paths` contains it, while some contain '>' (e.g. 'douyin > app'); pass sep='>'. (If every path is a single channel whose name contains '>', rename those channels first.)
    """
    require_frame(df, name=name)
    require_columns(df, [path_col, *count_cols], name=name)
    require_no_missing(df, path_col, name=name)
    for col in count_cols:
        require_numeric(df, col, name=name, allow_negative=False)
    if not isinstance(sep, str) or not sep.strip():
        raise ValueError(f"`sep` must be a non-blank string such as '>'; got {_fmt_scalar(sep)}.")
    if pd.api.types.infer_dtype(df[path_col], skipna=False) != "string":
        raise ValueError(f"{_column_label(path_col, name)} must hold strings such as 'douyin > app'.")
    paths = df[path_col]
    if len(paths) and not paths.str.contains(sep, regex=False).any():
        found = [other for other in _PATH_SEPARATORS if other != sep
                 and paths.str.contains(other, regex=False).any()]
        if found:
            example = paths[paths.str.contains(found[0], regex=False)].iloc[0]
            raise ValueError(
                f"`sep` is {sep!r}, but no path in column {_fmt_scalar(path_col)} of `{name}` contains it, while "
                f"some contain {found[0]!r} (e.g. {example!r}); pass sep={found[0]!r}. (If every path is a "
                f"single channel whose name contains {found[0]!r}, rename those channels first.)"
            )


# --------------------------------------------------------------------------- #
# Flags, samples and time series
# --------------------------------------------------------------------------- #
def require_binary(df: pd.DataFrame, column: str, *, name: str = "data") -> np.ndarray:
    """Check that ``df[column]`` is a 0/1 (or True/False) flag without missing values.

    Used for treatment indicators, before/after flags and conversion flags. Booleans (numpy or
    nullable) and numbers that are all 0 or 1 are accepted; anything else raises.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame to inspect.
    column : str
        Name of the flag column.
    name : str, default "data"
        Argument name used in the error message.

    Returns
    -------
    numpy.ndarray
        The flag as a new int64 array of 0 and 1 (the frame is not modified).

    Raises
    ------
    KeyError
        If the column does not exist.
    ValueError
        If the column has missing values, is not bool or numeric, or holds values other than 0 and 1.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"treated": [True, False], "post": [0, 2]})
    >>> require_binary(panel, "treated", name="panel")
    array([1, 0])
    >>> require_binary(panel, "post", name="panel")
    Traceback (most recent call last):
    ...
    ValueError: Column 'post' of `panel` must be binary (True/False or 0/1); it also holds 2.
    """
    require_columns(df, [column], name=name)
    series = df[column]
    n_missing = int(series.isna().sum())
    if n_missing:
        raise ValueError(
            f"{_column_label(column, name)} has {_plural(n_missing, 'missing value')} (NaN); "
            "a binary flag must be 0/1 (or True/False) on every row."
        )
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64)
    if not _is_real_numeric_dtype(series.dtype):
        raise ValueError(
            f"{_column_label(column, name)} must be binary (True/False or 0/1), got dtype {series.dtype}."
        )
    bad = sorted(set(pd.unique(series).tolist()) - {0, 1})
    if bad:
        shown = _fmt_list(bad[:3]) + (", ..." if len(bad) > 3 else "")
        raise ValueError(f"{_column_label(column, name)} must be binary (True/False or 0/1); it also holds {shown}.")
    return series.to_numpy(dtype=np.int64)


def require_sample(values: Any, *, name: str, min_size: int = 2) -> np.ndarray:
    """Check a one-dimensional sample of numbers and return it as a new float array.

    Lists, tuples, numpy arrays and pandas Series are accepted (a Series' index is dropped: callers
    that pair two samples must align them first). Booleans count as 0/1.

    Parameters
    ----------
    values : array-like
        The sample passed by the caller.
    name : str
        Argument name used in the error message.
    min_size : int, default 2
        Smallest number of values allowed.

    Returns
    -------
    numpy.ndarray
        A float64 copy of the values: the caller's data are never touched.

    Raises
    ------
    TypeError
        If ``values`` is a DataFrame, a string, a scalar or None.
    ValueError
        If the values are not one-dimensional, not numbers, fewer than ``min_size``, or contain
        NaN or infinite values.

    Examples
    --------
    >>> require_sample([1, 2, 4], name="revenue")
    array([1., 2., 4.])
    >>> require_sample([1.0, float("nan")], name="revenue")
    Traceback (most recent call last):
    ...
    ValueError: `revenue` has 1 missing or infinite value; drop or fill them first.
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"`{name}` must be one column of values (a Series, array or list), got a DataFrame.")
    if isinstance(values, (str, bytes)) or np.isscalar(values) or values is None:
        raise TypeError(
            f"`{name}` must be a sequence of numbers (a Series, array or list), got {_type_name(values)}."
        )
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional; got an array of shape {arr.shape}.")
    if arr.dtype == bool:
        arr = arr.astype(float)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"`{name}` must hold numbers, got values of dtype {arr.dtype}.")
    arr = arr.astype(float)  # a copy, even when the input is already float
    if len(arr) < min_size:
        raise ValueError(f"`{name}` has {_plural(len(arr), 'value')}; at least {min_size} are needed.")
    n_bad = int((~np.isfinite(arr)).sum())
    if n_bad:
        raise ValueError(
            f"`{name}` has {_plural(n_bad, 'missing or infinite value')}; drop or fill them first."
        )
    return arr


def _wall_clock(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Local wall-clock times: a daily series across a daylight-saving change has steps of 23 and 25 h."""
    return index.tz_localize(None) if index.tz is not None else index


def _is_calendar_regular(index: pd.DatetimeIndex) -> bool:
    """Equal steps in wall-clock time, or whole months apart on the same day (or every month end)."""
    clock = _wall_clock(index)
    steps = np.diff(clock.asi8)
    if (steps == steps[0]).all():
        return True
    months = np.diff(np.asarray(clock.year) * 12 + np.asarray(clock.month))
    same_day = bool((clock.day == clock.day[0]).all() or clock.is_month_end.all())
    same_time = bool((clock - clock.normalize() == clock[0] - clock[0].normalize()).all())
    return same_day and same_time and months[0] > 0 and bool((months == months[0]).all())


def require_time_series(series: Any, *, name: str = "series", min_length: int = 1) -> pd.Series:
    """Check a numeric Series on a sorted, regularly spaced DatetimeIndex without gaps or NaN.

    Regular means equal steps in local wall-clock time (so a daily series across a daylight-saving change
    is regular), or whole months apart on the same day of the month or on every month end (monthly,
    quarterly, yearly data).

    The entry check of functions that read a KPI as a daily (or weekly ...) series. Missing days are
    rejected, not filled: whether a missing day means 0 (a count) or unknown (a rate) is the caller's
    decision.

    Parameters
    ----------
    series : pandas.Series
        The series passed by the caller.
    name : str, default "series"
        Argument name used in the error message.
    min_length : int, default 1
        Smallest number of values allowed.

    Returns
    -------
    pandas.Series
        ``series``, unchanged (not a copy).

    Raises
    ------
    TypeError
        If ``series`` is not a Series.
    ValueError
        For an empty or non-numeric (or boolean) series, an index that is not a DatetimeIndex,
        duplicate or unsorted dates, missing values, irregular spacing (missing periods), or fewer
        than ``min_length`` values.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-04"])
    >>> require_time_series(pd.Series([5.0, 6.0, 7.0], index=days), name="orders")
    Traceback (most recent call last):
    ...
    ValueError: `orders` is not regularly spaced: 1 missing period (first gap after 2025-01-02). Missing days are not filled silently: reindex, e.g. series.asfreq('D', fill_value=0) for a daily count.
    >>> len(require_time_series(pd.Series([5.0, 6.0], index=days[:2]), name="orders"))
    2
    """
    if not isinstance(series, pd.Series):
        extra = " Pick one column, e.g. df['orders']." if isinstance(series, pd.DataFrame) else ""
        raise TypeError(f"`{name}` must be a pandas Series, got {_type_name(series)}.{extra}")
    if len(series) == 0:
        raise ValueError(f"`{name}` is empty (0 values); pass at least {min_length} values.")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(
            f"`{name}` must have a DatetimeIndex (one value per day), got {_type_name(series.index)}. "
            "Set the dates as the index, e.g. series.index = pd.to_datetime(dates)."
        )
    if not _is_real_numeric_dtype(series.dtype):
        raise ValueError(f"`{name}` must be numeric (int or float), got {series.dtype}.")
    if series.index.has_duplicates:
        first = series.index[series.index.duplicated()][0]
        raise ValueError(f"`{name}` has duplicate dates (first {first.date()}); aggregate to one value per day.")
    if not series.index.is_monotonic_increasing:
        raise ValueError(f"`{name}` must be sorted by date; call series.sort_index() first.")
    n_missing = int(series.isna().sum())
    if n_missing:
        first = series.index[series.isna().to_numpy()][0]
        raise ValueError(
            f"`{name}` has {_plural(n_missing, 'missing value')} (NaN, first on {first.date()}); fill them "
            "(e.g. with 0 for a count) or drop the series' gaps explicitly."
        )
    if len(series) >= 2 and not _is_calendar_regular(series.index):
        steps = np.diff(_wall_clock(series.index).asi8)
        values, counts = np.unique(steps, return_counts=True)
        step = int(values[np.argmax(counts)])  # the usual step
        gaps = steps != step
        if gaps.any():
            after = series.index[:-1][gaps][0]
            if np.all(steps[gaps] % step == 0):
                n_gaps = int(np.sum(steps[gaps] // step - 1))
                raise ValueError(
                    f"`{name}` is not regularly spaced: {_plural(n_gaps, 'missing period')} "
                    f"(first gap after {after.date()}). Missing days are not filled silently: reindex, e.g. "
                    "series.asfreq('D', fill_value=0) for a daily count."
                )
            unit = series.index.unit
            raise ValueError(
                f"`{name}` is not regularly spaced: the usual step is {pd.Timedelta(step, unit=unit)}, but the "
                f"dates after {after} are {pd.Timedelta(int(steps[gaps][0]), unit=unit)} apart, not a whole "
                "number of steps. "
                "Put the series on one frequency first, e.g. series.resample('D').sum()."
            )
    if len(series) < min_length:
        raise ValueError(f"`{name}` has {len(series)} values; at least {min_length} are needed.")
    return series


# --------------------------------------------------------------------------- #
# One-dimensional inputs (a column of values: Series, list, array)
# --------------------------------------------------------------------------- #
def require_1d(values: Any, *, name: str = "values", what: str = "values") -> pd.Series:
    """Return ``values`` as a new one-dimensional Series (a Series keeps its index and name).

    Parameters
    ----------
    values : object
        What the caller passed: a Series, list, tuple, 1-D array or Index.
    name : str, default "values"
        Argument name used in the error message.
    what : str, default "values"
        What the values are, in the plural ("phone numbers"), for the error message.

    Returns
    -------
    pandas.Series
        A copy; the input is never modified.

    Raises
    ------
    TypeError
        For a DataFrame, a multi-dimensional array, or a scalar (including a single string).

    Examples
    --------
    >>> require_1d(["a", "b"]).tolist()
    ['a', 'b']
    >>> require_1d("13912345678", what="phone numbers")
    Traceback (most recent call last):
    ...
    TypeError: `values` must be a Series, list or array of phone numbers, got str; wrap a single value in a list.
    """
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"`{name}` must be one column (a Series, list or array), got a DataFrame; "
                        f"pass the column of {what}.")
    if isinstance(values, pd.Series):
        return values.copy()
    if isinstance(values, (np.ndarray, pd.Index)):
        if values.ndim != 1:
            raise TypeError(f"`{name}` must be one-dimensional, got an array of shape {values.shape}.")
        return pd.Series(values)
    if isinstance(values, Iterable) and not isinstance(values, (str, bytes, dict)):
        return pd.Series(list(values))
    raise TypeError(f"`{name}` must be a Series, list or array of {what}, got {type(values).__name__}; "
                    f"wrap a single value in a list.")


def require_text(values: Any, *, name: str = "values", what: str = "values") -> pd.Series:
    """Return ``values`` as a new text Series (dtype ``str``, NaN for missing); floats and booleans are refused.

    Identifiers such as phone numbers read as floats have already lost leading zeros and gained ``.0``:
    they are refused rather than repaired.

    Parameters
    ----------
    values, name, what
        As in :func:`require_1d`.

    Returns
    -------
    pandas.Series
        dtype ``str``; the input is never modified.

    Raises
    ------
    TypeError
        As :func:`require_1d`.
    ValueError
        If the values are floats or booleans.

    Examples
    --------
    >>> require_text([" 139 1234 5678", None]).tolist()
    [' 139 1234 5678', nan]
    >>> require_text([13912345678.0], what="phone numbers")
    Traceback (most recent call last):
    ...
    ValueError: `values` holds floats (dtype float64); phone numbers stored as floats lose leading zeros and digits and gain '.0'. Read the column as text (e.g. dtype=str in pandas.read_csv).
    """
    series = require_1d(values, name=name, what=what)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"`{name}` holds booleans (dtype {dtype}); pass the {what} themselves.")
    if pd.api.types.is_float_dtype(dtype):
        raise ValueError(
            f"`{name}` holds floats (dtype {dtype}); {what} stored as floats lose leading zeros and digits "
            "and gain '.0'. Read the column as text (e.g. dtype=str in pandas.read_csv)."
        )
    return series.astype("str")
