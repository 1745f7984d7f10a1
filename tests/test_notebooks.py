"""Notebook hygiene: every notebook follows the course's anatomy and is stored clean.

nbval executes the notebooks themselves (they are collected from notebooks/ by the same pytest run).
"""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

import medcourse

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPOSITORY = medcourse.repository_url
OWNER_AND_NAME = REPOSITORY.removeprefix("https://github.com/")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
FRAMEWORK_IMPORT = re.compile(r"^\s*(import (tensorflow|torch|keras)|from (tensorflow|torch|keras)[ .]"
                              r"|import medcourse\.(pytorch|tensorflow)|from medcourse\.(pytorch|tensorflow)"
                              r"|from medcourse import (pytorch|tensorflow))", re.M)


def load(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.get("metadata", {}).get("tags", [])]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook_path(request):
    return request.param


def test_name_is_numbered_snake_case(notebook_path):
    assert re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb", notebook_path.name)


def test_stored_without_outputs_or_execution_counts(notebook_path):
    for index, cell in enumerate(code_cells(load(notebook_path))):
        assert cell.outputs == [], f"cell {index} has outputs: clear them before committing"
        assert cell.execution_count is None, f"cell {index} has an execution count"


def test_kernelspec_is_python3(notebook_path):
    assert load(notebook_path).metadata["kernelspec"]["name"] == "python3"


def test_title_cell_has_number_badges_prerequisites_and_run_time(notebook_path):
    title = load(notebook_path).cells[0]
    name = notebook_path.name
    assert title.cell_type == "markdown"
    assert title.source.startswith(f"# {name[:2]} · ")
    colab = f"https://colab.research.google.com/github/{OWNER_AND_NAME}/blob/main/notebooks/{name}"
    binder = f"https://mybinder.org/v2/gh/{OWNER_AND_NAME}/main?urlpath=lab/tree/notebooks/{name}"
    assert colab in title.source, f"Colab badge must link to {colab}"
    assert binder in title.source, f"Binder badge must link to {binder}"
    assert "**Prerequisites:**" in title.source and "**Run time:**" in title.source


def test_every_link_to_the_repository_uses_the_one_address(notebook_path):
    text = notebook_path.read_text()
    for owner_and_name in re.findall(r"(?:github|gh)/([\w.-]+/[\w.-]+?)(?:/blob|/main|\"|\))", text):
        assert owner_and_name == OWNER_AND_NAME


def test_setup_cell_comes_first_and_installs_the_release_only_on_colab(notebook_path):
    setup = code_cells(load(notebook_path))[0]
    assert "setup" in setup.metadata.get("tags", [])
    assert 'if "google.colab" in sys.modules:' in setup.source
    assert f'%pip install --quiet "medcourse @ git+{REPOSITORY}@v{VERSION}"' in setup.source, \
        f"the Colab line installs the release tag v{VERSION} (pyproject's version), never a moving branch"
    assert not re.search(r"pip install[^\n]*(tensorflow|torch|numpy)", setup.source), "never reinstall those"
    assert "import medcourse" in setup.source


def test_frameworks_are_imported_only_when_chosen_and_their_cells_are_marked(notebook_path):
    notebook = load(notebook_path)
    cells = code_cells(notebook)
    assert not FRAMEWORK_IMPORT.search(cells[0].source), "the setup cell imports no framework"
    uses_frameworks = any(FRAMEWORK_IMPORT.search(cell.source) for cell in cells)
    if not uses_frameworks:
        return
    assert "%load_ext medcourse.frameworks" in cells[0].source
    assert re.search(r"^FRAMEWORKS = ", tagged(notebook, "parameters")[0].source, re.M)
    importing = cells[2].source
    assert "FRAMEWORKS = check_frameworks(FRAMEWORKS)" in importing
    assert 'if "tensorflow" in FRAMEWORKS:' in importing and 'if "pytorch" in FRAMEWORKS:' in importing
    for cell in cells[3:]:
        assert not FRAMEWORK_IMPORT.search(cell.source), "frameworks are imported in the cell after the parameters"


def test_exactly_one_parameters_cell_then_the_seed_call(notebook_path):
    notebook = load(notebook_path)
    parameters = tagged(notebook, "parameters")
    assert len(parameters) == 1
    assert re.search(r"^SEED = \d+", parameters[0].source, re.MULTILINE)
    cells = code_cells(notebook)
    position = cells.index(parameters[0])
    assert position == 1, "the parameters cell comes right after the setup cell"
    assert "medcourse.seed_everything(SEED)" in cells[position + 1].source


def test_exercises_have_worked_solutions_tagged_solution(notebook_path):
    notebook = load(notebook_path)
    uses_exercises = any("from medcourse.exercises import" in cell.source for cell in code_cells(notebook))
    solutions = tagged(notebook, "solution")
    if uses_exercises:
        assert solutions, "a notebook with exercises tags its worked solutions 'solution'"
        for cell in solutions:
            assert ".check(" in cell.source, "a solution cell shows that its answer passes the check"


#: The most lines of code (not counting blanks and comments) one code cell may hold: a cell is one idea.
MAX_CODE_LINES = 30


def test_every_code_cell_is_short_enough_to_read_as_one_idea(notebook_path):
    too_long = {}
    for index, cell in enumerate(load(notebook_path).cells):
        if cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            if len(lines) > MAX_CODE_LINES:
                too_long[index] = len(lines)
    assert not too_long, f"cells over {MAX_CODE_LINES} lines of code (index: lines): {too_long}; split them"


def test_ends_with_a_summary(notebook_path):
    assert load(notebook_path).cells[-1].source.startswith("## Summary")


def test_listed_in_the_readme_course_map(notebook_path):
    readme = (ROOT / "README.md").read_text()
    row = re.compile(rf"^\| {notebook_path.name[:2]} \| \[[^\]]+\]\(notebooks/{re.escape(notebook_path.name)}\) \|", re.M)
    assert row.search(readme), f"README's course map has no row for {notebook_path.name}"


def test_the_notebooks_folder_holds_only_course_notebooks():
    stray = [p.name for p in (ROOT / "notebooks").iterdir()
             if not p.name.startswith(".") and not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name)]
    assert stray == [], f"unexpected files in notebooks/: {stray}"
