"""The :class:`Exercise` object and the answer checkers the exercise modules are built from."""

from __future__ import annotations

import copy
import importlib
import math
import os
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: What a checker returns: ``None`` when the answer is right, otherwise a sentence saying what is wrong.
Verdict = str | None


def _is_unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _display(markdown: str) -> None:
    """Show Markdown in a notebook, plain text elsewhere (a terminal, a test)."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:  # Markdown in a notebook, the same text in a terminal IPython
            display({"text/markdown": markdown, "text/plain": markdown}, raw=True)
            return
    except ImportError:  # pragma: no cover - IPython is always there in a notebook
        pass
    print(markdown)


@dataclass
class Exercise:
    """One exercise: a question, a checker, a hint and a worked solution.

    Parameters
    ----------
    name : str
        Short label shown in messages, e.g. ``"Exercise 1: Hounsfield units"``.
    question : str
        Markdown text of the question.
    checker : callable
        ``checker(answer) -> None | str``: ``None`` when the answer is right, otherwise a short,
        friendly explanation of what is wrong. It may raise; the exception is reported, not raised.
    hint_text, solution_text : str
        Markdown shown by :meth:`hint` and :meth:`solution`.
    reference : callable
        Returns a correct answer; the tests pass it through :meth:`check`.
    wrong_answers : sequence
        Answers the checker must reject; the tests pass each through :meth:`check`.
    """

    name: str
    question: str
    checker: Callable[[Any], Verdict]
    hint_text: str
    solution_text: str
    reference: Callable[[], Any]
    wrong_answers: Sequence[Any] = field(default_factory=tuple)

    def show(self) -> None:
        """Display the question."""
        _display(f"**{self.name}**\n\n{self.question}")

    def verdict(self, answer: Any) -> Verdict:
        """Return ``None`` for a right answer, or the message a student would see (never raises)."""
        if _is_unanswered(answer):
            return "unanswered"
        try:
            return self.checker(answer)
        except Exception as error:  # a student's function may fail in any way; report, don't crash
            return f"checking your answer raised {type(error).__name__}: {error}"

    def check(self, answer: Any) -> None:
        """Tell the student whether ``answer`` is right. Never raises; :meth:`verdict` is the quiet form."""
        if _is_unanswered(answer):
            _display(
                f"✏️ **{self.name}** is waiting for your answer: replace `None` with it and run the "
                "cell again. Stuck? Call `.hint()`, or `.solution()` to see a worked answer."
            )
            return
        message = self.verdict(answer)
        if message is None:
            _display(f"✅ **{self.name}**: correct!")
            return
        message = message[:1].upper() + message[1:]
        _display(f"❌ **{self.name}**: not quite. {message}\n\nTry again, or call `.hint()`.")

    def hint(self) -> None:
        """Show a hint."""
        _display(f"💡 **Hint for {self.name}**: {self.hint_text}")

    def solution(self) -> None:
        """Show the worked solution (withheld in a graded copy, where ``MEDCOURSE_SOLUTIONS=withheld``)."""
        if solutions_withheld():
            _display(f"🔒 **{self.name}**: the worked solution is withheld in this graded copy; your "
                     "instructor shares it after the deadline. `.hint()` still helps.")
            return
        _display(f"📖 **Solution to {self.name}**\n\n{self.solution_text}")


#: Set to ``withheld`` by the setup cell of a graded copy (``python -m medcourse release --no-solutions``),
#: or for a whole JupyterHub in its environment, to make ``Exercise.solution()`` decline politely.
SOLUTIONS_VARIABLE = "MEDCOURSE_SOLUTIONS"


def solutions_withheld() -> bool:
    """Whether worked solutions are withheld here (a graded copy); hints never are."""
    return os.environ.get(SOLUTIONS_VARIABLE, "").strip().lower() == "withheld"


# --- checkers -------------------------------------------------------------------------------------


def _answer_tolerances(given: np.ndarray, rtol: float, atol: float, scale: float) -> tuple[float, float]:
    """Tolerances widened to the answer's own floating-point precision (a correct float32 answer passes).

    A float32 result carries rounding errors of about ``eps = 1.2e-7`` relative to the size of the
    numbers involved; a tolerance tighter than that would reject a right answer computed in float32
    (as PyTorch and TensorFlow do by default). Integer and float64 answers keep the tolerances given.
    """
    if not np.issubdtype(given.dtype, np.floating) or np.finfo(given.dtype).eps <= np.finfo(np.float64).eps:
        return rtol, atol
    eps = float(np.finfo(given.dtype).eps)
    return max(rtol, 16 * eps), max(atol, 64 * eps * max(1.0, scale))


def expect_close(expected: float | Sequence[float] | np.ndarray, *, rtol: float = 1e-6,
                 atol: float = 1e-9, unit: str = "") -> Callable[[Any], Verdict]:
    """A checker for a number (or array of numbers) within a tolerance of ``expected``.

    The tolerance widens to the precision of a float32 (or float16) answer, so the same right
    answer computed in float32 is accepted.

    Examples
    --------
    >>> check = expect_close(1 / 3, rtol=1e-9)
    >>> check(0.3333333333333333) is None, check(np.float32(1 / 3)) is None
    (True, True)
    >>> check(0.34)
    '0.34 is not the value we expect.'
    """
    target = np.asarray(expected, dtype=float)

    def checker(answer: Any) -> Verdict:
        try:
            original = np.asarray(answer)
            given = original.astype(float)
        except (TypeError, ValueError):
            return f"expected a number, got {type(answer).__name__} {answer!r}."
        if given.shape != target.shape:
            what = "a single number" if target.ndim == 0 else f"an array of shape {target.shape}"
            return f"expected {what}, got shape {given.shape}."
        if not np.all(np.isfinite(given)):
            return "your answer contains NaN or infinity."
        scale = float(np.max(np.abs(target))) if target.size else 0.0
        relative, absolute = _answer_tolerances(original, rtol, atol, scale)
        if np.allclose(given, target, rtol=relative, atol=absolute):
            return None
        suffix = f" {unit}" if unit else ""
        if target.ndim == 0:
            return f"{float(given):g}{suffix} is not the value we expect."
        worst = float(np.max(np.abs(given - target)))
        return f"some entries are off (largest difference {worst:.3g}{suffix})."

    return checker


def _as_number(value: Any) -> float | None:
    """``value`` as a float when it is a real number or a numeric string (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def expect_choice(correct: str | Iterable[str], options: Iterable[str]) -> Callable[[Any], Verdict]:
    """A checker for a multiple-choice answer given as one of ``options`` (case-insensitive).

    A numeric option also accepts the number itself: with options ``"0"``, ``"0.5"``, ``"1"``, the
    answers ``0.5``, ``1 / 2`` and ``"0.50"`` all mean ``"0.5"``.

    Examples
    --------
    >>> check = expect_choice("0.5", ["0", "0.5", "1"])
    >>> check("0.5") is None, check(0.5) is None
    (True, True)
    >>> check(1)
    '1 is not the best choice.'
    """
    options = [str(o) for o in options]
    correct_set = {correct.lower()} if isinstance(correct, str) else {c.lower() for c in correct}
    lowered = {o.lower() for o in options}
    if not correct_set <= lowered:
        raise ValueError(f"correct answers {sorted(correct_set)} must be among options {options}")
    numeric = {option.lower(): number for option in options if (number := _as_number(option)) is not None}

    def checker(answer: Any) -> Verdict:
        number = _as_number(answer)
        if not isinstance(answer, str) and (number is None or not numeric):
            return f"answer with one of {options} as a string, got {answer!r}."
        given = answer.strip().lower() if isinstance(answer, str) else None
        if given not in lowered and number is not None:
            given = next((o for o, value in numeric.items() if math.isclose(value, number, abs_tol=1e-12)), None)
        if given not in lowered:
            return f"{answer!r} is not one of the options {options}."
        return None if given in correct_set else f"{answer!r} is not the best choice."

    return checker


def expect_shape(expected: Sequence[int]) -> Callable[[Any], Verdict]:
    """A checker for a shape given as a tuple (or list) of integers."""
    target = tuple(int(n) for n in expected)

    def checker(answer: Any) -> Verdict:
        if not isinstance(answer, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in answer
        ):
            return f"give the shape as a tuple of integers like {target!r}, got {answer!r}."
        given = tuple(int(n) for n in answer)
        if len(given) != len(target):
            return f"the shape should have {len(target)} dimensions, yours has {len(given)}."
        return None if given == target else f"{given} is not the right shape."

    return checker


def expect_function(reference: Callable[..., Any], cases: Sequence[tuple], *, rtol: float = 1e-6,
                    atol: float = 1e-8, mistakes: Sequence[tuple[Callable[..., Any], str]] = ()
                    ) -> Callable[[Any], Verdict]:
    """A checker for a function: it must agree with ``reference`` on every argument tuple in ``cases``.

    Each call gets its own deep copy of the arguments, so an answer (or a reference) that changes
    its input in place cannot change what the next one is checked on. ``mistakes`` pairs a known
    wrong function with the explanation a student sees when their answer behaves like it.
    The tolerance widens to the precision of a float32 answer (see ``expect_close``).
    """

    def checker(answer: Any) -> Verdict:
        if not callable(answer):
            return f"expected a function, got {type(answer).__name__}."
        problem = _disagreement(reference, answer, cases, rtol, atol)
        if problem is None:
            return None
        for mistake, explanation in mistakes:
            if _disagreement(mistake, answer, cases, rtol, atol) is None:
                return explanation
        return problem

    return checker


def _disagreement(reference: Callable[..., Any], answer: Callable[..., Any], cases: Sequence[tuple],
                  rtol: float, atol: float) -> Verdict:
    """The first case on which ``answer`` differs from ``reference``, described, or None."""
    for arguments in cases:
        want = np.asarray(reference(*copy.deepcopy(arguments)), dtype=float)
        original = np.asarray(answer(*copy.deepcopy(arguments)))
        got = original.astype(float)
        shapes = ", ".join(str(np.shape(a)) for a in arguments)
        if got.shape != want.shape:
            return f"for inputs of shapes ({shapes}) your function returned shape {got.shape}, expected {want.shape}."
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        relative, absolute = _answer_tolerances(original, rtol, atol, scale)
        if not np.allclose(got, want, rtol=relative, atol=absolute):
            worst = float(np.max(np.abs(got - want))) if got.size else math.nan
            return f"for inputs of shapes ({shapes}) the values differ (largest difference {worst:.3g})."
    return None


def all_exercises() -> dict[str, list[Exercise]]:
    """Every exercise of every notebook module, keyed by module name (``"nb00"`` …); used by the tests."""
    import medcourse.exercises as package

    found: dict[str, list[Exercise]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found[info.name] = [value for value in vars(module).values() if isinstance(value, Exercise)]
    return found
