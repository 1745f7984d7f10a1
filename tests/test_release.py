"""`python -m medcourse release`: validates first, builds aside, never loses a file it did not write."""

import json

import nbformat
import pytest

import medcourse
from medcourse.course import release
from medcourse.course.run import run_notebook

COURSE = medcourse.repository_url.removeprefix("https://github.com/")


def make_notebook(path, *, solution="answer = 42\nex.q1.check(answer)"):
    title = (f"# 0{path.name[1]} · A test lecture\n\n"
             f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
             f"(https://colab.research.google.com/github/{COURSE}/blob/main/notebooks/{path.name})\n"
             f"[![Binder](https://mybinder.org/badge_logo.svg)]"
             f"(https://mybinder.org/v2/gh/{COURSE}/main?urlpath=lab/tree/notebooks/{path.name})\n\n"
             f"A promise. The [course]({medcourse.repository_url}) has more.")
    cells = [nbformat.v4.new_markdown_cell(title),
             nbformat.v4.new_code_cell("import sys\nfrom medcourse.exercises import nb04 as ex", metadata={"tags": ["setup"]}),
             nbformat.v4.new_code_cell("answer = None\nex.q1.check(answer)"),
             nbformat.v4.new_code_cell(solution, metadata={"tags": ["solution"]}),
             nbformat.v4.new_code_cell("ex.q1.hint()\nex.q1.solution()")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture()
def sources(tmp_path):
    return [make_notebook(tmp_path / "course" / "00_a.ipynb"), make_notebook(tmp_path / "course" / "01_b.ipynb")]


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_release_writes_both_copies_and_a_manifest_of_what_it_wrote(tmp_path, sources):
    out = tmp_path / "handout"
    written = release.build_release(out, sources)
    assert [p.name for p in written["student"]] == ["00_a.ipynb", "01_b.ipynb"]
    manifest = json.loads((out / ".medcourse-release.json").read_text())
    assert sorted(manifest["files"]) == ["instructor/README.md", "instructor/notebooks/00_a.ipynb",
                                         "instructor/notebooks/01_b.ipynb", "student/README.md",
                                         "student/notebooks/00_a.ipynb", "student/notebooks/01_b.ipynb"]
    assert {p.name for p in tmp_path.iterdir()} == {"course", "handout"}  # no staging folder left behind


def test_release_into_the_folder_holding_its_sources_refuses_and_deletes_nothing(tmp_path, sources):
    """`release . instructor/notebooks/*.ipynb` used to delete its own master copies."""
    out = tmp_path / "handout"
    release.build_release(out, sources)
    masters = sorted((out / "instructor" / "notebooks").glob("*.ipynb"))
    before = snapshot(out)
    with pytest.raises(ValueError, match="inside OUT"):
        release.build_release(out, masters, force=True)
    with pytest.raises(ValueError, match="inside OUT"):
        release.build_release(out.parent, [out / "instructor" / "notebooks" / "00_a.ipynb"], force=True)
    assert snapshot(out) == before


def test_a_students_own_notebook_in_the_release_survives_a_new_release(tmp_path, sources):
    out = tmp_path / "handout"
    release.build_release(out, sources)
    homework = out / "student" / "notebooks" / "my_homework.ipynb"
    homework.write_text("my work")
    release.build_release(out, sources[:1], force=True)
    assert homework.read_text() == "my work"
    assert not (out / "student" / "notebooks" / "01_b.ipynb").exists()  # its own stale file goes
    assert (out / "student" / "notebooks" / "00_a.ipynb").is_file()


def test_an_existing_release_is_replaced_only_with_force(tmp_path, sources, capsys):
    out = tmp_path / "handout"
    release.build_release(out, sources)
    with pytest.raises(FileExistsError, match="--force"):
        release.build_release(out, sources)
    with pytest.raises(SystemExit):
        release.main([str(out), *map(str, sources)])
    assert "--force" in capsys.readouterr().err
    assert release.main([str(out), *map(str, sources), "--force"]) == 0


def test_a_failed_release_leaves_the_previous_one_intact(tmp_path, sources):
    out = tmp_path / "handout"
    release.build_release(out, sources)
    before = snapshot(out)
    broken = make_notebook(tmp_path / "course" / "02_c.ipynb", solution="value = 1")
    (broken.parent / "02_c.ipynb").write_text(broken.read_text().replace('"ex.q1.hint()', '"print(value)\\nex.q1.hint()'))
    not_json = tmp_path / "course" / "03_d.ipynb"
    not_json.write_text("{ not JSON")
    with pytest.raises(ValueError) as raised:
        release.build_release(out, [*sources, broken, not_json, tmp_path / "missing.ipynb"], force=True)
    message = str(raised.value)
    assert "02_c.ipynb" in message and "03_d.ipynb" in message and "missing.ipynb" in message  # all at once
    assert snapshot(out) == before
    assert {p.name for p in tmp_path.iterdir()} == {"course", "handout"}


def test_a_file_in_the_way_that_the_release_did_not_write_is_refused(tmp_path, sources):
    out = tmp_path / "handout"
    (out / "student" / "notebooks").mkdir(parents=True)
    (out / "student" / "notebooks" / "00_a.ipynb").write_text("a student's own file of that name")
    with pytest.raises(FileExistsError, match="not written by"):
        release.build_release(out, sources, force=True)
    assert (out / "student" / "notebooks" / "00_a.ipynb").read_text() == "a student's own file of that name"
    assert not (out / "instructor").exists()


def test_a_released_file_changed_afterwards_is_not_overwritten(tmp_path, sources):
    out = tmp_path / "handout"
    release.build_release(out, sources)
    edited = out / "student" / "notebooks" / "00_a.ipynb"
    edited.write_text(edited.read_text().replace("A promise.", "An instructor's edit."))
    with pytest.raises(FileExistsError, match="changed after"):
        release.build_release(out, sources, force=True)
    assert "An instructor's edit." in edited.read_text()


def test_the_student_copy_keeps_the_course_badges_by_default(tmp_path, sources):
    release.build_release(tmp_path / "out", sources)
    title = nbformat.read(tmp_path / "out" / "student" / "notebooks" / "00_a.ipynb", as_version=4).cells[0].source
    assert f"github/{COURSE}/blob/main/notebooks/00_a.ipynb" in title


def test_a_graded_copy_points_its_badges_at_the_handout(tmp_path, sources):
    release.build_release(tmp_path / "out", sources, solutions=False, repository="teacher/handout", branch="spring")
    student = nbformat.read(tmp_path / "out" / "student" / "notebooks" / "00_a.ipynb", as_version=4)
    title = student.cells[0].source
    assert "https://colab.research.google.com/github/teacher/handout/blob/spring/notebooks/00_a.ipynb" in title
    assert "https://mybinder.org/v2/gh/teacher/handout/spring?urlpath=lab/tree/notebooks/00_a.ipynb" in title
    assert f"colab.research.google.com/github/{COURSE}" not in title and f"gh/{COURSE}" not in title
    instructor = nbformat.read(tmp_path / "out" / "instructor" / "notebooks" / "00_a.ipynb", as_version=4)
    assert f"github/{COURSE}/blob/main" in instructor.cells[0].source  # the instructor copy is unchanged


def test_a_graded_copy_without_a_handout_address_has_no_badge_to_the_full_course(tmp_path, sources, capsys):
    assert release.main([str(tmp_path / "out"), *map(str, sources), "--no-solutions"]) == 0
    title = nbformat.read(tmp_path / "out" / "student" / "notebooks" / "00_a.ipynb", as_version=4).cells[0].source
    assert "colab.research.google.com/github" not in title and "mybinder.org/v2" not in title
    assert title.startswith("# 00 · A test lecture") and "A promise." in title
    assert "--repository" in capsys.readouterr().out


def test_in_a_graded_copy_solution_is_withheld_and_the_hint_stays(tmp_path, sources):
    release.build_release(tmp_path / "out", sources[:1], solutions=False)
    student = tmp_path / "out" / "student" / "notebooks" / "00_a.ipynb"
    executed = tmp_path / "executed.ipynb"
    assert run_notebook(student, output=executed).ok
    last = nbformat.read(executed, as_version=4).cells[-1]
    shown = " ".join(str(output.get("data", {}).get("text/markdown", output.get("text", ""))) for output in last.outputs)
    from medcourse.exercises import nb04

    assert "withheld" in shown and nb04.q1.hint_text[:30] in shown
    assert nb04.q1.solution_text[:30] not in shown


def test_solution_is_withheld_where_the_environment_says_so(monkeypatch, capsys):
    from medcourse.exercises import nb04

    monkeypatch.setenv("MEDCOURSE_SOLUTIONS", "withheld")
    nb04.q1.solution()
    nb04.q1.hint()
    out = capsys.readouterr().out
    assert "withheld" in out and nb04.q1.solution_text[:30] not in out and nb04.q1.hint_text[:30] in out
    monkeypatch.delenv("MEDCOURSE_SOLUTIONS")
    nb04.q1.solution()
    assert nb04.q1.solution_text[:30] in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["not an address", "a/b/c"])
def test_a_malformed_handout_address_is_refused_naming_the_option(tmp_path, sources, bad):
    with pytest.raises(ValueError, match="--repository"):
        release.build_release(tmp_path / "out", sources, repository=bad)
    assert not (tmp_path / "out").exists()


def test_a_branch_without_a_handout_repository_is_refused(tmp_path, sources, capsys):
    with pytest.raises(SystemExit):
        release.main([str(tmp_path / "out"), *map(str, sources), "--branch", "spring"])
    assert "--repository" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_handout_gets_a_binder_folder_that_installs_the_course_helpers(tmp_path, sources):
    from medcourse.course.paths import repository_root

    environment = repository_root() / "binder" / "environment.yml"
    if not environment.is_file():
        pytest.skip("the course has no binder/environment.yml to hand out")
    release.build_release(tmp_path / "out", sources, repository="teacher/handout")
    binder = tmp_path / "out" / "student" / "binder"
    assert (binder / "environment.yml").read_text() == environment.read_text()
    post_build = (binder / "postBuild").read_text()
    assert f'"medcourse @ git+{medcourse.repository_url}@v' in post_build and "--no-deps" in post_build
    assert (binder / "postBuild").stat().st_mode & 0o111
    assert not (tmp_path / "out" / "instructor" / "binder").exists()
