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


def test_draw_im2col_shades_the_patch_its_column_and_the_output_it_gives():
    from medcourse.widgets.convolution import draw_im2col

    image = np.arange(20.0).reshape(4, 5)
    kernel = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
    figure = draw_im2col(image, kernel, position=(1, 0))
    image_ax, _, matrix_ax, output_ax = figure.axes
    shaded = matrix_ax.images[0].get_array()
    assert np.flatnonzero(shaded.any(axis=0)).tolist() == [1 * 3 + 0]  # the column of patch (1, 0)
    numbers = [float(text.get_text()) for text in output_ax.texts]
    np.testing.assert_allclose(numbers, conv.correlate2d(image, kernel).ravel())
    assert image_ax.images[0].get_array()[1:4, 0:3].all()


def test_draw_im2col_refuses_a_position_where_no_patch_fits():
    from medcourse.widgets.convolution import draw_im2col

    with pytest.raises(ValueError, match="position must be the top-left pixel of a whole patch"):
        draw_im2col(np.zeros((4, 5)), np.zeros((3, 3)), position=(2, 0))
