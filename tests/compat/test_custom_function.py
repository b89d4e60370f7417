"""PyTorch-style ``gs.autograd.Function`` (static forward/backward with a ctx)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs


def _legendre(L):
    class LegendrePolynomial3(L.autograd.Function):
        """P3(x) = (5x³ - 3x) / 2, from PyTorch's custom-function tutorial."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x**3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x**2 - 1)

    return LegendrePolynomial3


def test_legendre_matches_torch_first_and_second_order() -> None:
    x0 = np.linspace(-1, 1, 7)
    results = []
    for L in (gs, torch):
        x = L.tensor(x0, requires_grad=True)
        y = _legendre(L).apply(x)
        (g,) = L.autograd.grad(y.sum(), [x], create_graph=True)
        (h,) = L.autograd.grad(g.sum(), [x])
        results.append([t.detach().numpy() for t in (y, g, h)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    x = gs.tensor(x0, requires_grad=True)
    assert gs.autograd.gradcheck(_legendre(gs).apply, (x,)) and gs.autograd.gradgradcheck(_legendre(gs).apply, (x,))


class MulAdd(gs.autograd.Function):
    """(a·b + c, argmax) with a non-tensor argument and a non-differentiable output."""

    @staticmethod
    def forward(ctx, a, b, scale, c):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        out = a * b * scale + c
        index = out.argmax()
        ctx.mark_non_differentiable(index)
        return out, index

    @staticmethod
    def backward(ctx, grad_out, grad_index):
        a, b = ctx.saved_tensors
        assert grad_index is None  # integer outputs get no gradient
        needs = ctx.needs_input_grad
        assert needs == (True, True, False, False)
        return grad_out * b * ctx.scale, grad_out * a * ctx.scale, None, None


def test_several_inputs_outputs_and_needs_input_grad() -> None:
    a, b = gs.randn(4, dtype=gs.float64, requires_grad=True), gs.randn(4, dtype=gs.float64, requires_grad=True)
    c = gs.randn(4, dtype=gs.float64)
    out, index = MulAdd.apply(a, b, 2.0, c)
    assert not index.requires_grad and out.requires_grad
    out.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2.0 * b.detach().numpy())
    np.testing.assert_allclose(b.grad.numpy(), 2.0 * a.detach().numpy())


class TwoOutputs(gs.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g1, g2):
        (x,) = ctx.saved_tensors
        return g1 * 2 + g2 * 2 * x


def test_two_differentiable_outputs_sum_their_gradients() -> None:
    x = gs.tensor([1.0, -3.0], dtype=gs.float64, requires_grad=True)
    u, v = TwoOutputs.apply(x)
    (u.sum() + 3 * v.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 + 6 * x.detach().numpy())


def test_no_graph_without_grad_and_wrong_gradient_count() -> None:
    x = gs.randn(3)
    assert not _legendre(gs).apply(x).requires_grad  # no input needs grad: a plain result

    class Bad(gs.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = gs.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients \\(expected 2, got 1\\)"):
        Bad.apply(x, gs.randn(3)).sum().backward()


def test_saved_tensor_modified_in_place_is_detected() -> None:
    x = gs.randn(3, requires_grad=True)
    y = x * 1.0
    z = _legendre(gs).apply(y)
    with gs.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_setup_context_style_and_once_differentiable() -> None:
    class Square(gs.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        @gs.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = gs.tensor([3.0], requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.tolist() == [6.0]


def test_array_level_subclass_style_still_works() -> None:
    class Double(gs.autograd.Function):  # gradstudent's op style: instance methods on arrays
        def forward(self, x):
            return x * 2

        def backward(self, grad):
            return grad * 2

    x = gs.ones(2, requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_forward_may_return_an_input_unchanged() -> None:
    class Identity(gs.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = gs.ones(2, requires_grad=True)
    Identity.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
