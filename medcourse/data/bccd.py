"""``"bccd"``: real blood-smear photographs with boxes around every red cell, white cell and platelet.

Notebook 06 (detection) trains a heatmap detector on it. The shipped file
``data/bccd/bccd_160x120.npz`` is derived from the BCCD dataset (Shenggan, 2017, MIT licence, its
LICENSE beside the file) by ``tools/derive_bccd.py``:

* **364 photographs** of stained peripheral blood smears (640×480), each block of 4×4 pixels averaged
  to **160×120 RGB** ``uint8``, stored as JPEG bytes (quality 90) and decoded here with Pillow.
* **Boxes** of the classes ``RBC`` (red cells), ``WBC`` (white cells) and ``Platelets`` in the
  course's object layout (:mod:`medcourse.data.objects`: ``row, col, height, width, class`` in pixels
  of the 160×120 image): 4,878 boxes, about 11 RBC, 1 WBC and 1 platelet per image.
* The dataset's **own split**: 205 train, 87 validation, 72 test images.

The annotations are known to be incomplete and partly wrong. The tool cleaned what a rule can fix,
and recorded each change in the file (``info["changes"]``): 2 zero-size boxes and 8 boxes repeating
another of the same class (IoU ≥ 0.8) removed, 3 boxes whose class contradicts their size relabelled
(2 "Platelets" that are white cells, 1 "WBC" that is a platelet). What no rule can fix stays: many
red cells are not boxed — cut by the border, in clumps, and in 15 images not at all
(``info["rbc_annotated"][split]`` is False there) — and a few white cells at the border or smeared
are not boxed either. A correct detection of an unboxed cell counts as a false positive, so the
measured precision (and FROC/CPM, AP) is a lower bound, most of all for RBC; leave the flagged
images out when you score the RBC class.

Examples
--------
>>> data = load()
>>> images, boxes = data.test
>>> images.shape[1:], images.dtype, data.classes
((120, 160, 3), dtype('uint8'), ('RBC', 'WBC', 'Platelets'))
>>> boxes[0].shape[1], len(boxes) == len(images)
(5, True)
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools

import numpy as np

from medcourse.data.arrays import read_only
from medcourse.data.dataset import Dataset
from medcourse.data.objects import ObjectLabels
from medcourse.data.shipped import ShippedDataError, require

FILE = "bccd/bccd_160x120.npz"
CLASSES = ("RBC", "WBC", "Platelets")
SOURCE_URL = "https://github.com/Shenggan/BCCD_Dataset"
LICENCE = "MIT (Copyright (c) 2017 shenggan; data/bccd/LICENSE)"
DESCRIPTION = (
    "Real blood-smear photographs (BCCD, Shenggan 2017) at 160×120 RGB with boxes around red cells (RBC), "
    "white cells (WBC) and platelets; the dataset's own train/val/test split. Red cells are incompletely "
    "annotated (see medcourse.data.bccd). MIT licence."
)
_KEYS = ("jpeg", "jpeg_offsets", "name", "split", "rbc_annotated", "boxes_objects", "boxes_offsets",
         "split_names", "original_size", "change_image", "change_class", "change_box", "change", "licence",
         "citation", "derivation")


def _read(path: str) -> dict[str, np.ndarray]:
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in _KEYS if key not in archive.files]
            if missing:
                raise ShippedDataError(f"{path} lacks {missing}: it is not the course's BCCD file")
            return {key: archive[key] for key in _KEYS}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise ShippedDataError(f"{path} is truncated or corrupt and cannot be read ({type(error).__name__}: "
                               f"{error}); restore it from the repository") from None


def decode_jpegs(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Decode the JPEG images stored back to back in ``data`` (``offsets``: N + 1 positions) into ``N×H×W×3``."""
    from PIL import Image

    images = []
    for start, stop in itertools.pairwise(offsets.tolist()):
        with Image.open(io.BytesIO(data[start:stop].tobytes())) as image:
            images.append(np.asarray(image.convert("RGB")))
    return np.stack(images)


@functools.lru_cache(maxsize=2)
def _dataset(path: str, modified: int, size: int, verify: bool) -> Dataset:
    arrays = _read(path)
    images = decode_jpegs(arrays["jpeg"], arrays["jpeg_offsets"])
    boxes = ObjectLabels.from_arrays(arrays, "boxes")
    splits, names, rbc_annotated = {}, {}, {}
    for code, split in enumerate(str(name) for name in arrays["split_names"]):
        chosen = np.flatnonzero(arrays["split"] == code)
        splits[split] = (read_only(images[chosen]), boxes[chosen])
        names[split] = read_only(arrays["name"][chosen])
        rbc_annotated[split] = read_only(arrays["rbc_annotated"][chosen])
    changes = tuple({"image": str(image), "class": str(kind), "voc_box": tuple(box.tolist()), "change": str(change)}
               for image, kind, box, change in zip(arrays["change_image"], arrays["change_class"],
                                                   arrays["change_box"], arrays["change"], strict=True))
    return Dataset(
        name="bccd", **splits, classes=CLASSES, task="detection", description=DESCRIPTION, licence=LICENCE,
        citation=str(arrays["citation"]),
        info={"image_names": names, "rbc_annotated": rbc_annotated, "changes": changes,
              "original_size": tuple(int(value) for value in arrays["original_size"]),
              "scale": images.shape[2] / int(arrays["original_size"][0]),
              "objects": "row, col, height, width, class (pixels of the 160×120 image)",
              "licence_text": str(arrays["licence"]), "derivation": str(arrays["derivation"]),
              "source": SOURCE_URL, "path": path, "verified": verify},
    )


def load(*, verify: bool = True) -> Dataset:
    """The shipped BCCD smears as a detection :class:`~medcourse.data.Dataset` (use ``load_dataset("bccd")``).

    ``info["image_names"][split]`` gives each image's BCCD name, ``info["rbc_annotated"][split]``
    whether its red cells were annotated at all, ``info["changes"]`` what the cleaning changed.
    """
    path = require(FILE, verify=verify)
    stat = path.stat()
    dataset = _dataset(str(path), stat.st_mtime_ns, stat.st_size, verify)
    info = {key: dict(value) if isinstance(value, dict) else value for key, value in dataset.info.items()}
    return dataclasses.replace(dataset, info=info)


__all__ = ["CLASSES", "DESCRIPTION", "FILE", "decode_jpegs", "load"]
