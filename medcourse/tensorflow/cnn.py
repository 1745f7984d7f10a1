"""The course's CNN classifiers in Keras (notebook 04 §3 and §6), the twins of :mod:`medcourse.pytorch.cnn`."""

from __future__ import annotations

from tensorflow import keras

from medcourse.cnn import check_input_shape

__all__ = ["cnn_classifier"]

#: The networks :func:`cnn_classifier` builds: the lecture notes' CNN, and a modern small CNN (notebook 04 §6).
CNN_VARIANTS = ("notes", "modern")

#: Batch normalisation as in the PyTorch twin. Keras's momentum weighs the *running average* (0.9 ≡ PyTorch's
#: 0.1, which weighs the new batch); both use ε = 1e-5 (Keras's default is 1e-3).
BATCH_NORM_MOMENTUM, BATCH_NORM_EPSILON = 0.9, 1e-5

#: Filters of the modern CNN's three blocks, and the dropout before its dense layer.
MODERN_FILTERS, MODERN_DROPOUT = (32, 64, 128), 0.2


def _notes(num_classes: int) -> list:
    return [
        keras.layers.Conv2D(32, (3, 3), activation="relu", name="conv1"),
        keras.layers.MaxPooling2D((2, 2), name="pool1"),
        keras.layers.Conv2D(64, (3, 3), activation="relu", name="conv2"),
        keras.layers.MaxPooling2D((2, 2), name="pool2"),
        keras.layers.Flatten(name="flatten"),  # flattens H×W×C (channels last) — PyTorch flattens C×H×W
        keras.layers.Dense(num_classes, activation="softmax", name="dense"),
    ]


def _modern(num_classes: int) -> list:
    layers = []
    for block, filters in enumerate(MODERN_FILTERS, start=1):
        # "same" padding keeps H×W; no bias, because the batch norm's β that follows replaces it
        layers += [
            keras.layers.Conv2D(filters, (3, 3), padding="same", use_bias=False, name=f"conv{block}"),
            keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, epsilon=BATCH_NORM_EPSILON,
                                            name=f"bn{block}"),
            keras.layers.ReLU(name=f"relu{block}"),
            keras.layers.MaxPooling2D((2, 2), name=f"pool{block}"),
        ]
    return [
        *layers,
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(MODERN_DROPOUT, name="dropout"),
        keras.layers.Dense(num_classes, activation="softmax", name="dense"),
    ]


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int, variant: str = "notes") -> keras.Sequential:
    """A CNN classifier: the course-notes network (``variant="notes"``) or a modern small one (``"modern"``).

    The Keras twin of :func:`medcourse.pytorch.cnn_classifier`, with the same layer names; written in current
    Keras 3 form (``keras.Input`` instead of ``input_shape=``).

    * ``"notes"`` (notebook 04 §3), the lecture notes' listing: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3
      ReLU → MaxPool 2×2 → Flatten → Dense softmax; layers ``conv1``, ``pool1``, ``conv2``, ``pool2``,
      ``flatten``, ``dense`` (34,826 parameters for 28×28×1 and 10 classes).
    * ``"modern"`` (notebook 04 §6), built from the blocks of notebook 03: three blocks of Conv 3×3 with
      "same" padding (32, 64, 128 filters, no bias) → batch norm → ReLU → MaxPool 2×2, then Flatten →
      Dropout 0.2 → Dense softmax; layers ``conv1``, ``bn1``, ``relu1``, ``pool1``, …, ``flatten``,
      ``dropout``, ``dense``.

    Parameters
    ----------
    input_shape : (H, W, C)
        Image height, width and channels; the model takes ``N×H×W×C`` tensors (channels last).
    num_classes : int
        Number of output classes ``K``.
    variant : {"notes", "modern"}
        Which network.

    Returns
    -------
    keras.Sequential
        Outputs **probabilities** ``(N, K)`` (a softmax, as in the lecture notes). The PyTorch twin
        outputs logits instead.

    Examples
    --------
    >>> cnn_classifier((28, 28, 1), 10).count_params()
    34826
    >>> sum(int(w.shape.num_elements()) for w in cnn_classifier((28, 28, 1), 2, "modern").trainable_weights)
    95202
    """
    if variant not in CNN_VARIANTS:
        raise ValueError(f"variant must be one of {CNN_VARIANTS}, got {variant!r}")
    height, width, channels = check_input_shape(input_shape, num_classes, minimum=10 if variant == "notes" else 8)
    build = _notes if variant == "notes" else _modern
    return keras.Sequential([keras.Input(shape=(height, width, channels)), *build(int(num_classes))],
                            name="cnn_classifier" if variant == "notes" else "modern_cnn_classifier")
