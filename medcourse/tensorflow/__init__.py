"""TensorFlow/Keras side of the course: the same module names, ``__all__`` and signatures as :mod:`medcourse.pytorch`.

Topics, one module each (the NumPy reference of topic *T* is ``medcourse.T``): :mod:`~medcourse.tensorflow.data`
(batches and tensors), :mod:`~medcourse.tensorflow.cnn` (the course-notes CNN), :mod:`~medcourse.tensorflow.training`
(``fit``, ``evaluate``, predictions, checkpoints), :mod:`~medcourse.tensorflow.rnn` (recurrent models) and
:mod:`~medcourse.tensorflow.gan`. The most used names are importable from here. ``tests/test_parity.py``
keeps the two frameworks' names and signatures equal (its allow-list says where they deliberately differ).

Importing this package imports ``tensorflow`` (``import medcourse`` alone does not) and asks TensorFlow to
take GPU memory as it needs it rather than all at once, so PyTorch can share the GPU in the same kernel.
"""

from __future__ import annotations

import contextlib

try:
    import tensorflow as tf
except ImportError as error:  # pragma: no cover - exercised in a subprocess by tests/test_parity.py
    raise ImportError(
        "medcourse.tensorflow needs TensorFlow, which is not installed in this environment "
        f"({error}). Install it with `pip install \"medcourse[tensorflow]\"`, then restart the kernel; "
        "or set FRAMEWORKS = [\"pytorch\"] in the notebook's parameters cell."
    ) from error

for _gpu in tf.config.list_physical_devices("GPU"):  # by default TensorFlow reserves the whole GPU at once
    with contextlib.suppress(RuntimeError):  # the GPU is already in use: too late to change, harmless to skip
        tf.config.experimental.set_memory_growth(_gpu, True)

from medcourse.tensorflow.cnn import cnn_classifier  # noqa: E402
from medcourse.tensorflow.data import batches, to_tensor  # noqa: E402
from medcourse.tensorflow.segmentation import unet  # noqa: E402
from medcourse.tensorflow.training import device, evaluate, fit, load_weights, predict_proba, save_weights  # noqa: E402
from medcourse.training import History  # noqa: E402

__all__ = ["History", "batches", "cnn_classifier", "device", "evaluate", "fit", "load_weights", "predict_proba",
           "save_weights", "to_tensor", "unet"]
