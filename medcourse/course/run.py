"""``python -m medcourse run``: execute notebooks headless, as CI and a classroom check do.

For each notebook: status, wall time and the kernel's peak memory (its maximum resident set size,
read from the kernel process itself after the last cell). The figures in the README's course map
come from this command. A notebook that cannot be read or run becomes a FAILED row of the table;
the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from medcourse.course.notebook import (
    check_parameters,
    inject_parameters,
    parse_parameter,
    read_notebook,
)
from medcourse.course.paths import repository_root

#: Asked of the kernel after the last cell: its own peak resident memory in MiB (conftest.py asks it too).
PEAK_MEMORY_SOURCE = """\
def _medcourse_peak_mib():
    try:  # Linux: the high-water mark of this process's own memory, fresh since the kernel started
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    try:  # macOS and other Unixes (may include what the launching process had before exec)
        import resource, sys
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10
    except ImportError:  # Windows
        import psutil
        return psutil.Process().memory_info().peak_wset / 2**20
print("MEDCOURSE-PEAK-MIB", _medcourse_peak_mib())
"""

#: Seconds the memory probe may wait for a kernel after a failure or a timeout.
PROBE_TIMEOUT = 30.0
#: The metadata key that marks a notebook written by this command (so a later run may replace it).
EXECUTED_MARK = "medcourse"

#: ``progress(cell number, number of cells, seconds the cell took)``, called after each code cell.
Progress = Callable[[int, int, float], None]


def parse_peak_memory(text: str) -> float | None:
    """The MiB figure the peak-memory probe printed, or None when ``text`` does not hold it."""
    match = re.search(r"MEDCOURSE-PEAK-MIB ([0-9.]+)", text)
    return round(float(match.group(1)), 1) if match else None


@dataclass
class RunResult:
    """What happened to one notebook."""

    notebook: str
    ok: bool
    seconds: float
    peak_memory_mib: float | None
    error: str | None = None


def check_output_path(source: str | os.PathLike, output: str | os.PathLike) -> None:
    """Refuse an output that is the input notebook itself or a file this command did not write."""
    source, output = Path(source), Path(output)
    if output.exists() and output.resolve() == source.resolve():
        raise ValueError(f"the executed copy {output} would overwrite the input notebook {source}: "
                         "choose another output folder")
    if output.is_dir():
        raise ValueError(f"the executed copy's path {output} is a folder")
    if output.exists() and not _written_by_run(output):
        raise ValueError(f"{output} exists and was not written by `python -m medcourse run`: "
                         "move it away or choose another output folder")


def _written_by_run(path: Path) -> bool:
    try:
        return EXECUTED_MARK in json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return False


def run_notebook(path: str | os.PathLike, *, timeout: float = 900, parameters: dict | None = None,
                 output: str | os.PathLike | None = None, kernel_name: str = "python3",
                 progress: Progress | None = None) -> RunResult:
    """Execute one notebook top to bottom in a fresh kernel; a failing cell or file gives a failed result.

    Parameters
    ----------
    path : path
        The ``.ipynb`` file.
    timeout : float
        Seconds one cell may take; a cell that takes longer is interrupted and reported.
    parameters : dict, optional
        Values that override the notebook's ``parameters`` cell (each must be assigned there).
    output : path, optional
        Where to write the executed notebook, outputs and widget state included.
    progress : callable, optional
        Called after each code cell with its number, the number of code cells and its seconds.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing .ipynb file, got {str(path)!r}")
    if output is not None:
        check_output_path(path, output)
    try:
        notebook = read_notebook(path)
    except ValueError as error:
        return RunResult(path.name, False, 0.0, None, str(error))
    check_parameters(notebook, parameters or {}, path.name)
    injected = inject_parameters(notebook, parameters or {})
    seconds, peak, error = _execute(notebook, path, timeout, kernel_name, injected, progress)
    if output is not None:
        _write_executed(notebook, path, parameters or {}, Path(output))
    return RunResult(path.name, error is None, round(seconds, 2), peak, error)


def _execute(notebook, path: Path, timeout: float, kernel_name: str, injected: int | None,
             progress: Progress | None) -> tuple[float, float | None, str | None]:
    """Run every cell (in a quiet, inline-plotting environment); returns seconds, peak MiB and the error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    environment = {"TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update({key: os.environ.get(key) or value for key, value in environment.items()})
    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, interrupt_on_timeout=False,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    error, peak = None, None
    start = time.perf_counter()
    try:
        with client.setup_kernel():
            error = _execute_cells(client, notebook, timeout, injected, progress)
            seconds = time.perf_counter() - start
            client.set_widgets_metadata()
            peak = _ask_peak_memory(client, len(notebook.cells), timeout)
    except DeadKernelError as failure:
        seconds = time.perf_counter() - start
        error = f"the kernel died (out of memory?): {failure}"
    except Exception as failure:  # no such kernel, a kernel that never starts: one row, not a traceback
        seconds = time.perf_counter() - start
        error = error or f"the kernel could not run the notebook: {type(failure).__name__}: {failure}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return seconds, peak, error


def _execute_cells(client, notebook, timeout: float, injected: int | None, progress: Progress | None) -> str | None:
    """Execute the cells in order; the first failure as one line naming the cell, or None."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import run_sync

    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and i != injected]
    for index, cell in enumerate(notebook.cells):
        number = _source_number(index, injected)
        started = time.perf_counter()
        try:
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellTimeoutError:
            run_sync(client.km.interrupt_kernel)()  # stop the cell, so the memory probe gets an answer
            run_sync(_finish_interrupted_cell)()
            return f"cell {number} timed out after {timeout:g} s: {_preview(cell.source)}"
        except CellExecutionError as failure:
            return f"cell {number}: {_first_line_of_error(str(failure))}"
        except DeadKernelError as failure:
            raise DeadKernelError(f"during cell {number}: {failure}") from None
        if progress is not None and index in code_cells:
            progress(code_cells.index(index) + 1, len(code_cells), time.perf_counter() - started)
    return None


async def _finish_interrupted_cell() -> None:
    """Let nbclient's output reader of the timed-out cell take that cell's last messages (it is left running)."""
    import asyncio

    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    if not pending:
        return
    done, still_running = await asyncio.wait(pending, timeout=PROBE_TIMEOUT)
    for task in still_running:
        task.cancel()
    for task in done:
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not log it at exit


def _source_number(index: int, injected: int | None) -> int | str:
    """The cell's 1-based position in the source notebook (the injected parameters cell has none)."""
    if injected is None or index < injected:
        return index + 1
    return "with the injected parameters" if index == injected else index


def _preview(source: str) -> str:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:57] + "…"


def _write_executed(notebook, source: Path, parameters: dict, output: Path) -> None:
    import nbformat

    notebook.metadata[EXECUTED_MARK] = {"executed_from": source.name,
                                        "parameters": {key: repr(value) for key, value in parameters.items()}}
    output.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, output)


def _ask_peak_memory(client, index: int, timeout: float) -> float | None:
    import nbformat

    probe = nbformat.v4.new_code_cell(PEAK_MEMORY_SOURCE)
    client.nb.cells.append(probe)  # nbclient writes results back into the notebook's cell list
    client.timeout = PROBE_TIMEOUT  # a tiny cell; the kernel may first finish an interrupted one
    try:
        client.execute_cell(probe, index)
    except Exception:  # the kernel may be gone after a failure; the peak is then unknown
        return None
    finally:
        client.nb.cells.pop()
    for output in probe.get("outputs", []):
        peak = parse_peak_memory(output.get("text", ""))
        if peak is not None:
            return peak
    return None


def _first_line_of_error(text: str) -> str:
    """The exception line of a cell failure (nbclient's message repeats the whole cell source)."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.strip().splitlines()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Interrupt)\b", line):
            return line.strip()
    return lines[-1].strip() if lines else "unknown error"


class ProgressPrinter:
    """Per-cell progress: one line rewritten in place on a terminal, a heartbeat line every ``interval`` s in a log."""

    def __init__(self, stream=None, *, interactive: bool | None = None, interval: float = 15.0,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream or sys.stdout
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.interval, self.clock = interval, clock
        self.start = self.last = clock()

    def __call__(self, number: int, total: int, seconds: float) -> None:
        now = self.clock()
        text = f"    cell {number}/{total}  ({now - self.start:.0f} s)"
        if self.interactive:
            self.stream.write("\r" + text.ljust(40) + ("\r" + " " * 40 + "\r" if number == total else ""))
        elif now - self.last >= self.interval:
            self.stream.write(text + "\n")
            self.last = now
        self.stream.flush()


def default_notebooks() -> list[Path]:
    """All course notebooks, in order: ``notebooks/NN_*.ipynb`` of the checkout or the current folder."""
    root = repository_root() or Path.cwd()
    folder = root / "notebooks" if (root / "notebooks").is_dir() else Path.cwd()
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def format_table(results: list[RunResult]) -> str:
    """A plain-text table of results with a total line."""
    lines = [f"{'notebook':<36}{'status':<8}{'wall time':>11}{'peak memory':>14}"]
    for result in results:
        memory = "?" if result.peak_memory_mib is None else f"{result.peak_memory_mib:,.0f} MiB"
        lines.append(f"{result.notebook:<36}{'ok' if result.ok else 'FAILED':<8}"
                     f"{result.seconds:>9.1f} s{memory:>14}")
        if result.error:
            lines.append(f"    {result.error}")
    total = sum(r.seconds for r in results)
    failed = sum(not r.ok for r in results)
    lines.append(f"{'total':<36}{f'{failed} failed' if failed else 'all ok':<8}{total:>9.1f} s")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m medcourse run",
        description="Execute notebooks headless and report each one's status, wall time and kernel peak memory.")
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to run (optional; default: all course notebooks, in order)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="override a value of the parameters cell, e.g. -p EPOCHS=10 (repeatable)")
    parser.add_argument("--timeout", type=float, default=900, metavar="SECONDS",
                        help="seconds one cell may take before it is interrupted (default 900)")
    parser.add_argument("--output-dir", type=Path, metavar="DIR",
                        help="write the executed notebooks (with outputs and widget state) here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    return parser


def _check_arguments(parser: argparse.ArgumentParser, options, notebooks: list[Path], parameters: dict) -> None:
    """Every problem that can be seen before running is one usage line, and nothing runs."""
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"NOTEBOOK must be existing .ipynb files; not found: {', '.join(missing)}")
    if options.json is not None and (options.json.is_dir() or not options.json.parent.is_dir()):
        parser.error(f"--json must name a file in an existing folder, got {str(options.json)!r}")
    if options.output_dir is not None:
        if options.output_dir.exists() and not options.output_dir.is_dir():
            parser.error(f"--output-dir must be a folder, but {str(options.output_dir)!r} is a file")
        names = [p.name for p in notebooks]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            parser.error(f"--output-dir would receive two notebooks named {', '.join(twice)}")
        for notebook in notebooks:
            try:
                check_output_path(notebook, options.output_dir / notebook.name)
            except ValueError as error:
                parser.error(f"--output-dir: {error}")
    for notebook in notebooks:
        try:
            check_parameters(read_notebook(notebook), parameters, notebook.name)
        except ValueError as error:
            if "not a parameter" in str(error) or "no cell tagged" in str(error):
                parser.error(f"-p: {error}")  # an unreadable notebook becomes a FAILED row instead


def main(argv: list[str] | None = None) -> int:
    """Execute the notebooks given (default: all), print a table, return 1 if any failed."""
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        parameters = dict(parse_parameter(text) for text in options.parameter)
    except ValueError as error:
        parser.error(str(error))
    notebooks = options.notebooks or default_notebooks()
    if not notebooks:
        parser.error("no notebooks found: give paths, or run from the course folder")
    _check_arguments(parser, options, notebooks, parameters)

    results = []
    for notebook in notebooks:
        print(f"running {notebook.name} …", flush=True)
        output = options.output_dir / notebook.name if options.output_dir else None
        result = run_notebook(notebook, timeout=options.timeout, parameters=parameters, output=output,
                              progress=ProgressPrinter())
        memory = "?" if result.peak_memory_mib is None else f"{result.peak_memory_mib:,.0f} MiB"
        print(f"  {'ok' if result.ok else 'FAILED'}  {result.seconds:.1f} s  peak {memory}", flush=True)
        results.append(result)
    print()
    print(format_table(results))
    if options.json:
        options.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1
