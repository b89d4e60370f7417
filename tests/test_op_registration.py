"""A new op is declared once: ``@register(name, method=..., function=...)`` gives the Tensor method
and the top-level ``gradstudent`` function, with no edit anywhere else."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradstudent as gs
from gradstudent.autograd import Function, register
from gradstudent.autograd.function import tensor_method
from gradstudent.backend import get_array_module
from oracle import check_op


@register("cube_demo", method="cube_demo", function="cube_demo")
class CubeDemo(Function):
    """z = x^3 (a demo op declared in this test file only)"""

    def forward(self, x):
        return get_array_module(x).power(x, 3)

    def backward(self, grad):
        (x,) = self.saved_inputs()
        return grad * 3.0 * x * x  # x.grad[i] += z.grad[i] 3 x[i]^2


def test_registered_method_and_function() -> None:
    x = gs.tensor([1.0, -2.0, 0.5], requires_grad=True)
    np.testing.assert_allclose(x.cube_demo().detach().numpy(), [1.0, -8.0, 0.125])
    gs.cube_demo(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0, 0.75])
    seen = check_op(lambda a: a.cube_demo(), lambda a: a**3, [(2, 3)])
    assert "cube_demo" in seen


def test_unknown_names_still_raise() -> None:
    x = gs.zeros(2)
    with pytest.raises(AttributeError, match="no attribute 'not_an_op'"):
        x.not_an_op()
    with pytest.raises(AttributeError):
        gs.not_an_op  # noqa: B018
    assert torch is not None


def test_names_cannot_be_provided_twice() -> None:
    with pytest.raises(ValueError, match="already provided"):
        register("cube_demo_2", method="cube_demo")(type("Dup", (Function,), {}))


@tensor_method("clip_demo", function="clip_demo")
def clip_demo(x: gs.Tensor, bound: float) -> gs.Tensor:
    """An op whose public function does more than ``apply`` (here: checks its argument), declared here only."""
    if bound <= 0:
        raise ValueError(f"clip_demo: bound must be positive, got {bound}")
    return x.clamp(-bound, bound)


def test_tensor_method_on_a_public_function() -> None:
    x = gs.tensor([1.0, -2.0, 0.25], requires_grad=True)
    np.testing.assert_allclose(x.clip_demo(0.5).detach().numpy(), [0.5, -0.5, 0.25])
    gs.clip_demo(x, 0.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="bound must be positive"):
        x.clip_demo(0.0)
    with pytest.raises(ValueError, match="already provided"):
        tensor_method("clip_demo")(clip_demo)


def test_an_op_needs_an_input_tensor() -> None:
    with pytest.raises(TypeError, match="cube_demo.apply: an op needs at least one input tensor"):
        CubeDemo.apply()
