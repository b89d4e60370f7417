"""Symplectic integrators (energy conservation, order, gradients) and the simulators' references."""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent.physics import integrators as I
from gradstudent.physics import simulators as S


def spring_force(q):
    return q  # V = q²/2


def pendulum_force(q):
    return 3.0 * (q.sin() if isinstance(q, gs.Tensor) else np.sin(q))


@pytest.mark.parametrize("method", [I.leapfrog, I.position_verlet, I.symplectic_euler])
def test_energy_bounded_over_long_times(method):
    q0, p0 = np.array([1.0, 2.0]), np.array([0.0, 0.5])
    qs, ps = method(pendulum_force, q0, p0, 0.05, 20_000)   # 1000 time units, ~280 periods
    H = S.pendulum_hamiltonian(qs, ps)
    drift = np.abs(H - H[0]).max(axis=0)
    tol = 1e-2 if method is not I.symplectic_euler else 0.2
    assert drift.max() < tol
    # no secular growth: late error no larger than early error (bounded oscillation)
    early, late = np.abs(H[:2000] - H[0]).max(), np.abs(H[-2000:] - H[0]).max()
    assert late < 1.5 * early + 1e-12


@pytest.mark.parametrize("method,order", [(I.leapfrog, 2), (I.position_verlet, 2), (I.symplectic_euler, 1)])
def test_convergence_order(method, order):
    errs = []
    for n in (100, 200, 400):
        qs, ps = method(spring_force, np.array(1.0), np.array(0.0), 2.0 / n, n)
        errs.append(abs(qs[-1] - np.cos(2.0)) + abs(ps[-1] + np.sin(2.0)))
    rates = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(rates - order) < 0.15), rates


def test_leapfrog_time_reversible():
    qs, ps = I.leapfrog(pendulum_force, np.array(0.7), np.array(0.3), 0.1, 50)
    qb, pb = I.leapfrog(pendulum_force, qs[-1], -ps[-1], 0.1, 50)
    assert abs(qb[-1] - 0.7) < 1e-12 and abs(pb[-1] + 0.3) < 1e-12


def test_gradients_flow_through_leapfrog():
    def final_q(k: float):
        kk = gs.tensor(k, dtype=gs.float64, requires_grad=True)
        qs, _ = I.leapfrog(lambda q: kk * q, gs.tensor(1.0, dtype=gs.float64), gs.tensor(0.0, dtype=gs.float64), 0.05, 40)
        return qs[-1], kk

    out, kk = final_q(1.3)
    out.backward()
    h = 1e-6
    fd = (final_q(1.3 + h)[0].item() - final_q(1.3 - h)[0].item()) / (2 * h)
    assert kk.grad.item() == pytest.approx(fd, rel=1e-6)
    with pytest.raises(ValueError, match="dt > 0"):
        I.leapfrog(spring_force, np.array(1.0), np.array(0.0), -0.1, 5)


def test_damped_oscillator_reference_and_tensor_rhs():
    t = np.linspace(0, 10, 101)
    f = S.oscillator_rhs(omega0=2.0, zeta=0.1)
    y = S.solve_reference(f, np.array([1.0, 0.0]), t)
    np.testing.assert_allclose(y[:, 0], S.damped_oscillator_exact(t, 1.0, 0.0, 2.0, 0.1), atol=1e-8)
    yt = gs.tensor([[1.0, 0.5]], dtype=gs.float64)
    np.testing.assert_allclose(f(0.0, yt).numpy(), f(0.0, yt.numpy()), rtol=1e-12)
    driven = S.oscillator_rhs(1.0, 0.2, force=1.0, omega_drive=1.5)
    ys = S.solve_reference(driven, np.array([0.0, 0.0]), np.linspace(0, 80, 2001))
    amp = np.abs(ys[-400:, 0]).max()
    assert amp == pytest.approx(1.0 / np.sqrt((1 - 1.5 ** 2) ** 2 + (2 * 0.2 * 1.5) ** 2), rel=1e-3)


def test_two_body_conserves_energy_and_momentum():
    y0 = np.array([-0.5, 0, 0.5, 0, 0, -0.5, 0, 0.5])
    t = np.linspace(0, 20, 201)
    y = S.solve_reference(S.two_body_rhs(), y0, t)
    E, L = S.two_body_energy(y), S.two_body_angular_momentum(y)
    assert np.abs(E - E[0]).max() < 1e-7 and np.abs(L - L[0]).max() < 1e-7
    np.testing.assert_allclose(y[:, 4] + y[:, 6], 0, atol=1e-8)   # total momentum stays 0


def test_projectile_without_drag_is_a_parabola():
    t = np.linspace(0, 1, 11)
    y = S.solve_reference(S.projectile_rhs(g=9.81, drag=0.0), np.array([0, 0, 3.0, 5.0]), t)
    np.testing.assert_allclose(y[:, 1], 5 * t - 0.5 * 9.81 * t ** 2, atol=1e-8)
    yd = S.solve_reference(S.projectile_rhs(g=9.81, drag=0.5), np.array([0, 0, 3.0, 5.0]), t)
    assert yd[-1, 0] < y[-1, 0]   # drag shortens the range


def test_hamiltonian_rhs_matches_hamiltonian():
    y = np.array([[0.3, -0.4], [1.2, 0.9]])
    for system in ("mass-spring", "pendulum"):
        f = S.hamiltonian_rhs(system)(0.0, y)
        h = 1e-6
        dHdq = (S.hamiltonian(system, y + [h, 0]) - S.hamiltonian(system, y - [h, 0])) / (2 * h)
        dHdp = (S.hamiltonian(system, y + [0, h]) - S.hamiltonian(system, y - [0, h])) / (2 * h)
        np.testing.assert_allclose(f, np.stack([dHdp, -dHdq], -1), atol=1e-8)


def test_burgers_cole_hopf():
    nu = 0.01 / np.pi
    x = np.linspace(-1, 1, 2001)
    u0 = S.burgers_cole_hopf(x, np.array([0.0]), nu)
    np.testing.assert_allclose(u0[0], -np.sin(np.pi * x))
    # quadrature converged
    xs, ts = np.linspace(-1, 1, 64), np.linspace(0, 1, 11)
    assert np.abs(S.burgers_cole_hopf(xs, ts, nu, 120) - S.burgers_cole_hopf(xs, ts, nu, 250)).max() < 1e-10
    # PDE residual by finite differences is at the level of their truncation error
    dt = 1e-4
    u = S.burgers_cole_hopf(x, np.array([0.3 - dt, 0.3, 0.3 + dt]), nu)
    dx = x[1] - x[0]
    ux = np.gradient(u[1], dx)
    r = (u[2] - u[0]) / (2 * dt) + u[1] * ux - nu * np.gradient(ux, dx)
    assert np.abs(r).max() < 1e-2 * np.abs(u[1] * ux).max()
    # odd symmetry and the steep front at x = 0
    uT = S.burgers_cole_hopf(np.array([-0.01, 0.0, 0.01]), np.array([1.0]), nu)[0]
    assert uT[1] == pytest.approx(0.0, abs=1e-12) and uT[0] == pytest.approx(-uT[2]) and uT[0] > 0.5
