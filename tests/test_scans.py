"""Real scans from installed packages, and clear errors for files that cannot be read."""

import gzip
import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from medcourse.data import scans


def test_ct_slice_is_in_hounsfield_units_from_slope_and_intercept():
    ct = scans.load_ct_slice()
    dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    expected = dataset.pixel_array * float(dataset.RescaleSlope) + float(dataset.RescaleIntercept)
    np.testing.assert_array_equal(ct.image, expected)
    assert ct.image.dtype == np.float32
    assert ct.metadata["Modality"] == "CT" and ct.metadata["RescaleIntercept"] == -1024.0
    assert ct.spacing == pytest.approx((0.661468, 0.661468))
    assert -1024 <= ct.image.min() < -500 and ct.image.max() > 300  # air-like and bone-like pixels


def test_mr_slice_has_spacing_and_no_rescale():
    mr = scans.load_mr_slice()
    assert mr.image.shape == (64, 64)
    assert mr.metadata["Modality"] == "MR"
    assert mr.spacing == pytest.approx((0.3125, 0.3125))
    np.testing.assert_array_equal(mr.image, pydicom.dcmread(mr.source).pixel_array)


def test_ultrasound_cine_is_a_sequence_of_rgb_frames():
    cine = scans.load_ultrasound_cine()
    assert cine.image.shape == (30, 240, 320, 3) and cine.image.dtype == np.uint8
    assert cine.metadata["FrameTime"] == pytest.approx(33.333)
    assert cine.spacing is None
    # consecutive frames differ (it moves) but are similar (it is one loop)
    difference = np.abs(cine.image[1].astype(int) - cine.image[0].astype(int)).mean()
    assert 0 < difference < 30


def test_nifti_volume_has_an_affine_matching_its_voxel_size():
    volume = scans.load_nifti_volume("anatomical")
    assert volume.image.ndim == 3 and volume.affine.shape == (4, 4)
    column_lengths = np.linalg.norm(volume.affine[:3, :3], axis=0)
    np.testing.assert_allclose(column_lengths, volume.spacing)
    functional = scans.load_nifti_volume("functional")
    assert functional.image.ndim == 4


def test_nifti_volume_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        scans.load_nifti_volume("brainz")


def test_retina_is_an_rgb_photograph():
    retina = scans.load_retina()
    assert retina.image.ndim == 3 and retina.image.shape[2] == 3 and retina.image.dtype == np.uint8


def test_read_dicom_refuses_a_truncated_file():
    with pytest.raises(ValueError, match="truncated"):
        scans.read_dicom(get_testdata_file("MR_truncated.dcm"))


def test_read_dicom_refuses_compression_without_a_decoder_and_names_the_plugin():
    with pytest.raises(ValueError, match=r"no installed plugin can decode it.*pylibjpeg"):
        scans.read_dicom(get_testdata_file("MR_small_jpeg_ls_lossless.dcm"))


def test_read_dicom_refuses_a_file_that_is_not_dicom():
    with pytest.raises(ValueError, match="is not a DICOM file"):
        scans.read_dicom(get_testdata_file("rtplan.dump"))


def test_read_dicom_refuses_dicom_without_pixels():
    with pytest.raises(ValueError, match="holds no image"):
        scans.read_dicom(get_testdata_file("rtplan.dcm"))


def test_read_dicom_names_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="path must be an existing DICOM file"):
        scans.read_dicom(tmp_path / "missing.dcm")


def test_read_dicom_reads_a_compressed_copy_of_a_file_once_unpacked(tmp_path):
    packed = get_testdata_file("zipMR.gz")
    target = tmp_path / "mr.dcm"
    with gzip.open(packed, "rb") as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink)
    assert scans.read_dicom(target).metadata["Modality"] == "MR"


def test_read_nifti_refuses_a_file_that_is_not_nifti(tmp_path):
    bad = tmp_path / "bad.nii"
    bad.write_bytes(b"not a nifti file at all" * 20)
    with pytest.raises(ValueError, match="could not be read as a NIfTI image"):
        scans.read_nifti(bad)


def test_read_nifti_refuses_a_truncated_volume(tmp_path):
    from nibabel.testing import data_path

    original = (Path(data_path) / "anatomical.nii").read_bytes()
    truncated = tmp_path / "truncated.nii"
    truncated.write_bytes(original[: len(original) // 2])
    with pytest.raises(ValueError, match=r"truncated\.nii"):
        scans.read_nifti(truncated)


def test_scan_repr_is_informative():
    text = repr(scans.load_ct_slice())
    assert "CT" in text and "0.661" in text and "CT_small.dcm" in text
