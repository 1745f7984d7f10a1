"""``python -m medcourse release OUT``: the notebooks to hand out, with and without worked solutions.

* ``OUT/student/notebooks/``: every cell tagged ``solution`` keeps its place but its code is replaced
  by a short comment, so the exercise above it stays unanswered (its check prompts, never crashes).
  With ``--no-solutions`` (a graded copy) ``.solution()`` is withheld too and ``.hint()`` still helps;
  ``--repository OWNER/NAME`` points the student copy's Colab and Binder badges at the handout's own
  repository (a graded copy without it has no badges, so none leads to the full course).
* ``OUT/instructor/notebooks/``: the complete notebooks.

Both copies are stored without outputs. Every input is checked before anything is written; the
release is built in a temporary folder beside ``OUT`` and moved in only when it is complete. Files
in ``OUT`` that the release did not write (a student's own notebook) are never touched, and an
existing release is replaced only with ``--force`` (see :mod:`medcourse.course.output`).
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
from pathlib import Path

from medcourse.course.notebook import read_notebook
from medcourse.course.output import OutputFolder
from medcourse.course.paths import repository_root
from medcourse.course.run import default_notebooks

SOLUTION_TAG = "solution"
PLACEHOLDER = (
    "# ✏️ The worked solution is not part of the student version.\n"
    "# Answer in the cell above; call .hint() on the exercise if you are stuck."
)
#: Added to the setup cell of a graded copy: ``Exercise.solution()`` reads this variable.
WITHHOLD_SOLUTIONS = (
    "\n\n# Graded copy (python -m medcourse release --no-solutions): .solution() is withheld, .hint() still helps.\n"
    "import os\n"
    'os.environ["MEDCOURSE_SOLUTIONS"] = "withheld"'
)
FLAVOURS = ("student", "instructor")
_BADGE_LINE = re.compile(r"^.*\]\(https://(colab\.research\.google\.com|mybinder\.org)/[^)]*\).*$\n?", re.M)


def clear_outputs(notebook) -> None:
    """Remove every output and execution count (in place)."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def student_version(notebook, *, solutions: bool = True, repository: str | None = None, branch: str = "main"):
    """A copy of ``notebook`` for students: ``solution`` cells replaced by a placeholder comment.

    ``solutions=False`` also withholds ``.solution()`` (the setup cell sets ``MEDCOURSE_SOLUTIONS``);
    ``repository`` (``owner/name``) points the badges at the handout; a graded copy without it loses
    its badges, so no link leads students to the full course.
    """
    student = copy.deepcopy(notebook)
    clear_outputs(student)
    for cell in student.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            cell.source = PLACEHOLDER
            cell.metadata["tags"] = [t for t in tags if t != SOLUTION_TAG] + ["solution-removed"]
    if not solutions:
        setup = _setup_cell(student)
        if setup is not None:
            setup.source = setup.source.rstrip() + WITHHOLD_SOLUTIONS
    for cell in student.cells:
        if cell.cell_type == "markdown":
            cell.source = _point_badges(cell.source, repository, branch, keep=solutions)
    return student


def _setup_cell(notebook):
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return next((cell for cell in code if "setup" in cell.get("metadata", {}).get("tags", [])),
                code[0] if code else None)


def _point_badges(text: str, repository: str | None, branch: str, *, keep: bool) -> str:
    """Badges pointed at ``repository``; without one, kept (``keep``) or removed."""
    import medcourse
    from medcourse.course.retarget import parse_owner_name, rewrite_links

    if repository is None:
        return text if keep else _BADGE_LINE.sub("", text)
    course = parse_owner_name(medcourse.repository_url)
    return _BADGE_LINE.sub(lambda m: rewrite_links(m.group(0), course, repository, branch), text)


def names_needed_from_solutions(notebook) -> dict[int, set[str]]:
    """Names a later cell reads that only a ``solution`` cell defines (empty when the student copy is safe).

    Returns ``{cell index: names}``. A student version is only runnable if no ordinary cell depends
    on a value computed in a worked solution; the tests assert this for every notebook.
    """
    defined_outside: set[str] = set()
    defined_only_in_solutions: set[str] = set()
    problems: dict[int, set[str]] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assigned, read = _assigned_and_read(cell.source)
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            defined_only_in_solutions |= assigned - defined_outside
            continue
        missing = (read - defined_outside) & defined_only_in_solutions
        if missing:
            problems[index] = missing
        defined_outside |= assigned
        defined_only_in_solutions -= assigned
    return problems


def _assigned_and_read(source: str) -> tuple[set[str], set[str]]:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set(), set()
    assigned, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (assigned if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            assigned.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            assigned |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return assigned, read


def validated_sources(sources: list[Path], out: Path) -> list[tuple[Path, object]]:
    """Every source read and checked before anything is written; all problems raise one ``ValueError``."""
    problems, checked = [], []
    names = [path.name for path in sources]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"two notebooks are named {name}")
    for path in sources:
        if path.resolve().is_relative_to(out.resolve()):
            problems.append(f"{path} is inside OUT ({out}): the release would replace its own source; "
                            "release into another folder")
            continue
        if path.suffix != ".ipynb":
            problems.append(f"{path} is not a .ipynb notebook")
            continue
        try:
            notebook = read_notebook(path)
        except (ValueError, FileNotFoundError) as error:
            problems.append(str(error))
            continue
        clear_outputs(notebook)
        needed = names_needed_from_solutions(notebook)
        if needed:
            details = "; ".join(f"cell {i} reads {sorted(found)}" for i, found in needed.items())
            problems.append(f"{path.name}: the student version would break, later cells use values that "
                            f"only a solution cell defines ({details})")
        checked.append((path, notebook))
    if problems:
        raise ValueError("nothing was released: " + " | ".join(problems))
    return checked


def build_release(out: str | os.PathLike, notebooks: list[Path] | None = None, *, force: bool = False,
                  solutions: bool = True, repository: str | None = None, branch: str = "main"
                  ) -> dict[str, list[Path]]:
    """Write ``out/student/notebooks`` and ``out/instructor/notebooks``; returns the files written.

    Raises ``ValueError`` for a bad input and ``FileExistsError`` for a release already there (without
    ``force``) or for a file in the way; in both cases nothing in ``out`` has changed.
    """
    import nbformat

    from medcourse.course.retarget import parse_owner_name

    out = Path(out)
    repository = parse_owner_name(repository, "--repository") if repository else None
    checked = validated_sources([Path(p) for p in (notebooks or default_notebooks())], out)
    if not checked:
        raise ValueError("no notebooks to release: give paths, or run from the course folder")
    folder = OutputFolder(out, "release", "python -m medcourse release")
    if folder.previous() is not None and not force:
        raise FileExistsError(f"{out} already holds a release: add --force to replace it (files you added "
                              "there, such as a student's own notebooks, are kept)")
    binder = handout_binder(checked[0][1]) if repository else {}
    planned = [f"{flavour}/{name}" for flavour in FLAVOURS
               for name in ["README.md", *(f"notebooks/{path.name}" for path, _ in checked)]]
    planned += [f"student/binder/{name}" for name in binder]
    folder.check(planned)
    staging = folder.stage()
    try:
        for path, notebook in checked:
            student = student_version(notebook, solutions=solutions, repository=repository, branch=branch)
            for flavour, version in (("instructor", notebook), ("student", student)):
                (staging / flavour / "notebooks").mkdir(parents=True, exist_ok=True)
                nbformat.write(version, staging / flavour / "notebooks" / path.name)
        for flavour in FLAVOURS:
            (staging / flavour / "README.md").write_text(_readme(flavour, solutions, repository), encoding="utf-8")
        for name, text in binder.items():
            (staging / "student" / "binder").mkdir(parents=True, exist_ok=True)
            (staging / "student" / "binder" / name).write_text(text, encoding="utf-8")
            if name == "postBuild":
                (staging / "student" / "binder" / name).chmod(0o755)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    folder.commit(staging, planned)
    return {flavour: [out / flavour / "notebooks" / path.name for path, _ in checked] for flavour in FLAVOURS}


def handout_binder(notebook) -> dict[str, str]:
    """``binder/`` files for a handout repository, so its Binder badge opens a working environment.

    The course's own ``binder/environment.yml`` (the cached, CPU-only environment) and a ``postBuild``
    that installs ``medcourse`` from the tag the notebooks' Colab line names: a handout has no package
    of its own to install. Empty when the course checkout has no ``binder/environment.yml``.
    """
    import medcourse

    root = repository_root()
    environment = root / "binder" / "environment.yml" if root else None
    if environment is None or not environment.is_file():
        return {}
    setup = _setup_cell(notebook)
    found = re.search(r'"medcourse @ (git\+[^"\s]+)"', setup.source if setup is not None else "")
    package = found.group(1) if found else f"git+{medcourse.repository_url}@v{medcourse.__version__}"
    post_build = ("#!/bin/bash\n"
                  "# Written by `python -m medcourse release --repository`: a handout has no package of its own,\n"
                  "# so Binder installs the course's helpers at the release these notebooks were written for.\n"
                  "set -euo pipefail\n"
                  f'python -m pip install --no-cache-dir --no-deps "medcourse @ {package}"\n')
    return {"environment.yml": environment.read_text(encoding="utf-8"), "postBuild": post_build}


def _readme(flavour: str, solutions: bool, repository: str | None) -> str:
    if flavour == "instructor":
        what = "complete, with the worked solutions"
    elif solutions:
        what = "without the worked solution cells (`.hint()` and `.solution()` still help)"
    else:
        what = "a graded copy: no worked solutions, and `.solution()` is withheld (`.hint()` still helps)"
    badges = f"The badges open them from `{repository}`." if repository and flavour == "student" else ""
    return (f"# Deep Learning for Medical Image Analysis: notebooks ({flavour} version)\n\n"
            f"These notebooks are {what}. Install the course environment (see the course README), "
            f"then open `notebooks/00_welcome.ipynb`. {badges}\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse release``."""
    parser = argparse.ArgumentParser(
        prog="python -m medcourse release",
        usage="python -m medcourse release OUT [NOTEBOOK ...] [--force] [--no-solutions] "
              "[--repository OWNER/NAME [--branch BRANCH]]",
        description="Write student (without worked solutions) and instructor copies of the notebooks into "
                    "OUT/student/notebooks and OUT/instructor/notebooks.")
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to write student/ and instructor/ into")
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to release (optional; default: all course notebooks)")
    parser.add_argument("--force", action="store_true",
                        help="replace the release already in OUT (files you added there are kept)")
    parser.add_argument("--no-solutions", action="store_true",
                        help="a graded copy: .solution() is withheld in the student notebooks, .hint() stays")
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="GitHub repository the student copy is published in: its badges point there")
    parser.add_argument("--branch", help="branch of --repository the badges open (optional; default main)")
    options = parser.parse_args(argv)
    if options.branch is not None and options.repository is None:
        parser.error("--branch names a branch of --repository: give --repository OWNER/NAME too")
    try:
        written = build_release(options.out, options.notebooks or None, force=options.force,
                                solutions=not options.no_solutions, repository=options.repository,
                                branch=options.branch or "main")
    except (ValueError, FileExistsError, NotADirectoryError) as error:
        parser.error(str(error))
    for flavour, files in written.items():
        print(f"{flavour:<11}{len(files)} notebooks → {options.out / flavour / 'notebooks'}")
    if options.no_solutions and not options.repository:
        print("The graded student copy has no Colab/Binder badges: give --repository OWNER/NAME to add ones "
              "that open the handout.")
    return 0
