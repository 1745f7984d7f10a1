"""Building blocks shared by the embedded generators: random streams, blurs, noise and shape profiles.

Every function here is *bit-reproducible*: it draws only uniform numbers from a
``numpy.random.Generator(PCG64)`` and uses only operations that IEEE 754 rounds exactly
(``+ − × ÷ √``, comparisons, cumulative sums in a fixed order). Transcendental functions
(``exp``, ``sin``, ``log``) and library filters whose results may differ in the last bit between
CPUs or NumPy builds are avoided, so that the same seed gives byte-identical ``uint8`` images on
any machine.
"""

from __future__ import annotations

import numpy as np

#: Split names in the order their random streams are numbered.
SPLITS = ("train", "val", "test")


def split_rng(seed: int, dataset_id: int, split: str) -> np.random.Generator:
    """An independent, reproducible PCG64 stream for one split of one embedded dataset."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    sequence = np.random.SeedSequence([int(seed), dataset_id, SPLITS.index(split)])
    return np.random.Generator(np.random.PCG64(sequence))


def uniform(rng: np.random.Generator, low: float, high: float, size) -> np.ndarray:
    """Uniform numbers in ``[low, high)`` (float64)."""
    return low + (high - low) * rng.random(size)


def bell_noise(rng: np.random.Generator, size) -> np.ndarray:
    """Zero-mean, unit-variance noise with a bell-shaped distribution (sum of three uniforms).

    The Irwin–Hall sum of three uniforms is within a few per cent of a Gaussian and needs no
    ``log``/``exp``, which keeps the generators bit-reproducible across machines.
    """
    total = rng.random(size)
    total += rng.random(size)
    total += rng.random(size)
    return (total - 1.5) * 2.0  # variance of the sum is 3/12 = 1/4


def unit_vectors(rng: np.random.Generator, size) -> tuple[np.ndarray, np.ndarray]:
    """Random directions ``(cos θ, sin θ)`` uniform on the circle, drawn without trigonometry."""
    size = (size,) if np.ndim(size) == 0 else tuple(size)
    x = np.empty(size)
    y = np.empty(size)
    todo = np.ones(size, dtype=bool)
    while todo.any():  # rejection sampling in the unit disc
        count = int(todo.sum())
        u = rng.random(count) * 2.0 - 1.0
        v = rng.random(count) * 2.0 - 1.0
        radius_squared = u * u + v * v
        good = (radius_squared > 1e-4) & (radius_squared <= 1.0)
        norm = np.sqrt(radius_squared)
        slots = np.flatnonzero(todo.ravel())[good]
        x.ravel()[slots] = u[good] / norm[good]
        y.ravel()[slots] = v[good] / norm[good]
        todo.ravel()[slots] = False
    return x, y


def box_blur(images: np.ndarray, width: int, axes: tuple[int, ...] = (-2, -1)) -> np.ndarray:
    """Moving average of odd ``width`` along ``axes`` with reflected edges (cumulative sums)."""
    if width <= 1:
        return images
    if width % 2 == 0:
        raise ValueError(f"width must be odd, got {width}")
    half = width // 2
    result = images
    for axis in axes:
        axis = axis % result.ndim
        pad = [(0, 0)] * result.ndim
        pad[axis] = (half + 1, half)
        padded = np.pad(result, pad, mode="symmetric")
        summed = np.cumsum(padded, axis=axis)
        upper = [slice(None)] * result.ndim
        lower = [slice(None)] * result.ndim
        upper[axis], lower[axis] = slice(width, None), slice(None, -width)
        result = (summed[tuple(upper)] - summed[tuple(lower)]) / width
    return result


def smooth_noise(rng: np.random.Generator, shape, width: int, passes: int = 2) -> np.ndarray:
    """Spatially correlated noise (white noise blurred ``passes`` times), rescaled to unit std.

    The normalisation uses the analytic variance reduction of the blur, not the sample std, so
    each image keeps its own random contrast and no reduction order can change the result.
    """
    noise = rng.random(shape) - 0.5
    for _ in range(passes):
        noise = box_blur(noise, width)
    # Variance of a uniform(-1/2, 1/2) is 1/12; each blur pass along each axis scales the variance
    # by the squared norm of the (repeated) box kernel. Integer arithmetic keeps it exact.
    counts = np.ones(1, dtype=np.int64)
    for _ in range(passes):
        counts = np.convolve(counts, np.ones(width, dtype=np.int64))
    squared_norm = int(np.sum(counts * counts)) / float(width ** (2 * passes))
    variance = squared_norm * squared_norm / 12.0
    return noise / np.sqrt(variance)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """``3x² − 2x³`` clipped to ``[0, 1]``: a soft 0→1 ramp, exact in floating point."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def soft_disc(distance: np.ndarray, radius: np.ndarray, edge: np.ndarray | float) -> np.ndarray:
    """1 inside ``radius``, 0 outside, with a smooth transition of width ``edge`` (partial-volume edge)."""
    return smoothstep((radius + 0.5 * edge - distance) / edge)


def bump(distance_over_width: np.ndarray) -> np.ndarray:
    """A compact bell ``(1 − t²)²`` for ``|t| < 1``, else 0: a blob or line profile without ``exp``."""
    t2 = distance_over_width * distance_over_width
    inside = np.clip(1.0 - t2, 0.0, 1.0)
    return inside * inside


def pixel_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column coordinates (float64, pixel centres) shaped ``(1, size, size)``."""
    coordinates = np.arange(size, dtype=float)
    rows = coordinates[None, :, None] + np.zeros((1, 1, size))
    cols = coordinates[None, None, :] + np.zeros((1, size, 1))
    return rows, cols


def to_uint8(values: np.ndarray) -> np.ndarray:
    """Round half to even, clip to ``[0, 255]`` and cast: the one quantisation step."""
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def column(values: np.ndarray) -> np.ndarray:
    """Per-image parameters shaped ``(N, 1, 1)`` to broadcast over ``(N, H, W)`` images."""
    return np.asarray(values, dtype=float)[:, None, None]
