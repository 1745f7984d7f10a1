"""GAN objectives and evaluation in NumPy: the minimax game, Fréchet distance, memorisation, spectral norms, baselines.

The framework-free reference that notebooks 09 and 10 derive and then check TensorFlow and PyTorch
against. Discriminator outputs are **probabilities** ``D(x) ∈ (0, 1)`` here; the framework code
works with logits for numerical stability and applies the same formulas. Modules:
:mod:`~medcourse.gan.objectives` (the game, the losses, latent vectors), :mod:`~medcourse.gan.frechet`,
:mod:`~medcourse.gan.memorisation`, :mod:`~medcourse.gan.spectral` (what spectral normalisation bounds),
:mod:`~medcourse.gan.baselines` (a non-GAN generator to compare with) and :mod:`~medcourse.gan.comparison`
(a paired comparison over seeds, for the augmentation experiment).
"""

from __future__ import annotations

from medcourse.gan.baselines import pixel_gaussian_images
from medcourse.gan.comparison import PairedDifference, paired_difference
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
    class_loss,
    discriminator_loss,
    generator_loss,
    interpolate_latent,
    jensen_shannon_divergence,
    latent_noise,
    minimax_value,
    optimal_discriminator,
    tanh_range_to_images,
    value_at_optimal_discriminator,
)
from medcourse.gan.spectral import conv2d_adjoint, convolution_operator_norm, reshaped_kernel_norm

__all__ = [
    "EPSILON",
    "GENERATOR_LOSSES",
    "MemorisationReport",
    "PairedDifference",
    "class_loss",
    "conv2d_adjoint",
    "convolution_operator_norm",
    "discriminator_loss",
    "frechet_distance",
    "gaussian_statistics",
    "generator_loss",
    "interpolate_latent",
    "jensen_shannon_divergence",
    "latent_noise",
    "mean_pairwise_distance",
    "memorisation_report",
    "minimax_value",
    "nearest_neighbour_distances",
    "optimal_discriminator",
    "paired_difference",
    "pixel_gaussian_images",
    "reshaped_kernel_norm",
    "tanh_range_to_images",
    "value_at_optimal_discriminator",
]
