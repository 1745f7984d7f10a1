"""Arrays that cannot be changed by anyone they are handed to: the guard of every in-memory data cache.

The loaders cache what they read or generate and hand the same arrays to every caller. Clearing
NumPy's ``writeable`` flag alone does not protect them: ``array.flags.writeable = True`` turns it back
on whenever the memory belongs to the array or to a writable base, and ``array.base`` reaches that base.
:func:`read_only` therefore backs the array with an immutable :class:`bytes` object, so neither the
array, nor its base, nor any view of them can ever be made writable again.
"""

from __future__ import annotations

import numpy as np

__all__ = ["is_read_only", "read_only"]


def _owner(array: np.ndarray) -> object:
    """The object that finally owns ``array``'s memory (an ndarray, ``bytes``, a memoryview …)."""
    owner: object = array
    while isinstance(owner, np.ndarray) and owner.base is not None:
        owner = owner.base
    return owner


def is_read_only(array: np.ndarray) -> bool:
    """Whether no one can write to ``array``: it is read-only and its memory belongs to immutable ``bytes``.

    Examples
    --------
    >>> is_read_only(np.zeros(3))
    False
    >>> is_read_only(read_only(np.zeros(3)))
    True
    """
    return isinstance(array, np.ndarray) and not array.flags.writeable and type(_owner(array)) is bytes


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only array equal to ``array`` whose memory is immutable, so no writable view is reachable.

    ``array`` itself is left as it is. When its memory already belongs to a ``bytes`` object (as for
    the arrays :mod:`medcourse.data.medmnist` reads), no copy is made; otherwise the data is copied
    once into ``bytes``. Setting ``flags.writeable = True`` on the result, on ``result.base`` or on
    any view of them raises ``ValueError``.

    Raises
    ------
    ValueError
        ``array`` holds Python objects (dtype ``object``), which cannot be made immutable.

    Examples
    --------
    >>> frozen = read_only(np.arange(6).reshape(2, 3))
    >>> frozen.flags.writeable, frozen.shape
    (False, (2, 3))
    >>> frozen.base.flags.writeable = True
    Traceback (most recent call last):
    ...
    ValueError: cannot set WRITEABLE flag to True of this array
    """
    array = np.asarray(array)
    if array.dtype.hasobject:
        raise ValueError(f"array must hold numbers, not Python objects (dtype {array.dtype}); "
                         "an object array cannot be made read-only")
    if is_read_only(array):
        return array
    contiguous = np.ascontiguousarray(array)
    return np.frombuffer(contiguous.tobytes(), dtype=contiguous.dtype).reshape(array.shape)
