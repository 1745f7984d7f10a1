"""The fused batch normalisation of medcourse.tensorflow: Keras's layer in everything but the kernel it trains
with — the same outputs and gradients in training, PyTorch's running statistics, Keras's own behaviour where the
fused kernel does not apply."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from medcourse.tensorflow import segmentation as tf_seg  # noqa: E402
from medcourse.tensorflow._layers import BatchNormalization  # noqa: E402
from medcourse.transfer import keras_to_torch  # noqa: E402


def pair(shape, **options):
    """Keras's layer and the fused one, built for ``shape`` with the same random gamma and beta."""
    rng = np.random.default_rng(1)
    layers = keras.layers.BatchNormalization(**options), BatchNormalization(**options)
    for layer in layers:
        layer.build(shape)
    channels = shape[layers[0].axis]
    gamma, beta = rng.uniform(0.5, 1.5, channels).astype(np.float32), rng.normal(size=channels).astype(np.float32)
    for layer in layers:
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
    return layers


def activations(shape, seed=0):
    return tf.constant(np.random.default_rng(seed).normal(2.0, 3.0, size=shape).astype(np.float32))


def test_training_outputs_and_gradients_equal_keras_batch_normalization():
    keras_layer, fused = pair((6, 5, 7, 4), momentum=0.9, epsilon=1e-5)
    x = activations((6, 5, 7, 4))
    weights = activations((6, 5, 7, 4), seed=1)  # a loss that weighs every output differently
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        losses = [tf.reduce_sum(weights * layer(x, training=True)) for layer in (keras_layer, fused)]
    np.testing.assert_allclose(fused(x, training=True).numpy(), keras_layer(x, training=True).numpy(), atol=2e-6)
    for expected, actual in zip(*[tape.gradient(loss, [x, layer.gamma, layer.beta])
                                  for loss, layer in zip(losses, (keras_layer, fused), strict=True)], strict=True):
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-4, atol=1e-4)


def test_running_statistics_are_pytorch_batchnorm2d_s_unbiased_ones():
    _, fused = pair((6, 5, 7, 4), momentum=0.9, epsilon=1e-5)
    twin = torch.nn.BatchNorm2d(4, eps=1e-5, momentum=0.1)  # PyTorch's momentum is 1 − Keras's
    for seed in range(3):
        x = activations((6, 5, 7, 4), seed=seed)
        fused(x, training=True)
        twin(torch.from_numpy(x.numpy()).permute(0, 3, 1, 2))
    np.testing.assert_allclose(fused.moving_mean.numpy(), twin.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(fused.moving_variance.numpy(), twin.running_var.numpy(), rtol=1e-5)


def test_running_variance_differs_from_keras_by_bessel_s_factor():
    keras_layer, fused = pair((2, 3, 4, 2), momentum=0.0, epsilon=1e-5)  # momentum 0: the last batch's statistics
    x = activations((2, 3, 4, 2))
    keras_layer(x, training=True)
    fused(x, training=True)
    n = 2 * 3 * 4
    np.testing.assert_allclose(fused.moving_variance.numpy(), keras_layer.moving_variance.numpy() * n / (n - 1),
                               rtol=1e-5)
    np.testing.assert_allclose(fused.moving_mean.numpy(), keras_layer.moving_mean.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ["inference", "frozen", "dense", "channels first"])
def test_where_the_fused_kernel_does_not_apply_it_is_keras_s_own_layer(case):
    shape, axis = ((6, 4), -1) if case == "dense" else ((6, 4, 5, 7), 1) if case == "channels first" else \
        ((6, 5, 7, 4), -1)
    keras_layer, fused = pair(shape, axis=axis)
    if case == "frozen":  # Keras 3: a frozen batch norm runs in inference mode, even when training
        keras_layer.trainable = fused.trainable = False
    x = activations(shape)
    training = case != "inference"
    np.testing.assert_array_equal(fused(x, training=training).numpy(), keras_layer(x, training=training).numpy())
    np.testing.assert_array_equal(fused.moving_variance.numpy(), keras_layer.moving_variance.numpy())


def test_the_unet_trains_with_it_and_keras_to_torch_still_pairs_its_batch_norms():
    model = tf_seg.unet((16, 16, 1), 3, base_filters=4, depth=2)
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert norms and all(isinstance(layer, BatchNormalization) for layer in norms)
    model(activations((2, 16, 16, 1)), training=True)  # move the running statistics away from 0 and 1
    from medcourse.pytorch import segmentation as torch_seg

    twin = torch_seg.unet((16, 16, 1), 3, base_filters=4, depth=2)
    keras_to_torch(model, twin)
    x = np.random.default_rng(3).random((2, 16, 16, 1)).astype(np.float32)
    twin.eval()
    with torch.no_grad():
        logits = twin(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    np.testing.assert_allclose(torch.softmax(logits, dim=-1).numpy(), model(x, training=False).numpy(), atol=1e-5)


def test_a_model_with_it_saves_and_loads_as_a_keras_file(tmp_path):
    inputs = keras.Input(shape=(8, 8, 3))
    model = keras.Model(inputs, BatchNormalization(momentum=0.9)(inputs))
    model(activations((4, 8, 8, 3)), training=True)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert isinstance(loaded.layers[-1], BatchNormalization)
    np.testing.assert_array_equal(loaded.layers[-1].moving_variance.numpy(), model.layers[-1].moving_variance.numpy())
