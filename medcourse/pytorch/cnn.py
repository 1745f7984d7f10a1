"""The course-notes CNN in PyTorch (notebook 04 §3), the twin of :mod:`medcourse.tensorflow.cnn`."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from medcourse.cnn import check_input_shape

__all__ = ["cnn_classifier"]


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int) -> nn.Sequential:
    """The course-notes CNN: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3 ReLU → MaxPool 2×2 → Flatten → Dense.

    The PyTorch twin of :func:`medcourse.tensorflow.cnn_classifier` (notebook 04 §3), with layers named
    ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``flatten``, ``dense``.

    Parameters
    ----------
    input_shape : (H, W, C)
        Image height, width and channels, given in the **same order as for Keras**, although the model
        itself takes ``N×C×H×W`` tensors (PyTorch's channels-first layout).
    num_classes : int
        Number of output classes ``K``.

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
    """
    height, width, channels = check_input_shape(input_shape, num_classes)
    flat_height, flat_width = ((height - 2) // 2 - 2) // 2, ((width - 2) // 2 - 2) // 2
    model = nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(channels, 32, kernel_size=3),
            relu1=nn.ReLU(),
            pool1=nn.MaxPool2d(2),
            conv2=nn.Conv2d(32, 64, kernel_size=3),
            relu2=nn.ReLU(),
            pool2=nn.MaxPool2d(2),
            flatten=nn.Flatten(),  # flattens C×H×W (channels first) — Keras flattens H×W×C
            dense=nn.Linear(64 * flat_height * flat_width, int(num_classes)),
        )
    )
    model.input_shape = (height, width, channels)  # what predict_proba checks images against
    return model
