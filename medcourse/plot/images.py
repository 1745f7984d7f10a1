"""Medical images on screen: window/level, physical axes in millimetres, and image grids."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Common CT display windows in Hounsfield units, as ``(width, level)``.
#: A window maps ``[level - width/2, level + width/2]`` HU onto black…white.
WINDOWS: dict[str, tuple[float, float]] = {
    "lung": (1500.0, -600.0),
    "soft tissue": (400.0, 40.0),
    "liver": (150.0, 30.0),
    "brain": (80.0, 40.0),
    "bone": (1800.0, 400.0),
}


def _window_bounds(window: float | str | None, level: float | None) -> tuple[float, float] | None:
    if window is None and level is None:
        return None
    if isinstance(window, str):
        if window not in WINDOWS:
            raise ValueError(f"window must be a width in HU or one of {sorted(WINDOWS)}, got {window!r}")
        if level is not None:
            raise ValueError("give either a named window or a width and a level, not a name and a level")
        window, level = WINDOWS[window]
    if window is None or level is None:
        raise ValueError(f"window and level must be given together, got window={window!r}, level={level!r}")
    if not np.isfinite(window) or window <= 0:
        raise ValueError(f"window (the width) must be a positive number, got {window!r}")
    return float(level) - float(window) / 2.0, float(level) + float(window) / 2.0


def apply_window(image: np.ndarray, window: float | str, level: float | None = None) -> np.ndarray:
    """Map intensities to display brightness in ``[0, 1]`` with a window of width ``window`` at ``level``.

    Values below ``level - window/2`` become 0 (black), above ``level + window/2`` become 1 (white),
    and the range in between is stretched linearly.

    Parameters
    ----------
    image : array_like
        Intensities, e.g. Hounsfield units for CT.
    window : float or str
        Width of the window, or a preset name from :data:`WINDOWS` (then leave ``level`` out).
    level : float, optional
        Centre of the window.

    Examples
    --------
    >>> apply_window(np.array([-1000.0, 40.0, 1000.0]), "soft tissue")
    array([0. , 0.5, 1. ])
    """
    bounds = _window_bounds(window, level)
    low, high = bounds  # type: ignore[misc]
    values = np.asarray(image, dtype=float)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def show_image(image: np.ndarray, *, window: float | str | None = None, level: float | None = None,
               spacing: Sequence[float] | None = None, unit: str = "HU", title: str | None = None,
               cmap: str = "gray", colorbar: bool = True, ax=None):
    """Show a 2-D medical image with a display window, millimetre axes and a colour bar.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, 3)
        The image; colour images are shown as they are (no window).
    window, level : float or str, optional
        Display window (see :func:`apply_window`); default: the image's own min…max.
    spacing : (float, float), optional
        Pixel spacing in mm as (row, column); the axes are then in mm.
    unit : str
        Label of the colour bar (``"HU"`` for CT, ``"a.u."`` for MR).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.image.AxesImage
    """
    import matplotlib.pyplot as plt

    values = np.asarray(image)
    if values.ndim not in (2, 3) or (values.ndim == 3 and values.shape[-1] not in (3, 4)):
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    extent = None
    if spacing is not None:
        if len(spacing) != 2 or min(spacing) <= 0:
            raise ValueError(f"spacing must be two positive numbers (row mm, column mm), got {spacing!r}")
        height, width = values.shape[:2]
        extent = (0, width * spacing[1], height * spacing[0], 0)
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
    else:
        ax.set_xlabel("column (pixel)")
        ax.set_ylabel("row (pixel)")
    bounds = _window_bounds(window, level)
    if values.ndim == 3:
        drawn = ax.imshow(values, extent=extent)
    else:
        vmin, vmax = bounds if bounds is not None else (float(values.min()), float(values.max()))
        drawn = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, extent=extent, interpolation="nearest")
        if colorbar:
            ax.figure.colorbar(drawn, ax=ax, fraction=0.046, pad=0.04, label=unit)
    if title is None and isinstance(window, str):
        title = f"{window} window"
    if title:
        ax.set_title(title)
    return drawn


def show_scan(scan, *, window: float | str | None = None, level: float | None = None, title: str | None = None,
              frame: int = 0, colorbar: bool = True, ax=None):
    """Show a :class:`medcourse.data.scans.Scan` as its header says: physical units, mm axes, the right grey ramp.

    Grey images keep their physical values (so a window in HU applies) and are drawn with ``scan.cmap``:
    ``"gray_r"`` for a MONOCHROME1 DICOM, whose low values are meant to look white. Colour images are drawn
    from ``scan.display_image()`` (8-bit RGB, whatever the stored bit depth). For a cine loop or a volume,
    ``frame`` picks the image to show (the first axis).
    """
    image = scan.display_image()
    is_colour = scan.cmap is None
    if image.ndim == (4 if is_colour else 3):
        image = image[frame]
    spacing = None if scan.spacing is None else tuple(scan.spacing)[-2:]  # a volume's in-plane spacing
    if is_colour:
        return show_image(image, spacing=spacing, title=title, ax=ax)
    return show_image(image, window=window, level=level, spacing=spacing, unit=scan.unit or "a.u.",
                      cmap=scan.cmap or "gray", title=title, colorbar=colorbar, ax=ax)


def image_grid(images: np.ndarray, labels: Sequence | np.ndarray | None = None, *,
               classes: Sequence[str] | None = None, ncols: int = 8, cmap: str = "gray",
               title: str | None = None, size: float = 1.4):
    """Show up to ``nrows × ncols`` images in a grid, each titled with its label (or class name).

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (N, H, W, C)
    labels : sequence, optional
        One label per image (int class index, or any printable value).
    classes : sequence of str, optional
        Class names used to print integer labels.
    ncols : int
        Images per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(f"images must be a non-empty array of shape (N, H, W) or (N, H, W, C), got {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels must have one entry per image ({len(images)}), got {len(labels)}")
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    count = len(images)
    ncols = min(ncols, count)
    nrows = int(np.ceil(count / ncols))
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                                squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        image = images[index]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None, interpolation="nearest")
        if labels is not None:
            label = labels[index]
            if classes is not None and np.ndim(label) == 0 and float(label).is_integer():
                label = classes[int(label)]
            ax.set_title(str(label), fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
