"""``python -m medcourse fetch``: put checked MedMNIST files in the data folder ahead of time, or list them.

    python -m medcourse fetch pneumoniamnist breastmnist       # into the course cache
    python -m medcourse fetch pathmnist --root /srv/medcourse   # into a shared folder
    python -m medcourse fetch vesselmnist3d --size 64           # a MedMNIST+ size
    python -m medcourse fetch --list                           # what exists, where, sizes in MB, verified or not

A file already in the folder is checked (MD5); one with the wrong MD5 is moved aside into
``moved-aside/`` (never deleted) and downloaded again. A file the course ships is copied, not downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m medcourse fetch",
        description="Download MedMNIST files for offline use, checked against their MD5 (the generated "
                    "datasets need no download).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="dataset names, e.g. pneumoniamnist")
    parser.add_argument("--root", default=None, metavar="DIR",
                        help="folder to store the files in (default: $MEDCOURSE_DATA or the course cache)")
    parser.add_argument("--size", type=int, default=28, metavar="PIXELS",
                        help="image size: 28 (default), or the MedMNIST+ sizes 64, 128, 224 (3-D sets: 64)")
    parser.add_argument("--list", action="store_true", help="list the datasets: task, image shape, samples, "
                        "size on disk in MB, and whether each file is verified, unverified or corrupt")
    return parser


def _megabytes(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return f"{path.stat().st_size / 1e6:.1f}"
    except OSError:
        return "?"


def _medmnist_rows(root) -> list[tuple[str, ...]]:
    from medcourse.data import medmnist

    rows = []
    for flag, info in medmnist.REGISTRY.items():
        sizes = "/".join(str(n) for n in info.samples.values())
        for size in info.sizes:
            state, path, origin = medmnist.status(flag, root, size=size)
            if size != 28 and state == "missing":
                continue  # the MedMNIST+ sizes are listed once they are on this machine
            label = flag if size == 28 else f"{flag} --size {size}"
            where = {"shipped": "shipped with the course, ", "cache": ""}.get(origin, "")
            shown = "not here" if state == "missing" else f"{where}{state}"
            rows.append((label, info.task, "×".join(map(str, info.image_shape_for(size))), sizes,
                         _megabytes(path), shown))
    return rows


def _listing(root) -> str:
    from medcourse.data import medmnist
    from medcourse.data.catalog import CINE_DEFAULTS, LESIONS_DEFAULTS

    rows = [("name", "task", "image shape", "train/val/test", "MB", "status")]
    for name, task, shape, defaults in (("lesions", "multiclass", "28×28", LESIONS_DEFAULTS),
                                        ("cine", "regression", "20×32×32", CINE_DEFAULTS)):
        sizes = "/".join(str(defaults[f"{split}_size"]) for split in ("train", "val", "test"))
        rows.append((name, task, shape, sizes, "", "generated (always available)"))
    rows += _medmnist_rows(root)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(width) if column == 4 else cell.ljust(width)
                       for column, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.append(f"\nMedMNIST folder: {medmnist.data_root(root)}")
    lines.append("verified: the MD5 is the official one; corrupt: it is not (run fetch NAME to repair); "
                 "unverified: the file cannot be read to check it")
    return "\n".join(lines)


def _fetch_one(name: str, root, size: int) -> int:
    from medcourse.data import medmnist
    from medcourse.data.catalog import EMBEDDED_NAMES

    if name in EMBEDDED_NAMES:
        print(f"{name}: generated on the fly, nothing to download")
        return 0
    try:
        path, action = medmnist.fetch(name, root, size=size)
    except ValueError as error:  # a size this dataset does not come in
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    except medmnist.MedMNISTError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    print(f"{name}: {action}, MD5 checked: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``fetch`` with command-line arguments ``argv`` (without the program name); return the exit code."""
    from medcourse.data import medmnist
    from medcourse.data.catalog import EMBEDDED_NAMES

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["fetch"]:
        argv = argv[1:]
    parser = _parser()
    arguments = parser.parse_intermixed_args(argv)
    if arguments.list:
        print(_listing(arguments.root))
        return 0
    if not arguments.names:
        parser.print_usage(sys.stderr)
        print("give at least one dataset NAME, or --list to see them", file=sys.stderr)
        return 2
    names = [n.lower() for n in arguments.names]
    unknown = [n for n in names if n not in medmnist.REGISTRY and n not in EMBEDDED_NAMES]
    if unknown:
        print(f"unknown dataset name(s) {unknown}; run `python -m medcourse fetch --list` to see them",
              file=sys.stderr)
        return 2
    return max(_fetch_one(name, arguments.root, arguments.size) for name in names)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
