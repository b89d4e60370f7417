"""odeint: convergence orders of Euler/RK4, dopri5 against scipy's solve_ivp, gradients through the solver."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import gradstudent as gs
from gradstudent.integrate import odeint


def _decay(t, y):  # dy/dt = -y + sin(t), nonautonomous, exact solution known
    return -y + t.sin()


def _exact(t, y0):
    return (y0 + 0.5) * math.exp(-t) + 0.5 * (math.sin(t) - math.cos(t))


@pytest.mark.parametrize("method,order", [("euler", 1), ("rk4", 4)])
def test_measured_convergence_order(method, order):
    # dy/dt = y cos t, y(0) = 1: y(t) = exp(sin t)
    y0 = gs.tensor([1.0], dtype=gs.float64)
    errs = []
    for n in (20, 40, 80):
        ys = odeint(lambda t, y: y * t.cos(), y0, [0.0, 2.0], method=method, step_size=2.0 / n)
        errs.append(abs(ys[-1].item() - math.exp(math.sin(2.0))))
    rates = [math.log2(errs[i] / errs[i + 1]) for i in range(2)]
    assert all(abs(r - order) < 0.15 for r in rates), rates


def _lotka(t, y):
    a, b = y[..., 0], y[..., 1]
    return gs.stack([1.5 * a - a * b, -3.0 * b + a * b], -1)


@pytest.mark.parametrize("times", [[0.0, 0.7, 3.0, 5.0], [5.0, 2.0, 0.0]])
def test_dopri5_against_solve_ivp(times):
    y0 = np.array([1.0, 1.5])
    ys = odeint(_lotka, gs.tensor(y0, dtype=gs.float64), times, method="dopri5", rtol=1e-9, atol=1e-11).numpy()
    ref = solve_ivp(lambda t, y: [1.5 * y[0] - y[0] * y[1], -3.0 * y[1] + y[0] * y[1]], (times[0], times[-1]), y0,
                    t_eval=times, method="DOP853", rtol=1e-12, atol=1e-12).y.T
    assert ys.shape == (len(times), 2)
    np.testing.assert_allclose(ys, ref, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(ys[0], y0)


def test_dopri5_tolerance_controls_error_and_steps():
    y0 = gs.tensor([1.0], dtype=gs.float64)
    calls = {"n": 0}

    def f(t, y):
        calls["n"] += 1
        return _decay(t, y)

    errs, nfe = [], []
    for tol in (1e-4, 1e-8):
        calls["n"] = 0
        errs.append(abs(odeint(f, y0, [0.0, 2.0], rtol=tol, atol=tol)[-1].item() - _exact(2.0, 1.0)))
        nfe.append(calls["n"])
    assert errs[1] < errs[0] and errs[1] < 1e-7 and nfe[1] > nfe[0]


@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_gradients_through_solver_finite_differences(method):
    w = gs.tensor([[0.3, -1.1], [0.8, -0.4]], dtype=gs.float64, requires_grad=True)
    y0 = gs.tensor([0.5, -0.2], dtype=gs.float64, requires_grad=True)

    def f(t, y):
        return (y @ w).tanh() + 0.1 * t

    def loss(w_, y0_):
        g = lambda t, y: (y @ w_).tanh() + 0.1 * t
        return odeint(g, y0_, [0.0, 0.5, 1.0], method=method, step_size=0.1, rtol=1e-10, atol=1e-12).square().sum()

    L = odeint(f, y0, [0.0, 0.5, 1.0], method=method, step_size=0.1, rtol=1e-10, atol=1e-12).square().sum()
    gw, gy = gs.autograd.grad(L, [w, y0])
    eps = 1e-6
    for param, grad, other in ((w, gw, "w"), (y0, gy, "y0")):
        base = param.detach().numpy().copy()
        fd = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            vals = []
            for s in (eps, -eps):
                b = base.copy()
                b[idx] += s
                pt = gs.tensor(b, dtype=gs.float64)
                vals.append(loss(pt, y0.detach()).item() if other == "w" else loss(w.detach(), pt).item())
            fd[idx] = (vals[0] - vals[1]) / (2 * eps)
        # dopri5 picks its steps from the (unperturbed) state: differentiating the chosen steps is exact
        # for the discrete map, and the map changes little when the perturbation keeps the same steps
        np.testing.assert_allclose(grad.numpy(), fd, rtol=1e-5, atol=1e-7)


def test_errors():
    y0 = gs.zeros(2)
    with pytest.raises(ValueError, match="strictly"):
        odeint(_decay, y0, [0.0, 1.0, 0.5])
    with pytest.raises(ValueError, match="unknown method"):
        odeint(_decay, y0, [0.0, 1.0], method="rk45")
    with pytest.raises(ValueError, match="shape"):
        odeint(lambda t, y: y.sum(), y0, [0.0, 1.0], method="euler")
    with pytest.raises(TypeError):
        odeint(_decay, [0.0, 1.0], [0.0, 1.0])
