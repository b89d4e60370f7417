"""Adadelta: Adagrad's step sizes from running averages, with units that match."""

from __future__ import annotations

from typing import Any, Callable

from ..autograd import no_grad
from ..creation import zeros_like
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta`` computes it.

    For each parameter θ at step t = 1, 2, ... (η = ``lr``, ρ = ``rho``, λ = ``weight_decay``,
    ε = ``eps``; v_0 = u_0 = 0)::

        g_t  = ∇L(θ_{t-1}) + λ θ_{t-1}                  (−∇L with maximize=True)
        v_t  = ρ v_{t-1} + (1 − ρ) g_t²                 (running mean of squared gradients)
        Δ_t  = sqrt(u_{t-1} + ε) / sqrt(v_t + ε) · g_t  (the step, in θ's units)
        u_t  = ρ u_{t-1} + (1 − ρ) Δ_t²                 (running mean of squared steps)
        θ_t  = θ_{t-1} − η Δ_t

    Adagrad's denominator only grows; Adadelta averages it over a window of about
    1 / (1 − ρ) steps, and the numerator sqrt(u + ε) gives the step the units of θ,
    so the default learning rate is 1.0.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(0.0 <= group["rho"] <= 1.0, "rho value", group["rho"], "must be in [0, 1]")
        self._check(group["eps"] >= 0, "epsilon value", group["eps"], "must be >= 0")
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"], "must be >= 0")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "square_avg": zeros_like(p.detach()), "acc_delta": zeros_like(p.detach())}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        with no_grad():
            for group in self.param_groups:
                lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
                weight_decay = float(group["weight_decay"])
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self._param_state(p, group)
                    state["step"] += 1
                    g = -p.grad if group["maximize"] else p.grad
                    if weight_decay:
                        g = g + weight_decay * p  # g_t = ∇L + λ θ
                    v, u = state["square_avg"], state["acc_delta"]
                    v.mul_(rho).add_(g * g, alpha=1 - rho)  # v_t = ρ v + (1 − ρ) g²
                    delta = (u + eps).sqrt() / (v + eps).sqrt() * g  # Δ_t
                    u.mul_(rho).add_(delta * delta, alpha=1 - rho)  # u_t = ρ u + (1 − ρ) Δ²
                    p.sub_(delta, alpha=lr)  # θ_t = θ − η Δ_t
        return loss
