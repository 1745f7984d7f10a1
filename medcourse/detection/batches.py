"""NumPy batches of a detection dataset (notebook 06 §4): mirrored images with their boxes, and their targets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from medcourse.data.objects import COL, ROW, ObjectLabels
from medcourse.data.transforms import batch_order, scale
from medcourse.detection.targets import STRIDE, detection_targets


def flip_objects(labels: ObjectLabels, flip_rows: np.ndarray, flip_cols: np.ndarray,
                 image_shape: tuple[int, int]) -> ObjectLabels:
    """The labels of a batch after mirroring image ``i`` up–down where ``flip_rows[i]``, left–right where ``flip_cols[i]``."""
    values = labels.values.copy()
    owner = labels.image_index
    values[flip_rows[owner], ROW] = (image_shape[0] - 1) - values[flip_rows[owner], ROW]
    values[flip_cols[owner], COL] = (image_shape[1] - 1) - values[flip_cols[owner], COL]
    return ObjectLabels(values, labels.offsets)


def _augment(images: np.ndarray, labels: ObjectLabels, rng: np.random.Generator, options: dict[str, Any]):
    """Random up–down and left–right mirrors (boxes move with them) and a brightness/contrast change."""
    jitter = float(options.get("intensity_jitter", 0.1))
    count = len(images)
    flip_rows, flip_cols = rng.random(count) < 0.5, rng.random(count) < 0.5
    images = images.copy()
    images[flip_rows] = images[flip_rows, ::-1]
    images[flip_cols] = images[flip_cols, :, ::-1]
    gains = 1 + rng.uniform(-jitter, jitter, (count, 1, 1, 1)).astype(np.float32)
    shifts = rng.uniform(-jitter, jitter, (count, 1, 1, 1)).astype(np.float32)
    images = np.clip(images * gains + shifts, 0.0, 1.0)
    return images, flip_objects(labels, flip_rows, flip_cols, images.shape[1:3])


def detection_batches(images: np.ndarray, labels: ObjectLabels, *, num_classes: int, batch_size: int = 16,
                      shuffle: bool = True, seed: int = 0, epoch: int = 0, augment: bool | dict[str, Any] = False,
                      stride: int = STRIDE) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray], ObjectLabels]]:
    """Yield ``(float32 NHWC images in [0, 1], targets, labels)`` batches of a detection split, in a fixed order.

    The order is :func:`medcourse.data.transforms.batch_order` of ``(seed, epoch)``, the one every
    trainer uses; the targets are :func:`detection_targets` of the (mirrored) labels, which come too.

    Parameters
    ----------
    images : uint8 array (N, H, W) or (N, H, W, C)
    labels : ObjectLabels
    augment : bool or dict
        Random up–down/left–right mirrors (each with probability ½; the boxes move with the image) and
        brightness/contrast ``x → (1 + a)·x + b`` with ``a, b`` uniform in ±``intensity_jitter`` (0.1).
    """
    if not isinstance(labels, ObjectLabels):
        raise ValueError(f"labels must be medcourse.data.ObjectLabels, got {type(labels).__name__}")
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    options = {} if augment is True else augment
    if options is not False and not isinstance(options, dict):
        raise ValueError(f"augment must be True, False or a dict of options, got {augment!r}")
    order = batch_order(len(images), seed=seed, epoch=epoch, shuffle=shuffle)
    for number, start in enumerate(range(0, len(images), int(batch_size))):
        chosen = order[start:start + int(batch_size)]
        batch, batch_labels = scale(images[chosen]), labels[chosen]
        if options is not False:
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch, 6, number])))
            batch, batch_labels = _augment(batch, batch_labels, rng, options)
        yield batch, detection_targets(batch_labels, batch.shape[1:3], num_classes, stride=stride), batch_labels
