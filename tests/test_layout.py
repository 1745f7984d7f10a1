"""The package stays readable: short functions, modules of a readable length, the layout CONTRIBUTING.md describes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "medcourse"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 60  # lines of code: docstrings, comments and blank lines do not count
MAX_MODULE_LINES = 450   # "about 400": beyond that a module becomes a package with the same public names


def _code_lines(node: ast.AST, source_lines: list[str]) -> int:
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if not body:
        return 0
    lines = source_lines[body[0].lineno - 1:body[-1].end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def _functions(path: Path):
    tree = ast.parse(path.read_text())
    lines = path.read_text().splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, _code_lines(node, lines)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_every_function_is_short_enough_to_read_at_once(path):
    long = [(name, line, count) for name, line, count in _functions(path) if count > MAX_FUNCTION_LINES]
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines of code (name, line, lines): {long}"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_every_module_is_of_a_readable_length(path):
    count = len(path.read_text().splitlines())
    assert count <= MAX_MODULE_LINES, f"{path.name} has {count} lines; split it into a package by topic"
