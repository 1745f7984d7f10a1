"""Figures for the course: medical images with a window, image grids, training curves.

Every function draws with matplotlib on an ``ax`` you may pass, returns what it drew, and works
outside Jupyter (a script, a test) as well as inside.
"""

from __future__ import annotations

from medcourse.plot.curves import LiveHistory, history
from medcourse.plot.gan import LiveGAN, gan_progress, tile  # noqa: F401  (notebooks 09–10)
from medcourse.plot.images import WINDOWS, apply_window, image_grid, show_image, show_scan

__all__ = ["WINDOWS", "LiveHistory", "apply_window", "history", "image_grid", "show_image", "show_scan"]
