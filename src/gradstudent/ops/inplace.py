"""In-place ops inside a graph, recorded as PyTorch records them.

``y.mul_(2)`` on a tensor that is part of a graph computes the new value with
ordinary differentiable ops from a stand-in ``old`` for the value ``y`` had
before, writes it into ``y``'s memory, and *rebases* ``y`` onto the node that
produced it::

    before:   x --Mul--> y                      (y._ctx = Mul)
    y.mul_(2): x --Mul--> old --Mul(2)--> y     (y._ctx = the new Mul; same object, same memory)

Nodes that used ``y`` before the op keep pointing at the old node (a node's
edges are fixed when it is made, see ``Function.parents``), so their gradients
go to the value they saw. The stand-in ``old`` either holds a copy of the old
values (ops whose backward reads them: ``mul_``, ``div_``, ``clamp_``...) or
shares ``y``'s memory and version counter (ops whose backward never reads them:
``add_``, ``sub_``, index writes); in the second case any backward that did try
to read them would fail the version check instead of using the new values.

Index writes (``y[idx] = v``, ``fill_``, ``copy_``, ``masked_fill_``,
``index_copy_``, ``scatter_``) are one node, :class:`IndexPut`, that writes into
``y``'s memory directly (no copy of ``y``)::

    z = x with z[idx] = v      x.grad = z.grad with 0 at idx;   v.grad = z.grad[idx]

An in-place op on a view made by basic indexing (``y[:, 0].mul_(2)``) is written
through to the tensor it views, whose history is rebased too (PyTorch's
``CopySlices``); in-place ops on other views of tensors in a graph (``reshape``,
``transpose``...) raise an error instead of giving a wrong gradient.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ..tensor_inplace import check_leaf, recording
from .index import GetItem, _is_basic, _to_index


@register("index_put")
class IndexPut(Function):
    """z = x with z[index] = v, written into x's memory (x is the stand-in for the old value)"""

    def forward(self, x: Array, v: Array, index: Any) -> Array:
        self.index = index
        try:
            x[index] = v
        except (ValueError, IndexError) as err:
            raise type(err)(
                f"setitem: cannot assign a value of shape {tuple(getattr(v, 'shape', ()))} to index "
                f"{_describe(index)} of a tensor of shape {x.shape}: {err}"
            ) from None
        return x

    def backward(self, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        need_x, need_v = self.needs_input_grad
        v = self.inputs[1]
        # x.grad[i] += z.grad[i] for i not in index;   v.grad[k] += z.grad[index[k]]
        gx = IndexFill.apply(grad, index=self.index) if need_x else None
        gv = None
        if need_v:
            gv = grad[self.index]
            if gv.dtype != v.dtype:
                gv = gv.type(v.dtype)
        return gx, gv


@register("index_fill_zero")
class IndexFill(Function):
    """z = x with z[index] = 0 (a copy); linear and its own adjoint"""

    def forward(self, x: Array, index: Any) -> Array:
        self.index = index
        out = x.copy()
        out[index] = 0
        return out

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[i] += z.grad[i] * [i not in index]
        return IndexFill.apply(grad, index=self.index)


def _describe(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    return "(" + ", ".join(f"array{tuple(p.shape)}" if hasattr(p, "shape") else repr(p) for p in parts) + ")"


# ---------------------------------------------------------------- the machinery
@tensor_method("_rebase")
def rebase(t: Tensor, op: str, compute: Callable[[Tensor], Tensor], copy_old: bool) -> Tensor:
    """Run ``t = compute(old)`` in place and record it (see the module docstring).

    ``compute`` builds the new value with differentiable ops from ``old``, the
    stand-in for ``t``'s current value; ``copy_old`` says whether its backward
    reads ``old``'s values (then ``old`` holds a copy).
    """
    check_leaf(t, op)
    view = getattr(t, "_view", None)
    if view is not None:
        return _rebase_view(t, op, compute, copy_old, view)
    old = Tensor._make(t._data.copy() if copy_old else t._data, t.requires_grad)
    old._ctx = t._ctx
    if not copy_old:
        old._vbox = t._vbox  # shares the memory: any backward that read it would fail the version check
    r = compute(old)
    _write(t, op, r)
    return t


def _write(t: Tensor, op: str, r: Tensor) -> None:
    """Store ``r``'s value in ``t``'s memory and give ``t`` ``r``'s history."""
    if r.shape != t.shape:
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the broadcast shape {tuple(r.shape)}")
    if r.dtype != t.dtype:
        if r.dtype.kind == "f" and t.dtype.kind != "f":
            raise RuntimeError(f"{op}: result type {r.dtype} can't be cast to the desired output type {t.dtype}")
        r = r.type(t.dtype)
    if r._data is not t._data:
        t._data[...] = r._data
    t._vbox[0] += 1
    t._ctx = r._ctx
    t.requires_grad = r.requires_grad
    fn = r._ctx
    if fn is not None:
        fn.inplace = True
        if getattr(fn, "_output_ref", None) is not None:  # a node that reads its output reads t now
            fn._output_ref = weakref.ref(t)
            fn._output_version = t._version


def _rebase_view(t: Tensor, op: str, compute: Callable[[Tensor], Tensor], copy_old: bool, view: Any) -> Tensor:
    """An in-place op on a view: write the new value through to the viewed tensor."""
    parent, fn, made_with_grad = view
    if not made_with_grad:
        raise RuntimeError(
            f"{op}: a view was created in no_grad mode and is being modified in place with grad mode enabled; "
            f"the viewed tensor's gradient would be wrong. Take the view outside no_grad(), or clone it."
        )
    if not (isinstance(fn, GetItem) and _is_basic(fn.index)):
        raise RuntimeError(
            f"{op}: in-place operation on a view (made by {fn.op_name}) of a tensor, while recording a graph, is "
            f"not supported: the viewed tensor's gradient would be wrong. Clone the view first (v = v.clone()), "
            f"use out-of-place ops, or write into the tensor with indexing (x[idx] = ...)."
        )
    refresh_view(t)
    check_leaf(parent, op)
    old = Tensor._make(t._data.copy() if copy_old else t._data, t.requires_grad)
    old._ctx = t._ctx
    if not copy_old:
        old._vbox = t._vbox
    r = compute(old)
    if r.shape != t.shape:
        raise RuntimeError(f"{op}: output with shape {tuple(t.shape)} doesn't match the broadcast shape {tuple(r.shape)}")
    setitem(parent, fn.index, r)  # records parent[index] = r (recursively if parent is a view too)
    _regenerate(t, parent, fn)
    return t


def _regenerate(t: Tensor, parent: Tensor, fn: Any) -> None:
    """Make ``t`` (``parent[index]``) again a view of ``parent``'s current history."""
    fresh = GetItem.apply(parent, index=fn.index)
    t._ctx, t.requires_grad = fresh._ctx, fresh.requires_grad
    if fresh._view is not None:
        t._view = fresh._view


@tensor_method("_refresh_view")
def refresh_view(t: Tensor) -> None:
    """Bring a view's history up to date when the tensor it views got a new one in place.

    ``v = y[0]; y.mul_(2)``: ``v``'s values changed with ``y``'s memory, so ``v``
    must now be ``y[0]`` of ``y``'s new history (PyTorch regenerates it too).
    Views made by indexing are regenerated; other views used after such a change
    raise an error instead of giving a wrong gradient.
    """
    if t._view is None:
        return
    parent, fn, made_with_grad = t._view
    if parent._view is not None:
        refresh_view(parent)
    if not made_with_grad:
        return  # a view made under no_grad() is a constant alias (as in torch)
    seen = t._ctx.parents[0] if t._ctx is not None else None
    if seen is parent._ctx:
        return
    if isinstance(fn, GetItem) and _is_basic(fn.index):
        _regenerate(t, parent, fn)
        return
    raise RuntimeError(
        f"a view (made by {fn.op_name}, shape {tuple(t.shape)}) is used after the tensor it views was changed "
        f"by an in-place op recorded in the graph, so its recorded history is out of date. gradstudent "
        f"regenerates only views made by indexing: take the view again after the in-place op."
    )


@tensor_method("_setitem")
def setitem(x: Tensor, index: Any, value: Any, op: str = "setitem") -> None:
    """``x[index] = value`` in place; recorded in the graph when ``x`` or ``value`` requires grad."""
    idx = _to_index(index)
    if not recording(x, (value,)):
        check_leaf(x, op)
        v = value._data if isinstance(value, Tensor) else value
        try:
            x._data[idx] = v
        except (ValueError, IndexError) as err:
            raise type(err)(
                f"{op}: cannot assign a value of shape {tuple(np.shape(v))} to index {_describe(idx)} of a "
                f"tensor of shape {tuple(x.shape)}: {err}"
            ) from None
        x._bump_version()
        return
    if isinstance(value, Tensor):
        v = value
        if v.dtype != x.dtype:
            if v.dtype.kind == "f" and x.dtype.kind != "f":
                raise RuntimeError(f"{op}: a value of dtype {v.dtype} that requires grad can't be written into a tensor of dtype {x.dtype}")
            v = v.type(x.dtype)
    else:
        xp = get_array_module(x._data)
        v = Tensor._make(xp.asarray(value, dtype=x.dtype))
    rebase(x, op, lambda old: IndexPut.apply(old, v, index=idx), copy_old=False)

