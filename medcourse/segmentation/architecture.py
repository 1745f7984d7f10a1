"""The U-Net's shape arithmetic and parameter count, and the two ways a decoder up-samples (notebook 05 §3)."""

from __future__ import annotations

import numpy as np

__all__ = ["UPSAMPLING", "check_unet_arguments", "positive_integer", "transposed_conv2d", "unet_parameter_count", "unet_shapes",
           "upsample_nearest"]

#: How a U-Net decoder can double the resolution: a learned 2×2 transposed convolution (the original U-Net's
#: "up-convolution"), or a fixed nearest-neighbour / bilinear enlargement followed by a 3×3 convolution.
UPSAMPLING = ("transposed", "nearest", "bilinear")


def positive_integer(name: str, value, low: int = 1) -> int:
    """``value`` as an int ≥ ``low``, or a ValueError naming ``name`` (the check of every size argument here)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer ≥ {low}, got {value!r}")
    return int(value)


def check_unet_arguments(input_shape, num_classes, *, base_filters: int = 16, depth: int = 3,
                         upsampling: str = "transposed") -> tuple[int, int, int]:
    """``(H, W, C)`` of a U-Net builder as ints, or a ValueError naming the argument and the fix.

    Each of the ``depth`` poolings halves the feature map and each up-sampling doubles it back; the skip
    connection then joins two maps of the same size only if ``H`` and ``W`` are multiples of ``2**depth``.
    Both frameworks' :func:`unet` call this.

    Examples
    --------
    >>> check_unet_arguments((48, 64, 1), 3, depth=4)
    (48, 64, 1)
    >>> check_unet_arguments((40, 56, 1), 3, depth=4)
    Traceback (most recent call last):
    ...
    ValueError: input_shape (40, 56, 1) does not fit a U-Net of depth 4: H and W must be multiples of 2**4 = 16 (crop or pad the images, or choose depth ≤ 3)
    """
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
                                  for n in shape):
        raise ValueError(f"input_shape must be (H, W, C) with positive integers, got {input_shape!r}")
    height, width, channels = (int(n) for n in shape)
    positive_integer("num_classes", num_classes, 2)
    positive_integer("base_filters", base_filters)
    depth = positive_integer("depth", depth)
    if upsampling not in UPSAMPLING:
        raise ValueError(f"upsampling must be one of {UPSAMPLING}, got {upsampling!r}")
    step = 2 ** depth
    if height % step or width % step:
        deepest = 0
        while height % 2 ** (deepest + 1) == 0 and width % 2 ** (deepest + 1) == 0:
            deepest += 1
        fix = f"choose depth ≤ {deepest}" if deepest else "choose other sizes"
        raise ValueError(f"input_shape {tuple(shape)} does not fit a U-Net of depth {depth}: H and W must be "
                         f"multiples of 2**{depth} = {step} (crop or pad the images, or {fix})")
    return height, width, channels


def unet_shapes(input_shape, num_classes, *, base_filters: int = 16, depth: int = 3) -> list[tuple[str, tuple]]:
    """The feature-map shape ``(H, W, C)`` after every stage of the course's U-Net, input to output.

    Encoder level ``l`` (``0 … depth − 1``) keeps the size with two 3×3 "same" convolutions to
    ``base_filters · 2**l`` channels, then a 2×2 max pooling halves it; the bottleneck has
    ``base_filters · 2**depth`` channels; each decoder level doubles the size, concatenates the skip (the
    encoder map of that size), and convolves back to ``base_filters · 2**l``; a 1×1 convolution gives
    ``num_classes`` scores per pixel — the same ``H×W`` as the input.

    Examples
    --------
    >>> shapes = dict(unet_shapes((48, 64, 1), 3, base_filters=8, depth=2))
    >>> shapes["bottleneck"], shapes["decoder 0: concatenated"], shapes["output"]
    ((12, 16, 32), (48, 64, 16), (48, 64, 3))
    """
    height, width, channels = check_unet_arguments(input_shape, num_classes, base_filters=base_filters, depth=depth)
    stages = [("input", (height, width, channels))]
    for level in range(depth):
        size = (height // 2 ** level, width // 2 ** level)
        stages.append((f"encoder {level}", (*size, base_filters * 2 ** level)))
        stages.append((f"pool {level}", (size[0] // 2, size[1] // 2, base_filters * 2 ** level)))
    stages.append(("bottleneck", (height // 2 ** depth, width // 2 ** depth, base_filters * 2 ** depth)))
    for level in reversed(range(depth)):
        size = (height // 2 ** level, width // 2 ** level)
        filters = base_filters * 2 ** level
        stages.append((f"decoder {level}: up-sampled", (*size, filters)))
        stages.append((f"decoder {level}: concatenated", (*size, 2 * filters)))
        stages.append((f"decoder {level}", (*size, filters)))
    stages.append(("output", (height, width, int(num_classes))))
    return stages


def _conv_parameters(kernel: int, inputs: int, outputs: int, bias: bool) -> int:
    return kernel * kernel * inputs * outputs + (outputs if bias else 0)


def unet_parameter_count(input_shape, num_classes, *, base_filters: int = 16, depth: int = 3,
                         batch_norm: bool = True, upsampling: str = "transposed") -> int:
    """Trainable weights of the course's U-Net, counted by hand (both frameworks' ``unet`` must agree).

    A 3×3 convolution from ``c`` to ``f`` channels has ``9·c·f`` weights, plus ``f`` biases when no batch
    normalisation follows (batch norm's shift ``β`` replaces the bias, and its scale ``γ`` adds ``f``); a
    2×2 transposed convolution has ``4·c·f + f``; the 1×1 output layer ``c·K + K``. Batch norm's running
    mean and variance are statistics, not trainable weights, and are not counted.

    Examples
    --------
    >>> unet_parameter_count((48, 64, 1), 3, base_filters=8, depth=2, batch_norm=False)
    29339
    """
    _, _, channels = check_unet_arguments(input_shape, num_classes, base_filters=base_filters, depth=depth,
                                          upsampling=upsampling)

    def block(inputs: int, filters: int) -> int:
        normalisation = 2 * filters if batch_norm else 0
        return (_conv_parameters(3, inputs, filters, not batch_norm) + _conv_parameters(3, filters, filters, not batch_norm)
                + 2 * normalisation)

    widths = [base_filters * 2 ** level for level in range(depth + 1)]
    total, inputs = 0, channels
    for filters in widths[:-1]:
        total += block(inputs, filters)
        inputs = filters
    total += block(widths[-2], widths[-1])
    for level in reversed(range(depth)):
        if upsampling == "transposed":
            total += _conv_parameters(2, widths[level + 1], widths[level], True)
        else:
            total += _conv_parameters(3, widths[level + 1], widths[level], True)
        total += block(2 * widths[level], widths[level])
    return total + _conv_parameters(1, widths[0], int(num_classes), True)


# --- up-sampling -----------------------------------------------------------------------------------------


def transposed_conv2d(image, kernel, *, stride: int = 2) -> np.ndarray:
    """Transposed convolution of one channel: every input pixel stamps ``value · kernel`` at ``stride`` spacing.

    Output size ``(H − 1)·stride + kh`` by ``(W − 1)·stride + kw`` (no cropping): what
    ``torch.nn.functional.conv_transpose2d`` and Keras's ``Conv2DTranspose(padding="valid")`` compute.
    Where stamps overlap they add up; when the kernel size is not a multiple of the stride some output
    pixels receive more stamps than their neighbours — the checkerboard artefact (notebook 05 §3).

    Examples
    --------
    >>> transposed_conv2d(np.ones((1, 3)), np.ones((1, 3)), stride=2).tolist()
    [[1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0]]
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D (one channel), got shapes {image.shape} and {kernel.shape}")
    stride = positive_integer("stride", stride)
    (height, width), (kh, kw) = image.shape, kernel.shape
    output = np.zeros(((height - 1) * stride + kh, (width - 1) * stride + kw))
    for row in range(height):
        for column in range(width):
            output[row * stride:row * stride + kh, column * stride:column * stride + kw] += image[row, column] * kernel
    return output


def upsample_nearest(image, factor: int = 2) -> np.ndarray:
    """Enlarge a 2-D image by repeating every pixel ``factor × factor`` times (no weights, no overlap).

    Examples
    --------
    >>> upsample_nearest(np.array([[1, 2]])).tolist()
    [[1, 1, 2, 2], [1, 1, 2, 2]]
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    factor = positive_integer("factor", factor)
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
