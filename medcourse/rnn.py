"""The recurrent cell equation h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h), unrolled, and backprop through time.

NumPy reference implementations derived in notebook 07 and checked there against ``torch.nn.RNN``
and ``keras.layers.SimpleRNN``.

Conventions
-----------
The lecture notes write the cell for one sample as a **column vector**::

    h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h),   W_xh: (hidden, input),  W_hh: (hidden, hidden)

Here a batch holds one sample per **row**, so ``x_t`` is ``(batch, input)`` and ``h_prev`` is
``(batch, hidden)``. Transposing the column equation row by row gives the batch form computed here::

    h_t = tanh(h_{t−1} W_hhᵀ + x_t W_xhᵀ + b_h)

with the **same** matrices ``W_xh`` and ``W_hh`` as in the notes (and as PyTorch's ``weight_ih`` and
``weight_hh``; Keras stores their transposes as ``kernel`` and ``recurrent_kernel``).
Sequences are ``(batch, T, input)`` (batch first, like ``batch_first=True`` in PyTorch and Keras).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "KINETIC_TYPES",
    "POOLINGS",
    "RECURRENT_CELLS",
    "check_parameters",
    "check_sequence_model",
    "check_volume_shape",
    "enhancement_curves",
    "gru_weights_for_keras",
    "jacobian_norms",
    "largest_singular_value",
    "lstm_weights_for_keras",
    "rnn_backward",
    "rnn_cell",
    "rnn_forward",
    "spectral_radius",
    "with_spectral_radius",
]


# --- validation -----------------------------------------------------------------------------------


def _as_matrix(value, name: str, ndim: int) -> np.ndarray:
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def check_parameters(W_xh, W_hh, b_h) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Validate the parameters; return them with (hidden, input) sizes."""
    W_xh = _as_matrix(W_xh, "W_xh", 2)
    W_hh = _as_matrix(W_hh, "W_hh", 2)
    b_h = _as_matrix(b_h, "b_h", 1)
    hidden, input_size = W_xh.shape
    if W_hh.shape != (hidden, hidden):
        raise ValueError(
            f"W_hh must have shape (hidden, hidden) = ({hidden}, {hidden}) to match W_xh {W_xh.shape}, "
            f"got {W_hh.shape}"
        )
    if b_h.shape != (hidden,):
        raise ValueError(f"b_h must have shape (hidden,) = ({hidden},) to match W_xh {W_xh.shape}, got {b_h.shape}")
    return W_xh, W_hh, b_h, hidden, input_size


def _check_state(h, name: str, batch: int, hidden: int) -> np.ndarray:
    h = _as_matrix(h, name, 2)
    if h.shape != (batch, hidden):
        raise ValueError(f"{name} must have shape (batch, hidden) = ({batch}, {hidden}), got {h.shape}")
    return h


#: How ``sequence_model`` (both frameworks, notebook 08) reads a sequence of frame codes: in order, with a
#: recurrent cell, or with an order-blind pooling over time.
RECURRENT_CELLS = ("gru", "lstm", "rnn")
POOLINGS = ("mean", "maxmin")


def check_sequence_model(frame_shape, temporal: str) -> tuple[int, int]:
    """The arguments of both frameworks' ``sequence_model``, checked; returns ``frame_shape`` as ``(H, W)``."""
    if len(tuple(frame_shape)) != 2:
        raise ValueError(f"frame_shape must be (H, W), got {frame_shape!r}")
    if temporal not in RECURRENT_CELLS + POOLINGS:
        raise ValueError(f"temporal must be one of {RECURRENT_CELLS + POOLINGS}, got {temporal!r}")
    height, width = (int(n) for n in frame_shape)
    return height, width


def check_volume_shape(input_shape) -> tuple[int, int, int]:
    """The ``input_shape`` of both frameworks' ``volume_cnn`` and ``slice_cnn``, checked, as ``(D, H, W)``."""
    try:
        shape = tuple(int(n) for n in input_shape)
    except (TypeError, ValueError):
        shape = ()
    if len(shape) != 3 or min(shape) < 4:
        raise ValueError(f"input_shape must be (D, H, W) with every size at least 4, got {input_shape!r}")
    return shape


# --- forward --------------------------------------------------------------------------------------


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h) -> np.ndarray:
    """One step of the recurrent cell for a batch: ``h_t = tanh(h_prev W_hhᵀ + x_t W_xhᵀ + b_h)``.

    This is the lecture notes' ``h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h)`` with one sample per row.

    Parameters
    ----------
    x_t : array (batch, input)
        The inputs at time ``t``.
    h_prev : array (batch, hidden)
        The hidden states at time ``t − 1``.
    W_xh : array (hidden, input)
        Input-to-hidden weights (PyTorch ``weight_ih``; Keras ``kernel`` is its transpose).
    W_hh : array (hidden, hidden)
        Hidden-to-hidden weights (PyTorch ``weight_hh``; Keras ``recurrent_kernel`` is its transpose).
    b_h : array (hidden,)
        The bias (PyTorch splits it into ``bias_ih + bias_hh``; Keras has one ``bias``).

    Returns
    -------
    numpy.ndarray (batch, hidden)

    Examples
    --------
    >>> W_xh, W_hh, b_h = np.ones((2, 3)), np.eye(2), np.zeros(2)
    >>> rnn_cell(np.zeros((1, 3)), np.zeros((1, 2)), W_xh, W_hh, b_h)
    array([[0., 0.]])
    >>> rnn_cell(np.full((1, 3), 0.1), np.array([[0.2, -0.2]]), W_xh, W_hh, b_h).round(4)
    array([[0.4621, 0.0997]])
    """
    W_xh, W_hh, b_h, hidden, input_size = check_parameters(W_xh, W_hh, b_h)
    x_t = _as_matrix(x_t, "x_t", 2)
    if x_t.shape[1] != input_size:
        raise ValueError(f"x_t must have shape (batch, input) with input = {input_size} (W_xh is {W_xh.shape}), "
                         f"got {x_t.shape}")
    h_prev = _check_state(h_prev, "h_prev", x_t.shape[0], hidden)
    return np.tanh(h_prev @ W_hh.T + x_t @ W_xh.T + b_h)


def _check_sequence(x, h0, W_xh, W_hh, b_h):
    W_xh, W_hh, b_h, hidden, input_size = check_parameters(W_xh, W_hh, b_h)
    x = _as_matrix(x, "x", 3)
    batch, steps, features = x.shape
    if features != input_size:
        raise ValueError(f"x must have shape (batch, T, input) with input = {input_size} (W_xh is {W_xh.shape}), "
                         f"got {x.shape}")
    if steps < 1:
        raise ValueError(f"x must have at least one time step, got shape {x.shape}")
    h0 = np.zeros((batch, hidden), dtype=np.result_type(x, W_xh)) if h0 is None else h0
    h0 = _check_state(h0, "h0", batch, hidden)
    return x, h0, W_xh, W_hh, b_h


def rnn_forward(x, h0, W_xh, W_hh, b_h) -> np.ndarray:
    """Unroll the cell over a sequence and return every hidden state ``h_1 … h_T``.

    Parameters
    ----------
    x : array (batch, T, input)
        The input sequence, batch first.
    h0 : array (batch, hidden) or None
        The initial hidden state (zeros when ``None``, as in both frameworks).
    W_xh, W_hh, b_h
        As in :func:`rnn_cell`.

    Returns
    -------
    numpy.ndarray (batch, T, hidden)
        ``states[:, t - 1]`` is ``h_t``; the last one, ``states[:, -1]``, is what a sequence model
        usually passes on to its output layer.

    Examples
    --------
    >>> states = rnn_forward(np.ones((2, 5, 3)), None, np.full((4, 3), 0.1), 0.5 * np.eye(4), np.zeros(4))
    >>> states.shape
    (2, 5, 4)
    """
    x, h, W_xh, W_hh, b_h = _check_sequence(x, h0, W_xh, W_hh, b_h)
    states = []
    for t in range(x.shape[1]):
        h = rnn_cell(x[:, t], h, W_xh, W_hh, b_h)
        states.append(h)
    return np.stack(states, axis=1)


# --- backward -------------------------------------------------------------------------------------


def rnn_backward(x, h0, W_xh, W_hh, b_h, grad_states, *, states=None) -> dict[str, np.ndarray]:
    """Backpropagation through time, by hand: the gradients of a loss with respect to every parameter.

    Given ``grad_states = ∂L/∂h_t`` for every ``t`` (the *direct* gradient of the loss on each hidden
    state — zeros except at ``t = T`` when only the last state feeds the output), walk back from
    ``t = T`` to ``1``::

        δ_t  = (grad_states[t] + δh_t) ⊙ (1 − h_t²)     # through tanh: tanh′(a) = 1 − tanh(a)²
        ∂L/∂W_hh += δ_tᵀ h_{t−1}     ∂L/∂W_xh += δ_tᵀ x_t     ∂L/∂b_h += Σ_batch δ_t
        δh_{t−1} = δ_t W_hh                                # the gradient flowing back in time

    Parameters
    ----------
    x, h0, W_xh, W_hh, b_h
        As in :func:`rnn_forward`.
    grad_states : array (batch, T, hidden)
        Upstream gradient ``∂L/∂h_t`` on each hidden state.
    states : array (batch, T, hidden), optional
        The output of :func:`rnn_forward` (recomputed when omitted).

    Returns
    -------
    dict
        ``{"W_xh", "W_hh", "b_h", "h0", "x"}``: arrays shaped like the corresponding argument.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, W_xh, W_hh, b_h = rng.normal(size=(2, 4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 5)), np.zeros(5)
    >>> grads = rnn_backward(x, None, W_xh, W_hh, b_h, np.ones((2, 4, 5)))
    >>> {name: g.shape for name, g in grads.items()}
    {'W_xh': (5, 3), 'W_hh': (5, 5), 'b_h': (5,), 'h0': (2, 5), 'x': (2, 4, 3)}
    """
    x, h0, W_xh, W_hh, b_h = _check_sequence(x, h0, W_xh, W_hh, b_h)
    expected = (x.shape[0], x.shape[1], W_hh.shape[0])
    grad_states = _as_matrix(grad_states, "grad_states", 3)
    if grad_states.shape != expected:
        raise ValueError(f"grad_states must have shape (batch, T, hidden) = {expected}, got {grad_states.shape}")
    states = rnn_forward(x, h0, W_xh, W_hh, b_h) if states is None else _as_matrix(states, "states", 3)
    if states.shape != expected:
        raise ValueError(f"states must have shape (batch, T, hidden) = {expected}, got {states.shape}")

    grads = {"W_xh": np.zeros_like(W_xh, dtype=float), "W_hh": np.zeros_like(W_hh, dtype=float),
             "b_h": np.zeros_like(b_h, dtype=float), "x": np.zeros_like(x, dtype=float)}
    grad_h = np.zeros(expected[::2])  # δh_t: the gradient arriving at h_t from later time steps
    for t in reversed(range(x.shape[1])):
        h_t = states[:, t]
        h_prev = states[:, t - 1] if t > 0 else h0
        delta = (grad_states[:, t] + grad_h) * (1.0 - h_t**2)  # ∂L/∂a_t, a_t the pre-activation
        grads["W_hh"] += delta.T @ h_prev
        grads["W_xh"] += delta.T @ x[:, t]
        grads["b_h"] += delta.sum(axis=0)
        grads["x"][:, t] = delta @ W_xh
        grad_h = delta @ W_hh
    grads["h0"] = grad_h
    return {name: grads[name] for name in ("W_xh", "W_hh", "b_h", "h0", "x")}


# --- vanishing and exploding gradients ------------------------------------------------------------


def spectral_radius(matrix) -> float:
    """The largest absolute eigenvalue of a square matrix.

    Examples
    --------
    >>> spectral_radius(np.diag([0.5, -2.0]))
    2.0
    """
    matrix = _as_matrix(matrix, "matrix", 2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def largest_singular_value(matrix) -> float:
    """``‖W‖₂``, the largest singular value: how much ``W`` can stretch a vector (notebook 07 §6).

    It bounds the spectral radius from above (``ρ(W) ≤ ‖W‖₂``), with equality for normal matrices
    (``W Wᵀ = Wᵀ W``: symmetric, orthogonal, ``ρ·Q``); a non-normal matrix can have ``ρ < 1 < ‖W‖₂``.

    Examples
    --------
    >>> W = np.array([[0.5, 3.0], [0.0, 0.5]])
    >>> spectral_radius(W), round(largest_singular_value(W), 3)
    (0.5, 3.081)
    """
    matrix = _as_matrix(matrix, "matrix", 2)
    return float(np.linalg.norm(matrix, ord=2))


def with_spectral_radius(matrix, radius: float) -> np.ndarray:
    """``matrix`` rescaled so that its spectral radius is ``radius``.

    Examples
    --------
    >>> round(spectral_radius(with_spectral_radius(np.array([[1.0, 2.0], [0.0, 4.0]]), 0.9)), 12)
    0.9
    """
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius!r}")
    current = spectral_radius(matrix)
    if current == 0:
        raise ValueError("matrix has spectral radius 0 (nilpotent); it cannot be rescaled to another radius")
    return np.asarray(matrix, dtype=float) * (radius / current)


def jacobian_norms(x, h0, W_xh, W_hh, b_h) -> np.ndarray:
    """``‖∂h_t/∂h_0‖`` (spectral norm, averaged over the batch) for ``t = 1 … T`` (notebook 07 §6).

    By the chain rule ``∂h_t/∂h_0 = diag(1 − h_t²) W_hh · ∂h_{t−1}/∂h_0``: a product of ``t`` factors. Each
    factor's norm is at most ``‖W_hh‖₂`` (the largest singular value; the tanh slope is ≤ 1), so the product
    vanishes for sure, geometrically, when ``‖W_hh‖₂ < 1``. The spectral radius ``ρ ≤ ‖W_hh‖₂`` only sets the
    long-run rate of the plain powers ``W_hhᵗ``: with ``ρ < 1`` but ``‖W_hh‖₂ > 1`` (a non-normal matrix) the
    product can grow for a while before it decays; with ``ρ > 1`` it can explode until tanh saturates.

    Returns
    -------
    numpy.ndarray (T,)

    Examples
    --------
    >>> norms = jacobian_norms(np.zeros((1, 3, 2)), None, np.zeros((4, 2)), 0.5 * np.eye(4), np.zeros(4))
    >>> norms.round(3).tolist()
    [0.5, 0.25, 0.125]
    """
    x, h0, W_xh, W_hh, b_h = _check_sequence(x, h0, W_xh, W_hh, b_h)
    states = rnn_forward(x, h0, W_xh, W_hh, b_h)
    batch, steps, hidden = states.shape
    jacobian = np.broadcast_to(np.eye(hidden), (batch, hidden, hidden))
    norms = np.empty(steps)
    for t in range(steps):
        jacobian = (1.0 - states[:, t, :, None] ** 2) * (W_hh @ jacobian)
        norms[t] = np.mean(np.linalg.norm(jacobian, ord=2, axis=(1, 2)))
    return norms


# --- gated cells: PyTorch's weights in Keras's layout ----------------------------------------------


def _gate_blocks(name: str, array, gates: int) -> list[np.ndarray]:
    """The ``gates`` equal row blocks of a stacked weight or bias (one per gate), or an error naming it."""
    array = np.asarray(array, dtype=float)
    if array.ndim not in (1, 2) or len(array) == 0 or len(array) % gates:
        raise ValueError(f"{name} must stack {gates} gates: {gates} × hidden rows, got shape {array.shape}")
    return np.split(array, gates)


def lstm_weights_for_keras(weight_ih, weight_hh, bias_ih, bias_hh) -> list[np.ndarray]:
    """A ``torch.nn.LSTM(Cell)``'s weights as ``keras.layers.LSTM(Cell)`` weights (notebook 07 §7).

    Both order the gates ``i, f, c̃ (PyTorch "g"), o``; Keras stores the transposes and one bias, the sum of
    PyTorch's two. Returns ``[kernel (input, 4h), recurrent_kernel (h, 4h), bias (4h,)]`` for ``set_weights``.
    """
    named = {"weight_ih": weight_ih, "weight_hh": weight_hh, "bias_ih": bias_ih, "bias_hh": bias_hh}
    weight_ih, weight_hh, bias_ih, bias_hh = (np.concatenate(_gate_blocks(name, value, 4))
                                              for name, value in named.items())
    return [weight_ih.T, weight_hh.T, bias_ih + bias_hh]


def gru_weights_for_keras(weight_ih, weight_hh, bias_ih, bias_hh) -> list[np.ndarray]:
    """A ``torch.nn.GRU(Cell)``'s weights as ``keras.layers.GRU(Cell)(reset_after=True)`` weights (notebook 07 §7).

    PyTorch orders the gates ``r, z, n`` (reset, update, candidate), Keras ``z, r, h``; Keras stores the
    transposes; with ``reset_after=True`` (its default) it keeps PyTorch's two biases, as the rows of one
    ``(2, 3h)`` array: the input bias, then the recurrent bias (the reset gate multiplies ``W_hn h + b_hn``, so
    the two cannot be summed). Returns ``[kernel (input, 3h), recurrent_kernel (h, 3h), bias (2, 3h)]``.

    Examples
    --------
    >>> h, d = 2, 3
    >>> kernel, recurrent, bias = gru_weights_for_keras(np.zeros((3 * h, d)), np.zeros((3 * h, h)),
    ...                                                 np.repeat([1.0, 2.0, 3.0], h), np.zeros(3 * h))
    >>> kernel.shape, recurrent.shape, bias[0].tolist()  # update gate z first, then reset r, then the candidate
    ((3, 6), (2, 6), [2.0, 2.0, 1.0, 1.0, 3.0, 3.0])
    """
    def keras_order(name, value):  # r, z, n → z, r, n
        reset, update, candidate = _gate_blocks(name, value, 3)
        return np.concatenate([update, reset, candidate])

    weight_ih, weight_hh = keras_order("weight_ih", weight_ih), keras_order("weight_hh", weight_hh)
    bias = np.stack([keras_order("bias_ih", bias_ih), keras_order("bias_hh", bias_hh)])
    return [weight_ih.T, weight_hh.T, bias]


# --- a toy medical sequence: contrast-enhancement curves ------------------------------------------

#: The three shapes of a lesion's signal after a contrast injection in breast DCE-MRI (label order).
KINETIC_TYPES = ("persistent", "plateau", "washout")


def enhancement_curves(n: int, *, steps: int = 12, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic time–signal curves of dynamic contrast-enhanced MRI, labelled by their late phase.

    After the contrast agent arrives, the signal of a lesion rises; what it does next is what the
    radiologist reads: it keeps rising (**persistent**, type I, usually benign), levels off
    (**plateau**, type II) or falls (**washout**, type III, suspicious of malignancy). All three start
    alike, so a model has to remember the peak to judge the late phase: a task for a recurrent network.

    Returns
    -------
    curves : float32 array (n, steps, 1)
        Relative enhancement over time, one feature per step.
    labels : int64 array (n,)
        Index into :data:`KINETIC_TYPES`.

    Examples
    --------
    >>> curves, labels = enhancement_curves(6, seed=1)
    >>> curves.shape, labels.shape
    ((6, 12, 1), (6,))
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(steps, (int, np.integer)) or steps < 6:
        raise ValueError(f"steps must be an integer ≥ 6, got {steps!r}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(KINETIC_TYPES), size=n)
    t = np.arange(steps, dtype=float)[None, :]
    arrival = rng.uniform(0.5, 2.0, size=(n, 1))
    peak_time = arrival + rng.uniform(2.0, 3.5, size=(n, 1))
    amplitude = rng.uniform(0.6, 1.4, size=(n, 1))
    rise = amplitude * (1.0 - np.exp(-3.0 * np.clip(t - arrival, 0.0, None) / (peak_time - arrival)))
    late_slope = np.array([0.5, 0.0, -0.5])[labels][:, None] + rng.uniform(-0.12, 0.12, size=(n, 1))
    late = 1.0 + late_slope * np.clip(t - peak_time, 0.0, None) / steps
    curves = rise * late + noise * rng.standard_normal((n, steps))
    return curves[..., None].astype(np.float32), labels.astype(np.int64)
