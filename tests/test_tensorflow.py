"""medcourse.tensorflow: the course-notes CNN, its layers against NumPy, fit/predict/evaluate, checkpoints."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

from _cnn_helpers import random_batch, tiny_dataset  # noqa: E402

import medcourse  # noqa: E402
import medcourse.tensorflow as mt  # noqa: E402
from medcourse import cnn as layers  # noqa: E402

keras = tf.keras


def test_cnn_classifier_is_the_course_notes_network():
    model = mt.cnn_classifier((28, 28, 1), 10)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert model.get_layer("conv2").filters == 64 and model.get_layer("conv1").kernel_size == (3, 3)
    assert model.count_params() == 34826
    assert model.output_shape == (None, 10)


def test_cnn_classifier_takes_channels_last_and_outputs_probabilities():
    model = mt.cnn_classifier((20, 24, 3), 4)
    probabilities = model(random_batch((5, 20, 24, 3))).numpy()
    assert probabilities.shape == (5, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-6)  # a softmax, as in the notes


@pytest.mark.parametrize(("shape", "classes"), [((28, 28), 10), ((28, 28, 1), 1), ((6, 6, 1), 3)])
def test_cnn_classifier_rejects_bad_arguments(shape, classes):
    with pytest.raises(ValueError, match=r"input_shape|num_classes"):
        mt.cnn_classifier(shape, classes)


def test_conv_layer_equals_numpy_reference():
    x = random_batch((2, 9, 11, 3))
    kernel = random_batch((3, 3, 3, 5), seed=1)
    bias = random_batch((5,), seed=2)
    for padding in ("valid", "same"):
        conv = keras.layers.Conv2D(5, 3, padding=padding)
        conv.build(x.shape)
        conv.set_weights([kernel, bias])  # Keras stores kernels HWIO, like the NumPy reference
        np.testing.assert_allclose(conv(x).numpy(), layers.conv2d_layer(x, kernel, bias, padding=padding), atol=1e-5)


def test_strided_conv_equals_numpy_reference():
    x = random_batch((1, 10, 9, 2))
    kernel = random_batch((4, 4, 2, 3), seed=3)
    for padding in ("valid", "same"):
        conv = keras.layers.Conv2D(3, 4, strides=2, padding=padding, use_bias=False)
        conv.build(x.shape)
        conv.set_weights([kernel])
        np.testing.assert_allclose(conv(x).numpy(), layers.conv2d_layer(x, kernel, stride=2, padding=padding),
                                   atol=1e-5)


def test_relu_and_max_pooling_equal_numpy_reference():
    x = random_batch((2, 9, 11, 3))
    pooled = keras.layers.MaxPooling2D(2)(keras.activations.relu(x)).numpy()
    np.testing.assert_allclose(pooled, layers.max_pool2d(layers.relu(x)), atol=1e-6)


def test_conv_backward_by_hand_equals_gradient_tape():
    x = tf.constant(random_batch((2, 7, 8, 3)))
    kernel = tf.Variable(random_batch((3, 3, 3, 4), seed=1))
    upstream = random_batch((2, 5, 6, 4), seed=2)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.nn.conv2d(x, kernel, 1, "VALID") * upstream)
    grad_x, grad_kernel, _ = layers.conv2d_backward(x.numpy(), kernel.numpy(), upstream)
    np.testing.assert_allclose(grad_x, tape.gradient(loss, x).numpy(), atol=1e-4)
    np.testing.assert_allclose(grad_kernel, tape.gradient(loss, kernel).numpy(), atol=1e-4)


def test_predict_proba_rejects_floats_and_wrong_shapes():
    model = mt.cnn_classifier((16, 16, 1), 3)
    probabilities = mt.predict_proba(model, tiny_dataset().test[0])
    assert probabilities.shape == (48, 3)
    with pytest.raises(TypeError, match="uint8"):
        mt.predict_proba(model, np.zeros((2, 16, 16), np.float32))
    with pytest.raises(ValueError, match=r"\(16, 16, 1\)"):
        mt.predict_proba(model, np.zeros((2, 28, 28), np.uint8))


def test_device_is_a_gpu_only_when_one_is_present():
    assert mt.device() == ("/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0")


def test_saved_weights_load_back_identically(tmp_path):
    model = mt.cnn_classifier((16, 16, 1), 3)
    path = mt.save_weights(model, tmp_path / "cnn.weights.h5")
    other = mt.load_weights(mt.cnn_classifier((16, 16, 1), 3), path)
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        mt.save_weights(model, tmp_path / "cnn.h5")


@pytest.fixture(scope="module")
def trained():
    dataset = tiny_dataset()
    medcourse.seed_everything(0)
    model = mt.cnn_classifier((16, 16, 1), 3)
    history = mt.fit(model, dataset, epochs=2, batch_size=16, verbose=False)
    return dataset, model, history


def test_fit_lowers_the_loss_on_a_tiny_dataset(trained):
    _, _, history = trained
    assert history.framework == "tensorflow" and history.epochs == 2
    assert history.train["loss"][1] < history.train["loss"][0]
    assert history.val["loss"][1] < history.val["loss"][0]


def test_fit_keeps_the_best_epoch_weights(trained):
    dataset, model, history = trained
    assert mt.evaluate(model, dataset, "val") == pytest.approx(history.best(), abs=1e-6)


def test_same_seed_gives_the_same_history(trained):
    dataset, _, history = trained
    medcourse.seed_everything(0)
    again = mt.fit(mt.cnn_classifier((16, 16, 1), 3), dataset, epochs=2, batch_size=16, verbose=False)
    assert again == history


def test_fit_refuses_regression_data_and_bad_epochs():
    dataset = tiny_dataset()
    regression = type(dataset)("r", dataset.train, dataset.val, dataset.test, (), "regression")
    model = mt.cnn_classifier((16, 16, 1), 3)
    with pytest.raises(ValueError, match="task"):
        mt.fit(model, regression, epochs=1, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        mt.fit(model, dataset, epochs=0, verbose=False)
