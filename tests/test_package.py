"""The package itself: light import, seeding, the command line."""

import json
import subprocess
import sys

import numpy as np
import pytest

import medcourse
from medcourse.course.cli import main as cli_main

LIGHT_MODULES = ["medcourse", "medcourse.data", "medcourse.data.scans", "medcourse.plot", "medcourse.course",
                 "medcourse.exercises", "medcourse.widgets", "medcourse.course.doctor", "medcourse.course.run"]


def test_import_medcourse_loads_neither_tensorflow_nor_torch():
    code = ("import sys, importlib, json\n"
            f"for name in {LIGHT_MODULES!r}: importlib.import_module(name)\n"
            "print(json.dumps([m for m in ('tensorflow', 'torch', 'keras') if m in sys.modules]))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []


def test_seed_everything_makes_numpy_and_python_repeatable():
    import random

    medcourse.seed_everything(7)
    first = (np.random.rand(3), random.random())
    medcourse.seed_everything(7)
    second = (np.random.rand(3), random.random())
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]
    medcourse.seed_everything(8)
    assert not np.array_equal(np.random.rand(3), first[0])


def test_seed_everything_reports_what_it_seeded_in_one_line():
    report = medcourse.seed_everything(1)
    assert report["python"] and report["numpy"]
    assert "seed 1" in repr(report)


def test_seed_everything_seeds_torch_once_imported():
    torch = pytest.importorskip("torch")
    medcourse.seed_everything(3)
    first = torch.rand(4)
    report = medcourse.seed_everything(3)
    assert report["pytorch"]
    assert torch.equal(first, torch.rand(4))


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be an integer"):
        medcourse.seed_everything(bad)


def test_cli_help_lists_the_commands(capsys):
    assert cli_main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("doctor", "run", "fetch"):
        assert command in out


def test_cli_without_a_command_exits_with_usage(capsys):
    assert cli_main([]) == 2


def test_cli_rejects_an_unknown_command(capsys):
    with pytest.raises(SystemExit) as raised:
        cli_main(["bake"])
    assert raised.value.code == 2
    assert "COMMAND must be one of" in capsys.readouterr().err


def test_python_dash_m_medcourse_runs():
    completed = subprocess.run([sys.executable, "-m", "medcourse", "--help"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert "doctor" in completed.stdout


@pytest.mark.parametrize("quota, expected", [("max 100000", None), ("100000 100000", 1), ("150000 100000", 2),
                                             ("20000 100000", 1)])
def test_available_cpus_honours_a_container_quota(tmp_path, quota, expected):
    from medcourse._seed import available_cpus

    limit = tmp_path / "cpu.max"
    limit.write_text(quota + "\n")
    unlimited = available_cpus(tmp_path / "missing")
    assert unlimited >= 1
    assert available_cpus(limit) == (unlimited if expected is None else min(unlimited, expected))


def test_cli_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as raised:
        cli_main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.strip() == f"medcourse {medcourse.__version__}"


@pytest.mark.parametrize("command", ["", "doctor", "run", "fetch", "release", "site", "retarget"])
def test_every_help_text_is_plain_text_without_rst_backticks(command, capsys):
    if command:
        with pytest.raises(SystemExit) as raised:
            cli_main([command, "--help"])
        assert raised.value.code == 0
    else:
        assert cli_main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m medcourse")
    assert "`" not in out, out


def test_the_release_usage_says_which_arguments_are_optional(capsys):
    with pytest.raises(SystemExit):
        cli_main(["release", "--help"])
    out = capsys.readouterr().out
    usage = out.split("\n\n")[0]
    assert "OUT [NOTEBOOK ...]" in usage and "[--force]" in usage and "[--no-solutions]" in usage
    assert "NOTEBOOK" in out.split("optional;", 1)[0].rsplit("\n", 1)[-1]  # NOTEBOOK's help says it is optional


def test_check_target_passes_a_met_target_and_fails_a_missed_one_with_its_message(monkeypatch):
    from medcourse import check_target
    from medcourse.targets import SMOKE_RUN_VARIABLE

    monkeypatch.delenv(SMOKE_RUN_VARIABLE, raising=False)
    assert check_target(0.86 >= 0.80, "Dice 0.86") is True
    with pytest.raises(AssertionError, match=r"training target missed: Dice 0\.70"):
        check_target(0.70 >= 0.80, "Dice 0.70")
    with pytest.raises(ValueError, match="message"):
        check_target(True, "")


def test_check_target_only_reports_a_missed_target_in_a_smoke_run(monkeypatch, capsys):
    from medcourse import check_target
    from medcourse.targets import SMOKE_RUN_VARIABLE

    monkeypatch.setenv(SMOKE_RUN_VARIABLE, "1")
    assert check_target(False, "Dice 0.10") is False
    assert "Dice 0.10" in capsys.readouterr().out
    monkeypatch.setenv(SMOKE_RUN_VARIABLE, "0")  # only "1" marks a smoke run
    with pytest.raises(AssertionError):
        check_target(False, "Dice 0.10")
