"""PyTorch side of the course: the same names and signatures as :mod:`medcourse.tensorflow`.

Importing this module imports ``torch`` (``import medcourse`` alone does not).
"""

from __future__ import annotations

from medcourse.pytorch.cnn import (
           cnn_classifier,
           device,
           load_weights,
           predict_proba,
           save_weights,
           to_tensor,
)
from medcourse.pytorch.data import loader
from medcourse.pytorch.training import evaluate, fit
from medcourse.training import History

__all__ = ["History", "cnn_classifier", "device", "evaluate", "fit", "load_weights", "loader", "predict_proba", "save_weights",
           "to_tensor"]
