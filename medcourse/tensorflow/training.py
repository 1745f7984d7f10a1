"""Training and evaluation in TensorFlow/Keras: ``fit`` and ``evaluate``, mirrored by :mod:`medcourse.pytorch.training`."""

from __future__ import annotations

import math
import time

import numpy as np
import tensorflow as tf
from tensorflow import keras

import medcourse
from medcourse.training import History, class_weights, epoch_metrics

from .cnn import device, predict_proba

__all__ = ["evaluate", "fit"]


def _check_dataset(dataset) -> None:
    task = getattr(dataset, "task", None)
    if task not in ("binary", "multiclass"):
        raise ValueError(f"fit needs a Dataset with task 'binary' or 'multiclass', got task {task!r}")


def fit(model: keras.Model, dataset, *, epochs: int, batch_size: int = 64, seed: int = 0,
        learning_rate: float = 1e-3, class_weight: str | None = "balanced", augment: bool = False,
        live: bool = False, verbose: bool = True) -> History:
    """Train ``model`` on ``dataset.train`` with Adam, validate on ``dataset.val`` after every epoch.

    A short custom training loop (the same steps as the PyTorch twin) rather than ``model.fit``, so both
    frameworks see the same batches in the same order and report the same numbers. The model ends up
    with the weights of its best epoch: the highest validation ROC AUC (binary) or macro one-vs-rest
    AUC (multi-class), ties broken by the lower validation loss.

    Parameters
    ----------
    model : keras.Model
        Outputs probabilities ``(N, K)`` (a final softmax), e.g. :func:`cnn_classifier`.
    dataset : medcourse.data.Dataset
        A classification dataset (task ``"binary"`` or ``"multiclass"``).
    epochs : int
        Passes over the training split.
    batch_size : int
        Images per optimisation step.
    seed : int
        Seeds everything (:func:`medcourse.seed_everything`, deterministic TensorFlow ops) and the
        pipeline's shuffling and augmentation (the PyTorch twin gets the same batches): the same seed gives
        the same History. Seed before building the model too, for the same initial weights.
    learning_rate : float
        Adam's step size.
    class_weight : {"balanced", None}
        ``"balanced"`` weights each class's loss by ``N / (K · N_c)`` (:func:`medcourse.training.class_weights`);
        ``None`` weights all cases equally.
    augment : bool
        Random mirror/rotation/intensity changes of the training images (:func:`medcourse.tensorflow.dataset`).
    live : bool
        Redraw the training curves after every epoch (in a notebook).
    verbose : bool
        Show a progress bar and a closing summary line.

    Returns
    -------
    History
        Per-epoch loss, accuracy and AUC of the training and validation splits.
    """
    from tqdm.auto import tqdm

    from medcourse.plot import LiveHistory

    from .data import dataset as pipeline

    _check_dataset(dataset)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    medcourse.seed_everything(seed)
    train_labels = dataset.train[1]
    weights = tf.constant(class_weights(train_labels, dataset.num_classes, class_weight), dtype=tf.float32)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-8)  # PyTorch's default epsilon

    @tf.function(reduce_retracing=True)
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            probabilities = model(images, training=True)
            per_case = keras.losses.sparse_categorical_crossentropy(labels, probabilities)  # takes probabilities
            case_weights = tf.gather(weights, labels)
            loss = tf.reduce_sum(per_case * case_weights) / tf.reduce_sum(case_weights)  # as nn.CrossEntropyLoss
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss, probabilities

    history = History(framework="tensorflow")
    best_weights = None
    steps_per_epoch = math.ceil(len(train_labels) / batch_size)
    live_plot = LiveHistory(title="TensorFlow") if live else None
    progress = tqdm(total=epochs * steps_per_epoch, desc="TensorFlow", unit="batch", disable=not verbose,
                    leave=True)
    batches = pipeline(dataset, "train", batch_size=batch_size, shuffle=True, seed=seed, augment=augment)
    with tf.device(device()):
        for epoch in range(epochs):
            start = time.perf_counter()
            seen_labels, seen_probabilities = [], []
            for images, labels in batches:  # each pass is a new epoch: a new order (and augmentation) from the seed
                labels = tf.cast(labels, tf.int32)
                loss, probabilities = train_step(images, labels)
                seen_labels.append(labels.numpy())
                seen_probabilities.append(probabilities.numpy())
                progress.update(1)
                progress.set_postfix(epoch=epoch + 1, loss=f"{float(loss):.3f}")
            train = epoch_metrics(np.concatenate(seen_labels), np.concatenate(seen_probabilities))
            val = epoch_metrics(dataset.val[1], predict_proba(model, dataset.val[0]))
            if history.record(train, val, time.perf_counter() - start):
                best_weights = [w.copy() for w in model.get_weights()]
            progress.set_postfix(epoch=epoch + 1, loss=f"{train['loss']:.3f}", val_acc=f"{val['accuracy']:.3f}",
                                 val_auc=f"{val['auc']:.3f}")
            if live_plot is not None:
                live_plot.update(history)
    progress.close()
    model.set_weights(best_weights)
    if verbose:
        print(history)
    return history


def evaluate(model: keras.Model, dataset, split: str = "test") -> dict[str, float]:
    """Loss (mean cross-entropy), accuracy and AUC of ``model`` on one split of ``dataset``."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
    images, labels = getattr(dataset, split)
    return epoch_metrics(labels, predict_proba(model, images))
