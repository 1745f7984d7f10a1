"""Every exercise accepts its reference answer, rejects wrong ones and never crashes a notebook."""

import numpy as np
import pytest

from medcourse.exercises import (
    Exercise,
    all_exercises,
    expect_choice,
    expect_close,
    expect_function,
    expect_shape,
)

EXERCISES = [(module, exercise) for module, exercises in all_exercises().items() for exercise in exercises]
IDS = [f"{module}:{exercise.name.split(':')[0]}" for module, exercise in EXERCISES]


def test_every_notebook_module_has_exercises():
    found = all_exercises()
    assert "nb00" in found
    assert all(len(exercises) >= 1 for exercises in found.values())


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_reference_answer_is_accepted(module, exercise):
    assert exercise.verdict(exercise.reference()) is None


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_wrong_answers_are_rejected_with_a_message(module, exercise):
    assert exercise.wrong_answers, f"{exercise.name} lists no wrong answers to test its check with"
    for wrong in exercise.wrong_answers:
        message = exercise.verdict(wrong)
        assert isinstance(message, str) and message, f"{exercise.name} accepted the wrong answer {wrong!r}"


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_unanswered_exercise_prompts_and_does_not_raise(module, exercise, capsys):
    exercise.check(None)
    exercise.hint()
    exercise.solution()
    exercise.show()
    out = capsys.readouterr().out
    assert "waiting for your answer" in out
    assert exercise.hint_text[:20] in out and exercise.solution_text[:20] in out


def test_check_prints_correct_and_not_quite(capsys):
    exercise = Exercise("Exercise 9: test", "2 + 2?", expect_close(4), "add", "4", lambda: 4, (5,))
    exercise.check(4)
    assert "correct" in capsys.readouterr().out
    exercise.check(5)
    assert "not quite" in capsys.readouterr().out


def test_a_student_function_that_raises_is_reported_not_raised(capsys):
    def broken(x):
        raise RuntimeError("oops")

    exercise = Exercise("E", "q", expect_function(lambda x: x, [(np.ones(3),)]), "h", "s", lambda: (lambda x: x))
    assert "RuntimeError: oops" in exercise.verdict(broken)
    exercise.check(broken)
    assert "not quite" in capsys.readouterr().out


def test_expect_close_explains_shape_and_value_errors():
    checker = expect_close([1.0, 2.0])
    assert checker([1.0, 2.0]) is None
    assert "shape" in checker([1.0])
    assert "largest difference" in checker([1.0, 2.5])
    assert "number" in expect_close(1.0)("one")
    assert "NaN" in expect_close(1.0)(float("nan"))


def test_expect_choice_is_case_insensitive_and_rejects_unknown_options():
    checker = expect_choice("Fat", ["air", "fat"])
    assert checker(" FAT ") is None
    assert "not one of the options" in checker("bone")
    assert "not the best choice" in checker("air")
    with pytest.raises(ValueError, match="must be among options"):
        expect_choice("bone", ["air", "fat"])


def test_expect_shape_wants_a_tuple_of_integers():
    checker = expect_shape((32, 1, 28, 28))
    assert checker((32, 1, 28, 28)) is None
    assert checker([32, 1, 28, 28]) is None
    assert "dimensions" in checker((32, 28, 28))
    assert "tuple of integers" in checker("32x1x28x28")
    assert "not the right shape" in checker((32, 28, 28, 1))


def test_expect_function_compares_shapes_and_values():
    checker = expect_function(np.cumsum, [(np.arange(4.0),)])
    assert checker(np.cumsum) is None
    assert "values differ" in checker(lambda x: x)
    assert "shape" in checker(lambda x: x[:2])
    assert "expected a function" in checker(3)
