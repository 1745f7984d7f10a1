"""`python -m medcourse doctor` against pinned requirements."""

import json
import sys

import pytest

from medcourse.course import doctor


def write(tmp_path, text):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_read_pins_skips_options_comments_and_editable_installs(tmp_path):
    path = write(tmp_path, "# comment\nNumPy==2.0.0  # arrays\n-e .\n--index-url x\n\nscipy>=1.0\n")
    assert doctor.read_pins(path) == {"numpy": "==2.0.0", "scipy": ">=1.0"}


def test_read_pins_evaluates_environment_markers(tmp_path):
    path = write(tmp_path, 'pkg-a==1.0 ; sys_platform == "no-such-os"\npkg-b==2.0 ; python_version >= "3"\n')
    assert doctor.read_pins(path) == {"pkg-b": "==2.0"}


def test_read_pins_names_the_line_of_a_broken_requirement(tmp_path):
    path = write(tmp_path, "numpy==2.0\nthis is ( not valid\n")
    with pytest.raises(ValueError, match="line 2"):
        doctor.read_pins(path)


def test_check_packages_finds_missing_and_mismatched_versions():
    import numpy

    checks = {c.name: c for c in doctor.check_packages({
        "numpy": f"=={numpy.__version__}",
        "no-such-package-medcourse": "==1.0",
        "pytest": "==0.0.1",
    })}
    assert checks["numpy"].ok
    assert checks["no-such-package-medcourse"].installed is None and not checks["no-such-package-medcourse"].ok
    assert checks["pytest"].installed is not None and not checks["pytest"].ok


def test_a_local_version_label_satisfies_its_pin():
    assert doctor.PackageCheck("torch", "==2.13.0", "2.13.0+cpu").ok


def test_doctor_exits_nonzero_and_names_the_problem_for_a_missing_package(tmp_path, capsys):
    path = write(tmp_path, "no-such-package-medcourse==1.0\n")
    assert doctor.main(["--requirements", str(path), "--no-frameworks"]) == 1
    out = capsys.readouterr().out
    assert "no-such-package-medcourse is missing" in out


def test_doctor_exits_zero_when_every_pin_matches(tmp_path, capsys):
    import numpy

    path = write(tmp_path, f"numpy=={numpy.__version__}\n")
    assert doctor.main(["--requirements", str(path), "--no-frameworks", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == []
    assert report["machine"]["cpu cores"] >= 1
    assert report["packages"][0]["name"] == "numpy"


def test_doctor_reports_the_data_cache_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDCOURSE_DATA", str(tmp_path))
    (tmp_path / "pneumoniamnist.npz").write_bytes(b"x" * 2048)
    path = write(tmp_path, "")
    doctor.main(["--requirements", str(path), "--no-frameworks", "--json"])
    cache = json.loads(capsys.readouterr().out)["cache"]
    assert cache["folder"] == str(tmp_path)
    assert "pneumoniamnist.npz" in cache["files"]


def test_probe_framework_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be"):
        doctor.probe_framework("jax")


def test_probe_framework_reports_an_importable_framework():
    pytest.importorskip("torch")
    result = doctor.probe_framework("torch")
    assert result["imports"], result["error"]
    assert result["version"]


def test_the_checkout_matches_its_own_requirements():
    """The environment the tests run in is the tested one (what CI builds from requirements.txt)."""
    from medcourse.course.paths import repository_root

    root = repository_root()
    assert root is not None
    problems = [c for c in doctor.check_packages(doctor.read_pins(root / "requirements.txt")) if not c.ok]
    assert problems == []


def test_a_one_framework_student_environment_needs_only_its_framework(tmp_path):
    student = tmp_path / "requirements-student-pytorch.txt"
    student.write_text("torch==2.13.0\nnumpy==2.4.6\n-e .\n")
    assert doctor.required_frameworks(doctor.read_pins(student)) == {"torch"}
    both = tmp_path / "requirements.txt"
    both.write_text('tensorflow-cpu==2.21.0 ; sys_platform == "linux"\ntorch==2.13.0\n')
    assert doctor.required_frameworks(doctor.read_pins(both)) == ({"tensorflow", "torch"} if sys.platform == "linux"
                                                                  else {"torch"})
