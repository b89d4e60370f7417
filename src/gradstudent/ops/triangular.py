"""Triangular parts of matrices: ``tril`` and ``triu``.

``tril(x, k)`` keeps the entries on and below the k-th diagonal of the last
two dimensions (``j - i <= k``) and zeroes the rest; ``triu(x, k)`` keeps
``j - i >= k``. Both are a multiplication by a fixed 0/1 mask, so the
gradient is the same mask applied to the incoming gradient.
"""

from __future__ import annotations

from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor


def _check(name: str, x: Array) -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {x.shape}")


@register("tril")
class Tril(Function):
    """z[..., i, j] = x[..., i, j] if j - i <= k else 0"""

    def forward(self, x: Array, diagonal: int = 0) -> Array:
        _check("tril", x)
        self.diagonal = diagonal
        return get_array_module(x).tril(x, diagonal)

    def backward(self, grad: Tensor) -> Tensor:
        return tril(grad, self.diagonal)  # x.grad[..., i, j] += z.grad[..., i, j] [j - i <= k]


@register("triu")
class Triu(Function):
    """z[..., i, j] = x[..., i, j] if j - i >= k else 0"""

    def forward(self, x: Array, diagonal: int = 0) -> Array:
        _check("triu", x)
        self.diagonal = diagonal
        return get_array_module(x).triu(x, diagonal)

    def backward(self, grad: Tensor) -> Tensor:
        return triu(grad, self.diagonal)  # x.grad[..., i, j] += z.grad[..., i, j] [j - i >= k]


@tensor_method("tril")
def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """Lower-triangular part of the last two dimensions (on and below diagonal ``diagonal``)."""
    return Tril.apply(x, diagonal=int(diagonal))


@tensor_method("triu")
def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """Upper-triangular part of the last two dimensions (on and above diagonal ``diagonal``)."""
    return Triu.apply(x, diagonal=int(diagonal))
