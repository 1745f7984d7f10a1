"""`python -m medcourse retarget OWNER/NAME`: a fork's badges, install lines and links, tested on a copy."""

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from medcourse.course import retarget

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = retarget.current_address(ROOT)


def copy_of_the_course(destination: Path) -> Path:
    """The checkout's files as Git sees them (tracked and new), without the virtual environment."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for relative in listed:
        source = ROOT / relative
        if source.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    return destination


@pytest.fixture()
def course(tmp_path):
    return copy_of_the_course(tmp_path / "course")


def install_line(notebook) -> str:
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    return next(line for line in setup.source.splitlines() if "%pip install" in line)


def test_retarget_rewrites_every_copy_of_the_address_in_a_copy_of_the_course(course, capsys):
    before = {path.name: nbformat.read(path, as_version=4) for path in sorted((course / "notebooks").glob("*.ipynb"))}
    assert retarget.main(["teacher/dl-course", "--branch", "spring", "--root", str(course)]) == 0
    assert retarget.current_address(course) == "teacher/dl-course"
    assert 'repository_url = "https://github.com/teacher/dl-course"' in (course / "medcourse/__init__.py").read_text()
    for name, original in before.items():
        notebook = nbformat.read(course / "notebooks" / name, as_version=4)
        nbformat.validate(notebook)
        title = notebook.cells[0].source
        assert f"https://colab.research.google.com/github/teacher/dl-course/blob/spring/notebooks/{name}" in title
        assert f"https://mybinder.org/v2/gh/teacher/dl-course/spring?urlpath=lab/tree/notebooks/{name}" in title
        suffix = install_line(original).split(ORIGINAL, 1)[1]  # what follows the address (a tag) is kept
        assert install_line(notebook) == install_line(original).replace(ORIGINAL, "teacher/dl-course")
        assert install_line(notebook).endswith(suffix)
        assert ORIGINAL not in (course / "notebooks" / name).read_text()
    readme = (course / "README.md").read_text()
    assert ORIGINAL not in readme and ORIGINAL.replace("/", "%2F") not in readme
    assert "repo=https%3A%2F%2Fgithub.com%2Fteacher%2Fdl-course&branch=spring&urlpath=lab%2Ftree%2Fdl-course%2F" in readme
    out = capsys.readouterr().out
    assert "rewrote   pyproject.toml" in out and "left as is" in out  # the data citation credits the original


def test_retargeting_back_restores_every_file_byte_for_byte(course):
    files = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    branch = re.search(r"/blob/([^/]+)/notebooks", (course / "README.md").read_text()).group(1)
    retarget.retarget(course, "teacher/dl-course", "spring")
    retarget.retarget(course, ORIGINAL, branch)
    assert [p for p, data in files.items() if p.read_bytes() != data] == []


def test_retargeting_to_the_same_address_changes_nothing(course):
    assert retarget.retarget(course, ORIGINAL)["changed"] == []


@pytest.mark.parametrize("text, expected", [
    ('%pip install --quiet "medcourse @ git+https://github.com/a/b@v0.1.0"',
     '%pip install --quiet "medcourse @ git+https://github.com/c/d@v0.1.0"'),
    ("see github.com/a/b-extra and github.com/a/b.", "see github.com/a/b-extra and github.com/c/d."),
    ("git clone https://github.com/a/b.git", "git clone https://github.com/c/d.git"),
    ("(https://github.com/a/b/blob/main/README.md)", "(https://github.com/c/d/blob/main/README.md)"),
])
def test_rewrite_links_keeps_suffixes_and_leaves_other_repositories_alone(text, expected):
    assert retarget.rewrite_links(text, "a/b", "c/d") == expected


@pytest.mark.parametrize("address", ["not a repository", "a/b/c", "-a/b", "a/..", ""])
def test_retarget_refuses_a_malformed_address_naming_the_argument(course, address, capsys):
    with pytest.raises(SystemExit):
        retarget.main([address, "--root", str(course)])
    assert "OWNER/NAME" in capsys.readouterr().err


def test_retarget_refuses_a_folder_that_is_not_a_course_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit):
        retarget.main(["teacher/dl-course", "--root", str(tmp_path)])
    assert "--root" in capsys.readouterr().err
