"""Small physical simulators: oscillators, pendulum, mass–spring, two bodies, projectile with drag, Burgers.

Each ODE system comes as a right-hand side ``f(t, y)`` in torchdiffeq's shape (``y[..., k]`` is
the k-th state variable), written with arithmetic and ``sin``/``cos``/``sqrt`` that work on
gradstudent Tensors (so gradients flow through ``odeint`` to the parameters) and on NumPy
arrays (reference solutions with SciPy's ``solve_ivp`` via ``solve_reference``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from scipy.integrate import solve_ivp

Array = Any  # Tensor or ndarray
RHS = Callable[[Any, Array], Array]


def _is_tensor(x: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(x, Tensor)


def _sin(x: Array) -> Array:
    return x.sin() if _is_tensor(x) else np.sin(x)


def _cos(x: Array) -> Array:
    return x.cos() if _is_tensor(x) else np.cos(x)


def _sqrt(x: Array) -> Array:
    return x.sqrt() if _is_tensor(x) else np.sqrt(x)


def _stack_last(xs: list[Array]) -> Array:
    if any(_is_tensor(x) for x in xs):
        import gradstudent as gs

        ref = next(x for x in xs if _is_tensor(x))
        xs = [x if _is_tensor(x) else gs.full_like(ref, float(x)) for x in xs]
        return gs.stack(xs, -1)
    return np.stack(np.broadcast_arrays(*xs), -1)


# ----------------------------------------------------------------- oscillators and pendulum
def oscillator_rhs(omega0: Array = 1.0, zeta: Array = 0.0, force: Array = 0.0, omega_drive: Array = 1.0) -> RHS:
    """ẍ + 2ζω₀ẋ + ω₀²x = F cos(ω_d t): state y = (x, v).

    ζ < 1 underdamped, ζ = 1 critical, ζ > 1 overdamped; with F ≠ 0 the steady state has
    amplitude F / sqrt((ω₀² - ω_d²)² + (2ζω₀ω_d)²).
    """
    def f(t: Any, y: Array) -> Array:
        x, v = y[..., 0], y[..., 1]
        drive = force * _cos(omega_drive * t) if not (isinstance(force, float | int) and force == 0) else 0.0
        return _stack_last([v, -2.0 * zeta * omega0 * v - omega0 ** 2 * x + drive])
    return f


def damped_oscillator_exact(t: np.ndarray, x0: float, v0: float, omega0: float, zeta: float) -> np.ndarray:
    """Closed-form x(t) of the free underdamped oscillator (ζ < 1): e^{-ζω₀t}(A cos ω_d t + B sin ω_d t)."""
    if not 0 <= zeta < 1:
        raise ValueError(f"damped_oscillator_exact: needs 0 <= zeta < 1, got {zeta}")
    wd = omega0 * np.sqrt(1 - zeta ** 2)
    a, b = x0, (v0 + zeta * omega0 * x0) / wd
    return np.exp(-zeta * omega0 * t) * (a * np.cos(wd * t) + b * np.sin(wd * t))


def pendulum_rhs(g: Array = 9.81, length: Array = 1.0, damping: Array = 0.0) -> RHS:
    """θ̈ = -(g/l) sin θ - γ θ̇: state y = (θ, ω)."""
    def f(t: Any, y: Array) -> Array:
        th, w = y[..., 0], y[..., 1]
        return _stack_last([w, -(g / length) * _sin(th) - damping * w])
    return f


# --------------------------------------------------------------- Hamiltonian systems (HNN)
def mass_spring_hamiltonian(q: Array, p: Array, k: float = 1.0, m: float = 1.0) -> Array:
    """H = p²/(2m) + k q²/2 (Greydanus et al. use k = m = 1)."""
    return p * p / (2 * m) + 0.5 * k * q * q


def pendulum_hamiltonian(q: Array, p: Array, m: float = 1.0, length: float = 1.0, g: float = 3.0) -> Array:
    """H = p²/(2 m l²) + m g l (1 - cos q) (Greydanus et al.: m = l = 1, g = 3)."""
    return p * p / (2 * m * length ** 2) + m * g * length * (1 - _cos(q))


def hamiltonian_rhs(system: str) -> RHS:
    """Hamilton's equations q̇ = ∂H/∂p, ṗ = -∂H/∂q for ``"mass-spring"`` or ``"pendulum"`` (Greydanus units)."""
    if system == "mass-spring":
        return lambda t, y: _stack_last([y[..., 1], -y[..., 0]])
    if system == "pendulum":
        return lambda t, y: _stack_last([y[..., 1], -3.0 * _sin(y[..., 0])])
    raise ValueError(f"hamiltonian_rhs: system must be 'mass-spring' or 'pendulum', got {system!r}")


def hamiltonian(system: str, y: np.ndarray) -> np.ndarray:
    """H(q, p) of ``system`` at states y[..., 2]."""
    if system == "mass-spring":
        return mass_spring_hamiltonian(y[..., 0], y[..., 1])
    if system == "pendulum":
        return pendulum_hamiltonian(y[..., 0], y[..., 1])
    raise ValueError(f"hamiltonian: system must be 'mass-spring' or 'pendulum', got {system!r}")


def two_body_rhs(G: float = 1.0, m1: float = 1.0, m2: float = 1.0, softening: float = 0.0) -> RHS:
    """Newtonian gravity of two bodies in the plane: y = (x1, y1, x2, y2, vx1, vy1, vx2, vy2)."""
    def f(t: Any, y: Array) -> Array:
        dx, dy = y[..., 2] - y[..., 0], y[..., 3] - y[..., 1]
        r2 = dx * dx + dy * dy + softening ** 2
        inv_r3 = 1.0 / (r2 * _sqrt(r2))
        ax1, ay1 = G * m2 * dx * inv_r3, G * m2 * dy * inv_r3
        ax2, ay2 = -G * m1 * dx * inv_r3, -G * m1 * dy * inv_r3
        return _stack_last([y[..., 4], y[..., 5], y[..., 6], y[..., 7], ax1, ay1, ax2, ay2])
    return f


def two_body_energy(y: np.ndarray, G: float = 1.0, m1: float = 1.0, m2: float = 1.0) -> np.ndarray:
    """Kinetic plus potential energy -G m1 m2 / r."""
    ke = 0.5 * m1 * (y[..., 4] ** 2 + y[..., 5] ** 2) + 0.5 * m2 * (y[..., 6] ** 2 + y[..., 7] ** 2)
    r = np.sqrt((y[..., 2] - y[..., 0]) ** 2 + (y[..., 3] - y[..., 1]) ** 2)
    return ke - G * m1 * m2 / r


def two_body_angular_momentum(y: np.ndarray, m1: float = 1.0, m2: float = 1.0) -> np.ndarray:
    """L_z = Σ m (x v_y - y v_x)."""
    return m1 * (y[..., 0] * y[..., 5] - y[..., 1] * y[..., 4]) + m2 * (y[..., 2] * y[..., 7] - y[..., 3] * y[..., 6])


def projectile_rhs(g: Array = 9.81, drag: Array = 0.0) -> RHS:
    """Projectile with quadratic drag: ẍ = -k |v| v_x, ÿ = -g - k |v| v_y; state (x, y, vx, vy)."""
    def f(t: Any, y: Array) -> Array:
        vx, vy = y[..., 2], y[..., 3]
        speed = _sqrt(vx * vx + vy * vy + 1e-12)
        return _stack_last([vx, vy, -drag * speed * vx, -g - drag * speed * vy])
    return f


def solve_reference(rhs: RHS, y0: np.ndarray, t: np.ndarray, rtol: float = 1e-10, atol: float = 1e-10) -> np.ndarray:
    """Accurate NumPy solution (SciPy DOP853) at times t; shape (len(t), *y0.shape)."""
    y0 = np.asarray(y0, np.float64)
    shape = y0.shape
    sol = solve_ivp(lambda tt, yy: np.asarray(rhs(tt, yy.reshape(shape))).reshape(-1), (t[0], t[-1]), y0.reshape(-1),
                    t_eval=t, method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_reference: the integrator failed: {sol.message}")
    return sol.y.T.reshape((len(t),) + shape)


# ------------------------------------------------------------------------------ Burgers
def burgers_cole_hopf(x: np.ndarray, t: np.ndarray, nu: float, n_quad: int = 200) -> np.ndarray:
    """Exact solution of u_t + u u_x = ν u_xx, u(x, 0) = -sin(πx) (Raissi et al.'s problem).

    Cole–Hopf (u = -2ν φ_x/φ) turns Burgers into the heat equation; with the heat kernel,
        u(x, t) = -∫ sin(π(x - η)) F(x - η) e^{-η²/4νt} dη / ∫ F(x - η) e^{-η²/4νt} dη,
        F(y) = exp(-cos(πy) / (2πν)).
    Substituting η = sqrt(4νt) z gives Gauss–Hermite integrals ∫ g(z) e^{-z²} dz, evaluated
    with ``n_quad`` nodes; the huge range of F is handled by subtracting the largest exponent.
    Returns u of shape (len(t), len(x)); t = 0 rows are the initial condition.
    """
    if nu <= 0:
        raise ValueError(f"burgers_cole_hopf: nu must be > 0, got {nu}")
    if not 2 <= n_quad <= 250:  # NumPy's Hermite nodes overflow beyond ~300
        raise ValueError(f"burgers_cole_hopf: n_quad must be in [2, 250], got {n_quad}")
    x = np.asarray(x, np.float64)
    t = np.asarray(t, np.float64)
    z, w = np.polynomial.hermite.hermgauss(n_quad)
    out = np.empty((t.size, x.size))
    for i, ti in enumerate(t):
        if ti <= 0:
            out[i] = -np.sin(np.pi * x)
            continue
        y = x[:, None] - np.sqrt(4 * nu * ti) * z[None, :]           # (nx, nq)
        expo = -np.cos(np.pi * y) / (2 * np.pi * nu)
        expo -= expo.max(axis=1, keepdims=True)
        weight = w[None, :] * np.exp(expo)
        out[i] = -(np.sin(np.pi * y) * weight).sum(1) / weight.sum(1)
    return out


__all__ = [
    "oscillator_rhs", "damped_oscillator_exact", "pendulum_rhs", "mass_spring_hamiltonian", "pendulum_hamiltonian",
    "hamiltonian_rhs", "hamiltonian", "two_body_rhs", "two_body_energy", "two_body_angular_momentum",
    "projectile_rhs", "solve_reference", "burgers_cole_hopf",
]
