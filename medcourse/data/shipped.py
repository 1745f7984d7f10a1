"""Real data that ships with the course: found offline, in a checkout or an installed copy of medcourse.

The files live in the repository's ``data/`` folder (provenance and licences in ``data/README.md``).
"""

from __future__ import annotations

from pathlib import Path


def shipped_dir() -> Path | None:
    """The folder holding the shipped data files, or None when this copy of medcourse has none.

    A checkout has them in ``data/`` beside the ``medcourse`` package.
    """
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "README.md").is_file():
        return checkout
    return None


def shipped_file(relative: str) -> Path | None:
    """The shipped file at ``relative`` (e.g. ``"medmnist/breastmnist.npz"``), or None when it is not shipped."""
    folder = shipped_dir()
    if folder is None:
        return None
    candidate = folder / relative
    return candidate if candidate.is_file() else None


__all__ = ["shipped_dir", "shipped_file"]
