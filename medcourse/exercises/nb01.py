"""Exercises for notebook 01, *Medical images as arrays*: HU, windows, layouts, normalisation, slice spacing."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_function, expect_shape


def _to_hu(stored, slope, intercept):
    return slope * np.asarray(stored, dtype=float) + intercept


q1 = Exercise(
    name="Exercise 1: stored values to Hounsfield units",
    question=(
        "Write a function `to_hu(stored, slope, intercept)` that turns stored CT values (a NumPy array "
        "of integers) into Hounsfield units using the header's `RescaleSlope` and `RescaleIntercept`. "
        "It must work for any slope, not only 1 (some scanners store 0.5 HU per step)."
    ),
    checker=expect_function(_to_hu, [
        (np.array([0, 1024, 1064, 3000]), 1.0, -1024.0),
        (np.array([[0, 2048], [2100, 4095]]), 0.5, -1024.0),
        (np.array([100]), 2.0, -1000.0),
    ]),
    hint_text="$\\mathrm{HU} = \\text{slope} \\cdot \\text{stored} + \\text{intercept}$, element by element; "
              "convert to float first so that a slope of 0.5 does not get rounded away.",
    solution_text="```python\ndef to_hu(stored, slope, intercept):\n"
                  "    return slope * np.asarray(stored, dtype=float) + intercept\n```",
    reference=lambda: _to_hu,
    wrong_answers=(
        lambda stored, slope, intercept: np.asarray(stored, dtype=float) + intercept,  # ignores the slope
        lambda stored, slope, intercept: slope * (np.asarray(stored, dtype=float) + intercept),  # wrong order
        lambda stored, slope, intercept: (slope * np.asarray(stored) + intercept).astype(np.int64),  # rounds
        "slope * stored + intercept",
    ),
)

WINDOW_NAMES = ("lung", "soft tissue", "liver", "brain", "bone")

q2 = Exercise(
    name="Exercise 2: the right window for the question",
    question=(
        "A radiologist asks you to show a chest CT so that a **hairline rib fracture** is easiest to "
        f"see. Which preset window do you choose? Answer with one of {', '.join(map(repr, WINDOW_NAMES))}."
    ),
    checker=expect_choice("bone", WINDOW_NAMES),
    hint_text="Cortical bone is several hundred to over 1,000 HU. Which window still has grey levels "
              "to spare up there, instead of showing all bone as the same white?",
    solution_text="**bone** (W 1800, L 400 HU): it spreads −500…1300 HU over the grey levels, so the "
                  "fine line of a fracture inside bright cortex stays visible. In the soft-tissue window "
                  "everything above 240 HU is plain white.",
    reference=lambda: "bone",
    wrong_answers=("lung", "soft tissue", "brain", "liver", "x-ray"),
)

q3 = Exercise(
    name="Exercise 3: from TensorFlow's layout to PyTorch's",
    question=(
        "A TensorFlow batch of cine sequences has shape `(8, 20, 32, 32, 1)`: 8 sequences × 20 frames × "
        "32 × 32 pixels × 1 channel (channels last). What shape does the same batch have in PyTorch's "
        "channels-first layout for sequences (batch, time, channels, height, width)? Answer with a tuple."
    ),
    checker=expect_shape((8, 20, 1, 32, 32)),
    hint_text="Only the channel axis moves: from the end to just before the two image axes.",
    solution_text="`(8, 20, 1, 32, 32)`, e.g. `np.moveaxis(batch, -1, -3)`. For single images "
                  "NHWC `(64, 28, 28, 1)` becomes NCHW `(64, 1, 28, 28)` by the same move.",
    reference=lambda: (8, 20, 1, 32, 32),
    wrong_answers=((8, 1, 20, 32, 32), (8, 20, 32, 32, 1), (1, 8, 20, 32, 32), (20, 8, 1, 32, 32), "(8, 20, 1, 32, 32)"),
)


def _z_score(image, mask):
    values, mask = np.asarray(image, dtype=float), np.asarray(mask, dtype=bool)
    return (values - values[mask].mean()) / values[mask].std()


def _whole_image_z_score(image, mask):
    values = np.asarray(image, dtype=float)
    return (values - values.mean()) / values.std()


def _sample_std_z_score(image, mask):
    values, mask = np.asarray(image, dtype=float), np.asarray(mask, dtype=bool)
    return (values - values[mask].mean()) / values[mask].std(ddof=1)


_FIELD = np.array([[20.0, 25.0, 18.0, 22.0], [24.0, 300.0, 900.0, 19.0], [21.0, 600.0, 1200.0, 23.0],
                   [17.0, 26.0, 22.0, 20.0]])

q4 = Exercise(
    name="Exercise 4: normalising an MR image over its foreground",
    question=(
        "A T2-weighted MR image is in arbitrary units: the same tissue can be 300 in one scan and 1,200 in "
        "the next. Write `z_score(image, mask)` that returns the **whole** image (every pixel, background "
        "included) transformed as $(x - \\mu) / \\sigma$, where μ and σ are the mean and the "
        "**population** standard deviation σ = √(Σ(x − μ)² / N) of the pixels where the boolean `mask` is "
        "True (what `values.std()` computes, not the sample standard deviation that divides by N − 1)."
    ),
    checker=expect_function(_z_score, [
        (_FIELD, _FIELD > 100),
        (np.linspace(0, 1200, 64).reshape(8, 8), np.linspace(0, 1200, 64).reshape(8, 8) > 400),
        (np.array([[300.0, 300.0, 900.0, 5.0]]), np.array([[True, True, True, False]])),
    ], mistakes=[
        (_whole_image_z_score, "your function takes μ and σ from the whole image. The amount of background "
         "then changes every tissue's value: compute them over `image[mask]` only."),
        (_sample_std_z_score, "your function divides by the sample standard deviation (N − 1 in the "
         "denominator: `std(ddof=1)`, also `torch.std`'s default). This exercise asks for the population "
         "standard deviation `std()`, which divides by N, so that the foreground has standard deviation "
         "exactly 1 as `np.std` measures it. On a large image the two barely differ."),
    ]),
    hint_text="$\\mu$ = `image[mask].mean()`, $\\sigma$ = `image[mask].std()`; then `(image - μ) / σ` for every pixel.",
    solution_text="```python\ndef z_score(image, mask):\n    image = np.asarray(image, dtype=float)\n"
                  "    return (image - image[mask].mean()) / image[mask].std()\n```",
    reference=lambda: _z_score,
    wrong_answers=(
        lambda image, mask: np.where(mask, _z_score(image, mask), 0.0),  # changes the background as well
        lambda image, mask: np.asarray(image, dtype=float)[mask],        # returns only the foreground
        lambda image, mask: np.asarray(image, dtype=float) / np.asarray(image, dtype=float).max(),
    ),
)

q5 = Exercise(
    name="Exercise 5: the spacing between slices",
    question=(
        "Four axial CT files have `ImageOrientationPatient` = [1, 0, 0, 0, 1, 0] (so the slice normal is +z), "
        "`SliceThickness` = 5 mm, and `ImagePositionPatient` z = **12.5, 7.5, 10.0 and 5.0** mm, in the "
        "order of their file names. What is the spacing between neighbouring slices of the volume, in mm?"
    ),
    checker=expect_close(2.5, unit="mm"),
    hint_text="Sort the slices by their position along the normal first; `SliceThickness` is how thick a "
              "slice is, not how far apart the slices are.",
    solution_text="Sorted: 5.0, 7.5, 10.0, 12.5 mm, so the spacing is **2.5 mm**: the 5 mm slices overlap "
                  "by half. Taking the gaps in file order (−5, 2.5, −5) or the `SliceThickness` would both "
                  "give a wrong volume.",
    reference=lambda: 2.5,
    wrong_answers=(5.0, -5.0, 7.5, 1.25, -2.5),
)
