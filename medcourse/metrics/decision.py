"""From scores to decisions in NumPy: the threshold chosen on validation, precision–recall, PPV vs prevalence.

A classifier outputs a score; a clinic needs a yes or no. Notebook 04 §7 chooses the threshold on the
validation split (never on the test split), and §9 shows why a rare disease makes positive calls
unreliable even for a good test: the positive predictive value depends on the prevalence.
"""

from __future__ import annotations

import numpy as np

from medcourse.metrics.classification import positive_scores, roc_curve

__all__ = ["average_precision_score", "decide", "ppv_at_prevalence", "precision_recall_curve", "youden_threshold"]


def youden_threshold(y_true, y_score, *, positive: int = 1) -> float:
    """The threshold ``t`` (call positive when ``score ≥ t``) that maximises Youden's J = sensitivity + specificity − 1.

    J does not depend on the prevalence, so a threshold chosen on a validation split with one prevalence
    still balances sensitivity and specificity on a test population with another. Every threshold between
    two neighbouring scores makes the same calls; this returns the middle of that gap (on the logit scale
    for probabilities), so the decision keeps a margin on both sides rather than sitting on one case's score.

    Examples
    --------
    >>> round(youden_threshold([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9]), 3)  # between 0.2 and 0.6, on the logit scale
    0.38
    """
    is_positive, scores = positive_scores(y_true, y_score, positive)
    fpr, tpr, thresholds = roc_curve(is_positive.astype(int), scores, drop_intermediate=False)
    best = int(np.argmax(tpr - fpr))  # the first (highest) threshold of the best J
    upper = thresholds[best]
    lower_scores = scores[scores < upper]
    if not np.isfinite(upper) or lower_scores.size == 0:
        return float(upper if np.isfinite(upper) else scores.max())
    lower = lower_scores.max()
    if lower > 0.0 and upper < 1.0:  # probabilities: the middle on the logit scale
        logit = (np.log(lower / (1 - lower)) + np.log(upper / (1 - upper))) / 2
        return float(1.0 / (1.0 + np.exp(-logit)))
    return float((lower + upper) / 2)


def decide(probabilities, threshold: float | None = None) -> np.ndarray:
    """Predicted labels: the most probable class, or for two classes ``p₁ ≥ threshold`` when one is given.

    Examples
    --------
    >>> decide(np.array([[0.7, 0.3], [0.4, 0.6]])).tolist(), decide(np.array([[0.7, 0.3], [0.4, 0.6]]), 0.25).tolist()
    ([0, 1], [1, 1])
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be (N, K), got shape {probabilities.shape}")
    if threshold is None:
        return probabilities.argmax(axis=1)
    if probabilities.shape[1] != 2:
        raise ValueError(f"a decision threshold needs two classes, got {probabilities.shape[1]} columns")
    return (probabilities[:, 1] >= float(threshold)).astype(np.int64)


def precision_recall_curve(y_true, y_score, *, positive: int = 1):
    """Precision (PPV) and recall (sensitivity) as the threshold sweeps down, as :func:`sklearn.metrics.precision_recall_curve`.

    Returns ``precision, recall, thresholds`` with the thresholds increasing and the point
    ``(recall 0, precision 1)`` appended last, scikit-learn's convention.

    Examples
    --------
    >>> precision, recall, _ = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> precision.round(3).tolist(), recall.tolist()
    ([0.667, 0.5, 1.0, 1.0], [1.0, 0.5, 0.5, 0.0])
    """
    is_positive, scores = positive_scores(y_true, y_score, positive)
    if not is_positive.any():
        raise ValueError(f"a precision–recall curve needs positive cases (class {positive}); y_true has none")
    order = np.argsort(-scores, kind="mergesort")
    scores, is_positive = scores[order], is_positive[order]
    last_of_group = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(is_positive)[last_of_group].astype(np.float64)
    called = (last_of_group + 1).astype(np.float64)
    precision, recall = tps / called, tps / tps[-1]
    # Stop once every positive is found (scikit-learn's convention), then reverse to increasing thresholds.
    stop = int(np.searchsorted(tps, tps[-1])) + 1
    return (np.r_[precision[:stop][::-1], 1.0], np.r_[recall[:stop][::-1], 0.0],
            scores[last_of_group][:stop][::-1])


def average_precision_score(y_true, y_score, *, positive: int = 1) -> float:
    """Area under the precision–recall step curve, ``Σ (R_n − R_{n−1}) P_n`` (:func:`sklearn.metrics.average_precision_score`).

    Chance level is the prevalence (a model that guesses finds positives at their base rate), not 0.5.
    """
    precision, recall, _ = precision_recall_curve(y_true, y_score, positive=positive)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def ppv_at_prevalence(sensitivity, specificity, prevalence):
    """Positive predictive value by Bayes' rule: ``se·π / (se·π + (1 − sp)(1 − π))`` for prevalence ``π``.

    Examples
    --------
    >>> round(ppv_at_prevalence(0.9, 0.9, 0.5), 3), round(ppv_at_prevalence(0.9, 0.9, 0.01), 3)
    (0.9, 0.083)
    """
    sensitivity, specificity, prevalence = (np.asarray(v, dtype=np.float64)
                                            for v in (sensitivity, specificity, prevalence))
    for name, value in (("sensitivity", sensitivity), ("specificity", specificity), ("prevalence", prevalence)):
        if np.any((value < 0) | (value > 1)):
            raise ValueError(f"{name} must be in [0, 1], got {value}")
    true_positive = sensitivity * prevalence
    with np.errstate(invalid="ignore", divide="ignore"):
        result = true_positive / (true_positive + (1 - specificity) * (1 - prevalence))
    return float(result) if result.ndim == 0 else result
