"""Resolve an environment file on PyPI alone, without installing anything: does it install, and how big is it?

    python tools/resolve.py requirements.txt                         # this Python
    python tools/resolve.py requirements.txt --python-version 3.13   # the wheels another Python would get
    python tools/resolve.py binder/environment.yml --python-version 3.11
    python tools/resolve.py requirements.txt --sizes                 # ... and the download size, by package

It runs ``pip install --dry-run --ignore-installed --report`` in pip's isolated mode (no pip.conf, no
extra indexes: what a new user on PyPI gets), reading a conda file's pip section. Index options (PyTorch's
CPU index) are left out, since PyPI alone is the question; ``--find-links DIR`` adds local wheels, e.g. a
CPU build of torch, to measure what PyTorch's CPU index would give. ``--sizes`` asks PyPI's file host the
size of each planned file (one HEAD request each). Exits with pip's status.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pip_lines(path: Path) -> list[str]:
    """The requirement lines a conda file's ``pip:`` section lists, index options left out."""
    import yaml  # PyYAML comes with Jupyter (jupyter-events)

    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    sections = [item["pip"] for item in environment.get("dependencies", []) if isinstance(item, dict) and "pip" in item]
    if len(sections) != 1:
        raise ValueError(f"{path}: expected one pip: section under dependencies, found {len(sections)}")
    return [line for line in sections[0] if not line.startswith(("--extra-index-url", "--index-url"))]


def pip_command(requirements: Path, report: Path, python_version: str | None, find_links: list[str]) -> list[str]:
    command = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--report", str(report), "-r", str(requirements)]
    if python_version:
        command += ["--python-version", python_version, "--only-binary=:all:"]
    for folder in find_links:
        command += ["--find-links", folder]
    return command


def file_size(url: str) -> int:
    """Bytes of one planned download: a local file's size, or the Content-Length its host answers."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return os.stat(urllib.parse.unquote(parsed.path)).st_size
    request = urllib.request.Request(url.split("#")[0], method="HEAD")
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(response.headers["Content-Length"])


def planned(report: dict) -> list[tuple[str, str, str]]:
    """``(name, version, url)`` of every package the report would install, local folders excluded."""
    rows = []
    for item in report["install"]:
        info = item["download_info"]
        if "dir_info" in info:  # the course itself, `-e .`
            continue
        rows.append((item["metadata"]["name"], item["metadata"]["version"], info["url"]))
    return rows


def print_sizes(rows: list[tuple[str, str, str]], top: int = 12) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        sizes = list(pool.map(file_size, [url for _, _, url in rows]))
    total = sum(sizes)
    print(f"{len(rows)} packages to download, {total / 2**30:.2f} GiB ({total / 1e9:.2f} GB) in all; the largest:")
    for (name, version, _), size in sorted(zip(rows, sizes, strict=True), key=lambda pair: -pair[1])[:top]:
        print(f"  {size / 2**20:8.1f} MiB  {name} {version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="a requirements file, or a conda environment file (.yml)")
    parser.add_argument("--python-version", help="resolve the wheels for this Python, e.g. 3.13")
    parser.add_argument("--find-links", action="append", default=[], help="a folder of extra local wheels")
    parser.add_argument("--sizes", action="store_true", help="sum the download sizes (asks PyPI's file host)")
    parser.add_argument("--report", type=Path, help="keep pip's JSON report here")
    options = parser.parse_args(argv)
    if not options.file.is_file():
        parser.error(f"file must be an existing requirements or environment file, got {str(options.file)!r}")
    with tempfile.TemporaryDirectory() as scratch:
        requirements = options.file
        if options.file.suffix in (".yml", ".yaml"):
            requirements = Path(scratch) / "pip-section.txt"
            requirements.write_text("\n".join(pip_lines(options.file)) + "\n", encoding="utf-8")
        report = options.report or Path(scratch) / "report.json"
        where = f"Python {options.python_version}" if options.python_version else f"this Python ({sys.version.split()[0]})"
        print(f"resolving {options.file} on PyPI for {where} ...", flush=True)
        completed = subprocess.run(pip_command(requirements, report, options.python_version, options.find_links),
                                   cwd=ROOT, check=False)
        if completed.returncode != 0:
            print(f"{options.file} does NOT resolve for {where} (pip exited {completed.returncode})")
            return completed.returncode
        rows = planned(json.loads(report.read_text(encoding="utf-8")))
        print(f"{options.file} resolves for {where}: {len(rows)} packages")
        if options.sizes:
            print_sizes(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
