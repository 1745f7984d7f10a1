"""Every test file pydicom and nibabel ship, read by the course: the values pydicom/nibabel compute, or a
clear refusal that names the file and the reason (issue 12, item 4)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from medcourse.data import scans


def _pydicom_files() -> list[Path]:
    from pydicom.data import get_testdata_files

    return sorted(Path(f) for f in get_testdata_files())


def _nibabel_files() -> list[Path]:
    """Everything under nibabel's ``tests/data`` folders (found without importing ``nibabel.testing``)."""
    import importlib.util

    package = Path(importlib.util.find_spec("nibabel").origin).parent
    folders = [package / "tests" / "data", *sorted(package.glob("*/tests/data"))]
    return sorted(path for folder in folders for path in folder.iterdir() if path.name != "__pycache__")


def _identifier(path: Path) -> str:
    return "/".join(path.parts[-2:])


def _pydicom_values(path: Path) -> np.ndarray:
    """What pydicom itself gives: RGB pixels for colour, the palette applied, the modality LUT for grey."""
    import pydicom
    from pydicom.pixels import apply_color_lut, apply_modality_lut

    dataset = pydicom.dcmread(path)
    pixels = dataset.pixel_array
    photometric = dataset.PhotometricInterpretation
    if photometric == "PALETTE COLOR":
        return apply_color_lut(pixels, dataset)
    if photometric.startswith("MONOCHROME"):
        return apply_modality_lut(pixels, dataset)
    return pixels


def _read_or_refusal(reader, path: Path):
    """The Scan, or the refusal; anything but a clear refusal fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's and nibabel's warnings about odd headers
        try:
            return reader(path), None
        except (ValueError, IsADirectoryError) as refusal:
            return None, refusal


def _assert_clear_refusal(refusal: Exception, path: Path) -> None:
    message = str(refusal)
    assert path.name in message, f"the refusal does not name the file: {message!r}"
    reason = message.split(path.name, 1)[1]
    assert len(reason.strip(" :")) > 10, f"the refusal gives no reason: {message!r}"


@pytest.mark.parametrize("path", _pydicom_files(), ids=_identifier)
def test_each_pydicom_test_file_gives_pydicoms_values_or_a_clear_refusal(path):
    scan, refusal = _read_or_refusal(scans.read_dicom, path)
    if refusal is not None:
        _assert_clear_refusal(refusal, path)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _pydicom_values(path)
    np.testing.assert_array_equal(scan.image, expected)
    assert scan.image.shape == expected.shape
    if scan.image.ndim >= 3 and scan.image.shape[-1] == 3 and "MONOCHROME" not in scan.photometric:
        assert scan.photometric == "RGB"


def _nibabel_values(path: Path) -> np.ndarray:
    import nibabel

    return np.asarray(nibabel.load(path).get_fdata(dtype=np.float32))


@pytest.mark.parametrize("path", _nibabel_files(), ids=_identifier)
def test_each_nibabel_test_file_gives_nibabels_values_or_a_clear_refusal(path):
    reader = scans.read_dicom if ".dcm" in path.suffixes else scans.read_nifti
    scan, refusal = _read_or_refusal(reader, path)
    if refusal is not None:
        _assert_clear_refusal(refusal, path)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _pydicom_values(path) if reader is scans.read_dicom else _nibabel_values(path)
    np.testing.assert_array_equal(scan.image, expected)


def test_the_corpus_is_the_whole_of_both_packages_test_data():
    pydicom_files, nibabel_files = _pydicom_files(), _nibabel_files()
    assert len(pydicom_files) > 150 and len(nibabel_files) > 80  # the test data really ships with the wheels
    assert any(path.name == "examples_palette.dcm" for path in pydicom_files)
    assert any(path.name == "anatomical.nii" for path in nibabel_files)
