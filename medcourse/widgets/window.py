"""Window/level: which intensities become black, grey and white on screen.

:func:`draw_window` draws an image through a display window next to its histogram, with the window
and the grey-level ramp marked (works headless); :func:`window_explorer` wraps it in width/level
sliders (ipywidgets 7.7 and 8.x) so you can feel how the window picks out lung, soft tissue or bone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from medcourse.plot import WINDOWS, show_image


def _check_image(image) -> np.ndarray:
    values = np.asarray(image, dtype=float)
    if values.ndim != 2 or min(values.shape) < 2:
        raise ValueError(f"image must be a 2-D array (H, W), got shape {values.shape}")
    return values


def draw_window(image: np.ndarray, window: float | str = "soft tissue", level: float | None = None, *,
                spacing: Sequence[float] | None = None, unit: str = "HU", title: str | None = None,
                cmap: str = "gray", axes=None):
    """Draw ``image`` through a display window (left) and its histogram with that window (right).

    Parameters
    ----------
    image : array_like, shape (H, W)
        Intensities, e.g. Hounsfield units for CT.
    window : float or str
        Width of the window, or a preset from :data:`medcourse.plot.WINDOWS` (then omit ``level``).
    level : float, optional
        Centre of the window.
    spacing : (float, float), optional
        Pixel spacing (row mm, column mm) for millimetre axes.
    unit : str
        Intensity unit for the labels (``"HU"`` for CT, ``"a.u."`` for MR).
    cmap : str
        ``"gray"``, or ``"gray_r"`` for a MONOCHROME1 DICOM (``Scan.cmap``: low values shown white).
    axes : pair of matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> figure = draw_window(np.linspace(-1000, 1000, 64 * 64).reshape(64, 64), 400, 40)
    """
    import matplotlib.pyplot as plt

    values = _check_image(image)
    if isinstance(window, str):
        if window not in WINDOWS:
            raise ValueError(f"window must be a width in {unit} or one of {sorted(WINDOWS)}, got {window!r}")
        name = window
        window, level = WINDOWS[window]
    else:
        name = None
        if level is None:
            raise ValueError("level must be given with a numeric window width")
    if not np.isfinite(window) or window <= 0:
        raise ValueError(f"window (the width) must be a positive number, got {window!r}")
    low, high = level - window / 2.0, level + window / 2.0
    if axes is None:
        figure, axes = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.2]})
    image_ax, histogram_ax = axes
    figure = image_ax.figure
    label = f"{name} window: " if name else "window: "
    show_image(values, window=window, level=level, spacing=spacing, unit=unit, cmap=cmap, ax=image_ax,
               title=title or f"{label}W {window:g}, L {level:g} {unit}")

    histogram_ax.hist(values.ravel(), bins=120, color="tab:grey", log=True)
    histogram_ax.axvspan(low, high, color="tab:orange", alpha=0.2, label=f"window [{low:g}, {high:g}] {unit}")
    ramp = histogram_ax.twinx()
    x = np.linspace(min(values.min(), low), max(values.max(), high), 400)
    ramp.plot(x, np.clip((x - low) / (high - low), 0.0, 1.0), color="tab:orange")
    ramp.set_ylim(-0.02, 1.02)
    ramp.set_ylabel("displayed brightness (0 = white, 1 = black)" if cmap == "gray_r"
                    else "displayed brightness (0 = black, 1 = white)")
    histogram_ax.set_xlabel(f"intensity ({unit})")
    histogram_ax.set_ylabel("pixels (log scale)")
    histogram_ax.set_title("Histogram and the window's grey-level ramp")
    histogram_ax.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def window_explorer(image: np.ndarray, *, spacing: Sequence[float] | None = None, window: float = 400.0,
                    level: float = 40.0, unit: str = "HU", cmap: str = "gray"):
    """Width and level sliders over :func:`draw_window`; returns the ipywidgets container to display.

    Parameters
    ----------
    image : array_like, shape (H, W)
    spacing : (float, float), optional
        Pixel spacing in mm for millimetre axes.
    window, level : float
        Starting width and centre.
    unit : str
        Intensity unit (``"HU"`` for CT).
    cmap : str
        ``"gray"``, or ``"gray_r"`` for a MONOCHROME1 DICOM (pass ``scan.cmap``).
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    values = _check_image(image)
    low, high = float(values.min()), float(values.max())
    span = max(high - low, 1.0)

    def update(window: float, level: float) -> None:
        draw_window(values, window, level, spacing=spacing, unit=unit, cmap=cmap)
        plt.show()

    width_slider = ipywidgets.FloatSlider(value=float(window), min=1.0, max=2.0 * span, step=span / 200,
                                          description=f"width ({unit})", continuous_update=False)
    level_slider = ipywidgets.FloatSlider(value=float(level), min=low, max=high, step=span / 200,
                                          description=f"level ({unit})", continuous_update=False)
    return ipywidgets.interactive(update, window=width_slider, level=level_slider)


__all__ = ["draw_window", "window_explorer"]
