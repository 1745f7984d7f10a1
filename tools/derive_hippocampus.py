"""Derive the course's hippocampus slices from the Medical Segmentation Decathlon (Task04) volumes.

Used by ``tools/make_shipped_data.py``; every rule is written here so the file can be rebuilt from
the originals and checked. What it does, in order:

1. **Patients.** The 260 labelled volumes (``imagesTr``/``labelsTr``) are ordered by the SHA-256 of
   ``"medcourse hippocampus <case number>"`` (a fixed shuffle that needs no random generator); the
   first :data:`PATIENTS` are kept and split, in that order, into :data:`SPLIT_SIZES` train / val /
   test patients. A patient's slices all go to one split.
2. **Intensities.** Per volume, the 0.5th and 99.5th percentiles of all voxels are mapped to 0 and 255
   (linear, rounded half to even, clipped): the images are MRI of unknown scale, some stored as
   integers up to 139, some as floats up to 1.7·10⁶.
3. **Slices.** Sagittal slices (the volume's first axis, left–right): every slice with any labelled
   voxel, plus one unlabelled slice on each side where the volume has one, so each patient's slab
   holds the whole hippocampus and its empty ends. Each slice is shown as a radiologist would see a
   sagittal image: rows from superior (top) to inferior, columns from posterior (left) to anterior
   (right): ``slice[r, c] = volume[x, c, nz − 1 − r]``.
4. **Frame.** Every slice is centred (zero padding, no cropping: the largest volume is 59×47 in-plane)
   in a :data:`FRAME` frame; the offset of each patient's volume in the frame is stored, so the slices
   stack back into the original volume exactly.
5. **Labels** as in the Decathlon: 0 background, 1 anterior (head), 2 posterior (body and tail).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

PATIENTS = 100
SPLIT_SIZES = {"train": 60, "val": 15, "test": 25}
FRAME = (48, 64)
PERCENTILES = (0.5, 99.5)
MARGIN_SLICES = 1
SPLIT_CODES = {"train": 0, "val": 1, "test": 2}

LICENCE = (
    "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). Derived by medcourse "
    "(tools/make_shipped_data.py) from the Medical Segmentation Decathlon, Task04_Hippocampus "
    "(reference: Vanderbilt University Medical Center; licence CC-BY-SA 4.0): a subset of 100 of the 260 "
    "labelled volumes, sagittal slices around the hippocampus, intensities rescaled to uint8 per volume, "
    "zero-padded to 48×64. Share-alike: anything made from this file must carry the same licence."
)
CITATION = (
    "Antonelli, M. et al. The Medical Segmentation Decathlon. Nature Communications 13, 4128 (2022); "
    "Simpson, A. L. et al. A large annotated medical image dataset for the development and evaluation "
    "of segmentation algorithms. arXiv:1902.09063 (2019)."
)


def case_number(path: Path) -> int:
    """``hippocampus_367.nii.gz`` → 367."""
    return int(path.name.split("_")[1].split(".")[0])


def chosen_cases(source: Path) -> dict[str, list[int]]:
    """The case numbers of each split, in the fixed order described in the module docstring."""
    images = sorted((source / "imagesTr").glob("hippocampus_*.nii.gz"))
    listed = {Path(entry["image"]).name for entry in json.loads((source / "dataset.json").read_text())["training"]}
    cases = [case_number(path) for path in images if path.name in listed and not path.name.startswith("._")]
    if len(cases) < PATIENTS:
        raise SystemExit(f"{source}: found {len(cases)} labelled volumes listed in dataset.json, need {PATIENTS}")
    order = sorted(cases, key=lambda case: hashlib.sha256(f"medcourse hippocampus {case}".encode()).hexdigest())
    splits, start = {}, 0
    for split, size in SPLIT_SIZES.items():
        splits[split] = sorted(order[start:start + size])
        start += size
    return splits


def _scaled(volume: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    low, high = (float(value) for value in np.percentile(volume, PERCENTILES))
    if not high > low:
        raise SystemExit(f"a volume has no intensity range ({low} … {high})")
    scaled = np.clip(np.rint((volume - low) / (high - low) * 255.0), 0, 255).astype(np.uint8)
    return scaled, (low, high)


def _slab(labels: np.ndarray) -> tuple[int, int]:
    """First and one-past-last sagittal slice kept: the labelled ones plus the margin."""
    labelled = np.flatnonzero(labels.reshape(labels.shape[0], -1).any(axis=1))
    if labelled.size == 0:
        raise SystemExit("a label volume is empty")
    return max(int(labelled[0]) - MARGIN_SLICES, 0), min(int(labelled[-1]) + 1 + MARGIN_SLICES, labels.shape[0])


def _framed(volume: np.ndarray, first: int, stop: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Sagittal slices ``first … stop − 1``, oriented for display and centred in :data:`FRAME`."""
    rows, cols = volume.shape[2], volume.shape[1]
    if rows > FRAME[0] or cols > FRAME[1]:
        raise SystemExit(f"a volume of shape {volume.shape} does not fit the {FRAME} frame")
    offset = ((FRAME[0] - rows) // 2, (FRAME[1] - cols) // 2)
    framed = np.zeros((stop - first, *FRAME), dtype=volume.dtype)
    oriented = np.rot90(volume[first:stop], axes=(1, 2))  # [x, c, nz-1-r] → [x, r, c]
    framed[:, offset[0]:offset[0] + rows, offset[1]:offset[1] + cols] = oriented
    return framed, offset


def _patient(source: Path, case: int) -> dict:
    import nibabel

    name = f"hippocampus_{case:03d}.nii.gz"
    image = nibabel.load(source / "imagesTr" / name)
    label = nibabel.load(source / "labelsTr" / name)
    volume = np.asarray(image.dataobj, dtype=np.float64)
    labels = np.asarray(label.dataobj)
    if volume.shape != labels.shape or not np.isin(labels, (0, 1, 2)).all():
        raise SystemExit(f"{name}: image {volume.shape} and labels {labels.shape} disagree, or labels not 0/1/2")
    scaled, intensity = _scaled(volume)
    first, stop = _slab(labels)
    images, offset = _framed(scaled, first, stop)
    masks, _ = _framed(labels.astype(np.uint8), first, stop)
    return {"images": images, "masks": masks, "offset": offset, "shape": volume.shape, "slab": (first, stop),
            "spacing": tuple(float(z) for z in image.header.get_zooms()[:3]), "intensity": intensity}


def build(source: Path) -> dict[str, np.ndarray]:
    """Every array of the shipped file, by name (see ``medcourse/data/hippocampus.py`` for their meaning)."""
    splits = chosen_cases(source)
    patients, records = [], []
    for split, cases in splits.items():
        for case in cases:
            patients.append((case, SPLIT_CODES[split]))
            records.append(_patient(source, case))
    counts = [len(record["images"]) for record in records]
    return {
        "images": np.concatenate([record["images"] for record in records]),
        "masks": np.concatenate([record["masks"] for record in records]),
        "slice_patient": np.repeat([case for case, _ in patients], counts).astype(np.int32),
        "slice_position": np.concatenate([np.arange(*record["slab"]) for record in records]).astype(np.int16),
        "patient": np.array([case for case, _ in patients], dtype=np.int32),
        "patient_split": np.array([code for _, code in patients], dtype=np.int8),
        "volume_shape": np.array([record["shape"] for record in records], dtype=np.int16),
        "spacing_mm": np.array([record["spacing"] for record in records], dtype=np.float32),
        "frame_offset": np.array([record["offset"] for record in records], dtype=np.int16),
        "slab": np.array([record["slab"] for record in records], dtype=np.int16),
        "intensity_percentiles": np.array([record["intensity"] for record in records], dtype=np.float64),
        "split_names": np.array(list(SPLIT_CODES), dtype="<U5"),
        "class_names": np.array(["background", "anterior", "posterior"], dtype="<U10"),
        "licence": np.array(LICENCE),
        "citation": np.array(CITATION),
        "derivation": np.array(" ".join((__doc__ or "").split())),
        "format_version": np.array(1, dtype=np.int16),
    }
