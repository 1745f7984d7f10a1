"""CNN building blocks in NumPy: convolution layer (forward and backward), ReLU, max pooling, sizes.

The reference implementations notebook 03 derives and checks against ``keras.layers.Conv2D`` and
``torch.nn.Conv2d``. Framework-free; arrays are channels-last (``N×H×W×C``, Keras's layout) and kernels
``(kh, kw, C_in, C_out)`` ("HWIO", Keras's layout). Like every deep-learning framework, a "convolution
layer" computes a cross-correlation: the kernel is not flipped. (Output sizes:
:func:`medcourse.conv.output_size`; one-channel correlation: :func:`medcourse.conv.correlate2d`.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "check_input_shape",
    "conv2d_backward",
    "conv2d_layer",
    "conv_parameters",
    "dense_parameters",
    "max_pool2d",
    "receptive_field",
    "relu",
]


def _check_images(x: np.ndarray, name: str = "x") -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of channels-last images N×H×W×C, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must hold floats (scale uint8 images to [0, 1] first), got dtype {x.dtype}")
    return x


def _check_kernel(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"kernel must have shape (kh, kw, C_in, C_out), got {kernel.shape}")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(f"kernel expects {kernel.shape[2]} input channels but x has {x.shape[3]} (shape {x.shape})")
    bias = np.zeros(kernel.shape[3], dtype=x.dtype) if bias is None else np.asarray(bias)
    if bias.shape != (kernel.shape[3],):
        raise ValueError(f"bias must have shape ({kernel.shape[3]},), one value per output channel, got {bias.shape}")
    return kernel, bias


def conv2d_layer(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, *, stride: int = 1,
                 padding: str = "valid") -> np.ndarray:
    """A convolution layer: every output channel sums the correlations of all input channels, plus a bias.

    .. math:: y_{n,h,w,o} = b_o + \\sum_{i,j,c} x_{n,\\,sh+i,\\,sw+j,\\,c}\\; K_{i,j,c,o}

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
    x = _check_images(x)
    kernel, bias = _check_kernel(x, kernel, bias)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    kh, kw = kernel.shape[:2]
    if padding == "same":
        pads = []
        for size, k in ((x.shape[1], kh), (x.shape[2], kw)):
            total = max((-(-size // stride) - 1) * stride + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    if x.shape[1] < kh or x.shape[2] < kw:
        raise ValueError(f"the {kh}×{kw} kernel does not fit in images of {x.shape[1]}×{x.shape[2]} pixels")
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]  # N×H'×W'×C×kh×kw
    return np.einsum("nhwcij,ijco->nhwo", windows, kernel) + bias


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, grad_output: np.ndarray):
    """Gradients of a loss through a stride-1, ``"valid"`` convolution layer, by hand.

    Given ``grad_output`` = ∂L/∂y (shape ``N×H'×W'×C_out``):

    * ∂L/∂b_o = Σ_{n,h,w} ∂L/∂y_{n,h,w,o}
    * ∂L/∂K_{i,j,c,o} = Σ_{n,h,w} x_{n,h+i,w+j,c} · ∂L/∂y_{n,h,w,o}  (a correlation of x with the gradient)
    * ∂L/∂x = the "full" correlation of the zero-padded gradient with the kernel flipped in both
      directions — a true convolution: the backward pass of a correlation is a convolution.

    Returns
    -------
    grad_x, grad_kernel, grad_bias : float arrays shaped like x, kernel and the bias
    """
    x = _check_images(x)
    kernel, _ = _check_kernel(x, kernel, None)
    grad_output = _check_images(grad_output, "grad_output")
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


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)``, element by element."""
    return np.maximum(x, 0)


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling: the largest value of each ``size×size`` window, windows ``stride`` apart (default ``size``).

    Rows/columns that do not fill a whole window are dropped (Keras ``padding="valid"``, PyTorch's default).

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> max_pool2d(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = _check_images(x)
    stride = size if stride is None else stride
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if x.shape[1] < size or x.shape[2] < size:
        raise ValueError(f"a {size}×{size} window does not fit in images of {x.shape[1]}×{x.shape[2]} pixels")
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    return windows.max(axis=(-2, -1))


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
