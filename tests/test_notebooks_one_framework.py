"""A student who installed only PyTorch runs every notebook with ``FRAMEWORKS = ["pytorch"]``.

TensorFlow (and Keras) are made impossible to import in the notebook's kernel: a stand-in package that
raises ImportError comes first on the kernel's ``PYTHONPATH``. A notebook passes when every cell runs; the
cells that need TensorFlow print a one-line "Skipped" note instead (``%%framework``, medcourse.frameworks).

These are **smoke runs**: tiny training budgets (``SMOKE_PARAMETERS``), because nbval already runs every
notebook at its defaults with both frameworks, and this file must not double CI's time. Under
``MEDCOURSE_SMOKE_RUN=1`` a missed *training target* (``medcourse.check_target``) prints a note; every
correctness ``assert`` still fails the run.
"""

from __future__ import annotations

import os

import pytest

from medcourse.course.notebook import parameter_names, read_notebook
from medcourse.course.run import default_notebooks, run_notebook
from medcourse.targets import SMOKE_RUN_VARIABLE

NOTEBOOKS = default_notebooks()
BLOCKED = ("tensorflow", "keras")

#: Per notebook (by its number): the parameters that shrink its training to seconds.
SMOKE_PARAMETERS = {
    "04": {"TRAIN_SIZE": 300, "NOTES_EPOCHS": 1, "EPOCHS": 1, "REAL_EPOCHS": 1, "SMALL_TRAIN": 100,
           "SMALL_EPOCHS": 2, "BOOTSTRAP_RESAMPLES": 50},
    "05": {"EPOCHS": 1, "IMBALANCE_PATCHES": 300, "IMBALANCE_EPOCHS": 1},  # the cine model needs its defaults to find a cavity
    "06": {"EPOCHS": 1, "FIELDS": 60, "FIELD_EPOCHS": 1},
    "08": {"CURVES": 120, "NOTES_EPOCHS": 1, "TRAIN_SIZE": 40, "VAL_SIZE": 20, "TEST_SIZE": 40, "EPOCHS": 1,
           "VOLUME_EPOCHS": 1},
    "09": {"TOY_STEPS": 100, "GAN_STEPS": 40, "FD_EVERY": 20, "SHOW_EVERY": 20, "JUDGE_EPOCHS": 1,
           "EVAL_SAMPLES": 200},
    "10": {"CGAN_STEPS": 40, "SHOW_EVERY": 20, "JUDGE_EPOCHS": 1, "EXPERIMENT_EPOCHS": 1, "EXPERIMENT_SEEDS": (0, 1)},
    "11": {"CT_TRAIN": 64, "CT_TEST": 16, "L1_STEPS": {"MRI": 6, "CT": 6}, "GAN_STEPS": 3, "TRANSLATION_STEPS": 4,
           "CYCLE_STEPS": 4, "MRI_TEST_EVERY": 16},
}


@pytest.fixture(scope="module")
def without_tensorflow(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blocked")
    for name in BLOCKED:
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text(f"raise ImportError('{name} is not installed here (blocked by the test)')\n")
    previous = {name: os.environ.get(name) for name in ("PYTHONPATH", SMOKE_RUN_VARIABLE, "TF_ENABLE_ONEDNN_OPTS")}
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), previous["PYTHONPATH"]]))
    os.environ[SMOKE_RUN_VARIABLE] = "1"  # the kernel inherits both
    os.environ.pop("TF_ENABLE_ONEDNN_OPTS", None)  # the unit tests' setting (conftest.py); notebooks choose
    yield folder
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_notebook_runs_with_pytorch_alone(path, without_tensorflow):
    names = parameter_names(read_notebook(path))
    parameters = {"FRAMEWORKS": ["pytorch"]} if "FRAMEWORKS" in names else {}
    parameters.update(SMOKE_PARAMETERS.get(path.name[:2], {}))
    result = run_notebook(path, parameters=parameters, timeout=600)
    assert result.ok, f"{path.name} fails without TensorFlow: {result.error}"


def test_the_smoke_parameters_are_parameters_of_their_notebooks():
    by_number = {path.name[:2]: path for path in NOTEBOOKS}
    for number, parameters in SMOKE_PARAMETERS.items():
        assert number in by_number, f"no notebook {number}"
        unknown = set(parameters) - set(parameter_names(read_notebook(by_number[number])))
        assert not unknown, f"{by_number[number].name} has no parameters {sorted(unknown)}"
