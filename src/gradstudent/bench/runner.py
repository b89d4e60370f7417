"""The side-by-side benchmark: gradstudent vs PyTorch on the workloads of :mod:`gradstudent.bench.workloads`.

One step = zero grads + forward + loss + backward + optimizer step. Each
framework runs 3 warm-up steps, then at least 20 timed steps; the median is
reported with the ratio gradstudent/torch (below 1.0: gradstudent is faster).
Each (workload, framework) pair runs in its own subprocess so that peak
resident memory (ru_maxrss) is measured separately. PyTorch uses 2 threads.

The pair of processes is repeated (``--repeat``, alternating gradstudent and torch) and the
table shows the median over the repeats of each framework's per-process median: on a shared
machine a single process pair can be off by 20% either way (other load, CPU frequency, where
the allocator puts arrays), and the repeats make the ratio stable.

Without PyTorch installed only the gradstudent column is measured (the others show "—"). With
``--device cuda`` both frameworks run on the GPU and every step ends with a synchronization (GPU
work is asynchronous); a torch without CUDA shows "—".
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pkgutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

WARMUP, MIN_STEPS, MIN_SECONDS = 3, 20, 1.0
NA = "—"


class Unavailable(RuntimeError):
    """A framework cannot run on the requested device (the table shows "—")."""


def load_workloads() -> dict[str, ModuleType]:
    """Every workload module of :mod:`gradstudent.bench.workloads`, by ``NAME``, in order W1, W2, ..., W6, W6b, ..."""
    from . import workloads

    out = {}
    for info in pkgutil.iter_modules(workloads.__path__):
        if info.name.startswith("w"):
            mod = importlib.import_module(f"{workloads.__name__}.{info.name}")
            out[mod.NAME] = mod
    return dict(sorted(out.items(), key=lambda kv: (int(kv[0][1:].rstrip("abcdefghijklmnopqrstuvwxyz")), kv[0])))


def time_steps(step: Callable[[], Any], sync: Callable[[], Any] | None = None) -> list[float]:
    """Seconds per call of ``step`` after 3 warm-up calls: at least 20 calls and 1 s, at most 500.
    ``sync`` (a GPU synchronization) runs inside each timed call."""
    for _ in range(WARMUP):
        step()
    if sync is not None:
        sync()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < MIN_STEPS or time.perf_counter() - start < MIN_SECONDS:
        t0 = time.perf_counter()
        step()
        if sync is not None:
            sync()
        times.append(time.perf_counter() - t0)
        if len(times) >= 500:
            break
    return times


def _setup(framework: str, threads: int | None, device: str) -> Callable[[], Any] | None:
    """Thread limits for ``framework``; the GPU synchronization for ``device`` (None on the CPU)."""
    on_gpu = device.startswith("cuda")
    if framework in ("torch", "pyg"):
        import torch

        torch.set_num_threads(threads or 2)
        if on_gpu and not torch.cuda.is_available():
            raise Unavailable(f"this torch ({torch.__version__}) has no CUDA")
        return torch.cuda.synchronize if on_gpu else None
    if threads:
        import numpy  # noqa: F401  (loads OpenBLAS, so that the limit below reaches it)
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads, user_api="blas")
    if on_gpu:
        from .. import cuda

        return cuda.synchronize
    return None


def child(name: str, framework: str, threads: int | None = None, device: str = "cpu") -> None:
    """Run one workload in this process and print a JSON line with the results.

    ``threads``: torch's thread count (default 2); for gradstudent, a BLAS thread limit
    (default: OpenBLAS's own choice)."""
    import resource

    try:
        sync = _setup(framework, threads, device)
    except Unavailable as why:
        print("UNAVAILABLE " + str(why))
        return
    mod = load_workloads()[name]
    make = {"torch": mod.make_torch, "pyg": getattr(mod, "make_pyg", None)}.get(framework, mod.make_gradstudent)
    times = time_steps(make(device=device), sync)
    result = {"median_ms": 1000 * statistics.median(times), "steps": len(times), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if name == "W1" and framework == "gradstudent" and device == "cpu" and hasattr(mod, "matmul_flops"):
        import numpy as np

        a = np.random.rand(1024, 1024).astype(np.float32)
        b = np.random.rand(1024, 1024).astype(np.float32)
        gemm = time_steps(lambda: a @ b)
        peak = 2 * 1024**3 / statistics.median(gemm)
        result["gemm_gflops"] = peak / 1e9
        result["fraction_of_gemm_peak"] = mod.matmul_flops() / (result["median_ms"] / 1000) / peak
    print("RESULT " + json.dumps(result))


def _child_env() -> dict[str, str]:
    """The environment of a child process: it imports this very gradstudent (a checkout's ``src``
    or the installed package), whatever the current directory."""
    env = os.environ.copy()
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([here] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def run_child(name: str, framework: str, threads: int | None = None, device: str = "cpu") -> dict[str, float]:
    """Run :func:`child` in a fresh process; its results. Raises :class:`Unavailable` for a "—" cell."""
    args = [name, framework] + ([str(threads)] if threads else []) + (["--device", device] if device != "cpu" else [])
    proc = subprocess.run([sys.executable, "-m", "gradstudent.bench", "--child", *args], capture_output=True, text=True, env=_child_env())
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
        if line.startswith("UNAVAILABLE "):
            raise Unavailable(line[12:])
    raise RuntimeError(f"{name}/{framework} failed:\n{proc.stderr[-3000:]}")


def frameworks_for(mod: ModuleType) -> list[str]:
    """gradstudent, then torch when installed, then PyG when the workload has a PyG twin and PyG is installed."""
    out = ["gradstudent"]
    if importlib.util.find_spec("torch") is not None:
        out.append("torch")
        if hasattr(mod, "make_pyg") and importlib.util.find_spec("torch_geometric") is not None:
            out.append("pyg")
    return out


def run_pair(name: str, repeat: int, device: str = "cpu") -> tuple[dict[str, Any] | None, ...]:
    """Median over ``repeat`` alternating (gradstudent, torch[, pyg]) processes; peak memory is the max.

    Returns one result per column: gradstudent, torch, and PyG for a workload with ``make_pyg``;
    None for a column that cannot run (no torch, or no GPU for it)."""
    mod = load_workloads()[name]
    columns = ["gradstudent", "torch"] + (["pyg"] if hasattr(mod, "make_pyg") else [])
    runs: dict[str, list[dict[str, float]] | None] = {fw: [] for fw in frameworks_for(mod)}
    for _ in range(repeat):
        for framework, results in runs.items():
            if results is not None:
                try:
                    results.append(run_child(name, framework, device=device))
                except Unavailable:
                    runs[framework] = None
    merged: list[dict[str, Any] | None] = []
    for framework in columns:
        results = runs.get(framework)
        if not results:
            merged.append(None)
            continue
        res: dict[str, Any] = dict(results[0])
        res["median_ms"] = statistics.median(r["median_ms"] for r in results)
        res["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
        res["spread_ms"] = (min(r["median_ms"] for r in results), max(r["median_ms"] for r in results))
        merged.append(res)
    return tuple(merged)


def _cell(res: dict[str, Any] | None, repeat: int) -> str:
    if res is None:
        return NA
    spread = f"[{res['spread_ms'][0]:.2f}-{res['spread_ms'][1]:.2f}]" if repeat > 1 else ""
    return f"{res['median_ms']:.2f} {spread}"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradstudent bench", description="Time the benchmark workloads in gradstudent and PyTorch side by side.")
    p.add_argument("workloads", nargs="*", metavar="W", help="workload ids (W1 ... W10; default: all)")
    p.add_argument("--repeat", type=int, default=3, help="alternating process pairs per workload (default 3)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        c = argparse.ArgumentParser(prog="gradstudent bench --child")
        c.add_argument("name")
        c.add_argument("framework")
        c.add_argument("threads", nargs="?", type=int)
        c.add_argument("--device", default="cpu")
        a = c.parse_args(argv[1:])
        child(a.name, a.framework, a.threads, a.device)
        return 0
    args = build_parser().parse_args(argv)
    workloads = load_workloads()
    if args.list:
        for name, mod in workloads.items():
            print(f"{name:<4} {mod.DESCRIPTION}")
        return 0
    by_upper = {k.upper(): k for k in workloads}
    names = [by_upper.get(a.upper(), a) for a in args.workloads] or list(workloads)
    unknown = [n for n in names if n not in workloads]
    if unknown or args.repeat < 1:
        problem = f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(workloads)}" if unknown else f"--repeat must be at least 1, got {args.repeat}"
        print(f"gradstudent bench: {problem}", file=sys.stderr)
        return 2
    if args.device.startswith("cuda"):
        from ..cuda import is_available

        if not is_available():
            print("gradstudent bench: --device cuda needs a GPU and CuPy (gs.cuda.is_available() is False)", file=sys.stderr)
            return 2
    elif args.device != "cpu":
        print(f"gradstudent bench: --device must be cpu or cuda, got {args.device!r}", file=sys.stderr)
        return 2
    print_table(names, workloads, args.repeat, args.device)
    return 0


def print_table(names: list[str], workloads: dict[str, ModuleType], repeat: int, device: str) -> None:
    """Run each workload and print its row as soon as it is measured (the format of benchmarks/run.py)."""
    rows = []
    on = "" if device == "cpu" else f"; device {device}"
    print(f"(median over {repeat} alternating process pairs; min-max of the per-process medians in brackets{on})")
    print("| id | workload | gradstudent ms/step | torch ms/step | ratio | gradstudent peak MB | torch peak MB |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        gs_res, *others = run_pair(name, repeat, device)
        for th_res, label in zip(others, ("", " (torch column: PyG GCNConv)")):
            if gs_res is None:
                raise RuntimeError(f"{name}: gradstudent produced no result")
            ratio = f"{gs_res['median_ms'] / th_res['median_ms']:.2f}" if th_res is not None else NA
            th_mb = f"{th_res['peak_rss_mb']:.0f}" if th_res is not None else NA
            rows.append((name, gs_res))
            print(
                f"| {name} | {workloads[name].DESCRIPTION}{label} | {_cell(gs_res, repeat)} | {_cell(th_res, repeat)} | "
                f"{ratio} | {gs_res['peak_rss_mb']:.0f} | {th_mb} |",
                flush=True,
            )
    for name, gs_res in rows:
        if "fraction_of_gemm_peak" in gs_res:
            print(f"\n{name}: NumPy float32 1024x1024 GEMM runs at {gs_res['gemm_gflops']:.0f} GFLOP/s; "
                  f"the gradstudent step achieves {100 * gs_res['fraction_of_gemm_peak']:.0f}% of that rate in its matrix products.")
