"""Sheet 3 checks: against gradstudent's own layers, losses and optimizers."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

import gradstudent as gs
from gradstudent import nn, optim

from ..checking import CheckFailed, assert_close, rng
from . import Sheet, Task

F = nn.functional


def check_linear(m: ModuleType) -> None:
    r = rng(0)
    for n, i, o in ((4, 3, 2), (1, 5, 1)):
        args = [r.normal(size=s) for s in ((n, i), (o, i), (o,))]
        a = [gs.tensor(v, requires_grad=True) for v in args]
        b = [gs.tensor(v, requires_grad=True) for v in args]
        out, ref = m.linear(*a), F.linear(*b)
        assert_close(f"linear forward (x {args[0].shape}, W {args[1].shape})", out, ref, hint="z = x @ W^T + b")
        out.sum().backward()
        ref.sum().backward()
        for name, p, q in zip(("x", "weight", "bias"), a, b):
            assert_close(f"linear: gradient of {name}", p.grad, q.grad)


def check_cross_entropy(m: ModuleType) -> None:
    r = rng(1)
    for scale in (1.0, 1000.0):
        z = r.normal(size=(5, 4)) * scale
        t = r.integers(0, 4, size=5)
        a, b = gs.tensor(z, requires_grad=True), gs.tensor(z, requires_grad=True)
        loss, ref = m.softmax_cross_entropy(a, gs.tensor(t)), F.cross_entropy(b, gs.tensor(t))
        hint = "subtract each row's max before exp" if scale > 1 else "mean over the batch of -log softmax at the target"
        assert_close(f"cross-entropy with logits of size ~{scale:g}", loss, ref, hint=hint)
        loss.backward()
        ref.backward()
        assert_close(f"cross-entropy gradient with logits of size ~{scale:g}", a.grad, b.grad, hint="d/dz = (softmax(z) - onehot) / N")


def _trajectory(make_opt: Callable[[list[Any]], Any], steps: int = 6) -> np.ndarray:
    gs.manual_seed(0)
    w = nn.Parameter(gs.tensor(rng(2).normal(size=(3, 2))))
    opt = make_opt([w])
    A = gs.tensor(rng(3).normal(size=(2, 2)))
    for _ in range(steps):
        opt.zero_grad()
        ((w @ A).tanh() ** 2).sum().backward()
        opt.step()
    return w.detach().numpy().copy()


def check_sgd(m: ModuleType) -> None:
    got = _trajectory(lambda p: m.SGDMomentum(p, lr=0.1, momentum=0.9))
    ref = _trajectory(lambda p: optim.SGD(p, lr=0.1, momentum=0.9))
    assert_close("parameters after 6 SGD-momentum steps", got, ref, rtol=1e-4, atol=1e-6, hint="v = mu v + g, then p -= lr v, in place")
    unchanged = _trajectory(lambda p: m.SGDMomentum(p, lr=0.0, momentum=0.9))
    if not np.allclose(unchanged, _trajectory(lambda p: optim.SGD(p, lr=0.0))):
        raise CheckFailed("SGDMomentum with lr=0 changed the parameters")


def check_adam(m: ModuleType) -> None:
    got = _trajectory(lambda p: m.Adam(p, lr=0.05))
    ref = _trajectory(lambda p: optim.Adam(p, lr=0.05))
    assert_close("parameters after 6 Adam steps", got, ref, rtol=1e-4, atol=1e-6, hint="did you apply both bias corrections, with t starting at 1?")


SHEET = Sheet(3, "mlp", "MLP, losses and optimizers: Linear, softmax cross-entropy, SGD with momentum, Adam", "sheet03_mlp.py", [
    Task("linear", 2, check_linear, "z = x W^T + b"),
    Task("cross_entropy", 3, check_cross_entropy, "stable softmax cross-entropy", "softmax_cross_entropy"),
    Task("sgd_momentum", 2, check_sgd, "SGD with momentum, in place", "SGDMomentum"),
    Task("adam", 3, check_adam, "Adam with bias correction", "Adam"),
])
