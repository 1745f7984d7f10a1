"""Specification of load_dataset("bccd"): real blood smears at 160×120 with cleaned cell boxes."""

from __future__ import annotations

import numpy as np
import pytest

from medcourse.data import bccd, load_dataset
from medcourse.data.objects import ObjectLabels

ORIGINAL_BOXES = 4888  # the published count of BCCD's Pascal VOC boxes (RBC, WBC, Platelets)


@pytest.fixture(scope="module")
def data():
    return load_dataset("bccd")


def test_bccd_is_a_detection_dataset_of_rgb_smears_in_its_own_split(data):
    assert data.task == "detection" and data.classes == ("RBC", "WBC", "Platelets")
    assert [len(images) for images, _ in data.splits().values()] == [205, 87, 72]
    for images, boxes in data.splits().values():
        assert images.dtype == np.uint8 and images.shape[1:] == (120, 160, 3)
        assert isinstance(boxes, ObjectLabels) and len(boxes) == len(images)
        assert images.reshape(len(images), -1).std(axis=1).min() > 10  # decoded photographs, not blanks
    names = [name for split in ("train", "val", "test") for name in data.info["image_names"][split].tolist()]
    assert len(names) == len(set(names)) == 364 and all(name.startswith("BloodImage_") for name in names)
    assert data.licence.startswith("MIT") and "Permission is hereby granted" in data.info["licence_text"]


def test_boxes_lie_in_the_image_and_are_sized_like_their_cells(data):
    sizes = {kind: [] for kind in range(3)}
    for images, boxes in data.splits().values():
        values = boxes.values
        assert np.all(values[:, 2:4] > 0)
        for index in range(len(boxes)):
            top, left, bottom, right = boxes.boxes(index).T
            assert np.all(top >= -0.5) and np.all(left >= -0.5)
            assert np.all(bottom <= images.shape[1] - 0.5) and np.all(right <= images.shape[2] - 0.5)
        for row in values:
            sizes[int(row[4])].append(max(row[2], row[3]))
    rbc, wbc, platelets = (np.median(sizes[kind]) for kind in range(3))
    assert platelets < rbc < wbc  # platelets about 10 px, red cells about 27 px, white cells about 45 px
    assert max(sizes[2]) <= 100 / 4 and min(sizes[1]) >= 60 / 4  # the size rules of the cleaning hold


def test_every_change_of_the_cleaning_is_recorded_and_accounts_for_the_original_count(data):
    objects = sum(len(boxes.values) for _, boxes in data.splits().values())
    changes = data.info["changes"]
    removed = [change for change in changes if change["change"].startswith("removed")]
    relabelled = [change for change in changes if change["change"].startswith("relabelled")]
    assert objects + len(removed) == ORIGINAL_BOXES
    assert len(removed) + len(relabelled) == len(changes)
    assert {change["image"] for change in changes if "zero-size" in change["change"]} == \
        {"BloodImage_00338", "BloodImage_00343"}
    assert {(change["image"], change["change"].split(":")[0]) for change in relabelled} >= \
        {("BloodImage_00133", "relabelled WBC"), ("BloodImage_00113", "relabelled Platelets")}


def test_images_whose_red_cells_were_never_annotated_are_flagged(data):
    for split, (_, boxes) in data.splits().items():
        flagged = data.info["rbc_annotated"][split]
        rbc = np.array([np.sum(boxes.classes(index) == 0) for index in range(len(boxes))])
        assert np.all(rbc[~flagged] < 3) and np.all(rbc[flagged] >= 3)
    assert sum(int((~flags).sum()) for flags in data.info["rbc_annotated"].values()) < 20


def test_nearly_every_smear_shows_one_white_cell_and_about_a_dozen_red_cells(data):
    _, boxes = data.train
    wbc = np.array([np.sum(boxes.classes(index) == 1) for index in range(len(boxes))])
    rbc = np.array([np.sum(boxes.classes(index) == 0) for index in range(len(boxes))])
    assert np.mean(wbc == 1) > 0.9 and 8 < np.median(rbc) < 16


def test_decoding_is_repeatable_and_the_arrays_are_read_only(data):
    again = load_dataset("bccd")
    np.testing.assert_array_equal(again.test[0], data.test[0])
    assert again.test[1] == data.test[1]
    with pytest.raises(ValueError, match="read-only"):
        again.test[0][0, 0, 0, 0] = 0


def test_jpegs_stored_back_to_back_decode_into_one_array():
    import io

    from PIL import Image

    chunks = []
    for colour in ((200, 30, 40), (20, 180, 90)):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 8), colour).save(buffer, format="JPEG", quality=95)
        chunks.append(np.frombuffer(buffer.getvalue(), np.uint8))
    offsets = np.cumsum([0] + [len(chunk) for chunk in chunks])
    images = bccd.decode_jpegs(np.concatenate(chunks), offsets)
    assert images.shape == (2, 8, 10, 3) and images.dtype == np.uint8
    np.testing.assert_allclose(images[1].reshape(-1, 3).mean(axis=0), (20, 180, 90), atol=3)


def test_bccd_refuses_options_it_does_not_know():
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['size'\] for dataset 'bccd'; it takes none"):
        load_dataset("bccd", size=320)
