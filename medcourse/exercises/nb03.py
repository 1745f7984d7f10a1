"""Exercises for notebook 03 (CNN building blocks): parameter counts, output shapes, max pooling, batch norm, dropout."""

from __future__ import annotations

import numpy as np

from medcourse.cnn import conv_parameters, max_pool2d
from medcourse.exercises._core import Exercise, expect_close, expect_function, expect_shape

q1 = Exercise(
    name="Exercise 1: count the parameters of a convolution layer",
    question=(
        "A convolution layer takes a feature map with **32 channels** and produces **64 channels** with "
        "**3×3** kernels and one bias per output channel. How many learnable numbers does it have?"
    ),
    checker=expect_close(float(conv_parameters(3, 3, 32, 64))),
    hint_text="Each output channel has one 3×3 kernel *per input channel*, plus one bias.",
    solution_text="$(3 \\cdot 3 \\cdot 32 + 1) \\cdot 64 = 289 \\cdot 64 = 18\\,496$ — the `conv2` line of "
                  "`model.summary()`.",
    reference=lambda: 18496,
    wrong_answers=(18432, 576, 640, 9 * 64, 288),
)

q2 = Exercise(
    name="Exercise 2: the shape after a block",
    question=(
        "A batch of **8** grey CT patches of **64×64** pixels in Keras's layout `(N, H, W, C)` goes through "
        "`Conv2D(16, (5, 5))` (no padding, stride 1) and then `MaxPooling2D((2, 2))`. What is the output "
        "shape, as a tuple `(N, H, W, C)`?"
    ),
    checker=expect_shape((8, 30, 30, 16)),
    hint_text="A valid 5×5 convolution removes 4 pixels from each side length; 2×2 pooling halves (rounding down).",
    solution_text="$64 - 5 + 1 = 60$, then $\\lfloor 60/2 \\rfloor = 30$: `(8, 30, 30, 16)`. In PyTorch's "
                  "layout the same tensor is `(8, 16, 30, 30)`.",
    reference=lambda: (8, 30, 30, 16),
    wrong_answers=((8, 16, 30, 30), (8, 32, 32, 16), (8, 60, 60, 16), (8, 30, 30, 1)),
)


def _pool_2d(image: np.ndarray) -> np.ndarray:
    return max_pool2d(np.asarray(image, dtype=float)[np.newaxis, :, :, np.newaxis])[0, :, :, 0]


def _blocks(image) -> np.ndarray:
    """The 2×2 blocks of ``image`` (odd last row/column dropped), shape (H//2, 2, W//2, 2)."""
    image = np.asarray(image)
    h, w = image.shape[0] // 2, image.shape[1] // 2
    return image[: 2 * h, : 2 * w].reshape(h, 2, w, 2)


_RNG = np.random.default_rng(3)

q3 = Exercise(
    name="Exercise 3: implement 2×2 max pooling",
    question=(
        "Write `pool(image)` that takes a 2-D array `(H, W)` and returns the maximum of each non-overlapping "
        "2×2 block, shape `(H // 2, W // 2)`. An odd last row or column is dropped, as in Keras and PyTorch."
    ),
    checker=expect_function(
        _pool_2d,
        [(_RNG.normal(size=(4, 4)),), (_RNG.normal(size=(7, 6)),), (_RNG.normal(size=(5, 9)),)],
    ),
    hint_text="Crop to an even size, then `image.reshape(H // 2, 2, W // 2, 2)` and take `.max(axis=(1, 3))`.",
    solution_text=(
        "```python\n"
        "def pool(image):\n"
        "    h, w = image.shape[0] // 2, image.shape[1] // 2\n"
        "    return image[:2 * h, :2 * w].reshape(h, 2, w, 2).max(axis=(1, 3))\n"
        "```"
    ),
    reference=lambda: lambda image: _blocks(image).max(axis=(1, 3)),
    wrong_answers=(
        lambda image: np.asarray(image)[::2, ::2],  # picks a corner instead of the maximum
        lambda image: _blocks(image).mean(axis=(1, 3)),  # average pooling
    ),
)

q4 = Exercise(
    name="Exercise 4: batch-norm momentum from Keras to PyTorch",
    question=(
        "A Keras model uses `BatchNormalization()` with its default `momentum=0.99`. You rebuild it in PyTorch "
        "with `nn.BatchNorm2d(channels, momentum=…)`. Which `momentum` makes PyTorch's running averages follow "
        "the same update $\\hat\\mu \\leftarrow \\kappa\\,\\hat\\mu + (1 - \\kappa)\\,\\mu_\\text{batch}$?"
    ),
    checker=expect_close(0.01, rtol=1e-6, atol=1e-9),
    hint_text="Keras's momentum is the share κ of the running average that is **kept**; PyTorch's is the share "
              "of the new batch that comes **in**.",
    solution_text="$1 - 0.99 = 0.01$. (PyTorch's default 0.1 matches Keras `momentum=0.9`; PyTorch also "
                  "averages the unbiased batch variance, Keras the biased one, and the default ε differs: "
                  "1e-5 against 1e-3.)",
    reference=lambda: 1 - 0.99,
    wrong_answers=(0.99, 0.1, 0.9, 99, 1.0),
)

q5 = Exercise(
    name="Exercise 5: what dropout does to a kept value",
    question=(
        "A `Dropout(0.25)` layer (Keras `rate` or PyTorch `p` = 0.25) receives the value **3.0** while "
        "training, and keeps it. What value does it pass on? (And what would it pass on at evaluation? "
        "Answer only the first.)"
    ),
    checker=expect_close(3.0 / 0.75, rtol=1e-6),
    hint_text="Both frameworks use inverted dropout: kept values are scaled so that the expected output "
              "equals the input.",
    solution_text="$3.0 / (1 - 0.25) = 4.0$. On average $0.75 \\cdot 4.0 + 0.25 \\cdot 0 = 3.0$, the input; at "
                  "evaluation the layer passes 3.0 on unchanged.",
    reference=lambda: 4.0,
    wrong_answers=(3.0, 0.75, 2.25, 0.0, 12.0),
)
