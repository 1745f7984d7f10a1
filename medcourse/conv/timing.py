"""Time the 2-D convolution methods against SciPy (and any framework you pass in) on one image."""

from __future__ import annotations

import timeit
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from medcourse.conv._checks import as_real_array
from medcourse.conv.discrete import conv2d


def timing_table(image: np.ndarray, kernel_sizes: Sequence[int] = (3, 7, 31), *,
                 extra: Mapping[str, Callable[[np.ndarray, np.ndarray], object]] | None = None,
                 loop_crop: int = 32, repeat: int = 3, seed: int = 0) -> dict[str, dict[int, float]]:
    """Best-of-``repeat`` seconds of one 'same'-mode convolution per method and kernel size.

    Methods: ``loop``, ``vectorized`` and ``fft`` (:func:`conv2d`), ``scipy``
    (:func:`scipy.signal.convolve2d`), plus ``extra`` — e.g. ``{"pytorch": fn}`` where
    ``fn(image, kernel)`` runs a framework. The pure-Python loop costs the same per output pixel
    whatever the image, so it is timed on a ``loop_crop``×``loop_crop`` crop and scaled up by the
    ratio of pixel counts (the row is named ``"loop (scaled from crop)"``).

    Returns
    -------
    dict
        ``{method: {kernel_size: seconds}}``; print it with :func:`format_timings`.
    """
    from scipy import signal  # imported here: scipy.signal takes a while to import and is needed only now

    image = as_real_array(image, "image", 2)
    rng = np.random.default_rng(seed)
    timings: dict[str, dict[int, float]] = {}

    def best(function: Callable[[], object]) -> float:
        return min(timeit.repeat(function, number=1, repeat=repeat))

    crop = image[:loop_crop, :loop_crop]
    scale = image.size / crop.size
    for size in kernel_sizes:
        kernel = rng.standard_normal((size, size))
        candidates: dict[str, Callable[[], object]] = {
            "loop (scaled from crop)": lambda k=kernel: conv2d(crop, k, "same", method="loop"),
            "vectorized": lambda k=kernel: conv2d(image, k, "same", method="vectorized"),
            "fft": lambda k=kernel: conv2d(image, k, "same", method="fft"),
            "scipy.signal.convolve2d": lambda k=kernel: signal.convolve2d(image, k, "same"),
        }
        for name, function in (extra or {}).items():
            candidates[name] = lambda k=kernel, function=function: function(image, k)
        for name, function in candidates.items():
            seconds = best(function) * (scale if name.startswith("loop") else 1.0)
            timings.setdefault(name, {})[size] = seconds
    return timings


def format_timings(timings: Mapping[str, Mapping[int, float]], *, title: str = "") -> str:
    """A plain-text table of :func:`timing_table`'s result in milliseconds, one row per method."""
    sizes = sorted({size for row in timings.values() for size in row})
    width = max(len(name) for name in timings) + 2
    lines = [title] if title else []
    lines.append("method".ljust(width) + "".join(f"{f'{s}×{s}':>12}" for s in sizes))
    for name, row in timings.items():
        cells = "".join(f"{row[s] * 1e3:>9.1f} ms" if s in row else f"{'—':>12}" for s in sizes)
        lines.append(name.ljust(width) + cells)
    return "\n".join(lines)
