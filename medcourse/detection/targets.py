"""Targets and losses of the centre-heatmap detector (notebook 06 §2): Gaussian bumps, focal loss, size and offset."""

from __future__ import annotations

import numpy as np

from medcourse.data.objects import CLASS, COL, HEIGHT, ROW, WIDTH, ObjectLabels

#: Image pixels per output cell along each axis (the detector pools three times and upsamples once).
STRIDE = 4
#: The focal loss's exponents: α down-weights easy cells, β the negatives near a centre (CenterNet's 2 and 4).
FOCAL_ALPHA, FOCAL_BETA = 2.0, 4.0
#: Weights of the size and offset terms in :func:`detection_loss`.
SIZE_WEIGHT, OFFSET_WEIGHT = 1.0, 1.0
#: Heatmap probabilities are clipped to [c, 1 − c] before the logarithms (CenterNet's 1e-4), in all three codes.
PROBABILITY_CLIP = 1e-4
#: Channel offsets (after the K heatmaps) of the size maps (log height, log width in px) and offset maps.
SIZE, OFFSET = 0, 2
#: The smallest standard deviation of a target bump, in output cells.
MIN_SIGMA = 0.5


def to_output(coordinate, stride: int = STRIDE):
    """Image pixel coordinate → output-grid coordinate (cell ``i`` has its centre at ``i``)."""
    return (np.asarray(coordinate, dtype=np.float64) - (stride - 1) / 2) / stride


def to_image(coordinate, stride: int = STRIDE):
    """Output-grid coordinate → image pixel coordinate: the inverse of :func:`to_output`."""
    return np.asarray(coordinate, dtype=np.float64) * stride + (stride - 1) / 2


def gaussian_sigma(height, width, stride: int = STRIDE):
    """Standard deviation (cells) of an object's target bump: a sixth of its mean side, at least :data:`MIN_SIGMA`.

    A third of the object's radius, so the bump falls to about 1 % at the object's edge: cells
    inside a large object are penalised less for firing than cells of a small one.
    """
    side = (np.asarray(height, dtype=np.float64) + np.asarray(width, dtype=np.float64)) / 2
    return np.maximum(MIN_SIGMA, side / (6 * stride))


def _output_shape(image_shape: tuple[int, ...], stride: int) -> tuple[int, int]:
    height, width = int(image_shape[0]), int(image_shape[1])
    if height % stride or width % stride:
        raise ValueError(f"image height and width must be multiples of stride={stride}, got {height}×{width}")
    return height // stride, width // stride


def draw_targets(objects: np.ndarray, image_shape: tuple[int, int], num_classes: int, *, stride: int = STRIDE):
    """The training targets of one image: ``(heatmap (h, w, K), size (h, w, 2), offset (h, w, 2), mask (h, w))``.

    For each object of class ``k`` centred at output coordinate :math:`(u, v)` (:func:`to_output`),
    its centre cell is :math:`(\\tilde u, \\tilde v) = (\\operatorname{round} u, \\operatorname{round} v)` and

    .. math:: Y_{ijk} = \\max_{\\text{objects of } k} \\exp\\!\\Big(-\\frac{(i - \\tilde u)^2 + (j - \\tilde v)^2}{2\\sigma^2}\\Big)

    (:func:`gaussian_sigma`), exactly 1 at the centre cell. There ``size`` holds ``(log height, log width)``
    of the box in pixels, ``offset`` holds :math:`(u - \\tilde u, v - \\tilde v)` and ``mask`` is 1;
    elsewhere all three are 0. (Two objects on one centre cell: the later one's size and offset win.)

    Parameters
    ----------
    objects : array (k, 5)
        ``row, col, height, width, class`` (:mod:`medcourse.data.objects`), in image pixels.
    image_shape : (H, W)
    num_classes : int
    stride : int
    """
    h, w = _output_shape(image_shape, stride)
    objects = np.asarray(objects, dtype=np.float64).reshape(-1, 5)
    heatmap = np.zeros((h, w, num_classes), np.float32)
    size, offset = np.zeros((h, w, 2), np.float32), np.zeros((h, w, 2), np.float32)
    mask = np.zeros((h, w), np.float32)
    if not len(objects):
        return heatmap, size, offset, mask
    classes = objects[:, CLASS].astype(np.int64)
    if classes.min() < 0 or classes.max() >= num_classes:
        raise ValueError(f"object classes must be in [0, {num_classes}), got {sorted(set(classes.tolist()))}")
    u, v = to_output(objects[:, ROW], stride), to_output(objects[:, COL], stride)
    cell_u = np.clip(np.rint(u), 0, h - 1).astype(np.int64)
    cell_v = np.clip(np.rint(v), 0, w - 1).astype(np.int64)
    sigma = gaussian_sigma(objects[:, HEIGHT], objects[:, WIDTH], stride)
    rows, cols = np.arange(h)[:, None], np.arange(w)[None, :]
    for index, k in enumerate(classes):
        bump = np.exp(-((rows - cell_u[index]) ** 2 + (cols - cell_v[index]) ** 2) / (2 * sigma[index] ** 2))
        np.maximum(heatmap[..., k], bump.astype(np.float32), out=heatmap[..., k])
    size[cell_u, cell_v] = np.log(np.maximum(objects[:, [HEIGHT, WIDTH]], 1e-3))
    offset[cell_u, cell_v, 0], offset[cell_u, cell_v, 1] = u - cell_u, v - cell_v
    mask[cell_u, cell_v] = 1.0
    return heatmap, size, offset, mask


def detection_targets(labels: ObjectLabels, image_shape: tuple[int, int], num_classes: int, *,
                      stride: int = STRIDE) -> dict[str, np.ndarray]:
    """:func:`draw_targets` for a batch: ``{"heatmap": (N, h, w, K), "size", "offset": (N, h, w, 2), "mask": (N, h, w)}``.

    The one place targets are made: both frameworks' trainers call it on each NumPy batch.

    Examples
    --------
    >>> labels = ObjectLabels.from_lists([[(10.5, 20.5, 8, 8, 1)], []])
    >>> targets = detection_targets(labels, (32, 32), num_classes=2)
    >>> targets["heatmap"].shape, float(targets["heatmap"][0, 2, 5, 1]), int(targets["mask"].sum())
    ((2, 8, 8, 2), 1.0, 1)
    """
    maps = [draw_targets(labels[index], image_shape, num_classes, stride=stride) for index in range(len(labels))]
    names = ("heatmap", "size", "offset", "mask")
    return {name: np.stack([m[position] for m in maps]) for position, name in enumerate(names)}


def focal_loss(probabilities: np.ndarray, heatmap: np.ndarray, *, alpha: float = FOCAL_ALPHA,
               beta: float = FOCAL_BETA) -> float:
    """CenterNet's penalty-reduced focal loss of predicted heatmaps against Gaussian targets (NumPy reference).

    .. math::
        L_\\text{focal} = -\\frac{1}{N} \\sum_{ijk}
        \\begin{cases} (1 - \\hat Y_{ijk})^{\\alpha} \\log \\hat Y_{ijk} & Y_{ijk} = 1 \\\\
        (1 - Y_{ijk})^{\\beta}\\, \\hat Y_{ijk}^{\\alpha} \\log(1 - \\hat Y_{ijk}) & \\text{otherwise} \\end{cases}

    with :math:`N` the number of centre cells (:math:`Y = 1`; at least 1) and :math:`\\hat Y` clipped to
    :math:`[10^{-4}, 1 - 10^{-4}]`. Notebook 06 §2 derives it and checks both frameworks against it.

    Parameters
    ----------
    probabilities, heatmap : arrays of the same shape (N, h, w, K)
        Predicted probabilities :math:`\\hat Y` and targets :math:`Y` (:func:`detection_targets`).
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64), PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    y = np.asarray(heatmap, dtype=np.float64)
    if p.shape != y.shape:
        raise ValueError(f"probabilities and heatmap must have the same shape, got {p.shape} and {y.shape}")
    centre = y == 1.0
    positive = (1 - p) ** alpha * np.log(p)
    negative = (1 - y) ** beta * p ** alpha * np.log(1 - p)
    return float(-np.where(centre, positive, negative).sum() / max(int(centre.sum()), 1))


def detection_loss(maps: np.ndarray, targets: dict[str, np.ndarray], *, size_weight: float = SIZE_WEIGHT,
                   offset_weight: float = OFFSET_WEIGHT) -> float:
    """The whole loss: focal loss + size and offset L1 errors at the centre cells (NumPy reference).

    .. math:: L = L_\\text{focal} + \\lambda_\\text{size} \\frac{1}{M} \\sum_{\\text{centres}} |\\hat s - s|_1
              + \\lambda_\\text{off} \\frac{1}{M} \\sum_{\\text{centres}} |\\hat o - o|_1

    with :math:`M` the number of centre cells (``targets["mask"]``, at least 1).

    Parameters
    ----------
    maps : array (N, h, w, K + 4)
        Heatmap probabilities, then log height, log width, row and col offsets.
    targets : dict
        :func:`detection_targets` of the batch.
    """
    maps = np.asarray(maps, dtype=np.float64)
    classes = targets["heatmap"].shape[-1]
    mask = np.asarray(targets["mask"], dtype=np.float64)[..., None]
    count = max(float(mask.sum()), 1.0)
    size_error = np.abs(maps[..., classes + SIZE:classes + SIZE + 2] - targets["size"]) * mask
    offset_error = np.abs(maps[..., classes + OFFSET:classes + OFFSET + 2] - targets["offset"]) * mask
    return (focal_loss(maps[..., :classes], targets["heatmap"]) + size_weight * size_error.sum() / count
            + offset_weight * offset_error.sum() / count)


