"""Adagrad: per-coordinate step sizes that shrink with the sum of past squared gradients."""

from __future__ import annotations

from typing import Any, Callable

from ..backend import Array, blocks, get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, effective_grad


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011).

    For each parameter θ at step t = 1, 2, ... (η = ``lr``, λ = ``weight_decay``,
    s_0 = ``initial_accumulator_value``)::

        g_t = ∇L(θ_{t-1}) + λ θ_{t-1}
        η_t = η / (1 + (t - 1) · lr_decay)
        s_t = s_{t-1} + g_t²                        (sum of all squared gradients so far)
        θ_t = θ_{t-1} - η_t g_t / (sqrt(s_t) + ε)

    Coordinates with large past gradients take small steps; rarely-updated ones keep large
    steps (good for sparse features). The sum only grows, so learning eventually stalls.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:  # like PyTorch, the state exists from the start
            for p in group["params"]:
                self._param_state(p, group)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["lr_decay"] >= 0, "lr_decay", group["lr_decay"], "must be >= 0")
        self._check(group["weight_decay"] >= 0, "weight_decay", group["weight_decay"], "must be >= 0")
        value = group["initial_accumulator_value"]
        self._check(value >= 0, "initial_accumulator_value", value, "must be >= 0")
        self._check(group["eps"] >= 0, "epsilon", group["eps"], "must be >= 0")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = get_array_module(p._data)
        return {"step": 0, "sum": Tensor._make(xp.full(p.shape, group["initial_accumulator_value"], p.dtype))}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
            weight_decay = float(group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._param_state(p, group)
                state["step"] += 1
                clr = lr / (1 + (state["step"] - 1) * lr_decay)  # η_t
                for theta, grad, s in blocks(p._data, p.grad._data, state["sum"]._data):
                    g = effective_grad(theta, grad, weight_decay, group["maximize"])
                    adagrad_update_(theta, g, s, clr, eps)
        return loss


def adagrad_update_(param: Array, grad: Array, state_sum: Array, clr: float, eps: float) -> None:
    """The Adagrad update of ``param`` and ``state_sum`` in place (see :class:`Adagrad`)."""
    xp = get_array_module(param)
    tmp = xp.empty_like(param)
    state_sum += xp.multiply(grad, grad, out=tmp)  # s_t = s_{t-1} + g_t²
    if clr == 0:
        return
    # θ_t = θ_{t-1} - η_t g_t / (sqrt(s_t) + ε), as θ_{t-1} - g_t / D with D = sqrt(s_t) / η_t + ε / η_t:
    # dividing the denominator by the scalar η_t saves a pass over the arrays.
    xp.sqrt(state_sum, out=tmp)
    tmp *= 1 / clr
    tmp += eps / clr
    xp.divide(grad, tmp, out=tmp)
    param -= tmp
