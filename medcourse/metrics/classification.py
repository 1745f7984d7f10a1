"""Medical classification metrics in NumPy: confusion matrix, sensitivity, specificity, ROC, AUC.

Framework-free on purpose: TensorFlow and PyTorch models both hand NumPy arrays to these functions,
so the two frameworks are judged by the same code (notebook 04 derives each metric).

Conventions
-----------
* ``y_true`` holds integer class labels ``0 … K-1`` with shape ``(N,)``.
* ``y_pred`` holds predicted labels, the same shape and kind.
* ``y_score`` / ``y_prob`` holds scores: ``(N,)`` for a binary problem (score of class 1) or
  ``(N, K)`` with one column per class (e.g. softmax probabilities).
* In a binary problem class 1 is the *positive* class (disease present).
* A ratio whose denominator is zero (e.g. sensitivity when no positive case exists) is ``nan``:
  undefined, not zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ClassificationReport",
    "accuracy",
    "check_labels",
    "check_scores",
    "confusion_matrix",
    "npv",
    "positive_scores",
    "ppv",
    "report",
    "roc_auc",
    "roc_curve",
    "sensitivity",
    "specificity",
]


# --- input checks -----------------------------------------------------------------------------------


def check_labels(values, name: str) -> np.ndarray:
    """``values`` as a 1-D integer array of non-negative class labels, or a clear error."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one case")
    if array.dtype == bool:
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.integer) and (
        not np.all(np.isfinite(array)) or np.any(array != np.round(array))
    ):
        raise TypeError(
            f"{name} must hold integer class labels, got non-integer values of dtype {array.dtype} "
            "(did you pass probabilities where labels were expected?)"
        )
    if np.any(array < 0):
        raise ValueError(f"{name} must hold labels 0 … K-1, got a negative label {array.min()}")
    return array.astype(np.int64)


def _pair(y_true, y_pred, num_classes: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}")
    seen = int(max(y_true.max(), y_pred.max())) + 1
    if num_classes is None:
        num_classes = max(seen, 2)
    elif seen > num_classes:
        raise ValueError(f"num_classes is {num_classes} but the labels go up to {seen - 1}")
    return y_true, y_pred, int(num_classes)


def check_scores(y_score, n: int) -> np.ndarray:
    scores = np.asarray(y_score)
    if not np.issubdtype(scores.dtype, np.number) and scores.dtype != bool:
        raise TypeError(f"y_score must hold numbers, got dtype {scores.dtype}")
    scores = scores.astype(np.float64)
    if scores.ndim not in (1, 2) or scores.shape[0] != n:
        raise ValueError(f"y_score must have shape ({n},) or ({n}, K) to match y_true, got {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError("y_score contains NaN or infinity")
    return scores


# --- confusion matrix and the ratios read off it -------------------------------------------------------


def confusion_matrix(y_true, y_pred, *, num_classes: int | None = None) -> np.ndarray:
    """Count cases by (true class, predicted class): row ``i`` is the true class, column ``j`` the prediction.

    Parameters
    ----------
    y_true, y_pred : array of int, shape (N,)
        True and predicted labels ``0 … K-1``.
    num_classes : int, optional
        ``K``; by default the largest label + 1 (at least 2).

    Returns
    -------
    numpy.ndarray of int64, shape (K, K)

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1])
    array([[1, 1],
           [0, 2]])
    """
    y_true, y_pred, k = _pair(y_true, y_pred, num_classes)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k).astype(np.int64)


def _counts(y_true, y_pred, num_classes):
    """Per-class one-vs-rest counts ``(tp, fp, fn, tn)``, each of shape (K,)."""
    matrix = confusion_matrix(y_true, y_pred, num_classes=num_classes)
    tp = np.diag(matrix).astype(np.float64)
    fp = matrix.sum(axis=0) - tp
    fn = matrix.sum(axis=1) - tp
    tn = matrix.sum() - tp - fp - fn
    return tp, fp, fn, tn


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _select(values: np.ndarray, positive: int | None):
    """A scalar for a binary problem (class 1) or for ``positive``; the per-class array otherwise."""
    if positive is not None:
        if not 0 <= positive < len(values):
            raise ValueError(f"positive must be a class label in 0 … {len(values) - 1}, got {positive}")
        return float(values[positive])
    return float(values[1]) if len(values) == 2 else values


_RATIO_DOC = """

    Parameters
    ----------
    y_true, y_pred : array of int, shape (N,)
        True and predicted labels.
    positive : int, optional
        The class treated as positive (one-vs-rest). By default class 1 for a binary problem, and
        every class in turn for a multi-class one.
    num_classes : int, optional
        ``K``; by default the largest label + 1.

    Returns
    -------
    float or numpy.ndarray of shape (K,)
        A float for a binary problem or when ``positive`` is given, else one value per class
        (``nan`` where the denominator is zero).
    """


def sensitivity(y_true, y_pred, *, positive: int | None = None, num_classes: int | None = None):
    """Sensitivity (recall, true-positive rate) = TP / (TP + FN): the share of diseased cases found."""
    tp, _, fn, _ = _counts(y_true, y_pred, num_classes)
    return _select(_ratio(tp, tp + fn), positive)


def specificity(y_true, y_pred, *, positive: int | None = None, num_classes: int | None = None):
    """Specificity (true-negative rate) = TN / (TN + FP): the share of healthy cases cleared."""
    _, fp, _, tn = _counts(y_true, y_pred, num_classes)
    return _select(_ratio(tn, tn + fp), positive)


def ppv(y_true, y_pred, *, positive: int | None = None, num_classes: int | None = None):
    """Positive predictive value (precision) = TP / (TP + FP): how often a positive call is right."""
    tp, fp, _, _ = _counts(y_true, y_pred, num_classes)
    return _select(_ratio(tp, tp + fp), positive)


def npv(y_true, y_pred, *, positive: int | None = None, num_classes: int | None = None):
    """Negative predictive value = TN / (TN + FN): how often a negative call is right."""
    _, _, fn, tn = _counts(y_true, y_pred, num_classes)
    return _select(_ratio(tn, tn + fn), positive)


for _function in (sensitivity, specificity, ppv, npv):
    _function.__doc__ += _RATIO_DOC


def accuracy(y_true, y_pred) -> float:
    """Share of cases whose predicted label equals the true label.

    Examples
    --------
    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    y_true, y_pred, _ = _pair(y_true, y_pred, None)
    return float(np.mean(y_true == y_pred))


# --- ROC curve and AUC -----------------------------------------------------------------------------------


def positive_scores(y_true, y_score, positive: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``(is_positive, scores)``: which cases are of class ``positive``, and their score for it.

    ``y_score`` may be one score per case or a probability table ``(N, K)``, whose column ``positive`` is used.
    """
    y_true = check_labels(y_true, "y_true")
    scores = check_scores(y_score, len(y_true))
    if scores.ndim == 2:
        if not 0 <= positive < scores.shape[1]:
            raise ValueError(f"positive must be a column of y_score (0 … {scores.shape[1] - 1}), got {positive}")
        scores = scores[:, positive]
    return y_true == positive, scores


def roc_curve(y_true, y_score, *, positive: int = 1, drop_intermediate: bool = True):
    """Receiver operating characteristic: false- and true-positive rates as the threshold sweeps down.

    Every distinct score is a threshold; cases with tied scores enter together, which draws a
    diagonal segment (the same convention as :func:`sklearn.metrics.roc_curve`).

    Parameters
    ----------
    y_true : array of int, shape (N,)
        Labels; class ``positive`` is positive, every other class negative.
    y_score : array of float, shape (N,) or (N, K)
        Score of the positive class (higher = more likely positive), or one column per class, in
        which case column ``positive`` is used.
    positive : int
        The positive class.
    drop_intermediate : bool
        Drop thresholds that lie on a straight segment (they do not change the curve or its area).

    Returns
    -------
    fpr, tpr, thresholds : numpy.ndarray
        ``thresholds[0]`` is ``inf`` (nobody called positive: the point (0, 0)).

    Examples
    --------
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    is_positive, scores = positive_scores(y_true, y_score, positive)  # checks y_true and y_score once
    n_positive = int(is_positive.sum())
    n_negative = len(is_positive) - n_positive
    if n_positive == 0 or n_negative == 0:
        present = "only positive" if n_negative == 0 else "no positive"
        raise ValueError(
            f"a ROC curve needs both positive (class {positive}) and negative cases; y_true contains "
            f"{present} cases (classes present: {sorted(set(np.asarray(y_true).tolist()))})"
        )
    order = np.argsort(-scores, kind="mergesort")
    scores, is_positive = scores[order], is_positive[order]
    # The last index of each group of tied scores: a threshold admits the whole group at once.
    last_of_group = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(is_positive)[last_of_group].astype(np.float64)
    fps = (last_of_group + 1) - tps
    thresholds = scores[last_of_group]
    if drop_intermediate and len(tps) > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        tps, fps, thresholds = tps[keep], fps[keep], thresholds[keep]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds]
    return fps / n_negative, tps / n_positive, thresholds


def _area_under_roc(y_true, scores, positive: int) -> float:
    fpr, tpr, _ = roc_curve(y_true, scores, positive=positive)
    return float(np.trapezoid(tpr, fpr))


def roc_auc(y_true, y_score, *, average: str | None = "macro"):
    """Area under the ROC curve: the chance that a random positive case outscores a random negative one.

    Parameters
    ----------
    y_true : array of int, shape (N,)
    y_score : array of float, shape (N,), (N, 2) or (N, K)
        Binary: the score of class 1 (or two columns, of which column 1 is used).
        Multi-class: one column per class; each class is scored one-vs-rest.
    average : {"macro", None}
        Multi-class only: the unweighted mean over classes (``"macro"``, as
        ``sklearn.metrics.roc_auc_score(..., multi_class="ovr")``) or the per-class array (``None``).

    Returns
    -------
    float, or numpy.ndarray of shape (K,) when ``average=None`` for a multi-class problem.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    if average not in ("macro", None):
        raise ValueError(f"average must be 'macro' or None, got {average!r}")
    y_true = check_labels(y_true, "y_true")
    scores = check_scores(y_score, len(y_true))
    if scores.ndim == 1 or scores.shape[1] == 2:
        column = scores if scores.ndim == 1 else scores[:, 1]
        if y_true.max() > 1:
            raise ValueError(
                f"y_score has one score per case (a binary problem) but y_true has labels up to {y_true.max()}; "
                "pass one column per class for a multi-class problem"
            )
        return _area_under_roc(y_true, column, positive=1)
    k = scores.shape[1]
    if y_true.max() >= k:
        raise ValueError(f"y_true has label {y_true.max()} but y_score has only {k} columns")
    per_class = np.array([_area_under_roc(y_true, scores[:, c], positive=c) for c in range(k)])
    return float(per_class.mean()) if average == "macro" else per_class


# --- the report -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationReport:
    """Per-class sensitivity, specificity, PPV, NPV, AUC and support, plus accuracy and macro AUC.

    ``print(report)`` (or just ``report`` as the last line of a notebook cell) shows the table.
    """

    classes: tuple[str, ...]
    confusion: np.ndarray
    sensitivity: np.ndarray
    specificity: np.ndarray
    ppv: np.ndarray
    npv: np.ndarray
    auc: np.ndarray | None
    support: np.ndarray
    accuracy: float
    macro_auc: float | None

    def __str__(self) -> str:
        width = max(8, *(len(c) for c in self.classes))
        columns = ["sensitivity", "specificity", "PPV", "NPV"] + (["AUC"] if self.auc is not None else [])
        header = f"{'class':<{width}}  " + "  ".join(f"{c:>11}" for c in columns) + f"  {'support':>7}"
        lines = [header, "-" * len(header)]
        for i, name in enumerate(self.classes):
            values = [self.sensitivity[i], self.specificity[i], self.ppv[i], self.npv[i]]
            if self.auc is not None:
                values.append(self.auc[i])
            cells = "  ".join(f"{v:>11.3f}" for v in values)
            lines.append(f"{name:<{width}}  {cells}  {int(self.support[i]):>7d}")
        lines.append("-" * len(header))
        summary = f"accuracy {self.accuracy:.3f}"
        if self.macro_auc is not None:
            summary += f" · macro AUC {self.macro_auc:.3f}"
        lines.append(summary + f" · {int(self.support.sum())} cases")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def as_dict(self) -> dict:
        """The summary numbers as plain floats: accuracy, macro AUC, and each per-class metric by class name."""
        result: dict = {"accuracy": self.accuracy, "macro_auc": self.macro_auc}
        for metric in ("sensitivity", "specificity", "ppv", "npv", "auc"):
            values = getattr(self, metric)
            if values is not None:
                result[metric] = {c: float(v) for c, v in zip(self.classes, values, strict=True)}
        return result


def report(y_true, y_prob_or_pred, classes: Sequence[str] | None = None) -> ClassificationReport:
    """One table with everything a clinician asks about a classifier, class by class.

    Parameters
    ----------
    y_true : array of int, shape (N,)
        True labels.
    y_prob_or_pred : array
        Either probabilities ``(N, K)`` (the prediction is the most probable class, and AUCs are
        computed), probabilities of class 1 ``(N,)`` float for a binary problem (threshold 0.5), or
        predicted labels ``(N,)`` int (no AUC then).
    classes : sequence of str, optional
        Class names; by default ``"0"``, ``"1"`` …

    Returns
    -------
    ClassificationReport
        Prints as a table; the numbers are its attributes.

    Examples
    --------
    >>> r = report([0, 0, 1, 1], [[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8]], classes=["benign", "malignant"])
    >>> r.accuracy, r.macro_auc
    (0.75, 1.0)
    """
    y_true = check_labels(y_true, "y_true")
    values = np.asarray(y_prob_or_pred)
    probabilities = None
    if values.ndim == 2:
        probabilities = check_scores(values, len(y_true))
        y_pred = probabilities.argmax(axis=1)
    elif values.ndim == 1 and np.issubdtype(values.dtype, np.floating) and np.any(values != np.round(values)):
        probabilities = check_scores(values, len(y_true))
        if probabilities.min() < 0 or probabilities.max() > 1:
            raise ValueError("a 1-D float y_prob_or_pred must hold probabilities of class 1 in [0, 1]")
        probabilities = np.stack([1.0 - probabilities, probabilities], axis=1)
        y_pred = (probabilities[:, 1] >= 0.5).astype(np.int64)
    else:
        y_pred = check_labels(values, "y_prob_or_pred")
        if y_pred.shape != y_true.shape:
            raise ValueError(f"y_prob_or_pred must have shape {y_true.shape} or ({len(y_true)}, K), got {values.shape}")
    k = probabilities.shape[1] if probabilities is not None else None
    if classes is not None:
        classes = tuple(str(c) for c in classes)
        if k is not None and len(classes) != k:
            raise ValueError(f"classes names {len(classes)} classes but y_prob_or_pred has {k} columns")
        k = len(classes)
    y_true, y_pred, k = _pair(y_true, y_pred, k)
    classes = classes or tuple(str(i) for i in range(k))
    tp, fp, fn, tn = _counts(y_true, y_pred, k)
    auc = macro = None
    if probabilities is not None:
        if k == 2:
            auc_1 = roc_auc(y_true, probabilities[:, 1])
            auc = np.array([auc_1, auc_1])
            macro = auc_1
        else:
            auc = roc_auc(y_true, probabilities, average=None)
            macro = float(auc.mean())
    return ClassificationReport(
        classes=classes,
        confusion=confusion_matrix(y_true, y_pred, num_classes=k),
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        ppv=_ratio(tp, tp + fp),
        npv=_ratio(tn, tn + fn),
        auc=auc,
        support=(tp + fn).astype(np.int64),
        accuracy=float(np.mean(y_true == y_pred)),
        macro_auc=macro,
    )
