"""A generator that is not a GAN, to read a GAN's scores against (notebooks 09 and 10).

A Fréchet distance or a recognition rate means little on its own. Next to the real-vs-real floor and
an untrained generator, a third reference answers "does the GAN beat something simple?": the
**independent-pixel Gaussian** draws each pixel from a normal distribution with that pixel's mean
and standard deviation over the training images (of the requested class). It reproduces the average
image and the pixel noise level exactly, but no shapes, edges or textures.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pixel_gaussian_images"]


def _class_labels(values, name: str, count: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or (count is not None and len(array) != count):
        expected = f"{count} " if count is not None else ""
        raise ValueError(f"{name} must be a 1-D array of {expected}integer class labels, got shape {array.shape} "
                         f"and dtype {array.dtype}")
    return array


def pixel_gaussian_images(images, count: int, *, seed: int = 0, labels=None, sample_labels=None) -> np.ndarray:
    """``count`` ``uint8`` images whose pixels are drawn independently from each pixel's Gaussian over ``images``.

    Parameters
    ----------
    images : uint8 array (N, H, W)
        The training images the baseline imitates.
    count : int
        How many images to draw.
    seed : int
        Seeds NumPy's generator.
    labels, sample_labels : int arrays (N,) and (count,), optional
        Give both for a class-conditional baseline: image ``k`` is drawn from the pixel Gaussians of the
        training images of class ``sample_labels[k]``.

    Examples
    --------
    >>> flat = np.full((10, 4, 4), 100, dtype=np.uint8)
    >>> np.unique(pixel_gaussian_images(flat, 3)).tolist()   # no spread in the data: every draw is the mean
    [100]
    """
    images = np.asarray(images)
    if images.ndim != 3 or len(images) < 2:
        raise ValueError(f"images must be at least 2 images N×H×W, got shape {images.shape}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    if (labels is None) != (sample_labels is None):
        raise ValueError("give labels and sample_labels together (a class-conditional baseline), or neither")
    rng = np.random.default_rng(seed)
    if labels is None:
        labels, sample_labels = np.zeros(len(images), dtype=int), np.zeros(count, dtype=int)
    labels = _class_labels(labels, "labels", len(images))
    sample_labels = _class_labels(sample_labels, "sample_labels", count)
    drawn = np.empty((count, *images.shape[1:]))
    for label in np.unique(sample_labels):
        members = images[labels == label].astype(np.float64)
        if len(members) < 2:
            raise ValueError(f"class {label} needs at least 2 training images in images/labels, got {len(members)}")
        chosen = sample_labels == label
        drawn[chosen] = rng.normal(members.mean(axis=0), members.std(axis=0), (int(chosen.sum()), *images.shape[1:]))
    return np.clip(np.round(drawn), 0, 255).astype(np.uint8)
