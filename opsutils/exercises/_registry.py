"""Registry of every exercise question, used by the test-suite.

Chapter modules register their questions when imported. :func:`all_questions`
imports every module in :data:`QUESTION_MODULES` and returns the registry, so
``tests/test_exercise_registry.py`` checks every question automatically.

To add a chapter: create ``opsutils/exercises/chNN_topic.py`` defining
``q1 = register(Question("chNN_topic.q1", ...))`` etc., and add
``"opsutils.exercises.chNN_topic"`` to :data:`QUESTION_MODULES`.
"""

from __future__ import annotations

import importlib

from opsutils.exercises._core import Question

__all__ = ["REGISTRY", "QUESTION_MODULES", "register", "all_questions"]

#: Every chapter module that defines questions, in course order.
QUESTION_MODULES: tuple[str, ...] = (
    "opsutils.exercises.ch00_start",
    "opsutils.exercises.ch01_landscape",
    "opsutils.exercises.ch01_business_case",
    "opsutils.exercises.ch02_unified_view",
    "opsutils.exercises.ch02_data_quality",
    "opsutils.exercises.ch02_privacy",
    "opsutils.exercises.ch02_rfm",
    "opsutils.exercises.ch02_clv",
    "opsutils.exercises.ch03_journey_mapping",
    "opsutils.exercises.ch03_funnels",
    "opsutils.exercises.ch03_attribution",
    "opsutils.exercises.ch03_lifecycle",
    "opsutils.exercises.ch06_kpi",
    "opsutils.exercises.ch06_ab_testing",
    "opsutils.exercises.ch06_causal",
    "opsutils.exercises.ch06_roi",
)

#: Question name -> Question, filled as chapter modules are imported.
REGISTRY: dict[str, Question] = {}


def register(question: Question) -> Question:
    """Add ``question`` to :data:`REGISTRY` under its name and return it.

    Registering again under the same name replaces the entry (so re-importing
    or reloading a chapter module is harmless). Names are kept unique by the
    convention ``"<module>.<attribute>"``, which the test-suite enforces.

    Parameters
    ----------
    question : Question
        The question to register.

    Returns
    -------
    Question
        The same question, so a module can write ``q1 = register(Question(...))``.

    Raises
    ------
    TypeError
        If ``question`` is not a :class:`Question`.

    Examples
    --------
    >>> from opsutils.exercises import Question, REGISTRY
    >>> from opsutils.exercises._registry import register
    >>> q = register(Question("demo.q9", "Two plus two?", lambda: 4,
    ...                       hints=("Add.",), wrong_answers=(5,)))
    >>> REGISTRY["demo.q9"] is q
    True
    >>> del REGISTRY["demo.q9"]
    """
    if not isinstance(question, Question):
        raise TypeError(f"`question` must be a Question, got {type(question).__name__}.")
    REGISTRY[question.name] = question
    return question


def all_questions() -> dict[str, Question]:
    """Import every chapter module in :data:`QUESTION_MODULES`; return the registry.

    Module-level :class:`Question` objects that a chapter forgot to
    :func:`register` are registered too, so no question escapes the tests.

    Returns
    -------
    dict of str to Question
        :data:`REGISTRY` itself (name -> question).

    Examples
    --------
    >>> from opsutils.exercises import all_questions
    >>> "ch00_start.q1" in all_questions()
    True
    """
    for module_name in QUESTION_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, Question) and REGISTRY.get(value.name) is not value:
                register(value)
    return REGISTRY
