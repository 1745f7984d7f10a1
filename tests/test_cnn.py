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
