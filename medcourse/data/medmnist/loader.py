"""``load``: a MedMNIST file as a :class:`~medcourse.data.Dataset`, checked header by header before it is inflated."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from medcourse.data.arrays import read_only
from medcourse.data.dataset import Dataset
from medcourse.data.medmnist.files import (
    MedMNISTError,
    checked_md5,
    download,
    file_identity,
    file_path,
    how_to_get,
    locate,
    registered,
    unreadable,
)
from medcourse.data.medmnist.npz import ArchiveError, Member, read_headers, read_member
from medcourse.data.medmnist.registry import CITATION, HOMEPAGE, KEYS, MedMNISTInfo

SPLITS = ("train", "val", "test")


def _check_images(member: Member, info: MedMNISTInfo, size: int, split: str, name: str) -> int:
    expected_shape = info.image_shape_for(size)
    if member.dtype != np.uint8 or member.shape[1:] != expected_shape:
        raise MedMNISTError(f"{name}: {split}_images must be uint8 of shape (N, {', '.join(map(str, expected_shape))}) "
                            f"for {info.flag!r} at size {size}, got {member.dtype} of shape {member.shape}", "layout")
    count, official = member.shape[0], info.samples[split]
    if count > official:
        raise MedMNISTError(f"{name}: {split}_images claims {count:,} images, but MedMNIST {info.flag!r} has "
                            f"{official:,} in its {split} split; refused before decompressing", "layout")
    return count


def _check_labels(member: Member, info: MedMNISTInfo, split: str, count: int, name: str) -> None:
    width = len(info.classes) if info.task == "multilabel" else 1
    allowed = ((count, width),) if width > 1 else ((count,), (count, 1))
    if member.dtype.kind not in "iub" or member.shape not in allowed:
        raise MedMNISTError(f"{name}: {split}_labels must be integers of shape {' or '.join(map(str, allowed))} "
                            f"(one per image), got {member.dtype} of shape {member.shape}", "layout")


def checked_headers(path: Path, info: MedMNISTInfo, size: int) -> dict[str, Member]:
    """The headers of the six arrays, checked against the registry before anything is decompressed."""
    try:
        members = read_headers(path)
    except ArchiveError as error:
        raise MedMNISTError(f"{error}. {how_to_get(info.flag, size, path)}", "layout") from None
    missing = [key for key in KEYS if key not in members]
    if missing:
        raise MedMNISTError(f"{path} is not in the MedMNIST layout: it lacks {missing} (expected the keys "
                            f"{list(KEYS)}, found {sorted(members)})", "layout")
    for split in SPLITS:
        count = _check_images(members[f"{split}_images"], info, size, split, path.name)
        _check_labels(members[f"{split}_labels"], info, split, count, path.name)
    return {key: members[key] for key in KEYS}


def _labels(raw: np.ndarray, info: MedMNISTInfo, split: str, name: str) -> np.ndarray:
    labels = raw.astype(np.int64).reshape(len(raw), -1)
    if info.task != "multilabel":
        labels = labels[:, 0]
    high = 1 if info.task == "multilabel" else len(info.classes) - 1
    if labels.size and (labels.min() < 0 or labels.max() > high):
        meaning = "0 or 1 for each finding" if info.task == "multilabel" else f"class indices 0…{high}"
        raise MedMNISTError(f"{name}: {split}_labels must be {meaning}, got values from {labels.min()} to "
                            f"{labels.max()}", "layout")
    return read_only(labels)


@functools.lru_cache(maxsize=2)
def _read(path: str, identity: tuple, flag: str, size: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The three checked, read-only splits of ``path`` (cached while the file's identity is unchanged)."""
    path_ = Path(path)
    info = registered(flag)
    members = checked_headers(path_, info, size)
    splits = {}
    try:
        for split in SPLITS:
            images = read_member(path_, members[f"{split}_images"])
            labels = _labels(read_member(path_, members[f"{split}_labels"]), info, split, path_.name)
            splits[split] = (images, labels)
    except ArchiveError as error:
        raise MedMNISTError(f"{error}. {how_to_get(flag, size, path_)}", "layout") from None
    return splits


def load(flag: str, *, root: str | os.PathLike | None = None, download: bool = True, verify: bool = True,
         size: int = 28) -> Dataset:
    """Load MedMNIST dataset ``flag`` as a :class:`~medcourse.data.Dataset` (use :func:`load_dataset`).

    The file is taken from the course's shipped data first, then from the data folder (``root``,
    ``$MEDCOURSE_DATA`` or the course cache), else downloaded there (when ``download``). Images are
    ``uint8``: ``N×s×s`` (grey), ``N×s×s×3`` (colour) or ``N×s×s×s`` for the 3-D datasets, whose first
    image axis is the slice axis, so they can be used as slice sequences ``N×T×H×W``. Labels are
    ``int64`` ``(N,)``, or ``(N, 14)`` 0/1 for ``chestmnist``. The arrays are read-only and cannot be
    made writable: copy one to change it.

    Parameters
    ----------
    size : int
        Image size: 28 (default), or the MedMNIST+ sizes 64, 128, 224 (2-D) and 64 (3-D).
    verify : bool
        Check the file's MD5 against the registry; ``False`` accepts a file in the MedMNIST layout
        (its arrays are still checked: dtype, shapes, label ranges, at most the official counts).
    """
    info = registered(flag)
    size = info.check_size(size)
    path, origin = locate(flag, root, size=size)
    if path is None:
        path = file_path(flag, root, size=size)
        if not download:
            raise MedMNISTError(f"{flag!r} (size {size}) is not on this machine (looked for {path}) and "
                                f"download=False. {how_to_get(flag, size, path)}", "missing")
        _download(flag, root, size=size, verify=verify)
        origin = "downloaded"
    if verify:
        checked_md5(flag, size, path, origin)
    try:
        splits = _read(str(path), file_identity(path), flag, size)
    except PermissionError:
        raise unreadable(path) from None
    return Dataset(
        name=flag, **splits, classes=info.classes, task=info.task,
        description=f"MedMNIST {flag} ({size}×{size}{'×' + str(size) if info.volumetric else ''}): "
                    f"{info.description}",
        licence=info.licence, citation=CITATION,
        info={"url": info.url_for(size), "md5": info.md5_for(size), "verified": verify, "path": str(path),
              "origin": origin, "size": size, "volumetric": info.volumetric, "homepage": HOMEPAGE,
              "source_task": info.source_task},
    )


_download = download  # `load` has an argument of the same name

__all__ = ["checked_headers", "load"]
