"""``gradstudent sweep NAME --set lr=1e-3,3e-3 [--set hidden=[64],[128]] --ranks N [--out DIR]``.

A grid of settings (every combination of the ``--set`` lists) run as ordinary, independent
runs, spread over ``N`` MPI ranks: run ``i`` of the grid goes to rank ``i mod N``, each run is
a normal run directory (``DIR/003-lr=0.001/digits-mlp-STAMP/``), and once every rank is done
rank 0 writes ``DIR/sweep.json`` and prints one table row per run. An ensemble is a sweep
over seeds (``--set seed=0,1,2,3``).

Why MPI ranks rather than local worker processes: the same command then runs on one machine
or, with an ``mpiexec`` host file, on many (the run folder must be on a file system all of
them see), and a run that crashes stops the whole sweep at once (``MPI_Abort``) instead of
leaving orphans. Started outside ``mpiexec`` with ``--ranks N > 1``, the command starts
``mpiexec -n N`` on itself (the ``mpiexec`` next to this Python, which the ``[mpi]`` extra
installs); ``--ranks 1`` runs the grid in this process without MPI.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable



def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradstudent sweep", description="Run a grid of settings of one experiment, spread over MPI ranks.")
    p.add_argument("name", help="experiment name (see `gradstudent list`)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2,...", dest="sets",
                   help="a setting and its values, comma separated (lists in brackets: hidden=[64],[128]); repeat for a grid")
    p.add_argument("--ranks", type=int, default=1, help="MPI ranks to spread the runs over (default 1: this process)")
    p.add_argument("--out", help="sweep folder (default: runs/sweep-NAME-STAMP)")
    p.add_argument("--epochs", type=int, help="epochs of every run")
    p.add_argument("--seed", type=int, help="seed of every run (or sweep it: --set seed=0,1,2)")
    p.add_argument("--quiet", action="store_true", help="no table on the console")
    return p


def split_values(text: str) -> list[str]:
    """``"1e-3,3e-3"`` -> ``["1e-3", "3e-3"]``; commas inside brackets or quotes do not split (``[64,64],[128]``)."""
    parts, depth, quote, current = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_grid(sets: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """The swept keys and every combination of their values (the last key varies fastest)."""
    keys: list[str] = []
    values: list[list[Any]] = []
    for item in sets:
        key, sep, text = item.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise ValueError(f"--set expects KEY=V1,V2,..., got {item!r}")
        if key.strip() in keys:
            raise ValueError(f"--set {key.strip()} is given twice; list all its values in one --set")
        vals = split_values(text)
        if any(v == "" for v in vals):
            raise ValueError(f"--set {item!r}: an empty value (two commas in a row, or a trailing comma)")
        keys.append(key.strip())
        values.append([_parse_value(v) for v in vals])
    return keys, [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def _label(i: int, point: dict[str, Any]) -> str:
    text = ",".join(f"{k}={v}" for k, v in point.items()).replace(" ", "")
    return f"{i:03d}-" + re.sub(r"[^A-Za-z0-9._=,+\-\[\]]", "_", text)[:80]


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from .experiments import ConfigError
    from .experiments.registry import get
    from .experiments.settings import check_settings

    try:
        keys, grid = parse_grid(args.sets)
        exp = get(args.name)
        fixed = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
        for point in grid:  # every setting checked before anything runs
            check_settings(args.name, {"seed": 0, **exp.defaults, **fixed, **point}, exp.defaults)
        if args.ranks < 1:
            raise ValueError(f"--ranks must be at least 1, got {args.ranks}")
    except (ValueError, ConfigError) as err:
        print(f"gradstudent sweep: {err}", file=sys.stderr)
        return 2
    from .cli_distributed import under_mpiexec

    inside = under_mpiexec()
    if args.ranks > 1 and not inside:
        return _launch(args, argv)
    if not inside:
        return _sweep(args, keys, grid, fixed, rank=0, world=1, share=lambda text: text)
    from .distributed import get_rank, get_world_size, init_process_group, run_or_abort
    from .distributed.process_group import broadcast_text

    init_process_group("mpi")
    rank, world = get_rank(), get_world_size()
    if rank == 0 and args.ranks not in (1, world):
        print(f"gradstudent sweep: mpiexec started {world} ranks; --ranks {args.ranks} is ignored", file=sys.stderr)
    return run_or_abort(lambda: _sweep(args, keys, grid, fixed, rank, world, lambda text: broadcast_text(text)))


def _launch(args: argparse.Namespace, argv: list[str]) -> int:
    """Run this same command under ``mpiexec -n RANKS`` with the sweep folder fixed in advance."""
    mpiexec = Path(sys.executable).with_name("mpiexec")
    found = str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec")
    if found is None:
        print('gradstudent sweep: --ranks needs mpiexec: pip install -e ".[mpi]" (mpi4py and the mpich wheel), '
              "or use --ranks 1", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else _default_dir(args.name)
    rest = [a for a in argv if not a.startswith("--out=")]
    if "--out" in rest:
        i = rest.index("--out")
        del rest[i : i + 2]
    cmd = [found, "-n", str(args.ranks), sys.executable, "-m", "gradstudent.cli", "sweep", *rest, "--out", str(out)]
    return subprocess.run(cmd).returncode


def _default_dir(name: str) -> Path:
    return Path("runs") / f"sweep-{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _sweep(args: argparse.Namespace, keys: list[str], grid: list[dict[str, Any]], fixed: dict[str, Any],
           rank: int, world: int, share: Callable[[str], str]) -> int:
    """This rank's runs of the grid (``i mod world == rank``); rank 0 then writes the summary."""
    from .experiments import run_experiment

    out = Path(share(str(_make_dir(args)) if rank == 0 else ""))
    for i, point in enumerate(grid):
        if i % world == rank:
            run_experiment(args.name, {**fixed, **point}, out_root=out / _label(i, point), quiet=True)
    if world > 1:
        from .distributed import barrier

        barrier()  # every run is finished and written
    if rank == 0:
        rows = [_row(i, point, out / _label(i, point), i % world) for i, point in enumerate(grid)]
        summary = {"experiment": args.name, "swept": keys, "fixed": fixed, "ranks": world, "runs": rows}
        from .serialization import atomic_write_text

        atomic_write_text(out / "sweep.json", json.dumps(summary, indent=2))
        if not args.quiet:
            print(format_table(keys, rows))
            print(f"Sweep of {len(rows)} runs over {world} rank(s) in {out} (summary: {out / 'sweep.json'})")
    return 0 if rank != 0 or all(r["status"] == "completed" for r in rows) else 1


def _make_dir(args: argparse.Namespace) -> Path:
    out = Path(args.out) if args.out else _default_dir(args.name)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _row(i: int, point: dict[str, Any], root: Path, rank: int) -> dict[str, Any]:
    """One run's line: its settings, status, final metrics and run directory (from its metrics.json)."""
    dirs = sorted(d for d in root.iterdir() if (d / "metrics.json").is_file()) if root.is_dir() else []
    if not dirs:
        return {"run": i, "settings": point, "rank": rank, "status": "missing", "dir": str(root), "final": {}}
    metrics = json.loads((dirs[-1] / "metrics.json").read_text(encoding="utf-8"))
    final = {k: v for k, v in metrics.get("final", {}).items() if isinstance(v, int | float)}
    return {"run": i, "settings": point, "rank": rank, "status": metrics.get("status", "?"), "dir": str(dirs[-1]),
            "final": final, "wall_time_s": metrics.get("wall_time_s")}


def format_table(keys: list[str], rows: list[dict[str, Any]]) -> str:
    """A Markdown table: run, the swept settings, status, the final metrics, seconds."""
    metric_keys = list(dict.fromkeys(k for r in rows for k in r["final"]))
    head = ["run", *keys, "rank", "status", *metric_keys, "wall s"]
    fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["run"], *(r["settings"][k] for k in keys), r["rank"], r["status"], *(r["final"].get(k, "") for k in metric_keys),
                 r.get("wall_time_s", "")]
        lines.append("| " + " | ".join(fmt(c) for c in cells) + " |")
    return "\n".join(lines)
