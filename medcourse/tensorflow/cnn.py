"""The course-notes CNN in Keras, and the helpers around a model: device, checkpoints, predictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow import keras

from medcourse.training import images_to_float

__all__ = ["cnn_classifier", "device", "load_weights", "predict_proba", "save_weights", "to_tensor"]


def _check_input_shape(input_shape, num_classes) -> tuple[int, int, int]:
    if len(tuple(input_shape)) != 3 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in input_shape):
        raise ValueError(f"input_shape must be (H, W, C) with positive integers, got {input_shape!r}")
    height, width, channels = (int(n) for n in input_shape)
    if min(height, width) < 10:
        raise ValueError(f"input_shape must be at least 10×10 for two 3×3 convolutions and two 2×2 poolings, got {input_shape!r}")
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer ≥ 2, got {num_classes!r}")
    return height, width, channels


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int) -> keras.Sequential:
    """The course-notes CNN: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3 ReLU → MaxPool 2×2 → Flatten → Dense.

    The Keras twin of :func:`medcourse.pytorch.cnn_classifier` (notebook 04), with layers named
    ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``flatten``, ``dense``; written in current Keras 3
    form (``keras.Input`` instead of ``input_shape=``).

    Parameters
    ----------
    input_shape : (H, W, C)
        Image height, width and channels; the model takes ``N×H×W×C`` tensors (channels last).
    num_classes : int
        Number of output classes ``K``.

    Returns
    -------
    keras.Sequential
        Outputs **probabilities** ``(N, K)`` (a softmax, as in the lecture notes). The PyTorch twin
        outputs logits instead.

    Examples
    --------
    >>> model = cnn_classifier((28, 28, 1), 10)
    >>> model.count_params()
    34826
    """
    height, width, channels = _check_input_shape(input_shape, num_classes)
    return keras.Sequential(
        [
            keras.Input(shape=(height, width, channels)),
            keras.layers.Conv2D(32, (3, 3), activation="relu", name="conv1"),
            keras.layers.MaxPooling2D((2, 2), name="pool1"),
            keras.layers.Conv2D(64, (3, 3), activation="relu", name="conv2"),
            keras.layers.MaxPooling2D((2, 2), name="pool2"),
            keras.layers.Flatten(name="flatten"),  # flattens H×W×C (channels last) — PyTorch flattens C×H×W
            keras.layers.Dense(int(num_classes), activation="softmax", name="dense"),
        ],
        name="cnn_classifier",
    )


def device() -> str:
    """The device to train on: the first GPU when one is present (``"/GPU:0"``), otherwise ``"/CPU:0"``.

    Same rule as :func:`medcourse.pytorch.device`; use it as ``with tf.device(device()): …``.
    """
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"


def _model_input_shape(model: keras.Model) -> tuple[int, int, int] | None:
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple) and len(shape) == 4 and all(isinstance(n, int) for n in shape[1:]):
        return tuple(shape[1:])
    return None


def to_tensor(images: np.ndarray, input_shape: tuple[int, int, int] | None = None) -> tf.Tensor:
    """``uint8`` images ``N×H×W[×C]`` as a float32 ``N×H×W×C`` tensor in ``[0, 1]`` (the adapter's scaling)."""
    return tf.convert_to_tensor(images_to_float(images, input_shape))


def predict_proba(model: keras.Model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities ``(N, K)`` for ``uint8`` images as the Dataset holds them (``N×H×W`` or ``N×H×W×C``).

    Scales to ``[0, 1]`` like :func:`medcourse.tensorflow.dataset` and calls the model in inference
    mode. (The model already ends with a softmax.)
    """
    array = images_to_float(images, _model_input_shape(model))
    outputs = [
        model(array[start:start + batch_size], training=False).numpy()
        for start in range(0, len(array), batch_size)
    ]
    return np.concatenate(outputs).astype(np.float32)


def save_weights(model: keras.Model, path: str | Path) -> Path:
    """Save the model's weights in Keras's native format; ``path`` must end with ``.weights.h5``."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path must end with '.weights.h5' (Keras's weights format), got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(path)
    return path


def load_weights(model: keras.Model, path: str | Path) -> keras.Model:
    """Load weights saved by :func:`save_weights` into ``model`` (a ``.weights.h5`` file holds no code)."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path must end with '.weights.h5' (Keras's weights format), got {path.name!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    model.load_weights(path)
    return model
