"""One adapter per framework, so a framework test is written once and runs on both sides.

The adapters do only what differs between the frameworks by nature (tensor layouts, how a layer is called
or its gradient taken, how weights are read); what is tested is medcourse's code, the same on both sides.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import medcourse

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FRAMEWORKS = ("pytorch", "tensorflow")


class PyTorchTwin:
    name = "pytorch"
    channels_first = True
    outputs_logits = True  # the course's PyTorch classifiers end without a softmax
    checkpoint = "model.pt"

    def __init__(self):
        import torch

        import medcourse.pytorch as package
        from medcourse.pytorch import gan, rnn

        self.torch, self.package, self.rnn, self.gan = torch, package, rnn, gan

    def numpy(self, tensor) -> np.ndarray:
        return tensor.detach().cpu().numpy()

    def trainable_count(self, model) -> int:
        return sum(p.numel() for p in model.parameters() if p.requires_grad)

    def weights(self, model) -> list[np.ndarray]:
        return [p.detach().clone().numpy() for p in model.parameters()]

    def call(self, model, x_nhwc: np.ndarray) -> np.ndarray:
        x = self.torch.from_numpy(np.ascontiguousarray(np.moveaxis(x_nhwc, -1, 1)))
        with self.torch.no_grad():
            output = model(x)
        return self.numpy(output if output.ndim == 2 else output.permute(0, 2, 3, 1))

    def conv2d(self, x, kernel, bias=None, *, stride=1, padding="valid") -> np.ndarray:
        if padding == "same" and stride > 1:  # PyTorch has no strided "same": pad as TensorFlow does, then "valid"
            pads = []
            for size, k in zip(x.shape[1:3], kernel.shape[:2], strict=True):
                total = max((-(-size // stride) - 1) * stride + k - size, 0)
                pads.append((total // 2, total - total // 2))  # the extra pixel goes after, TensorFlow's rule
            x, padding = np.pad(x, [(0, 0), *pads, (0, 0)]), "valid"
        conv = self.torch.nn.Conv2d(kernel.shape[2], kernel.shape[3], kernel.shape[:2], stride=stride,
                                    padding=padding, bias=bias is not None)
        with self.torch.no_grad():
            conv.weight.copy_(self.torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))  # HWIO → OIHW
            if bias is not None:
                conv.bias.copy_(self.torch.from_numpy(bias))
        return self.call(conv, x)

    def relu_pool(self, x) -> np.ndarray:
        return self.call(self.torch.nn.Sequential(self.torch.nn.ReLU(), self.torch.nn.MaxPool2d(2)), x)

    def conv2d_gradients(self, x, kernel, upstream):
        torch = self.torch
        x_t = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
        w_t = torch.tensor(kernel.transpose(3, 2, 0, 1), requires_grad=True)
        (torch.nn.functional.conv2d(x_t, w_t) * torch.from_numpy(upstream.transpose(0, 3, 1, 2))).sum().backward()
        return x_t.grad.numpy().transpose(0, 2, 3, 1), w_t.grad.numpy().transpose(2, 3, 1, 0)

    def adam(self, model, learning_rate=1e-3):
        return self.torch.optim.Adam(model.parameters(), learning_rate)


class TensorFlowTwin:
    name = "tensorflow"
    channels_first = False
    outputs_logits = False  # the course's Keras classifiers end with a softmax, as in the lecture notes
    checkpoint = "model.weights.h5"

    def __init__(self):
        import tensorflow as tf

        import medcourse.tensorflow as package
        from medcourse.tensorflow import gan, rnn

        self.tf, self.keras, self.package, self.rnn, self.gan = tf, tf.keras, package, rnn, gan

    def numpy(self, tensor) -> np.ndarray:
        return np.asarray(tensor)

    def trainable_count(self, model) -> int:
        return int(sum(np.prod(w.shape) for w in model.trainable_weights))

    def weights(self, model) -> list[np.ndarray]:
        return [w.numpy().copy() for w in model.trainable_variables]

    def call(self, model, x_nhwc: np.ndarray) -> np.ndarray:
        return self.numpy(model(x_nhwc, training=False))

    def conv2d(self, x, kernel, bias=None, *, stride=1, padding="valid") -> np.ndarray:
        conv = self.keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding,
                                        use_bias=bias is not None)
        conv.build(x.shape)
        conv.set_weights([kernel] if bias is None else [kernel, bias])  # Keras stores kernels HWIO
        return self.call(conv, x)

    def relu_pool(self, x) -> np.ndarray:
        return self.numpy(self.keras.layers.MaxPooling2D(2)(self.keras.activations.relu(x)))

    def conv2d_gradients(self, x, kernel, upstream):
        tf = self.tf
        x_t, w_t = tf.constant(x), tf.Variable(kernel)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x_t)
            loss = tf.reduce_sum(tf.nn.conv2d(x_t, w_t, 1, "VALID") * upstream)
        return tape.gradient(loss, x_t).numpy(), tape.gradient(loss, w_t).numpy()

    def adam(self, model, learning_rate=1e-3):
        return self.keras.optimizers.Adam(learning_rate)


_TWINS = {"pytorch": (PyTorchTwin, "torch"), "tensorflow": (TensorFlowTwin, "tensorflow")}


def load_twin(name: str):
    """The adapter of ``name``; the test is skipped where that framework is not installed."""
    twin_class, module = _TWINS[name]
    pytest.importorskip(module)
    twin = twin_class()
    medcourse.seed_everything(0)  # seeds the framework just imported too
    return twin


def random_batch(shape=(2, 9, 11, 3), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def tiny_dataset(train: int = 96, val: int = 48, test: int = 48, seed: int = 0):
    """A tiny, learnable three-class dataset: 16×16 grey images with a bright bar whose place is the class."""
    from medcourse.data import Dataset

    rng = np.random.default_rng(seed)

    def split(count: int):
        labels = np.arange(count) % 3
        rng.shuffle(labels)
        images = rng.integers(0, 120, (count, 16, 16)).astype(np.uint8)
        for c in range(3):
            images[labels == c, 4 * c:4 * c + 5, 4:12] += 110
        return images, labels.astype(np.int64)

    return Dataset("tiny", split(train), split(val), split(test), ("left", "middle", "right"), "multiclass")


def tiny_segmentation(train: int = 48, val: int = 16, test: int = 16, seed: int = 0):
    """A tiny segmentation set: 16×16 grey images holding a bright square (class 1) and a dim bar (class 2)."""
    from medcourse.data import Dataset

    rng = np.random.default_rng(seed)

    def split(count: int):
        images = rng.integers(0, 60, (count, 16, 16)).astype(np.uint8)
        masks = np.zeros((count, 16, 16), dtype=np.uint8)
        for i in range(count):
            r, c = rng.integers(1, 10, 2)
            masks[i, r:r + 5, c:c + 5] = 1
            row = rng.integers(0, 16)
            masks[i, row, :] = np.where(masks[i, row, :] == 0, 2, masks[i, row, :])
        images[masks == 1] += 150
        images[masks == 2] += 70
        return images, masks

    return Dataset("tiny masks", split(train), split(val), split(test), ("background", "square", "bar"),
                   "segmentation")


# --- Detection (notebook 06): each framework's form of a detector's outputs and targets (appended) ----------


def _detection_module(self):
    """``medcourse.pytorch.detection`` or ``medcourse.tensorflow.detection``."""
    import importlib

    return importlib.import_module(f"medcourse.{self.name}.detection")


def _pytorch_detection_outputs(self, maps_nhwc: np.ndarray, num_classes: int):
    """NumPy maps (heatmap probabilities first, channels last) as the PyTorch model outputs them: NCHW, logits."""
    maps = np.array(maps_nhwc, dtype=np.float32)
    probabilities = maps[..., :num_classes]
    maps[..., :num_classes] = np.log(probabilities) - np.log1p(-probabilities)
    return self.torch.from_numpy(np.ascontiguousarray(np.moveaxis(maps, -1, 1)))


def _pytorch_detection_targets(self, targets: dict) -> dict:
    return {name: self.torch.from_numpy(np.ascontiguousarray(value if value.ndim == 3 else np.moveaxis(value, -1, 1)))
            for name, value in targets.items()}


def _pytorch_detector_maps(self, model, x_nhwc: np.ndarray) -> np.ndarray:
    """The detector's maps for float NHWC input (inference mode), as NumPy NHWC with the heatmaps as probabilities."""
    model.eval()  # batch norm uses its running statistics, as Keras's training=False
    output = self.call(model, x_nhwc)
    output[..., :model.num_classes] = 1 / (1 + np.exp(-output[..., :model.num_classes]))
    return output


def _tensorflow_detection_outputs(self, maps_nhwc: np.ndarray, num_classes: int):
    return self.tf.constant(np.asarray(maps_nhwc, dtype=np.float32))


def _tensorflow_detection_targets(self, targets: dict) -> dict:
    return {name: self.tf.constant(value) for name, value in targets.items()}


def _tensorflow_detector_maps(self, model, x_nhwc: np.ndarray) -> np.ndarray:
    return self.call(model, x_nhwc)


def _pytorch_tensor(self, x_nhwc: np.ndarray):
    """A float NHWC NumPy batch as a tensor in PyTorch's layout (NCHW)."""
    return self.torch.from_numpy(np.ascontiguousarray(np.moveaxis(np.asarray(x_nhwc, np.float32), -1, 1)))


def _pytorch_nhwc(self, tensor) -> np.ndarray:
    return np.moveaxis(self.numpy(tensor), 1, -1)


def _tensorflow_tensor(self, x_nhwc: np.ndarray):
    return self.tf.constant(np.asarray(x_nhwc, np.float32))


def _tensorflow_nhwc(self, tensor) -> np.ndarray:
    return self.numpy(tensor)


PyTorchTwin.tensor = _pytorch_tensor
PyTorchTwin.nhwc = _pytorch_nhwc
TensorFlowTwin.tensor = _tensorflow_tensor
TensorFlowTwin.nhwc = _tensorflow_nhwc
PyTorchTwin.detection = property(_detection_module)
PyTorchTwin.detection_outputs = _pytorch_detection_outputs
PyTorchTwin.detection_targets = _pytorch_detection_targets
PyTorchTwin.detector_maps = _pytorch_detector_maps
TensorFlowTwin.detection = property(_detection_module)
TensorFlowTwin.detection_outputs = _tensorflow_detection_outputs
TensorFlowTwin.detection_targets = _tensorflow_detection_targets
TensorFlowTwin.detector_maps = _tensorflow_detector_maps


def tiny_detection(train: int = 48, val: int = 16, test: int = 16, seed: int = 0):
    """A tiny detection set: 32×32 grey fields holding 0–2 bright squares (class 0) and dim discs (class 1)."""
    from medcourse.data import Dataset, ObjectLabels

    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:32, :32]

    def split(count: int):
        images = rng.integers(0, 40, (count, 32, 32)).astype(np.uint8)
        objects = []
        for index in range(count):
            found = []
            for kind in rng.permutation(2)[:rng.integers(0, 3)]:
                row, col = rng.integers(6, 26, 2)
                if any(abs(row - r) < 10 and abs(col - c) < 10 for r, c, *_ in found):
                    continue
                if kind == 0:
                    images[index, row - 3:row + 4, col - 3:col + 4] = 230
                else:
                    images[index][(rows - row) ** 2 + (cols - col) ** 2 <= 9] = 130
                found.append((row, col, 7.0, 7.0, kind))
            objects.append(found)
        return images, ObjectLabels.from_lists(objects)

    return Dataset("tiny fields", split(train), split(val), split(test), ("square", "disc"), "detection")


# --- Segmentation (notebook 05): a loss's gradient by autograd, a transposed convolution (appended) ----------


def _pytorch_loss_and_logit_gradient(self, loss, logits_nhwk: np.ndarray, masks: np.ndarray):
    """A ``loss(logits, labels)`` and its gradient with respect to the logits, as NumPy (N, H, W, K)."""
    z = self.torch.tensor(np.ascontiguousarray(np.moveaxis(logits_nhwk, -1, 1)), requires_grad=True)
    value = loss(z, self.torch.from_numpy(np.asarray(masks, dtype=np.int64)))
    value.backward()
    return float(value.detach()), np.moveaxis(z.grad.numpy(), 1, -1)


def _tensorflow_loss_and_logit_gradient(self, loss, logits_nhwk: np.ndarray, masks: np.ndarray):
    """A ``loss(labels, probabilities)`` of softmax(logits) and its gradient with respect to the logits."""
    z = self.tf.constant(logits_nhwk)
    with self.tf.GradientTape() as tape:
        tape.watch(z)
        value = loss(self.tf.constant(masks), self.tf.nn.softmax(z, axis=-1))  # Keras losses take probabilities
    return float(value), tape.gradient(value, z).numpy()


def _pytorch_transposed_conv2d(self, image: np.ndarray, kernel: np.ndarray, stride: int) -> np.ndarray:
    x = self.torch.from_numpy(np.asarray(image, np.float32)[None, None])
    w = self.torch.from_numpy(np.asarray(kernel, np.float32)[None, None])
    return self.torch.nn.functional.conv_transpose2d(x, w, stride=stride)[0, 0].numpy()


def _tensorflow_transposed_conv2d(self, image: np.ndarray, kernel: np.ndarray, stride: int) -> np.ndarray:
    layer = self.keras.layers.Conv2DTranspose(1, np.shape(kernel), strides=stride, padding="valid", use_bias=False)
    layer.build((1, *np.shape(image), 1))
    layer.set_weights([np.asarray(kernel, np.float32)[:, :, None, None]])  # Keras stores (kh, kw, out, in)
    return self.numpy(layer(np.asarray(image, np.float32)[None, :, :, None]))[0, :, :, 0]


PyTorchTwin.loss_and_logit_gradient = _pytorch_loss_and_logit_gradient
PyTorchTwin.transposed_conv2d = _pytorch_transposed_conv2d
TensorFlowTwin.loss_and_logit_gradient = _tensorflow_loss_and_logit_gradient
TensorFlowTwin.transposed_conv2d = _tensorflow_transposed_conv2d
