"""The Fréchet distance between two feature sets (notebook 09, section 6)."""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["frechet_distance", "gaussian_statistics"]


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
