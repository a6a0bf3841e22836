"""Core of the exercise framework: the placeholder, feedback objects and :class:`Question`.

A notebook cell for an exercise looks like this::

    from opsutils.exercises import ____
    from opsutils.exercises import ch00_start as ex

    answer = ____          # the trainee replaces ____ with code
    ex.q1.check(answer)    # last line of the cell: the feedback box is shown

``check()`` never prints and never raises because of the trainee's answer: it
returns a :class:`CheckResult`, and Jupyter renders that object (a coloured
box) because it is the last expression of the cell. ``hint()``, ``solution()``
and ``show()`` work the same way.
"""

from __future__ import annotations

import ast
import html
import inspect
import re
import reprlib
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsutils._validation import require_option, require_positive_int

__all__ = [
    "PLACEHOLDER",
    "____",
    "Incorrect",
    "CheckResult",
    "Feedback",
    "Question",
]

STATUSES = ("correct", "incorrect", "not_attempted")
KINDS = ("value", "interpretation")


# --------------------------------------------------------------------------- #
# Placeholder
# --------------------------------------------------------------------------- #
class _Placeholder:
    """Type of :data:`PLACEHOLDER`; there is exactly one instance."""

    _instance: _Placeholder | None = None
    __slots__ = ()

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    __str__ = __repr__

    def __reduce__(self):  # copies and pickles stay the same object
        return (_Placeholder, ())


#: Sentinel that stands for "not answered yet". Notebooks write ``answer = ____``;
#: ``check()`` recognises it by identity and reports "not attempted".
#:
#: Examples
#: --------
#: >>> from opsutils.exercises import ____, PLACEHOLDER
#: >>> ____ is PLACEHOLDER
#: True
#: >>> ____
#: ____
PLACEHOLDER = _Placeholder()
____ = PLACEHOLDER


def _contains_placeholder(answer: Any) -> bool:
    """True for the placeholder itself or a list/tuple/set/dict holding it (shallow)."""
    if answer is PLACEHOLDER:
        return True
    if isinstance(answer, (list, tuple, set, frozenset)):
        return any(item is PLACEHOLDER for item in answer)
    if isinstance(answer, dict):
        return any(k is PLACEHOLDER or v is PLACEHOLDER for k, v in answer.items())
    return False


# --------------------------------------------------------------------------- #
# Feedback objects
# --------------------------------------------------------------------------- #
class Incorrect(Exception):
    """Raised by a checker to say an answer is wrong; the message is the feedback.

    Examples
    --------
    >>> from opsutils.exercises import Incorrect
    >>> def positive(answer, expected):
    ...     if answer <= 0:
    ...         raise Incorrect("The count must be positive.")
    >>> positive(-1, 3)
    Traceback (most recent call last):
    ...
    opsutils.exercises._core.Incorrect: The count must be positive.
    """


_BOX = (
    '<div style="border-left: 5px solid {border}; background: {bg}; color: #202124; '
    'padding: 0.5em 0.8em; margin: 0.3em 0; border-radius: 3px; font-family: sans-serif; '
    'line-height: 1.45;">{body}</div>'
)

_STYLES = {
    # status/kind: (symbol, label, border colour, background)
    "correct": ("\u2713", "Correct", "#1e8e3e", "#e6f4ea"),
    "incorrect": ("\u2717", "Incorrect", "#d93025", "#fce8e6"),
    "not_attempted": ("\u2026", "Not attempted", "#1a73e8", "#e8f0fe"),
    "hint": ("\U0001f4a1", "Hint", "#f9ab00", "#fef7e0"),
    "solution": ("\U0001f4d6", "Solution", "#5f6368", "#f1f3f4"),
    "question": ("\u2753", "Question", "#1a73e8", "#f8f9fa"),
}


def _html_text(text: str) -> str:
    """Escape text for HTML, keep line breaks and render `code` spans."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return escaped.replace("\n", "<br>")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :meth:`Question.check`.

    Truthy only when the answer is correct. In a notebook the result renders
    as a coloured box (green: correct, red: incorrect, blue: not attempted);
    elsewhere ``str()``/``repr()`` give one plain-text line.

    Parameters
    ----------
    status : {"correct", "incorrect", "not_attempted"}
        The verdict.
    message : str
        Feedback for the trainee.
    question : str
        Name of the question, e.g. ``"ch00_start.q1"``.

    Examples
    --------
    >>> from opsutils.exercises import CheckResult
    >>> result = CheckResult("incorrect", "Count distinct values.", "ch00_start.q1")
    >>> bool(result)
    False
    >>> result
    ✗ Incorrect: Count distinct values.
    >>> result.status
    'incorrect'
    """

    status: str
    message: str
    question: str = ""

    def __post_init__(self) -> None:
        require_option(self.status, STATUSES, name="status")

    @property
    def correct(self) -> bool:
        """Whether the answer was correct."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        symbol, label, _, _ = _STYLES[self.status]
        return f"{symbol} {label}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        symbol, label, border, bg = _STYLES[self.status]
        where = f' <span style="color:#5f6368;">({html.escape(self.question)})</span>' if self.question else ""
        body = f"<b>{symbol} {label}</b>{where}: {_html_text(self.message)}"
        return _BOX.format(border=border, bg=bg, body=body)


@dataclass(frozen=True)
class Feedback:
    """A displayable piece of help: a hint, a solution or a question card.

    Parameters
    ----------
    kind : {"hint", "solution", "question"}
        Decides the colour of the box.
    title : str
        Bold first words, e.g. ``"Hint 1 of 3"``.
    text : str
        Body text. Backticks mark code (rendered as ``<code>`` in HTML).
    code : str, optional
        A code block shown below the text (used by solutions).

    Examples
    --------
    >>> from opsutils.exercises import Feedback
    >>> Feedback("hint", "Hint 1 of 2", "Look at `orders.columns`.")
    Hint 1 of 2: Look at `orders.columns`.
    """

    kind: str
    title: str
    text: str
    code: str | None = None

    def __post_init__(self) -> None:
        require_option(self.kind, ("hint", "solution", "question"), name="kind")

    def __str__(self) -> str:
        parts = [f"{self.title}: {self.text}" if self.text else f"{self.title}:"]
        if self.code:
            parts.append(textwrap.indent(self.code, "    "))
        return "\n".join(parts)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        symbol, _, border, bg = _STYLES[self.kind]
        body = f"<b>{symbol} {html.escape(self.title)}</b>"
        if self.text:
            body += f": {_html_text(self.text)}"
        if self.code:
            body += (
                '<pre style="background:#ffffff; color:#202124; padding:0.5em; margin:0.4em 0 0 0; '
                f'border:1px solid #dadce0; border-radius:3px; overflow-x:auto;">{html.escape(self.code)}</pre>'
            )
        return _BOX.format(border=border, bg=bg, body=body)


# --------------------------------------------------------------------------- #
# Helpers for Question
# --------------------------------------------------------------------------- #
def _type_name(value: Any) -> str:
    return type(value).__name__


def _short_repr(value: Any, limit: int = 800) -> str:
    """A readable, bounded representation of a reference value."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        with pd.option_context("display.max_rows", 12, "display.max_columns", 12, "display.width", 100):
            text = repr(value)
    elif isinstance(value, (frozenset, set)):
        text = "{" + ", ".join(sorted(repr(v) for v in value)) + "}"
    else:
        if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
            value = value.item()  # numpy scalar -> python scalar (no "np.float64(...)")
        r = reprlib.Repr()
        r.maxstring, r.maxother, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 200, 200, 20, 20, 20, 20
        text = r.repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _solution_source(func: Callable[[], Any]) -> str | None:
    """Body of ``func`` as notebook code: no ``def`` line, no docstring, final
    ``return expr`` turned into ``expr``. Lambdas give their expression.
    Returns None when the source is unavailable (e.g. defined in a REPL)."""
    try:
        raw = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    if getattr(func, "__name__", "") == "<lambda>":
        return _lambda_source(raw)
    try:
        tree = ast.parse(raw)
    except SyntaxError:
        return raw.strip()
    fdef = next(
        (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if fdef is None:
        return raw.strip()
    body = list(fdef.body)
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]  # drop the docstring
    if not body:
        return ""
    lines = raw.splitlines()
    first = body[0].lineno - 1
    # keep comment lines directly above the first statement
    while first > fdef.lineno and lines[first - 1].strip().startswith("#"):
        first -= 1
    last_stmt = body[-1]
    chunk = lines[first : last_stmt.end_lineno]
    if isinstance(last_stmt, ast.Return):
        offset = last_stmt.lineno - 1 - first
        line = chunk[offset]
        start = last_stmt.col_offset
        if last_stmt.value is None:
            chunk = chunk[:offset]
        else:
            chunk[offset] = line[:start] + line[start:].replace("return ", "", 1)
    return textwrap.dedent("\n".join(chunk)).strip("\n")


def _lambda_source(raw: str) -> str:
    """Expression of the first lambda in ``raw`` (a source fragment)."""
    candidates = [raw, "(\n" + raw.strip().rstrip(",") + "\n)", "f(\n" + raw.strip().rstrip(",") + "\n)"]
    for text in candidates:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        lam = next((n for n in ast.walk(tree) if isinstance(n, ast.Lambda)), None)
        if lam is not None:
            segment = ast.get_source_segment(text, lam.body)
            if segment:
                return textwrap.dedent(segment).strip()
    return raw.strip()


_LETTER_TOKEN = re.compile(r"^\(?([A-Za-z]+)\)?[.):]?$")


def _normalise_letter_key(key: Any) -> str:
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z]", key.strip()):
        raise ValueError(f"Choice keys must be single letters such as 'A'; got {key!r}.")
    return key.strip().upper()


# --------------------------------------------------------------------------- #
# Question
# --------------------------------------------------------------------------- #
class Question:
    """One exercise question with check, tiered hints and a reference solution.

    Parameters
    ----------
    name : str
        Unique id ``"<chapter module>.<attribute>"``, e.g. ``"ch00_start.q1"``.
    prompt : str
        One-line English statement of the task.
    solution : callable
        Takes no arguments and returns the reference answer. Its source code
        is what :meth:`solution` shows, so write it as the notebook code a
        trainee would write (a ``def`` whose final ``return`` is the answer).
        For interpretation questions it returns the correct letter (``"B"``)
        or a frozenset of letters.
    checker : callable, optional
        ``checker(answer, expected)`` raising :class:`Incorrect` with feedback
        when the answer is wrong. Defaults to
        :func:`opsutils.exercises.checkers.auto`, which picks a tolerant
        checker from the type of the expected value.
    hints : sequence of str
        At least one hint, ordered from gentle to explicit.
    kind : {"value", "interpretation"}, default "value"
        ``"interpretation"`` questions are multiple choice (see ``choices``).
    wrong_answers : sequence
        At least one known-wrong answer; the test-suite checks that each is
        marked incorrect, so a question cannot be added without tests.
    choices : dict of str to str, optional
        Interpretation questions only: letter -> statement.
    choice_feedback : dict of str to str, optional
        Interpretation questions only: letter -> why that choice is wrong.
    explanation : str, optional
        Reasoning shown with a correct answer and in :meth:`solution`.

    Raises
    ------
    ValueError
        For an unknown ``kind``, no hints, no wrong answers, or inconsistent
        choices.
    TypeError
        If ``solution`` or ``checker`` is not callable.

    Examples
    --------
    >>> from opsutils.exercises import Question, ____
    >>> def _reference():
    ...     return len(("app", "web", "store"))
    >>> q = Question(
    ...     "demo.q1",
    ...     "How many channels are listed?",
    ...     _reference,
    ...     hints=("Count them.", "Use len()."),
    ...     wrong_answers=(2,),
    ... )
    >>> q.check(____).status
    'not_attempted'
    >>> q.check(3)
    ✓ Correct: Well done.
    >>> q.check(2)
    ✗ Incorrect: Your answer 2 is not correct; it is too low.
    >>> q.hint(2)
    Hint 2 of 2: Use len().
    >>> print(q.solution())
    Solution: Reference value: 3
        len(("app", "web", "store"))
    """

    def __init__(
        self,
        name: str,
        prompt: str,
        solution: Callable[[], Any],
        *,
        checker: Callable[[Any, Any], None] | None = None,
        hints: Iterable[str] | str = (),
        kind: str = "value",
        wrong_answers: Iterable[Any] = (),
        choices: Mapping[str, str] | None = None,
        choice_feedback: Mapping[str, str] | None = None,
        explanation: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"`name` must be a non-empty string such as 'ch01_landscape.q1'; got {name!r}.")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError(f"`prompt` of question {name!r} must be a non-empty string; got {prompt!r}.")
        if not callable(solution):
            raise TypeError(f"`solution` of question {name!r} must be a callable taking no arguments; "
                            f"got {_type_name(solution)}.")
        if checker is not None and not callable(checker):
            raise TypeError(f"`checker` of question {name!r} must be callable; got {_type_name(checker)}.")
        require_option(kind, KINDS, name="kind")

        if isinstance(hints, str):
            hints = (hints,)
        hints = tuple(hints)
        if not hints or not all(isinstance(h, str) and h.strip() for h in hints):
            raise ValueError(f"Question {name!r} needs at least one hint, and every hint must be a non-empty string.")

        if isinstance(wrong_answers, (str, bytes)) or not isinstance(wrong_answers, Iterable):
            raise ValueError(
                f"`wrong_answers` of question {name!r} must be a tuple of answers, e.g. (11, 5); "
                f"got {_type_name(wrong_answers)}."
            )
        wrong_answers = tuple(wrong_answers)
        if not wrong_answers:
            raise ValueError(
                f"Question {name!r} needs at least one known-wrong answer in `wrong_answers`; "
                "the test-suite checks each is marked incorrect."
            )

        if kind == "interpretation":
            if not isinstance(choices, Mapping) or len(choices) < 2:
                raise ValueError(f"Interpretation question {name!r} needs `choices` with at least two letters.")
            norm_choices = {_normalise_letter_key(k): str(v) for k, v in choices.items()}
            feedback = {_normalise_letter_key(k): str(v) for k, v in (choice_feedback or {}).items()}
            unknown = sorted(set(feedback) - set(norm_choices))
            if unknown:
                raise ValueError(f"`choice_feedback` of question {name!r} has letters that are not choices: {unknown}.")
        else:
            if choices is not None or choice_feedback is not None:
                raise ValueError(
                    f"`choices` and `choice_feedback` are only for kind='interpretation' (question {name!r})."
                )
            norm_choices, feedback = {}, {}

        if checker is None and kind == "value":
            from opsutils.exercises.checkers import auto

            checker = auto()

        self.name = name
        self.prompt = prompt
        self.kind = kind
        self.hints: tuple[str, ...] = hints
        self.wrong_answers: tuple[Any, ...] = wrong_answers
        self.choices: dict[str, str] = norm_choices
        self.choice_feedback: dict[str, str] = feedback
        self.explanation = explanation
        self._solution = solution
        self._checker = checker
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ #
    def __repr__(self) -> str:
        return f"Question({self.name!r}: {self.prompt})"

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()

    def show(self) -> Feedback:
        """The question card: prompt, and the choices for interpretation questions.

        Returns
        -------
        Feedback
            Rendered as a box in a notebook.

        Examples
        --------
        >>> from opsutils.exercises import ch00_start as ex
        >>> print(ex.q2.show())  # doctest: +ELLIPSIS
        Question ch00_start.q2: Which statement describes what a `check()` call does?
        A) ...
        """
        text = self.prompt
        if self.choices:
            text += "\n" + "\n".join(f"{k}) {v}" for k, v in self.choices.items())
            text += "\nAnswer with the letter, e.g. answer = 'A'."
        return Feedback("question", f"Question {self.name}", text)

    # ------------------------------------------------------------------ #
    def expected(self) -> Any:
        """The reference answer (computed once, then cached).

        Returns
        -------
        object
            Whatever the ``solution`` callable returns.

        Examples
        --------
        >>> from opsutils.exercises import ch00_start as ex
        >>> ex.q1.expected()
        6
        """
        if "expected" not in self._cache:
            self._cache["expected"] = self._solution()
        return self._cache["expected"]

    def _expected_letters(self) -> frozenset[str]:
        raw = self.expected()
        letters = self._parse_letters(raw)
        if letters is None or not letters <= set(self.choices):
            raise ValueError(
                f"The reference solution of {self.name!r} returned {raw!r}, "
                f"which is not one of the choices {sorted(self.choices)}."
            )
        return letters

    # ------------------------------------------------------------------ #
    def check(self, answer: Any) -> CheckResult:
        """Check an answer and return feedback; never raises because of the answer.

        Put ``q.check(answer)`` as the last line of a cell: Jupyter then shows
        the returned :class:`CheckResult` as a coloured box. Nothing is printed.

        Parameters
        ----------
        answer : object
            The trainee's answer. ``____`` (unchanged placeholder) gives
            "not attempted". Interpretation questions take a letter such as
            ``"B"`` (case and surrounding ``()``, ``)`` or spaces are ignored).

        Returns
        -------
        CheckResult
            Status ``"correct"``, ``"incorrect"`` or ``"not_attempted"``.

        Raises
        ------
        RuntimeError
            Only if the *reference* solution itself fails, which is a bug in
            the course material rather than in the answer.

        Examples
        --------
        >>> from opsutils.exercises import ch00_start as ex
        >>> ex.q1.check("six").status
        'incorrect'
        >>> bool(ex.q1.check(6))
        True
        """
        if _contains_placeholder(answer):
            how = ("Replace ____ with the letter of your choice, e.g. answer = 'A'."
                   if self.kind == "interpretation"
                   else "Replace ____ with your code (every ____ in the cell), then run the cell again.")
            return self._result("not_attempted", how)
        if self.kind == "interpretation":
            if isinstance(answer, str) and not answer.strip():
                return self._result(
                    "not_attempted", "Type the letter of your choice between the quotes, e.g. answer = 'A'."
                )
            return self._check_choice(answer)

        try:
            expected = self.expected()
        except Exception as exc:  # a bug in the course material, not in the answer
            raise RuntimeError(f"The reference solution of question {self.name!r} failed: {exc!r}") from exc
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._checker(answer, expected)
        except Incorrect as exc:
            return self._result("incorrect", str(exc) or "That is not the expected answer.")
        except Exception as exc:  # the answer broke the comparison: explain, never raise
            return self._result(
                "incorrect",
                f"Your answer is a {_describe_type(answer)}, but a {_describe_type(expected)} is expected, "
                f"so they could not be compared ({type(exc).__name__}: {exc}).",
            )
        return self._result("correct", self._correct_message())

    def _result(self, status: str, message: str) -> CheckResult:
        return CheckResult(status, message, self.name)

    def _correct_message(self) -> str:
        return f"Well done. {self.explanation}" if self.explanation else "Well done."

    @staticmethod
    def _parse_letters(answer: Any) -> frozenset[str] | None:
        """Letters in an answer such as ``"B"``, ``" b "``, ``"(b)"``, ``"A, C"``,
        ``"AC"`` or ``{"a", "c"}``; None when it cannot be read as letters."""
        if isinstance(answer, str):
            tokens = [t for t in re.split(r"[,;/&\s]+|\band\b", answer.strip()) if t]
            letters: set[str] = set()
            for token in tokens:
                m = _LETTER_TOKEN.match(token)
                if not m:
                    return None
                letters.update(m.group(1).upper())
            return frozenset(letters) if letters else None
        if isinstance(answer, (list, tuple, set, frozenset)) and answer:
            out: set[str] = set()
            for item in answer:
                if not isinstance(item, str):
                    return None
                part = Question._parse_letters(item)
                if part is None:
                    return None
                out |= part
            return frozenset(out)
        return None

    def _check_choice(self, answer: Any) -> CheckResult:
        expected = self._expected_letters()
        valid = ", ".join(self.choices)
        letters = None
        if isinstance(answer, str):
            # the full text of a choice also counts as choosing it
            text = answer.strip().casefold()
            for letter, statement in self.choices.items():
                if text == statement.strip().casefold():
                    letters = frozenset(letter)
        if letters is None and isinstance(answer, str):
            # "B) It compares ..." -- a letter followed by (part of) its statement
            m = re.match(r"^\s*\(?([A-Za-z])\)?[.):]\s+\S", answer)
            if m:
                letters = frozenset(m.group(1).upper())
        if letters is None:
            letters = self._parse_letters(answer)
        if letters is None:
            return self._result(
                "incorrect",
                f"Answer with the letter of your choice as a string, e.g. answer = 'A' "
                f"(choices: {valid}); got {_type_name(answer)} {_short_repr(answer, 60)}.",
            )
        unknown = sorted(letters - set(self.choices))
        if unknown:
            return self._result(
                "incorrect", f"{', '.join(unknown)} is not one of the choices; pick from {valid}."
            )
        if len(expected) == 1 and len(letters) > 1:
            return self._result("incorrect", f"Pick exactly one letter; you gave {', '.join(sorted(letters))}.")
        if letters == expected:
            return self._result("correct", self._correct_message())

        wrong = sorted(letters - expected)
        if len(expected) == 1:
            (letter,) = letters
            specific = self.choice_feedback.get(letter)
            msg = f"{letter} is not the best answer."
            msg += f" {specific}" if specific else " Re-read the choices and try again, or ask for a hint."
            return self._result("incorrect", msg)
        parts = []
        for letter in wrong:
            specific = self.choice_feedback.get(letter)
            parts.append(f"{letter} should not be selected." + (f" {specific}" if specific else ""))
        n_missing = len(expected - letters)
        if n_missing:
            parts.append(f"{n_missing} correct statement{'s are' if n_missing > 1 else ' is'} not selected yet.")
        return self._result("incorrect", " ".join(parts))

    # ------------------------------------------------------------------ #
    def hint(self, n: int = 1) -> Feedback:
        """Show hint ``n`` (1-based); hints go from gentle to explicit.

        Parameters
        ----------
        n : int, default 1
            Which hint. Beyond the last, the last hint is shown with a note.

        Returns
        -------
        Feedback
            Rendered as a yellow box in a notebook.

        Raises
        ------
        TypeError, ValueError
            If ``n`` is not an integer >= 1.

        Examples
        --------
        >>> from opsutils.exercises import ch00_start as ex
        >>> ex.q1.hint()  # doctest: +ELLIPSIS
        Hint 1 of 2: ...
        """
        n = require_positive_int(n, name="n")
        total = len(self.hints)
        if n > total:
            note = (f"\n(There {'is only one hint' if total == 1 else f'are only {total} hints'}; this is the last. "
                    f"Use `{self._short_name()}.solution()` to see the answer.)")
            return Feedback("hint", f"Hint {total} of {total}", self.hints[-1] + note)
        return Feedback("hint", f"Hint {n} of {total}", self.hints[n - 1])

    def _short_name(self) -> str:
        return "q" if "." not in self.name else self.name.rsplit(".", 1)[1]

    def solution(self) -> Feedback:
        """Show the reference solution: its code and the reference value.

        Returns
        -------
        Feedback
            Rendered as a grey box with a code block in a notebook.

        Examples
        --------
        >>> from opsutils.exercises import ch00_start as ex
        >>> print(ex.q1.solution())  # doctest: +ELLIPSIS
        Solution: Reference value: 6
        ...
            orders["channel"].nunique()
        """
        if self.kind == "interpretation":
            letters = sorted(self._expected_letters())
            lines = [f"{k}) {self.choices[k]}" for k in letters]
            text = "Answer " + ", ".join(letters) + ":\n" + "\n".join(lines)
            if self.explanation:
                text += "\n" + self.explanation
            return Feedback("solution", "Solution", text)
        value = _short_repr(self.expected())
        code = _solution_source(self._solution)
        text = f"Reference value: {value}" if "\n" not in value else f"Reference value:\n{value}"
        if self.explanation:
            text += "\n" + self.explanation
        if code is None:
            text += "\n(The solution's source code is not available.)"
        return Feedback("solution", "Solution", text, code=code or None)


def _describe_type(value: Any) -> str:
    """``"DataFrame with 3 rows and columns 'a', 'b'"``-style description."""
    if isinstance(value, pd.DataFrame):
        cols = ", ".join(repr(c) for c in list(value.columns)[:8])
        return f"DataFrame ({len(value)} rows; columns {cols})"
    if isinstance(value, pd.Series):
        return f"Series ({len(value)} values)"
    return _type_name(value)

