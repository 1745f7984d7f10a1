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
from medcourse.transfer import (  # noqa: E402
    dense_kernel_to_torch,
    dense_weight_to_keras,
    keras_to_torch,
    layer_pairs,
    torch_to_keras,
)

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


# --- models that are not a plain sequence: the U-Net (notebook 05) ----------------------------------------

UNET_SHAPE = (16, 24, 3)  # not square, three channels


def _unets(upsampling="transposed", batch_norm=True, **options):
    arguments = dict(base_filters=4, depth=2, batch_norm=batch_norm, upsampling=upsampling, **options)
    return mt.unet(UNET_SHAPE, 3, **arguments), mp.unet(UNET_SHAPE, 3, **arguments)


def _randomise_batch_norm_statistics(keras_model):
    """Batch norm starts as the identity (mean 0, variance 1): give it statistics a wrong copy would reveal."""
    rng = np.random.default_rng(5)
    for layer in keras_model.layers:
        if "norm" in layer.name:
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32) for w in layer.get_weights()])


def _unet_images(count=4):
    return np.random.default_rng(0).integers(0, 256, (count, *UNET_SHAPE), dtype=np.uint8)


@pytest.mark.parametrize("upsampling", ["transposed", "nearest", "bilinear"])
@pytest.mark.parametrize("batch_norm", [True, False])
def test_a_unet_copied_from_keras_gives_the_same_per_pixel_probabilities(upsampling, batch_norm):
    keras_model, torch_model = _unets(upsampling, batch_norm)
    _randomise_batch_norm_statistics(keras_model)
    keras_to_torch(keras_model, torch_model)
    images = _unet_images()
    np.testing.assert_allclose(mp.predict_proba(torch_model, images), mt.predict_proba(keras_model, images), atol=1e-5)


def test_a_unet_copied_from_pytorch_gives_the_same_probabilities_and_the_round_trip_is_exact():
    keras_model, torch_model = _unets()
    _randomise_batch_norm_statistics(keras_model)
    keras_to_torch(keras_model, torch_model)
    back = torch_to_keras(torch_model, mt.unet(UNET_SHAPE, 3, base_filters=4, depth=2))
    images = _unet_images()
    np.testing.assert_allclose(mt.predict_proba(back, images), mp.predict_proba(torch_model, images), atol=1e-5)
    for a, b in zip(keras_model.get_weights(), back.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_layer_pairs_follow_the_order_of_computation_including_each_decoder_stage():
    keras_model, torch_model = _unets()
    pairs = layer_pairs(keras_model, torch_model)
    kinds = [kind for _, _, kind in pairs]
    assert kinds.count("transposed convolution") == 2  # one per decoder level
    assert kinds.count("batch norm") == kinds.count("convolution") - 1  # after every 3×3 convolution, not the head
    names = [(keras_name, torch_name) for keras_name, torch_name, _ in pairs]
    assert names[0] == ("encoder0_conv1", "encoder.0.0")
    up = next(pair for pair in names if pair[0] == "decoder1_up")
    assert up == ("decoder1_up", "decoder.0.up")
    assert names[names.index(up) + 1] == ("decoder1_conv1", "decoder.0.block.0")
    assert names[-1] == ("head", "head")


def test_a_transposed_convolution_with_a_non_square_kernel_is_copied_with_its_axes_right():
    from tensorflow import keras
    from torch import nn

    keras_model = keras.Sequential([keras.Input((5, 6, 3)), keras.layers.Conv2DTranspose(2, (2, 3), strides=2)])
    torch_model = nn.Sequential(nn.ConvTranspose2d(3, 2, (2, 3), stride=2))  # Keras (kh, kw, out, in), PyTorch (in, out, kh, kw)
    keras_to_torch(keras_model, torch_model)
    x = np.random.default_rng(1).normal(size=(2, 5, 6, 3)).astype(np.float32)
    with torch.no_grad():
        torch_output = torch_model(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(torch_output, np.asarray(keras_model(x)), atol=1e-5)


def test_batch_norm_with_different_epsilons_is_refused_naming_both_values():
    keras_model, torch_model = _unets()
    torch_model.encoder[0][1].eps = 1e-3
    with pytest.raises(ValueError, match=r"epsilon 1e-05 .* eps 0\.001"):
        keras_to_torch(keras_model, torch_model)


def test_modules_registered_out_of_computation_order_are_refused():
    from torch import nn

    class Shuffled(nn.Module):  # same layers as mt.cnn_classifier, registered dense first
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(64 * 3 * 2, 4)
            self.conv1, self.conv2 = nn.Conv2d(3, 32, 3), nn.Conv2d(32, 64, 3)

    with pytest.raises(TypeError, match="same order"):
        keras_to_torch(mt.cnn_classifier(SHAPE, 4), Shuffled())


def test_layers_that_cannot_be_copied_are_named():
    from tensorflow import keras
    from torch import nn

    keras_model = keras.Sequential([keras.Input((8,)), keras.layers.LayerNormalization(name="norm"),
                                    keras.layers.Dense(2)])
    with pytest.raises(TypeError, match="'norm' \\(LayerNormalization\\)"):
        keras_to_torch(keras_model, nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 2)))
    with pytest.raises(TypeError, match="PyTorch module '0' \\(LayerNorm\\)"):
        keras_to_torch(keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)]),
                       nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 2)))


def test_a_bias_on_one_side_only_is_refused():
    from tensorflow import keras
    from torch import nn

    keras_model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 3, use_bias=False)])
    with pytest.raises(ValueError, match="bias on one side only"):
        keras_to_torch(keras_model, nn.Sequential(nn.Conv2d(1, 2, 3)))
