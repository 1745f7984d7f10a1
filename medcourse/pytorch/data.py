"""PyTorch input pipeline: batches of a medcourse :class:`~medcourse.data.Dataset`, and tensors from its arrays.

The batches come from :func:`medcourse.data.transforms.batches` (NumPy), so :func:`medcourse.tensorflow.batches`
yields the same samples in the same order with the same augmentation; PyTorch only gets them channels-first
(NCHW; NTCHW for sequences). Notebook 01 §6 shows both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset

from medcourse.data.dataset import Dataset
from medcourse.data.transforms import batch_count, label_dtype, sample_layout, scale, select_split
from medcourse.data.transforms import batches as numpy_batches

__all__ = ["batches", "to_tensor"]


class _Batches(IterableDataset):
    """Yields whole batches; each new pass over it is the next epoch (a new, reproducible order)."""

    def __init__(self, images, labels, task, *, batch_size, shuffle, seed, augment):
        super().__init__()
        self.images, self.labels, self.task = images, labels, task
        self.batch_size, self.shuffle, self.seed, self.augment = batch_size, shuffle, seed, augment
        self.epoch = 0

    def __len__(self) -> int:
        return batch_count(len(self.images), self.batch_size)

    def __iter__(self):
        epoch, self.epoch = self.epoch, self.epoch + 1
        for images, labels in numpy_batches(self.images, self.labels, batch_size=self.batch_size,
                                            shuffle=self.shuffle, seed=self.seed, epoch=epoch,
                                            augment=self.augment, label_type=label_dtype(self.labels, self.task),
                                            channels="first", masks=self.task == "segmentation"):
            yield torch.from_numpy(images), torch.from_numpy(labels)


def batches(data: Dataset | tuple[np.ndarray, np.ndarray], split: str = "train", *, batch_size: int = 64,
            shuffle: bool | None = None, seed: int = 0, augment: bool | dict[str, Any] = False) -> DataLoader:
    """A ``DataLoader`` of ``(float32 NCHW images in [0, 1], labels)`` batches for one split.

    Parameters
    ----------
    data : Dataset or (images, labels)
        A :class:`~medcourse.data.Dataset` (then ``split`` picks the split) or one pair of arrays.
    split : {"train", "val", "test"}
        Which split of a ``Dataset``; also decides the default of ``shuffle``.
    batch_size : int
        Samples per batch (the last batch may be smaller).
    shuffle : bool, optional
        Default: ``True`` for ``"train"``, ``False`` otherwise. Each pass over the loader (epoch)
        uses a new order, reproducible from ``seed``.
    seed : int
        Fixes the order and the augmentation; :func:`medcourse.tensorflow.batches` with the same seed
        yields the same samples.
    augment : bool or dict
        Random mirror/rotation/intensity (:func:`medcourse.data.transforms.augment`); a dict sets its
        options. Segmentation masks move with their images.

    Returns
    -------
    torch.utils.data.DataLoader
        Images ``float32`` shaped ``(N, C, H, W)`` (sequences ``(N, T, C, H, W)``); labels ``int64``
        for classification and segmentation masks, ``float32`` for regression and multi-label targets.

    Examples
    --------
    >>> from medcourse.data import load_dataset
    >>> images, labels = next(iter(batches(load_dataset("lesions"), "test", batch_size=8)))
    >>> tuple(images.shape), images.dtype, labels.dtype
    ((8, 1, 28, 28), torch.float32, torch.int64)
    """
    images, labels, task = select_split(data, split)
    shuffle = (split == "train") if shuffle is None else bool(shuffle)
    source = _Batches(images, labels, task, batch_size=batch_size, shuffle=shuffle, seed=seed, augment=augment)
    next(iter(numpy_batches(images[:1], labels[:1], batch_size=batch_size, seed=seed, augment=augment)), None)
    return DataLoader(source, batch_size=None)  # the line above checked the arguments now, not at the first epoch


def to_tensor(images: np.ndarray, *, value_range: tuple[float, float] = (0.0, 1.0)) -> torch.Tensor:
    """``uint8`` Dataset images as a float32 tensor, channels first (``N×C×H×W``, sequences ``N×T×C×H×W``).

    The scaling of :func:`batches` (:func:`medcourse.data.transforms.scale`); ``value_range=(-1, 1)`` gives a
    generator's ``tanh`` range.

    Examples
    --------
    >>> to_tensor(np.zeros((2, 28, 28), dtype=np.uint8)).shape
    torch.Size([2, 1, 28, 28])
    """
    return torch.from_numpy(scale(images, value_range=value_range, layout=sample_layout(images, "first")))
