"""The U-Net and the segmentation losses in Keras (notebook 05), the twin of :mod:`medcourse.pytorch.segmentation`.

The network the notebook writes out, as a reusable builder: :func:`unet` returns a functional
``keras.Model`` that ends with a **softmax** ``(N, H, W, K)`` (the lecture notes' convention; the PyTorch twin
outputs logits). The losses are factories that return a function in Keras's argument order
``loss(labels, probabilities)``, ready for ``fit(..., loss=...)``. Shapes, parameter counts and the soft Dice
in NumPy: :mod:`medcourse.segmentation`.
"""

from __future__ import annotations

import tensorflow as tf
from tensorflow import keras

from medcourse.segmentation import check_unet_arguments
from medcourse.tensorflow._layers import BatchNormalization

__all__ = ["dice_cross_entropy_loss", "soft_dice_loss", "unet"]


def _conv_block(x, filters: int, batch_norm: bool, name: str):
    """Two 3×3 "same" convolutions, each followed by batch norm (optional) and ReLU.

    The batch norm is Keras's layer trained with TensorFlow's fused kernel (:mod:`medcourse.tensorflow._layers`):
    the same weights and outputs, a training step about 30 % shorter on a CPU.
    """
    for index in (1, 2):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"{name}_conv{index}")(x)
        if batch_norm:  # PyTorch's defaults (Keras's own are momentum 0.99, epsilon 1e-3), so the twins train alike
            x = BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_norm{index}")(x)
        x = keras.layers.ReLU(name=f"{name}_relu{index}")(x)
    return x


def _up(x, filters: int, upsampling: str, name: str):
    if upsampling == "transposed":  # learned 2×2 "up-convolution", stride 2: no overlapping stamps
        return keras.layers.Conv2DTranspose(filters, 2, strides=2, name=f"{name}_up")(x)
    x = keras.layers.UpSampling2D(2, interpolation=upsampling, name=f"{name}_resize")(x)  # fixed enlargement
    return keras.layers.Conv2D(filters, 3, padding="same", name=f"{name}_up")(x)        # then a learned 3×3


def unet(input_shape: tuple[int, int, int], num_classes: int, *, base_filters: int = 16, depth: int = 3,
         batch_norm: bool = True, upsampling: str = "transposed") -> keras.Model:
    """The course's U-Net in Keras: ``depth`` encoder levels, a bottleneck, ``depth`` decoder levels with skips.

    The Keras twin of :func:`medcourse.pytorch.unet` (notebook 05 §3): the same layers in the same order,
    the same parameter count (:func:`medcourse.segmentation.unet_parameter_count`), and after
    :func:`medcourse.transfer.keras_to_torch` the same outputs.

    Parameters
    ----------
    input_shape : (H, W, C)
        The model takes ``N×H×W×C`` tensors (channels last); ``H`` and ``W`` must be multiples of ``2**depth``.
    num_classes : int
        Classes per pixel ``K``, the background included.
    base_filters : int
        Channels of the first level; each level down doubles them.
    depth : int
        Number of poolings (and of up-samplings).
    batch_norm : bool
        Batch normalisation after every 3×3 convolution of the blocks (which then have no bias): Keras's layer,
        trained with TensorFlow's fused kernel (:class:`medcourse.tensorflow._layers.BatchNormalization`).
    upsampling : {"transposed", "nearest", "bilinear"}
        A learned 2×2 transposed convolution, or a fixed enlargement followed by a 3×3 convolution.

    Returns
    -------
    keras.Model
        Outputs **probabilities** ``(N, H, W, K)`` (a softmax per pixel).

    Examples
    --------
    >>> model = unet((48, 64, 1), 3, base_filters=8, depth=2)
    >>> model.output_shape
    (None, 48, 64, 3)
    """
    height, width, channels = check_unet_arguments(input_shape, num_classes, base_filters=base_filters,
                                                   depth=depth, upsampling=upsampling)
    inputs = keras.Input(shape=(height, width, channels), name="image")
    x, skips = inputs, []
    for level in range(depth):
        x = _conv_block(x, base_filters * 2 ** level, batch_norm, f"encoder{level}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{level}")(x)
    x = _conv_block(x, base_filters * 2 ** depth, batch_norm, "bottleneck")
    for level in reversed(range(depth)):
        up = _up(x, base_filters * 2 ** level, upsampling, f"decoder{level}")
        x = keras.layers.Concatenate(name=f"decoder{level}_skip")([up, skips[level]])  # up-sampled first, as PyTorch
        x = _conv_block(x, base_filters * 2 ** level, batch_norm, f"decoder{level}")
    outputs = keras.layers.Conv2D(int(num_classes), 1, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name="unet")


def _soft_dice(labels, probabilities, num_classes: int, smooth: float, include_background: bool):
    """``1 − mean_k (2 Σ p g + s) / (Σ p + Σ g + s)`` over the batch, from labels (N, H, W) and probabilities (N, H, W, K)."""
    p = tf.convert_to_tensor(probabilities)
    g = tf.one_hot(tf.cast(labels, tf.int32), num_classes, dtype=p.dtype)
    axes = (0, 1, 2)  # sum over the batch and the pixels, one value per class
    dice = (2 * tf.reduce_sum(p * g, axes) + smooth) / (tf.reduce_sum(p, axes) + tf.reduce_sum(g, axes) + smooth)
    return 1 - tf.reduce_mean(dice if include_background else dice[1:])


def soft_dice_loss(num_classes: int, *, smooth: float = 1.0, include_background: bool = False):
    """A soft Dice loss ``loss(labels, probabilities)`` in Keras's argument order, for ``fit(..., loss=...)``.

    The NumPy reference is :func:`medcourse.segmentation.soft_dice_loss` (notebook 05 §4 derives it); the
    PyTorch twin takes ``(logits, labels)``.

    Examples
    --------
    >>> loss = soft_dice_loss(2)
    >>> round(float(loss(tf.constant([[1, 0]]), tf.constant([[[0.0, 1.0], [1.0, 0.0]]]))), 3)
    0.0
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer ≥ 2, got {num_classes!r}")

    def loss(labels, probabilities):
        return _soft_dice(labels, probabilities, num_classes, smooth, include_background)

    return loss


def dice_cross_entropy_loss(num_classes: int, *, smooth: float = 1.0, include_background: bool = False):
    """Cross-entropy plus soft Dice, ``loss(labels, probabilities)`` in Keras's order (nnU-Net's default loss).

    The cross-entropy (unweighted mean over pixels) gives every pixel a smooth gradient from the start;
    the soft Dice makes each foreground class count as a whole, however few pixels it has.
    """
    dice = soft_dice_loss(num_classes, smooth=smooth, include_background=include_background)

    def loss(labels, probabilities):
        cross_entropy = keras.losses.sparse_categorical_crossentropy(labels, probabilities)  # takes probabilities
        return tf.reduce_mean(cross_entropy) + dice(labels, probabilities)

    return loss
