"""The GAN game in NumPy: the value V(D, G), the players' losses, the optimal discriminator (notebook 09)."""

from __future__ import annotations

import numpy as np

__all__ = ["EPSILON", "GENERATOR_LOSSES", "class_loss", "discriminator_loss", "generator_loss", "interpolate_latent",
           "jensen_shannon_divergence", "latent_noise", "minimax_value", "optimal_discriminator",
           "tanh_range_to_images", "value_at_optimal_discriminator"]

#: Probabilities are clipped to ``[EPSILON, 1 − EPSILON]`` before a logarithm, so a perfectly
#: confident discriminator gives a large finite number instead of infinity.
EPSILON = 1e-12


def _probabilities(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one discriminator output, got an empty array")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1] (discriminator outputs after the sigmoid), "
                         f"got values from {np.nanmin(array):g} to {np.nanmax(array):g}")
    return np.clip(array, EPSILON, 1.0 - EPSILON)


def minimax_value(d_real, d_fake) -> float:
    """The value of the game, ``V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]``, from samples.

    The discriminator ``D`` maximises it, the generator ``G`` minimises it (notebook 09, section 1).

    Parameters
    ----------
    d_real : array_like
        ``D(x)`` for real samples ``x``: probabilities in ``[0, 1]``.
    d_fake : array_like
        ``D(G(z))`` for generated samples.

    Examples
    --------
    >>> round(minimax_value([0.5, 0.5], [0.5]), 4)  # the equilibrium value −log 4
    -1.3863
    """
    d_real = _probabilities(d_real, "d_real")
    d_fake = _probabilities(d_fake, "d_fake")
    return float(np.mean(np.log(d_real)) + np.mean(np.log1p(-d_fake)))


def discriminator_loss(d_real, d_fake, *, real_label: float = 1.0) -> float:
    """Binary cross-entropy the discriminator minimises: ``−V(D, G)`` when ``real_label`` is 1.

    ``real_label`` below 1 (e.g. 0.9) is *one-sided label smoothing*: the discriminator is asked for
    0.9 on real images, which keeps it from becoming over-confident.

    Examples
    --------
    >>> round(discriminator_loss([0.5], [0.5]), 4)  # log 4
    1.3863
    """
    if not 0.5 < real_label <= 1.0:
        raise ValueError(f"real_label must be in (0.5, 1], got {real_label!r}")
    d_real = _probabilities(d_real, "d_real")
    d_fake = _probabilities(d_fake, "d_fake")
    real_term = real_label * np.log(d_real) + (1.0 - real_label) * np.log1p(-d_real)
    return float(-np.mean(real_term) - np.mean(np.log1p(-d_fake)))


def generator_loss(d_fake, kind: str = "non-saturating") -> float:
    """The generator's loss: ``"non-saturating"`` ``−E[log D(G(z))]`` or ``"minimax"`` ``E[log(1 − D(G(z)))]``.

    Both have the same fixed point, but the minimax form *saturates*: when the discriminator easily
    rejects the fakes (``D(G(z)) ≈ 0``) its gradient vanishes, so the generator stops learning
    exactly when it is worst. The non-saturating form has a large gradient there.

    Examples
    --------
    >>> round(generator_loss([0.5]), 4), round(generator_loss([0.5], "minimax"), 4)
    (0.6931, -0.6931)
    """
    d_fake = _probabilities(d_fake, "d_fake")
    if kind == "non-saturating":
        return float(-np.mean(np.log(d_fake)))
    if kind == "minimax":
        return float(np.mean(np.log1p(-d_fake)))
    raise ValueError(f"kind must be 'non-saturating' or 'minimax', got {kind!r}")


def class_loss(class_probabilities, labels) -> float:
    """The auxiliary classifier's cross-entropy ``−E[log p(y | x)]`` (notebook 10, the AC-GAN recipe).

    An auxiliary-classifier discriminator also predicts the class of every image it sees. It learns
    the classes on real images; the generator is rewarded when its images of class ``y`` are
    classified as ``y``, which is what makes a conditional generator obey its label.

    Parameters
    ----------
    class_probabilities : array_like (N, K)
        Softmax outputs of the discriminator's class head.
    labels : array_like of int (N,)
        The true (real images) or requested (generated images) class.

    Examples
    --------
    >>> round(class_loss([[0.5, 0.5], [0.9, 0.1]], [1, 0]), 4)  # (log 2 − log 0.9) / 2
    0.3993
    """
    probabilities = np.asarray(class_probabilities, dtype=np.float64)
    labels = np.asarray(labels)
    if probabilities.ndim != 2 or labels.shape != probabilities.shape[:1]:
        raise ValueError(f"class_probabilities must be N×K and labels N class indices, got shapes "
                         f"{probabilities.shape} and {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer) or np.any(labels < 0) or np.any(labels >= probabilities.shape[1]):
        raise ValueError(f"labels must be integers from 0 to {probabilities.shape[1] - 1}, got {labels.tolist()}")
    chosen = _probabilities(probabilities[np.arange(len(labels)), labels], "class_probabilities")
    return float(-np.mean(np.log(chosen)))


def _densities(p_data, p_g) -> tuple[np.ndarray, np.ndarray]:
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must have the same shape, got {p_data.shape} and {p_g.shape}")
    for name, density in (("p_data", p_data), ("p_g", p_g)):
        if not np.all(np.isfinite(density)) or np.any(density < 0):
            raise ValueError(f"{name} must hold finite, non-negative density values")
    return p_data, p_g


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """The best discriminator for a fixed generator: ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``.

    Where both densities are zero no sample ever lands, ``D*`` is undefined and returned as ``nan``.

    Examples
    --------
    >>> optimal_discriminator([0.3, 0.2, 0.0], [0.1, 0.2, 0.4]).round(6).tolist()
    [0.75, 0.5, 0.0]
    """
    p_data, p_g = _densities(p_data, p_g)
    total = p_data + p_g
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), np.nan)


def _integrate(values: np.ndarray, x) -> float:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.shape != values.shape:
        raise ValueError(f"x must be the 1-D grid the densities were evaluated on, shape {values.shape}, got {x.shape}")
    return float(np.trapezoid(values, x))


def jensen_shannon_divergence(p_data, p_g, x) -> float:
    """``JSD(p_data ‖ p_g)`` in nats for densities on a 1-D grid ``x`` (trapezoid rule); between 0 and log 2."""
    p_data, p_g = _densities(p_data, p_g)
    mixture = 0.5 * (p_data + p_g)
    with np.errstate(invalid="ignore", divide="ignore"):
        left = np.where(p_data > 0, p_data * np.log(p_data / np.where(mixture > 0, mixture, 1.0)), 0.0)
        right = np.where(p_g > 0, p_g * np.log(p_g / np.where(mixture > 0, mixture, 1.0)), 0.0)
    return 0.5 * _integrate(left, x) + 0.5 * _integrate(right, x)


def value_at_optimal_discriminator(p_data, p_g, x) -> float:
    """``V(D*, G) = ∫ p_data log D* + p_g log(1 − D*) dx`` on a 1-D grid; equals ``−log 4 + 2·JSD``.

    It reaches its minimum ``−log 4`` exactly when ``p_g = p_data``: the generator's best answer.

    Examples
    --------
    >>> x = np.linspace(-10, 10, 2001)
    >>> p = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    >>> round(value_at_optimal_discriminator(p, p, x), 4)
    -1.3863
    """
    p_data, p_g = _densities(p_data, p_g)
    total = np.where(p_data + p_g > 0, p_data + p_g, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # log D* = log(p_data / total) and log(1 − D*) = log(p_g / total), written so that neither rounds to log 0.
        real = np.where(p_data > 0, p_data * np.log(np.where(p_data > 0, p_data, 1.0) / total), 0.0)
        fake = np.where(p_g > 0, p_g * np.log(np.where(p_g > 0, p_g, 1.0) / total), 0.0)
    return _integrate(real, x) + _integrate(fake, x)


# --- images in and out of a generator ---------------------------------------------------------------


#: The generator losses the framework training steps accept.
GENERATOR_LOSSES = ("non-saturating", "minimax")


def latent_noise(count: int, latent_dim: int, seed: int) -> np.ndarray:
    """``count × latent_dim`` standard normal float32 noise ``z``, drawn by NumPy from ``seed``.

    Both frameworks' ``latent_noise`` wrap this, so TensorFlow and PyTorch get the very same ``z``.

    Examples
    --------
    >>> latent_noise(2, 3, seed=0).shape
    (2, 3)
    """
    for name, value in (("count", count), ("latent_dim", latent_dim)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def interpolate_latent(start, end, steps: int) -> np.ndarray:
    """``steps`` latent vectors on the great circle from ``start`` to ``end`` (spherical interpolation).

    A straight line between two Gaussian vectors passes through points of unusually small length
    (the midpoint of two independent ``N(0, I)`` vectors has about ``1/√2`` of their length), which
    the generator rarely saw in training. Interpolating along the sphere keeps the length typical.

    Examples
    --------
    >>> path = interpolate_latent(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 3)
    >>> print(np.round(path, 3))
    [[1.    0.   ]
     [0.707 0.707]
     [0.    1.   ]]
    """
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    if start.ndim != 1 or start.shape != end.shape:
        raise ValueError(f"start and end must be two latent vectors of one length, got shapes {start.shape} and {end.shape}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer of at least 2, got {steps!r}")
    fractions = np.linspace(0.0, 1.0, steps)[:, None]
    cosine = start @ end / max(np.linalg.norm(start) * np.linalg.norm(end), EPSILON)
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if angle < 1e-6:  # (nearly) the same direction: a straight line is the great circle
        return ((1 - fractions) * start + fractions * end).astype(np.float32)
    weights_start, weights_end = np.sin((1 - fractions) * angle), np.sin(fractions * angle)
    return ((weights_start * start + weights_end * end) / np.sin(angle)).astype(np.float32)


def tanh_range_to_images(values) -> np.ndarray:
    """Generator outputs in ``[−1, 1]`` back to ``uint8`` images (clipped, rounded).

    The inverse of ``medcourse.data.transforms.scale(images, value_range=(-1, 1))``.

    Examples
    --------
    >>> tanh_range_to_images(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 128, 255]
    """
    values = np.asarray(values, dtype=np.float64)
    return np.clip(np.round((values + 1.0) * 127.5), 0, 255).astype(np.uint8)
