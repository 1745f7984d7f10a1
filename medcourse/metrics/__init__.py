"""Metrics in NumPy, one module per topic, framework-free so both frameworks are judged by the same code.

* :mod:`~medcourse.metrics.classification` — confusion matrix, sensitivity, specificity, PPV, NPV,
  ROC, AUC and the per-class report (notebook 04);
* :mod:`~medcourse.metrics.calibration` — reliability diagram, expected calibration error and temperature
  scaling (notebook 04);
* :mod:`~medcourse.metrics.decision` — the decision threshold chosen on validation, precision–recall, PPV vs
  prevalence (notebook 04);
* :mod:`~medcourse.metrics.bootstrap` — bootstrap confidence intervals of a test-set number (notebook 04);
* :mod:`~medcourse.metrics.segmentation` — Dice, IoU, Hausdorff distance (HD, HD95), volume, Bland–Altman (notebook 05);
* :mod:`~medcourse.metrics.detection` — FROC, CPM (LUNA16), box IoU, precision–recall and AP@0.5 (notebook 06);
* :mod:`~medcourse.metrics.reconstruction` — PSNR and SSIM with an explicit data range, the course's one
  definition (notebook 11).

Every public name is also importable from here: ``from medcourse import metrics; metrics.roc_auc(...)``.
"""

from __future__ import annotations

from medcourse.metrics.bootstrap import bootstrap_ci
from medcourse.metrics.calibration import calibration_curve, fit_temperature, temperature_scale
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
from medcourse.metrics.decision import (
    average_precision_score,
    decide,
    ppv_at_prevalence,
    precision_recall_curve,
    youden_threshold,
)
from medcourse.metrics.detection import (
    LUNA16_RATES,
    FROCCurve,
    average_precision,
    box_iou,
    cpm,
    froc,
    match_centres,
    precision_recall,
    sensitivity_at,
)
from medcourse.metrics.reconstruction import psnr, ssim
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
    "LUNA16_RATES",
    "BlandAltman",
    "ClassificationReport",
    "FROCCurve",
    "accuracy",
    "average_precision",
    "average_precision_score",
    "bland_altman",
    "bootstrap_ci",
    "boundary",
    "box_iou",
    "calibration_curve",
    "confusion_matrix",
    "cpm",
    "decide",
    "dice",
    "fit_temperature",
    "froc",
    "hausdorff_distance",
    "iou",
    "match_centres",
    "npv",
    "ppv",
    "ppv_at_prevalence",
    "precision_recall",
    "precision_recall_curve",
    "psnr",
    "report",
    "roc_auc",
    "roc_curve",
    "sensitivity",
    "sensitivity_at",
    "specificity",
    "ssim",
    "temperature_scale",
    "volume",
    "youden_threshold",
]
