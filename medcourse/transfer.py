"""Copy trained weights between Keras and PyTorch: the one place where the layouts are converted.

Importing this module is cheap: it imports TensorFlow and PyTorch only when a function that copies
between them is called (the flatten-order helpers are plain NumPy). Notebook 04 derives each
conversion; the two facts to remember:

* **Convolution kernels.** Keras stores ``(kh, kw, in, out)`` ("HWIO"), PyTorch ``(out, in, kh, kw)``
  ("OIHW"). Both compute cross-correlation, so the numbers only need transposing, never flipping.
* **The Dense layer after Flatten.** Keras flattens a ``H×W×C`` feature map (channels last), PyTorch a
  ``C×H×W`` one (channels first): the same feature sits at a different position of the flat vector,
  so the rows of the Dense kernel must be permuted, not just transposed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dense_kernel_to_torch", "dense_weight_to_keras", "keras_to_torch", "torch_to_keras"]


def dense_kernel_to_torch(kernel: np.ndarray, feature_shape: tuple[int, int, int] | None) -> np.ndarray:
    """A Keras Dense kernel ``(inputs, outputs)`` as a PyTorch Linear weight ``(outputs, inputs)``.

    When the Dense layer follows a Flatten of an ``H×W×C`` feature map (``feature_shape``), its input
    rows are reordered from Keras's ``(h, w, c)`` order to PyTorch's ``(c, h, w)`` order.
    """
    if feature_shape is None:
        return kernel.T
    height, width, channels = feature_shape
    if kernel.shape[0] != height * width * channels:
        raise ValueError(f"Dense kernel has {kernel.shape[0]} inputs but the feature map {feature_shape} has "
                         f"{height * width * channels}")
    outputs = kernel.shape[1]
    return kernel.reshape(height, width, channels, outputs).transpose(3, 2, 0, 1).reshape(outputs, -1)


def dense_weight_to_keras(weight: np.ndarray, feature_shape: tuple[int, int, int] | None) -> np.ndarray:
    """The inverse of :func:`dense_kernel_to_torch`: a PyTorch Linear weight as a Keras Dense kernel."""
    if feature_shape is None:
        return weight.T
    height, width, channels = feature_shape
    outputs = weight.shape[0]
    if weight.shape[1] != height * width * channels:
        raise ValueError(f"Linear weight has {weight.shape[1]} inputs but the feature map {feature_shape} has "
                         f"{height * width * channels}")
    return weight.reshape(outputs, channels, height, width).transpose(2, 3, 1, 0).reshape(-1, outputs)


def _pairs(keras_model, torch_model):
    """Matching (Keras layer, PyTorch module, feature shape before a Flatten or None) triples, in order."""
    from tensorflow import keras
    from torch import nn

    keras_layers = []
    feature_shape = None
    for layer in keras_model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            keras_layers.append((layer, None))
        elif isinstance(layer, keras.layers.Dense):
            keras_layers.append((layer, feature_shape))
            feature_shape = None
        elif isinstance(layer, keras.layers.Flatten):
            feature_shape = tuple(int(n) for n in layer.input.shape[1:])
        elif layer.weights:
            raise TypeError(f"cannot transfer weights of Keras layer {layer.name!r} ({type(layer).__name__})")
    torch_modules = [m for m in torch_model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    if len(keras_layers) != len(torch_modules):
        raise ValueError(f"the Keras model has {len(keras_layers)} Conv2D/Dense layers but the PyTorch model has "
                         f"{len(torch_modules)} Conv2d/Linear modules; they must match one to one")
    for (layer, shape), module in zip(keras_layers, torch_modules, strict=True):
        expected = keras.layers.Conv2D if isinstance(module, nn.Conv2d) else keras.layers.Dense
        if not isinstance(layer, expected):
            raise TypeError(f"Keras layer {layer.name!r} ({type(layer).__name__}) faces PyTorch {module}")
        yield layer, module, shape


def keras_to_torch(keras_model, torch_model):
    """Copy the weights of a Keras CNN into its PyTorch twin (in place); returns ``torch_model``.

    Conv2D kernels go from HWIO to OIHW; the Dense kernel after Flatten has its rows reordered from
    NHWC to NCHW flatten order. Afterwards ``softmax(torch_model(x_nchw))`` equals ``keras_model(x_nhwc)``.
    """
    import torch
    from torch import nn

    with torch.no_grad():
        for layer, module, feature_shape in _pairs(keras_model, torch_model):
            kernel, bias = (np.asarray(w) for w in layer.get_weights())
            if isinstance(module, nn.Conv2d):
                weight = kernel.transpose(3, 2, 0, 1)  # (kh, kw, in, out) → (out, in, kh, kw)
            else:
                weight = dense_kernel_to_torch(kernel, feature_shape)
            if tuple(weight.shape) != tuple(module.weight.shape):
                raise ValueError(f"Keras layer {layer.name!r} gives a weight of shape {weight.shape}, PyTorch {module} "
                                 f"needs {tuple(module.weight.shape)}")
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            module.bias.copy_(torch.from_numpy(bias))
    return torch_model


def torch_to_keras(torch_model, keras_model):
    """Copy the weights of a PyTorch CNN into its Keras twin (in place); returns ``keras_model``.

    The inverse of :func:`keras_to_torch`.
    """
    from torch import nn

    for layer, module, feature_shape in _pairs(keras_model, torch_model):
        weight = module.weight.detach().cpu().numpy()
        bias = module.bias.detach().cpu().numpy()
        if isinstance(module, nn.Conv2d):
            kernel = weight.transpose(2, 3, 1, 0)  # (out, in, kh, kw) → (kh, kw, in, out)
        else:
            kernel = dense_weight_to_keras(weight, feature_shape)
        expected = tuple(layer.get_weights()[0].shape)
        if kernel.shape != expected:
            raise ValueError(f"PyTorch {module} gives a kernel of shape {kernel.shape}, Keras layer {layer.name!r} "
                             f"needs {expected}")
        layer.set_weights([kernel, bias])
    return keras_model
