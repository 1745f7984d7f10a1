"""Installing and launching the course: the Makefile's choices, Binder's files, the tools behind them.

Binder's files are checked the way repo2docker reads them (its conda buildpack): a ``binder/`` folder
makes repo2docker ignore the repository's top-level files; ``binder/environment.yml`` is installed into
the server's own environment *before* the repository is copied in, and so cached between commits, only
while its pip section names no local file; ``binder/postBuild`` runs afterwards, from the repository.
That the environment resolves on PyPI is checked by `.ci/run` (``tools/resolve.py``, a dry run).
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

yaml = pytest.importorskip("yaml")  # PyYAML comes with Jupyter (jupyter-events)

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def load_tool(name):
    """A script of tools/ as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


sync = load_tool("sync_requirements")
lower_bounds = load_tool("lower_bounds")
resolve = load_tool("resolve")

#: The Pythons repo2docker has a frozen server environment for (repo2docker/buildpacks/conda/).
REPO2DOCKER_PYTHONS = {"3.10", "3.11", "3.12", "3.13"}


def is_local_pip_requirement(line):
    """repo2docker's rule (repo2docker/utils.py): does this pip line refer to a file of the repository?"""
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("--pre"):
        return False
    if line.startswith(("-r", "-c", "--requirement", "--constraint")):
        return True
    if line.startswith("--") and "=" in line:
        line = line.split("=", 1)[1]
    elif line.startswith("-"):
        rest = line.split(None, 1)[1:]
        if not rest:
            return False
        line = rest[0]
    if "file://" in line:
        return True
    path = line.split("://", 1)[1] if "://" in line else line
    return path.startswith(".")


def binder_environment():
    return yaml.safe_load((BINDER / "environment.yml").read_text())


def binder_pip_lines():
    return next(item["pip"] for item in binder_environment()["dependencies"] if isinstance(item, dict))


def binder_requirements():
    return {canonicalize_name(Requirement(line).name): Requirement(line)
            for line in binder_pip_lines() if not line.startswith("-")}


# --- Binder ------------------------------------------------------------------------------------------


def test_binder_folder_holds_only_what_repo2docker_should_read():
    # Any other configuration file there (requirements.txt, Dockerfile, ...) would change the buildpack.
    assert sorted(p.name for p in BINDER.iterdir()) == ["environment.yml", "postBuild"]


def test_binder_environment_is_a_conda_file_on_a_python_binder_has_a_server_for():
    environment = binder_environment()
    assert isinstance(environment, dict) and environment["channels"] == ["conda-forge"]
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pythons = [re.fullmatch(r"python=(\d+\.\d+)", d).group(1) for d in conda if d.startswith("python")]
    assert pythons == ["3.11"] and pythons[0] in REPO2DOCKER_PYTHONS
    assert "pip" in conda
    assert sum(isinstance(d, dict) for d in environment["dependencies"]) == 1


def test_binder_environment_names_no_repository_file_so_binder_caches_it_between_commits():
    local = [line for line in binder_pip_lines() if is_local_pip_requirement(line)]
    assert local == []


def test_the_local_file_rule_catches_what_would_defeat_the_cache():
    assert is_local_pip_requirement("-e .") and is_local_pip_requirement("-r requirements.txt")
    assert is_local_pip_requirement("./wheels/x.whl") and is_local_pip_requirement("git+file:///repo")
    assert not is_local_pip_requirement("--extra-index-url https://download.pytorch.org/whl/cpu")
    assert not is_local_pip_requirement("numpy==2.4.6")


def test_binder_leaves_the_servers_own_packages_and_the_test_tools_alone():
    names = set(binder_requirements())
    assert not names & {"jupyterlab", "notebook", "ipykernel", "jupyter-server", "nbclassic"}
    assert not names & {"pytest", "nbval", "hypothesis", "ruff", "selenium"}


def test_binder_takes_cpu_builds_of_both_frameworks_at_the_tested_pins():
    lines = binder_pip_lines()
    assert f"--extra-index-url {sync.CPU_TORCH_INDEX}" in lines
    requirements = binder_requirements()
    assert str(requirements["torch"].specifier) == "==2.13.0"
    tensorflow_cpu = requirements["tensorflow-cpu"]
    assert tensorflow_cpu.marker.evaluate({"sys_platform": "linux", "platform_machine": "x86_64"})  # Binder's


def test_postbuild_is_an_executable_script_that_installs_only_the_course_helpers():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only when it is executable"
    text = post_build.read_text()
    assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs == ["python -m pip install --no-cache-dir --no-deps --editable ."]


def test_postbuild_is_executable_in_git_too():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    staged = subprocess.run(["git", "ls-files", "-s", "binder/postBuild"], cwd=ROOT, capture_output=True, text=True)
    if not staged.stdout:
        pytest.skip("binder/postBuild is not committed yet")
    assert staged.stdout.startswith("100755"), "git would check postBuild out without its execute bit"


def test_the_resolve_tool_reads_the_pip_section_without_the_index_option():
    lines = resolve.pip_lines(BINDER / "environment.yml")
    assert lines == [line for line in binder_pip_lines() if not line.startswith("--")]


# --- The Makefile --------------------------------------------------------------------------------------


def make_dry_run(*arguments):
    """The commands `make -n` would run, against a virtual environment that does not exist."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # A clean environment for make: run under `make test` (as CI does), the parent's MAKEFLAGS would pass
    # its command-line variables (CI's TORCH_INDEX=) down, and MAKELEVEL adds "Entering directory" lines.
    # Make also exports its command-line variables to recipes, so the Makefile's own knobs go too.
    inherited = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                 "PYTHON", "VENV", "FRAMEWORK", "PYTEST_ARGS", "TORCH_INDEX", "TEST_WORKERS"}
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(["make", "-n", "--no-print-directory", *arguments, "VENV=/nonexistent/medcourse-venv"],
                          cwd=ROOT, capture_output=True, text=True, env=environment)


def pip_install_line(output):
    return next(line for line in output.splitlines() if "pip install --quiet" in line and " -r " in line)


@pytest.mark.skipif(sys.platform != "linux", reason="the CPU index is the Linux default")
def test_make_lab_takes_pytorchs_cpu_build_on_linux():
    done = make_dry_run("lab")
    assert pip_install_line(done.stdout).endswith(f"--extra-index-url {sync.CPU_TORCH_INDEX} -r requirements.txt")


def test_a_gpu_user_switches_to_pypis_build_with_one_variable():
    line = pip_install_line(make_dry_run("lab", "TORCH_INDEX=").stdout)
    assert "--extra-index-url" not in line and line.endswith("-r requirements.txt")


def test_make_lab_for_one_framework_installs_its_student_file():
    assert pip_install_line(make_dry_run("lab", "FRAMEWORK=pytorch").stdout).endswith(
        "-r requirements-student-pytorch.txt")
    tensorflow = pip_install_line(make_dry_run("lab", "FRAMEWORK=tensorflow").stdout)
    assert tensorflow.endswith("-r requirements-student-tensorflow.txt") and "--extra-index-url" not in tensorflow


def test_an_unknown_framework_is_refused_naming_the_variable_and_the_choices():
    done = make_dry_run("lab", "FRAMEWORK=jax")
    assert done.returncode != 0
    assert "FRAMEWORK must be pytorch or tensorflow" in done.stderr and "'jax'" in done.stderr


def test_make_test_fast_runs_the_unit_tests_only():
    last = make_dry_run("test-fast").stdout.strip().splitlines()[-1]
    assert '-m pytest -m "not notebook and not browser and not slow"' in last


def test_make_checks_the_index_once_before_pip_would_retry_it_for_every_package():
    done = make_dry_run("lab", "TORCH_INDEX=https://unreachable.invalid/whl/cpu")
    assert "urllib.request.urlopen" in done.stdout and "https://unreachable.invalid/whl/cpu/torch/" in done.stdout
    assert done.stdout.index("urlopen") < done.stdout.index("-r requirements.txt")


# --- tools/sync_requirements.py --------------------------------------------------------------------------


def test_sync_refuses_an_index_option_in_requirements_txt_naming_the_line(tmp_path):
    source = tmp_path / "requirements.txt"
    source.write_text("# --- Numerics\nnumpy==2.4.6\n--extra-index-url https://example.org/simple\n")
    with pytest.raises(ValueError, match=r"requirements.txt, line 3: .*--extra-index-url"):
        sync.read_source(source)


def test_sync_notices_a_pin_changed_in_requirements_txt(tmp_path):
    for name in ("requirements.txt", "requirements-student-pytorch.txt", "requirements-student-tensorflow.txt",
                 "environment.yml", "binder/environment.yml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    assert sync.stale_files(tmp_path) == []
    source = tmp_path / "requirements.txt"
    source.write_text(source.read_text().replace("numpy==2.4.6", "numpy==2.4.7"))
    assert {str(p.relative_to(tmp_path)) for p in sync.stale_files(tmp_path)} == {
        "requirements-student-pytorch.txt", "requirements-student-tensorflow.txt", "environment.yml",
        "binder/environment.yml"}
    assert "numpy==2.4.7" in sync.derived_files(tmp_path)[tmp_path / "binder" / "environment.yml"]


# --- tools/lower_bounds.py ---------------------------------------------------------------------------------


def test_floor_pins_take_each_lower_bound_and_keep_markers():
    assert lower_bounds.floor_pin("numpy>=2.0") == "numpy==2.0"
    assert lower_bounds.floor_pin('Tomli>=2 ; python_version < "3.11"') == 'tomli==2 ; python_version < "3.11"'


def test_a_dependency_without_a_floor_is_refused_by_name():
    with pytest.raises(ValueError, match=r"'scipy'.*lower bound"):
        lower_bounds.floor_pin("scipy")


def test_every_floor_is_at_or_below_the_tested_pin():
    pinned = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            requirement = Requirement(line)
            pinned[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    for pin in lower_bounds.floor_pins(ROOT / "pyproject.toml", []):
        name, floor = pin.split("==")
        assert Version(floor) <= Version(pinned[name]), f"the floor {pin} is above the tested {pinned[name]}"
