"""Reusable, tolerant answer checkers.

Each factory returns a checker: a callable ``checker(answer, expected)`` that
returns ``None`` when the answer is acceptable and raises
:class:`~opsutils.exercises.Incorrect` with a precise, trainee-friendly
message otherwise. Messages say *what* is off (too high, which column, which
key, which rows) without printing the expected value outright.

Pass a checker to :class:`~opsutils.exercises.Question` via ``checker=``;
without one, :func:`auto` picks a checker from the type of the expected value.

Examples
--------
>>> from opsutils.exercises import checkers, Incorrect
>>> check = checkers.close(rtol=0.01)
>>> check(0.415, 0.414)          # within 1 %: returns None
>>> try:
...     check(0.38, 0.414)
... except Incorrect as exc:
...     print(exc)
Your answer 0.38 is not within 1% of the expected value: it is too low.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from opsutils._validation import require_in_range
from opsutils.exercises._core import Incorrect

__all__ = ["close", "exact", "same_set", "one_of_sets", "frame_close", "dict_close", "auto"]

Checker = Callable[[Any, Any], None]

_MAX_ITEMS = 8  # items listed in a "missing: ..." message


# --------------------------------------------------------------------------- #
# Formatting helpers
# --------------------------------------------------------------------------- #
def _named(description: str) -> Callable[[Checker], Checker]:
    """Give a checker a readable name (shown in reprs and error traces)."""

    def deco(func: Checker) -> Checker:
        func.__name__ = func.__qualname__ = description
        return func

    return deco


def _fmt_num(x: Any) -> str:
    """Readable number: thousands separators, up to 6 significant digits."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "infinity" if x > 0 else "-infinity"
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.6g}"


def _fmt_item(x: Any) -> str:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, pd.Timestamp):
        return str(x.date()) if x == x.normalize() and x.tz is None else str(x)
    if isinstance(x, float):
        return _fmt_num(x)
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _fmt_items(items: Iterable[Any]) -> str:
    items = list(items)
    try:
        items = sorted(items, key=lambda v: (str(type(v)), v))
    except TypeError:
        pass
    shown = ", ".join(_fmt_item(v) for v in items[:_MAX_ITEMS])
    if len(items) > _MAX_ITEMS:
        shown += f" and {len(items) - _MAX_ITEMS} more"
    return shown


def _describe(value: Any) -> str:
    """Describe an answer's type for a message: "a str ('six')", "a DataFrame with 3 rows"."""
    if isinstance(value, pd.DataFrame):
        n_cols = value.shape[1]
        return f"a DataFrame with {len(value)} rows and {n_cols} column{'s' if n_cols != 1 else ''}"
    if isinstance(value, pd.Series):
        return f"a Series with {len(value)} values"
    if isinstance(value, np.ndarray):
        return f"an array with {value.size} values"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return f"a {type(value).__name__} with {len(value)} items"
    if value is None:
        return "None"
    return f"a {type(value).__name__} ({_fmt_item(value)})"


def _tolerance_text(rtol: float, atol: float) -> str:
    pct = f"{rtol * 100:g}%"
    if rtol > 0 and atol > 0:
        return f"{pct} (or \u00b1{_fmt_num(atol)})"
    if rtol > 0:
        return pct
    return f"\u00b1{_fmt_num(atol)}"


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_, complex, np.complexfloating))


def _scalar(answer: Any, *, what: str = "a single number") -> Any:
    """Unwrap a one-element container; raise Incorrect for collections of other sizes."""
    if isinstance(answer, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple)):
        size = answer.size if hasattr(answer, "size") else len(answer)
        if size == 1:
            if isinstance(answer, pd.DataFrame):
                return answer.iloc[0, 0]
            if isinstance(answer, (list, tuple)):
                return answer[0]
            return np.asarray(answer).ravel()[0] if not isinstance(answer, pd.Series) else answer.iloc[0]
        raise Incorrect(
            f"Your answer is {_describe(answer)}, but {what} is expected. "
            "Did you forget to aggregate, e.g. with .sum(), .mean() or .nunique()?"
        )
    return answer


def _number(answer: Any) -> float | int:
    """The answer as a real number, or Incorrect explaining why it is not one."""
    value = _scalar(answer)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        raise Incorrect(f"Your answer is {value} (a True/False value), but a number is expected.")
    if isinstance(value, str):
        raise Incorrect(f"Your answer is the text {value!r}, but a number is expected (no quotes).")
    if value is None or value is pd.NA or value is pd.NaT:
        raise Incorrect("Your answer is a missing value (None/NA), but a number is expected.")
    if not _is_number(value):
        raise Incorrect(f"Your answer is {_describe(value)}, but a number is expected.")
    return value


def _direction(a: float, e: float) -> str:
    return "too high" if a > e else "too low"


def _scale_hint(a: float, e: float, rtol: float) -> str:
    """Spot the classic share-vs-percentage and sign slips."""
    if e == 0 or a == 0:
        return ""
    ratio = a / e
    tol = max(rtol, 1e-9) * 2
    if abs(ratio - 100) <= 100 * tol:
        return (" It is about 100 times the expected value: did you give a percentage (e.g. 41)"
                " where a share (0.41) is expected?")
    if abs(ratio - 0.01) <= 0.01 * tol:
        return (" It is about 1/100 of the expected value: did you give a share (e.g. 0.41)"
                " where a percentage (41) is expected?")
    if abs(ratio + 1) <= tol:
        return " It has the wrong sign."
    return ""


def _num_close(a: float, e: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(e):
        return math.isnan(a) and math.isnan(e)
    if math.isinf(a) or math.isinf(e):
        return a == e
    return abs(a - e) <= atol + rtol * abs(e)


# --------------------------------------------------------------------------- #
# Scalars
# --------------------------------------------------------------------------- #
def close(rtol: float = 1e-2, atol: float = 0.0) -> Checker:
    """Checker for one number, accepted within a relative/absolute tolerance.

    The answer may be a python or numpy number, a 0-d array, or a container
    with exactly one value (one-element Series, 1 x 1 DataFrame). The answer
    ``a`` passes when ``|a - expected| <= atol + rtol * |expected|``.

    Parameters
    ----------
    rtol : float, default 0.01
        Relative tolerance (0.01 = 1 %).
    atol : float, default 0.0
        Absolute tolerance, useful when the expected value can be 0.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers, Incorrect
    >>> import pandas as pd
    >>> check = checkers.close()
    >>> check(pd.Series([0.4132]), 0.414)
    >>> try:
    ...     check(41.4, 0.414)
    ... except Incorrect as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    Your answer 41.4 is not within 1% of the expected value: it is too high. It is about 100 times ...
    """
    rtol = require_in_range(rtol, name="rtol", low=0)
    atol = require_in_range(atol, name="atol", low=0)
    if rtol == 0 and atol == 0:
        raise ValueError("`rtol` and `atol` are both 0; use checkers.exact() for exact comparisons.")
    tol_text = _tolerance_text(rtol, atol)

    @_named(f"close(rtol={rtol!r}, atol={atol!r})")
    def check(answer: Any, expected: Any) -> None:
        a = float(_number(answer))
        e = float(_number(expected))
        if _num_close(a, e, rtol, atol):
            return
        if math.isnan(a):
            raise Incorrect("Your answer is NaN (not a number). Look for missing values or a division by zero.")
        if math.isnan(e):
            raise Incorrect(f"Your answer {_fmt_num(a)} is not correct: the expected result is not a number (NaN).")
        raise Incorrect(
            f"Your answer {_fmt_num(a)} is not within {tol_text} of the expected value: "
            f"it is {_direction(a, e)}.{_scale_hint(a, e, rtol)}"
        )

    return check


def exact() -> Checker:
    """Checker for an exact answer: a whole number, a text or a True/False value.

    * whole numbers: numerically equal (``6``, ``np.int64(6)``, ``6.0`` pass);
    * strings: equal after stripping spaces, ignoring case;
    * bools: the answer must be a bool with the same value;
    * anything else: ``answer == expected``.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers, Incorrect
    >>> check = checkers.exact()
    >>> check(" Tmall ", "tmall")
    >>> try:
    ...     check(5, 6)
    ... except Incorrect as exc:
    ...     print(exc)
    Your answer 5 is not correct; it is too low.
    """

    @_named("exact()")
    def check(answer: Any, expected: Any) -> None:
        if isinstance(expected, np.generic):
            expected = expected.item()
        if isinstance(expected, bool):
            value = _scalar(answer, what="a single True/False value")
            if isinstance(value, np.bool_):
                value = bool(value)
            if not isinstance(value, bool):
                raise Incorrect(f"Your answer is {_describe(value)}, but True or False is expected.")
            if value != expected:
                raise Incorrect(f"Your answer {value} is not correct.")
            return
        if isinstance(expected, str):
            value = _scalar(answer, what="a single text value")
            if not isinstance(value, str):
                raise Incorrect(f"Your answer is {_describe(value)}, but a text (a string in quotes) is expected.")
            if value.strip().casefold() != expected.strip().casefold():
                raise Incorrect(f"Your answer {value.strip()!r} is not the expected text.")
            return
        if isinstance(expected, numbers.Integral):
            value = _number(answer)
            if isinstance(value, float) and not value.is_integer():
                raise Incorrect(f"Your answer {_fmt_num(value)} is not a whole number, but a whole number is expected.")
            if value != expected:
                raise Incorrect(f"Your answer {_fmt_num(value)} is not correct; it is {_direction(value, expected)}.")
            return
        value = _scalar(answer, what="a single value")
        try:
            same = bool(value == expected)
        except (TypeError, ValueError):
            same = False
        if not same:
            raise Incorrect(f"Your answer {_fmt_item(value)} is not correct.")

    return check


# --------------------------------------------------------------------------- #
# Collections
# --------------------------------------------------------------------------- #
class _NaN:
    """Stands for every missing value inside a collection (so NaN == NaN)."""

    def __repr__(self) -> str:
        return "NaN"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NaN)

    def __hash__(self) -> int:
        return 0


def _norm_item(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return _NaN()
    if isinstance(x, str):
        return x.strip().casefold()
    if isinstance(x, list):
        return tuple(_norm_item(v) for v in x)
    return x


def _items(answer: Any, *, role: str = "Your answer") -> list[Any]:
    """The elements of a list-like answer."""
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] == 1:
            return list(answer.iloc[:, 0])
        raise Incorrect(f"{role} is {_describe(answer)}, but a list of values is expected. Select one column.")
    if isinstance(answer, (str, bytes)) or isinstance(answer, Mapping) or not isinstance(answer, Iterable):
        raise Incorrect(f"{role} is {_describe(answer)}, but a collection of values (a list or set) is expected.")
    return list(answer)


def _set_diff(answer: list[Any], expected: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """(missing expected items, unexpected answer items, duplicated answer items)."""
    exp_map: dict[Any, Any] = {}
    for v in expected:
        exp_map.setdefault(_norm_item(v), v)
    ans_map: dict[Any, Any] = {}
    counts: dict[Any, int] = {}
    for v in answer:
        k = _norm_item(v)
        ans_map.setdefault(k, v)
        counts[k] = counts.get(k, 0) + 1
    missing = [v for k, v in exp_map.items() if k not in ans_map]
    extra = [v for k, v in ans_map.items() if k not in exp_map]
    expected_has_dups = len(exp_map) < len(expected)
    dups = [] if expected_has_dups else [ans_map[k] for k, n in counts.items() if n > 1]
    return missing, extra, dups


def _set_message(missing: list[Any], extra: list[Any], dups: list[Any]) -> str:
    parts = []
    if missing:
        parts.append(f"missing: {_fmt_items(missing)}")
    if extra:
        parts.append(f"unexpected: {_fmt_items(extra)}")
    if parts:
        return "Your answer does not contain the expected items; " + "; ".join(parts) + "."
    return f"Your answer lists some items more than once ({_fmt_items(dups)}); each should appear once."


def same_set() -> Checker:
    """Checker for an order-insensitive collection (list, set, tuple, array, Series).

    Strings are compared ignoring case and surrounding spaces; all missing
    values (None, NaN, NA) count as one item "NaN". Duplicates are an error
    unless the expected collection has duplicates itself.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers, Incorrect
    >>> check = checkers.same_set()
    >>> check(["web", "APP"], {"app", "web"})
    >>> try:
    ...     check(["app", "sms"], ["app", "web", "store"])
    ... except Incorrect as exc:
    ...     print(exc)
    Your answer does not contain the expected items; missing: 'store', 'web'; unexpected: 'sms'.
    """

    @_named("same_set()")
    def check(answer: Any, expected: Any) -> None:
        missing, extra, dups = _set_diff(_items(answer), _items(expected, role="The expected value"))
        if missing or extra or dups:
            raise Incorrect(_set_message(missing, extra, dups))

    return check


def one_of_sets() -> Checker:
    """Checker accepting any one of several acceptable collections.

    Use it when ties make more than one answer right: the ``expected`` value
    (returned by the solution) is a collection of acceptable collections,
    e.g. ``[{"app", "web"}, {"app", "store"}]``. Each is compared as in
    :func:`same_set`; the feedback describes the difference from the closest.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers, Incorrect
    >>> check = checkers.one_of_sets()
    >>> check({"store", "app"}, [{"app", "web"}, {"app", "store"}])
    >>> try:
    ...     check({"app"}, [{"app", "web"}, {"app", "store"}])
    ... except Incorrect as exc:
    ...     print(exc)
    Your answer does not contain the expected items; missing: 'web'.
    """

    @_named("one_of_sets()")
    def check(answer: Any, expected: Any) -> None:
        items = _items(answer)
        options = _items(expected, role="The expected value")
        if not options:
            raise ValueError("one_of_sets() needs at least one acceptable collection.")
        best = None
        for option in options:
            missing, extra, dups = _set_diff(items, _items(option, role="An acceptable answer"))
            if not (missing or extra or dups):
                return
            score = (len(missing) + len(extra), len(dups))
            if best is None or score < best[0]:
                best = (score, missing, extra, dups)
        assert best is not None
        raise Incorrect(_set_message(*best[1:]))

    return check


def dict_close(rtol: float = 1e-2, atol: float = 0.0) -> Checker:
    """Checker for a dict of numbers (e.g. ``{"app": 0.41, "web": 0.22}``).

    Keys must match exactly (missing and unexpected keys are named); numeric
    values are compared as in :func:`close`, other values with ``==``. A
    Series is accepted and read as ``{index: value}``.

    Parameters
    ----------
    rtol : float, default 0.01
        Relative tolerance for numeric values.
    atol : float, default 0.0
        Absolute tolerance for numeric values.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers, Incorrect
    >>> check = checkers.dict_close()
    >>> try:
    ...     check({"app": 0.50, "web": 0.22}, {"app": 0.41, "web": 0.22})
    ... except Incorrect as exc:
    ...     print(exc)
    The value for 'app' is not within 1% of the expected value: your 0.5 is too high.
    """
    rtol = require_in_range(rtol, name="rtol", low=0)
    atol = require_in_range(atol, name="atol", low=0)
    tol_text = _tolerance_text(rtol, atol) if (rtol or atol) else "exactly"

    @_named(f"dict_close(rtol={rtol!r}, atol={atol!r})")
    def check(answer: Any, expected: Any) -> None:
        if isinstance(answer, pd.Series):
            answer = answer.to_dict()
        if not isinstance(answer, Mapping):
            raise Incorrect(
                f"Your answer is {_describe(answer)}, but a dict such as {{'key': value, ...}} is expected."
            )
        missing = [k for k in expected if k not in answer]
        extra = [k for k in answer if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys: {_fmt_items(missing)}")
            if extra:
                parts.append(f"unexpected keys: {_fmt_items(extra)}")
            raise Incorrect("Your dict does not have the expected keys; " + "; ".join(parts) + ".")
        wrong = []
        for key, e in expected.items():
            a = answer[key]
            if _is_number(e):
                try:
                    a_num = float(_number(a))
                except Incorrect:
                    raise Incorrect(f"The value for {key!r} is {_describe(a)}, but a number is expected.") from None
                if not _num_close(a_num, float(e), rtol, atol):
                    wrong.append((key, a_num, float(e)))
            else:
                try:
                    same = bool(a == e) or (pd.api.types.is_scalar(a) and pd.isna(a) and pd.isna(e))
                except (TypeError, ValueError):
                    same = False
                if not same:
                    wrong.append((key, a, e))
        if wrong:
            key, a, e = wrong[0]
            if isinstance(a, float) and isinstance(e, float) and not (math.isnan(a) or math.isnan(e)):
                msg = (f"The value for {key!r} is not within {tol_text} of the expected value: "
                       f"your {_fmt_num(a)} is {_direction(a, e)}.")
            else:
                msg = f"The value for {key!r} is not correct (your value: {_fmt_item(a)})."
            if len(wrong) > 1:
                others = _fmt_items([k for k, _, _ in wrong[1:]])
                msg += f" Also check: {others}."
            raise Incorrect(msg)

    return check


# --------------------------------------------------------------------------- #
# DataFrames and Series
# --------------------------------------------------------------------------- #
def _is_labelled(index: pd.Index) -> bool:
    """Does the index carry meaning (row labels), or is it just row numbers?

    Named indexes (e.g. from groupby) and non-integer indexes carry meaning;
    an unnamed integer index is treated as row numbers and ignored.
    """
    if isinstance(index, pd.MultiIndex):
        return True
    if index.name is not None:
        return True
    return not pd.api.types.is_integer_dtype(index.dtype)


def _is_numeric_dtype(dtype: Any) -> bool:
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _label_text(index: pd.Index, pos: int) -> str:
    label = index[pos]
    names = list(index.names)
    if isinstance(index, pd.MultiIndex):
        if all(n is not None for n in names):
            return "for " + ", ".join(f"{n}={_fmt_item(v)}" for n, v in zip(names, label))
        return f"for row {_fmt_item(label)}"
    if names[0] is not None:
        return f"for {names[0]} {_fmt_item(label)}"
    return f"for row {_fmt_item(label)}"


def _values_equal(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Element-wise equality of two object arrays; missing == missing."""
    out = np.zeros(len(e), dtype=bool)
    for i, (x, y) in enumerate(zip(a, e)):
        x_na = pd.api.types.is_scalar(x) and pd.isna(x)
        y_na = pd.api.types.is_scalar(y) and pd.isna(y)
        if x_na or y_na:
            out[i] = x_na and y_na
            continue
        try:
            out[i] = bool(x == y)
        except (TypeError, ValueError):
            out[i] = False
    return out


def frame_close(
    rtol: float = 1e-2,
    check_order: bool = False,
    key: str | Iterable[str] | None = None,
    *,
    atol: float = 1e-8,
) -> Checker:
    """Checker for a DataFrame or Series answer, tolerant about form.

    What is accepted:

    * a Series where a one-column DataFrame is expected, and vice versa
      (the column name is then not checked);
    * row labels either as the index (e.g. straight from ``groupby``) or as
      columns (after ``reset_index()``);
    * any row order, unless ``check_order=True``: rows are matched by
      ``key`` columns, else by the expected index labels, else by the
      expected frame's non-numeric columns when they identify its rows
      (e.g. ``channel``), else by sorting both frames;
    * any column order.

    What is reported, in this order: wrong type, missing/unexpected columns
    (by name), wrong number of rows, missing/unexpected row labels, rows out
    of order (``check_order=True``), then the first column and row whose
    values differ (numbers within ``rtol``/``atol``; others exactly).

    Parameters
    ----------
    rtol : float, default 0.01
        Relative tolerance for numeric columns.
    check_order : bool, default False
        Whether row order matters (e.g. "sorted by revenue").
    key : str or list of str, optional
        Column(s) identifying a row, used to match rows and name them in messages.
    atol : float, default 1e-8
        Absolute tolerance for numeric columns (for values near 0).

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from opsutils.exercises import checkers, Incorrect
    >>> expected = pd.DataFrame({"channel": ["app", "web"], "revenue": [120.0, 80.0]})
    >>> answer = pd.Series([80.4, 120.0], index=pd.Index(["web", "app"], name="channel"), name="revenue")
    >>> check = checkers.frame_close()
    >>> check(answer, expected)       # index vs column, order: all fine
    >>> try:
    ...     check(answer * 2, expected)
    ... except Incorrect as exc:
    ...     print(exc)
    Column 'revenue' does not match for channel 'app': your value 240 is too high (not within 1% of the expected value). 2 of 2 rows differ in this column.
    """
    rtol = require_in_range(rtol, name="rtol", low=0)
    atol = require_in_range(atol, name="atol", low=0)
    keys = None if key is None else ([key] if isinstance(key, str) else list(key))
    tol_text = _tolerance_text(rtol, atol if rtol == 0 else 0.0)

    @_named(f"frame_close(rtol={rtol!r}, check_order={check_order!r}, key={key!r})")
    def check(answer: Any, expected: Any) -> None:
        if not isinstance(expected, (pd.DataFrame, pd.Series)):
            raise TypeError(
                f"frame_close() needs a DataFrame or Series as expected value, got {type(expected).__name__}."
            )
        exp_series = isinstance(expected, pd.Series)
        if not isinstance(answer, (pd.DataFrame, pd.Series)):
            want = "a Series" if exp_series else "a DataFrame"
            raise Incorrect(f"Your answer is {_describe(answer)}, but {want} is expected.")
        ans_series = isinstance(answer, pd.Series)
        E = expected.to_frame(expected.name if expected.name is not None else "value") if exp_series else expected
        A = answer.to_frame(answer.name if answer.name is not None else "value") if ans_series else answer

        # ---- rows: decide what identifies a row --------------------------------
        if keys is not None:
            E = _keys_to_index(E, keys, role="expected")
            A = _keys_to_index(A, keys, role="answer")
            labelled = True
        elif _is_labelled(E.index):
            A = _align_labels(A, E)
            labelled = True
        else:
            E = E.reset_index(drop=True)
            if _is_labelled(A.index):
                in_cols = [n for n in A.index.names if n is not None and n in E.columns and n not in A.columns]
                if in_cols:
                    A = A.reset_index(level=in_cols)
            A = A.reset_index(drop=True)
            labelled = False
            # Non-numeric columns that identify the rows (e.g. 'channel') act as an implicit key.
            auto_keys = [c for c in E.columns if not _is_numeric_dtype(E[c].dtype)]
            if (
                auto_keys
                and len(auto_keys) < E.shape[1]
                and all(c in A.columns for c in auto_keys)
                and not E.duplicated(subset=auto_keys).any()
            ):
                E, A = E.set_index(auto_keys), A.set_index(auto_keys)
                labelled = True

        # ---- columns ---------------------------------------------------------------
        if (exp_series or ans_series) and E.shape[1] == 1 and A.shape[1] == 1:
            A = A.set_axis(list(E.columns), axis=1)
        missing = [c for c in E.columns if c not in A.columns]
        extra = [c for c in A.columns if c not in E.columns]
        if missing or extra:
            raise Incorrect(_columns_message(missing, extra, list(E.columns), exp_series))
        A = A[list(E.columns)]

        # ---- row count and labels ---------------------------------------------------
        if labelled:
            _compare_labels(A.index, E.index, check_order)
            if len(A) != len(E):
                raise Incorrect(f"Your answer has {len(A)} rows, but {len(E)} are expected (some labels repeat).")
            if A.index.is_unique and E.index.is_unique:
                A = A.reindex(E.index)
            else:
                try:
                    A = A.sort_index(kind="stable")
                    E = E.sort_index(kind="stable")
                except TypeError:
                    pass
            where = None
        else:
            if len(A) != len(E):
                raise Incorrect(f"Your answer has {len(A)} rows, but {len(E)} are expected.")
            where = "in row {i}"
            if not check_order:
                try:
                    cols = list(E.columns)
                    E_sorted = E.sort_values(cols, kind="stable", na_position="last").reset_index(drop=True)
                    A_sorted = A.sort_values(cols, kind="stable", na_position="last").reset_index(drop=True)
                except TypeError:  # unorderable values: compare in the given order
                    pass
                else:
                    E, A = E_sorted, A_sorted
                    where = "in row {i} (after sorting the rows)"

        # ---- values ------------------------------------------------------------------
        for col in E.columns:
            e, a = E[col], A[col]
            if _is_numeric_dtype(e.dtype):
                if not _is_numeric_dtype(a.dtype):
                    raise Incorrect(f"Column {col!r} should hold numbers, but your column has dtype {a.dtype}.")
                ev = e.to_numpy(dtype=float, na_value=np.nan)
                av = a.to_numpy(dtype=float, na_value=np.nan)
                ok = np.isclose(av, ev, rtol=rtol, atol=atol, equal_nan=True)
            else:
                ok = _values_equal(a.to_numpy(dtype=object), e.to_numpy(dtype=object))
            if ok.all():
                continue
            bad = np.flatnonzero(~ok)
            i = int(bad[0])
            row = _label_text(E.index, i) if labelled else where.format(i=i)
            if _is_numeric_dtype(e.dtype):
                x, y = av[i], ev[i]
                if np.isnan(x):
                    detail = "your value is missing (NaN)"
                elif np.isnan(y):
                    detail = f"your value {_fmt_num(x)} should be missing (NaN)"
                else:
                    detail = (f"your value {_fmt_num(x)} is {_direction(x, y)} "
                              f"(not within {tol_text} of the expected value)")
            else:
                detail = f"your value {_fmt_item(a.iloc[i])} is not the expected one"
            raise Incorrect(
                f"Column {col!r} does not match {row}: {detail}. "
                f"{len(bad)} of {len(E)} rows differ in this column."
            )

    return check


def _keys_to_index(df: pd.DataFrame, keys: list[str], *, role: str) -> pd.DataFrame:
    in_index = [k for k in keys if k in (df.index.names or []) and k not in df.columns]
    if in_index:
        df = df.reset_index(level=in_index)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        if role == "expected":
            raise ValueError(f"frame_close(key=...) names {missing}, which the expected value does not have.")
        raise Incorrect(
            f"Your answer has no column {_fmt_items(missing)} to identify the rows "
            "(neither as a column nor as the index)."
        )
    return df.set_index(keys)


def _align_labels(A: pd.DataFrame, E: pd.DataFrame) -> pd.DataFrame:
    """Make the answer's row labels comparable with the expected (labelled) index."""
    names = list(E.index.names)
    named = all(n is not None for n in names)
    a_names = [n for n in A.index.names if n is not None]
    if named and set(names) <= set(a_names) and A.index.nlevels == len(names):
        return A.reorder_levels(names) if isinstance(A.index, pd.MultiIndex) else A
    if named and all(n in A.columns for n in names):
        return A.set_index(names)
    if named and a_names and set(a_names) | set(A.columns) >= set(names):
        return A.reset_index(level=a_names).set_index(names)
    if _is_labelled(A.index) and A.index.nlevels == E.index.nlevels:
        return A.rename_axis(names)
    if named:
        how = ", ".join(repr(n) for n in names)
        raise Incorrect(
            f"The rows of your answer should be labelled by {how} (as the index, e.g. straight from "
            "groupby(), or as a column); your answer has neither."
        )
    raise Incorrect(
        "The rows of your answer should carry labels in the index (as after groupby() or "
        "value_counts()); yours are just numbered 0, 1, 2, ..."
    )


def _compare_labels(a_idx: pd.Index, e_idx: pd.Index, check_order: bool) -> None:
    try:
        missing = list(e_idx.difference(a_idx, sort=False))
        extra = list(a_idx.difference(e_idx, sort=False))
    except TypeError:
        missing = [v for v in e_idx if v not in set(a_idx)]
        extra = [v for v in a_idx if v not in set(e_idx)]
    if missing or extra:
        what = ", ".join(str(n) for n in e_idx.names if n is not None) or "row label"
        parts = []
        if missing:
            parts.append(f"missing {what} {_fmt_items(missing)}")
        if extra:
            parts.append(f"unexpected {what} {_fmt_items(extra)}")
        if len(a_idx) != len(e_idx):
            msg = f"Your answer has {len(a_idx)} rows, but {len(e_idx)} are expected: " + "; ".join(parts) + "."
        else:
            msg = "The rows do not match: " + "; ".join(parts) + "."
        if not isinstance(e_idx, pd.MultiIndex) and _dtype_family(a_idx.dtype) != _dtype_family(e_idx.dtype):
            msg += (f" Your row labels have dtype {a_idx.dtype}, but {e_idx.dtype} is expected"
                    " (convert with pd.to_datetime() or .astype()).")
        raise Incorrect(msg)
    if check_order and not a_idx.equals(e_idx):
        raise Incorrect("Your rows are not in the expected order. Check the sorting (column and ascending/descending).")


def _dtype_family(dtype: Any) -> str:
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.PeriodDtype):
        return "period"
    return "other"


def _columns_message(missing: list[Any], extra: list[Any], expected_cols: list[Any], exp_series: bool) -> str:
    if exp_series and len(expected_cols) == 1 and not missing and extra:
        return (f"A single column of values is expected, but your answer also has {_fmt_items(extra)}. "
                f"Keep only the values (e.g. answer[{expected_cols[0]!r}]).")
    parts = []
    if missing:
        parts.append(f"missing column{'s' if len(missing) > 1 else ''} {_fmt_items(missing)}")
    if extra:
        parts.append(f"unexpected column{'s' if len(extra) > 1 else ''} {_fmt_items(extra)}")
    msg = "Your columns do not match: " + "; ".join(parts) + "."
    lowered = {str(c).casefold(): c for c in extra}
    near = [f"{lowered[str(m).casefold()]!r} vs {m!r}" for m in missing if str(m).casefold() in lowered]
    if near:
        msg += " Column names are case-sensitive: " + ", ".join(near) + "."
    return msg


# --------------------------------------------------------------------------- #
# Default
# --------------------------------------------------------------------------- #
def _pick(expected: Any) -> Checker:
    if isinstance(expected, (pd.DataFrame, pd.Series)):
        return frame_close()
    if isinstance(expected, (bool, np.bool_, str, numbers.Integral)):
        return exact()
    if isinstance(expected, numbers.Real):
        return close(1e-2)
    if isinstance(expected, Mapping):
        return dict_close()
    if isinstance(expected, (set, frozenset, list, tuple, np.ndarray, pd.Index)):
        return same_set()
    return exact()


def auto() -> Checker:
    """Checker that picks the right checker from the type of the expected value.

    ======================================  ===========================
    expected value                          checker
    ======================================  ===========================
    float (python or numpy)                 ``close(rtol=0.01)``
    int, str, bool                          ``exact()``
    DataFrame, Series                       ``frame_close()``
    set, frozenset, list, tuple, array      ``same_set()``
    dict                                    ``dict_close()``
    anything else                           ``exact()`` (``==``)
    ======================================  ===========================

    This is the default of :class:`~opsutils.exercises.Question`.

    Returns
    -------
    callable
        ``checker(answer, expected)``.

    Examples
    --------
    >>> from opsutils.exercises import checkers
    >>> check = checkers.auto()
    >>> check(0.4139, 0.414)
    >>> check({"web", "app"}, ["app", "web"])
    """

    @_named("auto()")
    def check(answer: Any, expected: Any) -> None:
        _pick(expected)(answer, expected)

    return check
