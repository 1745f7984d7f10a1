"""Centre-heatmap detection in NumPy (notebook 06): Gaussian targets, peaks by 3×3 max-pooling, boxes.

A CenterNet-style detector (Zhou, Wang & Krähenbühl, *Objects as Points*, arXiv:1904.07850, 2019) is
a segmentation network with a different target. On a grid ``stride`` times coarser than the image it
predicts, for each class ``k``, a heatmap :math:`\\hat Y_{ij k} \\in (0, 1)` that should peak at the
centre of every object of that class, plus four regression maps read at the peaks: the logarithm of
the object's height and width (px) and the sub-cell offset of its centre. This module is the
framework-free part both frameworks share (one module per step):

* the **targets** (:func:`draw_targets`, :func:`detection_targets`): a Gaussian bump around each
  object's centre cell, exactly 1 there, and the size and offset to regress at that cell;
* the **focal loss** of the heatmap (:func:`focal_loss`), and the whole loss (:func:`detection_loss`),
  as the NumPy reference the PyTorch and Keras losses are checked against;
* **peak extraction** (:func:`find_peaks`): a cell is a detection when it equals the maximum of its
  3×3 neighbourhood — max-pooling as non-maximum suppression — and **decoding** (:func:`decode`) of
  the peaks to ``row, col, height, width, class, score`` rows in image pixels;
* the NumPy **batches** of a detection :class:`~medcourse.data.Dataset` (:func:`detection_batches`),
  with flips that move the boxes with the image, the same for both frameworks;
* the **bookkeeping** of a detector's training (:class:`DetectionRun`, per-epoch loss and CPM) and the
  per-class scores of a trained one (:func:`class_scores`).

The output maps have ``K + 4`` channels, channels last: ``K`` heatmaps (probabilities here; the
PyTorch model outputs their logits), then :data:`SIZE` (log height, log width) and :data:`OFFSET`
(row, col offset in cells). Output cell ``(i, j)`` covers image pixels ``stride·i … stride·i + stride − 1``
and its centre is at ``stride·i + (stride − 1)/2`` (:func:`to_image`).
"""

from __future__ import annotations

from medcourse.detection.batches import detection_batches, flip_objects
from medcourse.detection.decoding import boxes_and_scores, centres_and_scores, decode, find_peaks
from medcourse.detection.targets import (
    FOCAL_ALPHA,
    FOCAL_BETA,
    MIN_SIGMA,
    OFFSET,
    OFFSET_WEIGHT,
    PROBABILITY_CLIP,
    SIZE,
    SIZE_WEIGHT,
    STRIDE,
    detection_loss,
    detection_targets,
    draw_targets,
    focal_loss,
    gaussian_sigma,
    to_image,
    to_output,
)
from medcourse.detection.training import DetectionRun, class_scores, mean_cpm

__all__ = [
    "FOCAL_ALPHA",
    "FOCAL_BETA",
    "MIN_SIGMA",
    "OFFSET",
    "OFFSET_WEIGHT",
    "PROBABILITY_CLIP",
    "SIZE",
    "SIZE_WEIGHT",
    "STRIDE",
    "DetectionRun",
    "boxes_and_scores",
    "centres_and_scores",
    "class_scores",
    "decode",
    "detection_batches",
    "detection_loss",
    "detection_targets",
    "draw_targets",
    "find_peaks",
    "flip_objects",
    "focal_loss",
    "gaussian_sigma",
    "mean_cpm",
    "to_image",
    "to_output",
]
