"""`python -m medcourse run`: executes notebooks and measures them."""

import json
from pathlib import Path

import nbformat
import pytest

from medcourse.course import run as runner


def make_notebook(path, *sources, parameters=None):
    cells = []
    if parameters is not None:
        cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_run_notebook_reports_success_time_and_peak_memory(tmp_path):
    path = make_notebook(tmp_path / "ok.ipynb", "import numpy as np\nblock = np.ones((2048, 2048))  # 32 MiB")
    result = runner.run_notebook(path)
    assert result.ok, result.error
    assert result.seconds > 0
    assert result.peak_memory_mib is not None and result.peak_memory_mib > 32


def test_run_notebook_reports_a_failing_cell_without_raising(tmp_path):
    path = make_notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('broken on purpose')", "y = 2")
    result = runner.run_notebook(path)
    assert not result.ok
    assert "ValueError" in result.error and "broken on purpose" in result.error


def test_parameters_override_the_parameters_cell_and_outputs_are_written(tmp_path):
    path = make_notebook(tmp_path / "p.ipynb", "assert EPOCHS == 7 and NAME == 'lesions', (EPOCHS, NAME)",
                         parameters="EPOCHS = 1\nNAME = 'x'")
    out = tmp_path / "out" / "p.ipynb"
    result = runner.run_notebook(path, parameters={"EPOCHS": 7, "NAME": "lesions"}, output=out)
    assert result.ok, result.error
    executed = nbformat.read(out, as_version=4)
    assert "injected-parameters" in executed.cells[1].metadata["tags"]
    assert nbformat.read(path, as_version=4).cells[0].source == "EPOCHS = 1\nNAME = 'x'"  # source untouched


def test_parameters_need_a_parameters_cell(tmp_path):
    path = make_notebook(tmp_path / "np.ipynb", "x = 1")
    with pytest.raises(ValueError, match="no cell tagged 'parameters'"):
        runner.run_notebook(path, parameters={"X": 1})


@pytest.mark.parametrize("text, expected", [("EPOCHS=10", ("EPOCHS", 10)), ("NAME=lesions", ("NAME", "lesions")),
                                            ("SIZES=(1, 2)", ("SIZES", (1, 2))), ("FLAG='x'", ("FLAG", "x"))])
def test_parse_parameter(text, expected):
    assert runner.parse_parameter(text) == expected


@pytest.mark.parametrize("text", ["EPOCHS", "1x=2", "=3"])
def test_parse_parameter_rejects_malformed_text(text):
    with pytest.raises(ValueError, match="NAME=VALUE"):
        runner.parse_parameter(text)


def test_main_prints_a_table_writes_json_and_fails_when_a_notebook_fails(tmp_path, capsys):
    good = make_notebook(tmp_path / "01_good.ipynb", "x = 1")
    bad = make_notebook(tmp_path / "02_bad.ipynb", "1 / 0")
    report = tmp_path / "results.json"
    status = runner.main([str(good), str(bad), "--json", str(report)])
    assert status == 1
    out = capsys.readouterr().out
    assert "01_good.ipynb" in out and "FAILED" in out and "ZeroDivisionError" in out
    results = json.loads(report.read_text())
    assert [r["ok"] for r in results] == [True, False]


def test_main_names_missing_notebooks(tmp_path, capsys):
    with pytest.raises(SystemExit):
        runner.main([str(tmp_path / "nope.ipynb")])
    assert "nope.ipynb" in capsys.readouterr().err


def test_default_notebooks_are_the_numbered_course_notebooks():
    names = [p.name for p in runner.default_notebooks()]
    assert names and names == sorted(names)
    assert names[0] == "00_welcome.ipynb"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux-only")
def test_peak_memory_is_the_kernels_own_not_inherited_from_a_large_parent(tmp_path):
    """A kernel started by a big process (pytest after importing TensorFlow, say) reports its own peak."""
    import subprocess
    import sys

    path = make_notebook(tmp_path / "small.ipynb", "x = 1")
    code = ("import numpy as np\nballast = np.ones(400 * 2**20 // 8)  # the parent holds 400 MiB\n"
            "from medcourse.course.run import run_notebook\n"
            f"print(run_notebook({str(path)!r}).peak_memory_mib)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak = float(completed.stdout.strip().splitlines()[-1])
    assert 20 < peak < 300
