"""A student who installed only PyTorch runs every notebook with ``FRAMEWORKS = ["pytorch"]``.

TensorFlow (and Keras) are made impossible to import in the notebook's kernel: a stand-in package that
raises ImportError comes first on the kernel's ``PYTHONPATH``. A notebook passes when every cell runs; the
cells that need TensorFlow print a one-line "Skipped" note instead (``%%framework``, medcourse.frameworks).
"""

from __future__ import annotations

import os

import pytest

from medcourse.course.notebook import parameter_names, read_notebook
from medcourse.course.run import default_notebooks, run_notebook

NOTEBOOKS = default_notebooks()
BLOCKED = ("tensorflow", "keras")


@pytest.fixture(scope="module")
def without_tensorflow(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blocked")
    for name in BLOCKED:
        package = folder / name
        package.mkdir()
        (package / "__init__.py").write_text(f"raise ImportError('{name} is not installed here (blocked by the test)')\n")
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), previous]))
    yield folder
    if previous is None:
        os.environ.pop("PYTHONPATH")
    else:
        os.environ["PYTHONPATH"] = previous


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_notebook_runs_with_pytorch_alone(path, without_tensorflow):
    parameters = {"FRAMEWORKS": ["pytorch"]} if "FRAMEWORKS" in parameter_names(read_notebook(path)) else {}
    result = run_notebook(path, parameters=parameters, timeout=600)
    assert result.ok, f"{path.name} fails without TensorFlow: {result.error}"
