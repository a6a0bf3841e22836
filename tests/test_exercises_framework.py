"""Unit tests of the exercise framework: Question, CheckResult, Feedback and the checkers."""

import copy
import pickle
import re

import numpy as np
import pandas as pd
import pytest

import opsutils.exercises as exercises
from opsutils.exercises import (
    PLACEHOLDER,
    REGISTRY,
    CheckResult,
    Feedback,
    Incorrect,
    Question,
    ____,
    checkers,
)


def _reference_share():
    # share of app orders
    shares = {"app": 0.414, "web": 0.586}
    return shares["app"]


def make_question(solution=_reference_share, **kwargs):
    kwargs.setdefault("hints", ("Gentle hint.", "Clearer hint.", "Explicit hint."))
    kwargs.setdefault("wrong_answers", (0.5,))
    return Question("test.q", "What share of orders come from the app?", solution, **kwargs)


def failure(checker, answer, expected):
    """The Incorrect message of a checker, or fail if it accepts."""
    with pytest.raises(Incorrect) as info:
        checker(answer, expected)
    return str(info.value)


# --------------------------------------------------------------------------- #
# Placeholder, CheckResult, Feedback
# --------------------------------------------------------------------------- #
def test_placeholder_is_a_singleton_with_short_repr():
    assert ____ is PLACEHOLDER
    assert repr(PLACEHOLDER) == "____" and str(PLACEHOLDER) == "____"
    assert copy.deepcopy(PLACEHOLDER) is PLACEHOLDER
    assert pickle.loads(pickle.dumps(PLACEHOLDER)) is PLACEHOLDER
    assert type(PLACEHOLDER)() is PLACEHOLDER


def test_exports():
    for name in ["Question", "CheckResult", "Incorrect", "PLACEHOLDER", "____", "checkers", "all_questions", "REGISTRY"]:
        assert name in exercises.__all__
        assert hasattr(exercises, name)


@pytest.mark.parametrize(
    ("status", "truthy", "prefix", "colour"),
    [
        ("correct", True, "✓ Correct: ", "#1e8e3e"),
        ("incorrect", False, "✗ Incorrect: ", "#d93025"),
        ("not_attempted", False, "… Not attempted: ", "#1a73e8"),
    ],
)
def test_check_result_rendering(status, truthy, prefix, colour):
    result = CheckResult(status, "Some <feedback> & `code`.", "ch00_start.q1")
    assert bool(result) is truthy
    assert result.correct is truthy
    assert str(result) == repr(result) == prefix + "Some <feedback> & `code`."
    html = result._repr_html_()
    assert colour in html
    assert "&lt;feedback&gt; &amp; <code>code</code>" in html  # escaped, code spans rendered
    assert "ch00_start.q1" in html


def test_check_result_is_frozen_and_validated():
    result = CheckResult("correct", "ok", "q")
    with pytest.raises(AttributeError):
        result.status = "incorrect"
    with pytest.raises(ValueError, match="`status` must be one of 'correct', 'incorrect', 'not_attempted'"):
        CheckResult("wrong", "x", "q")


def test_feedback_rendering():
    fb = Feedback("solution", "Solution", "Reference value: 3", code="x = 1\nx + 2")
    text = str(fb)
    assert text.startswith("Solution: Reference value: 3")
    assert "    x = 1\n    x + 2" in text
    html = fb._repr_html_()
    assert "<pre" in html and "x + 2" in html
    with pytest.raises(ValueError, match="`kind` must be one of"):
        Feedback("note", "t", "x")


# --------------------------------------------------------------------------- #
# Question construction
# --------------------------------------------------------------------------- #
def test_question_requires_wrong_answers():
    with pytest.raises(ValueError, match=r"needs at least one known-wrong answer"):
        make_question(wrong_answers=())
    with pytest.raises(ValueError, match=r"must be a tuple of answers"):
        make_question(wrong_answers="A")


def test_question_requires_hints():
    with pytest.raises(ValueError, match="at least one hint"):
        make_question(hints=())
    with pytest.raises(ValueError, match="at least one hint"):
        make_question(hints=("ok", "  "))
    assert make_question(hints="Only one hint.").hints == ("Only one hint.",)


def test_question_argument_validation():
    with pytest.raises(TypeError, match="`solution` of question 'test.q' must be a callable"):
        Question("test.q", "prompt", 6, hints=("h",), wrong_answers=(1,))
    with pytest.raises(TypeError, match="`checker` of question 'test.q' must be callable"):
        make_question(checker="close")
    with pytest.raises(ValueError, match="`kind` must be one of 'value', 'interpretation'; got 'essay'"):
        make_question(kind="essay")
    with pytest.raises(ValueError, match="`name` must be a non-empty string"):
        Question("", "prompt", lambda: 1, hints=("h",), wrong_answers=(2,))
    with pytest.raises(ValueError, match="only for kind='interpretation'"):
        make_question(choices={"A": "x", "B": "y"})


def test_question_does_not_compute_at_construction():
    calls = []

    def solution():
        calls.append(1)
        return 1

    q = make_question(solution=solution, wrong_answers=(2,))
    assert calls == []
    assert q.expected() == 1 and q.expected() == 1
    assert calls == [1]  # cached


def test_question_not_registered_by_construction():
    make_question()
    assert "test.q" not in REGISTRY


# --------------------------------------------------------------------------- #
# Question.check
# --------------------------------------------------------------------------- #
def test_placeholder_is_not_attempted():
    q = make_question()
    result = q.check(____)
    assert result.status == "not_attempted"
    assert "Replace ____" in result.message
    assert result.question == "test.q"
    assert not result


@pytest.mark.parametrize("answer", [[1, ____], (____,), {"app": ____}, {____}])
def test_placeholder_inside_a_container_is_not_attempted(answer):
    assert make_question().check(answer).status == "not_attempted"


def test_check_correct_within_tolerance():
    q = make_question()
    for answer in [0.414, 0.416, np.float64(0.412), pd.Series([0.414]), np.array(0.414), pd.DataFrame({"x": [0.414]})]:
        result = q.check(answer)
        assert result.status == "correct", answer
        assert result


def test_check_incorrect_says_direction_without_revealing():
    q = make_question()
    result = q.check(0.5)
    assert result.status == "incorrect"
    assert result.message == "Your answer 0.5 is not within 1% of the expected value: it is too high."
    assert "0.414" not in result.message
    assert "too low" in q.check(0.3).message


def test_check_percentage_slip_is_spotted():
    message = make_question().check(41.4).message
    assert "100 times" in message and "percentage" in message
    assert "1/100" in make_question(solution=lambda: 41.4).check(0.414).message


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("0.414", "the text '0.414'"),
        (None, "missing value"),
        (True, "True/False"),
        (pd.Series([0.1, 0.2]), "Series with 2 values"),
        (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "DataFrame with 2 rows and 2 columns"),
        ({"app": 0.4}, "a dict"),
        (object(), "a object"),
        (float("nan"), "NaN"),
    ],
)
def test_wrong_type_never_raises(answer, fragment):
    result = make_question().check(answer)
    assert result.status == "incorrect"
    assert fragment in result.message


def test_unexpected_exception_in_checker_becomes_incorrect():
    def fragile(answer, expected):
        if answer.upper() != expected:  # AttributeError for non-strings
            raise Incorrect("different")

    q = make_question(solution=lambda: "APP", checker=fragile, wrong_answers=("web",))
    assert q.check("app").status == "correct"
    result = q.check(42)
    assert result.status == "incorrect"
    assert "Your answer is a int, but a str is expected" in result.message
    assert "AttributeError" in result.message
    result = q.check(pd.DataFrame({"a": [1]}))
    assert "DataFrame (1 rows; columns 'a')" in result.message


def test_custom_checker_message_is_the_feedback():
    def at_least_ten(answer, expected):
        if answer < 10:
            raise Incorrect("Too few: count every order.")

    q = make_question(solution=lambda: 12, checker=at_least_ten, wrong_answers=(3,))
    assert q.check(3).message == "Too few: count every order."
    assert q.check(11).status == "correct"


def test_explanation_is_shown_when_correct():
    q = make_question(explanation="Because the app dominates.")
    assert q.check(0.414).message == "Well done. Because the app dominates."


def test_broken_reference_solution_raises_runtime_error():
    q = make_question(solution=lambda: 1 / 0)
    with pytest.raises(RuntimeError, match=r"reference solution of question 'test.q' failed"):
        q.check(1)


def test_check_does_not_print(capsys):
    q = make_question()
    q.check(0.4)
    q.check(____)
    q.hint()
    q.solution()
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------- #
# Hints and solutions
# --------------------------------------------------------------------------- #
def test_hint_tiers():
    q = make_question()
    assert str(q.hint()) == "Hint 1 of 3: Gentle hint."
    assert str(q.hint(2)) == "Hint 2 of 3: Clearer hint."
    last = q.hint(7)
    assert last.title == "Hint 3 of 3"
    assert last.text.startswith("Explicit hint.")
    assert "only 3 hints" in last.text and "q.solution()" in last.text
    assert isinstance(last, Feedback) and "<b>" in last._repr_html_()


def test_hint_argument_validation():
    q = make_question()
    with pytest.raises(ValueError, match="`n` must be an integer >= 1; got 0"):
        q.hint(0)
    with pytest.raises(TypeError, match="`n` must be an integer"):
        q.hint("2")


def _solution_with_docstring():
    """Docstrings are not part of the shown code."""
    # a comment kept above the code
    orders = pd.DataFrame({"channel": ["app", "web", "app"]})
    return orders["channel"].nunique()


def test_solution_shows_notebook_code_and_value():
    q = make_question(solution=_solution_with_docstring, wrong_answers=(3,))
    fb = q.solution()
    assert fb.code == (
        "# a comment kept above the code\n"
        'orders = pd.DataFrame({"channel": ["app", "web", "app"]})\n'
        'orders["channel"].nunique()'
    )
    assert "def " not in fb.code and "return" not in fb.code and "Docstrings" not in fb.code
    assert fb.text == "Reference value: 2"
    assert "orders[&quot;channel&quot;].nunique()" in fb._repr_html_()


def test_solution_of_a_lambda():
    q = Question("t.q", "p", lambda: sorted({"b", "a"}), hints=("h",), wrong_answers=(["a"],))
    fb = q.solution()
    assert fb.code == 'sorted({"b", "a"})'
    assert "['a', 'b']" in fb.text


def test_solution_without_source():
    namespace = {}
    exec("def reference():\n    return 5\n", namespace)
    q = make_question(solution=namespace["reference"], wrong_answers=(4,))
    fb = q.solution()
    assert fb.code is None
    assert "not available" in fb.text and "Reference value: 5" in fb.text


def test_solution_shows_frames_compactly():
    frame = pd.DataFrame({"x": range(100)})
    q = make_question(solution=lambda: frame, wrong_answers=(frame.head(),))
    text = q.solution().text
    assert text.startswith("Reference value:\n")
    assert len(text) < 1000


# --------------------------------------------------------------------------- #
# Interpretation questions
# --------------------------------------------------------------------------- #
def make_choice_question(solution=lambda: "B", **kwargs):
    kwargs.setdefault("hints", ("Think about it.",))
    kwargs.setdefault("wrong_answers", ("A",))
    kwargs.setdefault(
        "choices",
        {"A": "Revenue fell.", "b": "Revenue grew because of the app.", "C": "Nothing changed."},
    )
    kwargs.setdefault("choice_feedback", {"A": "Look at the sign of the change.", "c": "The change is large."})
    kwargs.setdefault("explanation", "App revenue grew 20%.")
    return Question("test.choice", "What happened to revenue?", solution, kind="interpretation", **kwargs)


@pytest.mark.parametrize("answer", ["B", "b", " b ", "B)", "(b)", "b.", "B) Revenue grew", "revenue grew because of the APP.", ["b"]])
def test_choice_letter_normalisation(answer):
    result = make_choice_question().check(answer)
    assert result.status == "correct", answer
    assert result.message == "Well done. App revenue grew 20%."


def test_choice_keys_are_normalised():
    q = make_choice_question()
    assert list(q.choices) == ["A", "B", "C"]
    assert set(q.choice_feedback) == {"A", "C"}


def test_choice_specific_feedback():
    q = make_choice_question()
    assert q.check("a").message == "A is not the best answer. Look at the sign of the change."
    assert q.check("C").message == "C is not the best answer. The change is large."


def test_choice_generic_feedback_without_specific():
    q = make_choice_question(choice_feedback=None)
    assert "A is not the best answer. Re-read" in q.check("A").message


@pytest.mark.parametrize("answer", ["", "   ", ____])
def test_choice_not_attempted(answer):
    result = make_choice_question().check(answer)
    assert result.status == "not_attempted"
    assert "answer = 'A'" in result.message


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("D", "D is not one of the choices; pick from A, B, C."),
        ("AB", "Pick exactly one letter; you gave A, B."),
        (2, "Answer with the letter of your choice as a string"),
        (None, "got NoneType"),
        ("I think B", "not one of the choices"),
    ],
)
def test_choice_bad_answers_are_explained(answer, fragment):
    result = make_choice_question().check(answer)
    assert result.status == "incorrect"
    assert fragment in result.message


def test_choice_multiple_correct_letters():
    q = make_choice_question(solution=lambda: frozenset({"A", "C"}), wrong_answers=("A",))
    for answer in ["A, C", "c and a", "AC", {"a", "C"}, ("C", "A"), "a;c"]:
        assert q.check(answer).status == "correct", answer
    message = q.check("A").message
    assert message == "1 correct statement is not selected yet."
    message = q.check("A, B").message
    assert "B should not be selected." in message and "1 correct statement" in message
    assert "C should not be selected. The change is large." not in message
    assert q.check(q.expected()).status == "correct"


def test_choice_question_validation():
    with pytest.raises(ValueError, match="needs `choices` with at least two letters"):
        make_choice_question(choices={"A": "only one"})
    with pytest.raises(ValueError, match="single letters"):
        make_choice_question(choices={"A1": "x", "B": "y"})
    with pytest.raises(ValueError, match=r"letters that are not choices: \['E'\]"):
        make_choice_question(choice_feedback={"E": "x"})


def test_choice_reference_must_be_a_choice():
    q = make_choice_question(solution=lambda: "E")
    with pytest.raises(ValueError, match="not one of the choices"):
        q.check("A")


def test_choice_solution_and_show():
    q = make_choice_question()
    fb = q.solution()
    assert fb.code is None
    assert "Answer B" in fb.text and "Revenue grew because of the app." in fb.text and "App revenue grew 20%." in fb.text
    card = q.show()
    assert "A) Revenue fell." in card.text and "C) Nothing changed." in card.text
    assert "A) Revenue fell." in q._repr_html_()
    assert repr(q) == "Question('test.choice': What happened to revenue?)"


# --------------------------------------------------------------------------- #
# checkers.close / exact
# --------------------------------------------------------------------------- #
def test_close_tolerances():
    check = checkers.close(rtol=0.05)
    check(104, 100)
    assert "not within 5% of the expected value: it is too high" in failure(check, 106, 100)
    absolute = checkers.close(rtol=0, atol=0.5)
    absolute(0.4, 0)
    assert "within ±0.5" in failure(absolute, 1, 0)
    both = checkers.close(rtol=0.01, atol=1)
    both(100.9, 100)
    both(0.5, 0)
    assert "1% (or ±1)" in failure(both, 5, 0)


def test_close_accepts_number_forms():
    check = checkers.close()
    for answer in [2, 2.0, np.int32(2), np.float32(2.0), np.array(2.0), np.array([2.0]), pd.Series([2.0]), [2.0]]:
        check(answer, 2.0)
    check(float("nan"), float("nan"))


def test_close_validates_its_arguments():
    with pytest.raises(ValueError, match="`rtol` must be >= 0"):
        checkers.close(rtol=-1)
    with pytest.raises(ValueError, match="use checkers.exact"):
        checkers.close(rtol=0, atol=0)


def test_close_message_formats_large_numbers():
    assert "12,345.68" in failure(checkers.close(), 12345.678, 20000.0)


def test_exact_numbers():
    check = checkers.exact()
    check(6, 6)
    check(np.int64(6), 6)
    check(6.0, 6)
    check(pd.Series([6]), 6)
    assert failure(check, 5, 6) == "Your answer 5 is not correct; it is too low."
    assert "not a whole number" in failure(check, 5.5, 6)
    assert "True/False" in failure(check, True, 1)


def test_exact_strings_and_bools():
    check = checkers.exact()
    check("  TMall ", "tmall")
    assert failure(check, "douyin", "tmall") == "Your answer 'douyin' is not the expected text."
    assert "a text (a string in quotes) is expected" in failure(check, 3, "tmall")
    check(np.True_, True)
    assert failure(check, False, True) == "Your answer False is not correct."
    assert "True or False is expected" in failure(check, "yes", True)


def test_exact_other_types_use_equality():
    check = checkers.exact()
    check(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-01"))
    assert "is not correct" in failure(check, pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-01"))


# --------------------------------------------------------------------------- #
# checkers.same_set / one_of_sets
# --------------------------------------------------------------------------- #
def test_same_set_is_order_insensitive():
    check = checkers.same_set()
    check(["web", "app"], ["app", "web"])
    check(pd.Series(["App ", "web"]), {"app", "web"})
    check(np.array([3, 1, 2]), (1, 2, 3))
    check(pd.Index(["x"]), ["x"])
    check(pd.DataFrame({"c": ["a", "b"]}), {"b", "a"})
    check([np.nan, "a"], ["a", None])


def test_same_set_messages():
    check = checkers.same_set()
    msg = failure(check, ["app", "sms", "email"], ["app", "web", "store"])
    assert msg == "Your answer does not contain the expected items; missing: 'store', 'web'; unexpected: 'email', 'sms'."
    assert "missing: 'web'." in failure(check, ["app"], ["app", "web"])
    assert "more than once ('app')" in failure(check, ["app", "app", "web"], ["app", "web"])
    assert "a list or set" in failure(check, "app", ["app"])
    assert "Select one column" in failure(check, pd.DataFrame({"a": [1], "b": [2]}), [1])


def test_same_set_lists_at_most_a_few_items():
    msg = failure(checkers.same_set(), [], list(range(20)))
    assert "and 12 more" in msg


def test_one_of_sets():
    check = checkers.one_of_sets()
    check({"app", "store"}, [{"app", "web"}, {"app", "store"}])
    check(["web", "app"], [{"app", "web"}, {"app", "store"}])
    msg = failure(check, {"app", "web", "sms"}, [{"app", "web"}, {"tmall", "store"}])
    assert msg == "Your answer does not contain the expected items; unexpected: 'sms'."


# --------------------------------------------------------------------------- #
# checkers.dict_close
# --------------------------------------------------------------------------- #
def test_dict_close():
    check = checkers.dict_close()
    expected = {"app": 0.41, "web": 0.22, "label": "x"}
    check({"app": 0.411, "web": np.float64(0.22), "label": "x"}, expected)
    check(pd.Series(expected), expected)
    msg = failure(check, {"app": 0.5, "web": 0.1, "label": "x"}, expected)
    assert msg == ("The value for 'app' is not within 1% of the expected value: your 0.5 is too high. "
                   "Also check: 'web'.")
    assert "missing keys: 'web'" in failure(check, {"app": 0.41, "label": "x", "sms": 1}, expected)
    assert "unexpected keys: 'sms'" in failure(check, {"app": 0.41, "web": 0.22, "label": "x", "sms": 1}, expected)
    assert "The value for 'label' is not correct" in failure(check, {"app": 0.41, "web": 0.22, "label": "y"}, expected)
    assert "The value for 'app' is a str" in failure(check, {"app": "0.41", "web": 0.22, "label": "x"}, expected)
    assert "a dict such as" in failure(check, [0.41, 0.22], expected)


# --------------------------------------------------------------------------- #
# checkers.frame_close
# --------------------------------------------------------------------------- #
@pytest.fixture
def revenue():
    return pd.DataFrame(
        {"channel": ["app", "web", "store"], "revenue": [100.0, 50.0, 10.0], "orders": [10, 5, 1]}
    )


def test_frame_close_accepts_equivalent_forms(revenue):
    check = checkers.frame_close()
    check(revenue, revenue)
    check(revenue.iloc[::-1], revenue)  # row order
    check(revenue[["orders", "revenue", "channel"]], revenue)  # column order
    check(revenue.set_index("channel"), revenue)  # key as index
    check(revenue.set_index("channel").reset_index(), revenue.set_index("channel"))  # key as column
    check(revenue.assign(revenue=revenue["revenue"] * 1.005), revenue)  # within 1%
    check(revenue.astype({"orders": "float64"}), revenue)  # int vs float


def test_frame_close_series_vs_one_column_frame(revenue):
    check = checkers.frame_close()
    series = revenue.set_index("channel")["revenue"]
    check(series.to_frame(), series)
    check(series.rename("whatever"), series)
    check(series.reset_index(), series)
    check(series, series.to_frame("revenue"))
    check(series.rename(None), series.to_frame("revenue"))
    check(revenue[["channel", "revenue"]], series)
    check(series.reset_index(drop=True), series.reset_index(drop=True).to_frame())


def test_frame_close_names_missing_and_extra_columns(revenue):
    check = checkers.frame_close()
    assert failure(check, revenue.drop(columns="orders"), revenue) == "Your columns do not match: missing column 'orders'."
    msg = failure(check, revenue.assign(extra=1, more=2), revenue)
    assert msg == "Your columns do not match: unexpected columns 'extra', 'more'."
    msg = failure(check, revenue.rename(columns={"revenue": "Revenue"}), revenue)
    assert "missing column 'revenue'; unexpected column 'Revenue'" in msg
    assert "case-sensitive" in msg


def test_frame_close_series_expected_but_frame_given(revenue):
    series = revenue.set_index("channel")["revenue"]
    msg = failure(checkers.frame_close(), revenue, series)
    assert "A single column of values is expected" in msg and "'orders'" in msg


def test_frame_close_row_count_and_labels(revenue):
    check = checkers.frame_close()
    assert failure(check, revenue.iloc[:2], revenue) == "Your answer has 2 rows, but 3 are expected: missing channel 'store'."
    msg = failure(check, revenue.assign(channel=["app", "web", "Store"]), revenue)
    assert msg == "The rows do not match: missing channel 'store'; unexpected channel 'Store'."
    dup = pd.concat([revenue, revenue.iloc[[0]]])
    assert "4 rows, but 3 are expected" in failure(check, dup, revenue)


def test_frame_close_reports_first_mismatching_column_and_row(revenue):
    check = checkers.frame_close()
    wrong = revenue.assign(orders=[10, 6, 1])
    msg = failure(check, wrong, revenue)
    assert msg.startswith("Column 'orders' does not match for channel 'web': your value 6 is too high")
    assert "1 of 3 rows differ in this column." in msg
    assert "5" not in msg.split("your value")[1].split("is too")[0]  # the expected value is not shown
    msg = failure(check, revenue.assign(revenue=[100.0, 50.0, np.nan]), revenue)
    assert "for channel 'store': your value is missing (NaN)" in msg


def test_frame_close_wrong_dtype_and_type(revenue):
    check = checkers.frame_close()
    assert "Column 'orders' should hold numbers, but your column has dtype str" in failure(
        check, revenue.astype({"orders": str}), revenue
    )
    assert "but a DataFrame is expected" in failure(check, [1, 2], revenue)
    assert "but a Series is expected" in failure(check, 3.0, revenue["revenue"])


def test_frame_close_check_order(revenue):
    ordered = checkers.frame_close(check_order=True)
    ordered(revenue, revenue)
    assert "not in the expected order" in failure(ordered, revenue.iloc[::-1], revenue)
    numeric = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    assert "in row 0" in failure(ordered, numeric.iloc[::-1], numeric)
    checkers.frame_close()(numeric.iloc[::-1], numeric)


def test_frame_close_with_key(revenue):
    check = checkers.frame_close(key="channel")
    check(revenue.iloc[::-1].reset_index(drop=True), revenue)
    check(revenue.set_index("channel"), revenue)
    assert "no column 'channel' to identify the rows" in failure(check, revenue.drop(columns="channel"), revenue)


def test_frame_close_multiindex():
    expected = pd.DataFrame(
        {"channel": ["app", "app", "web"], "month": [1, 2, 1], "orders": [5.0, 6.0, 7.0]}
    ).set_index(["channel", "month"])
    check = checkers.frame_close()
    check(expected.reset_index(), expected)
    check(expected.reorder_levels(["month", "channel"]).sort_index(), expected)
    check(expected["orders"], expected)
    msg = failure(check, expected.assign(orders=[5.0, 9.0, 7.0]), expected)
    assert "for channel='app', month=2" in msg


def test_frame_close_needs_labels_when_expected_is_labelled(revenue):
    series = revenue.set_index("channel")["revenue"]
    msg = failure(checkers.frame_close(), series.reset_index(drop=True), series)
    assert "should be labelled by 'channel'" in msg


def test_frame_close_datetime_labels():
    expected = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "n": [1, 2]})
    check = checkers.frame_close()
    check(expected.assign(month=expected["month"].astype("datetime64[s]")), expected)
    assert "for month 2025-02-01" in failure(check, expected.assign(n=[1, 3]), expected)
    assert "convert with pd.to_datetime()" in failure(check, expected.assign(month=["2025-01-01", "2025-02-01"]), expected)


def test_frame_close_in_a_question_never_raises(revenue):
    q = make_question(solution=lambda: revenue, wrong_answers=(revenue.iloc[:1],))
    assert q.check(revenue.iloc[::-1]).status == "correct"
    for answer in [None, "revenue", 3, {"a": 1}, np.zeros((2, 2)), revenue.to_numpy()]:
        result = q.check(answer)
        assert result.status == "incorrect"
        assert "DataFrame is expected" in result.message


# --------------------------------------------------------------------------- #
# checkers.auto
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    ("expected", "good", "bad"),
    [
        (0.414, 0.4141, 0.5),
        (np.float64(0.414), 0.4141, 0.5),
        (6, 6.0, 5),
        (np.int64(6), 6, 7),
        ("tmall", "TMALL", "jd"),
        (True, True, False),
        ({"app", "web"}, ["web", "app"], ["app"]),
        (["app", "web"], ("web", "app"), ["app", "sms"]),
        ({"app": 0.4}, {"app": 0.401}, {"app": 0.5}),
        (pd.Series([1.0, 2.0]), pd.Series([2.0, 1.0]), pd.Series([1.0, 3.0])),
        (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02")),
    ],
    ids=lambda v: type(v).__name__,
)
def test_auto_checker_picks_by_type(expected, good, bad):
    check = checkers.auto()
    check(good, expected)
    with pytest.raises(Incorrect):
        check(bad, expected)


def test_default_checker_is_auto():
    q = make_question(solution=lambda: {"app", "web"}, wrong_answers=({"app"},))
    assert q.check(["web", "app"]).status == "correct"
    assert "missing: 'web'" in q.check(["app"]).message


def test_checkers_have_readable_names():
    assert re.match(r"close\(rtol=0\.01", checkers.close().__name__)
    assert checkers.same_set().__name__ == "same_set()"
    assert set(checkers.__all__) == {"close", "exact", "same_set", "one_of_sets", "frame_close", "dict_close", "auto"}
