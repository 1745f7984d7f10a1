"""Segmentation in NumPy (notebook 05): the U-Net's shape arithmetic, soft Dice and its gradient, up-sampling.

The framework-free reference of the segmentation lesson; :mod:`medcourse.pytorch.segmentation` and
:mod:`medcourse.tensorflow.segmentation` build the networks and losses it describes, and the notebook checks
them against it. Arrays are channels-last (``N×H×W×K``), as everywhere in the NumPy layer. The metrics
(Dice, IoU, Hausdorff distance, volumes) are in :mod:`medcourse.metrics.segmentation`.

* :func:`check_unet_arguments`, :func:`unet_shapes`, :func:`unet_parameter_count` — what a U-Net of a given
  depth and width does to an image's shape, and how many weights it has (notebook 05 §3);
* :func:`one_hot`, :func:`soft_dice`, :func:`soft_dice_loss`, :func:`soft_dice_gradient` — the loss derived
  from the Dice coefficient and its derivative, checked against both frameworks' autograd (§4);
* :func:`transposed_conv2d`, :func:`upsample_nearest` — the two ways a decoder doubles the resolution, and
  why one of them can leave a checkerboard (§3);
* :func:`patient_scores` — per-patient Dice, HD95 and volumes of slices stacked back into volumes, and
  :func:`threshold_classes` — masks from probabilities at a chosen threshold (§6);
* :func:`ejection_fraction_from_areas` — the ejection fraction from segmented left-ventricle areas (§7).

A package of three modules (``architecture``, ``losses``, ``evaluation``); every public name is importable
from here.
"""

from __future__ import annotations

from medcourse.segmentation.architecture import (
    UPSAMPLING,
    check_unet_arguments,
    transposed_conv2d,
    unet_parameter_count,
    unet_shapes,
    upsample_nearest,
)
from medcourse.segmentation.evaluation import (
    PatientScores,
    ejection_fraction_from_areas,
    patient_scores,
    patient_stacks,
    threshold_classes,
)
from medcourse.segmentation.losses import (
    one_hot,
    soft_dice,
    soft_dice_gradient,
    soft_dice_loss,
    softmax,
    softmax_backward,
)

__all__ = [
    "UPSAMPLING",
    "PatientScores",
    "check_unet_arguments",
    "ejection_fraction_from_areas",
    "one_hot",
    "patient_scores",
    "patient_stacks",
    "soft_dice",
    "soft_dice_gradient",
    "soft_dice_loss",
    "softmax",
    "softmax_backward",
    "threshold_classes",
    "transposed_conv2d",
    "unet_parameter_count",
    "unet_shapes",
    "upsample_nearest",
]
