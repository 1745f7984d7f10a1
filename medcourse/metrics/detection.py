"""Detection metrics in NumPy (notebook 06 §5): FROC and CPM for found centres, box IoU and average precision.

Two questions, two families of metrics:

* **Did we find it?** A detection is a point (row, col, score). :func:`froc` matches detections to
  the true centres within a hit radius and traces the *free-response ROC*: sensitivity against the
  mean number of false positives per image, one point per score threshold. :func:`cpm` summarises
  it as the mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4 and 8 false positives per image — the
  *competition performance metric* of the ANODE09 and ROC challenges (Niemeijer et al., IEEE TMI
  30(2), 2011) used by LUNA16 (Setio et al., Medical Image Analysis 42, 2017, §2.5).
* **Did we outline it?** A detection is a box with a score. :func:`average_precision` matches boxes
  by intersection over union (:func:`box_iou`) and returns the area under the precision–recall
  curve: PASCAL VOC's rule (``convention="voc"``, AP@0.5 with ``iou_threshold=0.5``) or COCO's
  (``convention="coco"``, which equals ``pycocotools``; ``tests/test_detection.py`` checks it).

Every function takes one entry per image, so images without any truth or without any detection
count as they should (a false positive in an empty image is still a false positive).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["LUNA16_RATES", "FROCCurve", "average_precision", "box_iou", "cpm", "froc", "match_centres",
           "precision_recall", "sensitivity_at"]

#: False positives per image at which the CPM reads the FROC curve (Niemeijer et al. 2011; LUNA16).
LUNA16_RATES = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class FROCCurve(NamedTuple):
    """One point per distinct score threshold, from the highest threshold to the lowest."""

    #: Mean number of false positives per image when every detection scoring ≥ the threshold is kept.
    false_positives_per_image: np.ndarray
    #: Share of all true objects hit at that threshold (NaN when the truths hold no object).
    sensitivity: np.ndarray
    #: The score thresholds, descending.
    thresholds: np.ndarray


def _per_image(name: str, arrays, columns: int, what: str) -> list[np.ndarray]:
    """Check a per-image sequence of ``(n, columns)`` arrays (ObjectLabels allowed for truths)."""
    from medcourse.data.objects import ObjectLabels

    if isinstance(arrays, ObjectLabels):
        arrays = [arrays.centres(i) if columns == 2 else arrays.boxes(i) for i in range(len(arrays))]
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, Sequence):
        raise ValueError(f"{name} must be a list with one array per image, got {type(arrays).__name__}")
    checked = []
    for index, array in enumerate(arrays):
        table = np.asarray(array, dtype=np.float64)
        if table.size == 0:
            table = table.reshape(0, columns)
        if table.ndim != 2 or table.shape[1] != columns:
            raise ValueError(f"{name}[{index}] must have shape (n, {columns}) — {what} — got {table.shape}")
        if not np.all(np.isfinite(table)):
            raise ValueError(f"{name}[{index}] holds NaN or infinite values")
        checked.append(table)
    return checked


def _radii(hit_radius, truths: list[np.ndarray]) -> list[np.ndarray]:
    """``hit_radius`` as one ``(k,)`` array per image: a number for all, or one array per image."""
    if isinstance(hit_radius, (int, float, np.number)) and not isinstance(hit_radius, bool):
        radius = float(hit_radius)
        if not radius > 0 or not np.isfinite(radius):
            raise ValueError(f"hit_radius must be a positive number of pixels, got {hit_radius!r}")
        return [np.full(len(t), radius) for t in truths]
    if isinstance(hit_radius, (str, bool)) or not isinstance(hit_radius, Sequence | np.ndarray):
        raise ValueError(f"hit_radius must be a positive number of pixels or one array of radii per image, "
                         f"got {hit_radius!r}")
    if len(hit_radius) != len(truths):
        raise ValueError(f"hit_radius must be a number or one array of radii per image ({len(truths)}), "
                         f"got {len(hit_radius)} entries")
    radii = [np.asarray(r, dtype=np.float64).reshape(-1) for r in hit_radius]
    for index, (r, t) in enumerate(zip(radii, truths, strict=True)):
        if r.shape != (len(t),) or np.any(~(r > 0)):
            raise ValueError(f"hit_radius[{index}] must hold {len(t)} positive radii, one per truth, got {r}")
    return radii


def match_centres(truths: np.ndarray, detections: np.ndarray, hit_radius: float | np.ndarray) -> np.ndarray:
    """Which truth each detection of one image hits: ``(m,)`` int, the truth's index or −1 for a false positive.

    Detections are taken in descending score (ties in the order given). Each one hits the nearest true
    centre that lies within the hit radius (at most ``hit_radius`` px away) and is not yet matched; a
    detection that finds none — too far from every truth, or near a truth already found — is a false
    positive. The result is in the order the detections were given.

    Examples
    --------
    >>> truths = np.array([[10.0, 10.0]])
    >>> detections = np.array([[11.0, 10.0, 0.9], [10.0, 9.0, 0.8], [40.0, 40.0, 0.7]])
    >>> match_centres(truths, detections, 3.0).tolist()   # the second one comes too late
    [0, -1, -1]
    """
    truths = np.asarray(truths, dtype=np.float64).reshape(-1, 2)
    detections = np.asarray(detections, dtype=np.float64).reshape(-1, 3)
    radius = np.broadcast_to(np.asarray(hit_radius, dtype=np.float64), (len(truths),))
    matches = np.full(len(detections), -1, dtype=np.int64)
    if not len(truths) or not len(detections):
        return matches
    distance = np.hypot(detections[:, None, 0] - truths[None, :, 0], detections[:, None, 1] - truths[None, :, 1])
    within = distance <= radius
    free = np.ones(len(truths), dtype=bool)
    for index in np.argsort(-detections[:, 2], kind="stable"):
        if not within[index].any():  # near no truth at all: a false positive, whatever came before
            continue
        candidates = np.where(free & within[index], distance[index], np.inf)
        nearest = int(np.argmin(candidates))
        if np.isfinite(candidates[nearest]):
            free[nearest], matches[index] = False, nearest
    return matches


def froc(truths, detections, *, hit_radius) -> FROCCurve:
    """The free-response ROC: false positives per image and sensitivity at every score threshold.

    Parameters
    ----------
    truths : list of arrays (k_i, 2), or ObjectLabels
        Per image, the true centres ``(row, col)`` in pixels (ObjectLabels: their box centres).
    detections : list of arrays (m_i, 3)
        Per image, the detections ``(row, col, score)``; ``len(detections) == len(truths)``.
    hit_radius : float, or list of arrays (k_i,)
        A detection within this distance (px) of a not-yet-matched truth is a hit (:func:`match_centres`);
        one array per image gives each truth its own radius (e.g. ``labels.radii(i)``, as LUNA16 uses
        each nodule's radius).

    Returns
    -------
    FROCCurve
        ``(false_positives_per_image, sensitivity, thresholds)``, one entry per distinct score, the
        threshold descending: keeping every detection scoring ≥ ``thresholds[j]`` gives
        ``false_positives_per_image[j]`` false positives per image (over all images, including those
        without truths) and finds the share ``sensitivity[j]`` of all truths.

    Examples
    --------
    >>> truths = [np.array([[10.0, 10.0], [30.0, 30.0]]), np.zeros((0, 2))]
    >>> detections = [np.array([[11.0, 10.0, 0.9], [50.0, 5.0, 0.6]]), np.array([[20.0, 20.0, 0.8]])]
    >>> curve = froc(truths, detections, hit_radius=4.0)
    >>> curve.false_positives_per_image.tolist(), curve.sensitivity.tolist(), curve.thresholds.tolist()
    ([0.0, 0.5, 1.0], [0.5, 0.5, 0.5], [0.9, 0.8, 0.6])
    """
    truths = _per_image("truths", truths, 2, "row, col of each true centre")
    detections = _per_image("detections", detections, 3, "row, col, score of each detection")
    if len(truths) != len(detections):
        raise ValueError(f"truths and detections must hold one entry per image, got {len(truths)} and "
                         f"{len(detections)}")
    if not truths:
        raise ValueError("truths must hold at least one image")
    radii = _radii(hit_radius, truths)
    hits = [match_centres(t, d, r) >= 0 for t, d, r in zip(truths, detections, radii, strict=True)]
    scores = np.concatenate([d[:, 2] for d in detections])
    hit = np.concatenate(hits) if hits else np.zeros(0, dtype=bool)
    order = np.argsort(-scores, kind="stable")
    scores, hit = scores[order], hit[order]
    last_of_each_score = np.flatnonzero(np.append(scores[1:] != scores[:-1], True)) if len(scores) else order
    true_count = sum(len(t) for t in truths)
    found = np.cumsum(hit)[last_of_each_score]
    false = np.cumsum(~hit)[last_of_each_score]
    with np.errstate(invalid="ignore", divide="ignore"):
        sensitivity = found / true_count if true_count else np.full(len(found), np.nan)
    return FROCCurve(false / len(truths), sensitivity.astype(np.float64), scores[last_of_each_score])


def sensitivity_at(curve: FROCCurve, rates: Sequence[float] = LUNA16_RATES) -> np.ndarray:
    """The sensitivity of the best operating point with at most ``rate`` false positives per image, per rate.

    The FROC curve is read as a set of operating points, one per threshold: at each rate the answer
    is the sensitivity of the lowest threshold whose false positives per image do not exceed it (0
    when even the highest threshold gives more; the last point's sensitivity when the curve ends
    before the rate — no detection is left to add). LUNA16's script reads the same curve linearly
    interpolated between points, which differs by at most one truth where the curve steps.
    """
    rates = np.asarray(rates, dtype=np.float64)
    fppi, sensitivity = np.asarray(curve.false_positives_per_image), np.asarray(curve.sensitivity)
    if len(sensitivity) and np.isnan(sensitivity[0]):
        return np.full(rates.shape, np.nan)
    reachable = np.searchsorted(fppi, rates, side="right")  # points with fppi ≤ rate: the first `reachable`
    padded = np.concatenate([[0.0], sensitivity])
    return padded[reachable]


def cpm(truths, detections, *, hit_radius, rates: Sequence[float] = LUNA16_RATES) -> float:
    """Competition performance metric: the mean FROC sensitivity at 1/8, 1/4, 1/2, 1, 2, 4, 8 FP per image.

    The summary of Niemeijer et al. (IEEE TMI 30(2):215–228, 2011) that the LUNA16 challenge ranks
    nodule detectors by (Setio et al., Medical Image Analysis 42:1–13, 2017). Arguments as for
    :func:`froc`; ``rates`` changes the false-positive rates averaged over (:func:`sensitivity_at`).

    Examples
    --------
    >>> truths = [np.array([[10.0, 10.0]]), np.array([[5.0, 5.0]])]
    >>> detections = [np.array([[10.0, 11.0, 0.9]]), np.array([[30.0, 30.0, 0.95], [5.0, 6.0, 0.5]])]
    >>> round(cpm(truths, detections, hit_radius=3.0), 4)   # sensitivity 0 at 1/8 and 1/4 FP/image, 1 from 1/2 on
    0.7143
    """
    return float(np.mean(sensitivity_at(froc(truths, detections, hit_radius=hit_radius), rates)))


# --- boxes: IoU and average precision ----------------------------------------------------------------


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Intersection over union of every pair of boxes ``(top, left, bottom, right)``: an ``(n_a, n_b)`` array.

    Box edges are continuous coordinates (the object layout of :mod:`medcourse.data.objects`), so a
    box's area is ``(bottom − top) · (right − left)`` — COCO's rule; PASCAL VOC's devkit adds 1 to each
    side because it counts pixels by their integer index.

    Examples
    --------
    >>> box_iou(np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([[1.0, 0.0, 3.0, 2.0], [5.0, 5.0, 6.0, 6.0]])).tolist()
    [[0.3333333333333333, 0.0]]
    """
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    top, left = np.maximum(a[:, None, 0], b[None, :, 0]), np.maximum(a[:, None, 1], b[None, :, 1])
    bottom, right = np.minimum(a[:, None, 2], b[None, :, 2]), np.minimum(a[:, None, 3], b[None, :, 3])
    intersection = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / union, 0.0)


def _match_boxes(truths: np.ndarray, detections: np.ndarray, iou_threshold: float, convention: str) -> np.ndarray:
    """True positives ``(m,)`` of one image's detections, in the order given (see :func:`average_precision`)."""
    tp = np.zeros(len(detections), dtype=bool)
    if not len(truths) or not len(detections):
        return tp
    iou = box_iou(detections[:, :4], truths)
    matched = np.zeros(len(truths), dtype=bool)
    for index in np.argsort(-detections[:, 4], kind="stable"):
        if convention == "voc":  # the truth of largest overlap; a repeated hit on it is a false positive
            best = int(np.argmax(iou[index]))
            if iou[index, best] >= iou_threshold and not matched[best]:
                matched[best], tp[index] = True, True
        else:  # COCO: the best truth not yet matched (on equal IoU the later one, as pycocotools)
            candidates = np.flatnonzero(~matched & (iou[index] >= min(iou_threshold, 1 - 1e-10)))
            if candidates.size:
                values = iou[index, candidates]
                best = candidates[np.flatnonzero(values == values.max())[-1]]
                matched[best], tp[index] = True, True
    return tp


def _ranked_matches(truths, detections, iou_threshold: float, convention: str):
    """True-positive flags and scores of all detections in descending score, and the number of truths."""
    if convention not in ("voc", "coco"):
        raise ValueError(f"convention must be 'voc' or 'coco', got {convention!r}")
    if not 0 < iou_threshold <= 1:
        raise ValueError(f"iou_threshold must be in (0, 1], got {iou_threshold!r}")
    truths = _per_image("truths", truths, 4, "top, left, bottom, right of each true box")
    detections = _per_image("detections", detections, 5, "top, left, bottom, right, score of each detection")
    if len(truths) != len(detections):
        raise ValueError(f"truths and detections must hold one entry per image, got {len(truths)} and "
                         f"{len(detections)}")
    tp = np.concatenate([np.zeros(0, bool)] + [_match_boxes(t, d, iou_threshold, convention)
                                               for t, d in zip(truths, detections, strict=True)])
    scores = np.concatenate([np.zeros(0)] + [d[:, 4] for d in detections])
    order = np.argsort(-scores, kind="stable")
    return tp[order], scores[order], sum(len(t) for t in truths)


def precision_recall(truths, detections, *, iou_threshold: float = 0.5, convention: str = "voc"):
    """Precision and recall after each detection, in descending score: ``(precision, recall, scores)``.

    Arguments as for :func:`average_precision`; recall is NaN when the truths hold no box. The
    building block of AP, and what the notebook plots.
    """
    tp, scores, total = _ranked_matches(truths, detections, iou_threshold, convention)
    true_positives = np.cumsum(tp)
    precision = true_positives / np.arange(1, len(tp) + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = true_positives / total if total else np.full(len(tp), np.nan)
    return precision, recall, scores


def average_precision(truths, detections, *, iou_threshold: float = 0.5, convention: str = "voc") -> float:
    """Average precision of box detections of one class: AP@0.5 (PASCAL VOC) by default, or COCO's rule.

    Parameters
    ----------
    truths : list of arrays (k_i, 4), or ObjectLabels
        Per image, the true boxes ``(top, left, bottom, right)`` (ObjectLabels: ``labels.boxes(i)``).
    detections : list of arrays (m_i, 5)
        Per image, ``(top, left, bottom, right, score)``.
    iou_threshold : float
        The overlap (:func:`box_iou`) a detection needs with a truth to be a true positive.
    convention : {"voc", "coco"}
        ``"voc"`` — PASCAL VOC 2010–2012 (Everingham et al., IJCV 88, 2010; its devkit's ``VOCevaldet``):
        detections in descending score, each compared with the truth it overlaps most; a true
        positive if IoU ≥ threshold and that truth is not yet found, otherwise a false positive; AP is
        the exact area under the precision–recall curve made monotone (all points). ``"coco"`` — as
        ``pycocotools.COCOeval`` with one IoU threshold, every detection kept and one area range: each
        detection takes the best *still unmatched* truth, and AP averages the monotone precision at
        101 recall levels 0, 0.01, …, 1.

    Returns
    -------
    float
        In [0, 1]; NaN when the truths hold no box (recall is undefined).

    Examples
    --------
    >>> truths = [np.array([[0.0, 0.0, 10.0, 10.0]]), np.array([[0.0, 0.0, 4.0, 4.0]])]
    >>> detections = [np.array([[1.0, 0.0, 11.0, 10.0, 0.9], [20.0, 20.0, 30.0, 30.0, 0.8]]),
    ...               np.array([[0.0, 0.0, 4.0, 4.0, 0.7]])]
    >>> round(average_precision(truths, detections), 4)   # hit, miss, hit: 1/2 · 1 + 1/2 · 2/3
    0.8333
    """
    tp, _, total = _ranked_matches(truths, detections, iou_threshold, convention)
    if not total:
        return float("nan")
    true_positives = np.cumsum(tp)
    precision, recall = true_positives / np.arange(1, len(tp) + 1), true_positives / total
    if convention == "voc":
        recall_steps = np.concatenate([[0.0], recall, [1.0]])
        envelope = np.maximum.accumulate(np.concatenate([[0.0], precision, [0.0]])[::-1])[::-1]
        changes = np.flatnonzero(recall_steps[1:] != recall_steps[:-1])
        return float(np.sum((recall_steps[changes + 1] - recall_steps[changes]) * envelope[changes + 1]))
    envelope = np.concatenate([np.maximum.accumulate(precision[::-1])[::-1], [0.0]])  # 0 beyond the last recall
    positions = np.searchsorted(recall, np.linspace(0.0, 1.0, 101), side="left")
    return float(np.mean(envelope[np.minimum(positions, len(precision))]))
