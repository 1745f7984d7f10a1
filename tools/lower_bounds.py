"""Pin every dependency of the package at its declared lower bound: the floors CI tests against.

    python tools/lower_bounds.py                    # numpy==2.0 ... one pin a line (pyproject's dependencies)
    python tools/lower_bounds.py --extra pytorch    # ... and the [pytorch] extra's floors too
    python tools/lower_bounds.py --with-test-tools  # ... and the test tools at requirements.txt's pins

`.ci/run` installs these pins beside the package (``pip install -r floors.txt -e .``) in a side environment
on the oldest supported Python, and runs the framework-free unit tests there, so a floor written in
pyproject.toml is one the code was seen to work with.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]

#: What the framework-free unit tests need beyond the package's dependencies, pinned as in requirements.txt:
#: the test tools, and the lecture site's renderer and its MathJax (``python -m medcourse site``).
TEST_TOOLS = ("pytest", "hypothesis", "nbconvert", "jupyter-server-mathjax")


def floor_pin(dependency: str) -> str:
    """``"numpy>=2.0"`` → ``"numpy==2.0"``; a dependency without a ``>=`` bound is refused by name."""
    requirement = Requirement(dependency)
    floors = [spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
    if len(floors) != 1:
        raise ValueError(f"{dependency!r}: expected exactly one lower bound (>=) to pin, found {len(floors)}")
    marker = f" ; {requirement.marker}" if requirement.marker else ""
    return f"{canonicalize_name(requirement.name)}=={floors[0]}{marker}"


def floor_pins(pyproject: Path, extras: list[str]) -> list[str]:
    """The lower-bound pins of the package's dependencies and of the chosen extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    dependencies = list(project["dependencies"])
    for extra in extras:
        known = project.get("optional-dependencies", {})
        if extra not in known:
            raise ValueError(f"--extra must be one of {sorted(known)}, got {extra!r}")
        dependencies += known[extra]
    return [floor_pin(dependency) for dependency in dependencies]


def test_tool_pins(requirements: Path) -> list[str]:
    """The exact pins of :data:`TEST_TOOLS` in ``requirements``."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = line
    missing = [name for name in TEST_TOOLS if name not in pins]
    if missing:
        raise ValueError(f"{requirements.name} pins no {', '.join(missing)}")
    return [pins[name] for name in TEST_TOOLS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", action="append", default=[], help="an extra of pyproject.toml to add")
    parser.add_argument("--with-test-tools", action="store_true",
                        help=f"add {' and '.join(TEST_TOOLS)} at requirements.txt's pins")
    options = parser.parse_args(argv)
    try:
        pins = floor_pins(ROOT / "pyproject.toml", options.extra)
        if options.with_test_tools:
            pins += test_tool_pins(ROOT / "requirements.txt")
    except ValueError as error:
        parser.error(str(error))
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
