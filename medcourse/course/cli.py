"""Command line: ``python -m medcourse doctor | run | fetch | release | site | retarget``.

* ``doctor`` checks a machine against the tested environment (an instructor's first step);
* ``run`` executes notebooks headless and reports wall time and peak memory per notebook;
* ``fetch`` downloads MedMNIST files into the cache for an offline classroom;
* ``release`` writes student (no worked solutions) and instructor copies of the notebooks;
* ``site`` renders the executed notebooks into a static website that works offline;
* ``retarget`` points badges, install lines and links at a fork of the course.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Each command, the module whose ``main(argv)`` runs it, and its one-line help (plain text: argparse prints it).
COMMANDS = {
    "doctor": ("medcourse.course.doctor", "check this machine against the tested environment"),
    "run": ("medcourse.course.run", "execute notebooks headless; report time and peak memory"),
    "fetch": ("medcourse.course.fetch", "download MedMNIST files for offline use"),
    "release": ("medcourse.course.release", "write student and instructor copies of the notebooks"),
    "site": ("medcourse.course.site", "render executed notebooks into a static website that works offline"),
    "retarget": ("medcourse.course.retarget", "point badges, install lines and links at a fork of the course"),
}


def _parser() -> argparse.ArgumentParser:
    import medcourse

    parser = argparse.ArgumentParser(
        prog="python -m medcourse",
        description="Deep Learning for Medical Image Analysis: course tools. "
                    "Run 'python -m medcourse COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"medcourse {medcourse.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, text) in COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse`` and of the ``medcourse`` script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv or argv[0] in ("-h", "--help", "--version"):
        if argv and argv[0] == "--version":
            parser.parse_args(argv)  # prints the version and exits 0
        parser.print_help()
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        parser.error(f"COMMAND must be one of {', '.join(COMMANDS)}; got {command!r}")
    return importlib.import_module(COMMANDS[command][0]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
