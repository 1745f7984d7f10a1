"""The modern blocks of notebook 03 in NumPy (batch norm, dropout, "same" padding, residual block) against both frameworks.

Each framework's own layer is built here with the same numbers (the helpers below do only what differs by
nature: how a layer is made, called in training or evaluation mode, and read back); what is tested is
``medcourse.cnn``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twins import random_batch

from medcourse import cnn


def framework_batch_norm(twin, x, gamma, beta, moving_mean, moving_variance, *, keep, epsilon):
    """The framework's batch-norm layer: output in training mode, the moving averages after it, output in eval mode."""
    channels = x.shape[3]
    if twin.name == "pytorch":
        torch = twin.torch
        layer = torch.nn.BatchNorm2d(channels, eps=epsilon, momentum=1 - keep)  # PyTorch: momentum = 1 − keep
        with torch.no_grad():
            for tensor, value in [(layer.weight, gamma), (layer.bias, beta), (layer.running_mean, moving_mean),
                                  (layer.running_var, moving_variance)]:
                tensor.copy_(torch.from_numpy(value))
        training = twin.call(layer.train(), x)
        moving = layer.running_mean.numpy().copy(), layer.running_var.numpy().copy()
        return training, moving, twin.call(layer.eval(), x)
    layer = twin.keras.layers.BatchNormalization(momentum=keep, epsilon=epsilon)  # Keras: momentum = keep
    layer.build(x.shape)
    layer.set_weights([gamma, beta, moving_mean, moving_variance])
    training = twin.numpy(layer(x, training=True))
    moving = layer.moving_mean.numpy().copy(), layer.moving_variance.numpy().copy()
    return training, moving, twin.numpy(layer(x, training=False))


def framework_dropout(twin, x, rate, *, training):
    if twin.name == "pytorch":
        layer = twin.torch.nn.Dropout(rate)
        return twin.numpy(layer.train(training)(twin.torch.from_numpy(x)))
    return twin.numpy(twin.keras.layers.Dropout(rate)(x, training=training))


def framework_residual_block(twin, x, kernel1, bias1, kernel2, bias2, shortcut):
    """relu(skip + conv₂(relu(conv₁(x)))) built from the framework's own layers, with our weights copied in."""
    if twin.name == "pytorch":
        torch = twin.torch
        nn = torch.nn

        def conv(kernel, bias, padding):
            layer = nn.Conv2d(kernel.shape[2], kernel.shape[3], kernel.shape[:2], padding=padding,
                              bias=bias is not None)
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))  # HWIO → OIHW
                if bias is not None:
                    layer.bias.copy_(torch.from_numpy(bias))
            return layer

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.conv2 = conv(kernel1, bias1, "same"), conv(kernel2, bias2, "same")
                self.shortcut = nn.Identity() if shortcut is None else conv(shortcut, None, 0)

            def forward(self, inputs):
                return torch.relu(self.shortcut(inputs) + self.conv2(torch.relu(self.conv1(inputs))))

        return twin.call(Block(), x)
    keras = twin.keras
    inputs = keras.Input(x.shape[1:])
    inner = keras.layers.Conv2D(kernel1.shape[3], kernel1.shape[:2], padding="same", activation="relu")
    outer = keras.layers.Conv2D(kernel2.shape[3], kernel2.shape[:2], padding="same")
    skip = inputs
    if shortcut is not None:
        projection = keras.layers.Conv2D(shortcut.shape[3], 1, use_bias=False)
        skip = projection(inputs)
    outputs = keras.layers.ReLU()(keras.layers.Add()([skip, outer(inner(inputs))]))
    model = keras.Model(inputs, outputs)
    inner.set_weights([kernel1, bias1])
    outer.set_weights([kernel2, bias2])
    if shortcut is not None:
        projection.set_weights([shortcut])
    return twin.call(model, x)


def _batch_norm_case(seed=0, shape=(4, 5, 6, 3)):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, size=shape).astype(np.float32)
    channels = shape[3]
    gamma, beta = rng.uniform(0.5, 2.0, channels).astype(np.float32), rng.normal(size=channels).astype(np.float32)
    moving_mean = rng.normal(size=channels).astype(np.float32)
    moving_variance = rng.uniform(0.5, 2.0, channels).astype(np.float32)
    return x, gamma, beta, moving_mean, moving_variance


# --- Batch normalisation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("keep", "epsilon"), [(0.9, 1e-5), (0.99, 1e-3)])
def test_batch_norm_in_training_mode_uses_the_batch_statistics(twin, keep, epsilon):
    x, gamma, beta, moving_mean, moving_variance = _batch_norm_case()
    training, _, _ = framework_batch_norm(twin, x, gamma, beta, moving_mean, moving_variance, keep=keep,
                                          epsilon=epsilon)
    ours = cnn.batch_norm(x, gamma, beta, *cnn.batch_statistics(x), epsilon=epsilon)
    np.testing.assert_allclose(training, ours, atol=2e-5)


@pytest.mark.parametrize("keep", [0.9, 0.99])
def test_the_running_averages_keep_the_share_keep_keras_momentum_and_one_minus_pytorch_momentum(twin, keep):
    x, gamma, beta, moving_mean, moving_variance = _batch_norm_case(seed=1)
    _, (framework_mean, framework_variance), _ = framework_batch_norm(
        twin, x, gamma, beta, moving_mean, moving_variance, keep=keep, epsilon=1e-5)
    mean, variance = cnn.batch_statistics(x.astype(np.float64))
    values = x.size // x.shape[3]
    if twin.name == "pytorch":  # PyTorch averages the unbiased batch variance, Keras the biased one
        variance = variance * values / (values - 1)
    np.testing.assert_allclose(framework_mean, cnn.moving_average(moving_mean, mean, keep=keep), atol=1e-5)
    np.testing.assert_allclose(framework_variance, cnn.moving_average(moving_variance, variance, keep=keep),
                               atol=1e-5)


def test_batch_norm_in_evaluation_mode_uses_the_running_averages_not_the_batch(twin):
    x, gamma, beta, moving_mean, moving_variance = _batch_norm_case(seed=2)
    _, (new_mean, new_variance), evaluation = framework_batch_norm(
        twin, x, gamma, beta, moving_mean, moving_variance, keep=0.9, epsilon=1e-5)
    np.testing.assert_allclose(evaluation, cnn.batch_norm(x, gamma, beta, new_mean, new_variance), atol=2e-5)
    with_batch = cnn.batch_norm(x, gamma, beta, *cnn.batch_statistics(x))
    assert np.abs(evaluation - with_batch).max() > 0.1


def test_batch_norm_output_has_mean_beta_and_standard_deviation_gamma_per_channel():
    x, gamma, beta, _, _ = _batch_norm_case(seed=3, shape=(8, 6, 6, 2))
    y = cnn.batch_norm(x.astype(np.float64), gamma, beta, *cnn.batch_statistics(x.astype(np.float64)), epsilon=0.0)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), beta, atol=1e-6)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), gamma, rtol=1e-6)


@pytest.mark.parametrize(("argument", "value"), [("gamma", np.ones(2)), ("beta", np.zeros(4)),
                                                 ("mean", np.zeros((3, 1))), ("variance", np.ones(5))])
def test_batch_norm_names_the_argument_with_the_wrong_number_of_channels(argument, value):
    x = random_batch((2, 4, 4, 3))
    arguments = {"gamma": np.ones(3), "beta": np.zeros(3), "mean": np.zeros(3), "variance": np.ones(3)}
    arguments[argument] = value
    with pytest.raises(ValueError, match=rf"{argument} must have one value per channel, shape \(3,\)"):
        cnn.batch_norm(x, **arguments)


def test_batch_norm_refuses_a_zero_variance_without_epsilon():
    with pytest.raises(ValueError, match="variance \\+ epsilon must be positive"):
        cnn.batch_norm(np.ones((2, 2, 2, 1)), [1.0], [0.0], [1.0], [0.0], epsilon=0.0)


@pytest.mark.parametrize("keep", [-0.1, 1.5, True, "0.9"])
def test_moving_average_refuses_a_keep_outside_zero_one(keep):
    with pytest.raises(ValueError, match="keep"):
        cnn.moving_average(np.zeros(2), np.ones(2), keep=keep)


# --- Dropout ---------------------------------------------------------------------------------------------------


def test_dropout_at_evaluation_is_the_identity_in_numpy_and_the_framework(twin):
    x = random_batch((3, 5, 5, 4))
    np.testing.assert_array_equal(framework_dropout(twin, x, 0.5, training=False), x)
    np.testing.assert_array_equal(cnn.dropout(x, 0.5, training=False), x)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_in_training_zeroes_values_and_scales_the_rest_as_numpy_does_with_the_same_mask(twin, rate):
    x = np.random.default_rng(4).uniform(0.5, 1.5, (20, 10, 10, 5)).astype(np.float32)  # no zeros of its own
    dropped = framework_dropout(twin, x, rate, training=True)
    kept = dropped != 0
    np.testing.assert_allclose(dropped, cnn.dropout(x, rate, mask=kept), rtol=1e-6)
    binomial_sd = math.sqrt(rate * (1 - rate) / x.size)
    assert abs(kept.mean() - (1 - rate)) < 5 * binomial_sd


def test_numpy_dropout_keeps_the_expected_value():
    x = np.full(200_000, 3.0)
    y = cnn.dropout(x, 0.3, rng=0)
    assert set(np.unique(y)) == {0.0, 3.0 / 0.7}
    assert abs(y.mean() - 3.0) < 5 * 3.0 / 0.7 * math.sqrt(0.3 * 0.7 / x.size)


@pytest.mark.parametrize("rate", [1.0, -0.2, 2])
def test_dropout_refuses_a_rate_outside_zero_one(rate):
    with pytest.raises(ValueError, match=r"rate must lie in \[0, 1\)"):
        cnn.dropout(np.ones(3), rate)


def test_dropout_refuses_a_mask_of_the_wrong_shape_or_type():
    with pytest.raises(ValueError, match="mask must be a boolean array shaped like x"):
        cnn.dropout(np.ones(3), 0.5, mask=np.array([1, 0, 1]))
    with pytest.raises(ValueError, match="mask must be a boolean array shaped like x"):
        cnn.dropout(np.ones(3), 0.5, mask=np.array([True, False]))


# --- "Same" padding --------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 40), kernel=st.integers(1, 7), stride=st.integers(1, 4))
def test_same_padding_gives_ceil_size_over_stride_outputs_with_the_extra_zero_after(size, kernel, stride):
    before, after = cnn.same_padding(size, kernel, stride)
    assert (size + before + after - kernel) // stride + 1 == math.ceil(size / stride)
    assert after - before in (0, 1)
    x = np.zeros((1, size, 3, 1))
    assert cnn.conv2d_layer(x, np.zeros((kernel, 1, 1, 1)), stride=stride, padding="same").shape[1] == \
        math.ceil(size / stride)


@pytest.mark.parametrize("kernel_size", [2, 3, 4, 5])
def test_same_padding_of_odd_and_even_kernels_equals_the_framework_same(twin, kernel_size):
    x = random_batch((2, 9, 8, 2))
    kernel = random_batch((kernel_size, kernel_size, 2, 3), seed=5)
    framework = twin.conv2d(x, kernel, padding="same")
    assert framework.shape[1:3] == x.shape[1:3]
    np.testing.assert_allclose(framework, cnn.conv2d_layer(x, kernel, padding="same"), atol=1e-5)


@pytest.mark.parametrize(("size", "kernel_size", "stride", "name"), [
    (0, 3, 1, "size"), (5, 0, 1, "kernel_size"), (5, 3, 0, "stride"), (5.0, 3, 1, "size"), (5, 3, True, "stride")])
def test_same_padding_names_the_bad_argument(size, kernel_size, stride, name):
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        cnn.same_padding(size, kernel_size, stride)


# --- Residual block --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channels_out", [3, 5])
def test_residual_block_equals_the_framework_block(twin, channels_out):
    x = random_batch((2, 7, 6, 3))
    kernel1, bias1 = random_batch((3, 3, 3, 4), seed=6) * 0.3, random_batch((4,), seed=7)
    kernel2, bias2 = random_batch((3, 3, 4, channels_out), seed=8) * 0.3, random_batch((channels_out,), seed=9)
    shortcut = None if channels_out == 3 else random_batch((1, 1, 3, channels_out), seed=10)
    ours = cnn.residual_block(x, kernel1, bias1, kernel2, bias2, shortcut=shortcut)
    framework = framework_residual_block(twin, x, kernel1, bias1, kernel2, bias2, shortcut)
    np.testing.assert_allclose(framework, ours, atol=1e-5)


def test_residual_block_with_a_zero_residual_passes_the_positive_part_of_x_on():
    x = random_batch((1, 5, 5, 2))
    zeros = np.zeros((3, 3, 2, 2), dtype=np.float32)
    np.testing.assert_array_equal(cnn.residual_block(x, zeros, None, zeros, None), np.maximum(x, 0))


def test_residual_block_asks_for_a_shortcut_when_the_channels_change():
    x = random_batch((1, 5, 5, 2))
    with pytest.raises(ValueError, match=r"pass a 1×1 shortcut kernel of shape \(1, 1, 2, 4\)"):
        cnn.residual_block(x, np.zeros((3, 3, 2, 4)), None, np.zeros((3, 3, 4, 4)), None)
