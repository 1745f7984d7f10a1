"""Image-quality metrics for reconstruction and restoration (notebook 11 §3): PSNR and SSIM, the course's one definition.

Both compare an estimate with a reference image and need the **data range** ``R``, the width of the range
the pixel values are measured on. ``R`` belongs to the *scale*, not to the image: 1 for images scaled to
[0, 1] (as :func:`medcourse.data.transforms.scale` gives them), 255 for ``uint8``, the width of a stated HU
interval for CT (notebook 11 maps −1000…+1000 HU onto [0, 1], so ``R = 1`` there, i.e. 2000 HU). Keep it
fixed for every image and method you compare. With a single reference image its own range, max − min, is
a common choice too (notebook 02). Whatever you choose, say it: PSNRs computed with ranges ``R₁`` and
``R₂`` differ by ``20 log₁₀(R₁/R₂)`` dB. There is deliberately no default — scikit-image guesses the range
from the dtype (2 for any float image, whatever its values), which silently shifts PSNR by up to 6 dB.

Both functions take one image pair ``(H, W)`` and return a float, or a stack ``(N, H, W)`` and return one
value per image (for a mean ± standard deviation over a test set). They equal
``skimage.metrics.peak_signal_noise_ratio`` and ``structural_similarity`` (default window) image by image.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["psnr", "ssim"]

#: SSIM's constants (Wang et al. 2004) and the side of its uniform window, as in scikit-image.
SSIM_K1, SSIM_K2, SSIM_WINDOW = 0.01, 0.03, 7


def _pair(reference, estimate, data_range) -> tuple[np.ndarray, np.ndarray, float]:
    reference, estimate = np.asarray(reference), np.asarray(estimate)
    for name, array in (("reference", reference), ("estimate", estimate)):
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
        if array.ndim not in (2, 3) or array.size == 0:
            raise ValueError(f"{name} must be one image (H, W) or a stack (N, H, W), got shape {array.shape}")
    if reference.shape != estimate.shape:
        raise ValueError(f"reference and estimate must have the same shape, got {reference.shape} and {estimate.shape}")
    try:
        data_range = float(data_range)
    except (TypeError, ValueError):
        raise TypeError(f"data_range must be a positive number (the width of the value scale), got {data_range!r}") from None
    if not np.isfinite(data_range) or data_range <= 0:
        raise ValueError(f"data_range must be a positive finite number (e.g. 1.0 for images in [0, 1]), got {data_range!r}")
    return reference.astype(np.float64), estimate.astype(np.float64), data_range


def psnr(reference, estimate, *, data_range: float):
    """Peak signal-to-noise ratio in dB: ``PSNR = 10 log₁₀(R² / MSE)``, higher is closer to the reference.

    Parameters
    ----------
    reference, estimate : array (H, W) or (N, H, W)
        The truth and the reconstruction, on the same scale.
    data_range : float
        ``R``, the width of the value scale (see the module's docstring): 1.0 for images in [0, 1].

    Returns
    -------
    float, or numpy.ndarray (N,) of one value per image; ``inf`` where an estimate equals its reference.

    Examples
    --------
    >>> clean = np.zeros((4, 4)); noisy = clean + 0.1
    >>> round(psnr(clean, noisy, data_range=1.0), 6)    # MSE = 0.01
    20.0
    """
    reference, estimate, data_range = _pair(reference, estimate, data_range)
    mse = np.mean((reference - estimate) ** 2, axis=(-2, -1))
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(data_range**2 / mse)
    return float(values) if values.ndim == 0 else values


def _ssim_map(reference: np.ndarray, estimate: np.ndarray, data_range: float) -> np.ndarray:
    """SSIM of every 7×7 window: luminance, contrast and structure compared (sample covariances)."""
    mean = lambda image: ndimage.uniform_filter(image, SSIM_WINDOW)  # noqa: E731  (the local mean, μ)
    samples = SSIM_WINDOW**2
    unbiased = samples / (samples - 1)
    mu_x, mu_y = mean(reference), mean(estimate)
    var_x = unbiased * (mean(reference * reference) - mu_x**2)
    var_y = unbiased * (mean(estimate * estimate) - mu_y**2)
    cov_xy = unbiased * (mean(reference * estimate) - mu_x * mu_y)
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    return ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))


def ssim(reference, estimate, *, data_range: float):
    """Structural similarity (Wang et al. 2004), the mean over 7×7 windows of

    ``SSIM = (2 μx μy + C₁)(2 σxy + C₂) / ((μx² + μy² + C₁)(σx² + σy² + C₂))``, ``C₁ = (0.01 R)²``,
    ``C₂ = (0.03 R)²``; 1 for identical images. Windows that would reach past the border are left out.

    Parameters are those of :func:`psnr`; images must be at least 7×7.

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> ssim(image, image, data_range=1.0)
    1.0
    """
    reference, estimate, data_range = _pair(reference, estimate, data_range)
    if min(reference.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f"images must be at least {SSIM_WINDOW}×{SSIM_WINDOW} for SSIM, got {reference.shape[-2:]}")
    margin = (SSIM_WINDOW - 1) // 2
    pairs = zip(reference.reshape(-1, *reference.shape[-2:]), estimate.reshape(-1, *estimate.shape[-2:]), strict=True)
    values = np.array([_ssim_map(x, y, data_range)[margin:-margin, margin:-margin].mean() for x, y in pairs])
    return float(values[0]) if reference.ndim == 2 else values
