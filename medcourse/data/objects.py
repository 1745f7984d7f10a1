"""Labels of a detection dataset: a variable number of objects per image, stored flat, without pickle.

A detection :class:`~medcourse.data.Dataset` (``task == "detection"``) holds, for each image, the
objects found in it: a lesion in a scan, a cell in a blood smear. Images hold different numbers of
objects, so the labels cannot be one rectangular array. :class:`ObjectLabels` keeps them as **one
flat table** of all objects plus an **offsets** array saying where each image's objects start —
the layout of a compressed sparse row matrix, and the one :func:`numpy.savez` stores without pickle.

The object layout
-----------------
Each object is one row of five ``float32`` numbers, :data:`COLUMNS`::

    row, col, height, width, class

* ``row, col`` — the centre of the object's box, in pixels of the image as the Dataset holds it.
  Pixel ``(r, c)`` has its centre at ``(r, c)`` and covers ``[r − ½, r + ½] × [c − ½, c + ½]``,
  so the image spans ``[−½, H − ½] × [−½, W − ½]``.
* ``height, width`` — the box's extent in pixels (> 0). The box is
  ``top = row − height/2``, ``bottom = row + height/2`` (likewise ``left``/``right``): a box that
  covers pixel rows ``r0 … r1`` exactly has ``row = (r0 + r1)/2`` and ``height = r1 − r0 + 1``.
* ``class`` — the index into ``Dataset.classes`` (a whole number stored as a float; no background
  class: every row is an object).

Centres (for FROC and heatmap detectors), boxes (for IoU and AP) and a radius for round objects
(``(height + width)/4``, the radius of the disc whose box it is) all derive from these five numbers:
see :meth:`ObjectLabels.centres`, :meth:`ObjectLabels.boxes` and :meth:`ObjectLabels.radii`.

Examples
--------
>>> labels = ObjectLabels.from_lists([[(10, 12, 4, 6, 1)], [], [(3, 3, 2, 2, 0), (20, 8, 5, 5, 2)]])
>>> len(labels), labels.counts.tolist()
(3, [1, 0, 2])
>>> labels[2].shape, labels.centres(2).tolist()
((2, 5), [[3.0, 3.0], [20.0, 8.0]])
>>> labels.boxes(0).tolist()          # top, left, bottom, right
[[8.0, 9.0, 12.0, 15.0]]
>>> import io
>>> buffer = io.BytesIO()
>>> np.savez(buffer, **labels.to_arrays("train"))
>>> _ = buffer.seek(0)
>>> ObjectLabels.from_arrays(np.load(buffer, allow_pickle=False), "train") == labels
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from medcourse.data.arrays import read_only

#: The columns of one object, in order.
COLUMNS = ("row", "col", "height", "width", "class")
ROW, COL, HEIGHT, WIDTH, CLASS = range(len(COLUMNS))


class ObjectLabels:
    """Per-image object lists (``labels[i]`` is a ``(k_i, 5)`` array) stored as one flat table.

    Parameters
    ----------
    values : array of shape (M, 5)
        Every object of every image, image after image, in the layout of :data:`COLUMNS`.
    offsets : int array of shape (N + 1,)
        Image ``i`` owns ``values[offsets[i]:offsets[i + 1]]``; ``offsets[0] == 0`` and
        ``offsets[-1] == M``.

    Notes
    -----
    The arrays are kept read-only and shared by the subsets :meth:`__getitem__` returns. Build
    labels from Python lists with :meth:`from_lists`, store them with :meth:`to_arrays` and read
    them back with :meth:`from_arrays`.
    """

    __slots__ = ("_offsets", "_values")

    def __init__(self, values: np.ndarray, offsets: np.ndarray) -> None:
        values = np.asarray(values)
        offsets = np.asarray(offsets)
        if values.ndim != 2 or values.shape[1] != len(COLUMNS):
            raise ValueError(f"values must have shape (M, {len(COLUMNS)}) with the columns {COLUMNS}, "
                             f"got shape {values.shape}")
        if not np.issubdtype(values.dtype, np.number) or np.issubdtype(values.dtype, np.complexfloating):
            raise ValueError(f"values must be real numbers, got dtype {values.dtype}")
        if offsets.ndim != 1 or offsets.size == 0 or not np.issubdtype(offsets.dtype, np.integer):
            raise ValueError(f"offsets must be a 1-D integer array of N + 1 positions, got dtype "
                             f"{offsets.dtype} and shape {offsets.shape}")
        if offsets[0] != 0 or offsets[-1] != len(values) or np.any(np.diff(offsets) < 0):
            raise ValueError(f"offsets must start at 0, never decrease and end at the number of objects "
                             f"({len(values)}), got {offsets[:3].tolist()} … {offsets[-3:].tolist()}")
        self._values = read_only(values.astype(np.float32, copy=False))
        self._offsets = read_only(offsets.astype(np.int64, copy=False))

    # --- construction and storage -----------------------------------------------------------------

    @classmethod
    def from_lists(cls, objects: Iterable[Sequence[Sequence[float]] | np.ndarray]) -> ObjectLabels:
        """Labels from one sequence of ``(row, col, height, width, class)`` rows per image (``[]`` for none)."""
        tables = []
        for index, rows in enumerate(objects):
            table = np.asarray(rows, dtype=np.float64)
            if table.size == 0:
                table = table.reshape(0, len(COLUMNS))
            if table.ndim != 2 or table.shape[1] != len(COLUMNS):
                raise ValueError(f"image {index}: objects must be rows of {len(COLUMNS)} numbers {COLUMNS}, "
                                 f"got an array of shape {table.shape}")
            tables.append(table)
        counts = [len(table) for table in tables]
        offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)
        values = np.concatenate(tables) if tables else np.zeros((0, len(COLUMNS)))
        return cls(values, offsets)

    @classmethod
    def empty(cls, count: int) -> ObjectLabels:
        """Labels of ``count`` images without any object."""
        return cls(np.zeros((0, len(COLUMNS)), np.float32), np.zeros(count + 1, np.int64))

    def to_arrays(self, prefix: str = "labels") -> dict[str, np.ndarray]:
        """``{prefix + "_objects": values, prefix + "_offsets": offsets}``, ready for :func:`numpy.savez`."""
        return {f"{prefix}_objects": self._values, f"{prefix}_offsets": self._offsets}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str = "labels") -> ObjectLabels:
        """Read what :meth:`to_arrays` wrote (a dict, or an ``np.load(..., allow_pickle=False)`` archive)."""
        keys = (f"{prefix}_objects", f"{prefix}_offsets")
        missing = [key for key in keys if key not in arrays]
        if missing:
            raise ValueError(f"arrays lack {missing}: expected the keys {list(keys)} written by "
                             f"ObjectLabels.to_arrays({prefix!r})")
        return cls(arrays[keys[0]], arrays[keys[1]])

    # --- the sequence protocol --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __iter__(self) -> Iterator[np.ndarray]:
        for index in range(len(self)):
            yield self[index]

    def __getitem__(self, index):
        """``labels[i]``: the ``(k_i, 5)`` objects of image ``i``; a slice, index array or mask: a subset."""
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            position = int(index) + len(self) if index < 0 else int(index)
            if not 0 <= position < len(self):
                raise IndexError(f"image index {index} is out of range for {len(self)} images")
            return self._values[self._offsets[position]:self._offsets[position + 1]]
        if isinstance(index, slice):
            index = np.arange(len(self))[index]
        chosen = np.asarray(index)
        if chosen.dtype == bool:
            if chosen.shape != (len(self),):
                raise IndexError(f"a boolean mask must have shape ({len(self)},), got {chosen.shape}")
            chosen = np.flatnonzero(chosen)
        if chosen.ndim != 1 or not (chosen.size == 0 or np.issubdtype(chosen.dtype, np.integer)):
            raise IndexError(f"index must be an integer, a slice, an integer array or a boolean mask, got {index!r}")
        chosen = np.where(chosen < 0, chosen + len(self), chosen).astype(np.int64)
        if chosen.size and (chosen.min() < 0 or chosen.max() >= len(self)):
            raise IndexError(f"image indices must be in [0, {len(self)}), got {chosen.min()} … {chosen.max()}")
        starts, stops = self._offsets[chosen], self._offsets[chosen + 1]
        counts = stops - starts
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        rows = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        return ObjectLabels(self._values[rows], offsets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObjectLabels):
            return NotImplemented
        return bool(np.array_equal(self._offsets, other._offsets) and np.array_equal(self._values, other._values))

    __hash__ = None  # mutable-looking container of arrays: compare, do not hash

    def __repr__(self) -> str:
        return f"ObjectLabels({len(self)} images, {len(self._values)} objects, columns={COLUMNS})"

    # --- views of the table -----------------------------------------------------------------------

    @property
    def values(self) -> np.ndarray:
        """All objects, ``(M, 5)`` float32, image after image (read-only)."""
        return self._values

    @property
    def offsets(self) -> np.ndarray:
        """``(N + 1,)`` int64: image ``i`` owns ``values[offsets[i]:offsets[i + 1]]`` (read-only)."""
        return self._offsets

    @property
    def counts(self) -> np.ndarray:
        """Number of objects in each image, ``(N,)`` int64."""
        return np.diff(self._offsets)

    @property
    def image_index(self) -> np.ndarray:
        """For each row of :attr:`values`, the image it belongs to, ``(M,)`` int64."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.counts)

    def centres(self, index: int) -> np.ndarray:
        """``(k, 2)`` box centres ``(row, col)`` of image ``index``, float32."""
        return self[index][:, [ROW, COL]]

    def boxes(self, index: int) -> np.ndarray:
        """``(k, 4)`` boxes ``(top, left, bottom, right)`` of image ``index`` (pixel edges, float32)."""
        objects = self[index]
        half = objects[:, [HEIGHT, WIDTH]] / 2
        centre = objects[:, [ROW, COL]]
        return np.concatenate([centre - half, centre + half], axis=1)

    def radii(self, index: int) -> np.ndarray:
        """``(k,)`` radius of each object taken as round: ``(height + width) / 4``."""
        objects = self[index]
        return (objects[:, HEIGHT] + objects[:, WIDTH]) / 4

    def classes(self, index: int) -> np.ndarray:
        """``(k,)`` class index of each object of image ``index``, int64."""
        return self[index][:, CLASS].astype(np.int64)

    def of_class(self, class_index: int) -> ObjectLabels:
        """The same images keeping only the objects of class ``class_index`` (for per-class FROC or AP)."""
        keep = self._values[:, CLASS] == class_index
        counts = np.bincount(self.image_index[keep], minlength=len(self))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return ObjectLabels(self._values[keep], offsets)

    def flipped(self, axis: str, extent: int) -> ObjectLabels:
        """The labels of the images mirrored along ``axis`` (``"rows"`` or ``"cols"``) of length ``extent`` px."""
        column = {"rows": ROW, "cols": COL}.get(axis)
        if column is None:
            raise ValueError(f"axis must be 'rows' or 'cols', got {axis!r}")
        values = self._values.copy()
        values[:, column] = (extent - 1) - values[:, column]
        return ObjectLabels(values, self._offsets)


__all__ = ["CLASS", "COL", "COLUMNS", "HEIGHT", "ROW", "WIDTH", "ObjectLabels"]
