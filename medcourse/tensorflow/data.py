"""TensorFlow input pipeline: batches of a medcourse :class:`~medcourse.data.Dataset`, and tensors from its arrays.

The batches come from :func:`medcourse.data.transforms.batches` (NumPy), so :func:`medcourse.pytorch.batches`
yields the same samples in the same order with the same augmentation; TensorFlow keeps them channels-last
(NHWC; NTHWC for sequences), its native layout. Notebook 01 §6 shows both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from medcourse.data.dataset import Dataset
from medcourse.data.transforms import (
    batch_count,
    batch_order,
    label_dtype,
    sample_layout,
    scale,
    select_split,
)
from medcourse.data.transforms import batches as numpy_batches

__all__ = ["batches", "to_tensor"]


def batches(data: Dataset | tuple[np.ndarray, np.ndarray], split: str = "train", *, batch_size: int = 64,
            shuffle: bool | None = None, seed: int = 0, augment: bool | dict[str, Any] = False) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(float32 NHWC images in [0, 1], labels)`` batches for one split.

    Same arguments and the same batches as :func:`medcourse.pytorch.batches`, channels-last.

    Parameters
    ----------
    data : Dataset or (images, labels)
        A :class:`~medcourse.data.Dataset` (then ``split`` picks the split) or one pair of arrays.
    split : {"train", "val", "test"}
        Which split of a ``Dataset``; also decides the default of ``shuffle``.
    batch_size : int
        Samples per batch (the last batch may be smaller).
    shuffle : bool, optional
        Default: ``True`` for ``"train"``, ``False`` otherwise. Each pass over the dataset (epoch)
        uses a new order, reproducible from ``seed``.
    seed : int
        Fixes the order and the augmentation.
    augment : bool or dict
        Random mirror/rotation/intensity (:func:`medcourse.data.transforms.augment`); a dict sets its
        options. Segmentation masks move with their images.

    Returns
    -------
    tf.data.Dataset
        Images ``float32`` shaped ``(N, H, W, C)`` (sequences ``(N, T, H, W, C)``); labels ``int64``
        for classification and segmentation masks, ``float32`` for regression and multi-label targets.

    Examples
    --------
    >>> from medcourse.data import load_dataset
    >>> images, labels = next(iter(batches(load_dataset("lesions"), "test", batch_size=8)))
    >>> tuple(images.shape), images.dtype, labels.dtype
    ((8, 28, 28, 1), tf.float32, tf.int64)
    """
    images, labels, task = select_split(data, split)
    shuffle = (split == "train") if shuffle is None else bool(shuffle)
    label_type = label_dtype(labels, task)
    next(iter(numpy_batches(images[:1], labels[:1], batch_size=batch_size, seed=seed, augment=augment)), None)
    sample_shape = scale(images[:1], layout=sample_layout(images)).shape[1:]  # the line above checked the arguments
    signature = (
        tf.TensorSpec(shape=(None, *sample_shape), dtype=tf.float32),
        tf.TensorSpec(shape=(None, *np.shape(labels)[1:]), dtype=tf.as_dtype(label_type)),
    )
    if augment is False:
        pipeline = _indexed_batches(images, labels, label_type, sample_shape, batch_size=batch_size,
                                    shuffle=shuffle, seed=seed)
    else:
        pipeline = _numpy_batches(images, labels, task, label_type, signature, batch_size=batch_size,
                                  shuffle=shuffle, seed=seed, augment=augment)
    pipeline = pipeline.apply(tf.data.experimental.assert_cardinality(batch_count(len(images), batch_size)))
    return pipeline.prefetch(1)  # the next batch is prepared while the model trains on this one


def _epoch_counter():
    """Each call returns the next epoch number (0, 1, …): a new pass over a pipeline is a new epoch."""
    started = [0]

    def next_epoch() -> int:
        started[0] += 1
        return started[0] - 1

    return next_epoch


def _indexed_batches(images, labels, label_type, sample_shape, *, batch_size, shuffle, seed) -> tf.data.Dataset:
    """Batches gathered and scaled inside TensorFlow: Python runs once per epoch (to draw the order), not per batch.

    The order is :func:`medcourse.data.transforms.batch_order` and the scaling is :func:`scale`'s
    ``x · (1/255)`` in float32, so the batches equal the NumPy ones (and PyTorch's) bit for bit.
    """
    stored, targets = tf.constant(np.asarray(images)), tf.constant(np.asarray(labels).astype(label_type))
    next_epoch = _epoch_counter()

    def order():
        yield batch_order(len(images), seed=seed, epoch=next_epoch(), shuffle=shuffle)

    factor = np.float32(1.0 / 255.0)  # scale()'s (high − low) / 255 for the range (0, 1), its offset is 0

    def gather(chosen):
        batch = tf.cast(tf.gather(stored, chosen), tf.float32) * factor + np.float32(0.0)
        return tf.reshape(batch, (-1, *sample_shape)), tf.gather(targets, chosen)

    orders = tf.data.Dataset.from_generator(order, output_signature=tf.TensorSpec((len(images),), tf.int64))
    chosen = orders.flat_map(lambda permutation: tf.data.Dataset.from_tensor_slices(permutation).batch(batch_size))
    return chosen.map(gather)  # sequential: the batches come in order


def _numpy_batches(images, labels, task, label_type, signature, *, batch_size, shuffle, seed, augment):
    """Augmented batches come from the shared NumPy pipeline (the same augmentation as PyTorch's), one by one."""
    next_epoch = _epoch_counter()

    def generate():
        yield from numpy_batches(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed, epoch=next_epoch(),
                                 augment=augment, label_type=label_type, masks=task == "segmentation")

    return tf.data.Dataset.from_generator(generate, output_signature=signature)


def to_tensor(images: np.ndarray, *, value_range: tuple[float, float] = (0.0, 1.0)) -> tf.Tensor:
    """``uint8`` Dataset images as a float32 tensor, channels last (``N×H×W×C``, sequences ``N×T×H×W×C``).

    The scaling of :func:`batches` (:func:`medcourse.data.transforms.scale`); ``value_range=(-1, 1)`` gives a
    generator's ``tanh`` range.

    Examples
    --------
    >>> tuple(to_tensor(np.zeros((2, 28, 28), dtype=np.uint8)).shape)
    (2, 28, 28, 1)
    """
    return tf.convert_to_tensor(scale(images, value_range=value_range, layout=sample_layout(images)))
