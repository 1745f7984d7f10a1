"""Convolution, from the integral to the pixel: the NumPy/SciPy reference for notebook 02.

* :func:`convolve_continuous` — (f∗g)(t) = ∫ f(τ) g(t − τ) dτ by adaptive quadrature;
  :func:`riemann_convolution` and :func:`convergence_order` — the sum that approximates it.
* :func:`conv1d`, :func:`conv2d` (true convolution, = SciPy's ``convolve2d``), :func:`correlate2d`
  (cross-correlation, = what ``tf.nn.conv2d`` and ``torch.nn.functional.conv2d`` compute),
  :func:`output_size` (padding, stride, dilation), :func:`valid_offset` (where a 'valid' output sits).
* What libraries do: :func:`im2col` and :func:`correlate2d_gemm` (one matrix product),
  :func:`winograd_correlate2d` (Winograd F(2×2, 3×3)).
* Kernels: :func:`box_kernel`, :func:`gaussian_kernel`, :func:`sobel_kernel`, :func:`laplacian_kernel`.
* :func:`timing_table` / :func:`format_timings` — loop vs vectorised vs FFT vs SciPy (and frameworks).

Imports neither TensorFlow nor PyTorch.
"""

from __future__ import annotations

from medcourse.conv.algorithms import correlate2d_gemm, im2col, winograd_correlate2d
from medcourse.conv.continuous import (
    box,
    convergence_order,
    convolve_continuous,
    exponential_decay,
    gaussian,
    riemann_convolution,
)
from medcourse.conv.discrete import METHODS, MODES, conv1d, conv2d, correlate2d, output_size, valid_offset
from medcourse.conv.kernels import box_kernel, gaussian_kernel, laplacian_kernel, sobel_kernel
from medcourse.conv.timing import format_timings, timing_table

__all__ = [
    "METHODS",
    "MODES",
    "box",
    "box_kernel",
    "conv1d",
    "conv2d",
    "convergence_order",
    "convolve_continuous",
    "correlate2d",
    "correlate2d_gemm",
    "exponential_decay",
    "format_timings",
    "gaussian",
    "gaussian_kernel",
    "im2col",
    "laplacian_kernel",
    "output_size",
    "riemann_convolution",
    "sobel_kernel",
    "timing_table",
    "valid_offset",
    "winograd_correlate2d",
]
