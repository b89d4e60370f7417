"""Sheet 3 — an MLP's pieces: a linear layer, softmax cross-entropy, SGD with momentum, Adam.

Write them with gradstudent's Tensor operations (autograd does the backward).
The optimizers update parameters IN PLACE under ``gs.no_grad()`` (``p.sub_(...)``,
``v.mul_(...).add_(...)``), as PyTorch's do.
"""

from __future__ import annotations

import gradstudent as gs
from gradstudent import Tensor


def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """z = x W^T + b with x: (N, in), weight: (out, in), bias: (out,). Returns (N, out)."""
    ### BEGIN SOLUTION
    return x @ weight.mT + bias
    ### END SOLUTION


def softmax_cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Mean over the batch of -log softmax(logits)[n, target[n]]; logits: (N, K), target: (N,) class indices.

    Must not overflow for logits of size 1000: subtract each row's maximum first
    (log-softmax is unchanged by a shift).
    """
    ### BEGIN SOLUTION
    shifted = logits - logits.amax(dim=1, keepdim=True).detach()
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs.gather(1, target.unsqueeze(1)).mean()
    ### END SOLUTION


class SGDMomentum:
    """v <- mu v + g;  p <- p - lr v  (PyTorch's SGD with momentum, no dampening)."""

    def __init__(self, params: list[Tensor], lr: float, momentum: float = 0.9) -> None:
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.velocity = [gs.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        ### BEGIN SOLUTION
        with gs.no_grad():
            for p, v in zip(self.params, self.velocity):
                if p.grad is None:
                    continue
                v.mul_(self.momentum).add_(p.grad)
                p.sub_(self.lr * v)
        ### END SOLUTION


class Adam:
    """m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m_hat / (sqrt(v_hat) + eps)

    with the bias corrections m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t) at step t = 1, 2, ...
    """

    def __init__(self, params: list[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.m = [gs.zeros_like(p) for p in self.params]
        self.v = [gs.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        ### BEGIN SOLUTION
        self.t += 1
        b1, b2 = self.betas
        with gs.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                if p.grad is None:
                    continue
                m.mul_(b1).add_((1 - b1) * p.grad)
                v.mul_(b2).add_((1 - b2) * p.grad * p.grad)
                m_hat = m / (1 - b1**self.t)
                v_hat = v / (1 - b2**self.t)
                p.sub_(self.lr * m_hat / (v_hat.sqrt() + self.eps))
        ### END SOLUTION

