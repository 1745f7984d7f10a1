"""GAN objectives and evaluation in NumPy: the minimax game, Fréchet distance, memorisation check.

The framework-free reference that notebooks 07 and 08 derive and then check TensorFlow and PyTorch
against. Discriminator outputs are **probabilities** ``D(x) ∈ (0, 1)`` here; the framework code
works with logits for numerical stability and applies the same formulas.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MemorisationReport",
    "discriminator_loss",
    "frechet_distance",
    "gaussian_statistics",
    "generator_loss",
    "images_to_tanh_range",
    "jensen_shannon_divergence",
    "mean_pairwise_distance",
    "memorisation_report",
    "minimax_value",
    "nearest_neighbour_distances",
    "optimal_discriminator",
    "tanh_range_to_images",
    "value_at_optimal_discriminator",
]

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

    The discriminator ``D`` maximises it, the generator ``G`` minimises it (notebook 07, section 1).

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


def images_to_tanh_range(images) -> np.ndarray:
    """``uint8`` images (0…255) as float32 in ``[−1, 1]``, the range of a generator's ``tanh`` output.

    Examples
    --------
    >>> images_to_tanh_range(np.array([0, 255], dtype=np.uint8)).tolist()
    [-1.0, 1.0]
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"images must be uint8 (0…255) as the Dataset holds them, got dtype {images.dtype}")
    return images.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def tanh_range_to_images(values) -> np.ndarray:
    """Generator outputs in ``[−1, 1]`` back to ``uint8`` images (clipped, rounded): the inverse of the above.

    Examples
    --------
    >>> tanh_range_to_images(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 128, 255]
    """
    values = np.asarray(values, dtype=np.float64)
    return np.clip(np.round((values + 1.0) * 127.5), 0, 255).astype(np.uint8)


# --- Fréchet distance -----------------------------------------------------------------------------


def _features(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples × features), got shape {array.shape}")
    if array.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 samples to estimate a covariance, got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def gaussian_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``μ`` (d,) and covariance ``Σ`` (d, d) of ``features`` (samples × d), with the ``N − 1`` divisor."""
    features = _features(features, "features")
    return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def frechet_distance(features_a, features_b, *, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the "FID" when the features are Inception's).

    ``d² = ‖μ_a − μ_b‖² + tr(Σ_a + Σ_b − 2 (Σ_a Σ_b)^{1/2})``

    The matrix square root comes from :func:`scipy.linalg.sqrtm`. Numerical care: when the product is
    singular — no more samples than features, or a constant feature — or its root is not finite,
    ``eps`` is added to both diagonals and the root taken again; imaginary parts that rounding leaves behind are discarded
    when they are tiny (an error otherwise). Tiny negative results from rounding are returned as 0.

    Parameters
    ----------
    features_a, features_b : array_like, shape (N_a, d) and (N_b, d)
        One row per image, e.g. the penultimate-layer activations of a classifier.
    eps : float
        Added to the covariance diagonals when the product is singular.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(0.0, 1.0, (20000, 1))
    >>> b = rng.normal(3.0, 2.0, (20000, 1))
    >>> round(frechet_distance(a, b), 1)  # (0 − 3)² + 1 + 4 − 2·1·2 = 10
    10.0
    """
    from scipy import linalg

    features_a = _features(features_a, "features_a")
    features_b = _features(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"features_a and features_b must have the same number of features (columns), "
                         f"got {features_a.shape[1]} and {features_b.shape[1]}")
    mu_a, sigma_a = gaussian_statistics(features_a)
    mu_b, sigma_b = gaussian_statistics(features_b)
    # With no more samples than features a covariance is singular for certain: regularise up front.
    # Otherwise try the plain root, and regularise when SciPy warns that the product is singular
    # (e.g. a feature that is constant, such as a ReLU unit that never fires).
    singular = min(len(features_a), len(features_b)) <= features_a.shape[1]
    covmean = None
    if not singular:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", linalg.LinAlgWarning)
            covmean = linalg.sqrtm(sigma_a @ sigma_b)
        singular = any(issubclass(w.category, linalg.LinAlgWarning) for w in caught)
    if singular or not np.all(np.isfinite(covmean)):
        offset = eps * np.eye(len(mu_a))
        covmean = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset))
    if np.iscomplexobj(covmean):
        largest_imaginary = float(np.max(np.abs(covmean.imag)))
        if largest_imaginary > 1e-3 * max(1.0, float(np.max(np.abs(covmean.real)))):
            raise ValueError(f"the covariance product has a matrix square root with a large imaginary part "
                             f"({largest_imaginary:.3g}); the features may be degenerate")
        covmean = covmean.real
    difference = mu_a - mu_b
    distance = difference @ difference + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * np.trace(covmean)
    return float(max(distance, 0.0))


# --- memorisation and diversity -------------------------------------------------------------------


def _flat_images(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{name} must be a non-empty batch of images (N×H×W or N×H×W×C) or vectors (N×d), "
                         f"got shape {array.shape}")
    return array.reshape(len(array), -1).astype(np.float64)


def nearest_neighbour_distances(queries, references, *, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """For each query image, the distance to its nearest reference image and that image's index.

    The distance is the root-mean-square pixel difference, ``sqrt(mean((q − r)²))``, in the units of
    the images (grey levels for ``uint8``): 0 means an exact copy, whatever the image size.

    Parameters
    ----------
    queries : array_like, shape (N, ...)
    references : array_like, shape (M, ...), the same shape per image as ``queries``

    Returns
    -------
    distances : float array (N,)
    indices : int array (N,), into ``references``

    Examples
    --------
    >>> train = np.array([[0, 0], [10, 10]])
    >>> nearest_neighbour_distances(np.array([[10, 10], [1, 1]]), train)[0].tolist()
    [0.0, 1.0]
    """
    queries = _flat_images(queries, "queries")
    references = _flat_images(references, "references")
    if queries.shape[1] != references.shape[1]:
        raise ValueError(f"queries and references must have the same image size, got {queries.shape[1]} "
                         f"and {references.shape[1]} values per image")
    reference_norms = np.sum(references**2, axis=1)
    distances, indices = np.empty(len(queries)), np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), batch_size):
        block = queries[start:start + batch_size]
        squared = np.sum(block**2, axis=1)[:, None] - 2.0 * block @ references.T + reference_norms[None, :]
        nearest = np.argmin(squared, axis=1)
        # Recompute the winner exactly (the expansion above loses precision for near-identical images).
        exact = np.sum((block - references[nearest]) ** 2, axis=1)
        distances[start:start + batch_size] = np.sqrt(exact / queries.shape[1])
        indices[start:start + batch_size] = nearest
    return distances, indices


@dataclass
class MemorisationReport:
    """Result of :func:`memorisation_report`; prints as a short summary.

    Attributes
    ----------
    generated_distances, held_out_distances : float arrays
        Each generated / held-out image's distance to its nearest training image.
    nearest_train_index : int array
        For each generated image, the index of its nearest training image.
    threshold : float
        Distances at or below this count as near copies.
    exact_copies, near_copies : int arrays
        Indices of generated images that equal a training image / lie within ``threshold`` of one.
    """

    generated_distances: np.ndarray
    held_out_distances: np.ndarray
    nearest_train_index: np.ndarray
    threshold: float
    exact_copies: np.ndarray
    near_copies: np.ndarray

    @property
    def near_copy_fraction(self) -> float:
        """Fraction of generated images that are near copies of a training image."""
        return len(self.near_copies) / len(self.generated_distances)

    @property
    def distance_ratio(self) -> float:
        """Median generated distance ÷ median held-out distance: well below 1 hints at memorisation."""
        return float(np.median(self.generated_distances) / max(np.median(self.held_out_distances), EPSILON))

    def __str__(self) -> str:
        return (
            f"Memorisation check: {len(self.generated_distances)} generated images, nearest-training-image distance "
            f"median {np.median(self.generated_distances):.2f} (held-out real images: "
            f"{np.median(self.held_out_distances):.2f}; ratio {self.distance_ratio:.2f}). "
            f"Exact copies: {len(self.exact_copies)}; near copies (distance ≤ {self.threshold:.2f}): "
            f"{len(self.near_copies)} ({100 * self.near_copy_fraction:.1f} %)."
        )


def memorisation_report(generated, train, held_out, *, quantile: float = 0.01) -> MemorisationReport:
    """Does the generator copy its training images? Compare nearest-training distances with real held-out images.

    A held-out real image was never seen in training, so its distance to the nearest training image
    shows how close two *different* images of this kind usually are. A generated image much closer
    than that — closer than all but ``quantile`` of the held-out images — is flagged as a near copy;
    one at distance 0 is an exact copy.

    Parameters
    ----------
    generated, train, held_out : array_like, shape (N, ...), same image shape and scale
    quantile : float
        The near-copy threshold is this quantile of the held-out distances.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> train = rng.integers(0, 256, (50, 8, 8))
    >>> held_out = rng.integers(0, 256, (50, 8, 8))
    >>> report = memorisation_report(np.concatenate([train[:1], held_out[:3]]), train, held_out[3:])
    >>> report.exact_copies.tolist()
    [0]
    """
    if not 0.0 <= quantile < 1.0:
        raise ValueError(f"quantile must be in [0, 1), got {quantile!r}")
    shapes = {name: np.shape(value)[1:] for name, value in
              (("generated", generated), ("train", train), ("held_out", held_out))}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"generated, train and held_out must hold images of one shape, got {shapes}")
    if len(held_out) < 2:
        raise ValueError(f"held_out needs at least 2 real images to set a threshold, got {len(held_out)}")
    generated_distances, nearest = nearest_neighbour_distances(generated, train)
    held_out_distances, _ = nearest_neighbour_distances(held_out, train)
    threshold = float(np.quantile(held_out_distances, quantile))
    return MemorisationReport(
        generated_distances=generated_distances,
        held_out_distances=held_out_distances,
        nearest_train_index=nearest,
        threshold=threshold,
        exact_copies=np.flatnonzero(generated_distances == 0.0),
        near_copies=np.flatnonzero(generated_distances <= threshold),
    )


def mean_pairwise_distance(images) -> float:
    """Mean root-mean-square distance between all pairs of ``images``: a diversity score.

    A generator that has collapsed onto one mode draws near-identical images, so its score falls far
    below that of the same number of real images.

    Examples
    --------
    >>> mean_pairwise_distance(np.zeros((4, 3, 3)))
    0.0
    """
    flat = _flat_images(images, "images")
    if len(flat) < 2:
        raise ValueError(f"images needs at least 2 images to compare, got {len(flat)}")
    norms = np.sum(flat**2, axis=1)
    squared = np.maximum(norms[:, None] - 2.0 * flat @ flat.T + norms[None, :], 0.0)
    upper = np.triu_indices(len(flat), k=1)
    return float(np.mean(np.sqrt(squared[upper] / flat.shape[1])))
