"""What an executed notebook's outputs become on a lecture page: static widgets, clean paths, local badges.

* **Widgets.** ``python -m medcourse run`` saves each widget's final state in the notebook (nbclient's
  widget metadata). A page has no kernel, so :func:`render_widgets` draws every widget from that
  state as plain HTML: sliders and menus showing the values the figure was drawn with, the figure
  itself (an ``Output`` widget's stored outputs), and tqdm progress bars at their final state, never
  the ``interactive(children=…)`` text or a bar frozen at 0 %. No widget JavaScript is loaded.
* **Paths.** :func:`clean_paths` replaces the build machine's folders in warnings and tracebacks
  (``/home/…/.venv/lib/python3.11/site-packages/keras/…``) with short, portable names.
* **Images.** :func:`localise_images` swaps the Colab and Binder badge images for local files and
  turns any other remote image into a link, so viewing a page sends no request off the site.
"""

from __future__ import annotations

import html
import os
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_BOXES = {"HBoxModel": "row", "VBoxModel": "column", "BoxModel": "row", "GridBoxModel": "row",
          "AccordionModel": "column", "TabModel": "column", "StackModel": "column"}
_SLIDERS = {"IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "IntRangeSliderModel",
            "FloatRangeSliderModel", "SelectionSliderModel", "SelectionRangeSliderModel", "PlayModel"}
_CHOICES = {"DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectMultipleModel"}
_TEXTS = {"TextModel", "TextareaModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel",
          "BoundedFloatTextModel", "PasswordModel", "ComboboxModel", "DatePickerModel", "ColorPickerModel"}
#: The badge images of the title cells and the local files that replace them.
LOCAL_BADGES = {"https://colab.research.google.com/assets/colab-badge.svg": "assets/colab-badge.svg",
                "https://mybinder.org/badge_logo.svg": "assets/binder-badge.svg"}


# --- widgets ---------------------------------------------------------------------------------------


def render_widgets(notebook) -> int:
    """Replace every widget output by static HTML drawn from the saved state; returns how many.

    The notebook's widget metadata is removed afterwards, so the page loads no widget JavaScript.
    A widget whose state was not saved leaves no output (never its ``repr`` text).
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            drawn = static_widget(view.get("model_id", ""), state)
            output["data"] = {"text/html": drawn} if drawn else {"text/plain": ""}
            output["metadata"] = {}
            count += bool(drawn)
    notebook.metadata.pop("widgets", None)
    return count


def static_widget(model_id: str, state: dict) -> str:
    """One widget (and its children) as static HTML, with a note when it has controls to move."""
    body = _widget(model_id, state)
    if not body or not _has_controls(model_id, state):
        return body
    note = ('<p class="medcourse-widget-note">Interactive in Jupyter: the controls show the values this '
            "figure was drawn with. Open the notebook in Colab or Binder to move them.</p>")
    return f'<div class="medcourse-widget-static">{body}{note}</div>'


def _model(reference: str, state: dict) -> tuple[str, dict] | None:
    entry = state.get(str(reference).removeprefix("IPY_MODEL_"))
    if not entry:
        return None
    return entry.get("model_name", ""), entry.get("state", {})


def _hidden(values: dict, state: dict) -> bool:
    layout = _model(values.get("layout", ""), state)
    return bool(layout) and (layout[1].get("display") == "none" or layout[1].get("visibility") == "hidden")


def _has_controls(model_id: str, state: dict) -> bool:
    found = _model(model_id, state)
    if found is None:
        return False
    name, values = found
    if name in _SLIDERS | _CHOICES | _TEXTS | {"CheckboxModel", "ToggleButtonModel", "ButtonModel"}:
        return True
    return any(_has_controls(child, state) for child in values.get("children", []))


def _widget(model_id: str, state: dict) -> str:
    found = _model(model_id, state)
    if found is None or _hidden(found[1], state):
        return ""
    name, values = found
    label = html.escape(str(values.get("description", "")))
    caption = f'<span class="medcourse-widget-label">{label}</span>' if label else ""
    if name in _BOXES:
        children = "".join(_widget(child, state) for child in values.get("children", []))
        return f'<div class="medcourse-widget-box" style="flex-direction: {_BOXES[name]}">{children}</div>'
    if name in _SLIDERS:
        return f'<div class="medcourse-widget-control">{caption}{_slider(name, values)}</div>'
    if name in _CHOICES:
        labels = [str(option) for option in values.get("_options_labels", [])]
        chosen = values.get("index")
        chosen = set(chosen) if isinstance(chosen, (list, tuple)) else {chosen}
        options = "".join(f'<option{" selected" if i in chosen else ""}>{html.escape(text)}</option>'
                          for i, text in enumerate(labels))
        return f'<div class="medcourse-widget-control">{caption}<select disabled>{options}</select></div>'
    if name in ("CheckboxModel", "ToggleButtonModel"):
        checked = " checked" if values.get("value") else ""
        return f'<div class="medcourse-widget-control"><input type="checkbox" disabled{checked}> {label}</div>'
    if name in _TEXTS:
        value = html.escape(str(values.get("value", "")), quote=True)
        return f'<div class="medcourse-widget-control">{caption}<input type="text" disabled value="{value}"></div>'
    if name in ("IntProgressModel", "FloatProgressModel"):
        style = html.escape(str(values.get("bar_style") or "info"))
        return (f'<div class="medcourse-widget-control">{caption}<progress class="medcourse-bar-{style}" '
                f'value="{values.get("value", 0)}" max="{values.get("max", 100)}"></progress></div>')
    if name in ("HTMLModel", "HTMLMathModel"):
        return f'<span class="medcourse-widget-html">{caption}{values.get("value", "")}</span>'
    if name == "LabelModel":
        return f'<span class="medcourse-widget-html">{html.escape(str(values.get("value", "")))}</span>'
    if name == "ButtonModel":
        return f'<button disabled class="medcourse-widget-button">{label}</button>'
    if name == "OutputModel":
        return '<div class="medcourse-widget-output">' + "".join(
            _output(output, state) for output in values.get("outputs", [])) + "</div>"
    return ""


def _slider(name: str, values: dict) -> str:
    value = values.get("value", 0)
    if name in ("SelectionSliderModel", "SelectionRangeSliderModel"):
        labels = values.get("_options_labels", [])
        index = values.get("index", 0)
        indices = index if isinstance(index, (list, tuple)) else [index]
        readout = " – ".join(str(labels[i]) for i in indices if isinstance(i, int) and i < len(labels))
        low, high, position = 0, max(len(labels) - 1, 0), indices[0]
    elif isinstance(value, (list, tuple)):
        readout = " – ".join(_number(v) for v in value)
        low, high, position = values.get("min", 0), values.get("max", 100), value[0]
    else:
        readout = _number(value)
        low, high, position = values.get("min", 0), values.get("max", 100), value
        if name == "FloatLogSliderModel":
            position = values.get("min", 0)
    return (f'<input type="range" disabled min="{low}" max="{high}" step="any" value="{position}">'
            f'<output>{html.escape(readout)}</output>')


def _number(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _output(output: dict, state: dict) -> str:
    """One stored output of an ``Output`` widget as HTML (images, text, tables, nested widgets)."""
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="medcourse-widget-text">{html.escape(output.get("text", ""))}</pre>'
    if kind == "error":
        text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output.get("traceback", [])))
        return f'<pre class="medcourse-widget-text">{html.escape(text)}</pre>'
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return _widget(data[WIDGET_VIEW].get("model_id", ""), state)
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data:
            return f'<img alt="figure" src="data:{mime};base64,{"".join(data[mime]).strip()}">'
    if "image/svg+xml" in data:
        return "".join(data["image/svg+xml"])
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return f'<pre class="medcourse-widget-text">{html.escape("".join(data["text/plain"]))}</pre>'
    return ""


# --- paths -----------------------------------------------------------------------------------------


def path_replacements(*roots: str | os.PathLike) -> list[tuple[str, str]]:
    """The build machine's folders and the short names that replace them, longest first.

    ``roots`` are checkouts (their prefix is removed, leaving paths relative to them).
    """
    pairs: dict[str, str] = {}
    for key in ("purelib", "platlib"):
        pairs[sysconfig.get_paths()[key]] = "<site-packages>"
    pairs[sys.prefix] = "<python>"
    pairs[sys.base_prefix] = "<python>"
    for root in roots:
        pairs[str(Path(root).resolve())] = "."
    pairs[tempfile.gettempdir()] = "<tmp>"
    pairs[str(Path.home())] = "~"
    variants: dict[str, str] = {}
    for prefix, short in pairs.items():
        if prefix and prefix not in ("/", "."):
            variants[prefix.rstrip("/")] = short
            variants[os.path.realpath(prefix).rstrip("/")] = short
    return sorted(variants.items(), key=lambda pair: len(pair[0]), reverse=True)


def clean_paths(text: str, replacements: list[tuple[str, str]]) -> str:
    """``text`` with the build machine's folders replaced (a notebook cell's file becomes ``<cell>``).

    Examples
    --------
    >>> clean_paths("/tmp/ipykernel_7/123.py:2: UserWarning: careful", [])
    '<cell>:2: UserWarning: careful'
    >>> clean_paths("/srv/venv/lib/x.py:1: Warning", [("/srv/venv", "<python>")])
    '<python>/lib/x.py:1: Warning'
    """
    text = re.sub(r"(?:[A-Za-z]:)?[^\s\"':]*ipykernel_\d+[\\/]\d+\.py", "<cell>", text)
    for prefix, short in replacements:
        text = re.sub(re.escape(prefix) + r"(?=[\\/\s\"':]|$)", lambda _match, short=short: short, text)
    return text


def clean_outputs(notebook, replacements: list[tuple[str, str]]) -> None:
    """Clean the paths in every text output, traceback and saved widget output of ``notebook`` (in place)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            _clean_output(output, replacements)
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for entry in state.values():
        for output in entry.get("state", {}).get("outputs", []) or []:
            _clean_output(output, replacements)


def _clean_output(output: dict, replacements: list[tuple[str, str]]) -> None:
    if "text" in output:
        output["text"] = clean_paths("".join(output["text"]), replacements)
    if "traceback" in output:
        output["traceback"] = [clean_paths(line, replacements) for line in output["traceback"]]
    for mime in ("text/plain", "text/html", "text/markdown"):
        if mime in output.get("data", {}):
            output["data"][mime] = clean_paths("".join(output["data"][mime]), replacements)
    if "text/html" in output.get("data", {}):
        output["data"]["text/html"] = offline_html(output["data"]["text/html"])


def offline_html(text: str) -> str:
    """An HTML output with nothing to fetch: remote style sheets and scripts dropped, remote images as links.

    matplotlib's animations (``to_jshtml``) link Font Awesome from a CDN for their buttons; the
    site's style sheet draws those icons as plain symbols instead.

    Examples
    --------
    >>> offline_html('<link rel="stylesheet" href="https://cdn.example.org/icons.css"><i class="fa fa-play"></i>')
    '<!-- a remote style sheet was left out --><i class="fa fa-play"></i>'
    """
    text = re.sub(r"<link\b[^>]*\bhref=[\"'](https?:)?//[^>]*>",
                  "<!-- a remote style sheet was left out -->", text, flags=re.I)
    text = re.sub(r"<script\b[^>]*\bsrc=[\"'](https?:)?//[^>]*>\s*</script>",
                  "<!-- a remote script was left out -->", text, flags=re.I)
    return re.sub(r"<img\b[^>]*\bsrc=[\"']((?:https?:)?//[^\"']+)[\"'][^>]*>",
                  lambda m: f'<a href="{m.group(1)}">image</a>', text, flags=re.I)


# --- images ----------------------------------------------------------------------------------------


def localise_images(markdown: str) -> str:
    """Badges from local files; any other remote image becomes a link to it (nothing is fetched).

    Examples
    --------
    >>> localise_images("[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/a/b/main)")
    '[![Binder](assets/binder-badge.svg)](https://mybinder.org/v2/gh/a/b/main)'
    >>> localise_images("![a scan](https://example.org/scan.png)")
    '[a scan (image)](https://example.org/scan.png)'
    """
    for remote, local in LOCAL_BADGES.items():
        markdown = markdown.replace(f"({remote})", f"({local})").replace(f'"{remote}"', f'"{local}"')

    def as_link(match: re.Match) -> str:
        return f"[{match.group(1) or 'image'} (image)]({match.group(2)})"

    markdown = re.sub(r"!\[([^\]]*)\]\((https?://[^)\s]+)[^)]*\)", as_link, markdown)
    return re.sub(r"<img\b[^>]*\bsrc=[\"'](https?://[^\"']+)[\"'][^>]*>",
                  lambda m: f'<a href="{m.group(1)}">image</a>', markdown)
