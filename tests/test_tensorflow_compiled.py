"""The compiled forward passes and steps of medcourse.tensorflow: the same numbers as eager calls, one trace per
model and shape, and nothing kept alive once the models (and their training runs) are dropped."""

import gc
import weakref

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from medcourse.tensorflow import _compiled  # noqa: E402
from medcourse.tensorflow import reconstruction as tf_rec  # noqa: E402


def small_model():
    inputs = keras.Input(shape=(8, 8, 1))
    outputs = keras.layers.Conv2D(2, 3, padding="same")(keras.layers.BatchNormalization()(inputs))
    return keras.Model(inputs, outputs)


def test_inference_equals_the_eager_call_in_inference_mode_and_traces_once_per_sample_shape():
    model = small_model()
    x = np.random.default_rng(0).normal(size=(5, 8, 8, 1)).astype(np.float32)
    expected = model(x, training=False).numpy()
    np.testing.assert_allclose(_compiled.inference(model, tf.constant(x)).numpy(), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_compiled.inference(model, tf.constant(x[:2])).numpy(), expected[:2], rtol=1e-6, atol=1e-6)
    assert len(_compiled._INFERENCE[model]) == 1  # a smaller batch reuses the function: the batch axis is open
    function = next(iter(_compiled._INFERENCE[model].values()))
    assert len(function._list_all_concrete_functions()) == 1


def test_inference_keeps_no_model_alive():
    model = small_model()
    _compiled.inference(model, tf.zeros((1, 8, 8, 1)))
    cached = len(_compiled._INFERENCE)
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None
    assert len(_compiled._INFERENCE) <= cached - 1  # its compiled forward pass went with it


def test_compiled_step_is_reused_for_the_same_run_and_made_anew_for_a_new_one():
    model = small_model()
    first, second = keras.optimizers.Adam(), keras.optimizers.Adam()

    def step(network, optimizer, scale, x):
        return scale * network(x, training=False)

    a = _compiled.compiled_step(first, (model, first), (2.0,), step)
    assert _compiled.compiled_step(first, (model, first), (2.0,), step) is a
    assert _compiled.compiled_step(first, (model, first), (3.0,), step) is not a   # a static value is in the key
    assert _compiled.compiled_step(second, (model, second), (2.0,), step) is not a
    x = tf.ones((1, 8, 8, 1))
    np.testing.assert_allclose(a(x).numpy(), 2.0 * model(x, training=False).numpy(), rtol=1e-6)


def test_a_finished_reconstruction_run_frees_its_networks_and_graphs():
    rng = np.random.default_rng(0)
    images = rng.random((8, 16, 16)).astype(np.float32)
    runs_before = len(_compiled._STEPS)
    generator = tf_rec.reconstruction_unet((16, 16, 1), 4)
    discriminator = tf_rec.patchgan_discriminator((16, 16, 2), 4)
    tf_rec.fit_reconstruction(generator, images, images, steps=2, batch_size=4, discriminator=discriminator,
                              verbose=False)
    references = [weakref.ref(generator), weakref.ref(discriminator)]
    del generator, discriminator
    gc.collect()
    assert [reference() for reference in references] == [None, None]
    assert len(_compiled._STEPS) == runs_before  # the run's compiled steps went with its optimiser
