"""One figure redrawn in place in a notebook: the mechanism of the live training curves (LiveHistory, LiveGAN).

The figure is made once, closed to pyplot (so a cell's end does not draw it a second time) and shown
through a display handle that each redraw updates. Outside IPython (a script, a test) nothing is drawn,
so training code may call :meth:`LiveFigure.redraw` unconditionally.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["LiveFigure", "in_ipython"]


def in_ipython() -> bool:
    """Whether an IPython shell (a notebook kernel) is running this code."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    return get_ipython() is not None


class LiveFigure:
    """A figure made by ``make_figure()`` on the first :meth:`redraw`, then drawn again in place."""

    def __init__(self, make_figure: Callable):
        self.make_figure = make_figure
        self.enabled = in_ipython()
        self._figure = None
        self._handle = None

    def redraw(self, draw: Callable) -> None:
        """Call ``draw(figure)`` and show the result (only in IPython)."""
        if not self.enabled:
            return
        import matplotlib.pyplot as plt
        from IPython.display import display

        if self._figure is None:
            self._figure = self.make_figure()
            plt.close(self._figure)  # shown through the display handle only, not again at the cell's end
        draw(self._figure)
        if self._handle is None:
            self._handle = display(self._figure, display_id=True)
        else:
            self._handle.update(self._figure)

    def close(self) -> None:
        """Stop updating; the last drawing stays in the notebook."""
        self._figure = None
        self._handle = None
