"""Every registered exercise question: its reference passes, placeholders and known-wrong answers do not.

Parametrized over ``all_questions()``, so a question added to any chapter
module listed in ``QUESTION_MODULES`` is tested automatically.
"""

import importlib

import pytest

from opsutils.exercises import PLACEHOLDER, Feedback, Question, all_questions
from opsutils.exercises._registry import QUESTION_MODULES

QUESTIONS = list(all_questions().values())


def _ids(q):
    return q.name


def test_registry_is_not_empty():
    assert QUESTIONS


def test_every_question_is_named_after_its_module_and_attribute():
    seen = {}
    for module_name in QUESTION_MODULES:
        module = importlib.import_module(module_name)
        short = module_name.rsplit(".", 1)[1]
        for attr, value in vars(module).items():
            if isinstance(value, Question):
                assert value.name == f"{short}.{attr}", f"{module_name}.{attr} is named {value.name!r}"
                seen[value.name] = value
        assert set(getattr(module, "__all__", ())) >= {a for a, v in vars(module).items() if isinstance(v, Question)}
    assert {q.name for q in QUESTIONS} == set(seen)


@pytest.mark.parametrize("q", QUESTIONS, ids=_ids)
def test_reference_answer_is_correct(q):
    result = q.check(q.expected())
    assert result.status == "correct", result.message


@pytest.mark.parametrize("q", QUESTIONS, ids=_ids)
def test_placeholder_is_not_attempted(q):
    assert q.check(PLACEHOLDER).status == "not_attempted"


@pytest.mark.parametrize("q", QUESTIONS, ids=_ids)
def test_known_wrong_answers_are_incorrect(q):
    assert q.wrong_answers
    for wrong in q.wrong_answers:
        result = q.check(wrong)
        assert result.status == "incorrect", f"{wrong!r} was accepted"
        assert result.message.strip()


@pytest.mark.parametrize("q", QUESTIONS, ids=_ids)
def test_hints_and_solution_render(q):
    assert q.hints and all(h.strip() for h in q.hints)
    for n in range(1, len(q.hints) + 1):
        hint = q.hint(n)
        assert isinstance(hint, Feedback)
        assert str(hint) and hint._repr_html_()
    solution = q.solution()
    assert isinstance(solution, Feedback)
    assert str(solution) and solution._repr_html_()
    if q.kind == "value":
        assert solution.code, "the solution's source code should be shown"
    assert q._repr_html_() and q.prompt in str(q.show())
