"""Shape ops: they move elements around without changing them, so each
backward moves the gradient back the inverse way."""

from __future__ import annotations

import operator
from typing import Any, Sequence

from .. import dtypes
from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import normalize_dim, normalize_dims


@register("reshape")
class Reshape(Function):
    """z = x with a new shape (same elements, row-major order)"""

    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        self.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) into {shape}") from None

    def backward(self, grad: Tensor) -> Tensor:
        return grad.reshape(self.in_shape)  # x.grad[flat k] += z.grad[flat k]


@register("permute")
class Permute(Function):
    """z = x with its axes reordered: z.shape[i] = x.shape[dims[i]]"""

    def forward(self, x: Array, dims: tuple[int, ...]) -> Array:
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad: Tensor) -> Tensor:
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return grad.permute(*inverse)


@register("expand")
class Expand(Function):
    """z = x broadcast to ``shape`` (a view; no copy)"""

    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        self.in_shape = x.shape
        try:
            return get_array_module(x).broadcast_to(x, shape)
        except ValueError:
            raise ValueError(f"expand: cannot expand shape {x.shape} to {shape}") from None

    def backward(self, grad: Tensor) -> Tensor:
        return sum_to_shape(grad, self.in_shape)


@register("sum_to_shape")
class SumToShape(Function):
    """z = x summed down to ``shape``: the adjoint of broadcasting (``unbroadcast``)"""

    def forward(self, x: Array, shape: tuple[int, ...]) -> Array:
        self.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
        return x.sum(axis=axes, keepdims=True).reshape(shape) if axes else x.reshape(shape)

    def backward(self, grad: Tensor) -> Tensor:
        return grad.expand(self.in_shape)  # x.grad[a, i] += z.grad[i]


@register("cat")
class Cat(Function):
    """z = the inputs joined along ``dim``"""

    def forward(self, *xs: Array, dim: int) -> Array:
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return get_array_module(*xs).concatenate(xs, axis=dim)

    def backward(self, grad: Tensor) -> tuple[Tensor | None, ...]:
        # each input gets back its own slice of the gradient
        out, start = [], 0
        for n, need in zip(self.sizes, self.needs_input_grad):
            out.append(grad.narrow(self.dim, start, n) if need else None)
            start += n
        return tuple(out)


@register("flip")
class Flip(Function):
    """z = x reversed along ``dims``"""

    def forward(self, x: Array, dims: tuple[int, ...]) -> Array:
        self.dims = dims
        return get_array_module(x).flip(x, axis=dims)

    def backward(self, grad: Tensor) -> Tensor:
        return grad.flip(*self.dims)


@register("repeat")
class Repeat(Function):
    """z = x tiled ``repeats`` times along each axis (torch.Tensor.repeat)"""

    def forward(self, x: Array, repeats: tuple[int, ...]) -> Array:
        self.in_shape = x.shape
        self.repeats = repeats
        return get_array_module(x).tile(x, repeats)

    def backward(self, grad: Tensor) -> Tensor:
        # split each axis of size r*n into (r, n) and sum over the copies r
        lead = len(self.repeats) - len(self.in_shape)
        shape = (1,) * lead + tuple(self.in_shape)
        split: list[int] = []
        for r, n in zip(self.repeats, shape):
            split += [r, n]
        g = grad.reshape(tuple(split)).sum(dim=tuple(range(0, 2 * len(shape), 2)))
        return g.reshape(self.in_shape)


# ---------------------------------------------------------------- public functions
def _shape_arg(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = shape[0]
    return tuple(operator.index(s) for s in shape)  # 2.5 is a TypeError, not silently 2


@tensor_method("reshape")
def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    if any(s < -1 for s in shape):
        raise ValueError(f"reshape: invalid shape dimension {min(shape)} in {shape} (sizes are >= 0, or -1 to infer one)")
    return Reshape.apply(x, shape=shape)


@tensor_method("flatten")
def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = normalize_dim(start_dim, x.ndim, "flatten"), normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise RuntimeError(f"flatten: start_dim ({start_dim}) cannot come after end_dim ({end_dim}) for shape {tuple(x.shape)}")
    n = 1
    for d in x.shape[s : e + 1]:
        n *= d
    return reshape(x, x.shape[:s] + (n,) + x.shape[e + 1 :])


@tensor_method("unflatten")
def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = normalize_dim(dim, x.ndim, "unflatten")
    sizes = list(sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        sizes[sizes.index(-1)] = x.shape[d] // known
    total = 1
    for s in sizes:
        total *= s
    if total != x.shape[d]:
        raise ValueError(f"unflatten: sizes {tuple(sizes)} don't multiply up to {x.shape[d]}, the size of dim {d} of shape {tuple(x.shape)}")
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1 :])


@tensor_method("permute")
def permute(x: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute: number of dims don't match: {len(dims)} dims {dims} for shape {tuple(x.shape)}")
    norm = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(norm) != list(range(x.ndim)):
        raise RuntimeError(f"permute: dims {dims} are not a permutation of the {x.ndim} axes of shape {tuple(x.shape)}")
    return Permute.apply(x, dims=norm)


@tensor_method("transpose")
def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    dims = list(range(x.ndim))
    a, b = normalize_dims(dim0, x.ndim, "transpose")[0], normalize_dims(dim1, x.ndim, "transpose")[0]
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(x, dims=tuple(dims))


@tensor_method("squeeze")
def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    axes = normalize_dims(dim, x.ndim, "squeeze")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in axes and s == 1)))


@tensor_method("unsqueeze")
def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")  # the new axis may go after the last one
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


@tensor_method("expand")
def expand(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: target {shape} has fewer dimensions than the tensor {tuple(x.shape)}")
    if -1 in shape[:lead]:
        raise ValueError(f"expand: -1 is not allowed in a new leading dimension (target {shape}, tensor {tuple(x.shape)})")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if shape == x.shape:
        return x
    return Expand.apply(x, shape=shape)


@tensor_method("sum_to_shape")
def sum_to_shape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    if x.shape == tuple(shape):
        return x
    return SumToShape.apply(x, shape=tuple(shape))


@tensor_method("repeat")
def repeat(x: Tensor, *repeats: Any) -> Tensor:
    repeats = _shape_arg(repeats)
    if len(repeats) < x.ndim:
        raise ValueError(f"repeat: {len(repeats)} repeat counts for a tensor with {x.ndim} dimensions")
    return Repeat.apply(x, repeats=repeats)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    if any(t.ndim == 0 for t in tensors):
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack() to join them along a new axis")
    (d,) = normalize_dims(dim, tensors[0].ndim, "cat")
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.ndim != len(first) or any(a != b for j, (a, b) in enumerate(zip(t.shape, first)) if j != d):
            raise ValueError(f"cat: tensor {i} has shape {tuple(t.shape)} but tensor 0 has {tuple(first)}; sizes must match except in dimension {d}")
    common = tensors[0].dtype
    for t in tensors[1:]:
        common = dtypes.result_type(common, t.dtype)
    tensors = [t if t.dtype == common else t.type(common) for t in tensors]
    return Cat.apply(*tensors, dim=d)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return cat([unsqueeze(t, dim) for t in tensors], dim)


@tensor_method("narrow")
def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    index: list[Any] = [slice(None)] * x.ndim
    index[normalize_dim(dim, x.ndim, "narrow")] = slice(start, start + length)
    return x[tuple(index)]


@tensor_method("split")
def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    (d,) = normalize_dims(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be a positive integer, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} do not add up to {n}, the size of dimension {d}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


@tensor_method("chunk")
def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    n = x.shape[normalize_dims(dim, x.ndim, "chunk")[0]]
    if chunks <= 0:
        raise ValueError(f"chunk: number of chunks must be a positive integer, got {chunks}")
    size = -(-n // chunks)
    return split(x, max(size, 1), dim)


@tensor_method("flip")
def flip(x: Tensor, *dims: Any) -> Tensor:
    axes = normalize_dims(_shape_arg(dims), x.ndim, "flip")
    return Flip.apply(x, dims=axes if x.ndim else ())  # a 0-d tensor has nothing to reverse


