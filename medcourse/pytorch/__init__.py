"""PyTorch side of the course: the same module names, ``__all__`` and signatures as :mod:`medcourse.tensorflow`.

Topics, one module each (the NumPy reference of topic *T* is ``medcourse.T``): :mod:`~medcourse.pytorch.data`
(batches and tensors), :mod:`~medcourse.pytorch.cnn` (the course-notes CNN), :mod:`~medcourse.pytorch.training`
(``fit``, ``evaluate``, predictions, checkpoints), :mod:`~medcourse.pytorch.rnn` (recurrent models) and
:mod:`~medcourse.pytorch.gan`. The most used names are importable from here. ``tests/test_parity.py``
keeps the two frameworks' names and signatures equal (its allow-list says where they deliberately differ).

Importing this package imports ``torch`` (``import medcourse`` alone does not).
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised in a subprocess by tests/test_parity.py
    raise ImportError(
        "medcourse.pytorch needs PyTorch, which is not installed in this environment "
        f"({error}). Install it with `pip install \"medcourse[pytorch]\"` (CPU build on Linux: add "
        "`--extra-index-url https://download.pytorch.org/whl/cpu`), then restart the kernel; or set "
        "FRAMEWORKS = [\"tensorflow\"] in the notebook's parameters cell."
    ) from error

from medcourse.pytorch.cnn import cnn_classifier
from medcourse.pytorch.data import batches, to_tensor
from medcourse.pytorch.segmentation import unet
from medcourse.pytorch.training import device, evaluate, fit, load_weights, predict_proba, save_weights
from medcourse.training import History

__all__ = ["History", "batches", "cnn_classifier", "device", "evaluate", "fit", "load_weights", "predict_proba",
           "save_weights", "to_tensor", "unet"]
