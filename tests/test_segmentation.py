"""medcourse.segmentation (the NumPy reference of notebook 05) and the U-Net and losses of both frameworks."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twins import tiny_segmentation

from medcourse import metrics
from medcourse import segmentation as seg
from medcourse.data import hippocampus, load_dataset


def _twin_segmentation(twin):
    return importlib.import_module(f"{twin.package.__name__}.segmentation")


# --- shape arithmetic and parameter counts ---------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "message"), [
    (((48, 64), 3), "input_shape must be"), (((48, 64, 1), 1), "num_classes"),
    (((40, 56, 1), 3, {"depth": 4}), r"multiples of 2\*\*4 = 16 .*depth ≤ 3"),
    (((36, 50, 1), 3, {"depth": 2}), r"depth ≤ 1"), (((48, 64, 1), 3, {"base_filters": 0}), "base_filters"),
    (((48, 64, 1), 3, {"depth": True}), "depth"), (((48, 64, 1), 3, {"upsampling": "deconv"}), "upsampling"),
])
def test_check_unet_arguments_names_the_bad_argument_and_the_fix(arguments, message):
    shape, classes, *options = arguments
    with pytest.raises(ValueError, match=message):
        seg.check_unet_arguments(shape, classes, **(options[0] if options else {}))


def test_unet_shapes_come_back_to_the_input_size_with_the_skips_doubling_the_channels():
    shapes = dict(seg.unet_shapes((40, 56, 1), 3, base_filters=8, depth=3))
    assert shapes["bottleneck"] == (5, 7, 64)
    assert shapes["decoder 2: up-sampled"] == (10, 14, 32) and shapes["decoder 2: concatenated"] == (10, 14, 64)
    assert shapes["output"] == (40, 56, 3)


@pytest.mark.parametrize("upsampling", seg.UPSAMPLING)
@pytest.mark.parametrize("batch_norm", [True, False])
def test_unet_has_the_parameter_count_derived_by_hand(twin, upsampling, batch_norm):
    model = twin.package.unet((16, 24, 3), 4, base_filters=4, depth=2, batch_norm=batch_norm, upsampling=upsampling)
    expected = seg.unet_parameter_count((16, 24, 3), 4, base_filters=4, depth=2, batch_norm=batch_norm,
                                        upsampling=upsampling)
    assert twin.trainable_count(model) == expected


def test_unet_outputs_one_score_per_class_and_pixel_probabilities_in_keras_logits_in_pytorch(twin):
    model = twin.package.unet((16, 24, 1), 3, base_filters=4, depth=3)
    output = twin.call(model, np.random.default_rng(0).random((2, 16, 24, 1), dtype=np.float32))
    assert output.shape == (2, 16, 24, 3)
    sums = output.sum(axis=-1)
    assert np.allclose(sums, 1.0, atol=1e-5) != twin.outputs_logits  # Keras ends with a softmax, PyTorch does not
    probabilities = twin.package.predict_proba(model, np.zeros((3, 16, 24), np.uint8))
    assert probabilities.shape == (3, 16, 24, 3) and np.allclose(probabilities.sum(-1), 1.0, atol=1e-5)


def test_unet_refuses_an_input_that_does_not_halve_evenly(twin):
    with pytest.raises(ValueError, match="multiples of 2\\*\\*3"):
        twin.package.unet((20, 24, 1), 3, depth=3)


def test_unet_is_reexported_from_the_framework_package(twin):
    assert twin.package.unet is _twin_segmentation(twin).unet


# --- soft Dice and its gradient --------------------------------------------------------------------------


@st.composite
def batches(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    classes = draw(st.integers(2, 4))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    return rng.normal(size=(*shape, classes)) * 2, rng.integers(0, classes, shape)


@settings(max_examples=30, deadline=None)
@given(batches(), st.sampled_from([0.0, 1.0]), st.booleans())
def test_soft_dice_gradient_equals_central_finite_differences(batch, smooth, include_background):
    logits, masks = batch
    p = seg.softmax(logits)
    options = {"smooth": smooth + 1e-3, "include_background": include_background}
    gradient = seg.soft_dice_gradient(p, masks, **options)
    step, numeric = 1e-6, np.zeros_like(p)
    for index in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (seg.soft_dice_loss(up, masks, **options) - seg.soft_dice_loss(down, masks, **options)) / (2 * step)
    np.testing.assert_allclose(gradient, numeric, atol=1e-6)


def test_soft_dice_of_hard_predictions_is_the_pooled_dice_coefficient():
    rng = np.random.default_rng(1)
    truth, predicted = rng.integers(0, 3, (4, 6, 5)), rng.integers(0, 3, (4, 6, 5))
    soft = seg.soft_dice(seg.one_hot(predicted, 3), truth, smooth=0.0)
    np.testing.assert_allclose(soft, metrics.dice(truth, predicted, labels=[0, 1, 2]))


def test_soft_dice_loss_is_zero_for_the_truth_and_leaves_out_the_background_by_default():
    masks = np.array([[[0, 1], [2, 0]]])
    assert seg.soft_dice_loss(seg.one_hot(masks, 3), masks) == pytest.approx(0.0)
    wrong = seg.one_hot(np.zeros_like(masks), 3)  # everything called background
    assert seg.soft_dice_loss(wrong, masks, smooth=0.0) == pytest.approx(1.0)
    assert seg.soft_dice_loss(wrong, masks, smooth=0.0, include_background=True) == pytest.approx(1 - (2 * 2 / 6) / 3)


def test_softmax_backward_is_the_chain_rule_through_the_softmax():
    rng = np.random.default_rng(2)
    z, upstream = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    jacobian = np.stack([np.diag(p) - np.outer(p, p) for p in seg.softmax(z)])  # ∂p_j/∂z_k per row
    np.testing.assert_allclose(seg.softmax_backward(seg.softmax(z), upstream), np.einsum("nj,njk->nk", upstream, jacobian))


@pytest.mark.parametrize("loss_name", ["soft_dice_loss", "dice_cross_entropy_loss"])
@pytest.mark.parametrize("include_background", [False, True])
def test_framework_losses_and_their_gradients_equal_the_numpy_derivation(twin, loss_name, include_background):
    rng = np.random.default_rng(3)
    logits, masks = rng.normal(size=(2, 5, 6, 3)).astype(np.float32), rng.integers(0, 3, (2, 5, 6))
    loss = getattr(_twin_segmentation(twin), loss_name)(3, include_background=include_background)
    value, gradient = twin.loss_and_logit_gradient(loss, logits, masks)
    p = seg.softmax(logits)
    expected = seg.soft_dice_loss(p, masks, include_background=include_background)
    expected_gradient = seg.softmax_backward(p, seg.soft_dice_gradient(p, masks, include_background=include_background))
    if loss_name == "dice_cross_entropy_loss":  # + mean cross-entropy, whose gradient wrt z is (p − g) / pixels
        g = seg.one_hot(masks, 3)
        expected += -np.mean(np.log((p * g).sum(-1)))
        expected_gradient += (p - g) / masks.size
    assert value == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(gradient, expected_gradient, atol=1e-6)


def test_loss_factories_refuse_a_bad_number_of_classes(twin):
    with pytest.raises(ValueError, match="num_classes"):
        _twin_segmentation(twin).soft_dice_loss(1)


# --- up-sampling -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kernel_size", "stride"), [(2, 2), (3, 2), (3, 1), (4, 2)])
def test_transposed_conv2d_equals_the_framework_layer(twin, kernel_size, stride):
    rng = np.random.default_rng(4)
    image, kernel = rng.normal(size=(5, 7)), rng.normal(size=(kernel_size, kernel_size))
    np.testing.assert_allclose(twin.transposed_conv2d(image, kernel, stride), seg.transposed_conv2d(image, kernel, stride=stride),
                               atol=1e-5)


def test_overlap_of_transposed_convolution_stamps_is_even_only_when_the_kernel_is_a_multiple_of_the_stride():
    ones = np.ones((6, 6))
    even = seg.transposed_conv2d(ones, np.ones((2, 2)), stride=2)
    uneven = seg.transposed_conv2d(ones, np.ones((3, 3)), stride=2)[2:-2, 2:-2]  # away from the border
    assert np.unique(even).tolist() == [1.0]
    assert np.unique(uneven).tolist() == [1.0, 2.0, 4.0]  # the checkerboard
    np.testing.assert_array_equal(seg.upsample_nearest(np.arange(4).reshape(2, 2)),
                                  np.kron(np.arange(4).reshape(2, 2), np.ones((2, 2), int)))


# --- evaluation ------------------------------------------------------------------------------------------


def test_ejection_fraction_from_the_true_left_ventricle_areas_is_close_to_the_true_ejection_fraction():
    data = load_dataset("cine", masks=True, train_size=1, val_size=1, test_size=60)
    masks = data.test[1]
    areas = (masks == data.classes.index("LV cavity")).sum(axis=(2, 3))
    estimated = seg.ejection_fraction_from_areas(areas)
    assert np.mean(np.abs(estimated - data.info["ejection_fraction"]["test"])) < 3.0  # pixel quantisation only
    with pytest.raises(ValueError, match="at least two frames"):
        seg.ejection_fraction_from_areas([3.0])


@pytest.fixture(scope="module")
def hippocampus_data():
    return load_dataset("hippocampus")


def test_patient_scores_of_the_truth_itself_are_perfect_per_patient(hippocampus_data):
    volumes = hippocampus.volumes(hippocampus_data, "test", predicted=hippocampus_data.test[1])
    scores = seg.patient_scores(volumes, hippocampus_data.classes)
    assert scores.structures == ("anterior", "posterior", "all foreground")
    assert scores.dice.shape == (len(hippocampus_data.info["patients"]["test"]), 3)
    assert np.all(scores.dice == 1.0) and np.all(scores.hd95 == 0.0) and np.all(scores.volume_error == 0.0)
    whole = scores.true_volume[:, 2]
    np.testing.assert_allclose(whole, scores.true_volume[:, 0] + scores.true_volume[:, 1])
    total_voxels = np.count_nonzero(hippocampus_data.test[1])  # every labelled voxel, all patients (1 mm³ each)
    assert whole.sum() == pytest.approx(total_voxels * np.prod(hippocampus_data.info["spacing_mm"]))


def test_patient_scores_find_the_worst_patient_and_report_mean_and_sd(hippocampus_data):
    predicted = np.array(hippocampus_data.test[1])
    patients = hippocampus_data.info["patient"]["test"]
    victim = hippocampus_data.info["patients"]["test"][3]
    predicted[patients == victim] = 0  # the model misses this patient's hippocampus entirely
    scores = seg.patient_scores(hippocampus.volumes(hippocampus_data, "test", predicted=predicted),
                                hippocampus_data.classes)
    assert scores.patients[scores.worst()] == victim
    assert np.isinf(scores.hd95[scores.worst()]).all()
    assert "(1 inf)" in scores.table() and "Dice" in scores.table("title")
    assert scores.agreement().bias < 0  # a missed hippocampus: the predicted volume is too small


def test_patient_stacks_put_any_per_pixel_array_where_the_volumes_put_the_masks(hippocampus_data):
    masks = hippocampus_data.test[1]
    probabilities = np.eye(3, dtype=np.float32)[masks]
    stacks = seg.patient_stacks(hippocampus_data, "test", probabilities)
    for stack, patient in zip(stacks, hippocampus.volumes(hippocampus_data, "test"), strict=True):
        np.testing.assert_array_equal(stack.argmax(-1), patient.truth)
        assert stack.shape == (*patient.truth.shape, 3)
    with pytest.raises(ValueError, match="masks' shape"):
        seg.patient_stacks(hippocampus_data, "test", probabilities[:5])


def test_threshold_classes_grow_the_structures_as_the_threshold_falls():
    rng = np.random.default_rng(6)
    p = seg.softmax(rng.normal(size=(20, 20, 3)))
    low, middle, high = (seg.threshold_classes(p, t) for t in (0.2, 0.5, 0.8))
    assert np.all((high > 0) <= (middle > 0)) and np.all((middle > 0) <= (low > 0))
    np.testing.assert_array_equal(low[low > 0], 1 + p[..., 1:].argmax(-1)[low > 0])
    with pytest.raises(ValueError, match="threshold"):
        seg.threshold_classes(p, 0)


def test_patient_scores_need_predictions():
    with pytest.raises(ValueError, match="predictions"):
        seg.patient_scores([], ("background", "a"))


def test_no_test_patient_is_also_a_training_patient(hippocampus_data):
    train, test = (set(hippocampus_data.info["patient"][split].tolist()) for split in ("train", "test"))
    assert train.isdisjoint(test) and len(test) == 25


# --- training smoke test ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_short_fit_with_dice_and_cross_entropy_learns_the_tiny_masks(twin):
    import medcourse

    data = tiny_segmentation(train=64)
    threads = twin.torch.get_num_threads() if twin.name == "pytorch" else None
    if threads:  # a tiny model: one thread is faster, and not slowed down by a busy machine
        twin.torch.set_num_threads(1)
    try:
        medcourse.seed_everything(0)
        model = twin.package.unet((16, 16, 1), 3, base_filters=8, depth=2)
        before = twin.package.evaluate(model, data, "val")["dice"]
        loss = _twin_segmentation(twin).dice_cross_entropy_loss(3)
        history = twin.package.fit(model, data, epochs=12, batch_size=16, learning_rate=1e-2, loss=loss, verbose=False)
        after = twin.package.evaluate(model, data, "val")["dice"]
    finally:
        if threads:
            twin.torch.set_num_threads(threads)
    assert history.task == "segmentation" and history.epochs == 12
    assert after == pytest.approx(history.best()["dice"], abs=1e-6)
    assert after > max(0.85, before + 0.3), (before, after)
