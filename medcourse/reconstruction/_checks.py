"""Input checks of the reconstruction functions: each error names the argument, what was expected and what came."""

from __future__ import annotations

from typing import Any

import numpy as np


def real_images(value: Any, name: str, *, min_ndim: int = 2, max_ndim: int = 3) -> np.ndarray:
    """``value`` as a float64 array of ``min_ndim``–``max_ndim`` dimensions holding finite real numbers."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if not min_ndim <= array.ndim <= max_ndim or array.size == 0:
        shapes = "(H, W)" if max_ndim == 2 else "(H, W) or (N, H, W)"
        raise ValueError(f"{name} must be a non-empty array of shape {shapes}, got shape {array.shape}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers; it contains NaN or infinity")
    return array


def positive_number(value: Any, name: str) -> float:
    """``value`` as a finite float > 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def angles_in_degrees(value: Any, name: str = "angles") -> np.ndarray:
    """Projection angles as a 1-D float64 array of finite degrees."""
    angles = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if angles.ndim != 1 or angles.size == 0 or not np.all(np.isfinite(angles)):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of finite angles in degrees, got {value!r}")
    return angles


def boolean_mask(value: Any, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``value`` as a boolean array (of ``shape``, when given) with at least one True."""
    mask = np.asarray(value)
    if mask.dtype != bool:
        if mask.dtype.kind not in "biu" or not np.isin(mask, (0, 1)).all():
            raise TypeError(f"{name} must be a boolean mask (True where measured), got dtype {mask.dtype}")
        mask = mask.astype(bool)
    if shape is not None and mask.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (one entry per k-space sample), got {mask.shape}")
    if not mask.any():
        raise ValueError(f"{name} measures nothing: it has no True entry")
    return mask
