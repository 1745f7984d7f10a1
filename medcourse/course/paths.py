"""Where the course's own files are: the repository checkout, when medcourse runs from one."""

from __future__ import annotations

from pathlib import Path


def repository_root() -> Path | None:
    """The checkout this package runs from (it holds ``requirements.txt`` and ``notebooks/``), or None.

    None means medcourse was installed from a wheel or from Git (as on Colab), without the notebooks.
    """
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "requirements.txt").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    return None


__all__ = ["repository_root"]
