"""Optimizer step time on the W1 benchmark's parameters (MLP 784-512-512-10), against torch CPU.

Slow-marked (timing is noisy on a shared machine): ``pytest tests/optim -m slow -s``.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import pytest
import torch

import gradstudent as gs

W1_SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]


def median_ms(fn: Callable[[], Any], repeats: int = 100) -> float:
    for _ in range(10):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def step_times(name: str, **kwargs: Any) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) for s in W1_SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) for s in W1_SHAPES]
    gp = [gs.tensor(v, requires_grad=True) for v in values]
    tp = [torch.tensor(v, requires_grad=True) for v in values]
    for p, t, g in zip(gp, tp, grads):
        p.grad, t.grad = gs.tensor(g), torch.tensor(g)
    gopt, topt = getattr(gs.optim, name)(gp, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    return median_ms(gopt.step), median_ms(topt.step)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,kwargs",
    [("Adam", {}), ("AdamW", {}), ("SGD", {"lr": 0.1, "momentum": 0.9}), ("RMSprop", {}), ("Adagrad", {})],
)
def test_step_time_close_to_torch(name: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = step_times(name, **kwargs)
    print(f"\n{name} step on W1 shapes (669,706 float32): gradstudent {ours:.2f} ms, torch {theirs:.2f} ms")
    assert ours < 2.0 * theirs + 0.2
