"""The environment files agree with each other and with the package metadata."""

import re
from pathlib import Path

import tomllib

import medcourse

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(lines):
    """Requirement strings with comments stripped and whitespace normalised."""
    found = []
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            found.append(re.sub(r"\s+", " ", line))
    return found


def pinned_in_requirements_txt():
    return requirement_lines((ROOT / "requirements.txt").read_text().splitlines())


def pinned_in_environment_yml():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return requirement_lines(line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- "))


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_pins_exactly_what_requirements_txt_pins():
    assert pinned_in_environment_yml() == pinned_in_requirements_txt()


def test_environment_yml_uses_the_python_ci_uses():
    assert "- python=3.11" in (ROOT / "environment.yml").read_text()


def test_every_requirement_is_pinned_exactly():
    for line in pinned_in_requirements_txt():
        if line == "-e .":
            continue
        assert re.match(r"^[A-Za-z0-9_.\-]+==[0-9][^ ;]*( ;.*)?$", line), f"not an exact pin: {line!r}"


def test_requirements_install_the_package_itself_and_torch_from_the_cpu_pin():
    lines = pinned_in_requirements_txt()
    assert lines[-1] == "-e ."
    assert "torch==2.13.0" in lines


def test_the_package_installs_without_tensorflow_or_torch_and_pins_nothing():
    project = pyproject()["project"]
    names = [re.split(r"[<>=!~; \[]", dep)[0].lower() for dep in project["dependencies"]]
    assert "tensorflow" not in names and "torch" not in names and "tensorflow-cpu" not in names
    assert not any("==" in dep or "<" in dep for dep in project["dependencies"]), "lower bounds only (Colab)"
    assert set(project["optional-dependencies"]) >= {"tensorflow", "pytorch", "dev"}
    assert project["requires-python"] == ">=3.10"


def test_the_repository_address_is_written_once_and_the_package_agrees():
    assert pyproject()["project"]["urls"]["Repository"] == medcourse.repository_url


def test_ci_script_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme
    assert "--durations=20" in ci
