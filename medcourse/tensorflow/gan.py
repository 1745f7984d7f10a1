"""GANs in TensorFlow/Keras (notebooks 09–10): the course's recipe for 28×28 images, its losses, one training step, sampling.

Mirrored name for name by :mod:`medcourse.pytorch.gan`. Images are ``N×H×W×C`` in ``[−1, 1]`` here
(channels last); discriminators output **logits**. Import as ``from medcourse.tensorflow import gan as tf_gan``.
Real images go in with ``medcourse.tensorflow.to_tensor(images, value_range=(-1, 1))``.

The recipe is the PyTorch twin's (see its docstring; notebook 09 §5 and notebook 10 §1 argue each
choice); the training step is compiled with ``tf.function``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow import keras

from medcourse.gan import GENERATOR_LOSSES, tanh_range_to_images
from medcourse.gan import latent_noise as numpy_latent_noise

from ._compiled import compiled_step

__all__ = [
    "class_loss",
    "cnn_features",
    "conditional_discriminator",
    "conditional_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "gan_optimizers",
    "generate",
    "generate_images",
    "generator_loss",
    "latent_noise",
    "toy_discriminator",
    "toy_generator",
    "train_step",
]

layers = keras.layers


def _spectral(layer: keras.layers.Layer, spectral_norm: bool) -> keras.layers.Layer:
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def _batch_norm() -> keras.layers.Layer:
    # Keras's momentum is the share of the old running average that is KEPT (default 0.99); PyTorch's momentum
    # is the share of the new batch (default 0.1). So Keras 0.9 ≡ PyTorch 0.1. Epsilon: Keras 1e-3, PyTorch 1e-5.
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


def dcgan_generator(latent_dim: int = 32, width: int = 16) -> keras.Sequential:
    """DCGAN generator for 28×28 grey images: ``z`` → 7×7 → 14×14 → 28×28, ``tanh`` out (notebook 09 §5).

    Output ``N×28×28×1`` in ``[−1, 1]``.
    """
    return keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Reshape((1, 1, latent_dim)),                                            # z as a 1×1 image, channels last
        layers.Conv2DTranspose(2 * width, 7, use_bias=False),                          # 1 → 7
        _batch_norm(), layers.ReLU(),
        layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),   # 7 → 14
        _batch_norm(), layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),    # 14 → 28
    ], name="dcgan_generator")


def dcgan_discriminator(width: int = 16, *, spectral_norm: bool = False, outputs: int = 1) -> keras.Sequential:
    """DCGAN discriminator for 28×28 grey images: strided conv ×2 (14, 7) → ``outputs`` logits per image."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        # Convolutions before a LeakyReLU carry no bias here and in the PyTorch twin: it adds little, and
        # TensorFlow's graph optimiser logs a harmless "remapper failed" error for conv + bias + LeakyReLU.
        _spectral(layers.Conv2D(width, 4, strides=2, padding="same", use_bias=False), spectral_norm),
        layers.LeakyReLU(0.2),
        _spectral(layers.Conv2D(2 * width, 4, strides=2, padding="same", use_bias=False), spectral_norm),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        _spectral(layers.Dense(outputs), spectral_norm),
    ], name="dcgan_discriminator")


def conditional_generator(num_classes: int, latent_dim: int = 32, width: int = 16) -> keras.Model:
    """Class-conditional generator ``G(z, y)`` (notebook 10 §1): the DCGAN generator fed ``[z, one-hot(y)]``.

    Call it as ``generator([noise, labels])``; the PyTorch twin is called as ``generator(noise, labels)``.
    """
    noise = keras.Input(shape=(latent_dim,), name="noise")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    one_hot = keras.ops.one_hot(keras.ops.cast(labels, "int32"), num_classes)
    joined = layers.Concatenate()([noise, one_hot])
    return keras.Model([noise, labels], dcgan_generator(latent_dim + num_classes, width)(joined),
                       name="conditional_generator")


def conditional_discriminator(num_classes: int, width: int = 16, *, spectral_norm: bool = False) -> keras.Sequential:
    """Auxiliary-classifier discriminator (AC-GAN, notebook 10 §1): ``D(x)`` → ``1 + num_classes`` logits.

    Column 0 is the real-vs-fake logit, columns ``1:`` the class logits; the label is predicted, not given.
    """
    return dcgan_discriminator(width, spectral_norm=spectral_norm, outputs=1 + num_classes)


# --- the losses, from logits (the NumPy references in medcourse.gan take probabilities) ---------------------


def _bce(logits, target):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), target),
                                                                  logits=logits))


def discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor, *, real_label: float = 1.0) -> tf.Tensor:
    """``−[t log D(x) + (1 − t) log(1 − D(x))] − log(1 − D(G(z)))`` averaged, from logits; ``t`` = ``real_label``."""
    return _bce(real_logits, real_label) + _bce(fake_logits, 0.0)


def generator_loss(fake_logits: tf.Tensor, kind: str = "non-saturating") -> tf.Tensor:
    """``−log D(G(z))`` (``"non-saturating"``) or ``log(1 − D(G(z)))`` (``"minimax"``) averaged, from logits."""
    if kind == "non-saturating":
        return _bce(fake_logits, 1.0)
    if kind == "minimax":
        return -_bce(fake_logits, 0.0)
    raise ValueError(f"kind must be one of {GENERATOR_LOSSES}, got {kind!r}")


def class_loss(class_logits: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    """The auxiliary classifier's cross-entropy ``−log p(y | x)`` averaged, from ``N×K`` logits."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(labels, tf.int32),
                                                                         logits=class_logits))


def gan_optimizers(generator, discriminator, *, learning_rate: float = 1e-3,
                   discriminator_learning_rate: float | None = None,
                   beta_1: float = 0.5) -> tuple[keras.optimizers.Adam, keras.optimizers.Adam]:
    """Adam for ``G`` and for ``D`` with the GAN settings: ``β₁ = 0.5`` (less momentum in a moving game).

    ``discriminator_learning_rate`` defaults to ``learning_rate``. ``epsilon=1e-8`` is PyTorch's value
    (Keras's default is 1e-7); even so a weight whose gradient is far below ``epsilon`` moves differently,
    because Keras adds ``epsilon`` to ``√v`` before the bias correction and PyTorch after it. Both
    optimisers are built now: a compiled step may not create their variables (Adam's moment estimates).
    """
    pair = []
    for model, rate in ((generator, learning_rate),
                        (discriminator, learning_rate if discriminator_learning_rate is None
                         else discriminator_learning_rate)):
        optimizer = keras.optimizers.Adam(rate, beta_1=beta_1, beta_2=0.999, epsilon=1e-8)
        optimizer.build(model.trainable_variables)
        pair.append(optimizer)
    return tuple(pair)


def _generate(generator, noise, labels, training: bool = True):
    return generator(noise, training=training) if labels is None else generator([noise, labels], training=training)


def _split(logits):
    """Column 0: real-vs-fake logit; the rest: class logits (empty for an unconditional discriminator)."""
    return logits[:, 0], logits[:, 1:]


def _step(generator, discriminator, generator_optimizer, discriminator_optimizer, generator_loss_kind, real_label,
          class_weight, real, noise, labels):
    with tf.GradientTape() as generator_tape:
        fake = _generate(generator, noise, labels)        # one forward pass of G, reused by both steps
        with generator_tape.stop_recording(), tf.GradientTape() as tape:
            # Discriminator step: maximise log D(x) + log(1 − D(G(z))), i.e. minimise the cross-entropy.
            real_logits, real_classes = _split(discriminator(real, training=True))
            fake_logits, fake_classes = _split(discriminator(tf.stop_gradient(fake), training=True))
            d_loss = discriminator_loss(real_logits, fake_logits, real_label=real_label)
            if labels is not None:
                d_loss += class_weight * (class_loss(real_classes, labels) + class_loss(fake_classes, labels))
        gradients = tape.gradient(d_loss, discriminator.trainable_variables)
        with generator_tape.stop_recording():
            discriminator_optimizer.apply_gradients(zip(gradients, discriminator.trainable_variables, strict=True))
        # Generator step: make the updated D call the fakes real (and, with labels, of the class asked for).
        step_logits, step_classes = _split(discriminator(fake, training=True))
        g_loss = generator_loss(step_logits, generator_loss_kind)
        if labels is not None:
            g_loss += class_weight * class_loss(step_classes, labels)
    gradients = generator_tape.gradient(g_loss, generator.trainable_variables)  # only G's variables are updated
    generator_optimizer.apply_gradients(zip(gradients, generator.trainable_variables, strict=True))
    result = {"d_loss": d_loss, "g_loss": g_loss, "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
              "d_fake": tf.reduce_mean(tf.sigmoid(step_logits)),
              "d_accuracy": tf.reduce_mean(tf.cast(tf.concat([real_logits > 0, fake_logits < 0], 0), tf.float32))}
    if labels is not None:
        hits = tf.equal(tf.argmax(real_classes, axis=1, output_type=tf.int32), tf.cast(labels, tf.int32))
        result["class_accuracy"] = tf.reduce_mean(tf.cast(hits, tf.float32))
    return result


def train_step(generator, discriminator, generator_optimizer, discriminator_optimizer, real, noise, *,
               labels=None, generator_loss_kind: str = "non-saturating", real_label: float = 1.0,
               class_weight: float = 1.0) -> dict[str, float]:
    """One discriminator step, then one generator step against the updated discriminator, compiled with ``tf.function``.

    The TensorFlow twin of :func:`medcourse.pytorch.gan.train_step` (same arguments, same returned numbers);
    notebook 09 §2 writes it out. Optimisers come from :func:`gan_optimizers` (built before the first call).

    Parameters
    ----------
    real : tensor
        A batch of real samples (``N×28×28×1`` images in ``[−1, 1]``, or ``N×1`` numbers for the toy).
    noise : tensor
        ``N×latent_dim`` standard normal noise.
    labels : array or tensor of int, optional
        Class labels of the real batch; the generator is asked for the same classes (AC-GAN).
    generator_loss_kind : {"non-saturating", "minimax"}
    real_label : float
        Target for real samples in the discriminator's loss (0.9: one-sided label smoothing).
    class_weight : float
        Weight of the auxiliary class loss.
    """
    if generator_loss_kind not in GENERATOR_LOSSES:
        raise ValueError(f"generator_loss_kind must be one of {GENERATOR_LOSSES}, got {generator_loss_kind!r}")
    for optimizer, model in ((generator_optimizer, generator), (discriminator_optimizer, discriminator)):
        if not optimizer.built:  # a compiled step may not create the optimiser's variables itself
            optimizer.build(model.trainable_variables)
    # Compiled once per generator optimiser (one per training run) and freed with it: see _compiled.
    step = compiled_step(generator_optimizer, (generator, discriminator, generator_optimizer, discriminator_optimizer),
                         (generator_loss_kind, float(real_label), float(class_weight)), _step)
    result = step(tf.convert_to_tensor(real, tf.float32), tf.convert_to_tensor(noise, tf.float32),
                  None if labels is None else tf.convert_to_tensor(np.asarray(labels), tf.int32))
    return {name: float(value) for name, value in result.items()}


def latent_noise(count: int, latent_dim: int, seed: int) -> tf.Tensor:
    """``count × latent_dim`` standard normal noise drawn by NumPy, so both frameworks can use the same ``z``."""
    return tf.constant(numpy_latent_noise(count, latent_dim, seed))


def generate(generator, noise, *, labels=None, batch_size: int = 256) -> np.ndarray:
    """The generator's raw outputs for ``noise`` (inference mode) as a float32 NumPy array, batch by batch.

    Images come out ``N×H×W×1`` in ``[−1, 1]`` (channels last), the toy's numbers ``N×1``.
    """
    noise = tf.constant(np.asarray(noise, dtype=np.float32))
    labels = None if labels is None else tf.constant(np.asarray(labels), tf.int32)
    if labels is not None and labels.shape != noise.shape[:1]:
        raise ValueError(f"labels must hold one class per noise vector ({len(noise)}), got shape {tuple(labels.shape)}")
    outputs = [
        _generate(generator, noise[start:start + batch_size],
                  None if labels is None else labels[start:start + batch_size], training=False).numpy()
        for start in range(0, len(noise), batch_size)
    ]
    return np.concatenate(outputs)


def generate_images(generator, count: int, *, latent_dim: int = 32, seed: int = 0,
                    labels=None, batch_size: int = 256, noise=None) -> np.ndarray:
    """``count`` generated ``uint8`` images ``N×H×W`` (inference mode), from noise seeded by ``seed``.

    ``noise`` (``count × latent_dim``, e.g. from :func:`medcourse.gan.interpolate_latent`) replaces the seeded draw.
    """
    noise = numpy_latent_noise(count, latent_dim, seed) if noise is None else np.asarray(noise, dtype=np.float32)
    if noise.shape != (count, latent_dim):
        raise ValueError(f"noise must have shape (count, latent_dim) = {(count, latent_dim)}, got {noise.shape}")
    return tanh_range_to_images(generate(generator, noise, labels=labels, batch_size=batch_size)[..., 0])


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
