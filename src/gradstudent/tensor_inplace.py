"""In-place ops of ``Tensor`` (``add_``, ``zero_``, ``copy_``, ``normal_``...).

They change ``data`` directly and bump the version counter, so a backward that
still needs the old values notices and says so. On leaves that require grad
they are allowed only under ``no_grad()`` (how optimizers and ``nn.init`` work).
"""

from __future__ import annotations

from typing import Any

from .autograd.grad_mode import state
from .backend import get_array_module
from .tensor_ops import TensorOps


class InplaceOps:
    __slots__ = ()
    data: Any
    requires_grad: bool
    _ctx: Any
    _version: int

    def _inplace(self, op: str) -> None:
        if self.requires_grad and self._ctx is None and state.grad_enabled:
            raise RuntimeError(
                f"{op}: a leaf tensor that requires grad (shape {tuple(self.shape)}) is used in an in-place "
                f"operation. Wrap it in `with gradstudent.no_grad():` (as optimizers do) or use {op.rstrip('_')}."
            )
        if self._ctx is not None and state.grad_enabled:
            raise RuntimeError(f"{op}: in-place ops on tensors that are part of a graph are not supported; use the out-of-place {op.rstrip('_')}")
        self._vbox[0] += 1

    def _operand(self, other: Any) -> Any:
        return other.data if isinstance(other, TensorOps) else other

    def add_(self, other: Any, alpha: float = 1.0) -> Any:
        self._inplace("add_")
        o = self._operand(other)
        self.data += o if alpha == 1.0 else o * alpha
        return self

    def sub_(self, other: Any, alpha: float = 1.0) -> Any:
        self._inplace("sub_")
        o = self._operand(other)
        self.data -= o if alpha == 1.0 else o * alpha
        return self

    def mul_(self, other: Any) -> Any:
        self._inplace("mul_")
        self.data *= self._operand(other)
        return self

    def div_(self, other: Any) -> Any:
        self._inplace("div_")
        self.data /= self._operand(other)
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        self._inplace("clamp_")
        get_array_module(self.data).clip(self.data, min, max, out=self.data)
        return self

    def zero_(self) -> Any:
        self._inplace("zero_")
        self.data[...] = 0
        return self

    def fill_(self, value: Any) -> Any:
        self._inplace("fill_")
        self.data[...] = self._operand(value)
        return self

    def copy_(self, src: Any) -> Any:
        self._inplace("copy_")
        src = self._operand(src)
        try:
            self.data[...] = src
        except ValueError:
            raise ValueError(f"copy_: source of shape {getattr(src, 'shape', ())} cannot be copied into shape {self.shape}") from None
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Any:
        from .random import default_generator

        self._inplace("uniform_")
        self.data[...] = (generator or default_generator()).uniform(a, b, self.shape, self.data.dtype, self.data)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Any:
        from .random import default_generator

        self._inplace("normal_")
        self.data[...] = (generator or default_generator()).normal(mean, std, self.shape, self.data.dtype, self.data)
        return self
