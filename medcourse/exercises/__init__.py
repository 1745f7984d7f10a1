"""Self-checking exercises, one module per notebook (``nb00`` for 00_welcome, ``nb01`` …).

In a notebook::

    from medcourse.exercises import nb00 as ex
    ex.q1.show()            # the question
    answer = None           # ← your answer
    ex.q1.check(answer)     # tells you whether it is right, never raises
    ex.q1.hint()
    ex.q1.solution()

An exercise knows a reference answer and some wrong ones, so the test suite can prove that the
check accepts the right answer and rejects the wrong ones (``tests/test_exercises.py``).
"""

from __future__ import annotations

from medcourse.exercises._core import (
    Exercise,
    all_exercises,
    expect_choice,
    expect_close,
    expect_function,
    expect_shape,
)

__all__ = [
    "Exercise",
    "all_exercises",
    "expect_choice",
    "expect_close",
    "expect_function",
    "expect_shape",
]
