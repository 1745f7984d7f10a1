"""Specification of the embedded "lesions" dataset and of load_dataset's handling of options."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from medcourse.data import Dataset, load_dataset
from medcourse.data.generators import lesions

SMALL = {"train_size": 200, "val_size": 50, "test_size": 100}
# sha256 of load_dataset("lesions", seed=0, train_size=16, val_size=8, test_size=8), see the fingerprint test.
EXPECTED_DIGEST = "e62868ff2f91d86a3b3f3eaf344bf10ee08c630c0fed3cd9bf2b951cf532a645"


def _digest(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    for images, labels in dataset.splits().values():
        digest.update(images.tobytes())
        digest.update(labels.astype("<i8").tobytes())
    return digest.hexdigest()


def test_default_lesions_has_the_documented_shapes_types_and_provenance():
    data = load_dataset("lesions")
    assert isinstance(data, Dataset)
    assert [len(data.train[0]), len(data.val[0]), len(data.test[0])] == [5000, 1000, 2000]
    for images, labels in data.splits().values():
        assert images.dtype == np.uint8 and images.shape[1:] == (28, 28)
        assert labels.dtype == np.int64 and labels.shape == (len(images),)
    assert data.task == "multiclass"
    assert data.classes == ("no lesion", "solid nodule", "cyst", "calcification", "irregular mass")
    assert data.licence == "CC0 / generated"
    assert "medcourse" in data.citation and "not real patients" in data.description


def test_lesion_classes_are_balanced_and_all_present_in_every_split():
    data = load_dataset("lesions")
    for _, labels in data.splits().values():
        counts = np.bincount(labels, minlength=5)
        assert counts.min() == counts.max() or counts.max() - counts.min() <= 1


def test_same_seed_and_options_give_byte_identical_arrays_across_processes():
    here = _digest(load_dataset("lesions", seed=7, **SMALL))
    lesions_cache = load_dataset.__globals__["_lesions"]
    lesions_cache.cache_clear()
    assert _digest(load_dataset("lesions", seed=7, **SMALL)) == here
    code = ("from medcourse.data import load_dataset; import hashlib, numpy as np\n"
            "d = load_dataset('lesions', seed=7, train_size=200, val_size=50, test_size=100)\n"
            "h = hashlib.sha256()\n"
            "for x, y in d.splits().values(): h.update(x.tobytes()); h.update(y.astype('<i8').tobytes())\n"
            "print(h.hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == here


def test_lesions_match_the_recorded_fingerprint_so_every_machine_gets_the_same_pixels():
    # Only uniform draws and exactly rounded arithmetic go into the pixels, so this digest is the
    # same on every CPU and NumPy ≥ 2. If you change the generator on purpose, update it here.
    data = load_dataset("lesions", seed=0, train_size=16, val_size=8, test_size=8)
    assert _digest(data) == EXPECTED_DIGEST


def test_different_seeds_give_different_images():
    first = load_dataset("lesions", seed=1, **SMALL).train[0]
    second = load_dataset("lesions", seed=2, **SMALL).train[0]
    assert not np.array_equal(first, second)


def test_splits_are_different_images():
    data = load_dataset("lesions", **SMALL)
    assert not np.array_equal(data.train[0][:50], data.val[0][:50])
    assert not np.array_equal(data.val[0][:50], data.test[0][:50])


def test_cached_arrays_are_read_only_and_shared():
    first = load_dataset("lesions", **SMALL)
    second = load_dataset("lesions", **SMALL)
    assert first.train[0] is second.train[0]
    with pytest.raises(ValueError, match="read-only"):
        first.train[0][0, 0, 0] = 1
    first.info["mine"] = True
    assert "mine" not in second.info



def test_binary_option_gives_a_balanced_lesion_versus_no_lesion_task():
    data = load_dataset("lesions", binary=True, **SMALL)
    assert data.task == "binary" and data.classes == ("no lesion", "lesion")
    assert set(np.unique(data.train[1])) == {0, 1}
    assert abs(data.train[1].mean() - 0.5) < 0.01


def test_size_option_gives_larger_patches():
    data = load_dataset("lesions", size=64, train_size=10, val_size=5, test_size=5)
    assert data.train[0].shape == (10, 64, 64)


def _class_mean_contrast(images, labels, kind):
    centre = images[:, 9:19, 9:19].astype(float).max(axis=(1, 2)) - np.median(images, axis=(1, 2))
    return centre[labels == kind].mean()


def test_lesions_look_like_their_class_bright_nodules_dark_cysts_very_bright_calcifications():
    images, labels = load_dataset("lesions", **SMALL).train
    median = np.median(images.reshape(len(images), -1), axis=1)
    centre = images[:, 7:21, 7:21].reshape(len(images), -1).astype(float)
    darkest = median - centre.min(axis=1)
    brightest = centre.max(axis=1)
    assert darkest[labels == 2].mean() > darkest[labels == 0].mean() + 20  # cysts are dark holes
    assert brightest[labels == 3].mean() > brightest[labels == 0].mean() + 40  # calcifications are very bright
    assert brightest[labels == 1].mean() > brightest[labels == 0].mean() + 20  # nodules are bright


def test_difficulty_controls_contrast():
    easy = load_dataset("lesions", difficulty="easy", **SMALL).train
    hard = load_dataset("lesions", difficulty="hard", **SMALL).train
    assert _class_mean_contrast(*easy, 1) > _class_mean_contrast(*hard, 1) + 20
    assert load_dataset("lesions", difficulty=0.5, **SMALL).train[0] is load_dataset("lesions", **SMALL).train[0]


@pytest.mark.parametrize(("options", "message"), [
    ({"difficulty": "medium"}, "difficulty must be one of"),
    ({"difficulty": 1.5}, r"difficulty must be in \[0, 1\]"),
    ({"size": 8}, "size must be an integer in"),
    ({"train_size": 0}, "train_size must be an integer in"),
    ({"seed": -1}, "seed must be an integer"),
    ({"binary": "yes"}, "binary must be True or False"),
    ({"colour": True}, r"unknown option\(s\) \['colour'\] for dataset 'lesions'"),
])
def test_bad_options_are_refused_with_a_message_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("lesions", **options)


def test_unknown_dataset_name_lists_what_exists():
    with pytest.raises(ValueError, match=r"lesions.*cine.*got 'mnist'"):
        load_dataset("mnist")


def test_generator_draws_only_from_its_own_stream():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    lesions.generate(10, seed=0, split="train")
    assert np.random.random() == before


def test_importing_medcourse_data_does_not_import_a_framework():
    code = ("import sys, medcourse.data, medcourse.data.transforms\n"
            "medcourse.data.load_dataset('lesions', train_size=5, val_size=5, test_size=5)\n"
            "print(sorted({'torch', 'tensorflow'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- masks=True: the same patches, labelled pixel by pixel -------------------------------------------

# sha256 of load_dataset("lesions", masks=True, seed=0, train_size=16, val_size=8, test_size=8).
EXPECTED_MASKS_DIGEST = "c7712c1501013efb6e4cb8486f5e801ba046a500bb1679be39aa26441a976b31"


def test_masks_option_gives_a_segmentation_dataset_of_the_very_same_images():
    patches = load_dataset("lesions", **SMALL)
    masked = load_dataset("lesions", masks=True, **SMALL)
    assert masked.task == "segmentation"
    assert masked.classes == ("background", "solid nodule", "cyst", "calcification", "irregular mass")
    for (images, labels), (same_images, masks) in zip(patches.splits().values(), masked.splits().values(),
                                                      strict=True):
        np.testing.assert_array_equal(images, same_images)
        assert masks.dtype == np.uint8 and masks.shape == images.shape
        # One index per lesion kind: each patch's mask holds its own label and nothing else.
        assert np.array_equal(masks.max(axis=(1, 2)), labels)
        assert np.all((masks == 0) | (masks == labels[:, None, None]))


def test_every_lesion_has_a_mask_sized_like_its_kind_and_lesion_free_patches_have_none():
    _, labels = load_dataset("lesions", **SMALL).train
    masks = load_dataset("lesions", masks=True, **SMALL).train[1]
    area = (masks > 0).sum(axis=(1, 2))
    assert np.all(area[labels == 0] == 0) and np.all(area[labels > 0] > 0)
    mean = {kind: area[labels == kind].mean() for kind in range(1, 5)}
    assert mean[3] < 8 < mean[1] < mean[2] and mean[1] < mean[4]  # calcifications are a few pixels


def test_the_mask_follows_the_drawn_lesion_bright_nodules_and_dark_cysts():
    images, _ = load_dataset("lesions", **SMALL).train
    masks = load_dataset("lesions", masks=True, **SMALL).train[1]
    for kind, brighter in ((1, True), (2, False), (4, True)):
        chosen = masks.max(axis=(1, 2)) == kind
        inside = np.array([image[mask > 0].mean() for image, mask in zip(images[chosen], masks[chosen], strict=True)])
        outside = np.array([image[mask == 0].mean() for image, mask in zip(images[chosen], masks[chosen], strict=True)])
        assert np.all(inside > outside + 20) if brighter else np.mean(inside < outside) > 0.95


def test_binary_masks_have_one_foreground_class_and_half_the_patches_empty():
    data = load_dataset("lesions", masks=True, binary=True, **SMALL)
    assert data.classes == ("background", "lesion")
    masks = data.train[1]
    assert set(np.unique(masks)) == {0, 1}
    assert abs((masks.max(axis=(1, 2)) == 0).mean() - 0.5) < 0.01


def test_masks_match_the_recorded_fingerprint():
    data = load_dataset("lesions", masks=True, seed=0, train_size=16, val_size=8, test_size=8)
    digest = hashlib.sha256()
    for images, masks in data.splits().values():
        digest.update(images.tobytes())
        digest.update(masks.tobytes())
    assert digest.hexdigest() == EXPECTED_MASKS_DIGEST


def test_generator_returns_masks_only_when_asked_and_the_same_images_either_way():
    plain = lesions.generate(30, seed=2, split="val", size=40, difficulty="hard")
    with_masks = lesions.generate(30, seed=2, split="val", size=40, difficulty="hard", masks=True)
    assert len(plain) == 2 and len(with_masks) == 3
    np.testing.assert_array_equal(plain[0], with_masks[0])
    np.testing.assert_array_equal(plain[1], with_masks[1])
