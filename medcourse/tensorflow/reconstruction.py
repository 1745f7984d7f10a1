"""Learned reconstruction in TensorFlow/Keras (notebook 11 §3–§5): a residual U-Net on the classical
reconstruction, the data-consistency step for MRI, a PatchGAN discriminator, and the L1 / L1 + adversarial
training.

Mirrored name for name by :mod:`medcourse.pytorch.reconstruction`. Tensors are ``N×H×W×C`` here (channels
last); the functions that take or return NumPy use ``(N, H, W)`` float images, as the NumPy reference
:mod:`medcourse.reconstruction` does. The discriminator outputs **logits**. Notebook 11 writes the networks
and the training step out and checks that these builders and this step are the same.
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf
from tensorflow import keras

from medcourse.reconstruction.batches import check_network_shape, training_batches

from ._compiled import compiled_step, inference

__all__ = [
    "copy_model",
    "data_consistency",
    "fit_reconstruction",
    "patchgan_discriminator",
    "reconstruct",
    "reconstruction_unet",
    "train_step",
]

layers = keras.layers


def _fft_order(mask) -> np.ndarray:
    """A centred k-space mask ``(H, W)`` in the FFT's own order (``np.fft.ifftshift``), as complex64."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D k-space mask (H, W), got shape {mask.shape}")
    return np.fft.ifftshift(mask).astype(np.complex64)


def _replace_measured(estimate, zero_filled, measured):
    # tf.signal.fft2d transforms the last two axes: drop the channel axis first (N×H×W×1 → N×H×W).
    k_estimate = tf.signal.fft2d(tf.cast(estimate[..., 0], tf.complex64))
    k_measured = tf.signal.fft2d(tf.cast(zero_filled[..., 0], tf.complex64))
    return tf.math.real(tf.signal.ifft2d(k_estimate + measured * (k_measured - k_estimate)))[..., None]


def data_consistency(images: tf.Tensor, zero_filled: tf.Tensor, mask) -> tf.Tensor:
    """Put the measured k-space lines back: ``F⁻¹[M F x₀ + (1 − M) F x̂]`` for estimates x̂ and zero-filled x₀.

    ``F x₀`` *is* the measured k-space on the measured lines (the zero-filled image was made from it), so
    the step needs only the centred boolean ``mask`` ``(H, W)``. Unnormalised, uncentred FFTs suffice: the
    scaling cancels, and the mask is moved to the FFT's own order. Tensors ``N×H×W×1``; the NumPy reference
    is :func:`medcourse.reconstruction.data_consistency`.
    """
    return _replace_measured(tf.convert_to_tensor(images, tf.float32), tf.convert_to_tensor(zero_filled, tf.float32),
                             tf.constant(_fft_order(mask)))


class DataConsistency(layers.Layer):
    """:func:`data_consistency` as the last layer of a network, called on ``[estimate, zero_filled]``."""

    def __init__(self, mask, **kwargs):
        super().__init__(**kwargs)
        self.mask = np.asarray(mask, dtype=bool)
        self._measured = tf.constant(_fft_order(self.mask))  # a constant, not a weight: nothing to train or copy

    def call(self, inputs):
        estimate, zero_filled = inputs
        return _replace_measured(estimate, zero_filled, self._measured)

    def get_config(self):
        return {**super().get_config(), "mask": self.mask.tolist()}


def _conv(filters: int, size: int = 3, **options) -> layers.Conv2D:
    return layers.Conv2D(filters, size, padding="same", kernel_initializer="he_normal", **options)


def _block(x, filters: int):
    """Two 3×3 convolutions with ReLU ("same" size)."""
    x = layers.ReLU()(_conv(filters)(x))
    return layers.ReLU()(_conv(filters)(x))



def reconstruction_unet(input_shape: tuple[int, int, int], width: int = 8, *, mask=None) -> keras.Model:
    """Residual U-Net ``x ↦ x + U(x)`` that cleans a classical reconstruction (notebook 11 §3).

    Two 2×2 poolings (so H and W must be multiples of 4), nearest-neighbour upsampling followed by a 3×3
    convolution, skip connections, He-initialised ReLU convolutions, and a last 1×1 convolution that starts
    at zero, so the untrained network returns its input. With ``mask`` (a k-space mask, MRI) the output
    passes through the data-consistency step. Takes ``N×H×W×C`` tensors; without a mask any
    multiple-of-4 size works (the input is declared ``(None, None, C)``).
    """
    height, width_pixels, channels = check_network_shape(input_shape, mask)
    x = keras.Input(shape=(None, None, channels) if mask is None else (height, width_pixels, channels), name="image")
    skip1 = _block(x, width)                                                        # H × W
    skip2 = _block(layers.MaxPooling2D(2)(skip1), 2 * width)                        # H/2 × W/2
    bottom = _block(layers.MaxPooling2D(2)(skip2), 4 * width)                       # H/4 × W/4
    up2 = layers.ReLU()(_conv(2 * width)(layers.UpSampling2D(2)(bottom)))           # nearest-neighbour upsampling
    decoded2 = _block(layers.Concatenate()([up2, skip2]), 2 * width)                # channels last: axis −1
    up1 = layers.ReLU()(_conv(width)(layers.UpSampling2D(2)(decoded2)))
    decoded1 = _block(layers.Concatenate()([up1, skip1]), width)
    correction = layers.Conv2D(channels, 1, kernel_initializer="zeros", name="correction")(decoded1)
    estimate = layers.Add()([x, correction])                                        # residual: learn the correction
    output = estimate if mask is None else DataConsistency(mask, name="consistency")([estimate, x])
    return keras.Model(x, output, name="reconstruction_unet")


def patchgan_discriminator(input_shape: tuple[int, int, int], width: int = 16) -> keras.Sequential:
    """PatchGAN (notebook 11 §4): a map of logits, one per patch, for a pair stacked as channels.

    ``input_shape`` is ``(H, W, 2)``: the condition (the classical reconstruction) and the candidate (the
    truth or the network's output), concatenated on the channel axis before the call. Two strided 4×4
    convolutions (H/4 × W/4 patches, each seeing 10×10 pixels) and a 3×3 convolution to one logit.
    Declared ``(None, None, C)``, so crops and whole images both fit.
    """
    _, _, channels = check_network_shape(input_shape, None)
    return keras.Sequential([
        keras.Input(shape=(None, None, channels)),
        _conv(width, 4, strides=2), layers.LeakyReLU(0.2),      # H/2 (Keras's default slope would be 0.3)
        _conv(2 * width, 4, strides=2), layers.LeakyReLU(0.2),  # H/4
        _conv(1, 3),                                            # one logit per patch
    ], name="patchgan_discriminator")


def _bce(logits, target: float):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), target),
                                                                  logits=logits))


def _l1_step(generator, generator_optimizer, l1_weight, inputs, targets):
    with tf.GradientTape() as tape:
        l1 = tf.reduce_mean(tf.abs(generator(inputs, training=True) - targets))
        g_loss = l1_weight * l1
    gradients = tape.gradient(g_loss, generator.trainable_variables)
    generator_optimizer.apply_gradients(zip(gradients, generator.trainable_variables, strict=True))
    return {"l1": l1}


def _adversarial_step(generator, generator_optimizer, discriminator, discriminator_optimizer, l1_weight, inputs,
                      targets):
    output = generator(inputs, training=True)  # outside the tape: no gradient into G here
    with tf.GradientTape() as tape:           # D learns to tell (input, truth) from (input, output) pairs
        d_loss = (_bce(discriminator(tf.concat([inputs, targets], axis=-1), training=True), 1.0)
                  + _bce(discriminator(tf.concat([inputs, output], axis=-1), training=True), 0.0))
    gradients = tape.gradient(d_loss, discriminator.trainable_variables)
    discriminator_optimizer.apply_gradients(zip(gradients, discriminator.trainable_variables, strict=True))
    with tf.GradientTape() as tape:           # …and G learns to make D call its output real
        output = generator(inputs, training=True)
        l1 = tf.reduce_mean(tf.abs(output - targets))
        adversarial = _bce(discriminator(tf.concat([inputs, output], axis=-1), training=True), 1.0)
        g_loss = l1_weight * l1 + adversarial
    gradients = tape.gradient(g_loss, generator.trainable_variables)  # only G's variables are updated
    generator_optimizer.apply_gradients(zip(gradients, generator.trainable_variables, strict=True))
    return {"d_loss": d_loss, "adversarial": adversarial, "l1": l1}


def _build(optimizer, model) -> None:
    """Create the optimizer's slot variables now (outside any ``tf.function``), as a compiled step needs."""
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


def train_step(generator: keras.Model, generator_optimizer, inputs: tf.Tensor, targets: tf.Tensor, *,
               discriminator: keras.Model | None = None, discriminator_optimizer=None,
               l1_weight: float = 100.0) -> dict[str, float]:
    """One step: L1 only (no discriminator), or pix2pix — a discriminator step, then ``L_G = λ·L1 + adversarial``.

    Compiled with ``tf.function``. Returns the losses as floats: ``l1`` always, ``d_loss`` and ``adversarial``
    with a discriminator.
    """
    inputs, targets = tf.convert_to_tensor(inputs, tf.float32), tf.convert_to_tensor(targets, tf.float32)
    _build(generator_optimizer, generator)
    if discriminator is None:  # compiled once per generator optimiser (one per training run), freed with it
        step = compiled_step(generator_optimizer, (generator, generator_optimizer), (float(l1_weight),), _l1_step)
    else:
        _build(discriminator_optimizer, discriminator)
        step = compiled_step(generator_optimizer, (generator, generator_optimizer, discriminator, discriminator_optimizer),
                             (float(l1_weight),), _adversarial_step)
    losses = step(inputs, targets)
    return {name: float(value) for name, value in losses.items()}


def _tensor(images: np.ndarray) -> tf.Tensor:
    """NumPy ``(N, H, W)`` → float32 ``N×H×W×1``."""
    return tf.constant(np.asarray(images, dtype=np.float32)[..., None])


def fit_reconstruction(generator: keras.Model, inputs: np.ndarray, targets: np.ndarray, *, steps: int,
                       batch_size: int = 16, learning_rate: float = 2e-3, crop: int | None = None, seed: int = 0,
                       discriminator: keras.Model | None = None, l1_weight: float = 100.0,
                       discriminator_learning_rate: float = 1e-3, verbose: bool = True) -> dict[str, list[float]]:
    """Train ``generator`` (in place) to map ``inputs`` to ``targets``, both NumPy ``(N, H, W)``, for ``steps`` steps.

    Adam at ``learning_rate`` for the generator; with a ``discriminator``, Adam at ``discriminator_learning_rate``
    with β₁ = 0.5 for it (pix2pix's β₁; its 2·10⁻⁴ learns too slowly for the few steps of a lesson). The batches (and ``crop`` windows) come from
    :func:`medcourse.reconstruction.training_batches`, the same in both frameworks for the same ``seed``.
    Returns the losses of every step (``"l1"``, and ``"d_loss"``, ``"adversarial"`` with a discriminator) and
    the run's wall time (``"seconds"``, one number in a list).
    """
    from tqdm.auto import tqdm

    inputs, targets = np.asarray(inputs, np.float32), np.asarray(targets, np.float32)
    if inputs.shape != targets.shape or inputs.ndim != 3:
        raise ValueError(f"inputs and targets must be (N, H, W) arrays of one shape, got {inputs.shape} and {targets.shape}")
    g_optimizer = keras.optimizers.Adam(learning_rate)
    d_optimizer = None if discriminator is None else keras.optimizers.Adam(discriminator_learning_rate,
                                                                                 beta_1=0.5, beta_2=0.999)
    plan = training_batches(len(inputs), steps=steps, batch_size=batch_size, image_shape=inputs.shape[1:],
                            crop=crop, seed=seed)
    history: dict[str, list[float]] = {}
    start = time.perf_counter()
    for indices, (rows, columns) in tqdm(plan, total=steps, desc="L1 + GAN" if discriminator else "L1", unit="step",
                                         disable=not verbose):
        losses = train_step(generator, g_optimizer, _tensor(inputs[indices, rows, columns]),
                            _tensor(targets[indices, rows, columns]), discriminator=discriminator,
                            discriminator_optimizer=d_optimizer, l1_weight=l1_weight)
        for name, value in losses.items():
            history.setdefault(name, []).append(value)
    history["seconds"] = [time.perf_counter() - start]
    return history


def reconstruct(model: keras.Model, images: np.ndarray, *, batch_size: int = 16) -> np.ndarray:
    """The model's output for NumPy images ``(N, H, W)`` (inference mode), as float32 NumPy ``(N, H, W)``.

    Small batches keep the memory low: a batch of 64 whole 64 × 64 slices held ~75 MB of activations at once.
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W), got shape {images.shape}")
    outputs = [inference(model, _tensor(images[start:start + batch_size])).numpy()[..., 0]  # compiled
               for start in range(0, len(images), batch_size)]
    return np.concatenate(outputs)


def copy_model(model: keras.Model) -> keras.Model:
    """An independent copy with the same weights (to fine-tune one network while keeping the other)."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone
