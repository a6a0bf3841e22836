"""Exercise framework: check answers, get tiered hints, see reference solutions.

In a notebook::

    from opsutils.exercises import ____
    from opsutils.exercises import ch00_start as ex

    answer = ____          # replace ____ with your code
    ex.q1.check(answer)    # last line of the cell shows the feedback box
    ex.q1.hint()           # gentle hint; ex.q1.hint(2) is more explicit
    ex.q1.solution()       # reference code and value

Nothing is printed and nothing raises because of an answer: ``check()``
returns a :class:`CheckResult` that Jupyter renders as a coloured box when it
is the last expression of a cell (use ``display(ex.q1.check(answer))``
elsewhere in a cell).

Examples
--------
>>> from opsutils.exercises import ____
>>> from opsutils.exercises import ch00_start as ex
>>> ex.q1.check(____)
… Not attempted: Replace ____ with your code (every ____ in the cell), then run the cell again.
>>> ex.q2.check(" b) ").status
'correct'
"""

from opsutils.exercises import checkers
from opsutils.exercises._core import PLACEHOLDER, CheckResult, Feedback, Incorrect, Question, ____
from opsutils.exercises._registry import REGISTRY, QUESTION_MODULES, all_questions, register

__all__ = [
    "Question",
    "CheckResult",
    "Feedback",
    "Incorrect",
    "PLACEHOLDER",
    "____",
    "checkers",
    "all_questions",
    "register",
    "REGISTRY",
    "QUESTION_MODULES",
]
