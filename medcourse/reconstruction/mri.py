"""MRI from k-space (notebook 11 §2): the centred 2-D Fourier transform, Cartesian undersampling masks,
the zero-filled reconstruction and the data-consistency step.

A scanner measures the image's Fourier transform, k-space, one line at a time; skipping lines saves time
and aliases the image. Conventions: images are real ``(H, W)`` or ``(N, H, W)`` arrays, k-space is centred
(the zero frequency in the middle, ``np.fft.fftshift``) and orthonormal (``norm="ortho"``: the transform
keeps the sum of squares), and masks sample whole columns — lines along the readout direction (rows), one
per phase-encoding step (columns) — so the aliasing runs along the image's width.
"""

from __future__ import annotations

import numpy as np

from medcourse.reconstruction._checks import boolean_mask, positive_number, real_images

__all__ = [
    "acceleration",
    "cartesian_mask",
    "data_consistency",
    "image_from_kspace",
    "kspace",
    "undersample",
    "zero_filled",
]

_AXES = (-2, -1)


def kspace(images) -> np.ndarray:
    """Centred, orthonormal 2-D Fourier transform ``k = F x`` of real images (``(H, W)`` or ``(N, H, W)``).

    Examples
    --------
    >>> x = np.random.default_rng(0).random((4, 6))
    >>> bool(np.allclose(image_from_kspace(kspace(x)), x))
    True
    """
    images = real_images(images, "images")
    return np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(images, axes=_AXES), norm="ortho"), axes=_AXES)


def image_from_kspace(kspace_data) -> np.ndarray:
    """The inverse, ``x = F⁻¹ k``: complex images (their imaginary part vanishes for the k-space of a real image)."""
    kspace_data = np.asarray(kspace_data)
    if kspace_data.ndim not in (2, 3) or kspace_data.size == 0:
        raise ValueError(f"kspace_data must be (H, W) or (N, H, W), got shape {kspace_data.shape}")
    return np.fft.fftshift(np.fft.ifft2(np.fft.ifftshift(kspace_data, axes=_AXES), norm="ortho"), axes=_AXES)


def _check_acceleration(value) -> float:
    factor = positive_number(value, "acceleration")
    if factor < 1:
        raise ValueError(f"acceleration must be ≥ 1 (1 = every line measured), got {value!r}")
    return factor


def cartesian_mask(shape: tuple[int, int], acceleration: float, *, centre_fraction: float = 0.08,
                   pattern: str = "random", seed: int = 0) -> np.ndarray:
    """Boolean k-space mask measuring whole columns: a fully sampled centre plus lines in mirror pairs.

    Parameters
    ----------
    shape : (H, W)
        Size of k-space; the W columns are the phase-encoding lines.
    acceleration : float
        Requested undersampling factor ``R``: about ``W / R`` lines are measured, never more, so the
        true factor (:func:`acceleration`) is ``R`` or a little above.
    centre_fraction : float
        Share of the lines in the fully sampled centre (fastMRI uses 0.08 at 4×, 0.04 at 8×); the centre
        holds the contrast, the outer lines the edges.
    pattern : {"random", "equispaced"}
        The other lines drawn at random (incoherent, noise-like aliasing) or every R-th line (coherent
        ghosts, shifted copies).
    seed : int
        Seed of the random lines.

    Notes
    -----
    The images here are real, so their k-space is conjugate-symmetric, ``k(−u) = k(u)*``: a line and its
    mirror image hold the same numbers. Lines are therefore chosen in mirror pairs, so no measured line
    comes for free and ``R`` is the true reduction of the data. (Scanner images are complex, and there the
    symmetry does not hold.)

    Examples
    --------
    >>> mask = cartesian_mask((48, 64), 4, pattern="equispaced")
    >>> mask.shape, int(mask[0].sum()), bool((mask == mask[0]).all())
    ((48, 64), 15, True)
    """
    height, width = (int(n) for n in shape)
    factor = _check_acceleration(acceleration)
    if pattern not in ("random", "equispaced"):
        raise ValueError(f"pattern must be 'random' or 'equispaced', got {pattern!r}")
    if not 0 < centre_fraction <= 1:
        raise ValueError(f"centre_fraction must be in (0, 1], got {centre_fraction!r}")
    budget = int(np.floor(width / factor + 1e-9))              # lines we may measure
    half_centre = max(0, round(centre_fraction * width) // 2)
    half_centre = min(half_centre, max(0, (budget - 1) // 2))  # the centre never exceeds the budget
    frequency = np.arange(width) - width // 2                  # the column's spatial frequency, in lines
    measured = np.abs(frequency) <= half_centre
    pairs = np.arange(half_centre + 1, (width + 1) // 2)      # +u and −u both exist for these
    extra = min((budget - int(measured.sum())) // 2, len(pairs))
    if pattern == "equispaced":  # every step-th line from the centre out, as many as the budget allows
        step = max(1, round(factor))
        chosen = pairs[pairs % step == 0][:extra]
    else:
        chosen = np.random.default_rng(seed).choice(pairs, size=extra, replace=False)
    measured |= np.isin(np.abs(frequency), chosen)
    return np.broadcast_to(measured, (height, width)).copy()


def acceleration(mask) -> float:
    """Undersampling factor of a mask: all k-space samples over the measured ones.

    Examples
    --------
    >>> acceleration(np.array([[True, False, False, False]] * 3))
    4.0
    """
    mask = boolean_mask(mask, "mask")
    return float(mask.size / mask.sum())


def undersample(images, mask) -> np.ndarray:
    """What the scanner records: the k-space of ``images`` on the measured lines, zero elsewhere."""
    data = kspace(images)
    return np.where(boolean_mask(mask, "mask", data.shape[-2:]), data, 0)


def zero_filled(measured_kspace) -> np.ndarray:
    """The zero-filled reconstruction: the inverse transform with the missing lines left at zero (real part).

    With a conjugate-symmetric mask and a real image its imaginary part is zero up to rounding.
    """
    return np.real(image_from_kspace(measured_kspace))


def data_consistency(images, measured_kspace, mask) -> np.ndarray:
    """Replace the measured lines of an estimate's k-space by the measurements: ``F⁻¹[M y + (1 − M) F x̂]``.

    Parameters
    ----------
    images : array (H, W) or (N, H, W)
        The estimate x̂, e.g. a network's output.
    measured_kspace : complex array of the same shape
        The measurements y (zero where not measured), as :func:`undersample` returns them.
    mask : boolean array (H, W)
        True where measured.

    Returns
    -------
    numpy.ndarray
        The real part of the result: an image whose k-space equals ``y`` on every measured line (up to
        rounding) and keeps the estimate's k-space elsewhere.
    """
    estimate = kspace(images)
    measured_kspace = np.asarray(measured_kspace)
    if measured_kspace.shape != estimate.shape:
        raise ValueError(f"measured_kspace must have the shape of images, {estimate.shape}, got {measured_kspace.shape}")
    mask = boolean_mask(mask, "mask", estimate.shape[-2:])
    return np.real(image_from_kspace(np.where(mask, measured_kspace, estimate)))
