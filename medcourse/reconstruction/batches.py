"""The batches of a reconstruction training run, drawn once in NumPy so both frameworks see the same ones.

Notebook 11 §3 trains each network for a fixed number of steps. Each step takes ``batch_size`` images in the
order of :func:`medcourse.data.transforms.batch_order` (a new permutation every epoch, the course's one rule)
and, when ``crop`` is set, the same random ``crop × crop`` window of all of them: a fully convolutional
network learns from patches as well as from whole images, at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from medcourse.data.transforms import batch_order

__all__ = ["check_network_shape", "training_batches"]


def _whole_number(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def training_batches(count: int, *, steps: int, batch_size: int, image_shape: tuple[int, int],
                     crop: int | None = None, seed: int = 0) -> Iterator[tuple[np.ndarray, tuple[slice, slice]]]:
    """Yield ``steps`` pairs ``(indices, (rows, columns))``: the images of one step and the window to cut.

    Parameters
    ----------
    count : int
        Number of training images.
    steps, batch_size : int
        Training steps, images per step (only full batches are used; an epoch ends early rather than short).
    image_shape : (H, W)
        Size of the images.
    crop : int, optional
        Side of the square window cut from every image of a step (a multiple of 4 for the course U-Net);
        None: whole images.
    seed : int
        Seed of the order and of the windows.

    Examples
    --------
    >>> plan = list(training_batches(10, steps=3, batch_size=4, image_shape=(8, 8), crop=4, seed=0))
    >>> len(plan), [len(indices) for indices, _ in plan]
    (3, [4, 4, 4])
    >>> plan[0][1][0].stop - plan[0][1][0].start
    4
    """
    count, steps = _whole_number(count, "count"), _whole_number(steps, "steps")
    batch_size = _whole_number(batch_size, "batch_size")
    if batch_size > count:
        raise ValueError(f"batch_size ({batch_size}) must not exceed the number of training images ({count})")
    height, width = (int(n) for n in image_shape)
    if crop is not None and not 1 <= _whole_number(crop, "crop") <= min(height, width):
        raise ValueError(f"crop must fit in the images ({height}×{width}), got {crop!r}")
    windows = np.random.default_rng([seed, 11])
    done, epoch = 0, 0
    while True:
        order = batch_order(count, seed=seed, epoch=epoch)
        for start in range(0, count - batch_size + 1, batch_size):
            if done == steps:
                return
            if crop is None:
                window = (slice(0, height), slice(0, width))
            else:
                row, column = windows.integers(0, height - crop + 1), windows.integers(0, width - crop + 1)
                window = (slice(int(row), int(row) + crop), slice(int(column), int(column) + crop))
            yield order[start:start + batch_size], window
            done += 1
        epoch += 1


def check_network_shape(input_shape, mask=None) -> tuple[int, int, int]:
    """``(H, W, C)`` of a reconstruction network's input, checked for both frameworks' builders.

    H and W must be multiples of 4 (the U-Net pools twice); a k-space ``mask`` must have the image's
    shape, and the data-consistency step it enables takes one real channel.
    """
    try:
        height, width, channels = (int(n) for n in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be (H, W, C), got {input_shape!r}") from None
    if height % 4 or width % 4 or min(height, width, channels) < 1:
        raise ValueError(f"input_shape must be (H, W, C) with H and W multiples of 4 (two poolings), got {input_shape!r}")
    if mask is not None and np.shape(mask) != (height, width):
        raise ValueError(f"mask must have the image's shape {(height, width)}, got {np.shape(mask)}")
    if mask is not None and channels != 1:
        raise ValueError(f"the data-consistency step takes one real channel, got input_shape {input_shape!r}")
    return height, width, channels
