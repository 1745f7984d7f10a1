"""The live figure behind the training curves: drawn once through a display handle, then updated in place."""

from __future__ import annotations

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from medcourse.plot import live
from medcourse.plot.gan import LiveGAN


class _Handle:
    def __init__(self):
        self.updates = 0

    def update(self, figure):
        self.updates += 1


def _fake_notebook(monkeypatch):
    shown, handle = [], _Handle()

    def display(figure, display_id=False):
        shown.append((figure, display_id))
        return handle

    monkeypatch.setattr(live, "in_ipython", lambda: True)
    monkeypatch.setattr("IPython.display.display", display)
    return shown, handle


def test_outside_a_notebook_a_live_figure_draws_nothing(monkeypatch):
    monkeypatch.setattr(live, "in_ipython", lambda: False)  # other tests may have started an IPython shell
    drawn = []
    figure = live.LiveFigure(lambda: plt.figure())
    assert not figure.enabled
    figure.redraw(drawn.append)
    assert drawn == []


def test_a_live_figure_is_shown_once_then_updated_in_place(monkeypatch):
    shown, handle = _fake_notebook(monkeypatch)
    made, drawn = [], []
    figure = live.LiveFigure(lambda: made.append(plt.figure()) or made[-1])
    for _ in range(3):
        figure.redraw(drawn.append)
    assert len(made) == 1 and drawn == made * 3                 # one figure, drawn three times
    assert shown == [(made[0], True)] and handle.updates == 2   # displayed once, then updated
    figure.close()
    figure.redraw(drawn.append)
    assert len(made) == 2 and len(shown) == 2                   # after close, a new figure and handle


def test_live_gan_keeps_its_data_and_shows_a_final_figure_without_a_notebook(monkeypatch):
    monkeypatch.setattr(live, "in_ipython", lambda: False)
    monitor = LiveGAN(title="test")
    monitor.record(1, {"d_loss": 1.3, "g_loss": 0.7})
    samples = np.zeros((4, 28, 28))
    monitor.update(samples)
    assert monitor.samples.shape == (4, 28, 28)
    figure = monitor.show()
    assert len(figure.axes) >= 3
    plt.close("all")
