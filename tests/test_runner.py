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


# --- bad input: one clear line, and never a lost table (issue 12, item 14) ---------------------------


def test_a_timeout_names_the_cell_and_the_limit_and_the_kernel_is_interrupted(tmp_path):
    path = make_notebook(tmp_path / "slow.ipynb", "x = 1", "import time\ntime.sleep(60)", "y = 2")
    result = runner.run_notebook(path, timeout=2)
    assert not result.ok
    assert result.error.startswith("cell 2 timed out after 2 s"), result.error
    assert result.peak_memory_mib is not None  # interrupted, so the kernel still answers the memory probe


def test_a_parameter_the_parameters_cell_does_not_assign_is_refused_naming_the_known_ones(tmp_path):
    path = make_notebook(tmp_path / "p.ipynb", "print(EPOCHS)", parameters="EPOCHS = 1\nSEED = 0  # seed")
    with pytest.raises(ValueError, match=r"EPCHS.*p\.ipynb.*EPOCHS, SEED"):
        runner.run_notebook(path, parameters={"EPCHS": 30})


def test_main_refuses_a_misspelt_parameter_before_running_anything(tmp_path, capsys):
    path = make_notebook(tmp_path / "p.ipynb", "print(EPOCHS)", parameters="EPOCHS = 1")
    with pytest.raises(SystemExit) as raised:
        runner.main([str(path), "-p", "EPCHS=30"])
    assert raised.value.code == 2
    error = capsys.readouterr().err
    assert "EPCHS" in error and "EPOCHS" in error


def test_an_output_that_resolves_to_the_input_notebook_is_refused(tmp_path):
    path = make_notebook(tmp_path / "p.ipynb", "x = EPOCHS", parameters="EPOCHS = 1")
    before = path.read_text()
    with pytest.raises(ValueError, match="input notebook"):
        runner.run_notebook(path, parameters={"EPOCHS": 2}, output=tmp_path / "." / "p.ipynb")
    assert path.read_text() == before


def test_main_refuses_an_output_dir_holding_the_inputs_and_leaves_the_source_untouched(tmp_path, capsys):
    path = make_notebook(tmp_path / "p.ipynb", "x = EPOCHS", parameters="EPOCHS = 1")
    before = path.read_text()
    for _ in range(2):
        with pytest.raises(SystemExit):
            runner.main([str(path), "-p", "EPOCHS=2", "--output-dir", str(tmp_path)])
        assert "input notebook" in capsys.readouterr().err
    assert path.read_text() == before


def test_main_refuses_an_output_dir_that_is_a_file_in_one_line(tmp_path, capsys):
    path = make_notebook(tmp_path / "p.ipynb", "x = 1")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SystemExit):
        runner.main([str(path), "--output-dir", str(tmp_path / "a-file")])
    error = capsys.readouterr().err
    assert "--output-dir" in error and "a-file" in error and "Traceback" not in error


def test_main_refuses_json_into_a_missing_folder_before_running(tmp_path, capsys):
    path = make_notebook(tmp_path / "p.ipynb", "x = 1")
    with pytest.raises(SystemExit):
        runner.main([str(path), "--json", str(tmp_path / "no-such-folder" / "results.json")])
    captured = capsys.readouterr()
    assert "--json" in captured.err and "no-such-folder" in captured.err
    assert "running" not in captured.out


def test_a_file_in_the_output_dir_that_run_did_not_write_is_not_overwritten(tmp_path):
    path = make_notebook(tmp_path / "p.ipynb", "x = 1")
    mine = tmp_path / "out" / "p.ipynb"
    mine.parent.mkdir()
    mine.write_text("my own notes")
    with pytest.raises(ValueError, match="not written by"):
        runner.run_notebook(path, output=mine)
    assert mine.read_text() == "my own notes"
    runner.run_notebook(path, output=tmp_path / "out2" / "p.ipynb")
    assert runner.run_notebook(path, output=tmp_path / "out2" / "p.ipynb").ok  # its own output: rewritten


def test_a_notebook_that_is_not_json_becomes_a_failed_row_and_the_batch_goes_on(tmp_path, capsys):
    broken = tmp_path / "01_broken.ipynb"
    broken.write_text("{ this is not JSON")
    good = make_notebook(tmp_path / "02_good.ipynb", "x = 1")
    report = tmp_path / "results.json"
    assert runner.main([str(broken), str(good), "--json", str(report)]) == 1
    out = capsys.readouterr().out
    assert "01_broken.ipynb" in out and "not JSON" in out and "Traceback" not in out
    assert [r["ok"] for r in json.loads(report.read_text())] == [False, True]


# --- what the executed copy keeps (issue 13, items 12 and 15) ----------------------------------------


def test_the_executed_copy_keeps_the_widget_state(tmp_path):
    path = make_notebook(tmp_path / "w.ipynb", "import ipywidgets\nipywidgets.IntSlider(value=7, description='k')")
    out = tmp_path / "out" / "w.ipynb"
    assert runner.run_notebook(path, output=out).ok
    state = nbformat.read(out, as_version=4).metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    sliders = [m["state"] for m in state["state"].values() if m["model_name"] == "IntSliderModel"]
    assert [s["value"] for s in sliders] == [7]


def test_progress_is_reported_for_every_code_cell_in_order(tmp_path):
    path = make_notebook(tmp_path / "p.ipynb", "x = 1", "y = 2", "z = 3")
    seen = []
    runner.run_notebook(path, progress=lambda number, total, seconds: seen.append((number, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_the_progress_printer_updates_a_terminal_line_and_writes_heartbeats_to_a_log():
    import io

    class Clock:
        now = 0.0

        def __call__(self):
            return self.now

    clock, log = Clock(), io.StringIO()
    printer = runner.ProgressPrinter(log, interactive=False, interval=15, clock=clock)
    for number in range(1, 11):
        clock.now += 4
        printer(number, 10, 4.0)
    assert log.getvalue().count("\n") == 2 and "cell 4/10" in log.getvalue()  # at 16 s and 32 s
    terminal = io.StringIO()
    live = runner.ProgressPrinter(terminal, interactive=True, clock=clock)
    live(3, 10, 1.0)
    assert terminal.getvalue().startswith("\r") and "cell 3/10" in terminal.getvalue()
