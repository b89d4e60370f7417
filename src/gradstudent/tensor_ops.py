"""The methods of ``Tensor`` that run ops (``x + y``, ``x.sum()``, ``x.reshape()``...).

Each is a one-line call into :mod:`gradstudent.ops`, where the op and its
gradient live. The op modules need the ``Tensor`` class, so they are bound
here only once it exists (see the end of ``tensor.py``).
"""

from __future__ import annotations

from typing import Any

_ew: Any = None
_red: Any = None
_shp: Any = None
_idx: Any = None
_la: Any = None
_nn: Any = None


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
    def __add__(self, other: Any) -> Any: return _ew.add(self, other)
    def __radd__(self, other: Any) -> Any: return _ew.add(other, self)
    def __sub__(self, other: Any) -> Any: return _ew.sub(self, other)
    def __rsub__(self, other: Any) -> Any: return _ew.sub(other, self)
    def __mul__(self, other: Any) -> Any: return _ew.mul(self, other)
    def __rmul__(self, other: Any) -> Any: return _ew.mul(other, self)
    def __truediv__(self, other: Any) -> Any: return _ew.div(self, other)
    def __rtruediv__(self, other: Any) -> Any: return _ew.div(other, self)
    def __pow__(self, other: Any) -> Any: return _ew.pow(self, other)
    def __rpow__(self, other: Any) -> Any: return _ew.pow(other, self)
    def __matmul__(self, other: Any) -> Any: return _la.matmul(self, other)
    def __rmatmul__(self, other: Any) -> Any: return _la.matmul(other, self)
    def __neg__(self) -> Any: return _ew.neg(self)
    def __pos__(self) -> Any: return self
    def __abs__(self) -> Any: return _ew.abs(self)
    def __floordiv__(self, other: Any) -> Any: return self._compare(other, "floor_divide")
    def __mod__(self, other: Any) -> Any: return self._compare(other, "remainder")

    # ---- comparisons and logic: results are constants (no gradient)
    def _compare(self, other: Any, name: str) -> Any:
        from .backend import get_array_module

        a, b = _ew.binary_operands(self, other)
        xp = get_array_module(a.data)
        return type(self)._make(getattr(xp, name)(a.data, b.data))  # type: ignore[attr-defined]

    def __eq__(self, other: Any) -> Any: return self._compare(other, "equal")  # type: ignore[override]
    def __ne__(self, other: Any) -> Any: return self._compare(other, "not_equal")  # type: ignore[override]
    def __lt__(self, other: Any) -> Any: return self._compare(other, "less")
    def __le__(self, other: Any) -> Any: return self._compare(other, "less_equal")
    def __gt__(self, other: Any) -> Any: return self._compare(other, "greater")
    def __ge__(self, other: Any) -> Any: return self._compare(other, "greater_equal")
    def __and__(self, other: Any) -> Any: return self._compare(other, "logical_and")
    def __or__(self, other: Any) -> Any: return self._compare(other, "logical_or")
    def __xor__(self, other: Any) -> Any: return self._compare(other, "logical_xor")
    def __invert__(self) -> Any: return type(self)._make(~self.data)  # type: ignore[attr-defined]
    def eq(self, other: Any) -> Any: return self.__eq__(other)
    def ne(self, other: Any) -> Any: return self.__ne__(other)
    def lt(self, other: Any) -> Any: return self.__lt__(other)
    def le(self, other: Any) -> Any: return self.__le__(other)
    def gt(self, other: Any) -> Any: return self.__gt__(other)
    def ge(self, other: Any) -> Any: return self.__ge__(other)
    def logical_not(self) -> Any: return type(self)._make(~self.data.astype(bool))  # type: ignore[attr-defined]

    # ---- elementwise math
    def add(self, other: Any) -> Any: return _ew.add(self, other)
    def sub(self, other: Any) -> Any: return _ew.sub(self, other)
    def mul(self, other: Any) -> Any: return _ew.mul(self, other)
    def div(self, other: Any) -> Any: return _ew.div(self, other)
    def pow(self, other: Any) -> Any: return _ew.pow(self, other)
    def neg(self) -> Any: return _ew.neg(self)
    def abs(self) -> Any: return _ew.abs(self)
    def exp(self) -> Any: return _ew.exp(self)
    def log(self) -> Any: return _ew.log(self)
    def log1p(self) -> Any: return _ew.log1p(self)
    def expm1(self) -> Any: return _ew.expm1(self)
    def sqrt(self) -> Any: return _ew.sqrt(self)
    def rsqrt(self) -> Any: return _ew.rsqrt(self)
    def sin(self) -> Any: return _ew.sin(self)
    def cos(self) -> Any: return _ew.cos(self)
    def tanh(self) -> Any: return _ew.tanh(self)
    def sigmoid(self) -> Any: return _ew.sigmoid(self)
    def relu(self) -> Any: return _ew.relu(self)
    def sign(self) -> Any: return _ew.sign(self)
    def square(self) -> Any: return _ew.square(self)
    def clamp(self, min: Any = None, max: Any = None) -> Any: return _ew.clamp(self, min, max)  # noqa: A002
    clip = clamp
    def maximum(self, other: Any) -> Any: return _ew.maximum(self, other)
    def minimum(self, other: Any) -> Any: return _ew.minimum(self, other)
    def where(self, condition: Any, other: Any) -> Any: return _ew.where(condition, self, other)
    def softmax(self, dim: int) -> Any: return _nn.Softmax.apply(self, dim=dim % max(self.ndim, 1))  # type: ignore[attr-defined]
    def log_softmax(self, dim: int) -> Any: return _nn.LogSoftmax.apply(self, dim=dim % max(self.ndim, 1))  # type: ignore[attr-defined]

    # ---- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any: return _red.sum(self, dim, keepdim, dtype)
    def mean(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.mean(self, dim, keepdim)
    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Any:
        return _red.var(self, dim, unbiased, keepdim, correction)
    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, correction: Any = None) -> Any:
        return _red.std(self, dim, unbiased, keepdim, correction)
    def max(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.max(self, dim, keepdim)
    def min(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.min(self, dim, keepdim)
    def amax(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.amax(self, dim, keepdim)
    def amin(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.amin(self, dim, keepdim)
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.argmax(self, dim, keepdim)
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.argmin(self, dim, keepdim)
    def prod(self, dim: Any = None, keepdim: bool = False) -> Any: return _red.prod(self, dim, keepdim)
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Any: return _red.logsumexp(self, dim, keepdim)
    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Any: return _red.norm(self, p, dim, keepdim)
    def cumsum(self, dim: int) -> Any: return _red.cumsum(self, dim)
    def all(self) -> Any: return type(self)._make(self.data.all())  # type: ignore[attr-defined]
    def any(self) -> Any: return type(self)._make(self.data.any())  # type: ignore[attr-defined]

    # ---- shape
    def reshape(self, *shape: Any) -> Any: return _shp.reshape(self, *shape)
    def view(self, *shape: Any) -> Any:
        if len(shape) == 1 and not isinstance(shape[0], int | tuple | list):  # view(dtype)
            return type(self)._make(self.data.view(shape[0]))  # type: ignore[attr-defined]
        return _shp.reshape(self, *shape)
    def view_as(self, other: Any) -> Any: return _shp.reshape(self, other.shape)
    def reshape_as(self, other: Any) -> Any: return _shp.reshape(self, other.shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any: return _shp.flatten(self, start_dim, end_dim)
    def unflatten(self, dim: int, sizes: Any) -> Any: return _shp.unflatten(self, dim, sizes)
    def permute(self, *dims: Any) -> Any: return _shp.permute(self, *dims)
    def transpose(self, dim0: int, dim1: int) -> Any: return _shp.transpose(self, dim0, dim1)
    def t(self) -> Any: return _shp.transpose(self, 0, -1) if self.ndim == 2 else self  # type: ignore[attr-defined]
    @property
    def T(self) -> Any: return _shp.permute(self, *reversed(range(self.ndim)))  # type: ignore[attr-defined]
    @property
    def mT(self) -> Any: return _shp.transpose(self, -2, -1)
    def movedim(self, source: int, destination: int) -> Any:
        dims = list(range(self.ndim))  # type: ignore[attr-defined]
        dims.insert(destination % self.ndim, dims.pop(source % self.ndim))  # type: ignore[attr-defined]
        return _shp.permute(self, *dims)
    def squeeze(self, dim: Any = None) -> Any: return _shp.squeeze(self, dim)
    def unsqueeze(self, dim: int) -> Any: return _shp.unsqueeze(self, dim)
    def expand(self, *shape: Any) -> Any: return _shp.expand(self, *shape)
    def expand_as(self, other: Any) -> Any: return _shp.expand(self, other.shape)
    def repeat(self, *repeats: Any) -> Any: return _shp.repeat(self, *repeats)
    def split(self, split_size: Any, dim: int = 0) -> Any: return _shp.split(self, split_size, dim)
    def chunk(self, chunks: int, dim: int = 0) -> Any: return _shp.chunk(self, chunks, dim)
    def narrow(self, dim: int, start: int, length: int) -> Any: return _shp.narrow(self, dim, start, length)
    def flip(self, *dims: Any) -> Any: return _shp.flip(self, *dims)
    def contiguous(self) -> Any: return self

    # ---- indexing
    def __getitem__(self, index: Any) -> Any: return _idx.getitem(self, index)
    def __setitem__(self, index: Any, value: Any) -> None: _idx.setitem(self, index, value)
    def gather(self, dim: int, index: Any) -> Any: return _idx.gather(self, dim, index)
    def scatter_add(self, dim: int, index: Any, src: Any) -> Any: return _idx.scatter_add(self, dim, index, src)
    def index_select(self, dim: int, index: Any) -> Any: return _idx.index_select(self, dim, index)
    def masked_fill(self, mask: Any, value: Any) -> Any: return _idx.masked_fill(self, mask, value)
    def masked_select(self, mask: Any) -> Any: return _idx.masked_select(self, mask)

    # ---- linear algebra
    def matmul(self, other: Any) -> Any: return _la.matmul(self, other)
    def outer(self, other: Any) -> Any: return _la.outer(self, other)
    def dot(self, other: Any) -> Any: return _la.dot(self, other)
