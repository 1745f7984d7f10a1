"""The centre-heatmap detector in TensorFlow/Keras (notebook 06): model, focal loss, 3×3 max-pool peaks, training.

The twin of :mod:`medcourse.pytorch.detection`, name for name; the framework-free parts (targets,
decoding, batches, bookkeeping) are :mod:`medcourse.detection`. The model ends its heatmaps with a
**sigmoid** (probabilities, as the course's Keras models end with their activation); the PyTorch twin
outputs logits. :func:`predict_maps` gives probabilities in both.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf
from tensorflow import keras

import medcourse
from medcourse.detection import (
    FOCAL_ALPHA,
    FOCAL_BETA,
    OFFSET_WEIGHT,
    PROBABILITY_CLIP,
    SIZE_WEIGHT,
    STRIDE,
    DetectionRun,
    decode,
    detection_batches,
)
from medcourse.detection.models import check_detector_shape, heatmap_bias
from medcourse.training import check_fit_arguments, check_images

from ._compiled import inference
from .data import to_tensor
from .training import device

__all__ = ["detect", "detection_loss", "extract_peaks", "fit_detector", "focal_loss", "heatmap_detector",
           "predict_maps"]


def _conv(x, filters: int, name: str):
    """3×3 convolution ("same"), batch norm, ReLU; no bias, batch norm's shift replaces it."""
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_norm")(x)  # PyTorch's values
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def heatmap_detector(input_shape: tuple[int, int, int], num_classes: int, *, width: int = 16) -> keras.Model:
    """The course's CenterNet-style detector (notebook 06 §2), the twin of :func:`medcourse.pytorch.heatmap_detector`.

    Parameters
    ----------
    input_shape : (H, W, C)
        ``H`` and ``W`` must be multiples of 8. The model takes ``N×H×W×C``.
    num_classes : int
        Object classes ``K`` (no background).
    width : int
        Channels at half resolution; the quarter- and eighth-resolution layers have 2 and 4 times as many.

    Returns
    -------
    keras.Model
        Outputs ``(N, H/4, W/4, K + 4)``: K heatmap **probabilities** (sigmoid), log height, log width,
        row and col offset.

    Examples
    --------
    >>> model = heatmap_detector((64, 64, 1), 4)
    >>> model.output_shape
    (None, 16, 16, 8)
    """
    height, image_width, channels = check_detector_shape(input_shape, num_classes, width)
    layers = keras.layers
    inputs = keras.Input(shape=(height, image_width, channels))
    x = _conv(layers.AveragePooling2D(2, name="stem_pool")(inputs), width, "stem")                # H/2
    x = layers.MaxPooling2D(2, name="down1_pool")(x)
    skip = _conv(_conv(x, 2 * width, "down1_a"), 2 * width, "down1_b")                             # H/4
    x = layers.MaxPooling2D(2, name="down2_pool")(skip)
    deep = _conv(_conv(x, 4 * width, "down2_a"), 4 * width, "down2_b")                             # H/8
    up = layers.UpSampling2D(2, interpolation="nearest", name="up")(deep)                          # back to H/4
    features = _conv(layers.Concatenate(axis=-1, name="skip")([up, skip]), 2 * width, "merge")     # channels last
    heatmap = layers.Conv2D(num_classes, 1, activation="sigmoid", name="heatmap",
                            bias_initializer=keras.initializers.Constant(heatmap_bias()))(features)
    size = layers.Conv2D(2, 1, name="size")(features)                                 # log height, log width (px)
    offset = layers.Conv2D(2, 1, name="offset")(features)                             # row, col offset (cells)
    outputs = layers.Concatenate(axis=-1, name="maps")([heatmap, size, offset])
    return keras.Model(inputs, outputs, name="heatmap_detector")


def focal_loss(predicted: tf.Tensor, heatmap: tf.Tensor, *, alpha: float = FOCAL_ALPHA,
               beta: float = FOCAL_BETA) -> tf.Tensor:
    """CenterNet's focal loss (:func:`medcourse.detection.focal_loss`) of predicted heatmap **probabilities**.

    ``predicted`` and the targets ``heatmap`` have the same shape. The prediction comes first, as in
    the PyTorch twin (whose ``predicted`` are logits); Keras's own losses take the target first.
    """
    p = tf.clip_by_value(predicted, PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    heatmap = tf.cast(heatmap, p.dtype)
    centre = tf.equal(heatmap, 1.0)
    positive = (1 - p) ** alpha * tf.math.log(p)
    negative = (1 - heatmap) ** beta * p ** alpha * tf.math.log(1 - p)
    count = tf.maximum(tf.reduce_sum(tf.cast(centre, p.dtype)), 1.0)
    return -tf.reduce_sum(tf.where(centre, positive, negative)) / count


def detection_loss(outputs: tf.Tensor, targets: dict[str, tf.Tensor], *, size_weight: float = SIZE_WEIGHT,
                   offset_weight: float = OFFSET_WEIGHT) -> tf.Tensor:
    """Focal loss + size and offset L1 at the centre cells (:func:`medcourse.detection.detection_loss`).

    ``outputs`` is the model's ``(N, h, w, K + 4)``; ``targets`` holds the channels-last maps of
    :func:`medcourse.detection.detection_targets`. Outputs first, as in the PyTorch twin.
    """
    classes = targets["heatmap"].shape[-1]
    mask = tf.cast(targets["mask"], outputs.dtype)[..., tf.newaxis]                    # N×h×w×1
    count = tf.maximum(tf.reduce_sum(mask), 1.0)
    size_error = tf.abs(outputs[..., classes:classes + 2] - targets["size"]) * mask
    offset_error = tf.abs(outputs[..., classes + 2:classes + 4] - targets["offset"]) * mask
    return (focal_loss(outputs[..., :classes], targets["heatmap"]) + size_weight * tf.reduce_sum(size_error) / count
            + offset_weight * tf.reduce_sum(offset_error) / count)


def extract_peaks(heatmap: tf.Tensor, *, threshold: float = 0.05) -> tf.Tensor:
    """Keep only the local maxima of heatmap probabilities ``(N, h, w, K)``: 3×3 max-pooling as NMS; others become 0."""
    pooled = tf.nn.max_pool2d(heatmap, ksize=3, strides=1, padding="SAME")  # "SAME" max-pooling ignores the padding
    return heatmap * tf.cast((heatmap == pooled) & (heatmap >= threshold), heatmap.dtype)


def predict_maps(model: keras.Model, images: np.ndarray, *, batch_size: int = 16) -> np.ndarray:
    """The output maps for ``uint8`` images: NumPy ``(N, H/4, W/4, K + 4)``, heatmaps as probabilities, channels last.

    Small batches keep the memory low (TensorFlow holds on to the buffers of the largest batch it ran).
    """
    shape = model.input_shape
    check_images(images, tuple(shape[1:]) if isinstance(shape, tuple) and len(shape) == 4 else None)
    tensor = to_tensor(images)
    return np.concatenate([inference(model, tensor[start:start + batch_size]).numpy()
                           for start in range(0, len(images), batch_size)]).astype(np.float32)


def detect(model: keras.Model, images: np.ndarray, *, threshold: float = 0.05, max_detections: int = 100) -> list:
    """Detections of each image: a list of ``(m, 6)`` arrays ``row, col, height, width, class, score`` (pixels)."""
    return decode(predict_maps(model, images), stride=STRIDE, threshold=threshold, max_detections=max_detections)


class _Cosine(keras.optimizers.schedules.LearningRateSchedule):
    """PyTorch's ``CosineAnnealingLR``: ``rate · (1 + cos(π · step / steps)) / 2``, falling to 0 at ``steps``."""

    def __init__(self, rate: float, steps: int):
        self.rate, self.steps = float(rate), int(steps)

    def __call__(self, step):
        progress = tf.minimum(tf.cast(step, tf.float32) / self.steps, 1.0)
        return self.rate * (1 + tf.cos(math.pi * progress)) / 2

    def get_config(self):
        return {"rate": self.rate, "steps": self.steps}


def fit_detector(model: keras.Model, dataset, *, epochs: int, batch_size: int = 4, seed: int = 0,
                 learning_rate: float = 3e-3, augment: bool = True, loss=None, live: bool = False,
                 verbose: bool = True) -> medcourse.training.History:
    """Train a detector on ``dataset.train`` (task ``"detection"``) with Adam; validate on ``dataset.val`` every epoch.

    The Keras twin of :func:`medcourse.pytorch.fit_detector`: the same batches, cosine learning-rate
    decay, bookkeeping and best epoch. ``medcourse.tensorflow.fit`` hands detection datasets to it with
    its own arguments, whose defaults suit classifiers: give it ``batch_size=4, learning_rate=3e-3,
    augment=True`` as notebook 06 does.

    Parameters
    ----------
    model : keras.Model
        Outputs ``(N, H/4, W/4, K + 4)`` as :func:`heatmap_detector`.
    dataset : medcourse.data.Dataset
        Task ``"detection"``, labels :class:`~medcourse.data.ObjectLabels`.
    epochs, batch_size, seed, learning_rate
        As for :func:`medcourse.tensorflow.fit`.
    augment : bool or dict
        Mirrors that move the boxes, brightness/contrast (:func:`medcourse.detection.detection_batches`).
    loss : callable, optional
        ``loss(outputs, targets) -> scalar``, instead of :func:`detection_loss` (outputs first, as in the
        PyTorch twin); ``targets`` is the dict of channels-last tensors ``heatmap``, ``size``, ``offset``, ``mask``.
    live, verbose : bool
        Live curves in a notebook; progress bar and summary line.
    """
    epochs = check_fit_arguments(dataset, epochs, ("detection",), caller="fit_detector")
    medcourse.seed_everything(seed)
    loss_function = loss or detection_loss
    images, labels = dataset.train
    steps = -(-len(images) // int(batch_size))
    optimizer = keras.optimizers.Adam(learning_rate=_Cosine(learning_rate, epochs * steps), epsilon=1e-8)
    if model.built and model.trainable_variables:  # slots made now: a step that creates them is traced twice
        optimizer.build(model.trainable_variables)

    @tf.function(reduce_retracing=True)
    def train_step(batch, targets):
        with tf.GradientTape() as tape:
            outputs = model(batch, training=True)
            batch_loss = loss_function(outputs, targets)
        gradients = tape.gradient(batch_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return batch_loss, outputs

    run = DetectionRun("tensorflow", epochs=epochs, steps_per_epoch=steps, num_classes=dataset.num_classes,
                       live=live, verbose=verbose, title="TensorFlow")
    best_weights = None
    with tf.device(device()):
        for epoch in run.epochs():
            for batch, targets, batch_labels in detection_batches(images, labels, num_classes=dataset.num_classes,
                                                                  batch_size=batch_size, seed=seed, epoch=epoch,
                                                                  augment=augment):
                batch_loss, outputs = train_step(tf.constant(batch), {k: tf.constant(v) for k, v in targets.items()})
                run.batch(float(batch_loss), batch_labels, outputs.numpy())
            if run.end_epoch(dataset.val[1], predict_maps(model, dataset.val[0])):
                best_weights = [w.copy() for w in model.get_weights()]
    model.set_weights(best_weights)
    return run.finish()
