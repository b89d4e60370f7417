"""ODE solvers on tensors: explicit Euler, classical Runge–Kutta 4 and adaptive Dormand–Prince 5(4).

    dy/dt = f(t, y),   y(t₀) = y₀,   ys = odeint(f, y0, t)   with ys[i] ≈ y(t[i]),

in torchdiffeq's shape: ``f(t, y)`` gets a 0-d tensor ``t`` and a tensor ``y`` of ``y0``'s shape and returns
dy/dt of the same shape; ``t`` is a 1-D sequence of times, strictly increasing or strictly decreasing
(integrating backwards is fine); the result stacks the solution at every time, shape (len(t), *y0.shape),
with ``ys[0] = y0``.

Every update is written with tensor ops, so gradients flow through the solver into ``y0`` and into any
parameter ``f`` uses ("discretize, then differentiate"). The adaptive step-size control is a decision
made on detached numbers: it picks the steps, it is not differentiated.

Methods (h the step, kᵢ the stage slopes):

- ``"euler"``: y ← y + h f(t, y). Global error O(h).
- ``"rk4"``: k₁ = f(t, y), k₂ = f(t + h/2, y + h k₁/2), k₃ = f(t + h/2, y + h k₂/2), k₄ = f(t + h, y + h k₃),
  y ← y + h (k₁ + 2k₂ + 2k₃ + k₄)/6. Global error O(h⁴).
  Both take one step per interval of ``t``, or steps of at most ``step_size`` inside each interval.
- ``"dopri5"``: the Dormand–Prince pair: seven stages (the last one is the next step's first, "FSAL")
  give a 5th-order solution y₅ and an embedded 4th-order one y₄; the error estimate e = y₅ - y₄ is scaled,
  err = sqrt(mean((e / (atol + rtol·max(|y|, |y₅|)))²)), the step is accepted when err ≤ 1 and the next
  step is h ← h · clip(0.9 · err^(-1/5), 0.2, 10) (Hairer, Nørsett & Wanner, *Solving ODEs I*, II.4).
  The steps land exactly on every requested time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd.grad_mode import no_grad
from .creation import tensor as _tensor
from .tensor import Tensor
from .ops.shape import stack

__all__ = ["odeint", "ODEFunc", "METHODS"]

ODEFunc = Callable[[Tensor, Tensor], Tensor]
METHODS = ("euler", "rk4", "dopri5")

# Dormand–Prince 5(4) Butcher tableau: nodes c, stage coefficients A, 5th-order weights B5 (= last row of A),
# 4th-order weights B4.
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_B5 = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_B4 = (5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40)
_E = tuple(b5 - b4 for b5, b4 in zip(_B5, _B4))


def _times(t: Any) -> np.ndarray:
    if isinstance(t, Tensor):
        t = t.detach().numpy()
    ts = np.asarray(t, dtype=np.float64).reshape(-1) if np.ndim(t) <= 1 else None
    if ts is None or ts.size < 1:
        raise ValueError(f"odeint: t must be a 1-D sequence of times, got shape {np.shape(t)}")
    if not np.isfinite(ts).all():
        raise ValueError("odeint: t contains NaN or inf")
    d = np.diff(ts)
    if d.size and not ((d > 0).all() or (d < 0).all()):
        raise ValueError(f"odeint: t must be strictly increasing or strictly decreasing, got {ts.tolist()}")
    return ts


def _call(f: ODEFunc, t: float, y: Tensor) -> Tensor:
    dy = f(_tensor(t, dtype=y.dtype), y)
    if not isinstance(dy, Tensor) or tuple(dy.shape) != tuple(y.shape):
        shape = tuple(dy.shape) if isinstance(dy, Tensor) else type(dy).__name__
        raise ValueError(f"odeint: f(t, y) must return a tensor of y's shape {tuple(y.shape)}, got {shape}")
    return dy


def _combine(y: Tensor, h: float, coeffs: Sequence[float], ks: Sequence[Tensor]) -> Tensor:
    """y + h Σᵢ aᵢ kᵢ (zero coefficients skipped)."""
    out = y
    for a, k in zip(coeffs, ks):
        if a != 0.0:
            out = out + k * (h * a)
    return out


def _euler_step(f: ODEFunc, t: float, y: Tensor, h: float) -> Tensor:
    return y + _call(f, t, y) * h


def _rk4_step(f: ODEFunc, t: float, y: Tensor, h: float) -> Tensor:
    k1 = _call(f, t, y)
    k2 = _call(f, t + h / 2, y + k1 * (h / 2))
    k3 = _call(f, t + h / 2, y + k2 * (h / 2))
    k4 = _call(f, t + h, y + k3 * h)
    return y + (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (h / 6)


def _fixed(f: ODEFunc, y0: Tensor, ts: np.ndarray, method: str, step_size: float | None) -> list[Tensor]:
    step = _euler_step if method == "euler" else _rk4_step
    ys, y = [y0], y0
    for t0, t1 in zip(ts[:-1], ts[1:]):
        n = 1 if step_size is None else max(1, math.ceil(abs(t1 - t0) / step_size - 1e-9))
        h = (t1 - t0) / n
        for i in range(n):
            y = step(f, t0 + i * h, y, h)
        ys.append(y)
    return ys


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a * a))) if a.size else 0.0


def _initial_step(f: ODEFunc, t0: float, y0: Tensor, f0: Tensor, direction: float, rtol: float, atol: float) -> float:
    """Hairer's starting step: h ≈ (0.01 / max(‖f₀‖, ‖f'‖))^(1/5) from one trial Euler step."""
    y, dy = y0.detach().numpy().astype(np.float64), f0.detach().numpy().astype(np.float64)
    scale = atol + rtol * np.abs(y)
    d0, d1 = _rms(y / scale), _rms(dy / scale)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    with no_grad():  # a trial evaluation that only sets the first step
        f1 = _call(f, t0 + direction * h0, y0 + f0 * (direction * h0)).detach().numpy().astype(np.float64)
    d2 = _rms((f1 - dy) / scale) / h0
    h1 = max(1e-6, h0 * 1e-3) if max(d1, d2) <= 1e-15 else (0.01 / max(d1, d2)) ** 0.2
    return min(100 * h0, h1)


def _dopri5(f: ODEFunc, y0: Tensor, ts: np.ndarray, rtol: float, atol: float, max_steps: int) -> list[Tensor]:
    direction = 1.0 if ts.size < 2 or ts[-1] > ts[0] else -1.0
    t, y = float(ts[0]), y0
    k1 = _call(f, t, y)
    h = _initial_step(f, t, y, k1, direction, rtol, atol) if ts.size > 1 else 0.0
    ys, steps = [y0], 0
    for target in ts[1:]:
        while direction * (target - t) > 0:
            steps += 1
            if steps > max_steps:
                raise RuntimeError(f"odeint(dopri5): more than max_steps={max_steps} steps before t={target} (stiff problem or too tight rtol/atol?)")
            last = h >= abs(target - t) * (1 - 1e-12)
            step = (target - t) if last else direction * h
            ks = [k1]
            for i in range(1, 7):
                ks.append(_call(f, t + _C[i] * step, _combine(y, step, _A[i], ks)))
            y5 = _combine(y, step, _A[6], ks)          # 5th order; ks[6] = f(t + step, y5) (FSAL)
            err = step * sum(e_i * k.detach().numpy().astype(np.float64) for e_i, k in zip(_E, ks) if e_i != 0.0)
            scale = atol + rtol * np.maximum(np.abs(y.detach().numpy()), np.abs(y5.detach().numpy())).astype(np.float64)
            e = _rms(err / scale)
            if not np.isfinite(e):
                raise RuntimeError(f"odeint(dopri5): the error estimate is {e} at t={t} (f returned NaN/inf?)")
            if e <= 1.0:  # accept
                t = float(target) if last else t + step
                y, k1 = y5, ks[6]
            factor = 10.0 if e == 0.0 else min(10.0, max(0.2, 0.9 * e ** -0.2))
            h = abs(step) * factor if e <= 1.0 else abs(step) * min(1.0, factor)
        ys.append(y)
    return ys


def odeint(
    f: ODEFunc,
    y0: Tensor,
    t: Sequence[float] | np.ndarray | Tensor,
    *,
    method: str = "dopri5",
    rtol: float = 1e-7,
    atol: float = 1e-9,
    step_size: float | None = None,
    max_steps: int = 100_000,
) -> Tensor:
    """Solve dy/dt = f(t, y) from y(t[0]) = y0; returns y at every time in ``t``, shape (len(t), *y0.shape).

    ``method`` is "euler", "rk4" (fixed steps: one per interval of ``t``, or at most ``step_size``
    long) or "dopri5" (adaptive, controlled by ``rtol``/``atol``). Gradients flow through every step.
    """
    if not isinstance(y0, Tensor):
        raise TypeError(f"odeint: y0 must be a Tensor, got {type(y0).__name__}")
    if not y0.is_floating_point():
        raise TypeError(f"odeint: y0 must be a floating-point tensor, got {y0.dtype}")
    if method not in METHODS:
        raise ValueError(f"odeint: unknown method {method!r}; choose one of {METHODS}")
    if step_size is not None and not step_size > 0:
        raise ValueError(f"odeint: step_size must be positive, got {step_size}")
    if not (rtol > 0 and atol >= 0):
        raise ValueError(f"odeint: need rtol > 0 and atol >= 0, got rtol={rtol}, atol={atol}")
    ts = _times(t)
    if method == "dopri5":
        ys = _dopri5(f, y0, ts, float(rtol), float(atol), int(max_steps))
    else:
        ys = _fixed(f, y0, ts, method, step_size)
    return stack(ys, 0)
