"""More of ``torch.*``: functions that tutorials call, composed from existing ops.

Nothing here is a new differentiable op. Each function is either

* **composed** from differentiable ops (``log2 = log / ln 2``, ``sort`` =
  argsort indices + ``gather``, ``roll`` = two ``narrow`` + ``cat``), so
  gradients, second derivatives and error checks come from those ops; or
* a **constant**: comparisons, masks, indices and rounding (``eq``, ``isnan``,
  ``argsort``, ``nonzero``, ``floor``...) return tensors that do not require
  grad, as gradstudent's ``sign`` does (their true derivative is zero).

The Tensor-method forms (``x.sort()``, ``x.isnan()``...) are attached at the
end of this file, only where ``Tensor`` has no method of that name.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple, Sequence

import numpy as np

from .creation import from_numpy, linspace, randint, tensor
from .ops.elementwise import where
from .ops.index import gather, index_select
from .ops.nn_ops import Erf
from .ops.shape import cat, stack
from .tensor import Tensor

__all__ = [
    "log2", "log10", "tan", "sinh", "cosh", "reciprocal", "lerp", "addmm", "bmm", "trace", "var_mean", "std_mean",
    "diff", "t", "movedim", "swapaxes", "hstack", "vstack", "unbind", "select", "broadcast_to", "broadcast_tensors",
    "tile", "roll", "repeat_interleave", "take_along_dim", "sort", "argsort", "topk", "isnan", "isinf", "isfinite",
    "logical_and", "logical_or", "logical_not", "logical_xor", "eq", "ne", "lt", "le", "gt", "ge", "all", "any",
    "allclose", "isclose", "equal", "nonzero", "count_nonzero", "unique", "bincount", "floor", "ceil", "round",
    "trunc", "frac", "nan_to_num", "clone", "is_floating_point", "tril_indices", "triu_indices", "meshgrid", "diag",
    "logspace", "randint_like", "finfo", "iinfo", "erf", "searchsorted", "bucketize", "atleast_2d",
]

finfo = np.finfo  # gs.finfo(gs.float32).eps: gradstudent's dtypes are NumPy dtypes
iinfo = np.iinfo


def _arr(x: Any) -> np.ndarray:
    """A detached host array of ``x`` (a Tensor, array or number)."""
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _const(a: Any) -> Tensor:
    a = np.asarray(a)
    return from_numpy(a if a.flags.c_contiguous else a.copy())


def _dim(x: Tensor, dim: int) -> int:
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], but got {dim})")
    return dim % max(x.ndim, 1)


# ------------------------------------------------------------------ composed, differentiable
def log2(x: Tensor) -> Tensor:
    """log₂ x = ln x / ln 2."""
    return x.log() / math.log(2.0)


def log10(x: Tensor) -> Tensor:
    """log₁₀ x = ln x / ln 10."""
    return x.log() / math.log(10.0)


def tan(x: Tensor) -> Tensor:
    """tan x = sin x / cos x."""
    return x.sin() / x.cos()


def sinh(x: Tensor) -> Tensor:
    """sinh x = (eˣ − e⁻ˣ) / 2."""
    return (x.exp() - (-x).exp()) * 0.5


def cosh(x: Tensor) -> Tensor:
    """cosh x = (eˣ + e⁻ˣ) / 2."""
    return (x.exp() + (-x).exp()) * 0.5


def reciprocal(x: Tensor) -> Tensor:
    return 1.0 / x


def lerp(start: Tensor, end: Tensor, weight: Any) -> Tensor:
    """start + weight · (end − start)."""
    return start + weight * (end - start)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1.0, alpha: float = 1.0) -> Tensor:
    """β · input + α · (mat1 @ mat2), with mat1 (n, k) and mat2 (k, m)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"addmm: mat1 and mat2 must be matrices, got shapes {tuple(mat1.shape)} and {tuple(mat2.shape)}")
    return beta * input + alpha * (mat1 @ mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product: (b, n, k) @ (b, k, m) -> (b, n, m), no broadcasting."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: batch1 and batch2 must be 3-D tensors, got shapes {tuple(input.shape)} and {tuple(mat2.shape)}")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"bmm: shapes {tuple(input.shape)} and {tuple(mat2.shape)} cannot be multiplied")
    return input @ mat2


def trace(x: Tensor) -> Tensor:
    """Σᵢ x[i, i] of a matrix."""
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, got shape {tuple(x.shape)}")
    return (x * _const(np.eye(*x.shape, dtype=x.dtype))).sum()


def var_mean(x: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    return x.var(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim=keepdim)


def std_mean(x: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    return x.std(dim, keepdim=keepdim, correction=correction), x.mean(dim, keepdim=keepdim)


def diff(x: Tensor, n: int = 1, dim: int = -1) -> Tensor:
    """n-th forward difference along ``dim``: out[i] = x[i + 1] − x[i], applied n times."""
    d = _dim(x, dim)
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            return x
        x = x.narrow(d, 1, length - 1) - x.narrow(d, 0, length - 1)
    return x


def t(x: Tensor) -> Tensor:
    """Transpose of a matrix; vectors and scalars are returned as they are."""
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return x.transpose(0, 1) if x.ndim == 2 else x


def movedim(x: Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src, dst = [_dim(x, s) for s in src], [_dim(x, s) for s in dst]
    order = [i for i in range(x.ndim) if i not in src]
    for s, d in sorted(zip(dst, src)):
        order.insert(s, d)
    return x.permute(*order)


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    return x.transpose(axis0, axis1)


def atleast_2d(x: Tensor) -> Tensor:
    return x.reshape(1, -1) if x.ndim < 2 else x


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat(list(tensors), 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([atleast_2d(x) for x in tensors], 0)


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """x[..., index, ...] along ``dim`` (that dimension removed)."""
    d = _dim(x, dim)
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {tuple(x.shape)} at dimension {dim}")
    return x.narrow(d, index % x.shape[d], 1).squeeze(d)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = _dim(x, dim)
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def broadcast_to(x: Tensor, size: Sequence[int]) -> Tensor:
    return x.expand(*size)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    shape = np.broadcast_shapes(*[tuple(x.shape) for x in tensors])
    return tuple(x.expand(*shape) for x in tensors)


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    dims = list(dims)
    if len(dims) < x.ndim:
        dims = [1] * (x.ndim - len(dims)) + dims
    return x.repeat(*dims)


def roll(x: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
    """Shift elements along ``dims`` cyclically: out[(i + s) mod n] = x[i]."""
    if dims is None:
        return roll(x.flatten(), shifts, 0).reshape(*x.shape)
    shift_list = [shifts] if isinstance(shifts, int) else list(shifts)
    dim_list = [dims] if isinstance(dims, int) else list(dims)
    if len(shift_list) != len(dim_list):
        raise RuntimeError(f"roll: shifts and dims must align, got {len(shift_list)} shifts and {len(dim_list)} dims")
    for s, d in zip(shift_list, dim_list):
        d = _dim(x, d)
        n = x.shape[d]
        s = s % n if n else 0
        if s:
            x = cat([x.narrow(d, n - s, s), x.narrow(d, 0, n - s)], d)
    return x


def repeat_interleave(x: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int or one count per element) along ``dim``."""
    if dim is None:
        x, dim = x.flatten(), 0
    d = _dim(x, dim)
    counts = _arr(repeats).astype(np.int64)
    if counts.ndim and counts.shape[0] != x.shape[d]:
        raise RuntimeError(f"repeat_interleave: repeats must have {x.shape[d]} entries, got {counts.shape[0]}")
    index = np.repeat(np.arange(x.shape[d]), counts)
    return index_select(x, d, _const(index))


def take_along_dim(x: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    if dim is None:
        return gather(x.flatten(), 0, indices.flatten())
    return gather(x, dim, indices)


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    a = _arr(x)
    order = np.argsort(-a if descending else a, axis=dim, kind="stable")
    return _const(order.astype(np.int64))


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> _ValuesIndices:
    """(values, indices): values = gather(x, dim, indices), so values carry the gradient."""
    if x.ndim == 0:
        return _ValuesIndices(x, _const(np.array(0)))
    indices = argsort(x, dim, descending)
    return _ValuesIndices(gather(x, dim, indices), indices)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> _ValuesIndices:  # noqa: A002
    d = _dim(x, dim)
    if not 0 <= k <= x.shape[d]:
        raise RuntimeError(f"topk: k ({k}) out of range for dimension {dim} of size {x.shape[d]}")
    indices = argsort(x, d, descending=largest).narrow(d, 0, k)
    return _ValuesIndices(gather(x, d, indices), indices)


# ------------------------------------------------------------------ constants (no gradient)
def _compare(name: str):
    ufunc = getattr(np, name)

    def compare(input: Any, other: Any) -> Tensor:
        return _const(ufunc(_arr(input), _arr(other)))

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``np.{name}`` as a bool tensor (no gradient)."
    return compare


eq, ne, lt, le, gt, ge = (_compare(n) for n in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"))
for _f, _n in zip((eq, ne, lt, le, gt, ge), ("eq", "ne", "lt", "le", "gt", "ge")):
    _f.__name__ = _n
logical_and, logical_or, logical_xor = (_compare(n) for n in ("logical_and", "logical_or", "logical_xor"))


def logical_not(x: Any) -> Tensor:
    return _const(np.logical_not(_arr(x)))


def isnan(x: Tensor) -> Tensor:
    return _const(np.isnan(_arr(x)))


def isinf(x: Tensor) -> Tensor:
    return _const(np.isinf(_arr(x)))


def isfinite(x: Tensor) -> Tensor:
    return _const(np.isfinite(_arr(x)))


def all(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _const(np.all(_arr(x), axis=dim, keepdims=keepdim))


def any(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return _const(np.any(_arr(x), axis=dim, keepdims=keepdim))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return _const(np.isclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    return bool(np.allclose(_arr(input), _arr(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and the same elements."""
    return bool(np.array_equal(_arr(input), _arr(other)))


def nonzero(x: Tensor, *, as_tuple: bool = False) -> Any:
    found = np.nonzero(_arr(x))
    if as_tuple:
        return tuple(_const(i.astype(np.int64)) for i in found)
    return _const(np.stack(found, axis=1).astype(np.int64) if found else np.zeros((0, 0), np.int64))


def count_nonzero(x: Tensor, dim: int | None = None) -> Tensor:
    return _const(np.asarray(np.count_nonzero(_arr(x), axis=dim), dtype=np.int64))


def unique(x: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None) -> Any:  # noqa: A002
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not supported; unique over all elements only")
    values, inverse, counts = np.unique(_arr(x), return_inverse=True, return_counts=True)
    out = [_const(values)]
    if return_inverse:
        out.append(_const(inverse.reshape(x.shape).astype(np.int64)))
    if return_counts:
        out.append(_const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    a = _arr(x)
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got shape {a.shape} dtype {a.dtype}")
    return _const(np.bincount(a, None if weights is None else _arr(weights), minlength))


def floor(x: Tensor) -> Tensor:
    return _const(np.floor(_arr(x)))


def ceil(x: Tensor) -> Tensor:
    return _const(np.ceil(_arr(x)))


def round(x: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    return _const(np.round(_arr(x), decimals))  # half to even, as torch


def trunc(x: Tensor) -> Tensor:
    return _const(np.trunc(_arr(x)))


def frac(x: Tensor) -> Tensor:
    """x − trunc(x): differentiable (gradient 1), as in torch."""
    return x - trunc(x)


def nan_to_num(x: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN/±inf replaced; finite entries pass their gradient through."""
    a = _arr(x)
    fixed = _const(np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf))
    return where(_const(np.isfinite(a)), x, fixed)


def clone(x: Tensor) -> Tensor:
    return x.clone()


def is_floating_point(x: Tensor) -> bool:
    return x.dtype.kind == "f"


def erf(x: Tensor) -> Tensor:
    return Erf.apply(x)


def searchsorted(sorted_sequence: Tensor, values: Any, *, right: bool = False) -> Tensor:
    seq, vals = _arr(sorted_sequence), _arr(values)
    side: Literal["left", "right"] = "right" if right else "left"
    if seq.ndim == 1:
        return _const(np.searchsorted(seq, vals, side=side).astype(np.int64))
    rows = [np.searchsorted(s, v, side=side) for s, v in zip(seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1]))]
    return _const(np.stack(rows).reshape(vals.shape).astype(np.int64))


def bucketize(input: Any, boundaries: Tensor, *, right: bool = False) -> Tensor:
    return _const(np.searchsorted(_arr(boundaries), _arr(input), side="left" if not right else "right").astype(np.int64))


def tril_indices(row: int, col: int, offset: int = 0) -> Tensor:
    return _const(np.stack(np.tril_indices(row, offset, col)).astype(np.int64))


def triu_indices(row: int, col: int, offset: int = 0) -> Tensor:
    return _const(np.stack(np.triu_indices(row, offset, col)).astype(np.int64))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Grids from 1-D tensors (differentiable: each is a reshape + expand)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = [x.numel() for x in tensors]
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(tensors):
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and len(sizes) >= 2 else i
        view = [1] * len(sizes)
        view[axis] = -1
        out.append(x.reshape(*view).expand(*sizes))
    return tuple(out)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """1-D -> a matrix with x on diagonal ``diagonal``; 2-D -> that diagonal as a vector."""
    if x.ndim == 1:
        n = x.shape[0] + abs(diagonal)
        rows = np.arange(x.shape[0]) + max(-diagonal, 0)
        cols = np.arange(x.shape[0]) + max(diagonal, 0)
        place = np.zeros((n * n, x.shape[0]), dtype=x.dtype)  # out.flat = place @ x
        place[rows * n + cols, np.arange(x.shape[0])] = 1
        return (_const(place) @ x).reshape(n, n)
    if x.ndim == 2:
        r0, c0 = max(-diagonal, 0), max(diagonal, 0)
        length = max(min(x.shape[0] - r0, x.shape[1] - c0), 0)
        return x[np.arange(length) + r0, np.arange(length) + c0]
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {tuple(x.shape)}")


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None, device: Any = None) -> Tensor:
    return base ** linspace(start, end, steps, dtype=dtype, device=device)


def randint_like(x: Tensor, low: int = 0, high: int | None = None, dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(x.shape), dtype=dtype or x.dtype)


# ------------------------------------------------------------------ Tensor methods
def _type_as(self: Tensor, other: Tensor) -> Tensor:
    return self.to(other.dtype)


def _element_size(self: Tensor) -> int:
    return int(self.dtype.itemsize)


def _stride(self: Tensor, dim: int | None = None) -> Any:
    strides = tuple(s // self.dtype.itemsize for s in self.detach().numpy().strides)
    return strides if dim is None else strides[dim]


def _is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    return bool(self.detach().numpy().flags.c_contiguous)


_METHODS = {
    "sort": sort, "argsort": argsort, "topk": topk, "isnan": isnan, "isinf": isinf, "isfinite": isfinite,
    "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "frac": frac, "reciprocal": reciprocal,
    "lerp": lerp, "nan_to_num": nan_to_num, "unique": unique, "diag": diag, "equal": equal, "allclose": allclose,
    "isclose": isclose, "unbind": unbind, "select": select, "roll": roll, "nonzero": nonzero, "t": t,
    "repeat_interleave": repeat_interleave, "tile": tile, "movedim": movedim, "swapaxes": swapaxes,
    "logical_not": logical_not, "logical_and": logical_and, "logical_or": logical_or, "bmm": bmm, "addmm": addmm,
    "log2": log2, "log10": log10, "tan": tan, "sinh": sinh, "cosh": cosh, "trace": trace, "diff": diff,
    "count_nonzero": count_nonzero, "bincount": bincount, "take_along_dim": take_along_dim, "erf": erf,
    "broadcast_to": broadcast_to, "is_floating_point": is_floating_point, "type_as": _type_as,
    "element_size": _element_size, "nelement": Tensor.numel, "stride": _stride, "is_contiguous": _is_contiguous,
}
for _name, _fn in _METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)

_ = (stack, tensor)  # re-exported helpers used by callers composing with these functions
