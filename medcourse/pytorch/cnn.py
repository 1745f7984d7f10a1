"""The course's CNN classifiers in PyTorch (notebook 04 §3 and §6), the twins of :mod:`medcourse.tensorflow.cnn`."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from medcourse.cnn import check_input_shape

__all__ = ["cnn_classifier"]

#: The networks :func:`cnn_classifier` builds: the lecture notes' CNN, and a modern small CNN (notebook 04 §6).
CNN_VARIANTS = ("notes", "modern")

#: Batch normalisation as in the Keras twin. PyTorch's momentum weighs the *new* batch (0.1 ≡ Keras's 0.9,
#: which weighs the running average); both use ε = 1e-5 (Keras's default is 1e-3).
BATCH_NORM_MOMENTUM, BATCH_NORM_EPSILON = 0.1, 1e-5

#: Filters of the modern CNN's three blocks, and the dropout before its dense layer.
MODERN_FILTERS, MODERN_DROPOUT = (32, 64, 128), 0.2


def _notes(height: int, width: int, channels: int, num_classes: int) -> nn.Sequential:
    flat_height, flat_width = ((height - 2) // 2 - 2) // 2, ((width - 2) // 2 - 2) // 2
    return nn.Sequential(OrderedDict(
        conv1=nn.Conv2d(channels, 32, kernel_size=3),
        relu1=nn.ReLU(),
        pool1=nn.MaxPool2d(2),
        conv2=nn.Conv2d(32, 64, kernel_size=3),
        relu2=nn.ReLU(),
        pool2=nn.MaxPool2d(2),
        flatten=nn.Flatten(),  # flattens C×H×W (channels first) — Keras flattens H×W×C
        dense=nn.Linear(64 * flat_height * flat_width, num_classes),
    ))


def _modern(height: int, width: int, channels: int, num_classes: int) -> nn.Sequential:
    layers, previous = OrderedDict(), channels
    for block, filters in enumerate(MODERN_FILTERS, start=1):
        # "same" padding keeps H×W; no bias, because the batch norm's β that follows replaces it
        layers[f"conv{block}"] = nn.Conv2d(previous, filters, kernel_size=3, padding=1, bias=False)
        layers[f"bn{block}"] = nn.BatchNorm2d(filters, momentum=BATCH_NORM_MOMENTUM, eps=BATCH_NORM_EPSILON)
        layers[f"relu{block}"] = nn.ReLU()
        layers[f"pool{block}"] = nn.MaxPool2d(2)
        previous, height, width = filters, height // 2, width // 2
    layers["flatten"] = nn.Flatten()
    layers["dropout"] = nn.Dropout(MODERN_DROPOUT)
    layers["dense"] = nn.Linear(previous * height * width, num_classes)
    return nn.Sequential(layers)


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int, variant: str = "notes") -> nn.Sequential:
    """A CNN classifier: the course-notes network (``variant="notes"``) or a modern small one (``"modern"``).

    The PyTorch twin of :func:`medcourse.tensorflow.cnn_classifier`, with the same layer names.

    * ``"notes"`` (notebook 04 §3), the lecture notes' listing: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3
      ReLU → MaxPool 2×2 → Flatten → Dense; layers ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``flatten``,
      ``dense`` (34,826 parameters for 28×28×1 and 10 classes).
    * ``"modern"`` (notebook 04 §6), built from the blocks of notebook 03: three blocks of Conv 3×3 with
      "same" padding (32, 64, 128 filters, no bias) → batch norm → ReLU → MaxPool 2×2, then Flatten →
      Dropout 0.2 → Dense; layers ``conv1``, ``bn1``, …, ``pool3``, ``flatten``, ``dropout``, ``dense``.

    Parameters
    ----------
    input_shape : (H, W, C)
        Image height, width and channels, given in the **same order as for Keras**, although the model
        itself takes ``N×C×H×W`` tensors (PyTorch's channels-first layout).
    num_classes : int
        Number of output classes ``K``.
    variant : {"notes", "modern"}
        Which network.

    Returns
    -------
    torch.nn.Sequential
        Outputs **logits** ``(N, K)``, not probabilities: ``nn.CrossEntropyLoss`` applies the softmax
        itself. (The Keras twin ends with a softmax, as in the lecture notes.) Use
        :func:`medcourse.pytorch.predict_proba` for probabilities.

    Examples
    --------
    >>> import torch
    >>> model = cnn_classifier((28, 28, 1), 10)
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in model.parameters())
    34826
    >>> sum(p.numel() for p in cnn_classifier((28, 28, 1), 2, variant="modern").parameters())
    95202
    """
    if variant not in CNN_VARIANTS:
        raise ValueError(f"variant must be one of {CNN_VARIANTS}, got {variant!r}")
    height, width, channels = check_input_shape(input_shape, num_classes, minimum=10 if variant == "notes" else 8)
    build = _notes if variant == "notes" else _modern
    model = build(height, width, channels, int(num_classes))
    model.input_shape = (height, width, channels)  # what predict_proba checks images against
    return model
