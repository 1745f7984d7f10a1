"""``"hippocampus"``: real brain MRI, sagittal slices of the hippocampus, segmented, split by patient.

Notebook 05 (segmentation) trains a U-Net on it. The shipped file
``data/hippocampus/msd_hippocampus_sagittal.npz`` is derived from the Medical Segmentation
Decathlon's Task04_Hippocampus (T1-weighted MRI crops around one hippocampus, Vanderbilt University
Medical Center; CC BY-SA 4.0, so this file and anything made from it carry the same licence) by
``tools/derive_hippocampus.py``:

* **100 of the 260 labelled volumes**, chosen by a fixed hash order, split **by patient** into
  60 train, 15 validation and 25 test patients: no slice of a volume is in two splits.
* **Sagittal slices** (the volumes' left–right axis): every slice that holds hippocampus, plus one
  empty slice at each end where the volume has one — 2,399 slices, about 24 per patient. Rows run
  from superior (top) to inferior, columns from posterior (left) to anterior (right).
* **Intensities** rescaled per volume: its 0.5th and 99.5th percentiles become 0 and 255 (``uint8``).
* **48×64 frame**: each slice is centred with zero padding (nothing is cropped away).
* **Labels** ``uint8``: 0 background, 1 anterior (head), 2 posterior (body and tail), as in the Decathlon.
* Voxels are 1 mm in every direction (kept in ``info["spacing_mm"]``, per axis of a stacked volume).

To evaluate per patient as a clinician would (Dice, HD95, hippocampal volume in mm³), stack a
split's slices back into volumes with :func:`volumes`.

Examples
--------
>>> data = load()
>>> images, masks = data.train
>>> images.dtype, images.shape[1:], masks.max(), data.classes
(dtype('uint8'), (48, 64), np.uint8(2), ('background', 'anterior', 'posterior'))
>>> set(data.info["patients"]["train"]) & set(data.info["patients"]["test"])
set()
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from medcourse.data.arrays import read_only
from medcourse.data.dataset import Dataset
from medcourse.data.shipped import ShippedDataError, require

FILE = "hippocampus/msd_hippocampus_sagittal.npz"
CLASSES = ("background", "anterior", "posterior")
SOURCE_URL = "http://medicaldecathlon.com/"
LICENCE = "CC BY-SA 4.0"

DESCRIPTION = (
    "Real brain MRI (T1-weighted, Medical Segmentation Decathlon Task04, Vanderbilt University Medical "
    "Center): 48×64 sagittal slices around one hippocampus, labelled background / anterior (head) / posterior "
    "(body and tail); 100 patients split by patient (60 / 15 / 25). Derived by medcourse; CC BY-SA 4.0."
)
_KEYS = ("images", "masks", "slice_patient", "slice_position", "patient", "patient_split", "volume_shape",
         "spacing_mm", "frame_offset", "slab", "split_names", "licence", "citation", "derivation")


def _read(path: str, modified: int, size: int) -> dict[str, np.ndarray]:
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in _KEYS if key not in archive.files]
            if missing:
                raise ShippedDataError(f"{path} lacks {missing}: it is not the course's hippocampus file")
            return {key: read_only(archive[key]) for key in _KEYS}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise ShippedDataError(f"{path} is truncated or corrupt and cannot be read ({type(error).__name__}: "
                               f"{error}); restore it from the repository") from None


def _per_patient(arrays: dict[str, np.ndarray], key: str) -> dict[int, tuple]:
    return {int(patient): tuple(value.tolist()) for patient, value in zip(arrays["patient"], arrays[key], strict=True)}


def load(*, verify: bool = True) -> Dataset:
    """The shipped hippocampus slices as a segmentation :class:`~medcourse.data.Dataset` (use ``load_dataset``).

    ``info`` holds, per split, the patient of every slice (``info["patient"][split]``), its sagittal
    position in that patient's volume (``info["slice"][split]``) and the split's patients in order
    (``info["patients"][split]``); ``info["spacing_mm"]`` is the voxel size along (slice, row, column).
    """
    path = require(FILE, verify=verify)
    stat = path.stat()
    dataset = _dataset(str(path), stat.st_mtime_ns, stat.st_size, verify)
    info = {key: dict(value) if isinstance(value, dict) else value for key, value in dataset.info.items()}
    return dataclasses.replace(dataset, info=info)


@functools.lru_cache(maxsize=2)
def _dataset(path: str, modified: int, size: int, verify: bool) -> Dataset:
    arrays = _read(path, modified, size)
    names = [str(name) for name in arrays["split_names"]]
    split_of_slice = dict(zip(arrays["patient"].tolist(), arrays["patient_split"].tolist(), strict=True))
    slice_split = np.array([split_of_slice[patient] for patient in arrays["slice_patient"].tolist()])
    splits, patient, position, patients = {}, {}, {}, {}
    for code, split in enumerate(names):
        chosen = np.flatnonzero(slice_split == code)
        splits[split] = (read_only(arrays["images"][chosen]), read_only(arrays["masks"][chosen]))
        patient[split] = read_only(arrays["slice_patient"][chosen])
        position[split] = read_only(arrays["slice_position"][chosen])
        patients[split] = read_only(arrays["patient"][arrays["patient_split"] == code])
    # Stored spacing is NIfTI order (x, y, z); a stacked volume is (slice = x, row = z, column = y).
    spacing = {case: (sx, sz, sy) for case, (sx, sy, sz) in _per_patient(arrays, "spacing_mm").items()}
    common = set(spacing.values())
    return Dataset(
        name="hippocampus", **splits, classes=CLASSES, task="segmentation", description=DESCRIPTION,
        licence=LICENCE, citation=str(arrays["citation"]),
        info={"patient": patient, "slice": position, "patients": patients,
              "spacing_mm": common.pop() if len(common) == 1 else None, "patient_spacing_mm": spacing,
              "volume_shape": _per_patient(arrays, "volume_shape"), "frame_offset": _per_patient(arrays, "frame_offset"),
              "slab": _per_patient(arrays, "slab"),
              "orientation": "sagittal; rows superior→inferior, columns posterior→anterior",
              "intensity": "per volume, the 0.5th and 99.5th percentiles mapped to 0 and 255",
              "licence_text": str(arrays["licence"]), "derivation": str(arrays["derivation"]),
              "source": SOURCE_URL, "path": path, "verified": verify},
    )


@dataclass(frozen=True)
class PatientVolume:
    """One patient's slices stacked back into a volume (slice, row, column), the padding removed."""

    patient: int
    image: np.ndarray              # uint8 (S, rows, cols)
    truth: np.ndarray              # uint8 class indices, same shape
    predicted: np.ndarray | None   # class indices, same shape, when predictions were given
    spacing_mm: tuple[float, float, float]
    slices: np.ndarray             # sagittal position of each slice in the original volume


def _as_classes(predicted, expected_shape: tuple[int, ...]) -> np.ndarray:
    predicted = np.asarray(predicted)
    if predicted.ndim == 4:  # probabilities (N, H, W, K) as predict_proba returns them
        predicted = predicted.argmax(axis=-1)
    if predicted.shape != expected_shape:
        raise ValueError(f"predicted must be class indices shaped {expected_shape} (or probabilities "
                         f"{(*expected_shape, 'K')}), got {np.asarray(predicted).shape}")
    return predicted


def volumes(dataset: Dataset, split: str = "test", predicted: np.ndarray | None = None) -> list[PatientVolume]:
    """Stack ``split``'s slices back into one volume per patient, optionally with predicted masks.

    Parameters
    ----------
    dataset : Dataset
        The hippocampus dataset as ``load_dataset("hippocampus")`` returns it (its ``info`` describes
        every slice of each split).
    split : {"train", "val", "test"}
    predicted : array, optional
        Class indices ``(N, 48, 64)`` or probabilities ``(N, 48, 64, K)`` for the split's ``N``
        slices, in the split's order.

    Returns
    -------
    list of PatientVolume
        In the order of ``dataset.info["patients"][split]``; each volume covers the patient's slab of
        sagittal slices (the whole hippocampus and one empty slice at each end), cropped to the
        original in-plane size, with the voxel spacing in mm (volume of a structure in mm³:
        ``(truth == k).sum() * np.prod(spacing_mm)``).
    """
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
    info = dataset.info
    if "patient" not in info or "frame_offset" not in info:
        raise ValueError("dataset must be the hippocampus dataset: its info lacks the slices' patients")
    images, truths = getattr(dataset, split)
    if predicted is not None:
        predicted = _as_classes(predicted, truths.shape)
    result = []
    for patient in info["patients"][split].tolist():
        chosen = np.flatnonzero(info["patient"][split] == patient)
        chosen = chosen[np.argsort(info["slice"][split][chosen], kind="stable")]
        _, cols, rows = info["volume_shape"][patient]
        top, left = info["frame_offset"][patient]
        crop = (slice(None), slice(top, top + rows), slice(left, left + cols))
        result.append(PatientVolume(
            patient=patient, image=images[chosen][crop], truth=truths[chosen][crop],
            predicted=None if predicted is None else predicted[chosen][crop],
            spacing_mm=info["patient_spacing_mm"][patient], slices=info["slice"][split][chosen]))
    return result


__all__ = ["CLASSES", "DESCRIPTION", "FILE", "PatientVolume", "load", "volumes"]
