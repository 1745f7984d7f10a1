"""Exercises for notebook 04 (CNN classification): a confusion matrix, AUC, moving Dense weights, PPV at low prevalence."""

from __future__ import annotations

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close

#: A screening test on 200 chest X-rays; rows are the truth, columns the prediction (0 = normal, 1 = pneumonia).
CONFUSION = np.array([[80, 20],
                      [10, 90]])

q1 = Exercise(
    name="Exercise 1: sensitivity from a confusion matrix",
    question=(
        "A classifier for pneumonia (class 1) gives this confusion matrix on 200 test X-rays — rows are the "
        "true class, columns the predicted class:\n\n"
        "| | predicted normal | predicted pneumonia |\n|---|---|---|\n"
        "| **normal** | 80 | 20 |\n| **pneumonia** | 10 | 90 |\n\n"
        "What is its **sensitivity** (a number between 0 and 1)?"
    ),
    checker=expect_close(0.9, atol=1e-3),
    hint_text="Sensitivity = TP / (TP + FN): of the patients who *have* pneumonia (the second row), "
              "which share did the model find?",
    solution_text="TP = 90, FN = 10, so sensitivity = 90 / (90 + 10) = **0.90**. "
                  "`medcourse.metrics.sensitivity` computes the same from label arrays.",
    reference=lambda: 0.9,
    wrong_answers=(0.8, 0.818, 0.889, 0.85, 90),
)

q2 = Exercise(
    name="Exercise 2: specificity and PPV",
    question="For the same matrix, what is the **positive predictive value** (PPV): when the model says "
             "pneumonia, how often is it right?",
    checker=expect_close(90 / 110, atol=1e-3),
    hint_text="PPV = TP / (TP + FP): look down the *column* 'predicted pneumonia'.",
    solution_text="TP = 90, FP = 20: PPV = 90 / 110 ≈ **0.818**. (Specificity is 80 / 100 = 0.80.) Unlike "
                  "sensitivity and specificity, PPV depends on how common the disease is in the tested group.",
    reference=lambda: 90 / 110,
    wrong_answers=(0.9, 0.8, 0.889, 0.85),
)

AUC_CHOICES = ("0", "0.5", "1", "it depends on the threshold")

q3 = Exercise(
    name="Exercise 3: AUC of a constant score",
    question="A lazy model gives **every** image the same pneumonia probability, 0.3. What is its ROC AUC? "
             f"Answer with one of {', '.join(repr(c) for c in AUC_CHOICES)}.",
    checker=expect_choice("0.5", AUC_CHOICES),
    hint_text="With all scores tied, a threshold either calls everybody positive or nobody: which points of "
              "the ROC plane are reached, and what is the area under the line between them?",
    solution_text="All scores are tied, so the ROC curve jumps straight from (0, 0) to (1, 1): the diagonal, "
                  "area **0.5** — the chance that a random positive outscores a random negative, ties counting half.",
    reference=lambda: "0.5",
    wrong_answers=("0", "1", "it depends on the threshold", 1.0, 0, 0.3),
)

q4 = Exercise(
    name="Exercise 4: where does a feature land after Flatten?",
    question=(
        "After the second pooling the course-notes CNN has a 5×5×64 feature map. The feature at row h = 1, "
        "column w = 2, channel c = 3 (counting from 0) goes to which position of the **PyTorch** flattened "
        "vector (which flattens channels-first, C×H×W)?"
    ),
    checker=expect_close(3 * 25 + 1 * 5 + 2),
    hint_text="In C×H×W order the channel changes slowest: position = c·(H·W) + h·W + w.",
    solution_text="3·25 + 1·5 + 2 = **82**. In Keras (H×W×C order) the same feature is at "
                  "(1·5 + 2)·64 + 3 = 451 — why Dense weights need permuting when moved between frameworks.",
    reference=lambda: 82,
    wrong_answers=(451, 83, 7, 3 * 25 + 2 * 5 + 1),
)

q5 = Exercise(
    name="Exercise 5: a positive result in a screening population",
    question="A test has sensitivity 0.90 and specificity 0.95. In a screening population **1 %** of the people "
             "have the disease. Of those who test positive, which share really has it (the PPV, a number between "
             "0 and 1)?",
    checker=expect_close(0.9 * 0.01 / (0.9 * 0.01 + 0.05 * 0.99), atol=2e-3),
    hint_text="Imagine 10,000 people: 100 have the disease, and 90 of them test positive. How many of the 9,900 "
              "healthy people test positive too (1 − specificity)? PPV = true positives / all positives.",
    solution_text="90 true positives and 0.05 × 9,900 = 495 false positives: PPV = 90 / 585 ≈ **0.154**. Bayes' rule "
                  "gives the same, se·π / (se·π + (1 − sp)(1 − π)) (`medcourse.metrics.ppv_at_prevalence`): a good "
                  "test, yet five positive results in six are false alarms, because the disease is rare.",
    reference=lambda: 0.9 * 0.01 / (0.9 * 0.01 + 0.05 * 0.99),
    wrong_answers=(0.9, 0.95, 0.01, 0.5, 0.0918, 0.85),
)
