"""Course data: embedded generated datasets, MedMNIST, and real scans bundled with installed packages."""

from __future__ import annotations

from medcourse.data.dataset import Dataset

__all__ = ["Dataset"]
