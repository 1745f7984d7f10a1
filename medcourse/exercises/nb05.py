"""Exercises for notebook 05 (segmentation): Dice by hand, Dice vs Hausdorff, the loss for a tiny structure, shapes."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_shape

#: A 6×6 patch: the radiologist's outline of a small lesion (1) …
TRUTH = np.array([[0, 0, 0, 0, 0, 0],
                  [0, 1, 1, 1, 0, 0],
                  [0, 1, 1, 1, 0, 0],
                  [0, 0, 1, 1, 0, 0],
                  [0, 0, 0, 0, 0, 0],
                  [0, 0, 0, 0, 0, 0]], dtype=np.uint8)
#: … and the network's prediction of it.
PREDICTED = np.array([[0, 0, 0, 0, 0, 0],
                      [0, 0, 1, 1, 0, 0],
                      [0, 0, 1, 1, 1, 0],
                      [0, 0, 1, 1, 0, 0],
                      [0, 0, 0, 0, 0, 0],
                      [0, 0, 0, 0, 0, 0]], dtype=np.uint8)


def _table(mask: np.ndarray) -> str:
    return "\n".join("    " + " ".join(str(v) for v in row) for row in mask)


q1 = Exercise(
    name="Exercise 1: Dice by hand",
    question=(
        "The true outline of a small lesion (`ex.TRUTH`, 1 = lesion) and the network's prediction (`ex.PREDICTED`):\n\n"
        f"```\ntruth:\n{_table(TRUTH)}\n\npredicted:\n{_table(PREDICTED)}\n```\n\n"
        "Count by hand: what is the **Dice coefficient** of the lesion (a number between 0 and 1)?"
    ),
    checker=expect_close(2 * 6 / (8 + 7), atol=1e-3),
    hint_text="Dice = 2 |A ∩ B| / (|A| + |B|): count the lesion pixels of the truth (|A|), of the prediction "
              "(|B|), and the pixels that are 1 in both.",
    solution_text="|A| = 8, |B| = 7, and 6 pixels are 1 in both: Dice = 2·6 / (8 + 7) = 12/15 = **0.8**. "
                  "(The IoU is 6 / 9 ≈ 0.667: always lower, IoU = Dice / (2 − Dice).) "
                  "`medcourse.metrics.dice(ex.TRUTH, ex.PREDICTED, labels=1)` gives the same.",
    reference=lambda: 12 / 15,
    wrong_answers=(6 / 9, 6 / 8, 6 / 7, 6 / 15, 33 / 36, 0.5),
)

STRAY_CHOICES = (
    "Dice drops a lot; HD and HD95 hardly change",
    "Dice hardly changes; HD jumps to about 20 mm; HD95 hardly changes",
    "Dice hardly changes; HD and HD95 both jump to about 20 mm",
    "nothing changes much",
)

q2 = Exercise(
    name="Exercise 2: one stray pixel",
    question=(
        "A prediction matches a 10×10-pixel structure perfectly (1 mm pixels): Dice 1, HD 0, HD95 0. Now the network "
        "adds **one false-positive pixel 20 mm away** from the structure. What happens? Answer with one of:\n\n"
        + "\n".join(f"* `{choice!r}`" for choice in STRAY_CHOICES)
    ),
    checker=expect_choice(STRAY_CHOICES[1], STRAY_CHOICES),
    hint_text="Dice counts pixels: one pixel more among about 200. HD is the *largest* boundary distance; HD95 the "
              "95th percentile of the distances in each direction — how many of the prediction's ~37 boundary points "
              "are far away?",
    solution_text="Dice = 2·100 / (100 + 101) ≈ 0.995: hardly changed. The stray pixel is a boundary point of the "
                  "prediction 20 mm from the truth, so **HD ≈ 20 mm**. But it is 1 of 37 boundary points, fewer than "
                  "5 %, so the 95th percentile (HD95) stays 0. A single far-away error ruins HD, not Dice; HD95 "
                  "tolerates a few stray pixels — that is why challenges report HD95.",
    reference=lambda: STRAY_CHOICES[1],
    wrong_answers=(STRAY_CHOICES[0], STRAY_CHOICES[2], STRAY_CHOICES[3], "HD95 jumps"),
)

LOSS_CHOICES = ("unweighted cross-entropy", "cross-entropy with balanced class weights", "a soft Dice loss",
                "pixel accuracy")

q3 = Exercise(
    name="Exercise 3: the loss for a tiny structure",
    question=(
        "You segment calcifications that cover **0.1 %** of the pixels of each image, and can train for a few "
        "minutes only. Which training loss do you choose? Answer with one of "
        + ", ".join(f"`{choice!r}`" for choice in LOSS_CHOICES) + "."
    ),
    checker=expect_choice(LOSS_CHOICES[2], LOSS_CHOICES),
    hint_text="With 999 background pixels for every calcification pixel, which loss can a network make small by "
              "calling *everything* background? Which one makes a missed pixel so expensive that the network "
              "over-paints? And which one cannot be differentiated at all?",
    solution_text="**A soft Dice loss.** The unweighted cross-entropy is an average over pixels: 'background "
                  "everywhere' already scores 99.9 %, so the tiny class barely pulls on the weights. Balanced class "
                  "weights make a missed calcification pixel ~500 times dearer than a false one, and the network "
                  "paints blobs around every bright spot. Pixel accuracy has no gradient (and is 99.9 % for an empty "
                  "prediction). The soft Dice is computed per class, so a class of 5 pixels counts as much as the "
                  "background, and it weighs missed against false pixels at their true sizes — section 4's "
                  "experiment. (With long training, nnU-Net adds a cross-entropy term to it.)",
    reference=lambda: LOSS_CHOICES[2],
    wrong_answers=(LOSS_CHOICES[0], LOSS_CHOICES[1], LOSS_CHOICES[3], "mean squared error"),
)

q4 = Exercise(
    name="Exercise 4: the bottleneck's shape",
    question="A U-Net of depth 3 with `base_filters=16` takes a 40×56 slice with one channel. What is the shape "
             "(H, W, C) of its bottleneck feature map?",
    checker=expect_shape((5, 7, 128)),
    hint_text="Each of the three poolings halves H and W; each level down doubles the channels, starting from 16 "
              "— and the bottleneck is one level below the last encoder level.",
    solution_text="40 → 20 → 10 → 5 and 56 → 28 → 14 → 7; channels 16, 32, 64 in the encoder and 16·2³ = 128 in the "
                  "bottleneck: **(5, 7, 128)**. `medcourse.segmentation.unet_shapes((40, 56, 1), 3)` lists every stage.",
    reference=lambda: (5, 7, 128),
    wrong_answers=((5, 7, 64), (10, 14, 64), (40, 56, 3), (4, 7, 128)),
)
