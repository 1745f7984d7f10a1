"""PyTorch input pipeline: a ``DataLoader`` over a medcourse :class:`~medcourse.data.Dataset`.

The batches come from :func:`medcourse.data.transforms.batches` (NumPy), so
:func:`medcourse.tensorflow.data.dataset` yields the same samples in the same order with the same
augmentation; PyTorch only gets them channels-first (NCHW).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset

from medcourse.data.dataset import Dataset
from medcourse.data.transforms import batch_count, batches, label_dtype, select_split


class _Batches(IterableDataset):
    """Yields whole batches; each new pass over it is the next epoch (a new, reproducible order)."""

    def __init__(self, images, labels, label_type, *, batch_size, shuffle, seed, augment):
        super().__init__()
        self.images, self.labels, self.label_type = images, labels, label_type
        self.batch_size, self.shuffle, self.seed, self.augment = batch_size, shuffle, seed, augment
        self.epoch = 0

    def __len__(self) -> int:
        return batch_count(len(self.images), self.batch_size)

    def __iter__(self):
        epoch, self.epoch = self.epoch, self.epoch + 1
        for images, labels in batches(self.images, self.labels, batch_size=self.batch_size,
                                      shuffle=self.shuffle, seed=self.seed, epoch=epoch,
                                      augment=self.augment, label_type=self.label_type):
            # NumPy batches are channels-last (N, H, W, C); PyTorch layers expect channels-first (N, C, H, W).
            # For sequences (N, T, H, W, C) this gives (N, T, C, H, W).
            channels_first = np.ascontiguousarray(np.moveaxis(images, -1, -3))
            yield torch.from_numpy(channels_first), torch.from_numpy(labels)


def loader(data: Dataset | tuple[np.ndarray, np.ndarray], split: str = "train", *, batch_size: int = 64,
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
        Fixes the order and the augmentation; :func:`medcourse.tensorflow.data.dataset` with the
        same seed yields the same samples.
    augment : bool or dict
        Random mirror/rotation/intensity (:func:`medcourse.data.transforms.augment`); a dict sets its options.

    Returns
    -------
    torch.utils.data.DataLoader
        Images ``float32`` shaped ``(N, C, H, W)`` (sequences ``(N, T, C, H, W)``); labels ``int64``
        for classification, ``float32`` for regression and multi-label targets.

    Examples
    --------
    >>> from medcourse.data import load_dataset
    >>> images, labels = next(iter(loader(load_dataset("lesions"), "test", batch_size=8)))
    >>> tuple(images.shape), images.dtype, labels.dtype
    ((8, 1, 28, 28), torch.float32, torch.int64)
    """
    images, labels, task = select_split(data, split)
    shuffle = (split == "train") if shuffle is None else bool(shuffle)
    source = _Batches(images, labels, label_dtype(labels, task), batch_size=batch_size, shuffle=shuffle,
                      seed=seed, augment=augment)
    next(iter(batches(images[:1], labels[:1], batch_size=batch_size, seed=seed, augment=augment)), None)  # check arguments now
    return DataLoader(source, batch_size=None)


__all__ = ["loader"]
