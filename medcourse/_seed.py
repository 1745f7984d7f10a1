"""One call that makes a notebook repeatable: seeds Python, NumPy, TensorFlow and PyTorch."""

from __future__ import annotations

import os
import random
import sys

import numpy as np


class SeedReport(dict):
    """Which generators :func:`seed_everything` seeded; prints as one friendly line in a notebook."""

    def __repr__(self) -> str:
        seeded = ", ".join(name for name, done in self.items() if done and name not in ("seed", "deterministic"))
        mode = "deterministic algorithms on" if self["deterministic"] else "deterministic algorithms off"
        return f"Seeded {seeded} with seed {self['seed']}; {mode}."


def seed_everything(seed: int = 0, *, deterministic: bool = True) -> SeedReport:
    """Seed every random number generator the course uses and switch on deterministic kernels.

    Frameworks that are already imported are seeded now; environment variables are set so that a
    framework imported later starts deterministic too (``TF_DETERMINISTIC_OPS``,
    ``CUBLAS_WORKSPACE_CONFIG``). Call it again after importing a framework to seed it.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.
    deterministic : bool
        Also ask TensorFlow and PyTorch for deterministic algorithms (slower on a GPU, same on a CPU).

    Returns
    -------
    SeedReport
        A dict saying which generators were seeded, e.g. ``{"python": True, "numpy": True,
        "tensorflow": False, "pytorch": True, ...}`` (a framework is False when it is not imported yet).

    Examples
    --------
    >>> seeded = seed_everything(42)
    >>> seeded["numpy"]
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic:
        os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    seeded = SeedReport(python=True, numpy=True, tensorflow=False, pytorch=False, seed=seed,
                        deterministic=deterministic)

    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.keras.utils.set_random_seed(seed)
        if deterministic:
            tf.config.experimental.enable_op_determinism()
        seeded["tensorflow"] = True

    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
        if deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
        seeded["pytorch"] = True
    return seeded
