"""Conditional flow matching with the optimal-transport path (Lipman et al. 2023; Tong et al. 2024).

Learn a velocity field v_θ(x, t) whose ODE dx/dt = v_θ(x, t) carries noise x₀ ~ N(0, I) at t = 0 to data
at t = 1. For one data point x₁ the OT path and its velocity are (σ_min small)::

    x_t = (1 - (1 - σ_min) t) x₀ + t x₁,          u_t(x_t | x₁) = x₁ - (1 - σ_min) x₀

and the conditional flow-matching objective (same gradients as regressing on the marginal field) is

    L(θ) = E_{t ~ U(0,1), x₀ ~ N(0,I), x₁ ~ data} ‖v_θ(x_t, t) - (x₁ - (1 - σ_min) x₀)‖²

Sampling solves the ODE from t = 0 to 1 with ``gradstudent.integrate.odeint`` (Euler, RK4 or adaptive
Dormand–Prince); ``sample`` also returns the number of network evaluations it used (per sample).
Shapes: x: (N, D), t: (N,).
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..creation import rand, randn
from ..integrate import odeint
from ..tensor import Tensor
from .time_mlp import TimeMLP

__all__ = ["FlowMatching"]


class FlowMatching(nn.Module):
    """OT-path conditional flow matching around a velocity network ``model(x, t) -> (N, D)``."""

    def __init__(self, model: nn.Module, features: int, sigma_min: float = 1e-4) -> None:
        super().__init__()
        if not 0.0 <= sigma_min < 1.0:
            raise ValueError(f"FlowMatching: sigma_min must be in [0, 1), got {sigma_min}")
        self.model, self.features, self.sigma_min = model, int(features), float(sigma_min)

    @classmethod
    def mlp(cls, features: int, hidden: tuple[int, ...] = (128, 128, 128), sigma_min: float = 1e-4) -> "FlowMatching":
        """Flow matching with a ``TimeMLP`` velocity network."""
        return cls(TimeMLP(features, hidden), features, sigma_min)

    def velocity(self, x: Tensor, t: Tensor) -> Tensor:
        return self.model(x, t)

    def loss(self, x1: Tensor) -> Tensor:
        """The CFM loss on a batch of data x₁ (N, D): mean over the batch of ‖v_θ(x_t, t) - u_t‖²."""
        if x1.ndim != 2 or x1.shape[1] != self.features:
            raise ValueError(f"FlowMatching.loss: expected data of shape (N, {self.features}), got {tuple(x1.shape)}")
        n = x1.shape[0]
        t = rand(n, dtype=x1.dtype)
        x0 = randn(n, self.features, dtype=x1.dtype)
        tc = t.reshape(n, 1)
        xt = x0 * (1.0 - (1.0 - self.sigma_min) * tc) + x1 * tc
        target = x1 - x0 * (1.0 - self.sigma_min)
        return (self.velocity(xt, t) - target).square().sum(1).mean()

    def sample(self, n: int, steps: int = 20, method: str = "rk4", rtol: float = 1e-4, atol: float = 1e-4,
               dtype: object = None) -> tuple[Tensor, int]:
        """n samples by solving dx/dt = v_θ(x, t) from t = 0 to 1, and the network evaluations used.

        ``method`` "euler"/"rk4" take ``steps`` equal steps (1 and 4 evaluations each); "dopri5" adapts
        its steps to ``rtol``/``atol``.
        """
        counter = {"nfe": 0}

        def f(t: Tensor, x: Tensor) -> Tensor:
            counter["nfe"] += 1
            return self.velocity(x, t)

        x0 = randn(n, self.features, dtype=dtype or next(iter(self.parameters())).dtype)
        with no_grad():
            ts = np.linspace(0.0, 1.0, 2)
            xs = odeint(f, x0, ts, method=method, step_size=1.0 / steps, rtol=rtol, atol=atol)
        return xs[-1], counter["nfe"]
