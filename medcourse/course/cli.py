"""Command line: ``python -m medcourse doctor | run | fetch | release | site``.

* ``doctor`` checks a machine against the tested environment (an instructor's first step);
* ``run`` executes notebooks headless and reports wall time and peak memory per notebook;
* ``fetch`` downloads MedMNIST files into the cache for an offline classroom;
* ``release`` writes student (no worked solutions) and instructor copies of the notebooks;
* ``site`` renders the executed notebooks into a static website.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse`` and of the ``medcourse`` script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m medcourse",
        description="Deep Learning for Medical Image Analysis: course tools.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("doctor", help="check this machine against the tested environment", add_help=False)
    commands.add_parser("run", help="execute notebooks headless; report time and peak memory", add_help=False)
    commands.add_parser("fetch", help="download MedMNIST files for offline use", add_help=False)
    commands.add_parser("release", help="write student and instructor copies of the notebooks", add_help=False)
    commands.add_parser("site", help="render executed notebooks into a static website", add_help=False)
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "doctor":
        from medcourse.course.doctor import main as doctor_main

        return doctor_main(rest)
    if command == "run":
        from medcourse.course.run import main as run_main

        return run_main(rest)
    if command == "fetch":
        from medcourse.course.fetch import main as fetch_main

        return fetch_main(rest)
    if command == "release":
        from medcourse.course.release import main as release_main

        return release_main(rest)
    if command == "site":
        from medcourse.course.site import main as site_main

        return site_main(rest)
    parser.error(f"COMMAND must be one of doctor, run, fetch, release, site; got {command!r}")
    return 2  # pragma: no cover - parser.error exits


if __name__ == "__main__":
    sys.exit(main())
