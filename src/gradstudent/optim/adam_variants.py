"""Adam's relatives: Adamax, NAdam and RAdam, as ``torch.optim`` computes them.

Each update is written with Tensor operations under ``no_grad`` (readable
reference code; the fused array kernels of Adam are not repeated here).
Notation per parameter θ at step t = 1, 2, ...: η = ``lr``, β₁, β₂ = ``betas``,
λ = ``weight_decay``, g_t = ∇L(θ_{t−1}) + λ θ_{t−1}.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..autograd import no_grad
from ..creation import zeros_like
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT

__all__ = ["Adamax", "NAdam", "RAdam"]


class _AdamFamily(Optimizer):
    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["eps"] >= 0, "epsilon value", group["eps"], "must be >= 0")
        self._check(0.0 <= beta1 < 1.0, "beta parameter at index 0", beta1, "must be in [0, 1)")
        self._check(0.0 <= beta2 < 1.0, "beta parameter at index 1", beta2, "must be in [0, 1)")
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"], "must be >= 0")

    def _grad(self, p: Tensor, group: dict[str, Any]) -> Tensor:
        grad = p.grad
        assert grad is not None  # step() only updates parameters that have a gradient
        g = -grad if group.get("maximize", False) else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p  # g_t = ∇L + λ θ
        return g

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        state = self._param_state(p, group)
                        state["step"] += 1
                        self._update(p, self._grad(p, group), state, group)
        return loss

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError


class Adamax(_AdamFamily):
    r"""Adamax (Kingma & Ba, 2015, §7.1): Adam with the infinity norm::

        m_t = β₁ m_{t−1} + (1 − β₁) g_t
        u_t = max(β₂ u_{t−1}, |g_t| + ε)
        θ_t = θ_{t−1} − η / (1 − β₁ᵗ) · m_t / u_t
    """

    def __init__(
        self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0, *, maximize: bool = False,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": zeros_like(p.detach()), "exp_inf": zeros_like(p.detach())}

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        m, u = state["exp_avg"], state["exp_inf"]
        m.mul_(beta1).add_(g, alpha=1 - beta1)  # m_t
        u.copy_((u * beta2).maximum(g.abs() + group["eps"]))  # u_t = max(β₂ u, |g| + ε)
        clr = group["lr"] / (1 - beta1 ** state["step"])
        p.sub_(m / u, alpha=clr)  # θ_t


class NAdam(_AdamFamily):
    r"""NAdam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule::

        μ_t = β₁ (1 − ½ · 0.96^{t ψ})                    (ψ = momentum_decay)
        m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²
        d_t = sqrt(v_t / (1 − β₂ᵗ)) + ε
        θ_t = θ_{t−1} − η (1 − μ_t) / (1 − Π_{i≤t} μ_i) · g_t / d_t
                      − η μ_{t+1} / (1 − Π_{i≤t+1} μ_i) · m_t / d_t
    """

    def __init__(
        self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0, momentum_decay: float = 4e-3, *, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "mu_product": 1.0, "exp_avg": zeros_like(p.detach()), "exp_avg_sq": zeros_like(p.detach())}

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        t, psi, lr = state["step"], group["momentum_decay"], group["lr"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        # Π μ_i, kept in float32 as PyTorch keeps it (a float32 0-d tensor), so the runs match exactly
        state["mu_product"] = float(np.float32(state["mu_product"]) * np.float32(mu))
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).add_(g * g, alpha=1 - beta2)
        denom = (v / (1 - beta2**t)).sqrt() + group["eps"]  # d_t
        p.sub_(g / denom, alpha=lr * (1 - mu) / (1 - state["mu_product"]))
        p.sub_(m / denom, alpha=lr * mu_next / (1 - state["mu_product"] * mu_next))


class RAdam(_AdamFamily):
    r"""RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the
    variance of the adaptive learning rate is tractable::

        m_t, v_t as in Adam;  m̂_t = m_t / (1 − β₁ᵗ)
        ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        if ρ_t > 5:  r_t = sqrt((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
                     θ_t = θ_{t−1} − η m̂_t r_t sqrt(1 − β₂ᵗ) / (sqrt(v_t) + ε)
        else:        θ_t = θ_{t−1} − η m̂_t                      (plain momentum SGD)
    """

    def __init__(
        self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0, *, maximize: bool = False,
    ) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "exp_avg": zeros_like(p.detach()), "exp_avg_sq": zeros_like(p.detach())}

    def _update(self, p: Tensor, g: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        t, lr = state["step"], group["lr"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).add_(g * g, alpha=1 - beta2)
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / bias2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p.sub_(m / (v.sqrt() + group["eps"]), alpha=lr / bias1 * rect * math.sqrt(bias2))
        else:
            p.sub_(m, alpha=lr / bias1)
