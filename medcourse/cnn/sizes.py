"""Counting: parameters of a layer, receptive fields, and the input check of the classifier builders (notebook 03 §5, §6)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def conv_parameters(kernel_height: int, kernel_width: int, in_channels: int, out_channels: int) -> int:
    """Learnable numbers of a convolution layer: ``(kh · kw · C_in + 1) · C_out`` (the +1 is the bias).

    Examples
    --------
    >>> conv_parameters(3, 3, 32, 64)
    18496
    """
    return (kernel_height * kernel_width * in_channels + 1) * out_channels


def dense_parameters(inputs: int, outputs: int) -> int:
    """Learnable numbers of a dense layer: ``(inputs + 1) · outputs``."""
    return (inputs + 1) * outputs


def receptive_field(layers: Sequence[tuple[int, int]]) -> list[int]:
    """Receptive-field size (pixels of the input one output pixel sees) after each ``(kernel, stride)`` layer.

    Each layer adds ``(kernel − 1) × jump`` pixels, where ``jump`` is the product of the strides
    before it (the input distance between neighbouring pixels of its input).

    Examples
    --------
    >>> receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)])  # the course-notes CNN
    [3, 4, 8, 10]
    """
    size, jump, sizes = 1, 1, []
    for kernel, stride in layers:
        size += (kernel - 1) * jump
        jump *= stride
        sizes.append(size)
    return sizes


def check_input_shape(input_shape, num_classes, *, minimum: int = 10) -> tuple[int, int, int]:
    """``(H, W, C)`` and ``K`` of a classifier builder as ints, or a ValueError naming the argument.

    ``minimum`` is the smallest side the network can take (the course-notes CNN needs 10: two 3×3
    convolutions and two 2×2 poolings leave at least one pixel). Both frameworks' builders call this.

    Examples
    --------
    >>> check_input_shape((28, 28, 1), 5)
    (28, 28, 1)
    """
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                                  for n in shape):
        raise ValueError(f"input_shape must be (H, W, C) with positive integers, got {input_shape!r}")
    height, width, channels = (int(n) for n in shape)
    if min(height, width) < minimum:
        raise ValueError(f"input_shape must be at least {minimum}×{minimum} for this network, got {input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer ≥ 2, got {num_classes!r}")
    return height, width, channels


__all__ = ["check_input_shape", "conv_parameters", "dense_parameters", "receptive_field"]
