"""The convolution integral (f∗g)(t) = ∫ f(τ) g(t − τ) dτ, evaluated numerically, and its Riemann sum.

Notebook 02 derives these; the discrete convolutions in :mod:`medcourse.conv.discrete` are the
Riemann sum with the step Δ taken as one pixel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from medcourse.conv._checks import check_callable, check_interval, check_points

Function = Callable[[float], float]


def convolve_continuous(f: Function, g: Function, t: float | np.ndarray, *,
                        support: tuple[float, float] | None = None,
                        g_support: tuple[float, float] | None = None,
                        breakpoints: Sequence[float] = (), g_breakpoints: Sequence[float] = (),
                        epsabs: float = 1e-10, epsrel: float = 1e-10, limit: int = 200) -> float | np.ndarray:
    """Evaluate (f∗g)(t) = ∫ f(τ) g(t − τ) dτ with adaptive quadrature (:func:`scipy.integrate.quad`).

    Quadrature is accurate where the integrand is smooth. Tell it what you know about jumps and
    where the functions vanish: the integral is then taken only where both factors can be non-zero
    and is split at every jump, so each piece is smooth.

    Parameters
    ----------
    f, g : callable
        Functions of one number returning one number.
    t : float or array_like
        Where to evaluate the convolution.
    support : (low, high), optional
        ``f`` is zero outside this interval (either end may be ``±inf``). Default: the whole line.
    g_support : (low, high), optional
        ``g`` is zero outside this interval; for the integrand this becomes τ ∈ [t − high, t − low].
    breakpoints : sequence of float, optional
        Where ``f`` jumps or has a kink.
    g_breakpoints : sequence of float, optional
        Where ``g`` jumps or has a kink; a jump of ``g`` at ``b`` is at τ = t − b in the integrand.
    epsabs, epsrel, limit :
        Passed to :func:`scipy.integrate.quad` for every piece.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``t``, otherwise an array of the shape of ``t``.

    Examples
    --------
    Two unit boxes give a triangle of height 1 and base 2:

    >>> box = lambda x: 1.0 if abs(x) <= 0.5 else 0.0
    >>> round(convolve_continuous(box, box, 0.5, support=(-0.5, 0.5), g_support=(-0.5, 0.5)), 10)
    0.5
    """
    from scipy import integrate  # imported on first use: it makes `import medcourse.conv` slow otherwise

    check_callable(f, "f")
    check_callable(g, "g")
    try:
        t_values = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"t must be a number or an array of numbers, got {t!r}") from None
    if not np.all(np.isfinite(t_values)):
        raise ValueError(f"t must be finite, got {t!r}")
    f_low, f_high = check_interval(support, "support")
    g_low, g_high = check_interval(g_support, "g_support")
    f_breaks = check_points(breakpoints, "breakpoints")
    g_breaks = check_points(g_breakpoints, "g_breakpoints")

    result = np.zeros(t_values.shape)
    for index, t_value in np.ndenumerate(t_values):
        low, high = max(f_low, t_value - g_high), min(f_high, t_value - g_low)
        if not low < high:  # the two supports do not overlap: the product is zero everywhere
            continue
        cuts = {p for p in f_breaks if low < p < high}
        cuts |= {t_value - b for b in g_breaks if low < t_value - b < high}
        edges = [low, *sorted(cuts), high]

        def integrand(tau: float, t_value: float = t_value) -> float:
            return f(tau) * g(t_value - tau)

        result[index] = sum(
            integrate.quad(integrand, a, b, epsabs=epsabs, epsrel=epsrel, limit=limit)[0]
            for a, b in pairwise(edges)
        )
    return float(result) if result.ndim == 0 else result


def riemann_convolution(f: Callable[[np.ndarray], np.ndarray], g: Callable[[np.ndarray], np.ndarray],
                        t: float, step: float, *, interval: tuple[float, float]) -> float:
    """Approximate (f∗g)(t) by the left Riemann sum Δ Σₖ f(τₖ) g(t − τₖ), τₖ = a + kΔ in [a, b).

    With samples fₖ = f(kΔ) and gₖ = g(kΔ) and t = nΔ this is Δ Σₖ fₖ gₙ₋ₖ: the discrete convolution
    of the samples, times Δ.

    Parameters
    ----------
    f, g : callable
        Vectorised functions (they receive a NumPy array of τ values).
    t : float
        Where to evaluate the convolution.
    step : float
        The sample spacing Δ > 0.
    interval : (a, b)
        A finite interval outside which the integrand is (negligibly) small.

    Examples
    --------
    >>> ones = lambda x: np.ones_like(x)
    >>> riemann_convolution(ones, ones, 0.0, 0.25, interval=(0.0, 1.0))
    1.0
    """
    check_callable(f, "f")
    check_callable(g, "g")
    low, high = check_interval(interval, "interval")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"interval must be finite, got {interval!r}")
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive number, got {step!r}")
    count = int(np.floor((high - low) / step + 1e-9))
    tau = low + step * np.arange(count)
    return float(step * np.sum(np.asarray(f(tau), dtype=float) * np.asarray(g(t - tau), dtype=float)))


def convergence_order(steps: Sequence[float], errors: Sequence[float]) -> float:
    """Fit error ≈ C·Δᵖ on log-log axes and return the order p (the slope of the fitted line).

    Examples
    --------
    >>> round(convergence_order([0.1, 0.01, 0.001], [2e-2, 2e-4, 2e-6]), 6)
    2.0
    """
    steps_array = np.asarray(steps, dtype=float)
    errors_array = np.asarray(errors, dtype=float)
    if steps_array.shape != errors_array.shape or steps_array.ndim != 1 or steps_array.size < 2:
        raise ValueError(f"steps and errors must be 1-D of the same length >= 2, got shapes "
                         f"{steps_array.shape} and {errors_array.shape}")
    if np.any(steps_array <= 0) or np.any(errors_array <= 0):
        raise ValueError("steps and errors must be positive to be drawn on log-log axes")
    slope, _ = np.polyfit(np.log(steps_array), np.log(errors_array), 1)
    return float(slope)


# --- functions with known convolutions (vectorised: they take and return arrays) ----------------


def box(t: float | np.ndarray, width: float = 1.0) -> np.ndarray:
    """Unit-height box: 1 for |t| ≤ width/2, 0 elsewhere. box∗box of equal widths w is the triangle (w − |t|)₊."""
    return np.where(np.abs(np.asarray(t, dtype=float)) <= width / 2, 1.0, 0.0)


def gaussian(t: float | np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Normal density with mean 0 and standard deviation σ; Gaussians convolve to a Gaussian with σ² = σ₁² + σ₂²."""
    t = np.asarray(t, dtype=float)
    return np.exp(-0.5 * (t / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def exponential_decay(t: float | np.ndarray, time_constant: float = 1.0) -> np.ndarray:
    """Causal decay e^(−t/T) for t ≥ 0 and 0 before (e.g. a tracer washing out, a detector's afterglow)."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, np.exp(-np.clip(t, 0, None) / time_constant), 0.0)
