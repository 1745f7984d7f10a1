"""The course-notes CNN in Keras (notebook 04 §3), the twin of :mod:`medcourse.pytorch.cnn`."""

from __future__ import annotations

from tensorflow import keras

from medcourse.cnn import check_input_shape

__all__ = ["cnn_classifier"]


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int) -> keras.Sequential:
    """The course-notes CNN: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3 ReLU → MaxPool 2×2 → Flatten → Dense.

    The Keras twin of :func:`medcourse.pytorch.cnn_classifier` (notebook 04 §3), with layers named
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
    height, width, channels = check_input_shape(input_shape, num_classes)
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
