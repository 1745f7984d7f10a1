"""Write the course's other environment files from ``requirements.txt``, the one source of its pins.

    python tools/sync_requirements.py          # rewrite the derived files that are out of date
    python tools/sync_requirements.py --check  # exit 1 naming the stale files (tests/test_install.py)

The derived files, each a subset of ``requirements.txt``'s lines, copied with their comments:

* ``requirements-student-pytorch.txt`` and ``requirements-student-tensorflow.txt``: one framework, the
  course's helpers, Jupyter, and no test tools;
* ``environment.yml``: everything, for conda and mamba, with PyTorch's CPU index;
* ``binder/environment.yml``: what Binder needs on top of its own Jupyter server (no test tools, none of
  the server's packages, and not the course's helpers, which ``binder/postBuild`` installs, so that
  Binder rebuilds this layer only when a pin changes).

A package belongs to a framework by its name (:data:`FRAMEWORK_PACKAGES`), to the test tools by its
section (the one headed ``# --- Tests``).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "requirements.txt"

#: PyTorch's index of CPU-only wheels: on Linux, PyPI's torch is the CUDA build (about 2.5 GB more).
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

#: Which pinned packages make up each framework (the names of pyproject.toml's extras).
FRAMEWORK_PACKAGES = {"pytorch": {"torch"}, "tensorflow": {"tensorflow", "tensorflow-cpu", "keras"}}

#: The section of requirements.txt that holds the test tools (left out of every student environment).
TEST_SECTION = "Tests"

#: Packages a Jupyter server (Binder's, a hub's) brings itself: pinning ours would replace the server's own.
SERVER_PACKAGES = {"jupyterlab", "notebook", "ipykernel", "jupyter-server", "nbformat", "nbclient", "nbconvert",
                   "jupyter-server-mathjax"}

#: The Python of the conda and Binder environments (the one CI runs).
PYTHON = "3.11"

GENERATED = "# GENERATED from requirements.txt by `python tools/sync_requirements.py`: edit that file, then run this."


@dataclass(frozen=True)
class Line:
    """One requirement line of requirements.txt: the requirement, its comment, and where it stands."""

    requirement: str  # e.g. 'numpy==2.4.6' or '-e .'
    comment: str      # the inline comment without '#', or ''
    section: str      # the title of the '# --- Title ...' header above it
    header: str       # that header line, verbatim

    @property
    def name(self) -> str | None:
        """The canonical package name, or None for the course's own ``-e .``."""
        if self.requirement.startswith("-e "):
            return None
        return re.sub(r"[-_.]+", "-", re.split(r"[\s;=<>!~\[]", self.requirement, maxsplit=1)[0]).lower()


def read_source(path: Path) -> list[Line]:
    """The requirement lines of ``path`` with their sections; refuses options and includes.

    Options (``--index-url``) and includes (``-r``) are refused: the derived files copy requirement
    lines only, so such a line would be silently lost.
    """
    lines: list[Line] = []
    section, header = "", ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("# ---"):
            header = stripped
            section = stripped.removeprefix("# ---").strip().split(":")[0].rstrip("- ").strip()
            continue
        if not stripped or stripped.startswith("#"):
            continue
        requirement, _, comment = stripped.partition(" #")
        requirement = requirement.strip()
        if requirement.startswith("-") and requirement != "-e .":
            raise ValueError(f"{path.name}, line {number}: only requirements and '-e .' may stand here, "
                             f"got the option {requirement!r} (put index options in the Makefile and "
                             f"in tools/sync_requirements.py)")
        lines.append(Line(requirement, comment.strip(), section, header))
    return lines


def student_lines(lines: list[Line], framework: str) -> list[Line]:
    """A one-framework student environment: no test tools, no other framework.

    The helpers stay a plain ``-e .``: the framework is pinned here already, and the ``[tensorflow]``
    extra would add PyPI's ``tensorflow`` wheel beside the pinned ``tensorflow-cpu`` (two copies of one
    package, 570 MB more).
    """
    if framework not in FRAMEWORK_PACKAGES:
        raise ValueError(f"framework must be one of {sorted(FRAMEWORK_PACKAGES)}, got {framework!r}")
    others = set().union(*(names for key, names in FRAMEWORK_PACKAGES.items() if key != framework))
    return [line for line in lines if line.section != TEST_SECTION and line.name not in others]


def binder_lines(lines: list[Line]) -> list[Line]:
    """What Binder installs on top of its server: both frameworks, no tests, no server packages, no ``-e .``."""
    return [line for line in lines
            if line.section != TEST_SECTION and line.name is not None and line.name not in SERVER_PACKAGES]


def render_requirements(lines: list[Line], preamble: str) -> str:
    """A requirements file: the preamble, then each line under its original section header."""
    out = [GENERATED, "#", *preamble.strip("\n").splitlines()]
    header = None
    for line in lines:
        if line.header != header:
            header = line.header
            out += ["", header]
        out.append(f"{line.requirement:<26} # {line.comment}" if line.comment else line.requirement)
    return "\n".join(out) + "\n"


def render_environment(lines: list[Line], preamble: str, name: str) -> str:
    """A conda environment file whose pip section installs ``lines`` with PyTorch's CPU index."""
    out = [GENERATED, *preamble.strip("\n").splitlines(), f"name: {name}", "channels:", "  - conda-forge",
           "dependencies:", f"  - python={PYTHON}", "  - pip", "  - pip:",
           f"      - --extra-index-url {CPU_TORCH_INDEX}"]
    out += [f"      - {line.requirement}" for line in lines]
    return "\n".join(out) + "\n"


STUDENT_PREAMBLE = """
# The {title}-only student environment: the course's helpers, Jupyter and {title}, without
# {other} and without the test tools. In each notebook's parameters cell set FRAMEWORKS = ["{framework}"].
#   make lab FRAMEWORK={framework}
#   pip install -r requirements-student-{framework}.txt{linux}
"""

ENVIRONMENT_PREAMBLE = """
# The course environment for conda and mamba:  conda env create -f environment.yml
# The same pins as requirements.txt. PyTorch comes from its CPU index (on Linux PyPI's torch is the CUDA
# build, about 2.5 GB more); with an NVIDIA GPU, delete the --extra-index-url line before creating it.
"""

BINDER_PREAMBLE = """
# Binder's environment (repo2docker), cached between commits: it changes only when a pin changes.
# The course's runtime on CPU builds, the pins of requirements.txt, without the test tools and without
# the packages of Binder's own Jupyter server (its JupyterLab, notebook and ipykernel: pinning ours would
# replace them and break its own pins). binder/postBuild installs the course's helpers afterwards.
"""

TITLES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}


def derived_files(root: Path = ROOT) -> dict[Path, str]:
    """Every derived file and the text it should hold, written from ``root``'s requirements.txt."""
    lines = read_source(root / SOURCE)
    files = {}
    for framework, title in TITLES.items():
        other = next(t for f, t in TITLES.items() if f != framework)
        linux = (f"                (Windows, macOS)\n#   pip install -r requirements-student-{framework}.txt "
                 f"--extra-index-url {CPU_TORCH_INDEX}   (Linux)") if framework == "pytorch" else ""
        preamble = STUDENT_PREAMBLE.format(title=title, other=other, framework=framework, linux=linux)
        files[root / f"requirements-student-{framework}.txt"] = render_requirements(
            student_lines(lines, framework), preamble)
    files[root / "environment.yml"] = render_environment(lines, ENVIRONMENT_PREAMBLE, "medcourse")
    files[root / "binder" / "environment.yml"] = render_environment(binder_lines(lines), BINDER_PREAMBLE,
                                                                    "medcourse-binder")
    return files


def stale_files(root: Path = ROOT) -> list[Path]:
    """The derived files whose text differs from what requirements.txt says they should hold."""
    return [path for path, text in derived_files(root).items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    parser.add_argument("--force", action="store_true",
                        help="also replace a file this script did not write (one without its GENERATED line)")
    options = parser.parse_args(argv)
    stale = stale_files()
    if options.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run `python tools/sync_requirements.py`")
        return 1 if stale else 0
    foreign = [path for path in stale if path.is_file() and GENERATED not in path.read_text(encoding="utf-8")]
    if foreign and not options.force:
        names = ", ".join(str(path.relative_to(ROOT)) for path in foreign)
        print(f"{names}: not written by this script (no GENERATED line), so not replaced; "
              "move your edits into requirements.txt, then run again with --force")
        return 1
    texts = derived_files()
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if not stale:
        print("every derived environment file is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
