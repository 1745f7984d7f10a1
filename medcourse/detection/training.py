"""The framework-free bookkeeping of a detector's training and the per-class scores of a trained one (notebook 06 §4–5).

Both frameworks' ``fit_detector`` write their own training step and loop and hand the numbers to a
:class:`DetectionRun`: the :class:`medcourse.training.TrainingRun` of every ``fit`` (progress bar, best
epoch, live curves, the same :class:`~medcourse.training.History`), with the detection task's numbers —
the loss and the mean CPM over classes — instead of a classifier's.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from medcourse.data.objects import CLASS, ObjectLabels
from medcourse.detection.decoding import boxes_and_scores, centres_and_scores, decode
from medcourse.detection.targets import STRIDE, detection_loss, detection_targets
from medcourse.metrics.detection import average_precision, cpm, froc
from medcourse.training import TrainingRun


def _tables(labels) -> list[np.ndarray]:
    """Per image, the ``(k, 5)`` objects: from ObjectLabels or a list of arrays."""
    if isinstance(labels, ObjectLabels):
        return list(labels)
    return [np.asarray(table, dtype=np.float64).reshape(-1, 5) for table in labels]


def class_scores(labels, detections: Sequence[np.ndarray], class_index: int, *,
                 iou_threshold: float = 0.5) -> dict:
    """How well one class was found: its FROC curve, CPM and box AP, truths and detections per image.

    A detection hits a true object when its centre lies within the object's radius
    (``(height + width)/4``, the box taken as a disc; LUNA16 uses each nodule's radius the same way).

    Parameters
    ----------
    labels : ObjectLabels or list of (k, 5) arrays
        The true objects of each image.
    detections : list of (m, 6) arrays
        ``row, col, height, width, class, score`` per image (:func:`medcourse.detection.decode`).
    class_index : int

    Returns
    -------
    dict
        ``"froc"`` (:class:`~medcourse.metrics.FROCCurve`), ``"cpm"``, ``"ap"`` (PASCAL VOC AP at
        ``iou_threshold``), ``"true_counts"`` and ``"found_counts"`` (objects per image, true and detected
        with any score), ``"truths"`` (per image ``(k, 2)`` centres) and ``"detections"`` (per image
        ``(m, 3)`` row, col, score).

    Examples
    --------
    >>> labels = [np.array([[10.0, 10.0, 6, 6, 0]]), np.zeros((0, 5))]
    >>> found = [np.array([[11.0, 10.0, 6, 6, 0, 0.9]]), np.array([[5.0, 5.0, 6, 6, 0, 0.2]])]
    >>> scores = class_scores(labels, found, 0)
    >>> round(scores["cpm"], 3), round(scores["ap"], 3)
    (1.0, 1.0)
    """
    tables = [table[table[:, CLASS] == class_index] for table in _tables(labels)]
    if len(tables) != len(detections):
        raise ValueError(f"labels and detections must hold one entry per image, got {len(tables)} and {len(detections)}")
    truths = [table[:, :2] for table in tables]
    radii = [(table[:, 2] + table[:, 3]) / 4 for table in tables]
    boxes = [np.concatenate([table[:, :2] - table[:, 2:4] / 2, table[:, :2] + table[:, 2:4] / 2], axis=1)
             for table in tables]
    points = centres_and_scores(list(detections), class_index)
    return {
        "froc": froc(truths, points, hit_radius=radii),
        "cpm": cpm(truths, points, hit_radius=radii),
        "ap": average_precision(boxes, boxes_and_scores(list(detections), class_index), iou_threshold=iou_threshold),
        "true_counts": np.array([len(t) for t in truths]),
        "found_counts": np.array([len(p) for p in points]),
        "truths": truths,
        "detections": points,
    }


def mean_cpm(labels, detections: Sequence[np.ndarray], num_classes: int) -> float:
    """The mean over classes of :func:`class_scores`' CPM (classes absent from ``labels`` left out; NaN if all are)."""
    tables = _tables(labels)
    present = {int(k) for table in tables for k in table[:, CLASS]}
    values = []
    for k in sorted(present & set(range(num_classes))):
        chosen = [table[table[:, CLASS] == k] for table in tables]
        values.append(cpm([t[:, :2] for t in chosen], centres_and_scores(list(detections), k),
                          hit_radius=[(t[:, 2] + t[:, 3]) / 4 for t in chosen]))
    return float(np.mean(values)) if values else float("nan")


class DetectionRun(TrainingRun):
    """:class:`~medcourse.training.TrainingRun` for a detector: per epoch the loss and the mean CPM over classes.

    Used by both frameworks' ``fit_detector`` exactly like a TrainingRun::

        run = DetectionRun("pytorch", epochs=epochs, steps_per_epoch=steps, num_classes=K)
        for epoch in run.epochs():
            for images, targets, labels in batches:
                ...                                   # the framework's own training step
                run.batch(loss, labels, maps)         # maps: NumPy (N, h, w, K + 4), heatmaps as probabilities
            if run.end_epoch(val_labels, val_maps):
                best = copy of the weights
        history = run.finish()

    The training numbers come from the training batches as the network saw them (augmented, in
    training mode): ``loss`` is the mean batch loss, ``cpm`` decodes the batches' maps. The
    validation ``loss`` is :func:`medcourse.detection.detection_loss` of the validation maps and
    ``cpm`` the mean over classes of :func:`class_scores`' CPM. The best epoch has the highest
    validation CPM.
    """

    def __init__(self, framework: str, *, epochs: int, steps_per_epoch: int, num_classes: int, stride: int = STRIDE,
                 live: bool = False, verbose: bool = True, title: str | None = None):
        super().__init__(framework, "detection", epochs=epochs, steps_per_epoch=steps_per_epoch, live=live,
                         verbose=verbose, title=title)
        self.num_classes, self.stride = int(num_classes), int(stride)
        self._batch_losses: list[float] = []
        self._batch_labels: list[np.ndarray] = []
        self._batch_detections: list[np.ndarray] = []

    def epochs(self):
        """The epoch numbers ``0 … epochs − 1``; each starts a new training record and clock."""
        for epoch in super().epochs():
            self._batch_losses, self._batch_labels, self._batch_detections = [], [], []
            yield epoch

    def batch(self, loss: float, labels: ObjectLabels, outputs: np.ndarray) -> None:
        """Record one training batch: its loss, its (mirrored) labels and the NumPy maps the network output."""
        self._batch_losses.append(float(loss))
        self._batch_labels += _tables(labels)
        self._batch_detections += decode(outputs, stride=self.stride)
        self._progress.update(1)
        self._progress.set_postfix(epoch=self._epoch + 1, loss=f"{float(loss):.3f}")

    def end_epoch(self, val_labels: ObjectLabels, val_outputs: np.ndarray) -> bool:
        """Close the epoch with the validation labels and maps; True when it is the best epoch so far."""
        train = {"loss": float(np.mean(self._batch_losses)),
                 "cpm": mean_cpm(self._batch_labels, self._batch_detections, self.num_classes)}
        targets = detection_targets(val_labels, (val_outputs.shape[1] * self.stride, val_outputs.shape[2] * self.stride),
                                    self.num_classes, stride=self.stride)
        val = {"loss": detection_loss(val_outputs, targets),
               "cpm": mean_cpm(val_labels, decode(val_outputs, stride=self.stride), self.num_classes)}
        best = self.history.record(train, val, time.perf_counter() - self._start)
        self._progress.set_postfix(epoch=self._epoch + 1, **{f"val_{k}": f"{v:.3f}" for k, v in val.items()})
        if self._live is not None:
            self._live.update(self.history)
        return best
