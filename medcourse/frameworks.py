"""Run a notebook with one framework or both: the ``FRAMEWORKS`` parameter and the ``%%framework`` cell magic.

Every notebook's parameters cell holds ``FRAMEWORKS = ("tensorflow", "pytorch")``. A student who installed only
PyTorch sets ``FRAMEWORKS = ["pytorch"]``: the notebook then imports only PyTorch, and each cell that starts
with ``%%framework tensorflow`` is skipped with a one-line note instead of failing. A cell that compares the
two frameworks starts with ``%%framework tensorflow pytorch`` and runs only when both are there.

The setup cell loads the magic with ``%load_ext medcourse.frameworks``. Importing this module imports
neither framework.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

#: The frameworks of the course, by the names the notebooks use.
FRAMEWORK_NAMES = ("tensorflow", "pytorch")
_DISPLAY = {"tensorflow": "TensorFlow", "pytorch": "PyTorch"}

__all__ = ["FRAMEWORK_NAMES", "check_frameworks", "load_ipython_extension", "skip_note"]


def check_frameworks(frameworks: Iterable[str]) -> tuple[str, ...]:
    """``FRAMEWORKS`` as a tuple of known names, or a ValueError saying what is allowed.

    Examples
    --------
    >>> check_frameworks(["pytorch"])
    ('pytorch',)
    """
    if isinstance(frameworks, str):
        frameworks = (frameworks,)
    chosen = tuple(frameworks)
    unknown = [name for name in chosen if name not in FRAMEWORK_NAMES]
    if unknown or not chosen:
        raise ValueError(f"FRAMEWORKS must name one or both of {FRAMEWORK_NAMES}, got {chosen!r}"
                         + (" (PyTorch is 'pytorch', not 'torch')" if "torch" in unknown else ""))
    return chosen


def skip_note(needed: Iterable[str], chosen: Iterable[str]) -> str | None:
    """The line a skipped cell prints, or None when every framework it needs is in ``chosen``.

    Examples
    --------
    >>> skip_note(["tensorflow"], ["pytorch"])
    "Skipped: this cell needs TensorFlow, and FRAMEWORKS = ('pytorch',)."
    >>> skip_note(["pytorch"], ["tensorflow", "pytorch"]) is None
    True
    """
    needed, chosen = check_frameworks(needed), check_frameworks(chosen)
    missing = [name for name in needed if name not in chosen]
    if not missing:
        return None
    return f"Skipped: this cell needs {' and '.join(_DISPLAY[name] for name in missing)}, and FRAMEWORKS = {chosen!r}."


def _run(ipython, cell: str):
    """Execute ``cell`` in the notebook's namespace and return the value of its last expression (as %%time does)."""
    __tracebackhide__ = True
    source = ipython.transform_cell(cell)  # IPython syntax (%magics, !shell) → plain Python first
    filename = ipython.compile.cache(source, ipython.execution_count)  # so a traceback shows the cell's lines
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    namespace = ipython.user_ns
    exec(compile(tree, filename, "exec"), namespace)  # the student's own cell, run as Jupyter runs it
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


def load_ipython_extension(ipython) -> None:
    """Register the ``%%framework NAME [NAME]`` cell magic (``%load_ext medcourse.frameworks``)."""

    def framework(line: str, cell: str):
        """Run this cell only when every framework named on the line is in the notebook's FRAMEWORKS."""
        __tracebackhide__ = True  # a failing cell's traceback starts at the student's code, not here
        chosen = ipython.user_ns.get("FRAMEWORKS", FRAMEWORK_NAMES)
        note = skip_note(line.split(), chosen)
        if note is not None:
            print(note)
            return None
        return _run(ipython, cell)

    ipython.register_magic_function(framework, magic_kind="cell", magic_name="framework")
