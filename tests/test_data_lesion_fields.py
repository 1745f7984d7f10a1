"""Specification of load_dataset("lesions", detection=True): fields holding 0-k lesions with their boxes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from scipy import ndimage

from medcourse.data import load_dataset
from medcourse.data.generators import lesion_fields, lesions
from medcourse.data.objects import ObjectLabels

SMALL = {"train_size": 300, "val_size": 40, "test_size": 40}
# sha256 of lesion_fields.generate(12, seed=4, split="test"): images, then the objects and offsets.
EXPECTED_DIGEST = "c2015918a081efe6bd429bd351086a9500845dbfcb57957823a4901edfb49402"


def test_default_fields_are_a_detection_dataset_of_64_pixel_fields_with_object_labels():
    data = load_dataset("lesions", detection=True)
    assert data.task == "detection"
    assert data.classes == ("solid nodule", "cyst", "calcification", "irregular mass")
    assert [len(images) for images, _ in data.splits().values()] == [1000, 200, 400]
    for images, labels in data.splits().values():
        assert images.dtype == np.uint8 and images.shape[1:] == (64, 64)
        assert isinstance(labels, ObjectLabels) and len(labels) == len(images)
    assert data.info["max_lesions"] == 3 and data.licence == "CC0 / generated"


def test_fields_hold_zero_to_k_lesions_of_every_kind():
    labels = load_dataset("lesions", detection=True, **SMALL).train[1]
    counts = np.bincount(labels.counts, minlength=4)
    assert counts.size == 4 and counts.min() > 50  # 0, 1, 2 and 3 lesions, about a quarter each
    kinds = np.bincount(labels.values[:, 4].astype(int), minlength=4)
    assert kinds.min() > 0.8 * kinds.mean()
    more = load_dataset("lesions", detection=True, max_lesions=6, size=96, **SMALL).train[1]
    assert more.counts.max() == 6 and more.counts.mean() > labels.counts.mean() + 1


def test_each_box_is_the_box_of_its_lesion_mask_and_masks_never_touch():
    images, labels, instances = lesion_fields.generate(150, seed=1, split="train", instance_masks=True)
    for index in range(len(images)):
        for number, (row, col, height, width, _) in enumerate(labels[index], start=1):
            rows = np.flatnonzero((instances[index] == number).any(axis=1))
            cols = np.flatnonzero((instances[index] == number).any(axis=0))
            assert (row, height) == ((rows[0] + rows[-1]) / 2, rows[-1] - rows[0] + 1)
            assert (col, width) == ((cols[0] + cols[-1]) / 2, cols[-1] - cols[0] + 1)
        assert instances[index].max() == labels.counts[index]
        for number in range(1, labels.counts[index] + 1):
            grown = ndimage.binary_dilation(instances[index] == number, iterations=1)
            assert set(np.unique(instances[index][grown])) <= {0, number}


def test_lesions_look_like_their_kind_inside_their_boxes():
    images, labels = lesion_fields.generate(200, seed=2, split="val", difficulty="easy")
    contrast = {kind: [] for kind in range(4)}
    for image, objects in zip(images, labels, strict=True):
        background = np.median(image)
        for row, col, height, width, kind in objects:
            top, left = int(row - height / 2 + 0.5), int(col - width / 2 + 0.5)
            patch = image[top:top + int(height), left:left + int(width)].astype(float)
            contrast[int(kind)].append((patch.max() - background, background - patch.min()))
    bright = {kind: np.mean([c[0] for c in values]) for kind, values in contrast.items()}
    dark = {kind: np.mean([c[1] for c in values]) for kind, values in contrast.items()}
    assert dark[1] > dark[0] + 20      # cysts are dark holes
    assert bright[0] > 60 and bright[3] > 60 and bright[2] > 80  # nodules, masses, calcifications bright


def test_fields_match_the_recorded_fingerprint_and_splits_differ():
    images, labels = lesion_fields.generate(12, seed=4, split="test")
    digest = hashlib.sha256(images.tobytes() + labels.values.astype("<f4").tobytes()
                            + labels.offsets.astype("<i8").tobytes()).hexdigest()
    assert digest == EXPECTED_DIGEST
    other, _ = lesion_fields.generate(12, seed=4, split="val")
    assert not np.array_equal(images, other)


@pytest.mark.parametrize("kind", [1, 2, 3, 4])
@pytest.mark.parametrize("grow", [0.8, 1.0, 1.2])
def test_reach_bounds_how_far_each_painted_lesion_extends_from_its_centre(kind, grow):
    rng = np.random.default_rng(kind)
    count, size = 400, 48
    images = np.zeros((count, size, size))
    cx, cy = 23.3 + rng.random(count), 24.1 + rng.random(count)
    masks = lesions.PAINTERS[kind](np.random.default_rng(7), images, cx, cy, 1.0, grow, 1.0)
    rows, cols = np.indices((size, size))
    distance = np.sqrt((rows - cy[:, None, None]) ** 2 + (cols - cx[:, None, None]) ** 2)
    farthest = np.where(masks, distance, 0).max(axis=(1, 2))
    assert farthest.max() <= lesion_fields.reach(kind, grow)
    assert farthest.max() > 0.6 * lesion_fields.reach(kind, grow)  # a bound, not a wild overestimate


@pytest.mark.parametrize(("options", "message"), [
    ({"detection": True, "masks": True}, "cannot be combined with masks=True"),
    ({"detection": True, "binary": True}, "cannot be combined with binary=True"),
    ({"max_lesions": 2}, "max_lesions applies only to detection fields"),
    ({"detection": True, "max_lesions": 0}, r"max_lesions must be an integer in \[1, 8\]"),
    ({"detection": True, "size": 28}, r"size must be an integer in \[32, 128\]"),
    ({"detection": "yes"}, "detection must be True or False"),
    ({"detection": True, "boxes": True}, r"unknown option\(s\) \['boxes'\] for dataset 'lesions'"),
])
def test_bad_field_options_are_refused_with_a_message_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("lesions", **options)
