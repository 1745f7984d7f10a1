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

Masks (``masks=True``, task ``"segmentation"``)
-----------------------------------------------
The same images, labelled pixel by pixel: the mask is the region where the lesion's *own* soft
profile (1 at its core, falling to 0 at its edge, before it is added to the tissue and before
noise) reaches one half — a nodule's half-height outline, a cyst's fluid with its wall, each
calcification spot, a mass's body with its spicules. Vessels are anatomy, not findings: never in
the mask. The mask holds **one index per lesion kind** (:data:`MASK_CLASSES`: 1 solid nodule, 2 cyst,
3 calcification, 4 irregular mass, 0 background), because every patch holds one finding of a
known kind: the network must outline *and* name it, and per-class Dice shows what a single
foreground class would hide — a calcification covers 1–6 pixels, a mass about 80, so the tiny
structure is where Dice and the loss matter. Patches without a lesion have an empty mask (a fifth
of them). With ``binary=True`` the mask has one foreground class, ``"lesion"``
(:data:`BINARY_MASK_CLASSES`), and half of the patches are lesion-free.

Detection fields (``detection=True``) are made by :mod:`medcourse.data.generators.lesion_fields`.

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
#: Class names of the masks: index 0 is the background, then one index per lesion kind.
MASK_CLASSES = ("background", *CLASSES[1:])
#: Class names of the masks with ``binary=True``: one foreground class for every kind of lesion.
BINARY_MASK_CLASSES = ("background", "lesion")
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


def tissue_background(rng: np.random.Generator, count: int, size: int, scale: float) -> np.ndarray:
    """Tissue: base level, two scales of correlated texture and a slow intensity ramp."""
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


def add_vessels(rng: np.random.Generator, images: np.ndarray, contrast: float, scale: float,
                 arcs: int = 3, dots: int = 1) -> None:
    """Up to ``arcs`` curvilinear bright vessels (parabolic arcs) and up to ``dots`` vessels seen end-on."""
    count, size, _ = images.shape
    rows, cols = pixel_grid(size)
    vessels_per_image = rng.integers(0, arcs + 1, count)
    for index in range(arcs):
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
    for _ in range(dots):
        chosen = np.flatnonzero(rng.random(count) < 0.35)
        x0 = column(uniform(rng, 0.15 * size, 0.85 * size, count))[chosen]
        y0 = column(uniform(rng, 0.15 * size, 0.85 * size, count))[chosen]
        radius = column(uniform(rng, 1.0, 1.8, count))[chosen] * scale
        brightness = column(uniform(rng, 45.0, 85.0, count))[chosen] * contrast
        distance = np.sqrt((cols - x0) ** 2 + (rows - y0) ** 2)
        images[chosen] += brightness * bump(distance / radius)


def patch_centres(rng: np.random.Generator, count: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Random lesion centres ``(cols, rows)`` near the middle of ``size``-pixel patches (±18 %)."""
    cx = size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count)
    cy = size / 2 + uniform(rng, -0.18 * size, 0.18 * size, count)
    return cx, cy


def _offsets(size: int, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column and row offsets of every pixel from each image's lesion centre, ``(N, H, W)``."""
    rows, cols = pixel_grid(size)
    return cols - column(cx), rows - column(cy)


# Each painter adds one lesion per image to ``images`` (N×H×W, in place) around the centres
# ``cx, cy`` and returns its mask: where the lesion's own soft profile (1 at its core, 0 outside,
# before any noise) reaches one half. ``scale`` is the lesion size factor (1 = the 28-pixel patch).

def _solid_nodule(rng, images, cx, cy, contrast, grow, scale):
    count, size, _ = images.shape
    dx, dy = _offsets(size, cx, cy)
    ux, uy = (column(v) for v in unit_vectors(rng, count))
    stretch = column(uniform(rng, 0.75, 1.3, count))
    along = dx * ux + dy * uy
    across = -dx * uy + dy * ux
    distance = np.sqrt(along * along * stretch + across * across / stretch)
    radius = column(uniform(rng, 2.4, 3.2, count)) * scale * grow
    brightness = column(uniform(rng, 110.0, 170.0, count)) * contrast
    profile = soft_disc(distance, radius, 1.5 * scale)
    images += brightness * profile
    return profile >= 0.5


def _cyst(rng, images, cx, cy, contrast, grow, scale):
    count, size, _ = images.shape
    dx, dy = _offsets(size, cx, cy)
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
    wall = bump((distance - radius - 0.5 * scale) / (0.9 * scale))
    images += rim * wall
    return (inside >= 0.5) | (wall >= 0.5)  # the fluid and its wall


def _calcification(rng, images, cx, cy, contrast, grow, scale):
    count, size, _ = images.shape
    rows, cols = pixel_grid(size)
    spots = rng.integers(2, 7, count)
    spread = column(uniform(rng, 1.5, 3.5, count)) * scale * grow
    mask = np.zeros(images.shape, dtype=bool)
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
        profile = bump(distance / radius)
        images += present * brightness * profile
        mask |= (present > 0) & (profile >= 0.5)
    return mask


def _irregular_mass(rng, images, cx, cy, contrast, grow, scale):
    count, size, _ = images.shape
    dx, dy = _offsets(size, cx, cy)
    distance = np.sqrt(dx * dx + dy * dy)
    safe = np.maximum(distance, 1e-9)
    cos_theta, sin_theta = dx / safe, dy / safe
    radius0 = column(uniform(rng, 3.9, 5.4, count)) * scale * grow
    outline = _lobulated_outline(rng, count, cos_theta, sin_theta)
    brightness = column(uniform(rng, 100.0, 160.0, count)) * contrast
    body = soft_disc(distance, radius0 * outline, 1.0 * scale)
    images += brightness * body
    mask = body >= 0.5
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
        profile = bump(across / width)
        images += present * 0.8 * brightness * taper * profile
        mask |= (present > 0) & (taper * profile >= 0.5)
    return mask


def _lobulated_outline(rng, count, cos_theta, sin_theta):
    """``r(θ)/r0 = 1 + Σ a_k cos(kθ − φ_k)`` for k = 2…5; cos(kθ − φ) from complex powers, no trig."""
    outline = np.ones_like(cos_theta)
    power_re, power_im = np.ones_like(cos_theta), np.zeros_like(cos_theta)
    for k in range(1, 6):
        power_re, power_im = (power_re * cos_theta - power_im * sin_theta,
                              power_re * sin_theta + power_im * cos_theta)
        if k == 1:
            continue
        phase_c, phase_s = (column(v) for v in unit_vectors(rng, count))
        amplitude = column(uniform(rng, 0.08, 0.2, count))
        outline += amplitude * (power_re * phase_c + power_im * phase_s)
    return outline


#: The painter of each lesion kind (index into :data:`CLASSES`).
PAINTERS = {1: _solid_nodule, 2: _cyst, 3: _calcification, 4: _irregular_mass}


def settings(difficulty: str | float) -> tuple[float, float, float]:
    """``(contrast, grow, noise_level)`` of a difficulty: easy 1.5/1.2/0.5, default 1/1/1, hard 0.5/0.8/1.5."""
    hardness = difficulty_value(difficulty)
    return 1.5 - hardness, 1.2 - 0.4 * hardness, 0.5 + hardness


def _kinds(rng: np.random.Generator, count: int, binary: bool) -> tuple[np.ndarray, np.ndarray]:
    """The finding of each patch (index into :data:`CLASSES`) and its label, classes balanced."""
    if binary:
        lesion = rng.permutation(np.arange(count) % 2)
        subtype = rng.integers(1, len(CLASSES), count)
        return np.where(lesion == 1, subtype, 0), lesion.astype(np.int64)
    kinds = rng.permutation(np.arange(count) % len(CLASSES))
    return kinds, kinds.astype(np.int64)


def generate(count: int, *, seed: int, split: str, size: int = 28, difficulty: str | float = "default",
             binary: bool = False, masks: bool = False):
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
    masks : bool
        Also return each patch's lesion mask (the images are the same either way).

    Returns
    -------
    images : uint8 array, shape (count, size, size)
    labels : int64 array, shape (count,)
    lesion_masks : uint8 array, shape (count, size, size), only with ``masks=True``
        The label of the patch (its lesion kind, or 1 with ``binary=True``) where the lesion's own
        soft profile, before noise, reaches one half; 0 elsewhere (and everywhere without a lesion).
    """
    contrast, grow, noise_level = settings(difficulty)
    rng = split_rng(seed, DATASET_ID, split)
    kinds, labels = _kinds(rng, count, binary)
    scale = size / 28.0
    images = tissue_background(rng, count, size, scale)
    add_vessels(rng, images, contrast, scale)
    lesion_masks = np.zeros(images.shape, dtype=np.uint8) if masks else None
    for kind, paint in PAINTERS.items():
        chosen = np.flatnonzero(kinds == kind)
        if chosen.size:
            subset = images[chosen]
            cx, cy = patch_centres(rng, chosen.size, size)
            mask = paint(rng, subset, cx, cy, contrast, grow, scale)
            images[chosen] = subset
            if masks:
                lesion_masks[chosen] = mask * np.uint8(labels[chosen[0]])
    images += bell_noise(rng, images.shape) * column(uniform(rng, 6.0, 12.0, count)) * noise_level
    if masks:
        return to_uint8(images), labels, lesion_masks
    return to_uint8(images), labels


__all__ = ["BINARY_CLASSES", "BINARY_MASK_CLASSES", "CLASSES", "DESCRIPTION", "MASK_CLASSES", "PAINTERS", "add_vessels",
           "difficulty_value", "generate", "patch_centres", "settings", "tissue_background"]
