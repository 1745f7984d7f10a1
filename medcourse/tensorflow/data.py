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
from medcourse.data.transforms import batch_count, label_dtype, sample_layout, scale, select_split
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
    epochs_started = [0]  # the line above checked the arguments now, not at the first epoch

    def generate():
        epoch = epochs_started[0]
        epochs_started[0] += 1  # each new pass (epoch) draws a new, reproducible order
        yield from numpy_batches(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed, epoch=epoch,
                                 augment=augment, label_type=label_type, masks=task == "segmentation")

    sample_shape = scale(images[:1], layout=sample_layout(images)).shape[1:]
    signature = (
        tf.TensorSpec(shape=(None, *sample_shape), dtype=tf.float32),
        tf.TensorSpec(shape=(None, *np.shape(labels)[1:]), dtype=tf.as_dtype(label_type)),
    )
    pipeline = tf.data.Dataset.from_generator(generate, output_signature=signature)
    pipeline = pipeline.apply(tf.data.experimental.assert_cardinality(batch_count(len(images), batch_size)))
    return pipeline.prefetch(1)  # the next batch is prepared while the model trains on this one


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
