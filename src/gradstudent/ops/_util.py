"""Small helpers shared by the op modules: scalars to tensors, dtype promotion, axes."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import dtypes
from .._axes import normalize_dim, normalize_dims  # noqa: F401  (re-exported for the op modules)
from ..backend import Array, get_array_module
from ..tensor import Tensor


def scalar_like(value: Any, ref: Tensor) -> Tensor:
    """A 0-d tensor for a Python number used with ``ref`` (``x * 2.0``).

    The number takes ``ref``'s dtype, except that a float with an integer tensor
    takes the default float dtype, as in PyTorch.
    """
    xp = get_array_module(ref._data)
    dtype = ref._data.dtype
    if isinstance(value, float) and dtype.kind != "f":
        dtype = dtypes.get_default_dtype()
    return Tensor._make(xp.asarray(value, dtype=dtype))


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def binary_operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Turn the operands of a binary op into two tensors of one dtype."""
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError(f"expected at least one Tensor, got {type(a).__name__} and {type(b).__name__}")
        a = scalar_like(a, b) if isinstance(a, int | float | bool) else Tensor(a)
    if not isinstance(b, Tensor):
        b = scalar_like(b, a) if isinstance(b, int | float | bool) else Tensor(b)
    if a._data.dtype != b._data.dtype:
        common = dtypes.result_type(a._data.dtype, b._data.dtype)
        if (a.ndim == 0) != (b.ndim == 0):  # torch: a 0-d tensor does not widen a dimensioned one of its kind
            dimensioned = b._data.dtype if a.ndim == 0 else a._data.dtype
            if _KIND_RANK[dimensioned.kind] >= _KIND_RANK[common.kind]:  # (float32 (3,) * float64 0-d: float32)
                common = dimensioned
        if a._data.dtype != common:
            a = a.type(common)
        if b._data.dtype != common:
            b = b.type(common)
    return a, b


def broadcast_shapes(op: str, *shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast shape, or an error naming the op and the shapes."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        pretty = " and ".join(str(tuple(s)) for s in shapes)
        raise ValueError(f"{op}: shapes {pretty} cannot be broadcast together") from None


def as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def mask_like(condition: Array, like: Tensor) -> Tensor:
    """A constant 0/1 tensor in ``like``'s dtype (no gradient flows into a mask)."""
    return Tensor._make(condition.astype(like._data.dtype))


# NumPy's reductions over short rows (x.sum(-1) on 64-128-wide rows) are 4-5x slower than the
# same sums written as a product with a ones vector, which BLAS runs at full speed.
def sum_last_axis(a: Array) -> Array:
    """a.sum(-1) for a (..., n) array, as ``a @ ones(n)``."""
    return a @ get_array_module(a).ones(a.shape[-1], a.dtype)


def sum_first_axis(a: Array) -> Array:
    """a.sum(0) for an (n, m) array, as ``ones(n) @ a``."""
    return get_array_module(a).ones(a.shape[0], a.dtype) @ a
