"""Exercises for notebook 09, *GAN training*: the optimal discriminator, the equilibrium value, mode collapse, FID, a loss."""

from __future__ import annotations

import math

import numpy as np

from medcourse.exercises._core import Exercise, expect_choice, expect_close, expect_function

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


def _discriminator_loss_from_logits(real_logits, fake_logits):
    """−mean log σ(ℓ_real) − mean log(1 − σ(ℓ_fake)), written so that no logarithm ever sees 0."""
    real_logits, fake_logits = np.asarray(real_logits, dtype=float), np.asarray(fake_logits, dtype=float)
    return np.mean(np.logaddexp(0.0, -real_logits)) + np.mean(np.logaddexp(0.0, fake_logits))


def _naive_loss(real_logits, fake_logits):
    sigmoid = lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))  # noqa: E731
    with np.errstate(divide="ignore", over="ignore"):
        return -np.mean(np.log(sigmoid(real_logits))) - np.mean(np.log(1.0 - sigmoid(fake_logits)))


def _swapped_loss(real_logits, fake_logits):
    return _discriminator_loss_from_logits(fake_logits, real_logits)


def _generator_loss(real_logits, fake_logits):
    return np.mean(np.logaddexp(0.0, -np.asarray(fake_logits, dtype=float)))


def _logit_cases():
    rng = np.random.default_rng(0)
    return [
        (np.array([2.0, 0.5, -1.0]), np.array([-3.0, 0.0])),
        (rng.normal(0, 3, 16), rng.normal(-1, 3, 9)),
        (np.array([50.0, 80.0]), np.array([-60.0, 45.0])),  # a confident discriminator: σ(±50) rounds to 1 or 0
    ]


q5 = Exercise(
    name="Exercise 5: write the discriminator's loss from logits",
    question=(
        "The discriminator outputs **logits** $\\ell$, with $D = \\sigma(\\ell) = 1/(1 + e^{-\\ell})$. Write a NumPy "
        "function `discriminator_loss(real_logits, fake_logits)` that returns "
        "$L_D = -\\frac1{N}\\sum_i \\log \\sigma(\\ell^\\text{real}_i) - \\frac1{M}\\sum_j \\log\\big(1 - \\sigma(\\ell^\\text{fake}_j)\\big)$ "
        "(the loss of section 2, without label smoothing). It must also work for a very confident discriminator, "
        "with logits like $\\pm 50$ — that is why the frameworks' losses take logits."
    ),
    checker=expect_function(_discriminator_loss_from_logits, _logit_cases(), rtol=1e-9, atol=1e-12, mistakes=[
        (_naive_loss, "your loss is infinite (or NaN) for a confident discriminator: σ(50) rounds to exactly 1, so "
                      "log(1 − σ(ℓ)) becomes log 0. Rewrite with −log σ(ℓ) = log(1 + e^{−ℓ}) = `np.logaddexp(0, -ℓ)` and "
                      "−log(1 − σ(ℓ)) = `np.logaddexp(0, ℓ)`."),
        (_swapped_loss, "real and generated logits are swapped: D should push real logits up and fake ones down."),
        (_generator_loss, "that is the generator's (non-saturating) loss −log D(G(z)); the discriminator's has two terms."),
    ]),
    hint_text=(
        "$-\\log \\sigma(\\ell) = \\log(1 + e^{-\\ell})$ and $-\\log(1 - \\sigma(\\ell)) = \\log(1 + e^{\\ell})$. "
        "`np.logaddexp(0, x)` computes $\\log(e^0 + e^x) = \\log(1 + e^x)$ without overflow."
    ),
    solution_text=(
        "```python\ndef discriminator_loss(real_logits, fake_logits):\n"
        "    return np.mean(np.logaddexp(0, -real_logits)) + np.mean(np.logaddexp(0, fake_logits))\n```\n"
        "It equals `medcourse.gan.discriminator_loss(σ(real), σ(fake))` and both frameworks' "
        "`discriminator_loss(real_logits, fake_logits)`, which use the same rewriting inside "
        "`binary_cross_entropy_with_logits` / `sigmoid_cross_entropy_with_logits`."
    ),
    reference=lambda: _discriminator_loss_from_logits,
    wrong_answers=(_naive_loss, _swapped_loss, _generator_loss,
                   lambda real_logits, fake_logits: -_discriminator_loss_from_logits(real_logits, fake_logits),
                   "np.mean(np.log(sigmoid(real)))"),
)
