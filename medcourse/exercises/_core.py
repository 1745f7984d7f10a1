"""The :class:`Exercise` object and the answer checkers the exercise modules are built from."""

from __future__ import annotations

import importlib
import math
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
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown(markdown))
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
        """Show the worked solution."""
        _display(f"📖 **Solution to {self.name}**\n\n{self.solution_text}")


# --- checkers -------------------------------------------------------------------------------------


def expect_close(expected: float | Sequence[float] | np.ndarray, *, rtol: float = 1e-6,
                 atol: float = 1e-9, unit: str = "") -> Callable[[Any], Verdict]:
    """A checker for a number (or array of numbers) within a tolerance of ``expected``."""
    target = np.asarray(expected, dtype=float)

    def checker(answer: Any) -> Verdict:
        try:
            given = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return f"expected a number, got {type(answer).__name__} {answer!r}."
        if given.shape != target.shape:
            what = "a single number" if target.ndim == 0 else f"an array of shape {target.shape}"
            return f"expected {what}, got shape {given.shape}."
        if not np.all(np.isfinite(given)):
            return "your answer contains NaN or infinity."
        if np.allclose(given, target, rtol=rtol, atol=atol):
            return None
        suffix = f" {unit}" if unit else ""
        if target.ndim == 0:
            return f"{float(given):g}{suffix} is not the value we expect."
        worst = float(np.max(np.abs(given - target)))
        return f"some entries are off (largest difference {worst:.3g}{suffix})."

    return checker


def expect_choice(correct: str | Iterable[str], options: Iterable[str]) -> Callable[[Any], Verdict]:
    """A checker for a multiple-choice answer given as one of ``options`` (case-insensitive)."""
    options = [str(o) for o in options]
    correct_set = {correct.lower()} if isinstance(correct, str) else {c.lower() for c in correct}
    lowered = {o.lower() for o in options}
    if not correct_set <= lowered:
        raise ValueError(f"correct answers {sorted(correct_set)} must be among options {options}")

    def checker(answer: Any) -> Verdict:
        if not isinstance(answer, str):
            return f"answer with one of {options} as a string, got {answer!r}."
        given = answer.strip().lower()
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


def expect_function(reference: Callable[..., Any], cases: Sequence[tuple],
                    *, rtol: float = 1e-6, atol: float = 1e-8) -> Callable[[Any], Verdict]:
    """A checker for a function: it must agree with ``reference`` on every argument tuple in ``cases``."""

    def checker(answer: Any) -> Verdict:
        if not callable(answer):
            return f"expected a function, got {type(answer).__name__}."
        for arguments in cases:
            want = np.asarray(reference(*arguments), dtype=float)
            got = np.asarray(answer(*arguments), dtype=float)
            shapes = ", ".join(str(np.shape(a)) for a in arguments)
            if got.shape != want.shape:
                return f"for inputs of shapes ({shapes}) your function returned shape {got.shape}, expected {want.shape}."
            if not np.allclose(got, want, rtol=rtol, atol=atol):
                worst = float(np.max(np.abs(got - want))) if got.size else math.nan
                return f"for inputs of shapes ({shapes}) the values differ (largest difference {worst:.3g})."
        return None

    return checker


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
