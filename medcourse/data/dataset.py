"""The :class:`Dataset` every loader returns: train/val/test arrays plus what they mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TASKS = ("binary", "multiclass", "multilabel", "regression", "segmentation", "detection")


@dataclass(frozen=True, repr=False)
class Dataset:
    """Three splits of images and labels, with their classes, task and provenance.

    Images are ``uint8`` arrays shaped ``N×H×W`` (grey), ``N×H×W×C`` (colour) or ``N×T×H×W``
    (sequences); labels are integers ``(N,)`` for classification, ``(N, K)`` 0/1 for multi-label,
    floats ``(N,)`` for regression, ``uint8`` class-index masks shaped like the images (without a
    colour axis) for segmentation, and :class:`~medcourse.data.objects.ObjectLabels` (a variable
    number of ``row, col, height, width, class`` objects per image) for detection.

    Build one from your own arrays with :meth:`from_arrays`.

    Attributes
    ----------
    name : str
        The name given to :func:`medcourse.data.load_dataset`.
    train, val, test : tuple of numpy arrays
        ``(images, labels)`` for each split.
    classes : tuple of str
        Class names, index ``i`` naming label ``i`` (empty for regression; for segmentation index 0
        is the background; detection has no background class).
    task : str
        One of ``"binary"``, ``"multiclass"``, ``"multilabel"``, ``"regression"``,
        ``"segmentation"``, ``"detection"``.
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

    def __post_init__(self) -> None:  # light checks only: from_arrays checks everything
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

    @classmethod
    def from_arrays(cls, train: tuple, val: tuple, test: tuple, *, task: str, classes: Sequence[str],
                    name: str = "custom", description: str = "", licence: str = "", citation: str = "",
                    info: dict[str, Any] | None = None) -> Dataset:
        """A Dataset from your own ``(images, labels)`` arrays, checked so that every trainer can use it.

        Parameters
        ----------
        train, val, test : (images, labels) pairs
            ``images``: ``uint8`` ``N×H×W``, ``N×H×W×C`` or ``N×T×H×W`` (the same sample shape in
            every split). ``labels`` by task: class indices ``(N,)`` (``"binary"``, ``"multiclass"``),
            0/1 ``(N, K)`` (``"multilabel"``), numbers ``(N,)`` (``"regression"``), class-index masks
            shaped like the images without their colour axis (``"segmentation"``), or
            :class:`~medcourse.data.objects.ObjectLabels` / one ``(k, 5)`` array of
            ``row, col, height, width, class`` per image (``"detection"``).
        task : str
            One of :data:`TASKS`.
        classes : sequence of str
            The class names, label ``i`` being ``classes[i]``: two for ``"binary"`` (negative first),
            none for ``"regression"``, the background first for ``"segmentation"``.
        name, description, licence, citation : str
            Shown by ``repr`` and kept with the data: say where your images come from and under which terms.
        info : dict, optional
            Anything else worth keeping (units, spacing, sources …).

        Raises
        ------
        ValueError
            Naming the split and the argument: images that are not ``uint8``, shapes that do not match,
            labels of the wrong dtype or out of the range of ``classes`` …

        Examples
        --------
        >>> x = np.zeros((4, 8, 8), np.uint8)
        >>> data = Dataset.from_arrays((x, [0, 1, 0, 1]), (x[:2], [0, 1]), (x[:2], [1, 0]),
        ...                            task="binary", classes=("normal", "abnormal"), name="mine")
        >>> data
        Dataset('mine', task='binary', classes=2, image_shape=(8, 8), train=4, val=2, test=2)
        >>> Dataset.from_arrays((x, [0, 2, 0, 1]), (x[:2], [0, 1]), (x[:2], [1, 0]),
        ...                     task="binary", classes=("normal", "abnormal"))
        Traceback (most recent call last):
        ...
        ValueError: train labels must be class indices in 0…1 (one per class name), got values from 0 to 2
        """
        from medcourse.data import validation

        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        names = validation.check_classes(task, classes)
        splits = {split: validation.check_split(split, pair, task, names)
                  for split, pair in zip(validation.SPLITS, (train, val, test), strict=True)}
        validation.check_same_sample_shape(splits)
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        return cls(name=name, **splits, classes=names, task=task, description=description, licence=licence,
                   citation=citation, info=dict(info or {}))

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
