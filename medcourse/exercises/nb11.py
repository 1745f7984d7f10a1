"""Exercises for notebook 11 (reconstruction and translation): undersampling factor, aliasing, data consistency."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_function


def _undersampling_factor(mask):
    mask = np.asarray(mask, dtype=bool)
    return mask.size / mask.sum()


def _masks() -> list[tuple[np.ndarray]]:
    """Test masks: whole columns measured (every 4th, a centre band, random lines) and one irregular mask."""
    every_fourth = np.zeros((48, 64), dtype=bool)
    every_fourth[:, ::4] = True
    centre = np.zeros((8, 10), dtype=bool)
    centre[:, 3:7] = True
    random_lines = np.zeros((16, 32), dtype=bool)
    random_lines[:, np.random.default_rng(0).choice(32, 5, replace=False)] = True
    irregular = np.random.default_rng(1).random((12, 12)) < 0.3
    return [(every_fourth,), (centre,), (random_lines,), (irregular,)]


q1 = Exercise(
    name="Exercise 1: the undersampling factor of a mask",
    question=(
        "Write a function `undersampling_factor(mask)` that takes a boolean k-space mask (True where the "
        "scanner measured) and returns the acceleration R: how many times fewer samples were measured than a "
        "full acquisition has. A mask that measures every 4th column of k-space must give 4.0. Answer with the "
        "function itself (a `def` or a `lambda`)."
    ),
    checker=expect_function(_undersampling_factor, _masks(), mistakes=[
        (lambda mask: np.asarray(mask).sum() / np.asarray(mask).size,
         "that is the *fraction* measured (1/R); the factor is its inverse."),
        (lambda mask: float(np.asarray(mask)[0].sum()),
         "that counts the measured lines; divide the number of all samples by the number measured."),
    ]),
    hint_text="All samples: `mask.size`. Measured samples: `mask.sum()` (True counts as 1).",
    solution_text="`undersampling_factor = lambda mask: mask.size / mask.sum()`. For the notebook's 4× mask, "
                  "64 / 15 = 4.27: lines are chosen in mirror pairs around a fully sampled centre, so the factor "
                  "is at least the one asked for. `medcourse.reconstruction.acceleration` computes the same.",
    reference=lambda: _undersampling_factor,
    wrong_answers=(lambda mask: np.asarray(mask).sum() / np.asarray(mask).size,
                   lambda mask: float(np.asarray(mask)[0].sum()),
                   lambda mask: 4.0,
                   4.0),
)

ALIASING_CHOICES = ("up and down by 24 pixels", "left and right by 32 pixels", "up and down by 12 pixels",
                    "nowhere: the image only gets blurred")

q2 = Exercise(
    name="Exercise 2: which way does the aliasing go?",
    question=(
        "A 48×64 image (48 rows, 64 columns). This time the scanner measures every other **row** of k-space "
        "(the rows are the phase-encoding lines) and the zero-filled reconstruction shows ghost copies of the "
        "anatomy. Where are they? Answer with one of "
        f"{', '.join(repr(c) for c in ALIASING_CHOICES)}."
    ),
    checker=expect_choice("up and down by 24 pixels", ALIASING_CHOICES),
    hint_text="Skipping every other sample of a Fourier transform halves the field of view *along that "
              "frequency axis*: what lies beyond it folds back in, shifted by half the image's size along it.",
    solution_text="Measuring every other row keeps the frequencies along the image's **height** at twice the "
                  "spacing, so the field of view along the height halves: the image and a copy shifted by "
                  "H/2 = **24 pixels up and down** add up. The width is untouched. The notebook skips columns, "
                  "so its aliasing runs left and right.",
    reference=lambda: "up and down by 24 pixels",
    wrong_answers=("left and right by 32 pixels", "up and down by 12 pixels",
                   "nowhere: the image only gets blurred", 24),
)

CONSISTENCY_CHOICES = ("the scanner's measurement", "the network's value", "the average of the two", "zero")

q3 = Exercise(
    name="Exercise 3: what does data consistency do to a measured line?",
    question=(
        "A network's output has k-space value 0.8 + 0.1i at a point of a **measured** line, where the scanner "
        "recorded 1.0 + 0.0i. After the data-consistency step "
        "$\\hat{k} = M\\,y + (1 - M)\\,F\\hat{x}$, what does k-space hold at that point? Answer with one of "
        f"{', '.join(repr(c) for c in CONSISTENCY_CHOICES)}."
    ),
    checker=expect_choice("the scanner's measurement", CONSISTENCY_CHOICES),
    hint_text="On a measured line the mask M is 1: which of the two terms survives?",
    solution_text="With M = 1 the step keeps $y$: **the scanner's measurement**, 1.0 + 0.0i, exactly. The network "
                  "only decides the lines that were *not* measured (M = 0), which is why data consistency cannot "
                  "invent anything that contradicts the measurements — but can still invent what they did not see.",
    reference=lambda: "the scanner's measurement",
    wrong_answers=("the network's value", "the average of the two", "zero", 1.0),
)
