"""``python -m medcourse doctor``: is this machine ready for the course?

Checks Python and every package pinned in ``requirements.txt`` (the tested environment), which
deep-learning frameworks import and which GPUs they see, the CPU and memory, and the data cache.
Exits non-zero when a required package is missing or its version is outside the tested pins.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from medcourse._seed import available_cpus
from medcourse.course.paths import repository_root
from medcourse.data.cache import cache_dir, data_files


@dataclass(frozen=True)
class PackageCheck:
    """One line of the doctor's package table."""

    name: str
    required: str
    installed: str | None

    @property
    def ok(self) -> bool:
        if self.installed is None:
            return False
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(self.required).contains(self.installed, prereleases=True)


def required_frameworks(pins: dict[str, str]) -> set[str]:
    """The frameworks a requirements file pins (``"tensorflow"`` for tensorflow or tensorflow-cpu, ``"torch"``).

    A student environment with one framework (``requirements-student-pytorch.txt``) needs only that one.

    Examples
    --------
    >>> sorted(required_frameworks({"torch": "==2.13.0", "numpy": "==2.4.6"}))
    ['torch']
    """
    return {"tensorflow" if name.startswith("tensorflow") else name
            for name in pins if name in ("torch", "tensorflow", "tensorflow-cpu")}


def read_pins(path: str | os.PathLike) -> dict[str, str]:
    """The pinned requirements of ``path`` that apply to this platform, as ``{name: specifier}``.

    Lines that are not requirements (``-e .``, options, comments) are skipped; environment markers
    (``; platform_machine == "x86_64"``) are evaluated for this machine.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "requirements.txt"
    >>> _ = file.write_text("numpy==2.0.0  # arrays\\n-e .\\n")
    >>> read_pins(file)
    {'numpy': '==2.0.0'}
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    for number, raw in enumerate(Path(path).read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"{path}, line {number}: not a requirement ({error}): {raw!r}") from None
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(requirement.name)] = str(requirement.specifier)
    return pins


def check_packages(pins: dict[str, str]) -> list[PackageCheck]:
    """Compare each pinned package with the installed version."""
    checks = []
    for name, specifier in pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        checks.append(PackageCheck(name, specifier, installed))
    return checks


_FRAMEWORK_PROBE = r"""
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
name = sys.argv[1]
result = {"imports": False, "version": None, "gpus": [], "error": None}
try:
    if name == "tensorflow":
        import tensorflow as tf
        result["version"] = tf.__version__
        result["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
    else:
        import torch
        result["version"] = torch.__version__
        if torch.cuda.is_available():
            result["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            result["gpus"] = ["Apple MPS"]
    result["imports"] = True
except Exception as error:
    result["error"] = f"{type(error).__name__}: {error}"
print("MEDCOURSE-PROBE " + json.dumps(result))
"""


def probe_framework(name: str, timeout: float = 180.0) -> dict:
    """Import ``tensorflow`` or ``torch`` in a child process (so its memory and logs stay out of
    this one) and report whether it imports, its version and the GPUs it sees."""
    if name not in ("tensorflow", "torch"):
        raise ValueError(f"name must be 'tensorflow' or 'torch', got {name!r}")
    try:
        completed = subprocess.run([sys.executable, "-c", _FRAMEWORK_PROBE, name], capture_output=True,
                                   text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"imports": False, "version": None, "gpus": [], "error": f"import took over {timeout:.0f} s"}
    for line in completed.stdout.splitlines():
        if line.startswith("MEDCOURSE-PROBE "):
            return json.loads(line.removeprefix("MEDCOURSE-PROBE "))
    tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return {"imports": False, "version": None, "gpus": [], "error": f"the import crashed: {tail}"}


def machine_summary() -> dict:
    """Python, operating system, CPU cores and memory of this machine."""
    import psutil

    memory = psutil.virtual_memory()
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "cpu cores": os.cpu_count(),
        "cpus usable (quota)": available_cpus(),
        "memory total (GB)": round(memory.total / 2**30, 1),
        "memory available (GB)": round(memory.available / 2**30, 1),
    }


def cache_summary() -> dict:
    """The data cache folder and the files in it with their sizes."""
    folder = cache_dir()
    files = data_files(folder)  # finished data only: not partial downloads, not files moved aside
    return {"folder": str(folder), "files": {p.name: round(p.stat().st_size / 2**20, 1) for p in files}}


def main(argv: list[str] | None = None) -> int:
    """Run the checks, print a report, return 0 when the environment matches the tested pins."""
    root = repository_root()
    parser = argparse.ArgumentParser(
        prog="python -m medcourse doctor",
        description="Is this machine ready for the course? Checks Python, the pinned packages, TensorFlow and "
                    "PyTorch (and the GPUs they see), CPU, memory and the data cache.")
    parser.add_argument("--requirements", type=Path,
                        default=root / "requirements.txt" if root else None,
                        help="pinned requirements to check against (default: the checkout's requirements.txt)")
    parser.add_argument("--no-frameworks", action="store_true",
                        help="skip importing TensorFlow and PyTorch (faster)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    options = parser.parse_args(argv)

    report: dict = {"machine": machine_summary(), "packages": [], "frameworks": {}, "cache": cache_summary()}
    problems: list[str] = []
    wanted = None  # the frameworks the requirements pin; None: unknown, one of the two is enough
    if options.requirements is None:
        report["note"] = "requirements.txt not found (medcourse installed without the repository): versions not checked"
    elif not options.requirements.is_file():
        parser.error(f"--requirements must be an existing file, got {str(options.requirements)!r}")
    else:
        pins = read_pins(options.requirements)
        wanted = required_frameworks(pins)
        for check in check_packages(pins):
            report["packages"].append({"name": check.name, "required": check.required,
                                       "installed": check.installed, "ok": check.ok})
            if check.installed is None:
                problems.append(f"{check.name} is missing (tested with {check.required})")
            elif not check.ok:
                problems.append(f"{check.name} {check.installed} is outside the tested pin {check.required}")
    if not options.no_frameworks:
        for name in ("tensorflow", "torch"):
            result = probe_framework(name)
            report["frameworks"][name] = result
            if not result["imports"] and (wanted is None or name in wanted):
                problems.append(f"{name} does not import: {result['error']}")
        if wanted is None and not any(r["imports"] for r in report["frameworks"].values()):
            problems.append("neither TensorFlow nor PyTorch imports: the notebooks need at least one")
    report["problems"] = problems

    if options.json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report)
    return 1 if problems else 0


def _print_report(report: dict) -> None:
    print("medcourse doctor")
    print("\nMachine")
    for key, value in report["machine"].items():
        print(f"  {key:<24}{value}")
    if report.get("note"):
        print(f"\nPackages: {report['note']}")
    elif report["packages"]:
        print("\nPackages (tested pins from requirements.txt)")
        for item in report["packages"]:
            mark = "ok " if item["ok"] else "BAD"
            installed = item["installed"] or "missing"
            print(f"  {mark} {item['name']:<22}{installed:<18}tested {item['required']}")
    if report["frameworks"]:
        print("\nFrameworks")
        for name, result in report["frameworks"].items():
            if result["imports"]:
                gpus = ", ".join(result["gpus"]) or "none (runs on the CPU)"
                print(f"  ok  {name:<22}{result['version']:<18}GPUs: {gpus}")
            elif any(name in problem for problem in report["problems"]):
                print(f"  BAD {name:<22}{result['error']}")
            else:
                print(f"  --  {name:<22}not installed (not needed by these requirements)")
    cache = report["cache"]
    print(f"\nData cache: {cache['folder']}  (set MEDCOURSE_DATA to move it)")
    for name, size in cache["files"].items():
        print(f"  {name:<30}{size:>8.1f} MB")
    if not cache["files"]:
        print("  empty: the course's embedded datasets need nothing here; MedMNIST files land here")
    print()
    if report["problems"]:
        print("Problems:")
        for problem in report["problems"]:
            print(f"  - {problem}")
        print("Fix them with `pip install -r requirements.txt` in the course's virtual environment.")
    else:
        print("All good: this machine matches the tested environment.")
