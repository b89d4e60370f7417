"""Grading: each task runs in its own process with a time limit, so one infinite loop costs one task.

``python -m gradstudent.exercises.runner SHEET TASK STUDENT_FILE RESULT_FILE`` is what
each process runs; :func:`check` starts them and collects a :class:`TaskResult` per task.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from .checking import CheckFailed
from .core import load_module
from .sheets import get_sheet


@dataclass
class TaskResult:
    name: str
    score: float
    max_score: float
    output: str


def grade_in_process(sheet_number: int, task_name: str, student_file: Path) -> TaskResult:
    """Import the student's file and run one task's check here (no time limit: see :func:`check`)."""
    sheet = get_sheet(sheet_number)
    task = sheet.task(task_name)
    result = TaskResult(task.name, 0, task.points, "")
    try:
        module = load_module(student_file, f"_gradstudent_sheet{sheet_number}_student")
    except Exception as err:
        result.output = f"your file does not import: {type(err).__name__}: {err}"
        return result
    try:
        task.check(module)
    except NotImplementedError:
        result.output = f"not attempted yet: {task.obj} still raises NotImplementedError"
    except CheckFailed as err:
        result.output = str(err)
    except Exception as err:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename).resolve() == student_file.resolve()]
        where = f" (your code, line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
        result.output = f"{task.obj} raised {type(err).__name__}: {err}{where}"
    else:
        result.score, result.output = task.points, "passed"
    return result


def check(sheet_number: int, directory: str | Path, timeout: float = 60.0) -> list[TaskResult]:
    """Grade every task of a sheet in ``directory``, each in a fresh process limited to ``timeout`` seconds."""
    sheet = get_sheet(sheet_number)
    path = Path(directory) / sheet.filename
    if not path.is_file():
        raise FileNotFoundError(f"exercise check: {path} not found; create it with `gradstudent exercise start {sheet_number} {directory}`")
    results = []
    for task in sheet.tasks:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            cmd = [sys.executable, "-m", "gradstudent.exercises.runner", str(sheet_number), task.name, str(path.resolve()), str(out)]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=_child_env())
            except subprocess.TimeoutExpired:
                results.append(TaskResult(task.name, 0, task.points, f"timed out after {timeout:g} s (an infinite loop?); the other tasks are graded as usual"))
                continue
            if out.exists():
                results.append(TaskResult(**json.loads(out.read_text())))
            else:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
                results.append(TaskResult(task.name, 0, task.points, "the check crashed: " + " | ".join(tail)))
    return results


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2])  # so the child imports this same gradstudent
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def gradescope_json(results: list[TaskResult]) -> dict[str, object]:
    """Gradescope's ``results.json``: ``{score, tests: [{name, score, max_score, output}]}``."""
    return {"score": sum(r.score for r in results), "tests": [asdict(r) for r in results]}


def report(results: list[TaskResult]) -> str:
    """A plain-text score table with each task's message."""
    width = max(len(r.name) for r in results)
    lines = [f"{r.name:<{width}}  {r.score:g}/{r.max_score:g}  {r.output}" for r in results]
    total, most = sum(r.score for r in results), sum(r.max_score for r in results)
    return "\n".join(lines + [f"{'total':<{width}}  {total:g}/{most:g}"])


if __name__ == "__main__":
    number, name, student, result_file = sys.argv[1:5]
    res = grade_in_process(int(number), name, Path(student))
    Path(result_file).write_text(json.dumps(asdict(res)))
