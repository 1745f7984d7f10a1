"""Where a MedMNIST file is, whether it is the official one, and how to get it: shipped, cached, downloaded.

The lookup order is: the file shipped with the course (``data/medmnist/`` in a checkout), then the
data folder (``root``, ``$MEDCOURSE_DATA`` or the course cache), then a download into the data folder.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from medcourse.data.cache import DATA_ENV, cache_dir, set_aside
from medcourse.data.download import FILE_MODE, DownloadError, Limits, download_file, file_md5
from medcourse.data.medmnist.registry import HOMEPAGE, REGISTRY, MedMNISTInfo


class MedMNISTError(RuntimeError):
    """A MedMNIST file is missing, unreachable, unreadable, corrupt or not the expected one.

    ``reason`` says why: ``"missing"``, ``"unreadable"``, ``"md5"``, ``"layout"`` or one of
    :data:`medcourse.data.download.REASONS` for a failed download.
    """

    def __init__(self, message: str, reason: str = "", status: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status = status


def registered(flag: str) -> MedMNISTInfo:
    if flag not in REGISTRY:
        raise ValueError(f"flag must be a MedMNIST dataset, one of {sorted(REGISTRY)}, got {flag!r}")
    return REGISTRY[flag]


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder MedMNIST files are cached in: ``root``, else ``$MEDCOURSE_DATA``, else the course cache."""
    return cache_dir(root)


def file_path(flag: str, root: str | os.PathLike | None = None, *, size: int = 28) -> Path:
    """``<root>/<flag>.npz`` (``<flag>_<size>.npz`` for MedMNIST+): where the cached file is or would be."""
    return data_root(root) / registered(flag).file_name(size)


def shipped_path(flag: str, size: int = 28) -> Path | None:
    """The official file shipped with the course (``data/medmnist/``), or None when it is not shipped."""
    from medcourse.data.shipped import shipped_file

    return shipped_file(f"medmnist/{registered(flag).file_name(size)}")


def locate(flag: str, root: str | os.PathLike | None = None, *, size: int = 28) -> tuple[Path | None, str]:
    """Where ``flag`` at ``size`` is on this machine and where from: ``"shipped"``, ``"cache"`` or ``"missing"``."""
    shipped = shipped_path(flag, size)
    if shipped is not None:
        return shipped, "shipped"
    cached = file_path(flag, root, size=size)
    return (cached, "cache") if cached.is_file() else (None, "missing")


def is_cached(flag: str, root: str | os.PathLike | None = None, *, size: int = 28) -> bool:
    """Whether the file of ``flag`` at ``size`` is on this machine (shipped or in the data folder)."""
    return locate(flag, root, size=size)[1] != "missing"


def how_to_get(flag: str, size: int, path: Path, *, url_given: bool = False) -> str:
    """The fix for a missing or bad file: ``fetch``, or the URL and where to place the file by hand."""
    size_option = "" if size == 28 else f" --size {size}"
    source = "the file from that address" if url_given else registered(flag).url_for(size)
    return (f"Run `python -m medcourse fetch {flag}{size_option}` on a machine with internet access, or "
            f"download {source} yourself and place it at {path} (set {DATA_ENV} or pass root= to use "
            "another folder).")


@functools.lru_cache(maxsize=64)
def _md5_of(path: str, identity: tuple) -> str:
    return file_md5(path)


def file_identity(path: Path) -> tuple:
    """What changes whenever the file's content may have changed: device, inode, size, mtime and ctime.

    A file replaced by another of the same size and modification time still gets a new inode (a
    rename) or a new ctime (an in-place rewrite, even with the mtime set back): either changes this.
    """
    stat = path.stat()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def md5(path: str | os.PathLike) -> str:
    """MD5 hex digest of a file (remembered while the file is unchanged)."""
    path = Path(path)
    return _md5_of(str(path), file_identity(path))


def unreadable(path: Path) -> MedMNISTError:
    return MedMNISTError(f"{path} cannot be read (permission denied): it is not corrupt, but its owner must "
                         f"make it readable, e.g. `chmod a+r {path}` (files the course downloads are mode "
                         f"{FILE_MODE:o}).", "unreadable")


def checked_md5(flag: str, size: int, path: Path, origin: str) -> None:
    """Refuse ``path`` unless its MD5 is the registry's; the message says how to repair it."""
    expected = registered(flag).md5_for(size)
    try:
        actual = md5(path)
    except PermissionError:
        raise unreadable(path) from None
    if actual == expected:
        return
    size_option = "" if size == 28 else f" --size {size}"
    if origin == "shipped":
        fix = ("The copy shipped in the repository is damaged: restore it with "
               f"`git checkout -- {path.parent.name}/{path.name}` (run in data/) or reinstall the course.")
    else:
        fix = (f"Run `python -m medcourse fetch {flag}{size_option}`: it moves the bad file aside and downloads "
               "it again; or pass verify=False to use your own file in the MedMNIST layout.")
    raise MedMNISTError(f"{path} has MD5 {actual}, expected {expected} for MedMNIST {flag!r} at size {size}: "
                        f"it is not the official file (or it is truncated). {fix}", "md5")


_FIXES = {
    "offline": "nothing was stored.",
    "http": "",
    "truncated": "nothing was stored; try again.",
    "too-slow": "nothing was stored; try again on a faster connection.",
    "deadline": "nothing was stored; try again on a faster connection.",
    "md5": "it was discarded. Try again later; if it persists, the upstream file has changed "
           f"(see {HOMEPAGE}).",
    "invalid": "it was discarded.",
}


def _download_error(flag: str, size: int, path: Path, error: DownloadError) -> MedMNISTError:
    url = registered(flag).url_for(size)
    if error.reason in ("permission", "not-a-directory", "unwritable"):
        return MedMNISTError(f"cannot download {flag!r} (size {size}): {error}", error.reason)
    fix = _FIXES.get(error.reason, "")
    if error.reason == "http" and error.status == 404:
        fix = f"the registry's address may be out of date: look for the file on {HOMEPAGE}."
    elif error.reason == "http":
        fix = "try again later."
    return MedMNISTError(f"could not download {flag!r} (size {size}) from {url}: {error}; {fix} "
                         f"{how_to_get(flag, size, path, url_given=True)}", error.reason, error.status)


def download(flag: str, root: str | os.PathLike | None = None, *, size: int = 28, verify: bool = True,
             limits: Limits | None = None, progressbar: bool = True, timeout: float | None = None) -> Path:
    """Download ``flag`` at ``size`` into the data folder unless it is there already; return its path.

    The folder must be writable (checked before connecting). The bytes go to ``.partial/``; their size
    (Content-Length) and, with ``verify``, their MD5 are checked, the archive's headers too, and only then
    is the file renamed to ``<flag>.npz``, readable by everyone. Any failure raises :class:`MedMNISTError`
    with a ``reason`` and leaves nothing behind.
    """
    from medcourse.data.medmnist.npz import ArchiveError, read_headers

    info = registered(flag)
    size = info.check_size(size)
    path = file_path(flag, root, size=size)
    if path.is_file():
        return path
    if timeout is not None:
        limits = Limits(timeout=timeout) if limits is None else limits
    expected_md5 = info.md5_for(size) if verify else None

    def is_archive(candidate: Path) -> None:
        try:
            read_headers(candidate)
        except ArchiveError as error:
            raise DownloadError(f"the downloaded file is not a valid .npz archive ({error})", "invalid") from None

    try:
        return download_file(info.url_for(size), path, md5=expected_md5, check=is_archive, limits=limits,
                             progressbar=progressbar)
    except DownloadError as error:
        raise _download_error(flag, size, path, error) from None


def fetch(flag: str, root: str | os.PathLike | None = None, *, size: int = 28, limits: Limits | None = None,
          progressbar: bool = True) -> tuple[Path, str]:
    """Make sure a verified copy of ``flag`` at ``size`` is in the data folder; repair a bad one.

    Returns the path and what was done: ``"already there"``, ``"copied from the shipped data"``,
    ``"downloaded"``, or ``"repaired: …"`` when a file with the wrong MD5 was moved aside first (never
    deleted) and the file downloaded again.
    """
    info = registered(flag)
    size = info.check_size(size)
    path = file_path(flag, root, size=size)
    repaired = ""
    if path.is_file():
        try:
            checked_md5(flag, size, path, "cache")
            return path, "already there"
        except MedMNISTError as error:
            if error.reason != "md5":
                raise
            moved = set_aside(path)
            repaired = f"repaired: the file had the wrong MD5 and was moved to {moved}; "
    shipped = shipped_path(flag, size)
    if shipped is not None and md5(shipped) == info.md5_for(size):
        _copy_shipped(shipped, path)
        return path, repaired + "copied from the shipped data (no download)"
    download(flag, root, size=size, limits=limits, progressbar=progressbar)  # MD5 checked before it is stored
    return path, repaired + "downloaded"


def _copy_shipped(shipped: Path, path: Path) -> None:
    from medcourse.data.cache import partial_path, writable_folder

    folder = writable_folder(path.parent)
    partial = partial_path(folder, path.name)
    try:
        shutil.copyfile(shipped, partial)
        os.chmod(partial, FILE_MODE)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def status(flag: str, root: str | os.PathLike | None = None, *, size: int = 28) -> tuple[str, Path | None, str]:
    """``(state, path, origin)`` of ``flag`` at ``size``, looked up like :func:`load` (shipped files first).

    ``state`` is ``"verified"`` (the MD5 is the registry's), ``"corrupt"`` (it differs: a zero-byte or
    truncated file is corrupt), ``"unverified"`` (the file cannot be read to check it) or ``"missing"``;
    ``origin`` is ``"shipped"``, ``"cache"`` or ``"missing"``.
    """
    path, origin = locate(flag, root, size=size)
    if path is None:
        return "missing", None, origin
    try:
        good = md5(path) == registered(flag).md5_for(size)
    except PermissionError:
        return "unverified", path, origin
    return ("verified" if good else "corrupt"), path, origin


__all__ = ["MedMNISTError", "data_root", "download", "fetch", "file_path", "how_to_get", "is_cached",
           "locate", "md5", "shipped_path", "status"]
