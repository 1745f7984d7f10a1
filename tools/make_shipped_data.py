"""Build the real data the course ships in ``data/`` from the public originals, reproducibly.

    python tools/make_shipped_data.py --source /path/to/originals          # write data/
    python tools/make_shipped_data.py --source /path/to/originals --check  # rebuild and compare only

``--source`` holds the originals as their publishers distribute them (provenance in data/README.md):

* ``medmnist/<flag>.npz`` and ``<flag>_64.npz`` — copied byte for byte after their MD5 is checked
  against MedMNIST's own ``info.py`` (v3.0.2);
* ``msd_hippocampus/`` (``dataset.json``, ``imagesTr/``, ``labelsTr/``) — derived into
  ``hippocampus/msd_hippocampus_sagittal.npz`` by ``tools/derive_hippocampus.py``;
* ``bccd/`` (``JPEGImages/``, ``Annotations/``, ``ImageSets/Main/``, ``LICENSE``) — derived into
  ``bccd/bccd_160x120.npz`` by ``tools/derive_bccd.py``, its LICENSE copied beside it.

Deterministic: the derived files are NumPy ``.npz`` archives written with fixed timestamps and a
fixed order, so the same originals, zlib and Pillow (libjpeg-turbo) give byte-identical files; with
other library versions the arrays are equal and ``--check`` says whether only the bytes differ.
The script writes only its own outputs, through a temporary file renamed into place; it replaces an
existing output whose content differs only with ``--replace``. It prints each file's size and MD5
(the values recorded in ``medcourse/data/shipped.py`` and ``data/README.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPOSITORY), str(REPOSITORY / "tools")]

import derive_bccd  # noqa: E402
import derive_hippocampus  # noqa: E402

from medcourse.data.shipped import SHIPPED_MD5  # noqa: E402

MEDMNIST_FILES = ("breastmnist.npz", "retinamnist.npz", "adrenalmnist3d.npz", "adrenalmnist3d_64.npz",
                  "vesselmnist3d.npz", "vesselmnist3d_64.npz")
HIPPOCAMPUS = "hippocampus/msd_hippocampus_sagittal.npz"
BCCD = "bccd/bccd_160x120.npz"
BCCD_LICENCE = "bccd/LICENSE"


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive (deflate level 9) with fixed member timestamps: the same arrays, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def md5_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def write(path: Path, data: bytes, *, replace: bool) -> str:
    """Write ``data`` to ``path`` via a temporary file; refuse to change a differing file unless ``replace``."""
    if path.is_file():
        if path.read_bytes() == data:
            return "unchanged"
        if not replace:
            raise SystemExit(f"{path} exists with other content (MD5 {md5_of(path.read_bytes())}, new "
                             f"{md5_of(data)}); pass --replace to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return "written"


def medmnist_files(source: Path) -> dict[str, bytes]:
    """The six official MedMNIST files, each checked against its published MD5."""
    outputs = {}
    for name in MEDMNIST_FILES:
        data = (source / "medmnist" / name).read_bytes()
        expected = SHIPPED_MD5[f"medmnist/{name}"]
        if md5_of(data) != expected:
            raise SystemExit(f"{source / 'medmnist' / name} has MD5 {md5_of(data)}, not the official {expected}")
        outputs[f"medmnist/{name}"] = data
    return outputs


def build(source: Path) -> dict[str, bytes]:
    """Every shipped file, by its path under ``data/``."""
    outputs = medmnist_files(source)
    outputs[HIPPOCAMPUS] = npz_bytes(derive_hippocampus.build(source / "msd_hippocampus"))
    outputs[BCCD] = npz_bytes(derive_bccd.build(source / "bccd"))
    outputs[BCCD_LICENCE] = (source / "bccd" / "LICENSE").read_bytes()
    return outputs


def _same_arrays(first: bytes, second: bytes) -> bool:
    with np.load(io.BytesIO(first), allow_pickle=False) as a, np.load(io.BytesIO(second), allow_pickle=False) as b:
        return a.files == b.files and all(np.array_equal(a[key], b[key]) for key in a.files)


def check(outputs: dict[str, bytes], out: Path) -> int:
    """Compare the rebuilt files with those in ``out``; 0 when every one is byte-identical."""
    status = 0
    for relative, data in outputs.items():
        path = out / relative
        if not path.is_file():
            print(f"MISSING   {relative}")
            status = 1
        elif path.read_bytes() == data:
            print(f"identical {relative}")
        elif relative.endswith(".npz") and _same_arrays(path.read_bytes(), data):
            print(f"same arrays, other bytes (zlib/Pillow version?) {relative}")
            status = max(status, 2)
        else:
            print(f"DIFFERENT {relative}")
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="folder of the original files")
    parser.add_argument("--out", type=Path, default=REPOSITORY / "data", help="where to write (default: data/)")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with --out; write nothing")
    parser.add_argument("--replace", action="store_true", help="replace outputs whose content differs")
    args = parser.parse_args(argv)
    outputs = build(args.source)
    if args.check:
        return check(outputs, args.out)
    total = 0
    for relative, data in outputs.items():
        state = write(args.out / relative, data, replace=args.replace)
        total += len(data)
        print(f"{state:9s} {relative:45s} {len(data):>10,d} B  md5 {md5_of(data)}")
    print(f"total     {'':45s} {total:>10,d} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
