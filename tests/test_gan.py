"""medcourse.gan (the GAN objectives against their closed forms, the Fréchet distance, the memorisation check, the
spectral-norm facts, the baseline and the paired comparison) and both frameworks' GAN recipe: builders, losses,
one training step checked against the other framework, sampling, and a short training run that learns."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from twins import load_twin

import medcourse
from medcourse import gan
from medcourse.cnn import conv2d_layer
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


def test_frechet_distance_of_n01_and_n3_4_is_10_as_the_closed_form_says():
    rng = np.random.default_rng(8)
    a, b = rng.normal(0.0, 1.0, (200_000, 1)), rng.normal(3.0, 2.0, (200_000, 1))
    assert gan.frechet_distance(a, b) == pytest.approx(10.0, abs=0.05)  # (0 − 3)² + 1 + 4 − 2·1·2


def test_class_loss_is_the_mean_negative_log_probability_of_the_label():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert gan.class_loss(probabilities, [0, 2]) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)
    with pytest.raises(ValueError, match="labels must be integers from 0 to 2"):
        gan.class_loss(probabilities, [0, 3])
    with pytest.raises(ValueError, match="N×K"):
        gan.class_loss(probabilities, [0])


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(2, 9), st.integers(0, 10_000))
def test_interpolate_latent_runs_from_start_to_end_at_a_typical_length(dimension, steps, seed):
    rng = np.random.default_rng(seed)
    start, end = rng.standard_normal(dimension), rng.standard_normal(dimension)
    end *= np.linalg.norm(start) / np.linalg.norm(end)  # equal lengths: the great circle keeps that length
    path = gan.interpolate_latent(start, end, steps)
    assert path.shape == (steps, dimension) and path.dtype == np.float32
    np.testing.assert_allclose(path[0], start, atol=1e-5)
    np.testing.assert_allclose(path[-1], end, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(start), rtol=1e-4)


def test_interpolate_latent_checks_its_arguments():
    with pytest.raises(ValueError, match="steps must be an integer of at least 2"):
        gan.interpolate_latent(np.ones(3), np.ones(3), 1)
    with pytest.raises(ValueError, match=r"same length|one length"):
        gan.interpolate_latent(np.ones(3), np.ones(4), 5)


def test_pixel_gaussian_images_reproduce_each_pixels_mean_and_spread_per_class():
    rng = np.random.default_rng(9)
    labels = np.repeat([0, 1], 200)
    images = np.where(labels[:, None, None] == 0, 60, 180) + rng.normal(0, 10, (400, 6, 6))
    images = np.clip(np.round(images), 0, 255).astype(np.uint8)
    requested = np.repeat([1, 0], 3000)
    drawn = gan.pixel_gaussian_images(images, 6000, labels=labels, sample_labels=requested, seed=1)
    assert drawn.dtype == np.uint8 and drawn.shape == (6000, 6, 6)
    for label in (0, 1):
        real, fake = images[labels == label].astype(float), drawn[requested == label].astype(float)
        np.testing.assert_allclose(fake.mean(axis=0), real.mean(axis=0), atol=1.0)
        np.testing.assert_allclose(fake.std(axis=0), real.std(axis=0), rtol=0.1)


def test_pixel_gaussian_images_name_their_bad_arguments():
    images = np.zeros((4, 3, 3), np.uint8)
    with pytest.raises(ValueError, match="labels and sample_labels together"):
        gan.pixel_gaussian_images(images, 2, labels=np.zeros(4, int))
    with pytest.raises(ValueError, match="count must be a positive integer"):
        gan.pixel_gaussian_images(images, 0)
    with pytest.raises(ValueError, match="class 1 needs at least 2"):
        gan.pixel_gaussian_images(images, 2, labels=np.array([0, 0, 0, 1]), sample_labels=np.array([1, 1]))


def test_paired_difference_equals_scipys_paired_t_interval():
    treatment, control = np.array([0.81, 0.79, 0.85, 0.80, 0.83]), np.array([0.78, 0.80, 0.79, 0.76, 0.80])
    result = gan.paired_difference(treatment, control, confidence=0.9)
    interval = stats.ttest_rel(treatment, control).confidence_interval(0.9)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high))
    assert result.mean == pytest.approx(np.mean(treatment - control))
    assert result.verdict == "better" and "5 seeds" in str(result)


def test_paired_difference_says_no_clear_difference_when_the_interval_holds_zero():
    assert gan.paired_difference([0.70, 0.75, 0.72], [0.72, 0.71, 0.73]).verdict == "no clear difference"
    assert gan.paired_difference([0.60, 0.62, 0.61], [0.70, 0.71, 0.73]).verdict == "worse"
    with pytest.raises(ValueError, match="at least 2"):
        gan.paired_difference([0.5], [0.4])


def explicit_convolution_matrix(kernel, size, stride, padding):
    """The convolution as one big matrix, column by column: the image of every unit input."""
    inputs = size * size * kernel.shape[2]
    columns = [conv2d_layer(np.eye(inputs)[k].reshape(1, size, size, kernel.shape[2]), kernel, stride=stride,
                            padding=padding).ravel() for k in range(inputs)]
    return np.array(columns).T


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (1, "same"), (2, "same")])
def test_convolution_operator_norm_is_the_largest_singular_value_of_the_convolution_matrix(stride, padding):
    kernel = np.random.default_rng(10).normal(size=(4, 4, 2, 3))
    matrix = explicit_convolution_matrix(kernel, 8, stride, padding)
    power = gan.convolution_operator_norm(kernel, (8, 8), stride=stride, padding=padding, iterations=400)
    assert power == pytest.approx(np.linalg.norm(matrix, 2), rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([(1, "valid"), (1, "same"), (2, "same"), (2, "valid")]))
def test_conv2d_adjoint_is_the_transpose_of_the_convolution(seed, mode):
    stride, padding = mode
    rng = np.random.default_rng(seed)
    kernel, x = rng.normal(size=(3, 3, 2, 4)), rng.normal(size=(2, 9, 9, 2))
    y = rng.normal(size=conv2d_layer(x, kernel, stride=stride, padding=padding).shape)
    left = np.sum(conv2d_layer(x, kernel, stride=stride, padding=padding) * y)
    right = np.sum(x * gan.conv2d_adjoint(y, kernel, (9, 9), stride=stride, padding=padding))
    assert left == pytest.approx(right, rel=1e-9, abs=1e-9)


def test_spectral_normalisation_bounds_a_1x1_convolution_but_not_a_4x4_one():
    rng = np.random.default_rng(11)
    pointwise = rng.normal(size=(1, 1, 3, 5))
    assert gan.convolution_operator_norm(pointwise, (6, 6)) == pytest.approx(gan.reshaped_kernel_norm(pointwise))
    kernel = rng.normal(size=(4, 4, 8, 16))
    normalised = kernel / gan.reshaped_kernel_norm(kernel)
    assert gan.reshaped_kernel_norm(normalised) == pytest.approx(1.0)
    true_norm = gan.convolution_operator_norm(normalised, (28, 28), stride=2, padding="same")
    assert abs(true_norm - 1.0) > 0.05, "the reshaped kernel's norm is not the convolution's operator norm"
    with pytest.raises(ValueError, match="kernel must be a finite 4-D array"):
        gan.reshaped_kernel_norm(np.ones((3, 3)))


# --- both frameworks: builders, losses, one training step, sampling --------------------------------------

LATENT, BATCH, CLASSES = 8, 8, 5


def real_images(count=BATCH, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype=np.uint8)


def changed(before, after):
    return all(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))


def dcgan(module):
    return module.dcgan_generator(LATENT, 4), module.dcgan_discriminator(4)


def conditional(module):
    return module.conditional_generator(CLASSES, LATENT, 4), module.conditional_discriminator(CLASSES, 4)


def one_step(twin, build, seed=0, labels=None, **options):
    """Build G and D with ``build(twin.gan)``, take one training step; losses and weights before/after."""
    medcourse.seed_everything(seed)
    generator, discriminator = build(twin.gan)
    before = twin.weights(generator), twin.weights(discriminator)
    losses = twin.gan.train_step(generator, discriminator, *twin.gan.gan_optimizers(generator, discriminator),
                                 twin.package.to_tensor(real_images(), value_range=(-1, 1)),
                                 twin.gan.latent_noise(BATCH, LATENT, seed), labels=labels, **options)
    return losses, before, (twin.weights(generator), twin.weights(discriminator))


def logits(shape, seed=0, spread=4.0):
    return (spread * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


def as_numpy(value):
    return float(np.asarray(value.detach() if hasattr(value, "detach") else value))


def tensor(twin, array):
    return twin.torch.from_numpy(array) if twin.name == "pytorch" else twin.tf.constant(array)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


def test_framework_losses_from_logits_equal_the_numpy_references(twin):
    real, fake = logits(32, 1), logits(32, 2)
    for label in (1.0, 0.9):
        expected = gan.discriminator_loss(sigmoid(real), sigmoid(fake), real_label=label)
        got = twin.gan.discriminator_loss(tensor(twin, real), tensor(twin, fake), real_label=label)
        assert as_numpy(got) == pytest.approx(expected, rel=1e-5)
    for kind in gan.GENERATOR_LOSSES:
        expected = gan.generator_loss(sigmoid(fake), kind)
        assert as_numpy(twin.gan.generator_loss(tensor(twin, fake), kind)) == pytest.approx(expected, rel=1e-5)
    classes, labels = logits((32, CLASSES), 3), np.arange(32) % CLASSES
    softmax = np.exp(classes - classes.max(axis=1, keepdims=True))
    expected = gan.class_loss(softmax / softmax.sum(axis=1, keepdims=True), labels)
    assert as_numpy(twin.gan.class_loss(tensor(twin, classes), tensor(twin, labels))) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="kind must be one of"):
        twin.gan.generator_loss(tensor(twin, fake), "hinge")


@pytest.mark.parametrize("build, labels", [(dcgan, None), (conditional, np.arange(BATCH) % CLASSES)],
                         ids=["dcgan", "conditional"])
def test_one_training_step_changes_both_networks_with_finite_losses(twin, build, labels):
    losses, (g_before, d_before), (g_after, d_after) = one_step(twin, build, labels=labels)
    expected = {"d_loss", "g_loss", "d_real", "d_fake", "d_accuracy"} | ({"class_accuracy"} if labels is not None else set())
    assert set(losses) == expected
    assert all(np.isfinite(value) for value in losses.values())
    assert 0 <= losses["d_accuracy"] <= 1
    assert changed(g_before, g_after), "the generator step must update every generator weight"
    assert changed(d_before, d_after), "the discriminator step must update every discriminator weight"


def test_same_seed_gives_the_same_losses(twin):
    assert one_step(twin, dcgan, seed=3)[0] == one_step(twin, dcgan, seed=3)[0]
    assert one_step(twin, dcgan, seed=3)[0] != one_step(twin, dcgan, seed=4)[0]


def test_minimax_loss_and_label_smoothing_are_accepted_and_checked(twin):
    losses = one_step(twin, dcgan, generator_loss_kind="minimax", real_label=0.9)[0]
    assert losses["g_loss"] < 0  # log(1 − D(G(z))) is negative
    with pytest.raises(ValueError, match="generator_loss_kind must be one of"):
        one_step(twin, dcgan, generator_loss_kind="hinge")


def test_gan_optimizers_use_beta_1_one_half_and_an_optional_faster_discriminator(twin):
    generator, discriminator = dcgan(twin.gan)
    g_optimizer, d_optimizer = twin.gan.gan_optimizers(generator, discriminator, learning_rate=2e-4,
                                                       discriminator_learning_rate=5e-3)
    if twin.name == "pytorch":
        settings_ = [(o.param_groups[0]["lr"], o.param_groups[0]["betas"][0]) for o in (g_optimizer, d_optimizer)]
    else:
        settings_ = [(float(o.learning_rate), float(o.beta_1)) for o in (g_optimizer, d_optimizer)]
    assert settings_ == [pytest.approx((2e-4, 0.5)), pytest.approx((5e-3, 0.5))]


def test_builders_have_the_same_trainable_parameters_in_both_frameworks():
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    builders = [lambda m: m.dcgan_generator(LATENT, 8), lambda m: m.dcgan_discriminator(8),
                lambda m: m.toy_generator(), lambda m: m.toy_discriminator(),
                lambda m: m.conditional_generator(CLASSES, LATENT, 4), lambda m: m.conditional_discriminator(CLASSES, 4)]
    for build in builders:
        assert pytorch.trainable_count(build(pytorch.gan)) == tensorflow.trainable_count(build(tensorflow.gan))


def test_builders_output_the_documented_shapes(twin):
    nchw = (lambda shape: (shape[0], shape[3], shape[1], shape[2])) if twin.channels_first else (lambda s: s)
    x = twin.package.to_tensor(np.zeros((2, 28, 28), np.uint8))
    z = twin.gan.latent_noise(2, LATENT, 0)
    assert tuple(twin.gan.dcgan_generator(LATENT, 8)(z).shape) == nchw((2, 28, 28, 1))
    assert tuple(twin.gan.dcgan_discriminator(8)(x).shape) == (2, 1)
    assert tuple(twin.gan.conditional_discriminator(CLASSES, 4)(x).shape) == (2, 1 + CLASSES)


def test_generate_images_is_uint8_repeatable_and_obeys_the_label(twin):
    medcourse.seed_everything(0)
    generator = twin.gan.conditional_generator(CLASSES, LATENT, 4)
    first = twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1, labels=[4, 4, 4])
    assert first.dtype == np.uint8 and first.shape == (3, 28, 28)
    np.testing.assert_array_equal(first, twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1,
                                                                  labels=[4, 4, 4]))
    other = twin.gan.generate_images(generator, 3, latent_dim=LATENT, seed=1, labels=[0, 0, 0])
    assert not np.array_equal(first, other), "the label must change the generated images"


def test_generate_images_takes_given_noise_and_checks_its_shape(twin):
    medcourse.seed_everything(0)
    generator = twin.gan.dcgan_generator(LATENT, 4)
    seeded = twin.gan.generate_images(generator, 4, latent_dim=LATENT, seed=5)
    given_noise = gan.latent_noise(4, LATENT, seed=5)
    np.testing.assert_array_equal(twin.gan.generate_images(generator, 4, latent_dim=LATENT, noise=given_noise), seeded)
    with pytest.raises(ValueError, match="noise must have shape"):
        twin.gan.generate_images(generator, 3, latent_dim=LATENT, noise=given_noise)


def test_cnn_features_are_64_numbers_per_image(twin):
    features = twin.gan.cnn_features(twin.package.cnn_classifier((28, 28, 1), 5), real_images(3))
    assert features.shape == (3, 64) and np.all(np.isfinite(features))


def test_toy_gan_step_with_spectral_normalisation_runs(twin):
    medcourse.seed_everything(0)
    rng = np.random.default_rng(0)
    real, noise = rng.normal(size=(16, 1)).astype(np.float32), rng.normal(size=(16, 4)).astype(np.float32)
    generator, discriminator = twin.gan.toy_generator(), twin.gan.toy_discriminator(spectral_norm=True)
    losses = twin.gan.train_step(generator, discriminator, *twin.gan.gan_optimizers(generator, discriminator),
                                 real, noise)
    assert all(np.isfinite(value) for value in losses.values())
    assert twin.gan.generate(generator, noise).shape == (16, 1)


def test_the_frameworks_spectral_normalisation_divides_by_the_reshaped_kernel_norm(twin):
    medcourse.seed_everything(0)
    x = np.random.default_rng(1).normal(size=(4, 28, 28, 1)).astype(np.float32)
    if twin.name == "pytorch":
        layer = twin.torch.nn.utils.parametrizations.spectral_norm(twin.torch.nn.Conv2d(1, 8, 4, 2, 1, bias=False))
        for _ in range(30):  # each training call runs one power-iteration step on the reshaped weight
            layer(twin.torch.from_numpy(np.moveaxis(x, -1, 1)))
        kernel = layer.weight.detach().numpy().transpose(2, 3, 1, 0)  # OIHW → HWIO
    else:
        layer = twin.keras.layers.SpectralNormalization(twin.keras.layers.Conv2D(8, 4, 2, "same", use_bias=False),
                                                        power_iterations=30)
        layer(x, training=True)  # Keras overwrites the wrapped kernel with the normalised one
        kernel = layer.layer.kernel.numpy()
    assert gan.reshaped_kernel_norm(kernel) == pytest.approx(1.0, abs=1e-3)


# --- the two frameworks against each other ----------------------------------------------------------------


def transferred_pair(build):
    """The same G and D in both frameworks: PyTorch's random weights copied into the Keras twins."""
    from medcourse.transfer import torch_to_keras

    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    medcourse.seed_everything(0)
    torch_nets, keras_nets = build(pytorch.gan), build(tensorflow.gan)
    for source, target in zip(torch_nets, keras_nets, strict=True):
        torch_to_keras(source, target)
    return pytorch, tensorflow, torch_nets, keras_nets


@pytest.mark.parametrize("build, labels", [(dcgan, None), (conditional, np.arange(BATCH) % CLASSES)],
                         ids=["dcgan", "conditional"])
def test_one_step_is_the_same_computation_in_both_frameworks(build, labels):
    from medcourse.transfer import keras_to_torch

    pytorch, tensorflow, (g_torch, d_torch), (g_keras, d_keras) = transferred_pair(build)
    noise = gan.latent_noise(BATCH, LATENT, seed=2)
    np.testing.assert_array_equal(pytorch.gan.generate_images(g_torch, BATCH, latent_dim=LATENT, noise=noise, labels=labels),
                                  tensorflow.gan.generate_images(g_keras, BATCH, latent_dim=LATENT, noise=noise,
                                                                 labels=labels))
    # Adam with a negligible epsilon: the frameworks add epsilon at different places (see gan_optimizers).
    torch_adam = [pytorch.torch.optim.Adam(net.parameters(), 1e-3, betas=(0.5, 0.999), eps=1e-16)
                  for net in (g_torch, d_torch)]
    keras_adam = [tensorflow.keras.optimizers.Adam(1e-3, beta_1=0.5, epsilon=1e-16) for _ in range(2)]
    real = scale(real_images(), value_range=(-1, 1), layout="NCHW")
    torch_losses = pytorch.gan.train_step(g_torch, d_torch, *torch_adam, real, noise, labels=labels)
    keras_losses = tensorflow.gan.train_step(g_keras, d_keras, *keras_adam, np.moveaxis(real, 1, -1), noise,
                                             labels=labels)
    assert torch_losses == pytest.approx(keras_losses, abs=1e-5)
    updated = build(pytorch.gan)[0]
    keras_to_torch(g_keras, updated)
    largest = max(float(np.abs(a.detach().numpy() - b.detach().numpy()).max())
                  for a, b in zip(g_torch.parameters(), updated.parameters(), strict=True))
    assert largest < 1e-6, f"the generators differ by {largest:.2e} after one step"


# --- a short run that learns (CI-sized) ---------------------------------------------------------------


def pooled_pixels(images):
    """A cheap feature space for the Fréchet distance: 4×4 averages of the pixels, 49 numbers per image."""
    return images.reshape(len(images), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(images), -1).astype(np.float64)


@pytest.mark.slow
def test_a_short_run_leaves_chance_and_lowers_the_frechet_distance(twin):
    from medcourse.data import load_dataset

    images = load_dataset("lesions").train[0][:1000]
    layout = "NCHW" if twin.channels_first else "NHWC"
    real = scale(images, value_range=(-1, 1), layout=layout)
    medcourse.seed_everything(0)
    generator, discriminator = twin.gan.dcgan_generator(16, 8), twin.gan.dcgan_discriminator(8)
    optimizers = twin.gan.gan_optimizers(generator, discriminator)
    before = gan.frechet_distance(pooled_pixels(twin.gan.generate_images(generator, 500, latent_dim=16)),
                                  pooled_pixels(images[:500]))
    rng = np.random.default_rng(0)
    accuracy = [twin.gan.train_step(generator, discriminator, *optimizers, real[rng.integers(0, 1000, 32)],
                                    gan.latent_noise(32, 16, seed=step))["d_accuracy"] for step in range(150)]
    after = gan.frechet_distance(pooled_pixels(twin.gan.generate_images(generator, 500, latent_dim=16, seed=1)),
                                 pooled_pixels(images[500:]))
    assert max(np.convolve(accuracy, np.ones(20) / 20, mode="valid")) > 0.65, "D never told real from generated"
    assert after < 0.5 * before, f"the Fréchet distance did not fall enough ({before:.1f} → {after:.1f})"
