"""The same sheet as a teacher's notebook: nbgrader (cell metadata) or otter-grader (question blocks).

Both are built from the expanded solution source: the module docstring becomes a
Markdown cell, the imports one code cell, every top-level function or class its
own cell, and every task a locked test cell that runs the sheet's check on the
notebook's own definitions.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from .core import BEGIN
from .sheets import Sheet


def _cells(source: str) -> list[tuple[str, str, str]]:
    """Split a solution source into (kind, name, text): 'markdown' for the docstring, 'code' otherwise."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[tuple[str, str, str]] = []
    doc = ast.get_docstring(tree)
    if doc is not None:
        out.append(("markdown", "intro", doc))
        tree.body = tree.body[1:]
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if imports:
        out.append(("code", "imports", "\n".join("\n".join(lines[n.lineno - 1 : n.end_lineno]) for n in imports)))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        out.append(("code", getattr(node, "name", "code"), "\n".join(lines[first : node.end_lineno])))
    return out


def _cell(kind: str, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": metadata or {}, "source": text.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _test_code(sheet: Sheet, task_name: str) -> str:
    return (
        "import sys\n"
        "from gradstudent.exercises.sheets import get_sheet\n"
        f"get_sheet({sheet.number}).task({task_name!r}).check(sys.modules[__name__])\n"
    )


def to_nbgrader(sheet: Sheet) -> dict[str, Any]:
    """An nbgrader source notebook: solution cells marked, one autograded test cell per task."""
    cells = []
    for kind, name, text in _cells(sheet.solution()):
        meta: dict[str, Any] = {}
        if kind == "code" and BEGIN in text:
            meta = {"nbgrader": {"grade": False, "solution": True, "locked": False, "grade_id": f"solution_{name}", "schema_version": 3}}
        cells.append(_cell(kind, text if kind == "code" else f"# Sheet {sheet.number}: {sheet.title}\n\n{text}", meta))
    for task in sheet.tasks:
        meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": task.points, "grade_id": f"test_{task.name}", "schema_version": 3}}
        cells.append(_cell("code", _test_code(sheet, task.name), meta))
    return _notebook(cells)


def to_otter(sheet: Sheet) -> dict[str, Any]:
    """An otter-grader (v1 format) master notebook: one question block per task."""
    parts = _cells(sheet.solution())
    by_name = {name: text for kind, name, text in parts if kind == "code"}
    cells = [_cell("raw", "# ASSIGNMENT CONFIG\nrequirements: []\nexport_cell: false\n")]
    cells += [_cell(kind, text) for kind, name, text in parts if kind == "markdown" or name == "imports" or BEGIN not in text]
    for task in sheet.tasks:
        cells.append(_cell("raw", f"# BEGIN QUESTION\nname: {task.name}\npoints: {task.points}\n"))
        cells.append(_cell("markdown", f"**{task.name}** ({task.points} points): {task.description}"))
        if task.obj in by_name:
            cells.append(_cell("code", by_name[task.obj].replace("### BEGIN SOLUTION", "# BEGIN SOLUTION").replace("### END SOLUTION", "# END SOLUTION")))
        cells.append(_cell("raw", "# BEGIN TESTS"))
        cells.append(_cell("code", f'""" # BEGIN TEST CONFIG\npoints: {task.points}\n""" # END TEST CONFIG\n' + _test_code(sheet, task.name)))
        cells.append(_cell("raw", "# END TESTS"))
        cells.append(_cell("raw", "# END QUESTION"))
    return _notebook(cells)


def dumps(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
