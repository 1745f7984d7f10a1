"""GANs in TensorFlow/Keras (notebooks 09–10): generator and discriminator builders, one training step, sampling.

Mirrored name for name by :mod:`medcourse.pytorch.gan`. Images are ``N×H×W×C`` in ``[−1, 1]`` here
(channels last); discriminators output **logits**.
Import as ``from medcourse.tensorflow import gan as tf_gan``. Real images go in with
``medcourse.tensorflow.to_tensor(images, value_range=(-1, 1))``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow import keras

from medcourse.gan import GENERATOR_LOSSES, tanh_range_to_images
from medcourse.gan import latent_noise as numpy_latent_noise

__all__ = [
    "cnn_features",
    "conditional_discriminator",
    "conditional_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "generate_images",
    "latent_noise",
    "patch_discriminator",
    "toy_discriminator",
    "toy_generator",
    "train_step",
    "unet_generator",
]

layers = keras.layers


def _spectral(layer: keras.layers.Layer, spectral_norm: bool) -> keras.layers.Layer:
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def _batch_norm() -> keras.layers.Layer:
    # PyTorch's defaults, set explicitly: Keras would use momentum 0.99 and epsilon 1e-3.
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)


def toy_generator(latent_dim: int = 4, hidden: int = 32) -> keras.Sequential:
    """1-D toy generator ``G: z ∈ R^latent_dim → x ∈ R`` (notebook 09, section 3): two hidden layers."""
    return keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Dense(hidden), layers.LeakyReLU(0.2),  # Keras's default slope would be 0.3
        layers.Dense(hidden), layers.LeakyReLU(0.2),
        layers.Dense(1),
    ], name="toy_generator")


def toy_discriminator(hidden: int = 32, *, spectral_norm: bool = False) -> keras.Sequential:
    """1-D toy discriminator ``D: x ∈ R → logit``; ``spectral_norm`` wraps every dense layer."""
    return keras.Sequential([
        keras.Input(shape=(1,)),
        _spectral(layers.Dense(hidden), spectral_norm), layers.LeakyReLU(0.2),
        _spectral(layers.Dense(hidden), spectral_norm), layers.LeakyReLU(0.2),
        _spectral(layers.Dense(1), spectral_norm),
    ], name="toy_discriminator")


def dcgan_generator(latent_dim: int = 32, width: int = 32) -> keras.Sequential:
    """DCGAN generator for 28×28 grey images: Dense → 7×7 → transposed conv ×2 (14, 28) → tanh.

    Output ``N×28×28×1`` in ``[−1, 1]``.
    """
    return keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Dense(7 * 7 * 2 * width, use_bias=False),
        layers.Reshape((7, 7, 2 * width)),       # channels last; PyTorch unflattens to C×7×7
        _batch_norm(), layers.ReLU(),
        layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),  # 7 → 14
        _batch_norm(), layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),   # 14 → 28
    ], name="dcgan_generator")


def dcgan_discriminator(width: int = 32, *, spectral_norm: bool = False, channels: int = 1) -> keras.Sequential:
    """DCGAN discriminator for 28×28 grey images: strided conv ×2 (14, 7) → one logit per image."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, channels)),
        # Convolutions before a LeakyReLU carry no bias here and in the PyTorch twin: it adds little, and
        # TensorFlow's graph optimiser logs a harmless "remapper failed" error for conv + bias + LeakyReLU.
        _spectral(layers.Conv2D(width, 4, strides=2, padding="same", use_bias=False), spectral_norm),
        layers.LeakyReLU(0.2),
        _spectral(layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False), spectral_norm),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        _spectral(layers.Dense(1), spectral_norm),
    ], name="dcgan_discriminator")


def _one_hot(labels, num_classes: int):
    return keras.ops.one_hot(keras.ops.cast(labels, "int32"), num_classes)


def conditional_generator(num_classes: int, latent_dim: int = 32, width: int = 32) -> keras.Model:
    """Class-conditional DCGAN generator ``G(z, y)`` (notebook 10): the one-hot ``y`` joins the noise.

    Call it as ``generator([noise, labels])``; the PyTorch twin is called as ``generator(noise, labels)``.
    """
    noise = keras.Input(shape=(latent_dim,), name="noise")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    joined = layers.Concatenate()([noise, _one_hot(labels, num_classes)])
    return keras.Model([noise, labels], dcgan_generator(latent_dim + num_classes, width)(joined),
                       name="conditional_generator")


def conditional_discriminator(num_classes: int, width: int = 32, *, spectral_norm: bool = False) -> keras.Model:
    """Class-conditional discriminator ``D(x, y)``: ``y`` joins the image as constant one-hot channels.

    Call it as ``discriminator([images, labels])``; the PyTorch twin is called as ``discriminator(images, labels)``.
    """
    images = keras.Input(shape=(28, 28, 1), name="images")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    channels = keras.ops.tile(keras.ops.reshape(_one_hot(labels, num_classes), (-1, 1, 1, num_classes)), (1, 28, 28, 1))
    network = dcgan_discriminator(width, spectral_norm=spectral_norm, channels=1 + num_classes)
    return keras.Model([images, labels], network(layers.Concatenate()([images, channels])),
                       name="conditional_discriminator")


def unet_generator(width: int = 32) -> keras.Model:
    """Small U-Net for 28×28 image-to-image work (notebook 10, pix2pix): 28 → 14 → 7 → 14 → 28 with skips.

    Takes a noisy image ``N×28×28×1`` in ``[−1, 1]`` and returns the restored image in ``[−1, 1]``.
    The skip connections carry fine detail past the bottleneck; the output adds a learned
    correction to the input (residual learning).
    """
    noisy = keras.Input(shape=(28, 28, 1), name="noisy")
    conv = {"padding": "same", "use_bias": False}  # no bias before LeakyReLU (see dcgan_discriminator)
    down1 = layers.LeakyReLU(0.2)(layers.Conv2D(width, 3, **conv)(noisy))                         # 28
    down2 = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, **conv)(down1))          # 14
    bottom = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, **conv)(down2))         # 7
    up2 = layers.ReLU()(layers.Conv2DTranspose(2 * width, 4, strides=2, padding="same")(bottom))         # 14
    up2 = layers.Concatenate()([up2, down2])
    up1 = layers.ReLU()(layers.Conv2DTranspose(width, 4, strides=2, padding="same")(up2))                # 28
    up1 = layers.Concatenate()([up1, down1])
    correction = layers.Conv2D(1, 3, padding="same")(up1)
    restored = layers.Activation("tanh")(layers.Add()([noisy, correction]))
    return keras.Model(noisy, restored, name="unet_generator")


def patch_discriminator(width: int = 32) -> keras.Model:
    """PatchGAN discriminator: judges (noisy, candidate) pairs as a 7×7 map of logits, one per patch."""
    noisy = keras.Input(shape=(28, 28, 1), name="noisy")
    candidate = keras.Input(shape=(28, 28, 1), name="candidate")
    pair = layers.Concatenate()([noisy, candidate])
    conv = {"padding": "same", "use_bias": False}  # no bias before LeakyReLU (see dcgan_discriminator)
    hidden = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, **conv)(pair))          # 14
    hidden = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, **conv)(hidden))    # 7
    logits = layers.Conv2D(1, 3, padding="same")(hidden)                                            # 7×7 patches
    return keras.Model([noisy, candidate], logits, name="patch_discriminator")


def _bce(logits, target: float):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), target),
                                                                  logits=logits))


def _call(network, inputs, labels, training: bool = True):
    return network(inputs, training=training) if labels is None else network([inputs, labels], training=training)


def _step(generator, discriminator, generator_optimizer, discriminator_optimizer, real, noise, labels,
          generator_loss, real_label):
    # Discriminator step: maximise log D(x) + log(1 − D(G(z))), i.e. minimise the cross-entropy.
    fake = _call(generator, noise, labels)  # outside the tape: the fakes are only inputs here
    with tf.GradientTape() as tape:
        real_logits = _call(discriminator, real, labels)
        fake_logits = _call(discriminator, fake, labels)
        d_loss = _bce(real_logits, real_label) + _bce(fake_logits, 0.0)
    gradients = tape.gradient(d_loss, discriminator.trainable_variables)
    discriminator_optimizer.apply_gradients(zip(gradients, discriminator.trainable_variables, strict=True))
    # Generator step: make the updated D call the fakes real.
    with tf.GradientTape() as tape:
        fake_logits = _call(discriminator, _call(generator, noise, labels), labels)
        g_loss = _bce(fake_logits, 1.0) if generator_loss == "non-saturating" else -_bce(fake_logits, 0.0)
    gradients = tape.gradient(g_loss, generator.trainable_variables)  # only G's variables are updated
    generator_optimizer.apply_gradients(zip(gradients, generator.trainable_variables, strict=True))
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits))}


_compiled_step = tf.function(_step)


def _build_optimizer(optimizer: keras.optimizers.Optimizer, model: keras.Model) -> None:
    """Create the optimizer's slot variables now (outside any ``tf.function``), as a compiled step needs."""
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


def train_step(generator, discriminator, generator_optimizer, discriminator_optimizer, real, noise, *,
               labels=None, generator_loss: str = "non-saturating", real_label: float = 1.0) -> dict[str, float]:
    """One discriminator step, then one generator step (compiled with ``tf.function``); losses as floats.

    The TensorFlow twin of :func:`medcourse.pytorch.gan.train_step`; notebook 09 writes it out.

    Parameters
    ----------
    real : tensor
        A batch of real samples (``N×28×28×1`` images in ``[−1, 1]``, or ``N×1`` numbers for the toy).
    noise : tensor
        ``N×latent_dim`` standard normal noise.
    labels : tensor of int, optional
        Class labels for conditional networks (used for the real and the generated batch).
    generator_loss : {"non-saturating", "minimax"}
    real_label : float
        Target for real samples in the discriminator's loss (0.9: one-sided label smoothing).
    """
    if generator_loss not in GENERATOR_LOSSES:
        raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}")
    _build_optimizer(generator_optimizer, generator)
    _build_optimizer(discriminator_optimizer, discriminator)
    result = _compiled_step(generator, discriminator, generator_optimizer, discriminator_optimizer,
                            tf.convert_to_tensor(real, tf.float32), tf.convert_to_tensor(noise, tf.float32),
                            None if labels is None else tf.convert_to_tensor(np.asarray(labels), tf.int32),
                            generator_loss, float(real_label))
    return {name: float(value) for name, value in result.items()}


def latent_noise(count: int, latent_dim: int, seed: int) -> tf.Tensor:
    """``count × latent_dim`` standard normal noise drawn by NumPy, so both frameworks can use the same ``z``."""
    return tf.constant(numpy_latent_noise(count, latent_dim, seed))


def generate_images(generator, count: int, *, latent_dim: int = 32, seed: int = 0,
                    labels=None, batch_size: int = 256) -> np.ndarray:
    """``count`` generated ``uint8`` images ``N×H×W`` (inference mode), from noise seeded by ``seed``."""
    noise = latent_noise(count, latent_dim, seed)
    labels = None if labels is None else tf.constant(np.asarray(labels), tf.int32)
    outputs = [
        _call(generator, noise[start:start + batch_size],
              None if labels is None else labels[start:start + batch_size], training=False).numpy()
        for start in range(0, count, batch_size)
    ]
    return tanh_range_to_images(np.concatenate(outputs)[..., 0])


def cnn_features(model: keras.Model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Features of the course CNN for the Fréchet distance: the 64 maps of ``pool2``, averaged over position.

    ``model`` is :func:`medcourse.tensorflow.cnn_classifier`; images are ``uint8`` ``N×H×W``. Returns ``(N, 64)``.
    """
    from medcourse.tensorflow.data import to_tensor

    trunk = keras.Model(model.inputs[0], model.get_layer("pool2").output)
    array = to_tensor(np.asarray(images))
    outputs = [tf.reduce_mean(trunk(array[start:start + batch_size], training=False), axis=(1, 2)).numpy()
               for start in range(0, len(array), batch_size)]
    return np.concatenate(outputs).astype(np.float64)
