"""ReLU, max pooling and the residual block in NumPy (notebook 03 §3 and §10)."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from medcourse.cnn._checks import check_images, check_positive_int
from medcourse.cnn.convolution import conv2d_layer


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)``, element by element (notebook 03 §3)."""
    return np.maximum(x, 0)


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling: the largest value of each ``size×size`` window, windows ``stride`` apart (default ``size``).

    Rows/columns that do not fill a whole window are dropped (Keras ``padding="valid"``, PyTorch's default).
    Notebook 03 §3.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> max_pool2d(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = check_images(x)
    size = check_positive_int(size, "size")
    stride = size if stride is None else check_positive_int(stride, "stride")
    if x.shape[1] < size or x.shape[2] < size:
        raise ValueError(f"a {size}×{size} window does not fit in images of {x.shape[1]}×{x.shape[2]} pixels")
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    return windows.max(axis=(-2, -1))


def residual_block(x: np.ndarray, kernel1, bias1, kernel2, bias2, *, shortcut=None) -> np.ndarray:
    """A residual block ``y = relu(s(x) + F(x))`` with ``F(x) = conv₂(relu(conv₁(x)))`` (notebook 03 §10).

    Both convolutions use "same" padding and stride 1, so ``F(x)`` has the shape of ``x`` and the two can be
    added. ``s`` is the identity, or a 1×1 convolution ``shortcut`` (kernel ``(1, 1, C_in, C_out)``, no bias)
    when the block changes the number of channels. Because ``∂y/∂x`` contains the identity of the skip path,
    the gradient reaches earlier layers even when ``F``'s own gradient is small (He et al., 2016; the original
    ResNet also puts a batch normalisation after each convolution, left out here).

    Examples
    --------
    >>> x = np.ones((1, 4, 4, 2))
    >>> zeros = np.zeros((3, 3, 2, 2))
    >>> bool(np.all(residual_block(x, zeros, None, zeros, None) == x))  # F = 0: the block passes x on
    True
    """
    x = check_images(x)
    inner = relu(conv2d_layer(x, kernel1, bias1, padding="same"))
    residual = conv2d_layer(inner, kernel2, bias2, padding="same")
    skip = x if shortcut is None else conv2d_layer(x, shortcut)
    if skip.shape != residual.shape:
        raise ValueError(f"the skip path has shape {skip.shape} but F(x) has {residual.shape}; pass a 1×1 "
                         f"shortcut kernel of shape (1, 1, {x.shape[3]}, {residual.shape[3]})")
    return relu(skip + residual)


__all__ = ["max_pool2d", "relu", "residual_block"]
