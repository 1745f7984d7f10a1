"""From output maps to detections (notebook 06 §3): peaks by 3×3 max-pooling, decoding to boxes, per-class views."""

from __future__ import annotations

import numpy as np

from medcourse.detection.targets import OFFSET, SIZE, STRIDE, to_image


def find_peaks(heatmap: np.ndarray, *, threshold: float = 0.05, max_peaks: int = 100):
    """Peaks of one image's heatmaps ``(h, w, K)``: cells equal to their 3×3 maximum, scoring ≥ ``threshold``.

    Max-pooling with a 3×3 window, stride 1 and padding (``scipy.ndimage.maximum_filter`` here,
    ``max_pool2d`` in the frameworks) replaces each cell by its neighbourhood's maximum; a cell that
    keeps its value is a local maximum. This is the detector's whole non-maximum suppression.

    Returns
    -------
    rows, cols, classes : int arrays (m,)
        Output cells and class of each peak, the highest score first, at most ``max_peaks``.
    scores : float array (m,)
    """
    from scipy import ndimage

    heatmap = np.asarray(heatmap, dtype=np.float32)
    if heatmap.ndim != 3:
        raise ValueError(f"heatmap must have shape (h, w, K), got {heatmap.shape}")
    pooled = ndimage.maximum_filter(heatmap, size=(3, 3, 1), mode="constant", cval=-np.inf)
    rows, cols, classes = np.nonzero((heatmap == pooled) & (heatmap >= threshold))
    scores = heatmap[rows, cols, classes]
    order = np.argsort(-scores, kind="stable")[:int(max_peaks)]
    return rows[order], cols[order], classes[order], scores[order]


def decode(maps: np.ndarray, *, stride: int = STRIDE, threshold: float = 0.05,
           max_detections: int = 100) -> list[np.ndarray]:
    """Detections of each image from the output maps: a list of ``(m, 6)`` arrays ``row, col, height, width, class, score``.

    The peaks (:func:`find_peaks`) give the class and score; the offset maps move each centre off its
    cell's centre, the size maps give ``height = exp(log height)`` and ``width`` — all in image pixels,
    in the layout of :mod:`medcourse.data.objects` with a score appended.

    Parameters
    ----------
    maps : array (N, h, w, K + 4)
        Heatmap probabilities then size and offset maps, channels last (both frameworks' ``predict_maps``).
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 4 or maps.shape[-1] < 5:
        raise ValueError(f"maps must have shape (N, h, w, K + 4) with K ≥ 1, got {maps.shape}")
    classes = maps.shape[-1] - 4
    detections = []
    for image_maps in maps:
        rows, cols, kinds, scores = find_peaks(image_maps[..., :classes], threshold=threshold, max_peaks=max_detections)
        at = image_maps[rows, cols]
        centre_row = to_image(rows + at[:, classes + OFFSET], stride)
        centre_col = to_image(cols + at[:, classes + OFFSET + 1], stride)
        height, width = np.exp(at[:, classes + SIZE]), np.exp(at[:, classes + SIZE + 1])
        detections.append(np.stack([centre_row, centre_col, height, width, kinds, scores], axis=1).astype(np.float64)
                          if len(rows) else np.zeros((0, 6)))
    return detections


def centres_and_scores(detections: list[np.ndarray], class_index: int) -> list[np.ndarray]:
    """Per image, the ``(m, 3)`` rows ``row, col, score`` of one class: what :func:`medcourse.metrics.froc` takes."""
    return [d[d[:, 4] == class_index][:, [0, 1, 5]] for d in detections]


def boxes_and_scores(detections: list[np.ndarray], class_index: int) -> list[np.ndarray]:
    """Per image, the ``(m, 5)`` rows ``top, left, bottom, right, score`` of one class: for average precision."""
    tables = []
    for d in detections:
        d = d[d[:, 4] == class_index]
        half = d[:, 2:4] / 2
        tables.append(np.concatenate([d[:, :2] - half, d[:, :2] + half, d[:, 5:6]], axis=1))
    return tables


