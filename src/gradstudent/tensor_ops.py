"""The methods of ``Tensor`` that run ops (``x + y``, ``x.sum()``, ``x.reshape()``...).

The ops live in :mod:`gradstudent.ops`, a layer *above* the Tensor class (they make
tensors), so this module never imports them. Each method is a typed one-line stub that
looks its op up in the registration table ``_OPS`` (``autograd.function.TENSOR_METHODS``),
which the op modules fill as they load (``@register(..., method=...)`` on a Function,
``@tensor_method(...)`` on a public op function; ``import gradstudent`` loads them all).
A registered method without a stub here is served by :meth:`TensorOps.__getattr__`.
See docs/engine.md, "Layers".
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, overload

from ._axes import normalize_dim
from .autograd.function import TENSOR_METHODS as _OPS

if TYPE_CHECKING:
    from .backend import Array
    from .ops.reduce import MinMaxResult
    from .tensor import Tensor


class TensorOps:
    __slots__ = ()

    if TYPE_CHECKING:  # provided by Tensor (tensor.py)
        _data: Array

        @property
        def ndim(self) -> int: ...

        @property
        def device(self) -> str: ...

        @staticmethod
        def _make(data: Array, requires_grad: bool = False) -> Tensor: ...

        def clone(self) -> Tensor: ...

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """Methods declared by an op's registration (``@register(name, method=...)``); the private
        entries (``_rebase``, ``_cast``...) are for the typed methods only."""
        apply = None if name.startswith("_") else _OPS.get(name)
        if apply is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")
        return functools.partial(apply, self)
    # ---- where the data lives
    @property
    def is_cuda(self) -> bool:
        """True when the array is on a GPU (a CuPy array)."""
        return self.device == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device == "cpu"

    def get_device(self) -> int:
        """-1 on the CPU, else the GPU's index (PyTorch's convention)."""
        return -1 if self.device == "cpu" else 0

    # ---- triangular parts (ops/triangular.py)
    def tril(self, diagonal: int = 0) -> Tensor: return _OPS["tril"](self, diagonal)
    def triu(self, diagonal: int = 0) -> Tensor: return _OPS["triu"](self, diagonal)

    # ---- arithmetic operators
    def __add__(self, other: Any) -> Tensor: return _OPS["add"](self, other)
    def __radd__(self, other: Any) -> Tensor: return _OPS["add"](other, self)
    def __sub__(self, other: Any) -> Tensor: return _OPS["sub"](self, other)
    def __rsub__(self, other: Any) -> Tensor: return _OPS["sub"](other, self)
    def __mul__(self, other: Any) -> Tensor: return _OPS["mul"](self, other)
    def __rmul__(self, other: Any) -> Tensor: return _OPS["mul"](other, self)
    def __truediv__(self, other: Any) -> Tensor: return _OPS["div"](self, other)
    def __rtruediv__(self, other: Any) -> Tensor: return _OPS["div"](other, self)
    def __pow__(self, other: Any) -> Tensor: return _OPS["pow"](self, other)
    def __rpow__(self, other: Any) -> Tensor: return _OPS["pow"](other, self)
    def __matmul__(self, other: Any) -> Tensor: return _OPS["matmul"](self, other)
    def __rmatmul__(self, other: Any) -> Tensor: return _OPS["matmul"](other, self)
    def __neg__(self) -> Tensor: return _OPS["neg"](self)
    def __pos__(self) -> Tensor: return self  # type: ignore[return-value]
    def __abs__(self) -> Tensor: return _OPS["abs"](self)
    def __floordiv__(self, other: Any) -> Tensor: return self._compare(other, "floor_divide")
    def __mod__(self, other: Any) -> Tensor: return self._compare(other, "remainder")

    # ---- comparisons and logic: results are constants (no gradient)
    def _compare(self, other: Any, name: str) -> Tensor: return _OPS["_compare"](self, other, name)

    def __eq__(self, other: Any) -> Tensor: return self._compare(other, "equal")  # type: ignore[override]
    def __ne__(self, other: Any) -> Tensor: return self._compare(other, "not_equal")  # type: ignore[override]
    def __lt__(self, other: Any) -> Tensor: return self._compare(other, "less")
    def __le__(self, other: Any) -> Tensor: return self._compare(other, "less_equal")
    def __gt__(self, other: Any) -> Tensor: return self._compare(other, "greater")
    def __ge__(self, other: Any) -> Tensor: return self._compare(other, "greater_equal")
    def __and__(self, other: Any) -> Tensor: return self._compare(other, "logical_and")
    def __or__(self, other: Any) -> Tensor: return self._compare(other, "logical_or")
    def __xor__(self, other: Any) -> Tensor: return self._compare(other, "logical_xor")
    def __invert__(self) -> Tensor: return self._make(~self._data)
    def eq(self, other: Any) -> Tensor: return self.__eq__(other)
    def ne(self, other: Any) -> Tensor: return self.__ne__(other)
    def lt(self, other: Any) -> Tensor: return self.__lt__(other)
    def le(self, other: Any) -> Tensor: return self.__le__(other)
    def gt(self, other: Any) -> Tensor: return self.__gt__(other)
    def ge(self, other: Any) -> Tensor: return self.__ge__(other)
    def logical_not(self) -> Tensor: return self._make(~self._data.astype(bool))

    # ---- elementwise math
    def add(self, other: Any) -> Tensor: return _OPS["add"](self, other)
    def sub(self, other: Any) -> Tensor: return _OPS["sub"](self, other)
    def mul(self, other: Any) -> Tensor: return _OPS["mul"](self, other)
    def div(self, other: Any) -> Tensor: return _OPS["div"](self, other)
    def pow(self, other: Any) -> Tensor: return _OPS["pow"](self, other)
    def neg(self) -> Tensor: return _OPS["neg"](self)
    def abs(self) -> Tensor: return _OPS["abs"](self)
    def exp(self) -> Tensor: return _OPS["exp"](self)
    def log(self) -> Tensor: return _OPS["log"](self)
    def log1p(self) -> Tensor: return _OPS["log1p"](self)
    def expm1(self) -> Tensor: return _OPS["expm1"](self)
    def sqrt(self) -> Tensor: return _OPS["sqrt"](self)
    def rsqrt(self) -> Tensor: return _OPS["rsqrt"](self)
    def sin(self) -> Tensor: return _OPS["sin"](self)
    def cos(self) -> Tensor: return _OPS["cos"](self)
    def tanh(self) -> Tensor: return _OPS["tanh"](self)
    def sigmoid(self) -> Tensor: return _OPS["sigmoid"](self)
    def relu(self) -> Tensor: return _OPS["relu"](self)
    def sign(self) -> Tensor: return _OPS["sign"](self)
    def square(self) -> Tensor: return _OPS["square"](self)
    def clamp(self, min: Any = None, max: Any = None) -> Tensor: return _OPS["clamp"](self, min, max)  # noqa: A002
    clip = clamp
    def maximum(self, other: Any) -> Tensor: return _OPS["maximum"](self, other)
    def minimum(self, other: Any) -> Tensor: return _OPS["minimum"](self, other)
    def where(self, condition: Any, other: Any) -> Tensor: return _OPS["where"](condition, self, other)
    def softmax(self, dim: int) -> Tensor: return _OPS["softmax"](self, dim)
    def log_softmax(self, dim: int) -> Tensor: return _OPS["log_softmax"](self, dim)

    # ---- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor: return _OPS["sum"](self, dim, keepdim, dtype)
    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["mean"](self, dim, keepdim)
    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Tensor:
        return _OPS["var"](self, dim, unbiased, keepdim, correction)
    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Tensor:
        return _OPS["std"](self, dim, unbiased, keepdim, correction)
    @overload
    def max(self, dim: None = None, keepdim: bool = False) -> Tensor: ...
    @overload
    def max(self, dim: int, keepdim: bool = False) -> MinMaxResult: ...
    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MinMaxResult:
        """The largest element; with ``dim``: (values, indices) along it."""
        return _OPS["max"](self, dim, keepdim)
    @overload
    def min(self, dim: None = None, keepdim: bool = False) -> Tensor: ...
    @overload
    def min(self, dim: int, keepdim: bool = False) -> MinMaxResult: ...
    def min(self, dim: int | None = None, keepdim: bool = False) -> Tensor | MinMaxResult:
        """The smallest element; with ``dim``: (values, indices) along it."""
        return _OPS["min"](self, dim, keepdim)
    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["amax"](self, dim, keepdim)
    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["amin"](self, dim, keepdim)
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["argmax"](self, dim, keepdim)
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["argmin"](self, dim, keepdim)
    def prod(self, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["prod"](self, dim, keepdim)
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor: return _OPS["logsumexp"](self, dim, keepdim)
    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor: return _OPS["norm"](self, p, dim, keepdim)
    def cumsum(self, dim: int) -> Tensor: return _OPS["cumsum"](self, dim)
    def all(self) -> Tensor: return self._make(self._data.all())
    def any(self) -> Tensor: return self._make(self._data.any())

    # ---- shape
    def reshape(self, *shape: Any) -> Tensor: return _OPS["reshape"](self, *shape)
    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], int | tuple | list):  # view(dtype)
            return self._make(self._data.view(shape[0]))
        return _OPS["reshape"](self, *shape)
    def view_as(self, other: Any) -> Tensor: return _OPS["reshape"](self, other.shape)
    def reshape_as(self, other: Any) -> Tensor: return _OPS["reshape"](self, other.shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: return _OPS["flatten"](self, start_dim, end_dim)
    def unflatten(self, dim: int, sizes: Any) -> Tensor: return _OPS["unflatten"](self, dim, sizes)
    def permute(self, *dims: Any) -> Tensor: return _OPS["permute"](self, *dims)
    def transpose(self, dim0: int, dim1: int) -> Tensor: return _OPS["transpose"](self, dim0, dim1)
    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return _OPS["transpose"](self, 0, -1) if self.ndim == 2 else self  # type: ignore[return-value]  # (self is a Tensor)
    @property
    def T(self) -> Tensor: return _OPS["permute"](self, *reversed(range(self.ndim)))
    @property
    def mT(self) -> Tensor: return _OPS["transpose"](self, -2, -1)
    def movedim(self, source: int, destination: int) -> Tensor:
        dims = list(range(self.ndim))
        dims.insert(normalize_dim(destination, self.ndim, "movedim"), dims.pop(normalize_dim(source, self.ndim, "movedim")))
        return _OPS["permute"](self, *dims)
    def squeeze(self, dim: Any = None) -> Tensor: return _OPS["squeeze"](self, dim)
    def unsqueeze(self, dim: int) -> Tensor: return _OPS["unsqueeze"](self, dim)
    def expand(self, *shape: Any) -> Tensor: return _OPS["expand"](self, *shape)
    def expand_as(self, other: Any) -> Tensor: return _OPS["expand"](self, other.shape)
    def repeat(self, *repeats: Any) -> Tensor: return _OPS["repeat"](self, *repeats)
    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]: return _OPS["split"](self, split_size, dim)
    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]: return _OPS["chunk"](self, chunks, dim)
    def narrow(self, dim: int, start: int, length: int) -> Tensor: return _OPS["narrow"](self, dim, start, length)
    def flip(self, *dims: Any) -> Tensor: return _OPS["flip"](self, *dims)
    def sum_to_size(self, *size: Any) -> Tensor:
        """Sum broadcast axes away down to ``size`` (the adjoint of broadcasting; the engine's unbroadcast)."""
        shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else tuple(size)
        return _OPS["sum_to_shape"](self, shape)
    def contiguous(self) -> Tensor:
        """``self`` when its memory is already in row-major order, else a row-major copy (differentiable)."""
        return self if self.is_contiguous() else self.clone()  # type: ignore[return-value]  # (self is a Tensor)
    def is_contiguous(self) -> bool: return bool(self._data.flags.c_contiguous)

    # ---- indexing
    def __getitem__(self, index: Any) -> Tensor: return _OPS["getitem"](self, index)
    def __setitem__(self, index: Any, value: Any) -> None: _OPS["_setitem"](self, index, value)
    def gather(self, dim: int, index: Any) -> Tensor: return _OPS["gather"](self, dim, index)
    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor: return _OPS["scatter_add"](self, dim, index, src)
    def index_select(self, dim: int, index: Any) -> Tensor: return _OPS["index_select"](self, dim, index)
    def masked_fill(self, mask: Any, value: Any) -> Tensor: return _OPS["masked_fill"](self, mask, value)
    def masked_select(self, mask: Any) -> Tensor: return _OPS["masked_select"](self, mask)

    # ---- linear algebra
    def matmul(self, other: Any) -> Tensor: return _OPS["matmul"](self, other)
    def outer(self, other: Any) -> Tensor: return _OPS["outer"](self, other)
    def dot(self, other: Any) -> Tensor: return _OPS["dot"](self, other)
