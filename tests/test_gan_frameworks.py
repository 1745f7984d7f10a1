"""medcourse.pytorch.gan and medcourse.tensorflow.gan: mirrored builders, one training step, sampling."""

import numpy as np
import pytest

import medcourse

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")

from medcourse.pytorch import gan as torch_gan  # noqa: E402
from medcourse.tensorflow import gan as tf_gan  # noqa: E402

LATENT = 8
BATCH = 8


def real_images(count=BATCH, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype=np.uint8)


def torch_weights(model):
    return [p.detach().clone().numpy() for p in model.parameters()]


def tf_weights(model):
    return [w.numpy().copy() for w in model.trainable_variables]


def changed(before, after):
    return all(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))


def torch_step(seed=0, **options):
    medcourse.seed_everything(seed)
    generator, discriminator = torch_gan.dcgan_generator(LATENT, 4), torch_gan.dcgan_discriminator(4)
    before = torch_weights(generator), torch_weights(discriminator)
    losses = torch_gan.train_step(
        generator, discriminator,
        torch.optim.Adam(generator.parameters(), 1e-3), torch.optim.Adam(discriminator.parameters(), 1e-3),
        torch_gan.to_tensor(real_images()), torch_gan.latent_noise(BATCH, LATENT, seed), **options)
    return losses, before, (torch_weights(generator), torch_weights(discriminator))


def tf_step(seed=0, **options):
    medcourse.seed_everything(seed)
    generator, discriminator = tf_gan.dcgan_generator(LATENT, 4), tf_gan.dcgan_discriminator(4)
    before = tf_weights(generator), tf_weights(discriminator)
    losses = tf_gan.train_step(
        generator, discriminator, tf.keras.optimizers.Adam(1e-3), tf.keras.optimizers.Adam(1e-3),
        tf_gan.to_tensor(real_images()), tf_gan.latent_noise(BATCH, LATENT, seed), **options)
    return losses, before, (tf_weights(generator), tf_weights(discriminator))


@pytest.mark.parametrize("step", [torch_step, tf_step], ids=["pytorch", "tensorflow"])
def test_one_training_step_changes_both_networks_with_finite_losses(step):
    losses, (g_before, d_before), (g_after, d_after) = step()
    assert set(losses) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(value) for value in losses.values())
    assert changed(g_before, g_after), "the generator step must update every generator weight"
    assert changed(d_before, d_after), "the discriminator step must update every discriminator weight"


@pytest.mark.parametrize("step", [torch_step, tf_step], ids=["pytorch", "tensorflow"])
def test_same_seed_gives_the_same_losses(step):
    assert step(seed=3)[0] == step(seed=3)[0]
    assert step(seed=3)[0] != step(seed=4)[0]


@pytest.mark.parametrize("step", [torch_step, tf_step], ids=["pytorch", "tensorflow"])
def test_minimax_loss_and_label_smoothing_are_accepted_and_checked(step):
    losses = step(generator_loss="minimax", real_label=0.9)[0]
    assert losses["g_loss"] < 0  # log(1 − D(G(z))) is negative
    with pytest.raises(ValueError, match="generator_loss must be one of"):
        step(generator_loss="hinge")


def test_builders_have_mirrored_shapes_and_parameter_counts():
    pairs = [
        (torch_gan.dcgan_generator(LATENT, 8), tf_gan.dcgan_generator(LATENT, 8)),
        (torch_gan.dcgan_discriminator(8), tf_gan.dcgan_discriminator(8)),
        (torch_gan.toy_generator(), tf_gan.toy_generator()),
        (torch_gan.toy_discriminator(), tf_gan.toy_discriminator()),
    ]
    for torch_model, tf_model in pairs:
        torch_count = sum(p.numel() for p in torch_model.parameters())
        assert torch_count == tf_model.count_params() - _batch_norm_statistics(tf_model)
    assert tuple(torch_gan.dcgan_generator(LATENT, 8)(torch.zeros(2, LATENT)).shape) == (2, 1, 28, 28)
    assert tuple(tf_gan.dcgan_generator(LATENT, 8)(tf.zeros((2, LATENT))).shape) == (2, 28, 28, 1)


def _batch_norm_statistics(model):
    """Keras counts BatchNorm's moving mean and variance as parameters; PyTorch keeps them as buffers."""
    return sum(2 * layer.moving_mean.shape[0] for layer in model.layers
               if isinstance(layer, tf.keras.layers.BatchNormalization))


def test_generate_images_is_uint8_and_repeatable():
    medcourse.seed_everything(0)
    generator = torch_gan.dcgan_generator(LATENT, 4)
    first = torch_gan.generate_images(generator, 5, latent_dim=LATENT, seed=1)
    assert first.dtype == np.uint8 and first.shape == (5, 28, 28)
    np.testing.assert_array_equal(first, torch_gan.generate_images(generator, 5, latent_dim=LATENT, seed=1))
    tf_images = tf_gan.generate_images(tf_gan.dcgan_generator(LATENT, 4), 5, latent_dim=LATENT, seed=1)
    assert tf_images.dtype == np.uint8 and tf_images.shape == (5, 28, 28)


def test_conditional_networks_take_labels():
    medcourse.seed_everything(0)
    generator = torch_gan.conditional_generator(5, LATENT, 4)
    discriminator = torch_gan.conditional_discriminator(5, 4)
    labels = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
    losses = torch_gan.train_step(
        generator, discriminator, torch.optim.Adam(generator.parameters()), torch.optim.Adam(discriminator.parameters()),
        torch_gan.to_tensor(real_images()), torch_gan.latent_noise(BATCH, LATENT, 0), labels=labels)
    assert all(np.isfinite(value) for value in losses.values())
    images = torch_gan.generate_images(generator, 3, latent_dim=LATENT, labels=[4, 4, 4])
    assert images.shape == (3, 28, 28)


def test_pix2pix_networks_have_the_documented_shapes():
    noisy = tf.zeros((2, 28, 28, 1))
    assert tuple(tf_gan.unet_generator(8)(noisy).shape) == (2, 28, 28, 1)
    assert tuple(tf_gan.patch_discriminator(8)([noisy, noisy]).shape) == (2, 7, 7, 1)


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow"])
def test_cnn_features_are_64_numbers_per_image(framework):
    images = real_images(3)
    if framework == "pytorch":
        from medcourse.pytorch import cnn_classifier

        features = torch_gan.cnn_features(cnn_classifier((28, 28, 1), 5), images)
    else:
        from medcourse.tensorflow import cnn_classifier

        features = tf_gan.cnn_features(cnn_classifier((28, 28, 1), 5), images)
    assert features.shape == (3, 64) and np.all(np.isfinite(features))


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow"])
def test_toy_gan_step_with_spectral_normalisation_runs(framework):
    medcourse.seed_everything(0)
    rng = np.random.default_rng(0)
    real, noise = rng.normal(size=(16, 1)).astype(np.float32), rng.normal(size=(16, 4)).astype(np.float32)
    if framework == "pytorch":
        generator, discriminator = torch_gan.toy_generator(), torch_gan.toy_discriminator(spectral_norm=True)
        losses = torch_gan.train_step(generator, discriminator, torch.optim.Adam(generator.parameters()),
                                      torch.optim.Adam(discriminator.parameters()),
                                      torch.from_numpy(real), torch.from_numpy(noise))
    else:
        generator, discriminator = tf_gan.toy_generator(), tf_gan.toy_discriminator(spectral_norm=True)
        losses = tf_gan.train_step(generator, discriminator, tf.keras.optimizers.Adam(), tf.keras.optimizers.Adam(),
                                   real, noise)
    assert all(np.isfinite(value) for value in losses.values())


def test_conditional_builders_have_mirrored_shapes_and_parameter_counts():
    labels = np.array([0, 4])
    pairs = [
        (torch_gan.conditional_generator(5, LATENT, 4), tf_gan.conditional_generator(5, LATENT, 4)),
        (torch_gan.conditional_discriminator(5, 4), tf_gan.conditional_discriminator(5, 4)),
    ]
    for torch_model, tf_model in pairs:
        torch_count = sum(p.numel() for p in torch_model.parameters())
        assert torch_count == tf_model.count_params() - _batch_norm_statistics(tf_model.layers[-1])
    torch_generator, tf_generator = pairs[0]
    assert tuple(torch_generator(torch.zeros(2, LATENT), torch.as_tensor(labels)).shape) == (2, 1, 28, 28)
    assert tuple(tf_generator([tf.zeros((2, LATENT)), tf.constant(labels)]).shape) == (2, 28, 28, 1)
    assert tuple(pairs[1][0](torch.zeros(2, 1, 28, 28), torch.as_tensor(labels)).shape) == (2, 1)
    assert tuple(pairs[1][1]([tf.zeros((2, 28, 28, 1)), tf.constant(labels)]).shape) == (2, 1)


def test_pix2pix_builders_have_mirrored_shapes_and_parameter_counts():
    pairs = [(torch_gan.unet_generator(4), tf_gan.unet_generator(4)),
             (torch_gan.patch_discriminator(4), tf_gan.patch_discriminator(4))]
    for torch_model, tf_model in pairs:
        assert sum(p.numel() for p in torch_model.parameters()) == tf_model.count_params()
    torch_noisy, tf_noisy = torch.zeros(2, 1, 28, 28), tf.zeros((2, 28, 28, 1))
    assert tuple(pairs[0][0](torch_noisy).shape) == (2, 1, 28, 28)
    assert tuple(pairs[0][1](tf_noisy).shape) == (2, 28, 28, 1)
    assert tuple(pairs[1][0](torch_noisy, torch_noisy).shape) == (2, 1, 7, 7)
    assert tuple(pairs[1][1]([tf_noisy, tf_noisy]).shape) == (2, 7, 7, 1)


def conditional_torch_step(seed=0):
    medcourse.seed_everything(seed)
    generator, discriminator = torch_gan.conditional_generator(5, LATENT, 4), torch_gan.conditional_discriminator(5, 4)
    before = torch_weights(generator), torch_weights(discriminator)
    losses = torch_gan.train_step(
        generator, discriminator,
        torch.optim.Adam(generator.parameters(), 1e-3), torch.optim.Adam(discriminator.parameters(), 1e-3),
        torch_gan.to_tensor(real_images()), torch_gan.latent_noise(BATCH, LATENT, seed),
        labels=torch.as_tensor(np.arange(BATCH) % 5))
    return losses, before, (torch_weights(generator), torch_weights(discriminator))


def conditional_tf_step(seed=0):
    medcourse.seed_everything(seed)
    generator, discriminator = tf_gan.conditional_generator(5, LATENT, 4), tf_gan.conditional_discriminator(5, 4)
    before = tf_weights(generator), tf_weights(discriminator)
    losses = tf_gan.train_step(
        generator, discriminator, tf.keras.optimizers.Adam(1e-3), tf.keras.optimizers.Adam(1e-3),
        tf_gan.to_tensor(real_images()), tf_gan.latent_noise(BATCH, LATENT, seed), labels=np.arange(BATCH) % 5)
    return losses, before, (tf_weights(generator), tf_weights(discriminator))


@pytest.mark.parametrize("step", [conditional_torch_step, conditional_tf_step], ids=["pytorch", "tensorflow"])
def test_one_conditional_step_changes_both_networks_with_finite_losses(step):
    losses, (g_before, d_before), (g_after, d_after) = step()
    assert all(np.isfinite(value) for value in losses.values())
    assert changed(g_before, g_after), "the generator step must update every generator weight"
    assert changed(d_before, d_after), "the discriminator step must update every discriminator weight"


def test_tensorflow_conditional_generator_samples_the_asked_for_classes():
    medcourse.seed_everything(0)
    generator = tf_gan.conditional_generator(5, LATENT, 4)
    images = tf_gan.generate_images(generator, 3, latent_dim=LATENT, labels=[4, 4, 4])
    assert images.dtype == np.uint8 and images.shape == (3, 28, 28)
    other = tf_gan.generate_images(generator, 3, latent_dim=LATENT, labels=[0, 0, 0])
    assert not np.array_equal(images, other), "the label must change the generated images"


def pix2pix_step_torch():
    medcourse.seed_everything(0)
    generator, discriminator = torch_gan.unet_generator(4), torch_gan.patch_discriminator(4)
    before = torch_weights(generator), torch_weights(discriminator)
    g_optimizer = torch.optim.Adam(generator.parameters(), 1e-3)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), 1e-3)
    clean = torch_gan.to_tensor(real_images())
    noisy = torch.clamp(clean + 0.2 * torch.randn_like(clean), -1, 1)
    restored = generator(noisy).detach()
    real_logits, fake_logits = discriminator(noisy, clean), discriminator(noisy, restored)
    d_loss = (torch.nn.functional.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
              + torch.nn.functional.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    d_optimizer.zero_grad()
    d_loss.backward()
    d_optimizer.step()
    fake_logits = discriminator(noisy, generator(noisy))
    g_loss = (100 * torch.mean(torch.abs(generator(noisy) - clean))
              + torch.nn.functional.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits)))
    g_optimizer.zero_grad()
    g_loss.backward()
    g_optimizer.step()
    return (d_loss.item(), g_loss.item()), before, (torch_weights(generator), torch_weights(discriminator))


def pix2pix_step_tf():
    medcourse.seed_everything(0)
    generator, discriminator = tf_gan.unet_generator(4), tf_gan.patch_discriminator(4)
    before = tf_weights(generator), tf_weights(discriminator)
    g_optimizer, d_optimizer = tf.keras.optimizers.Adam(1e-3), tf.keras.optimizers.Adam(1e-3)
    clean = tf_gan.to_tensor(real_images())
    noisy = tf.clip_by_value(clean + 0.2 * tf.random.normal(clean.shape), -1, 1)
    restored = generator(noisy)
    bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        real_logits, fake_logits = discriminator([noisy, clean]), discriminator([noisy, restored])
        d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables),
                                    discriminator.trainable_variables, strict=True))
    with tf.GradientTape() as tape:
        restored = generator(noisy)
        fake_logits = discriminator([noisy, restored])
        g_loss = 100 * tf.reduce_mean(tf.abs(restored - clean)) + bce(tf.ones_like(fake_logits), fake_logits)
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                    generator.trainable_variables, strict=True))
    return (float(d_loss), float(g_loss)), before, (tf_weights(generator), tf_weights(discriminator))


@pytest.mark.parametrize("step", [pix2pix_step_torch, pix2pix_step_tf], ids=["pytorch", "tensorflow"])
def test_one_pix2pix_step_changes_both_networks_with_finite_losses(step):
    losses, (g_before, d_before), (g_after, d_after) = step()
    assert all(np.isfinite(value) for value in losses)
    assert changed(g_before, g_after), "the generator step must update every U-Net weight"
    assert changed(d_before, d_after), "the discriminator step must update every patch-discriminator weight"
