"""The shared NumPy part of the data pipeline: scale, augment and batch, identically for both frameworks.

:func:`medcourse.pytorch.batches` and :func:`medcourse.tensorflow.batches` both draw their batches from
:func:`batches` here, so for the same ``seed`` TensorFlow and PyTorch see the same images in the same
order with the same augmentation; only the axis order differs (NHWC vs NCHW). Trainers that index
arrays themselves use :func:`batch_order`, the same permutation. Notebook 01 §6 derives the scaling.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from medcourse.data.dataset import Dataset

_COLOUR_CHANNELS = (1, 3, 4)


#: Layouts :func:`scale` can produce: N images (or N sequences of T frames), channels last or first.
LAYOUTS = ("NHWC", "NCHW", "NTHWC", "NTCHW")


def scale(images: np.ndarray, *, value_range: tuple[float, float] = (0.0, 1.0), layout: str = "NHWC") -> np.ndarray:
    """``uint8`` images as the Dataset holds them → float32 model input in ``value_range``, axes in ``layout``.

    The one converter of the course (scikit-image's ``channel_axis`` idea): pixel values ``0 … 255`` map
    linearly onto ``value_range`` — ``(0, 1)`` for classifiers, ``(-1, 1)`` for a generator's ``tanh`` — and the
    axes are arranged as the framework wants them: ``"NHWC"`` (Keras), ``"NCHW"`` (PyTorch), and for
    sequences or volumes read slice by slice ``"NTHWC"`` / ``"NTCHW"``. Grey images gain a channel axis of 1.

    Parameters
    ----------
    images : uint8 array
        ``N×H×W`` (grey) or ``N×H×W×C`` with ``C`` in 1, 3, 4 for image layouts; ``N×T×H×W`` or
        ``N×T×H×W×C`` for the sequence layouts.
    value_range : (low, high)
        What 0 and 255 become.
    layout : {"NHWC", "NCHW", "NTHWC", "NTCHW"}

    Examples
    --------
    >>> scale(np.full((2, 28, 28), 255, dtype=np.uint8)).shape
    (2, 28, 28, 1)
    >>> scale(np.zeros((2, 28, 28), dtype=np.uint8), value_range=(-1, 1), layout="NCHW")[0, 0, 0, 0]
    np.float32(-1.0)
    """
    array = np.asarray(images)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if array.dtype != np.uint8:
        raise TypeError(f"images must be uint8 (0…255) as the Dataset holds them, got dtype {array.dtype}; "
                        "pass the raw dataset arrays, not already-scaled floats (they would be scaled twice)")
    low, high = (float(v) for v in value_range)
    if not low < high:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    sequence = "T" in layout
    grey_ndim = 4 if sequence else 3
    if array.ndim == grey_ndim:
        array = array[..., None]
    elif array.ndim != grey_ndim + 1 or array.shape[-1] not in _COLOUR_CHANNELS:
        expected = "N×T×H×W or N×T×H×W×C" if sequence else "N×H×W or N×H×W×C (C = 1, 3 or 4)"
        raise ValueError(f"images must be {expected} for layout {layout!r}, got shape {np.shape(images)}")
    scaled = array.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low)
    if layout.endswith("CHW"):
        scaled = np.ascontiguousarray(np.moveaxis(scaled, -1, -3))
    return scaled


def augment(images: np.ndarray, rng: np.random.Generator, *, masks: np.ndarray | None = None, flips: bool = True,
            rotation_degrees: float = 10.0, intensity_jitter: float = 0.1):
    """Randomly mirror, rotate and brighten a batch of channels-last float images (new arrays).

    Each sample gets its own random left–right mirror (probability ½), rotation by an angle drawn
    uniformly from ``[−rotation_degrees, rotation_degrees]`` (bilinear, edges repeated) and intensity
    change ``x → (1 + a)·x + b`` with ``a, b`` uniform in ``[−intensity_jitter, intensity_jitter]``,
    clipped to ``[0, 1]``. All frames of a sequence get the same transformation. A segmentation mask
    gets the same mirror and rotation (nearest neighbour, so it stays a mask of class indices) and no
    intensity change.

    Parameters
    ----------
    images : float array, shape (N, H, W, C) or (N, T, H, W, C)
        As returned by :func:`scale` (``NHWC`` or ``NTHWC``).
    rng : numpy.random.Generator
        Source of randomness; the same state gives the same result.
    masks : integer array, shape (N, H, W), optional
        Class-index masks of the images; then ``(images, masks)`` is returned.
    """
    array = np.asarray(images)
    if array.ndim not in (4, 5) or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"images must be float N×H×W×C or N×T×H×W×C (use scale first), "
                         f"got {array.dtype} of shape {array.shape}")
    if rotation_degrees < 0 or intensity_jitter < 0:
        raise ValueError(f"rotation_degrees and intensity_jitter must be ≥ 0, "
                         f"got {rotation_degrees!r} and {intensity_jitter!r}")
    if masks is not None and np.shape(masks) != array.shape[:1] + array.shape[-3:-1]:
        raise ValueError(f"masks must have shape (N, H, W) = {array.shape[:1] + array.shape[-3:-1]}, "
                         f"got {np.shape(masks)}")
    count = len(array)
    mirror = rng.random(count) < 0.5 if flips else np.zeros(count, dtype=bool)
    angles = rng.uniform(-rotation_degrees, rotation_degrees, count)
    gains = 1.0 + rng.uniform(-intensity_jitter, intensity_jitter, count)
    offsets = rng.uniform(-intensity_jitter, intensity_jitter, count)
    result = _move(array, mirror, angles, rotation_degrees, order=1)
    shape = (count,) + (1,) * (array.ndim - 1)
    result = result * gains.reshape(shape).astype(array.dtype) + offsets.reshape(shape).astype(array.dtype)
    result = np.clip(result, 0.0, 1.0, out=result)
    if masks is None:
        return result
    moved = _move(np.asarray(masks)[..., None], mirror, angles, rotation_degrees, order=0)[..., 0]
    return result, moved


def _move(array: np.ndarray, mirror: np.ndarray, angles: np.ndarray, rotation_degrees: float, *, order: int):
    """Mirror and rotate each sample of a channels-last batch about its centre (the geometric part of augment)."""
    from scipy import ndimage

    result = np.empty_like(array)
    width_axis, height_axis = array.ndim - 3, array.ndim - 4  # axes of one sample (no batch axis)
    for index, sample in enumerate(array):
        if mirror[index]:
            sample = np.flip(sample, axis=width_axis)
        if rotation_degrees > 0:
            sample = ndimage.rotate(sample, angles[index], axes=(width_axis, height_axis),
                                    reshape=False, order=order, mode="nearest")
        result[index] = sample
    return result


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
    """``int64`` for class indices (and segmentation masks), ``float32`` for regression and multi-label targets."""
    if task in ("regression", "multilabel") or not np.issubdtype(np.asarray(labels).dtype, np.integer):
        return np.dtype(np.float32)
    return np.dtype(np.int64)


def sample_layout(images: np.ndarray, channels: str = "last") -> str:
    """The :func:`scale` layout for Dataset images: ``"NHWC"`` for images, ``"NTHWC"`` for sequences/volumes.

    ``N×H×W`` and ``N×H×W×C`` (``C`` in 1, 3, 4) are images; ``N×T×H×W`` (e.g. cine frames, or a
    3-D volume read slice by slice) and ``N×T×H×W×C`` are sequences. ``channels="first"`` gives
    PyTorch's ``"NCHW"`` / ``"NTCHW"``.
    """
    if channels not in ("last", "first"):
        raise ValueError(f"channels must be 'last' or 'first', got {channels!r}")
    ndim, last = np.ndim(images), np.shape(images)[-1] if np.ndim(images) else None
    sequence = ndim == 5 or (ndim == 4 and last not in _COLOUR_CHANNELS)
    if ndim not in (3, 4, 5):
        raise ValueError(f"images must be N×H×W, N×H×W×C, N×T×H×W or N×T×H×W×C, got shape {np.shape(images)}")
    base = "NTHWC" if sequence else "NHWC"
    return base if channels == "last" else base.replace("HWC", "CHW")


def _epoch_rng(seed: int, epoch: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch, *stream])))


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def batch_order(count: int, *, seed: int = 0, epoch: int = 0, shuffle: bool = True) -> np.ndarray:
    """The order in which an epoch visits ``count`` samples: a permutation drawn from ``(seed, epoch)``.

    Every trainer of the course uses it (through :func:`batches` or directly), so the same seed gives
    the same batches in TensorFlow and in PyTorch.

    Examples
    --------
    >>> np.array_equal(batch_order(10, seed=3, epoch=1), batch_order(10, seed=3, epoch=1))
    True
    >>> batch_order(4, shuffle=False).tolist()
    [0, 1, 2, 3]
    """
    seed = _check_seed(seed)
    return _epoch_rng(seed, int(epoch)).permutation(int(count)) if shuffle else np.arange(int(count))


def batches(images: np.ndarray, labels: np.ndarray, *, batch_size: int = 64, shuffle: bool = True,
            seed: int = 0, epoch: int = 0, augment: bool | dict[str, Any] = False,
            label_type: np.dtype | None = None, channels: str = "last",
            masks: bool = False) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(float32 images in [0, 1], labels)`` batches in a deterministic order.

    The order is :func:`batch_order` of ``(seed, epoch)``: the same for the same pair, different for
    each epoch. Augmentation of batch ``b`` draws from ``(seed, epoch, b)``, so it does not depend on
    which batches were read before.

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
    channels : {"last", "first"}
        Where the channel axis goes (:func:`sample_layout`): TensorFlow's last, PyTorch's first.
    masks : bool
        The labels are segmentation masks ``N×H×W``: augmentation moves them with their images.

    Examples
    --------
    >>> x = np.zeros((5, 4, 4), dtype=np.uint8); y = np.arange(5)
    >>> [b[1].tolist() for b in batches(x, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    seed = _check_seed(seed)
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    options = {} if augment is True else augment
    if not isinstance(options, dict) and options is not False:
        raise ValueError(f"augment must be True, False or a dict of augment() options, got {augment!r}")
    if channels not in ("last", "first"):
        raise ValueError(f"channels must be 'last' or 'first', got {channels!r}")
    label_type = label_dtype(labels) if label_type is None else np.dtype(label_type)
    layout = sample_layout(images)
    order = batch_order(len(images), seed=seed, epoch=epoch, shuffle=shuffle)
    for number, start in enumerate(range(0, len(images), int(batch_size))):
        chosen = order[start:start + int(batch_size)]
        batch, batch_labels = scale(images[chosen], layout=layout), np.asarray(labels[chosen])
        if options is not False:
            rng = _epoch_rng(seed, int(epoch), 1, number)
            if masks:
                batch, batch_labels = _augment(batch, rng, masks=batch_labels, **options)
            else:
                batch = _augment(batch, rng, **options)
        if channels == "first":
            batch = np.ascontiguousarray(np.moveaxis(batch, -1, -3))
        yield batch, batch_labels.astype(label_type)


def batch_count(count: int, batch_size: int) -> int:
    """Number of batches :func:`batches` yields for ``count`` samples."""
    return -(-int(count) // int(batch_size))


__all__ = ["LAYOUTS", "augment", "batch_count", "batch_order", "batches", "label_dtype", "sample_layout", "scale",
           "select_split"]
