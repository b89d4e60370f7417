"""Autograd as users meet it: grad mode, hooks and leaves, error messages, dtype rules."""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from gradstudent import autograd
from oracle import close, t64


# ---------------------------------------------------------------- grad mode
def test_no_grad_enable_grad_nesting() -> None:
    x = t64([1.0])
    with gs.no_grad():
        assert not (x * 2).requires_grad
        with gs.enable_grad():
            assert (x * 2).requires_grad
            with gs.set_grad_enabled(False):
                assert not gs.is_grad_enabled()
            assert gs.is_grad_enabled()
        assert not gs.is_grad_enabled()
    assert gs.is_grad_enabled()
    with pytest.raises(ValueError):
        with gs.no_grad():
            raise ValueError("boom")
    assert gs.is_grad_enabled(), "an exception must restore grad mode"


def test_grad_mode_decorators() -> None:
    x = t64([1.0])

    @gs.no_grad()
    def f(t):
        return t * 2

    @gs.no_grad
    def f_bare(t):
        return t * 2

    @gs.enable_grad()
    def g(t):
        return t * 2

    @gs.set_grad_enabled(False)
    def h(t):
        return t * 2

    assert gs.is_grad_enabled(), "building the decorator must not switch grad mode off"
    assert not f(x).requires_grad and not f_bare(x).requires_grad and not h(x).requires_grad
    with gs.no_grad():
        assert g(x).requires_grad
    assert gs.is_grad_enabled()
    assert f.__name__ == "f"


def test_set_grad_enabled_as_function() -> None:
    gs.set_grad_enabled(False)
    try:
        assert not gs.is_grad_enabled()
    finally:
        gs.set_grad_enabled(True)
    assert gs.is_grad_enabled()


# ---------------------------------------------------------------- leaves, hooks, .grad
def test_detach_and_requires_grad_() -> None:
    x = t64([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    x2 = x.detach()
    with gs.no_grad():
        x2._data[0] = 5.0
    assert x.detach().numpy()[0] == 5.0, "detach shares memory, as in torch"
    with pytest.raises(RuntimeError, match="floating"):
        gs.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating"):
        gs.tensor([1, 2], requires_grad=True)
    y = gs.ones(2).requires_grad_()
    assert y.requires_grad and y.is_leaf


def test_register_hook_modifies_and_removes() -> None:
    x = t64([1.0, 2.0])
    handle = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    close(x.grad, [30.0, 30.0])
    handle.remove()
    handle.remove()  # removing twice is harmless
    x.grad = None
    (x * 3).sum().backward()
    close(x.grad, [3.0, 3.0])
    y = x * 2  # a hook on a non-leaf changes what flows further back
    y.register_hook(lambda g: g * 0.5)
    x.grad = None
    (y * 4).sum().backward()
    close(x.grad, [4.0, 4.0])


def test_retain_grad() -> None:
    x = t64([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    close(y.grad, 2 * y.detach().numpy())
    close(x.grad, 6 * y.detach().numpy())
    z = x * 3
    (z * z).sum().backward()
    assert z.grad is None, "non-leaf .grad is only kept after retain_grad()"


def test_gradient_accumulates_across_backward_calls() -> None:
    x = t64([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    close(x.grad, 2 * np.array([1.0, 2.0]) + 3)


def test_leaf_grads_are_never_aliased() -> None:
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.mul_(2)
    close(b.grad, [1.0, 1.0])
    c, d = t64([1.0, 2.0]), t64([3.0, 4.0])
    (c.clone() + d.reshape(2)).sum().backward()
    c.grad.mul_(2)
    close(d.grad, [1.0, 1.0])
    e = t64([1.0, 2.0])
    g = gs.ones(2, dtype=gs.float64)
    e.backward(g)
    e.grad.mul_(5)
    close(g, [1.0, 1.0])  # the gradient passed in must not become .grad itself


# ---------------------------------------------------------------- error messages
@pytest.mark.parametrize(
    "fn, pattern",
    [
        (lambda: gs.ones(2, 3) + gs.ones(4), r"add.*\(2, 3\).*\(4,\)"),
        (lambda: gs.ones(2, 3) * gs.ones(3, 2), r"mul.*\(2, 3\).*\(3, 2\)"),
        (lambda: gs.ones(2, 3) @ gs.ones(2, 3), r"matmul.*\(2, 3\).*\(2, 3\)"),
        (lambda: gs.ones(3) @ gs.ones(4), r"matmul.*\(3,\).*\(4,\)"),
        (lambda: gs.ones(2, 3) @ gs.ones(4), r"matmul.*\(2, 3\).*\(4,\)"),
        (lambda: gs.ones(2, 2, 3) @ gs.ones(3, 3, 4), r"matmul.*\(2, 2, 3\).*\(3, 3, 4\)"),
        (lambda: gs.cat([gs.ones(2, 3), gs.ones(2, 4)]), r"cat.*\(2, 4\).*\(2, 3\)"),
        (lambda: gs.ones(2, 3).reshape(4, 2), r"reshape.*\(2, 3\).*\(4, 2\)"),
        (lambda: gs.ones(2, 3).gather(1, gs.zeros(2, dtype=gs.int64)), r"gather.*\(2,\).*\(2, 3\)"),
        (lambda: gs.ones(2, 3).gather(1, gs.full((2, 1), 5)), r"gather.*out of range.*3"),
        (lambda: gs.ones(2, 3).expand(4, 3), r"expand.*\(2, 3\).*\(4, 3\)"),
        (lambda: gs.ones(3).expand(-1, 3), r"expand.*-1.*leading"),
        (lambda: gs.cat([gs.tensor(1.0), gs.tensor(2.0)]), r"cat.*zero-dimensional.*stack"),
        (lambda: gs.ones(2, 3).sum(2), r"sum: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
        (lambda: gs.ones(2, 3)[3], r"getitem.*\(2, 3\)"),
        (lambda: gs.ones(6).unflatten(0, (4, -1)), r"unflatten.*\(4, 1\).*6"),
        (lambda: gs.ones(6).split(0), r"split.*positive"),
        (lambda: gs.ones(6).chunk(0), r"chunk.*positive"),
        (lambda: gs.ones(2, 3).index_select(0, gs.tensor([[0]])), r"index_select.*1-D.*\(1, 1\)"),
    ],
)
def test_error_messages_name_op_and_shapes(fn, pattern) -> None:
    with pytest.raises((ValueError, IndexError, RuntimeError, TypeError), match=pattern):
        fn()


# ---------------------------------------------------------------- dtypes
def test_dtype_rules() -> None:
    assert gs.tensor([1.0, 2.0]).dtype == gs.float32
    assert gs.randn(2).dtype == gs.float32
    assert gs.tensor(np.zeros(2)).dtype == gs.float64, "a float64 ndarray stays float64"
    assert gs.tensor([1, 2]).dtype == gs.int64
    assert gs.tensor([True]).dtype == gs.bool
    x32 = gs.ones(2)
    assert (x32 * 2.5).dtype == gs.float32, "a Python float does not promote float32"
    assert (2.5 * x32).dtype == gs.float32
    assert (x32 + 1).dtype == gs.float32
    assert (gs.tensor([1, 2]) + x32).dtype == gs.float32, "int64 + float32 -> float32 (not float64)"
    assert (gs.tensor([1, 2]) * 1.5).dtype == gs.float32
    assert (gs.tensor([1, 2]) / gs.tensor([2, 2])).dtype == gs.float32, "true division of ints gives floats"
    assert (gs.tensor([1, 2]) + 1).dtype == gs.int64
    assert (x32 + gs.ones(2, dtype=gs.float64)).dtype == gs.float64
    assert gs.tensor([1, 2]).sum().dtype == gs.int64
    # a 0-d tensor does not widen a dimensioned tensor of the same kind (torch's rule), but does across kinds
    assert (x32 * gs.tensor(2.0, dtype=gs.float64)).dtype == gs.float32
    assert (gs.tensor(2.0, dtype=gs.float64) - x32).dtype == gs.float32
    assert (gs.tensor([1, 2]) * gs.tensor(2.0, dtype=gs.float64)).dtype == gs.float64
    assert (gs.tensor([1, 2], dtype=gs.int32) + gs.tensor(5)).dtype == gs.int32
    assert gs.tensor([True, True]).sum().item() == 2


def test_set_default_dtype_and_restore() -> None:
    old = gs.get_default_dtype()
    gs.set_default_dtype(gs.float64)
    try:
        assert gs.tensor([1.0]).dtype == gs.float64
        assert gs.zeros(2).dtype == gs.float64 and gs.randn(2).dtype == gs.float64
        assert (gs.tensor([1, 2]) * 0.5).dtype == gs.float64
    finally:
        gs.set_default_dtype(old)
    assert gs.tensor([1.0]).dtype == gs.float32
    with pytest.raises(TypeError):
        gs.set_default_dtype(gs.int64)


def test_cast_is_differentiable_between_floats() -> None:
    x = t64([1.0, 2.0])
    y = x.float()
    assert y.dtype == gs.float32 and y.requires_grad
    (y * 3).sum().backward()
    assert x.grad.dtype == gs.float64
    close(x.grad, [3.0, 3.0])
    i = x.long()  # integer results cannot require grad (torch's rule too)
    assert i.dtype == gs.int64 and not i.requires_grad
    assert x.to(gs.float64) is x


def test_sign_is_a_constant() -> None:
    """sign() returns a tensor that does not require grad (torch's is zero-gradient): same gradients."""
    x = t64([-2.0, 0.0, 3.0])
    s = x.sign()
    assert not s.requires_grad
    close(s, [-1.0, 0.0, 1.0])
    (x.sign() * x).sum().backward()
    close(x.grad, [-1.0, 0.0, 1.0])
