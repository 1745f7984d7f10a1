"""Exercises for notebook 10, *GAN applications*: PSNR, and reading an augmentation experiment."""

from __future__ import annotations

from medcourse.exercises._core import Exercise, expect_choice, expect_close

q1 = Exercise(
    name="Exercise 1: PSNR from the mean squared error",
    question=(
        "A denoised image with values in $[0, 1]$ differs from the clean image by a mean squared error "
        "of $\\mathrm{MSE} = 0.001$. What is its PSNR in dB? "
        "($\\mathrm{PSNR} = 10 \\log_{10}(\\text{range}^2 / \\mathrm{MSE})$.)"
    ),
    checker=expect_close(30.0, rtol=1e-4, unit="dB"),
    hint_text="The data range is 1, so PSNR $= 10 \\log_{10}(1 / 0.001)$.",
    solution_text="$10 \\log_{10}(1/0.001) = 10 \\cdot 3 = 30$ dB. Halving the MSE adds about 3 dB.",
    reference=lambda: 30.0,
    wrong_answers=(3.0, 20.0, 60.0, 0.001, -30.0),
)

AUGMENTATION_STATEMENTS = ("synthetic images help", "no clear difference", "synthetic images hurt")

q2 = Exercise(
    name="Exercise 2: read an augmentation experiment",
    question=(
        "Over three seeds a classifier reaches test accuracy $0.712 \\pm 0.030$ (mean ± standard "
        "deviation) without synthetic images and $0.725 \\pm 0.040$ with them. Which statement does this "
        f"support? Answer with one of {', '.join(repr(s) for s in AUGMENTATION_STATEMENTS)}."
    ),
    checker=expect_choice("no clear difference", AUGMENTATION_STATEMENTS),
    hint_text="Compare the difference of the means with the spread between seeds.",
    solution_text=(
        "**no clear difference**: the means differ by 0.013, less than half of either standard deviation. "
        "With three seeds you cannot tell this apart from chance; you would need more seeds (and a paired "
        "comparison) before claiming that synthetic images help."
    ),
    reference=lambda: "no clear difference",
    wrong_answers=("synthetic images help", "synthetic images hurt", 0.013),
)
