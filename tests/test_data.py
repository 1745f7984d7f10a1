"""Both frameworks' ``batches`` and ``to_tensor``: the same samples in the same order, each in its own layout."""

from __future__ import annotations

import numpy as np
import pytest
from twins import load_twin, tiny_segmentation

from medcourse.data import load_dataset

SMALL = {"train_size": 150, "val_size": 40, "test_size": 40}


def _epochs(pipeline, count):
    return [[(np.asarray(x), np.asarray(y)) for x, y in pipeline] for _ in range(count)]


def _channels_last(twin, images: np.ndarray) -> np.ndarray:
    return np.moveaxis(images, -3, -1) if twin.channels_first else images


@pytest.mark.parametrize("augment", [False, True])
def test_both_frameworks_see_the_same_samples_in_the_same_order(augment):
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    data = load_dataset("lesions", **SMALL)
    torch_epochs = _epochs(pytorch.package.batches(data, batch_size=32, seed=4, augment=augment), 2)
    tf_epochs = _epochs(tensorflow.package.batches(data, batch_size=32, seed=4, augment=augment), 2)
    for torch_batches, tf_batches in zip(torch_epochs, tf_epochs, strict=True):
        assert len(torch_batches) == len(tf_batches) == 5
        for (x_nchw, y_torch), (x_nhwc, y_tf) in zip(torch_batches, tf_batches, strict=True):
            np.testing.assert_array_equal(x_nchw.transpose(0, 2, 3, 1), x_nhwc)
            np.testing.assert_array_equal(y_torch, y_tf)
    first, second = (np.concatenate([y for _, y in epoch]) for epoch in torch_epochs)
    assert not np.array_equal(first, second)  # a new order each epoch …
    assert sorted(first) == sorted(second) == sorted(data.train[1])  # … of the same samples
    again = _epochs(pytorch.package.batches(data, batch_size=32, seed=4, augment=augment), 1)[0]
    assert np.array_equal(np.concatenate([y for _, y in again]), first)  # reproducible


def test_test_batches_are_float32_in_unit_range_with_int64_labels_in_stored_order(twin):
    data = load_dataset("lesions", **SMALL)
    pipeline = twin.package.batches(data, "test", batch_size=16)
    images, labels = (np.asarray(a) for a in next(iter(pipeline)))
    assert images.shape == ((16, 1, 28, 28) if twin.channels_first else (16, 28, 28, 1))
    assert images.dtype == np.float32 and labels.dtype == np.int64
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_allclose(_channels_last(twin, images)[..., 0] * 255, data.test[0][:16], atol=1e-3)
    assert len(pipeline) == 3


def test_regression_sequences_have_float32_targets(twin):
    data = load_dataset("cine", train_size=20, val_size=8, test_size=8)
    images, targets = (np.asarray(a) for a in next(iter(twin.package.batches(data, "val", batch_size=8))))
    assert images.shape == ((8, 20, 1, 32, 32) if twin.channels_first else (8, 20, 32, 32, 1))
    assert targets.dtype == np.float32
    np.testing.assert_allclose(_channels_last(twin, images)[..., 0] * 255, data.val[0], atol=1e-3)


def test_segmentation_masks_move_with_their_images_when_augmented(twin):
    data = tiny_segmentation()
    for images, masks in twin.package.batches(data, batch_size=8, seed=1, augment={"intensity_jitter": 0}):
        images, masks = _channels_last(twin, np.asarray(images))[..., 0], np.asarray(masks)
        assert masks.dtype == np.int64 and set(np.unique(masks)) <= {0, 1, 2}
        bright = images > (150 + 30) / 255  # the square's pixels stay bright after the move
        assert np.mean(masks[bright] == 1) > 0.9


def test_to_tensor_scales_uint8_to_the_asked_range_in_the_framework_layout(twin):
    images = np.array([[[0, 255], [51, 204]]], dtype=np.uint8)
    unit = twin.numpy(twin.package.to_tensor(images))
    tanh = twin.numpy(twin.package.to_tensor(images, value_range=(-1.0, 1.0)))
    assert unit.shape == ((1, 1, 2, 2) if twin.channels_first else (1, 2, 2, 1)) and unit.dtype == np.float32
    np.testing.assert_allclose(unit.ravel(), [0.0, 1.0, 0.2, 0.8], atol=1e-7)
    np.testing.assert_allclose(tanh.ravel(), [-1.0, 1.0, -0.6, 0.6], atol=1e-6)
    with pytest.raises(TypeError, match="uint8"):
        twin.package.to_tensor(images.astype(np.float32))


def test_batches_accept_an_images_labels_pair(twin):
    images = np.zeros((10, 8, 8), dtype=np.uint8)
    assert sum(len(y) for _, y in twin.package.batches((images, np.arange(10)), batch_size=4)) == 10


def test_batches_refuse_bad_arguments_with_a_clear_message(twin):
    data = load_dataset("lesions", **SMALL)
    with pytest.raises(ValueError, match="split must be one of"):
        twin.package.batches(data, "validation")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        twin.package.batches(data, batch_size=0)
    with pytest.raises(ValueError, match="data must be a medcourse Dataset"):
        twin.package.batches("lesions")
