"""Exercises for notebook 06 (detection): matching detections by hand, reading a FROC curve, why not accuracy."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close
from medcourse.metrics.detection import match_centres

# --- q1: match detections to truths by hand -----------------------------------------------------------

#: Three white cells in one smear (row, col in px) and five detections (row, col, score); hit radius 5 px.
TRUTHS = np.array([[10.0, 10.0], [10.0, 30.0], [30.0, 20.0]])
DETECTIONS = np.array([[11.0, 11.0, 0.9],
                       [10.0, 13.0, 0.8],
                       [31.0, 19.0, 0.7],
                       [50.0, 50.0, 0.6],
                       [9.0, 29.0, 0.4]])
HIT_RADIUS = 5.0
THRESHOLD = 0.5


def _matched() -> list[int]:
    kept = DETECTIONS[DETECTIONS[:, 2] >= THRESHOLD]
    hits = match_centres(TRUTHS, kept, HIT_RADIUS) >= 0
    return [int(hits.sum()), int((~hits).sum())]


q1 = Exercise(
    name="Exercise 1: match detections to truths by hand",
    question=(
        "One smear holds three white cells, at (row, col) = (10, 10), (10, 30) and (30, 20) px. The detector "
        "marks five places:\n\n"
        "| detection | row | col | score |\n|---|---|---|---|\n"
        "| a | 11 | 11 | 0.9 |\n| b | 10 | 13 | 0.8 |\n| c | 31 | 19 | 0.7 |\n| d | 50 | 50 | 0.6 |\n"
        "| e | 9 | 29 | 0.4 |\n\n"
        "Keep the detections scoring **≥ 0.5** and match them as `medcourse.metrics.froc` does: in descending "
        "score, each detection hits the nearest not-yet-matched cell within **5 px**, otherwise it is a false "
        "positive. Answer `[true_positives, false_positives]`."
    ),
    checker=expect_close(_matched()),
    hint_text="Go down the table from the highest score. Is *b* within 5 px of a cell that *a* has not "
              "already taken? And *e* — is it kept at all?",
    solution_text=(
        "*a* hits the cell at (10, 10). *b* is 3 px from that same cell, which is taken, and 17 px from the "
        "next one: a **false positive** (a second mark on one cell is not a second find). *c* hits (30, 20), "
        "*d* is far from everything (false positive), *e* scores 0.4 < 0.5 and is not kept. So **[2, 2]**: "
        "sensitivity 2/3 with 2 false positives in this image. Lower the threshold to 0.4 and *e* finds the "
        "third cell."
    ),
    reference=_matched,
    wrong_answers=([3, 1], [2, 1], [3, 2], [2, 3], [3, 3]),
)

# --- q2: read a FROC curve --------------------------------------------------------------------------------

#: Three operating points of one FROC curve: false positives per image, sensitivity.
OPERATING_POINTS = {"A": (0.25, 0.70), "B": (1.0, 0.85), "C": (4.0, 0.95)}
FROC_CHOICES = ("screening A, confirmation C", "screening C, confirmation A", "B for both", "C for both")

q2 = Exercise(
    name="Exercise 2: an operating point for screening, one for confirmation",
    question=(
        "A detector's FROC curve passes through three thresholds: **A** — 0.25 false positives per image, "
        "sensitivity 0.70; **B** — 1 FP/image, 0.85; **C** — 4 FP/image, 0.95. Used for **screening** (every "
        "mark is reviewed by a specialist, a missed finding is the costly error) and for **confirmation** "
        "(each mark triggers an invasive work-up, a false alarm is the costly error), which point suits each? "
        f"Answer with one of {', '.join(repr(c) for c in FROC_CHOICES)}."
    ),
    checker=expect_choice("screening C, confirmation A", FROC_CHOICES),
    hint_text="Moving along a FROC curve trades false marks per image for found findings. In which use does a "
              "miss cost most, and in which a false mark?",
    solution_text=(
        "**Screening C, confirmation A.** Screening wants few misses: C finds 95 % at the price of 4 false marks "
        "per image, which a reader dismisses quickly. Confirmation wants every mark to count: A keeps a quarter "
        "of a false mark per image and accepts missing 30 %. The CPM averages sensitivities from 1/8 to 8 FP per "
        "image precisely because no single point suits every use."
    ),
    reference=lambda: "screening C, confirmation A",
    wrong_answers=("screening A, confirmation C", "B for both", "C for both", "A"),
)

# --- q3: why accuracy is meaningless here -------------------------------------------------------------------

#: The detector's output grid on a 120×160 smear (stride 4), its classes, and the objects of a typical smear.
GRID_CELLS, CLASSES, OBJECTS = 30 * 40, 3, 13
_SILENT_ACCURACY = 1 - OBJECTS / (GRID_CELLS * CLASSES)

q3 = Exercise(
    name="Exercise 3: the accuracy of a detector that never fires",
    question=(
        f"On a 120×160 smear the detector outputs a 30×40 grid of cells for each of its {CLASSES} classes; a "
        f"typical smear has {OBJECTS} cells (objects), each the centre of one heatmap cell. A lazy detector "
        "answers *no object* in every heatmap cell. What share of the heatmap cells does it get right — its "
        "per-cell **accuracy**, a number between 0 and 1?"
    ),
    checker=expect_close(_SILENT_ACCURACY, atol=5e-4),
    hint_text=f"There are 30 · 40 · {CLASSES} heatmap cells; only {OBJECTS} of them hold an object centre.",
    solution_text=(
        f"1 − {OBJECTS} / (30 · 40 · {CLASSES}) = **{_SILENT_ACCURACY:.4f}**: 99.6 % accurate while finding "
        "nothing at all. Nearly every cell is background, so accuracy measures the background. Detection is "
        "judged by what matters clinically — the share of objects found (sensitivity) against the false marks "
        "per image (FROC, CPM), or precision and recall of boxes (AP) — none of which counts the empty cells."
    ),
    reference=lambda: _SILENT_ACCURACY,
    wrong_answers=(0.0, 0.5, OBJECTS / (GRID_CELLS * CLASSES), 1 - OBJECTS / GRID_CELLS, 1.0),
)
