"""The course-notes CNN in PyTorch, and the helpers around a model: device, checkpoints, predictions."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn

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


def cnn_classifier(input_shape: tuple[int, int, int], num_classes: int) -> nn.Sequential:
    """The course-notes CNN: Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3 ReLU → MaxPool 2×2 → Flatten → Dense.

    The PyTorch twin of :func:`medcourse.tensorflow.cnn_classifier` (notebook 04), with layers named
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
        :func:`predict_proba` for probabilities.

    Examples
    --------
    >>> model = cnn_classifier((28, 28, 1), 10)
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in model.parameters())
    34826
    """
    height, width, channels = _check_input_shape(input_shape, num_classes)
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
    model.input_shape = (height, width, channels)
    return model


def device() -> torch.device:
    """The device to train on: the first GPU when one is present (``cuda``), otherwise the CPU.

    Same rule as :func:`medcourse.tensorflow.device`.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _model_input_shape(model: nn.Module) -> tuple[int, int, int] | None:
    return getattr(model, "input_shape", None)


def to_tensor(images: np.ndarray, input_shape: tuple[int, int, int] | None = None) -> torch.Tensor:
    """``uint8`` images ``N×H×W[×C]`` as a float32 ``N×C×H×W`` tensor in ``[0, 1]`` (the loader's scaling)."""
    return torch.from_numpy(np.ascontiguousarray(images_to_float(images, input_shape).transpose(0, 3, 1, 2)))


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities ``(N, K)`` for ``uint8`` images as the Dataset holds them (``N×H×W`` or ``N×H×W×C``).

    Scales to ``[0, 1]`` like :func:`medcourse.pytorch.loader`, switches the model to evaluation mode
    and applies the softmax to the logits.
    """
    tensor = to_tensor(images, _model_input_shape(model))
    model.eval()
    target = next(model.parameters()).device
    outputs = [
        torch.softmax(model(tensor[start:start + batch_size].to(target)), dim=1).cpu()
        for start in range(0, len(tensor), batch_size)
    ]
    return torch.cat(outputs).numpy().astype(np.float32)


def save_weights(model: nn.Module, path: str | Path) -> Path:
    """Save the model's weights (its ``state_dict``) to ``path``, e.g. ``"cnn.pt"``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_weights(model: nn.Module, path: str | Path) -> nn.Module:
    """Load weights saved by :func:`save_weights` into ``model`` safely (``weights_only=True``: no pickled code runs)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    state = torch.load(path, map_location=next(model.parameters()).device, weights_only=True)
    model.load_state_dict(state)
    return model
