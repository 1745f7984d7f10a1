"""medcourse.transfer: Keras ↔ PyTorch weights, with the kernel layout and the flatten order converted."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
pytest.importorskip("tensorflow")
torch = pytest.importorskip("torch")

import medcourse.pytorch as mp  # noqa: E402
import medcourse.tensorflow as mt  # noqa: E402
from medcourse.transfer import dense_kernel_to_torch, dense_weight_to_keras, keras_to_torch, torch_to_keras  # noqa: E402

SHAPE = (22, 18, 3)  # not square, several channels: a wrong axis order cannot pass by luck


def _images(count: int = 6) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (count, *SHAPE), dtype=np.uint8)


def test_keras_to_torch_gives_the_same_predictions():
    keras_model, torch_model = mt.cnn_classifier(SHAPE, 4), mp.cnn_classifier(SHAPE, 4)
    keras_to_torch(keras_model, torch_model)
    images = _images()
    np.testing.assert_allclose(mp.predict_proba(torch_model, images), mt.predict_proba(keras_model, images),
                               atol=1e-5)


def test_torch_to_keras_gives_the_same_predictions():
    keras_model, torch_model = mt.cnn_classifier(SHAPE, 4), mp.cnn_classifier(SHAPE, 4)
    torch_to_keras(torch_model, keras_model)
    images = _images()
    np.testing.assert_allclose(mt.predict_proba(keras_model, images), mp.predict_proba(torch_model, images),
                               atol=1e-5)


def test_round_trip_returns_the_original_weights():
    keras_model = mt.cnn_classifier(SHAPE, 4)
    back = torch_to_keras(keras_to_torch(keras_model, mp.cnn_classifier(SHAPE, 4)), mt.cnn_classifier(SHAPE, 4))
    for a, b in zip(keras_model.get_weights(), back.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_dense_kernel_needs_the_flatten_permutation_not_just_a_transpose():
    kernel = np.random.default_rng(0).normal(size=(4 * 3 * 5, 2))
    converted = dense_kernel_to_torch(kernel, (4, 3, 5))
    assert not np.array_equal(converted, kernel.T)
    features = np.random.default_rng(1).normal(size=(4, 3, 5))  # H×W×C
    keras_output = features.reshape(-1) @ kernel  # Keras flattens (h, w, c)
    torch_output = converted @ features.transpose(2, 0, 1).reshape(-1)  # PyTorch flattens (c, h, w)
    np.testing.assert_allclose(torch_output, keras_output)
    np.testing.assert_array_equal(dense_weight_to_keras(converted, (4, 3, 5)), kernel)


def test_mismatched_models_are_refused():
    with pytest.raises(ValueError, match="needs"):
        keras_to_torch(mt.cnn_classifier(SHAPE, 4), mp.cnn_classifier(SHAPE, 3))
    with pytest.raises(ValueError, match=r"feature map|needs"):
        keras_to_torch(mt.cnn_classifier((28, 28, 1), 4), mp.cnn_classifier((22, 18, 1), 4))
