"""Exercises for notebook 02 (convolution): output sizes, cross-correlation, choosing and flipping kernels."""

from __future__ import annotations

import numpy as np
from scipy import signal

from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_function, expect_shape

# --- q1: output size ------------------------------------------------------------------------------

q1 = Exercise(
    name="Exercise 1: output size",
    question=(
        "A 512×512 CT slice goes through one convolution layer with a 5×5 kernel, padding 1 on every "
        "side, stride 2 and dilation 1. What is the shape (height, width) of one output channel? "
        "Answer with a tuple such as `(100, 100)`."
    ),
    checker=expect_shape((255, 255)),
    hint_text="Use ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 with n = 512, k = 5, p = 1, s = 2, d = 1.",
    solution_text=(
        "⌊(512 + 2·1 − 1·(5 − 1) − 1)/2⌋ + 1 = ⌊509/2⌋ + 1 = 254 + 1 = **255**, so `(255, 255)`. "
        "Check it with `medcourse.conv.output_size(512, 5, padding=1, stride=2)`."
    ),
    reference=lambda: (255, 255),
    wrong_answers=[(256, 256), (254, 254), (508, 508), (255,)],
)

# --- q2: implement cross-correlation --------------------------------------------------------------


def _correlate_valid(image, kernel):
    return signal.correlate2d(image, kernel, mode="valid")


def _reference_correlate(image, kernel):
    """The worked answer: sum of products over every position where the kernel fits."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    out_rows, out_cols = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            out[i, j] = np.sum(image[i:i + kernel.shape[0], j:j + kernel.shape[1]] * kernel)
    return out


def _cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2)
    shapes = [((5, 5), (3, 3)), ((6, 9), (2, 4)), ((7, 4), (1, 3)), ((8, 8), (8, 8)), ((10, 12), (5, 2))]
    return [(rng.standard_normal(image), rng.standard_normal(kernel)) for image, kernel in shapes]


q2 = Exercise(
    name="Exercise 2: implement cross-correlation",
    question=(
        "Write `my_correlate2d(image, kernel)` that returns the 'valid' cross-correlation "
        "y[i, j] = Σₘ Σₙ x[i + m, j + n] k[m, n] (no flip, no padding) for 2-D arrays of any shape "
        "with the kernel no larger than the image. It is checked against `scipy.signal.correlate2d` on "
        "several shapes, including even and non-square kernels. Pass the function itself: "
        "`ex.q2.check(my_correlate2d)`."
    ),
    checker=expect_function(_correlate_valid, _cases(), rtol=1e-9, atol=1e-9),
    hint_text=(
        "The output has (H − kH + 1) × (W − kW + 1) entries. For each (i, j) take the window "
        "`image[i:i + kH, j:j + kW]`, multiply it by the kernel element by element and sum."
    ),
    solution_text=(
        "```python\n"
        "def my_correlate2d(image, kernel):\n"
        "    kH, kW = kernel.shape\n"
        "    out = np.zeros((image.shape[0] - kH + 1, image.shape[1] - kW + 1))\n"
        "    for i in range(out.shape[0]):\n"
        "        for j in range(out.shape[1]):\n"
        "            out[i, j] = np.sum(image[i:i + kH, j:j + kW] * kernel)\n"
        "    return out\n"
        "```"
    ),
    reference=lambda: _reference_correlate,
    wrong_answers=[
        lambda image, kernel: signal.convolve2d(image, kernel, mode="valid"),  # flips the kernel
        lambda image, kernel: signal.correlate2d(image, kernel, mode="same"),  # pads
        lambda image, kernel: _reference_correlate(image, kernel[::-1, :]),  # flips only up-down
        "correlate",
    ],
)

# --- q3: choose a kernel --------------------------------------------------------------------------

KERNEL_OPTIONS = ("box", "gaussian", "sobel_x", "sobel_y", "laplacian")

q3 = Exercise(
    name="Exercise 3: choose a kernel",
    question=(
        "You want a filter whose output is large where the CT intensity changes from **left to right** "
        "(along x, the columns), with the sign telling brighter-to-the-right from darker-to-the-right, "
        "and zero where the image changes only from top to bottom. Which kernel? Answer with one of "
        f"{list(KERNEL_OPTIONS)}."
    ),
    checker=expect_choice("sobel_x", KERNEL_OPTIONS),
    hint_text=(
        "Smoothing kernels (box, Gaussian) have all-positive weights and no sign. The Laplacian is a second "
        "derivative that responds to changes in every direction. Which kernel is a first derivative along x?"
    ),
    solution_text=(
        "**sobel_x**: its columns are (+1, 0, −1) × (1, 2, 1): a difference along x, smoothed along y. "
        "`sobel_y` is its transpose (changes from top to bottom); the Laplacian has no sign of direction."
    ),
    reference=lambda: "sobel_x",
    wrong_answers=["sobel_y", "laplacian", "gaussian", "box", "prewitt"],
)

# --- q4: what the flip does -----------------------------------------------------------------------

ASYMMETRIC_KERNEL = np.array([[1.0, 2.0, 0.0],
                              [0.0, 0.0, 0.0],
                              [0.0, 0.0, -1.0]])

q4 = Exercise(
    name="Exercise 4: flip the kernel",
    question=(
        "`torch.nn.functional.conv2d` and `tf.nn.conv2d` compute cross-correlation. You want them to "
        "compute the true convolution `medcourse.conv.conv2d(image, k)` with the asymmetric kernel\n\n"
        "```\nk = [[1, 2, 0],\n     [0, 0, 0],\n     [0, 0, -1]]\n```\n\n"
        "Which 3×3 array must you give the framework? Write it out by hand as a nested list "
        "(don't compute it with NumPy)."
    ),
    checker=expect_close(ASYMMETRIC_KERNEL[::-1, ::-1]),
    hint_text=(
        "Convolution uses k[−m, −n]: the kernel is flipped up–down **and** left–right (a rotation by 180°). "
        "Where does the entry in the top-left corner end up?"
    ),
    solution_text=(
        "Rotate by 180°: `[[-1, 0, 0], [0, 0, 0], [0, 2, 1]]` (`k[::-1, ::-1]` in NumPy, "
        "`torch.flip(k, dims=(-2, -1))` in PyTorch, `tf.reverse(k, axis=[0, 1])` in TensorFlow's HWIO layout). "
        "A transpose is not the same: it mirrors about the diagonal."
    ),
    reference=lambda: [[-1, 0, 0], [0, 0, 0], [0, 2, 1]],
    wrong_answers=[
        ASYMMETRIC_KERNEL.tolist(),  # no flip
        ASYMMETRIC_KERNEL.T.tolist(),  # transpose
        ASYMMETRIC_KERNEL[::-1].tolist(),  # up-down only
        ASYMMETRIC_KERNEL[:, ::-1].tolist(),  # left-right only
    ],
)

# --- q5: Gaussians add variances ------------------------------------------------------------------

q5 = Exercise(
    name="Exercise 5: two blurs in a row",
    question=(
        "You smooth a noisy MR slice with a Gaussian of σ₁ = 3 pixels and then smooth the result again with "
        "σ₂ = 4 pixels. Which single Gaussian σ (in pixels) gives the same result? Answer with a number."
    ),
    checker=expect_close(5.0, rtol=1e-3),
    hint_text="Convolution is associative, and a Gaussian convolved with a Gaussian is a Gaussian: which σ²?",
    solution_text="σ² = σ₁² + σ₂² = 9 + 16 = 25, so **σ = 5** pixels (not 3 + 4 = 7: variances add, not widths).",
    reference=lambda: 5.0,
    wrong_answers=[7.0, 3.5, 12.0, 25.0],
)
