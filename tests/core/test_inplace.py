"""In-place ops with PyTorch's semantics, checked against torch (values, gradients, second
derivatives) and by finite differences in float64 (``oracle.check_op``).

Every row runs ``fn(L, *inputs)`` with ``L = gradstudent`` and ``L = torch``: the function
makes a tensor that is part of a graph and changes it in place, so the gradient must follow
the rebased history exactly as torch's does.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradstudent as gs
from oracle import OpCase, positive

CASES: list[OpCase] = []


def row(op: str, fn, inputs, tag: str = "", **opts) -> None:
    CASES.append(OpCase(op, fn, list(inputs), None, tag, opts))


IDX = np.array([0, 2, 0])  # repeats: index_add_ adds them up
IDX_UNIQUE = np.array([2, 0])
SCATTER_IDX = np.array([[0, 2], [1, 0]])
MASK = np.array([[True, False, True], [False, False, True]])


def _add(L, a, b):
    y = a * 1
    z = y + 3  # used before the in-place op: its gradient goes to the old value
    y.add_(b, alpha=2)
    return y * z


def _sub(L, a, b):
    y = a.sin()
    y.sub_(b)
    return y * y


def _mul_scalar(L, a):
    y = a * 1
    y.mul_(2.5)
    return y * a


def _mul_tensor(L, a, b):
    y = a.sin()
    y.mul_(b)
    return y * y


def _div(L, a, b):
    y = a.sin()
    y.div_(b)
    return y * a


def _clamp(L, a):
    y = a * 1
    y.clamp_(-0.5, 0.5)
    return y * a


def _unary(name):
    def fn(L, a):
        y = a * 2
        getattr(y, name)()
        return y * y

    return fn


def _copy(L, a, b):
    y = a * 1
    y.copy_(b)
    return y * a


def _zero(L, a):
    y = a * 1
    z = y + 1
    y.zero_()
    return y + z


def _fill(L, a, s):
    y = a * 1
    y.fill_(s)
    return y * a


def _masked_fill(L, a, s, mask):
    y = a * 1
    y.masked_fill_(mask, s)
    return y * y


def _index_add(L, a, src, index):
    y = a * 1
    y.index_add_(0, index, src, alpha=2.0)
    return y * y


def _index_copy(L, a, src, index):
    y = a.sin()
    y.index_copy_(0, index, src)
    return y * a


def _scatter(L, a, src, index):
    y = a * 1
    y.scatter_(1, index, src)
    return y * y


def _scatter_add(L, a, src, index):
    y = a * 1
    y.scatter_add_(1, index, src)
    return y * a


def _setitem_zero(L, a):
    y = a * 1
    y[:, 0] = 0
    return y * a


def _setitem_state(L, a, b):
    z = L.zeros(2, 3, dtype=a.dtype)  # a preallocated state array, written row by row
    z[:, 1] = a[:, 1]
    z[:, 0] = b[:, 0] * 2
    z[:, 2] = z[:, 1] + z[:, 0]
    return z * z


def _setitem_advanced(L, a, b, index):
    y = a * 1
    y[index] = b
    return y * a


def _setitem_mask(L, a, s, mask):
    y = a.sin()
    y[mask] = s
    return y * y


def _operators(L, a, b):
    y = a * 1
    y += b
    y *= b
    y -= 1
    y /= 2
    y **= 2
    return y


def _view_mul(L, a):
    y = a * 1
    v = y[:, 0]
    v.mul_(2)
    return y * y


def _view_setitem(L, a, b):
    y = a.sin()
    v = y[1]
    v[0] = b[0] * 2
    v.mul_(3.0)
    return y * y


def _view_of_view(L, a, b):
    y = a * 1
    y[1:][:, 0].add_(b)
    return y * a


def _view_of_plain_tensor(L, a):
    z = L.zeros(3, 4, dtype=a.dtype)
    z[0].copy_(a[0])
    z[1:].copy_(a[1:] * 2)
    return z * z


row("add", _add, [(2, 3), (2, 3)])
row("add", _add, [(2, 3), (3,)], tag="broadcast")
row("sub", _sub, [(2, 3), (2, 3)])
row("mul", _mul_scalar, [(2, 3)], tag="scalar")
row("mul", _mul_tensor, [(2, 3), (3,)])
row("div", _div, [(2, 3), positive(2, 3)])
row("clamp", _clamp, [(3, 4)])
for name in ("relu_", "sigmoid_", "tanh_"):
    row(name.rstrip("_"), _unary(name), [(2, 3)])
row("index_put", _copy, [(2, 3), (3,)], tag="copy_")
row("index_put", _zero, [(2, 3)], tag="zero_")
row("index_put", _fill, [(2, 3), ()], tag="fill_")
row("index_put", _masked_fill, [(2, 3), (), MASK], tag="masked_fill_")
row("index_put_add", _index_add, [(3, 4), (3, 4), IDX], tag="index_add_")
row("index_put", _index_copy, [(3, 4), (2, 4), IDX_UNIQUE], tag="index_copy_")
row("index_put", _scatter, [(2, 3), (2, 2), SCATTER_IDX], tag="scatter_")
row("scatter_add", _scatter_add, [(2, 3), (2, 2), np.array([[0, 0], [1, 2]])], tag="scatter_add_")
row("index_fill_zero", _setitem_zero, [(2, 3)], tag="setitem")
row("index_put", _setitem_state, [(2, 3), (2, 3)], tag="setitem-state")
row("index_put", _setitem_advanced, [(3, 4), (2, 4), IDX_UNIQUE], tag="setitem-int")
row("index_put", _setitem_mask, [(2, 3), (), MASK], tag="setitem-mask")
row("pow_scalar", _operators, [(2, 3), (3,)], tag="operators")
row("index_put", _view_mul, [(2, 3)], tag="view")
row("index_put", _view_setitem, [(2, 3), (2,)], tag="view-setitem")
row("index_put", _view_of_view, [(3, 4), (2,)], tag="view-of-view")
row("index_put", _view_of_plain_tensor, [(3, 4)], tag="view-of-plain")


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_inplace_op(case: OpCase) -> None:
    case.run()


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_inplace_op_float32(case: OpCase) -> None:
    case.float32().run()


# ---------------------------------------------------------------- semantics beyond the table
def test_augmented_assignment_is_in_place() -> None:
    w = gs.randn(3)
    same, array, version = w, w._data, w._version
    with gs.no_grad():
        w -= 0.1 * w
        w += 1
        w *= 2
        w /= 4
        w **= 2
    assert w is same and w._data is array and w._version == version + 5


def test_manual_update_of_a_parameter_under_no_grad() -> None:
    w = gs.tensor([1.0, -2.0], requires_grad=True)
    (w * w).sum().backward()
    with gs.no_grad():
        w -= 0.25 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), [0.5, -1.0])


def test_matmul_assignment_rebinds_as_in_torch() -> None:
    import torch

    for lib in (gs, torch):
        a, m = lib.ones(2, 2), lib.ones(2, 2)
        before = a
        a @= m  # PyTorch has no in-place matmul: the name is rebound to a @ m
        assert a is not before and before.tolist() == [[1.0, 1.0], [1.0, 1.0]] and a.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_leaf_that_requires_grad_refuses_in_place_ops() -> None:
    w = gs.randn(3, requires_grad=True)
    for change in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.copy_(gs.ones(3))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
            change()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w += 1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 1.0
    assert w._version == 0


def test_modified_saved_tensor_is_reported_at_backward_with_versions() -> None:
    import torch

    for lib in (gs, torch):
        x = lib.randn(3, requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)  # sigmoid's backward needs its output
        with pytest.raises(RuntimeError, match="version"):
            y.sum().backward()
    x = gs.randn(3, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"sigmoid.*version 0 -> 1"):
        y.sum().backward()


def test_modified_view_of_a_saved_input_is_reported() -> None:
    a = gs.randn(2, 3, requires_grad=True)
    z = gs.zeros(2, 3)
    z[:, 1] = a[:, 1]
    z[:, 0] = a[:, 0] * 2
    z[:, 2] = z[:, 1] * z[:, 0]  # mul saved the columns; writing z[:, 2] bumps their shared version
    with pytest.raises(RuntimeError, match=r"mul: input 0 .*version 2 -> 3"):
        (z * z).sum().backward()


def test_in_place_on_other_views_in_a_graph_is_an_error_not_a_wrong_gradient() -> None:
    x = gs.randn(2, 3, requires_grad=True)
    y = x * 1
    v = y.reshape(6)
    with pytest.raises(RuntimeError, match="view"):
        v.mul_(2)
    with gs.no_grad():  # without a graph it is fine
        v.mul_(2)
    np.testing.assert_allclose(y.detach().numpy(), 2 * x.detach().numpy())


def test_shape_and_dtype_rules() -> None:
    z = gs.zeros(3)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        z += gs.ones(2, 3)
    n = gs.zeros(3, dtype=gs.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        n += gs.ones(3) * 1.5
    n += 2
    assert n.tolist() == [2, 2, 2] and n.dtype == gs.int64
    f = gs.ones(3)
    f += gs.ones(3, dtype=gs.float64)
    assert f.dtype == gs.float32 and f.tolist() == [2.0, 2.0, 2.0]
    f //= 2
    f %= 1
    assert f.tolist() == [0.0, 0.0, 0.0]


def test_in_place_with_grad_operand_on_a_constant_tensor() -> None:
    import torch

    out = []
    for lib in (gs, torch):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = lib.zeros(3)
        y.add_(w * w)  # y becomes part of the graph
        z = lib.zeros(2, 3)
        z[1].copy_(y)  # a view of a tensor outside the graph: the write reaches z's history
        (z * 3).sum().backward()
        out.append(np.asarray(w.grad.tolist()))
    np.testing.assert_allclose(out[0], out[1])


def _stale_view(L, a, b):
    y = a * 1
    v = y[0]  # taken before y changes: torch regenerates its history
    y.mul_(b)
    w = v + 1
    y[1] = a[0]  # ... and again
    return v * v + w.sum() + y.sum()


def _view_of_zeros_written_later(L, a):
    z = L.zeros(2, 3, dtype=a.dtype)
    v = z[0]
    z[0] = a[1] * 2  # v now holds a[1] * 2
    return v * v


row("index_put", _stale_view, [(2, 3), (3,)], tag="stale-view")
row("index_put", _view_of_zeros_written_later, [(2, 3)], tag="stale-constant-view")


@pytest.mark.parametrize("case", [c.param() for c in CASES[-2:]])
def test_views_taken_before_an_in_place_op(case: OpCase) -> None:
    case.run()
    case.float32().run()


def test_stale_view_made_by_reshape_is_an_error() -> None:
    x = gs.randn(2, 3, requires_grad=True)
    y = x * 1
    v = y.reshape(6)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="out of date"):
        v * 1


def test_view_made_under_no_grad_refuses_a_recorded_in_place_op() -> None:
    x = gs.randn(2, 3, requires_grad=True)
    y = x * 1
    with gs.no_grad():
        v = y[0]
    with pytest.raises(RuntimeError, match="no_grad"):
        v.mul_(2)
