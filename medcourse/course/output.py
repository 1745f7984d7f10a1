"""A folder that a command writes into without ever losing a file it did not write (``release``, ``site``).

The command builds everything in a temporary sibling folder first; only when that succeeded are the
files moved into place, one by one, with the previous ones kept aside until the end, so a failure
leaves the folder as it was. A manifest (``.medcourse-*.json``) records each file written and its
SHA-256, so the next run knows which files are its own:

* a file the command did not write (a student's ``my_homework.ipynb``) is never touched; one in the
  way of a file to write is refused, naming it;
* a file it wrote that someone changed since is refused too (move it away or restore it);
* its own unchanged files from the last run are replaced, and those it no longer writes are removed.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


class OutputFolder:
    """``root``, written by ``tool``; its manifest lists what ``tool`` wrote there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = OutputFolder(pathlib.Path(tempfile.mkdtemp()) / "out", "example", "the example")
    >>> staging = folder.stage()
    >>> _ = (staging / "a.txt").write_text("hello")
    >>> folder.commit(staging, ["a.txt"])
    >>> (folder.root / "a.txt").read_text(), sorted(folder.previous())
    ('hello', ['a.txt'])
    """

    def __init__(self, root: str | os.PathLike, kind: str, tool: str):
        self.root = Path(root)
        self.manifest = self.root / f".medcourse-{kind}.json"
        self.tool = tool

    def previous(self) -> dict[str, str] | None:
        """``{relative path: sha256}`` of the files the last run wrote, or None when it never ran here."""
        if not self.manifest.is_file():
            return None
        try:
            files = json.loads(self.manifest.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"{self.manifest} is damaged: the list of files {self.tool} wrote there "
                             "cannot be read; move the folder away") from None
        return {str(name): str(digest) for name, digest in files.items()}

    def check(self, planned: list[str]) -> None:
        """Refuse when writing ``planned`` (relative paths) would replace a file that is not ours, or changed."""
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(f"{self.root} is a file, not a folder to write into")
        previous = self.previous() or {}
        problems = []
        for relative in planned:
            target = self.root / relative
            if (target.exists() or target.is_symlink()) and relative not in previous:
                problems.append(f"{target} exists and was not written by {self.tool}")
        for relative, digest in previous.items():
            target = self.root / relative
            if target.is_file() and not target.is_symlink() and sha256(target) != digest:
                problems.append(f"{target} was changed after {self.tool} wrote it")
            elif target.exists() and (target.is_symlink() or not target.is_file()):
                problems.append(f"{target} was replaced by something {self.tool} did not write")
        if problems:
            raise FileExistsError("; ".join(problems) + ". Nothing was written: move those files away "
                                  "(or restore them) and run again.")

    def stage(self) -> Path:
        """A fresh temporary folder beside ``root`` (inside it when the parent is not writable)."""
        parent = self.root.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix=f".{self.root.name or 'out'}.staging-", dir=parent))
        except PermissionError:
            self.root.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))

    def commit(self, staging: Path, written: list[str]) -> None:
        """Move ``written`` (relative paths) from ``staging`` into ``root``, replacing our previous files.

        On any failure every move is undone, so ``root`` is left as it was. ``staging`` is removed.
        """
        previous = self.previous() or {}
        self.check(written)
        backup = Path(tempfile.mkdtemp(prefix=".previous-", dir=staging))
        moved: list[str] = []
        placed: list[str] = []
        try:
            for relative in previous:
                if (self.root / relative).is_file():
                    (backup / relative).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.root / relative, backup / relative)
                    moved.append(relative)
            for relative in written:
                (self.root / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / relative, self.root / relative)
                placed.append(relative)
            self._write_manifest(written)
        except BaseException:
            for relative in placed:
                (self.root / relative).unlink(missing_ok=True)
            for relative in moved:
                os.replace(backup / relative, self.root / relative)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._remove_empty_folders(set(previous) - set(written))

    def _write_manifest(self, written: list[str]) -> None:
        record = {"tool": self.tool, "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                  "files": {relative: sha256(self.root / relative) for relative in sorted(written)}}
        partial = self.manifest.with_name(self.manifest.name + ".partial")
        partial.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, self.manifest)

    def _remove_empty_folders(self, removed: set[str]) -> None:
        """Folders left empty by our own removed files (never a folder that still holds anything)."""
        folders = {parent for relative in removed for parent in Path(relative).parents if parent != Path(".")}
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # not empty: it holds something we did not write
                (self.root / folder).rmdir()
