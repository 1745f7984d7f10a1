"""The flip-and-slide explorer: its drawing function runs headless and the widget builds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from medcourse import conv
from medcourse.widgets import convolution_explorer, draw_convolution


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_draw_convolution_shows_the_integrand_area_and_the_output_point():
    figure = draw_convolution(0.4)
    top, bottom = figure.axes
    assert "t = 0.40" in top.get_title()
    area = float(top.get_legend().get_texts()[2].get_text().split("=")[-1])
    expected = conv.convolve_continuous(conv.box, lambda x: conv.exponential_decay(x, 0.7), 0.4,
                                        support=(-0.5, 0.5), g_support=(0, np.inf), g_breakpoints=(0.0,))
    assert area == pytest.approx(expected, abs=1e-3)
    x_point, y_point = bottom.lines[-1].get_data()
    assert x_point[0] == 0.4 and y_point[0] == pytest.approx(expected)


def test_draw_convolution_accepts_custom_functions_and_axes():
    figure, axes = plt.subplots(2, 1)
    drawn = draw_convolution(0.0, f=conv.gaussian, g=conv.gaussian, axes=axes, tau_range=(-4, 4))
    assert drawn is figure
    assert axes[1].lines[-1].get_data()[1][0] == pytest.approx(conv.gaussian(0.0, np.sqrt(2)))


def test_draw_convolution_refuses_only_one_function():
    with pytest.raises(ValueError, match="both f and g"):
        draw_convolution(0.0, f=conv.gaussian)


def test_explorer_builds_with_a_t_slider_and_redraws_when_it_moves():
    explorer = convolution_explorer()
    slider = explorer.children[0]
    assert slider.description == "t" and slider.value == pytest.approx(0.4)
    figures_before = len(plt.get_fignums())
    slider.value = 1.0
    assert len(plt.get_fignums()) == figures_before + 1
