"""``gradstudent notebooks``: the lecture notebooks, stored as jupytext percent-format scripts.

A notebook is a ``.py`` file in ``notebooks/``: ``# %% [markdown]`` starts a Markdown
cell (its lines are comments), ``# %%`` a code cell. The files diff and review like
code, run as plain scripts (``FAST=1 python notebooks/02_autodiff.py``), and
``gradstudent notebooks build DIR`` renders them to ``.ipynb`` for Jupyter.

    gradstudent notebooks list
    gradstudent notebooks build out/             # every notebook as out/NAME.ipynb
    gradstudent notebooks run 02_autodiff --fast # execute one as a script
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from .serialization import atomic_write_text

CELL_MARK = "# %%"


def default_source() -> Path:
    """``notebooks/`` of the source checkout this package was imported from."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def find_notebooks(source: str | Path | None = None) -> dict[str, Path]:
    """The notebooks by name (file stem), in course order (their names start with the number)."""
    folder = Path(source) if source is not None else default_source()
    if not folder.is_dir():
        raise FileNotFoundError(f"notebooks: no folder {folder}; pass --source with the repository's notebooks/ folder")
    return {p.stem: p for p in sorted(folder.glob("[0-9][0-9]_*.py"))}


def parse_percent(text: str) -> list[tuple[str, str]]:
    """Split a percent-format script into ``(cell_type, source)`` pairs."""
    cells: list[tuple[str, list[str]]] = []
    kind = "code"
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(CELL_MARK):
            if any(s.strip() for s in lines):
                cells.append((kind, lines))
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
            continue
        if kind == "markdown":
            line = line[2:] if line.startswith("# ") else line.lstrip("#")
        lines.append(line)
    if any(s.strip() for s in lines):
        cells.append((kind, lines))
    return [(k, "\n".join(_trim(ls))) for k, ls in cells]


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def to_ipynb(text: str) -> dict[str, Any]:
    """A Jupyter notebook (nbformat 4) from a percent-format script."""
    cells = []
    for kind, source in parse_percent(text):
        cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "jupytext": {"formats": "ipynb,py:percent"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def build(out_dir: str | Path, source: str | Path | None = None) -> list[Path]:
    """Render every notebook to ``out_dir/NAME.ipynb`` (written atomically)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in find_notebooks(source).items():
        target = out / f"{name}.ipynb"
        atomic_write_text(target, json.dumps(to_ipynb(path.read_text(encoding="utf-8")), indent=1, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def run(name: str, fast: bool = True, source: str | Path | None = None, cwd: str | Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Execute one notebook as a script (``FAST=1`` for the quick version); figures land in ``cwd``."""
    notebooks = find_notebooks(source)
    if name not in notebooks:
        raise KeyError(f"notebooks: no notebook {name!r}; notebooks: {', '.join(notebooks)}")
    env = dict(os.environ, FAST="1" if fast else "0", MPLBACKEND="Agg")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # small arrays: one BLAS thread is fastest and never spins on a busy core
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run([sys.executable, str(notebooks[name])], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="gradstudent notebooks", description="The lecture notebooks (jupytext percent-format scripts).")
    p.add_argument("--source", help="the notebooks/ folder (default: the repository's)")
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="the notebooks")
    b = sub.add_parser("build", help="render every notebook to DIR/NAME.ipynb")
    b.add_argument("dir")
    r = sub.add_parser("run", help="execute one notebook as a script")
    r.add_argument("name")
    r.add_argument("--fast", action="store_true", help="the quick version (FAST=1: less data, fewer epochs)")
    args = p.parse_args(argv)
    try:
        if args.action == "list":
            for name, path in find_notebooks(args.source).items():
                first = next((k, s) for k, s in parse_percent(path.read_text(encoding="utf-8")) if k == "markdown")[1].splitlines()[0]
                print(f"{name:<28} {first.lstrip('# ')}")
        elif args.action == "build":
            for path in build(args.dir, args.source):
                print(f"wrote {path}")
        else:
            proc = run(args.name, args.fast, args.source)
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr)
            return proc.returncode
    except (KeyError, FileNotFoundError) as err:
        print(f"gradstudent: {err.args[0]}", file=sys.stderr)
        return 2
    return 0
