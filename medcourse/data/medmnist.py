"""MedMNIST v3 (28×28) without the ``medmnist`` package: a registry, a checked download, a strict loader.

A file is looked up as ``<root>/<flag>.npz`` where ``root`` is, in order: the ``root`` argument,
the ``MEDCOURSE_DATA`` environment variable, or the course cache folder
(``pooch.os_cache("medcourse")``). For an offline classroom, fetch the files beforehand with
``python -m medcourse fetch pneumoniamnist …`` or copy them into that folder.

URLs, MD5 checksums, classes and split sizes are those of MedMNIST's own ``medmnist/info.py``
(version 3.0.2, Zenodo record 10519652). Cite MedMNIST and the source dataset when you use them.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from medcourse.data.cache import DATA_ENV as ENVIRONMENT_VARIABLE
from medcourse.data.cache import cache_dir
from medcourse.data.dataset import Dataset
from medcourse.data.generators._common import read_only

#: Where the files are downloaded from (tests point it at an unreachable address).
BASE_URL = "https://zenodo.org/records/10519652/files"
HOMEPAGE = "https://medmnist.com/"
CITATION = (
    "Jiancheng Yang, Rui Shi, Donglai Wei, Zequan Liu, Lin Zhao, Bilian Ke, Hanspeter Pfister, "
    "Bingbing Ni. MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D biomedical image "
    "classification. Scientific Data 10, 41 (2023). Please also cite the source dataset."
)
KEYS = tuple(f"{split}_{kind}" for split in ("train", "val", "test") for kind in ("images", "labels"))
_TASKS = {"multi-class": "multiclass", "binary-class": "binary", "multi-label, binary-class": "multilabel",
          "ordinal-regression": "multiclass"}
_ORGANS = ("bladder", "femur-left", "femur-right", "heart", "kidney-left", "kidney-right", "liver",
           "lung-left", "lung-right", "pancreas", "spleen")


@dataclass(frozen=True)
class MedMNISTInfo:
    """What the course knows about one MedMNIST file (28×28 version)."""

    flag: str
    md5: str
    source_task: str
    classes: tuple[str, ...]
    channels: int
    samples: dict[str, int] = field(default_factory=dict)
    volumetric: bool = False
    licence: str = "CC BY 4.0"
    description: str = ""

    @property
    def task(self) -> str:
        """The medcourse task name (``"binary"``, ``"multiclass"`` or ``"multilabel"``)."""
        return _TASKS[self.source_task]

    @property
    def url(self) -> str:
        return f"{BASE_URL}/{self.flag}.npz?download=1"

    @property
    def image_shape(self) -> tuple[int, ...]:
        if self.volumetric:
            return (28, 28, 28)
        return (28, 28) if self.channels == 1 else (28, 28, self.channels)


def _info(flag, md5, task, classes, channels, train, val, test, description, *, volumetric=False,
          licence="CC BY 4.0"):
    return flag, MedMNISTInfo(flag, md5, task, tuple(classes), channels,
                              {"train": train, "val": val, "test": test}, volumetric, licence, description)


#: Every MedMNIST v3 dataset in its 28×28 (×28) version, by flag.
REGISTRY: dict[str, MedMNISTInfo] = dict([
    _info("pathmnist", "a8b06965200029087d5bd730944a56c1", "multi-class",
          ("adipose", "background", "debris", "lymphocytes", "mucus", "smooth muscle", "normal colon mucosa",
           "cancer-associated stroma", "colorectal adenocarcinoma epithelium"), 3, 89996, 10004, 7180,
          "Colorectal cancer histology patches (H&E, NCT-CRC-HE-100K / CRC-VAL-HE-7K), 9 tissue types."),
    _info("chestmnist", "02c8a6516a18b556561a56cbdd36c4a8", "multi-label, binary-class",
          ("atelectasis", "cardiomegaly", "effusion", "infiltration", "mass", "nodule", "pneumonia",
           "pneumothorax", "consolidation", "edema", "emphysema", "fibrosis", "pleural", "hernia"), 1,
          78468, 11219, 22433, "Frontal chest X-rays (NIH ChestX-ray14), 14 text-mined findings (multi-label)."),
    _info("dermamnist", "0744692d530f8e62ec473284d019b0c7", "multi-class",
          ("actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
           "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
           "vascular lesions"), 3, 7007, 1003, 2005,
          "Dermatoscopic images of pigmented skin lesions (HAM10000), 7 diagnoses.", licence="CC BY-NC 4.0"),
    _info("octmnist", "c68d92d5b585d8d81f7112f81e2d0842", "multi-class",
          ("choroidal neovascularization", "diabetic macular edema", "drusen", "normal"), 1,
          97477, 10832, 1000, "Retinal optical coherence tomography (OCT) B-scans, 4 diagnoses."),
    _info("pneumoniamnist", "28209eda62fecd6e6a2d98b1501bb15f", "binary-class", ("normal", "pneumonia"), 1,
          4708, 524, 624, "Paediatric chest X-rays, pneumonia against normal."),
    _info("retinamnist", "bd4c0672f1bba3e3a89f0e4e876791e4", "ordinal-regression", ("0", "1", "2", "3", "4"), 3,
          1080, 120, 400, "Retina fundus photographs (DeepDRiD), diabetic retinopathy grade 0–4 "
          "(ordinal; loaded as 5 classes)."),
    _info("breastmnist", "750601b1f35ba3300ea97c75c52ff8f6", "binary-class", ("malignant", "normal, benign"), 1,
          546, 78, 156, "Breast ultrasound images, malignant against normal or benign."),
    _info("bloodmnist", "7053d0359d879ad8a5505303e11de1dc", "multi-class",
          ("basophil", "eosinophil", "erythroblast",
           "immature granulocytes (myelocytes, metamyelocytes and promyelocytes)", "lymphocyte", "monocyte",
           "neutrophil", "platelet"), 3, 11959, 1712, 3421,
          "Microscope images of individual normal blood cells, 8 cell types."),
    _info("tissuemnist", "ebe78ee8b05294063de985d821c1c34b", "multi-class",
          ("Collecting Duct, Connecting Tubule", "Distal Convoluted Tubule", "Glomerular endothelial cells",
           "Interstitial endothelial cells", "Leukocytes", "Podocytes", "Proximal Tubule Segments",
           "Thick Ascending Limb"), 1, 165466, 23640, 47280,
          "Human kidney cortex cells (BBBC051), 8 cell types, maximum projection of 7 slices."),
    _info("organamnist", "68e3f8846a6bd62f0c9bf841c0d9eacc", "multi-class", _ORGANS, 1, 34561, 6491, 17778,
          "Axial abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organcmnist", "b9ceb9546e10131b32923c5bbeaea2b1", "multi-class", _ORGANS, 1, 12975, 2392, 8216,
          "Coronal abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organsmnist", "9ab87b696fb54e2a387ebe992d6ed5f1", "multi-class", _ORGANS, 1, 13932, 2452, 8827,
          "Sagittal abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organmnist3d", "a0c5a1ff56af4f155c46d46fbb45a2fe", "multi-class",
          ("liver", "kidney-right", "kidney-left", "femur-right", "femur-left", "bladder", "heart",
           "lung-right", "lung-left", "spleen", "pancreas"), 1, 971, 161, 610,
          "Abdominal CT volumes (LiTS) around 11 organs, 28×28×28.", volumetric=True),
    _info("nodulemnist3d", "8755a7e9e05a4d9ce80a24c3e7a256f3", "binary-class", ("benign", "malignant"), 1,
          1158, 165, 310, "Thoracic CT volumes around lung nodules (LIDC-IDRI), benign against malignant, "
          "1 mm isotropic, 28×28×28.", volumetric=True),
    _info("adrenalmnist3d", "bbd3c5a5576322bc4cdfea780653b1ce", "binary-class", ("normal", "hyperplasia"), 1,
          1188, 98, 298, "3-D shape masks of adrenal glands from CT, normal against mass.", volumetric=True),
    _info("fracturemnist3d", "6aa7b0143a6b42da40027a9dda61302f", "multi-class",
          ("buckle rib fracture", "nondisplaced rib fracture", "displaced rib fracture"), 1, 1027, 103, 240,
          "Chest CT volumes around rib fractures (RibFrac), 3 fracture types.", volumetric=True),
    _info("vesselmnist3d", "b41fd4f7e7e2feedddb201585ecafa1b", "binary-class", ("vessel", "aneurysm"), 1,
          1335, 191, 382, "Voxelised brain-vessel segments from MRA (IntrA), vessel against aneurysm.",
          volumetric=True),
    _info("synapsemnist3d", "1235b78a3cd6280881dd7850a78eadb6", "binary-class",
          ("inhibitory synapse", "excitatory synapse"), 1, 1230, 177, 352,
          "Electron-microscopy volumes of rat synapses, inhibitory against excitatory.", volumetric=True),
])


class MedMNISTError(RuntimeError):
    """A MedMNIST file is missing, unreachable, corrupt or not the expected one."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder MedMNIST files live in: ``root``, else ``$MEDCOURSE_DATA``, else the course cache."""
    return cache_dir(root)


def _registered(flag: str) -> MedMNISTInfo:
    if flag not in REGISTRY:
        raise ValueError(f"flag must be a MedMNIST dataset, one of {sorted(REGISTRY)}, got {flag!r}")
    return REGISTRY[flag]


def file_path(flag: str, root: str | os.PathLike | None = None) -> Path:
    """``<root>/<flag>.npz``: where the file of ``flag`` is (or would be) stored."""
    _registered(flag)
    return data_root(root) / f"{flag}.npz"


def is_cached(flag: str, root: str | os.PathLike | None = None) -> bool:
    """Whether the file of ``flag`` is already on this machine."""
    return file_path(flag, root).is_file()


def _how_to_get(flag: str, path: Path) -> str:
    return (f"Run `python -m medcourse fetch {flag}` on a machine with internet access, or download "
            f"{REGISTRY[flag].url} yourself and place it at {path} (set {ENVIRONMENT_VARIABLE} or pass "
            f"root= to use another folder).")


def md5(path: str | os.PathLike) -> str:
    """MD5 hex digest of a file (read in chunks)."""
    import hashlib

    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(flag: str, root: str | os.PathLike | None = None, *, verify: bool = True,
             timeout: float = 10.0, progressbar: bool = True) -> Path:
    """Download the file of ``flag`` into ``root`` unless it is there; return its path.

    The file is streamed to a temporary name in ``root``, its MD5 is checked, and only then is it
    renamed to ``<flag>.npz``: an interrupted or wrong download leaves nothing behind.
    """
    import pooch
    import requests

    info = _registered(flag)
    path = file_path(flag, root)
    if path.is_file():
        return path
    downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=timeout)
    try:
        pooch.retrieve(info.url, known_hash=f"md5:{info.md5}" if verify else None, fname=path.name,
                       path=path.parent, downloader=downloader)
    except requests.exceptions.RequestException as error:
        raise MedMNISTError(
            f"could not download {flag!r} from {info.url} ({type(error).__name__}): you seem to be offline "
            f"or the server is unreachable. {_how_to_get(flag, path)}"
        ) from None
    except ValueError as error:  # pooch's checksum mismatch
        raise MedMNISTError(
            f"the download of {flag!r} from {info.url} did not have the expected MD5 {info.md5} and was "
            f"discarded ({error}). Try again later; if it persists the upstream file has changed."
        ) from None
    return path


_download = download  # `load` has an argument of the same name


@functools.lru_cache(maxsize=2)
def _read(path: str, modified: int, size: int, flag: str) -> dict[str, np.ndarray]:
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in KEYS if key not in archive.files]
            if missing:
                raise MedMNISTError(f"{path} is not in the MedMNIST layout: it lacks {missing} "
                                    f"(expected the keys {list(KEYS)}, found {sorted(archive.files)})")
            arrays = {key: archive[key] for key in KEYS}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise MedMNISTError(f"{path} is truncated or corrupt and cannot be read ({type(error).__name__}: "
                            f"{error}). Delete it and run `python -m medcourse fetch {flag}`.") from None
    return {key: read_only(value) for key, value in arrays.items()}


def _labels(labels: np.ndarray, info: MedMNISTInfo, split: str, path: Path) -> np.ndarray:
    labels = np.asarray(labels)
    if info.task == "multilabel":
        expected = (len(labels), len(info.classes))
        if labels.shape != expected:
            raise MedMNISTError(f"{path}: {split}_labels must have shape {expected}, got {labels.shape}")
        return read_only(labels.astype(np.int64))
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise MedMNISTError(f"{path}: {split}_labels must have shape (N,) or (N, 1), got {labels.shape}")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= len(info.classes)):
        raise MedMNISTError(f"{path}: {split}_labels must be class indices 0…{len(info.classes) - 1}, "
                            f"got values from {labels.min()} to {labels.max()}")
    return read_only(labels)


def load(flag: str, *, root: str | os.PathLike | None = None, download: bool = True,
         verify: bool = True) -> Dataset:
    """Load MedMNIST dataset ``flag`` as a :class:`~medcourse.data.Dataset` (use :func:`load_dataset`).

    Images are ``uint8``: ``N×28×28`` (grey), ``N×28×28×3`` (colour) or ``N×28×28×28`` for the 3-D
    datasets, whose first image axis is the slice axis, so they can be used as slice sequences
    ``N×T×H×W``. Labels are ``int64`` ``(N,)``, or ``(N, 14)`` 0/1 for ``chestmnist``.
    """
    info = _registered(flag)
    path = file_path(flag, root)
    if not path.is_file():
        if not download:
            raise MedMNISTError(f"{flag!r} is not on this machine (looked for {path}) and download=False. "
                                f"{_how_to_get(flag, path)}")
        _download(flag, root, verify=verify)
    if verify:
        actual = md5(path)
        if actual != info.md5:
            raise MedMNISTError(
                f"{path} has MD5 {actual}, expected {info.md5} for MedMNIST {flag!r}: it is not the "
                f"official file (or it is truncated). Delete it and run `python -m medcourse fetch {flag}`, "
                "or pass verify=False to use your own file in the MedMNIST layout."
            )
    stat = path.stat()
    arrays = _read(str(path), stat.st_mtime_ns, stat.st_size, flag)
    splits = {}
    for split in ("train", "val", "test"):
        images = arrays[f"{split}_images"]
        if images.dtype != np.uint8 or images.ndim not in (3, 4):
            raise MedMNISTError(f"{path}: {split}_images must be uint8 N×H×W, N×H×W×C or N×D×H×W, "
                                f"got {images.dtype} of shape {images.shape}")
        labels = _labels(arrays[f"{split}_labels"], info, split, path)
        if len(images) != len(labels):
            raise MedMNISTError(f"{path}: {split} has {len(images)} images but {len(labels)} labels")
        splits[split] = (images, labels)
    return Dataset(
        name=flag, **splits, classes=info.classes, task=info.task,
        description=f"MedMNIST {flag}: {info.description}", licence=info.licence, citation=CITATION,
        info={"url": info.url, "md5": info.md5, "verified": verify, "path": str(path),
              "volumetric": info.volumetric, "homepage": HOMEPAGE, "source_task": info.source_task},
    )


__all__ = ["BASE_URL", "CITATION", "REGISTRY", "MedMNISTError", "MedMNISTInfo", "data_root", "download",
           "file_path", "is_cached", "load", "md5"]
