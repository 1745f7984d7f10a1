"""``python -m medcourse run``: execute notebooks headless, as CI and a classroom check do.

For each notebook: status, wall time and the kernel's peak memory (its maximum resident set size,
read from the kernel process itself after the last cell). The figures in the README's course map
come from this command.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from medcourse.course.paths import repository_root

#: Asked of the kernel after the last cell: its own peak resident memory in MiB.
_PEAK_MEMORY_SOURCE = """\
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


def parse_parameter(text: str) -> tuple[str, object]:
    """Turn ``"EPOCHS=10"`` into ``("EPOCHS", 10)``; values are Python literals, else strings."""
    name, separator, value = text.partition("=")
    if not separator or not name.strip().isidentifier():
        raise ValueError(f"a parameter must look like NAME=VALUE, got {text!r}")
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        parsed = value
    return name.strip(), parsed


def inject_parameters(notebook, parameters: dict[str, object]) -> None:
    """Insert a cell assigning ``parameters`` right after the cell tagged ``parameters`` (papermill style)."""
    import nbformat

    if not parameters:
        return
    for index, cell in enumerate(notebook.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "# Injected by `python -m medcourse run`\n" + "\n".join(
                f"{name} = {value!r}" for name, value in parameters.items())
            injected = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
            notebook.cells.insert(index + 1, injected)
            return
    raise ValueError("parameters were given, but the notebook has no cell tagged 'parameters'")


def run_notebook(path: str | os.PathLike, *, timeout: float = 900, parameters: dict | None = None,
                 output: str | os.PathLike | None = None, kernel_name: str = "python3") -> RunResult:
    """Execute one notebook top to bottom in a fresh kernel; never raises for a failing cell.

    Parameters
    ----------
    path : path
        The ``.ipynb`` file.
    timeout : float
        Seconds one cell may take.
    parameters : dict, optional
        Values that override the notebook's ``parameters`` cell.
    output : path, optional
        Where to write the executed notebook, outputs included.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if not path.is_file() or path.suffix != ".ipynb":
        raise FileNotFoundError(f"path must be an existing .ipynb file, got {str(path)!r}")
    notebook = nbformat.read(path, as_version=4)
    inject_parameters(notebook, parameters or {})
    environment = {"TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update({key: os.environ.get(key) or value for key, value in environment.items()})
    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    error: str | None = None
    peak: float | None = None
    start = time.perf_counter()
    try:
        with client.setup_kernel():
            try:
                for index, cell in enumerate(notebook.cells):
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except (CellExecutionError, CellTimeoutError) as failure:
                error = _first_line_of_error(str(failure))
            seconds = time.perf_counter() - start
            peak = _ask_peak_memory(client, len(notebook.cells))
    except DeadKernelError as failure:
        seconds = time.perf_counter() - start
        error = f"the kernel died (out of memory?): {failure}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, output)
    return RunResult(path.name, error is None, round(seconds, 2), peak, error)


def _ask_peak_memory(client, index: int) -> float | None:
    import nbformat

    probe = nbformat.v4.new_code_cell(_PEAK_MEMORY_SOURCE)
    client.nb.cells.append(probe)  # nbclient writes results back into the notebook's cell list
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


def main(argv: list[str] | None = None) -> int:
    """Execute the notebooks given (default: all), print a table, return 1 if any failed."""
    parser = argparse.ArgumentParser(prog="python -m medcourse run", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all, in order)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="override a value of the parameters cell, e.g. -p EPOCHS=10 (repeatable)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one cell may take (default 900)")
    parser.add_argument("--output-dir", type=Path, help="write the executed notebooks (with outputs) here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    options = parser.parse_args(argv)
    try:
        parameters = dict(parse_parameter(text) for text in options.parameter)
    except ValueError as error:
        parser.error(str(error))
    notebooks = options.notebooks or default_notebooks()
    if not notebooks:
        parser.error("no notebooks found: give paths, or run from the course folder")
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"NOTEBOOK must be existing .ipynb files; not found: {', '.join(missing)}")

    results = []
    for notebook in notebooks:
        print(f"running {notebook.name} …", flush=True)
        output = options.output_dir / notebook.name if options.output_dir else None
        result = run_notebook(notebook, timeout=options.timeout, parameters=parameters, output=output)
        memory = "?" if result.peak_memory_mib is None else f"{result.peak_memory_mib:,.0f} MiB"
        print(f"  {'ok' if result.ok else 'FAILED'}  {result.seconds:.1f} s  peak {memory}", flush=True)
        results.append(result)
    print()
    print(format_table(results))
    if options.json:
        options.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if all(r.ok for r in results) else 1
