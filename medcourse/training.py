"""What both frameworks' ``fit`` share: the :class:`History` record and the per-epoch bookkeeping.

Framework-free (NumPy only): :func:`medcourse.pytorch.fit` and :func:`medcourse.tensorflow.fit` fill
the same :class:`History` with numbers computed by the same functions here, so a TensorFlow run and a
PyTorch run can be compared line by line and drawn on one figure with :func:`medcourse.plot.history`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from medcourse import metrics
from medcourse.data.transforms import to_float

__all__ = ["METRICS", "History", "class_weights", "compare", "epoch_metrics", "images_to_float"]

#: The per-epoch numbers every History holds, for the training and the validation split.
METRICS = ("loss", "accuracy", "auc")


@dataclass
class History:
    """Per-epoch training record, identical in format for TensorFlow and PyTorch.

    Attributes
    ----------
    framework : str
        ``"tensorflow"`` or ``"pytorch"`` (used as the label when histories are overlaid).
    train, val : dict of str to list of float
        ``{"loss": [...], "accuracy": [...], "auc": [...]}``, one entry per epoch. ``loss`` is the
        mean (unweighted) cross-entropy, so training and validation losses are comparable even when
        class weighting changed what the optimiser minimised. ``auc`` is the ROC AUC for a binary
        problem and the macro one-vs-rest AUC for a multi-class one.
    best_epoch : int or None
        1-based epoch whose weights the model holds after ``fit``: the highest validation AUC, ties
        broken by the lower validation loss.
    seconds : float
        Wall time of the whole run. Not compared by ``==`` (two identical runs take different times).
    epoch_seconds : list of float
        Wall time of each epoch (not compared either).
    """

    framework: str = ""
    train: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    val: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    best_epoch: int | None = None
    seconds: float = field(default=0.0, compare=False)
    epoch_seconds: list[float] = field(default_factory=list, compare=False)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train["loss"])

    def record(self, train: dict[str, float], val: dict[str, float], seconds: float = 0.0) -> bool:
        """Append one epoch's numbers; return True when this epoch is the best so far."""
        for split, values in (("train", train), ("val", val)):
            missing = set(METRICS) - set(values)
            if missing:
                raise ValueError(f"{split} metrics must contain {METRICS}, missing {sorted(missing)}")
            for name in METRICS:
                getattr(self, split)[name].append(float(values[name]))
        self.epoch_seconds.append(float(seconds))
        self.seconds += float(seconds)
        if self.best_epoch is None or _better(val, self.best()):
            self.best_epoch = self.epochs
            return True
        return False

    def best(self) -> dict[str, float]:
        """Validation numbers at :attr:`best_epoch` (empty before the first epoch)."""
        if self.best_epoch is None:
            return {}
        return {name: self.val[name][self.best_epoch - 1] for name in METRICS}

    def last(self, split: str = "val") -> dict[str, float]:
        """Numbers of the last epoch for ``split`` (``"train"`` or ``"val"``)."""
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        return {name: getattr(self, split)[name][-1] for name in METRICS} if self.epochs else {}

    def __str__(self) -> str:
        if not self.epochs:
            return f"History({self.framework!r}, no epochs)"
        best = self.best()
        return (
            f"History({self.framework!r}, {self.epochs} epochs in {self.seconds:.1f} s, best epoch "
            f"{self.best_epoch}: val loss {best['loss']:.3f}, accuracy {best['accuracy']:.3f}, AUC {best['auc']:.3f})"
        )


def _better(candidate: dict[str, float], incumbent: dict[str, float]) -> bool:
    """Higher AUC wins; an equal (or undefined) AUC falls back to the lower loss."""
    new_auc, old_auc = candidate["auc"], incumbent["auc"]
    if not (math.isnan(new_auc) or math.isnan(old_auc)) and new_auc != old_auc:
        return new_auc > old_auc
    return candidate["loss"] < incumbent["loss"]


def compare(*histories: History) -> str:
    """A small table of the best validation numbers of several runs, side by side (e.g. TF vs PyTorch)."""
    lines = [f"{'run':<12} {'epochs':>6} {'best':>5} {'val loss':>9} {'val acc':>8} {'val AUC':>8} {'seconds':>8}"]
    for h in histories:
        best = h.best()
        lines.append(
            f"{h.framework or '?':<12} {h.epochs:>6d} {h.best_epoch or 0:>5d} {best.get('loss', math.nan):>9.4f} "
            f"{best.get('accuracy', math.nan):>8.4f} {best.get('auc', math.nan):>8.4f} {h.seconds:>8.1f}"
        )
    return "\n".join(lines)


def epoch_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """Mean cross-entropy, accuracy and (macro) ROC AUC of class probabilities ``(N, K)``.

    The AUC is ``nan`` when a class is missing from ``labels`` (it is undefined then).

    Examples
    --------
    >>> m = epoch_metrics(np.array([0, 1]), np.array([[0.8, 0.2], [0.4, 0.6]]))
    >>> round(m["loss"], 4), m["accuracy"], m["auc"]
    (0.367, 1.0, 1.0)
    """
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(f"probabilities must have shape ({len(labels)}, K), got {probabilities.shape}")
    chosen = np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1.0)
    try:
        auc = metrics.roc_auc(labels, probabilities)
    except ValueError:  # a class absent from this split: AUC undefined
        auc = math.nan
    return {
        "loss": float(-np.mean(np.log(chosen))),
        "accuracy": float(np.mean(probabilities.argmax(axis=1) == labels)),
        "auc": float(auc),
    }


def class_weights(labels: np.ndarray, num_classes: int, mode: str | None = "balanced") -> np.ndarray:
    """Per-class loss weights: ``"balanced"`` gives class ``c`` the weight ``N / (K · N_c)``, ``None`` all ones.

    With balanced weights every class contributes the same total weight to the loss, so a rare
    disease class is not ignored by a network that could score well by always answering "healthy".

    Examples
    --------
    >>> class_weights(np.array([0, 0, 0, 1]), 2).tolist()
    [0.6666666666666666, 2.0]
    """
    if mode is None:
        return np.ones(num_classes)
    if mode != "balanced":
        raise ValueError(f"class_weight must be 'balanced' or None, got {mode!r}")
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes).astype(np.float64)
    if np.any(counts == 0):
        raise ValueError(f"class_weight='balanced' needs every class in the training labels; counts are {counts.tolist()}")
    return len(labels) / (num_classes * counts)


def images_to_float(images: np.ndarray, image_shape: tuple[int, int, int] | None = None) -> np.ndarray:
    """``uint8`` images ``N×H×W`` or ``N×H×W×C`` as float32 ``N×H×W×C`` in ``[0, 1]`` (divide by 255).

    The data adapters' scaling (:func:`medcourse.data.transforms.to_float`), so predictions on raw
    Dataset arrays see what training saw; unlike it, floats are refused (they would be scaled twice).

    Parameters
    ----------
    images : numpy.ndarray of uint8
    image_shape : (H, W, C), optional
        The shape the model expects; a clear error when the images do not fit it.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            f"images must be uint8 as the Dataset holds them (0…255), got dtype {images.dtype}; "
            "pass the raw dataset arrays, not already-normalised floats"
        )
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape N×H×W or N×H×W×C, got {images.shape}")
    scaled = to_float(images)  # the data adapters' own scaling and channel handling
    if image_shape is not None and tuple(scaled.shape[1:]) != tuple(image_shape):
        raise ValueError(f"the model expects images of shape (H, W, C) = {tuple(image_shape)}, got {images.shape[1:]}")
    return scaled
