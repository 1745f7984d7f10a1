"""Does a generator copy its training images, and how diverse are its samples? (notebook 09, section 6)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medcourse.gan.objectives import EPSILON

__all__ = ["MemorisationReport", "mean_pairwise_distance", "memorisation_report", "nearest_neighbour_distances"]


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
