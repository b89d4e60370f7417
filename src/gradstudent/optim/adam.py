"""Adam and AdamW: momentum plus a per-coordinate step size from the squared gradients."""

from __future__ import annotations

from typing import Any, Callable

from ..backend import Array, blocks, get_array_module
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, effective_grad


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), optionally AMSGrad, optionally with decoupled weight decay.

    For each parameter θ at step t = 1, 2, ... (η = ``lr``, (β1, β2) = ``betas``, ε = ``eps``,
    λ = ``weight_decay``)::

        g_t = ∇L(θ_{t-1}) + λ θ_{t-1}          (L2 penalty; with decoupled_weight_decay instead
                                               θ_{t-1} ← (1 - η λ) θ_{t-1}, the AdamW rule)
        m_t = β1 m_{t-1} + (1 - β1) g_t        (first moment: a running mean of gradients)
        v_t = β2 v_{t-1} + (1 - β2) g_t²       (second moment: a running mean of squared gradients)
        m̂_t = m_t / (1 - β1^t),  v̂_t = v_t / (1 - β2^t)    (undo the bias towards the zero init)
        θ_t = θ_{t-1} - η m̂_t / (sqrt(v̂_t) + ε)

    With ``amsgrad`` the denominator uses ``max(v_1 .. v_t)`` so the step size never grows.
    Each coordinate moves by about η, whatever the scale of its gradient.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"], "must be >= 0")
        self._check(group["eps"] >= 0, "epsilon", group["eps"], "must be >= 0")
        betas = group["betas"]
        self._check(len(betas) == 2, "betas", betas, "must be a pair (beta1, beta2)")
        for i, beta in enumerate(betas):
            self._check(0 <= beta < 1, f"beta parameter at index {i}:", beta, "must be in [0, 1)")
        self._check(group["weight_decay"] >= 0, "weight_decay", group["weight_decay"], "must be >= 0")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = get_array_module(p._data)
        state: dict[str, Any] = {
            "step": 0,
            "exp_avg": Tensor._make(xp.zeros(p.shape, p.dtype)),      # m_0 = 0
            "exp_avg_sq": Tensor._make(xp.zeros(p.shape, p.dtype)),   # v_0 = 0
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(xp.zeros(p.shape, p.dtype))
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._begin_step(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
            beta1, beta2 = (float(b) for b in group["betas"])
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._param_state(p, group)
                state["step"] += 1
                t = state["step"]
                max_sq = state["max_exp_avg_sq"]._data if group["amsgrad"] else None
                # The bias corrections are scalars, computed once per parameter, in float64.
                step_size = lr / (1 - beta1**t)                # η / (1 - β1^t)
                bias_correction2_sqrt = (1 - beta2**t) ** 0.5  # sqrt(1 - β2^t)
                for theta, grad, m, v, vmax in blocks(
                    p._data, p.grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data, max_sq
                ):
                    if weight_decay and decoupled:
                        theta *= 1 - lr * weight_decay  # AdamW: θ ← (1 - ηλ) θ, outside the gradient
                    g = effective_grad(theta, grad, 0.0 if decoupled else weight_decay, group["maximize"])
                    adam_update_(theta, g, m, v, vmax, beta1, beta2, eps, step_size, bias_correction2_sqrt)
        return loss


def adam_update_(
    param: Array,
    grad: Array,
    exp_avg: Array,
    exp_avg_sq: Array,
    max_exp_avg_sq: Array | None,
    beta1: float,
    beta2: float,
    eps: float,
    step_size: float,
    bias_correction2_sqrt: float,
) -> None:
    """The Adam update of ``param``, ``exp_avg`` and ``exp_avg_sq`` in place (see :class:`Adam`).

    Works with ``out=`` and one scratch array so no temporaries are allocated per operation.
    Python floats keep float32 arrays float32 (NumPy 2 treats them as "weak" scalars).
    """
    xp = get_array_module(param)
    tmp = xp.empty_like(param)
    # m_t = β1 m_{t-1} + (1-β1) g_t, computed as m += (1-β1)(g - m): the same value, one pass fewer
    xp.subtract(grad, exp_avg, out=tmp)
    tmp *= 1 - beta1
    exp_avg += tmp
    # v_t = β2 v_{t-1} + (1-β2) g_t²
    xp.multiply(grad, grad, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq *= beta2
    exp_avg_sq += tmp
    if max_exp_avg_sq is not None:  # AMSGrad: v_max = max(v_max, v_t) replaces v_t below
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        exp_avg_sq = max_exp_avg_sq
    if step_size == 0:  # lr = 0: the moments advance, the parameter stays
        return
    # θ_t = θ_{t-1} - step_size · m_t / (sqrt(v_t) / sqrt(1 - β2^t) + ε),  step_size = η / (1 - β1^t),
    # which is θ_{t-1} - η m̂_t / (sqrt(v̂_t) + ε). Dividing the denominator by the scalar step_size
    # (instead of multiplying the quotient by it) saves one pass over the arrays, as PyTorch's
    # "capturable" Adam does: θ_t = θ_{t-1} - m_t / D,  D = sqrt(v_t) / (sqrt(1-β2^t) step_size) + ε / step_size
    xp.sqrt(exp_avg_sq, out=tmp)
    tmp *= 1 / (bias_correction2_sqrt * step_size)
    tmp += eps / step_size
    xp.divide(exp_avg, tmp, out=tmp)
    param -= tmp


class AdamW(Adam):
    r"""Adam with *decoupled* weight decay (Loshchilov & Hutter, 2019).

    Instead of adding λθ to the gradient (which Adam then rescales per coordinate, weakening
    the decay where gradients are large), every step first shrinks the weights directly::

        θ_{t-1} ← (1 - η λ) θ_{t-1},   then the Adam update with g_t = ∇L(θ_{t-1})

    Note the default ``weight_decay=0.01`` (Adam's is 0).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True
        )
