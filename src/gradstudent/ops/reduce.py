"""Reductions: sum, mean, var/std, max/min, prod, logsumexp, norm, cumsum.

A reduction over axes ``A`` copies its gradient back along those axes::

    z[j] = sum_{a in A} x[a, j]      =>      x.grad[a, j] += z.grad[j]

``_expand_back`` puts the reduced axes back (as size 1) so broadcasting does the copy.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..autograd.function import Function, register, tensor_method
from ..backend import Array, get_array_module
from ..tensor import Tensor
from ._util import normalize_dims
from .elementwise import maximum, minimum
from .shape import cat


def _expand_back(grad: Tensor, axes: tuple[int, ...], keepdim: bool) -> Tensor:
    """Re-insert the reduced ``axes`` as size-1 dims so ``grad`` broadcasts over the input."""
    if keepdim or not axes:
        return grad
    shape = list(grad.shape)
    for a in axes:
        shape.insert(a, 1)
    return grad.reshape(tuple(shape))


@register("sum")
class Sum(Function):
    """z = sum of x over ``axes``"""

    def forward(self, x: Array, axes: tuple[int, ...], keepdim: bool) -> Array:
        self.axes, self.keepdim, self.in_shape = axes, keepdim, x.shape
        return x.sum(axis=axes, keepdims=keepdim)

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[a, j] += z.grad[j]   for every a along the summed axes
        return _expand_back(grad, self.axes, self.keepdim).expand(self.in_shape)


@register("prod")
class Prod(Function):
    """z = product of x over one axis (or all)"""

    saves_output = True

    def forward(self, x: Array, axes: tuple[int, ...], keepdim: bool) -> Array:
        self.axes, self.keepdim = axes, keepdim
        return x.prod(axis=axes, keepdims=keepdim)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        g = _expand_back(grad, self.axes, self.keepdim)
        if bool((x._data != 0).all()):
            z = _expand_back(self.saved_output(), self.axes, self.keepdim)
            return g * z / x  # x.grad[a] += z.grad * prod_{b != a} x[b] = z.grad * z / x[a]
        # with zeros, use products of all *other* elements: exclusive cumprods from both ends
        (axis,) = self.axes if len(self.axes) == 1 else (None,)
        if axis is None:
            flat = x.reshape(-1)
            return (g * _prod_of_others(flat, 0).reshape(x.shape))
        return g * _prod_of_others(x, axis)


def _prod_of_others(x: Tensor, axis: int) -> Tensor:
    """out[a] = prod_{b != a} x[b] along ``axis`` (differentiable, zero-safe)."""
    n = x.shape[axis]
    parts = []
    for a in range(n):
        others = [i for i in range(n) if i != a]
        if others:
            parts.append(x.index_select(axis, Tensor(others)).prod(axis, keepdim=True))
        else:
            parts.append(x.index_select(axis, Tensor([a])) * 0.0 + 1.0)
    return cat(parts, axis)


@register("amax")
class Amax(Function):
    """z = max of x over ``axes``; ties share the gradient equally (as torch.amax)"""

    saves_output = True

    def forward(self, x: Array, axes: tuple[int, ...], keepdim: bool, mode: str) -> Array:
        self.axes, self.keepdim = axes, keepdim
        return x.max(axis=axes, keepdims=keepdim) if mode == "max" else x.min(axis=axes, keepdims=keepdim)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        z = _expand_back(self.saved_output(), self.axes, self.keepdim)
        hit = (x._data == z._data).astype(x._data.dtype)
        share = Tensor._make(hit / hit.sum(axis=self.axes, keepdims=True))
        # x.grad[a] += z.grad * [x[a] is a max] / (number of maxima)
        return _expand_back(grad, self.axes, self.keepdim) * share


@register("cumsum")
class Cumsum(Function):
    """z[i] = sum_{k <= i} x[k] along ``dim``"""

    def forward(self, x: Array, dim: int) -> Array:
        self.dim = dim
        return x.cumsum(axis=dim)

    def backward(self, grad: Tensor) -> Tensor:
        # x.grad[k] += sum_{i >= k} z.grad[i]: a reversed cumulative sum
        return grad.flip(self.dim).cumsum(self.dim).flip(self.dim)


@register("logsumexp")
class LogSumExp(Function):
    """z = log sum_a exp(x[a]), computed as m + log sum exp(x - m) with m = max x (no overflow)"""

    saves_output = True

    def forward(self, x: Array, axes: tuple[int, ...], keepdim: bool) -> Array:
        xp = get_array_module(x)
        self.axes, self.keepdim = axes, keepdim
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        return out if keepdim else out.squeeze(axis=axes)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        z = _expand_back(self.saved_output(), self.axes, self.keepdim)
        # x.grad[a] += z.grad * softmax(x)[a]
        return _expand_back(grad, self.axes, self.keepdim) * (x - z).exp()


@register("norm")
class Norm(Function):
    """z = (sum_a |x[a]|^p)^(1/p) over ``axes``, for a finite p > 1 (p = 2: the Euclidean norm)"""

    saves_output = True

    def forward(self, x: Array, p: float, axes: tuple[int, ...], keepdim: bool) -> Array:
        xp = get_array_module(x)
        self.p, self.axes, self.keepdim = p, axes, keepdim
        if p == 2:
            return xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        return ((xp.abs(x) ** p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)).astype(x.dtype)

    def backward(self, grad: Tensor) -> Tensor:
        (x,) = self.saved_inputs()
        z = _expand_back(self.saved_output(), self.axes, self.keepdim)
        g = _expand_back(grad, self.axes, self.keepdim)
        p = self.p
        # d z / d x[a] = sign(x[a]) |x[a]|^(p-1) / z^(p-1)  (= x[a] / z for p = 2). Where z = 0
        # (an all-zero slice) torch defines the gradient as 0: divide by 1 there, then zero it.
        zero = Tensor._make(z._data == 0)
        safe_z = z.masked_fill(zero, 1.0)
        if p == 2:
            scale = (g / safe_z).masked_fill(zero, 0.0)
            return scale * x  # x.grad[a] += z.grad * x[a] / z
        scale = (g / safe_z ** (p - 1)).masked_fill(zero, 0.0)
        return scale * x.sign() * x.abs() ** (p - 1)  # x.grad[a] += z.grad * sign x[a] |x[a]|^(p-1) / z^(p-1)


class MinMaxResult(NamedTuple):
    values: Tensor
    indices: Tensor


# ---------------------------------------------------------------- public functions
def _dims(x: Tensor, dim: Any, op: str) -> tuple[int, ...]:
    if isinstance(dim, tuple | list) and not dim:
        dim = None  # torch reduces over every axis when given an empty list of dims
    axes = normalize_dims(dim, x.ndim, op)
    return axes if x.ndim else ()  # a 0-d tensor has no axis to reduce: dim 0 / -1 leaves it as is


@tensor_method("sum")
def sum(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A001
    if x._data.dtype.kind == "b":
        x = x.long()
    if dtype is not None:
        x = x.type(dtype)
    return Sum.apply(x, axes=_dims(x, dim, "sum"), keepdim=keepdim)


@tensor_method("mean")
def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    if x._data.dtype.kind != "f":
        raise TypeError(f"mean: input dtype should be floating point, got {x.dtype}")
    axes = _dims(x, dim, "mean")
    count = 1
    for a in axes:
        count *= x.shape[a]
    total = Sum.apply(x, axes=axes, keepdim=keepdim)
    return total / count if count else total * float("nan")  # the mean of nothing is NaN, as in torch


@tensor_method("var")
def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, correction: int | None = None) -> Tensor:
    """sum (x - mean)^2 / (N - correction); ``unbiased=True`` means correction=1 (the default)."""
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _dims(x, dim, "var")
    count = 1
    for a in axes:
        count *= x.shape[a]
    centered = x - mean(x, axes, keepdim=True)
    return sum(centered * centered, axes, keepdim=keepdim) / (count - correction if count > correction else 0.0)


@tensor_method("std")
def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, correction: int | None = None) -> Tensor:
    return var(x, dim, unbiased, keepdim, correction).sqrt()


@tensor_method("prod")
def prod(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return Prod.apply(x, axes=_dims(x, dim, "prod"), keepdim=keepdim)


@tensor_method("amax")
def amax(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    _nonempty(x, "amax")
    return Amax.apply(x, axes=_dims(x, dim, "amax"), keepdim=keepdim, mode="max")


@tensor_method("amin")
def amin(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    _nonempty(x, "amin")
    return Amax.apply(x, axes=_dims(x, dim, "amin"), keepdim=keepdim, mode="min")


def _nonempty(x: Tensor, op: str) -> None:
    if x.numel() == 0:
        raise RuntimeError(f"{op}: cannot reduce an empty tensor of shape {tuple(x.shape)}")


@tensor_method("max")
def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``max(x)`` -> the largest value; ``max(x, dim)`` -> (values, indices); ``max(x, y)`` -> elementwise."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    if dim is None:
        return amax(x)
    return _min_max_dim(x, dim, keepdim, "max")


@tensor_method("min")
def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return amin(x)
    return _min_max_dim(x, dim, keepdim, "min")


def _min_max_dim(x: Tensor, dim: int, keepdim: bool, mode: str) -> MinMaxResult:
    _nonempty(x, mode)
    if x.ndim == 0:  # torch: the value itself and index 0
        normalize_dims(dim, 0, mode)
        return _min_max_dim(x.reshape(1), 0, False, mode)
    (axis,) = _dims(x, dim, mode)
    idx = argmax(x, axis, keepdim=True) if mode == "max" else argmin(x, axis, keepdim=True)
    values = x.gather(axis, idx)  # the gradient goes to the chosen index only, as torch.max(dim)
    if not keepdim:
        values, idx = values.squeeze(axis), idx.squeeze(axis)
    return MinMaxResult(values, idx)


@tensor_method("argmax")
def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _nonempty(x, "argmax")
    if dim is None:
        return Tensor._make(get_array_module(x._data).asarray(x._data.argmax()).astype("int64"))
    (axis,) = normalize_dims(dim, x.ndim, "argmax")
    if x.ndim == 0:
        return Tensor._make(get_array_module(x._data).zeros((), dtype="int64"))
    return Tensor._make(x._data.argmax(axis=axis, keepdims=keepdim).astype("int64"))


@tensor_method("argmin")
def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _nonempty(x, "argmin")
    if dim is None:
        return Tensor._make(get_array_module(x._data).asarray(x._data.argmin()).astype("int64"))
    (axis,) = normalize_dims(dim, x.ndim, "argmin")
    if x.ndim == 0:
        return Tensor._make(get_array_module(x._data).zeros((), dtype="int64"))
    return Tensor._make(x._data.argmin(axis=axis, keepdims=keepdim).astype("int64"))


@tensor_method("logsumexp")
def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return LogSumExp.apply(x, axes=_dims(x, dim, "logsumexp"), keepdim=keepdim)


@tensor_method("cumsum")
def cumsum(x: Tensor, dim: int) -> Tensor:
    (axis,) = normalize_dims(dim, x.ndim, "cumsum")
    if x.ndim == 0:  # NumPy's cumsum of a 0-d array is 1-d; torch keeps it 0-d
        return Cumsum.apply(x.reshape(1), dim=0).reshape(())
    return Cumsum.apply(x, dim=axis)


@tensor_method("norm")
def norm(x: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector p-norm over ``dim`` (all elements by default); p in {1, 2, inf, -inf, 'fro', any float > 1}.

    Its gradient at an all-zero slice is 0 (a subgradient), as in torch, not NaN.
    """
    if p in (float("inf"), "inf"):
        return amax(x.abs(), dim, keepdim=keepdim)
    if p in (float("-inf"), "-inf"):
        return amin(x.abs(), dim, keepdim=keepdim)
    if p == 1:
        return sum(x.abs(), dim, keepdim=keepdim)
    if p == "fro":
        p = 2
    if not isinstance(p, int | float) or p <= 1:
        raise ValueError(f"norm: p must be 'fro', inf, -inf or a number >= 1, got {p!r}")
    return Norm.apply(x, p=float(p), axes=_dims(x, dim, "norm"), keepdim=keepdim)
