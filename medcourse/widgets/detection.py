"""Detections over the image and the FROC operating point of a score threshold (notebook 06 §5).

:func:`show_detections` draws one image with its true boxes and the detections that pass a score
threshold, each marked found or false; :func:`draw_detection_threshold` adds the FROC curve of every
class with the point that threshold picks (both work headless); :func:`detection_explorer` wraps them
in an image slider and a threshold slider (ipywidgets 7.7 and 8.x): lower the threshold and watch
more cells get found, more false marks appear and the point slide right along each FROC curve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from medcourse.data.objects import CLASS, ObjectLabels
from medcourse.detection.training import class_scores
from medcourse.metrics.detection import match_centres

__all__ = ["detection_explorer", "draw_detection_threshold", "show_detections"]

_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive")


def _tables(labels) -> list[np.ndarray]:
    if isinstance(labels, ObjectLabels):
        return list(labels)
    return [np.asarray(table, dtype=np.float64).reshape(-1, 5) for table in labels]


def _check(images, labels, detections) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be N×H×W or N×H×W×C, got shape {images.shape}")
    tables = _tables(labels)
    found = [np.asarray(d, dtype=np.float64).reshape(-1, 6) for d in detections]
    if not len(images) == len(tables) == len(found):
        raise ValueError(f"images, labels and detections must hold one entry per image, got {len(images)}, "
                         f"{len(tables)} and {len(found)}")
    return images, tables, found


def _box(ax, row, col, height, width, colour, style, label=None):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((col - width / 2, row - height / 2), width, height, fill=False, edgecolor=colour,
                           linestyle=style, linewidth=1.4))
    if label:
        ax.text(col - width / 2, row - height / 2 - 1, label, color=colour, fontsize=7, va="bottom")


def show_detections(image: np.ndarray, objects: np.ndarray, detections: np.ndarray | None = None, *,
                    threshold: float = 0.5, classes: Sequence[str] | None = None, ax=None, title: str | None = None):
    """Draw ``image`` with its true boxes (dashed) and the detections scoring ≥ ``threshold`` (solid).

    A detection is *found* (its score shown) when it hits a true object of its class within that
    object's radius, in the order of :func:`medcourse.metrics.froc`, otherwise *FP*; a true object no
    kept detection hits is drawn dashed and marked *missed*. Colours are classes. Without
    ``detections`` only the true boxes are drawn, each labelled with its class.

    Parameters
    ----------
    image : uint8 array (H, W) or (H, W, C)
        A grey image is drawn in grey (0–255), a colour photograph as it is.
    objects : array (k, 5)
        The true ``row, col, height, width, class`` of the image.
    detections : array (m, 6)
        ``row, col, height, width, class, score`` (:func:`medcourse.detection.decode`).

    Returns
    -------
    dict
        Per class index, ``(found, missed, false_positives)`` counts in this image at this threshold.
    """
    import matplotlib.pyplot as plt

    objects = np.asarray(objects, dtype=np.float64).reshape(-1, 5)
    labels_only = detections is None
    detections = np.zeros((0, 6)) if labels_only else np.asarray(detections, dtype=np.float64).reshape(-1, 6)
    kept = detections[detections[:, 5] >= threshold]
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    grey = np.ndim(image) == 2 or np.shape(image)[-1] == 1
    ax.imshow(np.squeeze(image), cmap="gray" if grey else None, vmin=0, vmax=255, interpolation="nearest")
    counts = {}
    for k in sorted(set(objects[:, CLASS].astype(int)) | set(kept[:, 4].astype(int))):
        colour, name = _COLOURS[k % len(_COLOURS)], classes[k] if classes is not None else str(k)
        truths, mine = objects[objects[:, CLASS] == k], kept[kept[:, 4] == k]
        matches = match_centres(truths[:, :2], mine[:, [0, 1, 5]], (truths[:, 2] + truths[:, 3]) / 4)
        hits = matches >= 0
        for index, truth in enumerate(truths):
            _box(ax, *truth[:4], colour, "--", None if labels_only or index in matches else f"{name} missed")
        for detection, hit in zip(mine, hits, strict=True):
            _box(ax, *detection[:4], colour, "-", f"{detection[5]:.2f}" if hit else f"{name} FP {detection[5]:.2f}")
        counts[k] = (int(hits.sum()), int(len(truths) - hits.sum()), int((~hits).sum()))
    if counts:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=_COLOURS[k % len(_COLOURS)], label=classes[k] if classes is not None else str(k))
                   for k in counts]
        ax.legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.7)
    ax.set_xlim(-0.5, np.shape(image)[1] - 0.5)
    ax.set_ylim(np.shape(image)[0] - 0.5, -0.5)
    ax.set_xlabel("column (px)")
    ax.set_ylabel("row (px)")
    ax.set_title(title or ("true boxes" if labels_only else f"dashed: truth · solid: detections with score ≥ "
                                                            f"{threshold:.2f}"), fontsize=9)
    return counts


def _operating_point(curve, threshold: float) -> tuple[float, float]:
    """FROC point (FP per image, sensitivity) keeping every detection scoring ≥ ``threshold``."""
    kept = np.flatnonzero(curve.thresholds >= threshold)
    if not kept.size:
        return 0.0, 0.0
    return float(curve.false_positives_per_image[kept[-1]]), float(curve.sensitivity[kept[-1]])


def draw_detection_threshold(images, labels, detections, *, index: int = 0, threshold: float = 0.5,
                             classes: Sequence[str] | None = None, curves: dict | None = None, axes=None):
    """Left: image ``index`` with :func:`show_detections`; right: each class's FROC curve and the point at ``threshold``.

    Parameters
    ----------
    images : uint8 array (N, H, W[, C])
    labels : ObjectLabels or list of (k, 5) arrays
    detections : list of (m, 6) arrays
        One entry per image; the FROC curves are computed over all of them.
    curves : dict, optional
        ``{class index: FROCCurve}`` computed before (the explorer passes them so a redraw is quick).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> images = np.zeros((1, 32, 32), np.uint8)
    >>> figure = draw_detection_threshold(images, [np.array([[10, 10, 6, 6, 0]])], [np.array([[11, 10, 6, 6, 0, 0.8]])])
    """
    import matplotlib.pyplot as plt

    images, tables, found = _check(images, labels, detections)
    if not 0 <= index < len(images):
        raise ValueError(f"index must be an image index in [0, {len(images)}), got {index!r}")
    if curves is None:
        present = sorted({int(k) for table in tables for k in table[:, CLASS]})
        curves = {k: class_scores(tables, found, k)["froc"] for k in present}
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw={"width_ratios": [1.25, 1]})
    image_ax, froc_ax = axes
    show_detections(images[index], tables[index], found[index], threshold=threshold, classes=classes, ax=image_ax,
                    title=f"image {index}: dashed truth, solid detections with score ≥ {threshold:.2f}")
    for k, curve in curves.items():
        colour, name = _COLOURS[k % len(_COLOURS)], classes[k] if classes is not None else str(k)
        fppi, sensitivity = _operating_point(curve, threshold)
        froc_ax.plot(np.concatenate([[0], curve.false_positives_per_image]), np.concatenate([[0], curve.sensitivity]),
                     color=colour, label=f"{name}: {sensitivity:.2f} at {fppi:.2f} FP/image")
        froc_ax.plot([fppi], [sensitivity], "o", color=colour, markersize=8)
    froc_ax.set_xscale("symlog", linthresh=0.125)
    froc_ax.set_xlim(0, 16)
    froc_ax.set_ylim(0, 1.02)
    froc_ax.set_xlabel("false positives per image")
    froc_ax.set_ylabel("sensitivity (share of objects found)")
    froc_ax.set_title(f"FROC over {len(images)} images; dots: threshold {threshold:.2f}", fontsize=9)
    froc_ax.legend(fontsize=8, loc="lower right")
    froc_ax.figure.tight_layout()
    return froc_ax.figure


def detection_explorer(images, labels, detections, *, classes: Sequence[str] | None = None, threshold: float = 0.5):
    """An image slider and a score-threshold slider over :func:`draw_detection_threshold`; returns the container.

    Moving the threshold redraws the detections that pass it and moves each class's point along its
    FROC curve; moving the image slider shows another image at the same threshold.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    images, tables, found = _check(images, labels, detections)
    present = sorted({int(k) for table in tables for k in table[:, CLASS]})
    curves = {k: class_scores(tables, found, k)["froc"] for k in present}

    def update(index: int, threshold: float) -> None:
        draw_detection_threshold(images, tables, found, index=index, threshold=threshold, classes=classes,
                                 curves=curves)
        plt.show()

    image_slider = ipywidgets.IntSlider(value=0, min=0, max=len(images) - 1, step=1, description="image",
                                        continuous_update=False)
    threshold_slider = ipywidgets.FloatSlider(value=float(threshold), min=0.05, max=0.95, step=0.05,
                                              description="threshold", continuous_update=False)
    return ipywidgets.interactive(update, index=image_slider, threshold=threshold_slider)
