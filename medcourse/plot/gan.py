"""GAN pictures (notebooks 09–10): training curves with D(x) and D(G(z)) beside the losses, sample grids, one row
per class, a latent walk, and the recognition matrix of a conditional GAN; drawn once or redrawn live."""

from __future__ import annotations

import numpy as np

from medcourse.plot.live import LiveFigure

__all__ = ["LiveGAN", "class_rows", "gan_progress", "recognition_matrix", "tile"]

#: How the curves of :func:`gan_progress` are labelled; other recorded names are drawn under their own name.
CURVE_LABELS = {"d_loss": "D loss", "g_loss": "G loss", "d_real": "D(x), real", "d_fake": "D(G(z)), generated",
                "d_accuracy": "D accuracy (real vs fake)", "class_accuracy": "D's class head on real images"}
_PROBABILITIES = ("d_real", "d_fake", "d_accuracy", "class_accuracy")


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


def _smoothed(values: np.ndarray, window: int) -> np.ndarray:
    """Running mean over the last ``window`` values (fewer at the start), so a noisy curve can be read."""
    cumulative = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    index = np.arange(1, len(values) + 1)
    return (cumulative[index] - cumulative[np.maximum(index - window, 0)]) / np.minimum(index, window)


def gan_progress(history: dict[str, list[float]], samples: np.ndarray, *, steps=None, title: str | None = None,
                 axes=None, smooth: int = 25):
    """Losses (left), the discriminator's outputs (middle) and a grid of ``uint8`` samples (right, grey 0–255).

    Parameters
    ----------
    history : dict of str to list of float
        One value per recorded step: ``d_loss`` and ``g_loss`` (nats) go left; ``d_real`` (mean ``D(x)``),
        ``d_fake`` (mean ``D(G(z))``), ``d_accuracy`` and ``class_accuracy`` (probabilities) go in the middle,
        with the line at 1/2 where a discriminator that cannot tell real from generated sits.
    samples : uint8 array (N, H, W)
    steps : sequence of int, optional
        The training step of each recorded value (default 1, 2, …).
    axes : three matplotlib Axes, optional
    smooth : int
        Each curve is drawn faintly as recorded and solid as a running mean over this many steps.

    Returns
    -------
    list of three matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.4), gridspec_kw={"width_ratios": [1.1, 1.1, 1]})
    loss_ax, probability_ax, image_ax = axes
    for name, values in history.items():
        ax = probability_ax if name in _PROBABILITIES else loss_ax
        x = np.arange(1, len(values) + 1) if steps is None else np.asarray(steps)[:len(values)]
        line, = ax.plot(x, _smoothed(values, smooth), label=CURVE_LABELS.get(name, name))
        ax.plot(x, values, color=line.get_color(), alpha=0.2, linewidth=0.8)
    loss_ax.set(xlabel="training step", ylabel="loss (nats)", title="losses")
    probability_ax.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    probability_ax.set(xlabel="training step", ylabel="probability", ylim=(0, 1),
                       title="the discriminator's view")
    for ax in (loss_ax, probability_ax):
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize="small")
    image_ax.imshow(tile(samples), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    image_ax.set_title("samples from a fixed z (grey levels 0–255)")
    image_ax.axis("off")
    if title:
        loss_ax.figure.suptitle(title)
    loss_ax.figure.tight_layout()
    return [loss_ax, probability_ax, image_ax]


def class_rows(images: np.ndarray, classes, *, ax=None, title: str | None = None):
    """One row of images per class (``images`` ordered class after class, the same number each), named on the left."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if len(images) % len(classes):
        raise ValueError(f"images ({len(images)}) must hold the same number of images for each of the "
                         f"{len(classes)} classes")
    per_class = len(images) // len(classes)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 * per_class + 1.5, 0.6 * len(classes) + 0.6))
    height = images.shape[1]
    ax.imshow(tile(images, ncols=per_class), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax.set_yticks([(height + 1) * row + height / 2 for row in range(len(classes))], list(classes))
    ax.set_xticks([])
    if title:
        ax.set_title(title)
    return ax


def recognition_matrix(matrix: np.ndarray, classes, *, ax=None, title: str | None = None):
    """A confusion matrix of requested (rows) vs recognised (columns) class, as row fractions with the counts."""
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(classes):
        raise ValueError(f"matrix must be K×K for the {len(classes)} classes, got shape {matrix.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.0))
    fractions = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax.imshow(fractions, cmap="Blues", vmin=0, vmax=1)
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, f"{fractions[row, col]:.2f}\n({count})", ha="center", va="center", fontsize=7,
                color="white" if fractions[row, col] > 0.6 else "black")
    ax.set_xticks(range(len(classes)), list(classes), rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), list(classes))
    ax.set(xlabel="recognised as (classifier trained on real images)", ylabel="requested class")
    if title:
        ax.set_title(title)
    return ax


def _progress_figure():
    """The empty figure of :class:`LiveGAN`: losses, D's outputs, samples."""
    import matplotlib.pyplot as plt

    return plt.subplots(1, 3, figsize=(13, 3.4), gridspec_kw={"width_ratios": [1.1, 1.1, 1]})[0]


class LiveGAN:
    """Redraw :func:`gan_progress` in place during training, in a notebook; outside IPython it only keeps the data.

    Call :meth:`record` every step and :meth:`update` as often as you like; :meth:`show` draws the final
    state as an ordinary figure (what a headless run or a script shows).
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self.history: dict[str, list[float]] = {}
        self.steps: list[int] = []
        self.samples: np.ndarray | None = None
        self._live = LiveFigure(_progress_figure)

    def record(self, step: int, values: dict[str, float]) -> None:
        """Store the numbers of one training step (cheap; call it every step)."""
        self.steps.append(int(step))
        for name, value in values.items():
            self.history.setdefault(name, []).append(float(value))

    def _draw(self, figure) -> None:
        for ax in figure.axes:
            ax.clear()
        gan_progress(self.history, self.samples, steps=self.steps, title=self.title, axes=figure.axes)

    def update(self, samples: np.ndarray) -> None:
        """Show the current samples and the curves recorded so far."""
        self.samples = np.asarray(samples)
        self._live.redraw(self._draw)

    def show(self):
        """Draw the final curves and samples as an ordinary figure and return it."""
        if self.samples is None:
            raise ValueError("nothing to show yet: call update(samples) first")
        figure = _progress_figure()
        self._draw(figure)
        return figure
