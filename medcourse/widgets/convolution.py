"""Flip and slide: an explorer for the convolution integral (f∗g)(t) = ∫ f(τ) g(t − τ) dτ; im2col in one picture.

:func:`draw_convolution` draws the picture for one ``t`` (works headless); :func:`convolution_explorer`
wraps it in a ``t`` slider (ipywidgets 7.7 and 8.x). :func:`draw_im2col` shows how a library turns a
correlation into one matrix product (notebook 02 §3).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from medcourse.conv import box, convolve_continuous, exponential_decay, im2col

Function = Callable[[np.ndarray], np.ndarray]


def _default_pair() -> tuple[Function, Function, dict]:
    """A box input f and an asymmetric decay g, so the flip is visible."""

    def f(tau):
        return box(tau, 1.0)

    def g(tau):
        return exponential_decay(tau, 0.7)

    hints = {"support": (-0.5, 0.5), "g_support": (0.0, np.inf), "breakpoints": (-0.5, 0.5),
             "g_breakpoints": (0.0,)}
    return f, g, hints


def _output_curve(f, g, grid, hints) -> np.ndarray:
    return np.asarray(convolve_continuous(f, g, grid, **hints))


def draw_convolution(t: float = 0.4, *, f: Function | None = None, g: Function | None = None,
                     tau_range: tuple[float, float] = (-2.5, 3.5), hints: dict | None = None,
                     samples: int = 400, output: tuple[np.ndarray, np.ndarray] | None = None, axes=None):
    """Draw f(τ), the flipped and shifted g(t − τ), their product's area, and (f∗g) up to that point.

    Parameters
    ----------
    t : float
        The shift: g is flipped about τ = 0 and slid to τ = t.
    f, g : callable, optional
        Vectorised functions; default a unit box f and an exponential decay g (asymmetric, so you can
        see the flip). Pass both or neither.
    tau_range : (float, float)
        The τ (and t) axis range.
    hints : dict, optional
        Keyword arguments for :func:`medcourse.conv.convolve_continuous` (``support``, ``breakpoints`` …).
    samples : int
        Points per curve.
    output : (t_grid, values), optional
        A precomputed output curve (the explorer passes it so moving the slider is fast).
    axes : pair of matplotlib Axes, optional
        Where to draw (top: the integrand, bottom: the output); a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> figure = draw_convolution(0.4)
    """
    import matplotlib.pyplot as plt

    if (f is None) != (g is None):
        raise ValueError("pass both f and g, or neither (for the default box and decay)")
    if f is None:
        f, g, default_hints = _default_pair()
        hints = default_hints if hints is None else hints
    hints = hints or {}
    low, high = tau_range
    if not low < high:
        raise ValueError(f"tau_range must be (low, high) with low < high, got {tau_range!r}")
    tau = np.linspace(low, high, samples)
    if output is None:
        t_grid = np.linspace(low, high, 121)
        output = (t_grid, _output_curve(f, g, t_grid, hints))
    t_grid, values = output
    f_values = np.asarray(f(tau), dtype=float)
    g_values = np.asarray(g(t - tau), dtype=float)
    value_at_t = float(convolve_continuous(f, g, t, **hints))

    if axes is None:
        figure, axes = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
    top, bottom = axes
    figure = top.figure
    top.plot(tau, f_values, color="tab:blue", label="f(τ)")
    top.plot(tau, g_values, color="tab:orange", label="g(t − τ): flipped, slid to t")
    top.fill_between(tau, f_values * g_values, color="tab:green", alpha=0.4,
                     label=f"f(τ)·g(t − τ): area = {value_at_t:.3f}")
    top.axvline(t, color="grey", linestyle=":", linewidth=1)
    top.set_ylabel("value")
    top.set_title(f"Flip and slide at t = {t:.2f}")
    top.legend(loc="upper right", fontsize=8)

    bottom.plot(t_grid, values, color="lightgrey", label="(f∗g)(t), all t")
    before = t_grid <= t
    bottom.plot(t_grid[before], values[before], color="tab:green", label="traced so far")
    bottom.plot([t], [value_at_t], "o", color="tab:green")
    bottom.set_xlabel("τ and t (same axis, arbitrary units)")
    bottom.set_ylabel("(f∗g)(t)")
    bottom.legend(loc="upper right", fontsize=8)
    bottom.set_xlim(low, high)
    figure.tight_layout()
    return figure


def convolution_explorer(f: Function | None = None, g: Function | None = None, *,
                         tau_range: tuple[float, float] = (-2.5, 3.5), hints: dict | None = None,
                         t: float = 0.4):
    """A ``t`` slider over :func:`draw_convolution`; returns the ipywidgets container to display.

    The output curve is computed once, so moving the slider only redraws.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    if (f is None) != (g is None):
        raise ValueError("pass both f and g, or neither (for the default box and decay)")
    if f is None:
        f, g, default_hints = _default_pair()
        hints = default_hints if hints is None else hints
    hints = hints or {}
    low, high = tau_range
    t_grid = np.linspace(low, high, 121)
    output = (t_grid, _output_curve(f, g, t_grid, hints))

    def update(t: float) -> None:
        draw_convolution(t, f=f, g=g, tau_range=tau_range, hints=hints, output=output)
        plt.show()

    slider = ipywidgets.FloatSlider(value=t, min=low, max=high, step=0.05, description="t",
                                    continuous_update=False)
    return ipywidgets.interactive(update, t=slider)


def _draw_numbers(ax, values: np.ndarray, title: str, highlight: np.ndarray) -> None:
    """A small matrix drawn as a grid of numbers, the ``highlight`` cells shaded."""
    ax.imshow(np.where(highlight, 1.0, 0.0), cmap="Oranges", vmin=0, vmax=2.5, aspect="equal")
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, f"{value:g}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.tick_params(labelsize=7, length=0)
    ax.set_title(title, fontsize=9)


def draw_im2col(image: np.ndarray | None = None, kernel: np.ndarray | None = None, *,
                position: tuple[int, int] = (1, 2), axes=None):
    """im2col in one picture: patch → column, kernel → row, and the correlation as one row-times-matrix product.

    Left to right: the image with the patch whose top-left pixel is ``position``; the kernel; the im2col
    matrix (one column per patch, the patch's column shaded); the output ``y = k · im2col(x)``, reshaped
    to the 'valid' output, with the pixel that column gives shaded. Defaults: a 4×5 image of random digits
    and a 3×3 Sobel kernel. Works headless; returns the figure.
    """
    import matplotlib.pyplot as plt

    default_image = np.random.default_rng(2).integers(0, 10, (4, 5)).astype(float)
    image = default_image if image is None else np.asarray(image, dtype=float)
    kernel = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]) if kernel is None else np.asarray(kernel, dtype=float)
    matrix = im2col(image, kernel.shape)
    out_rows, out_columns = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    row, column = position
    if not (0 <= row < out_rows and 0 <= column < out_columns):
        raise ValueError(f"position must be the top-left pixel of a whole patch, 0 ≤ row < {out_rows} and "
                         f"0 ≤ column < {out_columns}, got {position!r}")
    output = (kernel.reshape(1, -1) @ matrix).reshape(out_rows, out_columns)
    if axes is None:
        widths = [image.shape[1], kernel.shape[1], matrix.shape[1], out_columns]
        figure, axes = plt.subplots(1, 4, figsize=(13, 3.4), gridspec_kw={"width_ratios": widths})
    figure = axes[0].figure
    in_patch = np.zeros(image.shape, dtype=bool)
    in_patch[row:row + kernel.shape[0], column:column + kernel.shape[1]] = True
    chosen = row * out_columns + column
    in_column = np.zeros(matrix.shape, dtype=bool)
    in_column[:, chosen] = True
    at_output = np.zeros(output.shape, dtype=bool)
    at_output[row, column] = True
    _draw_numbers(axes[0], image, f"image x ({image.shape[0]}×{image.shape[1]}), patch at {position}", in_patch)
    _draw_numbers(axes[1], kernel, f"kernel k ({kernel.shape[0]}×{kernel.shape[1]}),\nread as a row of {kernel.size}",
                  np.zeros(kernel.shape, dtype=bool))
    _draw_numbers(axes[2], matrix, f"im2col(x): one column per patch ({matrix.shape[0]}×{matrix.shape[1]})",
                  in_column)
    _draw_numbers(axes[3], output, "y = k_row · im2col(x)\n(reshaped to the valid output)", at_output)
    figure.suptitle(f"Column {chosen} of im2col(x) is the shaded patch; k as a row times it is y{position}: "
                    "the correlation is one matrix product (GEMM)", fontsize=10)
    figure.tight_layout()
    return figure
