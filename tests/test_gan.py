"""medcourse.gan (the GAN objectives against their closed forms, the Fréchet distance, the memorisation check)
and both frameworks' GAN builders, training step and sampling."""

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from twins import load_twin

import medcourse
from medcourse import gan
from medcourse.data.transforms import scale

GRID = np.linspace(-12.0, 12.0, 4801)


def normal(x, mean=0.0, std=1.0):
    return stats.norm.pdf(x, mean, std)


def test_minimax_value_is_minus_log_4_when_the_discriminator_answers_one_half():
    assert gan.minimax_value(np.full(10, 0.5), np.full(7, 0.5)) == pytest.approx(-math.log(4))


def test_minimax_value_is_the_mean_of_the_two_log_terms():
    d_real, d_fake = np.array([0.9, 0.6]), np.array([0.2, 0.3, 0.1])
    expected = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))
    assert gan.minimax_value(d_real, d_fake) == pytest.approx(expected)


def test_discriminator_loss_is_minus_the_value_and_label_smoothing_changes_it():
    d_real, d_fake = np.array([0.9, 0.6]), np.array([0.2, 0.3])
    assert gan.discriminator_loss(d_real, d_fake) == pytest.approx(-gan.minimax_value(d_real, d_fake))
    smoothed = -np.mean(0.9 * np.log(d_real) + 0.1 * np.log(1 - d_real)) - np.mean(np.log(1 - d_fake))
    assert gan.discriminator_loss(d_real, d_fake, real_label=0.9) == pytest.approx(smoothed)


def test_generator_losses_and_their_gradients_at_a_confident_discriminator():
    d_fake = np.array([0.01, 0.02])
    assert gan.generator_loss(d_fake) == pytest.approx(-np.mean(np.log(d_fake)))
    assert gan.generator_loss(d_fake, "minimax") == pytest.approx(np.mean(np.log(1 - d_fake)))
    # d/dD of the losses at D = 0.01: the minimax form saturates (slope ≈ −1), the other is steep (−1/D = −100).
    step = 1e-6
    minimax_slope = (gan.generator_loss([0.01 + step], "minimax") - gan.generator_loss([0.01], "minimax")) / step
    saturating_free_slope = (gan.generator_loss([0.01 + step]) - gan.generator_loss([0.01])) / step
    assert abs(minimax_slope) < 1.1 < 90 < abs(saturating_free_slope)


def test_objectives_reject_values_that_are_not_probabilities():
    with pytest.raises(ValueError, match="d_fake must hold probabilities"):
        gan.minimax_value([0.5], [1.5])
    with pytest.raises(ValueError, match="d_real must hold at least one"):
        gan.minimax_value([], [0.5])
    with pytest.raises(ValueError, match="kind must be"):
        gan.generator_loss([0.5], "wasserstein")


def test_optimal_discriminator_is_the_density_ratio():
    p_data, p_g = normal(GRID, 0, 1), normal(GRID, 1, 1)
    d_star = gan.optimal_discriminator(p_data, p_g)
    np.testing.assert_allclose(d_star, p_data / (p_data + p_g))
    assert gan.optimal_discriminator([0.3], [0.1])[0] == pytest.approx(0.75)
    assert np.isnan(gan.optimal_discriminator([0.0], [0.0])[0])
    with pytest.raises(ValueError, match="same shape"):
        gan.optimal_discriminator([0.1, 0.2], [0.1])


def test_optimal_discriminator_beats_any_other_discriminator():
    p_data, p_g = normal(GRID, 0, 1), normal(GRID, 2, 1.5)

    def value(d):
        return np.trapezoid(p_data * np.log(d) + p_g * np.log(1 - d), GRID)

    best = value(gan.optimal_discriminator(p_data, p_g))
    assert best == pytest.approx(gan.value_at_optimal_discriminator(p_data, p_g, GRID))
    for other in (np.full_like(GRID, 0.5), stats.norm.cdf(-GRID + 1)):
        assert value(np.clip(other, 1e-12, 1 - 1e-12)) < best


def test_value_at_optimum_is_minus_log_4_plus_twice_the_jensen_shannon_divergence():
    p = normal(GRID)
    assert gan.value_at_optimal_discriminator(p, p, GRID) == pytest.approx(-math.log(4), abs=1e-6)
    q = normal(GRID, 1.5, 0.7)
    jsd = gan.jensen_shannon_divergence(p, q, GRID)
    assert 0 < jsd < math.log(2)
    assert gan.value_at_optimal_discriminator(p, q, GRID) == pytest.approx(-math.log(4) + 2 * jsd, abs=1e-6)
    disjoint_a, disjoint_b = normal(GRID, -6, 0.3), normal(GRID, 6, 0.3)
    assert gan.jensen_shannon_divergence(disjoint_a, disjoint_b, GRID) == pytest.approx(math.log(2), abs=1e-6)


def test_frechet_distance_of_1d_gaussians_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 2.0, (40000, 1))
    b = rng.normal(-0.5, 0.5, (40000, 1))
    m1, s1, m2, s2 = a.mean(), a.std(ddof=1), b.mean(), b.std(ddof=1)
    expected = (m1 - m2) ** 2 + s1**2 + s2**2 - 2 * s1 * s2
    assert gan.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx((1.5) ** 2 + (2.0 - 0.5) ** 2, rel=0.03)


def test_frechet_distance_with_diagonal_covariances_is_the_sum_over_dimensions():
    rng = np.random.default_rng(1)
    means_a, stds_a = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.5, 2.0])
    means_b, stds_b = np.array([1.0, 1.0, 0.0]), np.array([2.0, 0.5, 1.0])
    a = rng.normal(means_a, stds_a, (60000, 3))
    b = rng.normal(means_b, stds_b, (60000, 3))
    closed_form = np.sum((means_a - means_b) ** 2 + (stds_a - stds_b) ** 2)
    assert gan.frechet_distance(a, b) == pytest.approx(closed_form, abs=0.08)


def test_frechet_distance_is_symmetric_and_zero_for_identical_sets():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(300, 8)), rng.normal(0.3, 1.2, size=(200, 8))
    assert gan.frechet_distance(a, b) == pytest.approx(gan.frechet_distance(b, a), rel=1e-6)
    assert gan.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_copes_with_fewer_samples_than_features():
    rng = np.random.default_rng(3)
    value = gan.frechet_distance(rng.normal(size=(10, 20)), rng.normal(size=(12, 20)))
    assert np.isfinite(value) and value > 0


def test_frechet_distance_names_the_bad_argument():
    good = np.zeros((5, 3))
    with pytest.raises(ValueError, match="features_b needs at least 2 samples"):
        gan.frechet_distance(good, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="features_a must be a 2-D array"):
        gan.frechet_distance(np.zeros(5), good)
    with pytest.raises(ValueError, match="same number of features"):
        gan.frechet_distance(good, np.zeros((5, 4)))


def test_nearest_neighbour_distance_is_the_rms_pixel_difference():
    train = np.array([[[0, 0], [0, 0]], [[10, 10], [10, 10]]], dtype=np.uint8)
    queries = np.array([[[10, 10], [10, 10]], [[1, 1], [1, 3]]], dtype=np.uint8)
    distances, indices = gan.nearest_neighbour_distances(queries, train)
    np.testing.assert_allclose(distances, [0.0, math.sqrt((1 + 1 + 1 + 9) / 4)])
    assert indices.tolist() == [1, 0]
    with pytest.raises(ValueError, match="same image size"):
        gan.nearest_neighbour_distances(np.zeros((2, 3, 3)), train)


def test_memorisation_report_flags_an_exact_copy_of_a_training_image():
    rng = np.random.default_rng(4)
    train = rng.integers(0, 256, (100, 12, 12), dtype=np.uint8)
    held_out = rng.integers(0, 256, (50, 12, 12), dtype=np.uint8)
    fresh = rng.integers(0, 256, (20, 12, 12), dtype=np.uint8)
    generated = np.concatenate([fresh, train[7:8]])
    report = gan.memorisation_report(generated, train, held_out)
    assert report.exact_copies.tolist() == [20]
    assert 20 in report.near_copies and report.nearest_train_index[20] == 7
    assert report.near_copy_fraction == pytest.approx(len(report.near_copies) / 21)
    assert "Exact copies: 1" in str(report)


def test_memorisation_report_flags_a_near_copy_and_not_fresh_images():
    rng = np.random.default_rng(5)
    train = rng.integers(0, 256, (100, 12, 12)).astype(np.float64)
    held_out = rng.integers(0, 256, (50, 12, 12)).astype(np.float64)
    fresh = rng.integers(0, 256, (20, 12, 12)).astype(np.float64)
    near_copy = train[3] + rng.normal(0, 2.0, (12, 12))
    report = gan.memorisation_report(np.concatenate([fresh, near_copy[None]]), train, held_out)
    assert report.near_copies.tolist() == [20] and report.exact_copies.tolist() == []


def test_memorisation_report_needs_matching_shapes():
    with pytest.raises(ValueError, match="one shape"):
        gan.memorisation_report(np.zeros((3, 4, 4)), np.zeros((3, 4, 4)), np.zeros((3, 5, 5)))


def test_mean_pairwise_distance_drops_for_a_collapsed_generator():
    rng = np.random.default_rng(6)
    diverse = rng.integers(0, 256, (30, 8, 8)).astype(float)
    collapsed = np.repeat(diverse[:1], 30, axis=0) + rng.normal(0, 1.0, (30, 8, 8))
    assert gan.mean_pairwise_distance(collapsed) < 0.05 * gan.mean_pairwise_distance(diverse)


def test_image_ranges_round_trip():
    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    scaled = scale(images, value_range=(-1, 1))[..., 0]
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_array_equal(gan.tanh_range_to_images(scaled), images)


def test_frechet_distance_copes_with_a_constant_feature_without_warning():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(200, 4)), rng.normal(0.5, 1.0, size=(200, 4))
    a[:, 2] = b[:, 2] = 0.0  # a ReLU unit that never fires: zero variance, singular covariances
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = gan.frechet_distance(a, b)
    full = gan.frechet_distance(np.delete(a, 2, axis=1), np.delete(b, 2, axis=1))
    assert value == pytest.approx(full, abs=1e-4)


def test_latent_noise_is_the_same_numpy_draw_for_both_frameworks_and_checks_its_sizes():
    from medcourse.gan import latent_noise

    first, again = latent_noise(4, 8, seed=3), latent_noise(4, 8, seed=3)
    assert first.shape == (4, 8) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, latent_noise(4, 8, seed=4))
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        latent_noise(4, 0, seed=0)


# --- both frameworks: builders, one training step, sampling ------------------------------------------

LATENT, BATCH = 8, 8


def real_images(count=BATCH, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype=np.uint8)


def changed(before, after):
    return all(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))


def one_step(twin, build, seed=0, labels=None, **options):
    """Build G and D with ``build(twin.gan)``, take one training step; losses and weights before/after."""
    medcourse.seed_everything(seed)
    generator, discriminator = build(twin.gan)
    before = twin.weights(generator), twin.weights(discriminator)
    losses = twin.gan.train_step(generator, discriminator, twin.adam(generator), twin.adam(discriminator),
                                 twin.package.to_tensor(real_images(), value_range=(-1, 1)),
                                 twin.gan.latent_noise(BATCH, LATENT, seed), labels=labels, **options)
    return losses, before, (twin.weights(generator), twin.weights(discriminator))


def dcgan(module):
    return module.dcgan_generator(LATENT, 4), module.dcgan_discriminator(4)


def conditional(module):
    return module.conditional_generator(5, LATENT, 4), module.conditional_discriminator(5, 4)


@pytest.mark.parametrize("build, labels", [(dcgan, None), (conditional, np.arange(BATCH) % 5)],
                         ids=["dcgan", "conditional"])
def test_one_training_step_changes_both_networks_with_finite_losses(twin, build, labels):
    losses, (g_before, d_before), (g_after, d_after) = one_step(twin, build, labels=labels)
    assert set(losses) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(value) for value in losses.values())
    assert changed(g_before, g_after), "the generator step must update every generator weight"
    assert changed(d_before, d_after), "the discriminator step must update every discriminator weight"


def test_same_seed_gives_the_same_losses(twin):
    assert one_step(twin, dcgan, seed=3)[0] == one_step(twin, dcgan, seed=3)[0]
    assert one_step(twin, dcgan, seed=3)[0] != one_step(twin, dcgan, seed=4)[0]


def test_minimax_loss_and_label_smoothing_are_accepted_and_checked(twin):
    losses = one_step(twin, dcgan, generator_loss="minimax", real_label=0.9)[0]
    assert losses["g_loss"] < 0  # log(1 − D(G(z))) is negative
    with pytest.raises(ValueError, match="generator_loss must be one of"):
        one_step(twin, dcgan, generator_loss="hinge")


def test_builders_have_the_same_trainable_parameters_in_both_frameworks():
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    builders = [lambda m: m.dcgan_generator(LATENT, 8), lambda m: m.dcgan_discriminator(8),
                lambda m: m.toy_generator(), lambda m: m.toy_discriminator(),
                lambda m: m.conditional_generator(5, LATENT, 4), lambda m: m.conditional_discriminator(5, 4),
                lambda m: m.unet_generator(4), lambda m: m.patch_discriminator(4)]
    for build in builders:
        assert pytorch.trainable_count(build(pytorch.gan)) == tensorflow.trainable_count(build(tensorflow.gan))


def test_builders_output_the_documented_shapes(twin):
    nchw = (lambda shape: (shape[0], shape[3], shape[1], shape[2])) if twin.channels_first else (lambda s: s)
    x = twin.package.to_tensor(np.zeros((2, 28, 28), np.uint8))
    z = twin.gan.latent_noise(2, LATENT, 0)
    assert tuple(twin.gan.dcgan_generator(LATENT, 8)(z).shape) == nchw((2, 28, 28, 1))
    assert tuple(twin.gan.unet_generator(4)(x).shape) == nchw((2, 28, 28, 1))
    pair = (x, x) if twin.channels_first else ([x, x],)  # PyTorch: D(noisy, candidate); Keras: D([noisy, candidate])
    assert tuple(twin.gan.patch_discriminator(4)(*pair).shape) == nchw((2, 7, 7, 1))


def test_generate_images_is_uint8_repeatable_and_obeys_the_label(twin):
    medcourse.seed_everything(0)
    generator = twin.gan.conditional_generator(5, LATENT, 4)
    first = twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1, labels=[4, 4, 4])
    assert first.dtype == np.uint8 and first.shape == (3, 28, 28)
    np.testing.assert_array_equal(first, twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1,
                                                                  labels=[4, 4, 4]))
    other = twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1, labels=[0, 0, 0])
    assert not np.array_equal(first, other), "the label must change the generated images"


def test_cnn_features_are_64_numbers_per_image(twin):
    features = twin.gan.cnn_features(twin.package.cnn_classifier((28, 28, 1), 5), real_images(3))
    assert features.shape == (3, 64) and np.all(np.isfinite(features))


def test_toy_gan_step_with_spectral_normalisation_runs(twin):
    medcourse.seed_everything(0)
    rng = np.random.default_rng(0)
    real, noise = rng.normal(size=(16, 1)).astype(np.float32), rng.normal(size=(16, 4)).astype(np.float32)
    generator, discriminator = twin.gan.toy_generator(), twin.gan.toy_discriminator(spectral_norm=True)
    as_tensor = (lambda a: twin.torch.from_numpy(a)) if twin.name == "pytorch" else (lambda a: a)
    losses = twin.gan.train_step(generator, discriminator, twin.adam(generator), twin.adam(discriminator),
                                 as_tensor(real), as_tensor(noise))
    assert all(np.isfinite(value) for value in losses.values())
