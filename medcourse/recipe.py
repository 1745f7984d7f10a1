"""The course's default training recipe, framework-free: the learning-rate schedule both ``fit``s follow.

:func:`medcourse.pytorch.fit` and :func:`medcourse.tensorflow.fit` set the optimiser's step size from
:func:`learning_rates` before every step, so the two frameworks follow the same schedule step by step.
Notebook 04 §6 argues each choice of the recipe and measures it on the shipped real data.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SCHEDULES", "WARMUP_FRACTION", "check_recipe", "learning_rates"]

#: Learning-rate schedules: the same step size throughout, or a short warm-up then a cosine decay to zero.
SCHEDULES = ("constant", "cosine")

#: Share of the steps over which ``"cosine"`` warms up linearly from ``peak / warm-up steps`` to ``peak``.
WARMUP_FRACTION = 0.05


def check_recipe(learning_rate, weight_decay, schedule) -> tuple[float, float, str]:
    """The recipe arguments of ``fit`` as ``(float, float, str)``, or a ValueError naming the bad one."""
    for name, value, low in (("learning_rate", learning_rate, 0.0), ("weight_decay", weight_decay, 0.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(value) or value < low or (name == "learning_rate" and value == 0):
            relation = "> 0" if name == "learning_rate" else "≥ 0"
            raise ValueError(f"{name} must be a finite number {relation}, got {value!r}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    return float(learning_rate), float(weight_decay), schedule


def learning_rates(steps_per_epoch: int, epochs: int, peak: float, schedule: str = "cosine") -> np.ndarray:
    """The step size of every optimisation step of a run, ``(steps_per_epoch · epochs,)``.

    ``"constant"`` keeps ``peak``. ``"cosine"`` warms up linearly over the first
    :data:`WARMUP_FRACTION` of the steps (large steps on random weights can throw batch-norm statistics
    off), then decays as :math:`\\eta_t = \\eta_{peak}\\,\\tfrac12\\,(1 + \\cos(\\pi t / T))`, so the last
    epochs take small steps that settle into a minimum instead of jumping around it.

    Examples
    --------
    >>> learning_rates(2, 2, 0.1, "constant").tolist()
    [0.1, 0.1, 0.1, 0.1]
    >>> rates = learning_rates(100, 10, 1e-3)
    >>> float(rates.max()) <= 1e-3, bool(rates[-1] < 1e-6), bool(np.all(np.diff(rates[60:]) < 0))
    (True, True, True)
    """
    total = int(steps_per_epoch) * int(epochs)
    if total < 1:
        raise ValueError(f"a run needs at least one step, got {steps_per_epoch} steps × {epochs} epochs")
    check_recipe(peak, 0.0, schedule)
    if schedule == "constant":
        return np.full(total, float(peak))
    step = np.arange(total, dtype=np.float64)
    warmup = max(1, round(WARMUP_FRACTION * total))
    ramp = np.minimum(1.0, (step + 1) / warmup)
    return float(peak) * ramp * 0.5 * (1.0 + np.cos(np.pi * step / total))
