"""``load_dataset``: one entry point for the generated datasets, the shipped real ones and the MedMNIST files."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from medcourse.data.arrays import read_only
from medcourse.data.dataset import Dataset
from medcourse.data.generators._common import SPLITS

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


def _counts(options: dict[str, Any], high: int) -> dict[str, int]:
    return {split: _check_int(f"{split}_size", options[f"{split}_size"], 1, high) for split in SPLITS}


# --- "lesions": patches (classification or segmentation) and fields (detection) ---------------------

LESIONS_DEFAULTS: dict[str, Any] = {
    "seed": 0, "size": 28, "difficulty": "default", "binary": False, "masks": False, "detection": False,
    "max_lesions": 3, "train_size": 5000, "val_size": 1000, "test_size": 2000,
}
#: What ``detection=True`` changes in the defaults (fields are larger, so fewer are generated).
FIELDS_DEFAULTS: dict[str, Any] = {"size": 64, "train_size": 1000, "val_size": 200, "test_size": 400}


def _lesions_options(options: dict[str, Any]) -> tuple:
    from medcourse.data.generators import lesions

    detection = _check_bool("detection", options.get("detection", False))
    merged = {**LESIONS_DEFAULTS, **(FIELDS_DEFAULTS if detection else {}), **options}
    binary, masks = _check_bool("binary", merged["binary"]), _check_bool("masks", merged["masks"])
    if detection and (binary or masks):
        raise ValueError("detection=True gives fields with boxes; it cannot be combined with "
                         f"{'binary=True' if binary else 'masks=True'} (a patch option)")
    if not detection and "max_lesions" in options:
        raise ValueError("max_lesions applies only to detection fields: pass detection=True with it")
    counts = _counts(merged, 200_000)
    return (
        _check_int("seed", merged["seed"], 0, 2**32 - 1),
        _check_int("size", merged["size"], 32 if detection else 16, 128),
        lesions.difficulty_value(merged["difficulty"]),
        binary, masks, detection,
        _check_int("max_lesions", merged["max_lesions"], 1, 8),
        counts["train"], counts["val"], counts["test"],
    )


@functools.lru_cache(maxsize=8)
def _lesions(seed, size, difficulty, binary, masks, detection, max_lesions, train_size, val_size,
             test_size) -> Dataset:
    from medcourse.data.generators import lesion_fields, lesions

    counts = dict(zip(SPLITS, (train_size, val_size, test_size), strict=True))
    info = {"seed": seed, "size": size, "difficulty": difficulty, "pixel": "uint8 display value (a.u.)"}
    splits = {}
    if detection:
        for split, count in counts.items():
            images, objects = lesion_fields.generate(count, seed=seed, split=split, size=size,
                                                     max_lesions=max_lesions, difficulty=difficulty)
            splits[split] = (read_only(images), objects)
        return Dataset(name="lesions", **splits, classes=lesion_fields.CLASSES, task="detection",
                       description=lesion_fields.DESCRIPTION, licence=LICENCE_GENERATED,
                       citation=CITATION_GENERATED,
                       info={**info, "max_lesions": max_lesions, "objects": "row, col, height, width, class",
                             "generator": "medcourse.data.generators.lesion_fields"})
    for split, count in counts.items():
        arrays = lesions.generate(count, seed=seed, split=split, size=size, difficulty=difficulty,
                                  binary=binary, masks=masks)
        splits[split] = (read_only(arrays[0]), read_only(arrays[2] if masks else arrays[1]))
    if masks:
        classes = lesions.BINARY_MASK_CLASSES if binary else lesions.MASK_CLASSES
    else:
        classes = lesions.BINARY_CLASSES if binary else lesions.CLASSES
    return Dataset(
        name="lesions", **splits, classes=classes,
        task="segmentation" if masks else "binary" if binary else "multiclass",
        description=lesions.DESCRIPTION, licence=LICENCE_GENERATED, citation=CITATION_GENERATED,
        info={**info, "binary": binary, "masks": masks, "generator": "medcourse.data.generators.lesions"},
    )


# --- "cine" ----------------------------------------------------------------------------------------

CINE_DEFAULTS: dict[str, Any] = {
    "seed": 0, "size": 32, "frames": 20, "target": "ef", "masks": False,
    "train_size": 2000, "val_size": 400, "test_size": 800,
}


def _cine_options(options: dict[str, Any]) -> tuple:
    from medcourse.data.generators import cine

    merged = {**CINE_DEFAULTS, **options}
    if merged["target"] not in cine.TARGETS:
        raise ValueError(f"target must be one of {cine.TARGETS}, got {merged['target']!r}")
    masks = _check_bool("masks", merged["masks"])
    if masks and merged["target"] != "ef":
        raise ValueError("with masks=True the labels are the per-frame masks and the ejection fraction is in "
                         "info['ejection_fraction']; leave target at its default 'ef'")
    counts = _counts(merged, 100_000)
    return (
        _check_int("seed", merged["seed"], 0, 2**32 - 1),
        _check_int("size", merged["size"], 24, 128),
        _check_int("frames", merged["frames"], 8, 64),
        merged["target"], masks,
        counts["train"], counts["val"], counts["test"],
    )


@functools.lru_cache(maxsize=8)
def _cine(seed, size, frames, target, masks, train_size, val_size, test_size) -> Dataset:
    from medcourse.data.generators import cine

    counts = dict(zip(SPLITS, (train_size, val_size, test_size), strict=True))
    splits, ejection_fraction = {}, {}
    for split, count in counts.items():
        arrays = cine.generate(count, seed=seed, split=split, size=size, frames=frames, target=target,
                               masks=masks)
        splits[split] = (read_only(arrays[0]), read_only(arrays[2] if masks else arrays[1]))
        if masks:
            ejection_fraction[split] = read_only(arrays[1])
    regression = target == "ef"
    info = {"seed": seed, "size": size, "frames": frames, "target": target,
            "unit": "% (ejection fraction)" if regression else "",
            "reduced_ef_threshold_percent": cine.REDUCED_EF_PERCENT,
            "generator": "medcourse.data.generators.cine", "layout": "N×T×H×W"}
    if masks:
        info.update(unit="", ejection_fraction=ejection_fraction,
                    masks="per frame: 1 LV cavity, 2 LV myocardium, 3 RV cavity (info['ejection_fraction']: "
                          "the true EF in % of each sequence)")
    return Dataset(
        name="cine", **splits,
        classes=cine.MASK_CLASSES if masks else () if regression else cine.BINARY_CLASSES,
        task="segmentation" if masks else "regression" if regression else "binary",
        description=cine.DESCRIPTION, licence=LICENCE_GENERATED, citation=CITATION_GENERATED, info=info,
    )


_EMBEDDED: dict[str, tuple[Callable[[dict], tuple], Callable[..., Dataset], dict[str, Any]]] = {
    "lesions": (_lesions_options, _lesions, LESIONS_DEFAULTS),
    "cine": (_cine_options, _cine, CINE_DEFAULTS),
}

#: Names of the datasets generated on the fly (always available offline).
EMBEDDED_NAMES = tuple(_EMBEDDED)
#: Names of the real datasets derived from public sources and shipped with the course (offline).
SHIPPED_NAMES = ("hippocampus", "bccd")


def _load_shipped(name: str, verify: bool, options: dict[str, Any]) -> Dataset:
    if options:
        raise ValueError(f"unknown option(s) {sorted(options)} for dataset {name!r}; it takes none "
                         "(only verify=)")
    if name == "hippocampus":
        from medcourse.data import hippocampus

        return hippocampus.load(verify=verify)
    from medcourse.data import bccd

    return bccd.load(verify=verify)


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
    """Load a course dataset by name: a generated one, a shipped real one, or a MedMNIST file.

    Parameters
    ----------
    name : str
        Generated (offline, deterministic): ``"lesions"`` (2-D lesion patches: classification,
        segmentation with ``masks=True``, detection fields with ``detection=True``) and ``"cine"``
        (cardiac cine sequences with ejection fraction). Shipped real data (offline, in ``data/``):
        ``"hippocampus"`` (MRI slices, segmentation) and ``"bccd"`` (blood smears, detection).
        Or a MedMNIST flag such as ``"pneumoniamnist"`` (see :data:`medcourse.data.medmnist.REGISTRY`).
    root : str or path, optional
        Folder of the MedMNIST files (``<root>/<flag>.npz``). Default: ``$MEDCOURSE_DATA`` or the
        course data cache. Ignored for the generated and shipped datasets.
    download : bool
        Download a missing MedMNIST file (checked, with a progress bar). Ignored for the others.
    verify : bool
        Check a MedMNIST or shipped file's MD5 against the registry; ``False`` accepts any local
        MedMNIST file in the MedMNIST layout.
    **options
        For ``"lesions"``: ``seed=0``, ``size=28`` (e.g. 64), ``difficulty="default"``
        (``"easy"``, ``"hard"`` or a number in [0, 1]), ``binary=False`` (lesion vs no lesion),
        ``masks=False`` (``True``: task ``"segmentation"``, labels the lesion masks),
        ``detection=False`` (``True``: task ``"detection"``, ``size=64`` fields holding 0 to
        ``max_lesions=3`` lesions, labels :class:`~medcourse.data.objects.ObjectLabels`),
        ``train_size=5000``, ``val_size=1000``, ``test_size=2000`` (fields: 1000, 200, 400).
        For ``"cine"``: ``seed=0``, ``size=32``, ``frames=20``, ``target="ef"`` (regression, %) or
        ``"reduced_ef"`` (binary: EF < 40 %), ``masks=False`` (``True``: per-frame masks of the
        LV cavity, myocardium and RV, the EF in ``info["ejection_fraction"]``),
        ``train_size=2000``, ``val_size=400``, ``test_size=800``.
        ``"hippocampus"`` and ``"bccd"`` take none. MedMNIST flags take the options of
        :func:`medcourse.data.medmnist.load` (e.g. ``size=64``) and refuse any other; 3-D volumes
        come as ``N×D×H×W`` arrays, ready to be read as sequences of ``D`` slices.

    Returns
    -------
    Dataset
        Its image and label arrays are read-only (they are cached and shared); ``.copy()`` one to edit it.

    Examples
    --------
    >>> data = load_dataset("lesions", train_size=100, val_size=20, test_size=20)
    >>> data.train[0].shape, data.train[0].dtype, data.classes[2]
    ((100, 28, 28), dtype('uint8'), 'cyst')
    >>> masks = load_dataset("lesions", masks=True, train_size=100, val_size=20, test_size=20)
    >>> masks.task, masks.train[1].shape, masks.classes[0]
    ('segmentation', (100, 28, 28), 'background')
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
    if key in SHIPPED_NAMES:
        return _load_shipped(key, verify, options)
    from medcourse.data import medmnist

    if key in medmnist.REGISTRY:
        _refuse_unknown_medmnist_options(key, options, medmnist.load)
        return medmnist.load(key, root=root, download=download, verify=verify, **options)
    raise ValueError(
        f"name must be one of the generated datasets {list(EMBEDDED_NAMES)}, the shipped real datasets "
        f"{list(SHIPPED_NAMES)} or a MedMNIST flag {sorted(medmnist.REGISTRY)}, got {name!r}"
    )
