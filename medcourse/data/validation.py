"""The checks behind :meth:`Dataset.from_arrays`: bring your own images, get a clear message when they do not fit.

Each message names the split (``train``, ``val``, ``test``) and the argument (``images``, i.e. the
first element of the pair, or ``labels``, the second), says what was expected and what was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from medcourse.data.objects import CLASS, COL, COLUMNS, HEIGHT, ROW, WIDTH, ObjectLabels

SPLITS = ("train", "val", "test")
CLASSIFICATION_TASKS = ("binary", "multiclass")
_UINT8_HINT = ("convert them first, e.g. np.clip(np.rint(x * 255), 0, 255).astype(np.uint8) for values "
               "in [0, 1], or x.astype(np.uint8) for whole numbers 0…255")


def check_classes(task: str, classes: Any) -> tuple[str, ...]:
    """``classes`` as a tuple of names, checked against what ``task`` needs."""
    if isinstance(classes, str) or not isinstance(classes, Sequence | np.ndarray):
        raise ValueError(f"classes must be a sequence of class names, got {classes!r}")
    names = tuple(classes)
    bad = [name for name in names if not isinstance(name, str)]
    if bad:
        raise ValueError(f"classes must be names (strings), got {bad[:3]!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"classes must be distinct, got {list(names)}")
    needed = {"binary": (2, 2), "multiclass": (2, None), "multilabel": (1, None), "regression": (0, 0),
              "segmentation": (2, None), "detection": (1, None)}[task]
    low, high = needed
    if len(names) < low or (high is not None and len(names) > high):
        expected = {"binary": "exactly 2 names (negative first)", "regression": "none: pass classes=()",
                    "segmentation": "at least 2 names, index 0 being the background",
                    "multiclass": "at least 2 names"}.get(task, f"at least {low} name")
        raise ValueError(f"a {task} dataset needs classes with {expected}, got {list(names)}")
    return names


def _images(split: str, images: Any, task: str) -> np.ndarray:
    if isinstance(images, ObjectLabels):
        raise ValueError(f"{split} images must be an array, got ObjectLabels: is the pair (images, labels) "
                         "the wrong way round?")
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"{split} images must be uint8 (the course's display values 0…255), got dtype "
                         f"{images.dtype}: {_UINT8_HINT}")
    allowed = (3, 4) if task in ("segmentation", "detection") else (3, 4, 5)
    if images.ndim not in allowed:
        raise ValueError(f"{split} images must be shaped N×H×W (grey), N×H×W×C (colour) or N×T×H×W "
                         f"(sequences){', or N×T×H×W×C' if 5 in allowed else ''}, got shape {images.shape}")
    if len(images) == 0:
        raise ValueError(f"{split} must hold at least one image, got none")
    return images


def _integer_labels(split: str, labels: np.ndarray, what: str) -> np.ndarray:
    if labels.dtype == bool:
        return labels.astype(np.int64)
    if not np.issubdtype(labels.dtype, np.integer):
        whole = np.issubdtype(labels.dtype, np.floating) and bool(np.all(np.isfinite(labels))) and \
            bool(np.all(labels == np.round(labels)))
        hint = " (they are whole numbers: pass labels.astype(np.int64))" if whole else ""
        raise ValueError(f"{split} labels must be integer {what}, got dtype {labels.dtype}{hint}")
    return labels


def _in_range(split: str, values: np.ndarray, count: int, what: str) -> None:
    if values.size and (values.min() < 0 or values.max() >= count):
        raise ValueError(f"{split} labels must be {what} in 0…{count - 1} (one per class name), got values "
                         f"from {values.min()} to {values.max()}")


def _classification(split, images, labels, task, classes):
    labels = _integer_labels(split, np.asarray(labels), "class indices")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (len(images),):
        raise ValueError(f"{split} labels must have shape ({len(images)},) (one class index per image), "
                         f"got {labels.shape}")
    _in_range(split, labels, len(classes), "class indices")
    return labels.astype(np.int64, copy=False)


def _multilabel(split, images, labels, task, classes):
    labels = _integer_labels(split, np.asarray(labels), "0/1 indicators")
    expected = (len(images), len(classes))
    if labels.shape != expected:
        raise ValueError(f"{split} labels must have shape {expected} (one 0/1 column per class), got {labels.shape}")
    if labels.size and not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{split} labels of a multilabel dataset must be 0 or 1, got values "
                         f"{np.unique(labels)[:5].tolist()}")
    return labels.astype(np.int64, copy=False)


def _regression(split, images, labels, task, classes):
    labels = np.asarray(labels)
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.number):
        raise ValueError(f"{split} labels of a regression dataset must be numbers, got dtype {labels.dtype}")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (len(images),):
        raise ValueError(f"{split} labels must have shape ({len(images)},) (one target per image), got {labels.shape}")
    if not np.all(np.isfinite(labels)):
        raise ValueError(f"{split} labels must be finite numbers, got NaN or infinity")
    return labels.astype(np.float32)


def _segmentation(split, images, labels, task, classes):
    masks = _integer_labels(split, np.asarray(labels), "class-index masks")
    colour = images.ndim == 4 and images.shape[-1] in (3, 4) and masks.shape == images.shape[:-1]
    if masks.shape != images.shape and not colour:
        raise ValueError(f"{split} labels must be masks with the images' shape {images.shape} (or without "
                         f"the colour axis, {images.shape[:-1]}), got {masks.shape}")
    _in_range(split, masks, len(classes), "mask values (class indices)")
    return masks.astype(np.uint8, copy=False)


def _detection(split, images, labels, task, classes):
    if not isinstance(labels, ObjectLabels):
        try:
            labels = ObjectLabels.from_lists(labels)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{split} labels must be ObjectLabels or one (k, 5) array per image with the "
                             f"columns {COLUMNS}: {error}") from None
    if len(labels) != len(images):
        raise ValueError(f"{split} has {len(images)} images but labels for {len(labels)}; they must match")
    values = labels.values
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{split} labels must be finite numbers, got NaN or infinity")
    if values.size and (values[:, [HEIGHT, WIDTH]].min() <= 0):
        raise ValueError(f"{split} labels: every box needs height > 0 and width > 0, got "
                         f"{values[:, [HEIGHT, WIDTH]].min()}")
    height, width = images.shape[1:3]
    outside = (values[:, ROW] < -0.5) | (values[:, ROW] > height - 0.5) | \
              (values[:, COL] < -0.5) | (values[:, COL] > width - 0.5)
    if outside.any():
        row, col = values[np.argmax(outside), [ROW, COL]]
        raise ValueError(f"{split} labels: object centres must lie in the {height}×{width} image "
                         f"(row in [-0.5, {height - 0.5}], col in [-0.5, {width - 0.5}]), got ({row}, {col})")
    kinds = values[:, CLASS]
    if kinds.size and not np.all(kinds == np.round(kinds)):
        raise ValueError(f"{split} labels: the class column must hold whole numbers (class indices)")
    _in_range(split, kinds, len(classes), "object classes")
    return labels


_LABELS = {"binary": _classification, "multiclass": _classification, "multilabel": _multilabel,
           "regression": _regression, "segmentation": _segmentation, "detection": _detection}


def check_split(split: str, pair: Any, task: str, classes: tuple[str, ...]) -> tuple[np.ndarray, Any]:
    """One ``(images, labels)`` pair, checked and converted to the course's dtypes."""
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise ValueError(f"{split} must be an (images, labels) pair, got {type(pair).__name__}"
                         f"{f' of length {len(pair)}' if isinstance(pair, tuple | list) else ''}")
    images = _images(split, pair[0], task)
    labels = pair[1]
    if task != "detection" and isinstance(labels, ObjectLabels):
        raise ValueError(f"{split} labels are ObjectLabels, which only a detection dataset takes "
                         f"(task={task!r})")
    if task != "detection" and len(np.asarray(labels)) != len(images):
        raise ValueError(f"{split} has {len(images)} images but {len(np.asarray(labels))} labels; they must match")
    return images, _LABELS[task](split, images, labels, task, classes)


def check_same_sample_shape(splits: dict[str, tuple[np.ndarray, Any]]) -> None:
    """Every split's images share one sample shape (what a model's input layer is built for)."""
    shapes = {split: images.shape[1:] for split, (images, _) in splits.items()}
    if len(set(shapes.values())) > 1:
        described = ", ".join(f"{split} {shape}" for split, shape in shapes.items())
        raise ValueError(f"images of every split must have the same shape per sample, got {described}")


__all__ = ["CLASSIFICATION_TASKS", "SPLITS", "check_classes", "check_same_sample_shape", "check_split"]
