"""Batch normalisation and dropout in NumPy, with the training/evaluation difference spelled out (notebook 03 §8, §9).

Both layers behave differently while training and at evaluation: batch normalisation uses the batch's own
statistics while training and the running averages afterwards; dropout zeroes units while training and is
the identity afterwards. In Keras the switch is the call's ``training=`` argument, in PyTorch the module's
``.train()`` / ``.eval()`` mode.
"""

from __future__ import annotations

import numpy as np

from medcourse.cnn._checks import check_fraction, check_images, check_per_channel


def batch_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean μ_c and (biased) variance σ²_c of each channel over the batch and both image axes (notebook 03 §8).

    .. math:: \\mu_c = \\frac{1}{NHW}\\sum_{n,h,w} x_{n,h,w,c}, \\qquad
              \\sigma^2_c = \\frac{1}{NHW}\\sum_{n,h,w} (x_{n,h,w,c} - \\mu_c)^2

    Examples
    --------
    >>> mean, variance = batch_statistics(np.arange(8.0).reshape(2, 2, 1, 2))
    >>> mean, variance
    (array([3., 4.]), array([5., 5.]))
    """
    x = check_images(x)
    return x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))


def batch_norm(x: np.ndarray, gamma, beta, mean, variance, *, epsilon: float = 1e-5) -> np.ndarray:
    """Batch normalisation ``y = γ (x − μ) / √(σ² + ε) + β``, per channel (notebook 03 §8).

    While training, ``mean`` and ``variance`` are the batch's own (:func:`batch_statistics`); at evaluation
    they are the running averages (:func:`moving_average`). ``epsilon``: PyTorch's default 1e-5 (and the
    course's CNNs'); Keras's own default is 1e-3.

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    >>> batch_norm(x, [1.0], [0.0], *batch_statistics(x), epsilon=0.0).ravel()
    array([-1.,  1.])
    """
    x = check_images(x)
    channels = x.shape[3]
    gamma, beta = check_per_channel(gamma, "gamma", channels), check_per_channel(beta, "beta", channels)
    mean, variance = check_per_channel(mean, "mean", channels), check_per_channel(variance, "variance", channels)
    if epsilon < 0 or np.any(variance + epsilon <= 0):
        raise ValueError(f"variance + epsilon must be positive in every channel, got variance {variance} and "
                         f"epsilon {epsilon!r}")
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def moving_average(moving, batch_value, *, keep: float) -> np.ndarray:
    """The running average a batch-norm layer keeps for evaluation: ``keep · moving + (1 − keep) · batch_value``.

    ``keep`` is the share of the old average that is kept. The frameworks name it oppositely: Keras's
    ``momentum`` **is** ``keep`` (default 0.99), PyTorch's ``momentum`` is ``1 − keep`` (default 0.1, i.e.
    keep = 0.9). Keras averages the batch's biased variance, PyTorch the unbiased one (× m/(m − 1) for
    m = N·H·W values per channel). Notebook 03 §8.

    Examples
    --------
    >>> moving_average(np.array([1.0]), np.array([3.0]), keep=0.9)
    array([1.2])
    """
    keep = check_fraction(keep, "keep", upper_open=False)
    return keep * np.asarray(moving, dtype=float) + (1.0 - keep) * np.asarray(batch_value, dtype=float)


def dropout(x: np.ndarray, rate: float, *, training: bool = True, mask: np.ndarray | None = None,
            rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Inverted dropout: while training, zero each value with probability ``rate`` and scale the rest by 1/(1 − rate).

    .. math:: y = \\frac{m \\odot x}{1 - p}, \\quad m_i \\sim \\mathrm{Bernoulli}(1 - p), \\qquad
              \\mathbb{E}[y] = x

    At evaluation (``training=False``) it is the identity, which is why the training-time scaling is there:
    the next layer sees inputs of the same expected size in both modes. Notebook 03 §9.

    Parameters
    ----------
    x : float array, any shape
    rate : float in [0, 1)
        The probability ``p`` of dropping a value (Keras's and PyTorch's ``rate``/``p``).
    training : bool
        False: return ``x`` unchanged.
    mask : bool array shaped like ``x``, optional
        Which values to keep (True); drawn from ``rng`` when omitted.
    rng : numpy Generator or seed, optional

    Examples
    --------
    >>> dropout(np.ones(4), 0.5, mask=np.array([True, False, True, False]))
    array([2., 0., 2., 0.])
    """
    rate = check_fraction(rate, "rate", upper_open=True)
    x = np.asarray(x, dtype=float)
    if not training:
        return x
    if mask is None:
        mask = np.random.default_rng(rng).random(x.shape) >= rate
    mask = np.asarray(mask)
    if mask.shape != x.shape or mask.dtype != bool:
        raise ValueError(f"mask must be a boolean array shaped like x {x.shape}, got {mask.dtype} {mask.shape}")
    return np.where(mask, x / (1.0 - rate), 0.0)


__all__ = ["batch_norm", "batch_statistics", "dropout", "moving_average"]
