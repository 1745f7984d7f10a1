"""Exercises for notebook 00, *Welcome*: Hounsfield units, display windows and HU per grey level."""

from __future__ import annotations

from medcourse.exercises._core import Exercise, expect_choice, expect_close

q1 = Exercise(
    name="Exercise 1: from stored value to Hounsfield units",
    question=(
        "A CT pixel is stored as the integer **1064**. The file's header says "
        "`RescaleSlope = 1` and `RescaleIntercept = -1024`. What is the pixel's value in HU?"
    ),
    checker=expect_close(40.0, unit="HU"),
    hint_text="Use $\\mathrm{HU} = \\text{slope} \\cdot \\text{stored value} + \\text{intercept}$.",
    solution_text="$1 \\cdot 1064 + (-1024) = 40$ HU: soft tissue, for example muscle or blood.",
    reference=lambda: 40,
    wrong_answers=(1064, -1024, 2088, -40),
)

TISSUES = ("air", "fat", "water", "soft tissue", "bone")

q2 = Exercise(
    name="Exercise 2: which tissue?",
    question=(
        "A pixel reads **−80 HU**. Which tissue is it most likely? Answer with one of "
        f"{', '.join(repr(t) for t in TISSUES)}."
    ),
    checker=expect_choice("fat", TISSUES),
    hint_text="Air is about −1000 HU, water 0 HU, soft tissue +20 to +80 HU, bone several hundred HU. "
              "What lies a little below water?",
    solution_text="**fat**: fat lies between about −120 and −60 HU, a little less dense than water.",
    reference=lambda: "fat",
    wrong_answers=("air", "water", "soft tissue", "bone", "liver", 80),
)

q3 = Exercise(
    name="Exercise 3: the edges of a window",
    question=(
        "The soft-tissue window has width $W = 400$ HU and level $L = 40$ HU. Every value below the "
        "window's lower edge is shown black. What is that lower edge, in HU? "
        "(Answer with one number.)"
    ),
    checker=expect_close(-160.0, unit="HU"),
    hint_text="The window spans $[L - W/2,\\; L + W/2]$.",
    solution_text="$L - W/2 = 40 - 200 = -160$ HU; the upper edge is $40 + 200 = 240$ HU.",
    reference=lambda: -160.0,
    wrong_answers=(-360.0, 240.0, -200.0, 40.0),
)

q4 = Exercise(
    name="Exercise 4: how many HU per grey level?",
    question=(
        "A screen shows **256** grey levels. You display a chest CT in the lung window, width $W = 1500$ HU. "
        "How many HU apart are two neighbouring grey levels? (Answer with one number.)"
    ),
    checker=expect_close(1500.0 / 256, rtol=0.01, unit="HU"),
    hint_text="The window spreads its width, and only its width, over the 256 grey levels.",
    solution_text="$1500 / 256 \\approx 5.9$ HU per grey level. Over a whole slice's 2,000 HU it would be "
                  "about 8 HU, and in the 400 HU soft-tissue window 1.6 HU.",
    reference=lambda: 1500 / 256,
    wrong_answers=(256 / 1500, 1500 * 256, 1500.0, 8.0, 2000 / 256),
)
