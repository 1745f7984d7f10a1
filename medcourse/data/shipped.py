"""Real data that ships with the course: found offline, in a checkout or an installed copy of medcourse.

The files live in the repository's ``data/`` folder (provenance, licences and how each derived file
was made: ``data/README.md``; the script that makes them: ``tools/make_shipped_data.py``). A wheel
or a ``pip install .`` of the repository installs the same folder as the package
``medcourse.data.shipped_files`` (``pyproject.toml`` maps it to ``data/``, so the repository holds a
single copy).

Examples
--------
>>> path = shipped_file("medmnist/breastmnist.npz")
>>> path is None or path.name == "breastmnist.npz"
True
>>> sorted(SHIPPED_MD5)[:2]
['bccd/LICENSE', 'bccd/bccd_160x120.npz']
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Name of the installed package that holds ``data/`` in a non-editable install.
INSTALLED_PACKAGE = "shipped_files"

#: MD5 of every shipped file, by its path under ``data/``. The MedMNIST ones are the official
#: files' (MedMNIST ``info.py`` v3.0.2); the others are written by ``tools/make_shipped_data.py``.
SHIPPED_MD5: dict[str, str] = {
    "medmnist/breastmnist.npz": "750601b1f35ba3300ea97c75c52ff8f6",
    "medmnist/retinamnist.npz": "bd4c0672f1bba3e3a89f0e4e876791e4",
    "medmnist/adrenalmnist3d.npz": "bbd3c5a5576322bc4cdfea780653b1ce",
    "medmnist/adrenalmnist3d_64.npz": "17721accfe9fb005146a47d33bc54b2f",
    "medmnist/vesselmnist3d.npz": "b41fd4f7e7e2feedddb201585ecafa1b",
    "medmnist/vesselmnist3d_64.npz": "6bb274a8846e1097066dcd64e2c4520f",
    "hippocampus/msd_hippocampus_sagittal.npz": "f0db2731d30d2aa1ee62978978dafdfd",
    "bccd/bccd_160x120.npz": "2e9748fcd52d92fea5277263c3872dd3",
    "bccd/LICENSE": "8aa065909c7e1a21ac35814c3b091f0c",
}


class ShippedDataError(RuntimeError):
    """A shipped file is missing from this copy of medcourse, or is not the file the course shipped."""


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    return [package.parents[1] / "data",          # a checkout: data/ beside the medcourse package
            package / INSTALLED_PACKAGE]          # an installed copy: medcourse/data/shipped_files/


def shipped_dir() -> Path | None:
    """The folder holding the shipped data files, or None when this copy of medcourse has none.

    A checkout has them in ``data/`` beside the ``medcourse`` package; an installed copy in
    ``medcourse/data/shipped_files/``. A folder counts when it holds the data README.
    """
    for folder in _candidates():
        if (folder / "README.md").is_file():
            return folder
    return None


def shipped_file(relative: str) -> Path | None:
    """The shipped file at ``relative`` (e.g. ``"medmnist/breastmnist.npz"``), or None when it is not shipped."""
    folder = shipped_dir()
    if folder is None:
        return None
    candidate = folder / relative
    return candidate if candidate.is_file() else None


def md5(path: str | Path) -> str:
    """MD5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def require(relative: str, *, verify: bool = True) -> Path:
    """The path of shipped file ``relative``, its MD5 checked; :class:`ShippedDataError` when absent or altered."""
    if relative not in SHIPPED_MD5:
        raise ValueError(f"relative must be one of the shipped files {sorted(SHIPPED_MD5)}, got {relative!r}")
    path = shipped_file(relative)
    if path is None:
        looked = " and ".join(str(folder / relative) for folder in _candidates())
        raise ShippedDataError(
            f"the shipped file {relative!r} is not in this copy of medcourse (looked for {looked}). "
            "Use a full clone of the repository or reinstall medcourse; a maintainer can rebuild it with "
            "`python tools/make_shipped_data.py --source <originals>` (see data/README.md)."
        )
    if verify:
        actual, expected = md5(path), SHIPPED_MD5[relative]
        if actual != expected:
            raise ShippedDataError(
                f"{path} has MD5 {actual}, expected {expected}: it is not the file the course ships (changed "
                "or truncated). Restore it from the repository (git checkout), or pass verify=False to use it as it is."
            )
    return path


__all__ = ["INSTALLED_PACKAGE", "SHIPPED_MD5", "ShippedDataError", "md5", "require", "shipped_dir", "shipped_file"]
