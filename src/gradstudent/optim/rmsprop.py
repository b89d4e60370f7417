"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any, Callable

from ..backend import Array, blocks, get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, effective_grad


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), optionally centered and with momentum.

    For each parameter θ at step t (η = ``lr``, α = ``alpha``, μ = ``momentum``, λ = ``weight_decay``)::

        g_t = ∇L(θ_{t-1}) + λ θ_{t-1}
        v_t = α v_{t-1} + (1 - α) g_t²                  (running mean of squared gradients)
        centered:  ḡ_t = α ḡ_{t-1} + (1 - α) g_t,  d_t = sqrt(v_t - ḡ_t²) + ε   (≈ standard deviation)
        otherwise: d_t = sqrt(v_t) + ε
        momentum:  b_t = μ b_{t-1} + g_t / d_t,     θ_t = θ_{t-1} - η b_t
        otherwise:                                  θ_t = θ_{t-1} - η g_t / d_t

    Unlike Adagrad's sum, the running mean forgets old gradients, so steps don't shrink to zero.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["eps"] >= 0, "epsilon", group["eps"], "must be >= 0")
        self._check(group["momentum"] >= 0, "momentum", group["momentum"], "must be >= 0")
        self._check(group["weight_decay"] >= 0, "weight_decay", group["weight_decay"], "must be >= 0")
        self._check(group["alpha"] >= 0, "alpha", group["alpha"], "must be >= 0")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = get_array_module(p._data)
        state: dict[str, Any] = {"step": 0, "square_avg": Tensor._make(xp.zeros(p.shape, p.dtype))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor._make(xp.zeros(p.shape, p.dtype))
        if group["centered"]:
            state["grad_avg"] = Tensor._make(xp.zeros(p.shape, p.dtype))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
            momentum, weight_decay = float(group["momentum"]), float(group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._param_state(p, group)
                state["step"] += 1
                buf = state["momentum_buffer"]._data if momentum > 0 else None
                grad_avg = state["grad_avg"]._data if group["centered"] else None
                for theta, grad, v, gbar, b in blocks(p._data, p.grad._data, state["square_avg"]._data, grad_avg, buf):
                    g = effective_grad(theta, grad, weight_decay, group["maximize"])
                    rmsprop_update_(theta, g, v, gbar, b, lr, alpha, eps, momentum)
        return loss


def rmsprop_update_(
    param: Array,
    grad: Array,
    square_avg: Array,
    grad_avg: Array | None,
    buf: Array | None,
    lr: float,
    alpha: float,
    eps: float,
    momentum: float,
) -> None:
    """The RMSprop update of ``param`` and its state arrays in place (see :class:`RMSprop`)."""
    xp = get_array_module(param)
    tmp = xp.empty_like(param)
    # v_t = α v_{t-1} + (1-α) g_t²
    square_avg *= alpha
    square_avg += xp.multiply(xp.multiply(grad, grad, out=tmp), 1 - alpha, out=tmp)
    if grad_avg is not None:
        # ḡ_t = α ḡ_{t-1} + (1-α) g_t, as ḡ += (1-α)(g - ḡ);  d_t = sqrt(v_t - ḡ_t²) + ε
        grad_avg += xp.multiply(xp.subtract(grad, grad_avg, out=tmp), 1 - alpha, out=tmp)
        xp.multiply(grad_avg, grad_avg, out=tmp)
        xp.subtract(square_avg, tmp, out=tmp)
        xp.sqrt(tmp, out=tmp)
    else:
        xp.sqrt(square_avg, out=tmp)  # d_t = sqrt(v_t) + ε (ε added below)
    if buf is not None:
        tmp += eps
        xp.divide(grad, tmp, out=tmp)  # g_t / d_t
        buf *= momentum                # b_t = μ b_{t-1} + g_t / d_t
        buf += tmp
        param -= xp.multiply(buf, lr, out=tmp)  # θ_t = θ_{t-1} - η b_t
    elif lr != 0:
        # θ_t = θ_{t-1} - η g_t / d_t, as θ_{t-1} - g_t / (d_t / η): dividing the denominator by
        # the scalar η (sqrt(.) / η + ε / η) saves a pass over the arrays.
        tmp *= 1 / lr
        tmp += eps / lr
        param -= xp.divide(grad, tmp, out=tmp)
