"""Spectral normalisation and what it really bounds (notebook 09, section 4).

Spectral normalisation divides a layer's weights by the largest singular value of its weight
**matrix**. For a dense layer that matrix is the layer, so the layer's operator norm (its largest
gain, ``max ‖W x‖ / ‖x‖``) becomes exactly 1. A convolution kernel is reshaped into a matrix first
(``kh·kw·C_in × C_out``), and the largest singular value of that reshaped matrix is **not** the
operator norm of the convolution, which slides the kernel over the image and lets the windows
overlap. :func:`convolution_operator_norm` computes the true norm by power iteration on the
convolution and its adjoint, so the notebook can show the difference.
"""

from __future__ import annotations

import numpy as np

from medcourse.cnn import conv2d_layer, same_padding

__all__ = ["conv2d_adjoint", "convolution_operator_norm", "reshaped_kernel_norm"]


def _kernel(kernel) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4 or 0 in kernel.shape or not np.all(np.isfinite(kernel)):
        raise ValueError(f"kernel must be a finite 4-D array (kh, kw, C_in, C_out), as Keras stores it, "
                         f"got shape {kernel.shape}")
    return kernel


def reshaped_kernel_norm(kernel) -> float:
    """Largest singular value of the kernel reshaped to a ``kh·kw·C_in × C_out`` matrix: what spectral normalisation divides by.

    Keras's ``SpectralNormalization`` reshapes a ``(kh, kw, C_in, C_out)`` kernel to ``(−1, C_out)``;
    PyTorch's ``spectral_norm`` reshapes an ``(C_out, C_in, kh, kw)`` weight to ``(C_out, −1)``: the
    transpose of the same matrix, with the same singular values.

    Examples
    --------
    >>> reshaped_kernel_norm(np.full((1, 1, 1, 1), -3.0))
    3.0
    """
    kernel = _kernel(kernel)
    return float(np.linalg.norm(kernel.reshape(-1, kernel.shape[-1]), ord=2))


def conv2d_adjoint(output, kernel, image_size: tuple[int, int], *, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """The adjoint (transpose) of :func:`medcourse.cnn.conv2d_layer` without bias, applied to ``output``.

    For every image ``x`` and output ``y``: ``⟨conv(x), y⟩ = ⟨x, conv2d_adjoint(y)⟩``. Each output
    pixel stamps ``y · K`` back onto the window it was computed from (a transposed convolution), and
    the padding is cut off again.

    Parameters
    ----------
    output : float array (N, H_out, W_out, C_out)
    kernel : float array (kh, kw, C_in, C_out)
    image_size : (H, W) of the convolution's input
    stride, padding : as for ``conv2d_layer``

    Returns
    -------
    float array (N, H, W, C_in)
    """
    kernel = _kernel(kernel)
    output = np.asarray(output, dtype=np.float64)
    height, width = (int(n) for n in image_size)
    kh, kw = kernel.shape[:2]
    rows, cols = (same_padding(height, kh, stride), same_padding(width, kw, stride)) if padding == "same" \
        else ((0, 0), (0, 0))
    image = np.zeros((len(output), height + sum(rows), width + sum(cols), kernel.shape[2]))
    out_h, out_w = output.shape[1:3]
    for i in range(kh):
        for j in range(kw):
            image[:, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += output @ kernel[i, j].T
    return image[:, rows[0]:rows[0] + height, cols[0]:cols[0] + width]


def convolution_operator_norm(kernel, image_size: tuple[int, int], *, stride: int = 1, padding: str = "valid",
                              iterations: int = 100, seed: int = 0) -> float:
    """The operator norm ``max ‖conv(x)‖ / ‖x‖`` of a convolution layer on ``image_size`` images, by power iteration.

    Power iteration on ``AᵀA`` (the convolution followed by its adjoint) converges to the largest
    singular value of the convolution ``A`` seen as one big matrix acting on whole images.

    Examples
    --------
    >>> kernel = np.ones((1, 1, 1, 1)) * 2.0   # a 1×1 convolution multiplies every pixel by 2
    >>> round(convolution_operator_norm(kernel, (5, 5)), 6)
    2.0
    """
    kernel = _kernel(kernel)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    x = np.random.default_rng(seed).standard_normal((1, *image_size, kernel.shape[2]))
    x /= np.linalg.norm(x)
    norm = 0.0
    for _ in range(iterations):
        y = conv2d_layer(x, kernel, stride=stride, padding=padding)
        norm = float(np.linalg.norm(y))
        x = conv2d_adjoint(y, kernel, image_size, stride=stride, padding=padding)
        x /= np.linalg.norm(x)
    return norm
