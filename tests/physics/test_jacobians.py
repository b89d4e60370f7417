"""gs.autograd.functional.{jacobian, hessian, vjp, jvp, hvp, vhp} against torch.autograd.functional."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import gradstudent as gs
from gradstudent.autograd import functional as F

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4))
X = RNG.normal(size=(4,))
Y = RNG.normal(size=(2, 3))


def f_vec(lib, x):  # R^4 -> R^3
    return lib.tanh(lib.from_numpy(A) @ x if lib is gs else torch.from_numpy(A) @ x) * x[:3] ** 2


def f_scalar(lib, x):
    return (lib.sin(x) * x).sum() + (x ** 3).sum() * x[0]


def f_two(lib, x, y):  # two inputs -> one output of shape (2, 3)
    return y * x[:3].sum() + lib.exp(y) * x[1]


def g(t):
    return gs.from_numpy(t) if isinstance(t, np.ndarray) else t


def both(fn, *arrays):
    gsx = tuple(gs.from_numpy(a.copy()) for a in arrays)
    tx = tuple(torch.from_numpy(a.copy()) for a in arrays)
    return gsx, tx


def close(a, b, tol=1e-10):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y, tol)
        return
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_jacobian_single_and_tuple():
    (gx,), (tx,) = both(None, X)
    close(F.jacobian(lambda x: f_vec(gs, x), gx), TF.jacobian(lambda x: f_vec(torch, x), tx))
    (gx, gy), (tx, ty) = both(None, X, Y)
    close(F.jacobian(lambda x, y: f_two(gs, x, y), (gx, gy)), TF.jacobian(lambda x, y: f_two(torch, x, y), (tx, ty)))
    # tuple outputs x tuple inputs
    close(F.jacobian(lambda x, y: (f_two(gs, x, y), x * 2), (gx, gy)),
          TF.jacobian(lambda x, y: (f_two(torch, x, y), x * 2), (tx, ty)))


def test_hessian_single_and_tuple():
    (gx,), (tx,) = both(None, X)
    close(F.hessian(lambda x: f_scalar(gs, x), gx), TF.hessian(lambda x: f_scalar(torch, x), tx))
    (gx, gy), (tx, ty) = both(None, X, Y)
    close(F.hessian(lambda x, y: f_two(gs, x, y).sum() * x[0], (gx, gy)),
          TF.hessian(lambda x, y: f_two(torch, x, y).sum() * x[0], (tx, ty)))


def test_vjp_jvp():
    (gx,), (tx,) = both(None, X)
    v_out, v_in = RNG.normal(size=3), RNG.normal(size=4)
    close(F.vjp(lambda x: f_vec(gs, x), gx, g(v_out)), TF.vjp(lambda x: f_vec(torch, x), tx, torch.from_numpy(v_out)))
    close(F.jvp(lambda x: f_vec(gs, x), gx, g(v_in)), TF.jvp(lambda x: f_vec(torch, x), tx, torch.from_numpy(v_in)))
    close(F.vjp(lambda x: f_scalar(gs, x), gx), TF.vjp(lambda x: f_scalar(torch, x), tx))


def test_hvp_vhp():
    (gx,), (tx,) = both(None, X)
    v = RNG.normal(size=4)
    close(F.hvp(lambda x: f_scalar(gs, x), gx, g(v)), TF.hvp(lambda x: f_scalar(torch, x), tx, torch.from_numpy(v)))
    close(F.vhp(lambda x: f_scalar(gs, x), gx, g(v)), TF.vhp(lambda x: f_scalar(torch, x), tx, torch.from_numpy(v)))


def test_create_graph_differentiable():
    gx = gs.from_numpy(X.copy()).requires_grad_(True)
    tx = torch.from_numpy(X.copy()).requires_grad_(True)
    gj = F.jacobian(lambda x: f_vec(gs, x), gx, create_graph=True)
    tj = TF.jacobian(lambda x: f_vec(torch, x), tx, create_graph=True)
    (gj ** 2).sum().backward()
    (tj ** 2).sum().backward()
    close(gx.grad, tx.grad, 1e-9)
    gx.grad = None
    _, gh = F.hvp(lambda x: f_scalar(gs, x), gx, gs.ones(4, dtype=gs.float64), create_graph=True)
    tx.grad = None
    _, th = TF.hvp(lambda x: f_scalar(torch, x), tx, torch.ones(4, dtype=torch.float64), create_graph=True)
    gh.sum().backward()
    th.sum().backward()
    close(gx.grad, tx.grad, 1e-9)


def test_results_detached_without_create_graph():
    gx = gs.from_numpy(X.copy()).requires_grad_(True)
    out, r = F.vjp(lambda x: f_vec(gs, x), gx, gs.ones(3, dtype=gs.float64))
    assert not out.requires_grad and not r.requires_grad


def test_independent_input_zeros_and_strict():
    (gx, gy), (tx, ty) = both(None, X, Y)
    close(F.jacobian(lambda x, y: x * 2, (gx, gy)), TF.jacobian(lambda x, y: x * 2, (tx, ty)))
    with pytest.raises(RuntimeError, match="independent"):
        F.jacobian(lambda x, y: x * 2, (gx, gy), strict=True)
    with pytest.raises(RuntimeError):
        TF.jacobian(lambda x, y: x * 2, (tx, ty), strict=True)


def test_errors():
    gx = gs.from_numpy(X.copy())
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.vjp(lambda x: x * 2, gx)
    with pytest.raises(RuntimeError, match="invalid size"):
        F.jvp(lambda x: x * 2, gx, gs.ones(3, dtype=gs.float64))
    with pytest.raises(RuntimeError, match="single element"):
        F.hessian(lambda x: x * 2, gx)
    with pytest.raises(TypeError, match="Tensor"):
        F.jacobian(lambda x: x, [1.0])
