"""MedMNIST v3 without the ``medmnist`` package: a registry, checked downloads and a strict loader.

A file is looked up, in order: shipped with the course (``data/medmnist/<flag>.npz`` in a checkout),
in the data folder ``<root>/<flag>.npz`` (``<flag>_<size>.npz`` for the MedMNIST+ sizes), where
``root`` is the ``root`` argument, the ``MEDCOURSE_DATA`` environment variable, or the course cache
folder (``pooch.os_cache("medcourse")``); else it is downloaded there. For an offline classroom,
fetch the files beforehand with ``python -m medcourse fetch pneumoniamnist …`` or copy them into
that folder.

URLs, MD5 checksums, classes and split sizes are those of MedMNIST's own ``medmnist/info.py``
(version 3.0.2, Zenodo record 10519652). Cite MedMNIST and the source dataset when you use them.
"""

from __future__ import annotations

from medcourse.data.cache import DATA_ENV as ENVIRONMENT_VARIABLE
from medcourse.data.medmnist.files import (
    MedMNISTError,
    data_root,
    download,
    fetch,
    file_path,
    is_cached,
    locate,
    md5,
    shipped_path,
    status,
)
from medcourse.data.medmnist.loader import load
from medcourse.data.medmnist.npz import MAX_ARRAY_BYTES
from medcourse.data.medmnist.registry import BASE_URL, CITATION, HOMEPAGE, KEYS, MD5, REGISTRY, MedMNISTInfo

__all__ = ["BASE_URL", "CITATION", "ENVIRONMENT_VARIABLE", "HOMEPAGE", "KEYS", "MAX_ARRAY_BYTES", "MD5", "REGISTRY",
           "MedMNISTError", "MedMNISTInfo", "data_root", "download", "fetch", "file_path", "is_cached", "load",
           "locate", "md5", "shipped_path", "status"]
