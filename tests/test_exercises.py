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


# --- checkers that cannot be fooled, and that accept every correct answer (issue 12, item 13) -------


def _z_score_in_place(image, mask):
    foreground = image[mask]
    image -= foreground.mean()
    image /= foreground.std()
    return image


def test_an_answer_that_changes_its_input_in_place_cannot_change_what_later_answers_are_checked_on():
    from medcourse.exercises import nb01

    assert nb01.q4.verdict(_z_score_in_place) is None  # right values, even though it overwrites its input
    for wrong in nb01.q4.wrong_answers:
        assert nb01.q4.verdict(wrong), f"after an in-place answer, the wrong answer {wrong} passed"


def test_a_reference_that_changes_its_input_cannot_change_what_the_answer_receives():
    def reference(values):
        values *= 2
        return values

    received = []
    checker = expect_function(reference, [(np.arange(3.0),)])
    assert checker(lambda values: received.append(values.copy()) or values * 2) is None
    np.testing.assert_array_equal(received[0], np.arange(3.0))


FLOAT32 = {
    "nb02.q2": lambda image, kernel: _float32_correlate(image, kernel),
    "nb01.q1": lambda stored, slope, intercept: np.float32(slope) * np.asarray(stored, np.float32) + np.float32(intercept),
    "nb01.q4": lambda image, mask: _float32_z_score(image, mask),
}


def _float32_correlate(image, kernel):
    from scipy import signal

    return signal.correlate2d(np.float32(image), np.float32(kernel), mode="valid")


def _float32_z_score(image, mask):
    image = np.asarray(image, dtype=np.float32)
    return (image - image[mask].mean()) / image[mask].std()


@pytest.mark.parametrize("name", sorted(FLOAT32))
def test_a_correct_float32_answer_is_accepted(name):
    import importlib

    module, question = name.split(".")
    exercise = getattr(importlib.import_module(f"medcourse.exercises.{module}"), question)
    assert exercise.verdict(FLOAT32[name]) is None


def test_the_float32_tolerance_still_rejects_a_wrong_float32_answer():
    from scipy import signal

    from medcourse.exercises import nb02

    def flipped(image, kernel):
        return signal.convolve2d(np.float32(image), np.float32(kernel), mode="valid")

    assert "values differ" in nb02.q2.verdict(flipped)


def test_expect_close_accepts_a_float32_number_at_float32_precision():
    checker = expect_close(1 / 3, rtol=1e-9, atol=0)
    assert checker(np.float32(1 / 3)) is None
    assert checker(np.float32(0.334)) is not None
    assert checker(0.3333334) is not None  # a float64 answer keeps the tight tolerance


def test_nb01_q4_says_which_standard_deviation_and_explains_the_other_one():
    from medcourse.exercises import nb01

    assert "population" in nb01.q4.question and "N − 1" in nb01.q4.question
    message = nb01.q4.verdict(lambda image, mask: (image - image[mask].mean()) / image[mask].std(ddof=1))
    assert message and "N − 1" in message and "ddof=1" in message


@pytest.mark.parametrize("answer", ["0.5", 0.5, "0.50", 1 / 2])
def test_nb04_q3_accepts_one_half_as_text_or_as_a_number(answer):
    from medcourse.exercises import nb04

    assert nb04.q3.verdict(answer) is None


@pytest.mark.parametrize("answer, message", [(1.0, "not the best choice"), (0, "not the best choice"),
                                             (0.7, "not one of the options"), (True, "answer with one of")])
def test_nb04_q3_rejects_other_numbers_with_the_right_message(answer, message):
    from medcourse.exercises import nb04

    assert message in nb04.q3.verdict(answer)
