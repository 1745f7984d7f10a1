"""The shared NumPy part of the data pipeline: scale, augment and batch, identically for both frameworks.

:func:`medcourse.pytorch.data.loader` and :func:`medcourse.tensorflow.data.dataset` both draw their
batches from :func:`batches`, so for the same ``seed`` TensorFlow and PyTorch see the same images
in the same order with the same augmentation; only the axis order differs (NHWC vs NCHW).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from medcourse.data.dataset import Dataset

_COLOUR_CHANNELS = (1, 3, 4)


def to_float(images: np.ndarray) -> np.ndarray:
    """Scale ``uint8`` images to ``float32`` in ``[0, 1]`` and make the channel axis explicit (last).

    ``N×H×W`` (grey) becomes ``N×H×W×1``; ``N×H×W×C`` with ``C`` in 1, 3 or 4 stays as it is;
    ``N×T×H×W`` (grey sequences) becomes ``N×T×H×W×1``. Float input is only cast to ``float32``.

    Examples
    --------
    >>> to_float(np.full((2, 28, 28), 255, dtype=np.uint8)).shape
    (2, 28, 28, 1)
    """
    array = np.asarray(images)
    if array.ndim < 3 or array.ndim > 5:
        raise ValueError(f"images must be N×H×W, N×H×W×C, N×T×H×W or N×T×H×W×C, got shape {array.shape}")
    if array.dtype == np.uint8:
        scaled = array.astype(np.float32) / np.float32(255.0)
    elif np.issubdtype(array.dtype, np.floating):
        scaled = array.astype(np.float32, copy=False)
    else:
        raise ValueError(f"images must be uint8 (0…255) or floating point, got dtype {array.dtype}")
    if array.ndim == 3 or (array.ndim == 4 and array.shape[-1] not in _COLOUR_CHANNELS):
        scaled = scaled[..., None]
    return scaled


def augment(images: np.ndarray, rng: np.random.Generator, *, flips: bool = True,
            rotation_degrees: float = 10.0, intensity_jitter: float = 0.1) -> np.ndarray:
    """Randomly mirror, rotate and brighten a batch of channels-last float images (a new array).

    Each sample gets its own random left–right mirror (probability ½), rotation by an angle drawn
    uniformly from ``[−rotation_degrees, rotation_degrees]`` (bilinear, edges repeated) and intensity
    change ``x → (1 + a)·x + b`` with ``a, b`` uniform in ``[−intensity_jitter, intensity_jitter]``,
    clipped to ``[0, 1]``. All frames of a sequence get the same transformation.

    Parameters
    ----------
    images : float array, shape (N, H, W, C) or (N, T, H, W, C)
        As returned by :func:`to_float`.
    rng : numpy.random.Generator
        Source of randomness; the same state gives the same result.
    """
    from scipy import ndimage

    array = np.asarray(images)
    if array.ndim not in (4, 5) or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"images must be float N×H×W×C or N×T×H×W×C (use to_float first), "
                         f"got {array.dtype} of shape {array.shape}")
    if rotation_degrees < 0 or intensity_jitter < 0:
        raise ValueError(f"rotation_degrees and intensity_jitter must be ≥ 0, "
                         f"got {rotation_degrees!r} and {intensity_jitter!r}")
    count = len(array)
    mirror = rng.random(count) < 0.5 if flips else np.zeros(count, dtype=bool)
    angles = rng.uniform(-rotation_degrees, rotation_degrees, count)
    gains = 1.0 + rng.uniform(-intensity_jitter, intensity_jitter, count)
    offsets = rng.uniform(-intensity_jitter, intensity_jitter, count)
    result = np.empty_like(array)
    width_axis, height_axis = array.ndim - 2, array.ndim - 3
    for index in range(count):
        sample = array[index]
        if mirror[index]:
            sample = np.flip(sample, axis=width_axis - 1)
        if rotation_degrees > 0:
            sample = ndimage.rotate(sample, angles[index], axes=(width_axis - 1, height_axis - 1),
                                    reshape=False, order=1, mode="nearest")
        result[index] = sample
    shape = (count,) + (1,) * (array.ndim - 1)
    result = result * gains.reshape(shape).astype(array.dtype) + offsets.reshape(shape).astype(array.dtype)
    return np.clip(result, 0.0, 1.0, out=result)


_augment = augment  # `batches` has an argument of the same name


def select_split(data: Dataset | tuple[np.ndarray, np.ndarray], split: str = "train"
                 ) -> tuple[np.ndarray, np.ndarray, str | None]:
    """``(images, labels, task)`` from a :class:`Dataset` split or an ``(images, labels)`` pair."""
    if isinstance(data, Dataset):
        splits = data.splits()
        if split not in splits:
            raise ValueError(f"split must be one of {list(splits)}, got {split!r}")
        images, labels = splits[split]
        return images, labels, data.task
    if isinstance(data, (tuple, list)) and len(data) == 2:
        images, labels = (np.asarray(a) for a in data)
        if len(images) != len(labels):
            raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
        return images, labels, None
    raise ValueError(f"data must be a medcourse Dataset or an (images, labels) pair, got {type(data).__name__}")


def label_dtype(labels: np.ndarray, task: str | None = None) -> np.dtype:
    """``int64`` for class indices, ``float32`` for regression targets and multi-label 0/1 vectors."""
    if task in ("regression", "multilabel") or not np.issubdtype(np.asarray(labels).dtype, np.integer):
        return np.dtype(np.float32)
    return np.dtype(np.int64)


def _epoch_rng(seed: int, epoch: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch, *stream])))


def batches(images: np.ndarray, labels: np.ndarray, *, batch_size: int = 64, shuffle: bool = True,
            seed: int = 0, epoch: int = 0, augment: bool | dict[str, Any] = False,
            label_type: np.dtype | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(float32 channels-last images, labels)`` batches in a deterministic order.

    The order is a permutation drawn from ``(seed, epoch)``: the same for the same pair, different
    for each epoch. Augmentation of batch ``b`` draws from ``(seed, epoch, b)``, so it does not
    depend on which batches were read before.

    Parameters
    ----------
    images, labels : numpy arrays
        One split, images as stored (``uint8``) and their labels.
    batch_size : int
        Samples per batch; the last batch may be smaller.
    shuffle : bool
        Draw a new order each epoch (training), or keep the stored order (evaluation).
    seed, epoch : int
        Together they fix the order and the augmentation.
    augment : bool or dict
        ``True`` for :func:`augment` with its defaults, a dict for its keyword arguments.
    label_type : numpy dtype, optional
        Default: :func:`label_dtype` of ``labels``.

    Examples
    --------
    >>> x = np.zeros((5, 4, 4), dtype=np.uint8); y = np.arange(5)
    >>> [b[1].tolist() for b in batches(x, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    options = {} if augment is True else augment
    if not isinstance(options, dict) and options is not False:
        raise ValueError(f"augment must be True, False or a dict of augment() options, got {augment!r}")
    label_type = label_dtype(labels) if label_type is None else np.dtype(label_type)
    count = len(images)
    order = _epoch_rng(int(seed), int(epoch)).permutation(count) if shuffle else np.arange(count)
    for number, start in enumerate(range(0, count, int(batch_size))):
        chosen = order[start:start + int(batch_size)]
        batch = to_float(images[chosen])
        if options is not False:
            batch = _augment(batch, _epoch_rng(int(seed), int(epoch), 1, number), **options)
        yield batch, np.asarray(labels[chosen]).astype(label_type)


def batch_count(count: int, batch_size: int) -> int:
    """Number of batches :func:`batches` yields for ``count`` samples."""
    return -(-int(count) // int(batch_size))


__all__ = ["augment", "batch_count", "batches", "label_dtype", "select_split", "to_float"]
