"""Test-session settings shared by the unit tests and nbval's notebook runs.

While nbval executes the notebooks, this file also measures each notebook's wall time and its
kernel's peak memory (asked of the kernel after the last cell, as ``python -m medcourse run`` does),
prints them in a table at the end, and fails the run when a notebook needs more memory than Binder
gives (2 GiB).
"""

import json
import os
import time

# Quiet TensorFlow's C++ start-up logs, here and in the notebook kernels nbval starts (they inherit
# this environment). Errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The unit tests compare TensorFlow with PyTorch to tight tolerances: TensorFlow without oneDNN's kernels.
# Notebook kernels choose for themselves (their setup cells), as on a student's machine: the variable is
# taken out of the environment a notebook's kernel inherits (pytest_runtest_setup below, and the
# PyTorch-alone runs of tests/test_notebooks_one_framework.py).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
KERNEL_CHOOSES = ("TF_ENABLE_ONEDNN_OPTS",)

import matplotlib

matplotlib.use("Agg")  # unit tests draw figures without a screen; kernels keep their inline backend

#: Binder's memory limit: a notebook whose kernel peaks above it fails the test run.
MEMORY_LIMIT_MIB = 2048
_notebooks: dict[str, dict] = {}  # this process's notebooks, while they run
_finished: dict[str, dict] = {}   # every finished notebook's figures, from the reports (all workers)


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs two workers), each worker and the kernels it starts get one core.

    TensorFlow and PyTorch size their thread pools by the cores a process may use, so two workers then
    run side by side without fighting over the same cores (threads that spin while they wait would).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if worker.startswith("gw") and hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) >= count > 1:
            os.sched_setaffinity(0, {cores[int(worker[2:]) % len(cores)]})


def pytest_collection_modifyitems(config, items):
    """Mark every notebook cell nbval collects ``notebook``, so ``-m "not notebook"`` runs the unit tests only."""
    import pytest

    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.notebook)


def _is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item.parent, "kernel")


def pytest_runtest_setup(item):
    if _is_notebook_cell(item):
        for name in KERNEL_CHOOSES:  # nbval starts the kernel after this hook, for the notebook's first cell
            os.environ.pop(name, None)
        _notebooks.setdefault(item.parent.name, {"start": time.perf_counter(), "peak": None})


def pytest_runtest_teardown(item, nextitem):
    """After a notebook's last cell, ask its still-running kernel for its peak memory.

    The figures travel in the teardown report's ``user_properties`` (so that pytest-xdist's workers hand
    them to the main process, which prints the table); a notebook over Binder's limit fails here.
    """
    if not _is_notebook_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    record = _notebooks[item.parent.name]
    record["seconds"] = time.perf_counter() - record["start"]
    _ask_peak_memory(item.parent.kernel, record)
    item.user_properties.append(("notebook_run", json.dumps({"name": item.parent.name, **record})))
    if record.get("peak") and record["peak"] > MEMORY_LIMIT_MIB:
        item.memory_failure = (f"{item.parent.name}: the kernel's peak memory {record['peak']:,.0f} MiB is over "
                               f"Binder's {MEMORY_LIMIT_MIB} MiB")


def _teardown_report_fails_when_memory_is_over(item, call, report) -> None:
    """The last cell's teardown report fails (not raises: the next test's setup must not be disturbed)."""
    if call.when == "teardown" and getattr(item, "memory_failure", None):
        report.outcome = "failed"
        report.longrepr = item.memory_failure


def _ask_peak_memory(kernel, record: dict) -> None:
    from medcourse.course.run import PEAK_MEMORY_SOURCE, parse_peak_memory

    if kernel is None or not kernel.is_alive():
        return
    try:
        message_id = kernel.execute_cell_input(PEAK_MEMORY_SOURCE, allow_stdin=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = kernel.get_message(stream="iopub", timeout=30)
            if message["parent_header"].get("msg_id") != message_id:
                continue
            if message["msg_type"] == "stream":
                record["peak"] = parse_peak_memory(message["content"]["text"]) or record["peak"]
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
    except Exception as error:  # a measurement problem must not hide the notebook's own result
        record["error"] = f"{type(error).__name__}: {error}"


import pytest  # noqa: E402 (after the environment above is set)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _teardown_report_fails_when_memory_is_over(item, call, outcome.get_result())


def pytest_runtest_logreport(report):
    """Collect each notebook's figures from its last cell's teardown report (in the main process too)."""
    for name, value in getattr(report, "user_properties", ()):
        if name == "notebook_run":
            run = json.loads(value)
            _finished[run.pop("name")] = run


def pytest_terminal_summary(terminalreporter):
    if not _finished:
        return
    terminalreporter.section("notebooks: wall time and kernel peak memory")
    for name, record in sorted(_finished.items()):
        peak = "?" if record.get("peak") is None else f"{record['peak']:,.0f} MiB"
        terminalreporter.write_line(f"{name:<40}{record.get('seconds', 0):>8.1f} s{peak:>14}")
