"""Soft Dice in NumPy: the loss derived from the Dice coefficient, its gradient, and the softmax step (notebook 05 §4)."""

from __future__ import annotations

import numpy as np

from medcourse.segmentation.architecture import positive_integer

__all__ = ["one_hot", "soft_dice", "soft_dice_gradient", "soft_dice_loss", "softmax", "softmax_backward"]


def one_hot(masks, num_classes: int) -> np.ndarray:
    """Class-index masks ``(N, H, W)`` as float one-hot ``(N, H, W, K)``: ``g[n, h, w, k] = 1`` where the class is ``k``.

    Examples
    --------
    >>> one_hot(np.array([[0, 2]]), 3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    masks = np.asarray(masks)
    num_classes = positive_integer("num_classes", num_classes, 2)
    if not np.issubdtype(masks.dtype, np.integer):
        raise ValueError(f"masks must hold integer class indices, got dtype {masks.dtype}")
    if masks.size and (masks.min() < 0 or masks.max() >= num_classes):
        raise ValueError(f"masks must hold class indices 0 … {num_classes - 1}, got values {masks.min()} … {masks.max()}")
    return np.eye(num_classes)[masks]


def _dice_terms(probabilities, masks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim < 2:
        raise ValueError(f"probabilities must be (…, K) with the class axis last, got shape {p.shape}")
    g = one_hot(masks, p.shape[-1])
    if g.shape != p.shape:
        raise ValueError(f"masks {np.shape(masks)} and probabilities {p.shape} do not match: probabilities "
                         "must be the masks' shape plus a class axis")
    return p, g, np.arange(p.shape[-1])


def soft_dice(probabilities, masks, *, smooth: float = 1.0) -> np.ndarray:
    """Soft Dice of every class, summed over the whole batch: ``D_k = (2 Σ p g + s) / (Σ p + Σ g + s)``.

    ``p`` are the predicted probabilities of class ``k``, ``g`` the one-hot truth, the sums run over all
    pixels of all images of the batch ("batch Dice"), ``s = smooth`` keeps a class absent from both at
    ``D_k = 1`` instead of ``0/0``. With hard 0/1 predictions it is the Dice coefficient itself.

    Parameters
    ----------
    probabilities : float array (..., K)
        Per-pixel class probabilities (each pixel's row sums to 1), e.g. ``(N, H, W, K)``.
    masks : int array (...)
        The true class indices, ``probabilities`` without its last axis.
    smooth : float
        The ``s`` above, in pixels.

    Returns
    -------
    numpy.ndarray, shape (K,)
    """
    p, g, _ = _dice_terms(probabilities, masks)
    axes = tuple(range(p.ndim - 1))
    intersection, predicted, true = (p * g).sum(axis=axes), p.sum(axis=axes), g.sum(axis=axes)
    return (2 * intersection + smooth) / (predicted + true + smooth)


def _foreground(num_classes: int, include_background: bool) -> np.ndarray:
    return np.arange(num_classes) if include_background else np.arange(1, num_classes)


def soft_dice_loss(probabilities, masks, *, smooth: float = 1.0, include_background: bool = False) -> float:
    """``L = 1 − mean_k D_k`` over the foreground classes (all classes with ``include_background=True``).

    The background is left out by default: it covers most pixels, its Dice is near 1 from the start, and
    keeping it would dilute the small structures the loss is meant to help (notebook 05 §4).

    Examples
    --------
    >>> masks = np.array([[0, 1, 1, 0]])
    >>> perfect = one_hot(masks, 2)
    >>> round(soft_dice_loss(perfect, masks), 12), round(soft_dice_loss(1 - perfect, masks), 3)
    (0.0, 0.8)
    """
    dice = soft_dice(probabilities, masks, smooth=smooth)
    return float(1.0 - dice[_foreground(len(dice), include_background)].mean())


def soft_dice_gradient(probabilities, masks, *, smooth: float = 1.0, include_background: bool = False) -> np.ndarray:
    """``∂L/∂p`` of :func:`soft_dice_loss`, derived by hand (notebook 05 §4), shaped like ``probabilities``.

    With ``I_k = Σ p g``, ``U_k = Σ p + Σ g + s``:
    ``∂D_k/∂p_ik = (2 g_ik U_k − (2 I_k + s)) / U_k²`` and ``∂L/∂p_ik = −∂D_k/∂p_ik / |F|`` for the
    ``|F|`` classes in the mean (zero for a class left out).
    """
    p, g, _ = _dice_terms(probabilities, masks)
    axes = tuple(range(p.ndim - 1))
    intersection = (p * g).sum(axis=axes)
    union = p.sum(axis=axes) + g.sum(axis=axes) + smooth
    derivative = (2 * g * union - (2 * intersection + smooth)) / union ** 2
    chosen = np.zeros(p.shape[-1])
    foreground = _foreground(p.shape[-1], include_background)
    chosen[foreground] = 1.0 / len(foreground)
    return -derivative * chosen


def softmax(logits) -> np.ndarray:
    """``p_k = exp(z_k) / Σ_j exp(z_j)`` over the last axis (the class axis of a channels-last array)."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # minus the largest logit: the same p, no overflow
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(probabilities, gradient) -> np.ndarray:
    """``∂L/∂z`` from ``∂L/∂p`` through ``p = softmax(z)``: ``∂L/∂z_k = p_k (∂L/∂p_k − Σ_j p_j ∂L/∂p_j)``.

    A PyTorch loss takes logits ``z``, a Keras loss probabilities ``p``: this is the step between them
    (notebook 05 §4 checks the soft Dice gradient on both sides).

    Examples
    --------
    >>> p = softmax(np.array([0.0, 0.0]))
    >>> softmax_backward(p, np.array([1.0, 1.0])).tolist()  # adding the same to every p_k changes nothing
    [0.0, 0.0]
    """
    p, g = np.asarray(probabilities, dtype=np.float64), np.asarray(gradient, dtype=np.float64)
    if p.shape != g.shape:
        raise ValueError(f"probabilities {p.shape} and gradient {g.shape} must have the same shape")
    return p * (g - (p * g).sum(axis=-1, keepdims=True))
