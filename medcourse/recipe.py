"""The course's default training recipe, framework-free: the learning-rate schedule and the decision threshold.

:func:`medcourse.pytorch.fit` and :func:`medcourse.tensorflow.fit` set the optimiser's step size from
:func:`learning_rates` before every step, so the two frameworks follow the same schedule step by step, and
leave a two-class model with the decision threshold :func:`choose_threshold` picks on the validation split.
Notebook 04 §6 argues each choice of the recipe and measures it on the shipped real data.
"""

from __future__ import annotations

import math

import numpy as np

from medcourse.metrics.decision import decide, youden_threshold
from medcourse.training import evaluate_split

__all__ = [
    "MEDMNIST_V2",
    "SCHEDULES",
    "THRESHOLDS",
    "WARMUP_FRACTION",
    "check_recipe",
    "check_threshold",
    "choose_threshold",
    "evaluate_decided",
    "learning_rates",
]

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


#: How ``fit`` sets a two-class model's decision threshold: Youden's J on validation, or none (the most probable class).
THRESHOLDS = ("youden", None)


def check_threshold(threshold) -> str | None:
    """``fit``'s ``threshold`` argument, or a ValueError naming it."""
    if threshold not in THRESHOLDS:
        raise ValueError(f"threshold must be one of {THRESHOLDS}, got {threshold!r}")
    return threshold


def choose_threshold(dataset, validation_probabilities: np.ndarray, rule: str | None) -> float | None:
    """The decision threshold ``fit`` leaves on a model: for two classes and ``rule="youden"``, the
    :func:`medcourse.metrics.youden_threshold` of the validation split; otherwise None (argmax).

    Chosen on validation, never on test: the test split must not shape any decision about the model.
    """
    if rule is None or dataset.task not in ("binary", "multiclass") or dataset.num_classes != 2:
        return None
    return youden_threshold(dataset.val[1], np.asarray(validation_probabilities)[:, 1])


def evaluate_decided(dataset, split: str, predict, threshold: float | None) -> dict[str, float]:
    """Both frameworks' ``evaluate``: :func:`medcourse.training.evaluate_split`, with the accuracy of the
    model's decision threshold (``p₁ ≥ threshold``) when it has one, instead of the most probable class."""
    seen = {}

    def remembered(images):
        seen["probabilities"] = predict(images)
        return seen["probabilities"]

    result = evaluate_split(dataset, split, remembered)
    if threshold is not None:
        labels = getattr(dataset, split)[1]
        result["accuracy"] = float(np.mean(decide(seen["probabilities"], threshold) == labels))
    return result


#: Published test results of MedMNIST v2 (Yang et al., "MedMNIST v2 — A large-scale lightweight benchmark for 2D
#: and 3D biomedical image classification", Scientific Data 10, 41 (2023), Table 3): (AUC, ACC) per model,
#: for the 2-D sets the course uses. ResNet-18 (28) is the baseline closest to the course's setting (28×28
#: inputs, trained from scratch); the notebook and ``tools/benchmark_recipe.py`` print these beside your run.
MEDMNIST_V2 = {
    "pneumoniamnist": {"ResNet-18 (28)": (0.944, 0.854), "ResNet-50 (28)": (0.948, 0.854),
                       "auto-sklearn": (0.942, 0.855), "AutoKeras": (0.947, 0.878),
                       "Google AutoML Vision": (0.991, 0.946)},
    "breastmnist": {"ResNet-18 (28)": (0.901, 0.863), "ResNet-50 (28)": (0.857, 0.812),
                    "auto-sklearn": (0.836, 0.803), "AutoKeras": (0.871, 0.831),
                    "Google AutoML Vision": (0.919, 0.861)},
    "retinamnist": {"ResNet-18 (28)": (0.717, 0.524), "ResNet-50 (28)": (0.726, 0.528),
                    "auto-sklearn": (0.690, 0.515), "AutoKeras": (0.719, 0.503),
                    "Google AutoML Vision": (0.750, 0.531)},
}
