"""The convolution layer in NumPy: forward (with "valid" or "same" padding) and backward (notebook 03 §1, §2, §7).

Arrays are channels-last (``N×H×W×C``, Keras's layout) and kernels ``(kh, kw, C_in, C_out)`` ("HWIO", Keras's
layout). Like every deep-learning framework, a "convolution layer" computes a cross-correlation: the kernel
is not flipped.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from medcourse.cnn._checks import check_images, check_kernel, check_positive_int


def same_padding(size: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """Zeros that "same" padding adds before and after one axis, so the output has ``ceil(size / stride)`` pixels.

    The total is ``max((ceil(n / s) − 1)·s + k − n, 0)``; when it is odd the extra zero goes **after** (at the
    bottom/right). Keras/TensorFlow ``padding="same"`` follow this rule for every stride, PyTorch's
    ``padding="same"`` for stride 1 (it refuses larger strides). Notebook 03 §2.

    Examples
    --------
    >>> same_padding(28, 3), same_padding(28, 4), same_padding(28, 3, stride=2)
    ((1, 1), (1, 2), (0, 1))
    """
    size, kernel_size = check_positive_int(size, "size"), check_positive_int(kernel_size, "kernel_size")
    stride = check_positive_int(stride, "stride")
    total = max((-(-size // stride) - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def conv2d_layer(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, *, stride: int = 1,
                 padding: str = "valid") -> np.ndarray:
    """A convolution layer: every output channel sums the correlations of all input channels, plus a bias.

    .. math:: y_{n,h,w,o} = b_o + \\sum_{i,j,c} x_{n,\\,sh+i,\\,sw+j,\\,c}\\; K_{i,j,c,o}

    Notebook 03 §1 derives it; §2 adds the "same" padding of :func:`same_padding`.

    Parameters
    ----------
    x : float array, shape (N, H, W, C_in)
    kernel : float array, shape (kh, kw, C_in, C_out)
    bias : float array, shape (C_out,), optional
    stride : int
        Step ``s`` between neighbouring windows.
    padding : {"valid", "same"}
        ``"valid"``: only windows inside the image; ``"same"``: zero padding so that the output has
        ``ceil(H / s)`` rows (the extra row/column of an even kernel goes at the bottom/right, as in Keras).

    Returns
    -------
    float array, shape (N, H_out, W_out, C_out)

    Examples
    --------
    >>> x = np.ones((1, 4, 4, 2))
    >>> conv2d_layer(x, np.ones((3, 3, 2, 1)), np.array([0.5]))[0, :, :, 0]
    array([[18.5, 18.5],
           [18.5, 18.5]])
    """
    x = check_images(x)
    kernel, bias = check_kernel(x, kernel, bias)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    stride = check_positive_int(stride, "stride")
    kh, kw = kernel.shape[:2]
    if padding == "same":
        rows, cols = same_padding(x.shape[1], kh, stride), same_padding(x.shape[2], kw, stride)
        x = np.pad(x, ((0, 0), rows, cols, (0, 0)))
    if x.shape[1] < kh or x.shape[2] < kw:
        raise ValueError(f"the {kh}×{kw} kernel does not fit in images of {x.shape[1]}×{x.shape[2]} pixels")
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]  # N×H'×W'×C×kh×kw
    return np.einsum("nhwcij,ijco->nhwo", windows, kernel) + bias


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, grad_output: np.ndarray):
    """Gradients of a loss through a stride-1, ``"valid"`` convolution layer, by hand (notebook 03 §7).

    Given ``grad_output`` = ∂L/∂y (shape ``N×H'×W'×C_out``); every sum runs over the batch index ``n`` too,
    because the same kernel and bias produced every image's output:

    * ∂L/∂b_o = Σ_{n,h,w} ∂L/∂y_{n,h,w,o}
    * ∂L/∂K_{i,j,c,o} = Σ_{n,h,w} x_{n,h+i,w+j,c} · ∂L/∂y_{n,h,w,o}  (a correlation of x with the gradient)
    * ∂L/∂x = the "full" correlation of the zero-padded gradient with the kernel flipped in both
      directions — a true convolution: the backward pass of a correlation is a convolution.

    Returns
    -------
    grad_x, grad_kernel, grad_bias : float arrays shaped like x, kernel and the bias
    """
    x = check_images(x)
    kernel, _ = check_kernel(x, kernel, None)
    grad_output = check_images(grad_output, "grad_output")
    kh, kw = kernel.shape[:2]
    expected = (x.shape[0], x.shape[1] - kh + 1, x.shape[2] - kw + 1, kernel.shape[3])
    if grad_output.shape != expected:
        raise ValueError(f"grad_output must have the layer's output shape {expected}, got {grad_output.shape}")
    grad_bias = grad_output.sum(axis=(0, 1, 2))
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))
    grad_kernel = np.einsum("nhwcij,nhwo->ijco", windows, grad_output)
    padded = np.pad(grad_output, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    grad_windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))  # N×H×W×C_out×kh×kw
    grad_x = np.einsum("nhwoij,ijco->nhwc", grad_windows, kernel[::-1, ::-1])
    return grad_x, grad_kernel, grad_bias


__all__ = ["conv2d_backward", "conv2d_layer", "same_padding"]
