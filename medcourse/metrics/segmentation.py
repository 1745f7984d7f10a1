"""Segmentation metrics in NumPy (notebook 05 §2): Dice, IoU, Hausdorff distance (HD, HD95), volume, Bland–Altman.

Both frameworks' predictions are judged by these functions, on class-index masks of any dimension (a 2-D
slice or a 3-D volume). Conventions, stated once:

* **Dice** ``2|A∩B| / (|A| + |B|)`` and **IoU** ``|A∩B| / |A∪B|`` of class ``k`` compare the pixels where the
  truth is ``k`` (``A``) with those where the prediction is ``k`` (``B``). When **both are empty** the class was
  neither there nor predicted: the score is ``empty`` (default 1.0, perfect agreement; pass ``empty=np.nan``
  to leave such cases out of a mean with ``np.nanmean``). When only one is empty the score is 0.
* **Hausdorff distance** between the *boundaries* of two structures, in the units of ``spacing`` (mm): a
  boundary pixel is a structure pixel with at least one face neighbour outside it (the image edge counts as
  outside). ``HD`` is the largest distance from a boundary point of one structure to the nearest boundary
  point of the other, in either direction; ``HD95`` (``percentile=95``) takes, in each direction, the 95th
  percentile of those distances instead of the largest, and then the larger of the two directions (as
  MONAI's ``compute_hausdorff_distance``). Both empty: 0; exactly one empty: infinity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BlandAltman", "bland_altman", "boundary", "dice", "hausdorff_distance", "iou", "volume"]


def _check_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Two masks as integer arrays of one shape (booleans become 0/1), or a ValueError naming the problem."""
    arrays = []
    for name, mask in (("y_true", y_true), ("y_pred", y_pred)):
        mask = np.asarray(mask)
        if mask.dtype == bool:
            mask = mask.astype(np.uint8)
        if not np.issubdtype(mask.dtype, np.integer):
            raise ValueError(f"{name} must be a mask of integer class indices (or booleans), got dtype {mask.dtype}; "
                             "turn probabilities into classes first, e.g. probabilities.argmax(axis=-1)")
        if mask.ndim < 1:
            raise ValueError(f"{name} must be an array of at least one dimension, got a scalar")
        arrays.append(mask)
    if arrays[0].shape != arrays[1].shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {arrays[0].shape} and {arrays[1].shape}")
    return arrays[0], arrays[1]


def _labels(y_true: np.ndarray, y_pred: np.ndarray, labels) -> tuple[list[int], bool]:
    """The class labels to score and whether one label (a scalar result) was asked for."""
    if labels is None:
        present = np.union1d(np.unique(y_true), np.unique(y_pred))
        return [int(k) for k in present if k != 0], False
    single = np.ndim(labels) == 0
    chosen = np.atleast_1d(np.asarray(labels))
    if not np.issubdtype(chosen.dtype, np.integer) or chosen.dtype == bool:
        raise ValueError(f"labels must be an integer class index or a sequence of them, got {labels!r}")
    return [int(k) for k in chosen], single


def _overlap_scores(y_true, y_pred, labels, empty: float, score) -> float | np.ndarray:
    y_true, y_pred = _check_pair(y_true, y_pred)
    chosen, single = _labels(y_true, y_pred, labels)
    results = []
    for k in chosen:
        a, b = y_true == k, y_pred == k
        size_a, size_b, both = int(a.sum()), int(b.sum()), int(np.logical_and(a, b).sum())
        results.append(float(empty) if size_a + size_b == 0 else score(size_a, size_b, both))
    return results[0] if single else np.array(results, dtype=np.float64)


def dice(y_true, y_pred, *, labels=None, empty: float = 1.0) -> float | np.ndarray:
    """Dice coefficient ``2|A∩B| / (|A| + |B|)`` per class, from class-index masks (notebook 05 §2).

    Parameters
    ----------
    y_true, y_pred : int or bool arrays of the same shape
        True and predicted class index of every pixel (or voxel); booleans count as class 1.
    labels : int or sequence of int, optional
        The classes to score. A single int gives a float. Default: every non-zero class that occurs in
        either mask, in increasing order (the background, 0, is not scored).
    empty : float
        The score of a class absent from both masks (see the module's conventions).

    Returns
    -------
    float or numpy.ndarray
        One Dice in ``[0, 1]`` per label.

    Examples
    --------
    >>> truth = np.array([[0, 1, 1], [0, 2, 2]])
    >>> guess = np.array([[0, 1, 0], [2, 2, 2]])
    >>> dice(truth, guess).round(3).tolist()
    [0.667, 0.8]
    >>> dice(truth, guess, labels=3), dice(truth, guess, labels=3, empty=np.nan)
    (1.0, nan)
    """
    return _overlap_scores(y_true, y_pred, labels, empty, lambda a, b, both: 2 * both / (a + b))


def iou(y_true, y_pred, *, labels=None, empty: float = 1.0) -> float | np.ndarray:
    """Intersection over union (Jaccard index) ``|A∩B| / |A∪B|`` per class; arguments as :func:`dice`.

    For one pair of masks ``IoU = Dice / (2 − Dice)``: the two rank segmentations alike, IoU is the stricter.

    Examples
    --------
    >>> iou(np.array([0, 1, 1, 1]), np.array([1, 1, 1, 0]), labels=1)
    0.5
    """
    return _overlap_scores(y_true, y_pred, labels, empty, lambda a, b, both: both / (a + b - both))


def boundary(mask) -> np.ndarray:
    """The boundary pixels of a structure: those with at least one face neighbour outside it (the edge counts).

    Examples
    --------
    >>> square = np.zeros((5, 5), dtype=bool); square[1:4, 1:4] = True
    >>> boundary(square).sum()  # the 3×3 square minus its centre
    np.int64(8)
    """
    from scipy import ndimage

    mask = np.asarray(mask).astype(bool)
    if mask.ndim < 1:
        raise ValueError("mask must be an array of at least one dimension, got a scalar")
    face_neighbours = ndimage.generate_binary_structure(mask.ndim, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=face_neighbours, border_value=0)


def _spacing(spacing, ndim: int) -> np.ndarray:
    values = np.broadcast_to(np.asarray(spacing, dtype=np.float64), (ndim,)) if np.ndim(spacing) == 0 \
        else np.asarray(spacing, dtype=np.float64)
    if values.shape != (ndim,) or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"spacing must be one positive number or one per axis ({ndim} here), got {spacing!r}")
    return values


def hausdorff_distance(a, b, *, spacing=1.0, percentile: float = 100) -> float:
    """Hausdorff distance between the boundaries of two structures, in the units of ``spacing`` (mm).

    Parameters
    ----------
    a, b : bool arrays of the same shape
        The two structures (non-zero = inside), e.g. ``truth == k`` and ``predicted == k``; 2-D or 3-D.
    spacing : float or sequence of float
        Size of a pixel (voxel) along each axis, e.g. ``(1.0, 0.8, 0.8)`` mm.
    percentile : float in [0, 100]
        100 gives the Hausdorff distance HD; 95 gives HD95, robust to a few stray pixels.

    Returns
    -------
    float
        0 when both are empty, ``inf`` when exactly one is (see the module's conventions).

    Examples
    --------
    >>> a = np.zeros((1, 12), dtype=bool); a[0, 1:4] = True
    >>> b = a.copy(); b[0, 9] = True          # one stray pixel, 6 pixels beyond the structure's end
    >>> hausdorff_distance(a, b, spacing=0.5)  # mm
    3.0
    """
    from scipy.spatial import cKDTree

    a, b = _check_pair(np.asarray(a) != 0, np.asarray(b) != 0)
    if isinstance(percentile, bool) or not isinstance(percentile, (int, float, np.integer, np.floating)) \
            or not 0 <= percentile <= 100:
        raise ValueError(f"percentile must be a number in [0, 100] (100: HD, 95: HD95), got {percentile!r}")
    step = _spacing(spacing, a.ndim)
    points_a, points_b = (np.argwhere(boundary(mask)) * step for mask in (a, b))
    if len(points_a) == 0 and len(points_b) == 0:
        return 0.0
    if len(points_a) == 0 or len(points_b) == 0:
        return float("inf")
    a_to_b, _ = cKDTree(points_b).query(points_a)  # from every boundary point of a to the nearest one of b
    b_to_a, _ = cKDTree(points_a).query(points_b)
    return float(max(np.percentile(a_to_b, percentile), np.percentile(b_to_a, percentile)))


def volume(mask, *, labels=None, spacing=1.0) -> float | np.ndarray:
    """Volume of each class in a mask: its voxel count times the voxel volume (mm³; mm² for a 2-D mask).

    Parameters
    ----------
    mask : int or bool array
        Class indices (booleans count as class 1).
    labels : int or sequence of int, optional
        A single int gives a float. Default: every non-zero class in the mask, in increasing order.
    spacing : float or sequence of float
        Voxel size along each axis, in mm.

    Examples
    --------
    >>> volume(np.ones((2, 3, 4), dtype=np.uint8), labels=1, spacing=(1.0, 0.5, 0.5))
    6.0
    """
    mask, _ = _check_pair(mask, mask)
    chosen, single = _labels(mask, mask, labels)
    voxel = float(np.prod(_spacing(spacing, mask.ndim)))
    result = np.array([np.count_nonzero(mask == k) * voxel for k in chosen], dtype=np.float64)
    return float(result[0]) if single else result


@dataclass(frozen=True)
class BlandAltman:
    """Agreement of two measurements of the same quantity (notebook 05 §6): bias and 95 % limits of agreement."""

    means: np.ndarray        # (measured + reference) / 2 per case: the x axis of the plot
    differences: np.ndarray  # measured − reference per case: the y axis
    bias: float              # mean difference
    sd: float                # standard deviation of the differences (N − 1)
    lower: float             # bias − 1.96 sd
    upper: float             # bias + 1.96 sd


def bland_altman(measured, reference) -> BlandAltman:
    """Bland–Altman statistics of ``measured`` against ``reference`` (e.g. predicted vs true volume, mm³).

    Bland & Altman (Lancet 1986): plot the difference against the mean of each pair; the bias is the mean
    difference, and 95 % of differences are expected within ``bias ± 1.96 sd``.

    Examples
    --------
    >>> result = bland_altman([10.0, 12.0, 9.0], [9.0, 12.0, 8.0])
    >>> round(result.bias, 3), round(result.upper, 3)
    (0.667, 1.798)
    """
    measured, reference = (np.asarray(v, dtype=np.float64) for v in (measured, reference))
    if measured.ndim != 1 or measured.shape != reference.shape or len(measured) < 2:
        raise ValueError(f"measured and reference must be 1-D of the same length ≥ 2, got shapes {measured.shape} "
                         f"and {reference.shape}")
    differences = measured - reference
    bias, sd = float(differences.mean()), float(differences.std(ddof=1))
    return BlandAltman((measured + reference) / 2, differences, bias, sd, bias - 1.96 * sd, bias + 1.96 * sd)
