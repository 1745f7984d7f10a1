"""Recurrent models in PyTorch (notebooks 07–08), mirrored name for name by :mod:`medcourse.tensorflow.rnn`.

* :func:`rnn_from_numpy` — a ``torch.nn.RNN`` holding the NumPy ``W_xh, W_hh, b_h`` of :mod:`medcourse.rnn`;
* :class:`LectureRNN` — the lecture notes' ``RNN`` (``i2h``/``i2o`` on ``[input, hidden]``), completed;
* :func:`row_classifier` — an image read as a sequence of rows, then a GRU;
* :func:`sequence_model` — a per-frame CNN encoder, then a GRU/LSTM (or an order-blind pooling over frames);
* :func:`volume_cnn`, :func:`slice_cnn` — a 3-D CNN, and a 2-D CNN on the middle slice, for volumes;
* :func:`fit_sequences`, :func:`predict_sequences` — a small training loop for all of them;
* :func:`state_jacobian_norms` — ``‖∂s_t/∂s_0‖`` of an RNN, GRU or LSTM cell, by forward-mode autograd.

Import as ``from medcourse.pytorch import rnn as torch_rnn``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

import medcourse
from medcourse import rnn as numpy_rnn
from medcourse.data.transforms import batch_count, batch_order
from medcourse.training import History, TrainingRun, check_epochs, check_fit_arguments

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


# --- the cell equation in PyTorch -----------------------------------------------------------------


def rnn_from_numpy(W_xh, W_hh, b_h, *, dtype=torch.float32) -> nn.RNN:
    """A one-layer ``nn.RNN(tanh, batch_first=True)`` computing exactly :func:`medcourse.rnn.rnn_forward`.

    PyTorch stores ``weight_ih_l0 = W_xh`` and ``weight_hh_l0 = W_hh`` as in the lecture notes, but it
    has **two** bias vectors, ``bias_ih_l0 + bias_hh_l0``, where the notes have one ``b_h``: we put
    ``b_h`` in the first and zeros in the second (any split with the same sum is the same cell).

    Examples
    --------
    >>> layer = rnn_from_numpy(np.ones((4, 3)), np.eye(4), np.zeros(4))
    >>> layer(torch.zeros(2, 5, 3))[0].shape
    torch.Size([2, 5, 4])
    """
    W_xh, W_hh, b_h, hidden, input_size = numpy_rnn.check_parameters(W_xh, W_hh, b_h)
    layer = nn.RNN(input_size, hidden, nonlinearity="tanh", batch_first=True, dtype=dtype)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.as_tensor(W_xh))
        layer.weight_hh_l0.copy_(torch.as_tensor(W_hh))
        layer.bias_ih_l0.copy_(torch.as_tensor(b_h))
        layer.bias_hh_l0.zero_()
    return layer


# --- the lecture notes' RNN -----------------------------------------------------------------------


class LectureRNN(nn.Module):
    """The lecture notes' ``RNN``, completed: ``i2h`` and ``i2o`` read the concatenation ``[x_t, h_{t−1}]``.

    ``i2h`` computes ``h_t = W [x_t, h_{t−1}] + b`` — the cell equation with ``[W_xh | W_hh]`` side by
    side, but **without** the tanh (the notes' model is linear in the hidden state). ``i2o`` gives the
    class scores, turned into log-probabilities by ``LogSoftmax`` (train with ``nn.NLLLoss``).

    Examples
    --------
    >>> model = LectureRNN(3, 8, 2)
    >>> output, hidden = model(torch.zeros(1, 3), model.initHidden())
    >>> output.shape, hidden.shape
    (torch.Size([1, 2]), torch.Size([1, 8]))
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):  # "input" is the lecture notes' name (shadows the builtin)
        combined = torch.cat((input, hidden), 1)
        hidden = self.i2h(combined)
        output = self.i2o(combined)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)

    def read(self, sequences: torch.Tensor) -> torch.Tensor:
        """Run over ``(batch, T, input)`` sequences; return the log-probabilities after the last step."""
        hidden = self.initHidden().repeat(sequences.shape[0], 1)  # one zero state per sequence
        for t in range(sequences.shape[1]):
            output, hidden = self(sequences[:, t], hidden)
        return output


def train_lecture_rnn(model: LectureRNN, sequences, labels, *, epochs: int = 5, batch_size: int = 32,
                      learning_rate: float = 0.01, seed: int = 0) -> list[float]:
    """Train a :class:`LectureRNN` with ``NLLLoss`` and Adam; return the mean loss of each epoch.

    Batches follow :func:`medcourse.data.transforms.batch_order`, as in the TensorFlow twin.
    """
    epochs = check_epochs(epochs)
    medcourse.seed_everything(seed)
    sequences = torch.as_tensor(np.asarray(sequences, dtype=np.float32))
    labels = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    if sequences.ndim != 3 or len(sequences) != len(labels):
        raise ValueError(f"sequences must be (N, T, input) with N = len(labels) = {len(labels)}, "
                         f"got {tuple(sequences.shape)}")
    loss_function = nn.NLLLoss()  # the model already outputs log-probabilities
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    losses = []
    for epoch in range(epochs):
        order = torch.from_numpy(batch_order(len(labels), seed=seed, epoch=epoch))
        total = 0.0
        for start in range(0, len(labels), batch_size):
            batch = order[start:start + batch_size]
            loss = loss_function(model.read(sequences[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(labels))
    return losses


# --- models of image sequences --------------------------------------------------------------------


def _recurrent(cell: str, input_size: int, hidden: int) -> nn.Module:
    kinds = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}
    if cell not in kinds:
        raise ValueError(f"cell must be one of {sorted(kinds)}, got {cell!r}")
    return kinds[cell](input_size, hidden, batch_first=True)


class RowClassifier(nn.Module):
    """An image ``N×C×H×W`` read top to bottom as ``H`` steps of ``W·C`` pixels, then a recurrent layer."""

    def __init__(self, input_shape, num_classes: int, hidden: int, cell: str):
        super().__init__()
        height, width, channels = input_shape
        self.input_shape = (height, width, channels)
        self.recurrent = _recurrent(cell, width * channels, hidden)
        self.dense = nn.Linear(hidden, num_classes)

    def forward(self, images):
        rows = images.permute(0, 2, 3, 1).flatten(2)  # N×C×H×W → N×H×(W·C): one row per time step
        states, _ = self.recurrent(rows)
        return self.dense(states[:, -1])  # logits from the last hidden state h_T


def row_classifier(input_shape, num_classes: int, *, hidden: int = 32, cell: str = "gru") -> RowClassifier:
    """An image read as a sequence of rows (``H`` time steps of ``W·C`` features) → GRU → Dense logits.

    ``input_shape`` is (H, W, C) as in Keras; the model takes ``N×C×H×W`` tensors.

    Examples
    --------
    >>> row_classifier((28, 28, 1), 2)(torch.zeros(4, 1, 28, 28)).shape
    torch.Size([4, 2])
    """
    return RowClassifier(tuple(int(n) for n in input_shape), num_classes, hidden, cell)


class SequenceModel(nn.Module):
    """A small CNN applied to every frame, then a GRU/LSTM over the frames (or an order-blind pooling over them)."""

    def __init__(self, frame_shape, outputs: int, features: int, hidden: int, temporal: str):
        super().__init__()
        self.frame_shape, self.temporal, self.outputs = tuple(frame_shape), temporal, outputs
        self.encoder = _frame_encoder(features)
        if temporal in numpy_rnn.POOLINGS:  # order-blind; a hidden layer as large as the GRU's state, then the output
            pooled = 2 * features if temporal == "maxmin" else features
            self.recurrent = None
            self.head = nn.Sequential(nn.Linear(pooled, hidden), nn.ReLU(), nn.Linear(hidden, outputs))
        else:
            self.recurrent, self.head = _recurrent(temporal, 2 * features, hidden), nn.Linear(hidden, outputs)
        self.register_buffer("target_mean", torch.zeros(()))
        self.register_buffer("target_std", torch.ones(()))

    def forward(self, frames):
        batch, steps = frames.shape[:2]
        codes = self.encoder(frames.flatten(0, 1)).unflatten(0, (batch, steps))  # N×T×features
        if self.temporal == "mean":  # the same for any shuffling of the frames
            return self.head(codes.mean(dim=1))
        if self.temporal == "maxmin":  # each feature's largest and smallest value over time: order-blind too
            return self.head(torch.cat((codes.amax(dim=1), codes.amin(dim=1)), dim=1))
        motion = codes - torch.cat((codes[:, :1], codes[:, :-1]), dim=1)  # x_t − x_{t−1} (0 at t = 1): what moved
        states, _ = self.recurrent(torch.cat((codes, motion), dim=2))
        return self.head(states[:, -1])  # from the last hidden state h_T


def _frame_encoder(features: int = 8) -> nn.Sequential:
    """Per frame ``1×H×W`` → ``features`` numbers: halve; two blocks conv 3×3 → batch norm → ReLU; global average."""
    return nn.Sequential(
        nn.AvgPool2d(2),  # halve the frame first: cheap on a CPU
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, features, 3, padding=1), nn.BatchNorm2d(features), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # the average of a filter's map: e.g. the area it lights up
    )


def sequence_model(frame_shape, *, outputs: int = 1, temporal: str = "gru", features: int = 8,
                   hidden: int = 32) -> SequenceModel:
    """Per-frame CNN encoder → ``temporal`` → output (notebook 08 §3).

    ``temporal`` is a recurrent cell (``"gru"``, ``"lstm"``, ``"rnn"``), which reads at every step the frame's
    code and its change since the previous frame, in order; or an order-blind pooling over time, followed by a
    hidden layer of ``hidden`` ReLU units: ``"mean"`` averages the codes, ``"maxmin"`` keeps each code's largest
    and smallest value (for the EF: the cavity at end-diastole and at end-systole).

    Parameters
    ----------
    frame_shape : (H, W)
        Size of one frame; the model takes float tensors ``N×T×1×H×W``.
    outputs : int
        1 for a regression target (e.g. ejection fraction), ``K`` class logits otherwise.

    Examples
    --------
    >>> sequence_model((32, 32))(torch.zeros(2, 10, 1, 32, 32)).shape
    torch.Size([2, 1])
    """
    numpy_rnn.check_sequence_model(frame_shape, temporal)
    return SequenceModel(frame_shape, outputs, features, hidden, temporal)


# --- a volume: a series of slices, or a 3-D image -------------------------------------------------


def volume_cnn(input_shape, num_classes: int, *, filters: int = 8, hidden: int = 32) -> nn.Sequential:
    """A small 3-D CNN for ``D×H×W`` volumes (notebook 08 §4): halve; conv 3×3×3 → BN → ReLU, max-pool, again; average.

    Then a hidden layer and the logits. It takes the volumes as :func:`~medcourse.pytorch.to_tensor` gives
    them, a sequence of slices ``N×D×1×H×W``, and moves the slice axis where ``nn.Conv3d`` wants it.

    Examples
    --------
    >>> volume_cnn((28, 28, 28), 2)(torch.zeros(3, 28, 1, 28, 28)).shape
    torch.Size([3, 2])
    """
    numpy_rnn.check_volume_shape(input_shape)
    return _small_cnn(Volumes(), nn.Conv3d, nn.BatchNorm3d, nn.AvgPool3d, nn.MaxPool3d, nn.AdaptiveAvgPool3d,
                      num_classes, filters, hidden)


def slice_cnn(input_shape, num_classes: int, *, filters: int = 8, hidden: int = 32) -> nn.Sequential:
    """The same CNN in 2-D, reading only the **middle slice** of each ``D×H×W`` volume (notebook 08 §4).

    Examples
    --------
    >>> slice_cnn((28, 28, 28), 2)(torch.zeros(3, 28, 1, 28, 28)).shape
    torch.Size([3, 2])
    """
    depth = numpy_rnn.check_volume_shape(input_shape)[0]
    return _small_cnn(Volumes(middle=depth // 2), nn.Conv2d, nn.BatchNorm2d, nn.AvgPool2d, nn.MaxPool2d,
                      nn.AdaptiveAvgPool2d, num_classes, filters, hidden)


def _small_cnn(first, conv, norm, average, maximum, global_average, num_classes, filters, hidden) -> nn.Sequential:
    """The blocks of the frame encoder (conv → batch norm → ReLU), in 2-D or 3-D, then a hidden layer and logits."""
    return nn.Sequential(
        first, average(2),  # halve the input first: cheap on a CPU
        conv(1, filters, 3, padding=1), norm(filters), nn.ReLU(), maximum(2),
        conv(filters, 2 * filters, 3, padding=1), norm(2 * filters), nn.ReLU(),
        global_average(1), nn.Flatten(),
        nn.Linear(2 * filters, hidden), nn.ReLU(), nn.Linear(hidden, num_classes),
    )


class Volumes(nn.Module):
    """``N×D×1×H×W`` slices → the volumes ``N×1×D×H×W`` (for ``nn.Conv3d``), or only slice ``middle`` (``N×1×H×W``)."""

    def __init__(self, middle: int | None = None):
        super().__init__()
        self.middle = middle

    def forward(self, slices):
        return slices.transpose(1, 2) if self.middle is None else slices[:, self.middle]


def _is_regression(model) -> bool:
    return isinstance(model, SequenceModel) and model.outputs == 1


def _outputs(model: nn.Module, output: torch.Tensor) -> np.ndarray:
    """Model output → NumPy: standardised values ``(N,)`` for regression, class probabilities otherwise."""
    return output[:, 0].cpu().numpy() if _is_regression(model) else torch.softmax(output, dim=1).cpu().numpy()


def predict_sequences(model: nn.Module, images: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Predictions from ``uint8`` Dataset arrays: target values ``(N,)`` for regression, else probabilities ``(N, K)``."""
    model.eval()
    target = next(model.parameters()).device
    with torch.no_grad():
        outputs = np.concatenate([_outputs(model, model(to_tensor(images[start:start + batch_size]).to(target)))
                                  for start in range(0, len(images), batch_size)]).astype(np.float64)
    if _is_regression(model):
        return outputs * float(model.target_std) + float(model.target_mean)
    return outputs


def fit_sequences(model: nn.Module, dataset, *, epochs: int = 3, batch_size: int = 16, learning_rate: float = 3e-3,
                  seed: int = 0, verbose: bool = True) -> History:
    """Train on ``dataset.train`` with Adam, validate after every epoch; return the :class:`~medcourse.training.History`.

    A regression target is standardised (its training mean and standard deviation are stored in the model,
    so they are saved with its weights) and trained with the mean squared error; the History then records
    ``loss`` (MSE of the standardised target) and ``mae`` (in the target's units), and the best epoch is the
    lowest validation loss. A classification target is trained with cross-entropy and judged like
    :func:`medcourse.pytorch.fit` (accuracy, AUC). Batches follow :func:`medcourse.data.transforms.batch_order`,
    as in the TensorFlow twin; the same ``seed`` gives the same History.
    """
    epochs = check_fit_arguments(dataset, epochs, ("regression", "binary", "multiclass"), caller="fit_sequences")
    medcourse.seed_everything(seed)
    regression = _is_regression(model)
    if regression != (dataset.task == "regression"):
        raise ValueError(f"the model has {'1 output' if regression else 'several outputs'} but the dataset's "
                         f"task is {dataset.task!r}; use outputs=1 for regression, outputs=K for K classes")
    target = device()
    model.to(target)
    images, targets = dataset.train
    if regression:
        mean, std = float(np.mean(targets)), float(np.std(targets)) or 1.0
        model.target_mean.fill_(mean)
        model.target_std.fill_(std)
        scaled = torch.as_tensor(((np.asarray(targets, dtype=np.float64) - mean) / std).astype(np.float32))
        loss_function = nn.MSELoss()
    else:
        std, scaled = 1.0, torch.as_tensor(np.array(targets, dtype=np.int64))  # a copy: Dataset arrays are read-only
        loss_function = nn.CrossEntropyLoss()  # takes logits
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    run = TrainingRun("pytorch", dataset.task, epochs=epochs, steps_per_epoch=batch_count(len(images), batch_size),
                      verbose=verbose, target_scale=std, title="PyTorch")
    best_state = None
    for epoch in run.epochs():
        model.train()
        order = batch_order(len(images), seed=seed, epoch=epoch)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            output = model(to_tensor(images[batch]).to(target))
            loss = loss_function(output[:, 0] if regression else output, scaled[batch].to(target))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            run.batch(loss.item(), scaled[batch].numpy(), _outputs(model, output.detach()))
        if run.end_epoch(dataset.val[1], predict_sequences(model, dataset.val[0])):
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    model.load_state_dict(best_state)
    return run.finish()


# --- vanishing and exploding gradients ------------------------------------------------------------


def state_jacobian_norms(cell: nn.Module, inputs, initial_state=None) -> np.ndarray:
    """``‖∂s_t/∂s_0‖`` (spectral norm, batch mean) for ``t = 1 … T`` of an ``RNNCell``, ``GRUCell`` or ``LSTMCell``.

    ``s`` is the hidden state ``h`` of an RNN or GRU cell and the **cell state** ``c`` of an LSTM (its
    memory, which the forget gate carries along). Computed exactly with forward-mode autograd: every
    sample is repeated once per hidden unit ``i`` and carries the tangent ``e_i``.

    Parameters
    ----------
    cell : torch.nn.RNNCell, GRUCell or LSTMCell
    inputs : array (batch, T, input)
    initial_state : array (batch, hidden), optional
        ``s_0`` (zeros by default).
    """
    import torch.autograd.forward_ad as forward_ad

    if not isinstance(cell, (nn.RNNCell, nn.GRUCell, nn.LSTMCell)):
        raise TypeError(f"cell must be a torch.nn.RNNCell, GRUCell or LSTMCell, got {type(cell).__name__}")
    dtype = next(cell.parameters()).dtype
    inputs = torch.as_tensor(np.asarray(inputs), dtype=dtype)
    if inputs.ndim != 3 or inputs.shape[2] != cell.input_size:
        raise ValueError(f"inputs must have shape (batch, T, {cell.input_size}), got {tuple(inputs.shape)}")
    batch, steps, _ = inputs.shape
    hidden = cell.hidden_size
    state = torch.zeros(batch, hidden, dtype=dtype) if initial_state is None else torch.as_tensor(
        np.asarray(initial_state), dtype=dtype)
    repeated = inputs.repeat_interleave(hidden, dim=0)  # row b·hidden + i is sample b, tangent e_i
    tangent = torch.eye(hidden, dtype=dtype).repeat(batch, 1)
    norms = np.empty(steps)
    with torch.no_grad(), forward_ad.dual_level():
        s = forward_ad.make_dual(state.repeat_interleave(hidden, dim=0), tangent)
        h = torch.zeros_like(tangent)
        for t in range(steps):
            if isinstance(cell, nn.LSTMCell):
                h, s = cell(repeated[:, t], (h, s))
            else:
                s = cell(repeated[:, t], s)
            jacobian_t = forward_ad.unpack_dual(s).tangent.reshape(batch, hidden, hidden).transpose(1, 2)
            norms[t] = torch.linalg.matrix_norm(jacobian_t, ord=2).mean().item()
    return norms
