"""Recurrent models in TensorFlow/Keras (notebooks 07–08), mirroring :mod:`medcourse.pytorch.rnn` name for name.

:func:`rnn_from_numpy`, :class:`LectureRNN`, :func:`train_lecture_rnn`, :func:`row_classifier`,
:func:`sequence_model`, :func:`volume_cnn`, :func:`slice_cnn`, :func:`fit_sequences`, :func:`predict_sequences`,
:func:`state_jacobian_norms`.
Keras models take channels-last input (``N×H×W×C`` images, ``N×T×H×W×1`` sequences).

Import as ``from medcourse.tensorflow import rnn as tf_rnn``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow import keras

import medcourse
from medcourse import rnn as numpy_rnn
from medcourse.data.transforms import batch_count, batch_order
from medcourse.training import History, TrainingRun, check_epochs, check_fit_arguments

from ._compiled import inference
from .data import to_tensor
from .training import device

__all__ = [
    "LectureRNN",
    "fit_sequences",
    "predict_sequences",
    "rnn_from_numpy",
    "row_classifier",
    "sequence_model",
    "slice_cnn",
    "state_jacobian_norms",
    "train_lecture_rnn",
    "volume_cnn",
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
    W_xh, W_hh, b_h, hidden, input_size = numpy_rnn.check_parameters(W_xh, W_hh, b_h)
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
    """Train a :class:`LectureRNN` with the negative log-likelihood and Adam; return each epoch's mean loss.

    Batches follow :func:`medcourse.data.transforms.batch_order`, as in the PyTorch twin.
    """
    epochs = check_epochs(epochs)
    medcourse.seed_everything(seed)
    sequences = np.asarray(sequences, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    if sequences.ndim != 3 or len(sequences) != len(labels):
        raise ValueError(f"sequences must be (N, T, input) with N = len(labels) = {len(labels)}, "
                         f"got {sequences.shape}")
    optimizer = keras.optimizers.Adam(learning_rate)

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
    for epoch in range(epochs):
        order = batch_order(len(labels), seed=seed, epoch=epoch)
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


class SequenceModel(keras.Model):
    """A small CNN applied to every frame, then a GRU/LSTM over the frames (or an order-blind pooling over them).

    The Keras twin of :class:`medcourse.pytorch.rnn.SequenceModel`. The regression target's mean and standard
    deviation are non-trainable weights, so they are saved with the model's weights.
    """

    def __init__(self, frame_shape, outputs: int, features: int, hidden: int, temporal: str, **kwargs):
        super().__init__(name=f"sequence_{temporal}", **kwargs)
        self.frame_shape, self.temporal, self.outputs = tuple(frame_shape), temporal, outputs
        self.encoder = _frame_encoder(self.frame_shape, features)
        if temporal in numpy_rnn.POOLINGS:  # order-blind; a hidden layer as large as the GRU's state, then the output
            self.recurrent = None
            self.head = keras.Sequential([keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(outputs)],
                                         name="head")
        else:
            self.recurrent = _recurrent(temporal, hidden, name="recurrent")
            self.head = keras.layers.Dense(outputs, name="head")
        self.target_mean = self.add_weight(shape=(), initializer="zeros", trainable=False, name="target_mean")
        self.target_std = self.add_weight(shape=(), initializer="ones", trainable=False, name="target_std")

    def call(self, frames, training=False):
        shape = keras.ops.shape(frames)  # every frame through the encoder as one batch of N·T images (as PyTorch)
        flat = self.encoder(keras.ops.reshape(frames, (-1, *self.frame_shape, 1)), training=training)
        codes = keras.ops.reshape(flat, (shape[0], shape[1], -1))  # N×T×features
        if self.temporal == "mean":  # the same for any shuffling of the frames
            return self.head(keras.ops.mean(codes, axis=1))
        if self.temporal == "maxmin":  # each feature's largest and smallest value over time: order-blind too
            return self.head(keras.ops.concatenate([keras.ops.max(codes, axis=1), keras.ops.min(codes, axis=1)], axis=1))
        previous = keras.ops.concatenate([codes[:, :1], codes[:, :-1]], axis=1)
        motion = codes - previous  # x_t − x_{t−1} (0 at t = 1): what moved
        return self.head(self.recurrent(keras.ops.concatenate([codes, motion], axis=2), training=training))  # h_T


def _frame_encoder(frame_shape, features: int) -> keras.Sequential:
    """Per frame ``H×W×1`` → ``features`` numbers: halve; two blocks conv 3×3 → batch norm → ReLU; global average."""
    def block(filters):  # PyTorch's BatchNorm2d defaults, spelled out (Keras's own: momentum 0.99, epsilon 1e-3)
        return [keras.layers.Conv2D(filters, 3, padding="same"),
                keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5), keras.layers.ReLU()]

    return keras.Sequential([
        keras.Input((*frame_shape, 1)), keras.layers.AveragePooling2D(2),  # halve the frame first: cheap on a CPU
        *block(8), keras.layers.MaxPooling2D(2), *block(features),
        keras.layers.GlobalAveragePooling2D(),  # the average of a filter's map: e.g. the area it lights up
    ], name="encoder")


def sequence_model(frame_shape, *, outputs: int = 1, temporal: str = "gru", features: int = 8,
                   hidden: int = 32) -> SequenceModel:
    """Per-frame CNN encoder → ``temporal`` → output (notebook 08 §3).

    The Keras twin of :func:`medcourse.pytorch.rnn.sequence_model` (the same choices of ``temporal``); takes
    ``N×T×H×W×1``.

    Examples
    --------
    >>> tuple(sequence_model((32, 32))(np.zeros((2, 10, 32, 32, 1), dtype="float32")).shape)
    (2, 1)
    """
    frame_shape = numpy_rnn.check_sequence_model(frame_shape, temporal)
    model = SequenceModel(frame_shape, outputs, features, hidden, temporal)
    model(np.zeros((1, 2, *frame_shape, 1), dtype=np.float32))  # build the weights now
    return model


# --- a volume: a series of slices, or a 3-D image -------------------------------------------------


def volume_cnn(input_shape, num_classes: int, *, filters: int = 8, hidden: int = 32) -> keras.Sequential:
    """A small 3-D CNN for ``D×H×W`` volumes (notebook 08 §4): halve; conv 3×3×3 → BN → ReLU, max-pool, again; average.

    The Keras twin of :func:`medcourse.pytorch.rnn.volume_cnn`. It takes the volumes as
    :func:`~medcourse.tensorflow.to_tensor` gives them, ``N×D×H×W×1``: already ``Conv3D``'s channels-last layout.

    Examples
    --------
    >>> tuple(volume_cnn((28, 28, 28), 2)(np.zeros((3, 28, 28, 28, 1), dtype="float32")).shape)
    (3, 2)
    """
    shape = numpy_rnn.check_volume_shape(input_shape)
    layers = keras.layers
    return _small_cnn([keras.Input((*shape, 1))], layers.Conv3D, layers.AveragePooling3D, layers.MaxPooling3D,
                      layers.GlobalAveragePooling3D, num_classes, filters, hidden, name="volume_cnn")


def slice_cnn(input_shape, num_classes: int, *, filters: int = 8, hidden: int = 32) -> keras.Sequential:
    """The same CNN in 2-D, reading only the **middle slice** of each ``D×H×W`` volume (notebook 08 §4).

    Examples
    --------
    >>> tuple(slice_cnn((28, 28, 28), 2)(np.zeros((3, 28, 28, 28, 1), dtype="float32")).shape)
    (3, 2)
    """
    depth, height, width = numpy_rnn.check_volume_shape(input_shape)
    layers = keras.layers
    middle = [layers.Cropping3D(((depth // 2, depth - depth // 2 - 1), (0, 0), (0, 0))),  # keep slice D // 2 …
              layers.Reshape((height, width, 1))]  # … N×1×H×W×1 → N×H×W×1
    return _small_cnn([keras.Input((depth, height, width, 1)), *middle], layers.Conv2D, layers.AveragePooling2D,
                      layers.MaxPooling2D, layers.GlobalAveragePooling2D, num_classes, filters, hidden,
                      name="slice_cnn")


def _small_cnn(first, conv, average, maximum, global_average, num_classes, filters, hidden, name) -> keras.Sequential:
    """The blocks of the frame encoder (conv → batch norm → ReLU), in 2-D or 3-D, then a hidden layer and logits."""
    def block(count):
        return [conv(count, 3, padding="same"), keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),
                keras.layers.ReLU()]

    return keras.Sequential([
        *first, average(2),  # halve the input first: cheap on a CPU
        *block(filters), maximum(2), *block(2 * filters),
        global_average(),
        keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(num_classes),  # logits, as in PyTorch
    ], name=name)


def _is_regression(model) -> bool:
    return isinstance(model, SequenceModel) and model.outputs == 1


def _outputs(model, output) -> np.ndarray:
    """Model output → NumPy: standardised values ``(N,)`` for regression, class probabilities otherwise."""
    output = np.asarray(output, dtype=np.float64)
    if _is_regression(model):
        return output[:, 0]
    output = np.exp(output - output.max(axis=1, keepdims=True))  # softmax of the logits
    return output / output.sum(axis=1, keepdims=True)


def predict_sequences(model: keras.Model, images: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Predictions from ``uint8`` Dataset arrays: target values ``(N,)`` for regression, else probabilities ``(N, K)``."""
    outputs = np.concatenate([_outputs(model, inference(model, to_tensor(images[start:start + batch_size])))
                              for start in range(0, len(images), batch_size)])
    if _is_regression(model):
        return outputs * float(model.target_std.numpy()) + float(model.target_mean.numpy())
    return outputs


def fit_sequences(model: keras.Model, dataset, *, epochs: int = 3, batch_size: int = 16, learning_rate: float = 3e-3,
                  seed: int = 0, verbose: bool = True) -> History:
    """Train on ``dataset.train`` with Adam, validate after every epoch; return the :class:`~medcourse.training.History`.

    The Keras twin of :func:`medcourse.pytorch.rnn.fit_sequences`: the same losses, batches, metrics and best epoch.
    """
    epochs = check_fit_arguments(dataset, epochs, ("regression", "binary", "multiclass"), caller="fit_sequences")
    medcourse.seed_everything(seed)
    regression = _is_regression(model)
    if regression != (dataset.task == "regression"):
        raise ValueError(f"the model has {'1 output' if regression else 'several outputs'} but the dataset's "
                         f"task is {dataset.task!r}; use outputs=1 for regression, outputs=K for K classes")
    images, targets = dataset.train
    if regression:
        mean, std = float(np.mean(targets)), float(np.std(targets)) or 1.0
        model.target_mean.assign(mean)
        model.target_std.assign(std)
        scaled = ((np.asarray(targets, dtype=np.float64) - mean) / std).astype(np.float32)
        loss_function = keras.losses.MeanSquaredError()
    else:
        std, scaled = 1.0, np.asarray(targets, dtype=np.int64)
        loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate)
    # Traced once: the model and the optimiser's slots exist before tracing, and the batch size is left open.
    example = to_tensor(images[:1])
    if not model.built:
        model(example, training=False)
    optimizer.build(model.trainable_variables)
    signature = [tf.TensorSpec([None, *example.shape[1:]], example.dtype), tf.TensorSpec([None], scaled.dtype)]

    @tf.function(input_signature=signature)
    def step(inputs, batch_targets):
        with tf.GradientTape() as tape:
            output = model(inputs, training=True)
            loss = loss_function(batch_targets, output[:, 0] if regression else output)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return loss, output

    run = TrainingRun("tensorflow", dataset.task, epochs=epochs, steps_per_epoch=batch_count(len(images), batch_size),
                      verbose=verbose, target_scale=std, title="TensorFlow")
    best_weights = None
    with tf.device(device()):
        for epoch in run.epochs():
            order = batch_order(len(images), seed=seed, epoch=epoch)
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                loss, output = step(to_tensor(images[batch]), scaled[batch])
                run.batch(float(loss), scaled[batch], _outputs(model, output))
            if run.end_epoch(dataset.val[1], predict_sequences(model, dataset.val[0])):
                best_weights = [w.copy() for w in model.get_weights()]
    model.set_weights(best_weights)
    return run.finish()


# --- vanishing and exploding gradients ------------------------------------------------------------


def state_jacobian_norms(cell: keras.layers.Layer, inputs, initial_state=None) -> np.ndarray:
    """``‖∂s_t/∂s_0‖`` (spectral norm, batch mean) for ``t = 1 … T`` of a ``SimpleRNNCell``, ``GRUCell`` or ``LSTMCell``.

    The twin of :func:`medcourse.pytorch.rnn.state_jacobian_norms`: ``s`` is the hidden state ``h`` (RNN,
    GRU) or the LSTM's cell state ``c``. Computed exactly with forward-mode differentiation
    (``tf.autodiff.ForwardAccumulator``): every sample is repeated once per hidden unit ``i`` and carries the
    tangent ``e_i``. The cell computes in its own dtype (build it with ``dtype="float64"`` for a reference).
    """
    dtype = tf.as_dtype(cell.compute_dtype)
    inputs = tf.convert_to_tensor(np.asarray(inputs), dtype=dtype)
    if inputs.shape.rank != 3:
        raise ValueError(f"inputs must have shape (batch, T, features), got {tuple(inputs.shape)}")
    batch, steps, features = inputs.shape
    hidden = int(cell.units)
    if not cell.built:
        cell.build((None, features))
    state = tf.zeros((batch, hidden), dtype) if initial_state is None else tf.convert_to_tensor(
        np.asarray(initial_state), dtype=dtype)
    repeated = tf.repeat(inputs, hidden, axis=0)  # row b·hidden + i is sample b, tangent e_i
    s0 = tf.repeat(state, hidden, axis=0)
    tangent = tf.tile(tf.eye(hidden, dtype=dtype), (batch, 1))
    lstm = isinstance(cell, keras.layers.LSTMCell)
    norms = np.empty(steps)
    with tf.autodiff.ForwardAccumulator(primals=s0, tangents=tangent) as accumulator:
        s, h = s0, tf.zeros_like(s0)
        for t in range(steps):
            if lstm:
                _, (h, s) = cell(repeated[:, t], [h, s])
            else:
                _, new_states = cell(repeated[:, t], [s])
                s = new_states[0] if isinstance(new_states, (list, tuple)) else new_states
            jacobian_t = tf.reshape(accumulator.jvp(s), (batch, hidden, hidden)).numpy()
            norms[t] = np.linalg.norm(jacobian_t, ord=2, axis=(1, 2)).mean()
    return norms
