"""GAN objectives and evaluation in NumPy: the minimax game, Fréchet distance, memorisation check.

The framework-free reference that notebooks 09 and 10 derive and then check TensorFlow and PyTorch
against. Discriminator outputs are **probabilities** ``D(x) ∈ (0, 1)`` here; the framework code
works with logits for numerical stability and applies the same formulas. A package of three
modules: :mod:`~medcourse.gan.objectives`, :mod:`~medcourse.gan.frechet`, :mod:`~medcourse.gan.memorisation`.
"""

from __future__ import annotations

from medcourse.gan.frechet import frechet_distance, gaussian_statistics
from medcourse.gan.memorisation import (
    MemorisationReport,
    mean_pairwise_distance,
    memorisation_report,
    nearest_neighbour_distances,
)
from medcourse.gan.objectives import (
    EPSILON,
    GENERATOR_LOSSES,
    discriminator_loss,
    generator_loss,
    jensen_shannon_divergence,
    latent_noise,
    minimax_value,
    optimal_discriminator,
    tanh_range_to_images,
    value_at_optimal_discriminator,
)

__all__ = [
    "EPSILON",
    "GENERATOR_LOSSES",
    "MemorisationReport",
    "discriminator_loss",
    "frechet_distance",
    "gaussian_statistics",
    "generator_loss",
    "jensen_shannon_divergence",
    "latent_noise",
    "mean_pairwise_distance",
    "memorisation_report",
    "minimax_value",
    "nearest_neighbour_distances",
    "optimal_discriminator",
    "tanh_range_to_images",
    "value_at_optimal_discriminator",
]
