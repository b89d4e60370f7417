"""Exercise sheets: solutions score full marks, blanks score zero, a wrong part loses exactly its task."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gradstudent.cli import main as cli_main
from gradstudent.exercises import all_sheets, check, get_sheet, start
from gradstudent.exercises.core import BEGIN, END, student_source
from gradstudent.exercises.export import to_nbgrader, to_otter
from gradstudent.exercises.runner import grade_in_process, gradescope_json

SHEETS = list(all_sheets())


def test_at_least_eight_sheets_in_course_order():
    assert SHEETS[:8] == list(range(1, 9))


@pytest.mark.parametrize("number", SHEETS)
def test_solution_scores_full_and_blank_scores_zero(number, tmp_path):
    sheet = get_sheet(number)
    sol = start(number, tmp_path / "sol", solution=True)
    blank = start(number, tmp_path / "blank")
    for task in sheet.tasks:
        good = grade_in_process(number, task.name, sol)
        assert good.score == task.points, (task.name, good.output)
        bad = grade_in_process(number, task.name, blank)
        assert bad.score == 0 and "not attempted yet" in bad.output, (task.name, bad.output)
    text = blank.read_text()
    assert BEGIN not in text and END not in text and "NotImplementedError" in text
    compile(text, str(blank), "exec")  # the student's copy is valid Python


def test_sheet2_is_the_library_code():
    """The autodiff sheet is expanded from gradstudent's own ops: their forward is copied verbatim."""
    import inspect

    from gradstudent.ops.linalg import MatMul

    solution = get_sheet(2).solution()
    forward = inspect.getsource(MatMul.forward)
    assert forward.strip() in solution
    assert "@register" not in solution  # the student's classes are not registered as library ops


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_a_wrong_gradient_loses_exactly_that_task(tmp_path):
    sol = start(2, tmp_path, solution=True)
    _break(sol, "gx = grad @ y.mT if need_x else None", "gx = 1.01 * (grad @ y.mT) if need_x else None")
    scores = {t.name: grade_in_process(2, t.name, sol) for t in get_sheet(2).tasks}
    assert {n: r.score for n, r in scores.items()} == {"mul": 2, "exp": 2, "matmul": 0, "sum": 3}
    msg = scores["matmul"].output
    assert "gradient of input 0" in msg and "shape" in msg and "max abs error" in msg


def test_array_backward_is_reported_as_not_differentiable(tmp_path):
    sol = start(2, tmp_path, solution=True)
    _break(sol, "return grad * self.saved_output()  # x.grad[i] += z.grad[i] * e^x[i]", "return Tensor(grad.detach().numpy() * self.saved_output().detach().numpy())")
    result = grade_in_process(2, "exp", sol)
    assert result.score == 0 and "Tensor ops" in result.output


def test_infinite_loop_costs_one_task_and_json_is_gradescopes(tmp_path, capsys):
    sol = start(1, tmp_path, solution=True)
    _break(sol, "    z = float(w @ x + b)\n", "    while True:\n        pass\n")
    results = check(1, tmp_path, timeout=8)
    assert [r.score for r in results] == [0, 4, 3]
    assert "timed out" in results[0].output
    doc = gradescope_json(results)
    assert doc["score"] == 7 and {"name", "score", "max_score", "output"} <= set(doc["tests"][0])
    assert cli_main(["exercise", "check", "4", str(tmp_path / "missing")]) == 2
    assert "exercise start 4" in capsys.readouterr().err


def test_syntax_error_is_a_message_not_a_crash(tmp_path):
    path = start(3, tmp_path)
    path.write_text(path.read_text() + "\ndef broken(:\n")
    result = grade_in_process(3, "linear", path)
    assert result.score == 0 and "does not import" in result.output and "SyntaxError" in result.output


def test_start_refuses_to_overwrite_work(tmp_path, capsys):
    assert cli_main(["exercise", "start", "1", str(tmp_path)]) == 0
    assert cli_main(["exercise", "start", "1", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli_main(["exercise", "list"]) == 0
    assert "topological_order" in capsys.readouterr().out


@pytest.mark.parametrize("number", [2, 5])
def test_nbgrader_and_otter_exports(number, tmp_path):
    nb = to_nbgrader(get_sheet(number))
    meta = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
    graded = [m for m in meta if m.get("grade")]
    assert sum(m["points"] for m in graded) == sum(t.points for t in get_sheet(number).tasks)
    assert any(m.get("solution") for m in meta)
    assert len({m["grade_id"] for m in meta if m}) == len([m for m in meta if m])  # nbgrader needs unique ids
    otter = to_otter(get_sheet(number))
    raw = "".join("".join(c["source"]) for c in otter["cells"] if c["cell_type"] == "raw")
    assert raw.count("# BEGIN QUESTION") == raw.count("# END QUESTION") == len(get_sheet(number).tasks)
    assert cli_main(["exercise", "export", str(number), str(tmp_path), "--format", "nbgrader"]) == 0
    json.loads(next(tmp_path.glob("*_nbgrader.ipynb")).read_text())


def test_nbgrader_notebook_runs_and_its_tests_pass():
    """Execute the exported solution notebook's code cells in order, as nbgrader's autograder would."""
    nb = to_nbgrader(get_sheet(4))
    namespace: dict[str, object] = {"__name__": "__main__"}
    import sys
    import types

    module = types.ModuleType("__main__")
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = module
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), "<cell>", "exec"), module.__dict__)
    finally:
        sys.modules["__main__"] = saved
    del namespace


def test_student_source_rejects_unbalanced_markers():
    with pytest.raises(ValueError, match="without END"):
        student_source(f"x = 1\n{BEGIN}\ny = 2\n", 1)
    assert re.search("write this part", student_source(f"def f():\n    {BEGIN}\n    return 1\n    {END}\n", 1))
