"""Simulated body slices for notebook 11: random tissue maps rendered as CT (in HU) and as a T2-weighted MR image.

Each phantom is an axial slice through a simplified abdomen: a body outline of subcutaneous fat around a
muscle wall, one to three organs, up to two fluid-filled structures, a vertebra (cortical bone around
marrow) at the back and, sometimes, two smaller bones at the sides. The same tissue map rendered in two
contrasts gives perfectly registered image pairs for paired translation (pix2pix); rendering different
maps gives unpaired sets (CycleGAN). Nothing in the training phantoms is a small round lesion:
:func:`add_lesion` puts one where you choose, to test what a network does with a structure it never saw.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["CT_HU", "CT_RANGE", "MR_BLOCK", "MR_T2", "TISSUES", "add_lesion", "disc", "from_unit_range", "render_ct",
           "render_mr", "tissue_phantoms", "to_unit_range"]

#: Tissue classes of the phantoms, by index.
TISSUES = ("air", "fat", "muscle", "organ", "fluid", "bone", "marrow")

#: Typical CT numbers in HU (mean, spread between phantoms) per tissue.
CT_HU = {"air": (-1000, 0), "fat": (-100, 15), "muscle": (45, 8), "organ": (60, 15), "fluid": (5, 5),
         "bone": (800, 120), "marrow": (220, 40)}

#: T2-weighted MR signal in [0, 1] (mean, spread): fluid and fat bright, muscle dark; air and cortical bone
#: give no signal at all, which is why MR → CT translation must tell them apart from their shape and place.
MR_T2 = {"air": (0.0, 0.0), "fat": (0.72, 0.05), "muscle": (0.22, 0.03), "organ": (0.38, 0.06),
         "fluid": (0.95, 0.03), "bone": (0.03, 0.01), "marrow": (0.55, 0.05)}

#: The HU interval that networks and PSNR see as [0, 1] in notebook 11: air is 0, water 0.5, bone near 0.9.
CT_RANGE = (-1000.0, 1000.0)


def to_unit_range(hu) -> np.ndarray:
    """HU → the networks' scale: ``(HU + 1000) / 2000`` (values beyond ±1000 HU go beyond [0, 1], unclipped)."""
    low, high = CT_RANGE
    return (np.asarray(hu, dtype=np.float64) - low) / (high - low)


def from_unit_range(values) -> np.ndarray:
    """The inverse of :func:`to_unit_range`: the networks' scale back to HU."""
    low, high = CT_RANGE
    return np.asarray(values, dtype=np.float64) * (high - low) + low


def _ellipse(rows, cols, centre, axes, angle) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    dr, dc = rows - centre[0], cols - centre[1]
    u, v = cos * dc + sin * dr, -sin * dc + cos * dr
    return (u / axes[1]) ** 2 + (v / axes[0]) ** 2 <= 1.0


def _one_phantom(size: int, rng: np.random.Generator) -> np.ndarray:
    """One tissue map: integer labels into :data:`TISSUES`."""
    rows, cols = np.mgrid[:size, :size].astype(np.float64)
    label = np.zeros((size, size), dtype=np.uint8)
    centre = size / 2 + rng.uniform(-1.5, 1.5, 2)
    width = size * rng.uniform(0.36, 0.43)                 # half-width of the body
    axes = np.array([width * rng.uniform(0.68, 0.85), width])
    angle = np.deg2rad(rng.uniform(-8, 8))
    label[_ellipse(rows, cols, centre, axes, angle)] = 1                                   # fat
    wall = axes - rng.uniform(1.5, 3.5)
    label[_ellipse(rows, cols, centre, wall, angle)] = 2                                   # muscle
    cavity = wall - rng.uniform(2.5, 4.0)
    inside = _ellipse(rows, cols, centre, cavity, angle)
    for tissue, count, scale in ((3, rng.integers(1, 4), (0.12, 0.24)), (4, rng.integers(0, 3), (0.07, 0.12))):
        for _ in range(count):
            organ_axes = size * rng.uniform(*scale, 2)
            organ_centre = centre + rng.uniform(-0.45, 0.35, 2) * cavity
            label[_ellipse(rows, cols, organ_centre, organ_axes, rng.uniform(0, np.pi)) & inside] = tissue
    spine_centre = centre + np.array([cavity[0] * rng.uniform(0.55, 0.75), rng.uniform(-1, 1)])
    radius = rng.uniform(3.5, 5.0)
    label[_ellipse(rows, cols, spine_centre, (radius, radius * 1.15), 0.0)] = 5              # cortex
    label[_ellipse(rows, cols, spine_centre, (radius - 1.3, radius * 1.15 - 1.3), 0.0)] = 6  # marrow
    if rng.random() < 0.6:                                  # the sides of the pelvis, or ribs
        for side in (-1, 1):
            bone_centre = centre + np.array([rng.uniform(-0.1, 0.3) * wall[0], side * wall[1] * 0.8])
            label[_ellipse(rows, cols, bone_centre, rng.uniform(1.3, 2.5, 2), rng.uniform(0, np.pi))] = 5
    return label


def tissue_phantoms(count: int, size: int = 64, *, seed: int = 0) -> np.ndarray:
    """``count`` random tissue maps, ``uint8 (count, size, size)`` labels into :data:`TISSUES`.

    The body stays inside the inscribed circle (a CT scanner's field of view).

    Examples
    --------
    >>> maps = tissue_phantoms(3, 32, seed=1)
    >>> maps.shape, maps.dtype, int(maps.max()) <= len(TISSUES) - 1
    ((3, 32, 32), dtype('uint8'), True)
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive whole number, got {count!r}")
    if not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size must be a whole number of pixels ≥ 16, got {size!r}")
    rng = np.random.default_rng(seed)
    return np.stack([_one_phantom(int(size), rng) for _ in range(count)])


def _check_labels(labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 3 or labels.dtype.kind not in "iu" or labels.max(initial=0) >= len(TISSUES):
        raise ValueError(f"labels must be (N, H, W) integer tissue maps from tissue_phantoms, got {labels.shape} "
                         f"{labels.dtype}")
    return labels


def _render(labels: np.ndarray, table: dict, rng: np.random.Generator, texture: float, grain: float = 1.5) -> np.ndarray:
    labels = _check_labels(labels)
    images = np.zeros(labels.shape)
    for index, name in enumerate(TISSUES):
        mean, spread = table[name]
        values = mean + spread * rng.standard_normal((len(labels), 1, 1))  # one value per phantom and tissue
        images += np.where(labels == index, values, 0.0)
    soft = np.isin(labels, (2, 3, 4))
    pattern = ndimage.gaussian_filter(rng.standard_normal(labels.shape), (0, grain, grain))
    images += texture * soft * pattern / pattern.std()        # tissue texture
    return ndimage.gaussian_filter(images, (0, 0.6, 0.6))  # the scanner's blur (point-spread function)


def render_ct(labels, *, seed: int = 0, texture: float = 8.0, grain: float = 1.5) -> np.ndarray:
    """CT rendering of tissue maps in HU (float64 ``(N, H, W)``): per-tissue values, texture, a slight blur.

    ``texture`` is the standard deviation (HU) of the soft tissues' random texture, ``grain`` its size (pixels).
    """
    return _render(labels, CT_HU, np.random.default_rng(seed), texture=texture, grain=grain)


#: Phantoms rendered at a time by :func:`render_mr`, each block from its own random stream.
MR_BLOCK = 64


def render_mr(labels, *, seed: int = 0, noise: float = 0.02) -> np.ndarray:
    """T2-weighted MR rendering in [0, 1]: per-tissue signal, a smooth coil-sensitivity field, Rician noise.

    The phantoms are rendered :data:`MR_BLOCK` at a time, block ``b`` from child ``b`` of
    ``np.random.SeedSequence(seed)``, so the temporary arrays stay small however many phantoms there are
    (750 phantoms of 64 × 64 pixels: about 35 MB more than the result instead of 100 MB), and a stack's
    first whole blocks render exactly as they would on their own.
    """
    labels = _check_labels(labels)
    streams = np.random.SeedSequence(seed).spawn(-(-len(labels) // MR_BLOCK))
    images = np.empty(labels.shape)
    for block, stream in enumerate(streams):
        chosen = slice(block * MR_BLOCK, (block + 1) * MR_BLOCK)
        images[chosen] = _render_mr_block(labels[chosen], np.random.default_rng(stream), noise)
    return images


def _render_mr_block(labels: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    images = _render(labels, MR_T2, rng, texture=0.02)
    count, height, width = images.shape
    rows, cols = np.mgrid[-1:1:height * 1j, -1:1:width * 1j]
    tilt = rng.uniform(-0.15, 0.15, (count, 2, 1, 1))
    images *= 1.0 + tilt[:, 0] * rows + tilt[:, 1] * cols   # receive-coil sensitivity: a gentle slope
    real = images + noise * rng.standard_normal(images.shape)
    imaginary = noise * rng.standard_normal(images.shape)
    return np.clip(np.hypot(real, imaginary), 0.0, 1.0)     # magnitude of complex noise: Rician


def disc(shape: tuple[int, int], centre: tuple[float, float], radius: float) -> np.ndarray:
    """A soft-edged disc in ``[0, 1]`` (one pixel of partial volume at its edge)."""
    rows, cols = np.mgrid[:shape[0], :shape[1]]
    distance = np.hypot(rows - centre[0], cols - centre[1])
    return np.clip(radius + 0.5 - distance, 0.0, 1.0)


def add_lesion(image, centre: tuple[float, float], radius: float, contrast: float) -> np.ndarray:
    """``image`` plus a small round lesion of ``contrast`` (in the image's units) at ``centre`` (row, col)."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be one 2-D image, got shape {image.shape}")
    if radius <= 0:
        raise ValueError(f"radius must be positive (pixels), got {radius!r}")
    return image + contrast * disc(image.shape, centre, radius)
