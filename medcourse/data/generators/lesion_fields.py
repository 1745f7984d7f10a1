"""``"lesions"`` with ``detection=True``: larger fields of tissue holding none, one or several lesions.

What it simulates
-----------------
The same tissue, vessels, noise and lesion kinds as the ``"lesions"`` patches
(:mod:`medcourse.data.generators.lesions`), at the same pixel size, but in a larger field of view
(64×64 by default) that holds a random number of findings, 0 to ``max_lesions`` (3 by default),
each of a random kind (solid nodule, cyst, calcification, irregular mass) at a random place. A
detector must say *where* each lesion is and what it is, not only whether the field holds one.

Placement: each lesion's mask (see below) stays inside the field and never touches another's: a
lesion's centre keeps at least its kind's *reach* (:func:`reach`, an upper bound of how far its mask
extends from the centre) from the border, and two centres keep at least the sum of their reaches
plus two pixels between them. Each lesion tries 32 random places; one that finds none is left out
(rare: the labels list only the lesions drawn). The vessels seen end-on (small bright dots) remain
as distractors that look like nodules.

Labels
------
:class:`~medcourse.data.objects.ObjectLabels`, one object per lesion: ``row, col, height, width``
is the box of the lesion's mask — the pixels where its own soft profile, before noise, reaches one
half (for an irregular mass that includes the spicules) — and ``class`` indexes :data:`CLASSES`.
The box centre is the lesion's centre for round kinds and within a pixel or two of it for the others.

Reproducibility: as for the patches, only uniform draws from ``numpy.random.Generator(PCG64)`` and
exactly rounded arithmetic, so a seed gives byte-identical fields and labels on any machine.
"""

from __future__ import annotations

import numpy as np

from medcourse.data.generators._common import bell_noise, column, split_rng, to_uint8, uniform
from medcourse.data.generators.lesions import CLASSES as PATCH_CLASSES
from medcourse.data.generators.lesions import PAINTERS, add_vessels, settings, tissue_background
from medcourse.data.objects import ObjectLabels

#: Object classes (``class`` column of the labels): the four lesion kinds, no background.
CLASSES = PATCH_CLASSES[1:]
DATASET_ID = 3
ATTEMPTS = 32
GAP = 2.0

DESCRIPTION = (
    "Generated fields of scan-like tissue (texture, vessels, noise) holding 0 to k lesions each — solid "
    "nodules, cysts, calcification clusters and irregular (spiculated) masses — with one box per lesion. "
    "Teaching data made by medcourse.data.generators.lesion_fields; not real patients, no clinical meaning."
)


def reach(kind: int, grow: float) -> float:
    """How far (px) the mask of a lesion of ``kind`` (1–4) can extend from its centre, at most.

    Bounds from each painter's parameter ranges at the patch scale: a nodule's ellipse (radius ≤ 3.2,
    stretch ≤ 1.3), a cyst with its wall (radius ≤ 4.8, wall ≤ 1 px, stretch ≤ 1.15), a calcification
    cluster (spread ≤ 3.5, a spot rounded to a pixel centre, its half-height radius ≤ 0.92) and a mass
    (lobulated outline ≤ 1.8 r0 with r0 ≤ 5.4; spicules ≤ 1.65 r0 + 0.6 at half height).
    """
    if kind == 1:
        return 3.2 * grow * np.sqrt(1.3)
    if kind == 2:
        return (4.8 * grow + 0.99) * np.sqrt(1.15)
    if kind == 3:
        return 3.5 * grow + 0.71 + 0.92
    if kind == 4:
        radius0 = 5.4 * grow
        return max(1.8 * radius0, 1.65 * radius0 + 0.6)
    raise ValueError(f"kind must be a lesion kind 1…4, got {kind!r}")


def _place(rng: np.random.Generator, kinds: np.ndarray, wanted: np.ndarray, size: int, grow: float):
    """Centres ``(N, slots, 2)`` (row, col) and whether each slot holds a lesion ``(N, slots)``."""
    count, slots = kinds.shape
    reaches = np.vectorize(lambda kind: reach(int(kind), grow))(kinds).astype(float)
    centres = np.zeros((count, slots, 2))
    placed = np.zeros((count, slots), dtype=bool)
    for slot in range(slots):
        low = reaches[:, slot, None, None]
        candidates = low + rng.random((count, ATTEMPTS, 2)) * ((size - 1) - 2 * low)
        good = np.repeat((slot < wanted)[:, None], ATTEMPTS, axis=1)
        for earlier in range(slot):
            offset = candidates - centres[:, earlier, None, :]
            distance = np.sqrt(offset[..., 0] ** 2 + offset[..., 1] ** 2)
            needed = reaches[:, slot, None] + reaches[:, earlier, None] + GAP
            good &= ~placed[:, earlier, None] | (distance >= needed)
        found = good.any(axis=1)
        first = np.argmax(good, axis=1)
        centres[found, slot] = candidates[found, first[found]]
        placed[:, slot] = found
    return centres, placed


def _boxes(masks: np.ndarray) -> np.ndarray:
    """``(N, 4)`` rows ``row, col, height, width`` of the box around each non-empty mask."""
    if not masks.reshape(len(masks), -1).any(axis=1).all():
        raise RuntimeError("a lesion left an empty mask: the painters and reach() disagree")
    boxes = np.zeros((len(masks), 4))
    for axis, (centre, extent) in ((2, (0, 2)), (1, (1, 3))):
        present = masks.any(axis=axis)
        first = np.argmax(present, axis=1)
        last = present.shape[1] - 1 - np.argmax(present[:, ::-1], axis=1)
        boxes[:, centre] = (first + last) / 2
        boxes[:, extent] = last - first + 1
    return boxes


def generate(count: int, *, seed: int, split: str, size: int = 64, max_lesions: int = 3,
             difficulty: str | float = "default", instance_masks: bool = False):
    """Generate ``count`` fields and their lesion boxes for one split.

    Parameters
    ----------
    count : int
        Number of fields.
    seed : int
        Seed of the dataset; each split draws from its own stream derived from it.
    split : {"train", "val", "test"}
    size : int
        Side of a field in pixels (the lesions keep the size they have in 28-pixel patches).
    max_lesions : int
        Each field holds 0 to ``max_lesions`` lesions (uniformly), fewer when one finds no room.
    difficulty : {"easy", "default", "hard"} or float in [0, 1]
        As for the patches: contrast, lesion size and noise.

    Returns
    -------
    images : uint8 array, shape (count, size, size)
    labels : ObjectLabels
        One ``row, col, height, width, class`` object per lesion, ``class`` indexing :data:`CLASSES`.
    instances : uint8 array, shape (count, size, size), only with ``instance_masks=True``
        ``j + 1`` on the mask of the field's ``j``-th object (``labels[i][j]``), 0 elsewhere.
    """
    contrast, grow, noise_level = settings(difficulty)
    rng = split_rng(seed, DATASET_ID, split)
    wanted = rng.integers(0, max_lesions + 1, count)
    kinds = rng.integers(1, len(PATCH_CLASSES), (count, max_lesions))
    images = tissue_background(rng, count, size, 1.0)
    add_vessels(rng, images, contrast, 1.0, arcs=round(3 * size / 28), dots=max(1, round((size / 28) ** 2)))
    centres, placed = _place(rng, kinds, wanted, size, grow)
    objects = np.zeros((count, max_lesions, 5))
    slot_masks = np.zeros((max_lesions, count, size, size), dtype=bool) if instance_masks else None
    for slot in range(max_lesions):
        for kind, paint in PAINTERS.items():
            chosen = np.flatnonzero(placed[:, slot] & (kinds[:, slot] == kind))
            if chosen.size:
                subset = images[chosen]
                rows, cols = centres[chosen, slot, 0], centres[chosen, slot, 1]
                masks = paint(rng, subset, cols, rows, contrast, grow, 1.0)
                images[chosen] = subset
                objects[chosen, slot, :4] = _boxes(masks)
                objects[chosen, slot, 4] = kind - 1
                if instance_masks:
                    slot_masks[slot, chosen] = masks
    images += bell_noise(rng, images.shape) * column(uniform(rng, 6.0, 12.0, count)) * noise_level
    labels = ObjectLabels.from_lists([objects[index][placed[index]] for index in range(count)])
    if instance_masks:
        return to_uint8(images), labels, _instances(slot_masks, placed)
    return to_uint8(images), labels


def _instances(slot_masks: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """Number each field's placed lesions 1, 2, … in the order of its labels."""
    number = np.cumsum(placed, axis=1) * placed  # (N, slots): 1-based rank of each placed slot
    instances = np.zeros(slot_masks.shape[1:], dtype=np.uint8)
    for slot, masks in enumerate(slot_masks):
        instances[masks] = np.repeat(number[:, slot], masks.reshape(len(masks), -1).sum(axis=1))
    return instances


__all__ = ["CLASSES", "DESCRIPTION", "generate", "reach"]
