"""The :class:`Dataset` every loader returns: train/val/test arrays plus what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

TASKS = ("binary", "multiclass", "multilabel", "regression")


@dataclass(frozen=True, repr=False)
class Dataset:
    """Three splits of images and labels, with their classes, task and provenance.

    Images are ``uint8`` arrays shaped ``N×H×W`` (grey), ``N×H×W×C`` (colour) or ``N×T×H×W``
    (sequences); labels are integers ``(N,)`` for classification, ``(N, K)`` 0/1 for multi-label,
    floats ``(N,)`` for regression.

    Attributes
    ----------
    name : str
        The name given to :func:`medcourse.data.load_dataset`.
    train, val, test : tuple of numpy arrays
        ``(images, labels)`` for each split.
    classes : tuple of str
        Class names, index ``i`` naming label ``i`` (empty for regression).
    task : str
        One of ``"binary"``, ``"multiclass"``, ``"multilabel"``, ``"regression"``.
    description, licence, citation : str
        What the data is, under which terms it may be used, and how to cite it.
    info : dict
        Anything else worth knowing (generator options, source URL, units of a regression target …).
    """

    name: str
    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    classes: tuple[str, ...]
    task: str
    description: str = ""
    licence: str = ""
    citation: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        for split in ("train", "val", "test"):
            pair = getattr(self, split)
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"{split} must be an (images, labels) pair, got {type(pair).__name__}")
            images, labels = pair
            if len(images) != len(labels):
                raise ValueError(
                    f"{split} has {len(images)} images but {len(labels)} labels; they must match"
                )

    @property
    def num_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.classes)

    @property
    def image_shape(self) -> tuple[int, ...]:
        """Shape of one sample, without the batch axis."""
        return tuple(self.train[0].shape[1:])

    def splits(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The three splits by name."""
        return {"train": self.train, "val": self.val, "test": self.test}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v[0])}" for k, v in self.splits().items())
        return (
            f"Dataset({self.name!r}, task={self.task!r}, classes={len(self.classes)}, "
            f"image_shape={self.image_shape}, {sizes})"
        )
