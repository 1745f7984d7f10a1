"""medcourse.cnn (the NumPy layers of notebook 03) against both frameworks, and the course-notes CNN in both."""

from __future__ import annotations

import numpy as np
import pytest
from twins import random_batch

from medcourse import cnn


def test_parameter_counts_follow_the_formulas():
    assert cnn.conv_parameters(3, 3, 1, 32) == 3 * 3 * 1 * 32 + 32
    assert cnn.dense_parameters(1600, 10) == 1600 * 10 + 10


def test_receptive_field_grows_with_kernels_and_strides():
    assert cnn.receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)]) == [3, 4, 8, 10]


@pytest.mark.parametrize(("shape", "classes", "message"), [
    ((28, 28), 10, "input_shape"), ((28, 28, 1), 1, "num_classes"), ((6, 6, 1), 3, "at least 10"),
    ((28, 28, 0), 2, "input_shape"), ((28, 28, 1), True, "num_classes"), ("28x28", 2, "input_shape"),
])
def test_check_input_shape_names_the_bad_argument(shape, classes, message):
    with pytest.raises(ValueError, match=message):
        cnn.check_input_shape(shape, classes)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_layer_equals_the_framework_layer(twin, padding):
    x, kernel, bias = random_batch((2, 9, 11, 3)), random_batch((3, 3, 3, 5), seed=1), random_batch((5,), seed=2)
    np.testing.assert_allclose(twin.conv2d(x, kernel, bias, padding=padding),
                               cnn.conv2d_layer(x, kernel, bias, padding=padding), atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_strided_conv_equals_the_framework_layer(twin, padding):
    x, kernel = random_batch((1, 10, 9, 2)), random_batch((4, 4, 2, 3), seed=3)
    np.testing.assert_allclose(twin.conv2d(x, kernel, stride=2, padding=padding),
                               cnn.conv2d_layer(x, kernel, stride=2, padding=padding), atol=1e-5)


def test_relu_and_max_pooling_equal_the_framework_layers(twin):
    x = random_batch((2, 9, 11, 3))
    np.testing.assert_allclose(twin.relu_pool(x), cnn.max_pool2d(cnn.relu(x)), atol=1e-6)


def test_conv_backward_by_hand_equals_autodiff(twin):
    x = random_batch((2, 7, 8, 3)).astype(np.float64)
    kernel = random_batch((3, 3, 3, 4), seed=1).astype(np.float64)
    upstream = random_batch((2, 5, 6, 4), seed=2).astype(np.float64)
    grad_x, grad_kernel, grad_bias = cnn.conv2d_backward(x, kernel, upstream)
    framework_x, framework_kernel = twin.conv2d_gradients(x, kernel, upstream)
    np.testing.assert_allclose(grad_x, framework_x, atol=1e-10)
    np.testing.assert_allclose(grad_kernel, framework_kernel, atol=1e-10)
    np.testing.assert_allclose(grad_bias, upstream.sum(axis=(0, 1, 2)), atol=1e-12)


def test_cnn_classifier_has_the_course_notes_parameter_count(twin):
    model = twin.package.cnn_classifier((28, 28, 1), 10)
    expected = cnn.conv_parameters(3, 3, 1, 32) + cnn.conv_parameters(3, 3, 32, 64) + cnn.dense_parameters(1600, 10)
    assert twin.trainable_count(model) == expected == 34826


def test_cnn_classifier_outputs_logits_in_pytorch_and_probabilities_in_keras(twin):
    output = twin.call(twin.package.cnn_classifier((20, 24, 3), 4), random_batch((5, 20, 24, 3)))
    assert output.shape == (5, 4)
    sums_to_one = np.allclose(output.sum(axis=1), 1.0, atol=1e-6)
    assert sums_to_one != twin.outputs_logits


def test_cnn_classifier_refuses_bad_arguments(twin):
    with pytest.raises(ValueError, match=r"input_shape"):
        twin.package.cnn_classifier((28, 28), 10)
    with pytest.raises(ValueError, match=r"num_classes"):
        twin.package.cnn_classifier((28, 28, 1), 1)


def _modern_parameters(channels: int, classes: int, height: int = 28, width: int = 28) -> int:
    """Trainable parameters of the modern CNN by formula: bias-free 3×3 convolutions, γ and β per channel, a dense layer."""
    total, previous = 0, channels
    for filters in (32, 64, 128):
        total += 3 * 3 * previous * filters + 2 * filters
        previous, height, width = filters, height // 2, width // 2
    return total + cnn.dense_parameters(previous * height * width, classes)


@pytest.mark.parametrize(("shape", "classes"), [((28, 28, 1), 2), ((28, 28, 3), 5), ((48, 64, 1), 3)])
def test_modern_cnn_has_the_parameter_count_of_its_formula_in_both_frameworks(twin, shape, classes):
    model = twin.package.cnn_classifier(shape, classes, variant="modern")
    assert twin.trainable_count(model) == _modern_parameters(shape[2], classes, *shape[:2])
    output = twin.call(model, random_batch((3, *shape)))
    assert output.shape == (3, classes)
    assert np.allclose(output.sum(axis=1), 1.0, atol=1e-5) != twin.outputs_logits


def test_modern_cnn_takes_images_down_to_8_pixels_and_refuses_smaller_or_unknown_variants(twin):
    assert twin.call(twin.package.cnn_classifier((8, 8, 1), 2, variant="modern"), random_batch((2, 8, 8, 1))).shape == (2, 2)
    with pytest.raises(ValueError, match="at least 8"):
        twin.package.cnn_classifier((7, 7, 1), 2, variant="modern")
    with pytest.raises(ValueError, match="variant must be one of"):
        twin.package.cnn_classifier((28, 28, 1), 2, variant="resnet")


def test_modern_cnn_batch_norm_follows_the_same_running_average_in_both_frameworks(twin):
    """Keras's momentum 0.9 weighs the running mean, PyTorch's 0.1 the batch: one update moves it 10 % of the way."""
    model = twin.package.cnn_classifier((8, 8, 1), 2, variant="modern")
    x = np.abs(random_batch((16, 8, 8, 1))) + 1.0
    if twin.name == "pytorch":
        model.train()
        with twin.torch.no_grad():
            features = model.conv1(twin.torch.from_numpy(np.moveaxis(x, -1, 1).copy()))
            model.bn1(features)
        batch_mean, running = features.mean(dim=(0, 2, 3)).numpy(), model.bn1.running_mean.numpy()
    else:
        features = model.get_layer("conv1")(x)
        model.get_layer("bn1")(features, training=True)
        batch_mean = np.asarray(features).mean(axis=(0, 1, 2))
        running = np.asarray(model.get_layer("bn1").moving_mean)
    np.testing.assert_allclose(running, 0.1 * batch_mean, rtol=1e-4, atol=1e-6)
