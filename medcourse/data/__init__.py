"""Course data: embedded generated datasets, MedMNIST, and real scans bundled with installed packages.

>>> from medcourse.data import load_dataset
>>> data = load_dataset("lesions")          # generated, offline, deterministic
>>> images, labels = data.train              # uint8 N×H×W, int64 N

Importing this package imports neither TensorFlow nor PyTorch; the framework adapters live in
:mod:`medcourse.pytorch.data` (``loader``) and :mod:`medcourse.tensorflow.data` (``dataset``).
"""

from __future__ import annotations

from medcourse.data.catalog import EMBEDDED_NAMES, load_dataset
from medcourse.data.dataset import Dataset

__all__ = ["EMBEDDED_NAMES", "Dataset", "load_dataset"]
