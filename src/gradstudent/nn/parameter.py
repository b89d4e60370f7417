"""``Parameter``: a tensor that a Module registers as learnable."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that ``Module`` collects in ``parameters()``."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            from ..creation import empty

            data = empty(0)
        array = data._data if isinstance(data, Tensor) else Tensor(data)._data
        self._set_fields(array, False)  # shares memory with the tensor it wraps, like torch
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute."""

    __slots__ = ()

    def __init__(self, data: Any, persistent: bool = True) -> None:
        super().__init__(data._data if isinstance(data, Tensor) else data)
