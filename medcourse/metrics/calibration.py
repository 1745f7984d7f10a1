"""Calibration in NumPy: does a predicted probability of 0.9 come true nine times in ten? (notebook 04)."""

from __future__ import annotations

import numpy as np

from medcourse.metrics.classification import check_labels, check_scores

__all__ = ["calibration_curve"]


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
