"""``load_dataset``: one entry point for the embedded generated datasets and the MedMNIST files."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from medcourse.data.dataset import Dataset
from medcourse.data.generators._common import SPLITS, read_only

LICENCE_GENERATED = "CC0 / generated"
CITATION_GENERATED = "medcourse (https://github.com/medcourse/medcourse), generated teaching data"


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# --- "lesions" -------------------------------------------------------------------------------------

LESIONS_DEFAULTS: dict[str, Any] = {
    "seed": 0, "size": 28, "difficulty": "default", "binary": False,
    "train_size": 5000, "val_size": 1000, "test_size": 2000,
}


def _lesions_options(options: dict[str, Any]) -> tuple:
    from medcourse.data.generators import lesions

    merged = {**LESIONS_DEFAULTS, **options}
    return (
        _check_int("seed", merged["seed"], 0, 2**32 - 1),
        _check_int("size", merged["size"], 16, 128),
        lesions.difficulty_value(merged["difficulty"]),
        _check_bool("binary", merged["binary"]),
        _check_int("train_size", merged["train_size"], 1, 200_000),
        _check_int("val_size", merged["val_size"], 1, 200_000),
        _check_int("test_size", merged["test_size"], 1, 200_000),
    )


@functools.lru_cache(maxsize=8)
def _lesions(seed, size, difficulty, binary, train_size, val_size, test_size) -> Dataset:
    from medcourse.data.generators import lesions

    counts = dict(zip(SPLITS, (train_size, val_size, test_size), strict=True))
    splits = {}
    for split, count in counts.items():
        images, labels = lesions.generate(count, seed=seed, split=split, size=size,
                                          difficulty=difficulty, binary=binary)
        splits[split] = (read_only(images), read_only(labels))
    return Dataset(
        name="lesions", **splits,
        classes=lesions.BINARY_CLASSES if binary else lesions.CLASSES,
        task="binary" if binary else "multiclass",
        description=lesions.DESCRIPTION,
        licence=LICENCE_GENERATED,
        citation=CITATION_GENERATED,
        info={"seed": seed, "size": size, "difficulty": difficulty, "binary": binary,
              "generator": "medcourse.data.generators.lesions", "pixel": "uint8 display value (a.u.)"},
    )


# --- "cine" ----------------------------------------------------------------------------------------

CINE_DEFAULTS: dict[str, Any] = {
    "seed": 0, "size": 32, "frames": 20, "target": "ef",
    "train_size": 2000, "val_size": 400, "test_size": 800,
}


def _cine_options(options: dict[str, Any]) -> tuple:
    from medcourse.data.generators import cine

    merged = {**CINE_DEFAULTS, **options}
    if merged["target"] not in cine.TARGETS:
        raise ValueError(f"target must be one of {cine.TARGETS}, got {merged['target']!r}")
    return (
        _check_int("seed", merged["seed"], 0, 2**32 - 1),
        _check_int("size", merged["size"], 24, 128),
        _check_int("frames", merged["frames"], 8, 64),
        merged["target"],
        _check_int("train_size", merged["train_size"], 1, 100_000),
        _check_int("val_size", merged["val_size"], 1, 100_000),
        _check_int("test_size", merged["test_size"], 1, 100_000),
    )


@functools.lru_cache(maxsize=8)
def _cine(seed, size, frames, target, train_size, val_size, test_size) -> Dataset:
    from medcourse.data.generators import cine

    counts = dict(zip(SPLITS, (train_size, val_size, test_size), strict=True))
    splits = {}
    for split, count in counts.items():
        images, labels = cine.generate(count, seed=seed, split=split, size=size, frames=frames,
                                       target=target)
        splits[split] = (read_only(images), read_only(labels))
    regression = target == "ef"
    return Dataset(
        name="cine", **splits,
        classes=() if regression else cine.BINARY_CLASSES,
        task="regression" if regression else "binary",
        description=cine.DESCRIPTION,
        licence=LICENCE_GENERATED,
        citation=CITATION_GENERATED,
        info={"seed": seed, "size": size, "frames": frames, "target": target,
              "unit": "% (ejection fraction)" if regression else "",
              "reduced_ef_threshold_percent": cine.REDUCED_EF_PERCENT,
              "generator": "medcourse.data.generators.cine", "layout": "N×T×H×W"},
    )


_EMBEDDED: dict[str, tuple[Callable[[dict], tuple], Callable[..., Dataset], dict[str, Any]]] = {
    "lesions": (_lesions_options, _lesions, LESIONS_DEFAULTS),
    "cine": (_cine_options, _cine, CINE_DEFAULTS),
}

#: Names of the datasets generated on the fly (always available offline).
EMBEDDED_NAMES = tuple(_EMBEDDED)


def _refuse_unknown_medmnist_options(flag: str, options: dict[str, Any], loader: Callable) -> None:
    """Refuse options the MedMNIST loader does not take, naming them and what it accepts."""
    import inspect

    accepted = {name for name, parameter in inspect.signature(loader).parameters.items()
                if parameter.kind is inspect.Parameter.KEYWORD_ONLY} - {"root", "download", "verify"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ValueError(f"unknown option(s) {unknown} for MedMNIST dataset {flag!r}; "
                         f"it accepts {sorted(accepted)}")


def load_dataset(name: str, *, root: str | None = None, download: bool = True, verify: bool = True,
                 **options: Any) -> Dataset:
    """Load a course dataset by name: an embedded generated one, or a MedMNIST file.

    Parameters
    ----------
    name : str
        ``"lesions"`` (2-D lesion classification, generated), ``"cine"`` (cardiac cine sequences
        with ejection fraction, generated), or a MedMNIST flag such as ``"pneumoniamnist"``
        (see :data:`medcourse.data.medmnist.REGISTRY`).
    root : str or path, optional
        Folder of the MedMNIST files (``<root>/<flag>.npz``). Default: ``$MEDCOURSE_DATA`` or the
        course data cache. Ignored for embedded datasets.
    download : bool
        Download a missing MedMNIST file (checked, with a progress bar). Ignored for embedded ones.
    verify : bool
        Check a MedMNIST file's MD5 against the registry; ``False`` accepts any local file in the
        MedMNIST layout.
    **options
        For ``"lesions"``: ``seed=0``, ``size=28`` (e.g. 64), ``difficulty="default"``
        (``"easy"``, ``"hard"`` or a number in [0, 1]), ``binary=False`` (lesion vs no lesion),
        ``train_size=5000``, ``val_size=1000``, ``test_size=2000``.
        For ``"cine"``: ``seed=0``, ``size=32``, ``frames=20``, ``target="ef"`` (regression, %) or
        ``"reduced_ef"`` (binary: EF < 40 %), ``train_size=2000``, ``val_size=400``, ``test_size=800``.
        MedMNIST flags take the options of :func:`medcourse.data.medmnist.load` (e.g. ``size=64``)
        and refuse any other; 3-D volumes come as ``N×D×H×W`` arrays, ready to be read as
        sequences of ``D`` slices.

    Returns
    -------
    Dataset
        Its image and label arrays are read-only (they are cached and shared); ``.copy()`` one to edit it.

    Examples
    --------
    >>> data = load_dataset("lesions", train_size=100, val_size=20, test_size=20)
    >>> data.train[0].shape, data.train[0].dtype, data.classes[2]
    ((100, 28, 28), dtype('uint8'), 'cyst')
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a dataset name (a string), got {name!r}")
    key = name.strip().lower()
    if key in _EMBEDDED:
        check_options, build, defaults = _EMBEDDED[key]
        unknown = sorted(set(options) - set(defaults))
        if unknown:
            raise ValueError(f"unknown option(s) {unknown} for dataset {key!r}; "
                             f"it accepts {sorted(defaults)}")
        dataset = build(*check_options(options))
        return dataclasses.replace(dataset, info=dict(dataset.info))
    from medcourse.data import medmnist

    if key in medmnist.REGISTRY:
        _refuse_unknown_medmnist_options(key, options, medmnist.load)
        return medmnist.load(key, root=root, download=download, verify=verify, **options)
    raise ValueError(
        f"name must be one of the embedded datasets {list(EMBEDDED_NAMES)} or a MedMNIST flag "
        f"{sorted(medmnist.REGISTRY)}, got {name!r}"
    )
