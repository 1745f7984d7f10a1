"""Exercises for notebook 07 (the RNN cell equation): weight shapes, one step by hand, parameter counts,
singular value against spectral radius, how far back a gradient reaches."""

from __future__ import annotations

import math

import numpy as np

from medcourse import rnn
from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_shape

# --- q1: the shape of W_xh ------------------------------------------------------------------------

q1 = Exercise(
    name="Exercise 1: the shape of W_xh",
    question=(
        "You read a 28×28 image row by row: each time step $x_t$ is one row of 28 pixels. The hidden "
        "state $h_t$ has 64 units. In $h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h)$ with column "
        "vectors, what is the shape of $W_{xh}$ (PyTorch's `weight_ih_l0`)? Answer with a tuple such as `(3, 4)`."
    ),
    checker=expect_shape((64, 28)),
    hint_text="$W_{xh} x_t$ must be a hidden-sized vector, and $x_t$ has 28 entries: (rows, columns) = (?, ?).",
    solution_text=(
        "$W_{xh}$ maps 28 inputs to 64 hidden units: **(64, 28)** — (hidden, input). PyTorch stores exactly "
        "this as `weight_ih_l0`; Keras stores its transpose."
    ),
    reference=lambda: (64, 28),
    wrong_answers=[(28, 64), (64, 64), (28, 28), (64,)],
)

# --- q2: Keras stores the transpose ---------------------------------------------------------------

q2 = Exercise(
    name="Exercise 2: the shape of Keras's kernel",
    question=(
        "Same cell as in Exercise 1 (28 inputs, 64 hidden units), built as `keras.layers.SimpleRNN(64)`. "
        "What is the shape of its `kernel` (the input weights)? Answer with a tuple."
    ),
    checker=expect_shape((28, 64)),
    hint_text="Keras multiplies a row vector from the right: $x_t$ (1×28) times `kernel` must give 1×64.",
    solution_text=(
        "**(28, 64)**: Keras computes $x_t \\cdot$ `kernel` with row vectors, so `kernel` $= W_{xh}^\\top$ "
        "and `recurrent_kernel` $= W_{hh}^\\top$ (64, 64)."
    ),
    reference=lambda: (28, 64),
    wrong_answers=[(64, 28), (64, 64), (28, 28)],
)

# --- q3: one step by hand -------------------------------------------------------------------------

STEP = {
    "x_t": np.array([1.0, 2.0]),
    "h_prev": np.array([0.5, -0.5]),
    "W_xh": np.array([[0.1, 0.2], [0.0, -0.1]]),
    "W_hh": np.array([[0.5, 0.0], [0.2, 0.5]]),
    "b_h": np.array([0.0, 0.1]),
}


def _step() -> np.ndarray:
    return rnn.rnn_cell(STEP["x_t"][None], STEP["h_prev"][None], STEP["W_xh"], STEP["W_hh"], STEP["b_h"])[0]


q3 = Exercise(
    name="Exercise 3: one step by hand",
    question=(
        "Compute $h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h)$ for $x_t = (1, 2)$, $h_{t-1} = (0.5, -0.5)$, "
        "$W_{xh} = \\begin{pmatrix} 0.1 & 0.2 \\\\ 0 & -0.1 \\end{pmatrix}$, "
        "$W_{hh} = \\begin{pmatrix} 0.5 & 0 \\\\ 0.2 & 0.5 \\end{pmatrix}$, $b_h = (0, 0.1)$. "
        "Answer with a list of two numbers (3 decimals are enough)."
    ),
    checker=expect_close(_step(), rtol=0, atol=1e-3),
    hint_text=(
        "First the three vectors: $W_{hh} h_{t-1} = (0.25, -0.15)$, then $W_{xh} x_t$, then add $b_h$ "
        "and apply `np.tanh` to each entry."
    ),
    solution_text=(
        "$W_{hh} h_{t-1} = (0.25, -0.15)$, $W_{xh} x_t = (0.5, -0.2)$, plus $b_h$: $(0.75, -0.25)$; "
        "$\\tanh$ gives **(0.635, −0.245)**. Check: `rnn.rnn_cell(x_t[None], h_prev[None], W_xh, W_hh, b_h)`."
    ),
    reference=lambda: [round(float(v), 3) for v in _step()],
    wrong_answers=[[0.75, -0.25], [0.635, 0.245], [0.245, -0.635], [0.0, 0.0]],
)

# --- q4: parameter counts -------------------------------------------------------------------------

q4 = Exercise(
    name="Exercise 4: counting parameters",
    question=(
        "How many trainable parameters do `torch.nn.RNN(28, 64)` and `keras.layers.SimpleRNN(64)` on "
        "28 inputs have? Answer with a pair `(pytorch, keras)`."
    ),
    checker=expect_close([64 * 28 + 64 * 64 + 2 * 64, 64 * 28 + 64 * 64 + 64], rtol=0, atol=0.5),
    hint_text="Both have $W_{xh}$ (64×28) and $W_{hh}$ (64×64). Count the bias vectors of each framework.",
    solution_text=(
        "$64·28 + 64·64 = 5888$ weights in both. PyTorch adds **two** bias vectors (`bias_ih` and "
        "`bias_hh`, 128 numbers) → **6016**; Keras one `bias` → **5952**. The two PyTorch biases are "
        "always added together, so they act as one $b_h$: one of them is redundant (kept for cuDNN compatibility)."
    ),
    reference=lambda: (6016, 5952),
    wrong_answers=[(5952, 6016), (5952, 5952), (6016, 6016), (5888, 5888)],
)

# --- q5: the largest singular value decides, not the spectral radius ---------------------------------

#: Two recurrent weight matrices with the same spectral radius 0.5 (both triangular: eigenvalues on the diagonal).
Q5_MATRICES = {"A": np.array([[0.5, 0.0], [0.0, 0.5]]), "B": np.array([[0.5, 3.0], [0.0, 0.5]])}


def _shrinks_every_step(W) -> bool:
    """Whether ‖diag(s) W v‖ < ‖v‖ for every vector v and tanh slopes s ≤ 1: exactly when ‖W‖₂ < 1."""
    return rnn.largest_singular_value(W) < 1


def _q5_reference() -> str:
    verdicts = {name: _shrinks_every_step(W) for name, W in Q5_MATRICES.items()}
    return {(True, False): "A", (False, True): "B", (True, True): "both", (False, False): "neither"}[
        (verdicts["A"], verdicts["B"])]


q5 = Exercise(
    name="Exercise 5: which W_hh makes the gradient vanish at every step?",
    question=(
        "Two RNNs differ only in $W_{hh}$: $A = \\begin{pmatrix} 0.5 & 0 \\\\ 0 & 0.5 \\end{pmatrix}$ and "
        "$B = \\begin{pmatrix} 0.5 & 3 \\\\ 0 & 0.5 \\end{pmatrix}$ (`ex.Q5_MATRICES`). Both have spectral radius 0.5. "
        "For which is $\\lVert \\partial h_t / \\partial h_0 \\rVert$ **guaranteed** to shrink at every step, whatever "
        "the inputs and hidden states? Answer `\"A\"`, `\"B\"`, `\"both\"` or `\"neither\"`."
    ),
    checker=expect_choice(_q5_reference(), ["A", "B", "both", "neither"]),
    hint_text=(
        "Each step multiplies by $\\mathrm{diag}(1 - h_t^2)\\,W_{hh}$, which stretches a vector by at most "
        "$\\lVert W_{hh} \\rVert_2$, the largest singular value (`rnn.largest_singular_value`). Try $B$ on $(0, 1)$."
    ),
    solution_text=(
        "**A** only. $\\lVert A \\rVert_2 = 0.5$, so every step at least halves the gradient: after 50 steps "
        "$\\le 0.5^{50} \\approx 10^{-15}$. $B$ has the same eigenvalues (0.5, 0.5), but $B\\,(0, 1) = (3, 0.5)$: "
        "$\\lVert B \\rVert_2 \\approx 3.08$, and $B^2 = \\begin{pmatrix} 0.25 & 3 \\\\ 0 & 0.25 \\end{pmatrix}$ is still "
        "larger than 1. Its powers $B^t$ have the entry $3t \\cdot 0.5^{t-1}$: they stay above 1 for four steps "
        "($\\lVert B^4 \\rVert_2 \\approx 1.5$) and vanish only later. The spectral radius decides the long run; the largest singular value bounds every step."
    ),
    reference=_q5_reference,
    wrong_answers=["B", "both", "neither", "vanishes"],
)

q6 = Exercise(
    name="Exercise 6: how far back does the gradient reach?",
    question=(
        "With $W_{hh} = \\rho Q$ ($Q$ orthogonal) and activations near 0, $\\lVert \\partial h_T / "
        "\\partial h_0 \\rVert = \\rho^T$. For $\\rho = 0.9$, after how many steps $T$ is the gradient "
        "first below 1 % of its size? Answer with an integer."
    ),
    checker=expect_close(math.ceil(math.log(0.01) / math.log(0.9)), rtol=0, atol=0.01),
    hint_text="Solve $0.9^T < 0.01$: $T > \\ln 0.01 / \\ln 0.9$, and round up.",
    solution_text=(
        "$\\ln 0.01 / \\ln 0.9 = 43.7$, so **T = 44** ($0.9^{43} = 0.0108$, $0.9^{44} = 0.0097$). A cine "
        "loop of 20 frames still fits; a sequence of hundreds of steps does not — the reason for LSTM and GRU."
    ),
    reference=lambda: 44,
    wrong_answers=[43, 22, 100, 10],
)
