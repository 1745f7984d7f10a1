"""Exercises for notebook 09, *GAN training*: the optimal discriminator, the equilibrium value, mode collapse, FID."""

from __future__ import annotations

import math

from medcourse.exercises._core import Exercise, expect_choice, expect_close

q1 = Exercise(
    name="Exercise 1: the optimal discriminator",
    question=(
        "At a grey value $x$ the data density is $p_\\text{data}(x) = 0.3$ and the generator's density is "
        "$p_g(x) = 0.1$. What does the optimal discriminator $D^*(x)$ answer there? (One number.)"
    ),
    checker=expect_close(0.75, rtol=1e-4),
    hint_text="$D^*(x) = p_\\text{data}(x) / (p_\\text{data}(x) + p_g(x))$: the share of samples at $x$ that are real.",
    solution_text="$D^*(x) = 0.3 / (0.3 + 0.1) = 0.75$: three of every four samples that land at $x$ are real.",
    reference=lambda: 0.75,
    wrong_answers=(0.25, 3.0, 0.5, 0.3, 0.1),
)

q2 = Exercise(
    name="Exercise 2: the value of the game at equilibrium",
    question=(
        "The generator has won: $p_g = p_\\text{data}$, and the discriminator is optimal. What is "
        "$V(D^*, G) = \\mathbb{E}_x[\\log D^*(x)] + \\mathbb{E}_z[\\log(1 - D^*(G(z)))]$? "
        "(A number, natural logarithm; e.g. `-np.log(4)` is fine.)"
    ),
    checker=expect_close(-math.log(4), rtol=1e-4),
    hint_text="With $p_g = p_\\text{data}$, what is $D^*(x)$ everywhere? Put it into both expectations.",
    solution_text=(
        "$D^* = 1/2$ everywhere, so $V = \\log\\tfrac12 + \\log\\tfrac12 = -\\log 4 \\approx -1.386$. "
        "In general $V(D^*, G) = -\\log 4 + 2\\,\\mathrm{JSD}(p_\\text{data} \\| p_g)$, smallest exactly at $p_g = p_\\text{data}$."
    ),
    reference=lambda: -math.log(4),
    wrong_answers=(0.0, math.log(4), -math.log(2), 0.5, -1.0),
)

q3 = Exercise(
    name="Exercise 3: spot mode collapse",
    question=(
        "You draw 64 samples from each of three generators trained on lesion patches and compute their "
        "diversity, the mean pairwise RMS distance (`medcourse.gan.mean_pairwise_distance`, grey levels): "
        "generator **A** 41.0, **B** 3.2, **C** 38.5. 64 real patches give 45.0. Which generator has "
        "collapsed? Answer `'A'`, `'B'` or `'C'`."
    ),
    checker=expect_choice("B", ["A", "B", "C"]),
    hint_text="A collapsed generator draws (nearly) the same image whatever $z$ is. What does that do to the "
              "distances between its samples?",
    solution_text="**B**: its samples are on average only 3 grey levels apart, a tenth of real images' spread; "
                  "its grid shows the same patch over and over. A and C are close to the real 45.",
    reference=lambda: "B",
    wrong_answers=("A", "C", "D", 3.2),
)

FID_STATEMENTS = (
    "indistinguishable",
    "better than untrained, still distinguishable",
    "worse than untrained",
)

q4 = Exercise(
    name="Exercise 4: read a Fréchet distance",
    question=(
        "In the same feature space you measure: generated vs real **12.0**; real vs real (two disjoint "
        "real sets of the same size) **0.8**; an untrained generator vs real **310**. Which statement fits? "
        f"Answer with one of {', '.join(repr(s) for s in FID_STATEMENTS)}."
    ),
    checker=expect_choice("better than untrained, still distinguishable", FID_STATEMENTS),
    hint_text="Compare each number with the real-vs-real baseline: that is what sampling noise alone gives.",
    solution_text=(
        "**better than untrained, still distinguishable**: 12 is far below 310, so the generator has learned "
        "a lot, but 15 times the real-vs-real baseline of 0.8, so its feature statistics still differ clearly "
        "from real images. A Fréchet distance only means something next to such baselines, in the same "
        "feature space and with the same number of samples."
    ),
    reference=lambda: "better than untrained, still distinguishable",
    wrong_answers=("indistinguishable", "worse than untrained", 12.0),
)
