"""Side-by-side benchmark: gradstudent vs PyTorch CPU on the workloads of BENCHMARKS.md.

    python benchmarks/run.py                 # all workloads found in benchmarks/workloads/w*.py
    python benchmarks/run.py W1 W8           # a selection
    python benchmarks/run.py --repeat 5 W1   # 5 alternating process pairs per workload (default 3)

One step = zero grads + forward + loss + backward + optimizer step. Each
framework runs 3 warm-up steps, then at least 20 timed steps; the median is
reported with the ratio gradstudent/torch (below 1.0: gradstudent is faster).
Each (workload, framework) pair runs in its own subprocess so that peak
resident memory (ru_maxrss) is measured separately. PyTorch uses 2 threads.

The pair of processes is repeated (``--repeat``, alternating gradstudent and torch) and the
table shows the median over the repeats of each framework's per-process median: on a shared
machine a single process pair can be off by 20% either way (other load, CPU frequency, where
the allocator puts arrays), and the repeats make the ratio stable.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
WARMUP, MIN_STEPS, MIN_SECONDS = 3, 20, 1.0


def load_workloads() -> dict[str, object]:
    out = {}
    for path in sorted((HERE / "workloads").glob("w*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
        out[mod.NAME] = mod
    return dict(sorted(out.items(), key=lambda kv: (int(kv[0][1:].rstrip("abcdefghijklmnopqrstuvwxyz")), kv[0])))


def time_steps(step) -> list[float]:
    for _ in range(WARMUP):
        step()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < MIN_STEPS or time.perf_counter() - start < MIN_SECONDS:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        if len(times) >= 500:
            break
    return times


def child(name: str, framework: str, threads: int | None = None) -> None:
    """Run one workload in this process and print a JSON line with the results.

    ``threads``: torch's thread count (default 2); for gradstudent, a BLAS thread limit
    (default: OpenBLAS's own choice)."""
    import resource

    if framework in ("torch", "pyg"):
        import torch

        torch.set_num_threads(threads or 2)
    elif threads:
        import numpy  # noqa: F401  (loads OpenBLAS, so that the limit below reaches it)
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads, user_api="blas")
    mod = load_workloads()[name]
    step = {"torch": getattr(mod, "make_torch"), "pyg": getattr(mod, "make_pyg", None)}.get(framework, mod.make_gradstudent)()
    times = time_steps(step)
    result = {"median_ms": 1000 * statistics.median(times), "steps": len(times), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if name == "W1" and framework == "gradstudent" and hasattr(mod, "matmul_flops"):
        import numpy as np

        a = np.random.rand(1024, 1024).astype(np.float32)
        b = np.random.rand(1024, 1024).astype(np.float32)
        gemm = time_steps(lambda: a @ b)
        peak = 2 * 1024**3 / statistics.median(gemm)
        result["gemm_gflops"] = peak / 1e9
        result["fraction_of_gemm_peak"] = mod.matmul_flops() / (result["median_ms"] / 1000) / peak
    print("RESULT " + json.dumps(result))


def run_child(name: str, framework: str, threads: int | None = None) -> dict[str, float]:
    args = [name, framework] + ([str(threads)] if threads else [])
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=os.environ.copy())
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{name}/{framework} failed:\n{proc.stderr[-3000:]}")


def run_pair(name: str, repeat: int) -> tuple[dict[str, float], ...]:
    """Median over ``repeat`` alternating (gradstudent, torch[, pyg]) processes; peak memory is the max.

    A workload with ``make_pyg`` gets a second torch column (PyTorch Geometric), returned third."""
    runs: dict[str, list[dict[str, float]]] = {"gradstudent": [], "torch": []}
    if hasattr(load_workloads()[name], "make_pyg"):
        runs["pyg"] = []
    for _ in range(repeat):
        for framework in runs:
            runs[framework].append(run_child(name, framework))
    merged = []
    for results in runs.values():
        res = dict(results[0])
        res["median_ms"] = statistics.median(r["median_ms"] for r in results)
        res["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
        res["spread_ms"] = (min(r["median_ms"] for r in results), max(r["median_ms"] for r in results))
        merged.append(res)
    return tuple(merged)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2], int(argv[3]) if len(argv) > 3 else None)
        return
    repeat = 3
    if "--repeat" in argv:
        i = argv.index("--repeat")
        repeat = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    workloads = load_workloads()
    by_upper = {k.upper(): k for k in workloads}
    names = [by_upper.get(a.upper(), a) for a in argv] or list(workloads)
    rows = []
    print(f"(median over {repeat} alternating process pairs; min-max of the per-process medians in brackets)")
    print("| id | workload | gradstudent ms/step | torch ms/step | ratio | gradstudent peak MB | torch peak MB |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        gs_res, *others = run_pair(name, repeat)
        for th_res, label in zip(others, ("", " (torch column: PyG GCNConv)")):
            ratio = gs_res["median_ms"] / th_res["median_ms"]
            rows.append((name, gs_res, th_res, ratio))
            spread = [f"[{r['spread_ms'][0]:.2f}-{r['spread_ms'][1]:.2f}]" if repeat > 1 else "" for r in (gs_res, th_res)]
            print(
                f"| {name} | {workloads[name].DESCRIPTION}{label} | {gs_res['median_ms']:.2f} {spread[0]} | {th_res['median_ms']:.2f} {spread[1]} | "
                f"{ratio:.2f} | {gs_res['peak_rss_mb']:.0f} | {th_res['peak_rss_mb']:.0f} |",
                flush=True,
            )
    for name, gs_res, _, _ in rows:
        if "fraction_of_gemm_peak" in gs_res:
            print(f"\n{name}: NumPy float32 1024x1024 GEMM runs at {gs_res['gemm_gflops']:.0f} GFLOP/s; "
                  f"the gradstudent step achieves {100 * gs_res['fraction_of_gemm_peak']:.0f}% of that rate in its matrix products.")


if __name__ == "__main__":
    main(sys.argv[1:])
