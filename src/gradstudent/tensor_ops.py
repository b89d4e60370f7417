"""The methods of ``Tensor`` that run ops (``x + y``, ``x.sum()``, ``x.reshape()``...).

Each is a one-line call into :mod:`gradstudent.ops`, where the op and its
gradient live. The op modules need the ``Tensor`` class, so they are bound
here only once it exists (see the end of ``tensor.py``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .autograd.function import TENSOR_METHODS

if TYPE_CHECKING:
    from .tensor import Tensor

_ew: Any = None
_red: Any = None
_shp: Any = None
_idx: Any = None
_la: Any = None
_nn: Any = None


def _dim(dim: int, ndim: int, op: str) -> int:
    from .ops._util import normalize_dim

    return normalize_dim(dim, ndim, op)


def bind_ops() -> None:
    """Import the op modules (called once, after ``Tensor`` is defined)."""
    global _ew, _red, _shp, _idx, _la, _nn
    from .ops import elementwise as _ew
    from .ops import index as _idx
    from .ops import linalg as _la
    from .ops import nn_ops as _nn
    from .ops import reduce as _red
    from .ops import shape as _shp


class TensorOps:
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        """Methods declared by an op's registration (``@register(name, method=...)``)."""
        apply = TENSOR_METHODS.get(name)
        if apply is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")
        return functools.partial(apply, self)
    # ---- where the data lives
    @property
    def is_cuda(self) -> bool:
        """True when the array is on a GPU (a CuPy array)."""
        return self.device == "cuda"  # type: ignore[attr-defined]

    @property
    def is_cpu(self) -> bool:
        return self.device == "cpu"  # type: ignore[attr-defined]

    def get_device(self) -> int:
        """-1 on the CPU, else the GPU's index (PyTorch's convention)."""
        return -1 if self.device == "cpu" else 0  # type: ignore[attr-defined]

    # ---- triangular parts (ops/triangular.py)
    def tril(self, diagonal: int = 0) -> Any:
        from .ops.triangular import tril

        return tril(self, diagonal)  # type: ignore[arg-type]

    def triu(self, diagonal: int = 0) -> Any:
        from .ops.triangular import triu

        return triu(self, diagonal)  # type: ignore[arg-type]

    # ---- arithmetic operators
    def __add__(self, other: Any) -> Tensor: return _ew.add(self, other)
    def __radd__(self, other: Any) -> Tensor: return _ew.add(other, self)
    def __sub__(self, other: Any) -> Tensor: return _ew.sub(self, other)
    def __rsub__(self, other: Any) -> Tensor: return _ew.sub(other, self)
    def __mul__(self, other: Any) -> Tensor: return _ew.mul(self, other)
    def __rmul__(self, other: Any) -> Tensor: return _ew.mul(other, self)
    def __truediv__(self, other: Any) -> Tensor: return _ew.div(self, other)
    def __rtruediv__(self, other: Any) -> Tensor: return _ew.div(other, self)
    def __pow__(self, other: Any) -> Tensor: return _ew.pow(self, other)
    def __rpow__(self, other: Any) -> Tensor: return _ew.pow(other, self)
    def __matmul__(self, other: Any) -> Tensor: return _la.matmul(self, other)
    def __rmatmul__(self, other: Any) -> Tensor: return _la.matmul(other, self)
    def __neg__(self) -> Tensor: return _ew.neg(self)
    def __pos__(self) -> Tensor: return self  # type: ignore[return-value]
    def __abs__(self) -> Tensor: return _ew.abs(self)
    def __floordiv__(self, other: Any) -> Tensor: return self._compare(other, "floor_divide")
    def __mod__(self, other: Any) -> Tensor: return self._compare(other, "remainder")

    # ---- comparisons and logic: results are constants (no gradient)
    def _compare(self, other: Any, name: str) -> Tensor:
        from .backend import get_array_module

        a, b = _ew.binary_operands(self, other)
        xp = get_array_module(a._data)
        return type(self)._make(getattr(xp, name)(a._data, b._data))  # type: ignore[attr-defined]

    def __eq__(self, other: Any) -> Tensor: return self._compare(other, "equal")  # type: ignore[override]
    def __ne__(self, other: Any) -> Tensor: return self._compare(other, "not_equal")  # type: ignore[override]
    def __lt__(self, other: Any) -> Tensor: return self._compare(other, "less")
    def __le__(self, other: Any) -> Tensor: return self._compare(other, "less_equal")
    def __gt__(self, other: Any) -> Tensor: return self._compare(other, "greater")
    def __ge__(self, other: Any) -> Tensor: return self._compare(other, "greater_equal")
    def __and__(self, other: Any) -> Tensor: return self._compare(other, "logical_and")
    def __or__(self, other: Any) -> Tensor: return self._compare(other, "logical_or")
    def __xor__(self, other: Any) -> Tensor: return self._compare(other, "logical_xor")
    def __invert__(self) -> Tensor: return type(self)._make(~self._data)  # type: ignore[attr-defined]
    def eq(self, other: Any) -> Tensor: return self.__eq__(other)
    def ne(self, other: Any) -> Tensor: return self.__ne__(other)
    def lt(self, other: Any) -> Tensor: return self.__lt__(other)
    def le(self, other: Any) -> Tensor: return self.__le__(other)
    def gt(self, other: Any) -> Tensor: return self.__gt__(other)
    def ge(self, other: Any) -> Tensor: return self.__ge__(other)
    def logical_not(self) -> Tensor: return type(self)._make(~self._data.astype(bool))  # type: ignore[attr-defined]

    # ---- elementwise math
    def add(self, other: Any) -> Tensor: return _ew.add(self, other)
    def sub(self, other: Any) -> Tensor: return _ew.sub(self, other)
    def mul(self, other: Any) -> Tensor: return _ew.mul(self, other)
    def div(self, other: Any) -> Tensor: return _ew.div(self, other)
    def pow(self, other: Any) -> Tensor: return _ew.pow(self, other)
    def neg(self) -> Tensor: return _ew.neg(self)
    def abs(self) -> Tensor: return _ew.abs(self)
    def exp(self) -> Tensor: return _ew.exp(self)
    def log(self) -> Tensor: return _ew.log(self)
    def log1p(self) -> Tensor: return _ew.log1p(self)
    def expm1(self) -> Tensor: return _ew.expm1(self)
    def sqrt(self) -> Tensor: return _ew.sqrt(self)
    def rsqrt(self) -> Tensor: return _ew.rsqrt(self)
    def sin(self) -> Tensor: return _ew.sin(self)
    def cos(self) -> Tensor: return _ew.cos(self)
    def tanh(self) -> Tensor: return _ew.tanh(self)
    def sigmoid(self) -> Tensor: return _ew.sigmoid(self)
    def relu(self) -> Tensor: return _ew.relu(self)
    def sign(self) -> Tensor: return _ew.sign(self)
    def square(self) -> Tensor: return _ew.square(self)
    def clamp(self, min: Any = None, max: Any = None) -> Tensor: return _ew.clamp(self, min, max)  # noqa: A002
    clip = clamp
    def maximum(self, other: Any) -> Tensor: return _ew.maximum(self, other)
    def minimum(self, other: Any) -> Tensor: return _ew.minimum(self, other)
    def where(self, condition: Any, other: Any) -> Tensor: return _ew.where(condition, self, other)
    def softmax(self, dim: int) -> Tensor: return _nn.Softmax.apply(self, dim=_dim(dim, self.ndim, "softmax"))  # type: ignore[attr-defined]
    def log_softmax(self, dim: int) -> Tensor: return _nn.LogSoftmax.apply(self, dim=_dim(dim, self.ndim, "log_softmax"))  # type: ignore[attr-defined]

    # ---- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor: return _red.sum(self, dim, keepdim, dtype)
    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.mean(self, dim, keepdim)
    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Tensor:
        return _red.var(self, dim, unbiased, keepdim, correction)
    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Tensor:
        return _red.std(self, dim, unbiased, keepdim, correction)
    def max(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.max(self, dim, keepdim)  # a Tensor, or (values, indices)
    def min(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.min(self, dim, keepdim)  # a Tensor, or (values, indices)
    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.amax(self, dim, keepdim)
    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.amin(self, dim, keepdim)
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.argmax(self, dim, keepdim)
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.argmin(self, dim, keepdim)
    def prod(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.prod(self, dim, keepdim)
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor: return _red.logsumexp(self, dim, keepdim)
    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor: return _red.norm(self, p, dim, keepdim)
    def cumsum(self, dim: int) -> Tensor: return _red.cumsum(self, dim)
    def all(self) -> Tensor: return type(self)._make(self._data.all())  # type: ignore[attr-defined]
    def any(self) -> Tensor: return type(self)._make(self._data.any())  # type: ignore[attr-defined]

    # ---- shape
    def reshape(self, *shape: Any) -> Tensor: return _shp.reshape(self, *shape)
    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], int | tuple | list):  # view(dtype)
            return type(self)._make(self._data.view(shape[0]))  # type: ignore[attr-defined]
        return _shp.reshape(self, *shape)
    def view_as(self, other: Any) -> Tensor: return _shp.reshape(self, other.shape)
    def reshape_as(self, other: Any) -> Tensor: return _shp.reshape(self, other.shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: return _shp.flatten(self, start_dim, end_dim)
    def unflatten(self, dim: int, sizes: Any) -> Tensor: return _shp.unflatten(self, dim, sizes)
    def permute(self, *dims: Any) -> Tensor: return _shp.permute(self, *dims)
    def transpose(self, dim0: int, dim1: int) -> Tensor: return _shp.transpose(self, dim0, dim1)
    def t(self) -> Tensor:
        if self.ndim > 2:  # type: ignore[attr-defined]
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")  # type: ignore[attr-defined]
        return _shp.transpose(self, 0, -1) if self.ndim == 2 else self  # type: ignore[attr-defined, return-value]
    @property
    def T(self) -> Tensor: return _shp.permute(self, *reversed(range(self.ndim)))  # type: ignore[attr-defined]
    @property
    def mT(self) -> Tensor: return _shp.transpose(self, -2, -1)
    def movedim(self, source: int, destination: int) -> Tensor:
        dims = list(range(self.ndim))  # type: ignore[attr-defined]
        dims.insert(_dim(destination, self.ndim, "movedim"), dims.pop(_dim(source, self.ndim, "movedim")))  # type: ignore[attr-defined]
        return _shp.permute(self, *dims)
    def squeeze(self, dim: Any = None) -> Tensor: return _shp.squeeze(self, dim)
    def unsqueeze(self, dim: int) -> Tensor: return _shp.unsqueeze(self, dim)
    def expand(self, *shape: Any) -> Tensor: return _shp.expand(self, *shape)
    def expand_as(self, other: Any) -> Tensor: return _shp.expand(self, other.shape)
    def repeat(self, *repeats: Any) -> Tensor: return _shp.repeat(self, *repeats)
    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]: return _shp.split(self, split_size, dim)
    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]: return _shp.chunk(self, chunks, dim)
    def narrow(self, dim: int, start: int, length: int) -> Tensor: return _shp.narrow(self, dim, start, length)
    def flip(self, *dims: Any) -> Tensor: return _shp.flip(self, *dims)
    def sum_to_size(self, *size: Any) -> Tensor:
        """Sum broadcast axes away down to ``size`` (the adjoint of broadcasting; the engine's unbroadcast)."""
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else tuple(size)
        return _shp.sum_to_shape(self, shape)
    def contiguous(self) -> Tensor:
        """``self`` when its memory is already in row-major order, else a row-major copy (differentiable)."""
        return self if self.is_contiguous() else self.clone()  # type: ignore[attr-defined, return-value]
    def is_contiguous(self) -> bool: return bool(self._data.flags.c_contiguous)  # type: ignore[attr-defined]

    # ---- indexing
    def __getitem__(self, index: Any) -> Tensor: return _idx.getitem(self, index)
    def __setitem__(self, index: Any, value: Any) -> None: _idx.setitem(self, index, value)
    def gather(self, dim: int, index: Any) -> Tensor: return _idx.gather(self, dim, index)
    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor: return _idx.scatter_add(self, dim, index, src)
    def index_select(self, dim: int, index: Any) -> Tensor: return _idx.index_select(self, dim, index)
    def masked_fill(self, mask: Any, value: Any) -> Tensor: return _idx.masked_fill(self, mask, value)
    def masked_select(self, mask: Any) -> Tensor: return _idx.masked_select(self, mask)

    # ---- linear algebra
    def matmul(self, other: Any) -> Tensor: return _la.matmul(self, other)
    def outer(self, other: Any) -> Tensor: return _la.outer(self, other)
    def dot(self, other: Any) -> Tensor: return _la.dot(self, other)
