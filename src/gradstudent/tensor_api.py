"""Small conveniences of PyTorch's ``Tensor`` that real programs use.

``x.new_zeros(3, 4)`` (a tensor of ``x``'s dtype and device), ``x.mm(w)``,
``f"{loss:.4f}"`` on a 0-d tensor, ``x.is_cuda``, ``x.type()`` (PyTorch's
type name, e.g. ``"torch.FloatTensor"``). They are methods of ``Tensor``
(a mixin, like :mod:`gradstudent.tensor_ops` and :mod:`gradstudent.tensor_inplace`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._tensor_data import check_tensor_data
from .backend import get_array_module, move_to

if TYPE_CHECKING:
    from .tensor import Tensor

#: PyTorch's legacy type names (``x.type()``), by NumPy dtype name.
TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
    "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}


def _size(size: tuple[Any, ...]) -> tuple[int, ...]:
    """``new_zeros(2, 3)`` and ``new_zeros((2, 3))`` both mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return shape


class TensorAPI:
    __slots__ = ()
    _data: Any

    # ---- new tensors like this one (dtype and device) ---------------------------------
    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` as a tensor with this tensor's dtype (unless ``dtype`` is given) and device."""
        data = data.detach().numpy() if hasattr(data, "detach") else data
        if isinstance(data, list | tuple):  # (as gs.tensor: a list may hold tensors)
            data = [d._data if isinstance(d, TensorAPI) else d for d in data]
        check_tensor_data(data)
        array = get_array_module(data).array(data, dtype=self._data.dtype if dtype is None else dtype)
        return self._new_leaf(array, requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 0, dtype=dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 1, dtype=dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        array = np.empty(_shape(_size(size)), dtype=self._data.dtype if dtype is None else dtype)
        return self._new_leaf(array, requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        array = np.full(_shape(_size((size,))), fill_value, dtype=self._data.dtype if dtype is None else dtype)
        return self._new_leaf(array, requires_grad)

    def _new_leaf(self, array: Any, requires_grad: bool) -> Tensor:
        """A new leaf on this tensor's device (as ``gs.tensor(..., device=x.device)``; creation.py sits above)."""
        t: Tensor = self._make(move_to(array, self._device()))  # type: ignore[attr-defined]
        return t.requires_grad_(True) if requires_grad else t

    def _device(self) -> str:
        return self.device  # type: ignore[attr-defined,no-any-return]

    # ---- linear algebra ------------------------------------------------------------------
    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix product of two 2-D tensors (``matmul`` without broadcasting), as ``torch.mm``."""
        return mm(self, mat2)  # type: ignore[arg-type]

    # ---- Python protocols and type names --------------------------------------------------
    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats a one-element 0-d tensor's number; other tensors only with an empty spec."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    @property
    def is_cuda(self) -> bool:
        return self._device().startswith("cuda")

    def type_name(self) -> str:
        """PyTorch's type name: ``"torch.FloatTensor"`` (``"torch.cuda.FloatTensor"`` on a GPU)."""
        name = TYPE_NAMES.get(np.dtype(self._data.dtype).name, f"{self._data.dtype}Tensor")
        return f"torch.cuda.{name}" if self.is_cuda else f"torch.{name}"


def dtype_from_type_name(name: str) -> np.dtype:
    """``"torch.FloatTensor"`` (or ``"torch.cuda.FloatTensor"``) -> float32."""
    short = name.rsplit(".", 1)[-1]
    for dtype, tname in TYPE_NAMES.items():
        if tname == short:
            return np.dtype(dtype)
    raise ValueError(f"type(): invalid type {name!r}")


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """``input @ mat2`` for two matrices: (n, k) @ (k, m) -> (n, m)."""
    for name, t in (("self", input), ("mat2", mat2)):
        if getattr(t, "ndim", 0) != 2:
            raise RuntimeError(f"mm: {name} must be a matrix, got shape {tuple(getattr(t, 'shape', ()))}")
    return input @ mat2
