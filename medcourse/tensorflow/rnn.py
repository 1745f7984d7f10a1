"""Recurrent models in TensorFlow/Keras (notebooks 07–08), mirroring :mod:`medcourse.pytorch.sequences`.

Same names, same arguments: :func:`rnn_from_numpy`, :class:`LectureRNN`, :func:`train_lecture_rnn`,
:func:`row_classifier`, :func:`sequence_model`, :func:`fit_sequences`, :func:`predict_sequences`.
Keras models take channels-last input (``N×H×W×C`` images, ``N×T×H×W×1`` sequences).

Import as ``from medcourse.tensorflow import sequences as tf_sequences``.
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf
from tensorflow import keras

import medcourse
from medcourse import rnn as numpy_rnn

__all__ = [
    "LectureRNN",
    "fit_sequences",
    "predict_sequences",
    "rnn_from_numpy",
    "row_classifier",
    "sequence_model",
    "train_lecture_rnn",
]


# --- the cell equation in Keras -------------------------------------------------------------------


def rnn_from_numpy(W_xh, W_hh, b_h, *, dtype: str = "float32") -> keras.layers.SimpleRNN:
    """A ``SimpleRNN(return_sequences=True)`` computing exactly :func:`medcourse.rnn.rnn_forward`.

    Keras multiplies row vectors from the right, ``x_t · kernel``, so it stores the **transposes**:
    ``kernel = W_xhᵀ`` (input, hidden) and ``recurrent_kernel = W_hhᵀ`` (hidden, hidden); it has one
    ``bias = b_h``, like the lecture notes (PyTorch has two).

    Examples
    --------
    >>> layer = rnn_from_numpy(np.ones((4, 3)), np.eye(4), np.zeros(4))
    >>> tuple(layer(np.zeros((2, 5, 3), dtype="float32")).shape)
    (2, 5, 4)
    """
    W_xh, W_hh, b_h, hidden, input_size = numpy_rnn._check_parameters(W_xh, W_hh, b_h)
    layer = keras.layers.SimpleRNN(hidden, activation="tanh", return_sequences=True, dtype=dtype)
    layer.build((None, None, input_size))
    layer.set_weights([W_xh.T, W_hh.T, b_h])  # kernel, recurrent_kernel, bias
    return layer


# --- the lecture notes' RNN, in Keras -------------------------------------------------------------


class LectureRNN(keras.Model):
    """The Keras twin of the lecture notes' PyTorch ``RNN``: ``i2h``/``i2o`` on ``[x_t, h_{t−1}]``, log-softmax.

    Examples
    --------
    >>> model = LectureRNN(3, 8, 2)
    >>> output, hidden = model(np.zeros((1, 3), dtype="float32"), model.initHidden())
    >>> tuple(output.shape), tuple(hidden.shape)
    ((1, 2), (1, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, **kwargs):
        super().__init__(**kwargs)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.i2h = keras.layers.Dense(hidden_size, name="i2h")  # kernel (input + hidden, hidden) = PyTorch weightᵀ
        self.i2o = keras.layers.Dense(output_size, name="i2o")
        self.i2h.build((None, input_size + hidden_size))
        self.i2o.build((None, input_size + hidden_size))

    def call(self, inputs, hidden):
        combined = tf.concat([inputs, hidden], axis=1)
        hidden = self.i2h(combined)
        output = tf.nn.log_softmax(self.i2o(combined), axis=1)
        return output, hidden

    def initHidden(self):
        return tf.zeros((1, self.hidden_size))

    def read(self, sequences) -> tf.Tensor:
        """Run over ``(batch, T, input)`` sequences; return the log-probabilities after the last step."""
        sequences = tf.convert_to_tensor(sequences, dtype=tf.float32)
        hidden = tf.repeat(self.initHidden(), tf.shape(sequences)[0], axis=0)  # one zero state per sequence
        for t in range(sequences.shape[1]):
            output, hidden = self(sequences[:, t], hidden)
        return output


def train_lecture_rnn(model: LectureRNN, sequences, labels, *, epochs: int = 5, batch_size: int = 32,
                      learning_rate: float = 0.01, seed: int = 0) -> list[float]:
    """Train a :class:`LectureRNN` with the negative log-likelihood and Adam; return each epoch's mean loss."""
    medcourse.seed_everything(seed)
    sequences = np.asarray(sequences, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    if sequences.ndim != 3 or len(sequences) != len(labels):
        raise ValueError(f"sequences must be (N, T, input) with N = len(labels) = {len(labels)}, "
                         f"got {sequences.shape}")
    optimizer = keras.optimizers.Adam(learning_rate)
    rng = np.random.default_rng(seed)

    @tf.function(reduce_retracing=True)
    def step(batch_sequences, batch_labels):
        with tf.GradientTape() as tape:
            log_probabilities = model.read(batch_sequences)
            # NLL: pick −log p of the true class (PyTorch: nn.NLLLoss on the log-softmax output).
            loss = -tf.reduce_mean(tf.gather(log_probabilities, batch_labels, axis=1, batch_dims=1))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return loss

    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(labels))
        total = 0.0
        for start in range(0, len(labels), batch_size):
            batch = order[start:start + batch_size]
            total += float(step(sequences[batch], labels[batch])) * len(batch)
        losses.append(total / len(labels))
    return losses


# --- models of image sequences --------------------------------------------------------------------


def _recurrent(cell: str, hidden: int, **kwargs) -> keras.layers.Layer:
    kinds = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM, "rnn": keras.layers.SimpleRNN}
    if cell not in kinds:
        raise ValueError(f"cell must be one of {sorted(kinds)}, got {cell!r}")
    return kinds[cell](hidden, **kwargs)


def row_classifier(input_shape, num_classes: int, *, hidden: int = 32, cell: str = "gru") -> keras.Model:
    """An image read as a sequence of rows (``H`` time steps of ``W·C`` features) → GRU → Dense logits.

    Examples
    --------
    >>> tuple(row_classifier((28, 28, 1), 2)(np.zeros((4, 28, 28, 1), dtype="float32")).shape)
    (4, 2)
    """
    height, width, channels = (int(n) for n in input_shape)
    return keras.Sequential([
        keras.Input((height, width, channels)),
        keras.layers.Reshape((height, width * channels)),  # N×H×W×C → N×H×(W·C): one row per time step
        _recurrent(cell, hidden, name="recurrent"),  # returns the last hidden state h_T
        keras.layers.Dense(num_classes, name="dense"),  # logits
    ], name="row_classifier")


def sequence_model(frame_shape, *, outputs: int = 1, temporal: str = "gru", features: int = 8,
                   hidden: int = 32) -> keras.Model:
    """Per-frame CNN encoder → ``temporal`` (``"gru"``, ``"lstm"``, ``"rnn"`` or ``"mean"``) → Dense.

    The Keras twin of :func:`medcourse.pytorch.sequences.sequence_model`; takes ``N×T×H×W×1``.

    Examples
    --------
    >>> tuple(sequence_model((32, 32))(np.zeros((2, 10, 32, 32, 1), dtype="float32")).shape)
    (2, 1)
    """
    if len(tuple(frame_shape)) != 2:
        raise ValueError(f"frame_shape must be (H, W), got {frame_shape!r}")
    if temporal not in ("gru", "lstm", "rnn", "mean"):
        raise ValueError(f"temporal must be 'gru', 'lstm', 'rnn' or 'mean', got {temporal!r}")
    height, width = (int(n) for n in frame_shape)
    encoder = keras.Sequential([  # per frame: H×W×1 → features (halve the frame first: cheap on a CPU)
        keras.Input((height, width, 1)),
        keras.layers.AveragePooling2D(2),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(features, 3, padding="same", activation="relu"),
        keras.layers.GlobalAveragePooling2D(),  # the average of a filter's map: e.g. the area it lights up
        # PyTorch's BatchNorm1d defaults, spelled out (Keras's own default momentum is 0.99, epsilon 1e-3):
        keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
    ], name="encoder")
    frames = keras.Input((None, height, width, 1))
    codes = keras.layers.TimeDistributed(encoder, name="per_frame")(frames)  # N×T×features
    if temporal == "mean":
        summary = keras.layers.GlobalAveragePooling1D(name="mean_over_time")(codes)  # order-blind baseline
    else:
        change = codes - keras.ops.mean(codes, axis=1, keepdims=True)  # each frame relative to its own sequence
        both = keras.layers.Concatenate(axis=2)([codes, change])
        summary = _recurrent(temporal, hidden, name="recurrent")(both)  # last hidden state h_T
    model = keras.Model(frames, keras.layers.Dense(outputs, name="head")(summary), name=f"sequence_{temporal}")
    model.target_mean, model.target_std = 0.0, 1.0
    return model


def _is_regression(model) -> bool:
    return getattr(model, "target_mean", None) is not None and model.output_shape[-1] == 1


def _to_input(model, images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"images must be uint8 as the Dataset holds them, got dtype {images.dtype}")
    array = images.astype(np.float32) / np.float32(255.0)
    if len(model.input_shape) == 5:
        if array.ndim != 4:
            raise ValueError(f"images must be sequences N×T×H×W, got shape {images.shape}")
        return array[..., np.newaxis]  # N×T×H×W → N×T×H×W×1 (channels last)
    return array[..., np.newaxis] if array.ndim == 3 else array


def predict_sequences(model: keras.Model, images: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Predictions from ``uint8`` Dataset arrays: target values ``(N,)`` for regression, else probabilities ``(N, K)``."""
    outputs = [model(_to_input(model, images[start:start + batch_size]), training=False).numpy()
               for start in range(0, len(images), batch_size)]
    output = np.concatenate(outputs).astype(np.float64)
    if _is_regression(model):
        return output[:, 0] * model.target_std + model.target_mean
    output = np.exp(output - output.max(axis=1, keepdims=True))
    return output / output.sum(axis=1, keepdims=True)


def fit_sequences(model: keras.Model, dataset, *, epochs: int = 3, batch_size: int = 16, learning_rate: float = 3e-3,
                  seed: int = 0, verbose: bool = True) -> dict[str, list[float]]:
    """Train on ``dataset.train`` with Adam; return ``{"loss", "val_loss", "val_metric", "seconds"}`` per epoch.

    The Keras twin of :func:`medcourse.pytorch.sequences.fit_sequences` (same losses, same metrics); the
    model ends with the weights of the epoch with the lowest validation loss (``record["best_epoch"]``).
    """
    from tqdm.auto import tqdm

    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    medcourse.seed_everything(seed)
    regression = _is_regression(model)
    if regression != (dataset.task == "regression"):
        raise ValueError(f"the model has {'1 output' if regression else 'several outputs'} but the dataset's "
                         f"task is {dataset.task!r}; use outputs=1 for regression, outputs=K for K classes")
    images, targets = dataset.train
    if regression:
        targets = np.asarray(targets, dtype=np.float64)
        model.target_mean, model.target_std = float(targets.mean()), float(targets.std()) or 1.0
        scaled = ((targets - model.target_mean) / model.target_std).astype(np.float32)
        loss_function = keras.losses.MeanSquaredError()
    else:
        scaled = np.asarray(targets, dtype=np.int64)
        loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate)

    @tf.function(reduce_retracing=True)
    def step(inputs, batch_targets):
        with tf.GradientTape() as tape:
            output = model(inputs, training=True)
            loss = loss_function(batch_targets, output[:, 0] if regression else output)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return loss

    rng = np.random.default_rng(seed)
    record = {"loss": [], "val_loss": [], "val_metric": [], "seconds": [], "best_epoch": 0}
    best_weights = None
    progress = tqdm(total=epochs, desc="TensorFlow", unit="epoch", disable=not verbose)
    for _ in range(epochs):
        start_time = time.perf_counter()
        order = rng.permutation(len(scaled))
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            total += float(step(_to_input(model, images[batch]), scaled[batch])) * len(batch)
        record["loss"].append(total / len(order))
        val_loss, val_metric = _validation(model, dataset, regression)
        record["val_loss"].append(val_loss)
        record["val_metric"].append(val_metric)
        record["seconds"].append(time.perf_counter() - start_time)
        if val_loss <= min(record["val_loss"]):  # keep the weights of the best validation epoch
            record["best_epoch"] = len(record["val_loss"])
            best_weights = model.get_weights()
        progress.update(1)
        progress.set_postfix(loss=f"{record['loss'][-1]:.3f}", val=f"{val_metric:.3f}")
    progress.close()
    model.set_weights(best_weights)
    return record


def _validation(model, dataset, regression: bool) -> tuple[float, float]:
    images, targets = dataset.val
    predictions = predict_sequences(model, images)
    if regression:
        return (float(np.mean(((predictions - targets) / model.target_std) ** 2)),
                float(np.mean(np.abs(predictions - targets))))
    chosen = np.clip(predictions[np.arange(len(targets)), targets], 1e-12, 1.0)
    return float(-np.mean(np.log(chosen))), float(np.mean(predictions.argmax(axis=1) == targets))
