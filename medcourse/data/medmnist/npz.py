"""Read a MedMNIST ``.npz`` safely: every ``.npy`` header is checked before a byte is decompressed.

``np.load`` inflates an archive member as soon as it is asked for it, trusting the header's shape:
a 1 MB file can claim a petabyte, or inflate to gigabytes. Here the headers of all members are read
first (a few hundred bytes each) and checked against what the caller expects (dtype, shape, count)
and a hard ceiling; only then is each member inflated, exactly to the size its header announced,
into an immutable ``bytes`` object that backs a read-only array (see :mod:`medcourse.data.arrays`).
Nothing is ever unpickled.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: No array of a MedMNIST file may claim more bytes than this when inflated (the largest official
#: member, PathMNIST at 224×224×3, is 13.5 GB).
MAX_ARRAY_BYTES = 16 * 2**30


class ArchiveError(ValueError):
    """An ``.npz`` file is not a readable NumPy archive, or one of its arrays is not acceptable."""


@dataclass(frozen=True)
class Member:
    """What the ``.npy`` header of one archive member announces, and where its data starts."""

    key: str
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    data_offset: int
    stored_size: int

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


def _gigabytes(count: int) -> str:
    return f"{count / 1e9:,.1f} GB" if count >= 1e8 else f"{count / 1e6:,.1f} MB"


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Member:
    key = info.filename.removesuffix(".npy")
    try:
        with archive.open(info) as stream:
            version = np.lib.format.read_magic(stream)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = reader(stream, max_header_size=10_000)
            offset = stream.tell()
    except (ValueError, OSError, EOFError, zlib.error, zipfile.BadZipFile, SyntaxError) as error:
        raise ArchiveError(f"{name}: the array {key!r} has no readable .npy header ({error}); the file is "
                           "damaged or truncated") from None
    member = Member(key, dtype, tuple(int(n) for n in shape), bool(fortran_order), offset, info.file_size)
    if dtype.hasobject:
        raise ArchiveError(f"{name}: the array {key!r} contains pickled Python objects; refused (the course "
                           "never unpickles data: it could run any code)")
    if any(n < 0 for n in member.shape) or member.nbytes > MAX_ARRAY_BYTES:
        raise ArchiveError(f"{name}: the array {key!r} claims shape {member.shape} ({_gigabytes(member.nbytes)} "
                           f"when decompressed), more than the ceiling of {_gigabytes(MAX_ARRAY_BYTES)}; refused "
                           "before decompressing")
    return member


def read_headers(path: str | os.PathLike) -> dict[str, Member]:
    """The ``.npy`` header of every array in the ``.npz`` file ``path``, by key; no data is decompressed."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [_header(archive, info, path.name) for info in archive.infolist()
                       if info.filename.endswith(".npy")]
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{path.name} is not a readable .npz archive ({error}); it is probably truncated "
                           "(its zip directory, at the end of the file, is missing) or not an .npz file"
                           ) from None
    return {member.key: member for member in members}


def check_consistent(member: Member, name: str) -> None:
    """The archive's own size record must equal what the header announces (else the file is damaged)."""
    if member.data_offset + member.nbytes != member.stored_size:
        raise ArchiveError(f"{name}: the array {member.key!r} announces {member.nbytes:,} bytes of data, but the "
                           f"archive holds {member.stored_size - member.data_offset:,}; the file is damaged")


def read_member(path: str | os.PathLike, member: Member) -> np.ndarray:
    """Inflate one checked member into a read-only array backed by immutable ``bytes`` (no copy)."""
    path = Path(path)
    check_consistent(member, path.name)
    try:
        with zipfile.ZipFile(path) as archive, archive.open(f"{member.key}.npy") as stream:
            raw = stream.read(member.stored_size)  # bounded: never more than the checked size
            extra = stream.read(1)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
        raise ArchiveError(f"{path.name}: the array {member.key!r} cannot be decompressed ({error}); the file "
                           "is damaged or truncated") from None
    if len(raw) != member.stored_size or extra:
        raise ArchiveError(f"{path.name}: the array {member.key!r} holds {len(raw):,} bytes instead of "
                           f"{member.stored_size:,}; the file is damaged")
    count = int(np.prod(member.shape, dtype=np.int64))
    flat = np.frombuffer(raw, dtype=member.dtype, count=count, offset=member.data_offset)
    if member.fortran_order:
        return flat.reshape(member.shape[::-1]).T
    return flat.reshape(member.shape)


__all__ = ["MAX_ARRAY_BYTES", "ArchiveError", "Member", "check_consistent", "read_headers", "read_member"]
