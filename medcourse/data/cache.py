"""Where downloaded datasets are kept: one rule for the loaders, ``fetch`` and ``doctor``.

The data folder holds finished, checked files only. A download in progress lives in its
``.partial/`` subfolder under a name that says which machine and process writes it, so a killed
download never looks like data and the next attempt can tell it is dead and remove it. A file that
``fetch`` finds damaged is moved into ``moved-aside/`` (never deleted: it may be someone's work).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

#: Environment variable that moves the data cache (e.g. to a shared folder in a classroom).
DATA_ENV = "MEDCOURSE_DATA"
#: Subfolder of the data folder for downloads in progress.
PARTIAL_DIR = ".partial"
#: Subfolder of the data folder where damaged files are moved instead of being deleted.
MOVED_ASIDE_DIR = "moved-aside"
_PARTIAL_SUFFIX = ".part"


class CacheFolderError(OSError):
    """The data folder cannot hold downloads: it is a file, or it cannot be created or written."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def cache_dir(root: str | os.PathLike | None = None) -> Path:
    """The data folder: ``root`` when given, else ``$MEDCOURSE_DATA``, else the user cache folder.

    Examples
    --------
    >>> cache_dir("/tmp/course-data")
    PosixPath('/tmp/course-data')
    """
    if root is not None:
        return Path(root).expanduser()
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("medcourse"))


def _where_else() -> str:
    return f"pass root= (or --root) or set {DATA_ENV} to a folder you can write"


def writable_folder(folder: str | os.PathLike) -> Path:
    """``folder``, created if needed, once a file could really be written in it; CacheFolderError otherwise.

    The check writes and removes a probe file (permission bits alone do not tell: a read-only file
    system, ACLs or root squashing on a network share all refuse writes that ``os.access`` allows).
    """
    folder = Path(folder)
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            where = f"the data folder {folder}" if parent == folder else \
                f"the data folder {folder} cannot be created: {parent}"
            raise CacheFolderError(f"{where} is a file, not a folder; {_where_else()}", "not-a-directory")
    try:
        (folder / PARTIAL_DIR).mkdir(parents=True, exist_ok=True)
        probe = folder / PARTIAL_DIR / f"probe.{_owner_tag()}{_PARTIAL_SUFFIX}"
        probe.write_bytes(b"")
        probe.unlink()
    except PermissionError as error:
        raise CacheFolderError(f"cannot write into the data folder {folder} (permission denied: "
                               f"{error.strerror}); {_where_else()}", "permission") from None
    except OSError as error:
        raise CacheFolderError(f"cannot write into the data folder {folder} ({error.strerror or error}); "
                               f"{_where_else()}", "unwritable") from None
    return folder


def _owner_tag() -> str:
    return f"{socket.gethostname().replace('.', '_')}.{os.getpid()}"


def partial_path(folder: str | os.PathLike, name: str) -> Path:
    """Where this process downloads ``name`` before it is checked: ``<folder>/.partial/<name>.<host>.<pid>.part``."""
    return Path(folder) / PARTIAL_DIR / f"{name}.{_owner_tag()}{_PARTIAL_SUFFIX}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (another user's process), or we cannot tell: keep its file
    return True


def clean_stale_partials(folder: str | os.PathLike, *, older_than: float) -> list[Path]:
    """Remove the partial downloads in ``folder`` whose writer is dead; return what was removed.

    A partial file is dead when its process (named in the file name) no longer runs on this machine,
    or when it has not changed for ``older_than`` seconds (every download has a deadline shorter
    than that, so no live download can be that quiet; this also covers other machines sharing the folder).
    """
    removed = []
    partial = Path(folder) / PARTIAL_DIR
    if not partial.is_dir():
        return removed
    host = socket.gethostname().replace(".", "_")
    for path in partial.glob(f"*{_PARTIAL_SUFFIX}"):
        parts = path.name[: -len(_PARTIAL_SUFFIX)].rsplit(".", 2)
        try:
            quiet = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            continue
        dead = len(parts) == 3 and parts[1] == host and parts[2].isdigit() and not _alive(int(parts[2]))
        if dead or quiet > older_than:
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


def data_files(folder: str | os.PathLike) -> list[Path]:
    """The finished data files in ``folder`` (not partial downloads, not files moved aside), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def set_aside(path: str | os.PathLike) -> Path:
    """Move ``path`` into ``moved-aside/`` beside it (with the time in its name) and return where it went."""
    path = Path(path)
    target_dir = path.parent / MOVED_ASIDE_DIR
    target_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{path.name}.{stamp}"
    counter = 1
    while target.exists():
        counter += 1
        target = target_dir / f"{path.name}.{stamp}-{counter}"
    os.replace(path, target)
    return target


__all__ = ["DATA_ENV", "MOVED_ASIDE_DIR", "PARTIAL_DIR", "CacheFolderError", "cache_dir", "clean_stale_partials",
           "data_files", "partial_path", "set_aside", "writable_folder"]
