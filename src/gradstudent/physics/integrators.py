"""Symplectic integrators for separable Hamiltonians H(q, p) = p²/(2m) + V(q).

Written with plain arithmetic (``+ - * /``), so they run on gradstudent Tensors (gradients flow
through every step, e.g. to fit V's parameters) and on NumPy arrays alike. General ODEs
``dy/dt = f(t, y)`` are solved by ``gradstudent.integrate.odeint`` (Euler, RK4, Dormand–Prince),
re-exported as ``gradstudent.physics.odeint``.

Why symplectic: leapfrog is the composition of exact flows of the kinetic and potential parts,
so it preserves phase-space volume and exactly conserves a "shadow" Hamiltonian
H̃ = H + O(dt²). The energy error therefore stays bounded, O(dt²), for exponentially long
times, where RK4's error (non-symplectic) drifts steadily.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

Array = Any  # a gradstudent Tensor or a NumPy array (the update is the same arithmetic)


def _stack(xs: list[Array]) -> Array:
    from ..tensor import Tensor

    if isinstance(xs[0], Tensor):
        import gradstudent as gs

        return gs.stack(xs, 0)
    return np.stack(xs, 0)


def _check(dt: float, n_steps: int, fn: str) -> None:
    if not dt > 0 or n_steps < 0 or int(n_steps) != n_steps:
        raise ValueError(f"{fn}: need dt > 0 and an integer n_steps >= 0, got dt={dt}, n_steps={n_steps}")


def leapfrog(grad_potential: Callable[[Array], Array], q0: Array, p0: Array, dt: float, n_steps: int,
             mass: float | Array = 1.0) -> tuple[Array, Array]:
    """Velocity-Verlet (kick–drift–kick) leapfrog; returns trajectories (n_steps + 1, *q0.shape).

        p_{n+½} = p_n - (dt/2) ∇V(q_n)
        q_{n+1} = q_n + dt p_{n+½} / m
        p_{n+1} = p_{n+½} - (dt/2) ∇V(q_{n+1})

    One gradient evaluation per step (the force at q_{n+1} is reused for the next kick).
    Second-order accurate, time-reversible, symplectic.
    """
    _check(dt, n_steps, "leapfrog")
    q, p = q0, p0
    force = grad_potential(q)
    qs, ps = [q], [p]
    for _ in range(int(n_steps)):
        p_half = p - 0.5 * dt * force
        q = q + dt * p_half / mass
        force = grad_potential(q)
        p = p_half - 0.5 * dt * force
        qs.append(q)
        ps.append(p)
    return _stack(qs), _stack(ps)


velocity_verlet = leapfrog


def position_verlet(grad_potential: Callable[[Array], Array], q0: Array, p0: Array, dt: float, n_steps: int,
                    mass: float | Array = 1.0) -> tuple[Array, Array]:
    """Position (drift–kick–drift) Verlet: q_{n+½} = q_n + (dt/2) p_n/m, p_{n+1} = p_n - dt ∇V(q_{n+½}),
    q_{n+1} = q_{n+½} + (dt/2) p_{n+1}/m. Also second order and symplectic."""
    _check(dt, n_steps, "position_verlet")
    q, p = q0, p0
    qs, ps = [q], [p]
    for _ in range(int(n_steps)):
        q_half = q + 0.5 * dt * p / mass
        p = p - dt * grad_potential(q_half)
        q = q_half + 0.5 * dt * p / mass
        qs.append(q)
        ps.append(p)
    return _stack(qs), _stack(ps)


def symplectic_euler(grad_potential: Callable[[Array], Array], q0: Array, p0: Array, dt: float, n_steps: int,
                     mass: float | Array = 1.0) -> tuple[Array, Array]:
    """Symplectic Euler: p_{n+1} = p_n - dt ∇V(q_n), q_{n+1} = q_n + dt p_{n+1}/m (first order)."""
    _check(dt, n_steps, "symplectic_euler")
    q, p = q0, p0
    qs, ps = [q], [p]
    for _ in range(int(n_steps)):
        p = p - dt * grad_potential(q)
        q = q + dt * p / mass
        qs.append(q)
        ps.append(p)
    return _stack(qs), _stack(ps)


__all__ = ["leapfrog", "velocity_verlet", "position_verlet", "symplectic_euler"]
