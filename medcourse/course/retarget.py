"""``python -m medcourse retarget OWNER/NAME [--branch B]``: point a fork of the course at its own repository.

An instructor who forks the course wants the Colab and Binder badges, the Colab install line, the
JupyterHub (nbgitpuller) link and the package metadata to name the fork. The repository address is
written in one place (``pyproject.toml``'s ``[project.urls] Repository``, mirrored by
``medcourse.repository_url``); this command rewrites every copy of it in the files that show it:

* ``pyproject.toml`` and ``medcourse/__init__.py``;
* every notebook's badges and its Colab install line (whose ``@vVERSION`` tag suffix is kept);
* ``README.md`` and ``CONTRIBUTING.md`` (badges, launch links, the nbgitpuller link);
* the lecture site, which takes its launch links from the notebooks' badges when it is built.

Other files that still name the old address (a data citation, say) are listed, not changed: credit to
the original authors stays. :func:`rewrite_links` is also what ``release --repository`` uses.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from medcourse.course.paths import repository_root

#: GitHub's rules: an owner of letters, digits and single hyphens; a name of letters, digits, ``.``, ``_``, ``-``.
_OWNER_NAME = re.compile(r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})/(?P<name>[A-Za-z0-9._-]{1,100})")
#: Files (besides the notebooks) whose every mention of the address is rewritten.
TEXT_FILES = ("pyproject.toml", "medcourse/__init__.py", "README.md", "CONTRIBUTING.md")
#: Where the old address may stand and is deliberately left alone (build products, caches).
_SKIPPED_FOLDERS = {".git", ".venv", "build", "dist", "__pycache__", ".ipynb_checkpoints", "artifacts",
                    ".hypothesis", ".ruff_cache", ".pytest_cache"}


def parse_owner_name(text: str, argument: str = "OWNER/NAME") -> str:
    """Check a GitHub ``owner/name``; a URL (``https://github.com/owner/name``) is accepted too.

    Examples
    --------
    >>> parse_owner_name("https://github.com/teacher/dl-course.git")
    'teacher/dl-course'
    """
    cleaned = re.sub(r"^(https?://)?(www\.)?github\.com/", "", text.strip()).removesuffix(".git").strip("/")
    if not _OWNER_NAME.fullmatch(cleaned) or cleaned.split("/")[1] in (".", ".."):
        raise ValueError(f"{argument} must look like OWNER/NAME (a GitHub repository), got {text!r}")
    return cleaned


def current_address(root: Path) -> str:
    """``owner/name`` of the repository that ``root``'s ``pyproject.toml`` names (the one source of truth)."""
    import tomllib

    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise FileNotFoundError(f"{pyproject}: no pyproject.toml here; give the course checkout with --root")
    url = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("urls", {}).get("Repository")
    if not url:
        raise ValueError(f"{pyproject} has no [project.urls] Repository to retarget")
    return parse_owner_name(url, f"{pyproject}'s Repository")


def _name_end(owner_name: str) -> str:
    """A pattern for ``owner/name`` that does not also match ``owner/name-more`` (``.git`` may follow)."""
    return re.escape(owner_name) + r"(?=\.git\b|[^\w.-]|\.(?![\w-])|$)"


def rewrite_links(text: str, old: str, new: str, branch: str | None = None) -> str:
    """Point every link to GitHub repository ``old`` at ``new`` (and at ``branch``, when given).

    Colab and Binder links, ``/blob/`` and ``/tree/`` links, the nbgitpuller link (its repository,
    branch and the clone's folder) and plain or ``git+`` addresses, whose ``@tag`` suffix is kept.

    Examples
    --------
    >>> rewrite_links('pip install "medcourse @ git+https://github.com/a/b@v0.1.0"', "a/b", "c/d")
    'pip install "medcourse @ git+https://github.com/c/d@v0.1.0"'
    >>> rewrite_links("https://mybinder.org/v2/gh/a/b/main?urlpath=lab", "a/b", "c/d", branch="fall")
    'https://mybinder.org/v2/gh/c/d/fall?urlpath=lab'
    """
    def keep_or(match: re.Match) -> str:
        return branch or match.group("branch")

    old_owner, old_name = old.split("/")
    new_owner, new_name = new.split("/")
    text = re.sub(rf"(colab\.research\.google\.com/github/){re.escape(old)}/blob/(?P<branch>[^/\s\"')]+)/",
                  lambda m: f"{m.group(1)}{new}/blob/{keep_or(m)}/", text)
    text = re.sub(rf"(mybinder\.org/v2/gh/){re.escape(old)}/(?P<branch>[^/?\s\"')]+)",
                  lambda m: f"{m.group(1)}{new}/{keep_or(m)}", text)
    text = re.sub(rf"(github\.com/){re.escape(old)}/(?P<kind>blob|tree)/(?P<branch>[^/\s\"')]+)",
                  lambda m: f"{m.group(1)}{new}/{m.group('kind')}/{keep_or(m)}", text)
    puller = (rf"(repo=https%3A%2F%2Fgithub\.com%2F){re.escape(old_owner)}%2F{re.escape(old_name)}"
              rf"(&branch=)(?P<branch>[^&\s\"')]+)(&urlpath=[a-z]+%2Ftree%2F){re.escape(old_name)}(%2F|&|\s|$)")
    text = re.sub(puller, lambda m: (f"{m.group(1)}{new_owner}%2F{new_name}{m.group(2)}{keep_or(m)}"
                                     f"{m.group(4)}{new_name}{m.group(5)}"), text)
    text = re.sub(rf"(repo=https%3A%2F%2Fgithub\.com%2F){re.escape(old_owner)}%2F{re.escape(old_name)}(?![\w.-])",
                  lambda m: f"{m.group(1)}{new_owner}%2F{new_name}", text)
    return re.sub(rf"(github\.com/){_name_end(old)}", lambda m: f"{m.group(1)}{new}", text)


def retarget(root: str | Path, new: str, branch: str | None = None) -> dict[str, list[Path]]:
    """Rewrite the address in ``root``'s files; returns ``{"changed": [...], "untouched": [...]}``.

    ``untouched`` lists other files under ``root`` that still name the old address (left as they are).
    """
    import nbformat

    root = Path(root)
    old = current_address(root)
    new = parse_owner_name(new)
    if branch is not None and not re.fullmatch(r"[\w.][\w./-]*", branch):
        raise ValueError(f"--branch must be a Git branch name, got {branch!r}")
    package = root / "medcourse" / "__init__.py"
    if package.is_file() and not re.search(rf"github\.com/{_name_end(old)}", package.read_text(encoding="utf-8")):
        raise ValueError(f"{package}'s repository_url does not name {old}, the Repository of pyproject.toml: "
                         "make them agree first")
    changed: list[Path] = []
    for relative in TEXT_FILES:
        path = root / relative
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if (updated := rewrite_links(text, old, new, branch)) != text:
                path.write_text(updated, encoding="utf-8")
                changed.append(path)
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        before = [cell.source for cell in notebook.cells]
        for cell in notebook.cells:
            cell.source = rewrite_links(cell.source, old, new, branch)
        if [cell.source for cell in notebook.cells] != before:
            nbformat.write(notebook, path)
            changed.append(path)
    return {"changed": changed, "untouched": _still_naming(root, old, set(changed))}


def _still_naming(root: Path, old: str, skip: set[Path]) -> list[Path]:
    """Text files under ``root`` (outside build folders) that still mention ``github.com/old``."""
    pattern = re.compile(rf"github\.com/{_name_end(old)}|github\.com%2F{re.escape(old.replace('/', '%2F'))}")
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (path in skip or not path.is_file() or _SKIPPED_FOLDERS & set(relative.parts)
                or any(part.endswith(".egg-info") for part in relative.parts) or path.stat().st_size > 2**22):
            continue
        try:
            if pattern.search(path.read_text(encoding="utf-8")):
                found.append(path)
        except (UnicodeDecodeError, OSError):
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse retarget``."""
    parser = argparse.ArgumentParser(
        prog="python -m medcourse retarget",
        usage="python -m medcourse retarget OWNER/NAME [--branch BRANCH] [--root DIR]",
        description="Point the badges, the Colab install line, the README links and the package metadata "
                    "at another GitHub repository (a fork of the course).")
    parser.add_argument("address", metavar="OWNER/NAME", help="the fork, e.g. my-school/dl-medical-imaging")
    parser.add_argument("--branch", metavar="BRANCH",
                        help="branch the badges open (optional; default: keep each link's branch)")
    parser.add_argument("--root", type=Path, metavar="DIR",
                        help="the course checkout to rewrite (optional; default: the one medcourse runs from)")
    options = parser.parse_args(argv)
    root = options.root or repository_root()
    if root is None or not (root / "pyproject.toml").is_file():
        parser.error(f"--root must be a course checkout with a pyproject.toml, got {str(root)!r}")
    try:
        result = retarget(root, options.address, options.branch)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    for path in result["changed"]:
        print(f"rewrote   {path.relative_to(root)}")
    if not result["changed"]:
        print(f"nothing to change: {root} already points at {options.address}")
    for path in result["untouched"]:
        print(f"left as is (still names the original; check it): {path.relative_to(root)}")
    return 0
