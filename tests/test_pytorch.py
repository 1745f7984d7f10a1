"""medcourse.pytorch: the course-notes CNN, its layers against NumPy, fit/predict/evaluate, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _cnn_helpers import random_batch, tiny_dataset  # noqa: E402

import medcourse  # noqa: E402
import medcourse.pytorch as mp  # noqa: E402
from medcourse import cnn as layers  # noqa: E402


def test_cnn_classifier_is_the_course_notes_network():
    model = mp.cnn_classifier((28, 28, 1), 10)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert (model.conv1.out_channels, model.conv2.out_channels, model.conv1.kernel_size) == (32, 64, (3, 3))
    expected = (layers.conv_parameters(3, 3, 1, 32) + layers.conv_parameters(3, 3, 32, 64)
                + layers.dense_parameters(5 * 5 * 64, 10))
    assert sum(p.numel() for p in model.parameters()) == expected == 34826


def test_cnn_classifier_takes_channels_first_and_outputs_logits():
    model = mp.cnn_classifier((20, 24, 3), 4)
    logits = model(torch.from_numpy(random_batch((5, 3, 20, 24))))
    assert logits.shape == (5, 4)
    assert not torch.allclose(logits.sum(dim=1), torch.ones(5))  # logits, not probabilities


@pytest.mark.parametrize(("shape", "classes"), [((28, 28), 10), ((28, 28, 1), 1), ((6, 6, 1), 3), ((28, 28, 0), 2)])
def test_cnn_classifier_rejects_bad_arguments(shape, classes):
    with pytest.raises(ValueError, match=r"input_shape|num_classes"):
        mp.cnn_classifier(shape, classes)


def test_conv_layer_equals_numpy_reference():
    x = random_batch((2, 9, 11, 3))
    kernel = random_batch((3, 3, 3, 5), seed=1)
    bias = random_batch((5,), seed=2)
    conv = torch.nn.Conv2d(3, 5, 3)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))  # HWIO → OIHW
        conv.bias.copy_(torch.from_numpy(bias))
        ours = conv(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(ours, layers.conv2d_layer(x, kernel, bias), atol=1e-5)


def test_relu_and_max_pooling_equal_numpy_reference():
    x = random_batch((2, 9, 11, 3))
    pooled = torch.nn.MaxPool2d(2)(torch.relu(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())))
    np.testing.assert_allclose(pooled.numpy().transpose(0, 2, 3, 1), layers.max_pool2d(layers.relu(x)), atol=1e-6)


def test_conv_backward_by_hand_equals_autograd():
    x = random_batch((2, 7, 8, 3)).astype(np.float64)
    kernel = random_batch((3, 3, 3, 4), seed=1).astype(np.float64)
    upstream = random_batch((2, 5, 6, 4), seed=2).astype(np.float64)
    x_t = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    w_t = torch.tensor(kernel.transpose(3, 2, 0, 1), requires_grad=True)
    b_t = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    output = torch.nn.functional.conv2d(x_t, w_t, b_t)
    (output * torch.from_numpy(upstream.transpose(0, 3, 1, 2))).sum().backward()
    grad_x, grad_kernel, grad_bias = layers.conv2d_backward(x, kernel, upstream)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(grad_kernel, w_t.grad.numpy().transpose(2, 3, 1, 0), atol=1e-10)
    np.testing.assert_allclose(grad_bias, b_t.grad.numpy(), atol=1e-10)


def test_predict_proba_returns_probabilities_from_uint8_images():
    model = mp.cnn_classifier((16, 16, 1), 3)
    probabilities = mp.predict_proba(model, tiny_dataset().test[0])
    assert probabilities.shape == (48, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-6)


def test_predict_proba_rejects_floats_and_wrong_shapes():
    model = mp.cnn_classifier((16, 16, 1), 3)
    with pytest.raises(TypeError, match="uint8"):
        mp.predict_proba(model, np.zeros((2, 16, 16), np.float32))
    with pytest.raises(ValueError, match=r"\(16, 16, 1\)"):
        mp.predict_proba(model, np.zeros((2, 28, 28), np.uint8))


def test_device_is_a_gpu_only_when_one_is_present():
    assert mp.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_saved_weights_load_back_identically(tmp_path):
    model = mp.cnn_classifier((16, 16, 1), 3)
    path = mp.save_weights(model, tmp_path / "cnn.pt")
    other = mp.load_weights(mp.cnn_classifier((16, 16, 1), 3), path)
    for a, b in zip(model.state_dict().values(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(FileNotFoundError, match="no weights file"):
        mp.load_weights(other, tmp_path / "missing.pt")


@pytest.fixture(scope="module")
def trained():
    dataset = tiny_dataset()
    medcourse.seed_everything(0)
    model = mp.cnn_classifier((16, 16, 1), 3)
    history = mp.fit(model, dataset, epochs=2, batch_size=16, verbose=False)
    return dataset, model, history


def test_fit_lowers_the_loss_on_a_tiny_dataset(trained):
    _, _, history = trained
    assert history.framework == "pytorch" and history.epochs == 2
    assert history.train["loss"][1] < history.train["loss"][0]
    assert history.val["loss"][1] < history.val["loss"][0]


def test_fit_keeps_the_best_epoch_weights(trained):
    dataset, model, history = trained
    assert mp.evaluate(model, dataset, "val") == pytest.approx(history.best(), abs=1e-6)


def test_same_seed_gives_the_same_history(trained):
    dataset, _, history = trained
    medcourse.seed_everything(0)
    again = mp.fit(mp.cnn_classifier((16, 16, 1), 3), dataset, epochs=2, batch_size=16, verbose=False)
    assert again == history


def test_evaluate_reports_loss_accuracy_auc_and_checks_the_split(trained):
    dataset, model, _ = trained
    result = mp.evaluate(model, dataset)
    assert set(result) == {"loss", "accuracy", "auc"} and 0 <= result["accuracy"] <= 1
    with pytest.raises(ValueError, match="split"):
        mp.evaluate(model, dataset, "validation")


def test_fit_refuses_regression_data_and_bad_epochs():
    dataset = tiny_dataset()
    regression = type(dataset)("r", dataset.train, dataset.val, dataset.test, (), "regression")
    model = mp.cnn_classifier((16, 16, 1), 3)
    with pytest.raises(ValueError, match="task"):
        mp.fit(model, regression, epochs=1, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        mp.fit(model, dataset, epochs=0, verbose=False)
