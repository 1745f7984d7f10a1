"""Specification of the shared NumPy pipeline: scale, augment, batch_order and batches."""

from __future__ import annotations

import numpy as np
import pytest

from medcourse.data.transforms import (
    augment,
    batch_count,
    batch_order,
    batches,
    label_dtype,
    sample_layout,
    scale,
)


def test_scale_maps_uint8_to_unit_range_and_adds_a_channel_axis():
    grey = np.array([[[0, 51], [204, 255]]], dtype=np.uint8)
    scaled = scale(grey)
    assert scaled.dtype == np.float32 and scaled.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(scaled[0, :, :, 0], [[0.0, 0.2], [0.8, 1.0]], atol=1e-7)


@pytest.mark.parametrize(("shape", "expected"), [
    ((5, 28, 28), (5, 28, 28, 1)),
    ((5, 28, 28, 3), (5, 28, 28, 3)),
    ((5, 20, 32, 32), (5, 20, 32, 32, 1)),
    ((5, 28, 28, 28), (5, 28, 28, 28, 1)),
])
def test_scale_layouts_follow_the_sample_layout(shape, expected):
    images = np.zeros(shape, dtype=np.uint8)
    assert scale(images, layout=sample_layout(images)).shape == expected
    first = scale(images, layout=sample_layout(images, "first"))
    assert first.shape == (*expected[:-3], expected[-1], *expected[-3:-1])


def test_scale_maps_onto_any_value_range_and_moves_channels_first():
    images = np.array([[[0, 255]], [[51, 102]]], dtype=np.uint8)[..., None].repeat(3, axis=-1)  # N×1×2×3 colour
    scaled = scale(images, value_range=(-1, 1), layout="NCHW")
    assert scaled.shape == (2, 3, 1, 2)
    np.testing.assert_allclose(scaled[:, 0, 0], [[-1.0, 1.0], [-0.6, -0.2]], atol=1e-6)


@pytest.mark.parametrize(("images", "options", "error", "message"), [
    (np.zeros((2, 4, 4), dtype=np.int32), {}, TypeError, "images must be uint8"),
    (np.zeros((2, 4, 4), dtype=np.float32), {}, TypeError, "scaled twice"),
    (np.zeros((2, 4, 4), dtype=np.uint8), {"layout": "HWC"}, ValueError, "layout must be one of"),
    (np.zeros((2, 4, 4), dtype=np.uint8), {"value_range": (1, 0)}, ValueError, "low < high"),
    (np.zeros((2, 4, 4, 7), dtype=np.uint8), {"layout": "NHWC"}, ValueError, "N×H×W or N×H×W×C"),
    (np.zeros((2, 4, 4), dtype=np.uint8), {"layout": "NTHWC"}, ValueError, "N×T×H×W"),
])
def test_scale_refuses_what_it_cannot_scale_honestly(images, options, error, message):
    with pytest.raises(error, match=message):
        scale(images, **options)


def test_augment_is_reproducible_and_keeps_shape_and_range():
    rng_images = np.random.default_rng(0)
    images = scale(rng_images.integers(0, 256, (8, 28, 28), dtype=np.uint8))
    first = augment(images, np.random.default_rng(1))
    second = augment(images, np.random.default_rng(1))
    third = augment(images, np.random.default_rng(2))
    assert first.shape == images.shape and first.dtype == np.float32
    assert np.array_equal(first, second) and not np.array_equal(first, third)
    assert first.min() >= 0.0 and first.max() <= 1.0


def test_augment_with_only_flips_mirrors_about_half_of_the_images_left_right():
    images = scale(np.random.default_rng(0).integers(0, 256, (64, 3, 4), dtype=np.uint8))
    out = augment(images, np.random.default_rng(0), rotation_degrees=0, intensity_jitter=0)
    mirrored = [np.array_equal(after, before[:, ::-1]) for before, after in zip(images, out, strict=True)]
    unchanged = [np.array_equal(after, before) for before, after in zip(images, out, strict=True)]
    assert all(m or u for m, u in zip(mirrored, unchanged, strict=True))
    assert 16 < sum(mirrored) < 48


def test_augment_moves_all_frames_of_a_sequence_together():
    frame = np.zeros((16, 16), dtype=np.uint8)
    frame[4:8, 2:6] = 255
    sequence = scale(np.stack([frame] * 5)[None], layout="NTHWC")  # 1 × T × H × W × 1
    out = augment(sequence, np.random.default_rng(3), rotation_degrees=20, intensity_jitter=0)
    for t in range(1, 5):
        assert np.array_equal(out[0, t], out[0, 0])


def test_batches_cover_every_sample_once_in_a_seeded_order_that_changes_with_the_epoch():
    images = np.zeros((10, 4, 4), dtype=np.uint8)
    labels = np.arange(10)
    order = lambda epoch, seed=0: np.concatenate(  # noqa: E731
        [y for _, y in batches(images, labels, batch_size=3, seed=seed, epoch=epoch)])
    assert sorted(order(0)) == list(range(10))
    assert np.array_equal(order(0), order(0))
    assert not np.array_equal(order(0), order(1))
    assert not np.array_equal(order(0), order(0, seed=1))
    sizes = [len(y) for _, y in batches(images, labels, batch_size=3, shuffle=False)]
    assert sizes == [3, 3, 3, 1] and batch_count(10, 3) == 4


def test_batch_augmentation_does_not_depend_on_earlier_batches():
    images = np.random.default_rng(0).integers(0, 256, (12, 8, 8), dtype=np.uint8)
    labels = np.arange(12)
    all_batches = list(batches(images, labels, batch_size=4, seed=5, augment=True))
    again = list(batches(images, labels, batch_size=4, seed=5, augment=True))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(all_batches, again, strict=True))
    plain = list(batches(images, labels, batch_size=4, seed=5))
    assert not np.array_equal(all_batches[0][0], plain[0][0])


def test_label_dtype_follows_the_task():
    assert label_dtype(np.array([0, 1])) == np.int64
    assert label_dtype(np.array([0.5, 1.5])) == np.float32
    assert label_dtype(np.zeros((3, 14), dtype=np.int64), "multilabel") == np.float32


@pytest.mark.parametrize(("options", "message"), [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"seed": -1}, "seed must be a non-negative integer"),
    ({"augment": "yes"}, "augment must be True, False or a dict"),
])
def test_batches_refuses_bad_arguments(options, message):
    with pytest.raises(ValueError, match=message):
        next(batches(np.zeros((3, 4, 4), dtype=np.uint8), np.arange(3), **options))


def test_augment_moves_a_mask_exactly_as_its_image_and_keeps_it_a_mask():
    image = np.zeros((1, 12, 12), dtype=np.uint8)
    image[0, 2:6, 1:5] = 255
    mask = (image > 0).astype(np.int64)
    moved, moved_mask = augment(scale(image), np.random.default_rng(0), masks=mask, rotation_degrees=30,
                                intensity_jitter=0)
    assert moved_mask.dtype == np.int64 and set(np.unique(moved_mask)) <= {0, 1}
    assert np.mean((moved[0, ..., 0] > 0.5) == (moved_mask[0] == 1)) > 0.95
    with pytest.raises(ValueError, match="masks must have shape"):
        augment(scale(image), np.random.default_rng(0), masks=mask[:, :6])


def test_batch_order_is_the_order_batches_uses():
    images, labels = np.zeros((10, 4, 4), dtype=np.uint8), np.arange(10)
    seen = np.concatenate([y for _, y in batches(images, labels, batch_size=4, seed=7, epoch=2)])
    np.testing.assert_array_equal(seen, batch_order(10, seed=7, epoch=2))
