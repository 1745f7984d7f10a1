"""GAN training pictures: loss curves next to a grid of samples, drawn once or redrawn live during training."""

from __future__ import annotations

import numpy as np

__all__ = ["LiveGAN", "gan_progress", "tile"]


def tile(images: np.ndarray, ncols: int = 8, gap: int = 1) -> np.ndarray:
    """Put ``N×H×W`` images side by side into one ``rows×cols`` mosaic (``gap`` pixels of black between)."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty N×H×W array, got shape {images.shape}")
    count, height, width = images.shape
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    mosaic = np.zeros((nrows * (height + gap) - gap, ncols * (width + gap) - gap), dtype=images.dtype)
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        mosaic[row * (height + gap):row * (height + gap) + height, col * (width + gap):col * (width + gap) + width] = image
    return mosaic


def gan_progress(losses: dict[str, list[float]], samples: np.ndarray, *, steps=None, title: str | None = None,
                 axes=None):
    """Draw GAN losses per step (left) and a grid of ``uint8`` samples (right, grey, 0–255).

    Parameters
    ----------
    losses : dict of str to list of float
        E.g. ``{"d_loss": [...], "g_loss": [...]}``, one value per recorded step.
    samples : uint8 array (N, H, W)
    steps : sequence of int, optional
        The training step of each recorded value (default 1, 2, …).
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    list of two matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1.2, 1]})
    curve_ax, image_ax = axes
    for name, values in losses.items():
        x = np.arange(1, len(values) + 1) if steps is None else np.asarray(steps)[:len(values)]
        curve_ax.plot(x, values, label=name)
    curve_ax.set_xlabel("training step")
    curve_ax.set_ylabel("loss (nats)")
    curve_ax.set_title("losses")
    curve_ax.grid(alpha=0.3)
    if losses:
        curve_ax.legend(fontsize="small")
    image_ax.imshow(tile(samples), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    image_ax.set_title("generated samples (grey levels 0–255)")
    image_ax.axis("off")
    if title:
        curve_ax.figure.suptitle(title)
    curve_ax.figure.tight_layout()
    return [curve_ax, image_ax]


class LiveGAN:
    """Redraw :func:`gan_progress` in place during training, in a notebook; outside IPython it only keeps the data.

    Call :meth:`update` as often as you like; :meth:`show` draws the final state as an ordinary
    figure (what a headless run or a script shows).
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self.losses: dict[str, list[float]] = {}
        self.steps: list[int] = []
        self.samples: np.ndarray | None = None
        self._handle = None
        self._figure = None
        try:
            from IPython import get_ipython

            self._enabled = get_ipython() is not None
        except ImportError:  # pragma: no cover
            self._enabled = False

    def record(self, step: int, losses: dict[str, float]) -> None:
        """Store the losses of one training step (cheap; call it every step)."""
        self.steps.append(int(step))
        for name, value in losses.items():
            self.losses.setdefault(name, []).append(float(value))

    def update(self, samples: np.ndarray) -> None:
        """Show the current samples and the losses recorded so far."""
        self.samples = np.asarray(samples)
        if not self._enabled:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        if self._figure is None:
            self._figure, _ = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1.2, 1]})
            plt.close(self._figure)  # shown through the display handle only
        for ax in self._figure.axes:
            ax.clear()
        gan_progress(self.losses, self.samples, steps=self.steps, title=self.title, axes=self._figure.axes)
        if self._handle is None:
            self._handle = display(self._figure, display_id=True)
        else:
            self._handle.update(self._figure)
