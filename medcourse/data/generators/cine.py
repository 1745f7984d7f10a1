"""``"cine"``: generated short-axis cardiac cine-MRI-like sequences labelled with the ejection fraction.

What it simulates
-----------------
One short-axis slice through the left ventricle (LV), filmed over a heartbeat (``T`` frames):

* a bright **blood pool** inside a darker **myocardial ring**, a bright **right-ventricular**
  crescent beside it, in a textured mid-grey **background** (other tissue);
* the LV **contracts and relaxes** over one cardiac cycle: the cavity radius goes from its
  end-diastolic value :math:`r_{ED}` down to the end-systolic value :math:`r_{ES}` and back, with a
  smooth systole (a third of the cycle) and a slower diastole;
* the myocardium keeps its area (it is incompressible), so the wall **thickens** in systole;
* random end-diastolic size, wall thickness, position, **heart rate** (one cycle lasts 60–100 % of
  the sequence, so every sequence contains both end-diastole and end-systole), **phase** (the
  sequence starts anywhere in the cycle), contrast and noise.

The label is the **ejection fraction** :math:`EF = (EDV - ESV) / EDV`, in per cent, with the LV
volume taken proportional to :math:`r^3` (a sphere-like ventricle), so
:math:`EF = 100\\,(1 - (r_{ES}/r_{ED})^3)`. With ``target="reduced_ef"`` the label is 1 when
EF < 40 % (heart failure with reduced EF), else 0; about a quarter of the cases are reduced.

Because the end-diastolic size and the phase are random, no single frame (and not the average
frame) tells you the EF: it can only be read from how much the cavity *changes* across frames.
That is the point of the dataset: a sequence model (or a CNN over time) is needed.

Masks (``masks=True``, task ``"segmentation"``)
-----------------------------------------------
Per frame, the class index of each heart structure where its partial-volume profile reaches one
half (:data:`MASK_CLASSES`): 1 the LV cavity (blood pool), 2 the LV myocardium, 3 the RV cavity, 0
elsewhere; the sequences are the same as without masks. The EF follows from the segmented LV areas
as :math:`100\\,(1 - (A_{min}/A_{max})^{3/2})`, since the volume is taken ∝ r³ and the area is ∝ r²;
on the default data this is within 1.5 % (mean absolute difference) of the true EF, the rest being
pixel quantisation and frames that fall just beside end-systole.

What it does not simulate
-------------------------
Real anatomy (papillary muscles, trabeculation, the mitral valve, through-plane motion), MR physics
(no k-space, no Rician noise, no flow or banding artefacts), breathing motion, and the difference
between a single-slice EF and the clinical Simpson's-method EF. Teaching data only.

Reproducibility: only uniform draws from ``numpy.random.Generator(PCG64)`` and exactly rounded
arithmetic before one rounding to ``uint8``, so a seed gives byte-identical arrays on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medcourse.data.generators._common import (
    SPLITS,
    column,
    pixel_grid,
    smooth_noise,
    smoothstep,
    split_rng,
    to_uint8,
    uniform,
)

TARGETS = ("ef", "reduced_ef")
REDUCED_EF_PERCENT = 40.0
BINARY_CLASSES = ("EF ≥ 40 %", "reduced EF < 40 %")
#: Class indices of the per-frame masks (``masks=True``).
MASK_CLASSES = ("background", "LV cavity", "LV myocardium", "RV cavity")
DATASET_ID = 2

DESCRIPTION = (
    "Generated short-axis cardiac cine-MRI-like sequences (N×T×H×W): a bright blood pool in a darker "
    "myocardial ring contracting over one heartbeat with random size, position, phase, heart rate, "
    "wall thickness and noise; label: ejection fraction in % (or EF < 40 %). Teaching data made by "
    "medcourse.data.generators.cine; not real patients, no clinical meaning."
)


def contraction(phase: np.ndarray, systole: np.ndarray | float) -> np.ndarray:
    """How far the ventricle has contracted at ``phase`` ∈ [0, 1) of the cycle: 0 at end-diastole, 1 at end-systole.

    Systole (0 → 1) takes the fraction ``systole`` of the cycle, diastole (1 → 0) the rest; both
    are smooth (``3x² − 2x³``) ramps.
    """
    rising = smoothstep(phase / systole)
    falling = smoothstep((1.0 - phase) / (1.0 - systole))
    return np.where(phase < systole, rising, falling)


@dataclass(frozen=True)
class _Heart:
    """One value per sequence (arrays of length N, or N×1×1 where they broadcast over pixels)."""

    cx: np.ndarray                 # LV centre, column (N×1×1)
    cy: np.ndarray                 # LV centre, row (N×1×1)
    r_ed: np.ndarray               # end-diastolic cavity radius (px)
    ratio: np.ndarray              # r_ES / r_ED
    ejection_fraction: np.ndarray  # %, volume ∝ r³
    ring_area: np.ndarray          # myocardial area / π, constant over the cycle
    cycle: np.ndarray              # frames per heartbeat
    start: np.ndarray              # phase of the first frame
    systole: np.ndarray            # fraction of the cycle spent contracting
    rv_x: np.ndarray               # RV centre, column (N×1×1)
    rv_y: np.ndarray               # RV centre, row (N×1×1)
    rv_radius: np.ndarray          # end-diastolic RV radius (px)


def _heart(rng: np.random.Generator, count: int, size: int, frames: int) -> _Heart:
    """Anatomy and motion of each sequence: size, position, EF, heart rate, phase, the RV beside the LV."""
    scale = size / 32.0
    cx = column(size / 2 + uniform(rng, -1.0, 3.0, count) * scale)
    cy = column(size / 2 + uniform(rng, -3.0, 3.0, count) * scale)
    r_ed = uniform(rng, 4.5, 7.5, count) * scale
    ratio = uniform(rng, 0.55, 0.95, count)
    ejection_fraction = 100.0 * (1.0 - ratio * ratio * ratio)
    wall = uniform(rng, 1.6, 2.8, count) * scale                 # end-diastolic wall thickness (px)
    ring_area = (r_ed + wall) ** 2 - r_ed ** 2                   # myocardium is incompressible
    cycle = uniform(rng, 0.6, 1.0, count) * frames
    start = rng.random(count)
    systole = uniform(rng, 0.3, 0.4, count)
    # The right ventricle sits to the image left of the LV, at a slightly random angle.
    rv_dy = uniform(rng, -0.4, 0.4, count)
    rv_norm = np.sqrt(1.0 + rv_dy * rv_dy)
    rv_radius = r_ed * uniform(rng, 0.8, 1.0, count)
    rv_gap = r_ed + wall + 0.1 * rv_radius
    rv_x = cx - column(rv_gap / rv_norm)
    rv_y = cy + column(rv_gap * rv_dy / rv_norm)
    return _Heart(cx, cy, r_ed, ratio, ejection_fraction, ring_area, cycle, start, systole,
                  rv_x, rv_y, rv_radius)


def _grey_levels(rng: np.random.Generator, count: int, size: int):
    """Blood, myocardium and textured background grey levels (0–255) and the noise amplitude, float32."""
    scale = size / 32.0
    blood = column(uniform(rng, 170.0, 225.0, count))
    muscle = column(uniform(rng, 35.0, 65.0, count))
    tissue = column(uniform(rng, 80.0, 110.0, count))
    texture = smooth_noise(rng, (count, size, size), 2 * round(2 * scale) + 1) * column(uniform(rng, 5.0, 12.0, count))
    noise_level = column(uniform(rng, 4.0, 10.0, count)) * np.sqrt(6.0)  # triangular noise of std 4–10
    f32 = np.float32
    return blood.astype(f32), muscle.astype(f32), (tissue + texture).astype(f32), noise_level.astype(f32)


def _film(rng: np.random.Generator, heart: _Heart, grey, size: int, frames: int, masks: bool):
    """Paint every frame (float32, exactly rounded) and, if asked, the class-index masks of its structures."""
    count = len(heart.r_ed)
    scale = size / 32.0
    rows, cols = pixel_grid(size)
    blood, muscle, background, noise_level = grey
    f32 = np.float32
    edge = 1.2 * scale
    distance = (np.sqrt((cols - heart.cx) ** 2 + (rows - heart.cy) ** 2) / edge).astype(f32)
    rv_distance = (np.sqrt((cols - heart.rv_x) ** 2 + (rows - heart.rv_y) ** 2) / edge).astype(f32)

    def disc(scaled_distance, radius):
        """Partial-volume disc: 1 inside, 0 outside, a linear edge ``edge`` pixels wide."""
        inside = column(radius / edge + 0.5).astype(f32) - scaled_distance
        return np.clip(inside, f32(0.0), f32(1.0), out=inside)

    sequences = np.empty((count, frames, size, size), dtype=np.uint8)
    structures = np.zeros((count, frames, size, size), dtype=np.uint8) if masks else None
    for frame in range(frames):
        phase = heart.start + frame / heart.cycle
        phase = phase - np.floor(phase)
        squeeze = contraction(phase, heart.systole)
        radius = heart.r_ed * (1.0 - squeeze * (1.0 - heart.ratio))
        cavity = disc(distance, radius)
        outer = disc(distance, np.sqrt(radius * radius + heart.ring_area))
        rv = disc(rv_distance, heart.rv_radius * (1.0 - 0.25 * squeeze))
        rv *= f32(1.0) - outer
        # Paint back to front: tissue, RV blood, LV myocardium, LV blood.
        image = background * (f32(1.0) - outer - rv)
        image += blood * (rv + cavity)
        image += muscle * (outer - cavity)
        noise = rng.random((count, size, size), dtype=f32)
        noise += rng.random((count, size, size), dtype=f32)
        noise -= f32(1.0)
        image += noise * noise_level
        sequences[:, frame] = to_uint8(image)
        if masks:
            structures[:, frame] = _structures(cavity, outer, rv)
    return sequences, structures


def _structures(cavity: np.ndarray, outer: np.ndarray, rv: np.ndarray) -> np.ndarray:
    """Class indices of :data:`MASK_CLASSES` where each partial-volume profile reaches one half."""
    labels = np.zeros(cavity.shape, dtype=np.uint8)
    labels[rv >= 0.5] = 3
    labels[outer >= 0.5] = 2
    labels[cavity >= 0.5] = 1
    return labels


def generate(count: int, *, seed: int, split: str, size: int = 32, frames: int = 20,
             target: str = "ef", masks: bool = False):
    """Generate ``count`` cine sequences and their labels for one split.

    Parameters
    ----------
    count : int
        Number of sequences.
    seed : int
        Seed of the dataset; each split draws from its own stream derived from it.
    split : {"train", "val", "test"}
    size : int
        Side length of a frame in pixels.
    frames : int
        Frames per sequence ``T``.
    target : {"ef", "reduced_ef"}
        ``"ef"``: float32 ejection fraction in %; ``"reduced_ef"``: int64, 1 when EF < 40 %.
    masks : bool
        Also return the per-frame masks of the heart's structures (the sequences are the same either way).

    Returns
    -------
    sequences : uint8 array, shape (count, frames, size, size)
    labels : float32 or int64 array, shape (count,)
    structures : uint8 array, shape (count, frames, size, size), only with ``masks=True``
        Per frame: 1 LV cavity (blood pool), 2 LV myocardium, 3 RV cavity, 0 elsewhere
        (:data:`MASK_CLASSES`), where each structure's partial-volume profile reaches one half.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    rng = split_rng(seed, DATASET_ID, split)
    heart = _heart(rng, count, size, frames)
    grey = _grey_levels(rng, count, size)
    sequences, structures = _film(rng, heart, grey, size, frames, masks)
    if target == "ef":
        labels = heart.ejection_fraction.astype(np.float32)
    else:
        labels = (heart.ejection_fraction < REDUCED_EF_PERCENT).astype(np.int64)
    if masks:
        return sequences, labels, structures
    return sequences, labels


def end_systole_time(count: int, *, seed: int, split: str, size: int = 32, frames: int = 20) -> np.ndarray:
    """When each sequence of :func:`generate` (same arguments) first reaches end-systole, in frames after frame 1.

    A second label for the same loops, one that depends on the **order** of the frames (notebook 08 §3): the
    EF needs only the largest and the smallest cavity, in any order, but *when* the smallest comes is a
    question about time. Finding the end-systolic frame is also the first step of a clinical EF measurement.
    Frame ``k`` (0-based) shows the phase ``start + k / cycle`` of the heartbeat, and end-systole is the phase
    ``systole``, so the time is ``((systole − start) mod 1) · cycle``, in ``[0, cycle)``: within the loop (a
    cycle lasts at most ``frames``), although after ``frames − 1`` when the loop ends just before end-systole.

    The sequences are not painted: the heart's parameters come first in each split's random stream, so this
    costs nothing and matches ``generate(count, seed=seed, split=split, size=size, frames=frames)``.

    Returns
    -------
    float32 array (count,)

    Examples
    --------
    >>> times = end_systole_time(5, seed=0, split="train", frames=12)
    >>> times.shape, bool(times.min() >= 0), bool(times.max() < 12)
    ((5,), True, True)
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    heart = _heart(split_rng(seed, DATASET_ID, split), count, size, frames)
    return (((heart.systole - heart.start) % 1.0) * heart.cycle).astype(np.float32)


__all__ = ["BINARY_CLASSES", "DESCRIPTION", "MASK_CLASSES", "REDUCED_EF_PERCENT", "TARGETS", "contraction",
           "end_systole_time", "generate"]
