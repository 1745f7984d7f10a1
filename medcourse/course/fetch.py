"""``python -m medcourse fetch``: download course datasets ahead of time, or list what exists.

    python -m medcourse fetch pneumoniamnist breastmnist      # into the course cache
    python -m medcourse fetch pathmnist --root /srv/medcourse  # into a shared folder
    python -m medcourse fetch --list                          # what exists, and what is cached
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m medcourse fetch",
        description="Download MedMNIST files for offline use (the embedded datasets need no download).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="dataset names, e.g. pneumoniamnist")
    parser.add_argument("--root", default=None, metavar="DIR",
                        help="folder to store the files in (default: $MEDCOURSE_DATA or the course cache)")
    parser.add_argument("--list", action="store_true", help="list the datasets, their task and size, and "
                        "whether they are on this machine")
    return parser


def _listing(root) -> str:
    from medcourse.data import medmnist
    from medcourse.data.catalog import CINE_DEFAULTS, LESIONS_DEFAULTS

    rows = [("name", "task", "image shape", "train/val/test", "status")]
    for name, task, shape, defaults in (("lesions", "multiclass", "28×28", LESIONS_DEFAULTS),
                                        ("cine", "regression", "20×32×32", CINE_DEFAULTS)):
        sizes = "/".join(str(defaults[f"{split}_size"]) for split in ("train", "val", "test"))
        rows.append((name, task, shape, sizes, "generated (always available)"))
    for flag, info in medmnist.REGISTRY.items():
        sizes = "/".join(str(n) for n in info.samples.values())
        status = "cached" if medmnist.is_cached(flag, root) else "not cached"
        rows.append((flag, info.task, "×".join(map(str, info.image_shape)), sizes, status))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.append(f"\nMedMNIST folder: {medmnist.data_root(root)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``fetch`` with command-line arguments ``argv`` (without the program name); return the exit code."""
    from medcourse.data import medmnist
    from medcourse.data.catalog import EMBEDDED_NAMES

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["fetch"]:
        argv = argv[1:]
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.list:
        print(_listing(arguments.root))
        return 0
    if not arguments.names:
        parser.print_usage(sys.stderr)
        print("give at least one dataset NAME, or --list to see them", file=sys.stderr)
        return 2
    unknown = [n for n in arguments.names if n.lower() not in medmnist.REGISTRY and n.lower() not in EMBEDDED_NAMES]
    if unknown:
        print(f"unknown dataset name(s) {unknown}; run `python -m medcourse fetch --list` to see them",
              file=sys.stderr)
        return 2
    status = 0
    for name in (n.lower() for n in arguments.names):
        if name in EMBEDDED_NAMES:
            print(f"{name}: generated on the fly, nothing to download")
            continue
        try:
            already = medmnist.is_cached(name, arguments.root)
            path = medmnist.download(name, arguments.root)
            medmnist.load(name, root=arguments.root, download=False, verify=True)
        except medmnist.MedMNISTError as error:
            print(f"{name}: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {'already there' if already else 'downloaded'}, MD5 checked: {path}")
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
