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
    original = (scans.nibabel_data_dir() / "anatomical.nii").read_bytes()
    truncated = tmp_path / "truncated.nii"
    truncated.write_bytes(original[: len(original) // 2])
    with pytest.raises(ValueError, match=r"truncated\.nii"):
        scans.read_nifti(truncated)


def test_scan_repr_is_informative():
    text = repr(scans.load_ct_slice())
    assert "CT" in text and "0.661" in text and "CT_small.dcm" in text


# --- issue 12: values equal pydicom's, colour converted once, physical values never inverted ----------


def _dataset(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file(name, download=False))


def _saved_ct_variant(tmp_path, change, name="variant.dcm") -> Path:
    """CT_small.dcm with ``change(dataset)`` applied, saved under ``tmp_path``."""
    dataset = _dataset("CT_small.dcm")
    change(dataset)
    target = tmp_path / name
    dataset.save_as(target)
    return target


def _ct_with_raw_value(tmp_path, keyword: str, raw: bytes) -> Path:
    """CT_small.dcm whose ``keyword`` element holds exactly the bytes ``raw`` (even malformed ones)."""
    sentinel = "9.876543"

    def set_sentinel(dataset):
        setattr(dataset, keyword, sentinel)

    target = _saved_ct_variant(tmp_path, set_sentinel, name=f"{keyword}.dcm")
    content = target.read_bytes()
    assert content.count(sentinel.encode()) == 1
    target.write_bytes(content.replace(sentinel.encode(), raw.ljust(len(sentinel))))
    return target


def test_colour_dicom_is_converted_to_rgb_once_as_pydicom_does():
    jpeg = scans.read_dicom(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"))
    expected = _dataset("SC_rgb_jpeg_dcmtk.dcm").pixel_array
    np.testing.assert_array_equal(jpeg.image, expected)
    assert tuple(jpeg.image[0, 0]) == tuple(expected[0, 0]) and expected[0, 0, 0] > 250 > 5 > expected[0, 0, 1]
    assert jpeg.photometric == "RGB"
    cine = scans.load_ultrasound_cine()
    np.testing.assert_array_equal(cine.image, _dataset("examples_ybr_color.dcm").pixel_array)
    means = cine.image.reshape(-1, 3).mean(axis=0)
    assert means.max() - means.min() < 1.0  # a grey-scale ultrasound loop: R, G and B agree


def test_jpeg2000_with_a_reversible_colour_transform_reads_as_rgb():
    scan = scans.read_dicom(get_testdata_file("examples_jpeg2k.dcm"))  # YBR_RCT in the header
    assert scan.metadata["PhotometricInterpretation"] == "YBR_RCT" and scan.photometric == "RGB"
    np.testing.assert_array_equal(scan.image, _dataset("examples_jpeg2k.dcm").pixel_array)


def test_palette_colour_is_mapped_through_the_palette():
    from pydicom.pixels import apply_color_lut

    dataset = _dataset("examples_palette.dcm")
    scan = scans.read_dicom(dataset.filename)
    np.testing.assert_array_equal(scan.image, apply_color_lut(dataset.pixel_array, dataset))
    assert scan.image.shape == (*dataset.pixel_array.shape, 3) and scan.photometric == "RGB"
    display = scan.display_image()
    assert display.dtype == np.uint8 and display.shape == scan.image.shape
    np.testing.assert_array_equal(display, (scan.image >> 8).astype(np.uint8))  # 16-bit palette entries


def test_monochrome1_keeps_the_physical_values_and_inverts_only_the_display(tmp_path):
    def as_monochrome1(dataset):
        dataset.PhotometricInterpretation = "MONOCHROME1"

    original = scans.load_ct_slice()
    inverted_sense = scans.read_dicom(_saved_ct_variant(tmp_path, as_monochrome1))
    np.testing.assert_array_equal(inverted_sense.image, original.image)
    assert inverted_sense.image.mean() == pytest.approx(original.image.mean())
    assert inverted_sense.photometric == "MONOCHROME1" and inverted_sense.cmap == "gray_r"
    assert original.photometric == "MONOCHROME2" and original.cmap == "gray"


def test_physical_values_equal_pydicoms_modality_lut_and_the_lessons_formula():
    from pydicom.pixels import apply_modality_lut

    for name in ("CT_small.dcm", "693_J2KI.dcm"):  # slope 1: integer Hounsfield units
        dataset = _dataset(name)
        scan = scans.read_dicom(dataset.filename)
        expected = apply_modality_lut(dataset.pixel_array, dataset)
        np.testing.assert_array_equal(scan.image, expected)
        lesson = scans.rescale(dataset.pixel_array, dataset.RescaleSlope, dataset.RescaleIntercept)
        np.testing.assert_array_equal(lesson, expected)
        assert scan.unit == "HU"


def test_a_fractional_slope_keeps_pydicoms_values_exactly():
    from pydicom.pixels import apply_modality_lut

    path = Path(_find_testdata("6154"))  # a computed radiograph stored as MONOCHROME1
    dataset = pydicom.dcmread(path)
    assert float(dataset.RescaleSlope) == pytest.approx(0.684) and dataset.PhotometricInterpretation == "MONOCHROME1"
    scan = scans.read_dicom(path)
    np.testing.assert_array_equal(scan.image, apply_modality_lut(dataset.pixel_array, dataset))
    assert scan.cmap == "gray_r"


def _find_testdata(name: str) -> str:
    from pydicom.data import get_testdata_files

    return next(f for f in get_testdata_files() if Path(f).name == name)


def test_a_modality_lut_sequence_is_applied(tmp_path):
    from pydicom.dataset import Dataset
    from pydicom.pixels import apply_modality_lut

    def with_lut(dataset):
        del dataset.RescaleSlope, dataset.RescaleIntercept
        item = Dataset()
        item.LUTDescriptor = [4096, 0, 16]
        item.ModalityLUTType = "HU"
        item.add_new("LUTData", "US", [2 * value for value in range(4096)])
        dataset.ModalityLUTSequence = [item]

    path = _saved_ct_variant(tmp_path, with_lut)
    dataset = pydicom.dcmread(path)
    scan = scans.read_dicom(path)
    np.testing.assert_array_equal(scan.image, apply_modality_lut(dataset.pixel_array, dataset))
    assert scan.unit == "HU" and scan.metadata["ModalityLUT"].startswith("Modality LUT Sequence")


def test_an_enhanced_file_is_rescaled_from_its_functional_groups(tmp_path):
    from pydicom.dataset import Dataset

    def enhanced(dataset):
        del dataset.RescaleSlope, dataset.RescaleIntercept, dataset.PixelSpacing
        transformation, measures, shared = Dataset(), Dataset(), Dataset()
        transformation.RescaleSlope, transformation.RescaleIntercept, transformation.RescaleType = 2, -1000, "HU"
        measures.PixelSpacing = [0.5, 0.25]
        shared.PixelValueTransformationSequence = [transformation]
        shared.PixelMeasuresSequence = [measures]
        dataset.SharedFunctionalGroupsSequence = [shared]

    path = _saved_ct_variant(tmp_path, enhanced)
    stored = pydicom.dcmread(path).pixel_array
    scan = scans.read_dicom(path)
    np.testing.assert_array_equal(scan.image, 2.0 * stored - 1000.0)
    assert scan.spacing == (0.5, 0.25) and scan.unit == "HU"


def test_a_ct_without_rescale_information_warns_that_the_values_are_not_hounsfield_units(tmp_path):
    def without_rescale(dataset):
        del dataset.RescaleSlope, dataset.RescaleIntercept

    path = _saved_ct_variant(tmp_path, without_rescale, name="no_rescale.dcm")
    with pytest.warns(UserWarning, match=r"no_rescale\.dcm.*no RescaleSlope/RescaleIntercept.*not Hounsfield"):
        scan = scans.read_dicom(path)
    np.testing.assert_array_equal(scan.image, pydicom.dcmread(path).pixel_array)
    assert scan.unit == "stored value"


@pytest.mark.parametrize(("keyword", "raw", "reason"), [
    ("RescaleSlope", b"", "is empty"),
    ("RescaleSlope", b"1\\2", "has 2 values"),
    ("RescaleSlope", b"abc", "not a number"),
    ("RescaleIntercept", b"x", "not a number"),
    ("PixelSpacing", b"0.5", "has 1 value"),
    ("PixelSpacing", b"a\\b", "not a number"),
    ("PixelSpacing", b"", "is empty"),
    ("PixelSpacing", b"0\\0.5", "must be positive"),
])
@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")
def test_malformed_header_values_are_refused_naming_the_file_and_the_tag(tmp_path, keyword, raw, reason):
    path = _ct_with_raw_value(tmp_path, keyword, raw)
    with pytest.raises(ValueError, match=rf"{keyword}\.dcm.*{keyword} \(0028,[0-9A-F]{{4}}\).*{reason}"):
        scans.read_dicom(path)


def test_read_dicom_refuses_a_directory_with_a_message_naming_it(tmp_path):
    with pytest.raises(IsADirectoryError, match=rf"{tmp_path.name}.* is a folder, not a DICOM file"):
        scans.read_dicom(tmp_path)
    with pytest.raises(IsADirectoryError, match=r"is a folder, not a NIfTI file"):
        scans.read_nifti(tmp_path)


def test_nifti_examples_are_found_without_importing_nibabel_testing():
    import subprocess
    import sys

    script = ("import sys; sys.modules['pytest'] = None\n"
              "from medcourse.data import scans\n"
              "volume = scans.load_nifti_volume('functional')\n"
              "assert 'nibabel.testing' not in sys.modules, 'nibabel.testing was imported'\n"
              "print(volume.image.shape)")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "(17, 21, 3, 20)"
