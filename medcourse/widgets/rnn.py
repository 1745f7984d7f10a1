"""Step through a recurrent network: the unrolled diagram and h_t over time (notebook 07).

:func:`draw_unrolled` draws the cell unrolled over time; :func:`draw_rnn_steps` draws the input
sequence and the hidden states up to step ``t`` (works headless); :func:`rnn_explorer` wraps the
latter in a time slider and a spectral-radius slider (ipywidgets 7.7 and 8.x).
"""

from __future__ import annotations

import numpy as np

from medcourse import rnn

__all__ = ["draw_rnn_steps", "draw_unrolled", "rnn_explorer"]


def draw_unrolled(steps: int = 4, *, ax=None):
    """Draw ``h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h)`` unrolled over ``steps`` time steps.

    The same cell (the same ``W_xh``, ``W_hh``, ``b_h``) is repeated at every step: ``x_t`` enters from
    below through ``W_xh``, ``h_{t−1}`` from the left through ``W_hh``, and ``h_t`` leaves to the right
    (and up, to an output layer).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> figure = draw_unrolled(3)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 8:
        raise ValueError(f"steps must be an integer from 1 to 8, got {steps!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 * steps + 2, 3.6))
    arrow = {"arrowstyle": "-|>", "color": "0.25", "lw": 1.4}
    for index in range(steps):
        t = index + 1
        centre = 2.2 * t
        ax.add_patch(FancyBboxPatch((centre - 0.55, -0.45), 1.1, 0.9, boxstyle="round,pad=0.05",
                                    facecolor="#cfe3f7", edgecolor="tab:blue"))
        ax.text(centre, 0, "tanh", ha="center", va="center", fontsize=10)
        ax.text(centre, -1.75, f"$x_{{{t}}}$", ha="center", va="center", fontsize=13)
        ax.annotate("", xy=(centre, -0.5), xytext=(centre, -1.5), arrowprops=arrow)
        ax.text(centre + 0.1, -1.0, "$W_{xh}$", ha="left", va="center", fontsize=9, color="tab:red")
        ax.annotate("", xy=(centre, 1.5), xytext=(centre, 0.5), arrowprops=arrow)
        ax.text(centre, 1.75, f"$h_{{{t}}}$", ha="center", va="center", fontsize=13)
        previous = f"$h_{{{t - 1}}}$" if t == 1 else ""
        ax.annotate("", xy=(centre - 0.6, 0), xytext=(centre - 1.6, 0), arrowprops=arrow)
        ax.text(centre - 1.1, 0.15, "$W_{hh}$", ha="center", va="bottom", fontsize=9, color="tab:red")
        if previous:
            ax.text(centre - 1.75, 0, previous, ha="right", va="center", fontsize=13)
    ax.annotate("", xy=(2.2 * steps + 1.5, 0), xytext=(2.2 * steps + 0.6, 0), arrowprops=arrow)
    ax.text(2.2 * steps + 1.55, 0, "…", ha="left", va="center", fontsize=13)
    ax.set_xlim(0.0, 2.2 * steps + 2.0)
    ax.set_ylim(-2.1, 2.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The RNN unrolled in time: one cell, the same weights at every step")
    return ax.figure


def draw_rnn_steps(x, states, t: int, *, dt: float = 1.0, unit: str = "frames", axes=None):
    """Draw the input sequence and the hidden states ``h_1 … h_t`` (later steps greyed out).

    Parameters
    ----------
    x : array (T, input)
        One input sequence.
    states : array (T, hidden)
        Its hidden states, e.g. ``rnn.rnn_forward(x[None], None, W_xh, W_hh, b_h)[0]``.
    t : int
        The current time step, 1 … T.
    dt, unit : float, str
        Length and unit of one time step, for the axis label.
    axes : three matplotlib Axes, optional
        Input curve, hidden-state heat map, current ``h_t`` bars.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> x = np.sin(np.arange(10.0))[:, None]
    >>> states = rnn.rnn_forward(x[None], None, np.ones((3, 1)), 0.5 * np.eye(3), np.zeros(3))[0]
    >>> figure = draw_rnn_steps(x, states, 4)
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    states = np.asarray(states, dtype=float)
    if x.ndim != 2 or states.ndim != 2 or len(x) != len(states):
        raise ValueError(f"x must be (T, input) and states (T, hidden) with the same T, got {x.shape} and {states.shape}")
    steps = len(x)
    if not isinstance(t, (int, np.integer)) or not 1 <= t <= steps:
        raise ValueError(f"t must be an integer from 1 to T = {steps}, got {t!r}")
    if axes is None:
        figure, axes = plt.subplots(1, 3, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1.2, 1.6, 0.8]})
    input_ax, state_ax, bar_ax = axes
    time = np.arange(1, steps + 1) * dt
    for feature in range(x.shape[1]):
        input_ax.plot(time, x[:, feature], color="0.75")
        input_ax.plot(time[:t], x[:t, feature], "o-", color="tab:blue", markersize=3)
    input_ax.axvline(t * dt, color="tab:red", linestyle=":")
    input_ax.set_xlabel(f"time ({unit})")
    input_ax.set_ylabel("input $x_t$")
    input_ax.set_title(f"Input up to t = {t}")

    shown = np.where(np.arange(steps)[:, None] < t, states, np.nan)
    image = state_ax.imshow(shown.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest",
                            extent=(0.5 * dt, (steps + 0.5) * dt, states.shape[1] - 0.5, -0.5))
    state_ax.set_xlabel(f"time ({unit})")
    state_ax.set_ylabel("hidden unit")
    state_ax.set_title("Hidden states $h_1 … h_t$")
    state_ax.figure.colorbar(image, ax=state_ax, label="activation (tanh, −1…1)")

    bar_ax.barh(np.arange(states.shape[1]), states[t - 1], color=np.where(states[t - 1] >= 0, "tab:red", "tab:blue"))
    bar_ax.set_xlim(-1, 1)
    bar_ax.invert_yaxis()
    bar_ax.set_xlabel("activation")
    bar_ax.set_title(f"$h_{{{t}}}$")
    figure = input_ax.figure
    figure.tight_layout()
    return figure


def rnn_explorer(x, W_xh, W_hh, b_h, *, dt: float = 1.0, unit: str = "frames"):
    """Sliders for the time step ``t`` and the spectral radius of ``W_hh`` over :func:`draw_rnn_steps`.

    Returns the ``ipywidgets`` container to display. Moving the radius slider rescales ``W_hh``
    (:func:`medcourse.rnn.with_spectral_radius`) and recomputes the hidden states.
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (T, input), got {x.shape}")
    start_radius = rnn.spectral_radius(W_hh)

    def update(t: int, radius: float) -> None:
        states = rnn.rnn_forward(x[None], None, W_xh, rnn.with_spectral_radius(W_hh, radius), b_h)[0]
        draw_rnn_steps(x, states, t, dt=dt, unit=unit)
        plt.show()

    time_slider = ipywidgets.IntSlider(value=1, min=1, max=len(x), step=1, description="t",
                                       continuous_update=False)
    radius_slider = ipywidgets.FloatSlider(value=round(start_radius, 2), min=0.1, max=3.0, step=0.05,
                                           description="ρ(W_hh)", continuous_update=False)
    return ipywidgets.interactive(update, t=time_slider, radius=radius_slider)
