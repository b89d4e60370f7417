"""Sheet 4 checks: batch norm against gradstudent's BatchNorm1d, dropout and L2 by their definitions."""

from __future__ import annotations

from types import ModuleType

import numpy as np

import gradstudent as gs
from gradstudent import nn

from ..checking import CheckFailed, assert_close, rng
from . import Sheet, Task


def check_batch_norm(m: ModuleType) -> None:
    r = rng(0)
    x = r.normal(size=(8, 3)) * 3 + 1
    g, b = r.normal(size=3), r.normal(size=3)
    xs = [gs.tensor(v, requires_grad=True) for v in (x, g, b)]
    y, mean, var = m.batch_norm_train(*xs)
    bn = nn.BatchNorm1d(3).double()
    with gs.no_grad():
        bn.weight.copy_(gs.tensor(g))
        bn.bias.copy_(gs.tensor(b))
    xr = gs.tensor(x, requires_grad=True)
    ref = bn(xr)
    assert_close("batch norm output (x of shape (8, 3))", y, ref, hint="use the biased variance (divide by N)")
    assert_close("batch mean", mean, x.mean(0))
    assert_close("batch variance", var, x.var(0), hint="biased: divide by N, not N - 1")
    w = gs.tensor(r.normal(size=(8, 3)))
    (y * w).sum().backward()
    (ref * w).sum().backward()
    assert_close("gradient of x through batch norm", xs[0].grad, xr.grad, hint="the mean and variance depend on x too: keep them in the graph")
    assert_close("gradient of gamma", xs[1].grad, bn.weight.grad)


def check_running_stats(m: ModuleType) -> None:
    x = rng(1).normal(size=(6, 2))
    bn = nn.BatchNorm1d(2, momentum=0.1).double()
    bn(gs.tensor(x))
    rm, rv = m.update_running_stats(gs.zeros(2, dtype=gs.float64), gs.ones(2, dtype=gs.float64), gs.tensor(x.mean(0)), gs.tensor(x.var(0)), 6, 0.1)
    assert_close("running mean after one batch", rm, bn.running_mean)
    assert_close("running variance after one batch", rv, bn.running_var, hint="the running variance uses the unbiased batch variance")


def check_dropout(m: ModuleType) -> None:
    r = rng(2)
    x = r.normal(size=(4, 5))
    keep = (r.random(size=(4, 5)) > 0.3).astype(np.float64)
    out = m.inverted_dropout(gs.tensor(x), 0.3, gs.tensor(keep))
    assert_close("dropout output", out, x * keep / 0.7, hint="kept units are scaled by 1 / (1 - p)")
    if not np.all(out.detach().numpy()[keep == 0] == 0):
        raise CheckFailed("dropout: dropped units must be exactly 0")


def check_l2(m: ModuleType) -> None:
    r = rng(3)
    ps = [gs.tensor(r.normal(size=s), requires_grad=True) for s in ((3, 2), (2,))]
    pen = m.l2_penalty(ps, 0.01)
    assert_close("L2 penalty", pen, 0.005 * sum(float((p.detach().numpy() ** 2).sum()) for p in ps))
    pen.backward()
    for i, p in enumerate(ps):
        assert_close(f"gradient of the penalty for parameter {i}", p.grad, 0.01 * p.detach().numpy(), hint="d/dp of wd/2 ||p||^2 is wd p")


SHEET = Sheet(4, "regularization", "Regularization and batch norm", "sheet04_regularization.py", [
    Task("batch_norm", 4, check_batch_norm, "batch norm forward in training mode (autograd does the backward)", "batch_norm_train"),
    Task("running_stats", 2, check_running_stats, "PyTorch's running mean and variance", "update_running_stats"),
    Task("dropout", 2, check_dropout, "inverted dropout", "inverted_dropout"),
    Task("l2_penalty", 2, check_l2, "weight decay as a penalty"),
])
