"""Contours of a segmentation over the MRI, slice by slice, with a probability threshold (notebook 05 §6).

:func:`draw_contours` draws one slice with the true outline of every structure (solid) and the predicted
one (dashed); :func:`draw_segmentation` adds the predicted probability of "not background" with the
threshold's iso-line and the slice's Dice (both work headless); :func:`segmentation_explorer` wraps
the latter in a slice slider and a threshold slider (ipywidgets 7.7 and 8.x): lower the threshold and
watch the outline grow, the sensitivity rise and the Dice change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from medcourse.metrics.segmentation import dice
from medcourse.plot import show_image
from medcourse.segmentation import threshold_classes

__all__ = ["draw_contours", "draw_segmentation", "segmentation_explorer"]

_COLOURS = ("tab:orange", "tab:cyan", "tab:green", "tab:red", "tab:purple", "tab:olive")


def _grid(shape: tuple[int, int], spacing: Sequence[float] | None) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (columns, rows), in mm when ``spacing`` (row mm, column mm) is given."""
    rows_mm, cols_mm = (1.0, 1.0) if spacing is None else (float(spacing[0]), float(spacing[1]))
    offset = 0.5 if spacing is not None else 0.0  # imshow's pixel centres: integers in pixels, (i + ½)·s in mm
    return (np.arange(shape[1]) + offset) * cols_mm, (np.arange(shape[0]) + offset) * rows_mm


def draw_contours(image: np.ndarray, truth: np.ndarray | None = None, predicted: np.ndarray | None = None, *,
                  classes: Sequence[str] | None = None, spacing: Sequence[float] | None = None,
                  title: str | None = None, ax=None):
    """Draw one MR slice (grey, 0–255) with the outlines of each structure: truth solid, prediction dashed.

    Parameters
    ----------
    image : array (H, W)
        The slice, ``uint8`` as the Dataset holds it.
    truth, predicted : int arrays (H, W), optional
        Class-index masks (0 = background).
    classes : sequence of str, optional
        Class names, the background first, for the legend.
    spacing : (row mm, column mm), optional
        Millimetre axes.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> mask = np.zeros((20, 20), np.uint8); mask[5:12, 6:14] = 1
    >>> ax = draw_contours(np.full((20, 20), 90, np.uint8), mask, np.roll(mask, 2, axis=1))
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be one 2-D slice (H, W), got shape {image.shape}")
    for name, mask in (("truth", truth), ("predicted", predicted)):
        if mask is not None and np.shape(mask) != image.shape:
            raise ValueError(f"{name} must have the image's shape {image.shape}, got {np.shape(mask)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    show_image(image, window=255, level=127.5, spacing=spacing, unit="a.u.", colorbar=False, ax=ax, title=title)
    x, y = _grid(image.shape, spacing)
    labels = sorted({int(k) for mask in (truth, predicted) if mask is not None for k in np.unique(mask) if k})
    handles = []
    for k in labels:
        colour = _COLOURS[(k - 1) % len(_COLOURS)]
        name = classes[k] if classes is not None and k < len(classes) else f"class {k}"
        for mask, style, what in ((truth, "-", "true"), (predicted, "--", "predicted")):
            if mask is not None and np.any(np.asarray(mask) == k):
                ax.contour(x, y, (np.asarray(mask) == k).astype(float), levels=[0.5], colors=colour,
                           linestyles=style, linewidths=1.4)
                handles.append(Line2D([], [], color=colour, linestyle=style, label=f"{name} ({what})"))
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower left", framealpha=0.7)
    return ax


def draw_segmentation(image: np.ndarray, truth: np.ndarray, probabilities: np.ndarray, *, threshold: float = 0.5,
                      classes: Sequence[str] | None = None, spacing: Sequence[float] | None = None,
                      title: str | None = None, axes=None):
    """One slice with true and predicted outlines (left) and the probability of "not background" (right).

    The prediction is :func:`medcourse.segmentation.threshold_classes` of ``probabilities`` at
    ``threshold``; the right panel shows ``1 − p_background`` with the threshold's iso-line, and the title
    the slice's Dice of every structure at that threshold.

    Parameters
    ----------
    image, truth : arrays (H, W)
    probabilities : array (H, W, K)
        The model's per-pixel class probabilities (``predict_proba`` of one slice).
    threshold : float in (0, 1]
    classes, spacing, title
        As for :func:`draw_contours`.
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    probabilities = np.asarray(probabilities)
    if probabilities.shape[:2] != np.shape(image) or probabilities.ndim != 3:
        raise ValueError(f"probabilities must be (H, W, K) for the image's {np.shape(image)}, got {probabilities.shape}")
    predicted = threshold_classes(probabilities, threshold)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    labels = list(range(1, probabilities.shape[-1]))
    scores = dice(np.asarray(truth), predicted, labels=labels)
    names = [classes[k] if classes is not None and k < len(classes) else f"class {k}" for k in labels]
    heading = ", ".join(f"{name} {score:.2f}" for name, score in zip(names, scores, strict=True))
    draw_contours(image, truth, predicted, classes=classes, spacing=spacing, ax=axes[0],
                  title=title or f"threshold {threshold:.2f} — Dice: {heading}")
    drawn = show_image(1.0 - probabilities[..., 0], window=1.0, level=0.5, spacing=spacing, unit="probability",
                       cmap="magma", ax=axes[1], title="probability of not background")
    x, y = _grid(np.shape(image), spacing)
    axes[1].contour(x, y, 1.0 - probabilities[..., 0], levels=[threshold], colors="white", linewidths=1.2)
    drawn.colorbar.ax.axhline(threshold, color="white", linewidth=2)
    return axes[0].figure


def segmentation_explorer(scan: np.ndarray, truth: np.ndarray, probabilities: np.ndarray, *,
                          classes: Sequence[str] | None = None, spacing: Sequence[float] | None = None,
                          threshold: float = 0.5):
    """A slice slider and a threshold slider over :func:`draw_segmentation`; returns the ipywidgets container.

    Parameters
    ----------
    scan, truth : arrays (S, H, W)
        One patient's slices and true masks (e.g. a :class:`~medcourse.data.hippocampus.PatientVolume`).
    probabilities : array (S, H, W, K)
        The model's probabilities for those slices.
    classes : sequence of str, optional
    spacing : (row mm, column mm), optional
        In-plane pixel size.
    threshold : float
        Starting threshold.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    scan, truth, probabilities = np.asarray(scan), np.asarray(truth), np.asarray(probabilities)
    if scan.ndim != 3 or truth.shape != scan.shape or probabilities.shape[:3] != scan.shape:
        raise ValueError(f"scan and truth must be (S, H, W) and probabilities (S, H, W, K) of the same slices, got "
                         f"{scan.shape}, {truth.shape} and {probabilities.shape}")
    largest = int(np.argmax((truth > 0).sum(axis=(1, 2))))  # start on the slice with the most structure

    def update(slice_index: int, threshold: float) -> None:
        draw_segmentation(scan[slice_index], truth[slice_index], probabilities[slice_index], threshold=threshold,
                          classes=classes, spacing=spacing)
        plt.show()

    slice_slider = ipywidgets.IntSlider(value=largest, min=0, max=len(scan) - 1, step=1, description="slice",
                                        continuous_update=False)
    threshold_slider = ipywidgets.FloatSlider(value=float(threshold), min=0.05, max=0.95, step=0.05,
                                              description="threshold", continuous_update=False)
    return ipywidgets.interactive(update, slice_index=slice_slider, threshold=threshold_slider)
