"""A generated CT series written as DICOM files, to practise assembling a volume (notebook 01 §4).

:func:`chest_phantom` draws a small chest-like volume in Hounsfield units with one landmark on the patient's
**left**, so that you can check which way an axis points; :func:`write_dicom_series` writes any HU volume as
one CT file per slice, with the header fields a real series has (positions, orientation, spacing, a
``SliceThickness`` that may differ from the spacing) and, like many real folders, file names and instance
numbers that do not follow the anatomy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: What the phantom's regions hold, in HU.
PHANTOM_HU = {"air": -1000.0, "lung": -850.0, "soft tissue": 40.0, "bone": 700.0, "landmark": 300.0}


def chest_phantom(slices: int = 12, size: int = 48) -> np.ndarray:
    """A ``(slices, size, size)`` chest-like volume in HU: body, two lungs, a spine, and a landmark on the left.

    Axes are (slice, row, column) as written by :func:`write_dicom_series` with its default orientation:
    rows run from the patient's front to back, columns from the patient's right to left (the radiological
    view), so the landmark, in the patient's left lung, sits in the columns right of centre.
    """
    rows, columns = np.mgrid[0:size, 0:size] / (size - 1) * 2 - 1  # −1 … 1 across the field
    body = (rows / 0.75) ** 2 + (columns / 0.95) ** 2 <= 1
    lungs = ((rows + 0.1) / 0.5) ** 2 + ((np.abs(columns) - 0.42) / 0.3) ** 2 <= 1
    spine = (rows - 0.5) ** 2 + columns**2 <= 0.12**2
    landmark = (rows + 0.1) ** 2 + (columns - 0.45) ** 2 <= 0.1**2
    image = np.full((size, size), PHANTOM_HU["air"])
    image[body] = PHANTOM_HU["soft tissue"]
    image[lungs] = PHANTOM_HU["lung"]
    image[spine] = PHANTOM_HU["bone"]
    volume = np.repeat(image[None], slices, axis=0)
    centre = slices // 2
    volume[max(centre - 1, 0):centre + 2][:, landmark] = PHANTOM_HU["landmark"]
    return volume


def _refuse_to_overwrite(folder: Path, count: int) -> None:
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"folder must be a folder to write {count} DICOM files into, got the file {folder}")
    if folder.is_dir() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; write the series into a new or empty folder (nothing "
                              "already there is overwritten)")


def _uid(*parts) -> str:
    from pydicom.uid import generate_uid

    return generate_uid(entropy_srcs=[str(part) for part in parts])  # the same volume gets the same UIDs


def _slice_dataset(stored: np.ndarray, position, orientation, spacing, thickness, instance: int, series: str):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID = CTImageStorage
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID = _uid(series, instance)
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset.Modality, dataset.Manufacturer = "CT", "medcourse (generated)"
    dataset.SeriesDescription = "generated chest-like series for notebook 01"
    dataset.StudyInstanceUID, dataset.SeriesInstanceUID = _uid(series, "study"), series
    dataset.FrameOfReferenceUID, dataset.InstanceNumber = _uid(series, "frame"), instance
    dataset.ImagePositionPatient = [f"{value:.6f}" for value in position]
    dataset.ImageOrientationPatient = [f"{value:.6f}" for value in orientation]
    dataset.PixelSpacing = [f"{value:.6f}" for value in spacing[1:]]
    dataset.SliceThickness = f"{thickness:.6f}"
    dataset.Rows, dataset.Columns = stored.shape
    dataset.SamplesPerPixel, dataset.PhotometricInterpretation = 1, "MONOCHROME2"
    dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 16, 16, 15, 1
    dataset.RescaleSlope, dataset.RescaleIntercept, dataset.RescaleType = "1", "-1024", "HU"
    dataset.PixelData = stored.astype("<i2").tobytes()
    return dataset


def write_dicom_series(volume_hu: np.ndarray, folder: str | os.PathLike, *, spacing: Sequence[float] = (2.5, 1, 1),
                       orientation: Sequence[float] = (1, 0, 0, 0, 1, 0), origin: Sequence[float] = (0, 0, 0),
                       slice_thickness: float | None = None, seed: int = 0) -> list[Path]:
    """Write a ``(K, H, W)`` HU volume as K CT files (stored = HU + 1024, 16-bit signed) into a new folder.

    Slice ``k``'s first pixel sits at ``origin + k · spacing[0] · n`` (LPS mm), ``n`` being row direction ×
    column direction of ``orientation`` (DICOM's ``ImageOrientationPatient``). File names and
    ``InstanceNumber`` are shuffled with ``seed``, as a folder gives no guarantee of order. ``slice_thickness``
    defaults to the spacing; pass another value for overlapping or gapped slices. Returns the paths written.
    """
    volume = np.asarray(volume_hu, dtype=float)
    if volume.ndim != 3 or min(volume.shape) < 1:
        raise ValueError(f"volume_hu must be a 3-D array (slices, rows, columns), got shape {volume.shape}")
    spacing, orientation = np.asarray(spacing, dtype=float), np.asarray(orientation, dtype=float)
    if spacing.shape != (3,) or np.any(spacing <= 0):
        raise ValueError(f"spacing must be three positive numbers (slice, row, column) in mm, got {spacing}")
    if orientation.shape != (6,):
        raise ValueError(f"orientation must be six direction cosines (row, then column), got {orientation}")
    folder = Path(folder)
    _refuse_to_overwrite(folder, len(volume))
    stored = np.clip(np.rint(volume + 1024), -32768, 32767).astype(np.int16)
    normal = np.cross(orientation[:3], orientation[3:])
    series = _uid("series", volume.shape, spacing.tolist(), orientation.tolist(), np.asarray(origin).tolist())
    labels = np.random.default_rng(seed).permutation(len(volume)) + 1
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for k, label in enumerate(labels):
        position = np.asarray(origin, dtype=float) + k * spacing[0] * normal
        dataset = _slice_dataset(stored[k], position, orientation, spacing,
                                 spacing[0] if slice_thickness is None else slice_thickness, int(label), series)
        path = folder / f"IM{label:04d}.dcm"
        dataset.save_as(path, enforce_file_format=True)
        written.append(path)
    return written


__all__ = ["PHANTOM_HU", "chest_phantom", "write_dicom_series"]
