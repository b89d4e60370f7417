"""Indexing ops. Reading with an index is a copy of selected elements, so its
gradient *scatters* back, adding where an element was read more than once::

    z[k] = x[idx[k]]      =>      x.grad[idx[k]] += z.grad[k]
"""

from __future__ import annotations

from typing import Any

from ..autograd.function import Function, register, tensor_method
from ..backend import Array, backend_of, get_array_module
from ..tensor import Tensor
from .._axes import along_axis_index as _along_axis_index
from ._util import normalize_dims
from .elementwise import where


def _to_index(index: Any) -> Any:
    """Convert Tensors inside an index to arrays (``x[t]``, ``x[:, t]``, ``x[mask]``)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_to_index(i) for i in index)
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return [_to_index(i) for i in index]
    return index


def _is_basic(index: Any) -> bool:
    """True when the index has only ints, slices, None and Ellipsis (a view, no repeats)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice) or p is None or p is Ellipsis for p in parts)


def add_at(xp: Any, out: Array, index: Any, values: Array) -> None:
    """``out[index] += values`` with repeated indices adding up: the backend's scatter-add."""
    backend_of(out).scatter_add(out, index, values)


@register("getitem")
class GetItem(Function):
    """z = x[index] (basic slicing or advanced integer/boolean indexing)"""

    def forward(self, x: Array, index: Any) -> Array:
        self.index, self.in_shape = index, x.shape
        try:
            return x[index]
        except IndexError as err:
            raise IndexError(f"getitem: index {_describe(index)} is invalid for shape {x.shape}: {err}") from None

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[index[k]] += z.grad[k]
        return IndexPutAdd.apply(grad, index=self.index, shape=self.in_shape)


@register("index_put_add", method="_index_put_add")
class IndexPutAdd(Function):
    """z = zeros(shape) with z[index] += x: the adjoint of ``getitem``"""

    def forward(self, x: Array, index: Any, shape: tuple[int, ...]) -> Array:
        self.index = index
        xp = get_array_module(x)
        out = xp.zeros(shape, dtype=x.dtype)
        if _is_basic(index):
            out[index] = x  # a basic index never repeats an element
        else:
            add_at(xp, out, index, x)
        return out

    def backward(self, grad: Tensor) -> Tensor:
        return GetItem.apply(grad, index=self.index)


def _describe(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    return "(" + ", ".join(f"array{tuple(p.shape)}" if hasattr(p, "shape") else repr(p) for p in parts) + ")"


@register("gather")
class Gather(Function):
    """z[i, j] = x[i, index[i, j]] (for dim=1; the same pattern on any axis)"""

    def forward(self, x: Array, index: Array, dim: int) -> Array:
        self.dim, self.in_shape = dim, x.shape
        xp = get_array_module(x)
        return x[_along_axis_index(xp, index, dim)]

    def backward(self, grad: Tensor) -> tuple[Tensor, None]:
        _, index = self.inputs
        # x.grad[i, index[i, j]] += z.grad[i, j]
        zeros = Tensor._make(get_array_module(grad._data).zeros(self.in_shape, dtype=grad._data.dtype))
        return scatter_add(zeros, self.dim, index, grad), None


@register("scatter_add")
class ScatterAdd(Function):
    """z = x with z[i, index[i, j]] += src[i, j] (for dim=1)"""

    def forward(self, x: Array, index: Array, src: Array, dim: int) -> Array:
        self.dim = dim
        xp = get_array_module(x)
        out = x.copy()
        backend_of(out).scatter_add(out, _along_axis_index(xp, index, dim), src[tuple(slice(0, n) for n in index.shape)])
        return out

    def backward(self, grad: Tensor) -> tuple[Tensor, None, Tensor | None]:
        _, index, _ = self.inputs
        # x.grad += z.grad;  src.grad[i, j] += z.grad[i, index[i, j]]
        gsrc = gather(grad, self.dim, index) if self.needs_input_grad[2] else None
        src_shape = self.inputs[2].shape
        if gsrc is not None and gsrc.shape != src_shape:  # src may be larger than index: unused part gets 0
            gsrc = IndexPutAdd.apply(gsrc, index=tuple(slice(0, n) for n in index.shape), shape=src_shape)
        return grad, None, gsrc


@register("index_select")
class IndexSelect(Function):
    """z = x taken at the positions ``index`` (1-D) along ``dim``"""

    def forward(self, x: Array, index: Array, dim: int) -> Array:
        self.dim, self.in_shape = dim, x.shape
        return get_array_module(x).take(x, index, axis=dim)

    def backward(self, grad: Tensor) -> tuple[Tensor, None]:
        _, index = self.inputs
        # x.grad[index[k]] += z.grad[k]   (along dim)
        moved = grad.movedim(self.dim, 0) if self.dim != 0 else grad
        shape0 = (self.in_shape[self.dim],) + tuple(moved.shape[1:])
        g = IndexPutAdd.apply(moved, index=index._data, shape=shape0)
        return (g.movedim(0, self.dim) if self.dim != 0 else g), None


# ---------------------------------------------------------------- public functions
@tensor_method("getitem")
def getitem(x: Tensor, index: Any) -> Tensor:
    return GetItem.apply(x, index=_to_index(index))


def _check_index(op: str, index: Tensor, size: int) -> None:
    if index._data.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got {index.dtype}")
    if index.numel() and (int(index._data.max()) >= size or int(index._data.min()) < -size):
        raise IndexError(f"{op}: index out of range: values span [{int(index._data.min())}, {int(index._data.max())}] but the size is {size}")


@tensor_method("gather")
def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    (d,) = normalize_dims(dim, x.ndim, "gather")
    if index.ndim != x.ndim:
        raise ValueError(f"gather: index has {index.ndim} dims but input has {x.ndim} (shapes {tuple(index.shape)}, {tuple(x.shape)})")
    _check_index("gather", index, x.shape[d])
    if any(i > s for j, (i, s) in enumerate(zip(index.shape, x.shape)) if j != d):
        raise ValueError(f"gather: index shape {tuple(index.shape)} is larger than input shape {tuple(x.shape)} outside dim {d}")
    return Gather.apply(x, index, dim=d)


@tensor_method("scatter_add")
def scatter_add(x: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    (d,) = normalize_dims(dim, x.ndim, "scatter_add")
    _check_index("scatter_add", index, x.shape[d])
    return ScatterAdd.apply(x, index, src, dim=d)


@tensor_method("index_select")
def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    index = index if isinstance(index, Tensor) else Tensor(index)
    (d,) = normalize_dims(dim, x.ndim, "index_select")
    if index.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D, got shape {tuple(index.shape)}")
    if index.ndim == 0:  # a single index still keeps the axis (length 1), as in torch
        index = index.reshape(1)
    _check_index("index_select", index, x.shape[d])
    return IndexSelect.apply(x, index, dim=d)


@tensor_method("masked_fill")
def masked_fill(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``x`` with ``value`` wherever ``mask`` is True."""
    if mask.dtype.kind != "b":
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {mask.dtype}")
    return where(mask, value, x)


@tensor_method("masked_select")
def masked_select(x: Tensor, mask: Tensor) -> Tensor:
    """The 1-D tensor of elements of ``x`` where ``mask`` (broadcast) is True."""
    if mask.dtype.kind != "b":
        raise TypeError(f"masked_select: mask must be a bool tensor, got {mask.dtype}")
    xp = get_array_module(x._data)
    shape = tuple(xp.broadcast_shapes(x.shape, mask.shape)) if hasattr(xp, "broadcast_shapes") else x.shape
    return getitem(x.expand(shape), xp.broadcast_to(mask._data, shape))


def one_hot(index: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor with a trailing axis of length ``num_classes``: 1 at each index, else 0."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor, got {index.dtype}")
    xp = get_array_module(index._data)
    n = int(index._data.max()) + 1 if num_classes < 0 else num_classes
    if index.numel() and (int(index._data.max()) >= n or int(index._data.min()) < 0):
        raise ValueError(f"one_hot: class values must be in [0, {n}), got [{int(index._data.min())}, {int(index._data.max())}]")
    return Tensor._make((index._data[..., None] == xp.arange(n)).astype("int64"))
