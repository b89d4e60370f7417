"""Exercise sheets: a template, expanded from the library's own code, with solution regions.

A sheet's template (``templates/sheetNN_*.py``) is ordinary Python with two devices:

* ``### BEGIN SOLUTION`` / ``### END SOLUTION`` around code the student writes
  (nbgrader's markers, so the same source exports to nbgrader);
* ``# %% include MODULE:OBJECT solve=METHOD[,METHOD]`` lines, replaced by the
  library's own source of ``OBJECT`` with the named methods' bodies marked as
  solution regions. The exercise is the library's code, so the two cannot drift.

``solution_source`` expands the includes; ``student_source`` then replaces every
solution region with ``raise NotImplementedError(...)``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_INCLUDE = re.compile(r"^# %% include (?P<module>[\w.]+):(?P<obj>\w+)(?: solve=(?P<solve>[\w,]+))?\s*$")
TEMPLATES = Path(__file__).parent / "templates"


def _mark_methods(source: str, solve: list[str]) -> str:
    """Wrap the bodies (after the docstring) of the ``solve`` methods of a class in solution markers."""
    lines = source.splitlines()
    tree = ast.parse(source)
    cls = tree.body[0]
    if not isinstance(cls, ast.ClassDef):
        raise ValueError("exercise include: solve= marks methods, so the included object must be a class")
    marks: list[tuple[int, int, str]] = []
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef) and node.name in solve:
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            start, end = body[0].lineno - 1, node.end_lineno or body[-1].lineno
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            marks.append((start, end, indent))
    missing = set(solve) - {n.name for n in ast.walk(cls) if isinstance(n, ast.FunctionDef)}
    if missing:
        raise ValueError(f"exercise include: {cls.name} has no method(s) {sorted(missing)}")
    for start, end, indent in sorted(marks, reverse=True):
        lines[end:end] = [indent + END]
        lines[start:start] = [indent + BEGIN]
    first = cls.lineno - 1  # drop decorators such as @register(...): the student's class is not registered
    return "\n".join(lines[first:])


def _needed_imports(source: str, module: ModuleType) -> list[str]:
    """Import lines for the library names ``source`` uses, taken from ``module``'s namespace."""
    names = sorted({n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)})
    out = []
    for name in names:
        if hasattr(builtins, name) or name not in vars(module):
            continue
        value = vars(module)[name]
        if isinstance(value, ModuleType):
            out.append(f"import {value.__name__} as {name}" if value.__name__ != name else f"import {name}")
        else:
            out.append(f"from {module.__name__} import {name}")
    return out


def expand_include(module_name: str, obj_name: str, solve: list[str]) -> tuple[str, list[str]]:
    """The library source of ``module_name.obj_name`` with solution markers, and the imports it needs."""
    module = importlib.import_module(module_name)
    source = textwrap.dedent(inspect.getsource(getattr(module, obj_name)))
    code = _mark_methods(source, solve) if solve else source
    return code, _needed_imports(code, module)


def solution_source(template: str) -> str:
    """The template with every ``# %% include`` expanded (the complete, runnable solution)."""
    body: list[str] = []
    imports: dict[str, str] = {}  # name -> import line (the first module that provides it)
    for line in template.splitlines():
        m = _INCLUDE.match(line.strip())
        if m is None:
            body.append(line)
            continue
        code, needed = expand_include(m["module"], m["obj"], (m["solve"] or "").split(",") if m["solve"] else [])
        for line_ in needed:
            imports.setdefault(line_.split()[-1], line_)
        body += [code, "", ""]
    text = "\n".join(body)
    marker = "# %% library imports"
    if imports:
        if marker not in text:
            raise ValueError("exercise template: includes need a '# %% library imports' line where their imports go")
        text = text.replace(marker, marker + "\n" + "\n".join(_group(list(imports.values()))), 1)
    return text.rstrip() + "\n"


def _group(lines: list[str]) -> list[str]:
    """Merge ``from M import a`` lines of the same module into one line."""
    froms: dict[str, list[str]] = {}
    plain: list[str] = []
    for line in lines:
        if line.startswith("from "):
            _, module, _, name = line.split()
            froms.setdefault(module, []).append(name)
        else:
            plain.append(line)
    return sorted(plain) + [f"from {m} import {', '.join(sorted(n))}" for m, n in froms.items()]


def student_source(solution: str, sheet: int) -> str:
    """Replace every solution region by ``raise NotImplementedError`` (the student's copy)."""
    out: list[str] = []
    inside = False
    for line in solution.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("exercise template: nested ### BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("sheet {sheet}: write this part")  # YOUR CODE HERE')
        elif stripped == END:
            if not inside:
                raise ValueError("exercise template: ### END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("exercise template: ### BEGIN SOLUTION without END")
    return "\n".join(out) + "\n"


def load_module(path: Path, name: str) -> ModuleType:
    """Import a student's file as a fresh module (a syntax error is raised to the caller)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
