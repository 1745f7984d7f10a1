"""CT from its projections (notebook 11 §1): the Radon transform, the ramp filter, filtered back-projection,
and the photon counts of a low-dose scan.

Both the projection and the back-projection are linear maps, so each is a (sparse) matrix, built once per
geometry and cached: ``p = A μ`` projects an image, and the back-projection smears every filtered projection
back along its rays. The conventions are scikit-image's (``skimage.transform.radon`` / ``iradon`` with
``circle=True``): a sinogram has one row per detector and one column per angle, the rotation axis sits at
detector ``n // 2``, and the image is zero outside its inscribed circle. Notebook 11 asserts that
:func:`radon_transform` equals ``radon`` and :func:`filtered_back_projection` equals ``iradon``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import sparse

from medcourse.reconstruction._checks import angles_in_degrees, positive_number, real_images

__all__ = [
    "MU_WATER",
    "WINDOWS",
    "attenuation_to_hu",
    "back_project",
    "circle_mask",
    "counts_to_line_integrals",
    "filter_projections",
    "filtered_back_projection",
    "hu_to_attenuation",
    "photon_counts",
    "radon_transform",
    "ramp_filter",
    "ramp_kernel",
    "view_angles",
]

#: Linear attenuation coefficient of water in 1/mm, at an effective energy of about 70 keV.
MU_WATER = 0.019

#: Filters of :func:`filter_projections`: the plain ramp, or the ramp tapered by a Hann window.
WINDOWS = ("ramp", "hann")

_CHUNK = 4096  # projections filtered at once
_IMAGES = 128  # images projected or reconstructed at once


def view_angles(count: int, *, arc: float = 180.0) -> np.ndarray:
    """``count`` projection angles in degrees, evenly spread over ``arc`` (end excluded).

    Examples
    --------
    >>> view_angles(4)
    array([  0.,  45.,  90., 135.])
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive whole number of views, got {count!r}")
    return np.linspace(0.0, positive_number(arc, "arc"), int(count), endpoint=False)


def circle_mask(size: int) -> np.ndarray:
    """Boolean ``size × size`` disc the scanner sees: the pixels within ``size // 2`` of the centre pixel."""
    rows, cols = np.mgrid[:size, :size] - size // 2
    return rows**2 + cols**2 <= (size // 2) ** 2


@lru_cache(maxsize=8)
def _projector(size: int, angles: tuple[float, ...]) -> sparse.csr_matrix:
    """The Radon transform as a matrix: row ``detector · A + angle``, column ``row · size + col`` of the image."""
    centre = size // 2
    rows, cols = np.mgrid[:size, :size]
    entries, rays, pixels = [], [], []
    for index, angle in enumerate(np.deg2rad(angles)):
        cos, sin = np.cos(angle), np.sin(angle)
        # Rotate the image by −angle and sum its columns: output pixel (row, col) reads the image at (y, x).
        x = cos * cols + sin * rows - centre * (cos + sin - 1)
        y = -sin * cols + cos * rows - centre * (cos - sin - 1)
        x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
        fx, fy = x - x0, y - y0
        for dy, dx, weight in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx),
                               (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):  # bilinear interpolation
            yy, xx = y0 + dy, x0 + dx
            inside = (yy >= 0) & (yy < size) & (xx >= 0) & (xx < size) & (weight != 0)
            entries.append(weight[inside])
            rays.append((cols * len(angles) + index)[inside])
            pixels.append((yy * size + xx)[inside])
    shape = (size * len(angles), size * size)
    return sparse.csr_matrix((np.concatenate(entries), (np.concatenate(rays), np.concatenate(pixels))), shape=shape)


def _square_images(images, name: str) -> np.ndarray:
    images = real_images(images, name)
    if images.shape[-1] != images.shape[-2]:
        raise ValueError(f"{name} must be square (H = W), got shape {images.shape}")
    return images


def radon_transform(images, angles) -> np.ndarray:
    """Line integrals of ``images`` along parallel rays: the sinogram, equal to ``skimage.transform.radon``.

    Parameters
    ----------
    images : array (n, n) or (N, n, n)
        Values per pixel (for CT: attenuation per pixel length), zero outside the inscribed circle.
    angles : sequence of float
        Projection angles in degrees.

    Returns
    -------
    numpy.ndarray (n, A) or (N, n, A)
        One row per detector, one column per angle (scikit-image's layout). Multiply by the pixel size to
        get line integrals of an attenuation in 1/mm.

    Examples
    --------
    >>> image = np.zeros((8, 8)); image[3:5, 3:5] = 1.0
    >>> radon_transform(image, [0.0]).sum()   # every ray together sees the whole image once
    4.0
    """
    images = _square_images(images, "images")
    angles = angles_in_degrees(angles)
    size = images.shape[-1]
    if np.any(images[..., ~circle_mask(size)]):
        raise ValueError("images must be zero outside the inscribed circle (see circle_mask): rays there "
                         "would miss part of the image at some angles")
    projector = _projector(size, tuple(angles))
    flat = images.reshape(-1, size * size)
    sinograms = np.empty((len(flat), size * len(angles)))
    for start in range(0, len(flat), _IMAGES):  # in chunks: a training set at once would double the memory
        sinograms[start:start + _IMAGES] = (projector @ flat[start:start + _IMAGES].T).T
    return sinograms.reshape(*images.shape[:-2], size, len(angles))


def ramp_kernel(length: int) -> np.ndarray:
    """The band-limited ramp filter sampled in space (Kak & Slaney eq. 3.61): h[0] = 1/4, h[n odd] = −1/(πn)².

    ``length`` samples in FFT order (index ``n`` and ``length − n`` are the offsets ``±n``).
    """
    offsets = np.fft.fftfreq(length, 1.0 / length).astype(int)
    kernel = np.zeros(length)
    odd = offsets % 2 == 1
    kernel[odd] = -1.0 / (np.pi * offsets[odd]) ** 2
    kernel[0] = 0.25
    return kernel


def ramp_filter(length: int, window: str = "ramp") -> np.ndarray:
    """Frequency response of the ramp filter (FFT order, ``length`` samples): about ``|ω|`` up to Nyquist.

    Taken from the transform of :func:`ramp_kernel` rather than by sampling ``|ω|`` itself: the sampled
    ``|ω|`` is zero at ω = 0 and would shift every reconstruction by a constant. ``window="hann"``
    multiplies it by a Hann window, which tames the noise of the highest frequencies.
    """
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {WINDOWS}, got {window!r}")
    response = 2.0 * np.real(np.fft.fft(ramp_kernel(length)))
    if window == "hann":
        response *= np.fft.fftshift(np.hanning(length))
    return response


def _filter_length(detectors: int) -> int:
    """scikit-image's FFT length: a power of two ≥ 2 × the square's diagonal (no wrap-around), at least 64."""
    diagonal = int(np.ceil(np.sqrt(2) * detectors))
    return max(64, int(2 ** np.ceil(np.log2(2 * diagonal))))


def filter_projections(sinograms, window: str = "ramp", *, length: int | None = None) -> np.ndarray:
    """Convolve every projection (a sinogram column) with the ramp filter, by FFT with zero padding.

    ``length`` is the FFT length; by default scikit-image's (see the notebook), so the results agree.
    """
    sinograms = real_images(sinograms, "sinograms")
    detectors = sinograms.shape[-2]
    length = _filter_length(detectors) if length is None else int(length)
    if length < 2 * detectors:
        raise ValueError(f"length must be at least twice the {detectors} detectors, got {length}")
    response = ramp_filter(length, window)
    projections = np.swapaxes(sinograms, -1, -2).reshape(-1, detectors)  # one projection per row
    filtered = np.empty_like(projections)
    for start in range(0, len(projections), _CHUNK):  # in chunks: a training set's spectra would fill the memory
        chunk = projections[start:start + _CHUNK]
        if window == "ramp":  # a real, even response: half the spectrum gives the same numbers in half the time
            result = np.fft.irfft(np.fft.rfft(chunk, n=length) * response[:length // 2 + 1], n=length)
        else:
            result = np.real(np.fft.ifft(np.fft.fft(chunk, n=length) * response))
        filtered[start:start + _CHUNK] = result[:, :detectors]
    shape = (*sinograms.shape[:-2], sinograms.shape[-1], detectors)
    return np.swapaxes(filtered.reshape(shape), -1, -2)


@lru_cache(maxsize=8)
def _back_projector(size: int, detectors: int, angles: tuple[float, ...]) -> sparse.csr_matrix:
    """Back-projection as a matrix: pixel (x, y) takes, per angle, the projection at t = y cos θ − x sin θ."""
    offsets = np.mgrid[:size, :size] - size // 2
    first = -(detectors // 2)  # detector d sits at t = d − detectors // 2
    pixels = np.arange(size * size).reshape(size, size)
    entries, rows, columns = [], [], []
    for index, angle in enumerate(np.deg2rad(angles)):
        t = offsets[1] * np.cos(angle) - offsets[0] * np.sin(angle)
        below, fraction = np.floor(t).astype(int) - first, t - np.floor(t)
        for step, weight in ((0, 1 - fraction), (1, fraction)):  # linear interpolation between detectors
            detector = below + step
            inside = (detector >= 0) & (detector < detectors) & (weight != 0)
            entries.append(weight[inside])
            rows.append(pixels[inside])
            columns.append(detector[inside] * len(angles) + index)
    shape = (size * size, detectors * len(angles))
    return sparse.csr_matrix((np.concatenate(entries), (np.concatenate(rows), np.concatenate(columns))), shape=shape)


def back_project(sinograms, angles, *, size: int | None = None) -> np.ndarray:
    """Smear every projection back along its rays and add them up (no filter, no scaling).

    ``size`` (default: the number of detectors) is the side of the square image.
    """
    sinograms = real_images(sinograms, "sinograms")
    angles = angles_in_degrees(angles)
    detectors = sinograms.shape[-2]
    if sinograms.shape[-1] != len(angles):
        raise ValueError(f"sinograms have {sinograms.shape[-1]} columns but {len(angles)} angles were given")
    size = detectors if size is None else int(size)
    back_projector = _back_projector(size, detectors, tuple(angles))
    flat = sinograms.reshape(-1, detectors * len(angles))
    images = np.empty((len(flat), size * size))
    for start in range(0, len(flat), _IMAGES):
        images[start:start + _IMAGES] = (back_projector @ flat[start:start + _IMAGES].T).T
    return images.reshape(*sinograms.shape[:-2], size, size)


def filtered_back_projection(sinograms, angles, window: str = "ramp") -> np.ndarray:
    """Filtered back-projection ``μ(x, y) = π / (2A) · Σ_θ (h ∗ p_θ)(y cos θ − x sin θ)``: equals ``iradon``.

    Parameters
    ----------
    sinograms : array (n, A) or (N, n, A)
        Projections as :func:`radon_transform` returns them.
    angles : sequence of float
        The A projection angles in degrees, spread over 180°.
    window : {"ramp", "hann"}
        The filter (scikit-image's ``filter_name``).

    Returns
    -------
    numpy.ndarray (n, n) or (N, n, n), zero outside the inscribed circle.

    Examples
    --------
    >>> image = np.zeros((32, 32)); image[12:20, 12:20] = 1.0
    >>> angles = view_angles(60)
    >>> reconstruction = filtered_back_projection(radon_transform(image, angles), angles)
    >>> bool(abs(reconstruction[16, 16] - 1.0) < 0.05)
    True
    """
    sinograms = real_images(sinograms, "sinograms")
    angles = angles_in_degrees(angles)
    detectors = sinograms.shape[-2]
    stack = sinograms.reshape(-1, detectors, sinograms.shape[-1])
    images = np.empty((len(stack), detectors, detectors))
    for start in range(0, len(stack), _IMAGES):  # in chunks, to keep the memory small
        # One zero detector on each side: the filtered projection is not zero there (the filter spreads it),
        # and the rays of the pixels on the rim of the circle end between the last detector and that one.
        padded = np.pad(stack[start:start + _IMAGES], [(0, 0), (1, 1), (0, 0)])
        filtered = filter_projections(padded, window, length=_filter_length(detectors))
        images[start:start + _IMAGES] = back_project(filtered, angles, size=detectors) * np.pi / (2 * len(angles))
    images[:, ~circle_mask(detectors)] = 0.0
    return images.reshape(*sinograms.shape[:-2], detectors, detectors)


def hu_to_attenuation(hu, *, mu_water: float = MU_WATER) -> np.ndarray:
    """Hounsfield units to linear attenuation in 1/mm: ``μ = μ_water (1 + HU / 1000)``, never below 0 (air)."""
    return np.maximum(mu_water * (1.0 + np.asarray(hu, dtype=np.float64) / 1000.0), 0.0)


def attenuation_to_hu(mu, *, mu_water: float = MU_WATER) -> np.ndarray:
    """Linear attenuation in 1/mm to Hounsfield units: ``HU = 1000 (μ − μ_water) / μ_water``."""
    return 1000.0 * (np.asarray(mu, dtype=np.float64) - mu_water) / mu_water


def photon_counts(line_integrals, incident_photons: float, rng: np.random.Generator) -> np.ndarray:
    """Detected photons per ray, Beer–Lambert plus quantum noise: ``I ~ Poisson(I₀ · e^{−p})``."""
    line_integrals = real_images(line_integrals, "line_integrals")
    if np.any(line_integrals < 0):
        raise ValueError("line_integrals must be ≥ 0 (attenuation cannot add photons)")
    expected = positive_number(incident_photons, "incident_photons") * np.exp(-line_integrals)
    return rng.poisson(expected).astype(np.float64)


def counts_to_line_integrals(counts, incident_photons: float) -> np.ndarray:
    """The log transform back, ``p̂ = −ln(I / I₀)``; a ray that caught no photon is counted as one.

    Zero counts (photon starvation, the thickest paths at the lowest dose) would make ``p̂`` infinite;
    clipping them to one photon is the simplest of the corrections scanners apply.
    """
    counts = real_images(counts, "counts")
    if np.any(counts < 0):
        raise ValueError("counts must be ≥ 0 (they count photons)")
    return -np.log(np.maximum(counts, 1.0) / positive_number(incident_photons, "incident_photons"))
