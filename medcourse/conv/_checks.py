"""Input checks shared by the convolution functions: each error names the argument it is about."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_real_array(value: Any, name: str, ndim: int) -> np.ndarray:
    """Return ``value`` as a float64 array with ``ndim`` dimensions and at least one element.

    Raises a ``ValueError`` (``TypeError`` for non-numbers) that names ``name``, the expected
    shape and what was given.
    """
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name} must be a {ndim}-D array of numbers, got {type(value).__name__}: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape} ({array.ndim}-D)")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array.astype(np.float64, copy=False)


def check_choice(value: Any, name: str, options: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``options``, else raise a ``ValueError`` that lists them."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value


def check_callable(value: Any, name: str) -> None:
    """Raise a ``TypeError`` naming ``name`` unless ``value`` can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function of one number (a callable), got {type(value).__name__} {value!r}")


def check_interval(value: Any, name: str) -> tuple[float, float]:
    """Return ``(low, high)`` with ``low < high`` (either may be infinite); ``None`` means the whole line."""
    if value is None:
        return -np.inf, np.inf
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {value!r}") from None
    if np.isnan(low) or np.isnan(high) or not low < high:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {value!r}")
    return low, high


def check_points(value: Any, name: str) -> tuple[float, ...]:
    """Return finite break points as a tuple of floats."""
    points = np.atleast_1d(np.asarray(value if value is not None else (), dtype=float))
    if points.ndim != 1 or not np.all(np.isfinite(points)):
        raise ValueError(f"{name} must be a sequence of finite numbers, got {value!r}")
    return tuple(float(p) for p in points)


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer ≥ ``minimum``, else raise a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
