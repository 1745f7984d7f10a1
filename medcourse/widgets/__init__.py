"""Interactive explorers built on ipywidgets (works with ipywidgets 7.7 and 8.x).

Each explorer is a function returning an ``ipywidgets`` container; its drawing function is public
too, so a headless run (CI, a rendered page) can show the same figure without a browser.
"""

from __future__ import annotations

from medcourse.widgets.convolution import convolution_explorer, draw_convolution, draw_im2col
from medcourse.widgets.detection import detection_explorer, draw_detection_threshold, show_detections
from medcourse.widgets.rnn import draw_rnn_steps, draw_unrolled, rnn_explorer
from medcourse.widgets.segmentation import draw_contours, draw_segmentation, segmentation_explorer
from medcourse.widgets.window import draw_window, window_explorer

__all__: list[str] = ["convolution_explorer", "detection_explorer", "draw_contours", "draw_convolution",
                      "draw_detection_threshold", "draw_im2col", "draw_rnn_steps", "draw_segmentation", "draw_unrolled",
                      "draw_window", "rnn_explorer", "segmentation_explorer", "show_detections", "window_explorer"]
