"""PyTorch's custom ``autograd.Function`` example (LegendrePolynomial3): y = a + b P3(c + d x),
with P3's derivative written by hand in a static ``backward``; here the four coefficients
are 1-element tensors updated by ``torch.optim.SGD``."""

import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def main(seed: int) -> dict:
    torch.manual_seed(seed)
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((1,), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((1,), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((1,), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((1,), 0.3, dtype=dtype, requires_grad=True)
    optimizer = torch.optim.SGD([a, b, c, d], lr=5e-6)
    P3 = LegendrePolynomial3.apply
    for t in range(2000):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"loss": loss.item()}
