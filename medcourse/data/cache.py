"""Where downloaded datasets are kept: one rule for the loaders, ``fetch`` and ``doctor``."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that moves the data cache (e.g. to a shared folder in a classroom).
DATA_ENV = "MEDCOURSE_DATA"


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


__all__ = ["DATA_ENV", "cache_dir"]
