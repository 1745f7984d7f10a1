"""The window/level explorer draws the same figure headless as its sliders show."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from medcourse.widgets import draw_window, window_explorer

RAMP = np.linspace(-1000.0, 1000.0, 32 * 32).reshape(32, 32)


def test_draw_window_shows_the_image_through_the_window_and_its_histogram():
    figure = draw_window(RAMP, 400, 40, spacing=(0.5, 0.5))
    image_ax, histogram_ax = figure.axes[:2]
    drawn = image_ax.images[0]
    assert drawn.get_clim() == (-160.0, 240.0)
    assert "W 400, L 40 HU" in image_ax.get_title() and image_ax.get_xlabel() == "x (mm)"
    assert histogram_ax.get_xlabel() == "intensity (HU)"
    plt.close(figure)


def test_draw_window_accepts_a_preset_name():
    figure = draw_window(RAMP, "lung")
    assert figure.axes[0].images[0].get_clim() == (-1350.0, 150.0)
    assert figure.axes[0].get_title().startswith("lung window")
    plt.close(figure)


@pytest.mark.parametrize(("arguments", "message"), [
    ((RAMP, "kidney"), "window must be a width in HU or one of"),
    ((RAMP, -5, 0), "window .* must be a positive number"),
    ((RAMP, 400), "level must be given"),
    ((RAMP[0], 400, 40), r"image must be a 2-D array \(H, W\), got shape \(32,\)"),
])
def test_draw_window_refuses_bad_input(arguments, message):
    with pytest.raises(ValueError, match=message):
        draw_window(*arguments)


def test_window_explorer_has_width_and_level_sliders_that_redraw():
    explorer = window_explorer(RAMP, window=400, level=40)
    descriptions = [child.description for child in explorer.children[:2]]
    assert descriptions == ["width (HU)", "level (HU)"]
    explorer.children[0].value = 1500.0  # moving a slider must not raise
    plt.close("all")


def test_draw_window_draws_monochrome1_with_the_reversed_ramp():
    image = np.linspace(-1000, 1000, 32 * 32).reshape(32, 32)
    figure = draw_window(image, 400, 40, cmap="gray_r")
    assert figure.axes[0].images[0].get_cmap().name == "gray_r"
    assert "0 = white" in figure.axes[-1].get_ylabel()


def test_show_scan_keeps_hounsfield_units_and_draws_monochrome1_white_for_low_values():
    from dataclasses import replace

    from medcourse.data import scans
    from medcourse.plot import show_scan

    ct = scans.load_ct_slice()
    drawn = show_scan(ct, window="soft tissue")
    assert drawn.get_cmap().name == "gray" and np.array_equal(drawn.get_array().data, ct.image)
    monochrome1 = replace(ct, photometric="MONOCHROME1")
    drawn = show_scan(monochrome1, window="soft tissue")
    assert drawn.get_cmap().name == "gray_r" and np.array_equal(drawn.get_array().data, ct.image)
    cine = scans.load_ultrasound_cine()
    frame = show_scan(cine, frame=3)
    assert frame.get_array().shape == cine.image.shape[1:] and frame.get_array().dtype == np.uint8


def test_show_scan_draws_a_slice_of_a_volume_with_its_in_plane_spacing():
    from medcourse.data import scans
    from medcourse.plot import show_scan

    volume = scans.load_nifti_volume()
    drawn = show_scan(volume, frame=10)
    assert drawn.get_array().shape == volume.image.shape[1:]
    height, width = volume.image.shape[1:]
    assert drawn.get_extent() == [0, width * volume.spacing[2], height * volume.spacing[1], 0]
