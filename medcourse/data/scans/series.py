"""A DICOM series (one file per slice) assembled into a volume: sorted by position, spaced by positions (notebook 01 §4).

The order of the files in a folder, their names and even their ``InstanceNumber`` say nothing reliable about
where a slice lies. Each slice's ``ImagePositionPatient`` (the centre of its first pixel, in mm) and
``ImageOrientationPatient`` (the directions of its rows and columns) do. :func:`read_dicom_series` sorts the
slices along the slice normal, takes the spacing between them from those positions (``SliceThickness`` is
how thick each slice is, which can be more or less than the distance between slices), and refuses a set of
files that is not one evenly spaced stack, saying which files are the problem.

DICOM's patient coordinates are **LPS** (+x towards the patient's Left, +y Posterior, +z Superior); NIfTI's and
``Scan.affine`` are **RAS** (+x Right, +y Anterior, +z Superior): the two differ by the sign of x and y,
:data:`LPS_TO_RAS`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medcourse.data.scans.dicom import header_numbers, read_dicom
from medcourse.data.scans.scan import Scan, existing_file

#: Multiply a DICOM (LPS) position or affine from the left to get NIfTI's RAS: x and y change sign, z does not.
LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])

_ORIENTATION_TOLERANCE = 1e-4  # direction cosines are stored with about six decimals


@dataclass(frozen=True)
class _Slice:
    path: Path
    series: str
    position: np.ndarray      # ImagePositionPatient, mm, LPS
    orientation: np.ndarray   # ImageOrientationPatient: row direction (3), then column direction (3)
    scan: Scan


def _files(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)) and Path(paths).is_dir():
        files = sorted(p for p in Path(paths).iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise ValueError(f"{paths} holds no files; expected the DICOM files of one series")
    elif isinstance(paths, (str, os.PathLike)) or not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a folder or a list of DICOM files, got {type(paths).__name__}: {paths!r}")
    else:
        files = [existing_file(p, "DICOM") for p in paths]
    if len(files) < 2:
        raise ValueError(f"a series needs at least two slices to know the spacing between them, got {len(files)} "
                         "file(s); read a single file with read_dicom")
    return files


def _read_slice(path: Path) -> _Slice:
    import pydicom

    scan = read_dicom(path)  # refuses non-DICOM, truncated and undecodable files with its own messages
    if scan.is_colour or scan.image.ndim != 2:
        kind = "colour" if scan.is_colour else f"{scan.image.shape[0]} frames"
        raise ValueError(f"{path.name} holds {kind}, not one grey slice; read it on its own with read_dicom")
    dataset = pydicom.dcmread(path, stop_before_pixels=True)
    position = header_numbers(dataset, "ImagePositionPatient", path.name, 3)
    orientation = header_numbers(dataset, "ImageOrientationPatient", path.name, 6)
    for keyword, value in (("ImagePositionPatient (0020,0032)", position),
                           ("ImageOrientationPatient (0020,0037)", orientation)):
        if value is None:
            raise ValueError(f"{path.name} lacks {keyword}, so its place in the patient is unknown; a volume "
                             "cannot be assembled from it (InstanceNumber and SliceLocation are no substitute)")
    if scan.spacing is None:
        raise ValueError(f"{path.name} lacks PixelSpacing (0028,0030); a volume needs the pixel size in mm")
    return _Slice(path, str(dataset.get("SeriesInstanceUID", "") or "(none)"), np.array(position),
                  np.array(orientation), scan)


def _check_one_series(slices: list[_Slice]) -> None:
    groups: dict[str, list[str]] = {}
    for item in slices:
        groups.setdefault(item.series, []).append(item.path.name)
    if len(groups) > 1:
        listed = "; ".join(f"…{uid[-12:]} ({len(names)} file{'s' * (len(names) > 1)}: {', '.join(names[:3])}"
                           f"{', …' * (len(names) > 3)})" for uid, names in groups.items())
        raise ValueError(f"the files belong to {len(groups)} series, not one: {listed}. Pass the files of one "
                         "series (group them by SeriesInstanceUID (0020,000E))")


def _check_same_grid(slices: list[_Slice]) -> None:
    first = slices[0]
    row, column = first.orientation[:3], first.orientation[3:]
    if abs(np.linalg.norm(row) - 1) > 1e-3 or abs(np.linalg.norm(column) - 1) > 1e-3 or abs(row @ column) > 1e-3:
        raise ValueError(f"{first.path.name}: ImageOrientationPatient {first.orientation.tolist()} is not two "
                         "perpendicular unit vectors")
    for item in slices[1:]:
        if np.abs(item.orientation - first.orientation).max() > _ORIENTATION_TOLERANCE:
            raise ValueError(f"the slices are not parallel: {first.path.name} has ImageOrientationPatient "
                             f"{first.orientation.tolist()}, {item.path.name} has {item.orientation.tolist()} "
                             "(a localiser or a radial series is not a stack of slices)")
        for what, mine, theirs in (("shape", item.scan.image.shape, first.scan.image.shape),
                                   ("PixelSpacing (mm)", item.scan.spacing, first.scan.spacing),
                                   ("unit", item.scan.unit, first.scan.unit),
                                   ("PhotometricInterpretation", item.scan.photometric, first.scan.photometric)):
            if not (np.allclose(mine, theirs) if what.startswith("PixelSpacing") else mine == theirs):
                raise ValueError(f"the slices differ in {what}: {first.path.name} has {theirs}, "
                                 f"{item.path.name} has {mine}")


def _slice_step(slices: list[_Slice], tolerance: float) -> np.ndarray:
    """The vector from one slice's first pixel to the next one's, after checking that the steps are all equal."""
    normal = np.cross(slices[0].orientation[:3], slices[0].orientation[3:])
    distances = np.array([item.position @ normal for item in slices])
    gaps = np.diff(distances)
    if np.any(gaps < tolerance):
        k = int(np.argmin(gaps))
        raise ValueError(f"{slices[k].path.name} and {slices[k + 1].path.name} lie at the same position "
                         f"({distances[k]:.3f} mm along the slice normal): several echoes, phases or time points "
                         "share this series; split them first (e.g. by EchoNumbers or TemporalPositionIdentifier)")
    positions = np.array([item.position for item in slices])
    step = (positions[-1] - positions[0]) / (len(slices) - 1)
    expected = positions[0] + np.arange(len(slices))[:, None] * step
    if np.abs(positions - expected).max() > tolerance:
        k = int(np.argmax(np.abs(gaps - np.median(gaps))))
        raise ValueError(f"the slices are not evenly spaced: the gaps along the slice normal range from "
                         f"{gaps.min():.3f} to {gaps.max():.3f} mm ({gaps[k]:.3f} mm between {slices[k].path.name} "
                         f"and {slices[k + 1].path.name}); a slice may be missing. A volume needs one spacing: "
                         "read the evenly spaced runs separately, or raise tolerance= (mm) if the scanner's "
                         "positions are only slightly uneven")
    return step


def dicom_affine(position, orientation, pixel_spacing, slice_step) -> np.ndarray:
    """4×4 matrix from a voxel index ``(k, i, j)`` (slice, row, column) to DICOM patient coordinates (LPS, mm).

    Pixel ``(i, j)`` of slice ``k`` sits at ``P₀ + k·step + i·Δr·c + j·Δc·r``: ``r`` and ``c`` are the row and
    column directions of ``ImageOrientationPatient`` (``r`` points along a row, i.e. towards larger ``j``),
    ``(Δr, Δc)`` is ``PixelSpacing`` (between rows, between columns) and ``P₀`` the first slice's
    ``ImagePositionPatient``. Multiply by :data:`LPS_TO_RAS` for NIfTI's RAS. Notebook 01 §4.

    Examples
    --------
    >>> dicom_affine([0, 0, 0], [1, 0, 0, 0, 1, 0], [0.5, 0.5], [0, 0, 2.0]) @ [1, 2, 4, 1]
    array([2., 1., 2., 1.])
    """
    orientation = np.asarray(orientation, dtype=float)
    affine = np.eye(4)
    affine[:3, 0] = slice_step
    affine[:3, 1] = orientation[3:] * float(pixel_spacing[0])
    affine[:3, 2] = orientation[:3] * float(pixel_spacing[1])
    affine[:3, 3] = position
    return affine


def read_dicom_series(paths, *, tolerance: float = 0.01) -> Scan:
    """Assemble the slices of one DICOM series into a volume ``(K, H, W)``, in physical values (notebook 01 §4).

    Slices are sorted along the slice normal (row direction × column direction of ``ImageOrientationPatient``)
    by their ``ImagePositionPatient``; the spacing between slices comes from those positions, never from
    ``SliceThickness`` (kept in ``metadata``). ``Scan.affine`` maps ``(k, i, j)`` to RAS mm like a NIfTI affine
    (:func:`dicom_affine`, then :data:`LPS_TO_RAS`); ``Scan.spacing`` is ``(slice spacing, Δr, Δc)``, the
    column norms of that affine.

    Parameters
    ----------
    paths : folder or sequence of paths
        The files of one series (a folder: every file in it, hidden files left out).
    tolerance : float
        How far (mm) a slice may lie from the evenly spaced line through the first and last one.

    Raises
    ------
    ValueError
        Fewer than two files; files of several series; a file without position, orientation or pixel spacing;
        slices that are not parallel, differ in size, spacing or unit, share a position, or are unevenly
        spaced (a missing slice). Each message names the files. Errors of :func:`read_dicom` for a file
        that is not a readable DICOM image.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
        raise ValueError(f"tolerance must be a positive number of mm, got {tolerance!r}")
    slices = [_read_slice(path) for path in _files(paths)]
    _check_one_series(slices)
    _check_same_grid(slices)
    normal = np.cross(slices[0].orientation[:3], slices[0].orientation[3:])
    slices.sort(key=lambda item: float(item.position @ normal))
    step = _slice_step(slices, tolerance)
    first = slices[0]
    affine = LPS_TO_RAS @ dicom_affine(first.position, first.orientation, first.scan.spacing, step)
    spacing = (float(np.linalg.norm(step)), *first.scan.spacing)
    metadata = dict(first.scan.metadata) | {
        "slices": len(slices),
        "slice spacing (mm, from ImagePositionPatient)": spacing[0],
        "ImageOrientationPatient": first.orientation.tolist(),
        "files (in volume order)": [item.path.name for item in slices],
    }
    return Scan(image=np.stack([item.scan.image for item in slices]), spacing=spacing, metadata=metadata,
                source=str(first.path.parent), affine=affine, unit=first.scan.unit,
                photometric=first.scan.photometric)


__all__ = ["LPS_TO_RAS", "dicom_affine", "read_dicom_series"]
