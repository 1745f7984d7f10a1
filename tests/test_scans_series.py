"""A DICOM series assembled into a volume: sorted by position, spaced by positions, RAS affine, clear refusals.

Real series from pydicom's bundled test data (a 5-slice cardiac CT, a series with a missing run of slices,
a radial MR series, a folder mixing three series) and series written by ``write_dicom_series``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nibabel.affines import apply_affine, voxel_sizes
from pydicom.data import get_testdata_file

from medcourse.data import scans

DICOMDIR_TESTS = Path(get_testdata_file("DICOMDIR", download=False)).parent


def _series(name: str) -> Path:
    folder = DICOMDIR_TESTS / name
    assert folder.is_dir(), f"pydicom's test data lacks {folder}"
    return folder


def _rotation(angle_degrees: float, axis: str) -> np.ndarray:
    angle = np.radians(angle_degrees)
    c, s = np.cos(angle), np.sin(angle)
    first, second = {"x": (1, 2), "y": (0, 2), "z": (0, 1)}[axis]
    rotation = np.eye(3)
    rotation[[first, first, second, second], [first, second, first, second]] = [c, -s, s, c]
    return rotation


# --- A real series ---------------------------------------------------------------------------------------------


def test_a_real_ct_series_is_sorted_along_the_slice_normal_and_spaced_by_its_positions():
    folder = _series("98892001/CT5N")
    volume = scans.read_dicom_series(folder)
    datasets = {path.name: pydicom.dcmread(path) for path in folder.iterdir()}
    heights = {name: float(ds.ImagePositionPatient[2]) for name, ds in datasets.items()}
    order = sorted(heights, key=heights.get)  # axial slices: the normal is +z (superior)
    assert volume.metadata["files (in volume order)"] == order
    assert volume.image.shape == (5, 16, 16)
    for k, name in enumerate(order):
        np.testing.assert_array_equal(volume.image[k], scans.read_dicom(folder / name).image)
    assert volume.spacing == pytest.approx((2.5, 0.488281, 0.488281))
    np.testing.assert_allclose(voxel_sizes(volume.affine), volume.spacing)


def test_the_affine_maps_each_pixel_where_nibabel_places_it_after_the_lps_to_ras_flip():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # nibabel calls its DICOM readers experimental
        from nibabel.nicom import dicomwrappers
    folder = _series("98892001/CT5N")
    volume = scans.read_dicom_series(folder)
    for k, name in enumerate(volume.metadata["files (in volume order)"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            lps = dicomwrappers.wrapper_from_data(pydicom.dcmread(folder / name)).affine  # voxel (i, j, 0) → LPS
        pixels = np.array([[i, j] for i in (0, 7, 15) for j in (0, 3, 15)])
        expected_lps = apply_affine(lps, np.column_stack([pixels, np.zeros(len(pixels))]))
        ours_ras = apply_affine(volume.affine, np.column_stack([np.full(len(pixels), k), pixels]))
        np.testing.assert_allclose(ours_ras, expected_lps * [-1, -1, 1], atol=1e-4)


def test_dicom_affine_flipped_by_lps_to_ras_changes_only_the_signs_of_x_and_y():
    lps = scans.dicom_affine([10.0, 20.0, 30.0], [1, 0, 0, 0, 1, 0], [0.5, 0.25], [0, 0, 2.0])
    ras = scans.LPS_TO_RAS @ lps
    point = np.array([3, 4, 5, 1.0])
    np.testing.assert_allclose((ras @ point)[:3], (lps @ point)[:3] * [-1, -1, 1])
    np.testing.assert_allclose(lps @ point, [10 + 5 * 0.25, 20 + 4 * 0.5, 30 + 3 * 2.0, 1])


# --- Refusals, on real folders ---------------------------------------------------------------------------------


def test_a_series_with_a_missing_run_of_slices_is_refused_as_unevenly_spaced():
    with pytest.raises(ValueError, match=r"not evenly spaced: .* from 1\.250 to 202\.500 mm .*17106 and 17136"):
        scans.read_dicom_series(_series("77654033/CT2"))


def test_a_radial_series_is_refused_because_its_slices_are_not_parallel():
    with pytest.raises(ValueError, match=r"the slices are not parallel: .*4467"):
        scans.read_dicom_series(_series("98892003/MR700"))


def test_a_folder_of_several_series_is_refused_and_each_series_is_listed():
    with pytest.raises(ValueError, match=r"belong to 3 series, not one: .*\(3 files: 4950, 4981, 5011\)"):
        scans.read_dicom_series(_series("98892003/MR2"))


def test_files_without_pixels_are_refused_by_read_dicom_with_their_name():
    with pytest.raises(ValueError, match="IM000000 is DICOM but holds no image"):
        scans.read_dicom_series(_series("TINY_ALPHA/PT000000/ST000000/SE000000"))


# --- Written series --------------------------------------------------------------------------------------------


def test_a_written_series_reads_back_exactly_whatever_the_file_order_and_slice_thickness(tmp_path):
    volume = scans.chest_phantom(slices=7, size=24)
    written = scans.write_dicom_series(volume, tmp_path / "series", spacing=(1.5, 0.7, 0.7), slice_thickness=3.0)
    instance_numbers = [int(pydicom.dcmread(path).InstanceNumber) for path in written]
    assert instance_numbers != sorted(instance_numbers)  # the folder's order is not the anatomy's
    read = scans.read_dicom_series(written[::-1])
    np.testing.assert_array_equal(read.image, volume)
    assert read.spacing == pytest.approx((1.5, 0.7, 0.7))
    assert read.metadata["SliceThickness"] == 3.0 and read.unit == "HU"


@settings(max_examples=15, deadline=None)
@given(angle=st.floats(-80, 80), axis=st.sampled_from("xyz"), step=st.floats(0.5, 6.0),
       pixel=st.floats(0.3, 2.0))
def test_an_oblique_series_has_voxel_sizes_equal_to_the_spacing_though_its_diagonal_differs(
        tmp_path_factory, angle, axis, step, pixel):
    rotation = _rotation(angle, axis)
    orientation = np.concatenate([rotation[:, 0], rotation[:, 1]])
    folder = tmp_path_factory.mktemp("oblique")
    scans.write_dicom_series(scans.chest_phantom(slices=3, size=8), folder, spacing=(step, pixel, pixel),
                             orientation=orientation, origin=(5.0, -3.0, 40.0))
    read = scans.read_dicom_series(folder)
    np.testing.assert_allclose(voxel_sizes(read.affine), (step, pixel, pixel), rtol=1e-4)
    lps_first_pixel = np.array([5.0, -3.0, 40.0])
    np.testing.assert_allclose(read.affine[:3, 3], lps_first_pixel * [-1, -1, 1], atol=1e-5)
    if abs(angle) > 5 and axis != "x":  # a rotation that mixes the in-plane axes
        assert not np.allclose(np.abs(np.diag(read.affine)[1:3]), (pixel, pixel), rtol=1e-2)


def test_the_phantoms_landmark_lies_on_the_patients_left_negative_x_in_ras_positive_in_lps(tmp_path):
    volume = scans.chest_phantom()
    origin = (-(volume.shape[2] - 1) / 2, -(volume.shape[1] - 1) / 2, 0.0)  # the field centred on the axis
    scans.write_dicom_series(volume, tmp_path / "chest", spacing=(2.5, 1.0, 1.0), origin=origin)
    read = scans.read_dicom_series(tmp_path / "chest")
    landmark = np.argwhere(read.image == scans.PHANTOM_HU["landmark"]).mean(axis=0)
    x_ras = apply_affine(read.affine, landmark)[0]
    x_lps = apply_affine(scans.LPS_TO_RAS @ read.affine, landmark)[0]  # the flip is its own inverse
    assert x_ras < -5 and x_lps > 5


def test_missing_positions_are_refused_naming_the_file_and_the_tag(tmp_path):
    written = scans.write_dicom_series(scans.chest_phantom(slices=3, size=8), tmp_path / "s")
    dataset = pydicom.dcmread(written[1])
    del dataset.ImagePositionPatient
    dataset.save_as(written[1])
    with pytest.raises(ValueError, match=rf"{written[1].name} lacks ImagePositionPatient \(0020,0032\)"):
        scans.read_dicom_series(written)


def test_two_slices_at_one_position_are_refused_as_several_echoes_or_phases(tmp_path):
    written = scans.write_dicom_series(scans.chest_phantom(slices=3, size=8), tmp_path / "s")
    first, second = pydicom.dcmread(written[0]), pydicom.dcmread(written[1])
    second.ImagePositionPatient = first.ImagePositionPatient
    second.save_as(written[1])
    with pytest.raises(ValueError, match="lie at the same position"):
        scans.read_dicom_series(written)


def test_slices_of_different_sizes_are_refused(tmp_path):
    small = scans.write_dicom_series(scans.chest_phantom(slices=2, size=8), tmp_path / "small")
    large = scans.write_dicom_series(scans.chest_phantom(slices=2, size=10), tmp_path / "large",
                                     origin=(0, 0, 5.0))
    dataset = pydicom.dcmread(large[0])
    dataset.SeriesInstanceUID = pydicom.dcmread(small[0]).SeriesInstanceUID  # one series, two sizes
    dataset.save_as(large[0])
    with pytest.raises(ValueError, match="the slices differ in shape"):
        scans.read_dicom_series([small[0], large[0]])


@pytest.mark.parametrize(("paths", "error", "message"), [
    ("not/a/folder", FileNotFoundError, "no such file"),
    (42, TypeError, "paths must be a folder or a list of DICOM files"),
])
def test_bad_paths_are_named(paths, error, message):
    with pytest.raises(error, match=message):
        scans.read_dicom_series([paths] if isinstance(paths, str) else paths)


def test_one_file_or_an_empty_folder_is_not_a_series(tmp_path):
    written = scans.write_dicom_series(scans.chest_phantom(slices=2, size=8), tmp_path / "s")
    with pytest.raises(ValueError, match="at least two slices"):
        scans.read_dicom_series(written[:1])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no files"):
        scans.read_dicom_series(tmp_path / "empty")


def test_write_dicom_series_never_writes_into_a_folder_that_holds_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="is not empty"):
        scans.write_dicom_series(scans.chest_phantom(slices=2, size=8), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_write_dicom_series_refuses_a_volume_that_is_not_three_dimensional(tmp_path):
    with pytest.raises(ValueError, match=r"volume_hu must be a 3-D array"):
        scans.write_dicom_series(np.zeros((4, 4)), tmp_path / "s")
