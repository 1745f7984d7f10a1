"""Metrics in NumPy, one module per topic, framework-free so both frameworks are judged by the same code.

* :mod:`~medcourse.metrics.classification` — confusion matrix, sensitivity, specificity, PPV, NPV,
  ROC, AUC and the per-class report (notebook 04);
* :mod:`~medcourse.metrics.calibration` — reliability diagram and expected calibration error (notebook 04);
* :mod:`~medcourse.metrics.segmentation` — Dice, IoU, Hausdorff distance (HD, HD95), volume, Bland–Altman (notebook 05).

Every public name is also importable from here: ``from medcourse import metrics; metrics.roc_auc(...)``.
"""

from __future__ import annotations

from medcourse.metrics.calibration import calibration_curve
from medcourse.metrics.classification import (
    ClassificationReport,
    accuracy,
    confusion_matrix,
    npv,
    ppv,
    report,
    roc_auc,
    roc_curve,
    sensitivity,
    specificity,
)
from medcourse.metrics.segmentation import (
    BlandAltman,
    bland_altman,
    boundary,
    dice,
    hausdorff_distance,
    iou,
    volume,
)

__all__ = [
    "BlandAltman",
    "ClassificationReport",
    "accuracy",
    "bland_altman",
    "boundary",
    "calibration_curve",
    "confusion_matrix",
    "dice",
    "hausdorff_distance",
    "iou",
    "npv",
    "ppv",
    "report",
    "roc_auc",
    "roc_curve",
    "sensitivity",
    "specificity",
    "volume",
]
