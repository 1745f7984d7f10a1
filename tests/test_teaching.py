"""Teaching operations: the student release, the lecture site, Colab and Binder readiness."""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from medcourse.course import release, site
from medcourse.course.run import default_notebooks, run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = default_notebooks()

# What Google Colab ships (checked 2026-11; update when Colab moves). medcourse must install there
# without touching these: its requirements are lower bounds that these versions already satisfy.
COLAB = {"python": "3.13", "tensorflow": "2.20.0", "torch": "2.11.0", "numpy": "2.1.3", "ipywidgets": "7.7.1",
         "scipy": "1.16.3", "matplotlib": "3.10.0", "scikit-learn": "1.6.1", "scikit-image": "0.25.2",
         "tqdm": "4.67.1", "psutil": "5.9.5", "nibabel": "5.3.2", "pooch": "1.8.2", "nbformat": "5.10.4",
         "nbclient": "0.10.2", "packaging": "24.2"}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    return out, release.build_release(out, NOTEBOOKS)


def test_release_writes_a_student_and_an_instructor_copy_of_every_notebook(released):
    out, written = released
    assert [p.name for p in written["student"]] == [p.name for p in NOTEBOOKS]
    assert [p.name for p in written["instructor"]] == [p.name for p in NOTEBOOKS]
    assert (out / "student" / "README.md").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_worked_solution_survives_in_the_student_copy(released, path):
    out, _ = released
    original = nbformat.read(path, as_version=4)
    student = nbformat.read(out / "student" / "notebooks" / path.name, as_version=4)
    instructor = nbformat.read(out / "instructor" / "notebooks" / path.name, as_version=4)
    solutions = [c.source for c in original.cells if "solution" in c.metadata.get("tags", [])]
    student_sources = [c.source for c in student.cells]
    for source in solutions:
        assert source not in student_sources
    assert student_sources.count(release.PLACEHOLDER) == len(solutions)
    assert [c.source for c in instructor.cells] == [c.source for c in original.cells]
    assert all(not c.get("outputs") for c in student.cells + instructor.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_cell_depends_on_a_value_only_a_solution_computes(path):
    assert release.names_needed_from_solutions(nbformat.read(path, as_version=4)) == {}


def test_a_notebook_whose_later_cell_needs_a_solution_is_refused(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("print(answer * 2)"),
    ])
    assert release.names_needed_from_solutions(notebook) == {1: {"answer"}}
    path = tmp_path / "00_bad.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(ValueError, match="student version would break"):
        release.build_release(tmp_path / "out", [path])


def test_the_student_copy_of_the_welcome_notebook_runs_to_the_end(released):
    out, _ = released
    result = run_notebook(out / "student" / "notebooks" / "00_welcome.ipynb", parameters={"CHECK_FRAMEWORKS": False})
    assert result.ok, result.error


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    executed = tmp_path_factory.mktemp("executed")
    first = NOTEBOOKS[0]
    result = run_notebook(first, output=executed / first.name, parameters={"CHECK_FRAMEWORKS": False})
    assert result.ok, result.error
    out = tmp_path_factory.mktemp("site")
    pages = site.build_site(out, NOTEBOOKS[:1], executed=executed)
    return out, pages


def test_site_page_holds_the_figures_and_launch_links(built_site):
    _, pages = built_site
    page = pages[0].read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) >= 2
    for url in site.launch_links(NOTEBOOKS[0].name).values():
        assert f'href="{url}"' in page
    assert 'href="index.html"' in page
    assert "Hounsfield" in page


def test_site_index_lists_every_page_with_its_title(built_site):
    out, pages = built_site
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f'href="{page.name}"' in index
    assert "00 · Welcome" in index
    assert "**" not in index and "<strong>TensorFlow (Keras)</strong>" in index  # the promise is rendered Markdown


def test_site_navigation_links_neighbouring_lectures(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 05 · Test\n\nA promise.")])
    page = site.render_page(notebook, "07_test.ipynb", "04_a.html", "06_b.html")
    assert 'href="04_a.html" rel="prev"' in page and 'href="06_b.html" rel="next"' in page
    assert site.title_and_promise(notebook) == ("05 · Test", "A promise.")


def test_medcourse_installs_on_colab_without_changing_what_colab_ships():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert Requirement(f"x{project['requires-python']}").specifier.contains(COLAB["python"] + ".0")
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = requirement.name.lower()
        assert name not in ("tensorflow", "torch", "numpy") or requirement.specifier.contains(COLAB[name])
        if name in COLAB:
            assert requirement.specifier.contains(Version(COLAB[name])), (
                f"{dependency} would make pip replace Colab's {name} {COLAB[name]}")


def test_readme_course_map_lists_every_notebook_under_binders_memory_limit():
    readme = (ROOT / "README.md").read_text()
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^\| \d\d \| \[[^\]]+\]\(notebooks/(\S+?\.ipynb)\) \|.*?\| ([\d,.]+) MiB \|", readme, re.M)}
    assert set(rows) == {p.name for p in NOTEBOOKS}
    for name, peak in rows.items():
        assert float(peak.replace(",", "")) < 2048, f"{name} needs {peak} MiB: over Binder's 2 GB"
