"""Training curves per epoch (loss and the task's metrics), for one run or several overlaid (TF vs PyTorch)."""

from __future__ import annotations

import numpy as np

from medcourse.plot.live import LiveFigure

__all__ = ["LiveHistory", "history"]

_LABELS = {"loss": "loss", "accuracy": "accuracy", "auc": "ROC AUC", "mae": "mean absolute error",
           "dice": "mean foreground Dice"}
_LOSS_LABELS = {"regression": "MSE (standardised target)", "segmentation": "cross-entropy per pixel"}


def history(*histories, metrics=None, labels=None, axes=None, title=None):
    """Draw training (dashed) and validation (solid) curves of one or more :class:`medcourse.training.History`.

    Each history gets its own colour, labelled with its ``framework`` (or ``labels``); the epoch whose
    weights ``fit`` kept is marked with a dot on the validation curve.

    Parameters
    ----------
    *histories : History
        One or more runs.
    metrics : sequence of str, optional
        Which of the recorded numbers to draw, one panel each (default: all of the first history's,
        e.g. ``"loss"``, ``"accuracy"``, ``"auc"`` for a classifier).
    labels : sequence of str, optional
        Legend names, one per history.
    axes : sequence of matplotlib Axes, optional
        One per metric; new ones are created when omitted.
    title : str, optional
        Figure title.

    Returns
    -------
    list of matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("history() needs at least one History")
    metrics = tuple(histories[0].metrics if metrics is None else metrics)
    unknown = [m for m in metrics if any(m not in h.metrics for h in histories)]
    if unknown:
        raise ValueError(f"metrics must be among {histories[0].metrics} (what the histories record), got {unknown}")
    if labels is not None and len(labels) != len(histories):
        raise ValueError(f"labels must name each of the {len(histories)} histories, got {len(labels)}")
    if axes is None:
        figure, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(axes)
        if len(axes) != len(metrics):
            raise ValueError(f"axes must hold one Axes per metric ({len(metrics)}), got {len(axes)}")
        figure = axes[0].figure
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, h in enumerate(histories):
        colour = colours[index % len(colours)]
        name = labels[index] if labels is not None else (h.framework or f"run {index + 1}")
        epochs = np.arange(1, h.epochs + 1)
        for ax, metric in zip(axes, metrics, strict=True):
            ax.plot(epochs, h.train[metric], "--", color=colour, alpha=0.8, label=f"{name} train")
            ax.plot(epochs, h.val[metric], "-", color=colour, label=f"{name} validation")
            if h.best_epoch is not None:
                ax.plot([h.best_epoch], [h.val[metric][h.best_epoch - 1]], "o", color=colour)
    loss_label = _LOSS_LABELS.get(histories[0].task, "cross-entropy loss")
    for ax, metric in zip(axes, metrics, strict=True):
        label = loss_label if metric == "loss" else _LABELS.get(metric, metric)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(label)
        ax.grid(alpha=0.3)
        if max(h.epochs for h in histories) >= 1:
            ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0].legend(fontsize="small")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return list(axes)


class LiveHistory:
    """Redraw the curves of a running :class:`History` after every epoch, in place, in a notebook.

    Outside IPython (a script, a test) :meth:`update` does nothing, so training code may call it
    unconditionally. :meth:`close` leaves the final figure in the notebook.
    """

    def __init__(self, title: str | None = None):
        self.title = title
        self._live = None

    def update(self, h) -> None:
        """Draw ``h`` as it is now."""
        if h.epochs == 0:
            return
        if self._live is None:
            import matplotlib.pyplot as plt

            count = len(h.metrics)
            self._live = LiveFigure(lambda: plt.subplots(1, count, figsize=(4.2 * count, 3.2))[0])

        def draw(figure):
            for ax in figure.axes:
                ax.clear()
            history(h, axes=figure.axes, title=self.title)

        self._live.redraw(draw)

    def close(self) -> None:
        """Stop updating; the last drawing stays."""
        if self._live is not None:
            self._live.close()
        self._live = None
