"""The PyTorch and TensorFlow adapters yield the same samples, in the same order, with the same pixels."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")

from medcourse.data import load_dataset  # noqa: E402
from medcourse.pytorch.data import loader  # noqa: E402
from medcourse.tensorflow.data import dataset  # noqa: E402

SMALL = {"train_size": 150, "val_size": 40, "test_size": 40}


def _epochs(pipeline, count):
    return [[(np.asarray(x), np.asarray(y)) for x, y in pipeline] for _ in range(count)]


@pytest.mark.parametrize("augment", [False, True])
def test_both_frameworks_see_the_same_samples_in_the_same_order(augment):
    data = load_dataset("lesions", **SMALL)
    torch_epochs = _epochs(loader(data, batch_size=32, seed=4, augment=augment), 2)
    tf_epochs = _epochs(dataset(data, batch_size=32, seed=4, augment=augment), 2)
    for torch_batches, tf_batches in zip(torch_epochs, tf_epochs, strict=True):
        assert len(torch_batches) == len(tf_batches) == 5
        for (x_nchw, y_torch), (x_nhwc, y_tf) in zip(torch_batches, tf_batches, strict=True):
            np.testing.assert_array_equal(x_nchw.transpose(0, 2, 3, 1), x_nhwc)
            np.testing.assert_array_equal(y_torch, y_tf)
    first, second = (np.concatenate([y for _, y in epoch]) for epoch in torch_epochs)
    assert not np.array_equal(first, second)  # a new order each epoch …
    assert sorted(first) == sorted(second) == sorted(data.train[1])  # … of the same samples
    again = _epochs(loader(data, batch_size=32, seed=4, augment=augment), 1)[0]
    assert np.array_equal(np.concatenate([y for _, y in again]), first)  # reproducible


def test_pytorch_batches_are_nchw_float32_with_int64_labels():
    data = load_dataset("lesions", **SMALL)
    images, labels = next(iter(loader(data, "test", batch_size=16)))
    assert tuple(images.shape) == (16, 1, 28, 28) and images.dtype == torch.float32
    assert labels.dtype == torch.int64
    assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0
    np.testing.assert_allclose(images[:, 0].numpy() * 255, data.test[0][:16], atol=1e-3)  # no shuffle for test
    assert len(loader(data, "test", batch_size=16)) == 3


def test_tensorflow_batches_are_nhwc_float32_with_int64_labels_and_known_length():
    data = load_dataset("lesions", **SMALL)
    pipeline = dataset(data, "val", batch_size=16)
    images, labels = next(iter(pipeline))
    assert tuple(images.shape) == (16, 28, 28, 1) and images.dtype == tf.float32
    assert labels.dtype == tf.int64
    assert int(pipeline.cardinality()) == 3
    np.testing.assert_array_equal(labels.numpy(), data.val[1][:16])


def test_regression_sequences_have_float32_targets_in_both_frameworks():
    data = load_dataset("cine", train_size=20, val_size=8, test_size=8)
    images, targets = next(iter(loader(data, "val", batch_size=8)))
    assert tuple(images.shape) == (8, 20, 1, 32, 32) and targets.dtype == torch.float32
    tf_images, tf_targets = next(iter(dataset(data, "val", batch_size=8)))
    assert tuple(tf_images.shape) == (8, 20, 32, 32, 1) and tf_targets.dtype == tf.float32
    np.testing.assert_array_equal(images.numpy().transpose(0, 1, 3, 4, 2), tf_images.numpy())


def test_adapters_accept_an_images_labels_pair():
    images = np.zeros((10, 8, 8), dtype=np.uint8)
    labels = np.arange(10)
    assert sum(len(y) for _, y in loader((images, labels), batch_size=4)) == 10
    assert sum(len(y) for _, y in dataset((images, labels), batch_size=4)) == 10


@pytest.mark.parametrize("make", [loader, dataset])
def test_adapters_refuse_bad_arguments_with_a_clear_message(make):
    data = load_dataset("lesions", **SMALL)
    with pytest.raises(ValueError, match="split must be one of"):
        make(data, "validation")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        make(data, batch_size=0)
    with pytest.raises(ValueError, match="data must be a medcourse Dataset"):
        make("lesions")
