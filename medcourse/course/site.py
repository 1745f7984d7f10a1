"""``python -m medcourse site OUT``: the executed lectures as a static website.

Each notebook becomes one HTML page with its outputs and figures (rendered by nbconvert, the Jupyter
project's own converter, so it builds offline), a navigation bar (course index, previous, next) and
Colab/Binder launch links; ``index.html`` lists the lectures. Notebooks already executed by
``python -m medcourse run --output-dir DIR`` are reused with ``--executed DIR`` instead of running twice.
"""

from __future__ import annotations

import argparse
import html
import os
import re
from pathlib import Path

import medcourse
from medcourse.course.run import default_notebooks, run_notebook

_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
_MATHJAX_CONFIG = "window.MathJax = {tex: {inlineMath: [['$', '$']]}};"
_STYLE = """
body.medcourse-index { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
  color: #1d2430; line-height: 1.5; }
.medcourse-nav { position: sticky; top: 0; z-index: 100; display: flex; gap: 1.2rem; align-items: center;
  padding: .55rem 1.2rem; background: #12324d; font: 14px system-ui, sans-serif; }
.medcourse-nav a { color: #fff; text-decoration: none; }
.medcourse-nav a:hover { text-decoration: underline; }
.medcourse-nav .spacer { flex: 1; }
.medcourse-index li { margin-bottom: 1rem; }
.medcourse-index .launch a { margin-right: .8rem; font-size: .9em; }
"""


def launch_links(name: str) -> dict[str, str]:
    """Colab and Binder addresses of notebook ``name``, built from the repository address."""
    owner_and_name = medcourse.repository_url.removeprefix("https://github.com/")
    return {
        "Open in Colab": f"https://colab.research.google.com/github/{owner_and_name}/blob/main/notebooks/{name}",
        "Launch Binder": f"https://mybinder.org/v2/gh/{owner_and_name}/main?urlpath=lab/tree/notebooks/{name}",
    }


def title_and_promise(notebook) -> tuple[str, str]:
    """The notebook's title (first heading) and the first paragraph after its badges."""
    source = notebook.cells[0].source if notebook.cells else ""
    lines = source.splitlines()
    title = next((line.lstrip("# ").strip() for line in lines if line.startswith("# ")), "Untitled")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", source)]
    promise = next((p for p in paragraphs[1:] if p and not p.startswith(("[![", "#", "**"))), "")
    return title, " ".join(promise.split())


def _nav(previous: str | None, following: str | None, name: str) -> str:
    parts = ['<nav class="medcourse-nav"><a href="index.html">☰ Course index</a>']
    if previous:
        parts.append(f'<a href="{previous}" rel="prev">← Previous</a>')
    if following:
        parts.append(f'<a href="{following}" rel="next">Next →</a>')
    parts.append('<span class="spacer"></span>')
    parts += [f'<a href="{url}">{label}</a>' for label, url in launch_links(name).items()]
    parts.append("</nav>")
    return "".join(parts)


def render_page(notebook, name: str, previous: str | None, following: str | None) -> str:
    """One notebook as a complete HTML page with the course navigation bar."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(notebook)
    nav = f"<style>{_STYLE}</style>" + _nav(previous, following, name)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, body, count=1)


def build_site(out: str | os.PathLike, notebooks: list[Path] | None = None, *,
               executed: str | os.PathLike | None = None, timeout: float = 900) -> list[Path]:
    """Write ``out/index.html`` and one page per notebook; returns the pages written.

    Parameters
    ----------
    out : path
        Folder of the site (created).
    notebooks : list of paths, optional
        Notebooks to publish (default: all course notebooks, in order).
    executed : path, optional
        Folder of already executed copies (``python -m medcourse run --output-dir``); notebooks not
        found there are executed now.
    """
    import nbformat

    out = Path(out)
    notebooks = notebooks or default_notebooks()
    if not notebooks:
        raise ValueError("no notebooks to publish: give paths, or run from the course folder")
    out.mkdir(parents=True, exist_ok=True)
    pages, entries = [], []
    names = [p.name for p in notebooks]
    for position, path in enumerate(notebooks):
        ready = Path(executed) / path.name if executed else None
        if ready is None or not ready.is_file():
            ready = out / "_executed" / path.name
            result = run_notebook(path, timeout=timeout, output=ready)
            if not result.ok:
                raise RuntimeError(f"{path.name} failed while executing for the site: {result.error}")
        notebook = nbformat.read(ready, as_version=4)
        page = Path(path.name).with_suffix(".html").name
        previous = Path(names[position - 1]).with_suffix(".html").name if position else None
        following = Path(names[position + 1]).with_suffix(".html").name if position + 1 < len(names) else None
        (out / page).write_text(render_page(notebook, path.name, previous, following), encoding="utf-8")
        pages.append(out / page)
        entries.append((page, path.name, *title_and_promise(notebook)))
    (out / "index.html").write_text(_index(entries), encoding="utf-8")
    return pages


def _index(entries: list[tuple[str, str, str, str]]) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    items = []
    for page, name, title, promise in entries:
        links = " ".join(f'<a href="{url}">{label}</a>' for label, url in launch_links(name).items())
        items.append(f'<li><a href="{page}"><strong>{html.escape(title)}</strong></a>'
                     f'{markdown2html_mistune(promise)}<span class="launch">{links}</span></li>')
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Deep Learning for Medical Image Analysis</title>"
            f"<script>{_MATHJAX_CONFIG}</script><script async src=\"{_MATHJAX}\"></script>"
            f"<style>{_STYLE}</style></head><body class=\"medcourse-index\">"
            "<h1>Deep Learning for Medical Image Analysis</h1>"
            "<p>Executed lecture notebooks: every model in TensorFlow and PyTorch, every equation checked "
            f"against code. Source: <a href=\"{medcourse.repository_url}\">{medcourse.repository_url}</a>.</p>"
            f"<ol>{''.join(items)}</ol></body></html>\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse site``."""
    parser = argparse.ArgumentParser(prog="python -m medcourse site", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the site into")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to publish (default: all)")
    parser.add_argument("--executed", type=Path, help="folder of executed notebooks from `run --output-dir`")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one cell may take when executing")
    options = parser.parse_args(argv)
    if options.executed is not None and not options.executed.is_dir():
        parser.error(f"--executed must be an existing folder, got {str(options.executed)!r}")
    pages = build_site(options.out, options.notebooks or None, executed=options.executed, timeout=options.timeout)
    print(f"{len(pages)} pages and index.html written to {options.out}")
    return 0
