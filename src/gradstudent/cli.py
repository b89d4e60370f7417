"""The ``gradstudent`` command: ``gradstudent run [NAME]``, ``gradstudent list`` and the course tools.

``run --distributed`` (under ``mpiexec``) is in :mod:`.cli_distributed`, ``sweep`` in :mod:`.cli_sweep`."""

from __future__ import annotations

import argparse
import ast
import sys
from typing import Any, Sequence


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradstudent", description="Deep learning from first principles: run the course's experiments.")
    sub = p.add_subparsers(dest="command")
    r = sub.add_parser("run", help="train an experiment (default: digits-mlp)")
    r.add_argument("name", nargs="?", help="experiment name (see `gradstudent list`)")
    r.add_argument("--epochs", type=int, help="number of training epochs")
    r.add_argument("--seed", type=int, help="random seed (same seed, same numbers)")
    r.add_argument("--lr", type=float, help="learning rate")
    r.add_argument("--batch-size", type=int, dest="batch_size", help="mini-batch size")
    r.add_argument("--out", default="runs", help="folder for run directories (default: runs/)")
    r.add_argument("--resume", metavar="DIR", help="continue an interrupted run from its directory")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override any config value")
    r.add_argument("--quiet", action="store_true", help="no progress bars or console output")
    r.add_argument("--distributed", action="store_true",
                   help="data-parallel over MPI: mpiexec -n W gradstudent run NAME --distributed (docs/distributed.md)")
    sub.add_parser("list", help="list the experiments, one line each")
    for name, text in _COURSE_COMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    return p


#: Course tools with their own argument parsers: ``gradstudent NAME --help`` shows their options.
_COURSE_COMMANDS = {
    "quiz": "questions per topic, answered by computing with gradstudent (quiz --list)",
    "exercise": "exercise sheets: list, start N DIR, check N DIR [--json], export",
    "notebooks": "the lecture notebooks: list, build DIR (.ipynb), run NAME [--fast]",
    "playground": "train small networks on 2-D data in your browser ([--port N] [--no-browser])",
    "sweep": "a grid of settings spread over MPI ranks: sweep NAME --set lr=1e-3,3e-3 --ranks N",
    "bench": "time the benchmark workloads against PyTorch: bench [W1 ...] [--repeat N] [--device cuda]",
}


def _course_command(name: str, argv: list[str]) -> int:
    if name == "quiz":
        from .quiz import main as quiz_main

        return quiz_main(argv)
    if name == "exercise":
        from .exercises import main as exercise_main

        return exercise_main(argv)
    if name == "notebooks":
        from .notebook_tools import main as notebooks_main

        return notebooks_main(argv)
    if name == "playground":
        from .playground import main as playground_main

        return playground_main(argv)
    if name == "sweep":
        from .cli_sweep import main as sweep_main

        return sweep_main(argv)
    if name == "bench":
        from .bench.runner import main as bench_main

        return bench_main(argv)
    raise KeyError(name)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _COURSE_COMMANDS:
        return _course_command(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "list":
        from .experiments import all_experiments

        exps = all_experiments()
        width = max(len(n) for n in exps) if exps else 0
        for name, exp in exps.items():
            print(f"{name:<{width}}  {exp.summary}")
        return 0
    if args.command in (None, "run"):
        if args.command is None:  # plain `gradstudent`: show help
            build_parser().print_help()
            return 0
        if args.distributed:
            from .cli_distributed import main_distributed

            return main_distributed(lambda: _run_command(args))
        from .cli_distributed import hint_without_distributed

        hint_without_distributed()
        return _run_command(args)
    return 2


def _run_command(args: argparse.Namespace) -> int:
    """``gradstudent run``: the exit code (2 for a mistake in the settings, 1 diverged, 130 aborted)."""
    from .experiments import ConfigError, run_experiment

    overrides: dict[str, Any] = {"epochs": args.epochs, "seed": args.seed, "lr": args.lr, "batch_size": args.batch_size}
    for item in args.set:
        if "=" not in item or not item.split("=", 1)[0].strip():
            print(f"gradstudent: --set expects KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        key, value = item.split("=", 1)
        overrides[key.strip()] = _parse_value(value)
    try:
        result = run_experiment(args.name, overrides, out_root=args.out, resume=args.resume, quiet=args.quiet,
                                distributed=args.distributed)
    except ConfigError as err:  # the user's settings: one line. Anything else is a bug: its traceback shows.
        print(f"gradstudent: {err}", file=sys.stderr)
        return 2
    if result["status"] == "diverged":
        print(f"gradstudent: training diverged ({result.get('diverged')}); try a smaller --lr", file=sys.stderr)
        return 1
    return 0 if result["status"] in ("completed", "interrupted") else 130


if __name__ == "__main__":
    sys.exit(main())
