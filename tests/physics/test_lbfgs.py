"""optim.LBFGS against torch.optim.LBFGS: the same iterates, step by step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs

RNG = np.random.default_rng(3)
XS = RNG.normal(size=(30, 3))
YS = (XS @ np.array([1.0, -2.0, 0.5]) + 0.3 * np.sin(3 * XS[:, 0]) > 0).astype(np.float64)


def rosenbrock(lib, a, b):
    return (1 - a) ** 2 + 100 * (b - a ** 2) ** 2 + ((a + b) ** 2).sum() * 0


def logistic(lib, w, c):
    X = lib.from_numpy(XS)
    z = X @ w + c
    return (lib.log(1 + lib.exp(-z)) + (1 - lib.from_numpy(YS)) * z).mean() + 1e-3 * (w ** 2).sum()


def run(lib, opt_cls, loss_fn, init, steps, **kw):
    ps = [lib.from_numpy(np.array(v, dtype=np.float64)).requires_grad_(True) for v in init]
    opt = opt_cls(ps, **kw)
    evals = [0]

    def closure():
        opt.zero_grad()
        loss = loss_fn(lib, *ps)
        loss.backward()
        evals[0] += 1
        return loss

    traj = []
    for _ in range(steps):
        opt.step(closure)
        traj.append(np.concatenate([p.detach().numpy().ravel() for p in ps]))
    return np.array(traj), evals[0], opt


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
@pytest.mark.parametrize("max_iter", [1, 5, 20])
def test_rosenbrock_matches_torch(line_search, max_iter):
    init = [[-1.2], [1.0]]
    kw = dict(lr=1.0 if line_search else 0.5, max_iter=max_iter, history_size=5, line_search_fn=line_search)
    ours, ev_g, _ = run(gs, gs.optim.LBFGS, rosenbrock, init, 8, **kw)
    ref, ev_t, _ = run(torch, torch.optim.LBFGS, rosenbrock, init, 8, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-8, atol=1e-10)
    assert ev_g == ev_t


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_logistic_matches_torch_and_converges(line_search):
    init = [[0.1, 0.0, -0.1], [0.0]]
    kw = dict(lr=1.0, max_iter=10, history_size=3, line_search_fn=line_search)
    ours, ev_g, opt = run(gs, gs.optim.LBFGS, logistic, init, 5, **kw)
    ref, ev_t, topt = run(torch, torch.optim.LBFGS, logistic, init, 5, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-7, atol=1e-9)
    assert ev_g == ev_t
    st, tst = opt.state[opt._params[0]], topt.state[topt._params[0]]
    assert st["n_iter"] == tst["n_iter"] > 1  # more than one iteration was taken
    assert st["func_evals"] == tst["func_evals"]


def test_strong_wolfe_reaches_rosenbrock_minimum():
    ours, _, opt = run(gs, gs.optim.LBFGS, rosenbrock, [[-1.2], [1.0]], 5, max_iter=50, line_search_fn="strong_wolfe")
    np.testing.assert_allclose(ours[-1], [1.0, 1.0], atol=1e-4)
    assert opt.state[opt._params[0]]["n_iter"] > 10


def test_errors():
    p = gs.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="strong_wolfe"):
        gs.optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="parameter groups"):
        gs.optim.LBFGS([{"params": [p]}, {"params": [gs.zeros(1, requires_grad=True)]}])
    with pytest.raises(RuntimeError, match="closure"):
        gs.optim.LBFGS([p]).step()


def test_lbfgs_with_0d_parameters_keeps_their_shape():
    import gradstudent as gs

    a = gs.tensor(3.0, requires_grad=True)
    b = gs.tensor(-1.0, requires_grad=True)
    opt = gs.optim.LBFGS([a, b], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (a - 1.0) ** 2 + (b - 2.0) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    assert a.shape == () and b.shape == ()
    assert abs(a.item() - 1.0) < 1e-4 and abs(b.item() - 2.0) < 1e-4
