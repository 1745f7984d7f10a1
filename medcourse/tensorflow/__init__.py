"""TensorFlow/Keras side of the course: the same names and signatures as :mod:`medcourse.pytorch`.

Importing this module imports ``tensorflow`` (``import medcourse`` alone does not).
"""

from __future__ import annotations

from medcourse.tensorflow.cnn import (
           cnn_classifier,
           device,
           load_weights,
           predict_proba,
           save_weights,
           to_tensor,
)
from medcourse.tensorflow.data import dataset
from medcourse.tensorflow.training import evaluate, fit
from medcourse.training import History

__all__ = ["History", "cnn_classifier", "dataset", "device", "evaluate", "fit", "load_weights", "predict_proba", "save_weights",
           "to_tensor"]
