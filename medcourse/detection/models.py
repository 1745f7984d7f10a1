"""What both frameworks' detector builders share (notebook 06 §2): the input check and the heatmaps' starting bias."""

from __future__ import annotations

import math

from medcourse.cnn import check_input_shape

#: The probability every heatmap cell starts at (CenterNet and RetinaNet start at 0.1 or less).
PRIOR_PROBABILITY = 0.1
#: How often the detector halves the image (three max-pools), so H and W must be multiples of 2³.
POOLINGS = 3


def heatmap_bias(prior: float = PRIOR_PROBABILITY) -> float:
    """The heatmap layer's initial bias :math:`b = -\\log\\frac{1 - \\pi}{\\pi}`, so that ``sigmoid(b) = prior``.

    Almost every cell is background: starting at :math:`\\pi = 0.1` instead of 0.5 keeps the
    first steps of the focal loss from being swamped by thousands of confident-looking negatives.

    Examples
    --------
    >>> round(heatmap_bias(), 4)
    -2.1972
    """
    if not 0 < prior < 1:
        raise ValueError(f"prior must be a probability in (0, 1), got {prior!r}")
    return -math.log((1 - prior) / prior)


def check_detector_shape(input_shape, num_classes, width) -> tuple[int, int, int]:
    """``(H, W, C)`` after checking it, ``num_classes`` and ``width``; H and W must be multiples of 8."""
    multiple = 2 ** POOLINGS
    height, image_width, channels = check_input_shape(input_shape, 2, minimum=multiple)  # K checked below: 1 is fine
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer (object classes, no background), got {num_classes!r}")
    if height % multiple or image_width % multiple:
        raise ValueError(f"input_shape must have a height and width that are multiples of {multiple} (the detector "
                         f"pools {POOLINGS} times), got {tuple(input_shape)}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer (channels of the first layer), got {width!r}")
    return height, image_width, channels
