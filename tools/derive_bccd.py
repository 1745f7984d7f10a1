"""Derive the course's BCCD file: blood-smear photographs at 160×120 with cleaned cell boxes.

Used by ``tools/make_shipped_data.py``. What it does, in order:

1. **Images.** Each 640×480 JPEG of ``JPEGImages/`` is decoded, averaged over 4×4 pixel blocks
   (Pillow's BOX filter: an exact area average for this integer factor) to 160×120 RGB and encoded
   again as JPEG (quality 90, optimised Huffman tables). The bytes of all images are stored one after
   another in one uint8 array with an offsets array (no pickle).
2. **Boxes.** Pascal VOC boxes (1-based, inclusive pixel indices) become the course's object layout
   (``row, col, height, width, class`` in pixels of the 160×120 image; see
   ``medcourse/data/objects.py``): a box covering original pixels ``xmin … xmax`` spans the edges
   ``xmin − 1 … xmax``, which scale by ¼.
3. **Cleaning**, by rules (no box is moved or added by hand; every change is recorded in the file):

   * boxes of zero size (``xmax ≤ xmin`` or ``ymax ≤ ymin``: a click, not a cell) are removed
     (BloodImage_00338 and _00343, one RBC each);
   * a box that repeats an earlier box of the same class in the same image (IoU ≥ 0.8; in BCCD these
     are copies shifted by about 2 px) is removed;
   * a class contradicted by the box size is corrected: a "Platelets" box longer than
     :data:`PLATELET_MAX_SIDE` px is a white cell (BloodImage_00133, _00135), a "WBC" box shorter than
     :data:`WBC_MIN_SIDE` px is a platelet (BloodImage_00113). The classes' sizes do not overlap
     otherwise (platelets ≤ 79 px, white cells ≥ 80 px on their longer side);
   * images with fewer than :data:`RBC_MIN_BOXES` RBC boxes have their red cells unannotated though
     the smear is full of them: they are kept, flagged (``rbc_annotated`` false), so that an
     evaluation of the RBC class can leave them out.

   Known and not fixable by a rule: many red cells are not boxed (cells cut by the border, cells in
   clumps), and a few white cells at the border or smeared are not boxed (e.g. BloodImage_00171,
   _00178, _00228, _00327): a detector that finds them is counted wrong, so measured precision is a
   lower bound, most of all for RBC.
4. **Split**: the dataset's own ``ImageSets/Main/{train,val,test}.txt``.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np

from medcourse.data.objects import ObjectLabels

CLASSES = ("RBC", "WBC", "Platelets")
SPLITS = ("train", "val", "test")
ORIGINAL_SIZE = (640, 480)
SIZE = (160, 120)
JPEG_QUALITY = 90
DUPLICATE_IOU = 0.8
PLATELET_MAX_SIDE = 100
WBC_MIN_SIDE = 60
RBC_MIN_BOXES = 3

CITATION = "Shenggan, BCCD Dataset (2017), https://github.com/Shenggan/BCCD_Dataset, MIT licence."


def read_boxes(path: Path) -> list[tuple[str, tuple[int, int, int, int]]]:
    """``(class, (xmin, ymin, xmax, ymax))`` of every object of one VOC annotation file, in file order."""
    root = ElementTree.parse(path).getroot()
    size = (int(root.findtext("size/width")), int(root.findtext("size/height")))
    if size != ORIGINAL_SIZE:
        raise SystemExit(f"{path}: expected a {ORIGINAL_SIZE} image, the annotation says {size}")
    objects = []
    for item in root.findall("object"):
        name = (item.findtext("name") or "").strip()
        if name not in CLASSES:
            raise SystemExit(f"{path}: unknown class {name!r}, expected one of {CLASSES}")
        box = tuple(int(float(item.findtext(f"bndbox/{key}"))) for key in ("xmin", "ymin", "xmax", "ymax"))
        objects.append((name, box))
    return objects


def _iou(a, b) -> float:
    rows = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    cols = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    overlap = rows * cols
    area = lambda box: (box[2] - box[0] + 1) * (box[3] - box[1] + 1)  # noqa: E731
    return overlap / (area(a) + area(b) - overlap)


def clean(name: str, objects: list) -> tuple[list, list]:
    """Apply the cleaning rules to one image: ``(kept objects, [(name, class, box, what was done)])``."""
    kept, changes = [], []
    for kind, box in objects:
        if box[2] <= box[0] or box[3] <= box[1]:
            changes.append((name, kind, box, "removed: zero-size box"))
            continue
        if any(kind == other and _iou(box, earlier) >= DUPLICATE_IOU for other, earlier in kept):
            changes.append((name, kind, box, f"removed: repeats an earlier {kind} box (IoU >= {DUPLICATE_IOU})"))
            continue
        longer = max(box[2] - box[0] + 1, box[3] - box[1] + 1)
        if kind == "Platelets" and longer > PLATELET_MAX_SIDE:
            changes.append((name, kind, box, f"relabelled WBC: a platelet box of {longer} px"))
            kind = "WBC"
        elif kind == "WBC" and longer < WBC_MIN_SIDE:
            changes.append((name, kind, box, f"relabelled Platelets: a white-cell box of {longer} px"))
            kind = "Platelets"
        kept.append((kind, box))
    return kept, changes


def to_objects(objects: list) -> np.ndarray:
    """VOC boxes of the original image → ``(k, 5)`` rows ``row, col, height, width, class`` at 160×120."""
    scale = SIZE[0] / ORIGINAL_SIZE[0]
    rows = []
    for kind, (xmin, ymin, xmax, ymax) in objects:
        left, right = max(xmin - 1, 0) * scale, min(xmax, ORIGINAL_SIZE[0]) * scale
        top, bottom = max(ymin - 1, 0) * scale, min(ymax, ORIGINAL_SIZE[1]) * scale
        rows.append(((top + bottom) / 2 - 0.5, (left + right) / 2 - 0.5, bottom - top, right - left,
                     CLASSES.index(kind)))
    return np.array(rows, dtype=np.float64).reshape(-1, 5)


def _jpeg(path: Path) -> bytes:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").resize(SIZE, Image.Resampling.BOX)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def build(source: Path) -> dict[str, np.ndarray]:
    """Every array of the shipped file, by name (see ``medcourse/data/bccd.py`` for their meaning)."""
    names, codes = [], []
    for code, split in enumerate(SPLITS):
        listed = (source / "ImageSets" / "Main" / f"{split}.txt").read_text().split()
        names += listed
        codes += [code] * len(listed)
    if len(set(names)) != len(names):
        raise SystemExit(f"{source}: an image is listed in two splits")
    jpegs, tables, changes, rbc_annotated = [], [], [], []
    for name in names:
        kept, changed = clean(name, read_boxes(source / "Annotations" / f"{name}.xml"))
        changes += changed
        rbc_annotated.append(sum(kind == "RBC" for kind, _ in kept) >= RBC_MIN_BOXES)
        tables.append(to_objects(kept))
        jpegs.append(np.frombuffer(_jpeg(source / "JPEGImages" / f"{name}.jpg"), dtype=np.uint8))
    return {
        "jpeg": np.concatenate(jpegs),
        "jpeg_offsets": np.concatenate([[0], np.cumsum([len(data) for data in jpegs])]).astype(np.int64),
        "name": np.array(names, dtype="<U16"),
        "split": np.array(codes, dtype=np.int8),
        "rbc_annotated": np.array(rbc_annotated, dtype=bool),
        **ObjectLabels.from_lists(tables).to_arrays("boxes"),
        "class_names": np.array(CLASSES, dtype="<U9"),
        "split_names": np.array(SPLITS, dtype="<U5"),
        "original_size": np.array(ORIGINAL_SIZE, dtype=np.int32),
        "change_image": np.array([change[0] for change in changes], dtype="<U16"),
        "change_class": np.array([change[1] for change in changes], dtype="<U9"),
        "change_box": np.array([change[2] for change in changes], dtype=np.int32).reshape(-1, 4),
        "change": np.array([change[3] for change in changes], dtype="<U64"),
        "licence": np.array((source / "LICENSE").read_text()),
        "citation": np.array(CITATION),
        "derivation": np.array(" ".join((__doc__ or "").split())),
        "format_version": np.array(1, dtype=np.int16),
    }
