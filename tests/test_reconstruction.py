"""Reconstruction (notebook 11): CT and MRI forward models against scikit-image and NumPy, data consistency,
the twin networks' parity and training, the PSNR/SSIM definition, and the phantoms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.transform import iradon, radon

from medcourse import metrics
from medcourse import reconstruction as rc

# --- CT ---------------------------------------------------------------------------------------------------


def _disc_image(size: int, seed: int = 0) -> np.ndarray:
    image = np.random.default_rng(seed).random((size, size))
    return np.where(rc.circle_mask(size), image, 0.0)


@pytest.mark.parametrize("size", [16, 31, 64])
@pytest.mark.parametrize("views", [1, 7, 90])
def test_radon_transform_equals_skimage_radon(size, views):
    image, angles = _disc_image(size), rc.view_angles(views)
    reference = radon(image, theta=angles, circle=True)
    assert np.abs(rc.radon_transform(image, angles) - reference).max() < 1e-10 * reference.max()


@pytest.mark.parametrize("size", [16, 33, 64])
@pytest.mark.parametrize("window", rc.WINDOWS)
def test_filtered_back_projection_equals_skimage_iradon(size, window):
    angles = rc.view_angles(40)
    sinogram = radon(_disc_image(size, 1), theta=angles, circle=True)
    reference = iradon(sinogram, theta=angles, filter_name=window, circle=True)
    assert np.abs(rc.filtered_back_projection(sinogram, angles, window) - reference).max() < 1e-10 * np.abs(reference).max()


def test_a_stack_of_images_is_transformed_image_by_image():
    images, angles = np.stack([_disc_image(24, seed) for seed in range(3)]), rc.view_angles(12)
    sinograms = rc.radon_transform(images, angles)
    assert sinograms.shape == (3, 24, 12)
    assert np.allclose(sinograms[2], rc.radon_transform(images[2], angles))
    assert np.allclose(rc.filtered_back_projection(sinograms, angles)[1], rc.filtered_back_projection(sinograms[1], angles))


def test_filtered_back_projection_recovers_an_image_and_plain_back_projection_blurs_it():
    image = np.where(rc.circle_mask(48), 0.0, 0.0)
    image[18:30, 18:30] = 1.0
    angles = rc.view_angles(120)
    sinogram = rc.radon_transform(image, angles)
    recovered = rc.filtered_back_projection(sinogram, angles)
    blurred = rc.back_project(sinogram, angles) * np.pi / (2 * len(angles))
    assert np.abs(recovered - image).mean() < 0.05
    assert np.abs(blurred - image).mean() > 5 * np.abs(recovered - image).mean()


def test_ramp_filter_is_the_transform_of_its_kernel_and_close_to_abs_omega_except_at_zero():
    length = 256
    kernel = rc.ramp_kernel(length)
    assert kernel[0] == 0.25 and kernel[2] == 0.0 and np.isclose(kernel[1], -1 / np.pi**2)
    assert np.isclose(kernel[1], kernel[-1])                           # symmetric: offsets ±1
    response = rc.ramp_filter(length) / 2
    frequency = np.abs(np.fft.fftfreq(length))
    assert response[0] > 0                                             # not the sampled |ω|, which is 0 there
    assert np.abs(response - frequency)[frequency > 0.02].max() < 0.01
    assert np.all(rc.ramp_filter(length, "hann") <= rc.ramp_filter(length) + 1e-12)


def test_radon_transform_refuses_an_image_with_content_outside_the_circle():
    image = np.ones((16, 16))
    with pytest.raises(ValueError, match="outside the inscribed circle"):
        rc.radon_transform(image, [0.0])


def test_ct_functions_name_the_bad_argument():
    with pytest.raises(ValueError, match="images must be square"):
        rc.radon_transform(np.zeros((8, 9)), [0.0])
    with pytest.raises(ValueError, match="angles"):
        rc.radon_transform(np.zeros((8, 8)), [])
    with pytest.raises(ValueError, match="2 angles were given"):
        rc.back_project(np.zeros((8, 3)), [0.0, 90.0])
    with pytest.raises(ValueError, match="window must be one of"):
        rc.ramp_filter(64, "hamming")
    with pytest.raises(ValueError, match="count must be a positive whole number"):
        rc.view_angles(0)
    with pytest.raises(ValueError, match="incident_photons must be a positive"):
        rc.photon_counts(np.zeros((4, 4)), 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="line_integrals must be ≥ 0"):
        rc.photon_counts(-np.ones((4, 4)), 100, np.random.default_rng(0))


@given(st.floats(-1000, 3000))
def test_hounsfield_units_and_attenuation_are_inverse_above_air(hu):
    assert np.isclose(rc.attenuation_to_hu(rc.hu_to_attenuation(hu)), hu, atol=1e-9)


def test_water_is_zero_hu_and_air_has_no_attenuation():
    assert rc.hu_to_attenuation(0.0) == rc.MU_WATER
    assert rc.hu_to_attenuation(-1000.0) == 0.0 and rc.hu_to_attenuation(-1200.0) == 0.0


def test_log_transform_undoes_beer_lambert_and_its_variance_is_one_over_the_counts():
    rng = np.random.default_rng(0)
    line_integrals = np.linspace(0.0, 4.0, 9).reshape(3, 3)
    photons = 2e4
    noisy = rc.counts_to_line_integrals(rc.photon_counts(np.broadcast_to(line_integrals, (4000, 3, 3)), photons, rng),
                                        photons)
    assert np.allclose(noisy.mean(axis=0), line_integrals, atol=0.02)
    assert np.allclose(noisy.var(axis=0) * photons * np.exp(-line_integrals), 1.0, rtol=0.1)


def test_a_ray_that_caught_no_photon_counts_as_one():
    assert rc.counts_to_line_integrals(np.zeros((2, 2)), 100.0)[0, 0] == pytest.approx(np.log(100.0))


# --- MRI --------------------------------------------------------------------------------------------------


def test_kspace_is_the_centred_orthonormal_fft_and_its_inverse_gives_the_image_back():
    image = np.random.default_rng(0).random((6, 10, 12))
    k = rc.kspace(image)
    expected = np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(image, axes=(-2, -1))), axes=(-2, -1)) / np.sqrt(120)
    assert np.allclose(k, expected)
    assert np.allclose(rc.image_from_kspace(k), image, atol=1e-12)
    assert np.allclose((np.abs(k) ** 2).sum(axis=(1, 2)), (image**2).sum(axis=(1, 2)))   # Parseval


@pytest.mark.parametrize("acceleration", [2, 4, 8])
@pytest.mark.parametrize("pattern", ["random", "equispaced"])
def test_masks_sample_mirror_pairs_of_whole_lines_with_a_full_centre_and_never_exceed_the_budget(acceleration, pattern):
    mask = rc.cartesian_mask((48, 64), acceleration, centre_fraction=0.08, pattern=pattern, seed=3)
    lines = mask[0]
    assert (mask == lines).all()                                         # whole columns
    frequency = np.arange(64) - 32
    measured = set(frequency[lines].tolist())
    assert all(-u in measured for u in measured if u != -32)             # mirror pairs
    assert {-2, -1, 0, 1, 2} <= measured                                 # the centre
    assert rc.acceleration(mask) >= acceleration
    assert lines.sum() >= 64 / acceleration - 3


def test_random_masks_depend_on_the_seed_and_equispaced_ones_do_not():
    a, b = (rc.cartesian_mask((8, 64), 4, seed=seed) for seed in (0, 1))
    assert not np.array_equal(a, b)
    assert np.array_equal(rc.cartesian_mask((8, 64), 4, pattern="equispaced", seed=0),
                          rc.cartesian_mask((8, 64), 4, pattern="equispaced", seed=1))


def test_zero_filled_reconstruction_of_a_real_image_is_real_and_folds_with_regular_lines():
    image = np.random.default_rng(2).random((16, 32))
    mask = rc.cartesian_mask(image.shape, 4, seed=0)
    assert np.abs(rc.image_from_kspace(rc.undersample(image, mask)).imag).max() < 1e-12
    comb = np.zeros(image.shape, dtype=bool)
    comb[:, ::4] = True                                                   # every 4th line, the centre included
    copies = np.mean([np.roll(image, 8 * shift, axis=1) for shift in range(4)], axis=0)
    assert np.allclose(rc.zero_filled(np.where(comb, rc.kspace(image), 0)), copies)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([2, 4, 8]))
def test_data_consistency_restores_the_measured_lines_exactly_and_keeps_the_others(seed, acceleration):
    rng = np.random.default_rng(seed)
    truth, estimate = rng.random((16, 32)), rng.random((16, 32))
    mask = rc.cartesian_mask(truth.shape, acceleration, centre_fraction=0.1, seed=seed)
    measured = rc.undersample(truth, mask)
    consistent = rc.data_consistency(estimate, measured, mask)
    assert np.abs(rc.kspace(consistent) - measured)[mask].max() < 1e-12
    assert np.abs(rc.kspace(consistent) - rc.kspace(estimate))[~mask].max() < 1e-12
    assert np.allclose(rc.data_consistency(consistent, measured, mask), consistent)        # a projection
    assert np.allclose(rc.data_consistency(truth, measured, mask), truth)


def test_mri_functions_name_the_bad_argument():
    with pytest.raises(ValueError, match="acceleration must be ≥ 1"):
        rc.cartesian_mask((8, 8), 0.5)
    with pytest.raises(ValueError, match="pattern must be"):
        rc.cartesian_mask((8, 8), 2, pattern="spiral")
    with pytest.raises(ValueError, match="mask must have shape"):
        rc.undersample(np.zeros((8, 8)), np.ones((8, 4), dtype=bool))
    with pytest.raises(ValueError, match="measures nothing"):
        rc.acceleration(np.zeros((4, 4), dtype=bool))
    with pytest.raises(ValueError, match="measured_kspace must have the shape"):
        rc.data_consistency(np.zeros((8, 8)), np.zeros((8, 4)), np.ones((8, 8), dtype=bool))


# --- phantoms and batches ---------------------------------------------------------------------------------


def test_phantoms_are_deterministic_fit_the_field_of_view_and_render_in_both_contrasts():
    maps = rc.tissue_phantoms(4, 64, seed=5)
    assert np.array_equal(maps, rc.tissue_phantoms(4, 64, seed=5))
    assert not np.any(maps[:, ~rc.circle_mask(64)])                      # air outside the circle
    hu, mr = rc.render_ct(maps, seed=1), rc.render_mr(maps, seed=1)
    assert hu.shape == mr.shape == maps.shape
    assert hu[maps == 0].max() == -1000.0 or np.isclose(np.median(hu[maps == 0]), -1000.0)
    assert np.median(hu[maps == 5]) > 300 and np.median(hu[maps == 1]) < -50       # bone bright, fat dark
    assert np.median(mr[maps == 4]) > np.median(mr[maps == 2])                       # T2: fluid brighter than muscle
    assert mr.min() >= 0.0 and mr.max() <= 1.0


def test_mr_rendering_works_block_by_block_so_whole_blocks_render_as_on_their_own():
    maps = rc.tissue_phantoms(rc.MR_BLOCK + 10, 32, seed=2)
    whole = rc.render_mr(maps, seed=3)
    assert np.array_equal(rc.render_mr(maps[:rc.MR_BLOCK], seed=3), whole[:rc.MR_BLOCK])
    assert np.array_equal(rc.render_mr(maps, seed=3), whole)                        # the same seed, the same images
    assert not np.allclose(rc.render_mr(maps, seed=4), whole)
    assert not np.allclose(whole[rc.MR_BLOCK:rc.MR_BLOCK + 5], rc.render_mr(maps[rc.MR_BLOCK:rc.MR_BLOCK + 5], seed=3))
    with pytest.raises(ValueError, match="integer tissue maps"):
        rc.render_mr(maps.astype(float), seed=3)


def test_add_lesion_adds_a_small_disc_of_the_given_contrast():
    image = rc.add_lesion(np.zeros((16, 16)), (8, 8), 2.0, 0.5)
    assert image[8, 8] == 0.5 and image[0, 0] == 0.0
    assert 9 < (image > 0).sum() < 30


def test_unit_range_maps_minus_and_plus_1000_hu_onto_0_and_1():
    assert np.allclose(rc.to_unit_range([-1000.0, 0.0, 1000.0]), [0.0, 0.5, 1.0])
    assert np.allclose(rc.from_unit_range(rc.to_unit_range([-300.0, 1500.0])), [-300.0, 1500.0])


def test_training_batches_are_full_repeatable_and_cut_one_window_per_step():
    plan = list(rc.training_batches(10, steps=7, batch_size=4, image_shape=(12, 16), crop=8, seed=2))
    again = list(rc.training_batches(10, steps=7, batch_size=4, image_shape=(12, 16), crop=8, seed=2))
    assert len(plan) == 7 and all(len(indices) == 4 for indices, _ in plan)
    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(plan, again, strict=True))
    assert all(rows.stop - rows.start == 8 and cols.stop <= 16 for _, (rows, cols) in plan)
    with pytest.raises(ValueError, match="batch_size"):
        list(rc.training_batches(3, steps=1, batch_size=4, image_shape=(8, 8)))


# --- metrics ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 7), (48, 64), (30, 20)])
@pytest.mark.parametrize("data_range", [1.0, 255.0, 2.5])
def test_psnr_and_ssim_equal_scikit_image(shape, data_range):
    rng = np.random.default_rng(0)
    reference = data_range * rng.random(shape)
    estimate = reference + 0.05 * data_range * rng.standard_normal(shape)
    assert metrics.psnr(reference, estimate, data_range=data_range) == pytest.approx(
        peak_signal_noise_ratio(reference, estimate, data_range=data_range), abs=1e-10)
    assert metrics.ssim(reference, estimate, data_range=data_range) == pytest.approx(
        structural_similarity(reference, estimate, data_range=data_range), abs=1e-10)


def test_psnr_and_ssim_of_a_stack_are_one_value_per_image():
    rng = np.random.default_rng(1)
    references = rng.random((3, 16, 16))
    estimates = references + 0.1 * rng.standard_normal(references.shape)
    values = metrics.psnr(references, estimates, data_range=1.0)
    assert values.shape == (3,) and values[1] == pytest.approx(metrics.psnr(references[1], estimates[1], data_range=1.0))
    assert metrics.ssim(references, estimates, data_range=1.0).shape == (3,)


def test_psnr_depends_on_the_data_range_by_twenty_log_of_the_ratio():
    rng = np.random.default_rng(2)
    reference, estimate = rng.random((8, 8)), rng.random((8, 8))
    shift = metrics.psnr(reference, estimate, data_range=2.0) - metrics.psnr(reference, estimate, data_range=1.0)
    assert shift == pytest.approx(20 * np.log10(2))


def test_metrics_need_an_explicit_data_range_and_matching_shapes():
    image = np.zeros((8, 8))
    with pytest.raises(TypeError, match="data_range"):
        metrics.psnr(image, image)  # no default: the range belongs to the scale, say it
    with pytest.raises(ValueError, match="data_range must be a positive"):
        metrics.ssim(image, image, data_range=0)
    with pytest.raises(ValueError, match="same shape"):
        metrics.psnr(image, np.zeros((8, 9)), data_range=1.0)
    with pytest.raises(ValueError, match="at least 7×7"):
        metrics.ssim(np.zeros((5, 5)), np.zeros((5, 5)), data_range=1.0)
    assert metrics.psnr(image, image, data_range=1.0) == np.inf


# --- the twin networks ------------------------------------------------------------------------------------


def _module(twin):
    import importlib

    return importlib.import_module(f"{twin.package.__name__}.reconstruction")


def _layout(twin, images_nhw: np.ndarray):
    """NumPy (N, H, W) → a framework tensor in the framework's layout (N×1×H×W or N×H×W×1)."""
    array = np.ascontiguousarray(images_nhw[:, None] if twin.channels_first else images_nhw[..., None], np.float32)
    return twin.torch.from_numpy(array) if twin.name == "pytorch" else twin.tf.constant(array)


def _back(twin, tensor) -> np.ndarray:
    array = twin.numpy(tensor)
    return array[:, 0] if twin.channels_first else array[..., 0]


def _randomise(twin, model, seed: int = 0) -> None:
    """Weights far from the identity start (σ = 0.5), so that the network visibly changes its input."""
    rng = np.random.default_rng(seed)
    if twin.name == "pytorch":
        with twin.torch.no_grad():
            for parameter in model.parameters():
                parameter.copy_(twin.torch.from_numpy(rng.normal(0, 0.5, tuple(parameter.shape)).astype(np.float32)))
    else:
        model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])


def test_the_untrained_unet_returns_its_input(twin):
    module = _module(twin)
    images = np.random.default_rng(0).random((3, 16, 20)).astype(np.float32)
    assert np.allclose(module.reconstruct(module.reconstruction_unet((16, 20, 1), 4), images), images, atol=1e-6)


def test_the_twin_data_consistency_equals_numpy_and_restores_the_measured_lines(twin):
    module = _module(twin)
    rng = np.random.default_rng(1)
    mask = rc.cartesian_mask((16, 32), 4, seed=2)
    zero_filled = rc.zero_filled(rc.undersample(rng.random((2, 16, 32)), mask))
    estimate = rng.random((2, 16, 32))
    result = _back(twin, module.data_consistency(_layout(twin, estimate), _layout(twin, zero_filled), mask))
    assert np.abs(result - rc.data_consistency(estimate, rc.kspace(zero_filled), mask)).max() < 1e-5
    assert np.abs(rc.kspace(result.astype(np.float64)) - rc.kspace(zero_filled))[:, mask].max() < 1e-5


def test_a_unet_with_a_mask_agrees_with_the_measurements_whatever_its_weights(twin):
    module = _module(twin)
    mask = rc.cartesian_mask((16, 32), 4, seed=0)
    unet = module.reconstruction_unet((16, 32, 1), 4, mask=mask)
    _randomise(twin, unet)
    zero_filled = rc.zero_filled(rc.undersample(np.random.default_rng(3).random((2, 16, 32)), mask)).astype(np.float32)
    output = module.reconstruct(unet, zero_filled).astype(np.float64)
    assert np.abs(output - zero_filled).max() > 0.01                      # the network did change the image …
    difference = np.abs(rc.kspace(output) - rc.kspace(zero_filled.astype(np.float64)))[:, mask].max()
    assert difference < 1e-4 * np.abs(rc.kspace(output)).max()            # … but not on the measured lines


def test_builders_refuse_shapes_that_do_not_fit(twin):
    module = _module(twin)
    with pytest.raises(ValueError, match="multiples of 4"):
        module.reconstruction_unet((30, 32, 1))
    with pytest.raises(ValueError, match="mask must have the image's shape"):
        module.reconstruction_unet((16, 32, 1), mask=np.ones((16, 16), dtype=bool))
    with pytest.raises(ValueError, match="input_shape must be"):
        module.patchgan_discriminator((16, 16))


def test_the_patch_discriminator_gives_one_logit_per_quarter_size_patch(twin):
    module = _module(twin)
    pair = np.random.default_rng(0).random((2, 16, 24, 2)).astype(np.float32)
    logits = twin.call(module.patchgan_discriminator((16, 24, 2), 4), pair)
    assert logits.shape == (2, 4, 6, 1)


def test_copy_model_is_an_independent_copy_with_the_same_outputs(twin):
    module = _module(twin)
    unet = module.reconstruction_unet((16, 16, 1), 4)
    _randomise(twin, unet)
    clone = module.copy_model(unet)
    images = np.random.default_rng(0).random((2, 16, 16)).astype(np.float32)
    assert np.allclose(module.reconstruct(clone, images), module.reconstruct(unet, images), atol=1e-6)
    _randomise(twin, clone, seed=1)
    assert not np.allclose(module.reconstruct(clone, images), module.reconstruct(unet, images), atol=1e-3)


def test_a_short_training_run_records_every_loss_and_changes_the_network(twin):
    module = _module(twin)
    rng = np.random.default_rng(0)
    targets = rng.random((12, 16, 16)).astype(np.float32)
    inputs = (targets + 0.2 * rng.standard_normal(targets.shape)).astype(np.float32)
    unet = module.reconstruction_unet((16, 16, 1), 4)
    history = module.fit_reconstruction(unet, inputs, targets, steps=3, batch_size=4, crop=8, verbose=False,
                                        discriminator=module.patchgan_discriminator((16, 16, 2), 4))
    assert sorted(history) == ["adversarial", "d_loss", "l1", "seconds"]
    assert len(history["l1"]) == len(history["d_loss"]) == 3 and np.all(np.isfinite(history["l1"]))
    assert not np.allclose(module.reconstruct(unet, inputs), inputs, atol=1e-6)
    with pytest.raises(ValueError, match="inputs and targets"):
        module.fit_reconstruction(unet, inputs, targets[:, :8], steps=1, verbose=False)


@pytest.mark.slow
def test_l1_training_learns_to_denoise(twin):
    module = _module(twin)
    rng = np.random.default_rng(0)
    targets = np.repeat(np.repeat(rng.random((64, 4, 4)), 4, axis=1), 4, axis=2).astype(np.float32)  # blocks
    inputs = (targets + 0.1 * rng.standard_normal(targets.shape)).astype(np.float32)
    before = metrics.psnr(targets, inputs, data_range=1.0).mean()
    unet = module.reconstruction_unet((16, 16, 1), 8)
    module.fit_reconstruction(unet, inputs, targets, steps=150, batch_size=16, verbose=False)
    assert metrics.psnr(targets, module.reconstruct(unet, inputs), data_range=1.0).mean() > before + 2.0


def test_keras_and_pytorch_networks_agree_after_weight_transfer_and_after_one_training_step():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    import torch

    import medcourse.pytorch.reconstruction as torch_rec
    import medcourse.tensorflow.reconstruction as tf_rec
    from medcourse.transfer import keras_to_torch

    rng = np.random.default_rng(0)
    mask = rc.cartesian_mask((16, 32), 4, seed=0)
    images = rc.zero_filled(rc.undersample(rng.random((3, 16, 32)), mask)).astype(np.float32)
    for keras_model, torch_model in [(tf_rec.reconstruction_unet((16, 32, 1), 4, mask=mask),
                                      torch_rec.reconstruction_unet((16, 32, 1), 4, mask=mask)),
                                     (tf_rec.reconstruction_unet((16, 32, 1), 4), torch_rec.reconstruction_unet((16, 32, 1), 4))]:
        keras_model.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in keras_model.get_weights()])
        keras_to_torch(keras_model, torch_model)
        assert np.abs(tf_rec.reconstruct(keras_model, images) - torch_rec.reconstruct(torch_model, images)).max() < 1e-4
    pair = rng.random((2, 16, 32, 2)).astype(np.float32)
    keras_critic, torch_critic = tf_rec.patchgan_discriminator((16, 32, 2), 4), torch_rec.patchgan_discriminator((16, 32, 2), 4)
    keras_to_torch(keras_critic, torch_critic)
    torch_logits = torch_critic(torch.from_numpy(pair.transpose(0, 3, 1, 2))).detach().numpy().transpose(0, 2, 3, 1)
    assert np.abs(keras_critic(pair).numpy() - torch_logits).max() < 1e-5
    targets = rng.random(images.shape).astype(np.float32)
    tf_rec.train_step(keras_model, tf_rec.keras.optimizers.SGD(0.01), images[..., None], targets[..., None],
                      l1_weight=1.0)
    torch_rec.train_step(torch_model, torch.optim.SGD(torch_model.parameters(), 0.01), torch.from_numpy(images[:, None]),
                         torch.from_numpy(targets[:, None]), l1_weight=1.0)
    assert np.abs(tf_rec.reconstruct(keras_model, images) - torch_rec.reconstruct(torch_model, images)).max() < 1e-3
