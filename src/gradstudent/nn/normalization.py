"""``LayerNorm``: normalize each sample over its trailing feature axes (transformers, RNNs)."""

from __future__ import annotations

from typing import Any, Sequence

from ..creation import empty
from ..ops.layernorm import layer_norm
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last ``len(normalized_shape)`` axes.

    Unlike batch norm, the statistics are per sample, so train and eval behave the same
    and the batch size does not matter. ``weight`` starts at 1, ``bias`` at 0.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(*shape, dtype=dtype))
            self.bias = Parameter(empty(*shape, dtype=dtype)) if bias else None
            if not bias:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
