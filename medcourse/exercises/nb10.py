"""Exercises for notebook 10, *GAN applications*: class recognition, a paired comparison, where a gain comes from."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close

#: Requested class (rows) vs the class a classifier trained on real images recognised (columns).
RECOGNITION_COUNTS = np.array([
    [45, 3, 2],
    [6, 38, 6],
    [0, 10, 40],
])

q1 = Exercise(
    name="Exercise 1: class recognition from a confusion matrix",
    question=(
        "A conditional GAN was asked for 50 images of each of three classes; a classifier trained on real "
        "images labelled them. Rows: the class asked for; columns: the class recognised.\n\n"
        "| asked \\ recognised | 0 | 1 | 2 |\n|---|---|---|---|\n| **0** | 45 | 3 | 2 |\n| **1** | 6 | 38 | 6 |\n"
        "| **2** | 0 | 10 | 40 |\n\nWhat is the class recognition, the fraction recognised as the class asked for? "
        "(One number between 0 and 1.)"
    ),
    checker=expect_close(123 / 150, rtol=1e-4),
    hint_text="The images recognised as asked for lie on the diagonal; divide by all images.",
    solution_text="$(45 + 38 + 40) / 150 = 123/150 = 0.82$. Class 1 is the weakest row: $38/50 = 0.76$, and its "
                  "misses go to both neighbours. `np.trace(counts) / counts.sum()` computes it.",
    reference=lambda: float(np.trace(RECOGNITION_COUNTS) / RECOGNITION_COUNTS.sum()),
    wrong_answers=(45 / 50, 123, 0.5, 1 / 3, 38 / 50),
)

AUGMENTATION_STATEMENTS = ("synthetic images help", "no clear difference", "synthetic images hurt")

q2 = Exercise(
    name="Exercise 2: read a paired comparison",
    question=(
        "Over five seeds, a classifier's test accuracy with synthetic images minus its accuracy without them (same "
        "seed, same initial weights) is $+0.013$ on average, with a 95 % confidence interval from $-0.004$ to "
        f"$+0.030$. Which statement do the numbers support? Answer with one of "
        f"{', '.join(repr(s) for s in AUGMENTATION_STATEMENTS)}."
    ),
    checker=expect_choice("no clear difference", AUGMENTATION_STATEMENTS),
    hint_text="Where does 0 lie relative to the interval?",
    solution_text=(
        "**no clear difference**: the interval contains 0, so the data are compatible with no effect (and with a "
        "small gain of up to 3 points). More seeds narrow the interval; only an interval entirely above 0 "
        "would support *synthetic images help*."
    ),
    reference=lambda: "no clear difference",
    wrong_answers=("synthetic images help", "synthetic images hurt", 0.013),
)

GAIN_SOURCES = (
    "the labelled images the generator was trained on",
    "new information the GAN invented",
    "the classifier training for more steps",
)

q3 = Exercise(
    name="Exercise 3: where does the gain come from?",
    question=(
        "In this notebook's experiment the generator learns from 4,900 labelled images that the small "
        "training set (100 images) does not contain, and every arm trains for the same number of steps. If "
        "adding its synthetic images raises test accuracy clearly, what is the gain made of? Answer with one "
        f"of {', '.join(repr(s) for s in GAIN_SOURCES)}."
    ),
    checker=expect_choice(GAIN_SOURCES[0], GAIN_SOURCES),
    hint_text="A generator can only reproduce what its training images show it. Which images were those, and who "
              "labelled them?",
    solution_text=(
        "**the labelled images the generator was trained on**: the generator passes on what it learned from "
        "4,900 labelled images, as a compressed and imperfect copy. It is a way to *share* labelled data (for "
        "example between hospitals that may not share images), not free data: a GAN trained only on the "
        "100 images could not add information they do not hold. Equal step counts rule out the third answer."
    ),
    reference=lambda: GAIN_SOURCES[0],
    wrong_answers=GAIN_SOURCES[1:],
)
