"""medcourse.frameworks: the FRAMEWORKS parameter and the %%framework cell magic of the notebooks."""

from __future__ import annotations

import pytest

from medcourse.frameworks import check_frameworks, skip_note


@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import start_ipython

    ipython = start_ipython()
    ipython.run_line_magic("load_ext", "medcourse.frameworks")
    yield ipython
    ipython.user_ns.pop("FRAMEWORKS", None)


@pytest.mark.parametrize(("given", "message"), [(["torch"], "not 'torch'"), ([], "one or both"),
                                                (["tensorflow", "jax"], "got")])
def test_check_frameworks_refuses_unknown_names_and_says_what_is_allowed(given, message):
    with pytest.raises(ValueError, match=message):
        check_frameworks(given)


def test_check_frameworks_accepts_one_name_as_a_string_or_a_list():
    assert check_frameworks("pytorch") == check_frameworks(["pytorch"]) == ("pytorch",)


def test_skip_note_names_only_the_missing_framework():
    assert skip_note(["tensorflow", "pytorch"], ["pytorch"]) == \
        "Skipped: this cell needs TensorFlow, and FRAMEWORKS = ('pytorch',)."
    assert skip_note(["pytorch"], ("pytorch",)) is None


def test_a_cell_for_an_absent_framework_is_skipped_with_a_note(shell, capsys):
    shell.user_ns["FRAMEWORKS"] = ("pytorch",)
    result = shell.run_cell("%%framework tensorflow\nnever_defined = 1\nnever_defined")
    assert result.success and result.result is None
    assert "never_defined" not in shell.user_ns
    assert "needs TensorFlow" in capsys.readouterr().out


def test_a_cell_for_a_present_framework_runs_and_shows_its_last_value(shell):
    shell.user_ns["FRAMEWORKS"] = ("tensorflow", "pytorch")
    result = shell.run_cell("%%framework tensorflow pytorch\ndefined = 41\ndefined + 1")
    assert result.success and result.result == 42 and shell.user_ns["defined"] == 41


def test_an_error_in_a_framework_cell_fails_the_cell(shell):
    shell.user_ns["FRAMEWORKS"] = ("pytorch",)
    result = shell.run_cell("%%framework pytorch\nraise ValueError('from the cell')")
    assert isinstance(result.error_in_exec, ValueError)


def test_a_framework_cell_may_use_ipython_syntax(shell):
    shell.user_ns["FRAMEWORKS"] = ("pytorch",)
    result = shell.run_cell("%%framework pytorch\nvalue = 3\n%time doubled = 2 * value\ndoubled")
    assert result.success and result.result == 6
