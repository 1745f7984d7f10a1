"""Copy trained weights between Keras and PyTorch: the one place where the layouts are converted.

Importing this module is cheap: it imports TensorFlow and PyTorch only when a function that copies
between them is called (the layout helpers are plain NumPy). Notebook 04 derives the conversions for a
CNN, notebook 05 adds those of a U-Net. The facts to remember:

* **Convolution kernels.** Keras stores ``(kh, kw, in, out)`` ("HWIO"), PyTorch ``(out, in, kh, kw)``
  ("OIHW"). Both compute cross-correlation, so the numbers only need transposing, never flipping (the same
  holds for 1-D and 3-D convolutions).
* **Transposed convolutions.** Keras's ``Conv2DTranspose`` stores ``(kh, kw, out, in)``, PyTorch's
  ``ConvTranspose2d`` ``(in, out, kh, kw)``: the same axis reversal as for a convolution.
* **The Dense layer after Flatten.** Keras flattens a ``H×W×C`` feature map (channels last), PyTorch a
  ``C×H×W`` one (channels first): the same feature sits at a different position of the flat vector,
  so the rows of the Dense kernel must be permuted, not just transposed.
* **Batch normalisation.** Keras's ``gamma, beta, moving_mean, moving_variance`` are PyTorch's ``weight,
  bias, running_mean, running_var``; the two must use the same ``epsilon`` (Keras 1e-3, PyTorch 1e-5 by
  default), or the outputs differ.

**Which layer goes to which.** The layers that hold weights are matched one to one, in order: Keras's in the
order of ``model.layers`` (for a functional model the order in which they compute, input to output; a nested
model is expanded in place), PyTorch's in the order of ``model.modules()`` — the order in which the modules
were registered in ``__init__``. A PyTorch twin of a model that is not a plain sequence (a U-Net with skip
connections, a network with two heads) must therefore register its modules in the order they compute, as
:class:`medcourse.pytorch.segmentation.UNet` does. Every pair is checked (layer kinds, weight shapes,
epsilon), and :func:`layer_pairs` lists the matching so you can see it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dense_kernel_to_torch", "dense_weight_to_keras", "keras_to_torch", "layer_pairs", "torch_to_keras"]


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


def _reverse_axes(kernel: np.ndarray) -> np.ndarray:
    """``(k…, a, b)`` → ``(b, a, k…)``: Keras's convolution kernels to PyTorch's, and (applied again) back."""
    spatial = kernel.ndim - 2
    return kernel.transpose(spatial + 1, spatial, *range(spatial))


def _from_torch_layout(weight: np.ndarray) -> np.ndarray:
    """``(b, a, k…)`` → ``(k…, a, b)``, the inverse of :func:`_reverse_axes`."""
    return weight.transpose(*range(2, weight.ndim), 1, 0)


# --- which Keras layer faces which PyTorch module ------------------------------------------------------------


def _kinds():
    """Keras layer class → (kind, PyTorch module classes) for every layer with weights that can be copied."""
    from tensorflow import keras
    from torch import nn

    layers = keras.layers
    return [
        (layers.Conv2DTranspose, "transposed convolution", (nn.ConvTranspose2d,)),
        (layers.Conv3DTranspose, "transposed convolution", (nn.ConvTranspose3d,)),
        (layers.Conv1DTranspose, "transposed convolution", (nn.ConvTranspose1d,)),
        (layers.Conv1D, "convolution", (nn.Conv1d,)),
        (layers.Conv2D, "convolution", (nn.Conv2d,)),
        (layers.Conv3D, "convolution", (nn.Conv3d,)),
        (layers.Dense, "dense", (nn.Linear,)),
        (layers.BatchNormalization, "batch norm", (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)),
        (layers.Embedding, "embedding", (nn.Embedding,)),
    ]


def _keras_layers(model):
    """Keras layers in ``model.layers`` order with nested models expanded, and the feature shape before a Flatten."""
    from tensorflow import keras

    kinds, found, feature_shape = _kinds(), [], None
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += _keras_layers(layer)
            continue
        if isinstance(layer, keras.layers.Flatten):
            feature_shape = tuple(int(n) for n in layer.input.shape[1:])
            continue
        kind = next((entry for entry in kinds if isinstance(layer, entry[0])), None)
        if kind is None:
            if layer.weights:
                raise TypeError(f"cannot transfer weights of Keras layer {layer.name!r} ({type(layer).__name__})")
            continue
        found.append((layer, kind, feature_shape if kind[1] == "dense" else None))
        if kind[1] == "dense":
            feature_shape = None
    return found


def _torch_modules(model):
    """PyTorch ``(name, module)`` pairs with weights, in ``model.modules()`` (registration) order."""
    supported = tuple(cls for _, _, classes in _kinds() for cls in classes)
    found = []
    for name, module in model.named_modules():
        owns = list(module.parameters(recurse=False)) + list(module.buffers(recurse=False))
        if isinstance(module, supported):
            found.append((name, module))
        elif owns:
            raise TypeError(f"cannot transfer weights of PyTorch module {name!r} ({type(module).__name__})")
    return found


def _pairs(keras_model, torch_model):
    """Matching (Keras layer, PyTorch module name, module, feature shape before a Flatten or None), in order."""
    keras_layers, torch_modules = _keras_layers(keras_model), _torch_modules(torch_model)
    if len(keras_layers) != len(torch_modules):
        raise ValueError(f"the Keras model has {len(keras_layers)} layers with weights but the PyTorch model has "
                         f"{len(torch_modules)} modules with weights; they must match one to one, in order "
                         "(see medcourse.transfer's docstring)")
    for (layer, (_, kind, classes), shape), (name, module) in zip(keras_layers, torch_modules, strict=True):
        if not isinstance(module, classes):
            raise TypeError(f"Keras layer {layer.name!r} ({type(layer).__name__}, a {kind}) faces PyTorch module "
                            f"{name!r} ({type(module).__name__}); the layers must come in the same order")
        if kind == "batch norm" and not np.isclose(float(layer.epsilon), float(module.eps)):
            raise ValueError(f"Keras layer {layer.name!r} has epsilon {layer.epsilon:g} but PyTorch module {name!r} "
                             f"has eps {module.eps:g}: build both with the same value, or their outputs differ")
        yield layer, kind, name, module, shape


def layer_pairs(keras_model, torch_model) -> list[tuple[str, str, str]]:
    """How :func:`keras_to_torch` matches the two models: ``(Keras layer name, PyTorch module name, kind)`` in order.

    Raises the same errors as the copy itself when the models do not match.
    """
    return [(layer.name, name, kind) for layer, kind, name, _, _ in _pairs(keras_model, torch_model)]


# --- the copies ----------------------------------------------------------------------------------------------


def _keras_weights_as_torch(layer, kind: str, feature_shape) -> dict[str, np.ndarray]:
    """A Keras layer's weights under the names and in the layouts of its PyTorch twin's state."""
    weights = [np.asarray(w) for w in layer.get_weights()]
    if kind == "batch norm":
        if not (layer.center and layer.scale):
            raise TypeError(f"Keras layer {layer.name!r}: only batch norm with center=True and scale=True can be copied")
        return dict(zip(("weight", "bias", "running_mean", "running_var"), weights, strict=True))
    if kind == "embedding":
        return {"weight": weights[0]}
    if kind == "dense":
        kernel = dense_kernel_to_torch(weights[0], feature_shape)
    else:
        kernel = _reverse_axes(weights[0])  # (k…, in, out) → (out, in, k…); transposed: (k…, out, in) → (in, out, k…)
    return {"weight": kernel, **({"bias": weights[1]} if len(weights) > 1 else {})}


def keras_to_torch(keras_model, torch_model):
    """Copy the weights of a Keras model into its PyTorch twin (in place); returns ``torch_model``.

    Convolution kernels are transposed, the Dense kernel after Flatten has its rows reordered from NHWC to
    NCHW flatten order, batch norm's statistics are copied with its scale and shift. Afterwards
    ``softmax(torch_model(x_nchw))`` equals ``keras_model(x_nhwc)`` for the course's models.
    """
    import torch

    with torch.no_grad():
        for layer, kind, name, module, feature_shape in _pairs(keras_model, torch_model):
            state = _keras_weights_as_torch(layer, kind, feature_shape)
            targets = dict(module.named_parameters(recurse=False)) | dict(module.named_buffers(recurse=False))
            if set(state) != set(targets) - {"num_batches_tracked"}:
                raise ValueError(f"Keras layer {layer.name!r} has {sorted(state)} but PyTorch module {name!r} has "
                                 f"{sorted(set(targets) - {'num_batches_tracked'})} (a bias on one side only?)")
            for key, value in state.items():
                if tuple(value.shape) != tuple(targets[key].shape):
                    raise ValueError(f"Keras layer {layer.name!r} gives a {key} of shape {value.shape}, PyTorch module "
                                     f"{name!r} ({module}) needs {tuple(targets[key].shape)}")
                targets[key].copy_(torch.from_numpy(np.ascontiguousarray(value)).to(targets[key].dtype))
    return torch_model


def _torch_state_as_keras(module, kind: str, feature_shape) -> list[np.ndarray]:
    """A PyTorch module's state as the list of weights its Keras twin's ``set_weights`` takes."""
    def get(key):
        return getattr(module, key).detach().cpu().numpy()

    if kind == "batch norm":
        return [get("weight"), get("bias"), get("running_mean"), get("running_var")]
    if kind == "embedding":
        return [get("weight")]
    if kind == "dense":
        kernel = dense_weight_to_keras(get("weight"), feature_shape)
    else:
        kernel = _from_torch_layout(get("weight"))
    return [kernel] + ([get("bias")] if module.bias is not None else [])


def torch_to_keras(torch_model, keras_model):
    """Copy the weights of a PyTorch model into its Keras twin (in place); returns ``keras_model``.

    The inverse of :func:`keras_to_torch`, with the same matching rule.
    """
    for layer, kind, name, module, feature_shape in _pairs(keras_model, torch_model):
        weights = _torch_state_as_keras(module, kind, feature_shape)
        expected = [tuple(w.shape) for w in layer.get_weights()]
        given = [tuple(w.shape) for w in weights]
        if given != expected:
            raise ValueError(f"PyTorch module {name!r} ({module}) gives weights of shapes {given}, Keras layer "
                             f"{layer.name!r} needs {expected} (a bias on one side only?)")
        layer.set_weights(weights)
    return keras_model
