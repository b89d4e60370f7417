"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""

from __future__ import annotations

from typing import Any, Callable

from ..backend import Array, blocks, get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, effective_grad


class SGD(Optimizer):
    r"""Stochastic gradient descent.

    For each parameter θ with gradient ∇L(θ), at step t (η = ``lr``, μ = ``momentum``,
    τ = ``dampening``, λ = ``weight_decay``)::

        g_t = ∇L(θ_{t-1}) + λ θ_{t-1}              (-∇L when maximize: gradient ascent)
        b_t = g_1                                  at the first step, then
        b_t = μ b_{t-1} + (1 - τ) g_t              (the momentum buffer, a running sum of gradients)
        d_t = g_t + μ b_t   if nesterov   else   b_t    (without momentum: d_t = g_t)
        θ_t = θ_{t-1} - η d_t

    This is PyTorch's form of momentum (the learning rate multiplies the buffer, not each
    gradient inside it), so the numbers match ``torch.optim.SGD``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["momentum"] >= 0, "momentum", group["momentum"], "must be >= 0")
        self._check(group["weight_decay"] >= 0, "weight_decay", group["weight_decay"], "must be >= 0")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{self._name}: Nesterov momentum requires momentum > 0 and dampening = 0 "
                f"(got momentum={group['momentum']!r}, dampening={group['dampening']!r})"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), float(group["momentum"])
            dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf, first = None, False
                if momentum != 0:  # plain SGD keeps no state
                    state = self.state[p]
                    first = "momentum_buffer" not in state
                    if first:
                        state["momentum_buffer"] = Tensor._make(get_array_module(p._data).empty_like(p._data))
                    buf = state["momentum_buffer"]._data
                for theta, grad, b in blocks(p._data, p.grad._data, buf):
                    sgd_update_(
                        theta, grad, b, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=group["nesterov"], maximize=group["maximize"], first_step=first,
                    )
        return loss


def sgd_update_(
    param: Array,
    grad: Array,
    buf: Array | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
    first_step: bool,
) -> None:
    """One SGD update of the array ``param`` (and ``buf``) in place; see :class:`SGD` for the math."""
    xp = get_array_module(param)
    tmp = xp.empty_like(param)
    g = effective_grad(param, grad, weight_decay, maximize)
    if buf is not None:
        if first_step:
            buf[...] = g                      # b_1 = g_1
        else:
            buf *= momentum                   # b_t = μ b_{t-1} + (1 - τ) g_t
            if dampening == 0:
                buf += g
            else:
                buf += xp.multiply(g, 1 - dampening, out=tmp)
        if nesterov:
            g = xp.add(g, xp.multiply(buf, momentum, out=tmp), out=tmp)  # d_t = g_t + μ b_t
        else:
            g = buf                                                      # d_t = b_t
    param -= xp.multiply(g, lr, out=tmp)  # θ_t = θ_{t-1} - η d_t
