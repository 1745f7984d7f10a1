"""Exercises for notebook 08 (recurrent networks for image sequences): the notes' RNN, order, ejection fraction,
which targets need the order of the frames."""

from __future__ import annotations

from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_shape

q1 = Exercise(
    name="Exercise 1: the shape of combined",
    question=(
        "The lecture notes' `RNN(1, 16, 3)` reads a batch of 32 contrast curves, one value per step. "
        "What is the shape of `combined = torch.cat((input, hidden), 1)` at one step? Answer with a tuple."
    ),
    checker=expect_shape((32, 17)),
    hint_text="`input` is (32, 1), `hidden` is (32, 16); `torch.cat(…, 1)` puts them side by side along dimension 1.",
    solution_text="**(32, 17)**: 32 rows (the batch), 1 + 16 columns (the input next to the hidden state).",
    reference=lambda: (32, 17),
    wrong_answers=[(32, 16), (64, 16), (17, 32), (32, 1)],
)

q2 = Exercise(
    name="Exercise 2: parameters of i2h",
    question=(
        "How many parameters does the `i2h` layer of the lecture notes' `RNN(28, 64, 5)` have "
        "(weights and bias)? Answer with an integer."
    ),
    checker=expect_close((28 + 64) * 64 + 64, rtol=0, atol=0.5),
    hint_text="`nn.Linear(a, b)` has an a×b weight matrix (stored b×a) and b biases; here a = 28 + 64, b = 64.",
    solution_text=(
        "$(28 + 64)·64 + 64 = $ **5952** — exactly Keras's `SimpleRNN(64)` on 28 inputs: `i2h`'s weight is "
        "$[W_{xh} \\mid W_{hh}]$ side by side, with one bias."
    ),
    reference=lambda: 5952,
    wrong_answers=[6016, 5888, 92 * 64, 28 * 64 + 64],
)

q3 = Exercise(
    name="Exercise 3: which model ignores the order?",
    question=(
        "You play every test cine loop backwards (reverse the frames) and predict again. Which model's "
        "predictions stay exactly the same? Answer `\"max/min pooling\"`, `\"GRU\"`, `\"both\"` or `\"neither\"`."
    ),
    checker=expect_choice("max/min pooling", ["max/min pooling", "GRU", "both", "neither"]),
    hint_text=(
        "The largest and the smallest value of a list do not depend on the order of the list; a GRU's state at "
        "step T depends on the order of its inputs."
    ),
    solution_text=(
        "The **max/min pooling**: each code's largest and smallest value over the frames are the same in any "
        "order. The GRU reads the frames in sequence (and their change from one frame to the next), so its "
        "prediction changes — even though a reversed heartbeat has the same EF."
    ),
    reference=lambda: "max/min pooling",
    wrong_answers=["GRU", "both", "neither", "frame average"],
)

q4 = Exercise(
    name="Exercise 4: an ejection fraction",
    question=(
        "A left ventricle holds 120 mL at end-diastole and 66 mL at end-systole. What is its ejection "
        "fraction in per cent? (And which range is it in: normal ≥ 50 %, mildly reduced 41–49 %, reduced ≤ 40 %?) "
        "Answer with the number."
    ),
    checker=expect_close(45.0, rtol=0, atol=0.05, unit="%"),
    hint_text="EF = 100 · (EDV − ESV) / EDV.",
    solution_text=(
        "EF = 100 · (120 − 66) / 120 = **45 %**: **mildly reduced** (41–49 %; heart failure with mildly reduced "
        "ejection fraction, in the 2021 universal definition of heart failure) — below normal (≥ 50 %), above "
        "the reduced range (≤ 40 %)."
    ),
    reference=lambda: 45.0,
    wrong_answers=[55.0, 0.45, 54.0, 82.0],
)

q5 = Exercise(
    name="Exercise 5: which question needs the order of the frames?",
    question=(
        "In section 2 and 3 you trained a GRU and an order-blind max/min pooling on the same cine loops, once for "
        "the ejection fraction and once for the time of end-systole. For which target did the order-blind model "
        "do about as well as the GRU? Answer `\"EF\"`, `\"end-systole time\"`, `\"both\"` or `\"neither\"`."
    ),
    checker=expect_choice("EF", ["EF", "end-systole time", "both", "neither"]),
    hint_text=(
        "The EF is 100 · (1 − (r_ES / r_ED)³): does it change if you shuffle the frames? Does the time of "
        "end-systole?"
    ),
    solution_text=(
        "The **EF**: it depends only on the largest and the smallest cavity, which a max/min over the frames finds "
        "in any order — a non-linear aggregation over time. The time of end-systole changes when you shuffle the "
        "frames while the set of frames stays the same, so an order-blind model can only guess it; the GRU, "
        "reading in order, found it within about a frame."
    ),
    reference=lambda: "EF",
    wrong_answers=["end-systole time", "both", "neither"],
)
