"""gradstudent quiz: reproducible questions, answers the library computes, clean exits."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from gradstudent.cli import main as cli_main
from gradstudent.quiz import TOPICS, make_quiz, to_markdown
from gradstudent.quiz import main as quiz_main


def _key(q):
    return "abcdefgh"[q.choices.index(q.answer)] if q.choices else str(q.answer)


def test_same_seed_same_questions_and_rng_untouched():
    import gradstudent as gs

    gs.manual_seed(5)
    before = gs.rand(3).numpy()
    gs.manual_seed(5)
    a = make_quiz("all", 12, seed=3)
    after = gs.rand(3).numpy()
    assert (before == after).all()  # the quiz does not disturb the user's random stream
    b = make_quiz("all", 12, seed=3)
    assert [q.text for q in a] == [q.text for q in b] and [q.answer for q in a] == [q.answer for q in b]
    assert [q.text for q in make_quiz("all", 12, seed=4)] != [q.text for q in a]


@pytest.mark.parametrize("topic", [t for t in TOPICS if t != "all"])
def test_every_question_accepts_its_answer_and_rejects_others(topic):
    for q in make_quiz(topic, 6, seed=1):
        assert q.check(_key(q)), q.text
        if q.choices:
            wrong = next(l for l, c in zip("abcdefgh", q.choices) if c != q.answer)
            assert not q.check(wrong)
        else:
            assert not q.check(str(float(q.answer) * 1.5 + 1.0))
            assert not q.check("banana")


def test_known_answers():
    # the softmax cross-entropy gradient: softmax(z) - onehot(target), summing to 0 over classes
    q = make_quiz("autograd", 1, seed=0)[0]
    assert "dL/dz" in q.text
    # parameter counts by formula
    lstm = [q for q in make_quiz("sequence", 6, seed=2) if "nn.LSTM(" in q.text]
    for q in lstm:
        n_in, h = (int(v) for v in q.text.split("nn.LSTM(")[1].rstrip("?)").split(", "))
        assert q.answer == 4 * h * (n_in + h) + 8 * h


def test_interactive_score_with_piped_answers():
    qs = make_quiz("cnn", 3, seed=7)
    out = io.StringIO()
    rc = quiz_main(["cnn", "-n", "3", "--seed", "7"], stdin=io.StringIO("".join(_key(q) + "\n" for q in qs)), stdout=out)
    assert rc == 0 and "score: 3/3" in out.getvalue()


def test_closed_stdin_exits_cleanly():
    proc = subprocess.run([sys.executable, "-m", "gradstudent.cli", "quiz", "optim"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "standard input closed" in proc.stdout and "Traceback" not in proc.stderr


def test_export_and_list_and_errors(tmp_path, capsys):
    assert cli_main(["quiz", "layers", "--export", str(tmp_path / "q.md"), "-n", "2"]) == 0
    text = (tmp_path / "q.md").read_text()
    assert text.count("**") == 4 and "## Answer key" in text
    assert cli_main(["quiz", "--list"]) == 0
    assert "autograd" in capsys.readouterr().out
    assert cli_main(["quiz", "nonsense"]) == 2
    assert "unknown topic" in capsys.readouterr().err
    assert "Answer key" in to_markdown(make_quiz("optim", 2))
