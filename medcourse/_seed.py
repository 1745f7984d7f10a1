"""One call that makes a notebook repeatable: seeds Python, NumPy, TensorFlow and PyTorch."""

from __future__ import annotations

import math
import os
import random
import sys
from pathlib import Path

import numpy as np

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def available_cpus(cgroup_cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """How many CPUs this process may really use.

    ``os.cpu_count()`` reports the host's cores, but a Binder or JupyterHub container is often
    limited to one or two of them by a cgroup CPU quota. Frameworks that start one thread per host
    core then fight over the quota and slow down many times over; this is the number to give them.

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:  # cgroup v2: "max 100000" (no limit) or "200000 100000" (two CPUs)
        quota, period = Path(cgroup_cpu_max).read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


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
    ``CUBLAS_WORKSPACE_CONFIG``). Call it again after importing a framework to seed it. PyTorch's
    thread pool is also cut down to :func:`available_cpus` when it is larger (a container's quota).

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

        if torch.get_num_threads() > available_cpus():  # see available_cpus: avoid oversubscription
            torch.set_num_threads(available_cpus())
        torch.manual_seed(seed)
        if deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
        seeded["pytorch"] = True
    return seeded
