"""``python -m medcourse release OUT``: the notebooks to hand out, with and without worked solutions.

* ``OUT/student/``: every cell tagged ``solution`` keeps its place but its code is replaced by a short
  comment, so the exercise above it stays unanswered (its check prompts, never crashes);
* ``OUT/instructor/``: the complete notebooks.

Both copies are stored without outputs, ready to upload to a hub, an LMS or a repository of their own.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
from pathlib import Path

from medcourse.course.run import default_notebooks

SOLUTION_TAG = "solution"
PLACEHOLDER = (
    "# ✏️ The worked solution is not part of the student version.\n"
    "# Answer in the cell above; call .hint() on the exercise if you are stuck."
)


def clear_outputs(notebook) -> None:
    """Remove every output and execution count (in place)."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def student_version(notebook):
    """A copy of ``notebook`` with each ``solution`` cell's code replaced by a placeholder comment."""
    import copy

    student = copy.deepcopy(notebook)
    clear_outputs(student)
    for cell in student.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            cell.source = PLACEHOLDER
            cell.metadata["tags"] = [t for t in tags if t != SOLUTION_TAG] + ["solution-removed"]
    return student


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


def build_release(out: str | os.PathLike, notebooks: list[Path] | None = None) -> dict[str, list[Path]]:
    """Write ``out/student/notebooks`` and ``out/instructor/notebooks``; returns the files written."""
    import nbformat

    out = Path(out)
    notebooks = notebooks or default_notebooks()
    if not notebooks:
        raise ValueError("no notebooks to release: give paths, or run from the course folder")
    written: dict[str, list[Path]] = {"student": [], "instructor": []}
    for flavour in written:
        folder = out / flavour / "notebooks"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        clear_outputs(notebook)
        problems = names_needed_from_solutions(notebook)
        if problems:
            details = "; ".join(f"cell {i} reads {sorted(names)}" for i, names in problems.items())
            raise ValueError(f"{path.name}: the student version would break, later cells use values that "
                             f"only a solution cell defines ({details})")
        for flavour, version in (("instructor", notebook), ("student", student_version(notebook))):
            target = out / flavour / "notebooks" / path.name
            nbformat.write(version, target)
            written[flavour].append(target)
    for flavour, text in (("student", "without worked solutions"), ("instructor", "complete, with solutions")):
        (out / flavour / "README.md").write_text(
            f"# Deep Learning for Medical Image Analysis: notebooks ({flavour} version)\n\n"
            f"These notebooks are {text}. Install the course environment (see the course README), "
            "then open `notebooks/00_welcome.ipynb`.\n")
    return written


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse release``."""
    parser = argparse.ArgumentParser(prog="python -m medcourse release", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write student/ and instructor/ into")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to release (default: all)")
    options = parser.parse_args(argv)
    written = build_release(options.out, options.notebooks or None)
    for flavour, files in written.items():
        print(f"{flavour:<11}{len(files)} notebooks → {options.out / flavour / 'notebooks'}")
    return 0
