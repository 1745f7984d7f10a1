"""Calibration in NumPy: does a predicted probability of 0.9 come true nine times in ten? (notebook 04)."""

from __future__ import annotations

import numpy as np

from medcourse.metrics.classification import check_labels, check_scores

__all__ = ["calibration_curve", "fit_temperature", "temperature_scale"]


def calibration_curve(y_true, y_prob, *, bins: int = 10):
    """Reliability diagram data: in each confidence bin, how often the model was right.

    Uses the probability of the predicted class (``max`` over columns) as the confidence, so it works
    for binary and multi-class problems alike. A calibrated model has accuracy ≈ confidence in each bin.

    Returns
    -------
    confidence, accuracy, counts : numpy.ndarray, shape (bins,)
        Mean confidence and accuracy of the cases in each bin (``nan`` for an empty bin), and the counts.
    ece : float
        Expected calibration error: the count-weighted mean of ``|accuracy - confidence|``.
    """
    y_true = check_labels(y_true, "y_true")
    probabilities = check_scores(y_prob, len(y_true))
    if probabilities.ndim == 1:
        probabilities = np.stack([1.0 - probabilities, probabilities], axis=1)
    if bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins}")
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == y_true).astype(np.float64)
    index = np.clip((confidence * bins).astype(int), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, minlength=bins) / counts
        mean_accuracy = np.bincount(index, correct, minlength=bins) / counts
    filled = counts > 0
    ece = float(np.sum(counts[filled] * np.abs(mean_accuracy[filled] - mean_confidence[filled])) / len(y_true))
    return mean_confidence, mean_accuracy, counts, ece


def _log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(probabilities, 1e-12, 1.0))


def temperature_scale(y_prob, temperature: float) -> np.ndarray:
    """Probabilities softened (``T > 1``) or sharpened (``T < 1``): ``softmax(log p / T)``, rows summing to one.

    ``log p`` differs from the network's logits only by a constant per row, which the softmax ignores, so
    this is temperature scaling (Guo et al., 2017) applied to probabilities, as a Keras model outputs them.
    The most probable class never changes, so accuracy and AUC stay the same; only the confidence moves.

    Examples
    --------
    >>> temperature_scale(np.array([[0.8, 0.2]]), 2.0).round(3).tolist()
    [[0.667, 0.333]]
    """
    probabilities = np.asarray(y_prob, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"y_prob must be (N, K) class probabilities, got shape {probabilities.shape}")
    if isinstance(temperature, bool) or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    scaled = _log_probabilities(probabilities) / float(temperature)
    scaled -= scaled.max(axis=1, keepdims=True)
    exponentials = np.exp(scaled)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def fit_temperature(y_true, y_prob, *, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature ``T`` that minimises the cross-entropy of :func:`temperature_scale` on held-out cases.

    Fit it on the **validation** split, then apply it to test predictions (notebook 04 §8): one number,
    found by a bounded one-dimensional search over ``log T`` (the loss is smooth and has a single minimum).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> labels = rng.integers(0, 2, 2000)
    >>> honest = np.where(labels == 1, 0.7, 0.3)[:, None] * [-1, 1] + [1, 0]   # right 70 % of the time …
    >>> labels = np.where(rng.random(2000) < 0.7, labels, 1 - labels)
    >>> overconfident = temperature_scale(honest, 0.25)                          # … but claiming 97 %
    >>> round(fit_temperature(labels, overconfident), 1)                       # undoes most of the 1/0.25
    3.8
    """
    from scipy.optimize import minimize_scalar

    y_true = check_labels(y_true, "y_true")
    probabilities = check_scores(y_prob, len(y_true))
    if probabilities.ndim != 2 or y_true.max() >= probabilities.shape[1]:
        raise ValueError(f"y_prob must be (N, K) probabilities with a column for every label, got {probabilities.shape}")
    low, high = (float(b) for b in bounds)
    if not 0 < low < high:
        raise ValueError(f"bounds must be (low, high) with 0 < low < high, got {bounds!r}")
    log_p = _log_probabilities(probabilities)

    def loss(log_temperature: float) -> float:
        scaled = log_p / np.exp(log_temperature)
        scaled -= scaled.max(axis=1, keepdims=True)
        log_normaliser = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_normaliser - scaled[np.arange(len(y_true)), y_true]))

    result = minimize_scalar(loss, bounds=(np.log(low), np.log(high)), method="bounded",
                             options={"xatol": 1e-6})
    return float(np.exp(result.x))
