"""`python -m medcourse site`: offline pages, static widgets, clean paths, sidebar, search, and a manifest."""

import json
import re
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

import medcourse
from medcourse.course import run, site, site_outputs

COURSE = medcourse.repository_url.removeprefix("https://github.com/")
TITLE = (f"# 05 · Widgets and formulas\n\n"
         f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
         f"(https://colab.research.google.com/github/{COURSE}/blob/main/notebooks/05_widgets.ipynb)\n"
         f"[![Binder](https://mybinder.org/badge_logo.svg)]"
         f"(https://mybinder.org/v2/gh/{COURSE}/main?urlpath=lab/tree/notebooks/05_widgets.ipynb)\n\n"
         "A promise with **bold** words.")
CELLS = [
    ("markdown", TITLE),
    ("code", "import warnings\nimport ipywidgets\nimport matplotlib.pyplot as plt\nfrom tqdm.auto import tqdm"),
    ("markdown", "## The convolution integral\n\n$$(f*g)(t)=\\int f(\\tau)\\,g(t-\\tau)\\,d\\tau$$\n\n"
                 "A scan: ![a remote scan](https://example.org/scan.png)"),
    ("code", "def draw(k=3):\n    plt.plot([0, k])\n    plt.title(f'k = {k}')\n    plt.show()\n"
             "ipywidgets.interactive(draw, k=(0, 10))"),
    ("markdown", "## Training progress\n\nThe bar ends full."),
    ("code", "for step in tqdm(range(40), desc='epochs'):\n    pass"),
    ("code", "from IPython.display import HTML\n"
             "HTML('<link rel=\"stylesheet\" href=\"https://cdn.example.org/icons.css\">'\n"
             "     '<button><i class=\"fa fa-play\"></i></button><img src=\"https://example.org/logo.png\">')"),
    ("code", "warnings.warn('a warning from a cell')\nimport medcourse, pathlib\n"
             "print(pathlib.Path(medcourse.__file__).resolve())"),
]


def make_notebook(path, cells):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        for kind, source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Two lectures: one with widgets, a formula and a warning (executed once), one of prose only."""
    folder = tmp_path_factory.mktemp("course")
    widgets = make_notebook(folder / "notebooks" / "05_widgets.ipynb", CELLS)
    prose = make_notebook(folder / "notebooks" / "06_prose.ipynb", [
        ("markdown", "# 06 · Prose\n\nOnly words about Hounsfield units."), ("markdown", "## Summary\n\nDone.")])
    executed = folder / "executed"
    assert run.run_notebook(widgets, output=executed / widgets.name).ok
    nbformat.write(nbformat.read(prose, as_version=4), executed / prose.name)  # nothing to execute
    return folder, [widgets, prose], executed


@pytest.fixture(scope="module")
def built(course, tmp_path_factory):
    _, notebooks, executed = course
    out = tmp_path_factory.mktemp("site") / "public"
    pages = site.build_site(out, notebooks, executed=executed)
    return out, {page.name: page.read_text(encoding="utf-8") for page in pages}


def loaded_addresses(page: str) -> list[str]:
    """Everything a browser fetches while showing ``page``: scripts, style sheets, images, frames, fonts."""
    found = re.findall(r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=[\"']([^\"']+)", page)
    found += re.findall(r"<link\b[^>]*\bhref=[\"']([^\"']+)", page)
    found += re.findall(r"@import\s+(?:url\()?[\"']?([^\"')\s]+)", page)
    found += re.findall(r"url\([\"']?((?!data:)[^\"')]+)", page)
    return found


def tags(page: str, name: str) -> list[dict[str, str]]:
    """The attributes of every ``<name …>`` tag of ``page`` (in whatever order nbconvert writes them)."""
    return [dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', match)) for match in re.findall(rf"<{name}\b([^>]*)>", page)]


def test_no_page_loads_anything_from_another_site(built):
    out, pages = built
    for name, text in {**pages, "index.html": (out / "index.html").read_text()}.items():
        remote = [a for a in loaded_addresses(text) if re.match(r"(https?:)?//", a)]
        assert remote == [], f"{name} loads {remote}"
        for address in loaded_addresses(text):
            if not address.startswith("data:"):
                assert (out / address.split("?")[0]).is_file(), f"{name} loads {address}, which the site lacks"


def test_formulas_are_typeset_by_the_mathjax_copied_into_the_site(built):
    out, pages = built
    assert '<script src="assets/mathjax/MathJax.js?config=' in pages["05_widgets.html"]
    assert (out / "assets" / "mathjax" / "MathJax.js").stat().st_size > 10_000
    assert "$$(f*g)(t)=\\int f(\\tau)" in pages["05_widgets.html"]  # the TeX is on the page for MathJax


def test_widgets_are_drawn_from_their_saved_state_not_printed_as_text(built):
    page = built[1]["05_widgets.html"]
    assert "interactive(children" not in page and "IntSlider(" not in page and "HBox(children" not in page
    sliders = [tag for tag in tags(page, "input") if tag.get("type") == "range"]
    assert [(s["min"], s["max"], s["value"], "disabled" in s) for s in sliders] == [("0", "10", "3", True)]
    assert "<output>3</output>" in page
    assert "Open the notebook in Colab or Binder to move them" in page
    assert page.count("data:image/png;base64,") >= 1  # the figure the widget drew


def test_a_tqdm_bar_shows_its_final_state(built):
    page = built[1]["05_widgets.html"]
    bars = tags(page, "progress")
    assert [(float(b["value"]), float(b["max"]), b["class"]) for b in bars] == [(40, 40, "medcourse-bar-success")]
    assert "100%" in page and "0%|" not in page


def test_pages_do_not_show_the_build_machines_folders(built, course):
    page = built[1]["05_widgets.html"]
    assert "a warning from a cell" in page and "&lt;cell&gt;:1: UserWarning" in page
    for folder in {str(Path(medcourse.__file__).resolve().parents[1]), sys.prefix, str(Path.home()), "/tmp/"}:
        assert folder not in page, f"the page shows {folder}"


def test_badges_are_local_files_and_remote_images_become_links(built):
    out, pages = built
    page = pages["05_widgets.html"]
    assert 'src="assets/colab-badge.svg"' in page and 'src="assets/binder-badge.svg"' in page
    assert (out / "assets" / "colab-badge.svg").read_text().startswith("<svg")
    assert 'href="https://example.org/scan.png"' in page and 'href="https://example.org/logo.png"' in page
    assert [a for a in loaded_addresses(page) if "example.org" in a] == []  # neither image nor style sheet
    assert '<i class="fa fa-play">' in page and ".fa-play:before" in (out / "assets" / "medcourse.css").read_text()


def test_every_page_has_a_sidebar_of_all_lectures_and_the_current_ones_sections(built):
    _, pages = built
    page = pages["05_widgets.html"]
    sidebar = page[page.index('<aside class="medcourse-sidebar">'):page.index("</aside>")]
    assert 'href="05_widgets.html">05 · Widgets and formulas</a>' in sidebar
    assert 'href="06_prose.html">06 · Prose</a>' in sidebar
    assert 'href="#The-convolution-integral"' in sidebar and 'id="The-convolution-integral"' in page
    assert '<li class="current"><a href="05_widgets.html">' in sidebar
    assert 'id="medcourse-search"' in sidebar


def test_previous_and_next_links_join_neighbouring_lectures(built):
    _, pages = built
    assert 'href="06_prose.html" rel="next"' in pages["05_widgets.html"]
    assert 'href="05_widgets.html" rel="prev"' in pages["06_prose.html"]
    assert 'rel="prev"' not in pages["05_widgets.html"]


def test_the_search_index_covers_every_section_with_an_anchor_that_exists(built):
    out, pages = built
    script = (out / "assets" / "search-index.js").read_text(encoding="utf-8")
    records = json.loads(script.removeprefix("window.MEDCOURSE_SEARCH = ").rstrip().removesuffix(";"))
    found = {(r["p"], r["h"]) for r in records}
    assert ("05_widgets.html", "The convolution integral") in found and ("06_prose.html", "Summary") in found
    for record in records:
        if record["a"]:
            assert f'id="{record["a"]}"' in pages[record["p"]]
    prose = [r for r in records if r["p"] == "06_prose.html" and "Hounsfield" in r["x"]]
    assert prose, "the search index lacks the prose of 06_prose.html"


def test_a_file_in_the_site_folder_that_the_site_did_not_write_is_never_replaced(course, tmp_path):
    _, notebooks, executed = course
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("my own home page")
    with pytest.raises(FileExistsError, match="not written by"):
        site.build_site(out, notebooks, executed=executed)
    assert (out / "index.html").read_text() == "my own home page"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_a_rebuild_replaces_its_own_files_and_keeps_the_others(course, tmp_path):
    _, notebooks, executed = course
    out = tmp_path / "public"
    site.build_site(out, notebooks, executed=executed)
    (out / "CNAME").write_text("lectures.example.org")
    site.build_site(out, notebooks[:1], executed=executed)
    assert (out / "CNAME").read_text() == "lectures.example.org"
    assert not (out / "06_prose.html").exists() and (out / "05_widgets.html").is_file()


def test_the_site_command_names_a_missing_executed_folder_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit):
        site.main([str(tmp_path / "out"), "--executed", str(tmp_path / "nowhere")])
    assert "--executed" in capsys.readouterr().err


def test_launch_links_follow_the_notebooks_own_badges(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 01 · X\n\n[![Open In Colab](b.svg)](https://colab.research.google.com/github/teacher/fork/blob/fall/"
        "notebooks/01_x.ipynb)")])
    links = site.launch_links("01_x.ipynb", notebook)
    assert links["Open in Colab"] == "https://colab.research.google.com/github/teacher/fork/blob/fall/notebooks/01_x.ipynb"
    assert links["Launch Binder"] == "https://mybinder.org/v2/gh/teacher/fork/fall?urlpath=lab/tree/notebooks/01_x.ipynb"


@pytest.mark.parametrize("text, expected", [
    ("/tmp/ipykernel_123/4567.py:3: UserWarning: x", "<cell>:3: UserWarning: x"),
    (f"{sysconfig.get_paths()['purelib']}/keras/src/x.py:9: Warning", "<site-packages>/keras/src/x.py:9: Warning"),
    (f"{Path.home()}/data/file.npz", "~/data/file.npz"),
    (f"{Path(medcourse.__file__).resolve().parents[1]}/notebooks/x.ipynb", "./notebooks/x.ipynb"),
])
def test_clean_paths_replaces_the_machines_folders(text, expected):
    root = Path(medcourse.__file__).resolve().parents[1]
    assert site_outputs.clean_paths(text, site_outputs.path_replacements(root)) == expected
