"""Training and evaluation in TensorFlow/Keras (notebook 04 §5): ``fit``, ``evaluate``, predictions, checkpoints.

Mirrored name for name by :mod:`medcourse.pytorch.training`. The training step and loop are written out
here; the bookkeeping around them (progress bar, metrics, best epoch) is :class:`medcourse.training.TrainingRun`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow import keras

import medcourse
from medcourse.recipe import check_recipe, check_threshold, choose_threshold, evaluate_decided, learning_rates
from medcourse.training import TrainingRun, check_fit_arguments, check_images, class_weights

from ._compiled import inference
from .data import batches, to_tensor

__all__ = ["device", "evaluate", "fit", "load_weights", "predict_proba", "save_weights"]

#: The tasks ``fit`` trains: a class per image, or a class per pixel.
FIT_TASKS = ("binary", "multiclass", "segmentation")


def device() -> str:
    """The device to train on: ``"/GPU:0"`` when a GPU is present, otherwise ``"/CPU:0"`` (``with tf.device(device()):``).

    Same rule as :func:`medcourse.pytorch.device`, which names devices PyTorch's way.
    """
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"


def fit(model: keras.Model, dataset, *, epochs: int, batch_size: int = 64, seed: int = 0,
        learning_rate: float = 2e-3, weight_decay: float = 1e-4, schedule: str = "cosine",
        class_weight: str | None = "balanced", threshold: str | None = "youden", augment: bool = False,
        loss=None, live: bool = False, verbose: bool = True) -> medcourse.training.History:
    """Train ``model`` on ``dataset.train`` with AdamW, validate on ``dataset.val`` after every epoch.

    The Keras twin of :func:`medcourse.pytorch.fit`: the same arguments, batches, step sizes, class weighting,
    metrics and choice of the best epoch (the highest validation AUC, or mean foreground Dice for segmentation).

    Parameters
    ----------
    model : keras.Model
        Outputs class probabilities ``(N, K)`` (e.g. :func:`medcourse.tensorflow.cnn_classifier`, which ends
        with a softmax) or ``(N, H, W, K)`` per pixel.
    dataset : medcourse.data.Dataset
        Task ``"binary"``, ``"multiclass"`` or ``"segmentation"``.
    epochs : int
        Passes over the training split.
    batch_size : int
        Images per optimisation step.
    seed : int
        Seeds everything (:func:`medcourse.seed_everything`, deterministic TensorFlow ops) and the batches'
        order and augmentation (the PyTorch twin gets the same batches): the same seed gives the same History.
        Seed before building the model too, for the same initial weights.
    learning_rate : float
        AdamW's largest step size, the schedule's peak (with ``"cosine"`` the mean step is about half of it).
    weight_decay : float
        Decoupled weight decay (``keras.optimizers.AdamW``, ``w ← w − η·λ·w`` each step, for every trainable
        variable, as PyTorch's ``AdamW``); ``0`` gives plain Adam.
    schedule : {"cosine", "constant"}
        The step size over the run (:func:`medcourse.recipe.learning_rates`): a short warm-up then a cosine
        decay to zero, or ``learning_rate`` throughout.
    class_weight : {"balanced", None}
        ``"balanced"`` weights each class's loss by ``N / (K · N_c)`` (:func:`medcourse.training.class_weights`;
        pixels for segmentation); ``None`` weights all cases equally.
    threshold : {"youden", None}
        Two classes: after training, set ``model.decision_threshold`` to the threshold on ``p₁`` that maximises
        sensitivity + specificity on the **validation** split (:func:`medcourse.metrics.youden_threshold`);
        :func:`evaluate` then reports the accuracy of that decision. ``None``: the most probable class.
    augment : bool
        Random mirror/rotation/intensity changes of the training images (:func:`medcourse.tensorflow.batches`).
    loss : callable, optional
        ``loss(labels, probabilities) -> scalar``, Keras's argument order (as ``keras.losses``), to minimise
        instead of the class-weighted cross-entropy (``class_weight`` then has no effect), e.g. a soft Dice loss
        for segmentation (notebook 05).
    live : bool
        Redraw the training curves after every epoch (in a notebook).
    verbose : bool
        Show a progress bar and a closing summary line.

    Returns
    -------
    History
        Per-epoch loss and the task's metrics (:data:`medcourse.training.TASK_METRICS`) for both splits.
    """
    if getattr(dataset, "task", None) == "detection":  # a detector is trained by its own loop (notebook 06)
        from .detection import fit_detector
        return fit_detector(model, dataset, epochs=epochs, batch_size=batch_size, seed=seed,
                            learning_rate=learning_rate, augment=augment, loss=loss, live=live, verbose=verbose)
    epochs = check_fit_arguments(dataset, epochs, FIT_TASKS)
    learning_rate, weight_decay, schedule = check_recipe(learning_rate, weight_decay, schedule)
    threshold = check_threshold(threshold)
    medcourse.seed_everything(seed)
    train_batches = batches(dataset, "train", batch_size=batch_size, shuffle=True, seed=seed, augment=augment)
    rates = learning_rates(len(train_batches), epochs, learning_rate, schedule)
    train_step = _train_step(model, _StepSizes(rates), weight_decay, loss,
                             class_weights(dataset.train[1], dataset.num_classes, class_weight),
                             train_batches.element_spec)
    run = TrainingRun("tensorflow", dataset.task, epochs=epochs, steps_per_epoch=len(train_batches), live=live,
                      verbose=verbose, title="TensorFlow")
    best_weights = None
    with tf.device(device()):
        for _ in run.epochs():
            for images, labels in train_batches:  # each pass is a new epoch: a new order (and augmentation)
                batch_loss, probabilities = train_step(images, labels)
                run.batch(batch_loss, labels, probabilities)  # small arrays: the step has already run
            if run.end_epoch(dataset.val[1], predict_proba(model, dataset.val[0])):
                best_weights = [w.copy() for w in model.get_weights()]
    model.set_weights(best_weights)
    model.decision_threshold = choose_threshold(dataset, predict_proba(model, dataset.val[0]), threshold)
    return run.finish()


class _StepSizes(keras.optimizers.schedules.LearningRateSchedule):
    """The NumPy table of :func:`medcourse.recipe.learning_rates`, looked up at the optimiser's step count."""

    def __init__(self, rates: np.ndarray):
        self.rates = tf.constant(rates, dtype=tf.float32)

    def __call__(self, step):
        return tf.gather(self.rates, tf.minimum(tf.cast(step, tf.int32), self.rates.shape[0] - 1))

    def get_config(self) -> dict:
        return {"rates": self.rates.numpy().tolist()}


def _train_step(model, step_sizes, weight_decay: float, loss, weights: np.ndarray, batch_spec):
    """One compiled optimisation step (``tf.function``: traced once, then run as a graph, as PyTorch runs eagerly).

    Traced exactly once per fit: the optimiser's slot variables are created before tracing (a first call that
    creates variables would be traced twice), and the signature leaves the batch size open (the last,
    smaller batch would otherwise trigger a trace of its own). Each trace of a U-Net costs seconds.
    """
    optimizer = keras.optimizers.AdamW(learning_rate=step_sizes, weight_decay=weight_decay,
                                       epsilon=1e-8)  # PyTorch's default epsilon
    if model.built and model.trainable_variables:  # a subclassed model not yet called has no variables
        optimizer.build(model.trainable_variables)
    weights = tf.constant(weights, dtype=tf.float32)
    signature = [tf.TensorSpec([None, *spec.shape[1:]], spec.dtype) for spec in batch_spec]

    @tf.function(input_signature=signature)
    def train_step(images, labels):
        labels = tf.cast(labels, tf.int32)
        with tf.GradientTape() as tape:
            probabilities = model(images, training=True)
            if loss is None:
                per_case = keras.losses.sparse_categorical_crossentropy(labels, probabilities)  # takes probabilities
                case_weights = tf.gather(weights, labels)  # per image, or per pixel for segmentation
                batch_loss = tf.reduce_sum(per_case * case_weights) / tf.reduce_sum(case_weights)  # as PyTorch's
            else:
                batch_loss = loss(labels, probabilities)
        gradients = tape.gradient(batch_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return batch_loss, probabilities

    return train_step


def evaluate(model: keras.Model, dataset, split: str = "test") -> dict[str, float]:
    """Loss and the task's metrics (accuracy and AUC, or Dice) of ``model`` on one split of ``dataset``.

    The accuracy is that of the model's decision: ``p₁ ≥ model.decision_threshold`` when :func:`fit` chose a
    threshold on validation (two classes), otherwise the most probable class.
    """
    return evaluate_decided(dataset, split, lambda images: predict_proba(model, images),
                            getattr(model, "decision_threshold", None))


def _expected_shape(model: keras.Model) -> tuple[int, ...] | None:
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple) and len(shape) == 4 and all(isinstance(n, int) for n in shape[1:]):
        return tuple(shape[1:])
    return None


def predict_proba(model: keras.Model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities for ``uint8`` images as the Dataset holds them: ``(N, K)``, or ``(N, H, W, K)`` per pixel.

    Scales like :func:`medcourse.tensorflow.batches` and calls the model in inference mode (it already
    ends with a softmax).
    """
    check_images(images, _expected_shape(model))
    tensor = to_tensor(images)
    outputs = [inference(model, tensor[start:start + batch_size]).numpy()  # compiled: see inference
               for start in range(0, len(images), batch_size)]
    return np.concatenate(outputs).astype(np.float32)


def save_weights(model: keras.Model, path: str | Path) -> Path:
    """Save the model's weights in Keras's native format; ``path`` must end with ``.weights.h5``."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path must end with '.weights.h5' (Keras's weights format), got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(path)
    return path


def load_weights(model: keras.Model, path: str | Path) -> keras.Model:
    """Load weights saved by :func:`save_weights` into ``model`` (a ``.weights.h5`` file holds no code)."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"path must end with '.weights.h5' (Keras's weights format), got {path.name!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    model.load_weights(path)
    return model
