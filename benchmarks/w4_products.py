"""W4's lower bound: the LSTM step's matrix products alone, against torch's whole step.

    python benchmarks/w4_products.py

Issues the same float32 products a gradstudent W4 step issues (input projection, 64 forward
and 64 backward per-step (32, 256) @ (256, 1024) products, the W_hh gradient, the head and
their backward) with NumPy's BLAS, and times the whole W4 step of torch and of gradstudent
(benchmarks/run.py's one-workload processes), at one and two threads.
If the products alone take about as long as torch's entire step, no rearranging of the
elementwise work can bring the ratio near 1 (README, "Where the time goes").
"""

from __future__ import annotations

import importlib.util
import statistics
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
from threadpoolctl import threadpool_limits


def products_step(w4: ModuleType) -> Callable[[], None]:
    """One W4 step's products, for the shapes of the workload module ``w4`` (benchmarks/workloads/w4.py)."""
    T, B, E, H, V = w4.SEQ, w4.BATCH, w4.EMBED, w4.HIDDEN, w4.VOCAB
    G = 4 * H
    rng = np.random.default_rng(0)

    def rand(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)

    x, w_ih, w_hh, hs, dpre, w_head, dlogits = rand(T * B, E), rand(G, E), rand(G, H), rand(T, B, H), rand(T, B, G), rand(V, H), rand(T * B, V)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    gates, dh = np.empty((B, G), np.float32), np.empty((B, H), np.float32)
    flat_h, flat_d = hs.reshape(-1, H), dpre.reshape(-1, G)

    def step() -> None:
        x @ w_ih.T  # input projection, all steps at once
        for t in range(T):  # forward recurrence
            np.matmul(hs[t], w_hh_t, out=gates)
        flat_h @ w_head.T  # head
        dlogits.T @ flat_h, dlogits @ w_head  # head backward
        for t in range(T):  # backpropagation through time
            np.matmul(dpre[t], w_hh, out=dh)
        flat_d.T @ flat_h  # W_hh gradient
        flat_d.T @ x, flat_d @ w_ih  # input projection backward

    return step


def load_runner() -> ModuleType:
    """benchmarks/run.py as a module: its step timer and its one-workload-per-process runner."""
    spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).with_name("run.py"))
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return runner


def main() -> None:
    runner = load_runner()
    step = products_step(runner.load_workloads()["W4"])
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            products = 1000 * statistics.median(runner.time_steps(step))
        gs_step, torch_step = (runner.run_child("W4", fw, threads)["median_ms"] for fw in ("gradstudent", "torch"))
        print(f"{threads} thread(s): W4 matrix products alone (NumPy) {products:.1f} ms; whole W4 step: torch {torch_step:.1f} ms, gradstudent {gs_step:.1f} ms")


if __name__ == "__main__":
    main()
