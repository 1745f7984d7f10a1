"""Classic image-filter kernels: smoothing (box, Gaussian) and edges (Sobel, Laplacian)."""

from __future__ import annotations

import numpy as np

from medcourse.conv._checks import check_positive_int


def box_kernel(size: int) -> np.ndarray:
    """A size×size averaging kernel whose entries sum to 1.

    Examples
    --------
    >>> box_kernel(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    size = check_positive_int(size, "size")
    return np.full((size, size), 1.0 / size**2)


def gaussian_kernel(sigma: float, *, radius: int | None = None) -> np.ndarray:
    """A sampled 2-D Gaussian with standard deviation ``sigma`` pixels, normalised to sum 1.

    The kernel is (2r + 1)×(2r + 1) with r = ``radius`` (default ⌈3σ⌉, which keeps 99.7 % of the mass).

    Examples
    --------
    >>> gaussian_kernel(1.0).shape
    (7, 7)
    """
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive number of pixels, got {sigma!r}")
    radius = int(np.ceil(3 * sigma)) if radius is None else check_positive_int(radius, "radius", minimum=0)
    offsets = np.arange(-radius, radius + 1)
    profile = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = np.outer(profile, profile)
    return kernel / kernel.sum()


def sobel_kernel(axis: str = "x") -> np.ndarray:
    """The 3×3 Sobel kernel for the derivative along ``axis`` ("x": columns, "y": rows), in convolution form.

    Convolving (with the flip) gives ∂/∂x growing to the right: conv2d of a left-to-right ramp is positive.

    Examples
    --------
    >>> sobel_kernel("x")
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.],
           [ 1.,  0., -1.]])
    """
    smooth, derive = np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.0, -1.0])
    if axis == "x":
        return np.outer(smooth, derive)
    if axis == "y":
        return np.outer(derive, smooth)
    raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")


def laplacian_kernel() -> np.ndarray:
    """The 3×3 five-point Laplacian ∂²/∂x² + ∂²/∂y² (symmetric, so the flip changes nothing).

    Examples
    --------
    >>> laplacian_kernel()
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
