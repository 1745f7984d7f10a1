"""Input checks shared by the NumPy layers of notebook 03: each error names the argument it is about."""

from __future__ import annotations

import numpy as np


def check_images(x, name: str = "x") -> np.ndarray:
    """``x`` as a float array of shape N×H×W×C (channels last), or an error naming ``name``."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of channels-last images N×H×W×C, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must hold floats (scale uint8 images to [0, 1] first), got dtype {x.dtype}")
    return x


def check_kernel(x: np.ndarray, kernel, bias, name: str = "kernel") -> tuple[np.ndarray, np.ndarray]:
    """A kernel ``(kh, kw, C_in, C_out)`` that fits ``x``'s channels, and its bias (zeros when None)."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"{name} must have shape (kh, kw, C_in, C_out), got {kernel.shape}")
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(f"{name} expects {kernel.shape[2]} input channels but x has {x.shape[3]} (shape {x.shape})")
    bias = np.zeros(kernel.shape[3], dtype=x.dtype) if bias is None else np.asarray(bias)
    if bias.shape != (kernel.shape[3],):
        raise ValueError(f"the bias of {name} must have shape ({kernel.shape[3]},), one value per output channel, "
                         f"got {bias.shape}")
    return kernel, bias


def check_per_channel(value, name: str, channels: int) -> np.ndarray:
    """``value`` as a float array of shape ``(channels,)``: one number per channel."""
    value = np.asarray(value, dtype=float)
    if value.shape != (channels,):
        raise ValueError(f"{name} must have one value per channel, shape ({channels},), got {value.shape}")
    return value


def check_positive_int(value, name: str) -> int:
    """``value`` as an int when it is a positive integer (not a bool), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_fraction(value, name: str, *, upper_open: bool) -> float:
    """``value`` as a float in [0, 1) (``upper_open``) or [0, 1], else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    value = float(value)
    if not (0.0 <= value < 1.0 if upper_open else 0.0 <= value <= 1.0):
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return value
