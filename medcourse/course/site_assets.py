"""The lecture site's own files: its page template, style sheet, script (sidebar, search) and badges.

They are written as text from here (nothing to download, nothing outside the package to find), and
MathJax 2.7 is copied in from the pinned ``jupyter-server-mathjax`` package, so a page typesets its
formulas and searches the course with no network at all, even opened straight from disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: MathJax's entry point inside the site, with the configuration the Jupyter notebook used (TeX in,
#: HTML-CSS out with the STIX web fonts the package ships).
MATHJAX_URL = "assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

MATHJAX_CONFIG = """MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  "HTML-CSS": {availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web",
               linebreaks: {automatic: true}},
  MathMenu: {showLocale: false}, displayAlign: "center", messageStyle: "none"
});"""

#: A page: nbconvert's JupyterLab template without its CDN scripts (require.js, MathJax, widgets,
#: mermaid), with the local MathJax, the course style, the navigation, sidebar and pager.
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">""" + MATHJAX_CONFIG + """</script>
<script src=\"""" + MATHJAX_URL + """\"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}<link rel="stylesheet" href="assets/medcourse.css">
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook medcourse-page" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<!--medcourse-nav-->
<div class="medcourse-layout"><!--medcourse-sidebar-->
<main class="medcourse-main">
{%- endblock body_header -%}
{% block body_footer %}
<!--medcourse-pager-->
</main></div>
<script src="assets/search-index.js"></script><script src="assets/medcourse.js"></script>
</body>
{% endblock body_footer %}
"""

STYLE = """
:root { --medcourse-blue: #12324d; --medcourse-sidebar: 18rem; }
body.medcourse-page, body.medcourse-index { margin: 0; padding: 0; }
.medcourse-nav { position: sticky; top: 0; z-index: 100; display: flex; gap: 1.2rem; align-items: center;
  padding: .55rem 1.2rem; background: var(--medcourse-blue); font: 14px system-ui, sans-serif; }
.medcourse-nav a, .medcourse-nav button { color: #fff; text-decoration: none; background: none; border: 0;
  font: inherit; cursor: pointer; padding: 0; }
.medcourse-nav a:hover { text-decoration: underline; }
.medcourse-nav .spacer { flex: 1; }
.medcourse-layout { display: flex; align-items: flex-start; }
.medcourse-sidebar { position: sticky; top: 2.4rem; flex: 0 0 var(--medcourse-sidebar); box-sizing: border-box;
  max-height: calc(100vh - 2.4rem); overflow-y: auto; padding: 1rem .9rem 2rem; border-right: 1px solid #dde3ea;
  background: #f6f8fa; font: 14px/1.4 system-ui, sans-serif; }
.medcourse-sidebar input[type=search] { width: 100%; box-sizing: border-box; padding: .4rem .5rem;
  border: 1px solid #b8c2cc; border-radius: 4px; font: inherit; }
.medcourse-results { list-style: none; margin: .5rem 0 1rem; padding: 0; }
.medcourse-results li { margin: 0 0 .6rem; }
.medcourse-results a { color: var(--medcourse-blue); font-weight: 600; text-decoration: none; }
.medcourse-results .snippet { display: block; color: #4a5560; font-size: 12.5px; }
.medcourse-results mark { background: #ffe58a; }
.medcourse-toc ol { list-style: none; margin: 0; padding: 0; }
.medcourse-toc > ol > li { margin: .15rem 0; }
.medcourse-toc a { display: block; padding: .2rem .4rem; border-radius: 4px; color: #1d2430; text-decoration: none; }
.medcourse-toc a:hover { background: #e6ebf0; }
.medcourse-toc li.current > a { background: var(--medcourse-blue); color: #fff; }
.medcourse-toc li ol { margin: .2rem 0 .4rem .8rem; border-left: 2px solid #dde3ea; }
.medcourse-toc li ol a { font-size: 13px; color: #3a4652; }
.medcourse-main { flex: 1; min-width: 0; padding: 10px 14px; }
.medcourse-pager { display: flex; justify-content: space-between; gap: 1rem; margin: 2rem 1.5rem 3rem;
  padding-top: 1rem; border-top: 1px solid #dde3ea; font: 15px system-ui, sans-serif; }
.medcourse-pager a { color: var(--medcourse-blue); text-decoration: none; }
.medcourse-widget-static { border: 1px dashed #b8c2cc; border-radius: 6px; padding: .5rem .7rem; margin: .3rem 0; }
.medcourse-widget-box { display: flex; gap: .6rem; flex-wrap: wrap; }
.medcourse-widget-control { display: flex; align-items: center; gap: .5rem; font: 13px system-ui, sans-serif; }
.medcourse-widget-label { min-width: 6rem; }
.medcourse-widget-control output { font-variant-numeric: tabular-nums; }
.medcourse-widget-html { font: 13px system-ui, sans-serif; white-space: pre; }
.medcourse-widget-note { margin: .4rem 0 0; color: #5a6570; font: italic 12.5px system-ui, sans-serif; }
.medcourse-widget-output img { max-width: 100%; }
progress.medcourse-bar-success { accent-color: #4caf50; }
progress.medcourse-bar-danger { accent-color: #e53935; }
body.medcourse-index .medcourse-main { max-width: 52rem; padding: 0 1.5rem; color: #1d2430; line-height: 1.5;
  font-family: system-ui, sans-serif; }
.medcourse-index li { margin-bottom: 1rem; }
.medcourse-index .launch a { margin-right: .8rem; font-size: .9em; }
/* matplotlib animations (to_jshtml) use Font Awesome 4 icons, which the site draws without fetching them. */
.anim-buttons .fa { font-style: normal; font-family: system-ui, sans-serif; }
.fa-play:before { content: "▶"; } .fa-pause:before { content: "⏸"; } .fa-minus:before { content: "−"; }
.fa-plus:before { content: "+"; } .fa-step-forward:before { content: "⏵|"; } .fa-step-backward:before { content: "|⏴"; }
.fa-fast-forward:before { content: "⏭"; } .fa-fast-backward:before { content: "⏮"; }
#medcourse-toggle { display: none; }
@media (max-width: 60rem) {
  #medcourse-toggle { display: inline; }
  .medcourse-sidebar { display: none; position: fixed; z-index: 99; left: 0; top: 2.4rem; height: calc(100vh - 2.4rem); }
  body.medcourse-sidebar-open .medcourse-sidebar { display: block; }
}
@media print { .medcourse-nav, .medcourse-sidebar, .medcourse-pager { display: none; } }
"""

#: Sidebar toggle and the client-side search over ``window.MEDCOURSE_SEARCH`` (assets/search-index.js).
SCRIPT = r"""(function () {
  "use strict";
  var toggle = document.getElementById("medcourse-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    document.body.classList.toggle("medcourse-sidebar-open");
  });
  var box = document.getElementById("medcourse-search"), list = document.getElementById("medcourse-results");
  var entries = window.MEDCOURSE_SEARCH || [];
  if (!box || !list) return;
  function escape(text) {
    return text.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function snippet(text, word) {
    var at = text.toLowerCase().indexOf(word), start = Math.max(0, at - 60);
    var piece = (start ? "… " : "") + text.slice(start, start + 160) + (start + 160 < text.length ? " …" : "");
    return escape(piece).replace(new RegExp("(" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "ig"), "<mark>$1</mark>");
  }
  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 1; });
    if (!words.length) return [];
    var found = [];
    entries.forEach(function (entry) {
      var heading = (entry.t + " " + entry.h).toLowerCase(), text = entry.x.toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var inHeading = heading.indexOf(words[i]) >= 0, count = text.split(words[i]).length - 1;
        if (!inHeading && !count) return;
        score += (inHeading ? 10 : 0) + Math.min(count, 10);
      }
      found.push({entry: entry, score: score});
    });
    found.sort(function (a, b) { return b.score - a.score; });
    return found.slice(0, 20);
  }
  function show() {
    var query = box.value.trim(), results = search(query);
    if (!query) { list.innerHTML = ""; return; }
    if (!results.length) { list.innerHTML = "<li>No section mentions “" + escape(query) + "”.</li>"; return; }
    var first = query.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 1; })[0];
    list.innerHTML = results.map(function (r) {
      var e = r.entry, href = e.p + (e.a ? "#" + encodeURIComponent(e.a) : "");
      return '<li><a href="' + escape(href) + '">' + escape(e.t) + (e.h && e.h !== e.t ? " › " + escape(e.h) : "") +
             '</a><span class="snippet">' + snippet(e.x, first) + "</span></li>";
    }).join("");
  }
  box.addEventListener("input", show);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== box) { event.preventDefault(); box.focus(); }
  });
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) { box.value = asked; show(); }
})();
"""


def _badge(left: str, right: str, colour: str, width_left: int, width_right: int) -> str:
    """A flat badge in the shields.io style, drawn here (text, no external font or image)."""
    width = width_left + width_right
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
            f'aria-label="{left}: {right}"><rect width="{width_left}" height="20" fill="#555"/>'
            f'<rect x="{width_left}" width="{width_right}" height="20" fill="{colour}"/>'
            f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
            f'<text x="{width_left / 2}" y="14">{left}</text>'
            f'<text x="{width_left + width_right / 2}" y="14">{right}</text></g></svg>\n')


#: Files written under ``assets/`` (relative path: text); MathJax is copied beside them.
ASSETS = {
    "medcourse.css": STYLE,
    "medcourse.js": SCRIPT,
    "colab-badge.svg": _badge("Open in", "Colab", "#f9ab00", 52, 48),
    "binder-badge.svg": _badge("launch", "binder", "#579aca", 50, 50),
    "favicon.svg": ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
                    'fill="#12324d"/><circle cx="16" cy="16" r="9" fill="none" stroke="#fff" stroke-width="3"/>'
                    '<circle cx="16" cy="16" r="3" fill="#f9ab00"/></svg>\n'),
}


def mathjax_folder() -> Path:
    """The MathJax 2.7 files of the installed ``jupyter-server-mathjax`` package."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise RuntimeError("the lecture site typesets formulas with MathJax from the jupyter-server-mathjax "
                           "package, which is not installed: pip install jupyter-server-mathjax==0.2.6 "
                           "(it is pinned in requirements.txt)") from None
    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise RuntimeError(f"{folder} holds no MathJax.js: reinstall jupyter-server-mathjax")
    return folder


def asset_files() -> list[str]:
    """Every file the site's ``assets/`` folder receives, relative to the site (for its manifest)."""
    mathjax = mathjax_folder()
    copied = sorted(f"assets/mathjax/{p.relative_to(mathjax).as_posix()}" for p in mathjax.rglob("*") if p.is_file())
    return [f"assets/{name}" for name in ASSETS] + copied


def write_assets(site: Path) -> None:
    """Write the style, script and badges, and copy MathJax, into ``site/assets``."""
    folder = site / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ASSETS.items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copytree(mathjax_folder(), folder / "mathjax", dirs_exist_ok=True)
