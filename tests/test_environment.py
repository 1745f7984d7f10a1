"""The environment files agree with each other, with the package metadata, the README and CI."""

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import medcourse

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")


def load_tool(name):
    """A script of tools/ as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


sync = load_tool("sync_requirements")


def requirement_lines(path):
    """Requirement strings of a requirements file, comments stripped and whitespace normalised."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            found.append(re.sub(r"\s+", " ", line))
    return found


def pins(path):
    """``{name: Requirement}`` of the exact pins in a requirements file (``-e .`` left out)."""
    found = {}
    for line in requirement_lines(path):
        if not line.startswith("-"):
            requirement = Requirement(line)
            found.setdefault(canonicalize_name(requirement.name), requirement)
    return found


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_derived_environment_file_is_what_requirements_txt_says():
    stale = [str(path.relative_to(ROOT)) for path in sync.stale_files()]
    assert stale == [], f"{stale} out of date: run `python tools/sync_requirements.py`"


def test_every_requirement_is_pinned_exactly():
    for line in requirement_lines(ROOT / "requirements.txt"):
        if line == "-e .":
            continue
        assert re.match(r"^[A-Za-z0-9_.\-]+==[0-9][^ ;]*( ;.*)?$", line), f"not an exact pin: {line!r}"


def test_requirements_install_the_package_itself_and_torch_from_its_pin():
    lines = requirement_lines(ROOT / "requirements.txt")
    assert lines[-1] == "-e ."
    assert "torch==2.13.0" in lines


def test_no_requirements_file_names_an_index_so_an_unreachable_one_cannot_slow_an_install():
    for path in ROOT.glob("requirements*.txt"):
        assert not [line for line in requirement_lines(path) if line.startswith("--")], path.name


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow"])
def test_a_student_file_holds_one_framework_and_no_test_tools(framework):
    path = ROOT / f"requirements-student-{framework}.txt"
    names = set(pins(path))
    other = "tensorflow" if framework == "pytorch" else "pytorch"
    assert names >= sync.FRAMEWORK_PACKAGES[framework]
    assert not names & sync.FRAMEWORK_PACKAGES[other]
    assert not names & {"pytest", "nbval", "hypothesis", "ruff", "selenium"}
    assert requirement_lines(path)[-1] == "-e ."
    full = pins(ROOT / "requirements.txt")
    assert all(str(full[name]) == str(requirement) for name, requirement in pins(path).items())


def test_every_pin_meets_the_packages_own_bounds():
    """A tested pin below a declared floor (or outside an extra's range) would make the floor a fiction."""
    project = pyproject()["project"]
    declared = list(project["dependencies"]) + [d for extra in ("pytorch", "tensorflow")
                                                for d in project["optional-dependencies"][extra]]
    pinned = pins(ROOT / "requirements.txt")
    for dependency in map(Requirement, declared):
        name = canonicalize_name(dependency.name)
        pin = pinned.get(name) or pinned.get(f"{name}-cpu")  # tensorflow-cpu is the pin on x86-64
        assert pin is not None, f"{dependency} is not pinned in requirements.txt"
        version = Version(next(iter(pin.specifier)).version)
        assert dependency.specifier.contains(version), f"{pin} does not meet pyproject's {dependency}"


def test_the_package_installs_without_tensorflow_or_torch_and_pins_nothing():
    project = pyproject()["project"]
    names = [re.split(r"[<>=!~; \[]", dep)[0].lower() for dep in project["dependencies"]]
    assert "tensorflow" not in names and "torch" not in names and "tensorflow-cpu" not in names
    assert not any("==" in dep or "<" in dep for dep in project["dependencies"]), "lower bounds only (Colab)"
    assert set(project["optional-dependencies"]) >= {"tensorflow", "pytorch", "dev"}


def test_readme_pyproject_and_ci_agree_on_the_supported_pythons():
    project = pyproject()["project"]
    assert project["requires-python"] == f">={SUPPORTED_PYTHONS[0]}"
    classified = [c.rsplit(" ", 1)[-1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")]
    assert tuple(classified) == SUPPORTED_PYTHONS
    quick_start = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"Python {SUPPORTED_PYTHONS[0]}–{SUPPORTED_PYTHONS[-1]}" in quick_start
    ci = (ROOT / ".ci" / "run").read_text()
    for version in SUPPORTED_PYTHONS[1:]:
        assert f"tools/resolve.py requirements.txt --python-version {version}" in ci
    assert f"- python={SUPPORTED_PYTHONS[0]}" in (ROOT / "environment.yml").read_text()  # CI's Python


def test_the_version_is_a_plain_release_for_the_colab_tag():
    assert re.fullmatch(r"\d+\.\d+\.\d+", pyproject()["project"]["version"])


def test_the_repository_address_is_written_once_and_the_package_agrees():
    assert pyproject()["project"]["urls"]["Repository"] == medcourse.repository_url


def test_ci_script_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme
    assert "--durations=20" in ci
