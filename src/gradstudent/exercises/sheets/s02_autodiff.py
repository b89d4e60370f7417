"""Sheet 2 checks: each op's backward against the library's op and finite differences, to second order."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

import gradstudent as gs

from ..checking import CheckFailed, assert_close, rng
from . import Sheet, Task


def _compare(what: str, student: Callable[..., Any], library: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    """Student op vs library op: forward, gradients, and gradients of gradients (create_graph)."""
    xs = [gs.tensor(a, requires_grad=True) for a in arrays]
    ys = [gs.tensor(a, requires_grad=True) for a in arrays]
    out, ref = student(*xs), library(*ys)
    shapes = " and ".join(str(a.shape) for a in arrays)
    assert_close(f"{what} forward on {shapes}", out, ref)
    w = gs.tensor(rng(9).normal(size=ref.shape))
    g_student = gs.autograd.grad((out * w).sum(), xs, create_graph=True)
    g_ref = gs.autograd.grad((ref * w).sum(), ys, create_graph=True)
    for i, (gs_, gr) in enumerate(zip(g_student, g_ref)):
        if gs_ is None:
            raise CheckFailed(f"{what}: backward returned None for input {i} (shape {arrays[i].shape}), which needs a gradient")
        assert_close(f"{what}: gradient of input {i} on {shapes}", gs_, gr, hint="check the chain rule and the shapes")
    s_ref = _sum_squares(g_ref)
    if not s_ref.requires_grad:  # the gradient does not depend on the inputs (e.g. sum): nothing more to check
        return
    s_student = _sum_squares(g_student)
    if not s_student.requires_grad:
        raise CheckFailed(f"{what}: the gradient you return is not differentiable; write backward with Tensor ops, not arrays")
    second = gs.autograd.grad(s_student, xs, allow_unused=True)
    second_ref = gs.autograd.grad(s_ref, ys, allow_unused=True)
    for i, (a, b) in enumerate(zip(second, second_ref)):
        if b is not None:
            if a is None:
                raise CheckFailed(f"{what}: second derivative of input {i} is missing; write backward with Tensor ops")
            assert_close(f"{what}: second derivative of input {i}", a, b)


def _sum_squares(grads: tuple[gs.Tensor | None, ...]) -> gs.Tensor:
    """sum_i |g_i|^2 over the gradients that exist (differentiable when they are)."""
    total = gs.zeros((), dtype=gs.float64)
    for g in grads:
        if g is not None:
            total = total + (g * g).sum()
    return total


def check_mul(m: ModuleType) -> None:
    r = rng(0)
    for sa, sb in (((3,), (3,)), ((2, 3), (3,)), ((4, 1), (1, 5)), ((), (2, 2))):
        _compare("Mul", m.Mul.apply, lambda a, b: a * b, [r.normal(size=sa), r.normal(size=sb)])


def check_exp(m: ModuleType) -> None:
    r = rng(1)
    for s in ((), (4,), (2, 3)):
        _compare("Exp", m.Exp.apply, lambda a: a.exp(), [r.normal(size=s)])


def check_matmul(m: ModuleType) -> None:
    r = rng(2)
    for sa, sb in (((2, 3), (3, 4)), ((5, 2, 3), (3, 1)), ((2, 1, 2, 3), (4, 3, 2))):
        _compare("MatMul", m.MatMul.apply, lambda a, b: a @ b, [r.normal(size=sa), r.normal(size=sb)])


def check_sum(m: ModuleType) -> None:
    r = rng(3)
    for shape, axes, keep in (((4,), (0,), False), ((2, 3, 4), (0, 2), False), ((2, 3), (1,), True), ((3, 2), (0, 1), False)):
        _compare(f"Sum over axes {axes} (keepdim={keep})", lambda x, a=axes, k=keep: m.Sum.apply(x, axes=a, keepdim=k),
                 lambda x, a=axes, k=keep: x.sum(dim=a, keepdim=k), [r.normal(size=shape)])


SHEET = Sheet(2, "autodiff", "An autodiff engine's ops: backward for mul, exp, matmul, sum", "sheet02_autodiff.py", [
    Task("mul", 2, check_mul, "z = x * y with broadcasting", "Mul"),
    Task("exp", 2, check_exp, "z = e^x", "Exp"),
    Task("matmul", 3, check_matmul, "z = x @ y with batch dimensions", "MatMul"),
    Task("sum", 3, check_sum, "z = sum over several axes", "Sum"),
])
