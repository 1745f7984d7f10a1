"""Give freed memory back to the operating system between the heavy parts of a notebook (Binder: 2 GB)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys

__all__ = ["release_memory"]


def release_memory() -> None:
    """Collect garbage, then ask the C allocator to return its free pages to the system (Linux only).

    Training and prediction leave the process holding memory it no longer uses: the allocator keeps
    freed blocks for reuse, so the kernel's resident size only grows. ``malloc_trim(0)`` (glibc) hands
    them back, which keeps a notebook's peak under a hub's memory limit. Elsewhere it only collects
    garbage. Returns nothing, so that a cell may end with it.

    Examples
    --------
    >>> release_memory()
    """
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
