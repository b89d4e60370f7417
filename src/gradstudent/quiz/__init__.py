"""``gradstudent quiz``: questions per topic, generated with random numbers and answered by the library.

    gradstudent quiz --list
    gradstudent quiz autograd --seed 3 -n 5
    gradstudent quiz cnn --export exam.md      # a written version with an answer key
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence, TextIO

from .questions import TOPICS, Question, make_quiz, to_markdown

__all__ = ["Question", "TOPICS", "make_quiz", "to_markdown", "ask", "main"]


def ask(questions: list[Question], stdin: TextIO, stdout: TextIO) -> tuple[int, int]:
    """Ask each question on ``stdout``, read replies from ``stdin``; return (correct, asked).

    Raises EOFError when standard input closes before the quiz ends.
    """
    correct = 0
    for i, q in enumerate(questions, 1):
        print(f"\nQuestion {i}/{len(questions)} [{q.topic}]: {q.text}", file=stdout)
        for j, c in enumerate(q.choices):
            print(f"  ({'abcdefgh'[j]}) {c}", file=stdout)
        print("your answer" + (" (letter)" if q.choices else " (number)") + ": ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            raise EOFError(i - 1)
        if q.check(line):
            correct += 1
            print("correct.", file=stdout)
        else:
            shown = f"({'abcdefgh'[q.choices.index(str(q.answer))]}) {q.answer}" if q.choices else str(q.answer)
            print(f"not quite: the answer is {shown}. {q.explanation}", file=stdout)
    return correct, len(questions)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradstudent quiz", description="Multiple-choice and numeric questions per topic, answered by computing with gradstudent.")
    p.add_argument("topic", nargs="?", help="topic (see --list)")
    p.add_argument("--list", action="store_true", help="list the topics")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same questions (default 0)")
    p.add_argument("-n", type=int, default=5, help="number of questions (default 5)")
    p.add_argument("--export", metavar="FILE.md", help="write the questions and an answer key as Markdown instead of asking")
    return p


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    args = build_parser().parse_args(argv)
    if args.list or not args.topic:
        for name, gens in TOPICS.items():
            print(f"{name:<10} {len(gens)} question generators", file=stdout)
        return 0
    try:
        questions = make_quiz(args.topic, args.n, args.seed)
    except (KeyError, ValueError) as err:
        print(f"gradstudent: {err.args[0]}", file=sys.stderr)
        return 2
    if args.export:
        Path(args.export).write_text(to_markdown(questions), encoding="utf-8")
        print(f"wrote {len(questions)} questions to {args.export}", file=stdout)
        return 0
    if stdin is None or stdin.closed:
        print("gradstudent quiz: standard input is closed, so there is no one to answer; run it in a terminal, or write a written version with --export quiz.md", file=stdout)
        return 1
    try:
        correct, asked = ask(questions, stdin, stdout)
    except EOFError as eof:
        answered = eof.args[0] if eof.args else 0
        print(f"\ngradstudent quiz: standard input closed after {answered} of {len(questions)} questions (no terminal?); "
              "run it in a terminal, or use --export quiz.md for a written version", file=stdout)
        return 1
    except KeyboardInterrupt:
        print("\nquiz stopped.", file=stdout)
        return 130
    print(f"\nscore: {correct}/{asked}", file=stdout)
    return 0
