"""``python -m medcourse site OUT``: the executed lectures as a static website that works offline.

Each notebook becomes one HTML page with its outputs and figures (rendered by nbconvert, the Jupyter
project's own converter), a navigation bar (course index, previous, next, Colab and Binder), a
sidebar with every lecture and the sections of this one, and a search box that searches the whole
course in the browser. Formulas are typeset by a copy of MathJax inside the site, widgets are drawn
from their saved state, and the badges are local files: viewing a page sends no request anywhere
(see :mod:`medcourse.course.site_outputs` and :mod:`medcourse.course.site_assets`).

Notebooks already executed by ``python -m medcourse run --output-dir DIR`` are reused with
``--executed DIR`` instead of running twice. The site's files are listed in a manifest, so a rebuild
replaces only them and never a file it did not write (see :mod:`medcourse.course.output`).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from pathlib import Path

import medcourse
from medcourse.course import site_assets, site_outputs
from medcourse.course.output import OutputFolder
from medcourse.course.paths import repository_root
from medcourse.course.run import default_notebooks, run_notebook

COURSE_TITLE = "Deep Learning for Medical Image Analysis"
_COLAB_BADGE = re.compile(r"https://colab\.research\.google\.com/github/(?P<repo>[\w.-]+/[\w.-]+)/blob/"
                          r"(?P<branch>[^/\s)]+)/notebooks/")


def launch_links(name: str, notebook=None) -> dict[str, str]:
    """Colab and Binder addresses of notebook ``name``: from its own Colab badge when it has one
    (so a fork retargeted with ``python -m medcourse retarget`` links to itself), else the package's address."""
    found = _COLAB_BADGE.search(notebook.cells[0].source) if notebook is not None and notebook.cells else None
    repository = found["repo"] if found else medcourse.repository_url.removeprefix("https://github.com/")
    branch = found["branch"] if found else "main"
    return {
        "Open in Colab": f"https://colab.research.google.com/github/{repository}/blob/{branch}/notebooks/{name}",
        "Launch Binder": f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath=lab/tree/notebooks/{name}",
    }


def title_and_promise(notebook) -> tuple[str, str]:
    """The notebook's title (first heading) and the first paragraph after its badges."""
    source = notebook.cells[0].source if notebook.cells else ""
    lines = source.splitlines()
    title = next((line.lstrip("# ").strip() for line in lines if line.startswith("# ")), "Untitled")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", source)]
    promise = next((p for p in paragraphs[1:] if p and not p.startswith(("[![", "#", "**"))), "")
    return title, " ".join(promise.split())


def _nav(previous: str | None, following: str | None, links: dict[str, str]) -> str:
    parts = ['<nav class="medcourse-nav"><button id="medcourse-toggle" aria-label="Contents">☰ Contents</button>',
             '<a href="index.html">Course index</a>']
    if previous:
        parts.append(f'<a href="{previous}" rel="prev">← Previous</a>')
    if following:
        parts.append(f'<a href="{following}" rel="next">Next →</a>')
    parts.append('<span class="spacer"></span>')
    parts += [f'<a href="{url}">{label}</a>' for label, url in links.items()]
    parts.append("</nav>")
    return "".join(parts)


def prepare_for_page(notebook, replacements: list[tuple[str, str]] | None = None) -> None:
    """Outputs ready for a page with no kernel and no network (in place): clean paths, static widgets,
    local badges."""
    site_outputs.clean_outputs(notebook, replacements if replacements is not None else
                               site_outputs.path_replacements(*filter(None, [repository_root()])))
    site_outputs.render_widgets(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = site_outputs.localise_images(cell.source)


def _exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", template_file="medcourse-page.html.j2",
                        extra_loaders=[jinja2.DictLoader({"medcourse-page.html.j2": site_assets.PAGE_TEMPLATE})])


def render_page(notebook, name: str, previous: str | None, following: str | None, *,
                sidebar: str = "", exporter=None) -> str:
    """One notebook as a complete HTML page with the course navigation, a sidebar and previous/next links."""
    import copy

    notebook = copy.deepcopy(notebook)
    prepare_for_page(notebook)
    title = f"{title_and_promise(notebook)[0]} · {COURSE_TITLE}"
    body, _ = (exporter or _exporter()).from_notebook_node(notebook, resources={"metadata": {"name": title}})
    links = launch_links(name, notebook)
    pager = "".join(
        f'<a href="{page}" rel="{relation}">{arrow}</a>' for page, relation, arrow in
        ((previous, "prev", "← Previous lecture"), (following, "next", "Next lecture →")) if page)
    return (body.replace("<!--medcourse-nav-->", _nav(previous, following, links), 1)
                .replace("<!--medcourse-sidebar-->", sidebar, 1)
                .replace("<!--medcourse-pager-->", f'<nav class="medcourse-pager">{pager}</nav>', 1))


def headings(page: str) -> list[tuple[int, str, str]]:
    """``(level, anchor id, text)`` of each heading of a rendered page, in order."""
    found = []
    for match in re.finditer(r"<h([1-4])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", page, re.S):
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).replace("¶", "").strip()
        found.append((int(match.group(1)), html.unescape(match.group(2)), text))
    return found


def sidebar(entries: list[dict], current: str | None) -> str:
    """The search box and a table of contents of every lecture (the current one with its sections)."""
    items = []
    for entry in entries:
        sections = ""
        if entry["page"] == current:
            sections = "<ol>" + "".join(
                f'<li><a href="#{html.escape(anchor, quote=True)}">{html.escape(text)}</a></li>'
                for level, anchor, text in entry["headings"] if level == 2) + "</ol>"
        mark = ' class="current"' if entry["page"] == current else ""
        items.append(f'<li{mark}><a href="{entry["page"]}">{html.escape(entry["title"])}</a>{sections}</li>')
    return ('<aside class="medcourse-sidebar"><input type="search" id="medcourse-search" '
            'placeholder="Search the course (press /)" aria-label="Search the course">'
            '<ol class="medcourse-results" id="medcourse-results"></ol>'
            f'<nav class="medcourse-toc" aria-label="Lectures"><ol>{"".join(items)}</ol></nav></aside>')


def search_index(entries: list[dict]) -> str:
    """``assets/search-index.js``: one record per section of every page (a script, so it loads from disk)."""
    records = []
    for entry in entries:
        page = entry["html"]
        main = page[page.find('<main class="medcourse-main">'):page.rfind("</main>")]
        marks = [(m.start(), html.unescape(m.group(2))) for m in
                 re.finditer(r"<h([1-4])\b[^>]*\bid=\"([^\"]+)\"", main)]
        bounds = [(0, ""), *marks]
        titles = {anchor: text for _, anchor, text in entry["headings"]}
        for (start, anchor), (end, _) in zip(bounds, [*bounds[1:], (len(main), "")], strict=True):
            text = _plain_text(main[start:end])
            if text:
                records.append({"p": entry["page"], "t": entry["title"], "h": titles.get(anchor, ""),
                                "a": anchor, "x": text})
    return "window.MEDCOURSE_SEARCH = " + json.dumps(records, ensure_ascii=False) + ";\n"


def _plain_text(fragment: str) -> str:
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    fragment = re.sub(r"<img\b[^>]*>", " ", fragment)
    fragment = re.sub(r"</?(p|div|li|h[1-6]|br|pre|tr|td|th|table|ul|ol)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("¶", " ").split())


def _index(entries: list[dict]) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    items = []
    for entry in entries:
        links = " ".join(f'<a href="{url}">{label}</a>' for label, url in entry["links"].items())
        items.append(f'<li><a href="{entry["page"]}"><strong>{html.escape(entry["title"])}</strong></a>'
                     f'{markdown2html_mistune(entry["promise"])}<span class="launch">{links}</span></li>')
    source = re.sub(r"/blob/.*", "", entries[0]["links"]["Open in Colab"]).replace(
        "colab.research.google.com/github", "github.com")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            f"<title>{COURSE_TITLE}</title>"
            f"<script type=\"text/x-mathjax-config\">{site_assets.MATHJAX_CONFIG}</script>"
            f"<script src=\"{site_assets.MATHJAX_URL}\"></script>"
            "<link rel=\"stylesheet\" href=\"assets/medcourse.css\">"
            "<link rel=\"icon\" href=\"assets/favicon.svg\" type=\"image/svg+xml\"></head><body class=\"medcourse-index\">"
            "<nav class=\"medcourse-nav\"><button id=\"medcourse-toggle\" aria-label=\"Contents\">☰ Contents</button>"
            f"<a href=\"index.html\">{COURSE_TITLE}</a></nav><div class=\"medcourse-layout\">"
            f"{sidebar(entries, None)}<main class=\"medcourse-main\"><h1>{COURSE_TITLE}</h1>"
            "<p>Executed lecture notebooks: every model in TensorFlow and PyTorch, every equation checked "
            f"against code. Source: <a href=\"{source}\">{source}</a>.</p>"
            f"<ol>{''.join(items)}</ol></main></div>"
            "<script src=\"assets/search-index.js\"></script><script src=\"assets/medcourse.js\"></script>"
            "</body></html>\n")


def _executed_copy(path: Path, executed: Path | None, scratch: Path, timeout: float):
    """The executed notebook for ``path``: the one in ``executed`` if it holds today's cells, else a fresh run."""
    import nbformat

    ready = executed / path.name if executed else None
    if ready is not None and ready.is_file():
        notebook = nbformat.read(ready, as_version=4)
        if _same_cells(notebook, nbformat.read(path, as_version=4)):
            return notebook
        print(f"{ready} was executed from an older {path.name}: executing it again", file=sys.stderr)
    result = run_notebook(path, timeout=timeout, output=scratch / path.name)
    if not result.ok:
        raise RuntimeError(f"{path.name} failed while executing for the site: {result.error}")
    return nbformat.read(scratch / path.name, as_version=4)


def _same_cells(executed, source) -> bool:
    def cells(notebook):
        return [(c.cell_type, c.source) for c in notebook.cells
                if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]

    return cells(executed) == cells(source)


def build_site(out: str | os.PathLike, notebooks: list[Path] | None = None, *,
               executed: str | os.PathLike | None = None, timeout: float = 900) -> list[Path]:
    """Write ``out/index.html``, one page per notebook and the assets; returns the pages written.

    Parameters
    ----------
    out : path
        Folder of the site (created). Files in it that the site did not write are never replaced.
    notebooks : list of paths, optional
        Notebooks to publish (default: all course notebooks, in order).
    executed : path, optional
        Folder of already executed copies (``python -m medcourse run --output-dir``); notebooks not
        found there, or changed since, are executed now.
    """
    out = Path(out)
    notebooks = [Path(p) for p in (notebooks or default_notebooks())]
    if not notebooks:
        raise ValueError("no notebooks to publish: give paths, or run from the course folder")
    pages = [path.with_suffix(".html").name for path in notebooks]
    planned = [*pages, "index.html", "assets/search-index.js", *site_assets.asset_files()]
    folder = OutputFolder(out, "site", "python -m medcourse site")
    folder.check(planned)
    staging = folder.stage()
    try:
        entries = _render_all(notebooks, pages, Path(executed) if executed else None, staging, timeout)
        for entry in entries:
            text = entry["html"].replace("<!--medcourse-sidebar-->", sidebar(entries, entry["page"]), 1)
            (staging / entry["page"]).write_text(text, encoding="utf-8")
        (staging / "index.html").write_text(_index(entries), encoding="utf-8")
        site_assets.write_assets(staging)
        (staging / "assets" / "search-index.js").write_text(search_index(entries), encoding="utf-8")
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    folder.commit(staging, planned)
    return [out / page for page in pages]


def _render_all(notebooks: list[Path], pages: list[str], executed: Path | None, staging: Path,
                timeout: float) -> list[dict]:
    """Each notebook executed (or reused) and rendered; the sidebar is filled in once all are known."""
    exporter, entries = _exporter(), []
    scratch = staging / ".executed"
    for position, path in enumerate(notebooks):
        notebook = _executed_copy(path, executed, scratch, timeout)
        previous = pages[position - 1] if position else None
        following = pages[position + 1] if position + 1 < len(pages) else None
        page = render_page(notebook, path.name, previous, following, sidebar="<!--medcourse-sidebar-->",
                           exporter=exporter)
        title, promise = title_and_promise(notebook)
        entries.append({"page": pages[position], "title": title, "promise": promise, "html": page,
                        "headings": headings(page), "links": launch_links(path.name, notebook)})
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    return entries


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m medcourse site``."""
    parser = argparse.ArgumentParser(
        prog="python -m medcourse site",
        usage="python -m medcourse site OUT [NOTEBOOK ...] [--executed DIR] [--timeout SECONDS]",
        description="Render the executed notebooks into a static website (index, one page per lecture, "
                    "sidebar, search) that works offline.")
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to write the site into")
    parser.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                        help="notebooks to publish (optional; default: all course notebooks)")
    parser.add_argument("--executed", type=Path, metavar="DIR",
                        help="folder of notebooks executed by 'python -m medcourse run --output-dir DIR' (optional)")
    parser.add_argument("--timeout", type=float, default=900, metavar="SECONDS",
                        help="seconds one cell may take when a notebook is executed here (default 900)")
    options = parser.parse_args(argv)
    if options.executed is not None and not options.executed.is_dir():
        parser.error(f"--executed must be an existing folder, got {str(options.executed)!r}")
    missing = [str(p) for p in options.notebooks if not p.is_file()]
    if missing:
        parser.error(f"NOTEBOOK must be existing .ipynb files; not found: {', '.join(missing)}")
    try:
        pages = build_site(options.out, options.notebooks or None, executed=options.executed,
                           timeout=options.timeout)
    except (FileExistsError, NotADirectoryError, ValueError) as error:
        parser.error(str(error))
    except RuntimeError as error:
        print(f"python -m medcourse site: {error}", file=sys.stderr)
        return 1
    print(f"{len(pages)} pages and index.html written to {options.out}")
    return 0
