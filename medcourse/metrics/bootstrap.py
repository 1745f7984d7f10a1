"""How sure is a test-set number? A bootstrap confidence interval in NumPy (notebook 04 §9).

A test split of a few hundred cases gives an AUC that would move by a few hundredths on another sample
of patients. Resampling the test cases with replacement, and recomputing the metric each time, shows by
how much: the spread of those values is the sampling uncertainty of the number you report.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from medcourse.metrics.classification import check_labels

__all__ = ["bootstrap_ci"]


def bootstrap_ci(metric: Callable[[np.ndarray, np.ndarray], float], y_true, y_score, *, resamples: int = 1000,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """``(estimate, low, high)``: the metric on all cases and the percentile bootstrap interval at ``level``.

    Resamples are **stratified**: each class is resampled with replacement within itself, so every resample
    keeps the test split's class counts (and an AUC is always defined). The interval covers the sampling
    uncertainty of the test cases only — not that of training, nor a shift to another hospital.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_score) -> float``, e.g. :func:`medcourse.metrics.roc_auc`.
    y_true : array of int, shape (N,)
    y_score : array, shape (N,) or (N, K)
        Whatever ``metric`` takes as its second argument, resampled along the first axis.
    resamples : int
        Number of bootstrap resamples.
    level : float
        Coverage of the interval, e.g. 0.95.
    seed : int
        Seeds the resampling: the same seed gives the same interval.

    Examples
    --------
    >>> from medcourse.metrics import roc_auc
    >>> rng = np.random.default_rng(0)
    >>> labels = np.repeat([0, 1], 100)
    >>> scores = labels + rng.normal(0, 1, 200)
    >>> estimate, low, high = bootstrap_ci(roc_auc, labels, scores, resamples=200)
    >>> bool(low < estimate < high), round(high - low, 2)
    (True, 0.15)
    """
    y_true = check_labels(y_true, "y_true")
    y_score = np.asarray(y_score)
    if len(y_score) != len(y_true):
        raise ValueError(f"y_score must have one row per case ({len(y_true)}), got {len(y_score)}")
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)) or resamples < 10:
        raise ValueError(f"resamples must be an integer ≥ 10, got {resamples!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95, got {level!r}")
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(y_true == c) for c in np.unique(y_true)]
    values = np.empty(int(resamples))
    for index in range(int(resamples)):
        chosen = np.concatenate([rng.choice(group, size=len(group), replace=True) for group in groups])
        values[index] = metric(y_true[chosen], y_score[chosen])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(metric(y_true, y_score)), float(low), float(high)
