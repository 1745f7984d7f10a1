"""Test-session settings shared by the unit tests and nbval's notebook runs.

While nbval executes the notebooks, this file also measures each notebook's wall time and its
kernel's peak memory (asked of the kernel after the last cell, as ``python -m medcourse run`` does),
prints them in a table at the end, and fails the run when a notebook needs more memory than Binder
gives (2 GiB).
"""

import os
import time

# Quiet TensorFlow's C++ start-up logs, here and in the notebook kernels nbval starts (they inherit
# this environment). Errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # as the notebooks do: no oneDNN start-up lines

import matplotlib

matplotlib.use("Agg")  # unit tests draw figures without a screen; kernels keep their inline backend

#: Binder's memory limit: a notebook whose kernel peaks above it fails the test run.
MEMORY_LIMIT_MIB = 2048
_notebooks: dict[str, dict] = {}


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
        _notebooks.setdefault(item.parent.name, {"start": time.perf_counter(), "peak": None})


def pytest_runtest_teardown(item, nextitem):
    """After a notebook's last cell, ask its still-running kernel for its peak memory."""
    if not _is_notebook_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    from medcourse.course.run import PEAK_MEMORY_SOURCE, parse_peak_memory

    record = _notebooks[item.parent.name]
    record["seconds"] = time.perf_counter() - record["start"]
    kernel = item.parent.kernel
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


def pytest_terminal_summary(terminalreporter):
    if not _notebooks:
        return
    terminalreporter.section("notebooks: wall time and kernel peak memory")
    for name, record in _notebooks.items():
        peak = "?" if record.get("peak") is None else f"{record['peak']:,.0f} MiB"
        terminalreporter.write_line(f"{name:<40}{record.get('seconds', 0):>8.1f} s{peak:>14}")


def pytest_sessionfinish(session, exitstatus):
    over = {n: r["peak"] for n, r in _notebooks.items() if r.get("peak") and r["peak"] > MEMORY_LIMIT_MIB}
    if over:
        print(f"\nNotebooks over Binder's {MEMORY_LIMIT_MIB} MiB memory limit: {over}")
        session.exitstatus = 1
