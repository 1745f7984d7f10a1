"""What every ``fit`` of the course shares, framework-free: the :class:`History`, the metrics of an epoch,
the checks of its arguments, and the bookkeeping of a run (progress bar, best epoch, live curves).

:func:`medcourse.pytorch.fit` and :func:`medcourse.tensorflow.fit` (and the sequence trainers of
``medcourse.pytorch.rnn`` / ``medcourse.tensorflow.rnn``) write their own training step and loop — that
is what a student compares — and hand the numbers to a :class:`TrainingRun` here. So a TensorFlow run
and a PyTorch run fill the same :class:`History` with numbers computed by the same NumPy functions, and
:func:`medcourse.plot.history` draws them on one figure. Notebook 04 §5 introduces it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from medcourse import metrics

__all__ = [
    "TASK_METRICS",
    "History",
    "TrainingRun",
    "check_epochs",
    "check_fit_arguments",
    "check_images",
    "class_weights",
    "compare",
    "epoch_metrics",
    "evaluate_split",
]

#: The per-epoch numbers a History holds for each task, for the training and the validation split.
TASK_METRICS: dict[str, tuple[str, ...]] = {
    "binary": ("loss", "accuracy", "auc"),
    "multiclass": ("loss", "accuracy", "auc"),
    "regression": ("loss", "mae"),
    "segmentation": ("loss", "dice"),
    "detection": ("loss", "cpm"),  # CPM: mean FROC sensitivity at 1/8 … 8 FP per image (medcourse.detection, nb 06)
}

#: Which validation number picks the best epoch, and whether higher is better; ties fall back to the loss.
_MONITOR = {"binary": ("auc", True), "multiclass": ("auc", True), "regression": ("loss", False),
            "segmentation": ("dice", True), "detection": ("cpm", True)}


def _empty(task: str) -> dict[str, list[float]]:
    return {name: [] for name in TASK_METRICS[task]}


@dataclass
class History:
    """Per-epoch training record, identical in format for TensorFlow and PyTorch.

    Attributes
    ----------
    framework : str
        ``"tensorflow"`` or ``"pytorch"`` (the label when histories are overlaid).
    task : str
        ``"binary"``, ``"multiclass"``, ``"regression"`` or ``"segmentation"``; it fixes the metrics
        (:data:`TASK_METRICS`) and how the best epoch is chosen.
    train, val : dict of str to list of float
        One entry per epoch for each metric. Classification: ``loss`` (mean unweighted cross-entropy,
        comparable between splits even when class weighting changed what the optimiser minimised),
        ``accuracy``, ``auc`` (ROC AUC, macro one-vs-rest for several classes). Regression: ``loss`` (mean
        squared error of the standardised target), ``mae`` (mean absolute error in the target's units).
        Segmentation: ``loss`` (mean per-pixel cross-entropy), ``dice`` (mean foreground Dice).
    best_epoch : int or None
        1-based epoch whose weights the model holds after ``fit``: the highest validation AUC
        (classification) or Dice (segmentation), the lowest validation loss (regression); ties and
        undefined values fall back to the lower validation loss.
    seconds : float
        Wall time of the whole run. Not compared by ``==`` (two identical runs take different times).
    epoch_seconds : list of float
        Wall time of each epoch (not compared either).
    """

    framework: str = ""
    task: str = "multiclass"
    train: dict[str, list[float]] = field(default_factory=dict)
    val: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    seconds: float = field(default=0.0, compare=False)
    epoch_seconds: list[float] = field(default_factory=list, compare=False)

    def __post_init__(self) -> None:
        if self.task not in TASK_METRICS:
            raise ValueError(f"task must be one of {tuple(TASK_METRICS)}, got {self.task!r}")
        self.train = self.train or _empty(self.task)
        self.val = self.val or _empty(self.task)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The names of the numbers recorded each epoch."""
        return TASK_METRICS[self.task]

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train["loss"])

    def record(self, train: dict[str, float], val: dict[str, float], seconds: float = 0.0) -> bool:
        """Append one epoch's numbers; return True when this epoch is the best so far."""
        for split, values in (("train", train), ("val", val)):
            missing = set(self.metrics) - set(values)
            if missing:
                raise ValueError(f"{split} metrics must contain {self.metrics}, missing {sorted(missing)}")
            for name in self.metrics:
                getattr(self, split)[name].append(float(values[name]))
        self.epoch_seconds.append(float(seconds))
        self.seconds += float(seconds)
        if self.best_epoch is None or self._better(val, self.best()):
            self.best_epoch = self.epochs
            return True
        return False

    def _better(self, candidate: dict[str, float], incumbent: dict[str, float]) -> bool:
        name, higher = _MONITOR[self.task]
        new, old = candidate[name], incumbent[name]
        if name != "loss" and not (math.isnan(new) or math.isnan(old)) and new != old:
            return new > old if higher else new < old
        return candidate["loss"] < incumbent["loss"]

    def best(self) -> dict[str, float]:
        """Validation numbers at :attr:`best_epoch` (empty before the first epoch)."""
        if self.best_epoch is None:
            return {}
        return {name: self.val[name][self.best_epoch - 1] for name in self.metrics}

    def last(self, split: str = "val") -> dict[str, float]:
        """Numbers of the last epoch for ``split`` (``"train"`` or ``"val"``)."""
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        return {name: getattr(self, split)[name][-1] for name in self.metrics} if self.epochs else {}

    def __str__(self) -> str:
        if not self.epochs:
            return f"History({self.framework!r}, no epochs)"
        numbers = ", ".join(f"{_NAMES[name]} {value:.3f}" for name, value in self.best().items())
        return (f"History({self.framework!r}, {self.epochs} epochs in {self.seconds:.1f} s, best epoch "
                f"{self.best_epoch}: val {numbers})")


_NAMES = {"loss": "loss", "accuracy": "accuracy", "auc": "AUC", "mae": "MAE", "dice": "Dice", "cpm": "CPM"}


def compare(*histories: History) -> str:
    """A small table of the best validation numbers of several runs, side by side (e.g. TF vs PyTorch)."""
    if not histories:
        raise ValueError("compare() needs at least one History")
    names = histories[0].metrics
    lines = [f"{'run':<12} {'epochs':>6} {'best':>5} " + " ".join(f"{'val ' + _NAMES[n]:>9}" for n in names)
             + f" {'seconds':>8}"]
    for h in histories:
        best = h.best()
        numbers = " ".join(f"{best.get(n, math.nan):>9.4f}" for n in names)
        lines.append(f"{h.framework or '?':<12} {h.epochs:>6d} {h.best_epoch or 0:>5d} {numbers} {h.seconds:>8.1f}")
    return "\n".join(lines)


# --- the numbers of one epoch ------------------------------------------------------------------------


def _classification(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(f"probabilities must have shape ({len(labels)}, K), got {probabilities.shape}")
    chosen = np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1.0)
    try:
        auc = metrics.roc_auc(labels, probabilities)
    except ValueError:  # a class absent from this split: AUC undefined
        auc = math.nan
    return {"loss": float(-np.mean(np.log(chosen))),
            "accuracy": float(np.mean(probabilities.argmax(axis=1) == labels)), "auc": float(auc)}


def _regression(targets: np.ndarray, predictions: np.ndarray, target_scale: float) -> dict[str, float]:
    error = np.asarray(predictions, dtype=np.float64) - np.asarray(targets, dtype=np.float64)
    if error.ndim != 1:
        raise ValueError(f"predictions and targets must be one number per sample, got shape {error.shape}")
    return {"loss": float(np.mean((error / target_scale) ** 2)), "mae": float(np.mean(np.abs(error)))}


def _segmentation_counts(masks: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Per class: [Σ −log p_true over its pixels, |true| (its pixels), |true ∩ predicted|, |predicted|]."""
    masks = np.asarray(masks).astype(np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 4 or probabilities.shape[:3] != masks.shape:
        raise ValueError(f"probabilities must have shape (N, H, W, K) = {(*masks.shape, 'K')}, "
                         f"got {probabilities.shape}")
    classes = probabilities.shape[-1]
    true_p = np.take_along_axis(probabilities, masks[..., None], axis=-1)[..., 0]
    predicted = probabilities.argmax(axis=-1)
    counts = np.zeros((classes, 4))
    counts[:, 0] = np.bincount(masks.ravel(), -np.log(np.clip(true_p, 1e-12, 1.0)).ravel(), minlength=classes)
    counts[:, 1] = np.bincount(masks.ravel(), minlength=classes)
    counts[:, 2] = np.bincount(masks[predicted == masks], minlength=classes)
    counts[:, 3] = np.bincount(predicted.ravel(), minlength=classes)
    return counts


def _segmentation_result(counts: np.ndarray) -> dict[str, float]:
    """Mean cross-entropy and the mean over foreground classes of the pooled Dice ``2|A∩B| / (|A| + |B|)``."""
    foreground = counts[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = 2 * foreground[:, 2] / (foreground[:, 3] + foreground[:, 1])
    defined = dice[np.isfinite(dice)]
    return {"loss": float(counts[:, 0].sum() / counts[:, 1].sum()),
            "dice": float(defined.mean()) if defined.size else math.nan}


def epoch_metrics(labels: np.ndarray, outputs: np.ndarray, task: str = "multiclass", *,
                  target_scale: float = 1.0) -> dict[str, float]:
    """The numbers :class:`History` records for one split, from labels and the model's outputs.

    Parameters
    ----------
    labels : numpy.ndarray
        Class indices ``(N,)``, regression targets ``(N,)`` or segmentation masks ``(N, H, W)``.
    outputs : numpy.ndarray
        Class probabilities ``(N, K)``; predicted targets ``(N,)`` in the target's units; or per-pixel class
        probabilities ``(N, H, W, K)``.
    task : str
        One of :data:`TASK_METRICS`.
    target_scale : float
        Regression only: the standard deviation the target was standardised with (the loss is the MSE in
        those units, as the optimiser saw it).

    Examples
    --------
    >>> m = epoch_metrics(np.array([0, 1]), np.array([[0.8, 0.2], [0.4, 0.6]]))
    >>> round(m["loss"], 4), m["accuracy"], m["auc"]
    (0.367, 1.0, 1.0)
    >>> epoch_metrics(np.array([10.0, 20.0]), np.array([12.0, 19.0]), "regression", target_scale=2.0)
    {'loss': 0.625, 'mae': 1.5}
    """
    if task in ("binary", "multiclass"):
        return _classification(labels, outputs)
    if task == "regression":
        return _regression(labels, outputs, target_scale)
    if task == "segmentation":
        return _segmentation_result(_segmentation_counts(labels, outputs))
    raise ValueError(f"task must be one of {tuple(TASK_METRICS)}, got {task!r}")


class _Accumulator:
    """Gathers a training epoch's labels and outputs batch by batch; segmentation keeps only running counts."""

    def __init__(self, task: str, target_scale: float = 1.0):
        self.task, self.target_scale = task, target_scale
        self.labels: list[np.ndarray] = []
        self.outputs: list[np.ndarray] = []
        self.counts: np.ndarray | None = None

    def add(self, labels: np.ndarray, outputs: np.ndarray) -> None:
        if self.task == "segmentation":
            counts = _segmentation_counts(labels, outputs)
            self.counts = counts if self.counts is None else self.counts + counts
        else:
            self.labels.append(np.asarray(labels))
            self.outputs.append(np.asarray(outputs))

    def result(self) -> dict[str, float]:
        if self.task == "segmentation":
            return _segmentation_result(self.counts)
        labels, outputs = np.concatenate(self.labels), np.concatenate(self.outputs)
        if self.task == "regression":  # both standardised during training: back to the target's units
            return _regression(labels * self.target_scale, outputs * self.target_scale, self.target_scale)
        return _classification(labels, outputs)


# --- checks and shared bodies ------------------------------------------------------------------------


def check_epochs(epochs) -> int:
    """``epochs`` as a positive int, or a ValueError naming it."""
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    return int(epochs)


def check_fit_arguments(dataset, epochs, tasks: tuple[str, ...], *, caller: str = "fit") -> int:
    """Refuse a dataset whose task the trainer cannot learn, or a bad number of epochs; return ``epochs``."""
    task = getattr(dataset, "task", None)
    if task not in tasks:
        raise ValueError(f"{caller} needs a medcourse Dataset with task {' or '.join(map(repr, tasks))}, "
                         f"got {type(dataset).__name__} with task {task!r}")
    return check_epochs(epochs)


def check_images(images: np.ndarray, expected_shape: tuple[int, ...] | None) -> None:
    """Refuse images whose sample shape (``H×W`` counts as ``H×W×1``) differs from the model's ``(H, W, C)``."""
    shape = tuple(np.shape(images)[1:])
    shape = (*shape, 1) if len(shape) == 2 else shape
    if expected_shape is not None and shape != tuple(expected_shape):
        raise ValueError(f"the model expects images of shape (H, W, C) = {tuple(expected_shape)}, "
                         f"got {np.shape(images)[1:]}")


def evaluate_split(dataset, split: str, predict: Callable[[np.ndarray], np.ndarray], *,
                   target_scale: float = 1.0) -> dict[str, float]:
    """The body of both frameworks' ``evaluate``: :func:`epoch_metrics` of ``predict(images)`` on one split."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
    images, labels = getattr(dataset, split)
    return epoch_metrics(labels, predict(images), dataset.task, target_scale=target_scale)


def class_weights(labels: np.ndarray, num_classes: int, mode: str | None = "balanced") -> np.ndarray:
    """Per-class loss weights: ``"balanced"`` gives class ``c`` the weight ``N / (K · N_c)``, ``None`` all ones.

    With balanced weights every class contributes the same total weight to the loss, so a rare
    disease class is not ignored by a network that could score well by always answering "healthy".
    For segmentation masks, ``N`` and ``N_c`` count pixels.

    Examples
    --------
    >>> class_weights(np.array([0, 0, 0, 1]), 2).tolist()
    [0.6666666666666666, 2.0]
    """
    if mode is None:
        return np.ones(num_classes)
    if mode != "balanced":
        raise ValueError(f"class_weight must be 'balanced' or None, got {mode!r}")
    labels = np.asarray(labels, dtype=np.int64).ravel()
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    if np.any(counts == 0):
        raise ValueError(f"class_weight='balanced' needs every class in the training labels; counts are {counts.tolist()}")
    return len(labels) / (num_classes * counts)


# --- the bookkeeping of a run ------------------------------------------------------------------------


class TrainingRun:
    """Progress bar, per-epoch metrics, best epoch and live curves of one ``fit``; the loop stays the caller's.

    Use it as::

        run = TrainingRun("pytorch", dataset.task, epochs=epochs, steps_per_epoch=len(batches))
        for epoch in run.epochs():
            for images, labels in batches:
                ...                                    # the framework's own training step
                run.batch(loss, labels, outputs)       # NumPy labels and outputs of this batch
            if run.end_epoch(val_labels, val_outputs):
                best = copy of the weights
        history = run.finish()

    Parameters
    ----------
    framework : str
        Label of the run (the History's ``framework``, the progress bar's description).
    task : str
        One of :data:`TASK_METRICS`.
    epochs, steps_per_epoch : int
        For the progress bar.
    live : bool
        Redraw the curves after every epoch (in a notebook).
    verbose : bool
        Show the progress bar and a closing summary line.
    target_scale : float
        Regression: the target's standard deviation (outputs and labels given to :meth:`batch` are standardised).
    """

    def __init__(self, framework: str, task: str, *, epochs: int, steps_per_epoch: int, live: bool = False,
                 verbose: bool = True, target_scale: float = 1.0, title: str | None = None):
        from tqdm.auto import tqdm

        from medcourse.plot import LiveHistory

        self.history = History(framework=framework, task=task)
        self.total_epochs = check_epochs(epochs)
        self.target_scale = float(target_scale)
        self.verbose = verbose
        self._live = LiveHistory(title=title or framework) if live else None
        self._progress = tqdm(total=self.total_epochs * int(steps_per_epoch), desc=title or framework,
                              unit="batch", disable=not verbose, leave=True)
        self._epoch = 0
        self._start = 0.0
        self._train = _Accumulator(task, self.target_scale)

    def epochs(self) -> Iterator[int]:
        """The epoch numbers ``0 … epochs − 1``; each starts a new training record and clock."""
        for epoch in range(self.total_epochs):
            self._epoch, self._start = epoch, time.perf_counter()
            self._train = _Accumulator(self.history.task, self.target_scale)
            yield epoch

    def batch(self, loss: float, labels: np.ndarray, outputs: np.ndarray) -> None:
        """Record one training batch: its loss (for the progress bar) and its NumPy labels and outputs."""
        self._train.add(labels, outputs)
        self._progress.update(1)
        self._progress.set_postfix(epoch=self._epoch + 1, loss=f"{float(loss):.3f}")

    def end_epoch(self, val_labels: np.ndarray, val_outputs: np.ndarray) -> bool:
        """Close the epoch with the validation labels and outputs; True when it is the best epoch so far."""
        train = self._train.result()
        val = epoch_metrics(val_labels, val_outputs, self.history.task, target_scale=self.target_scale)
        best = self.history.record(train, val, time.perf_counter() - self._start)
        self._progress.set_postfix(epoch=self._epoch + 1, **{f"val_{k}": f"{v:.3f}" for k, v in val.items()})
        if self._live is not None:
            self._live.update(self.history)
        return best

    def finish(self) -> History:
        """Close the progress bar, print the summary line (when verbose) and return the History."""
        self._progress.close()
        if self.verbose:
            print(self.history)
        return self.history
