"""``gradstudent exercise``: exercise sheets with automatic checks.

    gradstudent exercise list
    gradstudent exercise start 2 my-work/        # writes my-work/sheet02_autodiff.py with the solutions removed
    gradstudent exercise check 2 my-work/        # a score per task, with what is wrong and a hint
    gradstudent exercise check 2 my-work/ --json # Gradescope's results.json on standard output
    gradstudent exercise export 2 out/ --format nbgrader|otter|solution

The sheets are generated from the library's own code (see :mod:`.core`), and
each task is graded in its own process with a time limit (see :mod:`.runner`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from ..serialization import atomic_write_text
from .runner import TaskResult, check, gradescope_json, report
from .sheets import Sheet, all_sheets, get_sheet

__all__ = ["Sheet", "TaskResult", "all_sheets", "check", "get_sheet", "start", "export_sheet", "main"]


def _write(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise FileExistsError(f"exercise: {path} exists; it may hold your work. Pass --force to overwrite it")
    atomic_write_text(path, text)


def start(number: int, directory: str | Path, solution: bool = False, force: bool = False) -> Path:
    """Write the student's copy (or, with ``solution=True``, the complete solution) of a sheet."""
    sheet = get_sheet(number)
    path = Path(directory) / sheet.filename
    _write(path, sheet.solution() if solution else sheet.student(), force)
    return path


def export_sheet(number: int, directory: str | Path, fmt: str, force: bool = False) -> Path:
    from .export import dumps, to_nbgrader, to_otter

    sheet = get_sheet(number)
    stem = Path(directory) / sheet.filename.removesuffix(".py")
    if fmt == "nbgrader":
        path, text = stem.with_name(stem.name + "_nbgrader.ipynb"), dumps(to_nbgrader(sheet))
    elif fmt == "otter":
        path, text = stem.with_name(stem.name + "_otter.ipynb"), dumps(to_otter(sheet))
    elif fmt == "solution":
        path, text = stem.with_name(stem.name + "_solution.py"), sheet.solution()
    else:
        raise ValueError(f"exercise export: format must be nbgrader, otter or solution, got {fmt!r}")
    _write(path, text, force)
    return path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradstudent exercise", description="Exercise sheets with automatic checks.")
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="the sheets and their tasks")
    s = sub.add_parser("start", help="write a sheet's student copy into DIR")
    s.add_argument("number", type=int)
    s.add_argument("dir")
    s.add_argument("--solution", action="store_true", help="write the complete solution instead (for teachers)")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    c = sub.add_parser("check", help="grade the sheet in DIR")
    c.add_argument("number", type=int)
    c.add_argument("dir")
    c.add_argument("--json", action="store_true", help="print Gradescope's results.json on standard output")
    c.add_argument("--timeout", type=float, default=60.0, help="seconds per task (default 60)")
    e = sub.add_parser("export", help="write a teacher's notebook (nbgrader or otter) or the solution")
    e.add_argument("number", type=int)
    e.add_argument("dir")
    e.add_argument("--format", default="nbgrader", choices=["nbgrader", "otter", "solution"])
    e.add_argument("--force", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.action == "list":
            for n, sheet in all_sheets().items():
                print(f"{n}. {sheet.title}")
                for t in sheet.tasks:
                    print(f"     {t.name} ({t.points} points): {t.description}")
        elif args.action == "start":
            path = start(args.number, args.dir, args.solution, args.force)
            print(f"wrote {path}; edit it, then run: gradstudent exercise check {args.number} {args.dir}")
        elif args.action == "check":
            results = check(args.number, args.dir, args.timeout)
            print(json.dumps(gradescope_json(results), indent=2) if args.json else report(results))
        else:
            print(f"wrote {export_sheet(args.number, args.dir, args.format, args.force)}")
    except (KeyError, FileNotFoundError, FileExistsError, ValueError) as err:
        print(f"gradstudent: {err.args[0] if err.args else err}", file=sys.stderr)
        return 2
    return 0
