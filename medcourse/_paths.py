"""Where the course keeps things: the repository checkout (when there is one) and the data cache."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that moves the data cache (e.g. to a shared folder in a classroom).
DATA_ENV = "MEDCOURSE_DATA"


def data_cache_dir() -> Path:
    """The folder downloaded datasets are cached in: ``$MEDCOURSE_DATA`` or the user cache folder.

    Examples
    --------
    >>> isinstance(data_cache_dir(), Path)
    True
    """
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("medcourse"))


def repository_root() -> Path | None:
    """The checkout this package runs from (it holds ``requirements.txt`` and ``notebooks/``), or None.

    None means medcourse was installed from a wheel or from Git (as on Colab), without the notebooks.
    """
    candidate = Path(__file__).resolve().parents[1]
    if (candidate / "requirements.txt").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    return None
