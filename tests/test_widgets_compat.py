"""Every explorer in medcourse.widgets builds and redraws under ipywidgets 8.x and under 7.7.1 (Colab).

ipywidgets 7.7.1 runs in a side environment: its wheel (downloaded by `make test`'s set-up into
.venv/side-wheels, never at test time) is installed offline into a temporary folder that goes first
on PYTHONPATH, so everything else is the tested environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tests" / "widget_check.py"
SIDE_WHEELS = Path(sys.prefix) / "side-wheels"


def run_check(extra_path=None):
    environment = dict(os.environ)
    if extra_path is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), environment.get("PYTHONPATH")]))
    completed = subprocess.run([sys.executable, str(CHECK)], capture_output=True, text=True, env=environment,
                               cwd=ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def assert_every_explorer_builds_and_redraws(report):
    assert report["explorers"], "medcourse.widgets exports no *_explorer"
    for name, result in report["explorers"].items():
        assert result["error"] is None, f"{name}: {result['error']}"
        assert result["built"], f"{name} did not return an ipywidgets widget"
        assert result["sliders"] >= 1, f"{name} has no slider"
        assert all(result["updated"]), f"{name}: moving a slider did not redraw ({result['updated']})"


def test_explorers_build_and_redraw_with_the_installed_ipywidgets():
    report = run_check()
    assert report["ipywidgets"].startswith("8.")
    assert_every_explorer_builds_and_redraws(report)


def test_explorers_build_and_redraw_with_ipywidgets_7_7_1(tmp_path):
    wheels = sorted(SIDE_WHEELS.glob("ipywidgets-7.7.1-*.whl"))
    if not wheels:
        pytest.skip(f"no ipywidgets 7.7.1 wheel in {SIDE_WHEELS}: `make test` downloads it while setting up")
    target = tmp_path / "ipywidgets-7.7.1"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--find-links", str(SIDE_WHEELS), "--target", str(target),
                    "ipywidgets==7.7.1", "ipython_genutils==0.2.0"], check=True, capture_output=True)
    report = run_check(target)
    assert report["ipywidgets"] == "7.7.1"
    assert_every_explorer_builds_and_redraws(report)
