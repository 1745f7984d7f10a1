"""Reading a notebook file and its ``parameters`` cell (papermill's convention), for ``run`` and ``site``.

A file that is not a notebook is refused in one line naming it; a parameter the ``parameters`` cell does
not assign is refused with the names it does assign (a typo would otherwise run the defaults silently).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path


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


def read_notebook(path: str | os.PathLike):
    """Read and validate a notebook; a file that is not one raises ``ValueError`` in one line naming it."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such notebook file")
    try:
        notebook = nbformat.read(path, as_version=4)
    except nbformat.reader.NotJSONError:
        raise ValueError(f"{path.name} is not a notebook: the file is not JSON") from None
    except Exception as error:  # nbformat raises many kinds for a malformed file
        raise ValueError(f"{path.name} is not a notebook: {type(error).__name__}: {error}") from None
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise ValueError(f"{path.name} is not a valid notebook: {error.message}") from None
    return notebook


def parameters_cell_index(notebook) -> int | None:
    """Index of the cell tagged ``parameters`` (papermill convention), or None."""
    for index, cell in enumerate(notebook.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return index
    return None


def parameter_names(notebook) -> list[str]:
    """The names the ``parameters`` cell assigns, in order (empty when there is no such cell)."""
    index = parameters_cell_index(notebook)
    if index is None:
        return []
    names: list[str] = []
    try:
        tree = ast.parse(notebook.cells[index].source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return names


def check_parameters(notebook, parameters: dict[str, object], name: str = "the notebook") -> None:
    """Refuse parameters the notebook's ``parameters`` cell does not assign (a typo would run the defaults)."""
    if not parameters:
        return
    if parameters_cell_index(notebook) is None:
        raise ValueError(f"parameters were given, but {name} has no cell tagged 'parameters'")
    known = parameter_names(notebook)
    unknown = [key for key in parameters if key not in known]
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not a parameter of {name}; its parameters cell assigns "
                         f"{', '.join(known) or 'nothing'}")


def inject_parameters(notebook, parameters: dict[str, object]) -> int | None:
    """Insert a cell assigning ``parameters`` right after the ``parameters`` cell; returns its index."""
    import nbformat

    check_parameters(notebook, parameters)
    if not parameters:
        return None
    index = parameters_cell_index(notebook) + 1
    source = "# Injected by `python -m medcourse run`\n" + "\n".join(
        f"{key} = {value!r}" for key, value in parameters.items())
    notebook.cells.insert(index, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]}))
    return index
