"""Specification of load_dataset("hippocampus"): real MRI slices, segmented, split by patient, stackable."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from medcourse.data import hippocampus, load_dataset, shipped
from medcourse.data.shipped import ShippedDataError


@pytest.fixture(scope="module")
def data():
    return load_dataset("hippocampus")


def test_hippocampus_is_a_segmentation_dataset_of_uint8_sagittal_slices(data):
    assert data.task == "segmentation" and data.classes == ("background", "anterior", "posterior")
    for images, masks in data.splits().values():
        assert images.dtype == np.uint8 and images.shape[1:] == (48, 64)
        assert masks.dtype == np.uint8 and masks.shape == images.shape
        assert set(np.unique(masks)) == {0, 1, 2}
    assert data.licence == "CC BY-SA 4.0" and "Decathlon" in data.citation
    assert "CC BY-SA 4.0" in data.info["licence_text"] and "percentiles" in data.info["derivation"]
    assert data.info["spacing_mm"] == (1.0, 1.0, 1.0)


def test_no_patient_has_slices_in_two_splits_and_every_slice_names_its_patient(data):
    patients = {split: set(data.info["patients"][split].tolist()) for split in ("train", "val", "test")}
    assert [len(patients[split]) for split in ("train", "val", "test")] == [60, 15, 25]
    assert not (patients["train"] & patients["val"] or patients["train"] & patients["test"]
                or patients["val"] & patients["test"])
    for split, (images, _) in data.splits().items():
        of_slice = data.info["patient"][split]
        assert len(of_slice) == len(images) and set(of_slice.tolist()) == patients[split]


def test_each_patient_is_one_contiguous_slab_holding_the_whole_hippocampus_and_empty_ends(data):
    for split, (_, masks) in data.splits().items():
        for patient in data.info["patients"][split].tolist():
            chosen = np.flatnonzero(data.info["patient"][split] == patient)
            positions = data.info["slice"][split][chosen]
            first, stop = data.info["slab"][patient]
            np.testing.assert_array_equal(positions, np.arange(first, stop))
            labelled = masks[chosen].reshape(len(chosen), -1).any(axis=1)
            assert labelled[1:-1].all()  # the hippocampus is in every slice but the ends
            sagittal_slices = data.info["volume_shape"][patient][0]
            assert not labelled[0] or first == 0
            assert not labelled[-1] or stop == sagittal_slices


def test_both_structures_are_present_in_every_patient_and_balanced_in_every_split(data):
    for split, (_, masks) in data.splits().items():
        counts = np.bincount(masks.ravel(), minlength=3) / masks.size
        assert 0.02 < counts[1] + counts[2] < 0.08  # a small structure: about 4-5 % of the pixels
        assert 0.7 < counts[1] / counts[2] < 1.4
        for patient in data.info["patients"][split].tolist():
            patient_masks = masks[data.info["patient"][split] == patient]
            assert {1, 2} <= set(np.unique(patient_masks))


def test_slices_stack_back_into_each_patients_volume_with_plausible_hippocampal_volumes(data):
    for split in ("train", "val", "test"):
        images = getattr(data, split)[0]
        stacked = hippocampus.volumes(data, split)
        assert [volume.patient for volume in stacked] == data.info["patients"][split].tolist()
        assert sum(len(volume.image) for volume in stacked) == len(images)
        for volume in stacked:
            _, cols, rows = data.info["volume_shape"][volume.patient]
            assert volume.image.shape == volume.truth.shape == (len(volume.slices), rows, cols)
            assert volume.predicted is None
            millilitres = (volume.truth > 0).sum() * np.prod(volume.spacing_mm) / 1000
            assert 1.5 < millilitres < 6.0  # one adult hippocampus is about 3-4 mL
    # What lies outside a volume's own extent in the 48×64 frame is padding: zero, and cut off again.
    outside = np.ones((48, 64), bool)
    first = stacked[0]
    top, left = data.info["frame_offset"][first.patient]
    outside[top:top + first.image.shape[1], left:left + first.image.shape[2]] = False
    chosen = data.info["patient"]["test"] == first.patient
    assert not data.test[0][chosen][:, outside].any() and not data.test[1][chosen][:, outside].any()


def test_predictions_stack_back_like_the_truth_from_class_indices_or_probabilities(data):
    masks = data.test[1]
    from_indices = hippocampus.volumes(data, "test", predicted=masks)
    probabilities = np.eye(3, dtype=np.float32)[masks]
    from_probabilities = hippocampus.volumes(data, "test", predicted=probabilities)
    for a, b in zip(from_indices, from_probabilities, strict=True):
        np.testing.assert_array_equal(a.predicted, a.truth)
        np.testing.assert_array_equal(b.predicted, a.truth)
    with pytest.raises(ValueError, match=r"predicted must be class indices shaped \(603, 48, 64\)"):
        hippocampus.volumes(data, "test", predicted=masks[:10])
    with pytest.raises(ValueError, match="split must be 'train', 'val' or 'test'"):
        hippocampus.volumes(data, "validation")


def test_intensities_span_the_display_range_per_patient(data):
    images = data.train[0]
    for patient in data.info["patients"]["train"].tolist()[:20]:
        slab = images[data.info["patient"]["train"] == patient]
        assert slab.max() == 255 and np.percentile(slab[slab > 0], 50) > 40


def test_loading_twice_gives_the_same_read_only_arrays(data):
    again = load_dataset("hippocampus")
    for (images, masks), (same_images, same_masks) in zip(data.splits().values(), again.splits().values(),
                                                          strict=True):
        np.testing.assert_array_equal(images, same_images)
        np.testing.assert_array_equal(masks, same_masks)
    with pytest.raises(ValueError, match="read-only"):
        again.train[1][0, 0, 0] = 1
    again.info["patient"]["train"] = None
    assert load_dataset("hippocampus").info["patient"]["train"] is not None


def test_hippocampus_refuses_options_it_does_not_know():
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['size'\] for dataset 'hippocampus'; it takes none"):
        load_dataset("hippocampus", size=64)


def test_an_altered_or_truncated_shipped_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    (copy / "hippocampus").mkdir(parents=True)
    (copy / "README.md").write_text("test copy")
    original = shipped.shipped_file(hippocampus.FILE)
    target = copy / hippocampus.FILE
    shutil.copyfile(original, target)
    with open(target, "r+b") as stream:
        stream.truncate(target.stat().st_size // 2)
    monkeypatch.setattr(shipped, "_candidates", lambda: [copy])
    expected = shipped.SHIPPED_MD5[hippocampus.FILE]
    with pytest.raises(ShippedDataError, match=rf"has MD5 .*, expected {expected}: it is not the file the course ships"):
        load_dataset("hippocampus")
    with pytest.raises(ShippedDataError, match="truncated or corrupt"):
        load_dataset("hippocampus", verify=False)
