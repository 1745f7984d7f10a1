"""``"lesions"``: generated scan patches of tissue with or without a focal lesion.

What it simulates
-----------------
Small single-channel patches that look like a window of a contrast-enhanced CT (or a
mammogram-like projection) around a candidate finding:

* **tissue background** with correlated, parenchyma-like texture at two scales and a slowly
  varying intensity ramp (beam hardening / coil-sensitivity-like bias);
* **anatomy**: curvilinear bright vessels or ducts, and sometimes a vessel seen end-on (a small
  round bright dot that mimics a nodule; present in every class, so it is a distractor, not a clue);
* **one finding per patch** (the label):

  ===  =================  ===========================================================
  0    no lesion          tissue and vessels only
  1    solid nodule       small (≤ 3 cm-like), round/oval, brighter than tissue, soft edge
  2    cyst               dark (fluid), homogeneous, smooth, round, thin bright rim
  3    calcification      a cluster of two to six very small, very bright spots
  4    irregular mass     larger, bright, lobulated outline with spicules radiating outwards
  ===  =================  ===========================================================

* **acquisition noise** (bell-shaped, per-image level).

What it does not simulate
-------------------------
No real anatomy, physics (no point-spread function, no Poisson/Rician statistics, no
reconstruction artefacts), no patient variation beyond random parameters, and no clinical
meaning: these are teaching images. A model that does well here tells you nothing about
real scans. Use a MedMNIST dataset for real images.

Reproducibility: only uniform draws from ``numpy.random.Generator(PCG64)`` and exactly rounded
arithmetic before one rounding to ``uint8``, so a seed gives byte-identical arrays on any machine.
"""

from __future__ import annotations

import numpy as np

from medcourse.data.generators._common import (
    bell_noise,
    box_blur,
    bump,
    column,
    pixel_grid,
    smooth_noise,
    soft_disc,
    split_rng,
    to_uint8,
    uniform,
    unit_vectors,
)

CLASSES = ("no lesion", "solid nodule", "cyst", "calcification", "irregular mass")
BINARY_CLASSES = ("no lesion", "lesion")
DIFFICULTIES = {"easy": 0.0, "default": 0.5, "hard": 1.0}
DATASET_ID = 1

DESCRIPTION = (
    "Generated scan patches (tissue texture, vessels, acquisition noise) with one finding each: "
    "no lesion, solid nodule, cyst, calcification or irregular (spiculated) mass. Teaching data "
    "made by medcourse.data.generators.lesions; not real patients, no clinical meaning."
)


def difficulty_value(difficulty: str | float) -> float:
    """``"easy"`` → 0, ``"default"`` → 0.5, ``"hard"`` → 1, or a number in ``[0, 1]`` as it is."""
    if isinstance(difficulty, str):
        if difficulty not in DIFFICULTIES:
            raise ValueError(
                f"difficulty must be one of {sorted(DIFFICULTIES)} or a number in [0, 1], got {difficulty!r}"
            )
        return DIFFICULTIES[difficulty]
    if isinstance(difficulty, bool) or not isinstance(difficulty, (int, float, np.integer, np.floating)):
        raise ValueError(f"difficulty must be one of {sorted(DIFFICULTIES)} or a number in [0, 1], "
                         f"got {difficulty!r}")
    value = float(difficulty)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"difficulty must be in [0, 1] when given as a number, got {difficulty!r}")
    return value


def _background(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    """Tissue: base level, two scales of correlated texture and a slow intensity ramp."""
    scale = size / 28.0
    rows, cols = pixel_grid(size)
    level = uniform(rng, 50.0, 80.0, count)
    coarse_width = 2 * round(2.5 * scale) + 1
    coarse = smooth_noise(rng, (count, size, size), coarse_width) * column(uniform(rng, 6.0, 12.0, count))
    fine = smooth_noise(rng, (count, size, size), 3, passes=1) * column(uniform(rng, 4.0, 8.0, count))
    ramp_x, ramp_y = unit_vectors(rng, count)
    ramp = column(uniform(rng, 0.0, 20.0, count)) * (
        (cols - size / 2) * column(ramp_x) + (rows - size / 2) * column(ramp_y)
    ) / size
    return column(level) + coarse + fine + ramp


def _add_vessels(rng: np.random.Generator, images: np.ndarray, contrast: float) -> None:
    """Up to three curvilinear bright vessels (parabolic arcs) and sometimes one seen end-on."""
    count, size, _ = images.shape
    scale = size / 28.0
    rows, cols = pixel_grid(size)
    vessels_per_image = rng.integers(0, 4, count)
    for index in range(3):
        chosen = np.flatnonzero(vessels_per_image > index)  # draw for all, draw only where present
        x0 = column(uniform(rng, 0.0, size, count))[chosen]
        y0 = column(uniform(rng, 0.0, size, count))[chosen]
        ux, uy = (column(v)[chosen] for v in unit_vectors(rng, count))
        curvature = column(uniform(rng, -0.05, 0.05, count))[chosen] / scale
        width = column(uniform(rng, 0.8, 1.6, count))[chosen] * scale
        brightness = column(uniform(rng, 45.0, 90.0, count))[chosen] * contrast
        along = (cols - x0) * ux + (rows - y0) * uy
        across = -(cols - x0) * uy + (rows - y0) * ux
        slope = 2.0 * curvature * along
        distance = np.abs(across - curvature * along * along) / np.sqrt(1.0 + slope * slope)
        images[chosen] += brightness * bump(distance / width)
    chosen = np.flatnonzero(rng.random(count) < 0.35)
    x0 = column(uniform(rng, 0.15 * size, 0.85 * size, count))[chosen]
    y0 = column(uniform(rng, 0.15 * size, 0.85 * size, count))[chosen]
    radius = column(uniform(rng, 1.0, 1.8, count))[chosen] * scale
    brightness = column(uniform(rng, 45.0, 85.0, count))[chosen] * contrast
    distance = np.sqrt((cols - x0) ** 2 + (rows - y0) ** 2)
    images[chosen] += brightness * bump(distance / radius)


def _lesion_centre(rng: np.random.Generator, count: int, size: int):
    """Column and row offsets of every pixel from a random centre near the middle of the patch."""
    rows, cols = pixel_grid(size)
    cx = column(size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count))
    cy = column(size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count))
    return cols - cx, rows - cy


def _solid_nodule(rng, images, contrast, grow):
    count, size, _ = images.shape
    scale = size / 28.0
    dx, dy = _lesion_centre(rng, count, size)
    ux, uy = (column(v) for v in unit_vectors(rng, count))
    stretch = column(uniform(rng, 0.75, 1.3, count))
    along = dx * ux + dy * uy
    across = -dx * uy + dy * ux
    distance = np.sqrt(along * along * stretch + across * across / stretch)
    radius = column(uniform(rng, 2.4, 3.2, count)) * scale * grow
    brightness = column(uniform(rng, 110.0, 170.0, count)) * contrast
    images += brightness * soft_disc(distance, radius, 1.5 * scale)


def _cyst(rng, images, contrast, grow):
    count, size, _ = images.shape
    scale = size / 28.0
    dx, dy = _lesion_centre(rng, count, size)
    ux, uy = (column(v) for v in unit_vectors(rng, count))
    stretch = column(uniform(rng, 0.85, 1.15, count))
    along = dx * ux + dy * uy
    across = -dx * uy + dy * ux
    distance = np.sqrt(along * along * stretch + across * across / stretch)
    radius = column(uniform(rng, 3.0, 4.8, count)) * scale * grow
    inside = soft_disc(distance, radius, 0.9 * scale)
    fluid = column(uniform(rng, 45.0, 65.0, count)) * contrast
    rim = column(uniform(rng, 30.0, 55.0, count)) * contrast
    # Fluid is homogeneous: blend towards the local mean tissue level, then subtract the fluid contrast.
    smooth = box_blur(images, 2 * round(3 * scale) + 1)
    images *= 1.0 - 0.9 * inside
    images += 0.9 * inside * smooth - fluid * inside
    images += rim * bump((distance - radius - 0.5 * scale) / (0.9 * scale))


def _calcification(rng, images, contrast, grow):
    count, size, _ = images.shape
    scale = size / 28.0
    rows, cols = pixel_grid(size)
    cx = size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count)
    cy = size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count)
    spots = rng.integers(2, 7, count)
    spread = column(uniform(rng, 1.5, 3.5, count)) * scale * grow
    for index in range(6):
        present = column(spots > index)
        ox, oy = (column(v) for v in unit_vectors(rng, count))
        offset = spread * column(rng.random(count))
        radius = column(uniform(rng, 1.2, 1.7, count)) * scale
        brightness = column(uniform(rng, 170.0, 240.0, count)) * contrast
        # Spots sit on pixel centres, so each has one pixel at full brightness: sharp, not smeared.
        spot_x = np.rint(column(cx) + offset * ox)
        spot_y = np.rint(column(cy) + offset * oy)
        distance = np.sqrt((cols - spot_x) ** 2 + (rows - spot_y) ** 2)
        images += present * brightness * bump(distance / radius)


def _irregular_mass(rng, images, contrast, grow):
    count, size, _ = images.shape
    scale = size / 28.0
    dx, dy = _lesion_centre(rng, count, size)
    distance = np.sqrt(dx * dx + dy * dy)
    safe = np.maximum(distance, 1e-9)
    cos_theta, sin_theta = dx / safe, dy / safe
    radius0 = column(uniform(rng, 3.9, 5.4, count)) * scale * grow
    # Lobulated outline r(θ) = r0 (1 + Σ a_k cos(kθ − φ_k)); cos(kθ − φ) from complex powers, no trig.
    outline = np.ones_like(distance)
    power_re, power_im = np.ones_like(distance), np.zeros_like(distance)
    for k in range(1, 6):
        power_re, power_im = (power_re * cos_theta - power_im * sin_theta,
                              power_re * sin_theta + power_im * cos_theta)
        if k == 1:
            continue
        phase_c, phase_s = (column(v) for v in unit_vectors(rng, count))
        amplitude = column(uniform(rng, 0.08, 0.2, count))
        outline += amplitude * (power_re * phase_c + power_im * phase_s)
    brightness = column(uniform(rng, 100.0, 160.0, count)) * contrast
    images += brightness * soft_disc(distance, radius0 * outline, 1.0 * scale)
    spicules = rng.integers(5, 9, count)
    for index in range(8):
        present = column(spicules > index)
        ux, uy = (column(v) for v in unit_vectors(rng, count))
        length = radius0 + column(uniform(rng, 0.8, 1.5, count)) * radius0
        along = dx * ux + dy * uy
        across = np.abs(-dx * uy + dy * ux)
        # A spicule starts inside the body's edge and thins out towards its tip.
        start = 0.8 * radius0
        taper = np.clip((length - along) / (length - start), 0.0, 1.0) * (along > start)
        width = 1.1 * scale
        images += present * 0.8 * brightness * taper * bump(across / width)


_DRAW = {1: _solid_nodule, 2: _cyst, 3: _calcification, 4: _irregular_mass}


def generate(count: int, *, seed: int, split: str, size: int = 28, difficulty: str | float = "default",
             binary: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``count`` patches and their labels for one split.

    Parameters
    ----------
    count : int
        Number of images.
    seed : int
        Seed of the dataset; each split draws from its own stream derived from it.
    split : {"train", "val", "test"}
    size : int
        Side length in pixels (28 or 64; any size from 16 to 128 works).
    difficulty : {"easy", "default", "hard"} or float in [0, 1]
        0 is easy (high contrast, larger lesions, little noise), 1 is hard.
    binary : bool
        Labels 0 = no lesion, 1 = any lesion, with half of the images lesion-free.

    Returns
    -------
    images : uint8 array, shape (count, size, size)
    labels : int64 array, shape (count,)
    """
    hardness = difficulty_value(difficulty)
    contrast = 1.5 - hardness          # easy 1.5, default 1.0, hard 0.5
    grow = 1.2 - 0.4 * hardness        # lesion size factor: easy 1.2, default 1.0, hard 0.8
    noise_level = 0.5 + hardness       # easy 0.5, default 1.0, hard 1.5
    rng = split_rng(seed, DATASET_ID, split)
    if binary:
        lesion = rng.permutation(np.arange(count) % 2)
        subtype = rng.integers(1, len(CLASSES), count)
        kinds = np.where(lesion == 1, subtype, 0)
        labels = lesion.astype(np.int64)
    else:
        kinds = rng.permutation(np.arange(count) % len(CLASSES))
        labels = kinds.astype(np.int64)
    images = _background(rng, count, size)
    _add_vessels(rng, images, contrast)
    for kind, draw in _DRAW.items():
        chosen = np.flatnonzero(kinds == kind)
        if chosen.size:
            subset = images[chosen]
            draw(rng, subset, contrast, grow)
            images[chosen] = subset
    images += bell_noise(rng, images.shape) * column(uniform(rng, 6.0, 12.0, count)) * noise_level
    return to_uint8(images), labels


__all__ = ["BINARY_CLASSES", "CLASSES", "DESCRIPTION", "difficulty_value", "generate"]
