"""Shared by the CNN tests: a tiny, learnable, three-class dataset (16×16 grey, a bright bar whose place is the class)."""

from __future__ import annotations

import numpy as np

from medcourse.data import Dataset


def tiny_dataset(train: int = 96, val: int = 48, test: int = 48, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)

    def split(count: int):
        labels = np.arange(count) % 3
        rng.shuffle(labels)
        images = rng.integers(0, 120, (count, 16, 16)).astype(np.uint8)
        for c in range(3):
            images[labels == c, 4 * c:4 * c + 5, 4:12] += 110
        return images, labels.astype(np.int64)

    return Dataset("tiny", split(train), split(val), split(test), ("left", "middle", "right"), "multiclass")


def random_batch(shape=(2, 9, 11, 3), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)
